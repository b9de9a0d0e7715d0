"""Logistic regression (two classes) and softmax regression (K classes) as in the notes.

Binary, labels y in {-1, +1}:

    min_{w, b}  J(w, b) = C/2 ||w||^2 + sum_i log(1 + exp(-y^(i) (w^T x^(i) + b)))

Multinomial, p(y = k | x) = exp(w_k^T x + b_k) / sum_j exp(w_j^T x + b_j):

    min_{W, b}  J(W, b) = C/2 sum_k ||w_k||^2 - sum_i log p(y^(i) | x^(i))

The intercepts are not penalised. The notes put C on the regulariser; scikit-learn puts it on
the data term (min 1/2 ||w||^2 + C_sklearn sum_i loss_i), so the two share their minimiser
when C_notes = 1 / C_sklearn. Both estimators minimise J with :func:`ece544core.optim.minimize`
(gradient descent with Armijo steps, damped Newton, or L-BFGS). Every exponential goes through
log(1 + e^z) = max(z, 0) + log(1 + e^{-|z|}) or log-sum-exp, so no input overflows.
"""
from __future__ import annotations

import math

import numpy as np

from ._math import logsumexp, sigmoid, softmax, softplus, softplus_hess
from ._validation import (check_array, check_is_fitted, check_n_features, check_option,
                          check_scalar, check_X_y)
from .base import BaseEstimator, ClassifierMixin
from .optim import minimize

__all__ = ["sigmoid", "log1pexp", "logistic_loss", "logsumexp", "softmax", "LogisticRegression",
           "SoftmaxRegression", "NEWTON_MAX_PARAMS"]

#: SoftmaxRegression(solver="newton") builds the (K p) x (K p) Hessian: only up to this K p.
NEWTON_MAX_PARAMS = 1000
#: history_["x"] (every iterate) is kept for models with at most this many parameters.
RECORD_X_MAX_PARAMS = 1000


# ------------------------------------------------------------------------------ functions
def log1pexp(z):
    """log(1 + e^z), stable for any z (= softplus)."""
    return softplus(z)


def logistic_loss(margins):
    """The logistic loss log(1 + exp(-m)) of margins m = y (w^T x + b)."""
    return softplus(-np.asarray(margins, dtype=np.float64))


# ------------------------------------------------------------------------------ objectives
class _Objective:
    """J(theta) and its derivatives on fixed data; theta = Theta.ravel() with Theta (K, p),
    row k = [w_k, b_k] (b_k only with an intercept). fun(theta) caches what grad(theta) needs,
    so an optimiser that asks for f and then grad at the same point pays one pass for both."""

    def __init__(self, X, C: float, fit_intercept: bool, K: int):
        self.X, self.C, self.fit_intercept, self.K = X, C, fit_intercept, K
        self.d = X.shape[1]
        self.p = self.d + int(fit_intercept)
        self.size = K * self.p
        self._theta = None

    def split(self, theta):
        """(W (K, d), b (K,)) views of theta."""
        T = theta.reshape(self.K, self.p)  # (K, p)
        b = T[:, self.d] if self.fit_intercept else np.zeros(self.K)
        return T[:, :self.d], b

    def fun(self, theta) -> float:
        if self._theta is None or not np.array_equal(theta, self._theta):
            W, b = self.split(theta)
            self._f = 0.5 * self.C * float(np.sum(W * W)) + self._loss(W, b)
            self._theta = theta.copy()
        return self._f

    def grad(self, theta) -> np.ndarray:
        """grad J: the data term's gradient R^T [X, 1] plus C W (R from the cache)."""
        self.fun(theta)
        W, _ = self.split(theta)
        R = self._residual  # (n, K) or (n,)
        G = np.empty((self.K, self.p))
        G[:, :self.d] = (R.T @ self.X).reshape(self.K, self.d) + self.C * W
        if self.fit_intercept:
            G[:, self.d] = R.sum(axis=0)
        return G.ravel()

    def lipschitz_bound(self, curvature: float) -> float:
        """L <= C + curvature * ||[X, 1]||_2^2 (power iteration on [X, 1]^T [X, 1])."""
        rng = np.random.default_rng(0)
        v = rng.standard_normal(self.p)
        lam = 0.0
        for _ in range(30):
            u = self.X @ v[:self.d] + (v[self.d] if self.fit_intercept else 0.0)
            v_new = np.concatenate([self.X.T @ u, [u.sum()] if self.fit_intercept else []])
            lam = float(np.linalg.norm(v_new))
            if lam == 0.0:
                break
            v = v_new / lam
        return self.C + curvature * 1.05 * lam


