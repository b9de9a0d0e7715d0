"""Support vector machines: click points, soft/hard margin, kernels, support vectors, slack, KKT.

Course notes (SVM): min_{w, b, xi} C/2 ||w||^2 + sum_i xi^(i) s.t. y^(i) f(x^(i)) >= 1 - xi^(i),
xi^(i) >= 0, with f(x) = w^T phi(x) + b. Its dual is
max_alpha sum_i alpha^(i) - 1/(2C) sum_ij alpha^(i) alpha^(j) y^(i) y^(j) K(x^(i), x^(j)) with the
box 0 <= alpha <= 1 and sum_i alpha^(i) y^(i) = 0, and w = (1/C) sum_i alpha^(i) y^(i) phi(x^(i)).
scikit-learn puts C on the slack instead: C_sklearn = 1 / C. The margin between f = -1 and f = +1
is 2 / ||w|| with ||w||^2 = (1/C^2) sum_ij alpha_i alpha_j y_i y_j K_ij, for any kernel.
"""
from __future__ import annotations

import functools
import html
import warnings

import numpy as np
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import ColumnDataSource, HoverTool, Range1d

from ece544core import datasets
from ece544core.svm import HARD_MARGIN_BOUND, SVC
from ece544core.svm_analysis import analyse_svm

from ..views.common import Demo, LabelledClickedPoints, guarded, heading, stats_html
from ..views.plotting import (PALETTE, class_colors, empty_image, fit_box, grid, line_in_box, make_figure,
                       one_hot, region_image, zero_level_lines)


#: The registry's two-class sets (``datasets.make_toy``), plus "custom" (clicked points only).
DATASETS = ("blobs", "overlap", "moons", "circles", "xor")
#: Only for ``demos/temperature.py``, which still imports it (group g2b drops that import):
#: the registry's sets by name. Delete once no demo imports it.
GENERATORS = {name: functools.partial(datasets.make_toy, name) for name in DATASETS}
KERNEL_PARAMS = {"linear": (), "poly": ("gamma", "degree", "coef0"), "rbf": ("gamma",),
                 "sigmoid": ("gamma", "coef0")}
CLASS_NAMES = ["blue: y = −1", "orange: y = +1"]  # PALETTE[0], PALETTE[1]
GRID_N = 80                      # the f(x) grid is GRID_N x GRID_N
FRAME = (460, 400)               # main plot frame in screen pixels; the data box gets its aspect
CUSTOM_CORNERS = np.array([[-3.0, -3.0], [3.0, 3.0]])   # steady view of the custom data
FREE_COLOR, BOUNDED_COLOR = "#009E73", "#000000"
MAX_SLACK_LABELS = 25            # label at most this many slack segments with their xi


