"""The SVM as the 0-temperature limit of logistic regression (course notes, "SVM as 0-temperature
limit of logistic regression"): the temperature objective and the classifier trained with it.

    J_eps(W) = C/2 ||W||^2 + sum_i L_eps(W psi(x^(i), .); y^(i)),
    L_eps(s; y) = eps ln sum_yhat exp((Delta(y, yhat) + s_yhat) / eps) - s_y   (losses.temperature_loss)

For every W, L_0 <= L_eps <= L_0 + eps ln K (K labels), so J_0(W) <= J_eps(W) <= J_0(W) +
n eps ln K, and the same holds for the minima: min J_0 <= min J_eps <= min J_0 + n eps ln K.
For two classes with psi(x, yhat) = yhat [x, 1] / 2 the margin is m = y (w^T x + b) and the loss
eps ln(1 + exp((L - m) / eps)) (``losses.binary_temperature_loss``): eps = 0 is the notes' SVM
hinge max(0, L - m), eps = 1 with L = 0 logistic regression's ln(1 + e^{-m}).

* :func:`temperature_objective` -- J_eps(w, b) of a binary linear model (the temperature demo's
  objective), :func:`temperature_bounds` -- the interval [J_0, J_0 + n eps ln K];
* :class:`TemperatureClassifier` -- minimises J_eps (L-BFGS for eps > 0; exact SVM solvers at
  eps = 0 where the problem is one).
"""
from __future__ import annotations

import math

import numpy as np

from ._history import History
from ._math import softmax
from ._validation import (check_array, check_is_fitted, check_n_features, check_option,
                          check_scalar, check_X_y)
from .base import BaseEstimator, ClassifierMixin
from .crammer_singer import active_set_solve, dual_bca, primal_objective
from .losses import _check_eps, _temperature, binary_temperature_loss, task_loss_matrix
from .optim import minimize
from .svm import SVC

__all__ = ["temperature_objective", "temperature_bounds", "TemperatureClassifier"]

_PATH_EPS = (1e-2, 1e-3, 1e-4)  # smoothing path of the exact multiclass hinge solver


# ------------------------------------------------------------------------------ the objective
def _check_signs(y, n: int) -> np.ndarray:
    y = check_array(y, name="y", ensure_2d=False)
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},) (one label per row of X); got {y.shape}")
    if not np.all(np.abs(y) == 1):
        raise ValueError(f"y must hold labels -1 and +1; got {y[np.abs(y) != 1][0]!r}")
    return y


def temperature_objective(w, b, X, y, C, eps, task_loss=1.0) -> float:
    """J_eps(w, b) = C/2 ||w||^2 + sum_i eps ln(1 + exp((L - m_i) / eps)), m_i = y_i (w^T x_i + b).

    The binary temperature objective (psi(x, yhat) = yhat [x, 1] / 2, Delta = L [y != yhat],
    intercept not penalised); eps = 0 is the notes' soft-margin objective with the hinge
    max(0, L - m), eps = 1 with L = 0 logistic regression's C/2 ||w||^2 + sum ln(1 + e^{-m}).

    Parameters
    ----------
    w : array-like (d,)
    b : float
    X : array-like (n, d)
    y : array-like (n,) of -1 / +1
    C : float > 0
    eps : float >= 0
    task_loss : float
        L.
    """
    w = check_array(w, name="w", ensure_2d=False).ravel()
    X = check_array(X, name="X")
    check_n_features(X, w.size)
    y = _check_signs(y, X.shape[0])
    b = check_scalar(b, "b", float)
    C = check_scalar(C, "C", float, min_val=0.0, include_min=False)
    m = y * (X @ w + b)
    return 0.5 * C * float(w @ w) + float(binary_temperature_loss(m, eps, task_loss).sum())


def temperature_bounds(J0, n_samples, eps, n_classes=2) -> tuple[float, float]:
    """(J_0, J_0 + n eps ln K): the interval that holds J_eps, of the same W (J0 = J_0(W)) or of
    the minima (J0 = min J_0), since 0 <= L_eps - L_0 <= eps ln K for every sample."""
    J0 = check_scalar(J0, "J0", float)
    n = check_scalar(n_samples, "n_samples", int, min_val=0)
    K = check_scalar(n_classes, "n_classes", int, min_val=2)
    return J0, J0 + n * _check_eps(eps) * math.log(K)