class _BinaryObjective(_Objective):
    """J(w, b) = C/2 ||w||^2 + sum_i log(1 + exp(-m_i)), m_i = y_i (w^T x_i + b), y_i = +-1."""

    def __init__(self, X, y_pm, C, fit_intercept):
        super().__init__(X, C, fit_intercept, 1)
        self.y = y_pm

    def _loss(self, W, b) -> float:
        m = (self.X @ W[0] + b[0]) * self.y  # margins (n,)
        self._residual = (-self.y * sigmoid(-m))[:, None]  # d loss_i / d z_i, (n, 1)
        return float(np.sum(softplus(-m)))

    def hess(self, theta) -> np.ndarray:
        """C I (on w) + [X, 1]^T diag(sigma(m)(1 - sigma(m))) [X, 1]."""
        W, b = self.split(theta)
        s = softplus_hess((self.X @ W[0] + b[0]) * self.y)  # sigma(m)(1 - sigma(m)), (n,)
        H = np.empty((self.p, self.p))
        H[:self.d, :self.d] = (self.X.T * s) @ self.X
        H[:self.d, :self.d][np.diag_indices(self.d)] += self.C
        if self.fit_intercept:
            H[:self.d, self.d] = H[self.d, :self.d] = self.X.T @ s
            H[self.d, self.d] = s.sum()
        return H


class _SoftmaxObjective(_Objective):
    """J(W, b) = C/2 sum_k ||w_k||^2 + sum_i [log sum_k exp(z_ik) - z_i,y_i], z = X W^T + b."""

    def __init__(self, X, y_idx, C, fit_intercept, K):
        super().__init__(X, C, fit_intercept, K)
        self.y = y_idx
        self.rows = np.arange(X.shape[0])

    def _loss(self, W, b) -> float:
        Z = self.X @ W.T  # (n, K) logits, then shifted in place
        if self.fit_intercept:
            Z += b
        Z -= Z.max(axis=1, keepdims=True)
        z_true = Z[self.rows, self.y]
        np.exp(Z, out=Z)
        s = Z.sum(axis=1)
        loss = float(np.sum(np.log(s)) - np.sum(z_true))
        Z /= s[:, None]  # probabilities P
        Z[self.rows, self.y] -= 1.0  # residual P - Y = d loss / d Z
        self._residual = Z
        return loss

    def hess(self, theta) -> np.ndarray:
        """sum_i (diag(p_i) - p_i p_i^T) (x) x_i x_i^T + C I (on W), x_i = [x_i, 1]; plus the
        projector on the intercepts' null direction 1_K / sqrt(K) (J does not change when every
        b_k moves together; the gradient is orthogonal to it, so the Newton step is unchanged)."""
        W, b = self.split(theta)
        P = softmax(self.X @ W.T + b, axis=1)  # (n, K)
        Xa = np.hstack([self.X, np.ones((len(self.X), 1))]) if self.fit_intercept else self.X
        M = (P[:, :, None] * Xa[:, None, :]).reshape(len(Xa), self.size)  # (n, K p)
        H = -(M.T @ M)
        for k in range(self.K):
            blk = slice(k * self.p, (k + 1) * self.p)
            H[blk, blk] += (Xa.T * P[:, k]) @ Xa
        penalised = np.ones((self.K, self.p), dtype=bool)
        if self.fit_intercept:
            penalised[:, self.d] = False
            v = (~penalised).ravel() / math.sqrt(self.K)
            H += np.outer(v, v)
        H[np.diag_indices(self.size)] += self.C * penalised.ravel()
        return H


