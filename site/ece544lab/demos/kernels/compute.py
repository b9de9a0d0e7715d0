"""The kernels demo's compute part: data -> K = a·K1 ⊕ b·K2 (:mod:`ece544core.kernel_algebra`)
-> Mercer check -> an SVM and a kernel logistic regression with K -> the kernel trick, as one
frozen :class:`KernelsResult`. No Bokeh objects here.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ece544core import datasets, kernel_algebra, kernels
from ece544core.kernel_logistic import KernelLogisticRegression
from ece544core.svm import SVC

from ...views.plotting import fit_box, grid, zero_level_lines

#: The registry's two-class sets that no line separates.
DATASETS = ("circles", "moons", "xor")
#: Base functions offered for K1 and K2; "distance" ||x - z|| is the deliberate non-kernel.
BASE = {"linear": "linear  xᵀz", "poly": "polynomial  (γxᵀz + c)ᵖ",
        "rbf": "squared exponential  exp(−γ‖x − z‖²)", "sigmoid": "sigmoid  tanh(γxᵀz + c)",
        "distance": "distance ‖x − z‖ (not a kernel)"}
#: Which sliders each base function uses.
USES = {**{name: kernels.KERNEL_PARAMS[name] for name in ("linear", "poly", "rbf", "sigmoid")},
        "distance": ()}
COMBINE = {"+": "a·K₁ + b·K₂", "×": "(a·K₁) × (b·K₂)", "K1": "a·K₁ only"}
GRID_N = 80                     # decision-region image is GRID_N x GRID_N
FRAME = (380, 320)              # SVM plot frame (pixels); the data box gets the same aspect
PSD_TOL = 1e-8                  # check_psd's relative tolerance
SMO_MAX_ITER = 20000            # a non-PSD K can make SMO slow: stop and say so


@dataclass(frozen=True)
class Trick:
    """The kernel trick shown for K1's polynomial (or degree 2, gamma 1, c 1 when K1 is not
    polynomial): ``check`` (None when c < 0: no real feature map, ``reason`` says why)."""

    degree: int
    gamma: float
    coef0: float
    check: kernel_algebra.KernelTrickCheck | None
    reason: str = ""


@dataclass(frozen=True)
class KernelsResult:
    """One evaluation of the kernels demo (X, y sorted by class; K the composed Gram matrix).

    ``report``: Mercer check of K (``n_negative`` eigenvalues below -PSD_TOL max|λ|);
    ``parts``: the checks of K1 (and K2) alone; ``refusals``: weights <= 0 that break the rule;
    ``model``: the SVM with K (``fit_note``: its warnings); ``logistic``: kernel logistic
    regression with K, or None with ``logistic_note`` (it needs a PSD K); ``box``, ``svm_f``:
    the SVM's f on the GRID_N x GRID_N grid; ``lines``: multi_line data of f = 0, f = ±1 and
    logistic f = 0; accuracies on the training data; ``trick``: :class:`Trick`.
    """

    params: dict
    X: np.ndarray
    y: np.ndarray
    K: np.ndarray
    report: kernels.PSDReport
    n_negative: int
    parts: dict
    refusals: tuple
    model: SVC
    fit_note: str
    logistic: KernelLogisticRegression | None
    logistic_note: str
    box: tuple
    svm_f: np.ndarray
    lines: dict
    train_accuracy: float
    linear_accuracy: float
    trick: Trick


def sorted_data(dataset: str, n_samples: int, noise: float, seed: int):
    """The registry's 2-D sample with its points sorted by class (class 0 first), so that the
    Gram matrix shows the within-class blocks on its diagonal."""
    X, y = datasets.make_toy(dataset, n_samples=n_samples, noise=noise, random_state=seed)
    order = np.argsort(y, kind="stable")
    return X[order], y[order]


def spec(p: dict, k: str) -> tuple:
    """(name, gamma, degree, coef0) of base function k = "1" or "2"."""
    return p[f"kernel{k}"], p[f"gamma{k}"], p[f"degree{k}"], p[f"coef0_{k}"]


class Cache:
    """What a slider of one part does not change: the Mercer checks of K1, K2 alone (per data
    and base function) and the linear-kernel SVM's accuracy (per data and C)."""

    def __init__(self):
        self.parts: dict = {}
        self.linear: dict = {}

    def part(self, data: tuple, spec_k: tuple, X) -> kernels.PSDReport:
        key = (data, spec_k)
        if key not in self.parts:
            K = kernels.gram(kernel_algebra.base_function(*spec_k), X)
            self.parts[key] = kernels.check_psd(K, tol=PSD_TOL)
        return self.parts[key]

    def linear_accuracy(self, data: tuple, C: float, X, y) -> float:
        key = (data, C)
        if key not in self.linear:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                lin = SVC(C=C, kernel="linear", max_iter=SMO_MAX_ITER).fit(X, y)
            self.linear = {key: float(np.mean(lin.predict(X) == y))}
        return self.linear[key]


