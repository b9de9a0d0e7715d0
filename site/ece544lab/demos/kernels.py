"""Kernels: the Gram matrix, Mercer's condition, new kernels from old, and what kernels buy.

Course notes: the SVM dual max_alpha sum_i alpha^(i) - 1/(2C) sum_ij alpha^(i) alpha^(j) y^(i)
y^(j) K(x^(i), x^(j)) and its prediction only need inner products K(x, z) = phi(x)^T phi(z); a
function qualifies as a kernel iff (Mercer) every Gram matrix K_ij = K(x^(i), x^(j)) is positive
semidefinite. Sums, products and positive multiples of kernels are kernels again.
"""
from __future__ import annotations

import html
import warnings

import numpy as np
import panel as pn
import param
from bokeh.models import ColorBar, ColumnDataSource, LinearColorMapper, Range1d, Span
from bokeh.palettes import RdBu11, interp_palette

from ece544core import kernels
from ece544core.kernel_logistic import KernelLogisticRegression
from ece544core.svm import SVC

from ..views.common import CONTROL_WIDTH, Demo, guarded, heading, stats_html
from ece544core.kernel_algebra import base_function, kernel_trick

from .kernel_algebra import DATASETS, USES, kernel_function, sorted_data
from ..views.plotting import (PALETTE, class_colors, empty_image, fit_box, grid, make_figure, one_hot,
                       region_image, zero_level_lines)

#: Base functions offered for K1 and K2; "distance" ||x - z|| is the deliberate non-kernel.
BASE = {"linear": "linear  xᵀz", "poly": "polynomial  (γxᵀz + c)ᵖ",
        "rbf": "squared exponential  exp(−γ‖x − z‖²)", "sigmoid": "sigmoid  tanh(γxᵀz + c)",
        "distance": "distance ‖x − z‖ (not a kernel)"}