# ------------------------------------------------------------------------------ estimators
def _check_C(C) -> float:
    C = check_scalar(C, "C", float, min_val=0.0, include_min=False)
    if not math.isfinite(C):
        raise ValueError(f"C must be a finite positive number; got {C!r}")
    return C


class _LogisticBase(ClassifierMixin, BaseEstimator):
    """Shared validation, label coding and solving."""

    _solvers = ("gd", "newton", "lbfgs")
    _curvature = 0.25  # bound on the loss's second derivative in z, for the GD step
    _needs = "two"  # classes, in the error message

    def __init__(self, C, solver, fit_intercept, tol, max_iter):
        self.C = C
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, X, y):
        """Minimise J on (X, y) from theta = 0; returns self."""
        C, tol, max_iter = self._check_params()
        X, y = self._fit_data(X, y)
        classes, idx = self._encode(y)
        if len(classes) < 2:
            raise ValueError(f"y needs {self._needs} classes; got only one: {classes[0]!r}")
        obj = self._objective(X, idx, C, classes)
        W, b = obj.split(self._solve(obj, tol, max_iter))
        self.coef_, self.intercept_ = W.copy(), b.copy()
        self.classes_, self.n_features_in_ = classes, X.shape[1]
        return self

    def _check_params(self):
        C = _check_C(self.C)
        check_option(self.solver, "solver", self._solvers)
        if not isinstance(self.fit_intercept, (bool, np.bool_)):
            raise ValueError(f"fit_intercept must be True or False; got {self.fit_intercept!r}")
        tol = check_scalar(self.tol, "tol", float, min_val=0.0, include_min=False)
        max_iter = check_scalar(self.max_iter, "max_iter", int, min_val=1)
        return C, tol, max_iter

    def _encode(self, y, classes=None):
        """Class indices of y in ``classes`` (np.unique(y) if None): (classes, indices)."""
        if classes is None:
            classes, idx = np.unique(y, return_inverse=True)
            return classes, idx.reshape(-1)
        try:
            idx = np.clip(np.searchsorted(classes, y), 0, len(classes) - 1)
            bad = classes[idx] != y
        except TypeError:  # labels of another type than classes_ (str vs int)
            bad = np.ones(len(y), dtype=bool)
        if np.any(bad):
            raise ValueError(f"y contains labels the model was not fitted with, such as "
                             f"{y[bad][0]!r}; classes_ are {list(classes)}")
        return classes, idx

    def _solve(self, obj: _Objective, tol: float, max_iter: int):
        """Minimise J from theta = 0; sets n_iter_, converged_, history_; returns theta.

        Stopping rule (scikit-learn's for lbfgs): max_j |dJ/dtheta_j| <= tol * n, i.e. the
        gradient of the per-sample mean objective J / n in the max-norm is at most tol.
        """
        kw = dict(tol=tol * len(obj.X), max_iter=max_iter, norm=np.inf,
                  record_x=obj.size <= RECORD_X_MAX_PARAMS)
        theta0 = np.zeros(obj.size)
        if self.solver == "gd":
            lr = 3.0 / obj.lipschitz_bound(self._curvature)
            res = minimize(obj.fun, obj.grad, theta0, method="gd", step="armijo", lr=lr, **kw)
        elif self.solver == "newton":
            res = minimize(obj.fun, obj.grad, theta0, method="newton", step="armijo",
                           hess=obj.hess, **kw)
        else:
            res = minimize(obj.fun, obj.grad, theta0, method="lbfgs", step="armijo", **kw)
        self.n_iter_, self.converged_, self.history_ = res.n_iter, res.converged, res.history
        return res.x

    def _fit_data(self, X, y):
        X, y = check_X_y(X, y, dtype=np.float64, y_numeric=False)
        return X, y

    def _check_X(self, X):
        check_is_fitted(self, "coef_")
        X = check_array(X, name="X")
        check_n_features(X, self.n_features_in_)
        return X

    def _eval_data(self, X, y):
        """Validated X, y and y's class indices for objective/gradient."""
        X, y = check_X_y(X, y)
        classes = getattr(self, "classes_", None)
        return X, self._encode(y, classes)


