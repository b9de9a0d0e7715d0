"""Optimisation lab: descent methods and step-size rules on 2-D test problems, animated, with
measured vs theoretical convergence rates, and an "is it convex?" Jensen checker.

Course notes (Optimization Primal): gradient descent w_{k+1} = w_k - t_k grad f(w_k); step-size
rules, descent directions, convergence rates and improvements (momentum, Nesterov, Newton);
convex functions satisfy f((1 - l) w1 + l w2) <= (1 - l) f(w1) + l f(w2); exercise: show that
log(1 + e^x) is convex.
"""
from __future__ import annotations

import html
import math

import numpy as np
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import ColumnDataSource, Range1d, Span
from bokeh.plotting.contour import contour_data

from ece544core import optim

from ..views.common import CONTROL_WIDTH, Demo, Playable, guarded, heading, stats_html
from ..views.plotting import PALETTE, make_figure

METHODS = ["gd", "momentum", "nesterov", "newton", "lbfgs"]
STEPS = ["constant", "1/L", "2/(L+mu)", "optimal", "armijo", "exact", "diminishing"]
GRID_N = 120              # contour grid is GRID_N x GRID_N (computed once per objective)
N_LEVELS = 16
L_GRID = 15               # coarse grid on which L = max eigenvalue of the Hessian is taken
#: Stopping tolerance on ||grad f||. The logistic objective (f* ~ 20) cannot resolve smaller
#: gradients by function values (the line searches compare f in float64), so it stops earlier.
TOL = {"quadratic": 1e-10, "rosenbrock": 1e-10, "logistic": 1e-6}
FLOOR = 1e-16             # the log-scale convergence plot shows smaller errors at this floor
CONV_MIN_WIDTH = 236      # narrowest convergence plot (fits a 1200 px window)
FRAME = 400               # contour plot frame (square, pixels)
PATH_COLOR, START_COLOR, STAR_COLOR = PALETTE[5], PALETTE[0], PALETTE[2]
MEASURED_COLOR, FGAP_COLOR, THEORY_COLOR = PALETTE[5], PALETTE[0], "#555555"

#: Contour plot titles: the objective in the notes' symbols.
OBJECTIVE_TITLES = {
    "quadratic": "f(w) = ½(w − w*)ᵀA(w − w*), A = R(θ)diag(1, κ)R(θ)ᵀ",
    "rosenbrock": "Rosenbrock: f(w) = (1 − w₁)² + 100 (w₂ − w₁²)²",
    "logistic": "f(w) = C/2 ‖w‖² + Σᵢ log(1 + exp(−yᵢwᵀxᵢ)) (40 points)",
}

#: "Is it convex?" functions: widget label -> key (the value in the URL).
CONVEX_FUNCTIONS = {"log(1 + eˣ)": "softplus", "x²": "square", "|x|": "abs", "x³": "cube",
                    "sin x": "sin", "−x²": "neg_square"}
CONVEX_BOX = (-3.0, 3.0)


def _convex_fn(key: str):
    return {
        "softplus": optim.softplus,
        "square": lambda x: np.asarray(x, float) ** 2,
        "abs": lambda x: np.abs(np.asarray(x, float)),
        "cube": lambda x: np.asarray(x, float) ** 3,
        "sin": lambda x: np.sin(np.asarray(x, float)),
        "neg_square": lambda x: -np.asarray(x, float) ** 2,
    }[key]


