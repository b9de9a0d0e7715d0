"""Multiclass classification: one-vs-rest, one-vs-one, softmax regression, the multiclass SVM.

Course notes ("Multiclass classification: how to classify between K classes?"):
1 vs rest trains one binary model per class ("more than one good answer or no good answer"),
1 vs 1 one per pair, K(K-1)/2 ("two-way preferences need not be transitive"); softmax uses K
weight vectors, p(y = k | x) = exp(w_k^T x) / sum_j exp(w_j^T x); the multiclass SVM minimises
C/2 sum_k ||w_k||^2 + sum_i max_y ([y != y_i] + w_y^T x_i - w_{y_i}^T x_i), the eps -> 0 limit
of the temperature loss. All four are fitted on the same 2-D blobs, in the notes' C (scikit-
learn's C = 1/C).
"""
from __future__ import annotations

import html
import time
import warnings
from dataclasses import dataclass

import contourpy
import numpy as np
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import ColumnDataSource, Range1d

from ece544core.logistic import LogisticRegression, SoftmaxRegression
from ece544core.multiclass import MulticlassSVM, OneVsOneClassifier, OneVsRestClassifier
from ece544core.svm import SVC
from ece544core.toysets import CENTER_LAYOUTS, class_centers, make_blobs

from ..views.common import Demo, LabelledClickedPoints, guarded, heading
from ..views.plotting import (PALETTE, class_colors, empty_image, fit_box, grid, make_figure, one_hot,
                       region_image, zero_level_lines)

METHODS = {"ovr": "one-vs-rest", "ovo": "one-vs-one", "softmax": "softmax regression",
           "msvm": "multiclass SVM"}
SHORT = {"ovr": "OvR", "ovo": "OvO", "softmax": "softmax", "msvm": "multiclass SVM"}
BASES = {"svm": "linear SVM", "logistic": "logistic regression"}
LAYOUTS = CENTER_LAYOUTS
CLASS_NAMES = ["blue", "orange", "green", "pink", "sky"]   # PALETTE[0..4]
RADIUS = 2.5               # blob centres on a circle of this radius, random ones in a box
LINE_GAP = 2.0             # distance of neighbouring centres on the line
GRID_N = 80                # every region image is GRID_N x GRID_N
FRAME = (460, 400)         # main plot frame (pixels); the data box gets its aspect
SMALL = (230, 200)         # frame of each of the four small plots (same aspect)
CACHE_SIZE = 64            # fitted (method, base, C) results kept for the current data
SVC_MAX_ITER = 10000       # SMO step cap of each binary SVM (a cap hit shows as "converged: no")
MSVM_MAX_ITER = 300        # Newton steps of the multiclass SVM
MSVM_TOL = 1e-6            # its relative duality-gap tolerance
MULTI_COLOR, NONE_COLOR, TIE_COLOR = "#000000", "#555555", "#000000"


# ------------------------------------------------------------------------------ data
def make_data(n_classes: int, n_samples: int, spread: float, layout: str, seed: int):
    """K Gaussian blobs x ~ N(mu_k, spread^2 I) around ``toysets.class_centers`` (the random
    layout's centres drawn from seed + 7919): (X (n, 2), y (n,))."""
    centers = class_centers(n_classes, layout, radius=RADIUS, gap=LINE_GAP,
                            random_state=seed + 7919)
    return make_blobs(n_samples=n_samples, centers=centers, cluster_std=spread, random_state=seed)


def filled_regions(xs: np.ndarray, ys: np.ndarray, mask: np.ndarray) -> dict:
    """The parts of the grid where ``mask`` (shape (len(ys), len(xs))) is True, as Bokeh
    multi_polygons data {xs, ys} (one polygon with its holes per connected piece)."""
    mask = np.asarray(mask, dtype=float)
    if mask.max() < 1.0:
        return dict(xs=[], ys=[])
    gen = contourpy.contour_generator(x=xs, y=ys, z=mask, fill_type="OuterOffset")
    points, offsets = gen.filled(0.5, 2.0)
    out_x, out_y = [], []
    for pts, off in zip(points, offsets):
        rings = [pts[a:b] for a, b in zip(off[:-1], off[1:])]
        out_x.append([[r[:, 0] for r in rings]])
        out_y.append([[r[:, 1] for r in rings]])
    return dict(xs=out_x, ys=out_y)