class LogisticRegression(_LogisticBase):
    """Binary logistic regression:
    min_{w,b} C/2 ||w||^2 + sum_i log(1 + exp(-y^(i) (w^T x^(i) + b))), y^(i) in {-1, +1}.

    Any two labels are accepted: ``classes_[0]`` is coded -1 and ``classes_[1]`` +1 (as in
    scikit-learn). C_notes = 1 / C_sklearn: ``LogisticRegression(C=c)`` and scikit-learn's
    ``LogisticRegression(C=1/c)`` minimise the same objective.

    Parameters
    ----------
    C : float > 0
        Weight of the regulariser C/2 ||w||^2 (the intercept is not penalised).
    solver : {"newton", "lbfgs", "gd"}
        Damped Newton (Armijo), L-BFGS, or gradient descent with Armijo backtracking from
        3 / L (L a bound on the gradient's Lipschitz constant); all via ``optim.minimize``.
    fit_intercept : bool
    tol : float > 0
        Stop when max_j |dJ/dtheta_j| <= tol * n_samples (scikit-learn's lbfgs rule on its
        mean objective J / n).
    max_iter : int >= 1

    Attributes
    ----------
    coef_ : ndarray (1, n_features)
    intercept_ : ndarray (1,)
    classes_ : ndarray (2,)
    n_features_in_, n_iter_ : int
    converged_ : bool
    history_ : History
        ``OptimizeResult.history`` of the solver, one record per iteration: "iteration",
        "objective" J (minimised), "grad_norm" max_j |dJ/dtheta_j|, "step_size", "x" the
        iterates [w, b] (kept for at most 1000 parameters).
    """

    def __init__(self, C=1.0, solver="newton", fit_intercept=True, tol=1e-8, max_iter=200):
        super().__init__(C, solver, fit_intercept, tol, max_iter)

    def _objective(self, X, idx, C, classes) -> _Objective:
        if len(classes) > 2:
            raise ValueError(f"y has {len(classes)} classes but LogisticRegression is binary; "
                             f"use SoftmaxRegression for more than two classes")
        return _BinaryObjective(X, 2.0 * idx - 1.0, C, self.fit_intercept)

    def decision_function(self, X):
        """z = w^T x + b for each row of X: shape (n_samples,)."""
        X = self._check_X(X)
        return X @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X):
        """[p(y = classes_[0] | x), p(y = classes_[1] | x)] = [sigma(-z), sigma(z)]: (n, 2)."""
        z = self.decision_function(X)
        return np.column_stack([sigmoid(-z), sigmoid(z)])

    def predict(self, X):
        """classes_[1] where w^T x + b > 0, else classes_[0]."""
        z = self.decision_function(X)
        return self.classes_[(z > 0).astype(np.intp)]

    def _binary(self, w, b, X, y):
        X, (classes, idx) = self._eval_data(X, y)
        if len(classes) != 2 and not hasattr(self, "classes_"):
            raise ValueError(f"y needs two classes to code them as -1, +1; got {len(classes)}")
        w = np.asarray(w, dtype=np.float64).reshape(-1)
        if w.shape != (X.shape[1],):
            raise ValueError(f"w must have shape ({X.shape[1]},) or (1, {X.shape[1]}); "
                             f"got {np.shape(w)}")
        b = np.asarray(b, dtype=np.float64).reshape(-1)
        if b.shape != (1,):
            raise ValueError(f"b must be a scalar or shape (1,); got shape {b.shape}")
        obj = _BinaryObjective(X, 2.0 * idx - 1.0, _check_C(self.C), True)
        return obj, np.concatenate([w, b])

    def objective(self, w, b, X, y) -> float:
        """J(w, b) = C/2 ||w||^2 + sum_i log(1 + exp(-y^(i) (w^T x^(i) + b))).

        Labels are coded with ``classes_`` if fitted, else with np.unique(y) (first -1).
        """
        obj, theta = self._binary(w, b, X, y)
        return obj.fun(theta)

    def gradient(self, w, b, X, y):
        """(dJ/dw, dJ/db) = (C w - sum_i sigma(-m_i) y^(i) x^(i), -sum_i sigma(-m_i) y^(i)),
        m_i = y^(i) (w^T x^(i) + b); shapes (n_features,) and float."""
        obj, theta = self._binary(w, b, X, y)
        g = obj.grad(theta)
        return g[:-1], float(g[-1])


