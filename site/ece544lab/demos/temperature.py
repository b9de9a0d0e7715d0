"""Temperature: the SVM as the 0-temperature limit of logistic regression.

Course notes ("SVM as 0-temperature limit of logistic regression"): one objective

    min_w C/2 ||w||^2 + sum_i eps ln sum_yhat exp((L(y^(i), yhat) + w^T psi(x^(i), yhat)) / eps)
                            - w^T psi(x^(i), y^(i)),

whose log-sum-exp becomes a max as eps -> 0 (the SVM's hinge) and is the cross-entropy of logistic
regression at eps = 1 with L = 0. For two classes, psi(x, yhat) = yhat [x, 1] / 2 and the margin
m = y (w^T x + b), the loss of a point is l_eps(m) = eps ln(1 + exp((L - m) / eps)):
l_0 = max(0, L - m) and l_1 = ln(1 + e^{-m}) at L = 0. At the optimum
w = (1/C) sum_i beta_i y_i x_i with beta_i = sigma((L - m_i) / eps), the weight the softmax puts on
the wrong label: the SVM's alpha in the limit (1 inside the margin, 0 outside).
"""
from __future__ import annotations

import math
import time
from collections import OrderedDict
from functools import partial

import numpy as np
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import ColumnDataSource, HoverTool, Range1d, Span

from ece544core.datasets import make_toy
from ece544core.logistic import LogisticRegression
from ece544core.losses import binary_logistic_loss, binary_temperature_loss
from ece544core.svm import SVC
from ece544core.temperature import (TemperatureClassifier, temperature_bounds,
                                    temperature_objective)

from ..views.common import Demo, guarded, heading, stats_html
from ..views.plotting import (PALETTE, class_colors, empty_image, fit_box, grid, line_in_box, make_figure,
                       one_hot, region_image)

DATASETS = ("blobs", "overlap", "moons")  # two-class sets of datasets.TOY_2D
MARGINS = np.linspace(-3.0, 3.0, 301)      # margin axis m of the loss plot
GRID_N = 60                                # the sign-of-f image is GRID_N x GRID_N
FRAME = (420, 360)                         # data plot frame (pixels); the data box gets its aspect
LOSS_FRAME = (380, 330)
SOFT = (0.01, 0.99)                        # beta in this open interval: a "soft" support vector
CACHE_SIZE = 64                            # reference fits kept, by (data, C, L)
LN2 = math.log(2.0)
CURRENT_COLOR, SVM_COLOR, LOGIT_COLOR = "#000000", PALETTE[5], PALETTE[3]
SOFT_COLOR, BOUNDED_COLOR = PALETTE[2], "#000000"


# ------------------------------------------------------------------------------ pure helpers
def margins_of(w: np.ndarray, b: float, X: np.ndarray, signs: np.ndarray) -> np.ndarray:
    """m_i = y_i (w^T x_i + b)."""
    return signs * (X @ np.ravel(w) + b)


def compare_lines(w, b: float, w_ref, b_ref: float) -> tuple[float | None, float | None]:
    """(angle between w and w_ref in degrees, difference of the lines' signed distances from the
    origin -b/||w||) of the boundaries w^T x + b = 0; None where a w is 0 (no boundary)."""
    w, w_ref = np.ravel(w), np.ravel(w_ref)
    nw, nr = float(np.linalg.norm(w)), float(np.linalg.norm(w_ref))
    if nw == 0.0 or nr == 0.0:
        return None, None
    cos = float(np.clip(w @ w_ref / (nw * nr), -1.0, 1.0))
    return math.degrees(math.acos(cos)), abs(-b / nw + b_ref / nr)


def loss_curves(eps: float, L: float, m: np.ndarray = MARGINS) -> dict[str, np.ndarray]:
    """The curves of the loss plot: l_eps(m), the hinge max(0, L - m), its upper bound
    hinge + eps ln 2 and the logistic loss ln(1 + e^{-m})."""
    hinge = binary_temperature_loss(m, 0.0, L)
    return dict(m=m, current=binary_temperature_loss(m, eps, L), hinge=hinge,
                bound=hinge + eps * LN2, logistic=binary_logistic_loss(m))


