"""Exact primal solver of the notes' linear soft-margin SVM (``SVC(solver="primal")``).

Primal (notes, hinge form, no constraints):

    min_{w, b} J(w, b) = C/2 ||w||^2 + sum_i max(0, 1 - m_i),   m_i = y^(i) (w^T x^(i) + b).

J is piecewise quadratic, so it is solved exactly in two parts:

1. The temperature (smoothed hinge) path, the notes' "SVM as 0-temperature limit of logistic
   regression": J_eps(w, b) = C/2 ||w||^2 + sum_i eps ln(1 + exp((1 - m_i) / eps)) for
   eps = 1, 0.1, 0.01, ... (J <= J_eps <= J + n eps ln 2), each minimised by damped Newton
   (``optim.minimize``), warm-started. Its minimiser gives soft dual variables
   alpha_i(eps) = sigma((1 - m_i) / eps) in (0, 1) with w = (1/C) sum alpha y x and
   sum alpha y = 0: the smoothed version of the notes' KKT conditions.
2. From each smoothed solution, an active-set (primal-dual active set) solve of the exact KKT
   conditions: split the samples into I (alpha = 1, m < 1), O (alpha = 0, m > 1) and E (the
   margin, m = 1, 0 <= alpha <= 1) by alpha + (1 - m) > 1, < 0 or in between; on E the KKT
   conditions are the linear system

       [Q_EE  y_E] [alpha_E]   [1 - y_E * (X_E X_I^T y_I) / C]
       [y_E^T  0 ] [   b   ] = [      -sum_{i in I} y_i       ],  Q_EE = y_E y_E^T * X_E X_E^T / C,

   then re-split with the new (alpha, m) until the split repeats. A candidate is accepted
   only with a certificate: alpha in [0, 1], sum alpha y = 0 and the duality gap

       J(w, b) - g(alpha) = sum_i [max(0, 1 - m_i) - alpha_i (1 - m_i)] >= 0

   (each term >= 0; all vanish exactly at the optimum) at most ``GAP_RTOL * max(1, J)``.
   The gap bounds the suboptimality: J(w, b) - min J <= J(w, b) - g(alpha).
"""
from __future__ import annotations

import math

import numpy as np

from ._history import History
from ._math import sigmoid, softplus
from ._smo import svm_intercept
from .optim import minimize

#: temperatures of the smoothing path (each warm-starts the next)
EPS_PATH = (1.0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8)
#: accept an active-set candidate when its duality gap is <= GAP_RTOL * max(1, J)
GAP_RTOL = 1e-10
#: margin alphas may leave [0, 1] by this much before being clipped (rounding)
BOX_SLACK = 1e-9
#: margin alphas this close to 0 or 1 are put on the bound (as SMO's snapping does)
SNAP = 1e-12
#: active-set re-splits per temperature
PDAS_STEPS = 5
#: largest margin set solved by the (k + 1) dual system (cost k^3); the usual path costs k d^2
MAX_DUAL_SYSTEM = 400
#: stop re-splitting when the margin solve gives |alpha| above this (the split is far off)
ALPHA_GIVE_UP = 1e3
#: Newton iterations per temperature
NEWTON_STEPS = 60


def hinge_objective(w, b, X, y, C) -> float:
    """J(w, b) = C/2 ||w||^2 + sum_i max(0, 1 - y_i (w^T x_i + b)), y_i = +-1."""
    m = y * (X @ w + b)
    return float(0.5 * C * (w @ w) + np.maximum(0.0, 1.0 - m).sum())


class _Smoothed:
    """J_eps(theta), its gradient and Hessian, theta = [w, b]; Xt = y * [X, 1] (rows y_i x~_i).

    J_eps = C/2 ||w||^2 + eps sum softplus(z),  z = (1 - Xt theta) / eps,
    grad  = C [w, 0] - Xt^T a,                 a = sigma(z)            (the soft alphas),
    hess  = C diag(1, .., 1, 0) + Xt^T diag(a (1 - a) / eps) Xt   (terms below 1e-18 of the
            largest weight left out: far from the margin a (1 - a) underflows anyway).
    """

    def __init__(self, Xt, C, eps):
        self.Xt, self.C, self.eps = Xt, C, eps
        self.reg = np.ones(Xt.shape[1])
        self.reg[-1] = 0.0  # the intercept is not penalised

    def z(self, theta):
        return (1.0 - self.Xt @ theta) / self.eps

    def fun(self, theta) -> float:
        w = theta[:-1]
        return float(0.5 * self.C * (w @ w) + self.eps * softplus(self.z(theta)).sum())

    def grad(self, theta):
        return self.C * self.reg * theta - self.Xt.T @ sigmoid(self.z(theta))

    def hess(self, theta):
        a = sigmoid(self.z(theta))
        s = a * (1.0 - a) / self.eps  # (n,)
        keep = s > 1e-18 * s.max()  # small eps: only samples near the margin curve J_eps
        R = self.Xt[keep] * np.sqrt(s[keep])[:, None]  # (n_keep, d + 1)
        H = R.T @ R
        H[np.diag_indices_from(H)] += self.C * self.reg
        return H


