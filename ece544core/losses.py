"""The temperature family of structured losses: the SVM as the 0-temperature limit of logistic
regression (course notes, "SVM as 0-temperature limit of logistic regression").

For scores s_i = (w^T psi(x^(i), yhat))_yhat, a task loss Delta(y, yhat) >= 0 and a temperature
eps >= 0,

    L_eps(s; y) = eps ln sum_yhat exp((Delta(y, yhat) + s_yhat) / eps) - s_y,

    eps -> 0:  L_0 = max_yhat (Delta(y, yhat) + s_yhat) - s_y   (multiclass hinge, structured SVM)
    eps = 1, Delta = 0:  L_1 = ln sum_yhat exp(s_yhat) - s_y     (cross-entropy, -ln softmax(s)_y)

``temperature_loss`` is the one general function; ``multiclass_hinge`` and ``cross_entropy`` are
its named special cases, and ``binary_logistic_loss`` / ``binary_hinge`` are the two-class view
on the margin m = y (w^T x + b), y = +-1. Since eps * logsumexp(a / eps) >= max(a), and its
derivative in eps is the entropy of softmax(a / eps) >= 0, L_eps is non-decreasing in eps and
L_0 <= L_eps <= L_0 + eps ln K.

``TemperatureClassifier`` trains a linear multiclass model with
C/2 ||W||^2 + sum_i L_eps(W x^(i) + b; y^(i)) (L-BFGS for eps > 0, subgradient descent with a
diminishing step for eps = 0).
"""
from __future__ import annotations

import math

import numpy as np

from ._validation import (check_array, check_is_fitted, check_n_features, check_scalar,
                          check_X_y, check_y)
from .base import BaseEstimator, ClassifierMixin
from .logistic import logistic_loss, logsumexp, softmax
from .optim import minimize

__all__ = ["temperature_loss", "multiclass_hinge", "cross_entropy", "binary_logistic_loss",
           "binary_hinge", "TemperatureClassifier"]


# ------------------------------------------------------------------------------ validation
def _check_eps(eps) -> float:
    eps = check_scalar(eps, "eps", float, min_val=0.0)
    if not math.isfinite(eps):
        raise ValueError(f"eps must be a finite number >= 0; got {eps!r}")
    return eps


def _check_scores_y(scores, y):
    """scores (n, K) float, y (n,) int indices in [0, K)."""
    scores = check_array(scores, name="scores")
    n, K = scores.shape
    y = check_y(y, name="y")
    if y.dtype.kind not in "iuf":
        raise ValueError(f"y must hold integer class indices in [0, {K}); got dtype {y.dtype}")
    if y.dtype.kind == "f":
        if np.any(y != np.round(y)):
            bad = y[y != np.round(y)][0]
            raise ValueError(f"y must hold integer class indices in [0, {K}); got {bad!r}")
    if y.shape[0] != n:
        raise ValueError(f"scores and y must have the same number of samples; got scores with "
                         f"{n} rows and y with {y.shape[0]} entries")
    out = (y < 0) | (y >= K)
    if np.any(out):
        raise ValueError(f"y must hold class indices in [0, {K}) (K = scores.shape[1]); "
                         f"got {y[out][0]!r}")
    return scores, y.astype(np.intp)


def _check_task_loss(task_loss, K: int) -> np.ndarray:
    """The (K, K) matrix Delta[y, yhat]; None -> the 0-1 loss 1[y != yhat]."""
    if task_loss is None:
        return 1.0 - np.eye(K)
    D = check_array(task_loss, name="task_loss")
    if D.shape != (K, K):
        raise ValueError(f"task_loss must be a ({K}, {K}) matrix Delta[y, yhat]; "
                         f"got shape {D.shape}")
    return D


# ------------------------------------------------------------------------------ functions
def _temperature(scores, y, eps, D):
    """The validated core: (loss (n,), grad (n, K))."""
    n, K = scores.shape
    rows = np.arange(n)
    A = D[y] + scores  # (n, K): Delta(y_i, yhat) + s_yhat
    m = A.max(axis=1)
    G = np.zeros((n, K))
    if eps == 0.0:
        loss = m - scores[rows, y]
        G[rows, np.argmax(A, axis=1)] = 1.0  # argmax: lowest index on ties
    else:
        with np.errstate(over="ignore"):
            Z = (A - m[:, None]) / eps  # <= 0, so exp never overflows (tiny eps: -inf -> 0)
        loss = m + eps * logsumexp(Z, axis=1) - scores[rows, y]
        G = softmax(Z, axis=1)
    G[rows, y] -= 1.0
    return loss, G


