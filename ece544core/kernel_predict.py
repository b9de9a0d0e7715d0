"""The kernel dual predictor shared by ``svm.SVC`` and ``kernel_logistic.KernelLogisticRegression``.

Both duals of the notes (the SVM's with sum_i alpha^(i), logistic regression's with the entropy
sum_i H(alpha^(i))) give, by stationarity of the Lagrangian in w,

    w = (1/C) sum_i alpha^(i) y^(i) phi(x^(i)),

so both predict with the same kernel expansion

    f(x) = w^T phi(x) + b = (1/C) sum_i alpha^(i) y^(i) K(x^(i), x) + b
         = sum_i dual_coef_i K(x^(i), x) + b,   dual_coef_i = alpha^(i) y^(i) / C

(scikit-learn's ``dual_coef_``), over the points with alpha^(i) > 0: the SVM's support vectors,
every training point for logistic regression (there every alpha^(i) is in (0, 1)).
"""
from __future__ import annotations

import numpy as np

from . import kernels as _kernels
from ._validation import check_array, check_is_fitted, check_n_features
from .base import BaseEstimator, ClassifierMixin

__all__ = ["KernelDualClassifier", "dual_decision_function", "binary_signs", "is_linear_kernel"]


def dual_decision_function(kernel, points, dual_coef, intercept, X) -> np.ndarray:
    """f(x) = sum_i dual_coef_i K(points_i, x) + intercept for every row x of X: (n,).

    ``kernel`` is called as ``k(points, X)`` (``k.unchecked`` for a :class:`kernels.Kernel`:
    points and X must be validated float64 arrays with the same number of features);
    ``dual_coef`` has shape (m,) or (1, m) for ``points`` of shape (m, d). With m = 0,
    f = intercept.
    """
    coef = np.ravel(dual_coef)  # (m,)
    if coef.size == 0:
        return np.full(X.shape[0], float(intercept))
    return coef @ _kernels.evaluate(kernel, points, X) + float(intercept)  # (m,) @ (m, n)


def binary_signs(y, estimator: str):
    """(classes, y coded as -1 / +1 with classes[1] -> +1); a ValueError unless y has exactly
    two classes."""
    classes = np.unique(y)
    if classes.size != 2:
        raise ValueError(f"y must contain exactly two classes for a binary {estimator}; got "
                         f"{classes.size} class(es): {classes.tolist()[:5]}")
    return classes, np.where(y == classes[1], 1.0, -1.0)


def is_linear_kernel(kernel) -> bool:
    """kernel names the linear kernel (not a callable that happens to be one)."""
    return isinstance(kernel, str) and kernel == "linear"


class KernelDualClassifier(ClassifierMixin, BaseEstimator):
    """Base of the two-class kernel dual classifiers: f(x) = sum_i dual_coef_i K(x^(i), x) + b.

    A subclass's ``fit`` calls :meth:`_set_dual` with the expansion points x^(i), the notes'
    alpha, the labels y = +-1, C and b; :meth:`decision_function`, :meth:`predict` and
    ``coef_`` (linear kernel) follow from those.
    """

    #: the attribute that holds the expansion points x^(i) (set by the subclass's fit)
    _points_attr = "support_vectors_"

    def _set_dual(self, points, alpha, ys, C, b, kfun) -> None:
        """dual_coef_ = alpha y / C (1, m) over ``points``, intercept_ = [b]; kernel kfun."""
        self.dual_coef_ = (ys * alpha / C)[None, :]  # (1, m)
        self.intercept_ = np.array([float(b)])
        self.n_features_in_ = points.shape[1]
        self._kfun = kfun
        setattr(self, self._points_attr, points)

    @property
    def coef_(self):
        """w = (1/C) sum_i alpha^(i) y^(i) x^(i), shape (1, d); linear kernel only."""
        if not is_linear_kernel(self.kernel):
            raise AttributeError("coef_ is only available when kernel='linear'")
        check_is_fitted(self, "dual_coef_")
        return self.dual_coef_ @ getattr(self, self._points_attr)

    def decision_function(self, X):
        """f(x) = (1/C) sum_i alpha_i y_i K(x^(i), x) + b; > 0 means classes_[1]. Shape (n,)."""
        check_is_fitted(self, "dual_coef_")
        X = check_array(X)
        check_n_features(X, self.n_features_in_)
        return dual_decision_function(self._kfun, getattr(self, self._points_attr),
                                      self.dual_coef_, self.intercept_[0], X)

    def predict(self, X):
        """classes_[1] where f(x) > 0, else classes_[0]."""
        f = self.decision_function(X)  # checks fitted first
        return self.classes_[(f > 0).astype(int)]
