"""The temperature demo's computation: parameters -> one frozen result (no Bokeh).

Course notes ("SVM as 0-temperature limit of logistic regression"): for two classes,
psi(x, yhat) = yhat [x, 1] / 2 and the margin m = y (w^T x + b), the loss of a point is
l_eps(m) = eps ln(1 + exp((L - m) / eps)): l_0 = max(0, L - m) (the SVM's hinge) and
l_1 = ln(1 + e^{-m}) at L = 0 (logistic regression). At the optimum
w = (1/C) sum_i beta_i y_i x_i with beta_i = sigma((L - m_i) / eps), the weight the softmax puts
on the wrong label: the SVM's alpha in the limit (1 inside the margin, 0 outside).
"""
from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from ece544core.datasets import make_toy
from ece544core.logistic import LogisticRegression
from ece544core.losses import binary_logistic_loss, binary_temperature_loss
from ece544core.svm import SVC
from ece544core.temperature import (TemperatureClassifier, temperature_bounds,
                                    temperature_objective)

DATASETS = ("blobs", "overlap", "moons")  # two-class sets of datasets.TOY_2D
MARGINS = np.linspace(-3.0, 3.0, 301)      # margin axis m of the loss plot
SOFT = (0.01, 0.99)                        # beta in this open interval: a "soft" support vector
CACHE_SIZE = 64                            # reference fits kept, by (data, C, L)
LN2 = math.log(2.0)


# ------------------------------------------------------------------------------ pure helpers
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


# ------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class Line:
    """A linear model's (w, b)."""

    w: np.ndarray
    b: float


@dataclass(frozen=True)
class References:
    """The two ends, fitted by the core's own estimators for the current data, C and L."""

    svm: Line                  # eps = 0: L times the notes' SVM at C L (svm.SVC, primal)
    svm_alpha: np.ndarray      # its dual variables alpha in [0, 1]
    logistic: Line             # eps = 1, L = 0: logistic.LogisticRegression(C)
    J0: float                  # J_0 at the SVM: the minimum of the eps = 0 objective


@dataclass(frozen=True)
class TemperatureResult:
    """Everything the page shows for one (data, C, L, eps)."""

    eps: float
    C: float
    L: float
    X: np.ndarray              # (n, 2)
    y: np.ndarray              # (n,) in {0, 1}
    signs: np.ndarray          # (n,) y as -1 / +1
    fit: Line                  # the TemperatureClassifier's (w, b) at eps
    m: np.ndarray              # margins y_i (w^T x_i + b)
    beta: np.ndarray           # eps > 0: sigma((L - m)/eps); eps = 0: the SVM's alpha
    loss: np.ndarray           # l_eps(m_i)
    hinge: np.ndarray          # max(0, L - m_i)
    J: float                   # J_eps(w, b)
    bounds: tuple[float, float]  # (J_0, J_0 + n eps ln 2)
    refs: References
    soft: np.ndarray           # (n,) bool: eps > 0: SOFT[0] < beta < SOFT[1]; eps = 0: free SV
    bounded: np.ndarray        # (n,) bool: eps > 0: beta >= SOFT[1]; eps = 0: alpha = 1
    curves: dict               # loss_curves(eps, L)
    solver: str
    n_iter: int
    converged: bool
    coef: np.ndarray           # the classifier's coef_ (1, 2) and intercept_ (1,)
    intercept: np.ndarray

    @property
    def n(self) -> int:
        return len(self.y)

    @property
    def bound_holds(self) -> bool:
        lo, hi = self.bounds
        return bool(lo - 1e-6 * max(1.0, lo) <= self.J <= hi + 1e-6 * max(1.0, hi))

    @property
    def train_accuracy(self) -> float:
        return float(np.mean(self.m > 0))

    def angle_offset(self, name: str) -> tuple[float | None, float | None]:
        """compare_lines to the reference ``name`` ("svm" or "logistic")."""
        ref = getattr(self.refs, name)
        return compare_lines(self.fit.w, self.fit.b, ref.w, ref.b)

    @property
    def w_from_beta(self) -> float:
        """||w - (1/C) sum beta_i y_i x_i|| (0 at the optimum)."""
        return float(np.linalg.norm(self.fit.w - (self.beta * self.signs) @ self.X / self.C))

    @property
    def gap(self) -> np.ndarray:
        """l_eps(m_i) - max(0, L - m_i), in [0, eps ln 2]."""
        return self.loss - self.hinge