def temperature_loss(scores, y, eps, task_loss=None):
    """L_eps(s; y) = eps ln sum_yhat exp((Delta(y, yhat) + s_yhat) / eps) - s_y, per sample.

    Parameters
    ----------
    scores : array-like (n, K)
        s_i,yhat = w^T psi(x^(i), yhat).
    y : array-like (n,)
        True class indices in [0, K).
    eps : float >= 0
        Temperature; eps = 0 is the exact limit max_yhat (Delta(y, yhat) + s_yhat) - s_y.
    task_loss : array-like (K, K) or None
        Delta[y, yhat]; None is the 0-1 loss 1[y != yhat]; np.zeros((K, K)) gives Delta = 0.

    Returns
    -------
    loss : ndarray (n,)
    grad : ndarray (n, K)
        dL/ds = softmax((Delta(y, .) + s) / eps) - onehot(y); for eps = 0 the subgradient
        onehot(argmax_yhat (Delta + s), lowest index on ties) - onehot(y).
    """
    eps = _check_eps(eps)
    scores, y = _check_scores_y(scores, y)
    D = _check_task_loss(task_loss, scores.shape[1])
    return _temperature(scores, y, eps, D)


def multiclass_hinge(scores, y, task_loss=None):
    """L_0(s; y) = max_yhat (Delta(y, yhat) + s_yhat) - s_y: ``temperature_loss(eps=0)``.

    Returns (loss (n,), subgradient (n, K)); Delta defaults to the 0-1 loss.
    """
    return temperature_loss(scores, y, 0.0, task_loss)


def cross_entropy(scores, y):
    """L_1(s; y) with Delta = 0: ln sum_k exp(s_k) - s_y = -ln softmax(s)_y.

    ``temperature_loss(eps=1, task_loss=zeros)``; returns (loss (n,), softmax(s) - onehot(y)).
    """
    scores, y = _check_scores_y(scores, y)
    K = scores.shape[1]
    return _temperature(scores, y, 1.0, np.zeros((K, K)))


def binary_logistic_loss(margins):
    """ln(1 + exp(-m)) of margins m = y (w^T x + b), y = +-1 (= cross_entropy on scores
    (0, w^T x + b)); returns ndarray of the margins' shape."""
    m = check_array(margins, name="margins", ensure_2d=False)
    return logistic_loss(m)


def binary_hinge(margins):
    """max(0, 1 - m) of margins m = y (w^T x + b), y = +-1 (= multiclass_hinge with the 0-1
    loss on scores (0, w^T x + b)); returns ndarray of the margins' shape."""
    m = check_array(margins, name="margins", ensure_2d=False)
    return np.maximum(0.0, 1.0 - m)