COMBINE = {"+": "a·K₁ + b·K₂", "×": "(a·K₁) × (b·K₂)", "K1": "a·K₁ only"}
GRID_N = 80                     # decision-region image is GRID_N x GRID_N
FRAME = (380, 320)              # SVM plot frame (pixels); the data box gets the same aspect
GRAM_FRAME = 300                # Gram image frame (square)
PSD_TOL = 1e-8                  # check_psd's relative tolerance
SMO_MAX_ITER = 20000            # a non-PSD K can make SMO slow: stop and say so
DIVERGING = interp_palette(tuple(reversed(RdBu11)), 255)   # negative red, 0 white, positive blue
TRICK_DIMS = (2, 10, 100, 784)  # input dimensions d of the feature-dimension table (784: MNIST)
RED, BLUE = "#D55E00", PALETTE[0]


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
        r"\ge 0 \;\;\forall \mathbf{v}\qquad "
        r"\text{new kernels: } a K_1 + b K_2,\;\; K_1 K_2,\;\; a, b > 0$$"
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

    def __init__(self, **params):
        super().__init__(**params)
        self.X, self.y = np.empty((0, 2)), np.empty(0, dtype=int)
        self.K = np.empty((0, 0))
        self.report: kernels.PSDReport | None = None
        self.model: SVC | None = None
        self.stats: dict = {}
        self._linear_cache: dict = {}
        self._part_cache: dict = {}
        self._build_figures()
        self._verdict = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._answers = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._layout = self.page(self._controls(), self._main(), self._numbers)
        self._on_kernel_choice()
        self._update()

    # ------------------------------------------------------------------ widgets / layout
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
        presets = []
        for label, values in PRESETS:
            button = pn.widgets.Button(name=label, width=w, button_style="outline",
                                       button_type="danger" if "not" in label else "success")
            button.on_click(lambda _e, v=values: self.apply_preset(v))
            presets.append(button)
        return [
            heading("Data (sorted by class)"),
            self.param_controls(["dataset", "n_samples", "noise", "seed"],
                                dataset=pn.widgets.RadioButtonGroup),
            heading("K = a·K₁ ⊕ b·K₂"), combine,
            sel1, *self._k1_widgets.values(),
            pn.widgets.FloatSlider.from_param(self.param.a, width=w),
            sel2, *self._k2_widgets.values(),
            pn.widgets.FloatSlider.from_param(self.param.b, width=w),
            heading("SVM with this K"), self.log_slider("C", step=0.1),
            heading("Examples"), *presets,
        ]

    def _main(self) -> pn.Column:
        legend = pn.pane.HTML(
            "<small>Shading: the SVM's prediction with kernel K. <b>Black</b>: f(x) = 0, dashed: "
            "f(x) = ±1. Black-edged points are support vectors (α > 0). <b style='color:#CC79A7'>"
            "Pink dash-dot</b>: kernel logistic regression's f(x) = 0 (same K and C).</small>",
            width=FRAME[0] + 60, margin=(0, 10))
        row = {"flex-wrap": "wrap"}
        return pn.Column(
            self._verdict,
            pn.Row(pn.pane.Bokeh(self.gram_fig), pn.pane.Bokeh(self.eig_fig),
                   sizing_mode="stretch_width", styles=row),
            pn.Row(pn.Column(pn.pane.Bokeh(self.svm_fig), legend, width=FRAME[0] + 80),
                   pn.Column(self._answers, sizing_mode="stretch_width",
                             styles={"flex": "1 1 320px"}),
                   sizing_mode="stretch_width", styles=row),
            sizing_mode="stretch_width")

    # ------------------------------------------------------------------ figures
    def _build_figures(self) -> None:
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

        s = make_figure("SVM (notes' C) trained with K", tools="pan,wheel_zoom,reset",
                        sizing_mode="fixed", width=None, height=None, frame_width=FRAME[0],
                        frame_height=FRAME[1], x_range=Range1d(-1, 1), y_range=Range1d(-1, 1),
                        name="kernels-svm-fig")
        self.region_source = ColumnDataSource(
            empty_image(),
            name="kernels-regions")
        self.boundary_source = ColumnDataSource(dict(xs=[], ys=[]), name="kernels-boundary")
        self.margin_source = ColumnDataSource(dict(xs=[], ys=[]), name="kernels-margins")
        self.points_source = ColumnDataSource(
            dict(x=[], y=[], label=[], color=[], line_color=[], size=[]), name="kernels-points")
        s.image_rgba(image="image", x="x", y="y", dw="dw", dh="dh", source=self.region_source)
        s.multi_line("xs", "ys", source=self.margin_source, color="black", line_width=1.2,
                     line_dash="dashed")
        s.multi_line("xs", "ys", source=self.boundary_source, color="black", line_width=2.5)
        self.logistic_source = ColumnDataSource(dict(xs=[], ys=[]),
                                                name="kernels-logistic-boundary")
        s.multi_line("xs", "ys", source=self.logistic_source, color=PALETTE[3], line_width=2.5,
                     line_dash="dotdash")
        s.scatter("x", "y", source=self.points_source, fill_color="color",
                  line_color="line_color", size="size", line_width=1.5)
        s.xaxis.axis_label, s.yaxis.axis_label = "x₁", "x₂"
        self.svm_fig = s

    # ------------------------------------------------------------------ interactions
    @param.depends("kernel1", "kernel2", "combine", watch=True)
    def _on_kernel_choice(self) -> None:
        """Enable only the sliders the chosen base functions use."""
        for k, widgets in (("1", self._k1_widgets), ("2", self._k2_widgets)):
            used = USES[getattr(self, f"kernel{k}")]
            off = k == "2" and self.combine == "K1"
            for name, widget in widgets.items():
                widget.disabled = off or name not in used

    @param.depends("dataset", "n_samples", "noise", "seed", "kernel1", "gamma1", "degree1",
                   "coef0_1", "a", "combine", "kernel2", "gamma2", "degree2", "coef0_2", "b",
                   "C", watch=True)
    @guarded
    def _update(self) -> None:
        """Data -> K -> Mercer check -> SVM -> kernel trick; then draw (nothing is drawn when a
        step raises, so the plots keep their last good state)."""
        X, y = sorted_data(self.dataset, self.n_samples, self.noise, self.seed)
        kfun, refusals = self.kernel_function()
        K = kernels.gram(kfun, X)
        report = kernels.check_psd(K, tol=PSD_TOL)
        parts = self._part_reports(X)
        model, fit_note = self._fit_svm(kfun, X, y)
        self.logistic, self.logistic_note = self._fit_logistic(kfun, X, y)
        self.X, self.y, self.K, self.report, self.model = X, y, K, report, model
        self.kfun, self.refusals, self.parts, self.fit_note = kfun, refusals, parts, fit_note
        self._draw_gram()
        self._draw_eigenvalues()
        self._draw_svm()
        self.trick = self._trick()
        self._show_verdict()
        self._show_stats()
        self._show_answers()

    @guarded
    def apply_preset(self, values: dict) -> None:
        """Set several parameters at once (one redraw)."""
        self.param.update(**values)

    # ------------------------------------------------------------------ computation
    def kernel_function(self):
        """K = a·K1 ⊕ b·K2 from the current parameters: (callable, kernel_scale refusals)."""
        combo = kernel_function((self.kernel1, self.gamma1, self.degree1, self.coef0_1),
                                (self.kernel2, self.gamma2, self.degree2, self.coef0_2),
                                self.combine, self.a, self.b)
        return combo.kernel, list(combo.refusals)

    def _part_reports(self, X: np.ndarray) -> dict:
        """Mercer checks of K1 and K2 alone (to show what the combination does to them), cached
        by data and base function so that moving one kernel's slider recomputes only its part."""
        data = (self.dataset, self.n_samples, self.noise, self.seed)
        out, cache = {}, {}
        for k in ("1", "2") if self.combine != "K1" else ("1",):
            spec = (getattr(self, f"kernel{k}"), getattr(self, f"gamma{k}"),
                    getattr(self, f"degree{k}"), getattr(self, f"coef0_{k}"))
            key = (data, spec)
            if key not in self._part_cache:
                self._part_cache[key] = kernels.check_psd(kernels.gram(base_function(*spec), X),
                                                          tol=PSD_TOL)
            out[k] = cache[key] = self._part_cache[key]
        self._part_cache = cache  # keep only the current parts
        return out

    def _fit_svm(self, kfun, X, y):
        """svm.SVC with the callable K (a non-PSD K is fitted too, see _show_answers)."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            model = SVC(C=self.C, kernel=kfun, max_iter=SMO_MAX_ITER).fit(X, y)
        note = "; ".join(str(w.message) for w in caught if issubclass(w.category, RuntimeWarning))
        return model, note

    def _fit_logistic(self, kfun, X, y):
        """Kernel (dual) logistic regression with the same K and C: (model, '') or (None, why)
        -- its Newton solver needs a PSD K, and says so otherwise."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                return KernelLogisticRegression(C=self.C, kernel=kfun).fit(X, y), ""
        except ValueError as exc:
            return None, str(exc)

    def _linear_accuracy(self, X, y) -> float:
        """Training accuracy of the same SVM with the linear kernel (cached per data and C)."""
        key = (self.dataset, self.n_samples, self.noise, self.seed, self.C)
        if key not in self._linear_cache:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                lin = SVC(C=self.C, kernel="linear", max_iter=SMO_MAX_ITER).fit(X, y)
            self._linear_cache = {key: float(np.mean(lin.predict(X) == y))}
        return self._linear_cache[key]

    def _trick(self) -> dict:
        """Kernel trick on the sample for K1's polynomial (or degree 2, gamma 1, c 1 when K1 is
        not polynomial); a c < 0 has no real feature map: the reason is returned instead."""
        if self.kernel1 == "poly":
            degree, gamma, coef0 = self.degree1, self.gamma1, self.coef0_1
        else:
            degree, gamma, coef0 = 2, 1.0, 1.0
        try:
            t = kernel_trick(self.X, degree, gamma, coef0)
            return dict(error=t.error, dim=t.feature_dim, d=t.d, degree=degree, gamma=gamma,
                        coef0=coef0)
        except ValueError as exc:
            return dict(error=None, reason=str(exc), d=self.X.shape[1], degree=degree,
                        gamma=gamma, coef0=coef0, dim=None)

    # ------------------------------------------------------------------ drawing
    def _draw_gram(self) -> None:
        n = len(self.y)
        self.gram_source.data = dict(image=[self.K], x=[0.0], y=[0.0], dw=[float(n)],
                                     dh=[float(n)])
        top = float(np.abs(self.K).max()) or 1.0
        self.gram_mapper.update(low=-top, high=top)
        self.class_strip_source.data = dict(i=np.arange(n) + 0.5, color=class_colors(self.y))
        n0 = float(np.sum(self.y == self.y[0]))
        for span in self.block_spans:
            span.location = n0
        self.gram_fig.x_range.update(start=-2.0, end=float(n))
        self.gram_fig.y_range.update(start=float(n), end=-2.0)

    def _draw_eigenvalues(self) -> None:
        eig = self.report.eigenvalues[::-1]                          # largest first
        negative = eig < -PSD_TOL * max(1.0, float(np.abs(eig).max()))
        self.eig_source.data = dict(k=np.arange(1, len(eig) + 1), eig=eig,
                                    color=np.where(negative, RED, BLUE).tolist())
        self.n_negative = int(negative.sum())

    def _draw_svm(self) -> None:
        X, y, model = self.X, self.y, self.model
        box = fit_box(X, FRAME[0] / FRAME[1])
        (x0, x1), (y0, y1) = box
        xx, yy, points = grid(*box, GRID_N)
        f = model.decision_function(points)                           # (GRID_N**2,)
        self.grid_points, self.grid_f = points, f
        self.grid_labels = (f > 0).astype(int)                        # index into classes_
        image = region_image(one_hot(self.grid_labels, 2), (GRID_N, GRID_N))
        self.region_source.data = dict(image=[image], x=[x0], y=[y0], dw=[x1 - x0],
                                       dh=[y1 - y0])
        xs, ys, F = xx[0], yy[:, 0], f.reshape(GRID_N, GRID_N)
        self.boundary_source.data = zero_level_lines(xs, ys, F)
        self.logistic_source.data = (
            zero_level_lines(xs, ys, self.logistic.decision_function(points).reshape(F.shape))
            if self.logistic is not None else dict(xs=[], ys=[]))
        plus, minus = zero_level_lines(xs, ys, F - 1.0), zero_level_lines(xs, ys, F + 1.0)
        self.margin_source.data = dict(xs=plus["xs"] + minus["xs"], ys=plus["ys"] + minus["ys"])
        sv = np.zeros(len(y), dtype=bool)
        sv[model.support_] = True
        self.points_source.data = dict(
            x=X[:, 0], y=X[:, 1], label=y, color=class_colors(y),
            line_color=np.where(sv, "black", "white").tolist(), size=np.where(sv, 9, 7))
        self.svm_fig.x_range.update(start=x0, end=x1)
        self.svm_fig.y_range.update(start=y0, end=y1)
        self.train_accuracy = float(np.mean(model.predict(X) == y))
        self.linear_accuracy = self._linear_accuracy(X, y)

    # ------------------------------------------------------------------ text
    def kernel_text(self) -> str:
        """The composed K in words, e.g. '1·polynomial + 1·squared exponential'."""
        def name(k):
            return BASE[getattr(self, f"kernel{k}")].split("  ")[0]

        a = f"{self.a:g}·{name('1')}"
        if self.combine == "K1":
            return a
        b = f"{self.b:g}·{name('2')}"
        return f"{a} + {b}" if self.combine == "+" else f"({a}) × ({b})"

    def _why_not(self) -> str:
        """Why this K fails Mercer's condition, from how it was built."""
        reasons = []
        for r in self.refusals:
            reasons.append(f"a non-positive weight: kernel_scale refuses it ({html.escape(r)}); "
                           "−K flips the sign of every eigenvalue of K")
        kinds = {self.kernel1} | ({self.kernel2} if self.combine != "K1" else set())
        if "distance" in kinds:
            reasons.append("‖x − z‖ is 0 on the diagonal, so trace K = Σλₖ = 0 while K ≠ 0: "
                           "some λₖ must be negative")
        if "sigmoid" in kinds:
            reasons.append("the sigmoid tanh(γxᵀz + c) is a kernel only for some (γ, c), not "
                           "in general")
        for k in self.parts:
            if getattr(self, f"kernel{k}") == "poly" and getattr(self, f"coef0_{k}") < 0:
                reasons.append(f"(γxᵀz + c)ᵖ with c₍{k}₎ < 0 has negative coefficients in its "
                               "expansion, so no real feature map")
        return "; ".join(reasons) or "see the red eigenvalues"

    def _show_verdict(self) -> None:
        rep = self.report
        lam = f"{rep.min_eigenvalue:.3g}"
        if rep.is_psd:
            body = (f"<b style='color:{PALETTE[2]}'>positive semidefinite: "
                    f"<span data-stat='psd'>yes</span></b>, smallest "
                    f"eigenvalue λ<sub>min</sub> = <span data-stat='verdict_min'>{lam}</span> "
                    f"(≥ −{PSD_TOL:g}·max|λ|, rounding). K = {html.escape(self.kernel_text())} "
                    "passes Mercer's condition on this sample: it is an inner product "
                    "φ(x)ᵀφ(z) of some feature map.")
        else:
            body = (f"<b style='color:{RED}'>positive semidefinite: <span data-stat='psd'>no"
                    f"</span></b>, smallest eigenvalue "
                    f"λ<sub>min</sub> = <span data-stat='verdict_min'>{lam}</span> "
                    f"({self.n_negative} of {len(rep.eigenvalues)} eigenvalues are negative). "
                    f"<b>Not a valid kernel (Mercer):</b> for the eigenvector v of λ<sub>min</sub>, "
                    f"vᵀKv = {lam} &lt; 0, but a kernel would give vᵀKv = ‖Σᵢ vᵢ φ(x⁽ⁱ⁾)‖² ≥ 0 "
                    f"— no feature map φ exists. Why: {self._why_not()}.")
        self._verdict.object = (
            f"<div class='kernels-verdict' style='border-left: 4px solid "
            f"{PALETTE[2] if rep.is_psd else RED}; padding: 2px 8px'>{body}</div>")

    def _show_stats(self) -> None:
        rep, m, t = self.report, self.model, self.trick
        self.stats = {
            "psd": ("positive semidefinite", "yes" if rep.is_psd else "no"),
            "min_eig": ("smallest eigenvalue λ_min", float(rep.min_eigenvalue)),
            "max_eig": ("largest eigenvalue λ_max", float(rep.eigenvalues[-1])),
            "n_negative": ("negative eigenvalues", self.n_negative),
            "n": ("points n (K is n × n)", len(self.y)),
            "train_accuracy": ("SVM training accuracy", self.train_accuracy),
            "n_support": ("support vectors (α > 0)", int(len(m.support_))),
            "dual_objective": ("dual objective g(α)", float(m.dual_objective_)),
            "n_iter": ("SMO steps", int(m.n_iter_)),
            "converged": ("SMO converged", bool(m.converged_)),
            "linear_accuracy": ("linear-kernel SVM accuracy", self.linear_accuracy),
            "C": ("C (notes)", float(self.C)),
            "C_sklearn": ("scikit-learn C = 1 / C", float(1.0 / self.C)),
            "trick_error": ("max |K − ΦΦᵀ| (polynomial)",
                            t["error"] if t["error"] is not None else "no real φ (c < 0)"),
            "feature_dim": ("dim φ(x) (polynomial)", t["dim"] if t["dim"] else "—"),
        }
        self._numbers.object = stats_html(self.stats)

    def _show_answers(self) -> None:
        self._answers.object = (self._answer_new_kernels() + self._answer_good_for()
                                + self._answer_svm())

    def _answer_new_kernels(self) -> str:
        cells = [f"λ<sub>min</sub>(K₁) = {self.parts['1'].min_eigenvalue:.3g}"]
        if "2" in self.parts:
            cells.append(f"λ<sub>min</sub>(K₂) = {self.parts['2'].min_eigenvalue:.3g}")
        cells.append(f"λ<sub>min</sub>(K) = {self.report.min_eigenvalue:.3g}")
        return (
            "<p><b>New kernels from old.</b> If K₁, K₂ are kernels and a, b &gt; 0, so are "
            "a·K₁ + b·K₂ (φ = [√a φ₁; √b φ₂], and vᵀ(aK₁ + bK₂)v ≥ 0) and K₁K₂ elementwise "
            "(φ = φ₁ ⊗ φ₂; the Schur product theorem). Here: " + ", ".join(cells) + ". "
            "A negative weight, the sigmoid or ‖x − z‖ break it — try the example buttons.</p>")

    def _answer_good_for(self) -> str:
        t = self.trick
        head = (f"(γxᵀz + c)<sup>{t['degree']}</sup> with γ = {t['gamma']:g}, "
                f"c = {t['coef0']:g}" + ("" if self.kernel1 == "poly" else
                                         " (K₁ is not polynomial: the textbook degree 2)"))
        if t["error"] is None:
            check = (f"For {head} there is no real feature map: "
                     f"{html.escape(t['reason'])}.")
        else:
            check = (f"For {head} on these n = {len(self.y)} points the explicit feature map "
                     f"Φ (n × {t['dim']}, all monomials of degree ≤ {t['degree']}) gives "
                     f"max |K − ΦΦᵀ| = <span data-stat='answer_trick'>{t['error']:.2g}</span>: "
                     "the kernel <i>is</i> the inner product in feature space, computed without "
                     "building φ.")
        rows = "".join(
            f"<tr><td>{d}{' (MNIST)' if d == 784 else ''}</td>"
            f"<td>{kernels.polynomial_feature_dim(d, t['degree'], max(t['coef0'], 0.0)):,}</td>"
            f"<td>≈ {d + 2}</td></tr>" for d in TRICK_DIMS)
        table = ("<table class='demo-stats'><tr><th>input d</th><th>dim φ(x)</th><th>kernel "
                 "cost per pair (flops)</th></tr>" + rows + "</table>")
        return (
            "<p><b>What are kernels good for?</b> The SVM dual and its prediction need only "
            "K(x, z) = φ(x)ᵀφ(z). " + check + " The kernel costs one inner product in the "
            "input space (d multiply-adds and a power), the explicit map grows as C(d + p, p); "
            "the squared exponential's φ is even infinite-dimensional:</p>" + table)

    def _answer_svm(self) -> str:
        m = self.model
        gain = (f"The same SVM with the linear kernel reaches only {self.linear_accuracy:.3f} on "
                f"the {html.escape(self.dataset)} data, with K {self.train_accuracy:.3f}.")
        text = (f"<p><b>The SVM with K</b> (C = {self.C:g}, scikit-learn C = {1 / self.C:g}): "
                f"training accuracy <span data-stat='answer_acc'>{self.train_accuracy:.3f}"
                f"</span>, {len(m.support_)} support vectors of {len(self.y)}, {m.n_iter_} SMO "
                f"steps. {gain}</p>")
        if not self.report.is_psd:
            text += (
                f"<p style='color:{RED}'><b>K is not PSD</b>, so the dual's quadratic term "
                "−1/(2C) Σ αα yy K is not concave: the dual may have several local maxima and "
                "is no longer the dual of a margin problem in any feature space. The SVM is "
                "fitted anyway (SMO still climbs to a KKT point, as LIBSVM does), so you can "
                "see the result — its boundary is not a maximum-margin separator and usually "
                "fits worse.</p>")
        if self.fit_note:
            text += f"<p style='color:{RED}'>{html.escape(self.fit_note)}</p>"
        return text + self._answer_four_formulas()

    def _answer_four_formulas(self) -> str:
        """The notes' four formulas (the dual and the prediction of the SVM and of logistic
        regression), each evaluated on this K."""
        m, lr = self.model, self.logistic
        svm = (f"SVM: max<sub>α</sub> Σα − 1/(2C) ΣΣ αα yy K = <span data-stat='four_svm_dual'>"
               f"{m.dual_objective_:.5g}</span> with 0 ≤ α ≤ 1, Σαy = 0; f(x) = (1/C) Σ α y "
               f"K(x⁽ⁱ⁾, x) + b needs only the {len(m.support_)} support vectors.")
        if lr is None:
            logit = (f"Logistic regression: not fitted — {html.escape(self.logistic_note)}.")
        else:
            acc = float(np.mean(lr.predict(self.X) == self.y))
            logit = (f"Logistic regression: max<sub>α</sub> Σ H(α) − 1/(2C) ΣΣ αα yy K = "
                     f"<span data-stat='four_logistic_dual'>{lr.dual_objective_:.5g}</span> "
                     f"(H the binary entropy; = its primal {lr.primal_objective_:.5g}), same "
                     "constraints; f(x) = (1/C) Σ α y K(x⁽ⁱ⁾, x) + b with <b>every</b> α in "
                     f"({lr.alpha_.min():.2g}, {lr.alpha_.max():.2g}) — no sparsity; training "
                     f"accuracy {acc:.3f}.")
        return ("<p><b>The four formulas.</b> Both duals and both predictions use the data only "
                f"through K. {svm} {logit} The hinge's conjugate is linear (Σα), the logistic "
                "loss's the entropy: the <i>Temperature</i> demo moves between them.</p>")


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
