"""Multiclass classification: one-vs-rest, one-vs-one, softmax regression, the multiclass SVM
(the page).

Parameters -> :meth:`MulticlassDemo.compute` (a long job: each method not yet fitted is one
chunk; ``compute.MulticlassModel`` caches the fits) -> a frozen ``MulticlassResult`` ->
:meth:`MulticlassDemo.draw` (the big ClassifierCanvas with the selected method's overlays, four
small plots, the numbers and the live answers).
"""
from __future__ import annotations

import time

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource

from ...views.canvas import ClassifierCanvas
from ...views.common import heading
from ...views.demo import Demo
from ...views.layout import plots
from ...views.plotting import PALETTE, grid, make_figure, one_hot, region_image
from .compute import (BASES, LAYOUTS, METHODS, SHORT, MethodResult, MulticlassModel,
                      MulticlassResult, make_data, overlays_of)
from .text import answers_html, note_html, numbers

CLASS_NAMES = ["blue", "orange", "green", "pink", "sky"]   # PALETTE[0..4]
GRID_N = 80                # every region image is GRID_N x GRID_N
FRAME = (440, 380)         # main plot frame (pixels); the data box gets its aspect
SMALL = (170, 147)         # frame of each of the four small plots (same aspect)
MULTI_COLOR, NONE_COLOR, TIE_COLOR = "#000000", "#555555", "#000000"
#: A long job (progress bar, Stop) from this many classes or n K points on: below, the four fits
#: take ~25-45 ms natively (~10x that in the browser at the top of the range).
JOB_CLASSES, JOB_POINTS = 5, 1000


def _run_now(job):
    """Drain a job generator at once: its return value."""
    while True:
        try:
            next(job)
        except StopIteration as end:
            return end.value


def _label(text: str) -> pn.pane.HTML:
    """The label above a toggle group (a RadioButtonGroup shows no name of its own)."""
    return pn.pane.HTML(f"<label class='toggle-label'>{text}</label>", margin=(6, 10, 0, 10))


