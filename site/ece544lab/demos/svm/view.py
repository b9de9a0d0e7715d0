"""Support vector machines: click points, soft/hard margin, kernels, support vectors, slack, KKT.

Course notes (SVM): min_{w, b, xi} C/2 ||w||^2 + sum_i xi^(i) s.t. y^(i) f(x^(i)) >= 1 - xi^(i),
xi^(i) >= 0, with f(x) = w^T phi(x) + b. Its dual is
max_alpha sum_i alpha^(i) - 1/(2C) sum_ij alpha^(i) alpha^(j) y^(i) y^(j) K(x^(i), x^(j)) with the
box 0 <= alpha <= 1 and sum_i alpha^(i) y^(i) = 0, and w = (1/C) sum_i alpha^(i) y^(i) phi(x^(i)).
scikit-learn puts C on the slack instead: C_sklearn = 1 / C.

parameters -> :meth:`SVMDemo.compute` (a long job: :func:`compute.fit_job`) -> :meth:`draw`.
"""
from __future__ import annotations

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, HoverTool, Range1d

from ece544core import kernels

from ...views import layout
from ...views.canvas import ClassifierCanvas
from ...views.common import heading
from ...views.demo import Demo
from ...views.plotting import PALETTE, make_figure, one_hot, region_image
from . import text
from .compute import DATASETS, KERNELS, SVMResult, empty_slack, fit_job, make_data

CLASS_NAMES = ["blue: y = −1", "orange: y = +1"]  # PALETTE[0], PALETTE[1]
FRAME = (460, 400)               # main plot frame in screen pixels; the data box gets its aspect
CUSTOM_CORNERS = np.array([[-3.0, -3.0], [3.0, 3.0]])   # steady view of the custom data
FREE_COLOR, BOUNDED_COLOR = "#009E73", "#000000"