def _trace(columns) -> History:
    """The optimiser's trace as a History with the shared field names (the trace's "f" is the
    objective)."""
    if isinstance(columns, History):
        return columns
    cols = {("objective" if name == "f" else name): np.asarray(columns[name])
            for name in columns if name != "x"}
    history = History()
    for k in range(len(cols["objective"])):
        history.record(**{"iteration": k, **{name: float(c[k]) for name, c in cols.items()
                                              if name != "iteration"}})
    return history


# ------------------------------------------------------------------------------ estimator
class TemperatureClassifier(ClassifierMixin, BaseEstimator):
    """Linear classifier trained with the notes' temperature loss:

        min_w C/2 ||w||^2 + sum_i [eps ln sum_yhat exp((Delta(y_i, yhat) + w^T psi(x_i, yhat))
                                    / eps) - w^T psi(x_i, y_i)].

    Two joint feature maps psi:

    * ``psi="multiclass"``: psi(x, yhat) = e_yhat (x) [x, 1], one weight vector w_k (and b_k) per
      class, scores s_k = w_k^T x + b_k. eps = 1 with Delta = 0 is softmax regression
      (``logistic.SoftmaxRegression(C)``); eps = 0 with the 0-1 loss is the Crammer-Singer SVM.
    * ``psi="binary"`` (two classes): psi(x, yhat) = yhat [x, 1] / 2 with yhat = -1, +1, one
      weight vector w, so the margin is m = w^T psi(x, y) - w^T psi(x, -y) = y (w^T x + b) and
      the loss is eps ln(1 + exp((L - m) / eps)): eps = 1, L = 0 is the notes' binary logistic
      regression (``logistic.LogisticRegression(C)``), eps = 0 with L = 1 the notes' soft-margin
      SVM (``svm.SVC(C, kernel="linear")``), both with the same C.

    Intercepts (``fit_intercept``) are not penalised; to penalise one (as MulticlassSVM does),
    append a constant feature and set ``fit_intercept=False``.

    Solvers. eps > 0: L-BFGS (``optim.minimize``). eps = 0 (the hinge), exactly where the
    problem is an SVM: ``psi="binary"`` with equal margins L = Delta(y, -y) - Delta(y, y) >= 0
    for both classes and an intercept: the notes' SVM with C' = C L solved exactly in the
    primal (``svm.SVC(kernel="linear", solver="primal")``), since w = L w'; ``psi="multiclass"`` without intercept: the smoothed
    minimisers for eps = 1e-2, 1e-3, 1e-4 guess each sample's maximising set, the KKT system on
    it is solved exactly and accepted when its duality gap is <= tol * n
    (``crammer_singer.active_set_solve``; fallback: dual block-coordinate ascent,
    ``crammer_singer.dual_bca``).
    Otherwise at eps = 0: subgradient descent with the diminishing
    normalised step t_k = lr / (sqrt(k + 1) ||g_k||), keeping the best iterate (slow,
    O(1/sqrt(k)); since J_0 <= J_eps <= J_0 + n eps ln K, a small eps > 0 is an accurate
    substitute).

    Parameters
    ----------
    eps : float >= 0
        Temperature.
    C : float > 0
    task_loss : float, array-like (K, K) or None
        Delta[k, l] between class indices (order of ``classes_``); a number L means
        L [k != l]; None: the 0-1 loss (L = 1).
    psi : {"multiclass", "binary"}
        The joint feature map (see above); "binary" needs exactly two classes.
    fit_intercept : bool
    warm_start : bool
        Start from the previous fit's coef_/intercept_ when their shapes fit, as
        scikit-learn's ``warm_start`` (eps > 0, the subgradient method and the smoothing path
        of the multiclass hinge; the binary SVM's exact solver needs no start).
    max_iter : int >= 1
        Iterations (L-BFGS, subgradient) or epochs (dual block-coordinate ascent).
    tol : float > 0
        eps > 0: stop when max_j |dJ/dtheta_j| <= tol * n_samples; eps = 0, dual solver: when
        the duality gap is <= tol * n_samples; the binary SVM: certified exact (tol unused).
    lr : float > 0
        Subgradient method: length of the first step in parameter space.

    Attributes
    ----------
    coef_ : ndarray (K, n_features), or (1, n_features) for psi="binary" (w of the +1 class
        classes_[1], as scikit-learn's binary models)
    intercept_ : ndarray (K,) or (1,); zeros without intercept
    classes_ : ndarray (K,)
    dual_coef_ : ndarray (n_samples, K)
        beta_i = softmax((Delta(y_i, .) + s_i) / eps), the maximising distribution of each
        sample's log-sum-exp (at eps = 0: the dual solution, or the one-hot argmax). At the
        optimum W = (1/C) sum_i (e_{y_i} - beta_i) x_i^T (multiclass).
    n_features_in_, n_iter_ : int
    converged_ : bool
    solver_ : str
        "lbfgs", "svm-primal", "active-set", "dual-bca" or "subgradient".
    history_ : History
        One record per iteration with ``iteration`` and ``objective`` (J, minimised); L-BFGS
        also ``grad_norm``, ``step_size``; subgradient ``grad_norm``, ``step_size`` and
        ``best_objective``; active-set one record of the exact solve (``objective``,
        ``dual_objective``, ``gap``, ``eps`` = 0); dual-bca one per epoch (``objective``,
        ``dual_objective``, ``gap``); svm-primal one record of the certified solution
        (``objective``, ``gap``; the SVC's own trace is ``svm.SVC.history_``).
    """

    def __init__(self, eps=1.0, C=1.0, task_loss=None, psi="multiclass", fit_intercept=True,
                 warm_start=False, max_iter=500, tol=1e-8, lr=1.0):
        self.eps = eps
        self.C = C
        self.task_loss = task_loss
        self.psi = psi
        self.fit_intercept = fit_intercept
        self.warm_start = warm_start
        self.max_iter = max_iter
        self.tol = tol
        self.lr = lr

    # -- parameters and the score map
    def _check_params(self):
        eps = _check_eps(self.eps)
        C = check_scalar(self.C, "C", float, min_val=0.0, include_min=False)
        if not math.isfinite(C):
            raise ValueError(f"C must be a finite positive number; got {C!r}")
        check_option(self.psi, "psi", ("multiclass", "binary"))
        for name in ("fit_intercept", "warm_start"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"{name} must be True or False; got {getattr(self, name)!r}")
        max_iter = check_scalar(self.max_iter, "max_iter", int, min_val=1)
        tol = check_scalar(self.tol, "tol", float, min_val=0.0, include_min=False)
        lr = check_scalar(self.lr, "lr", float, min_val=0.0, include_min=False)
        return eps, C, max_iter, tol, lr

    def _map(self, K):
        """P (r, K) with scores S = F P of the raw scores F = X W^T + b (n, r)."""
        return np.array([[-0.5, 0.5]]) if self.psi == "binary" else np.eye(K)

    def _fun_grad(self, theta, X, idx, D, eps, C, P):
        """J(theta) and its gradient; theta = T.ravel(), T (r, d [+ 1]) rows [w_k (, b_k)]."""
        r, d = P.shape[0], X.shape[1]
        T = theta.reshape(r, -1)
        W = T[:, :d]
        F = X @ W.T  # (n, r)
        if self.fit_intercept:
            F = F + T[:, d]
        loss, R = _temperature(F @ P, idx, eps, D)  # R = dL/dS (n, K)
        dF = R @ P.T  # (n, r)
        f = 0.5 * C * float(np.sum(W * W)) + float(loss.sum())
        G = np.empty_like(T)
        G[:, :d] = dF.T @ X + C * W
        if self.fit_intercept:
            G[:, d] = dF.sum(axis=0)
        return f, G.ravel()

    def _cached(self, X, idx, D, eps, C, P):
        """theta -> (J, grad J), remembering the last point (fun and grad share it)."""
        cache = {}

        def fg(theta):
            key = theta.tobytes()
            if cache.get("key") != key:
                cache["key"], cache["fg"] = key, self._fun_grad(theta, X, idx, D, eps, C, P)
            return cache["fg"]

        return fg

    def _lbfgs(self, X, idx, D, eps, C, P, theta0, max_iter, tol):
        fg = self._cached(X, idx, D, eps, C, P)
        return minimize(lambda t: fg(t)[0], lambda t: fg(t)[1], theta0, method="lbfgs",
                        step="armijo", tol=tol * X.shape[0], max_iter=max_iter, norm=np.inf,
                        record_x=False)

    # -- fit
    def fit(self, X, y):
        """Minimise J on (X, y); returns self."""
        eps, C, max_iter, tol, lr = self._check_params()
        X, y = check_X_y(X, y)
        classes, idx = np.unique(y, return_inverse=True)
        idx = idx.reshape(-1)
        K = len(classes)
        if K < 2:
            raise ValueError(f"y needs at least two classes; got only one: {classes[0]!r}")
        if self.psi == "binary" and K != 2:
            raise ValueError(f"psi='binary' needs exactly two classes; got {K}")
        D = task_loss_matrix(self.task_loss, K)
        n, d = X.shape
        P = self._map(K)
        r, p = P.shape[0], d + int(self.fit_intercept)
        theta0 = np.zeros(r * p)
        warm = (self.warm_start and getattr(self, "coef_", None) is not None
                and self.coef_.shape == (r, d) and self.intercept_.shape == (r,))
        if warm:
            T0 = self.coef_ if not self.fit_intercept else np.column_stack(
                [self.coef_, self.intercept_])
            theta0 = np.array(T0, dtype=float).ravel()
        fg = self._cached(X, idx, D, eps, C, P)
        if eps > 0:
            res = self._lbfgs(X, idx, D, eps, C, P, theta0, max_iter, tol)
            theta, self.n_iter_, self.converged_ = res.x, res.n_iter, res.converged
            self.history_, self.solver_ = _trace(res.history), "lbfgs"
        else:
            theta = self._fit_hinge(X, idx, D, C, P, fg, theta0, max_iter, tol, lr)
        T = theta.reshape(r, p)
        self.coef_ = T[:, :d].copy()
        self.intercept_ = T[:, d].copy() if self.fit_intercept else np.zeros(r)
        self.classes_, self.n_features_in_ = classes, d
        self._D = D
        S = self._raw(X) @ P
        self.dual_coef_ = (softmax((D[idx] + S) / eps, axis=1) if eps > 0 else
                           self._hinge_beta if self.solver_ in ("dual-bca", "active-set") else
                           np.eye(K)[np.argmax(D[idx] + S, axis=1)])
        return self

    def _fit_hinge(self, X, idx, D, C, P, fg, theta0, max_iter, tol, lr):
        """eps = 0: the SVM's primal solver, an active set / dual block-coordinate ascent or
        subgradient descent (class doc)."""
        if self.psi == "binary" and self.fit_intercept:
            L = D[1, 0] - D[1, 1]
            if L == D[0, 1] - D[0, 0] and L >= 0:
                return self._fit_svm(X, idx, C, L)
        if self.psi == "multiclass" and not self.fit_intercept:
            return self._fit_dual(X, idx, D, C, P, theta0, max_iter, tol)
        self.solver_ = "subgradient"
        return self._subgradient(fg, theta0, lr, max_iter)

    def _fit_dual(self, X, idx, D, C, P, theta, max_iter, tol):
        """Multiclass hinge without intercept, exactly: follow the smoothed minimisers W_eps
        (L-BFGS, eps = 1e-2, 1e-3, 1e-4, each warm-started) and at each try the active-set
        solve ``crammer_singer.active_set_solve``; if no guess is certified, dual
        block-coordinate ascent from beta_eps."""
        K = D.shape[0]
        iters, A = 0, None
        for eps in _PATH_EPS:
            res = self._lbfgs(X, idx, D, eps, C, P, theta, max_iter, tol)
            theta, iters = res.x, iters + res.n_iter
            A = D[idx] + X @ theta.reshape(K, -1).T
            found = active_set_solve(X, idx, D, C, A, eps, tol * X.shape[0])
            if found is not None:
                W, self._hinge_beta, gap = found
                self.solver_, self.n_iter_, self.converged_ = "active-set", iters, True
                J = primal_objective(W, X, idx, D, C)
                self.history_ = History()
                self.history_.record(iteration=iters, objective=J, dual_objective=J - gap,
                                     gap=gap, eps=0.0)
                return W.ravel()
        beta = softmax((A - A.max(axis=1, keepdims=True)) / _PATH_EPS[-1], axis=1)
        W, self._hinge_beta, self.history_, self.n_iter_, self.converged_ = \
            dual_bca(X, idx, D, C, beta, max_iter, tol)
        self.solver_ = "dual-bca"
        return W.ravel()

    def _fit_svm(self, X, idx, C, L):
        """Binary hinge max(0, L - m): w = L w', b = L b' with (w', b') the notes' SVM at C L
        (substitute: C/2 ||L w'||^2 + L sum max(0, 1 - m') = L (C L / 2 ||w'||^2 + sum ...)),
        solved exactly in the primal (certified by its duality gap)."""
        self.solver_ = "svm-primal"
        self.history_ = History()
        if L == 0:  # C/2 ||w||^2 + sum max(0, -m) >= 0 = its value at w = 0, b = 0
            self.n_iter_, self.converged_ = 0, True
            self.history_.record(iteration=0, objective=0.0, gap=0.0)
            return np.zeros(X.shape[1] + 1)
        svc = SVC(C=C * L, kernel="linear", solver="primal").fit(X, idx)
        self.n_iter_, self.converged_ = svc.n_iter_, svc.converged_
        self.history_.record(iteration=svc.n_iter_, objective=L * svc.primal_objective_,
                             gap=L * (svc.primal_objective_ - svc.dual_objective_))
        return L * np.concatenate([svc.coef_[0], svc.intercept_])

    def _subgradient(self, fg, theta, lr, max_iter):
        """theta_{k+1} = theta_k - lr / sqrt(k + 1) g_k / ||g_k|| (normalised subgradient steps,
        O(1/sqrt(k)) in the best objective); returns the best iterate."""
        f, g = fg(theta)
        best_f, best = f, theta.copy()
        history = History()
        history.record(iteration=0, objective=f, best_objective=f,
                       grad_norm=float(np.max(np.abs(g))), step_size=math.nan)
        for k in range(max_iter):
            g_norm = float(np.linalg.norm(g))
            if g_norm == 0.0:  # 0 is a subgradient: theta is a minimiser
                break
            t = lr / math.sqrt(k + 1) / g_norm
            theta = theta - t * g
            f, g = fg(theta)
            if f < best_f:
                best_f, best = f, theta.copy()
            history.record(iteration=k + 1, objective=f, best_objective=best_f,
                           grad_norm=float(np.max(np.abs(g))), step_size=t)
        self.n_iter_ = history.n_records - 1
        self.converged_ = self.n_iter_ < max_iter
        self.history_ = history
        return best

    # -- predict
    def _raw(self, X):
        return X @ self.coef_.T + self.intercept_  # (n, r)

    def decision_function(self, X):
        """Scores s_k = w_k^T x + b_k, shape (n_samples, K); psi="binary": w^T x + b, shape
        (n_samples,) (> 0 means classes_[1])."""
        check_is_fitted(self, "coef_")
        X = check_array(X, name="X")
        check_n_features(X, self.n_features_in_)
        F = self._raw(X)
        return F[:, 0] if self.psi == "binary" else F

    def predict(self, X):
        """classes_[argmax_k s_k] (binary: classes_[1] where w^T x + b > 0)."""
        S = self.decision_function(X)
        if S.ndim == 1:
            return self.classes_[(S > 0).astype(int)]
        return self.classes_[np.argmax(S, axis=1)]

    def scores(self, X):
        """The scores s_yhat = w^T psi(x, yhat) the loss sees: shape (n_samples, K)."""
        check_is_fitted(self, "coef_")
        X = check_array(X, name="X")
        check_n_features(X, self.n_features_in_)
        return self._raw(X) @ self._map(len(self.classes_))

    def objective(self, X, y, eps=None) -> float:
        """J = C/2 ||W||^2 + sum_i L_eps(s_i; y^(i)) at the fitted (coef_, intercept_), at the
        fitted eps or the given one (e.g. eps=0: the hinge objective of this W)."""
        check_is_fitted(self, "coef_")
        X, y = check_X_y(X, y)
        check_n_features(X, self.n_features_in_)
        pos = np.clip(np.searchsorted(self.classes_, y), 0, len(self.classes_) - 1)
        if np.any(self.classes_[pos] != y):
            bad = y[self.classes_[pos] != y][0]
            raise ValueError(f"y contains labels the model was not fitted with, such as "
                             f"{bad!r}; classes_ are {list(self.classes_)}")
        eps = _check_eps(self.eps if eps is None else eps)
        loss, _ = _temperature(self.scores(X), pos, eps, self._D)
        return 0.5 * float(self.C) * float(np.sum(self.coef_ ** 2)) + float(loss.sum())