def argmax_boundaries(xs: np.ndarray, ys: np.ndarray, scores: np.ndarray) -> dict:
    """The decision boundaries of argmax_k s_k on the grid: for each pair (k, l) the curve
    s_k = s_l where k and l are the two best classes (elsewhere the difference is masked), as
    multi_line data {xs, ys}. ``scores`` has shape (len(ys) * len(xs), K)."""
    S = np.asarray(scores, dtype=float).reshape(len(ys), len(xs), -1)   # (rows = y, cols = x, K)
    K = S.shape[2]
    out = dict(xs=[], ys=[])
    for k in range(K):
        for l in range(k + 1, K):
            pair = np.minimum(S[:, :, k], S[:, :, l])
            others = np.delete(S, [k, l], axis=2)
            mask = others.max(axis=2) > pair if K > 2 else np.zeros(pair.shape, dtype=bool)
            diff = S[:, :, k] - S[:, :, l]
            if mask.all() or diff[~mask].min() > 0 or diff[~mask].max() < 0:
                continue
            gen = contourpy.contour_generator(x=xs, y=ys, z=np.ma.masked_array(diff, mask),
                                              line_type="Separate")
            for line in gen.lines(0.0):
                out["xs"].append(line[:, 0])
                out["ys"].append(line[:, 1])
    return out


# ------------------------------------------------------------------------------ fitting
@dataclass
class MethodResult:
    """One fitted method and what the demo draws from it (grid arrays are flat, GRID_N**2)."""

    method: str
    base: str | None
    C: float
    model: object
    fit_ms: float
    scores: np.ndarray          # (n_grid, K) decision_function on the grid
    pred: np.ndarray            # (n_grid,) predicted class labels on the grid
    train_pred: np.ndarray      # (n,) predicted labels of the training points
    accuracy: float
    n_binary: int               # binary classifiers trained (0: one joint problem)
    converged: bool
    claims: np.ndarray | None = None       # OvR: classes with f_k(x) > 0, (n_grid,)
    ties: np.ndarray | None = None         # OvO: top vote count shared, (n_grid,)
    pair_scores: np.ndarray | None = None  # OvO: (n_grid, K(K-1)/2) pairwise decision values
    train_unclear: int = 0      # training points in an ambiguous / tied spot

    @property
    def unclear(self) -> np.ndarray:
        """(n_grid,) bool: OvR claimed by no class or by several; OvO tied; else none."""
        if self.claims is not None:
            return self.claims != 1
        if self.ties is not None:
            return self.ties
        return np.zeros(self.pred.shape, dtype=bool)


def make_estimator(method: str, base: str, C: float):
    """The estimator of ``method`` (notes' C); OvR / OvO wrap the binary ``base``."""
    if method not in METHODS or (method in ("ovr", "ovo") and base not in BASES):
        raise ValueError(f"method must be one of {tuple(METHODS)} and base one of "
                         f"{tuple(BASES)}; got {method!r}, {base!r}")
    if method == "softmax":
        return SoftmaxRegression(C=C)
    if method == "msvm":
        return MulticlassSVM(C=C, max_iter=MSVM_MAX_ITER, tol=MSVM_TOL)
    binary = (SVC(C=C, kernel="linear", solver="auto", max_iter=SVC_MAX_ITER) if base == "svm"
              else LogisticRegression(C=C))
    return (OneVsRestClassifier if method == "ovr" else OneVsOneClassifier)(binary)


def fit_method(method: str, base: str, C: float, X: np.ndarray, y: np.ndarray,
               points: np.ndarray) -> MethodResult:
    """Fit ``method`` on (X, y) and evaluate it on the grid ``points`` (n_grid, 2)."""
    model = make_estimator(method, base, C)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)   # an iteration cap: shown as a stat
        model.fit(X, y)
    fit_ms = 1e3 * (time.perf_counter() - t0)
    scores = np.asarray(model.decision_function(points), dtype=float)
    classes = model.classes_
    train_pred = model.predict(X)
    result = dict(method=method, base=base if method in ("ovr", "ovo") else None, C=float(C),
                  model=model, fit_ms=fit_ms, scores=scores,
                  pred=classes[np.argmax(scores, axis=1)], train_pred=train_pred,
                  accuracy=float(np.mean(train_pred == y)), n_binary=0,
                  converged=not any(issubclass(w.category, RuntimeWarning) for w in caught))
    if method == "ovr":
        result.update(n_binary=len(model.estimators_), claims=model.ambiguity(points),
                      train_unclear=int(np.sum(model.ambiguity(X) != 1)))
    elif method == "ovo":
        result.update(n_binary=len(model.estimators_), ties=model.tie_mask(points),
                      train_unclear=int(np.sum(model.tie_mask(X))),
                      pair_scores=np.column_stack([np.asarray(e.decision_function(points),
                                                              dtype=float).reshape(-1)
                                                   for e in model.estimators_]))
    if method == "msvm":
        result["converged"] = bool(model.converged_)
    return MethodResult(**result)