def _solve(M, rhs):
    """M x = rhs by LU; by least squares (SVD) if M is singular or the LU residual is large."""
    try:
        x = np.linalg.solve(M, rhs)
        res = np.abs(M @ x - rhs).max()
        if np.all(np.isfinite(x)) and res <= 1e-10 * (np.abs(M).max() * np.abs(x).max()
                                                      + np.abs(rhs).max()):
            return x
    except np.linalg.LinAlgError:
        pass
    return np.linalg.lstsq(M, rhs, rcond=None)[0]


def _solve_split(X, y, C, up, free, a0, b0):
    """alpha = 1 on I = ``up``, 0 on O, and (alpha_E, b) from the exact KKT conditions on the
    margin set E = ``free`` (module doc); returns (alpha, b).

    Where those do not fix alpha_E (duplicate or many margin points: the dual solution is not
    unique), the solution nearest the smoothed (a0, b0) is taken:

    * if the rows y_i [x_i, 1] of E have full rank d + 1, (w, b) solves the margin equations
      y_i (w^T x_i + b) = 1 (least squares, consistent at the optimum) and alpha_E =
      a0_E + the least-norm solution of A (alpha_E - a0_E) = r - A a0_E, the stationarity
      conditions sum_E alpha y [x, 1] = [C w - sum_I y x, -sum_I y];
    * else the (k + 1) margin system of the module doc, solved from (a0_E, C b0); None if
      that would exceed ``MAX_DUAL_SYSTEM`` unknowns.
    """
    alpha = up.astype(float)
    if not free.any():
        return alpha, b0
    d = X.shape[1]
    XE, yE, aE = X[free], y[free], a0[free]
    k = yE.size
    v = X[up].T @ y[up]  # C w contributed by the alpha = 1 samples, (d,)
    if k >= d + 1:
        A = (yE[:, None] * np.column_stack([XE, np.ones(k)])).T  # (d + 1, k)
        theta, _, rank, _ = np.linalg.lstsq(A.T, np.ones(k), rcond=None)
        if rank == d + 1:
            r = np.concatenate([C * theta[:d] - v, [-y[up].sum()]])
            alpha[free] = aE + np.linalg.lstsq(A, r - A @ aE, rcond=None)[0]
            return alpha, float(theta[d])
    if k > MAX_DUAL_SYSTEM:
        return None
    M = np.zeros((k + 1, k + 1))  # the system times C on its first k rows, unknown C b
    M[:k, :k] = np.outer(yE, yE) * (XE @ XE.T)
    M[:k, k] = M[k, :k] = yE
    rhs = np.concatenate([C - yE * (XE @ v), [-y[up].sum()]])
    x0 = np.concatenate([aE, [C * b0]])
    sol = x0 + _solve(M, rhs - M @ x0)
    alpha[free] = sol[:k]
    return alpha, float(sol[k]) / C


def _certify(X, y, C, alpha):
    """(grad, J, g, gap) for a feasible alpha, with b from the free alphas
    (:func:`ece544core._smo.svm_intercept`); grad = Q alpha - e = y * (X w) - 1,
    w = (1/C) X^T (alpha y)."""
    w = X.T @ (alpha * y) / C
    grad = y * (X @ w) - 1.0
    b = svm_intercept(alpha, grad, y, 1.0)
    m = grad + 1.0 + y * b
    slack = 1.0 - m
    primal = float(0.5 * C * (w @ w) + np.maximum(0.0, slack).sum())
    dual = float(alpha.sum() - 0.5 * C * (w @ w))
    gap = float(np.sum(np.maximum(0.0, slack) - alpha * slack))
    return grad, primal, dual, gap