class MulticlassDemo(Demo):
    """OvR, OvO, softmax regression and the Crammer-Singer SVM on the same K blobs."""

    slug = "multiclass"
    title = "Multiclass: OvR, OvO, softmax, SVM"
    formula = (
        r"$$\text{OvR: } \hat y = \arg\max_k f_k(\mathbf{x})\;(K \text{ models } k \text{ vs "
        r"rest}),\qquad \text{OvO: } \hat y = \arg\max_k \#\{\text{pairwise wins of } k\}"
        r"\;(\tfrac{K(K-1)}{2} \text{ models})$$"
        r"$$\text{softmax: } p(y = k \mid \mathbf{x}) = \frac{\exp(\mathbf{w}_k^\top "
        r"\mathbf{x} + b_k)}{\sum_j \exp(\mathbf{w}_j^\top \mathbf{x} + b_j)},\quad "
        r"\min_{W} \frac{C}{2} \sum_k \|\mathbf{w}_k\|^2 - \sum_i \log p(y^{(i)} \mid "
        r"\mathbf{x}^{(i)})$$"
        r"$$\text{multiclass SVM: } \min_{W} \frac{C}{2} \sum_k \|\mathbf{w}_k\|^2 + \sum_i "
        r"\max_{y} \big([y \ne y^{(i)}] + \mathbf{w}_y^\top \mathbf{x}^{(i)} - "
        r"\mathbf{w}_{y^{(i)}}^\top \mathbf{x}^{(i)}\big),\qquad C_{\text{sklearn}} = 1 / C$$"
    )
    what_to_try = (
        "One-vs-rest on the circle layout: the hatched areas are claimed by several classes or by "
        "none; pick the line layout with K = 5: the middle classes cannot be cut from the rest "
        "by one line, so OvR's accuracy drops while the other three keep theirs; one-vs-one's "
        "ties are small triangles (× hatching) where the pairwise lines miss each other: look "
        "for them with the line layout, or click points to bend a pairwise boundary; slide C up "
        "and watch every method's regions change."
    )
    url_params = ("method", "base", "C", "n_classes", "layout", "n_samples", "spread", "seed")

    method = param.Selector(default="ovr", objects=list(METHODS),
                            doc="Method shown in the big plot: one-vs-rest, one-vs-one, softmax "
                                "regression or the multiclass (Crammer-Singer) SVM.")
    base = param.Selector(default="svm", objects=list(BASES), label="binary model (OvR / OvO)",
                          doc="Binary classifier inside OvR and OvO: a linear SVM or logistic "
                              "regression.")
    C = param.Number(default=1.0, bounds=(1e-2, 1e3), label="C (notes)",
                     doc="Weight of C/2 sum ||w_k||^2 in every objective; scikit-learn's C = 1/C.")
    n_classes = param.Integer(default=3, bounds=(3, 5), label="K (classes)",
                              doc="Number of classes (Gaussian blobs).")
    layout = param.Selector(default="circle", objects=list(LAYOUTS),
                            doc="Blob centres: on a circle, on a line (middle classes are "
                                "not separable from the rest by one line) or random.")
    n_samples = param.Integer(default=150, bounds=(15, 400), label="n (points)",
                              doc="Number of generated points (split evenly over the classes).")
    spread = param.Number(default=0.9, bounds=(0.1, 2.0), step=0.05, label="spread (std)",
                          doc="Standard deviation of every blob.")
    seed = param.Integer(default=0, bounds=(0, 9999), doc="Random seed of the points.")

    #: The base's own watcher takes one event only (param.update of two parameters passes
    #: two), so this demo registers its own in build(), on the same parameters.
    update_on = ()

    # ------------------------------------------------------------------ build
    def build(self):
        self.param.watch(self._on_classes, ["n_classes", "layout"])
        self.param.watch(lambda *_events: self.update(), list(self.url_params))
        self.fits = MulticlassModel()
        self.stats: dict = {}
        self.timings: dict[str, float] = {}
        self._build_canvas()
        self._build_small()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._answers = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._note = pn.pane.HTML("", width=FRAME[0] + 60, margin=(0, 10))
        self._c_sklearn = pn.pane.HTML("", margin=(0, 10))
        radio = pn.widgets.RadioButtonGroup
        controls = [
            heading("Method (big plot)"),
            _label("method"), self.param_controls(["method"], method=radio),
            _label("binary model inside OvR / OvO"), self.param_controls(["base"], base=radio),
            self.log_slider("C", step=0.1), self._c_sklearn,
            heading("Data"),
            self.param_controls(["n_classes"]),
            _label("layout of the class centres"), self.param_controls(["layout"], layout=radio),
            self.param_controls(["n_samples", "spread", "seed"]),
            *self.canvas.controls("A click on the big plot adds a point of class:"),
        ]
        return controls, self._main(), self._numbers

    def _main(self) -> pn.Column:
        right = pn.Column(
            pn.pane.HTML("<h3 style='margin:4px 0'>The notes' questions, answered by the live "
                         "models</h3>", margin=(0, 10)),
            self._answers, sizing_mode="stretch_width", styles={"flex": "1 1 320px"})
        return pn.Column(
            plots(pn.Column(self.canvas.panel(), self._note), right),
            pn.pane.HTML("<b>All four methods side by side</b> (grey: ambiguous / tied; the "
                         "selected one is framed)", margin=(5, 10, 0, 10)),
            plots(*[pn.pane.Bokeh(f) for f in self.small_figs.values()]),
            sizing_mode="stretch_width")

    def _build_canvas(self) -> None:
        c = ClassifierCanvas("mc", "", CLASS_NAMES[:self.n_classes], frame=FRAME,
                             on_change=self.update)
        fig = c.fig
        self.multi_source = ColumnDataSource(dict(xs=[], ys=[]), name="mc-multi")
        self.none_source = ColumnDataSource(dict(xs=[], ys=[]), name="mc-none")
        self.tie_source = ColumnDataSource(dict(xs=[], ys=[]), name="mc-ties")
        self._shown_for = {}      # renderer -> the methods it is shown for
        for methods, source, pattern, color, label in (
                (("ovr",), self.multi_source, "/", MULTI_COLOR,
                 "claimed by ≥ 2 classes (f_k > 0 for several k)"),
                (("ovr",), self.none_source, "\\", NONE_COLOR,
                 "claimed by no class (every f_k < 0)"),
                (("ovo",), self.tie_source, "x", TIE_COLOR, "tied vote (no transitive winner)")):
            renderer = fig.multi_polygons(
                "xs", "ys", source=source, fill_alpha=0.0, hatch_pattern=pattern,
                hatch_color=color, hatch_alpha=0.55, hatch_scale=9, line_color=color,
                line_alpha=0.6, line_width=1, legend_label=label)
            self._shown_for[renderer] = methods
        lines = c.add_lines("lines", color="color", line_width=2, line_dash="dashed",
                            line_alpha=0.9, legend_label="binary boundaries f = 0")
        lines.data = dict(xs=[], ys=[], color=[])
        self._shown_for[fig.renderers[-1]] = ("ovr", "ovo")
        c.add_lines("boundary", color="black", line_width=1.5,
                    legend_label="decision boundary (argmax)")
        self._shown_for[fig.renderers[-1]] = ("ovr", "softmax", "msvm")
        c.draw_points_glyphs(size=7)
        fig.legend.update(location="top_left", background_fill_alpha=0.75, padding=3, margin=3,
                          label_text_font_size="10px", label_height=14, glyph_height=14,
                          spacing=0)
        fig.xaxis.axis_label, fig.yaxis.axis_label = "x₁", "x₂"
        self.canvas = c

    def _build_small(self) -> None:
        self.small_figs, self.small_sources = {}, {}
        for method in METHODS:
            f = make_figure("", tools="", toolbar_location=None, sizing_mode="fixed", width=None,
                            height=None, frame_width=SMALL[0], frame_height=SMALL[1],
                            x_range=self.canvas.fig.x_range, y_range=self.canvas.fig.y_range,
                            name=f"mc-small-{method}")
            src = ColumnDataSource(dict(image=[], x=[], y=[], dw=[], dh=[]),
                                   name=f"mc-small-regions-{method}")
            f.image_rgba(image="image", x="x", y="y", dw="dw", dh="dh", source=src)
            f.scatter("x", "y", source=self.canvas.points, fill_color="color",
                      line_color="white", size=4, line_width=0.5)
            f.title.text_font_size = "11px"
            f.axis.major_label_text_font_size = "8px"
            self.small_figs[method], self.small_sources[method] = f, src

    def _on_classes(self, *_events) -> None:
        """A new set of classes: the clicked points go, the class picker follows K."""
        self.canvas.clear_clicked(notify=False)
        names = CLASS_NAMES[:self.n_classes]
        self.canvas.class_names = names
        if self.canvas.label >= self.n_classes:
            self.canvas.label = 0
        self.canvas.picker.param.update(options={n: i for i, n in enumerate(names)},
                                        value=self.canvas.label)

    # ------------------------------------------------------------------ compute
    def compute(self):
        """Data (blobs + clicked points), the grid, then the fits of every method not cached:
        a long job (a generator of Progress, one chunk per fit) for K = 5 or n K > 1000, else
        done at once."""
        X, y = make_data(self.n_classes, self.n_samples, self.spread, self.layout, self.seed)
        X, y, clicked = self.canvas.with_clicked(X, y)
        box = self.canvas.box_for(X)
        xx, yy, points = grid(*box, GRID_N)
        job = self._job(X, y, clicked, box, xx, yy, points, self.method, self.base,
                        float(self.C))
        long = self.n_classes >= JOB_CLASSES or len(y) * self.n_classes > JOB_POINTS
        return job if long else _run_now(job)

    def _job(self, X, y, clicked, box, xx, yy, points, method, base, C):
        t0 = time.perf_counter()
        results = yield from self.fits.fits(X, y, points, base, C)
        msvm, soft = results["msvm"], results["softmax"]
        idx = np.searchsorted(soft.model.classes_, y)
        colors = [PALETTE[int(k) % len(PALETTE)] for k in results["ovr"].model.classes_]
        self.timings = {"fit_ms": 1e3 * (time.perf_counter() - t0)}
        return MulticlassResult(
            X=X, y=y, clicked=clicked, box=box, grid_n=GRID_N, points=points, method=method,
            C=C, results=results, overlays=overlays_of(results[method], xx, yy, colors),
            cs_loss=msvm.model.losses(X, y), agree=float(np.mean(soft.pred == msvm.pred)),
            mean_proba=float(soft.model.predict_proba(X)[np.arange(len(y)), idx].mean()))

    # ------------------------------------------------------------------ draw
    def draw(self, R: MulticlassResult) -> None:
        t0 = time.perf_counter()
        self._draw_main(R)
        for m in METHODS:
            self._draw_small(R, m)
        self.stats, self._numbers.object = numbers(R)
        self._answers.object = answers_html(R)
        self._c_sklearn.object = (f"<small>scikit-learn C = 1 / C = <span data-stat="
                                  f"'c_sklearn_label'>{1.0 / R.C:.4g}</span></small>")
        self.timings["draw_ms"] = 1e3 * (time.perf_counter() - t0)

    @staticmethod
    def _image(r: MethodResult, alpha: float, grey_unclear: bool) -> np.ndarray:
        classes = r.model.classes_
        idx = np.searchsorted(classes, r.pred)
        return region_image(one_hot(idx, classes.size), (GRID_N, GRID_N), class_index=classes,
                            alpha=alpha, ties=r.unclear if grey_unclear else None)

    def _draw_main(self, R: MulticlassResult) -> None:
        r, c, o = R.selected, self.canvas, R.overlays
        c.set_box(R.box)
        c.show_regions(self._image(r, 0.35, grey_unclear=False), R.box)
        self.multi_source.data, self.none_source.data = o["multi"], o["none"]
        self.tie_source.data = o["ties"]
        c.show_lines("lines", o["lines"])
        c.show_lines("boundary", o["boundary"])
        for renderer, methods in self._shown_for.items():
            renderer.visible = r.method in methods
        for item in c.fig.legend[0].items:
            item.visible = item.renderers[0].visible
        c.show_points(R.X, R.y, clicked=R.clicked,
                      line_color=np.where(r.train_pred == R.y, "white", "black"))
        base = f" ({'SVM' if r.base == 'svm' else 'logistic'})" if r.base else ""
        c.fig.title.text = (f"{METHODS[r.method]}{base}: train accuracy {r.accuracy:.3f} · "
                            "click adds a point")
        self._note.object = note_html(r)

    def _draw_small(self, R: MulticlassResult, method: str) -> None:
        r = R.results[method]
        (x0, x1), (y0, y1) = R.box
        self.small_sources[method].data = dict(
            image=[self._image(r, 0.5, grey_unclear=True)], x=[x0], y=[y0], dw=[x1 - x0],
            dh=[y1 - y0])
        f = self.small_figs[method]
        base = f" ({'SVM' if r.base == 'svm' else 'logistic'})" if r.base else ""
        f.title.text = f"{SHORT[method]}{base}: train acc {r.accuracy:.3f}"
        selected = method == R.method
        f.outline_line_color = "#000000" if selected else "#cccccc"
        f.outline_line_width = 3 if selected else 1
