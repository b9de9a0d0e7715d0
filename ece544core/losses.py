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

``binary_temperature_loss`` is the two-class curve of the margin m: eps ln(1 + exp((L - m)/eps)).

``TemperatureClassifier`` trains a linear model with C/2 ||w||^2 + sum_i L_eps(w^T psi(x^(i), .);
y^(i)) for a multiclass (one w_k per class) or a binary (psi(x, y) = y x / 2) joint feature map:
L-BFGS for eps > 0; for eps = 0 an exact SVM solver where the problem is one (the linear SVM's
primal solver, an active set or dual block-coordinate ascent), else subgradient descent.
"""
from __future__ import annotations

import math

import numpy as np

from ._validation import (check_array, check_is_fitted, check_n_features, check_option,
                          check_scalar, check_X_y, check_y)
from .base import BaseEstimator, ClassifierMixin
from .logistic import logistic_loss, logsumexp, softmax
from .optim import minimize

__all__ = ["temperature_loss", "multiclass_hinge", "cross_entropy", "binary_logistic_loss",
           "binary_hinge", "binary_temperature_loss", "TemperatureClassifier"]


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
    """The (K, K) matrix Delta[y, yhat]; None -> the 0-1 loss 1[y != yhat]; a number L ->
    L [y != yhat]."""
    if task_loss is None:
        return 1.0 - np.eye(K)
    if np.ndim(task_loss) == 0 and not isinstance(task_loss, str):
        L = check_scalar(task_loss, "task_loss", float)
        if not math.isfinite(L):
            raise ValueError(f"task_loss must be a finite number or a ({K}, {K}) matrix; "
                             f"got {task_loss!r}")
        return L * (1.0 - np.eye(K))
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


def binary_temperature_loss(margins, eps, task_loss=1.0):
    """The two-class temperature loss of the margin m = w^T psi(x, y) - w^T psi(x, yhat):

        eps ln(1 + exp((L - m) / eps))   (temperature_loss of the scores +-m/2 of
                                          psi(x, y) = y x / 2, Delta = L [y != yhat]),
        eps = 0:          max(0, L - m)  (L = 1: the SVM hinge, ``binary_hinge``),
        eps = 1, L = 0:   ln(1 + e^{-m}) (logistic loss, ``binary_logistic_loss``),

    with the 0-1 task loss scaled by L (Delta(y, yhat) = L [y != yhat]). Between them
    max(0, L - m) <= loss <= max(0, L - m) + eps ln 2. Returns ndarray of the margins' shape.
    """
    m = check_array(margins, name="margins", ensure_2d=False)
    eps = _check_eps(eps)
    L = check_scalar(task_loss, "task_loss", float)
    if not math.isfinite(L):
        raise ValueError(f"task_loss must be a finite number; got {task_loss!r}")
    if eps == 0.0:
        return np.maximum(0.0, L - m)
    return eps * logistic_loss((m - L) / eps)  # logistic_loss(z) = ln(1 + e^{-z}), stable


# ------------------------------------------------------------------------------ estimator
_PATH_EPS = (1e-2, 1e-3, 1e-4)  # smoothing path of the exact multiclass hinge solver


def _project_simplex(v):
    """Euclidean projection of v (K,) onto the probability simplex (sort and threshold)."""
    u = np.sort(v)[::-1]
    css = np.cumsum(u) - 1.0
    rho = np.nonzero(u - css / np.arange(1, v.size + 1) > 0)[0][-1]
    return np.maximum(v - css[rho] / (rho + 1.0), 0.0)


def _hinge_dual_bca(X, idx, D, C, beta, max_iter, tol):
    """Exact eps = 0 solver without intercept: block-coordinate ascent on the dual of
    min_W C/2 ||W||^2 + sum_i max_yhat (Delta(y_i, yhat) + w_yhat^T x_i) - w_{y_i}^T x_i,

        max_{beta_i in simplex} D(beta) = sum_i beta_i^T Delta(y_i, .) - C/2 ||W(beta)||^2,
        W(beta) = (1/C) sum_i (e_{y_i} - beta_i) x_i^T                          (K, d)

    One block beta_i at a time (cyclic), maximised exactly:
    beta_i <- proj_simplex(beta_i + C (Delta(y_i, .) + W x_i) / ||x_i||^2). Stops when the
    duality gap J(W) - D(beta) <= tol * n. Returns (W, beta, history, n_epochs, converged).
    """
    n = X.shape[0]
    rows = np.arange(n)
    E = np.zeros_like(beta)
    E[rows, idx] = 1.0
    W = (E - beta).T @ X / C  # (K, d)
    Dy = D[idx]  # (n, K): Delta(y_i, .)
    sq = np.einsum("ij,ij->i", X, X)

    def gap():
        S = X @ W.T
        primal = 0.5 * C * float(np.sum(W * W)) + float(
            np.max(Dy + S, axis=1).sum() - S[rows, idx].sum())
        dual = float(np.sum(beta * Dy)) - 0.5 * C * float(np.sum(W * W))
        return primal, primal - dual

    f, g = gap()
    hist = {"f": [f], "gap": [g]}
    epoch, converged = 0, g <= tol * n
    while not converged and epoch < max_iter:
        epoch += 1
        for i in rows[sq > 0]:
            x = X[i]
            new = _project_simplex(beta[i] + C * (Dy[i] + W @ x) / sq[i])
            W -= np.outer(new - beta[i], x) / C
            beta[i] = new
        f, g = gap()
        hist["f"].append(f)
        hist["gap"].append(g)
        converged = g <= tol * n
    return W, beta, {k: np.asarray(v) for k, v in hist.items()}, epoch, converged


def _hinge_gap(X, idx, D, C, beta):
    """(W(beta), J_0(W) - D(beta)) for the eps = 0 dual of ``_hinge_dual_bca``."""
    n = X.shape[0]
    rows = np.arange(n)
    E = np.zeros_like(beta)
    E[rows, idx] = 1.0
    W = (E - beta).T @ X / C
    S = X @ W.T
    primal = np.max(D[idx] + S, axis=1).sum() - S[rows, idx].sum()
    return W, float(primal - np.sum(beta * D[idx]) + C * np.sum(W * W))


def _hinge_active_set(X, idx, D, C, A, width, tol):
    """The exact eps = 0 solution from a guess of each sample's maximising set
    M_i = {yhat : A_i,yhat >= max A_i - width} (A = Delta(y_i, .) + s_i of a small-eps fit).

    On those sets the KKT conditions are linear: beta_i = e_{a_i} + sum_k t_ik (e_k - e_{a_i})
    (a_i = argmax, k in M_i \\ {a_i}), W = (1/C) sum_i (e_{y_i} - beta_i) x_i^T, and every
    yhat in M_i ties: A_i,k(t) = A_i,a_i(t). Solve for t (least squares), then accept only if
    beta >= 0 and the duality gap is <= tol * n (a certificate); else return None.
    """
    n, K = A.shape
    a0 = np.argmax(A, axis=1)
    ui, uk = np.nonzero((A >= A.max(axis=1, keepdims=True) - width)
                        & (np.arange(K) != a0[:, None]))  # unknowns t_(ui, uk)
    B = np.eye(K)[a0]
    if ui.size:
        E = np.eye(K)[idx]
        G = X[ui] @ X.T  # (m, n)
        A0 = D[idx[ui]] + G @ (E - B) / C  # rows ui of Delta + S at t = 0
        rhs = A0[np.arange(ui.size), a0[ui]] - A0[np.arange(ui.size), uk]
        l, b = uk[:, None], a0[ui][:, None]  # equation (j, l): A_jl - A_jb = 0
        k, a = uk[None, :], a0[ui][None, :]  # unknown t_(i, k) moves mass a -> k
        coef = (l == k).astype(float) - (l == a) - (b == k) + (b == a)
        M = -G[:, ui] * coef / C  # d(A_jl - A_jb) / dt_ik = -(1/C) x_j^T x_i coef
        t = np.linalg.lstsq(M, rhs, rcond=None)[0]
        np.add.at(B, (ui, uk), t)
        np.add.at(B, (ui, a0[ui]), -t)
    if B.min() < -1e-9:
        return None
    B = np.clip(B, 0.0, None)
    B /= B.sum(axis=1, keepdims=True)
    W, gap = _hinge_gap(X, idx, D, C, B)
    return (W, B, gap) if gap <= tol * n else None


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
    (``_hinge_active_set``; fallback: dual block-coordinate ascent, ``_hinge_dual_bca``).
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
    history_ : dict
        "f" the objective per iteration; L-BFGS/subgradient also "grad_norm", "step_size";
        subgradient "best_f"; active-set/dual "gap"; svm-primal the SVC's history.
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
        D = _check_task_loss(self.task_loss, K)
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
            self.history_, self.solver_ = res.history, "lbfgs"
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
        solve ``_hinge_active_set``; if no guess is certified, dual block-coordinate ascent
        from beta_eps."""
        K = D.shape[0]
        iters, A = 0, None
        for eps in _PATH_EPS:
            res = self._lbfgs(X, idx, D, eps, C, P, theta, max_iter, tol)
            theta, iters = res.x, iters + res.n_iter
            A = D[idx] + X @ theta.reshape(K, -1).T
            for width in (3 * eps, 10 * eps):
                found = _hinge_active_set(X, idx, D, C, A, width, tol)
                if found is not None:
                    W, self._hinge_beta, gap = found
                    self.solver_, self.n_iter_, self.converged_ = "active-set", iters, True
                    self.history_ = {"f": np.array([res.fun]), "gap": np.array([gap])}
                    return W.ravel()
        beta = softmax((A - A.max(axis=1, keepdims=True)) / _PATH_EPS[-1], axis=1)
        W, self._hinge_beta, self.history_, self.n_iter_, self.converged_ = \
            _hinge_dual_bca(X, idx, D, C, beta, max_iter, tol)
        self.solver_ = "dual-bca"
        return W.ravel()

    def _fit_svm(self, X, idx, C, L):
        """Binary hinge max(0, L - m): w = L w', b = L b' with (w', b') the notes' SVM at C L
        (substitute: C/2 ||L w'||^2 + L sum max(0, 1 - m') = L (C L / 2 ||w'||^2 + sum ...)),
        solved exactly in the primal (certified by its duality gap)."""
        self.solver_ = "svm-primal"
        if L == 0:  # C/2 ||w||^2 + sum max(0, -m) >= 0 = its value at w = 0, b = 0
            self.n_iter_, self.converged_, self.history_ = 0, True, {"f": np.zeros(1)}
            return np.zeros(X.shape[1] + 1)
        from .svm import SVC  # the notes' SVM

        svc = SVC(C=C * L, kernel="linear", solver="primal").fit(X, idx)
        self.n_iter_, self.converged_ = svc.n_iter_, svc.converged_
        self.history_ = dict(svc.history_)
        return L * np.concatenate([svc.coef_[0], svc.intercept_])

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