def _active_set(X, y, C, alpha, m, b0):
    """Primal-dual active-set iterations from the smoothed (alpha, m, b0); yields
    (alpha, w, b) per solve; stops when the split repeats, cannot be solved or |alpha| blows
    up (a wrong split: wait for a smaller eps)."""
    a0, seen = alpha, set()
    for _ in range(PDAS_STEPS):
        v = alpha + (1.0 - m)
        up, zero = v > 1.0, v < 0.0
        free = ~(up | zero)
        key = (up.tobytes(), free.tobytes())
        if key in seen:
            return
        seen.add(key)
        solved = _solve_split(X, y, C, up, free, a0, b0)
        if solved is None or not np.abs(solved[0]).max() <= ALPHA_GIVE_UP:
            return
        alpha, b = solved
        w = X.T @ (alpha * y) / C
        m = y * (X @ w + b)
        yield alpha, w, b


def _feasible(X, y, C, alpha):
    """(alpha, grad, J, g, gap) for a dual-feasible candidate (alpha in [0, 1] up to
    ``BOX_SLACK``, then snapped, and sum alpha y = 0), else None."""
    if alpha.min() < -BOX_SLACK or alpha.max() > 1.0 + BOX_SLACK:
        return None
    alpha = np.where(alpha < SNAP, 0.0, np.where(alpha > 1.0 - SNAP, 1.0, alpha))
    if abs(alpha @ y) > BOX_SLACK * max(1.0, alpha.sum()):
        return None
    return (alpha, *_certify(X, y, C, alpha))


def fit_primal(X, y, C, max_iter):
    """Minimise J(w, b) exactly (module doc) for labels y = +-1.

    Returns
    -------
    alpha : ndarray (n,)
        The notes' dual variables recovered from the primal solution (KKT): 1 where m < 1,
        0 where m > 1, solved for on the margin m = 1.
    grad : ndarray (n,)
        Q alpha - e (as the SMO path returns it).
    history : History
        One record per Newton iterate or active-set solve (the first: the start theta = 0):
        ``iteration``, ``eps`` (0 for an active-set solve, i.e. the exact hinge; NaN at the
        start), ``objective`` = ``primal_objective`` J(w, b) of the iterate (minimised),
        ``smoothed_objective`` J_eps (Newton iterates only) and ``gap`` (active-set solves with
        a dual-feasible alpha: the certificate J - g); a column reads NaN where a record does
        not carry the field.
    n_iter : int
        Newton iterations plus active-set solves.
    converged : bool
        True when a candidate was certified; else alpha is the feasible candidate with the
        smallest duality gap (or, if there was none, the clipped last soft alpha).
    """
    X0 = X
    X = X - X.mean(axis=0)  # J is translation invariant (b absorbs it): better conditioned
    n, d = X.shape
    Xt = y[:, None] * np.column_stack([X, np.ones(n)])  # (n, d + 1)
    hist = History()

    def record(primal, **fields):
        hist.record(iteration=hist.n_records, objective=primal, primal_objective=primal,
                    **fields)

    theta = np.zeros(d + 1)
    record(hinge_objective(theta[:d], 0.0, X, y, C), eps=math.nan)
    scale = max(1.0, float(np.abs(Xt).max()))
    budget, a, best, certified = max_iter, np.full(n, 0.5), None, False
    for eps in EPS_PATH:
        if budget <= 0 or certified:
            break
        obj = _Smoothed(Xt, C, eps)
        res = minimize(obj.fun, obj.grad, theta, method="newton", step="armijo",
                       hess=obj.hess, tol=1e-10 * n * scale, norm=np.inf,
                       max_iter=min(NEWTON_STEPS, budget), record_x=True)
        budget -= res.n_iter
        for x_k in res.history["x"][1:]:
            record(hinge_objective(x_k[:d], x_k[d], X, y, C), eps=eps,
                   smoothed_objective=obj.fun(x_k))
        theta = res.x
        a = sigmoid(obj.z(theta))
        for alpha, w, b in _active_set(X, y, C, a, Xt @ theta, theta[d]):
            found = _feasible(X, y, C, alpha)
            if found is None:
                record(hinge_objective(w, b, X, y, C), eps=0.0)
                continue
            record(found[2], eps=0.0, gap=found[4])
            certified = found[4] <= GAP_RTOL * max(1.0, found[2])
            if certified or best is None or found[4] < best[4]:
                best = found
            if certified:
                break
    # not certified: the feasible candidate with the smallest gap, else the clipped soft alphas
    alpha = best[0] if best is not None else np.clip(a, 0.0, 1.0)
    grad = y * (X0 @ (X0.T @ (alpha * y)) / C) - 1.0  # Q alpha - e on the caller's X
    return alpha, grad, hist, hist.n_records - 1, certified
