"""Optimisation lab: descent methods and step-size rules on 2-D test problems, stepped through
iterate by iterate, with measured vs theoretical convergence rates, and an "is it convex?"
Jensen checker.

Course notes (Optimization Primal): gradient descent w_{k+1} = w_k - t_k grad f(w_k); step-size
rules, descent directions, convergence rates and improvements (momentum, Nesterov, Newton);
convex functions satisfy f((1 - l) w1 + l w2) <= (1 - l) f(w1) + l f(w2); exercise: show that
log(1 + e^x) is convex.

Parameters -> :meth:`OptimDemo.compute` (a frozen :class:`OptimResult`: the whole run of
``optim.minimize`` and the convexity check, from :mod:`.compute`) -> ``draw`` (the frame chosen
in the :class:`StepThrough`).
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import ColumnDataSource, Range1d, Span

from ece544core import optim

from ...views.common import heading, stats_html
from ...views.demo import Demo
from ...views.layout import CONTROL_WIDTH, plots
from ...views.plotting import PALETTE, make_figure
from ...views.steps import StepThrough
from . import compute as calc
from .compute import CONVEX_BOX, CONVEX_FUNCTIONS, FLOOR, Convexity, Run, RunSettings

METHODS = list(optim.METHODS)
STEPS = list(optim.STEPS)
FRAME = 400               # contour plot frame (square, pixels)
CONV_WIDTH = 420          # convergence plot
CONVEX_WIDTH = 480        # the "is it convex?" plot
PATH_COLOR, START_COLOR, STAR_COLOR = PALETTE[5], PALETTE[0], PALETTE[2]
MEASURED_COLOR, FGAP_COLOR, THEORY_COLOR = PALETTE[5], PALETTE[0], "#555555"

#: Contour plot titles: the objective in the notes' symbols.
OBJECTIVE_TITLES = {
    "quadratic": "f(w) = ½(w − w*)ᵀA(w − w*), A = R(θ)diag(1, κ)R(θ)ᵀ",
    "rosenbrock": "Rosenbrock: f(w) = (1 − w₁)² + 100 (w₂ − w₁²)²",
    "logistic": "f(w) = C/2 ‖w‖² + Σᵢ log(1 + exp(−yᵢwᵀxᵢ)) (40 points)",
}


@dataclass(frozen=True, eq=False)
class OptimResult:
    run: Run
    convexity: Convexity


class OptimDemo(Demo):
    """Gradient methods on 2-D objectives: contours, stepped-through path, rates; convexity."""

    slug = "optim"
    title = "Optimisation lab"
    formula = (
        r"$$\text{GD: } \mathbf{w}_{k+1} = \mathbf{w}_k - t_k \nabla f(\mathbf{w}_k) \qquad "
        r"\text{momentum: } \mathbf{w}_{k+1} = \mathbf{w}_k - t_k \nabla f(\mathbf{w}_k) + "
        r"\beta(\mathbf{w}_k - \mathbf{w}_{k-1})$$"
        r"$$\text{Nesterov: } \mathbf{v}_k = \mathbf{w}_k + \beta_k(\mathbf{w}_k - "
        r"\mathbf{w}_{k-1}),\; \mathbf{w}_{k+1} = \mathbf{v}_k - t_k \nabla f(\mathbf{v}_k)$$"
        r"$$\text{Newton: } \mathbf{w}_{k+1} = \mathbf{w}_k - t_k "
        r"\big(\nabla^2 f(\mathbf{w}_k)\big)^{-1} \nabla f(\mathbf{w}_k)$$"
        r"$$t_k:\; \text{const},\; \tfrac1L,\; \tfrac{2}{L+\mu},\; \text{Armijo: } "
        r"f(\mathbf{w}_k - t\mathbf{g}_k) \le f(\mathbf{w}_k) - c_1 t\|\mathbf{g}_k\|^2,\; "
        r"\text{exact: } \tfrac{\mathbf{g}_k^\top\mathbf{g}_k}{\mathbf{g}_k^\top \mathbf{A}"
        r"\mathbf{g}_k},\; \tfrac{c}{\sqrt{k+1}}$$"
        r"$$\|\mathbf{w}_k - \mathbf{w}^*\| \le \rho^k \|\mathbf{w}_0 - \mathbf{w}^*\|,\; "
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
        self._problems: dict = {}               # problem key -> ProblemInfo, cached
        self._runs: dict = {}                   # the last run, memoised on its inputs
        self._start: np.ndarray | None = None   # clicked start point (None: default)
        self._start_objective = ""              # ... and the objective it was clicked on
        self._chord_seed = 0
        self._shown_problem = None              # the ProblemInfo whose contours are drawn
        super().__init__(**params)

    # ------------------------------------------------------------------ build
    def build(self):
        self._build_figures()
        self.steps = StepThrough(on_frame=lambda _index: self.redraw(),
                                 describe=lambda k: f"iterate w_{k}", name="optim-steps")
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._convex_text = pn.pane.HTML("", width=320, margin=(0, 10))
        # Newton and L-BFGS take no fixed step rule: switching to them selects Armijo
        self.param.watch(self._on_method, "method")
        return self._controls(), self._main(), self._numbers

    def _on_method(self, event) -> None:
        if self.step not in optim.METHOD_STEPS[event.new]:
            self.step = "armijo"

    def _controls(self) -> list:
        kappa = self.log_slider("kappa", step=0.05)
        theta = pn.widgets.FloatSlider.from_param(self.param.theta, width=CONTROL_WIDTH - 20)
        c_slider = self.log_slider("C", step=0.05)
        lr = self.log_slider("lr", step=0.05)
        beta = pn.widgets.FloatSlider.from_param(self.param.beta, width=CONTROL_WIDTH - 20)

        def sync_widgets(*_events):
            kappa.visible = theta.visible = self.objective == "quadratic"
            c_slider.visible = self.objective == "logistic"
            lr.disabled = self.step not in ("constant", "diminishing")
            beta.disabled = self.optimal_beta or self.method not in ("momentum", "nesterov")

        self.param.watch(sync_widgets, ["objective", "step", "method", "optimal_beta"])
        sync_widgets()
        start = pn.widgets.Button(name="Default start point", sizing_mode="stretch_width")
        start.on_click(lambda _e: self.set_start(None))
        return [
            heading("Objective f"),
            self.param_controls(["objective"], objective=pn.widgets.RadioButtonGroup),
            kappa, theta, c_slider,
            heading("Method"),
            self.param_controls(["method", "step"]),
            lr, self.param_controls(["optimal_beta"]), beta,
            self.param_controls(["max_iter"]),
            heading("Iterates"), self.steps,
            pn.pane.HTML("<small>A click on the contour plot sets the start w₀.</small>",
                         margin=(0, 10)),
            start,
        ]

    def _main(self):
        chord = pn.widgets.Button(name="New random chord", width=180)
        chord.on_click(lambda _e: self.new_chord())
        convex_controls = pn.Column(pn.widgets.Select.from_param(self.param.convex_fn, width=180),
                                    chord, self._convex_text, width=340)
        convex = pn.Card(plots(convex_controls, pn.pane.Bokeh(self.convex_fig)),
                         title="Is it convex? Sampled Jensen inequality on [−3, 3]",
                         sizing_mode="stretch_width", margin=(10, 10))
        return pn.Column(plots(pn.pane.Bokeh(self.fig), pn.pane.Bokeh(self.conv_fig)), convex,
                         sizing_mode="stretch_width")

    # ------------------------------------------------------------------ figures
    def _build_figures(self) -> None:
        fig = make_figure("",
                          tools="pan,wheel_zoom,reset", sizing_mode="fixed", width=None,
                          height=None, frame_width=FRAME, frame_height=FRAME,
                          x_range=Range1d(-1, 1), y_range=Range1d(-1, 1), name="optim-fig")
        self.contour_source = ColumnDataSource(dict(xs=[], ys=[]), name="optim-contours")
        fig.multi_line("xs", "ys", source=self.contour_source, line_color="#9aa7b5",
                       line_width=1.2)
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
        fig.on_event(Tap, lambda event: self.set_start((event.x, event.y)))
        self.fig = fig

        conv = make_figure("Convergence (log scale)", tools="", toolbar_location=None,
                           y_axis_type="log", height=FRAME + 110, width=CONV_WIDTH,
                           sizing_mode="fixed",
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

        cf = make_figure("", tools="", toolbar_location=None, height=260, width=CONVEX_WIDTH,
                         sizing_mode="fixed",
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

    # ------------------------------------------------------------------ inputs
    def set_start(self, point) -> None:
        """Start the run at ``point`` (x, y); None restores the objective's default start."""
        if point is None:
            self._start = None
        else:
            p = np.asarray(point, dtype=float).ravel()
            if p.shape != (2,) or not np.all(np.isfinite(p)):
                self.fail(f"start point must be two finite numbers; got {point!r}")
                return
            self._start, self._start_objective = p, self.objective
        self.update()

    def new_chord(self) -> None:
        """Draw another random chord of the current function."""
        self._chord_seed += 1
        self.update()

    # ------------------------------------------------------------------ compute
    def problem_info(self) -> calc.ProblemInfo:
        """The current problem with its contours, box, L and mu (computed once per problem)."""
        key = {"quadratic": ("quadratic", self.kappa, self.theta),
               "logistic": ("logistic", self.C)}.get(self.objective, ("rosenbrock",))
        if key not in self._problems:
            if len(self._problems) > 16:
                self._problems.clear()
            self._problems[key] = calc.make_problem(self.objective, self.kappa, self.theta,
                                                    self.C)
        return self._problems[key]

    def start_point(self, info: calc.ProblemInfo) -> np.ndarray:
        """The point clicked on this objective's plot, else the problem's suggested start."""
        if self._start is not None and self._start_objective == self.objective:
            return self._start.copy()
        return np.asarray(info.problem.x0, dtype=float).copy()

    def compute(self) -> OptimResult:
        info = self.problem_info()
        settings = RunSettings(self.method, self.step, self.lr, self.optimal_beta, self.beta,
                               self.max_iter)
        x0 = self.start_point(info)
        key = (id(info), settings, x0.tobytes())
        if self._runs.get("key") != key:
            self._runs = dict(key=key, run=calc.run(info, settings, x0))
        convex = self._runs.get("convex")
        if convex is None or (convex.key, self._runs["seed"]) != (self.convex_fn,
                                                                  self._chord_seed):
            convex = calc.convexity(self.convex_fn, self._chord_seed)
            self._runs.update(convex=convex, seed=self._chord_seed)
        return OptimResult(self._runs["run"], convex)

    # ------------------------------------------------------------------ draw
    @property
    def k(self) -> int:
        """The iterate shown."""
        return self.steps.index

    def draw(self, r: OptimResult) -> None:
        run, info = r.run, r.run.info
        previous = getattr(self.result, "run", None)
        if run is not previous:                 # a new run: show all of it, Play replays it
            self.steps.set_frames(run.result.n_iter + 1, index=run.result.n_iter)
            self._draw_run(run)
        if info is not self._shown_problem:
            self._draw_problem(info)
        self._draw_frame(run, self.steps.index)
        self._draw_convexity(r.convexity)

    def _draw_problem(self, info: calc.ProblemInfo) -> None:
        """Contours, box, minimiser and title of a new problem (computed once per problem)."""
        self.contour_source.data = info.contours
        (x0, x1), (y0, y1) = info.box
        self.fig.x_range.update(start=x0, end=x1)
        self.fig.y_range.update(start=y0, end=y1)
        self.star_source.data = dict(x=[info.x_star[0]], y=[info.x_star[1]])
        self.fig.title.text = OBJECTIVE_TITLES[info.name]
        self._shown_problem = info

    def _draw_run(self, run: Run) -> None:
        self.start_source.data = dict(x=[run.x0[0]], y=[run.x0[1]])
        self.theory_source.data = run.bound
        self.theory_line.visible = len(run.bound["k"]) > 0      # greys its legend
        self.conv_fig.y_range.update(start=run.y_range[0], end=run.y_range[1])
        self.conv_fig.x_range.update(start=0, end=max(run.result.n_iter, 1))

    def _draw_frame(self, run: Run, k: int) -> None:
        """Iterates 0..k of the run (path, current point, measured curves) and the numbers."""
        xs = run.path[: k + 1]
        self.path_source.data = dict(x=xs[:, 0], y=xs[:, 1], k=np.arange(k + 1))
        self.current_source.data = dict(x=[xs[-1, 0]], y=[xs[-1, 1]])
        self.measured_source.data = {key: v[: k + 1] for key, v in run.measured.items()}
        self.k_span.location = k
        self._numbers.object = stats_html({**run.stats, "shown": ("shown iterate k", int(k))})

    def _draw_convexity(self, c: Convexity) -> None:
        self.convex_source.data = dict(x=c.xs, y=c.ys)
        pad = 0.1 * (c.ys.max() - c.ys.min() + 1e-9)
        self.convex_fig.y_range.update(start=c.ys.min() - pad, end=c.ys.max() + pad)
        self.violation_source.data = c.violation
        self.violation_gap_source.data = c.gap
        self.chord_source.data = c.chord
        report = c.report
        name = next(k for k, v in CONVEX_FUNCTIONS.items() if v == c.key)
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
        if c.key == "softplus":
            extra = ("<br><small>Proof: f″(x) = σ(x)(1 − σ(x)) > 0 for every x, so "
                     "log(1 + eˣ) is convex on ℝ.</small>")
        self._convex_text.object = f"<p>{verdict}{extra}</p>"