class SVMDemo(Demo):
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
    update_on = ()  # build() watches url_params itself (after the dataset watcher)

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
    kernel = param.Selector(default="linear", objects=list(KERNELS),
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
                           "the tolerance of the KKT check table and of 'xi > 0'.")
    max_iter = param.Integer(default=2000, bounds=(10, 100000), label="max SMO steps",
                             doc="SMO step limit (also how long a hard-margin fit tries on "
                                 "non-separable data).")

    # ------------------------------------------------------------------ build
    def build(self):
        self.canvas = ClassifierCanvas(
            "svm", "SVM: boundary, ±1 margins, support vectors (click to add a point)",
            CLASS_NAMES, frame=FRAME, on_change=self.update,
            point_columns=("alpha", "yf", "xi", "kind"))
        self.canvas.label = 1
        self._build_plot()
        self._build_history()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._answers = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._kkt_html = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._c_sklearn = pn.pane.HTML("", margin=(0, 10))
        self._data_name = self.dataset
        self.param.watch(self._on_dataset, "dataset")   # before the update watcher
        self.param.watch(self._on_params, list(self.url_params))
        self.param.watch(lambda _e: self._show_kernel_widgets(), "kernel")
        controls = self._controls()
        self._show_kernel_widgets()
        legend = pn.pane.HTML(text.LEGEND, width=FRAME[0] + 60, margin=(0, 10))
        right = pn.Column(
            pn.pane.Bokeh(self.history_fig, sizing_mode="stretch_width"),
            pn.pane.HTML("<b>KKT check (complementary slackness)</b>", margin=(5, 10, 0, 10)),
            self._kkt_html, sizing_mode="stretch_width", min_width=300,
            styles={"flex": "1 1 300px"})
        main = pn.Column(
            layout.plots(pn.Column(self.canvas.panel(), legend, width=FRAME[0] + 80), right),
            pn.pane.HTML("<h3 style='margin:4px 10px'>The notes' questions, answered by the "
                         "live model</h3>"),
            self._answers, sizing_mode="stretch_width")
        return controls, main, self._numbers

    def _controls(self) -> list:
        self._kernel_widgets = {
            "gamma": self.log_slider("gamma", step=0.1),
            "degree": self.param_controls(["degree"]),
            "coef0": self.param_controls(["coef0"]),
        }
        return [
            heading("Data"), self.param_controls(["dataset", "n_samples", "noise", "seed"]),
            *self.canvas.controls(clear_text="Reset data (remove clicked points)"),
            heading("Model"), self.log_slider("C", step=0.1), self._c_sklearn,
            self.param_controls(["hard_margin"]),
            pn.pane.HTML("kernel K(x, z)", margin=(5, 10, 0, 10)),
            self.param_controls(["kernel"], kernel=pn.widgets.RadioButtonGroup),
            *self._kernel_widgets.values(),
            heading("SMO"), self.log_slider("tol", step=0.5), self.param_controls(["max_iter"]),
        ]

    def _build_plot(self) -> None:
        c = self.canvas
        self.slack_source = ColumnDataSource(empty_slack(), name="svm-slack")
        c.fig.segment("x0", "y0", "x1", "y1", source=self.slack_source, color="#666666",
                      line_width=1.5)
        c.add_lines("margins", color="color", line_dash="dashed").data = dict(
            xs=[], ys=[], color=[], level=[])
        c.add_lines("boundary", color="black", line_width=2.5)
        c.draw_points_glyphs()
        self.sv_source = ColumnDataSource(dict(x=[], y=[], kind=[], color=[], marker=[]),
                                          name="svm-sv")
        c.fig.scatter("x", "y", source=self.sv_source, marker="marker", fill_color=None,
                      line_color="color", size=15, line_width=2.2, legend_field="kind")
        c.fig.text("tx", "ty", text="text", source=self.slack_source, text_font_size="9px",
                   text_color="#333333", x_offset=3, text_baseline="middle")
        c.fig.add_tools(HoverTool(renderers=[c.points_renderer], tooltips=[
            ("y", "@label"), ("α", "@alpha{0.0000}"), ("y f(x)", "@yf{0.000}"),
            ("ξ", "@xi{0.000}"), ("", "@kind")]))
        c.fig.legend.location = "top_left"
        c.fig.legend.background_fill_alpha = 0.7
        c.fig.legend.padding, c.fig.legend.margin = 4, 4
        c.fig.xaxis.axis_label, c.fig.yaxis.axis_label = "x₁", "x₂"

    def _build_history(self) -> None:
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

    def _show_kernel_widgets(self) -> None:
        for name, widget in self._kernel_widgets.items():
            widget.visible = name in kernels.KERNEL_PARAMS[self.kernel]

    def _on_params(self, *_events) -> None:
        """Any parameter change (one event, or several from param.update): one update."""
        self.update()

    def _on_dataset(self, _event) -> None:
        """Clicked points belong to the data set they were added to."""
        if self.dataset != self._data_name:
            self._data_name = self.dataset
            self.canvas.clear_clicked(notify=False)

    # ------------------------------------------------------------------ compute
    def params_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.url_params}

    def compute(self):
        """Data (generated + clicked) -> the fit as a long job returning an SVMResult."""
        X, y = make_data(self.dataset, self.n_samples, self.noise, self.seed)
        X, y, clicked = self.canvas.with_clicked(X, y)
        frame = (X,) if self.dataset != "custom" else (X, CUSTOM_CORNERS)
        return fit_job(X, y, clicked, self.canvas.box_for(*frame), self.params_dict())

    # ------------------------------------------------------------------ draw
    def draw(self, res: SVMResult) -> None:
        self.canvas.set_box(res.box)
        self._c_sklearn.object = text.c_sklearn_html(res.params["C"])
        self._draw_points(res)
        if res.model is None:
            self.canvas.show_regions(None, res.box)
            for key in ("boundary", "margins"):
                self.canvas.show_lines(key, {k: [] for k in self.canvas.lines[key].data})
            self.slack_source.data = empty_slack()
        else:
            labels = (res.grid_f.ravel() > 0).astype(int)
            self.canvas.show_regions(region_image(one_hot(labels, 2), res.grid_f.shape,
                                                  alpha=0.16), res.box)
            self.canvas.show_lines("boundary", res.lines.boundary)
            levels = res.lines.margins["level"]
            self.canvas.show_lines("margins", dict(res.lines.margins,
                                                   color=[PALETTE[int(v > 0)] for v in levels]))
            self.slack_source.data = res.lines.slack
        self._draw_history(res)
        self.stats = text.numbers(res)
        self._numbers.object = text.numbers_html(res)
        self._kkt_html.object = text.kkt_html(res)
        self._answers.object = text.answers_html(res)

    def _draw_points(self, res: SVMResult) -> None:
        X, y, n = res.X, res.y, len(res.y)
        r = res.analysis
        if r is None:
            self.canvas.show_points(X, y, res.clicked, alpha=np.full(n, np.nan),
                                    yf=np.full(n, np.nan), xi=np.full(n, np.nan), kind=["—"] * n)
            self.sv_source.data = dict(x=[], y=[], kind=[], color=[], marker=[])
            return
        hard = res.params["hard_margin"]
        kind = np.where(r.free, "free SV (0 < α < 1)" if not hard else "SV (α > 0)",
                        np.where(r.bounded, "bounded SV (α = 1)", "not a SV (α = 0)"))
        self.canvas.show_points(X, y, res.clicked, alpha=r.alpha, yf=r.yf, xi=r.xi,
                                kind=list(kind))
        sv = r.free | r.bounded
        self.sv_source.data = dict(
            x=X[sv, 0], y=X[sv, 1], kind=list(kind[sv]),
            color=np.where(r.free[sv], FREE_COLOR, BOUNDED_COLOR).tolist(),
            marker=np.where(r.free[sv], "circle", "square").tolist())

    def _draw_history(self, res: SVMResult) -> None:
        h = getattr(res.model, "history_", None) if not res.partial else None
        if h is None:
            self.history_source.data = dict(iteration=[], dual=[], primal=[], kkt=[])
            return
        g, primal = h["dual_objective"], h["primal_objective"]
        self.history_source.data = dict(iteration=h["iteration"], dual=g, primal=primal,
                                        kkt=h["kkt_violation"])
        top = min(primal.max(), g.max() + (g.max() - g.min()))  # J starts at n: clip its start
        pad = 0.05 * (top - g.min()) + 1e-9
        self.history_fig.y_range.update(start=g.min() - pad, end=top + pad)
        self.history_fig.x_range.update(start=0, end=max(float(h["iteration"][-1]), 1.0))