# ------------------------------------------------------------------------------ the demo
class SVMDemo(LabelledClickedPoints, Demo):
    """Binary SVM in the notes' parameterisation: margins, support vectors, slack, KKT, SMO."""

    slug = "svm"
    title = "Support vector machines"
    formula = (
        r"$$\min_{\mathbf{w}, b, \xi}\; \frac{C}{2}\|\mathbf{w}\|^2 + \sum_i \xi^{(i)}"
        r"\quad \text{s.t. } y^{(i)} f(x^{(i)}) \ge 1 - \xi^{(i)},\; \xi^{(i)} \ge 0,\qquad "
        r"f(x) = \mathbf{w}^\top \phi(x) + b$$"
        r"$$\max_{\alpha}\; \sum_i \alpha^{(i)} - \frac{1}{2C} \sum_{i,j} \alpha^{(i)}"
        r"\alpha^{(j)} y^{(i)} y^{(j)} K(x^{(i)}, x^{(j)})\quad \text{s.t. } 0 \le \alpha^{(i)}"
        r" \le 1,\; \sum_i \alpha^{(i)} y^{(i)} = 0$$"
        r"$$f(x) = \frac{1}{C} \sum_i \alpha^{(i)} y^{(i)} K(x^{(i)}, x) + b,\qquad "
        r"\text{margin } \frac{2}{\|\mathbf{w}\|},\qquad C_{\text{sklearn}} = 1 / C$$"
    )
    what_to_try = (
        "Slide C up: the margin widens and more points become bounded support vectors (α = 1) "
        "with slack; tick hard margin on the blobs (maximum margin) and on overlap (not "
        "separable); switch to moons or circles and the rbf kernel; click to add a point inside "
        "the margin and watch it become a support vector."
    )
    url_params = ("dataset", "n_samples", "noise", "seed", "C", "kernel", "gamma", "degree",
                  "coef0", "hard_margin", "tol", "max_iter")

    dataset = param.Selector(default="blobs", objects=[*DATASETS, "custom"],
                             doc="Two-class toy data: separable blobs, overlapping blobs, moons, "
                                 "circles, xor, or 'custom' (starts empty: click to add points).")
    n_samples = param.Integer(default=80, bounds=(10, 300), label="n (points)",
                              doc="Number of generated points.")
    noise = param.Number(default=0.1, bounds=(0.0, 1.0), step=0.01,
                         doc="Noise of the generator (blobs: std = 0.2 + 2 noise).")
    seed = param.Integer(default=0, bounds=(0, 9999), doc="Random seed of the generated points.")
    C = param.Number(default=1.0, bounds=(1e-3, 1e3), label="C (notes)",
                     doc="Weight of C/2 ||w||^2 (slack costs 1 per unit); scikit-learn's C = 1/C.")
    kernel = param.Selector(default="linear", objects=list(KERNEL_PARAMS),
                            doc="K(x, z): x^T z, (gamma x^T z + coef0)^degree, "
                                "exp(-gamma ||x - z||^2) or tanh(gamma x^T z + coef0).")
    gamma = param.Number(default=1.0, bounds=(1e-2, 1e2), label="gamma",
                         doc="Kernel scale gamma (poly, rbf, sigmoid).")
    degree = param.Integer(default=3, bounds=(1, 8), doc="Degree of the polynomial kernel.")
    coef0 = param.Number(default=1.0, bounds=(-3.0, 3.0), step=0.1,
                         doc="Offset coef0 of the polynomial and sigmoid kernels.")
    hard_margin = param.Boolean(default=False, label="hard margin (no slack)",
                                doc="Solve min C/2 ||w||^2 s.t. y f(x) >= 1 (alpha unbounded); "
                                    "fails clearly when the data is not separable.")
    tol = param.Number(default=1e-3, bounds=(1e-6, 1e-1), label="tol (SMO)",
                       doc="SMO stops when the KKT violation m(alpha) - M(alpha) <= tol; also "
                           "the tolerance of the KKT check table.")
    max_iter = param.Integer(default=2000, bounds=(10, 100000), label="max SMO steps",
                             doc="SMO step limit (also how long a hard-margin fit tries on "
                                 "non-separable data).")
    add_class = param.Integer(default=1, bounds=(0, 1),
                              doc="Class of the point a click on the plot adds.")

    def __init__(self, **params):
        super().__init__(**params)
        self._clear_clicked()
        self._data_name = self.dataset
        self.X, self.y = np.empty((0, 2)), np.empty(0, dtype=int)
        self.model: SVC | None = None
        self.result = None  # the SVMAnalysis of the current fit
        self.stats: dict = {}
        self._build_figures()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._answers = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._kkt_html = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._c_sklearn = pn.pane.HTML("", margin=(0, 10))
        self._layout = self.page(self._controls(), self._main(), self._numbers)
        self._on_kernel()
        self._on_data()

    # ------------------------------------------------------------------ widgets / layout
    def _controls(self) -> list:
        adder, reset = self._point_controls(CLASS_NAMES, "Reset data (remove clicked points)")
        self._kernel_widgets = {
            "gamma": self.log_slider("gamma", step=0.1),
            "degree": self.param_controls(["degree"]),
            "coef0": self.param_controls(["coef0"]),
        }
        return [
            heading("Data"), self.param_controls(["dataset", "n_samples", "noise", "seed"]),
            pn.pane.HTML("A click on the plot adds a point of class:", margin=(5, 10, 0, 10)),
            adder, reset,
            heading("Model"), self.log_slider("C", step=0.1), self._c_sklearn,
            self.param_controls(["hard_margin", "kernel"], kernel=pn.widgets.RadioButtonGroup),
            *self._kernel_widgets.values(),
            heading("SMO"), self.log_slider("tol", step=0.5), self.param_controls(["max_iter"]),
        ]

    def _main(self) -> pn.Column:
        legend = pn.pane.HTML(
            "<small>Shading: sign of f(x). <b>Solid</b>: boundary f(x) = 0; <b>dashed</b>: "
            "margins f(x) = ±1 (linear kernel: drawn exactly from w, b; other kernels: contours "
            "of f). Rings: <b style='color:#009E73'>free</b> support vectors 0 &lt; α &lt; 1 (on "
            "the margin), <b>black squares</b>: bounded α = 1 (inside the margin or "
            "misclassified). Grey segments (linear kernel): slack ξ = max(0, 1 − y f), from a "
            "point to its own margin line. Hover a point for α, y f and ξ.</small>",
            width=FRAME[0] + 60, margin=(0, 10))
        right = pn.Column(
            pn.pane.Bokeh(self.history_fig, sizing_mode="stretch_width"),
            pn.pane.HTML("<b>KKT check (complementary slackness)</b>", margin=(5, 10, 0, 10)),
            self._kkt_html, sizing_mode="stretch_width", styles={"flex": "1 1 300px"})
        return pn.Column(
            pn.Row(pn.Column(pn.pane.Bokeh(self.fig), legend, width=FRAME[0] + 80), right,
                   sizing_mode="stretch_width", styles={"flex-wrap": "wrap"}),
            pn.pane.HTML("<h3 style='margin:4px 10px'>The notes' questions, answered by the "
                         "live model</h3>"),
            self._answers, sizing_mode="stretch_width")

    # ------------------------------------------------------------------ figures
    def _build_figures(self) -> None:
        fig = make_figure("SVM: boundary, ±1 margins, support vectors (click to add a point)",
                          tools="pan,wheel_zoom,reset", sizing_mode="fixed", width=None,
                          height=None, frame_width=FRAME[0], frame_height=FRAME[1],
                          x_range=Range1d(-1, 1), y_range=Range1d(-1, 1), name="svm-fig")
        self.region_source = ColumnDataSource(
            empty_image(),
            name="svm-regions")
        self.boundary_source = ColumnDataSource(dict(xs=[], ys=[]), name="svm-boundary")
        self.margin_source = ColumnDataSource(dict(xs=[], ys=[], color=[], level=[]),
                                              name="svm-margins")
        self.slack_source = ColumnDataSource(
            dict(x0=[], y0=[], x1=[], y1=[], xi=[], tx=[], ty=[], text=[]), name="svm-slack")
        self.points_source = ColumnDataSource(
            dict(x=[], y=[], label=[], color=[], alpha=[], yf=[], xi=[], kind=[], clicked=[]),
            name="svm-points")
        self.sv_source = ColumnDataSource(dict(x=[], y=[], kind=[], color=[], marker=[]),
                                          name="svm-sv")
        fig.image_rgba(image="image", x="x", y="y", dw="dw", dh="dh", source=self.region_source)
        fig.segment("x0", "y0", "x1", "y1", source=self.slack_source, color="#666666",
                    line_width=1.5)
        fig.multi_line("xs", "ys", source=self.margin_source, color="color", line_width=2,
                       line_dash="dashed")
        fig.multi_line("xs", "ys", source=self.boundary_source, color="black", line_width=2.5)
        points = fig.scatter("x", "y", source=self.points_source, fill_color="color",
                             line_color="white", size=8, line_width=1)
        fig.scatter("x", "y", source=self.sv_source, marker="marker", fill_color=None,
                    line_color="color", size=15, line_width=2.2, legend_field="kind")
        fig.text("tx", "ty", text="text", source=self.slack_source, text_font_size="9px",
                 text_color="#333333", x_offset=3, text_baseline="middle")
        fig.add_tools(HoverTool(renderers=[points], tooltips=[
            ("y", "@label"), ("α", "@alpha{0.0000}"), ("y f(x)", "@yf{0.000}"),
            ("ξ", "@xi{0.000}"), ("", "@kind")]))
        fig.legend.location = "top_left"
        fig.legend.background_fill_alpha = 0.7
        fig.legend.padding, fig.legend.margin = 4, 4
        fig.xaxis.axis_label, fig.yaxis.axis_label = "x₁", "x₂"
        fig.on_event(Tap, self._on_tap)
        self.fig = fig

        hist = make_figure("SMO: dual g(α) and primal J per step", tools="", height=230,
                           toolbar_location=None, x_range=Range1d(0, 1), y_range=Range1d(0, 1),
                           min_width=260, name="svm-history-fig")
        self.history_source = ColumnDataSource(dict(iteration=[], dual=[], primal=[], kkt=[]),
                                               name="svm-history")
        hist.line("iteration", "dual", source=self.history_source, color=PALETTE[0],
                  line_width=2, legend_label="dual g(α)")
        hist.line("iteration", "primal", source=self.history_source, color=PALETTE[5],
                  line_width=2, line_dash="dashed", legend_label="primal J(w, b)")
        hist.legend.location = "bottom_right"
        hist.xaxis.axis_label, hist.yaxis.axis_label = "SMO step", "objective"
        self.history_fig = hist

    # ------------------------------------------------------------------ interactions
    @param.depends("kernel", watch=True)
    def _on_kernel(self) -> None:
        for name, widget in self._kernel_widgets.items():
            widget.visible = name in KERNEL_PARAMS[self.kernel]

    @param.depends("dataset", "n_samples", "noise", "seed", watch=True)
    @guarded
    def _on_data(self) -> None:
        if self.dataset != self._data_name:
            self._data_name = self.dataset
            self._clear_clicked()
        self._make_data()
        self._refit()

    @param.depends("C", "kernel", "gamma", "degree", "coef0", "hard_margin", "tol", "max_iter",
                   watch=True)
    @guarded
    def _on_model(self) -> None:
        self._refit()

    def _after_clicks(self) -> None:
        self._make_data()
        self._refit()

    # ------------------------------------------------------------------ computation
    def _make_data(self) -> None:
        """Generated points (none for 'custom') plus the clicked ones; the plot box around
        them."""
        if self.dataset == "custom":
            X, y = np.empty((0, 2)), np.empty(0, dtype=int)
        else:
            X, y = datasets.make_toy(self.dataset, n_samples=self.n_samples, noise=self.noise,
                                     random_state=self.seed)
        self.X = np.vstack([np.asarray(X, dtype=float), self._clicked_X])
        self.y = np.concatenate([np.asarray(y, dtype=int), self._clicked_y])
        frame = self.X if self.dataset != "custom" else np.vstack([self.X, CUSTOM_CORNERS])
        self.box = fit_box(frame, FRAME[0] / FRAME[1])
        (x0, x1), (y0, y1) = self.box
        self.fig.x_range.update(start=x0, end=x1)
        self.fig.y_range.update(start=y0, end=y1)
        self._grid = grid(*self.box, GRID_N)                      # (xx, yy, points)

    def estimator(self) -> SVC:
        """The SVC of the current parameters (notes' C)."""
        return SVC(C=self.C, kernel=self.kernel, gamma=self.gamma, degree=self.degree,
                   coef0=self.coef0, tol=self.tol, max_iter=self.max_iter,
                   hard_margin=self.hard_margin)

    @property
    def upper(self) -> float:
        """Upper bound of alpha: 1 (soft margin) or the core's stand-in for infinity."""
        return HARD_MARGIN_BOUND if self.hard_margin else 1.0

    def _refit(self) -> None:
        """Fit on the current data and draw. Without two classes only the points are drawn; a
        failed (hard-margin) fit draws the points without a model and re-raises for
        ``guarded``."""
        self._c_sklearn.object = (f"<small>scikit-learn C = 1 / C = <span data-stat="
                                  f"'c_sklearn_label'>{1.0 / self.C:.4g}</span></small>")
        if np.unique(self.y).size < 2:
            self._show_without_model("<p class='demo-hint'>Click the plot to add points of "
                                     "<b>both</b> classes (choose the class on the left).</p>")
            return
        model = self.estimator()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)   # max_iter: shown as a stat
                model.fit(self.X, self.y)
        except ValueError as exc:
            self._show_without_model(self._failure_html(str(exc)))
            raise
        self.model = model
        self.result = analyse_svm(model, self.X, self.y, self.upper, self.tol)
        self.primal_model = self._primal_view()
        self._draw()

    def _primal_view(self) -> SVC | None:
        """The linear soft margin solved the other way, in the primal (SVC(solver="primal"):
        exact), to compare with SMO's dual solution; None for other kernels / hard margin."""
        if self.kernel != "linear" or self.hard_margin:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return SVC(C=self.C, kernel="linear", solver="primal").fit(self.X, self.y)

    # ------------------------------------------------------------------ drawing
    def _draw_points(self, r: dict | None) -> None:
        X, y = self.X, self.y
        n = len(y)
        clicked = np.arange(n) >= n - len(self._clicked_y)
        if r is None:
            self.points_source.data = dict(
                x=X[:, 0], y=X[:, 1], label=np.where(y == 1, 1, -1), color=class_colors(y),
                alpha=np.full(n, np.nan), yf=np.full(n, np.nan), xi=np.full(n, np.nan),
                kind=["—"] * n, clicked=clicked)
            self.sv_source.data = dict(x=[], y=[], kind=[], color=[], marker=[])
            return
        free, bounded = r.free, r.bounded
        kind = np.where(free, "free SV (0 < α < 1)" if not self.hard_margin else "SV (α > 0)",
                        np.where(bounded, "bounded SV (α = 1)", "not a SV (α = 0)"))
        self.points_source.data = dict(
            x=X[:, 0], y=X[:, 1], label=np.where(y == 1, 1, -1), color=class_colors(y),
            alpha=r.alpha, yf=r.yf, xi=r.xi, kind=list(kind), clicked=clicked)
        sv = free | bounded
        self.sv_source.data = dict(
            x=X[sv, 0], y=X[sv, 1], kind=list(kind[sv]),
            color=np.where(free[sv], FREE_COLOR, BOUNDED_COLOR).tolist(),
            marker=np.where(free[sv], "circle", "square").tolist())

    def _draw(self) -> None:
        r, model = self.result, self.model
        (x0, x1), (y0, y1) = self.box
        xx, yy, pts = self._grid
        F = model.decision_function(pts).reshape(GRID_N, GRID_N)   # (row = y, column = x)
        image = region_image(one_hot((F.ravel() > 0).astype(int), 2), (GRID_N, GRID_N),
                             alpha=0.16)
        self.region_source.data = dict(image=[image], x=[x0], y=[y0], dw=[x1 - x0],
                                       dh=[y1 - y0])
        if self.kernel == "linear":
            self._draw_linear(np.ravel(model.coef_), r.b)
        else:
            self._draw_contours(xx[0], yy[:, 0], F)
        self._draw_points(r)
        h = model.history_
        g = np.asarray(h["dual_objective"], float)
        primal = np.asarray(h["primal_objective"], float)
        self.history_source.data = dict(iteration=np.asarray(h["iteration"], float), dual=g,
                                        primal=primal,
                                        kkt=np.asarray(h["kkt_violation"], float))
        top = min(primal.max(), g.max() + (g.max() - g.min()))  # J starts at n: clip its start
        pad = 0.05 * (top - g.min()) + 1e-9
        self.history_fig.y_range.update(start=g.min() - pad, end=top + pad)
        self.history_fig.x_range.update(start=0, end=max(float(h["iteration"][-1]), 1.0))
        self._show_stats()
        self._show_kkt()
        self._show_answers()

    def _draw_linear(self, w: np.ndarray, b: float) -> None:
        """Exact lines w^T x + b = 0, +-1 and the slack segments to each point's margin line:
        x' = x + (y - f(x)) w / ||w||^2 lies on w^T x' + b = y."""
        lines = {level: line_in_box(w, b, level, self.box) for level in (-1.0, 0.0, 1.0)}
        zero = lines.pop(0.0)
        self.boundary_source.data = dict(xs=[zero[0]] if zero else [],
                                         ys=[zero[1]] if zero else [])
        kept = [(lv, ln) for lv, ln in lines.items() if ln is not None]
        self.margin_source.data = dict(xs=[ln[0] for _, ln in kept], ys=[ln[1] for _, ln in kept],
                                       color=[PALETTE[int(lv > 0)] for lv, _ in kept],
                                       level=[lv for lv, _ in kept])
        r = self.result
        w2 = float(w @ w)
        idx = np.flatnonzero(r.slack)
        if w2 == 0.0:
            idx = idx[:0]
        signs = np.where(self.y[idx] == 1, 1.0, -1.0)
        start = self.X[idx]
        end = start + ((signs - r.f[idx]) / max(w2, 1e-300))[:, None] * w[None, :]
        xi = r.xi[idx]
        labelled = set(idx[np.argsort(-xi)[:MAX_SLACK_LABELS]].tolist())
        mid = (start + end) / 2
        self.slack_source.data = dict(
            x0=start[:, 0], y0=start[:, 1], x1=end[:, 0], y1=end[:, 1], xi=xi,
            tx=mid[:, 0], ty=mid[:, 1],
            text=[f"ξ={v:.2f}" if i in labelled else "" for i, v in zip(idx, xi)])

    def _draw_contours(self, xs: np.ndarray, ys: np.ndarray, F: np.ndarray) -> None:
        """Iso-lines f = 0 and f = +-1 of f on the grid (no straight slack segments)."""
        self.boundary_source.data = zero_level_lines(xs, ys, F)
        data = dict(xs=[], ys=[], color=[], level=[])
        for level in (-1.0, 1.0):
            lines = zero_level_lines(xs, ys, F - level)
            data["xs"] += lines["xs"]
            data["ys"] += lines["ys"]
            data["color"] += [PALETTE[int(level > 0)]] * len(lines["xs"])
            data["level"] += [level] * len(lines["xs"])
        self.margin_source.data = data
        self.slack_source.data = dict(x0=[], y0=[], x1=[], y1=[], xi=[], tx=[], ty=[], text=[])

    def _show_without_model(self, message: str) -> None:
        """Points only: no shading, lines, support vectors or history."""
        self.model, self.result, self.primal_model = None, None, None
        (x0, x1), (y0, y1) = self.box
        self.region_source.data = dict(image=[np.zeros((1, 1), np.uint32)], x=[x0], y=[y0],
                                       dw=[x1 - x0], dh=[y1 - y0])
        for source in (self.boundary_source, self.margin_source, self.slack_source,
                       self.history_source):
            source.data = {key: [] for key in source.data}
        self._draw_points(None)
        self.stats = {"n": ("points n (incl. clicked)", len(self.y)),
                      "n_clicked": ("clicked points", len(self._clicked_y))}
        self._numbers.object = message + stats_html(self.stats)
        self._kkt_html.object = ""
        self._show_answers()

    def _failure_html(self, message: str) -> str:
        return ("<p class='demo-hint'><b>No hard-margin solution:</b> "
                f"{html.escape(message)}. Some point would need ξ > 0 — untick <i>hard "
                "margin</i> (slack) or pick a kernel that separates the data.</p>")

    # ------------------------------------------------------------------ numbers
    def _show_stats(self) -> None:
        r, m = self.result, self.model
        n = len(self.y)
        self.stats = {
            "n": ("points n (incl. clicked)", n),
            "n_clicked": ("clicked points", len(self._clicked_y)),
            "C": ("C (notes)", float(self.C)),
            "C_sklearn": ("scikit-learn C = 1 / C", float(1.0 / self.C)),
            "kernel": ("kernel", self.kernel + (" (hard margin)" if self.hard_margin else "")),
            "n_sv": ("support vectors (α > 0)", int(self.model.support_.size)),
            "n_free": ("free SVs (0 < α < 1)", int(r.free.sum())),
            "n_bounded": ("bounded SVs (α = 1)", int(r.bounded.sum())),
            "margin": ("margin width 2 / ‖w‖", float(r.margin)),
            "w_norm": ("‖w‖ = √((1/C²) Σᵢⱼ αᵢαⱼyᵢyⱼKᵢⱼ)", float(r.w_norm)),
            "b": ("b", r.b),
            "sum_alpha_y": ("Σ αᵢ yᵢ (= 0)", r.sum_alpha_y),
            "primal": ("primal C/2‖w‖² + Σξ", r.primal),
            "dual": ("dual g(α) = Σα − C/2‖w‖²", r.dual),
            "gap": ("duality gap primal − dual", r.primal - r.dual),
            **self._primal_stats(),
            "sum_xi": ("Σ ξᵢ (hinge loss)", float(r.xi.sum())),
            "n_slack": (f"points with ξ > 0 (ξ > tol = {self.tol:.2g})", int(r.slack.sum())),
            "n_misclassified": ("misclassified (ξ > 1)", int(r.misclassified.sum())),
            "train_accuracy": ("training accuracy", float(np.mean(r.yf > 0))),
            "n_iter": ("SMO steps", int(m.n_iter_)),
            "converged": ("converged (KKT violation ≤ tol)", bool(m.converged_)),
            "kkt_violations": ("KKT violations beyond tol",
                               r.n_kkt_violations),
        }
        note = ("" if m.converged_ else
                "<p class='demo-hint'>SMO stopped at max SMO steps before reaching tol (small C "
                "on overlapping data needs many steps): raise max SMO steps or C.</p>")
        if self.kernel == "sigmoid":
            note += ("<p class='demo-hint'>The sigmoid tanh(γxᵀz + coef0) is not a Mercer kernel "
                     "in general (its Gram matrix can have negative eigenvalues: see the "
                     "<i>Kernels</i> demo), so the dual need not be concave and SMO's answer is "
                     "then a point no pair of α can improve, not necessarily the maximum.</p>")
        self._numbers.object = note + stats_html(self.stats)

    def _primal_stats(self) -> dict:
        """The primal solver's J and its distance to SMO's (w, b) (linear kernel)."""
        p = getattr(self, "primal_model", None)
        if p is None:
            return {}
        w_gap = float(np.abs(p.coef_[0] - self.model.coef_[0]).max())
        return {"primal_solver_J": ("primal solver: min J(w, b) (exact)", p.primal_objective_),
                "primal_solver_dw": ("primal vs SMO: max |Δw|, |Δb|",
                                     f"{w_gap:.2g}, "
                                     f"{abs(p.intercept_[0] - self.model.intercept_[0]):.2g}")}

    def _show_kkt(self) -> None:
        def fmt(v):
            return "—" if v is None else f"{v:.4g}"

        rows = "".join(
            f"<tr><td>{row.set}</td><td>{row.rule}</td><td>{row.count}</td>"
            f"<td>{fmt(row.yf_min)} … {fmt(row.yf_max)}</td>"
            f"<td><span data-stat='kkt_{i}'>{row.violations}</span></td></tr>"
            for i, row in enumerate(self.result.kkt) if not (self.hard_margin and i == 2))
        self._kkt_html.object = (
            "<table class='demo-stats'><tr><th>α</th><th>requires</th><th>count</th>"
            f"<th>y f range</th><th>violations (&gt; tol = {self.tol:.2g})</th></tr>{rows}</table>"
            f"<small>Σ αᵢ yᵢ = <span data-stat='sum_alpha_y_live'>"
            f"{self.result.sum_alpha_y:.3g}</span> (the equality constraint).</small>")

    def _show_answers(self) -> None:
        r, n = self.result, len(self.y)
        if r is None:
            failed = self.hard_margin and np.unique(self.y).size == 2
            self._answers.object = (
                "<p><b>What if data not linearly separable?</b> "
                + ("Then the hard-margin program has <b>no feasible w</b>: no w satisfies "
                   "y f(x) ≥ 1 for every point, its dual grows without bound, and SMO reports "
                   "it. The soft margin adds a slack ξ<sup>(i)</sup> ≥ 0 per point "
                   "(y f ≥ 1 − ξ, at cost Σξ): always feasible. Untick hard margin to see it."
                   if failed else "Add points of both classes first.") + "</p>")
            return
        n_sv, n_bd = int(self.model.support_.size), int(r.bounded.sum())
        sum_xi = float(r.xi.sum())
        log_loss = float(np.sum(np.logaddexp(0.0, -r.yf)))
        n_slack, n_wrong = int(r.slack.sum()), int(r.misclassified.sum())
        kernel = {"linear": "xᵀz", "poly": "(γ xᵀz + coef0)<sup>degree</sup>",
                  "rbf": "exp(−γ‖x − z‖²)", "sigmoid": "tanh(γ xᵀz + coef0)"}[self.kernel]
        separable = (f"Here the soft margin gives {n_slack} points slack (Σξ = {sum_xi:.4g}), "
                     f"{n_wrong} of them misclassified (ξ > 1)."
                     if not self.hard_margin else
                     "Here the hard margin succeeded: the data is separable in this feature "
                     "space and every point has y f ≥ 1 (ξ = 0) — the maximum-margin solution.")
        self._answers.object = (
            "<p><b>What are convenient properties of the SVM dual program?</b> It is a concave "
            "quadratic in α with only <b>box constraints</b> 0 ≤ α ≤ 1 and <b>one equality</b> "
            f"Σ αy = 0 (now <span data-stat='answer_sum_alpha_y'>{r.sum_alpha_y:.2g}</span>), "
            "so SMO can solve it two coordinates at a time in closed form (here "
            f"{int(self.model.n_iter_)} steps). The data enter only through <b>inner products"
            f"</b> K(x, z) = {kernel}, so swapping the kernel swaps the feature space φ without "
            f"ever building it. And it is <b>sparse</b>: only <span data-stat='answer_n_sv'>{n_sv}"
            f"</span> of {n} points have α > 0 and f(x) needs only those ({n_bd} at the bound "
            "α = 1).</p>"
            "<p><b>Relationship between logistic regression and binary SVM?</b> Both minimise "
            "C/2‖w‖² plus a loss of the margin m = y f(x): the SVM the <b>hinge</b> max(0, 1 − m) "
            f"(= ξ; here Σ = {sum_xi:.4g}), logistic regression the <b>logistic</b> loss "
            f"log(1 + e<sup>−m</sup>) (for this same f: Σ = {log_loss:.4g}). The hinge is exactly 0 "
            "once m ≥ 1, which is why most α vanish; the logistic loss never is, so every point "
            "keeps a say. The <i>Temperature</i> demo morphs one into the other: "
            "ε log Σ exp(·/ε) is the logistic loss at ε = 1 and the hinge as ε → 0.</p>"
            "<p><b>What if data not linearly separable?</b> Then no w has y f(x) ≥ 1 for all "
            "points and the hard margin is infeasible (tick it on <i>overlap</i>). Slack "
            "ξ<sup>(i)</sup> = max(0, 1 − y f(x<sup>(i)</sup>)) lets points into the margin at "
            "cost Σξ, and in the dual it only caps α at 1; a kernel can also make the data "
            f"separable in feature space. {separable}</p>")