# ------------------------------------------------------------------------------ the demo
class MulticlassDemo(LabelledClickedPoints, Demo):
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
    add_class = param.Integer(default=0, bounds=(0, 4),
                              doc="Class of the point a click on the big plot adds.")

    def __init__(self, **params):
        super().__init__(**params)
        self._clear_clicked()
        self._classes_key = (self.n_classes, self.layout)
        self._cache: dict = {}
        self.X, self.y = np.empty((0, 2)), np.empty(0, dtype=int)
        self.results: dict[str, MethodResult] = {}
        self.stats: dict = {}
        self.timings: dict[str, float] = {}
        self._build_figures()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._answers = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._note = pn.pane.HTML("", width=FRAME[0] + 60, margin=(0, 10))
        self._c_sklearn = pn.pane.HTML("", margin=(0, 10))
        self._layout = self.page(self._controls(), self._main(), self._numbers)
        self._on_data()

    # ------------------------------------------------------------------ widgets / layout
    def _controls(self) -> list:
        self._adder, reset = self._point_controls(CLASS_NAMES[:self.n_classes],
                                                  "Remove clicked points")
        return [
            heading("Method (big plot)"),
            self.param_controls(["method"], method=pn.widgets.RadioButtonGroup),
            self.param_controls(["base"], base=pn.widgets.RadioButtonGroup),
            self.log_slider("C", step=0.1), self._c_sklearn,
            heading("Data"),
            self.param_controls(["n_classes", "layout", "n_samples", "spread", "seed"],
                                layout=pn.widgets.RadioButtonGroup),
            pn.pane.HTML("A click on the big plot adds a point of class:", margin=(5, 10, 0, 10)),
            self._adder, reset,
        ]

    @property
    def n_labels(self) -> int:
        """Clicks add points of the K classes shown."""
        return self.n_classes

    def _main(self) -> pn.Column:
        right = pn.Column(
            pn.pane.HTML("<h3 style='margin:4px 0'>The notes' questions, answered by the live "
                         "models</h3>", margin=(0, 10)),
            self._answers, sizing_mode="stretch_width", styles={"flex": "1 1 320px"})
        small = pn.Row(*[pn.pane.Bokeh(f) for f in self.small_figs.values()],
                       styles={"flex-wrap": "wrap"}, sizing_mode="stretch_width")
        return pn.Column(
            pn.Row(pn.Column(pn.pane.Bokeh(self.fig), self._note, width=FRAME[0] + 80), right,
                   sizing_mode="stretch_width", styles={"flex-wrap": "wrap"}),
            pn.pane.HTML("<b>All four methods side by side</b> (grey: ambiguous / tied; the "
                         "selected one is framed)", margin=(5, 10, 0, 10)),
            small, sizing_mode="stretch_width")

    # ------------------------------------------------------------------ figures
    def _build_figures(self) -> None:
        self.x_range, self.y_range = Range1d(-1, 1), Range1d(-1, 1)
        fig = make_figure("", tools="pan,wheel_zoom,reset", sizing_mode="fixed", width=None,
                          height=None, frame_width=FRAME[0], frame_height=FRAME[1],
                          x_range=self.x_range, y_range=self.y_range, name="mc-fig")
        self.region_source = ColumnDataSource(empty_image(), name="mc-regions")
        self.multi_source = ColumnDataSource(dict(xs=[], ys=[]), name="mc-multi")
        self.none_source = ColumnDataSource(dict(xs=[], ys=[]), name="mc-none")
        self.tie_source = ColumnDataSource(dict(xs=[], ys=[]), name="mc-ties")
        self.lines_source = ColumnDataSource(dict(xs=[], ys=[], color=[]), name="mc-lines")
        self.boundary_source = ColumnDataSource(dict(xs=[], ys=[]), name="mc-boundary")
        self.points_source = ColumnDataSource(
            dict(x=[], y=[], label=[], color=[], line_color=[]), name="mc-points")
        fig.image_rgba(image="image", x="x", y="y", dw="dw", dh="dh", source=self.region_source)
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
        lines = fig.multi_line("xs", "ys", source=self.lines_source, color="color",
                               line_width=2, line_dash="dashed", line_alpha=0.9,
                               legend_label="binary boundaries f = 0")
        self._shown_for[lines] = ("ovr", "ovo")
        argmax = fig.multi_line("xs", "ys", source=self.boundary_source, color="black",
                                line_width=1.5, legend_label="decision boundary (argmax)")
        self._shown_for[argmax] = ("ovr", "softmax", "msvm")
        fig.scatter("x", "y", source=self.points_source, fill_color="color",
                    line_color="line_color", size=7, line_width=1.2)
        fig.legend.update(location="top_left", background_fill_alpha=0.75, padding=3, margin=3,
                          label_text_font_size="10px", label_height=14, glyph_height=14,
                          spacing=0)
        fig.xaxis.axis_label, fig.yaxis.axis_label = "x₁", "x₂"
        fig.on_event(Tap, self._on_tap)
        self.fig = fig

        self.small_figs, self.small_sources = {}, {}
        for method in METHODS:
            f = make_figure("", tools="", toolbar_location=None, sizing_mode="fixed", width=None,
                            height=None, frame_width=SMALL[0], frame_height=SMALL[1],
                            x_range=self.x_range, y_range=self.y_range, name=f"mc-small-{method}")
            src = ColumnDataSource(empty_image(), name=f"mc-small-regions-{method}")
            f.image_rgba(image="image", x="x", y="y", dw="dw", dh="dh", source=src)
            f.scatter("x", "y", source=self.points_source, fill_color="color",
                      line_color="white", size=4, line_width=0.5)
            f.title.text_font_size = "11px"
            f.axis.major_label_text_font_size = "8px"
            self.small_figs[method], self.small_sources[method] = f, src

    # ------------------------------------------------------------------ interactions
    @param.depends("n_classes", "layout", "n_samples", "spread", "seed", watch=True)
    @guarded
    def _on_data(self) -> None:
        if (self.n_classes, self.layout) != self._classes_key:   # new classes: drop the clicks
            self._classes_key = (self.n_classes, self.layout)
            self._clear_clicked()
        self._adder.options = {name: i for i, name in enumerate(CLASS_NAMES[:self.n_classes])}
        if self.add_class >= self.n_classes:
            self.add_class = 0
        self._make_data()
        self._update()

    @param.depends("method", "base", "C", watch=True)
    @guarded
    def _on_model(self) -> None:
        self._update()

    def _after_clicks(self) -> None:
        self._make_data()
        self._update()

    # ------------------------------------------------------------------ computation
    def _make_data(self) -> None:
        """Blobs plus clicked points, the plot box and the grid; empties the fit cache."""
        X, y = make_data(self.n_classes, self.n_samples, self.spread, self.layout, self.seed)
        self.X = np.vstack([np.asarray(X, dtype=float), self._clicked_X])
        self.y = np.concatenate([np.asarray(y, dtype=int), self._clicked_y])
        self._cache = {}
        self.box = fit_box(self.X, FRAME[0] / FRAME[1])
        (x0, x1), (y0, y1) = self.box
        self.x_range.update(start=x0, end=x1)
        self.y_range.update(start=y0, end=y1)
        self.xx, self.yy, self.points = grid(*self.box, GRID_N)

    def result(self, method: str) -> MethodResult:
        """The fitted ``method`` for the current data, base and C (from the cache if seen)."""
        key = (method, self.base if method in ("ovr", "ovo") else None, float(self.C))
        if key not in self._cache:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = fit_method(method, self.base, self.C, self.X, self.y, self.points)
        return self._cache[key]

    def _update(self) -> None:
        t0 = time.perf_counter()
        self.results = {m: self.result(m) for m in METHODS}
        t1 = time.perf_counter()
        self._draw_main()
        for m in METHODS:
            self._draw_small(m)
        self._show_stats()
        self._show_answers()
        t2 = time.perf_counter()
        self.timings = {"fit_ms": 1e3 * (t1 - t0), "draw_ms": 1e3 * (t2 - t1)}
        self._c_sklearn.object = (f"<small>scikit-learn C = 1 / C = <span data-stat="
                                  f"'c_sklearn_label'>{1.0 / self.C:.4g}</span></small>")

    # ------------------------------------------------------------------ drawing
    def _image(self, r: MethodResult, alpha: float, grey_unclear: bool) -> dict:
        (x0, x1), (y0, y1) = self.box
        classes = r.model.classes_
        idx = np.searchsorted(classes, r.pred)
        img = region_image(one_hot(idx, classes.size), (GRID_N, GRID_N), class_index=classes,
                           alpha=alpha, ties=r.unclear if grey_unclear else None)
        return dict(image=[img], x=[x0], y=[y0], dw=[x1 - x0], dh=[y1 - y0])

    def _draw_main(self) -> None:
        r = self.results[self.method]
        self.region_source.data = self._image(r, 0.35, grey_unclear=False)
        xs, ys = self.xx[0], self.yy[:, 0]
        shape = (GRID_N, GRID_N)
        for source, mask in ((self.multi_source, None if r.claims is None else r.claims > 1),
                             (self.none_source, None if r.claims is None else r.claims == 0),
                             (self.tie_source, r.ties)):
            source.data = (dict(xs=[], ys=[]) if mask is None else
                           filled_regions(xs, ys, mask.reshape(shape)))
        lines = dict(xs=[], ys=[], color=[])
        if r.method == "ovr":          # f_k(x) = 0, in class k's colour
            columns = [(r.scores[:, k], PALETTE[int(c) % len(PALETTE)])
                       for k, c in enumerate(r.model.classes_)]
        elif r.method == "ovo":        # f_ij(x) = 0 of every pair, grey
            columns = [(r.pair_scores[:, p], "#444444") for p in range(r.pair_scores.shape[1])]
        else:
            columns = []
        for values, color in columns:
            seg = zero_level_lines(xs, ys, values.reshape(shape))
            lines["xs"] += seg["xs"]
            lines["ys"] += seg["ys"]
            lines["color"] += [color] * len(seg["xs"])
        self.lines_source.data = lines
        # OvO's scores jump (votes): its argmax boundary would be a staircase, so it is left out
        self.boundary_source.data = (argmax_boundaries(xs, ys, r.scores) if r.method != "ovo"
                                     else dict(xs=[], ys=[]))
        for renderer, methods in self._shown_for.items():
            renderer.visible = r.method in methods
        for item in self.fig.legend[0].items:
            item.visible = item.renderers[0].visible
        self.points_source.data = dict(
            x=self.X[:, 0], y=self.X[:, 1], label=self.y, color=class_colors(self.y),
            line_color=np.where(r.train_pred == self.y, "white", "black"))
        base = f" ({'SVM' if r.base == 'svm' else 'logistic'})" if r.base else ""
        self.fig.title.text = (f"{METHODS[r.method]}{base}: train accuracy {r.accuracy:.3f} · "
                               "click adds a point")
        self._note.object = self._note_html(r)

    def _note_html(self, r: MethodResult) -> str:
        frac = f"<span data-stat='note_unclear'>{100 * np.mean(r.unclear):.1f}</span>%"
        text = {
            "ovr": "Shading: OvR's prediction argmax<sub>k</sub> f<sub>k</sub>(x) (solid: its "
                   "boundary). Dashed: each binary boundary f<sub>k</sub>(x) = 0 in its class "
                   "colour. <b>Hatched</b>: the binary answers disagree — several classes say "
                   f"“mine” (/) or none does (\\): {frac} of the plot.",
            "ovo": "Shading: OvO's prediction, the class with most pairwise votes (ties broken "
                   "by the summed confidences). Dashed grey: the K(K−1)/2 pairwise boundaries "
                   "f<sub>ij</sub>(x) = 0. <b>Hatched ×</b>: the top vote count is shared (a "
                   f"cycle a ≻ b ≻ c ≻ a): {frac} of the plot.",
        }.get(r.method, "Shading: argmax<sub>k</sub> (w<sub>k</sub>ᵀx + b<sub>k</sub>) of one "
                        "jointly trained model: every point has exactly one winner, so there "
                        f"are <b>no ambiguous or tied regions</b> ({frac} of the plot; "
                        "boundaries have zero area).")
        return f"<small>{text} Black-edged points are misclassified.</small>"

    def _draw_small(self, method: str) -> None:
        r = self.results[method]
        self.small_sources[method].data = self._image(r, 0.5, grey_unclear=True)
        f = self.small_figs[method]
        base = f" ({'SVM' if r.base == 'svm' else 'logistic'})" if r.base else ""
        f.title.text = f"{SHORT[method]}{base}: train acc {r.accuracy:.3f}"
        selected = method == self.method
        f.outline_line_color = "#000000" if selected else "#cccccc"
        f.outline_line_width = 3 if selected else 1

    # ------------------------------------------------------------------ numbers
    def _show_stats(self) -> None:
        res, K = self.results, self.n_classes
        ovr, ovo = res["ovr"], res["ovo"]
        self.stats = {
            "n_train": ("training points n (incl. clicked)", len(self.y)),
            "n_clicked": ("clicked points", len(self._clicked_y)),
            "C": ("C (notes)", float(self.C)),
            "C_sklearn": ("scikit-learn C = 1 / C", float(1.0 / self.C)),
            "ovr_none_fraction": ("OvR: area claimed by no class", float(np.mean(ovr.claims == 0))),
            "ovr_multi_fraction": ("OvR: area claimed by ≥ 2 classes",
                                   float(np.mean(ovr.claims > 1))),
            "ovr_ambiguous_fraction": ("OvR: ambiguous area", float(np.mean(ovr.unclear))),
            "ovo_tie_fraction": ("OvO: tied area", float(np.mean(ovo.ties))),
        }
        rows = []
        for m, r in res.items():
            self.stats.update({f"acc_{m}": (f"{SHORT[m]}: train accuracy", r.accuracy),
                               f"fit_ms_{m}": (f"{SHORT[m]}: fit time [ms]", r.fit_ms),
                               f"n_binary_{m}": (f"{SHORT[m]}: binary classifiers", r.n_binary),
                               f"converged_{m}": (f"{SHORT[m]}: converged", r.converged)})
            count = (" = K" if m == "ovr" else " = K(K−1)/2" if m == "ovo" else
                     f" (one joint problem, {K} weight vectors)")
            kind = {"ovr": "ambiguous", "ovo": "tied"}.get(m, "(argmax)")
            rows.append(
                f"<tr{' style=font-weight:bold' if m == self.method else ''}>"
                f"<th>{html.escape(METHODS[m] + (f' ({BASES[r.base]})' if r.base else ''))}</th>"
                f"<td><span data-stat='n_binary_{m}'>{r.n_binary}</span>{count}</td>"
                f"<td><span data-stat='acc_{m}'>{r.accuracy:.4f}</span></td>"
                f"<td><span data-stat='unclear_{m}'>{100 * np.mean(r.unclear):.2f}</span>% {kind}"
                f"</td><td><span data-stat='fit_ms_{m}'>{r.fit_ms:.1f}</span></td>"
                f"<td><span data-stat='converged_{m}'>{'yes' if r.converged else 'no'}</span>"
                "</td></tr>")
        pct = {k: f"<span data-stat='{k}'>{100 * self.stats[k][1]:.2f}</span>%"
               for k in ("ovr_none_fraction", "ovr_multi_fraction")}
        self._numbers.object = (
            "<table class='demo-stats'><tr><th>method</th><th>binary classifiers</th>"
            "<th>train accuracy</th><th>ambiguous / tied area (of the plot)</th>"
            "<th>fit time [ms]</th><th>converged</th></tr>" + "".join(rows) + "</table>"
            f"<small>n = <span data-stat='n_train'>{len(self.y)}</span> points "
            f"(<span data-stat='n_clicked'>{len(self._clicked_y)}</span> clicked), K = {K}, "
            f"C = <span data-stat='C'>{self.C:.4g}</span> (scikit-learn C = "
            f"<span data-stat='C_sklearn'>{1 / self.C:.4g}</span>). OvR area claimed by no "
            f"class: {pct['ovr_none_fraction']}, by ≥ 2 classes: {pct['ovr_multi_fraction']}. "
            f"Area = share of the {GRID_N}×{GRID_N} grid; fit times exclude drawing; only the "
            "methods whose settings changed are refitted.</small>")

    def _show_answers(self) -> None:
        res, K, n = self.results, self.n_classes, len(self.y)
        ovr, ovo, soft, msvm = (res[m] for m in METHODS)
        idx = np.searchsorted(msvm.model.classes_, self.y)
        cs = msvm.model.losses(self.X, self.y)     # the Crammer-Singer loss of every point
        agree = float(np.mean(soft.pred == msvm.pred))
        proba = soft.model.predict_proba(self.X)[np.arange(n), idx]
        n_mid = int(np.sum(ovr.claims > 1)) + int(np.sum(ovr.claims == 0))
        self._answers.object = (
            "<p><b>How to extend binary classification to K classes?</b> Four ways, all fitted "
            f"here on K = {K} classes: one-vs-rest trains <span data-stat='answer_n_ovr'>"
            f"{ovr.n_binary}</span> binary models “class k vs the rest” (the notes count K − 1 "
            "by letting the last class be “none of the others”; one per class keeps the map "
            f"symmetric), one-vs-one <span data-stat='answer_n_ovo'>{ovo.n_binary}</span> = "
            f"K(K−1)/2 models, one per pair (for K = 10 that would be 45), while softmax "
            f"regression and the multiclass SVM solve <i>one</i> problem with K = {K} weight "
            f"vectors (3K = {3 * K} numbers with the biases).</p>"
            "<p><b>Why does one-vs-rest have ambiguous regions?</b> Each f<sub>k</sub> is "
            "trained alone to answer “is x of class k?”; nothing makes the K answers agree. "
            f"Here <span data-stat='answer_none'>{100 * np.mean(ovr.claims == 0):.1f}</span>% of "
            "the plot gets “no” from every model and "
            f"<span data-stat='answer_multi'>{100 * np.mean(ovr.claims > 1):.1f}</span>% “yes” "
            f"from several ({n_mid} grid cells; {ovr.train_unclear} of the {n} training points "
            "lie there). argmax<sub>k</sub> f<sub>k</sub> still decides, but the scores of "
            "separately trained models are not on a common scale.</p>"
            "<p><b>Why are one-vs-one's preferences not transitive?</b> Each pairwise model "
            "sees only its two classes, so around the middle a ≻ b, b ≻ c and c ≻ a can all "
            "hold and every class gets the same number of votes: "
            f"<span data-stat='answer_ties'>{100 * np.mean(ovo.ties):.1f}</span>% of the plot "
            f"({ovo.train_unclear} training points) is such a tie, broken here by the summed "
            "confidences. For round blobs of equal size each pairwise boundary is close to the "
            "perpendicular bisector of two centres, and the bisectors of a triangle meet in one "
            "point, so the tie triangles are small; unequal or overlapping classes widen them. "
            "“Tie-breaking is difficult, neither of the methods is good.”</p>"
            "<p><b>What does softmax regression fix?</b> One model p(y = k | x) ∝ exp(w<sub>k"
            "</sub>ᵀx + b<sub>k</sub>) trained jointly: the argmax is unique everywhere (0% "
            "ambiguous), and the probabilities are calibrated against each other. Train "
            f"accuracy <span data-stat='answer_acc_softmax'>{soft.accuracy:.3f}</span>; mean "
            f"p(y<sup>(i)</sup> | x<sup>(i)</sup>) = {proba.mean():.3f}.</p>"
            "<p><b>How does the multiclass SVM's loss differ?</b> "
            "max<sub>y</sub>([y ≠ y<sub>i</sub>] + w<sub>y</sub>ᵀx<sub>i</sub> − "
            "w<sub>y<sub>i</sub></sub>ᵀx<sub>i</sub>) is zero only when the true class beats "
            "<i>every</i> other by a margin of 1, and only the worst competitor counts — unlike "
            "OvR's K separate hinge losses, each against a lumped “rest”. It is the ε → 0 limit "
            "of the notes' temperature loss ε ln Σ exp((L + wᵀψ)/ε) − wᵀψ with L = [y ≠ "
            "y<sub>i</sub>]; softmax's cross-entropy is its ε = 1 case with L = 0. Live: "
            f"<span data-stat='answer_cs_active'>{int(np.sum(cs > 1e-9))}</span> of {n} "
            f"points have a positive loss (margin violated), {int(np.sum(cs >= 1))} have loss "
            f"≥ 1 (misclassified or tied), total loss {cs.sum():.3g}; the SVM and softmax "
            f"predict the same class on <span data-stat='answer_agree'>{100 * agree:.1f}</span>"
            "% of the plot.</p>")