def grid_values(problem, xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
    """f on the grid (same shape as xx): the problems' ``fun`` is vectorised over (..., 2)."""
    return np.asarray(problem.fun(np.stack([xx, yy], axis=-1)), dtype=float)


def _box_with(bounds, point, pad: float = 0.05):
    """The plotting box ``bounds`` ((x0, x1), (y0, y1)), enlarged to show ``point`` too."""
    (x0, x1), (y0, y1) = (tuple(map(float, b)) for b in bounds)
    px, py = (float(v) for v in point)
    dx, dy = pad * (x1 - x0), pad * (y1 - y0)
    return (min(x0, px - dx), max(x1, px + dx)), (min(y0, py - dy), max(y1, py + dy))


def contour_levels(z: np.ndarray, f_star: float, n: int = N_LEVELS) -> np.ndarray:
    """Levels f* + geometric steps between low and high quantiles of f - f* on the grid."""
    gap = np.asarray(z, float).ravel() - f_star
    gap = gap[np.isfinite(gap) & (gap > 0)]
    if len(gap) == 0:
        return np.array([f_star])
    lo, hi = np.quantile(gap, 0.002), np.quantile(gap, 0.9)
    lo = max(lo, hi * 1e-6)
    return f_star + np.geomspace(lo, hi, n)


class OptimDemo(Playable, Demo):
    """Gradient methods on 2-D objectives: contours, animated path, rates; a convexity check."""

    slug = "optim"
    title = "Optimisation lab"
    formula = (
        r"$$\text{GD: } \mathbf{w}_{k+1} = \mathbf{w}_k - t_k \nabla f(\mathbf{w}_k) \qquad "
        r"\text{momentum: } \mathbf{w}_{k+1} = \mathbf{w}_k - t_k \nabla f(\mathbf{w}_k) + "
        r"\beta(\mathbf{w}_k - \mathbf{w}_{k-1})$$"
        r"$$\text{Nesterov: } \mathbf{v}_k = \mathbf{w}_k + \beta_k(\mathbf{w}_k - "
        r"\mathbf{w}_{k-1}),\; \mathbf{w}_{k+1} = \mathbf{v}_k - t_k \nabla f(\mathbf{v}_k) "
        r"\qquad \text{Newton: } \mathbf{w}_{k+1} = \mathbf{w}_k - t_k "
        r"\big(\nabla^2 f(\mathbf{w}_k)\big)^{-1} \nabla f(\mathbf{w}_k)$$"
        r"$$t_k:\; \text{const},\; \tfrac1L,\; \tfrac{2}{L+\mu},\; \text{Armijo: } "
        r"f(\mathbf{w}_k - t\mathbf{g}_k) \le f(\mathbf{w}_k) - c_1 t\|\mathbf{g}_k\|^2,\; "
        r"\text{exact: } \tfrac{\mathbf{g}_k^\top\mathbf{g}_k}{\mathbf{g}_k^\top \mathbf{A}"
        r"\mathbf{g}_k},\; \tfrac{c}{\sqrt{k+1}} \qquad "
        r"\|\mathbf{w}_k - \mathbf{w}^*\| \le \rho^k \|\mathbf{w}_0 - \mathbf{w}^*\|,\; "
        r"\rho_{\text{GD}} = \tfrac{\kappa - 1}{\kappa + 1},\; \kappa = \tfrac{L}{\mu}$$"
        r"$$\text{convex: } f\big((1-\lambda)\mathbf{w}_1 + \lambda\mathbf{w}_2\big) \le "
        r"(1-\lambda) f(\mathbf{w}_1) + \lambda f(\mathbf{w}_2)\;\; \forall \lambda \in [0, 1]$$"
    )
    what_to_try = (
        "Raise κ to 100: GD zig-zags and its rate (κ − 1)/(κ + 1) crawls; switch to momentum or "
        "Nesterov with the optimal step (√κ instead of κ) or to Newton (one step); set a constant "
        "step just above 2/L to see divergence; try Rosenbrock's curved valley; click the "
        "contours to move the start; then ask whether log(1 + eˣ) is convex."
    )
    url_params = ("objective", "kappa", "theta", "C", "method", "step", "lr", "optimal_beta",
                  "beta", "max_iter", "convex_fn")

    objective = param.Selector(default="quadratic", objects=["quadratic", "rosenbrock",
                                                             "logistic"],
                               doc="Function f to minimise over w in R^2.")
    kappa = param.Number(default=10.0, bounds=(1.0, 1000.0), label="condition number κ",
                         doc="Quadratic only: kappa = L / mu, eigenvalues of A are 1 and kappa.")
    theta = param.Number(default=30.0, bounds=(0.0, 180.0), step=5.0, label="rotation θ (°)",
                         doc="Quadratic only: rotation of A's eigenvectors, in degrees.")
    C = param.Number(default=1.0, bounds=(0.01, 10.0), label="C (logistic)",
                     doc="Logistic only: weight of C/2 ||w||^2 (its strong convexity).")
    method = param.Selector(default="gd", objects=METHODS, doc="Descent method.")
    step = param.Selector(default="2/(L+mu)", objects=STEPS, label="step-size rule tₖ",
                          doc="Step-size rule; 'optimal' is the method's best constant step; "
                              "'exact' needs a quadratic; Newton and L-BFGS take 'armijo', "
                              "'constant' or 'exact'.")
    lr = param.Number(default=0.05, bounds=(1e-4, 10.0), label="step t (constant) / c",
                      doc="Constant step t, or c of the diminishing rule c / sqrt(k + 1).")
    optimal_beta = param.Boolean(default=True, label="optimal β from κ",
                                 doc="Momentum/Nesterov: beta = ((sqrt k - 1)/(sqrt k + 1))^2 "
                                     "(heavy ball) or (sqrt k - 1)/(sqrt k + 1) (Nesterov).")
    beta = param.Number(default=0.9, bounds=(0.0, 0.99), step=0.01, label="momentum β",
                        doc="Momentum coefficient when the optimal beta is off.")
    max_iter = param.Integer(default=500, bounds=(1, 5000), label="max iterations",
                             doc="Iteration limit of the run.")
    convex_fn = param.Selector(default="softplus", objects=CONVEX_FUNCTIONS,
                               label="function", doc="1-D function whose convexity is checked.")

    def __init__(self, **params):
        super().__init__(**params)
        self._problems: dict = {}           # key -> problem info (contours, L, mu), cached
        self._start: np.ndarray | None = None   # clicked start point (None: default)
        self._start_objective = ""                # ... and the objective it was clicked on
        self._shown_problem: dict | None = None   # the problem whose contours are drawn
        self.result = None
        self.info: dict = {}
        self.k = 0                          # index of the last revealed iterate
        self._chord_seed = 0
        self.stats: dict = {}
        self.convexity = None
        self._build_figures()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._convex_text = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._layout = self.page(self._controls(), self._main(), self._numbers)
        self.param.watch(self._on_method, ["method", "step", "lr", "optimal_beta", "beta",
                                           "max_iter"])
        self._on_objective()
        self._on_convex()

    # ------------------------------------------------------------------ widgets / layout
    def _controls(self) -> list:
        self._kappa_slider = self.log_slider("kappa", step=0.05)
        theta = pn.widgets.FloatSlider.from_param(self.param.theta, width=CONTROL_WIDTH - 20)
        self._quad_widgets = [self._kappa_slider, theta]
        self._c_slider = self.log_slider("C", step=0.05)
        lr = self.log_slider("lr", step=0.05)
        beta = pn.widgets.FloatSlider.from_param(self.param.beta, width=CONTROL_WIDTH - 20)
        self._beta_slider = beta

        def sync_widgets(*_events):
            for w in self._quad_widgets:
                w.visible = self.objective == "quadratic"
            self._c_slider.visible = self.objective == "logistic"
            lr.disabled = self.step not in ("constant", "diminishing")
            beta.disabled = self.optimal_beta or self.method not in ("momentum", "nesterov")

        self.param.watch(sync_widgets, ["objective", "step", "method", "optimal_beta"])
        sync_widgets()

        self.step_button = pn.widgets.Button(name="Step", width=70)
        self._make_play_button()
        self.reset_button = pn.widgets.Button(name="Reset", width=70)
        self.step_button.on_click(lambda _e: self.step_animation())
        self.reset_button.on_click(lambda _e: self.reset_animation())
        start = pn.widgets.Button(name="Default start point", sizing_mode="stretch_width")
        start.on_click(lambda _e: self.set_start(None))
        return [
            heading("Objective f"),
            self.param_controls(["objective"], objective=pn.widgets.RadioButtonGroup),
            self._kappa_slider, theta, self._c_slider,
            heading("Method"),
            self.param_controls(["method", "step"]),
            lr, self.param_controls(["optimal_beta"]), beta,
            self.param_controls(["max_iter"]),
            heading("Animation"),
            pn.Row(self.step_button, self.play_button, self.reset_button),
            pn.pane.HTML("<small>A click on the contour plot sets the start w₀.</small>",
                         margin=(0, 10)),
            start,
        ]

    def _main(self) -> pn.Column:
        convex_controls = pn.Column(
            pn.widgets.Select.from_param(self.param.convex_fn, width=180),
            self._chord_button(), self._convex_text, width=330)
        convex = pn.Card(
            pn.Row(convex_controls, pn.pane.Bokeh(self.convex_fig, sizing_mode="stretch_width"),
                   sizing_mode="stretch_width"),
            title="Is it convex? Sampled Jensen inequality on [−3, 3]",
            sizing_mode="stretch_width", margin=(10, 10))
        plots = pn.Row(pn.pane.Bokeh(self.fig),
                       pn.pane.Bokeh(self.conv_fig, sizing_mode="stretch_width"),
                       sizing_mode="stretch_width")
        return pn.Column(plots, convex, sizing_mode="stretch_width")

    def _chord_button(self) -> pn.widgets.Button:
        button = pn.widgets.Button(name="New random chord", width=180)
        button.on_click(lambda _e: self.new_chord())
        return button

    # ------------------------------------------------------------------ figures
    def _build_figures(self) -> None:
        fig = make_figure("",
                          tools="pan,wheel_zoom,reset", sizing_mode="fixed", width=None,
                          height=None, frame_width=FRAME, frame_height=FRAME,
                          x_range=Range1d(-1, 1), y_range=Range1d(-1, 1), name="optim-fig")
        z = np.zeros((2, 2))
        self.contours = fig.contour([0, 1], [0, 1], z + np.arange(2)[:, None], [0.5],
                                    line_color="#9aa7b5", line_width=1.2, fill_color=None)
        self.contours.line_renderer.data_source.name = "optim-contours"
        self.path_source = ColumnDataSource(dict(x=[], y=[], k=[]), name="optim-path")
        self.current_source = ColumnDataSource(dict(x=[], y=[]), name="optim-current")
        self.star_source = ColumnDataSource(dict(x=[], y=[]), name="optim-star")
        fig.line("x", "y", source=self.path_source, color=PATH_COLOR, line_width=2)
        fig.scatter("x", "y", source=self.path_source, color=PATH_COLOR, size=4)
        fig.scatter("x", "y", source=self.star_source, marker="star", size=18,
                    color=STAR_COLOR, line_color="black", legend_label="w*")
        fig.scatter("x", "y", source=self.current_source, size=11, color=PATH_COLOR,
                    line_color="black", legend_label="wₖ")
        self.start_source = ColumnDataSource(dict(x=[], y=[]), name="optim-start")
        fig.scatter("x", "y", source=self.start_source, size=10, marker="square",
                    color=START_COLOR, line_color="white", legend_label="w₀")
        fig.legend.orientation = "horizontal"
        fig.legend.padding, fig.legend.margin = 2, 0
        fig.add_layout(fig.legend[0], "below")                 # keep the contours uncovered
        fig.xaxis.axis_label, fig.yaxis.axis_label = "w₁", "w₂"
        fig.on_event(Tap, self._on_tap)
        self.fig = fig

        conv = make_figure("Convergence (log scale)", tools="", toolbar_location=None,
                           y_axis_type="log", height=FRAME + 110, min_width=CONV_MIN_WIDTH,
                           x_range=Range1d(0, 10), y_range=Range1d(1e-10, 10),
                           name="optim-conv-fig")
        self.measured_source = ColumnDataSource(dict(k=[], dist=[], fgap=[]),
                                                name="optim-conv-measured")
        self.theory_source = ColumnDataSource(dict(k=[], bound=[]), name="optim-conv-theory")
        conv.line("k", "fgap", source=self.measured_source, color=FGAP_COLOR, line_width=2,
                  legend_label="f(wₖ) − f*")
        conv.line("k", "dist", source=self.measured_source, color=MEASURED_COLOR, line_width=2.5,
                  legend_label="‖wₖ − w*‖")
        # drawn last, so the dashed theory stays visible where the measured rate meets it
        self.theory_line = conv.line("k", "bound", source=self.theory_source, color=THEORY_COLOR,
                                     line_width=2, line_dash="dashed",
                                     legend_label="theory ρᵏ ‖w₀ − w*‖")
        self.k_span = Span(location=0, dimension="height", line_color="#999999",
                           line_dash="dotted")
        conv.add_layout(self.k_span)
        conv.legend.orientation = "horizontal"
        conv.legend.padding, conv.legend.margin = 2, 0
        conv.legend.label_text_font_size = "12px"
        conv.legend.nrows = 3
        conv.add_layout(conv.legend[0], "below")               # keep the curves uncovered
        conv.xaxis.axis_label = "iteration k"
        conv.yaxis.axis_label = f"error (shown ≥ {FLOOR:g})"
        self.conv_fig = conv

        cf = make_figure("", tools="", toolbar_location=None, height=260, min_width=300,
                         x_range=Range1d(*CONVEX_BOX), name="optim-convex-fig")
        self.convex_source = ColumnDataSource(dict(x=[], y=[]), name="optim-convex-f")
        self.chord_source = ColumnDataSource(dict(x=[], y=[]), name="optim-convex-chord")
        self.violation_source = ColumnDataSource(dict(x=[], y=[]), name="optim-convex-violation")
        self.violation_gap_source = ColumnDataSource(dict(x0=[], y0=[], x1=[], y1=[]),
                                                     name="optim-convex-gap")
        cf.line("x", "y", source=self.convex_source, color="#222222", line_width=2.5,
                legend_label="f")
        cf.line("x", "y", source=self.chord_source, color=PALETTE[0], line_width=2,
                legend_label="random chord")
        cf.scatter("x", "y", source=self.chord_source, color=PALETTE[0], size=7)
        cf.line("x", "y", source=self.violation_source, color=PALETTE[5], line_width=2,
                line_dash="dashed", legend_label="worst violation")
        cf.scatter("x", "y", source=self.violation_source, color=PALETTE[5], size=7)
        cf.segment("x0", "y0", "x1", "y1", source=self.violation_gap_source, color=PALETTE[5],
                   line_width=4)
        cf.legend.location = "top_left"
        cf.legend.background_fill_alpha = 0.8
        cf.legend.padding, cf.legend.margin = 2, 4
        cf.xaxis.axis_label, cf.yaxis.axis_label = "w", "f(w)"
        self.convex_fig = cf

    # ------------------------------------------------------------------ problems
    def _problem_key(self) -> tuple:
        if self.objective == "quadratic":
            return ("quadratic", self.kappa, self.theta)
        if self.objective == "logistic":
            return ("logistic", self.C)
        return ("rosenbrock",)

    def problem_info(self) -> dict:
        """The current problem with its contours, box, L and mu (computed once per problem)."""
        key = self._problem_key()
        if key not in self._problems:
            if len(self._problems) > 16:
                self._problems.clear()
            self._problems[key] = self._make_problem_info()
        return self._problems[key]

    def _make_problem_info(self) -> dict:
        if self.objective == "quadratic":
            problem = optim.Quadratic(kappa=self.kappa, theta=math.radians(self.theta))
        elif self.objective == "logistic":
            problem = optim.LogisticProblem(C=self.C)
        else:
            problem = optim.Rosenbrock()
        (x0, x1), (y0, y1) = _box_with(problem.bounds, problem.x0)
        xs, ys = np.linspace(x0, x1, GRID_N), np.linspace(y0, y1, GRID_N)
        xx, yy = np.meshgrid(xs, ys)
        z = grid_values(problem, xx, yy)
        f_star = float(problem.f_star)
        levels = contour_levels(z, f_star)
        lines = contour_data(xs, ys, z, levels, want_fill=False, want_line=True)
        L, mu = self._curvature(problem, (x0, x1), (y0, y1))
        return dict(problem=problem, box=((x0, x1), (y0, y1)), contours=lines, L=L, mu=mu,
                    kappa=L / mu, f_star=f_star, x_star=np.asarray(problem.x_star, float))

    @staticmethod
    def _curvature(problem, xr, yr) -> tuple[float, float]:
        """(L, mu): the problem's own (quadratic, logistic); otherwise (Rosenbrock) L = the
        largest Hessian eigenvalue over a coarse grid of the plotted box and mu = the smallest
        at w* (local strong convexity)."""
        if getattr(problem, "L", None) is not None and getattr(problem, "mu", None) is not None:
            return float(problem.L), float(problem.mu)
        eig_max = 0.0
        for x in np.linspace(*xr, L_GRID):
            for y in np.linspace(*yr, L_GRID):
                top = np.linalg.eigvalsh(problem.hess(np.array([x, y])))[-1]
                eig_max = max(eig_max, float(top))
        mu = float(np.linalg.eigvalsh(problem.hess(np.asarray(problem.x_star, float)))[0])
        return eig_max, mu

    def start_point(self) -> np.ndarray:
        """The point clicked on this objective's plot, else the problem's suggested start."""
        if self._start is not None and self._start_objective == self.objective:
            return self._start.copy()
        return np.asarray(self.problem_info()["problem"].x0, dtype=float).copy()

    # ------------------------------------------------------------------ interactions
    @param.depends("objective", "kappa", "theta", "C", watch=True)
    @guarded
    def _on_objective(self) -> None:
        self._run()

    def _show_problem(self, info: dict) -> None:
        """Contours, box, minimiser and title of a new problem (computed once per problem)."""
        self.contours.set_data(info["contours"])
        (x0, x1), (y0, y1) = info["box"]
        self.fig.x_range.update(start=x0, end=x1)
        self.fig.y_range.update(start=y0, end=y1)
        self.star_source.data = dict(x=[info["x_star"][0]], y=[info["x_star"][1]])
        self.fig.title.text = OBJECTIVE_TITLES[self.objective]
        self._shown_problem = info

    def _on_method(self, *events) -> None:
        """A method/step setting changed. Switching to Newton or L-BFGS with a step rule they
        do not take (they scale their own directions) selects Armijo; an incompatible step
        chosen explicitly is shown as an error."""
        names = {e.name for e in events}
        if ("method" in names and "step" not in names
                and self.step not in optim.METHOD_STEPS[self.method]):
            self.step = "armijo"                    # this watcher runs again for the step
            return
        self.rerun()

    @guarded
    def rerun(self) -> None:
        """Recompute the run with the current settings and start point."""
        self._run()

    def _on_tap(self, event) -> None:
        self.set_start((event.x, event.y))

    @guarded
    def set_start(self, point) -> None:
        """Start the run at ``point`` (x, y); None restores the objective's default start."""
        if point is None:
            self._start = None
        else:
            p = np.asarray(point, dtype=float).ravel()
            if p.shape != (2,) or not np.all(np.isfinite(p)):
                raise ValueError(f"start point must be two finite numbers; got {point!r}")
            self._start, self._start_objective = p, self.objective
        self._run()

    # ------------------------------------------------------------------ the run
    def _minimize_kwargs(self, info: dict) -> dict:
        problem = info["problem"]
        if self.step == "exact" and self.objective != "quadratic":
            raise ValueError("the exact line search t = gᵀg / gᵀAg needs a quadratic "
                             f"(its Hessian A); '{self.objective}' is not one — choose "
                             "another step rule")
        kwargs = dict(method=self.method, step=self.step, L=info["L"], mu=info["mu"],
                      hess=problem.hess, x_star=info["x_star"], max_iter=self.max_iter,
                      tol=TOL[self.objective])
        if self.objective == "quadratic":
            kwargs["A"] = problem.A
        if self.step == "constant":
            kwargs["lr"] = self.lr
        elif self.step == "diminishing":
            kwargs["c"] = self.lr
        if self.method in ("momentum", "nesterov"):
            kwargs["beta"] = self.beta_value(info)
        return kwargs

    def beta_value(self, info: dict | None = None) -> float:
        """The momentum beta in use: the slider's, or the optimal one for kappa (Polyak's
        ((sqrt k - 1)/(sqrt k + 1))^2 for the heavy ball, (sqrt k - 1)/(sqrt k + 1) for
        Nesterov)."""
        if not self.optimal_beta:
            return float(self.beta)
        r = math.sqrt((info or self.info)["kappa"])
        return ((r - 1) / (r + 1)) ** (2 if self.method == "momentum" else 1)

    def _run(self) -> None:
        """Compute the whole run once; the animation only reveals its iterates. On an error
        nothing is drawn, so the plots keep their last good state."""
        info = self.problem_info()
        problem = info["problem"]
        x0 = self.start_point()
        kwargs = self._minimize_kwargs(info)
        result = optim.minimize(problem.fun, problem.grad, x0, **kwargs)
        self.pause()
        self.info, self.result = info, result
        if info is not self._shown_problem:
            self._show_problem(info)
        self.start_source.data = dict(x=[x0[0]], y=[x0[1]])
        self._rates()
        self._set_conv_ranges()
        self.show_iterate(result.n_iter)               # the full run; Play replays it
        self._show_stats()

    def _rates(self) -> None:
        res, info = self.result, self.info
        dist = np.asarray(res.history["dist"], float)
        self.measured_rate = self._observed(dist)
        self.theory_rate = self.theoretical()
        n = res.n_iter
        if self.theory_rate is not None and self.theory_rate > 0 and dist[0] > 0:
            k = np.arange(n + 1)
            bound = np.maximum(dist[0] * self.theory_rate ** k, FLOOR)
            self.theory_source.data = dict(k=k, bound=bound)
        else:
            self.theory_source.data = dict(k=[], bound=[])
        self.theory_line.visible = len(self.theory_source.data["k"]) > 0   # greys its legend
        fgap = np.asarray(res.history["objective"], float) - info["f_star"]
        self._measured = dict(k=np.arange(n + 1), dist=np.maximum(dist, FLOOR),
                              fgap=np.maximum(np.where(np.isfinite(fgap), fgap, np.nan), FLOOR))

    @staticmethod
    def _observed(errors: np.ndarray) -> float | None:
        try:
            rate = float(optim.observed_rate(errors))
        except ValueError:
            return None
        return rate if np.isfinite(rate) else None

    def theoretical(self) -> float | None:
        """The rate rho of ||w_k - w*|| the theory promises, where it is defined: strongly
        convex objectives (not Rosenbrock), optim.theoretical_rate's method/step pairs (with the
        optimal beta), and GD with a constant step t: max(|1 - t mu|, |1 - t L|) (exact on the
        quadratic, where > 1 means divergence; elsewhere shown when < 1)."""
        if self.objective == "rosenbrock":
            return None
        info = self.info
        if self.method == "gd" and self.step == "constant":
            rate = max(abs(1 - self.lr * info["mu"]), abs(1 - self.lr * info["L"]))
            # exact on the quadratic; elsewhere a guarantee only when < 1 (t < 2/L)
            return rate if self.objective == "quadratic" or rate < 1 else None
        if self.method in ("momentum", "nesterov") and not self.optimal_beta:
            return None
        try:
            rate = float(optim.theoretical_rate(self.method, info["kappa"], step=self.step))
        except ValueError:
            return None
        return rate if np.isfinite(rate) else None

    def _set_conv_ranges(self) -> None:
        m = self._measured
        vals = np.concatenate([m["dist"], m["fgap"]])
        vals = vals[np.isfinite(vals)]
        hi = float(vals.max()) if len(vals) else 1.0
        lo = float(vals.min()) if len(vals) else FLOOR
        hi = min(max(hi * 5, 1e-12), 1e12)
        lo = max(min(lo / 5, hi / 1e3), FLOOR / 10)
        self.conv_fig.y_range.update(start=lo, end=hi)
        self.conv_fig.x_range.update(start=0, end=max(self.result.n_iter, 1))

    # ------------------------------------------------------------------ animation
    def show_iterate(self, k: int) -> None:
        """Reveal iterates 0..k of the computed run (path, current point, measured curves)."""
        n = self.result.n_iter
        self.k = k = int(min(max(k, 0), n))
        xs = np.asarray(self.result.history["x"], float)[: k + 1]
        self.path_source.data = dict(x=xs[:, 0], y=xs[:, 1], k=np.arange(k + 1))
        self.current_source.data = dict(x=[xs[-1, 0]], y=[xs[-1, 1]])
        self.measured_source.data = {key: v[: k + 1] for key, v in self._measured.items()}
        self.k_span.location = k
        if self.stats:
            self._show_stats()

    def step_animation(self) -> None:
        """Reveal one more iterate (from the start if the whole run is shown)."""
        if self.result is None:
            return
        if self.k >= self.result.n_iter:
            self.show_iterate(0)
        else:
            self.show_iterate(self.k + 1)

    def reset_animation(self) -> None:
        """Stop playing and show only the start point w_0."""
        self.pause()
        if self.result is not None:
            self.show_iterate(0)

    # Play: one more iterate every 100 ms (10 Hz), see common.Playable
    def _can_play(self) -> bool:
        return self.result is not None

    def _at_end(self) -> bool:
        return self.k >= self.result.n_iter

    def _rewind(self) -> None:
        self.show_iterate(0)

    def _advance(self) -> None:
        self.show_iterate(self.k + 1)

    # ------------------------------------------------------------------ numbers
    def _show_stats(self) -> None:
        res, info = self.result, self.info
        hist = res.history
        rate = lambda r: "—" if r is None else float(r)        # noqa: E731
        kappa_label = ("κ = L/μ (L: max over the plotted box, μ at w*)"
                       if self.objective == "rosenbrock" else "κ = L/μ")
        self.stats = {
            "n_iter": ("iterations", int(res.n_iter)),
            "converged": (f"converged (‖∇f‖ ≤ {TOL[self.objective]:g})", bool(res.converged)),
            "message": ("message", str(res.message)),
            "f": ("final f(w)", float(res.fun)),
            "grad_norm": ("final ‖∇f(w)‖", float(hist["grad_norm"][-1])),
            "dist": ("final ‖w − w*‖", float(hist["dist"][-1])),
            "measured_rate": ("measured rate ‖wₖ₊₁ − w*‖ / ‖wₖ − w*‖ (tail)",
                              rate(self.measured_rate)),
            "theory_rate": ("theoretical rate ρ", rate(self.theory_rate)),
            "kappa": (kappa_label, float(info["kappa"])),
            "L": ("L", float(info["L"])),
            "mu": ("μ", float(info["mu"])),
            "shown": ("shown iterate k", int(self.k)),
        }
        if self.method in ("momentum", "nesterov"):
            self.stats["beta"] = ("β", float(self.beta_value()))
        self._numbers.object = stats_html(self.stats)

    # ------------------------------------------------------------------ convexity
    @param.depends("convex_fn", watch=True)
    @guarded
    def _on_convex(self) -> None:
        f = _convex_fn(self.convex_fn)
        self.convexity = report = optim.check_convexity(f, [CONVEX_BOX], random_state=0)
        xs = np.linspace(*CONVEX_BOX, 301)
        ys = np.asarray(f(xs), float)
        self.convex_source.data = dict(x=xs, y=ys)
        pad = 0.1 * (ys.max() - ys.min() + 1e-9)
        self.convex_fig.y_range.update(start=ys.min() - pad, end=ys.max() + pad)
        if report.is_convex or len(report.violations) == 0:
            self.violation_source.data = dict(x=[], y=[])
            self.violation_gap_source.data = dict(x0=[], y0=[], x1=[], y1=[])
        else:
            w1, w2, lam, _gap = (float(v) for v in np.asarray(report.violations)[0][:4])
            mid = (1 - lam) * w1 + lam * w2
            chord = (1 - lam) * float(f(np.array([w1]))[0]) + lam * float(f(np.array([w2]))[0])
            self.violation_source.data = dict(x=[w1, w2], y=list(map(float, f(np.array([w1, w2])))))
            self.violation_gap_source.data = dict(x0=[mid], y0=[chord], x1=[mid],
                                                  y1=[float(f(np.array([mid]))[0])])
        self._draw_chord()
        name = next(k for k, v in CONVEX_FUNCTIONS.items() if v == self.convex_fn)
        if report.is_convex:
            verdict = (f"<b style='color:#009E73'>No violation found</b> in "
                       f"{report.n_checked:,} sampled (w₁, w₂, λ): consistent with "
                       f"f(w) = {html.escape(name)} being convex on [−3, 3].")
        else:
            verdict = (f"<b style='color:#D55E00'>Not convex</b>: the worst of "
                       f"{report.n_checked:,} checks has f above the chord by "
                       f"<span data-stat='max_violation'>{report.max_violation:.4g}</span> "
                       "(red: that chord, thick: the gap).")
        extra = ""
        if self.convex_fn == "softplus":
            extra = ("<br><small>Proof: f″(x) = σ(x)(1 − σ(x)) > 0 for every x, so "
                     "log(1 + eˣ) is convex on ℝ.</small>")
        self._convex_text.object = f"<p>{verdict}{extra}</p>"

    def new_chord(self) -> None:
        """Draw another random chord of the current function."""
        self._chord_seed += 1
        self._draw_chord()

    def _draw_chord(self) -> None:
        rng = np.random.default_rng(self._chord_seed)
        w = np.sort(rng.uniform(*CONVEX_BOX, 2))
        f = _convex_fn(self.convex_fn)
        self.chord_source.data = dict(x=w, y=np.asarray(f(w), float))
