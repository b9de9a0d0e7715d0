"""Kernels: the Gram matrix, Mercer's condition, new kernels from old, and what kernels buy.

Course notes: the SVM dual max_alpha sum_i alpha^(i) - 1/(2C) sum_ij alpha^(i) alpha^(j) y^(i)
y^(j) K(x^(i), x^(j)) and its prediction only need inner products K(x, z) = phi(x)^T phi(z); a
function qualifies as a kernel iff (Mercer) every Gram matrix K_ij = K(x^(i), x^(j)) is positive
semidefinite. Sums, products and positive multiples of kernels are kernels again.

parameters -> :meth:`KernelsDemo.compute` (:func:`compute.compute`) -> :meth:`draw`.
"""
from __future__ import annotations

import numpy as np
import panel as pn
import param
from bokeh.models import ColorBar, ColumnDataSource, LinearColorMapper, Range1d, Span
from bokeh.palettes import RdBu11, interp_palette

from ...views import layout
from ...views.canvas import ClassifierCanvas
from ...views.common import CONTROL_WIDTH, heading
from ...views.demo import Demo
from ...views.plotting import PALETTE, class_colors, make_figure, one_hot, region_image
from . import compute as kc
from . import text
from .compute import BASE, COMBINE, DATASETS, FRAME, PSD_TOL, USES, KernelsResult

GRAM_FRAME = 300                # Gram image frame (square)
DIVERGING = interp_palette(tuple(reversed(RdBu11)), 255)   # negative red, 0 white, positive blue
RED, BLUE = text.RED, PALETTE[0]

#: Example buttons: (label, parameters to set).
PRESETS = [
    ("valid: polynomial + RBF", dict(kernel1="poly", degree1=2, gamma1=1.0, coef0_1=1.0, a=1.0,
                                     combine="+", kernel2="rbf", gamma2=1.0, b=1.0)),
    ("valid: RBF × polynomial", dict(kernel1="rbf", gamma1=2.0, a=1.0, combine="×",
                                     kernel2="poly", degree2=2, gamma2=1.0, coef0_2=1.0, b=1.0)),
    ("not a kernel: a = −1", dict(kernel1="rbf", gamma1=1.0, a=-1.0, combine="K1")),
    ("not a kernel: sigmoid", dict(kernel1="sigmoid", gamma1=1.0, coef0_1=1.0, a=1.0,
                                   combine="K1")),
    ("not a kernel: ‖x − z‖", dict(kernel1="distance", a=1.0, combine="K1")),
]