# ------------------------------------------------------------------------------ computation
class TemperatureModel:
    """The memoised parts of the computation: the data, the reference fits (cached by
    (data, C, L)) and the one warm-started eps > 0 estimator."""

    def __init__(self):
        self._data_key = None
        self._refs: OrderedDict = OrderedDict()
        self._eps0: dict = {}
        self._warm: TemperatureClassifier | None = None

    def data(self, dataset: str, n_samples: int, noise: float, seed: int):
        """(X, y) from the toy-set registry; a new data set drops the caches."""
        key = (dataset, int(n_samples), float(noise), int(seed))
        if key != self._data_key:
            X, y = make_toy(dataset, n_samples, noise, random_state=seed)
            self._data_key, self._X, self._y = key, X, y
            self._refs.clear()
            self._eps0.clear()
            self._warm = None
        return self._X, self._y

    def references(self, C: float, L: float) -> References:
        """The SVM (eps = 0) and logistic (eps = 1, L = 0) fits, cached by (C, L).

        eps = 0 with task loss L is L times the notes' SVM at C L: C/2 ||L w'||^2 + sum
        max(0, L - L m') = L (C L / 2 ||w'||^2 + sum max(0, 1 - m')), so w = L w', b = L b'
        and w = (1/C) sum alpha y x with the SVM's alpha. L = 0: w = 0, b = 0 is optimal."""
        key = (float(C), float(L))
        if key in self._refs:
            self._refs.move_to_end(key)
            return self._refs[key]
        X, y = self._X, self._y
        signs = np.where(y == 1, 1.0, -1.0)
        if L > 0:
            svc = SVC(C=C * L, kernel="linear", solver="primal").fit(X, y)
            svm = Line(L * svc.coef_[0], L * float(svc.intercept_[0]))
            alpha = np.asarray(svc.alpha_, float)
        else:
            svm, alpha = Line(np.zeros(X.shape[1]), 0.0), np.zeros(len(y))
        logit = LogisticRegression(C=C).fit(X, y)
        ref = References(svm=svm, svm_alpha=alpha,
                         logistic=Line(logit.coef_[0].copy(), float(logit.intercept_[0])),
                         J0=temperature_objective(svm.w, svm.b, X, signs, C, 0.0, L))
        self._refs[key] = ref
        while len(self._refs) > CACHE_SIZE:
            self._refs.popitem(last=False)
        return ref

    def classifier(self, eps: float, C: float, L: float) -> TemperatureClassifier:
        """TemperatureClassifier(psi="binary", eps, C, L) fitted on the data. eps > 0: the one
        warm-started estimator (L-BFGS from the previous eps's solution); eps = 0: the SVM's
        exact primal solver, whose result does not depend on a start, cached by (C, L)."""
        X, y = self._X, self._y
        if eps == 0.0:
            key = (float(C), float(L))
            if key not in self._eps0:
                model = TemperatureClassifier(psi="binary", eps=0.0, C=C, task_loss=L)
                self._eps0[key] = model.fit(X, y)
            return self._eps0[key]
        if self._warm is None:
            self._warm = TemperatureClassifier(psi="binary", eps=eps, C=C, task_loss=L,
                                               warm_start=True)
        self._warm.set_params(eps=eps, C=C, task_loss=L)
        return self._warm.fit(X, y)

    def compute(self, dataset: str, n_samples: int, noise: float, seed: int, C: float, L: float,
                eps: float) -> TemperatureResult:
        X, y = self.data(dataset, n_samples, noise, seed)
        eps, C, L = float(eps), float(C), float(L)
        refs = self.references(C, L)
        model = self.classifier(eps, C, L)
        signs = np.where(y == 1, 1.0, -1.0)
        w, b = model.coef_[0].copy(), float(model.intercept_[0])
        m = signs * (X @ w + b)
        if eps > 0:
            beta = model.dual_coef_[np.arange(len(y)), 1 - y]   # weight of yhat = -y
            soft, bounded = (beta > SOFT[0]) & (beta < SOFT[1]), beta >= SOFT[1]
        else:
            beta = refs.svm_alpha                  # the SVM's alpha (dual_coef_ is one-hot)
            if L == 0:
                soft = bounded = np.zeros(len(y), bool)
            else:
                soft, bounded = (beta > 1e-8) & (beta < 1 - 1e-8), beta >= 1 - 1e-8
        return TemperatureResult(
            eps=eps, C=C, L=L, X=X, y=y, signs=signs, fit=Line(w, b), m=m, beta=beta,
            loss=binary_temperature_loss(m, eps, L), hinge=binary_temperature_loss(m, 0.0, L),
            J=temperature_objective(w, b, X, signs, C, eps, L),
            bounds=temperature_bounds(refs.J0, len(y), eps), refs=refs, soft=soft,
            bounded=bounded, curves=loss_curves(eps, L), solver=model.solver_,
            n_iter=int(model.n_iter_), converged=bool(model.converged_),
            coef=model.coef_.copy(), intercept=model.intercept_.copy())
