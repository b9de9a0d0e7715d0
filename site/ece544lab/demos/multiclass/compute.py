"""The multiclass demo's computation: parameters -> fitted methods -> one frozen result.

Course notes ("Multiclass classification: how to classify between K classes?"): 1 vs rest
trains one binary model per class ("more than one good answer or no good answer"), 1 vs 1 one
per pair, K(K-1)/2 ("two-way preferences need not be transitive"); softmax uses K weight
vectors, p(y = k | x) = exp(w_k^T x) / sum_j exp(w_j^T x); the multiclass SVM minimises
C/2 sum_k ||w_k||^2 + sum_i max_y ([y != y_i] + w_y^T x_i - w_{y_i}^T x_i), the eps -> 0 limit
of the temperature loss. All four are fitted on the same 2-D blobs, in the notes' C
(scikit-learn's C = 1/C).
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import contourpy
import numpy as np

from ece544core.logistic import LogisticRegression, SoftmaxRegression
from ece544core.multiclass import MulticlassSVM, OneVsOneClassifier, OneVsRestClassifier
from ece544core.svm import SVC
from ece544core.toysets import CENTER_LAYOUTS, class_centers, make_blobs

from ...shell.jobs import Progress
from ...views.plotting import zero_level_lines

METHODS = {"ovr": "one-vs-rest", "ovo": "one-vs-one", "softmax": "softmax regression",
           "msvm": "multiclass SVM"}
SHORT = {"ovr": "OvR", "ovo": "OvO", "softmax": "softmax", "msvm": "multiclass SVM"}
BASES = {"svm": "linear SVM", "logistic": "logistic regression"}
LAYOUTS = CENTER_LAYOUTS
RADIUS = 2.5               # blob centres on a circle of this radius, random ones in a box
LINE_GAP = 2.0             # distance of neighbouring centres on the line
CACHE_SIZE = 64            # fitted (method, base, C) results kept for the current data
SVC_MAX_ITER = 10000       # SMO step cap of each binary SVM (a cap hit shows as "converged: no")
MSVM_MAX_ITER = 300        # Newton steps of the multiclass SVM
MSVM_TOL = 1e-6            # its relative duality-gap tolerance


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
@dataclass(frozen=True)
class MethodResult:
    """One fitted method and what the demo draws from it (grid arrays are flat, one per grid
    point)."""

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
    train_pred = model.predict(X)
    result = dict(method=method, base=base if method in ("ovr", "ovo") else None, C=float(C),
                  model=model, fit_ms=fit_ms, scores=scores,
                  pred=model.classes_[np.argmax(scores, axis=1)], train_pred=train_pred,
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


@dataclass(frozen=True)
class MulticlassResult:
    """The four fitted methods on one data set, the big plot's overlays and the live answers'
    numbers (grid arrays are flat, grid_n**2)."""

    X: np.ndarray               # (n, 2), generated then clicked points
    y: np.ndarray               # (n,)
    clicked: np.ndarray         # (n,) bool: the clicked rows
    box: tuple                  # ((x0, x1), (y0, y1)) of the plot
    grid_n: int
    points: np.ndarray          # (grid_n**2, 2) the grid the regions are evaluated on
    method: str                 # the one in the big plot
    C: float
    results: dict               # method -> MethodResult
    overlays: dict              # name -> Bokeh-free line / polygon data of the big plot
    cs_loss: np.ndarray         # the multiclass SVM's Crammer-Singer loss of every point
    agree: float                # share of the grid where softmax and the SVM agree
    mean_proba: float           # mean softmax p(y_i | x_i)

    @property
    def K(self) -> int:
        return int(np.unique(self.y).size)

    @property
    def n_clicked(self) -> int:
        return int(self.clicked.sum())

    @property
    def selected(self) -> MethodResult:
        return self.results[self.method]


def overlays_of(r: MethodResult, xx: np.ndarray, yy: np.ndarray, colors) -> dict:
    """The big plot's geometry for one method: OvR's multiply / un-claimed regions and OvO's
    tied ones (polygons), the binary boundaries f = 0 (OvR in the class colours ``colors[k]``,
    OvO's pairs grey) and the argmax boundary (not for OvO, whose vote scores jump)."""
    xs, ys = xx[0], yy[:, 0]
    shape = xx.shape
    out = {}
    for name, mask in (("multi", None if r.claims is None else r.claims > 1),
                       ("none", None if r.claims is None else r.claims == 0),
                       ("ties", r.ties)):
        out[name] = (dict(xs=[], ys=[]) if mask is None else
                     filled_regions(xs, ys, mask.reshape(shape)))
    if r.method == "ovr":
        columns = [(r.scores[:, k], colors[k]) for k in range(r.scores.shape[1])]
    elif r.method == "ovo":
        columns = [(r.pair_scores[:, p], "#444444") for p in range(r.pair_scores.shape[1])]
    else:
        columns = []
    lines = dict(xs=[], ys=[], color=[])
    for values, color in columns:
        seg = zero_level_lines(xs, ys, values.reshape(shape))
        lines["xs"] += seg["xs"]
        lines["ys"] += seg["ys"]
        lines["color"] += [color] * len(seg["xs"])
    out["lines"] = lines
    out["boundary"] = (argmax_boundaries(xs, ys, r.scores) if r.method != "ovo" else
                       dict(xs=[], ys=[]))
    return out


class MulticlassModel:
    """The memoised fits: (method, base, C) -> MethodResult for the current data (the cache
    empties when the data or the clicked points change)."""

    def __init__(self):
        self._data_key = None
        self._cache: dict = {}

    def fits(self, X, y, points, base: str, C: float):
        """A job: fit every method not in the cache (one chunk each), yielding Progress;
        returns {method: MethodResult}."""
        key = (X.tobytes(), y.tobytes(), points.tobytes())
        if key != self._data_key:
            self._data_key, self._cache = key, {}
        results = {}
        for k, method in enumerate(METHODS):
            ckey = (method, base if method in ("ovr", "ovo") else None, float(C))
            if ckey not in self._cache:
                if len(self._cache) >= CACHE_SIZE:
                    self._cache.pop(next(iter(self._cache)))
                yield Progress(k / len(METHODS), f"fitting {METHODS[method]}")
                self._cache[ckey] = fit_method(method, base, C, X, y, points)
            results[method] = self._cache[ckey]
        return results