class KernelsDemo(Demo):
    """Gram matrix heatmap, its eigenvalues (Mercer), composed kernels and an SVM using them."""

    slug = "kernels"
    title = "Kernels"
    formula = (
        r"$$K(\mathbf{x}, \mathbf{z}) = \phi(\mathbf{x})^\top \phi(\mathbf{z}):\quad "
        r"\mathbf{x}^\top\mathbf{z},\quad (\gamma\,\mathbf{x}^\top\mathbf{z} + c)^p,\quad "
        r"e^{-\gamma\|\mathbf{x} - \mathbf{z}\|^2},\quad "
        r"\tanh(\gamma\,\mathbf{x}^\top\mathbf{z} + c)$$"
        r"$$\text{Mercer: } K_{ij} = K(\mathbf{x}^{(i)}, \mathbf{x}^{(j)}) \succeq 0 "
        r"\iff \mathbf{v}^\top K \mathbf{v} = \Big\|\sum_i v_i\, \phi(\mathbf{x}^{(i)})\Big\|^2 "
        r"\ge 0 \;\;\forall \mathbf{v}$$"
        r"$$\text{new kernels from old: } a K_1 + b K_2,\;\; K_1 K_2\quad (a, b > 0)$$"
        r"$$\max_{\alpha}\; \sum_i \alpha^{(i)} - \frac{1}{2C} \sum_{i,j} \alpha^{(i)} "
        r"\alpha^{(j)} y^{(i)} y^{(j)} K(\mathbf{x}^{(i)}, \mathbf{x}^{(j)}),\quad "
        r"0 \le \alpha^{(i)} \le 1,\;\; \sum_i \alpha^{(i)} y^{(i)} = 0$$"
    )
    what_to_try = (
        "Set a = −1 (or pick the sigmoid or ‖x − z‖) and watch eigenvalues turn red and the "
        "verdict flip; multiply an RBF by a polynomial; raise γ of the RBF until K ≈ I and the "
        "SVM memorises the data; compare the linear kernel's accuracy on circles with any "
        "non-linear one."
    )
    url_params = ("dataset", "n_samples", "noise", "seed", "kernel1", "gamma1", "degree1",
                  "coef0_1", "a", "combine", "kernel2", "gamma2", "degree2", "coef0_2", "b", "C")
    update_on = ()  # build() watches url_params itself (one update for several changes)

    dataset = param.Selector(default="circles", objects=list(DATASETS),
                             doc="2-D data set with two classes that no line separates.")
    n_samples = param.Integer(default=60, bounds=(10, 150), label="n (points)",
                              doc="Number of points (the Gram matrix is n x n).")
    noise = param.Number(default=0.1, bounds=(0.0, 0.5), step=0.01, doc="Noise of the generator.")
    seed = param.Integer(default=0, bounds=(0, 9999), doc="Random seed of the data.")
    kernel1 = param.Selector(default="poly", objects=list(BASE), label="K₁",
                             doc="First base function (linear, polynomial, squared exponential, "
                                 "sigmoid, or the non-kernel ||x - z||).")
    gamma1 = param.Number(default=1.0, bounds=(1e-3, 1e2), label="γ₁",
                          doc="gamma of K1 (polynomial, squared exponential, sigmoid).")
    degree1 = param.Integer(default=2, bounds=(1, 6), label="degree p₁",
                            doc="Degree p of K1 when it is polynomial.")
    coef0_1 = param.Number(default=1.0, bounds=(-3.0, 3.0), step=0.1, label="c₁ (coef0)",
                           doc="coef0 c of K1 (polynomial, sigmoid).")
    a = param.Number(default=1.0, bounds=(-2.0, 5.0), step=0.1, label="weight a",
                     doc="Weight of K1; a <= 0 breaks the kernel (kernel_scale refuses it).")
    combine = param.Selector(default="+", objects=list(COMBINE), label="combination",
                             doc="K = a K1 + b K2, K = (a K1)(b K2) elementwise, or a K1 alone.")
    kernel2 = param.Selector(default="rbf", objects=list(BASE), label="K₂",
                             doc="Second base function.")
    gamma2 = param.Number(default=1.0, bounds=(1e-3, 1e2), label="γ₂", doc="gamma of K2.")
    degree2 = param.Integer(default=2, bounds=(1, 6), label="degree p₂",
                            doc="Degree p of K2 when it is polynomial.")
    coef0_2 = param.Number(default=0.0, bounds=(-3.0, 3.0), step=0.1, label="c₂ (coef0)",
                           doc="coef0 c of K2 (polynomial, sigmoid).")
    b = param.Number(default=1.0, bounds=(-2.0, 5.0), step=0.1, label="weight b",
                     doc="Weight of K2; b <= 0 breaks the kernel.")
    C = param.Number(default=1.0, bounds=(1e-2, 1e2), label="C (notes)",
                     doc="The SVM's C (weight of C/2 ||w||^2); scikit-learn's C is 1/C.")

    # ------------------------------------------------------------------ build
    def build(self):
        self._cache = kc.Cache()
        self._build_gram()
        self._build_eigenvalues()
        self._build_svm()
        self._verdict = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._answers = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        controls = self._controls()
        self.param.watch(lambda *_e: self._enable_kernel_widgets(),
                         ["kernel1", "kernel2", "combine"])
        self.param.watch(lambda *_e: self.update(), list(self.url_params))
        self._enable_kernel_widgets()
        legend = pn.pane.HTML(text.LEGEND, width=FRAME[0] + 60, margin=(0, 10))
        main = pn.Column(
            self._verdict,
            layout.plots(pn.pane.Bokeh(self.gram_fig),
                         pn.Column(pn.pane.Bokeh(self.eig_fig, sizing_mode="stretch_width"),
                                   sizing_mode="stretch_width", min_width=300,
                                   styles={"flex": "1 1 300px"})),
            layout.plots(pn.Column(self.canvas.panel(), legend, width=FRAME[0] + 80),
                         pn.Column(self._answers, sizing_mode="stretch_width", min_width=300,
                                   styles={"flex": "1 1 320px"})),
            sizing_mode="stretch_width")
        return controls, main, self._numbers

    def _controls(self) -> list:
        w = CONTROL_WIDTH - 20

        def kernel_widgets(k: str):
            select = pn.widgets.Select.from_param(self.param[f"kernel{k}"], width=w,
                                                  options={v: key for key, v in BASE.items()})
            gamma = self.log_slider(f"gamma{k}", step=0.05)
            degree = pn.widgets.IntSlider.from_param(self.param[f"degree{k}"], width=w)
            coef0 = pn.widgets.FloatSlider.from_param(self.param[f"coef0_{k}"], width=w)
            return select, {"gamma": gamma, "degree": degree, "coef0": coef0}

        sel1, self._k1_widgets = kernel_widgets("1")
        sel2, self._k2_widgets = kernel_widgets("2")
        combine = pn.widgets.RadioButtonGroup.from_param(
            self.param.combine, options={v: key for key, v in COMBINE.items()},
            sizing_mode="stretch_width")
        dataset = pn.widgets.RadioButtonGroup.from_param(self.param.dataset,
                                                         sizing_mode="stretch_width")
        presets = []
        for label, values in PRESETS:
            button = pn.widgets.Button(name=label, width=w, button_style="outline",
                                       button_type="danger" if "not" in label else "success")
            button.on_click(lambda _e, v=values: self.apply_preset(v))
            presets.append(button)
        return [
            heading("Data (sorted by class)"), _label("data set"), dataset,
            self.param_controls(["n_samples", "noise", "seed"]),
            heading("K = a·K₁ ⊕ b·K₂"), _label("combination"), combine,
            sel1, *self._k1_widgets.values(),
            pn.widgets.FloatSlider.from_param(self.param.a, width=w),
            sel2, *self._k2_widgets.values(),
            pn.widgets.FloatSlider.from_param(self.param.b, width=w),
            heading("SVM with this K"), self.log_slider("C", step=0.1),
            heading("Examples"), *presets,
        ]

    def _build_gram(self) -> None:
        g = make_figure("Gram matrix Kᵢⱼ = K(x⁽ⁱ⁾, x⁽ʲ⁾), points sorted by class",
                        tools="hover,reset", sizing_mode="fixed", width=None, height=None,
                        frame_width=GRAM_FRAME, frame_height=GRAM_FRAME, x_range=Range1d(0, 1),
                        y_range=Range1d(1, 0), name="kernels-gram-fig",
                        tooltips=[("i", "$y{0}"), ("j", "$x{0}"), ("K", "@image")])
        self.gram_source = ColumnDataSource(
            dict(image=[np.zeros((1, 1))], x=[0.0], y=[0.0], dw=[1.0], dh=[1.0]),
            name="kernels-gram")
        self.gram_mapper = LinearColorMapper(palette=DIVERGING, low=-1.0, high=1.0)
        g.image(image="image", x="x", y="y", dw="dw", dh="dh", source=self.gram_source,
                color_mapper=self.gram_mapper)
        self.class_strip_source = ColumnDataSource(dict(i=[], color=[]),
                                                   name="kernels-gram-classes")
        g.rect(x=-1.0, y="i", width=2.0, height=1.0, source=self.class_strip_source,
               fill_color="color", line_color=None)
        g.rect(x="i", y=-1.0, width=1.0, height=2.0, source=self.class_strip_source,
               fill_color="color", line_color=None)
        self.block_spans = [Span(location=0, dimension=dim, line_color="black", line_width=1,
                                 line_dash="dashed") for dim in ("width", "height")]
        for span in self.block_spans:
            g.add_layout(span)
        g.add_layout(ColorBar(color_mapper=self.gram_mapper, width=12, padding=4), "right")
        g.xaxis.axis_label, g.yaxis.axis_label = "j", "i"
        self.gram_fig = g

    def _build_eigenvalues(self) -> None:
        e = make_figure("Eigenvalues of K, largest first (red: negative)", tools="reset",
                        height=GRAM_FRAME + 70, width=None, min_width=300,
                        sizing_mode="stretch_width", name="kernels-eig-fig",
                        toolbar_location=None)
        self.eig_source = ColumnDataSource(dict(k=[], eig=[], color=[]), name="kernels-eigs")
        e.vbar(x="k", top="eig", width=0.8, source=self.eig_source, fill_color="color",
               line_color="color")
        e.scatter("k", "eig", source=self.eig_source, color="color", size=4)
        e.add_layout(Span(location=0.0, dimension="width", line_color="black", line_width=1))
        e.xaxis.axis_label, e.yaxis.axis_label = "k", "λₖ"
        self.eig_fig = e

    def _build_svm(self) -> None:
        c = ClassifierCanvas("kernels", "SVM (notes' C) trained with K", ["y = −1", "y = +1"],
                             frame=FRAME, clickable=False)
        c.add_lines("margins", color="black", line_width=1.2, line_dash="dashed")
        c.add_lines("boundary", color="black", line_width=2.5)
        c.add_lines("logistic-boundary", color=PALETTE[3], line_width=2.5,
                    line_dash="dotdash")
        c.draw_points_glyphs(size=7)
        self.sv_source = ColumnDataSource(dict(x=[], y=[]), name="kernels-sv")
        c.fig.scatter("x", "y", source=self.sv_source, fill_color=None, line_color="black",
                      size=11, line_width=1.5)
        c.fig.xaxis.axis_label, c.fig.yaxis.axis_label = "x₁", "x₂"
        self.canvas = c

    def _enable_kernel_widgets(self) -> None:
        """Enable only the sliders the chosen base functions use."""
        for k, widgets in (("1", self._k1_widgets), ("2", self._k2_widgets)):
            used = USES[getattr(self, f"kernel{k}")]
            off = k == "2" and self.combine == "K1"
            for name, widget in widgets.items():
                widget.disabled = off or name not in used

    def apply_preset(self, values: dict) -> None:
        """Set several parameters at once (one update)."""
        self.param.update(**values)

    # ------------------------------------------------------------------ compute / draw
    def compute(self) -> KernelsResult:
        return kc.compute({name: getattr(self, name) for name in self.url_params}, self._cache)

    def draw(self, res: KernelsResult) -> None:
        self._draw_gram(res)
        eig = res.report.eigenvalues[::-1]                          # largest first
        negative = eig < -PSD_TOL * max(1.0, float(np.abs(eig).max()))
        self.eig_source.data = dict(k=np.arange(1, len(eig) + 1), eig=eig,
                                    color=np.where(negative, RED, BLUE).tolist())
        self._draw_svm(res)
        self.stats = text.numbers(res)
        self._verdict.object = text.verdict_html(res)
        self._numbers.object = text.numbers_html(res)
        self._answers.object = text.answers_html(res)

    def _draw_gram(self, res: KernelsResult) -> None:
        n = len(res.y)
        self.gram_source.data = dict(image=[res.K], x=[0.0], y=[0.0], dw=[float(n)],
                                     dh=[float(n)])
        top = float(np.abs(res.K).max()) or 1.0
        self.gram_mapper.update(low=-top, high=top)
        self.class_strip_source.data = dict(i=np.arange(n) + 0.5, color=class_colors(res.y))
        n0 = float(np.sum(res.y == res.y[0]))
        for span in self.block_spans:
            span.location = n0
        self.gram_fig.x_range.update(start=-2.0, end=float(n))
        self.gram_fig.y_range.update(start=float(n), end=-2.0)

    def _draw_svm(self, res: KernelsResult) -> None:
        c, X = self.canvas, res.X
        c.set_box(res.box)
        labels = (res.svm_f.ravel() > 0).astype(int)                # index into classes_
        c.show_regions(region_image(one_hot(labels, 2), res.svm_f.shape), res.box)
        c.show_lines("boundary", res.lines["boundary"])
        c.show_lines("margins", res.lines["margins"])
        c.show_lines("logistic-boundary", res.lines["logistic"])
        c.show_points(X, res.y)
        sv = res.model.support_
        self.sv_source.data = dict(x=X[sv, 0], y=X[sv, 1])


def _label(name: str) -> pn.pane.HTML:
    """The label of a toggle group (RadioButtonGroup shows none of its own)."""
    return pn.pane.HTML(name, margin=(5, 10, 0, 10))