class SoftmaxRegression(_LogisticBase):
    """Multinomial (softmax) regression: min_{W,b} C/2 sum_k ||w_k||^2 - sum_i log p(y^(i) | x^(i))
    with p(y = k | x) = exp(w_k^T x + b_k) / sum_j exp(w_j^T x + b_j).

    C_notes = 1 / C_sklearn (scikit-learn's multinomial LogisticRegression(C=1/c)).

    Parameters
    ----------
    C : float > 0
    solver : {"lbfgs", "gd", "newton"}
        "newton" builds the (K p)^2 Hessian (p = n_features + 1): only for K p <= 1000.
    fit_intercept : bool
    tol : float > 0
        Stop when max_j |dJ/dtheta_j| <= tol * n_samples (see LogisticRegression).
    max_iter : int >= 1

    Attributes
    ----------
    coef_ : ndarray (K, n_features)
    intercept_ : ndarray (K,)  (sums to zero: J only sees differences of intercepts)
    classes_ : ndarray (K,)
    n_features_in_, n_iter_ : int
    converged_ : bool
    history_ : History
        As in LogisticRegression; "x" rows are Theta.ravel() with Theta[k] = [w_k, b_k].
    """

    _curvature = 0.5  # the softmax Hessian diag(p) - p p^T has eigenvalues <= 1/2
    _needs = "at least two"

    def __init__(self, C=1.0, solver="lbfgs", fit_intercept=True, tol=1e-8, max_iter=500):
        super().__init__(C, solver, fit_intercept, tol, max_iter)

    def _objective(self, X, idx, C, classes) -> _Objective:
        obj = _SoftmaxObjective(X, idx, C, self.fit_intercept, len(classes))
        if self.solver == "newton" and obj.size > NEWTON_MAX_PARAMS:
            raise ValueError(f"solver='newton' forms the (K p) x (K p) Hessian and allows "
                             f"K p <= {NEWTON_MAX_PARAMS}; got K p = {obj.size}: use "
                             f"solver='lbfgs'")
        return obj

    def decision_function(self, X):
        """Logits z_k = w_k^T x + b_k: shape (n_samples, K)."""
        X = self._check_X(X)
        return X @ self.coef_.T + self.intercept_

    def predict_proba(self, X):
        """p(y = k | x) = softmax(z)_k: shape (n_samples, K)."""
        return softmax(self.decision_function(X), axis=1)

    def predict(self, X):
        """classes_[argmax_k z_k]."""
        Z = self.decision_function(X)
        return self.classes_[np.argmax(Z, axis=1)]

    def _multi(self, W, b, X, y):
        X, (classes, idx) = self._eval_data(X, y)
        W = np.asarray(W, dtype=np.float64)
        K = len(getattr(self, "classes_", classes))
        if W.shape != (K, X.shape[1]):
            raise ValueError(f"W must have shape ({K}, {X.shape[1]}) (classes, features); "
                             f"got {W.shape}")
        b = np.broadcast_to(np.asarray(b, dtype=np.float64), (K,)) if np.ndim(b) == 0 \
            else np.asarray(b, dtype=np.float64)
        if b.shape != (K,):
            raise ValueError(f"b must have shape ({K},); got {b.shape}")
        obj = _SoftmaxObjective(X, idx, _check_C(self.C), True, K)
        return obj, np.column_stack([W, b]).ravel()

    def objective(self, W, b, X, y) -> float:
        """J(W, b) = C/2 sum_k ||w_k||^2 - sum_i log softmax(W x^(i) + b)_{y^(i)}."""
        obj, theta = self._multi(W, b, X, y)
        return obj.fun(theta)

    def gradient(self, W, b, X, y):
        """(dJ/dW, dJ/db) = ((P - Y)^T X + C W, (P - Y)^T 1); shapes (K, d) and (K,)."""
        obj, theta = self._multi(W, b, X, y)
        G = obj.grad(theta).reshape(obj.K, obj.p)
        return G[:, :-1], G[:, -1].copy()
