"""Temperature: the SVM as the 0-temperature limit of logistic regression (the page).

Parameters -> :meth:`TemperatureDemo.compute` (``compute.TemperatureModel``: a frozen
``TemperatureResult``) -> :meth:`TemperatureDemo.draw` (the loss plot, the classifier canvas, the
numbers and the live answers).
"""
from __future__ import annotations

import math
import time
from functools import partial

import numpy as np
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import ColumnDataSource, CustomJSTickFormatter, HoverTool, Range1d, Span

from ...views.canvas import ClassifierCanvas
from ...views.common import CONTROL_WIDTH, heading, stats_html
from ...views.demo import Demo
from ...views.layout import plots
from ...views.plotting import PALETTE, grid, line_in_box, make_figure, one_hot, region_image
from .compute import DATASETS, MARGINS, SOFT, TemperatureModel, TemperatureResult
from .text import answers_html, note_html, probe_html, probe_values, stats_of

GRID_N = 60                                # the sign-of-f image is GRID_N x GRID_N
FRAME = (370, 320)                         # data plot frame (pixels); the data box gets its aspect
LOSS_FRAME = (320, 290)
CURRENT_COLOR, SVM_COLOR, LOGIT_COLOR = "#000000", PALETTE[5], PALETTE[3]
SOFT_COLOR, BOUNDED_COLOR = PALETTE[2], "#000000"
#: The eps slider shows the value itself (typed values such as 0.001 included) and names the
#: exact SVM at 0.
EPS_FORMAT = ("return tick == 0 ? '0 (the SVM, exactly)' : "
              "Number(tick.toPrecision(4)).toString();")


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


    #: The base's own watcher takes one event only (param.update of two parameters passes
    #: two), so this demo registers its own in build(), on the same parameters.
    update_on = ()

    # ------------------------------------------------------------------ build
    def build(self):
        self.param.watch(lambda *_events: self.update(), list(self.url_params))
        self.fits = TemperatureModel()
        self.probe_m: float | None = None
        self.probe_values: dict = {}
        self.stats: dict = {}
        self.update_ms = float("nan")
        self._build_loss_figure()
        self._build_canvas()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._answers = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._probe_html = pn.pane.HTML("", width=LOSS_FRAME[0] + 50, margin=(0, 10))
        self._note = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._c_sklearn = pn.pane.HTML("", margin=(0, 10))
        self._eps_text = pn.widgets.TextInput(name="ε exactly (type, e.g. 1e-3)",
                                              placeholder="0 … 1", width=CONTROL_WIDTH - 20)
        self._eps_text.param.watch(self._on_eps_text, "value")
        self._eps_slider = pn.widgets.FloatSlider.from_param(
            self.param.eps, width=CONTROL_WIDTH - 20, format=CustomJSTickFormatter(code=EPS_FORMAT))
        controls = [
            heading("Temperature"), self._eps_slider, self._eps_text,
            heading("Model"), self.log_slider("C", step=0.1), self._c_sklearn,
            self.param_controls(["task_loss"]),
            heading("Data"), self.param_controls(["dataset", "n_samples", "noise", "seed"]),
        ]
        return controls, self._main(), self._numbers

    def _main(self) -> pn.Column:
        loss_legend = pn.pane.HTML(
            "<small><b>Thick</b>: ℓ<sub>ε</sub>(m) at the current ε. <b style='color:#D55E00'>"
            "Red dashed</b>: hinge max(0, L − m) (ε = 0); grey dotted: hinge + ε ln 2 (the upper "
            "bound); <b style='color:#CC79A7'>pink dashed</b>: logistic ln(1 + e<sup>−m</sup>) "
            "(ε = 1, L = 0). Dots: the training points' margins and losses. Click to probe a "
            "margin.</small>", width=LOSS_FRAME[0] + 50, margin=(0, 10))
        data_legend = pn.pane.HTML(
            "<small><b>Thick black</b>: boundary at the current ε; grey dotted: f = ±L (β = ½). "
            "Thin <b style='color:#D55E00'>red</b>: the SVM (ε = 0, svm.SVC); thin "
            "<b style='color:#CC79A7'>pink dashed</b>: logistic regression (ε = 1, L = 0, "
            "logistic.LogisticRegression). <b style='color:#009E73'>Green rings</b>: soft "
            "support vectors 0.01 &lt; β &lt; 0.99 (ε = 0: free SVs 0 &lt; α &lt; 1); "
            "<b>black squares</b>: β ≥ 0.99 (ε = 0: α = 1). Hover for β and m.</small>",
            width=FRAME[0] + 50, margin=(0, 10))
        return pn.Column(
            plots(pn.Column(pn.pane.Bokeh(self.loss_fig), loss_legend, self._probe_html),
                  pn.Column(self.canvas.panel(), data_legend)),
            self._note,
            pn.pane.HTML("<h3 style='margin:4px 10px'>Why the two limits, with the live "
                         "numbers</h3>"),
            self._answers, sizing_mode="stretch_width")

    def _build_loss_figure(self) -> None:
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
        lf.legend.label_text_font_size = "11px"
        lf.xaxis.axis_label, lf.yaxis.axis_label = "margin m", "loss"
        lf.on_event(Tap, lambda event: self.probe(event.x))
        self.loss_fig = lf

    def _build_canvas(self) -> None:
        c = ClassifierCanvas("temperature", "Boundary at ε, with the SVM and logistic regression",
                             ["y = −1", "y = +1"], frame=FRAME, clickable=False,
                             point_columns=("beta", "m", "kind"))
        c.add_lines("half-lines", color="#777777", line_width=1.2, line_dash="dotted")
        c.add_lines("svm-boundary", color=SVM_COLOR, line_width=1.6, legend_label="SVM (ε = 0)")
        c.add_lines("logistic-boundary", color=LOGIT_COLOR, line_width=1.6, line_dash="dashed",
                    legend_label="logistic (ε = 1, L = 0)")
        c.add_lines("boundary", color=CURRENT_COLOR, line_width=3.5, legend_label="current ε")
        c.draw_points_glyphs(size=8)
        self.sv_source = ColumnDataSource(dict(x=[], y=[], kind=[], color=[], marker=[]),
                                          name="temperature-sv")
        c.fig.scatter("x", "y", source=self.sv_source, marker="marker", fill_color=None,
                      line_color="color", size=15, line_width=2.2, legend_field="kind")
        c.fig.add_tools(HoverTool(renderers=[c.points_renderer], tooltips=[
            ("β", "@beta{0.0000}"), ("m = y f(x)", "@m{0.000}"), ("", "@kind")]))
        legend = c.fig.legend[0]
        c.fig.add_layout(legend, "below")          # outside the frame: never hides a point
        legend.ncols, legend.padding, legend.margin, legend.spacing = 2, 2, 2, 1
        legend.label_text_font_size, legend.glyph_height = "11px", 16
        c.fig.xaxis.axis_label, c.fig.yaxis.axis_label = "x₁", "x₂"
        self.canvas = c

    # ------------------------------------------------------------------ compute
    def compute(self) -> TemperatureResult:
        start = time.perf_counter()
        result = self.fits.compute(self.dataset, self.n_samples, self.noise, self.seed, self.C,
                                    self.task_loss, self.eps)
        self._compute_ms = 1e3 * (time.perf_counter() - start)
        return result

    # ------------------------------------------------------------------ eps typed as text
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
        """eps typed as text (reaches values the slider's 0.01 steps cannot, e.g. 1e-3). Bad
        text is shown in the error area and leaves eps as it was; an empty box (the bad text
        removed) or a good value clears the message."""
        text = str(text).strip()
        lo, hi = self.param.eps.bounds
        if not text:
            self.update()                      # the cause of a message is gone
            return
        try:
            value = float(text)
        except ValueError:
            self.fail(f"ε must be a number in [{lo:g}, {hi:g}]; got {text!r}")
            return
        if not (math.isfinite(value) and lo <= value <= hi):
            self.fail(f"ε must be a finite number in [{lo:g}, {hi:g}]; got {text!r}")
            return
        if value == self.eps:
            self.update()                      # nothing moves: recompute, clear the message
        else:
            self.eps = value

    def probe(self, m: float) -> None:
        """Read off the three losses at the margin m (a click on the loss plot)."""
        if m is None or not math.isfinite(float(m)):
            self.fail(f"the probed margin m must be a finite number; got {m!r}")
            return
        self.probe_m = float(m)
        self.redraw()

    # ------------------------------------------------------------------ draw
    def draw(self, r: TemperatureResult) -> None:
        start = time.perf_counter()
        self._draw_loss(r)
        self._draw_canvas(r)
        self._draw_probe(r)
        self.update_ms = getattr(self, "_compute_ms", 0.0) + 1e3 * (time.perf_counter() - start)
        self.stats = stats_of(r, self.update_ms)
        self._numbers.object = stats_html(self.stats)
        self._note.object = note_html(r)
        self._answers.object = answers_html(r)
        self._c_sklearn.object = (f"<small>scikit-learn C = 1 / C = <span data-stat="
                                  f"'c_sklearn_label'>{1.0 / r.C:.4g}</span></small>")

    def _draw_loss(self, r: TemperatureResult) -> None:
        top = r.L + 3.5
        self.loss_fig.y_range.update(start=-0.06 * top, end=top)
        c = r.curves
        self.loss_source.data = dict(m=MARGINS, loss=c["current"])
        self.bound_source.data = dict(m=MARGINS, loss=c["bound"])
        self.hinge_source.data = dict(m=MARGINS, loss=c["hinge"])
        self.logistic_source.data = dict(m=MARGINS, loss=c["logistic"])
        self.margin_points_source.data = dict(m=r.m, loss=r.loss,
                                              color=[PALETTE[int(k)] for k in r.y], beta=r.beta)

    def _draw_canvas(self, r: TemperatureResult) -> None:
        c = self.canvas
        box = c.box_for(r.X)
        c.set_box(box)
        f = grid(*box, GRID_N)[2] @ r.fit.w + r.fit.b
        c.show_regions(region_image(one_hot((f > 0).astype(int), 2), (GRID_N, GRID_N),
                                    alpha=0.13), box)

        def lines(w, b, levels):
            found = [ln for ln in (line_in_box(w, b, lv, box) for lv in levels) if ln]
            return dict(xs=[ln[0] for ln in found], ys=[ln[1] for ln in found])

        c.show_lines("boundary", lines(r.fit.w, r.fit.b, [0.0]))
        c.show_lines("half-lines", lines(r.fit.w, r.fit.b, [-r.L, r.L]) if r.L > 0 else
                     dict(xs=[], ys=[]))
        c.show_lines("svm-boundary", lines(r.refs.svm.w, r.refs.svm.b, [0.0]))
        c.show_lines("logistic-boundary", lines(r.refs.logistic.w, r.refs.logistic.b, [0.0]))
        if r.eps > 0:
            names = (f"soft SV ({SOFT[0]} < β < {SOFT[1]})", f"β ≥ {SOFT[1]}", "β ≤ 0.01")
        else:
            names = ("free SV (0 < α < 1)", "bounded SV (α = 1)", "not a SV (α = 0)")
        kind = np.where(r.soft, names[0], np.where(r.bounded, names[1], names[2]))
        c.show_points(r.X, r.y, beta=r.beta, m=r.m, kind=list(kind))
        sv = r.soft | r.bounded
        self.sv_source.data = dict(
            x=r.X[sv, 0], y=r.X[sv, 1], kind=list(kind[sv]),
            color=np.where(r.soft[sv], SOFT_COLOR, BOUNDED_COLOR).tolist(),
            marker=np.where(r.soft[sv], "circle", "square").tolist())

    def _draw_probe(self, r: TemperatureResult) -> None:
        v = probe_values(r, self.probe_m)
        self.probe_values = v
        self.probe_span.location, self.probe_span.visible = v["m"], self.probe_m is not None
        self._probe_html.object = probe_html(r, v, self.probe_m is not None)