# ------------------------------------------------------------------------------ the demo
class TemperatureDemo(Demo):
    """One slider eps from logistic regression (eps = 1, L = 0) to the SVM (eps = 0)."""

    slug = "temperature"
    title = "Temperature: logistic → SVM"
    formula = (
        r"$$\min_{\mathbf{w}}\; \frac{C}{2}\|\mathbf{w}\|^2 + \sum_i \Big[\epsilon \ln "
        r"\sum_{\hat y} \exp\frac{L(y^{(i)}, \hat y) + \mathbf{w}^\top\psi(x^{(i)}, \hat y)}"
        r"{\epsilon} - \mathbf{w}^\top\psi(x^{(i)}, y^{(i)})\Big]$$"
        r"$$\psi(x, \hat y) = \tfrac{\hat y}{2}\,[x; 1],\; m = y(\mathbf{w}^\top x + b):\quad "
        r"\ell_\epsilon(m) = \epsilon \ln\big(1 + e^{(L - m)/\epsilon}\big),\quad "
        r"\ell_0 = \max(0, L - m),\quad \ell_1\big|_{L=0} = \ln(1 + e^{-m})$$"
        r"$$\max(0, L - m) \le \ell_\epsilon(m) \le \max(0, L - m) + \epsilon \ln 2,\qquad "
        r"\mathbf{w} = \frac{1}{C}\sum_i \beta_i y_i x_i,\;\; \beta_i = "
        r"\sigma\Big(\frac{L - m_i}{\epsilon}\Big),\qquad C_{\text{sklearn}} = 1/C$$"
    )
    what_to_try = (
        "Drag ε from 1 down to 0: the loss's round corner sharpens into the hinge, the black "
        "boundary slides onto the red SVM line and the green rings (soft support vectors, "
        "0.01 < β < 0.99) shrink to the points on the margin; set L = 0 and ε = 1 to land exactly "
        "on logistic regression (pink); type ε = 0.001 in the box; click the loss plot to read "
        "the gap ≤ ε ln 2 at a margin."
    )
    url_params = ("eps", "C", "task_loss", "dataset", "n_samples", "noise", "seed")

    eps = param.Number(default=0.3, bounds=(0.0, 1.0), step=0.01, label="ε (temperature)",
                       doc="Temperature of the log-sum-exp: 1 is logistic regression's softness "
                           "(with L = 0), 0 the SVM's max (exactly).")
    C = param.Number(default=1.0, bounds=(1e-2, 1e2), label="C (notes)",
                     doc="Weight of C/2 ||w||^2 (as the notes' SVM and logistic regression); "
                         "scikit-learn's C = 1/C.")
    task_loss = param.Number(default=1.0, bounds=(0.0, 2.0), step=0.05, label="task loss L",
                             doc="L(y, yhat) = L [y != yhat]: the margin the hinge asks for "
                                 "(1: the SVM; 0 with eps = 1: logistic regression).")
    dataset = param.Selector(default="blobs", objects=list(DATASETS),
                             doc="Two-class toy data: separable blobs, overlapping blobs, moons.")
    n_samples = param.Integer(default=80, bounds=(10, 200), label="n (points)",
                              doc="Number of generated points.")
    noise = param.Number(default=0.1, bounds=(0.0, 0.5), step=0.01,
                         doc="Noise of the generator (blobs: std = 0.2 + 2 noise).")
    seed = param.Integer(default=0, bounds=(0, 9999), doc="Random seed of the generated points.")

    def __init__(self, **params):
        super().__init__(**params)
        self.X, self.y, self.signs = np.empty((0, 2)), np.empty(0, int), np.empty(0)
        self.model: TemperatureClassifier | None = None
        self._warm = self._new_warm()
        self._refs: OrderedDict = OrderedDict()   # (data, C, L) -> reference fits
        self.ref: dict = {}
        self.state: dict = {}
        self.stats: dict = {}
        self.probe_m: float | None = None
        self.update_ms = float("nan")
        self._build_figures()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._answers = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._probe_html = pn.pane.HTML("", width=LOSS_FRAME[0] + 60, margin=(0, 10))
        self._note = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._c_sklearn = pn.pane.HTML("", margin=(0, 10))
        self._eps_text = pn.widgets.TextInput(name="ε exactly (type, e.g. 1e-3)",
                                              placeholder="0 … 1", width=240)
        self._eps_text.param.watch(self._on_eps_text, "value")
        self._layout = self.page(self._controls(), self._main(), self._numbers)
        self._on_data()

    def _new_warm(self) -> TemperatureClassifier:
        """The eps > 0 fits: one estimator, warm-started from its previous solution."""
        return TemperatureClassifier(psi="binary", eps=self.eps or 1.0, C=self.C,
                                     task_loss=self.task_loss, warm_start=True)

    # ------------------------------------------------------------------ widgets / layout
    def _controls(self) -> list:
        return [
            heading("Temperature"), self.param_controls(["eps"]), self._eps_text,
            heading("Model"), self.log_slider("C", step=0.1), self._c_sklearn,
            self.param_controls(["task_loss"]),
            heading("Data"), self.param_controls(["dataset", "n_samples", "noise", "seed"]),
        ]

    def _main(self) -> pn.Column:
        loss_legend = pn.pane.HTML(
            "<small><b>Thick</b>: ℓ<sub>ε</sub>(m) at the current ε. <b style='color:#D55E00'>"
            "Red dashed</b>: hinge max(0, L − m) (ε = 0); grey dotted: hinge + ε ln 2 (the upper "
            "bound); <b style='color:#CC79A7'>pink dashed</b>: logistic ln(1 + e<sup>−m</sup>) "
            "(ε = 1, L = 0). Dots: the training points' margins and losses. Click to probe a "
            "margin.</small>", width=LOSS_FRAME[0] + 60, margin=(0, 10))
        data_legend = pn.pane.HTML(
            "<small><b>Thick black</b>: boundary at the current ε; grey dotted: f = ±L (β = ½). "
            "Thin <b style='color:#D55E00'>red</b>: the SVM (ε = 0, svm.SVC); thin "
            "<b style='color:#CC79A7'>pink dashed</b>: logistic regression (ε = 1, L = 0, "
            "logistic.LogisticRegression). <b style='color:#009E73'>Green rings</b>: soft "
            "support vectors 0.01 &lt; β &lt; 0.99 (ε = 0: free SVs 0 &lt; α &lt; 1); "
            "<b>black squares</b>: β ≥ 0.99 (ε = 0: α = 1). Hover for β and m.</small>",
            width=FRAME[0] + 60, margin=(0, 10))
        return pn.Column(
            pn.Row(pn.Column(pn.pane.Bokeh(self.loss_fig), loss_legend, self._probe_html,
                             width=LOSS_FRAME[0] + 80),
                   pn.Column(pn.pane.Bokeh(self.fig), data_legend, width=FRAME[0] + 80),
                   sizing_mode="stretch_width", styles={"flex-wrap": "wrap"}),
            self._note,
            pn.pane.HTML("<h3 style='margin:4px 10px'>Why the two limits, with the live "
                         "numbers</h3>"),
            self._answers, sizing_mode="stretch_width")

    # ------------------------------------------------------------------ figures
    def _build_figures(self) -> None:
        lf = make_figure("Loss of the margin m = y(wᵀx + b)", tools="reset",
                         sizing_mode="fixed", width=None, height=None,
                         frame_width=LOSS_FRAME[0], frame_height=LOSS_FRAME[1],
                         x_range=Range1d(MARGINS[0], MARGINS[-1]), y_range=Range1d(-0.2, 4.5),
                         name="temperature-loss-fig")
        empty = dict(m=[], loss=[])
        self.loss_source = ColumnDataSource(dict(empty), name="temperature-loss")
        self.hinge_source = ColumnDataSource(dict(empty), name="temperature-hinge")
        self.bound_source = ColumnDataSource(dict(empty), name="temperature-bound")
        self.logistic_source = ColumnDataSource(dict(empty), name="temperature-logistic")
        self.margin_points_source = ColumnDataSource(dict(m=[], loss=[], color=[], beta=[]),
                                                     name="temperature-margin-points")
        lf.line("m", "loss", source=self.bound_source, color="#888888", line_width=1.5,
                line_dash="dotted", legend_label="hinge + ε ln 2")
        lf.line("m", "loss", source=self.hinge_source, color=SVM_COLOR, line_width=2,
                line_dash="dashed", legend_label="hinge max(0, L − m)")
        lf.line("m", "loss", source=self.logistic_source, color=LOGIT_COLOR, line_width=2,
                line_dash="dashed", legend_label="logistic ln(1 + e⁻ᵐ)")
        lf.line("m", "loss", source=self.loss_source, color=CURRENT_COLOR, line_width=3.5,
                legend_label="ℓ_ε(m)")
        lf.scatter("m", "loss", source=self.margin_points_source, fill_color="color",
                   line_color="white", size=6, alpha=0.8)
        self.probe_span = Span(location=0.0, dimension="height", line_color="#555555",
                               line_dash="dotdash", line_width=1, visible=False)
        lf.add_layout(self.probe_span)
        lf.legend.location = "top_right"
        lf.legend.background_fill_alpha = 0.75
        lf.legend.padding, lf.legend.margin = 3, 4
        lf.xaxis.axis_label, lf.yaxis.axis_label = "margin m", "loss"
        lf.on_event(Tap, lambda event: self.probe(event.x))
        self.loss_fig = lf

        fig = make_figure("Boundary at ε, with the SVM and logistic regression",
                          tools="pan,wheel_zoom,reset", sizing_mode="fixed", width=None,
                          height=None, frame_width=FRAME[0], frame_height=FRAME[1],
                          x_range=Range1d(-1, 1), y_range=Range1d(-1, 1), name="temperature-fig")
        self.region_source = ColumnDataSource(
            empty_image(),
            name="temperature-regions")
        self.boundary_source = ColumnDataSource(dict(xs=[], ys=[]), name="temperature-boundary")
        self.half_source = ColumnDataSource(dict(xs=[], ys=[]), name="temperature-half-lines")
        self.svm_source = ColumnDataSource(dict(xs=[], ys=[]), name="temperature-svm-boundary")
        self.logit_source = ColumnDataSource(dict(xs=[], ys=[]),
                                             name="temperature-logistic-boundary")
        self.points_source = ColumnDataSource(dict(x=[], y=[], color=[], beta=[], m=[], kind=[]),
                                              name="temperature-points")
        self.sv_source = ColumnDataSource(dict(x=[], y=[], kind=[], color=[], marker=[]),
                                          name="temperature-sv")
        fig.image_rgba(image="image", x="x", y="y", dw="dw", dh="dh", source=self.region_source)
        fig.multi_line("xs", "ys", source=self.half_source, color="#777777", line_width=1.2,
                       line_dash="dotted")
        fig.multi_line("xs", "ys", source=self.svm_source, color=SVM_COLOR, line_width=1.6,
                       legend_label="SVM (ε = 0)")
        fig.multi_line("xs", "ys", source=self.logit_source, color=LOGIT_COLOR, line_width=1.6,
                       line_dash="dashed", legend_label="logistic (ε = 1, L = 0)")
        fig.multi_line("xs", "ys", source=self.boundary_source, color=CURRENT_COLOR,
                       line_width=3.5, legend_label="current ε")
        points = fig.scatter("x", "y", source=self.points_source, fill_color="color",
                             line_color="white", size=8, line_width=1)
        fig.scatter("x", "y", source=self.sv_source, marker="marker", fill_color=None,
                    line_color="color", size=15, line_width=2.2, legend_field="kind")
        fig.add_tools(HoverTool(renderers=[points], tooltips=[
            ("β", "@beta{0.0000}"), ("m = y f(x)", "@m{0.000}"), ("", "@kind")]))
        legend = fig.legend[0]
        fig.add_layout(legend, "below")           # outside the frame: never hides a point
        legend.ncols, legend.padding, legend.margin, legend.spacing = 2, 2, 2, 1
        legend.label_text_font_size, legend.glyph_height = "11px", 16
        fig.xaxis.axis_label, fig.yaxis.axis_label = "x₁", "x₂"
        self.fig = fig

    # ------------------------------------------------------------------ interactions
    @param.depends("dataset", "n_samples", "noise", "seed", watch=True)
    @guarded
    def _on_data(self) -> None:
        self._update_data()
        self._update_model()
        self._update_eps()

    @param.depends("C", "task_loss", watch=True)
    @guarded
    def _on_model(self) -> None:
        self._update_model()
        self._update_eps()

    @param.depends("eps", watch=True)
    @guarded
    def _on_eps(self) -> None:
        self._update_eps()

    def _update_data(self) -> None:
        X, y = make_toy(self.dataset, self.n_samples, self.noise, random_state=self.seed)
        self.X, self.y = np.asarray(X, float), np.asarray(y, int)
        self.signs = np.where(self.y == 1, 1.0, -1.0)
        self.box = fit_box(self.X, FRAME[0] / FRAME[1])
        (x0, x1), (y0, y1) = self.box
        self.fig.x_range.update(start=x0, end=x1)
        self.fig.y_range.update(start=y0, end=y1)
        self._grid = grid(*self.box, GRID_N)[2]
        self._warm = self._new_warm()          # a new problem: start the eps > 0 path afresh

    def _update_model(self) -> None:
        self._c_sklearn.object = (f"<small>scikit-learn C = 1 / C = <span data-stat="
                                  f"'c_sklearn_label'>{1.0 / self.C:.4g}</span></small>")
        top = self.task_loss + 3.5
        self.loss_fig.y_range.update(start=-0.06 * top, end=top)
        self.ref = self._reference()
        self._draw_references()

    def _update_eps(self) -> None:
        """What an eps move costs: one warm-started fit and the redraw (timed)."""
        start = time.perf_counter()
        self._fit()
        self._draw()
        self.update_ms = 1e3 * (time.perf_counter() - start)
        self._show_numbers()

    def _on_eps_text(self, event) -> None:
        """Enter in the text box. A Bokeh server delivers that event outside the document lock,
        where changing a ColumnDataSource fails: there, apply it on the next tick (with the
        lock); without a server session (Pyodide, tests) at once."""
        doc = pn.state.curdoc
        if doc is not None and doc.session_context is not None:
            doc.add_next_tick_callback(partial(self.set_eps_text, event.new))
        else:
            self.set_eps_text(event.new)

    def set_eps_text(self, text: str) -> None:
        """eps typed as text (reaches values the slider's 0.01 steps cannot, e.g. 1e-3); bad
        text is shown in the error area and leaves eps as it was."""
        text = str(text).strip()
        if not text:
            return
        lo, hi = self.param.eps.bounds
        try:
            value = float(text)
        except ValueError:
            self.fail(f"ε must be a number in [{lo:g}, {hi:g}]; got {text!r}")
            return
        if not (math.isfinite(value) and lo <= value <= hi):
            self.fail(f"ε must be a finite number in [{lo:g}, {hi:g}]; got {text!r}")
            return
        if value == self.eps:
            self._on_eps()                     # nothing moves: recompute, clear the message
        else:
            self.eps = value

    @guarded
    def probe(self, m: float) -> None:
        """Read off the three losses at the margin m (a click on the loss plot)."""
        if m is None or not math.isfinite(float(m)):
            raise ValueError(f"the probed margin m must be a finite number; got {m!r}")
        self.probe_m = float(m)
        self._show_probe()

    # ------------------------------------------------------------------ computation
    def _key(self) -> tuple:
        return (self.dataset, self.n_samples, float(self.noise), self.seed, float(self.C),
                float(self.task_loss))

    def _reference(self) -> dict:
        """The SVM (eps = 0) and logistic (eps = 1, L = 0) fits of the current data, C and L,
        from the core's own estimators; cached by (data, C, L).

        eps = 0 with task loss L is L times the notes' SVM at C L: C/2 ||L w'||^2 + sum
        max(0, L - L m') = L (C L / 2 ||w'||^2 + sum max(0, 1 - m')), so w = L w', b = L b' and
        w = (1/C) sum alpha y x with the SVM's alpha. L = 0: w = 0, b = 0 is optimal."""
        key = self._key()
        if key in self._refs:
            self._refs.move_to_end(key)
            return self._refs[key]
        X, y, C, L = self.X, self.y, float(self.C), float(self.task_loss)
        if L > 0:
            svc = SVC(C=C * L, kernel="linear", solver="primal").fit(X, y)
            svm = dict(w=L * svc.coef_[0], b=L * float(svc.intercept_[0]),
                       alpha=np.asarray(svc.alpha_, float), n_iter=int(svc.n_iter_))
        else:
            svm = dict(w=np.zeros(X.shape[1]), b=0.0, alpha=np.zeros(len(y)), n_iter=0)
        logit = LogisticRegression(C=C).fit(X, y)
        ref = dict(svm=svm, logistic=dict(w=logit.coef_[0].copy(),
                                          b=float(logit.intercept_[0])),
                   J0=temperature_objective(svm["w"], svm["b"], X, self.signs, C, 0.0, L), eps0=None)
        self._refs[key] = ref
        while len(self._refs) > CACHE_SIZE:
            self._refs.popitem(last=False)
        return ref

    def _fit(self) -> None:
        """TemperatureClassifier(psi="binary", eps, C, L) on the data. eps > 0: the one
        warm-started estimator (L-BFGS from the previous eps's solution); eps = 0: the SVM's
        exact primal solver, whose result does not depend on a start, so it is kept with the
        references."""
        eps, C, L = float(self.eps), float(self.C), float(self.task_loss)
        if eps == 0.0:
            model = self.ref["eps0"]
            if model is None:
                model = TemperatureClassifier(psi="binary", eps=0.0, C=C, task_loss=L)
                model.fit(self.X, self.y)
                self.ref["eps0"] = model
        else:
            model = self._warm
            model.set_params(eps=eps, C=C, task_loss=L)
            model.fit(self.X, self.y)
        self.model = model
        w, b = model.coef_[0].copy(), float(model.intercept_[0])
        m = margins_of(w, b, self.X, self.signs)
        if eps > 0:
            beta = model.dual_coef_[np.arange(len(self.y)), 1 - self.y]   # weight of yhat = -y
        else:
            beta = self.ref["svm"]["alpha"]          # the SVM's alpha (dual_coef_ is one-hot)
        self.state = dict(w=w, b=b, m=m, beta=beta,
                          J=temperature_objective(w, b, self.X, self.signs, C, eps, L),
                          loss=binary_temperature_loss(m, eps, L),
                          hinge=binary_temperature_loss(m, 0.0, L))

    # ------------------------------------------------------------------ drawing
    def _draw_references(self) -> None:
        for source, name in ((self.svm_source, "svm"), (self.logit_source, "logistic")):
            r = self.ref[name]
            line = line_in_box(r["w"], r["b"], 0.0, self.box)
            source.data = dict(xs=[line[0]] if line else [], ys=[line[1]] if line else [])
        L = float(self.task_loss)
        self.hinge_source.data = dict(m=MARGINS, loss=binary_temperature_loss(MARGINS, 0.0, L))
        self.logistic_source.data = dict(m=MARGINS, loss=binary_logistic_loss(MARGINS))

    def _draw(self) -> None:
        s, eps, L = self.state, float(self.eps), float(self.task_loss)
        curves = loss_curves(eps, L)
        self.loss_source.data = dict(m=MARGINS, loss=curves["current"])
        self.bound_source.data = dict(m=MARGINS, loss=curves["bound"])
        colors = class_colors(self.y)
        self.margin_points_source.data = dict(m=s["m"], loss=s["loss"], color=colors,
                                              beta=s["beta"])
        (x0, x1), (y0, y1) = self.box
        f = self._grid @ s["w"] + s["b"]
        image = region_image(one_hot((f > 0).astype(int), 2), (GRID_N, GRID_N), alpha=0.13)
        self.region_source.data = dict(image=[image], x=[x0], y=[y0], dw=[x1 - x0],
                                       dh=[y1 - y0])
        line = line_in_box(s["w"], s["b"], 0.0, self.box)
        self.boundary_source.data = dict(xs=[line[0]] if line else [],
                                         ys=[line[1]] if line else [])
        halves = [ln for ln in (line_in_box(s["w"], s["b"], lv, self.box) for lv in (-L, L))
                  if ln is not None] if L > 0 else []
        self.half_source.data = dict(xs=[h[0] for h in halves], ys=[h[1] for h in halves])
        soft, bounded = self._support_masks()
        if eps > 0:
            names = (f"soft SV ({SOFT[0]} < β < {SOFT[1]})", f"β ≥ {SOFT[1]}", "β ≤ 0.01")
        else:
            names = ("free SV (0 < α < 1)", "bounded SV (α = 1)", "not a SV (α = 0)")
        kind = np.where(soft, names[0], np.where(bounded, names[1], names[2]))
        self.points_source.data = dict(x=self.X[:, 0], y=self.X[:, 1], color=colors,
                                       beta=s["beta"], m=s["m"], kind=list(kind))
        sv = soft | bounded
        self.sv_source.data = dict(
            x=self.X[sv, 0], y=self.X[sv, 1], kind=list(kind[sv]),
            color=np.where(soft[sv], SOFT_COLOR, BOUNDED_COLOR).tolist(),
            marker=np.where(soft[sv], "circle", "square").tolist())

    def _support_masks(self) -> tuple[np.ndarray, np.ndarray]:
        """(soft, bounded): eps > 0: SOFT[0] < beta < SOFT[1] and beta >= SOFT[1]; eps = 0:
        the SVM's free (0 < alpha < 1) and bounded (alpha = 1) support vectors."""
        beta = self.state["beta"]
        if self.eps > 0:
            return (beta > SOFT[0]) & (beta < SOFT[1]), beta >= SOFT[1]
        if self.task_loss == 0:
            none = np.zeros(len(beta), bool)
            return none, none
        return (beta > 1e-8) & (beta < 1 - 1e-8), beta >= 1 - 1e-8

    # ------------------------------------------------------------------ numbers
    def _show_numbers(self) -> None:
        s, eps, C, L = self.state, float(self.eps), float(self.C), float(self.task_loss)
        n = len(self.y)
        svm, logit = self.ref["svm"], self.ref["logistic"]
        a_svm, d_svm = compare_lines(s["w"], s["b"], svm["w"], svm["b"])
        a_log, d_log = compare_lines(s["w"], s["b"], logit["w"], logit["b"])
        J0, upper = temperature_bounds(self.ref["J0"], n, eps)
        soft, bounded = self._support_masks()
        resid = s["w"] - (s["beta"] * self.signs) @ self.X / C

        def num(v):
            return "—" if v is None else float(v)

        self.stats = {
            "eps": ("ε", eps),
            "C": ("C (notes)", C),
            "C_sklearn": ("scikit-learn C = 1 / C", 1.0 / C),
            "task_loss": ("task loss L", L),
            "w": ("w", "(" + ", ".join(f"{v:.5g}" for v in s["w"]) + ")"),
            "b": ("b", s["b"]),
            "objective": ("objective J_ε(w) = C/2‖w‖² + Σ ℓ_ε(mᵢ)", s["J"]),
            "J0": ("J₀ (SVM optimum, ε = 0)", J0),
            "J_upper": ("J₀ + n ε ln 2", upper),
            "bound_holds": ("J₀ ≤ J_ε ≤ J₀ + n ε ln 2",
                            bool(J0 - 1e-6 * max(1.0, J0) <= s["J"] <= upper + 1e-6 * max(1.0,
                                                                                       upper))),
            "train_accuracy": ("training accuracy", float(np.mean(s["m"] > 0))),
            "angle_svm": ("angle to the SVM's w (degrees)", num(a_svm)),
            "offset_svm": ("offset to the SVM's boundary |Δ(b/‖w‖)|", num(d_svm)),
            "angle_logistic": ("angle to logistic's w (degrees)", num(a_log)),
            "offset_logistic": ("offset to logistic's boundary |Δ(b/‖w‖)|", num(d_log)),
            "n_soft": ("soft SVs 0.01 < β < 0.99" if eps > 0 else "free SVs 0 < α < 1",
                       int(soft.sum())),
            "n_bounded": ("β ≥ 0.99" if eps > 0 else "bounded SVs α = 1", int(bounded.sum())),
            "sum_beta_y": ("Σ βᵢ yᵢ (= 0)", float(s["beta"] @ self.signs)),
            "w_from_beta": ("‖w − (1/C) Σ βᵢ yᵢ xᵢ‖ (= 0)", float(np.linalg.norm(resid))),
            "solver": ("solver_", self.model.solver_),
            "n_iter": ("iterations", int(self.model.n_iter_)),
            "converged": ("converged", bool(self.model.converged_)),
            "update_ms": ("last ε update (ms, this machine)", float(self.update_ms)),
        }
        self._numbers.object = stats_html(self.stats)
        self._note.object = (
            "<p class='demo-hint'>With L = 0 and ε = 0 the loss max(0, −m) is 0 at w = 0, b = 0, "
            "which is therefore optimal: there is no boundary to draw. Raise L or ε.</p>"
            if L == 0 and eps == 0 else "")
        self._show_answers(a_svm, a_log)
        self._show_probe()

    def _show_probe(self) -> None:
        eps, L = float(self.eps), float(self.task_loss)
        m = L if self.probe_m is None else self.probe_m
        self.probe_span.location, self.probe_span.visible = m, self.probe_m is not None
        c = loss_curves(eps, L, np.array([m]))
        cur, hinge, logit = float(c["current"][0]), float(c["hinge"][0]), float(c["logistic"][0])
        where = "clicked" if self.probe_m is not None else "at m = L, where the gap is largest"
        self.probe_values = dict(m=m, current=cur, hinge=hinge, logistic=logit)
        self._probe_html.object = (
            f"<small>Probe ({where}): m = <span data-stat='probe_m'>{m:.3g}</span>: "
            f"ℓ<sub>ε</sub> = <span data-stat='probe_loss'>{cur:.4g}</span>, hinge = {hinge:.4g}, "
            f"gap ℓ<sub>ε</sub> − hinge = <span data-stat='probe_gap'>{cur - hinge:.4g}</span> ≤ "
            f"ε ln 2 = {eps * LN2:.4g}; logistic = {logit:.4g}.</small>")

    def _show_answers(self, a_svm: float | None, a_log: float | None) -> None:
        s, eps, L = self.state, float(self.eps), float(self.task_loss)
        n = len(self.y)
        gap = s["loss"] - s["hinge"]                   # in [0, eps ln 2] per point
        i = int(np.argmax(gap))
        curves = loss_curves(eps, L)
        to_logit = float(np.max(np.abs(curves["current"] - curves["logistic"])))
        soft, bounded = self._support_masks()
        beta_soft = int(np.sum((s["beta"] > SOFT[0]) & (s["beta"] < SOFT[1])))

        def deg(v):
            return "— (w = 0)" if v is None else f"{v:.3g}°"

        if eps > 0:
            beta_text = (
                f"At ε = {eps:.3g}, <span data-stat='answer_n_soft'>{beta_soft}</span> of the {n} "
                f"points are soft (0.01 &lt; β &lt; 0.99) and {int(bounded.sum())} have β ≥ 0.99. "
                "As ε → 0 the sigmoid becomes a step: β → 1 inside the margin (m &lt; L), β → 0 "
                "outside, and only the points exactly on the margin keep a β in between — the "
                "SVM's support vectors and its α.")
        else:
            beta_text = (
                f"At ε = 0 this is the SVM's α: {int(soft.sum())} free support vectors on the "
                f"margin (0 &lt; α &lt; 1) and {int(bounded.sum())} bounded ones (α = 1) — where "
                "the soft support vectors of ε &gt; 0 ended up.")
        self._answers.object = (
            "<p><b>Why does ε → 0 give the hinge?</b> For two labels the log-sum-exp has two "
            "terms, L − m (the wrong label) and 0 (the right one), and "
            "ε ln(e<sup>a/ε</sup> + e<sup>c/ε</sup>) = max(a, c) + ε ln(1 + e<sup>−|a − c|/ε"
            "</sup>): the max plus a correction between 0 and ε ln 2, largest where the two "
            "tie (m = L) and vanishing for every other m as ε → 0. So ℓ<sub>ε</sub>(m) → "
            f"max(0, L − m), the hinge. Here (ε = {eps:.3g}) the largest correction over the "
            f"training points is <span data-stat='answer_max_gap'>{gap[i]:.4g}</span> (at m = "
            f"{s['m'][i]:.3g}) and the mean {gap.mean():.4g}, below ε ln 2 = {eps * LN2:.4g}; "
            f"summed, J<sub>ε</sub> − J<sub>0</sub> = {s['J'] - self.ref['J0']:.4g} ≤ n ε ln 2 = "
            f"{n * eps * LN2:.4g}. The boundary is <span data-stat='answer_angle_svm'>"
            f"{deg(a_svm)}</span> from the SVM's. The gradient shows the same: "
            "w = (1/C) Σ β<sub>i</sub> y<sub>i</sub> x<sub>i</sub> with β<sub>i</sub> = "
            f"σ((L − m<sub>i</sub>)/ε), the softmax's weight on the wrong label. {beta_text}</p>"
            "<p><b>Why does ε = 1, L = 0 give logistic regression?</b> Then the loss is "
            "ln(e<sup>m/2</sup> + e<sup>−m/2</sup>) − m/2 = ln(1 + e<sup>−m</sup>) = "
            "−ln σ(y(wᵀx + b)): the softmax over the two scores ±(wᵀx + b)/2 is exactly "
            "p(y | x) = σ(y f(x)), and the objective is logistic regression's C/2‖w‖² plus its "
            "negative log-likelihood, with the same C. Here (ε = "
            f"{eps:.3g}, L = {L:.3g}) the largest gap |ℓ<sub>ε</sub>(m) − ln(1 + e<sup>−m</sup>)| "
            f"on m ∈ [−3, 3] is <span data-stat='answer_logit_gap'>{to_logit:.4g}</span> "
            "(0 exactly at ε = 1, L = 0) and the boundary is "
            f"<span data-stat='answer_angle_logistic'>{deg(a_log)}</span> from logistic "
            "regression's.</p>")