def compute(p: dict, cache: Cache) -> KernelsResult:
    """Data -> K -> Mercer check -> SVM and logistic regression with K -> kernel trick."""
    data = (p["dataset"], p["n_samples"], p["noise"], p["seed"])
    X, y = sorted_data(*data)
    combo = kernel_algebra.combine(kernel_algebra.base_function(*spec(p, "1")),
                                   kernel_algebra.base_function(*spec(p, "2"))
                                   if p["combine"] != "K1" else None, p["combine"], p["a"], p["b"])
    kfun = combo.kernel
    K = kernels.gram(kfun, X)
    report = kernels.check_psd(K, tol=PSD_TOL)
    eig = report.eigenvalues
    n_negative = int(np.sum(eig < -PSD_TOL * max(1.0, float(np.abs(eig).max()))))
    seen = ("1", "2") if p["combine"] != "K1" else ("1",)
    cache.parts = {key: v for key, v in cache.parts.items()
                   if key[0] == data and key[1] in [spec(p, k) for k in seen]}
    parts = {k: cache.part(data, spec(p, k), X) for k in seen}
    model, fit_note = fit_svm(kfun, X, y, p["C"])
    logistic, logistic_note = fit_logistic(kfun, X, y, p["C"])
    box = fit_box(X, FRAME[0] / FRAME[1])
    xx, yy, points = grid(*box, GRID_N)
    F = model.decision_function(points).reshape(GRID_N, GRID_N)  # (row = y, column = x)
    xs, ys = xx[0], yy[:, 0]
    plus, minus = zero_level_lines(xs, ys, F - 1.0), zero_level_lines(xs, ys, F + 1.0)
    lines = dict(boundary=zero_level_lines(xs, ys, F),
                 margins=dict(xs=plus["xs"] + minus["xs"], ys=plus["ys"] + minus["ys"]),
                 logistic=zero_level_lines(xs, ys, logistic.decision_function(points)
                                           .reshape(F.shape)) if logistic is not None
                 else dict(xs=[], ys=[]))
    return KernelsResult(
        params=dict(p), X=X, y=y, K=K, report=report, n_negative=n_negative, parts=parts,
        refusals=combo.refusals, model=model, fit_note=fit_note, logistic=logistic,
        logistic_note=logistic_note, box=box, svm_f=F, lines=lines,
        train_accuracy=float(np.mean(model.predict(X) == y)),
        linear_accuracy=cache.linear_accuracy(data, p["C"], X, y), trick=trick(p, X))


def fit_svm(kfun, X, y, C):
    """svm.SVC with the callable K (a non-PSD K is fitted too): (model, its warnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        model = SVC(C=C, kernel=kfun, max_iter=SMO_MAX_ITER).fit(X, y)
    note = "; ".join(str(w.message) for w in caught if issubclass(w.category, RuntimeWarning))
    return model, note


def fit_logistic(kfun, X, y, C):
    """Kernel (dual) logistic regression with the same K and C: (model, '') or (None, why)
    -- its Newton solver needs a PSD K, and says so otherwise."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return KernelLogisticRegression(C=C, kernel=kfun).fit(X, y), ""
    except ValueError as exc:
        return None, str(exc)


def trick(p: dict, X) -> Trick:
    """The kernel trick on the sample for K1's polynomial (else the textbook degree 2)."""
    if p["kernel1"] == "poly":
        degree, gamma, coef0 = p["degree1"], p["gamma1"], p["coef0_1"]
    else:
        degree, gamma, coef0 = 2, 1.0, 1.0
    try:
        return Trick(degree, gamma, coef0, kernel_algebra.kernel_trick(X, degree, gamma, coef0))
    except ValueError as exc:
        return Trick(degree, gamma, coef0, None, str(exc))