# ------------------------------------------------------------------------------ estimator
class TemperatureClassifier(ClassifierMixin, BaseEstimator):
    """Linear multiclass classifier: min_{W,b} C/2 ||W||^2 + sum_i L_eps(W x^(i) + b; y^(i)).

    eps = 1 with task_loss = zeros is softmax regression (``logistic.SoftmaxRegression(C)``);
    eps = 0 with the 0-1 loss is the multiclass (Crammer-Singer) SVM. The intercepts are not
    penalised.

    Parameters
    ----------
    eps : float >= 0
        Temperature. eps > 0: L-BFGS (``optim.minimize``); eps = 0: subgradient descent with
        the diminishing normalised step t_k = lr / (sqrt(k + 1) ||g_k||), keeping the best
        iterate (slow, O(1/sqrt(k)): use a small eps > 0 for an accurate hinge solution, since
        J_0 <= J_eps <= J_0 + n eps ln K).
    C : float > 0
    task_loss : array-like (K, K) or None
        Delta[k, l] between class indices (order of ``classes_``); None: the 0-1 loss.
    max_iter : int >= 1
    tol : float > 0
        eps > 0: stop when max_j |dJ/dtheta_j| <= tol * n_samples.
    lr : float > 0
        eps = 0: length of the first subgradient step in parameter space.

    Attributes
    ----------
    coef_ : ndarray (K, n_features)
    intercept_ : ndarray (K,)
    classes_ : ndarray (K,)
    n_features_in_, n_iter_ : int
    converged_ : bool
        eps = 0: True only if a zero subgradient was met (there is no other stopping test).
    history_ : dict
        "f" the objective per iteration (and "grad_norm", "step_size"; for eps = 0 also
        "best_f", the best objective so far).
    """

    def __init__(self, eps=1.0, C=1.0, task_loss=None, max_iter=500, tol=1e-8, lr=1.0):
        self.eps = eps
        self.C = C
        self.task_loss = task_loss
        self.max_iter = max_iter
        self.tol = tol
        self.lr = lr

    # -- objective on theta = [W, b].ravel() with rows [w_k, b_k]
    def _fun_grad(self, theta, X, idx, D, eps, C, K):
        d = X.shape[1]
        T = theta.reshape(K, d + 1)
        W, b = T[:, :d], T[:, d]
        loss, R = _temperature(X @ W.T + b, idx, eps, D)  # R (n, K)
        f = 0.5 * C * float(np.sum(W * W)) + float(loss.sum())
        G = np.empty((K, d + 1))
        G[:, :d] = R.T @ X + C * W
        G[:, d] = R.sum(axis=0)
        return f, G.ravel()

    def fit(self, X, y):
        """Minimise J(W, b) on (X, y); returns self."""
        eps = _check_eps(self.eps)
        C = check_scalar(self.C, "C", float, min_val=0.0, include_min=False)
        if not math.isfinite(C):
            raise ValueError(f"C must be a finite positive number; got {C!r}")
        max_iter = check_scalar(self.max_iter, "max_iter", int, min_val=1)
        tol = check_scalar(self.tol, "tol", float, min_val=0.0, include_min=False)
        lr = check_scalar(self.lr, "lr", float, min_val=0.0, include_min=False)
        X, y = check_X_y(X, y)
        classes, idx = np.unique(y, return_inverse=True)
        idx = idx.reshape(-1)
        K = len(classes)
        if K < 2:
            raise ValueError(f"y needs at least two classes; got only one: {classes[0]!r}")
        D = _check_task_loss(self.task_loss, K)
        n, d = X.shape
        theta0 = np.zeros(K * (d + 1))
        cache = {}

        def fg(theta):
            key = theta.tobytes()
            if cache.get("key") != key:
                cache["key"], cache["fg"] = key, self._fun_grad(theta, X, idx, D, eps, C, K)
            return cache["fg"]

        if eps > 0:
            res = minimize(lambda t: fg(t)[0], lambda t: fg(t)[1], theta0, method="lbfgs",
                           step="armijo", tol=tol * n, max_iter=max_iter, norm=np.inf,
                           record_x=False)
            theta, self.n_iter_, self.converged_ = res.x, res.n_iter, res.converged
            self.history_ = res.history
        else:
            theta = self._subgradient(fg, theta0, lr, max_iter)
        T = theta.reshape(K, d + 1)
        self.coef_, self.intercept_ = T[:, :d].copy(), T[:, d].copy()
        self.classes_, self.n_features_in_ = classes, d
        self._D = D
        return self

    def _subgradient(self, fg, theta, lr, max_iter):
        """theta_{k+1} = theta_k - lr / sqrt(k + 1) g_k / ||g_k|| (normalised subgradient steps,
        O(1/sqrt(k)) in the best objective); returns the best iterate."""
        f, g = fg(theta)
        best_f, best = f, theta.copy()
        hist = {"f": [f], "best_f": [f], "grad_norm": [float(np.max(np.abs(g)))],
                "step_size": [np.nan]}
        for k in range(max_iter):
            g_norm = float(np.linalg.norm(g))
            if g_norm == 0.0:  # 0 is a subgradient: theta is a minimiser
                break
            t = lr / math.sqrt(k + 1) / g_norm
            theta = theta - t * g
            f, g = fg(theta)
            if f < best_f:
                best_f, best = f, theta.copy()
            hist["f"].append(f)
            hist["best_f"].append(best_f)
            hist["grad_norm"].append(float(np.max(np.abs(g))))
            hist["step_size"].append(t)
        self.n_iter_ = len(hist["f"]) - 1
        self.converged_ = self.n_iter_ < max_iter
        self.history_ = {k: np.asarray(v) for k, v in hist.items()}
        return best

    def decision_function(self, X):
        """Scores s_k = w_k^T x + b_k: shape (n_samples, K)."""
        check_is_fitted(self, "coef_")
        X = check_array(X, name="X")
        check_n_features(X, self.n_features_in_)
        return X @ self.coef_.T + self.intercept_

    def predict(self, X):
        """classes_[argmax_k s_k]."""
        S = self.decision_function(X)
        return self.classes_[np.argmax(S, axis=1)]

    def objective(self, X, y) -> float:
        """J = C/2 ||W||^2 + sum_i L_eps(W x^(i) + b; y^(i)) at the fitted (coef_, intercept_)."""
        check_is_fitted(self, "coef_")
        X, y = check_X_y(X, y)
        check_n_features(X, self.n_features_in_)
        pos = np.clip(np.searchsorted(self.classes_, y), 0, len(self.classes_) - 1)
        if np.any(self.classes_[pos] != y):
            bad = y[self.classes_[pos] != y][0]
            raise ValueError(f"y contains labels the model was not fitted with, such as "
                             f"{bad!r}; classes_ are {list(self.classes_)}")
        loss, _ = _temperature(X @ self.coef_.T + self.intercept_, pos, _check_eps(self.eps),
                               self._D)
        return 0.5 * float(self.C) * float(np.sum(self.coef_ ** 2)) + float(loss.sum())
