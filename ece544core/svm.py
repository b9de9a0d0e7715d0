"""Binary kernel SVM in the course notes' parameterisation, solved by SMO (the dual) or, for
the linear kernel, exactly in the primal (``solver="primal"``, :mod:`ece544core._svm_primal`).

Primal (notes): min_{w, b, xi} C/2 ||w||^2 + sum_i xi^(i)
s.t. y^(i) (w^T phi(x^(i)) + b) >= 1 - xi^(i), xi^(i) >= 0.

Dual (notes):
max_alpha g(alpha) = sum_i alpha^(i) - 1/(2C) sum_ij alpha^(i) alpha^(j) y^(i) y^(j) K_ij
s.t. 0 <= alpha^(i) <= 1, sum_i alpha^(i) y^(i) = 0, and w = (1/C) sum_i alpha^(i) y^(i) phi(x^(i)).

Mapping to scikit-learn / LIBSVM (C on the slack, min 1/2 ||w||^2 + C_sk sum xi):
C_sklearn = 1 / C_notes and alpha_sklearn = alpha_notes / C_notes (so 0 <= alpha_sk <= C_sk);
g_notes(alpha) = C_notes * g_sklearn(alpha_sk). ``dual_coef_`` follows scikit-learn:
y^(i) alpha_sk^(i) = y^(i) alpha^(i) / C, so f(x) = sum_i dual_coef_i K(x^(i), x) + intercept_.

SMO minimises f(alpha) = 1/2 alpha^T Q alpha - e^T alpha (= -g) with Q_ij = y_i y_j K_ij / C, two
coordinates at a time, picked by second-order working-set selection (WSS2, Fan, Chen & Lin 2005).
Its gradient G = Q alpha - e equals LIBSVM's, so ``tol`` means the same as scikit-learn's.

The primal solver minimises J(w, b) = C/2 ||w||^2 + sum_i max(0, 1 - y^(i) (w^T x^(i) + b))
directly (smoothed-hinge Newton path, then an exact active-set solve certified by the duality
gap) and recovers alpha from the KKT conditions, so both views can be compared: at the optimum
``primal_objective_`` == ``dual_objective_``.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from . import duality as _duality
from . import kernels as _kernels
from ._validation import (check_array, check_is_fitted, check_n_features, check_option,
                          check_scalar, check_X_y)
from .base import BaseEstimator, ClassifierMixin

__all__ = ["SVC", "smo_step", "smo_select", "SMOStep", "dual_objective", "primal_objective",
           "HARD_MARGIN_BOUND", "SOLVERS"]

#: Upper bound on the notes' alpha used for ``hard_margin=True`` (alpha is unbounded in theory);
#: a solution touching it means the data is not linearly separable in feature space.
HARD_MARGIN_BOUND = 1e7
#: Largest n for which hard_margin=True first checks separability with an LP.
HARD_MARGIN_LP_MAX = 1000

_TAU = 1e-12  # curvature floor for non-positive-definite pairs (as in WSS2)
#: SVC solvers: SMO on the dual (any kernel), the exact primal solver (linear kernel)
SOLVERS = ("smo", "primal", "auto")
#: solver="auto" (linear kernel, soft margin): SMO for at most this many steps per sample, then
#: the primal solver (SMO is fastest on easy problems, the primal on heavily overlapping ones)
AUTO_SMO_STEPS_PER_SAMPLE = 10


# ------------------------------------------------------------------------------ SMO
@dataclass(frozen=True)
class SMOStep:
    """Result of one :func:`smo_step`.

    Attributes
    ----------
    alpha, grad : ndarray of shape (n,)
        Updated dual variables and gradient G = Q alpha - e.
    i, j : int
        The working pair (-1 if none was selected).
    gap : float
        KKT violation m(alpha) - M(alpha) *before* the step (0 at an exact optimum).
    converged : bool
        gap <= tol; the step was then not taken.
    """

    alpha: np.ndarray
    grad: np.ndarray
    i: int
    j: int
    gap: float
    converged: bool


def _up_low(alpha, y, upper):
    """Masks of I_up (alpha_t may move along +y_t) and I_low (along -y_t)."""
    below, above = alpha < upper, alpha > 0
    up = np.where(y > 0, below, above)
    low = np.where(y > 0, above, below)
    return up, low


def smo_select(alpha, grad, Q, y, upper=1.0):
    """Second-order working set: i = argmax_{t in I_up} -y_t G_t, then
    j = argmin_{t in I_low, -y_t G_t < -y_i G_i} -b_it^2 / a_it, with b_it = -y_i G_i + y_t G_t and
    a_it = Q_ii + Q_tt - 2 y_i y_t Q_it (floored at tau).

    Returns
    -------
    i, j : int
        -1 when no violating pair exists.
    gap : float
        m(alpha) - M(alpha) = max_{I_up} -yG - min_{I_low} -yG (the KKT violation).
    """
    up, low = _up_low(alpha, y, upper)
    if not up.any() or not low.any():
        return -1, -1, 0.0
    score = -y * grad  # (n,)
    i = int(np.argmax(np.where(up, score, -np.inf)))
    m_val = score[i]
    gap = float(m_val - np.min(score[low]))
    b = m_val - score  # b_it
    cand = low & (b > 0)
    if not cand.any():
        return i, -1, gap
    diag = np.diag(Q)
    a = diag[i] + diag - 2.0 * y[i] * y * Q[i]  # a_it
    a = np.where(a > 0, a, _TAU)
    j = int(np.argmin(np.where(cand, -b * b / a, np.inf)))
    return i, j, gap


def smo_step(alpha, grad, Q, y, upper=1.0, tol=1e-3) -> SMOStep:
    """One SMO step: choose (i, j) by :func:`smo_select`, then minimise f exactly along
    alpha_i += y_i t, alpha_j -= y_j t (which keeps sum_i alpha_i y_i fixed):
    t = min(b_ij / a_ij, room_i, room_j), and update G += Q[:, i] d_i + Q[:, j] d_j.

    Parameters
    ----------
    alpha : ndarray (n,)
        Feasible notes' dual variables, 0 <= alpha <= upper, sum alpha y = 0.
    grad : ndarray (n,)
        G = Q alpha - e.
    Q : ndarray (n, n)
        Q_ij = y_i y_j K_ij / C.
    y : ndarray (n,) of -1/+1
    upper : float
        Box bound (1 in the notes; large for hard margin).
    tol : float
        Stop when the KKT violation m - M <= tol.

    Returns
    -------
    SMOStep
        New arrays (the inputs are not modified).
    """
    i, j, gap = smo_select(alpha, grad, Q, y, upper)
    if gap <= tol or j < 0:
        return SMOStep(alpha, grad, i, j, gap, True)
    score = -y * grad
    b = score[i] - score[j]
    a = Q[i, i] + Q[j, j] - 2.0 * y[i] * y[j] * Q[i, j]
    room_i = upper - alpha[i] if y[i] > 0 else alpha[i]
    room_j = upper - alpha[j] if y[j] < 0 else alpha[j]
    t = min(b / max(a, _TAU), room_i, room_j)
    new = alpha.copy()
    new[i] = _snap(alpha[i] + y[i] * t, upper, t == room_i)
    new[j] = _snap(alpha[j] - y[j] * t, upper, t == room_j)
    grad = grad + Q[:, i] * (new[i] - alpha[i]) + Q[:, j] * (new[j] - alpha[j])
    return SMOStep(new, grad, i, j, gap, False)


def _snap(value, upper, at_bound):
    """Put a variable that reached its bound exactly on 0 or ``upper``."""
    if at_bound:
        return 0.0 if abs(value) < abs(upper - value) else upper
    return min(max(value, 0.0), upper)


def dual_objective(alpha, grad) -> float:
    """Notes' dual g(alpha) = sum alpha - 1/(2C) alpha^T (yy^T * K) alpha.

    Computed from the gradient G = Q alpha - e as (e^T alpha - alpha^T G) / 2, in O(n).
    """
    return float(0.5 * (alpha.sum() - alpha @ grad))


def primal_objective(alpha, grad, y, b) -> float:
    """Notes' primal J = C/2 ||w||^2 + sum_i max(0, 1 - y_i f(x_i)) at w = (1/C) sum alpha y phi.

    From G = Q alpha - e in O(n): C/2 ||w||^2 = alpha^T Q alpha / 2 = alpha^T (G + e) / 2 and
    y_i f(x_i) = (Q alpha)_i + y_i b = G_i + 1 + y_i b.
    """
    return float(0.5 * (alpha @ grad + alpha.sum()) + np.maximum(0.0, -grad - y * b).sum())


def _intercept(alpha, grad, y, upper) -> float:
    """b = -y_i G_i averaged over free alphas; with none, the middle of the feasible interval.

    With y_i f(x_i) = G_i + 1 + y_i b, the KKT conditions y f <= 1 (alpha = upper) and
    y f >= 1 (alpha = 0) bound rho = -b: rho >= y_i G_i on {alpha = upper, y = +1} and
    {alpha = 0, y = -1}, rho <= y_i G_i on {alpha = upper, y = -1} and {alpha = 0, y = +1}
    (LIBSVM's lb and ub sets).
    """
    yg = y * grad
    free = (alpha > 0) & (alpha < upper)
    if free.any():
        return float(-yg[free].mean())
    at_up, at_zero = alpha >= upper, alpha <= 0
    ub_set = (at_up & (y < 0)) | (at_zero & (y > 0))
    lb_set = (at_up & (y > 0)) | (at_zero & (y < 0))
    ub = yg[ub_set].min() if ub_set.any() else np.inf
    lb = yg[lb_set].max() if lb_set.any() else -np.inf
    if not np.isfinite(ub + lb):  # one side unbounded: the finite end
        return float(-(ub if np.isfinite(ub) else lb if np.isfinite(lb) else 0.0))
    return float(-(ub + lb) / 2.0)


# ------------------------------------------------------------------------------ fast SMO loop
def _nonzero_columns(X):
    """X without the features that are 0 in every sample: they add nothing to x^T z or
    ||x - z||^2, so every built-in kernel's Gram matrix is unchanged (up to summation order)."""
    keep = np.flatnonzero(np.any(X != 0, axis=0))
    return X if keep.size in (0, X.shape[1]) else X[:, keep]


class _KernelRows:
    """Rows of Kc = K / C for the fused SMO loop: the Gram matrix, computed once (one GEMM).

    (Computing only the rows SMO touches, in blocks, was measured slower: on MNIST 3 vs 8 SMO
    touches 388 of 1,500 rows, but each block streams all of X; 0.16 s vs 0.06 s.)
    """

    def __init__(self, kfun, X, C):
        Kc = _kernels.gram(kfun, X)
        if C != 1.0:
            Kc /= C
        self.Kc = Kc
        self.diag = Kc.diagonal().copy()


def _smo_fused(rows, y, upper, tol, max_iter):
    """SMO from alpha = 0: the same pairs and updates as looping :func:`smo_step`, fused.

    Works with the scores s = -y G kept in two masked copies, su = s on I_up (-inf elsewhere)
    and sl = s on I_low (+inf elsewhere), so i = argmax su, m - M = max(m - sl), and the
    masks change only at i and j; the buffers are preallocated and the updates in place.
    G never appears: -y_t Q_ti = -y_i K_ti / C, so s += -y_i d_i Kc_i - y_j d_j Kc_j, and
    a_it = Kc_ii + Kc_tt - 2 Kc_it. The dual objective is carried along exactly:
    g += y_i s_i d_i + y_j s_j d_j - (Kc_ii d_i^2 + Kc_jj d_j^2 + 2 y_i y_j Kc_ij d_i d_j) / 2.

    Returns alpha, grad, history, n_iter, converged (as the public loop would).
    """
    n, inf = y.size, np.inf
    su = np.where(y > 0, 1.0, -inf)  # alpha = 0: G = -1, s = y; I_up = {y > 0}
    sl = np.where(y > 0, inf, -1.0)  # I_low = {y < 0}
    b, tmp, arow = np.empty(n), np.empty(n), np.empty(n)
    Kc, diag = rows.Kc, rows.diag
    yl, al, dl = y.tolist(), [0.0] * n, diag.tolist()
    alpha = np.zeros(n)  # al as an array, for the recorded duality gaps
    hist = {"iteration": [], "dual_objective": [], "kkt_violation": [], "duality_gap": []}
    g, converged, it = 0.0, False, 0
    for it in range(max_iter + 1):
        i = int(su.argmax())
        m = float(su[i])
        np.subtract(m, sl, out=b)
        gap = float(b.max())
        if gap == -inf:  # I_up or I_low is empty
            gap = 0.0
        j = -1
        if gap > tol:
            Ki = Kc[i]
            np.maximum(b, 0.0, out=b)  # b_it > 0 only for candidates t in I_low
            np.add(diag, dl[i], out=arow)
            np.multiply(Ki, 2.0, out=tmp)
            arow -= tmp
            np.copyto(arow, _TAU, where=arow <= 0)
            np.multiply(b, b, out=b)
            b /= arow
            j = int(b.argmax())
            if not b[j] > 0:
                j = -1
        if it < 100 or it % 10 == 0 or j < 0:
            hist["iteration"].append(it)
            hist["dual_objective"].append(g)
            hist["kkt_violation"].append(gap)
            grad = -y * np.where(su > -inf, su, sl)
            primal = primal_objective(alpha, grad, y, _intercept(alpha, grad, y, upper))
            hist["duality_gap"].append(primal - g)
        if j < 0:
            converged = True
            break
        if it == max_iter:
            break
        yi, yj, ai, aj = yl[i], yl[j], al[i], al[j]
        sj = float(sl[j])
        kij = float(Ki[j])
        a = dl[i] + dl[j] - 2.0 * kij
        room_i = upper - ai if yi > 0 else ai
        room_j = upper - aj if yj < 0 else aj
        t = min((m - sj) / max(a, _TAU), room_i, room_j)
        ni = _snap(ai + yi * t, upper, t == room_i)
        nj = _snap(aj - yj * t, upper, t == room_j)
        di, dj = ni - ai, nj - aj
        al[i], al[j] = ni, nj
        alpha[i], alpha[j] = ni, nj
        g += yi * m * di + yj * sj * dj - 0.5 * (dl[i] * di * di + dl[j] * dj * dj
                                                 + 2.0 * yi * yj * kij * di * dj)
        np.multiply(Ki, -yi * di, out=tmp)
        su += tmp
        sl += tmp
        np.multiply(Kc[j], -yj * dj, out=tmp)
        su += tmp
        sl += tmp
        si, sj = float(su[i]), float(sl[j])  # i was in I_up, j in I_low: finite there
        for k, sk, ak, yk in ((i, si, ni, yi), (j, sj, nj, yj)):
            below, above = ak < upper, ak > 0
            su[k] = sk if (below if yk > 0 else above) else -inf
            sl[k] = sk if (above if yk > 0 else below) else inf
    grad = -y * np.where(su > -inf, su, sl)
    return alpha, grad, hist, it, converged


def _check_separable_lp(X, y, K, kernel) -> bool | None:
    """Hard margin: raise at once unless some f separates the data with y_i f(x_i) >= 1;
    True when the LP certifies that one does, None when it was not decided.

    That is the feasibility of a linear program (``duality.linprog`` with c = 0): for the
    linear kernel in (w, b), -y_i (w^T x_i + b) <= -1; for any other kernel in f = F v + b
    with K = F F^T (a separating w in feature space can be projected onto the span of the
    phi(x_j) without changing f on the data; F from the positive eigenvalues of K, which also
    keeps the LP well scaled), -y_i ((F v)_i + b) <= -1. SMO would only
    notice by alpha growing without bound (up to max_iter steps). Skipped above
    ``HARD_MARGIN_LP_MAX`` samples (the LP's cost grows as n^3); SMO's own checks remain.
    """
    n = y.size
    if n > HARD_MARGIN_LP_MAX:
        return None
    if _is_linear(kernel):
        feats = X - X.mean(axis=0)
    else:  # K = F F^T with F = V sqrt(lam) on the positive eigenvalues: f = F v + b
        lam, V = np.linalg.eigh(K)
        keep = lam > 1e-10 * max(lam[-1], 0.0)
        feats = V[:, keep] * np.sqrt(lam[keep])
    scale = np.abs(feats).max(initial=0.0)  # rescaling the features rescales w: same answer
    feats = feats / scale if scale > 0 else feats
    A = -y[:, None] * np.column_stack([feats, np.ones(n)])
    result = _duality.linprog(np.zeros(A.shape[1]), A_ub=A, b_ub=-np.ones(n))
    if result.status == "infeasible":
        raise ValueError("The data is not linearly separable in feature space: no f has "
                         "y f(x) >= 1 for every point (the hard-margin constraints, an LP, are "
                         "infeasible); use hard_margin=False")
    return True if result.status == "optimal" else None


# ------------------------------------------------------------------------------ estimator
def _is_linear(kernel) -> bool:
    """kernel names the linear kernel (not a callable that happens to be one)."""
    return isinstance(kernel, str) and kernel == "linear"


def _kernel_callable(kernel, gamma, degree, coef0, X):
    """The kernel as ``k(X, Y=None)`` with gamma resolved on the training X (None: "scale")."""
    if callable(kernel):
        return kernel
    names = ("linear", "poly", "polynomial", "rbf", "gaussian", "sigmoid")
    if not isinstance(kernel, str) or kernel not in names:
        raise ValueError(f"kernel must be a callable or one of "
                         f"{', '.join(repr(n) for n in names)}; got {kernel!r}")
    fn = _kernels.KERNELS[kernel].__name__
    g = _kernels._gamma(gamma, X)
    params = {"linear": {}, "rbf": {"gamma": g},
              "polynomial": {"gamma": g, "degree": degree, "coef0": coef0},
              "sigmoid": {"gamma": g, "coef0": coef0}}[fn]
    return _kernels.get_kernel(kernel, **params)


class SVC(ClassifierMixin, BaseEstimator):
    """Two-class kernel SVM: f(x) = w^T phi(x) + b = (1/C) sum_i alpha^(i) y^(i) K(x^(i), x) + b.

    Parameters
    ----------
    C : float > 0
        The notes' C (weight on ||w||^2); scikit-learn's is 1 / C.
    kernel : {'linear', 'poly', 'rbf', 'sigmoid'} or callable
    gamma : float > 0 or None
        None: 1 / (d * X.var()) of the training X (scikit-learn's ``"scale"``).
    degree : int
    coef0 : float
    tol : float > 0
        Stop SMO when the KKT violation m(alpha) - M(alpha) <= tol (SMO only: the primal
        solver stops at a certified exact optimum).
    max_iter : int
        Maximum SMO steps, or Newton iterations of the primal solver (a warning is issued if
        reached).
    hard_margin : bool
        No slack (min C/2 ||w||^2 s.t. y f(x) >= 1): alpha is bounded by ``HARD_MARGIN_BOUND``
        instead of 1. Separability is first decided by a linear program (y f(x) >= 1 feasible?
        ``_check_separable_lp``, up to ``HARD_MARGIN_LP_MAX`` samples): infeasible raises a
        ValueError ("not linearly separable") at once. Otherwise SMO runs, and a ValueError is
        raised if alpha touches the bound, SMO does not converge within ``max_iter`` or a margin
        y_i f(x_i) < 1 - 1e-3 remains -- a RuntimeWarning instead when the LP certified that
        the data is separable (the margin is then tiny). SMO only.
    solver : {"smo", "primal", "auto"}
        "smo": the dual by SMO (any kernel). "primal" (kernel="linear" only): J(w, b) =
        C/2 ||w||^2 + sum_i max(0, 1 - y^(i) (w^T x^(i) + b)) minimised exactly: a Newton path
        on the smoothed hinge eps ln(1 + exp((1 - m) / eps)), eps = 1 -> 1e-8, then an
        active-set solve of the KKT conditions accepted only when its duality gap is
        <= 1e-10 max(1, J) (see :mod:`ece544core._svm_primal`); alpha_ is recovered from the
        KKT conditions (1 where y f(x) < 1, 0 where > 1, solved for on the margin).
        "auto": for the linear soft margin, SMO for at most ``AUTO_SMO_STEPS_PER_SAMPLE`` * n
        steps and, if it has not converged by then, the primal solver; else "smo".

    Attributes
    ----------
    alpha_ : ndarray (n_samples,)
        Notes' dual variables, in [0, 1] (unbounded for hard margin).
    support_, support_vectors_, n_support_ : indices, rows and per-class counts of alpha > 0.
    dual_coef_ : ndarray (1, n_SV)
        y_i alpha_i / C (scikit-learn's dual_coef_).
    intercept_ : ndarray (1,)
    dual_objective_, primal_objective_ : float
        g(alpha) and J(w, b) at the solution (equal at the optimum).
    coef_ : ndarray (1, d)
        w = (1/C) sum alpha y x, linear kernel only.
    classes_ : ndarray (2,)
        classes_[1] is the +1 class.
    history_ : dict of lists
        SMO: ``iteration``, ``dual_objective`` g(alpha), ``kkt_violation`` m(alpha) - M(alpha)
        and ``duality_gap`` J(w, b) - g(alpha) (b from the current alphas, as at the end);
        every step for the first 100, then every 10th, and the last. Primal: ``iteration``, ``eps`` (0 marks an exact
        active-set solve), ``primal_objective`` J(w, b) of every iterate,
        ``smoothed_objective``, ``duality_gap`` (the certificate of active-set solves).
    n_iter_ : int
    converged_ : bool
    solver_ : str
        The solver that produced the fit: "smo" or "primal".
    """

    def __init__(self, C=1.0, kernel="rbf", gamma=None, degree=3, coef0=0.0, tol=1e-3,
                 max_iter=100000, hard_margin=False, solver="smo"):
        self.C = C
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.tol = tol
        self.max_iter = max_iter
        self.hard_margin = hard_margin
        self.solver = solver

    # -------------------------------------------------------------- helpers
    def _kernel_fn(self, X):
        """Kernel callable with gamma resolved on the training X."""
        return _kernel_callable(self.kernel, self.gamma, self.degree, self.coef0, X)

    def _check_params(self):
        C = check_scalar(self.C, "C", kind=float, min_val=0.0, include_min=False)
        tol = check_scalar(self.tol, "tol", kind=float, min_val=0.0, include_min=False)
        max_iter = check_scalar(self.max_iter, "max_iter", kind=int, min_val=1)
        check_option(self.solver, "solver", SOLVERS)
        if self.solver == "primal":
            if self.hard_margin:
                raise ValueError("solver='primal' solves the soft-margin SVM only; got "
                                 "hard_margin=True: use solver='smo'")
            if not np.isfinite(C):
                raise ValueError(f"C must be a finite positive number; got {C!r}")
        return C, tol, max_iter

    def _labels(self, y):
        classes = np.unique(y)
        if classes.size != 2:
            raise ValueError(f"y must contain exactly two classes for a binary SVC; got "
                             f"{classes.size} class(es): {classes.tolist()[:5]}")
        return classes, np.where(y == classes[1], 1.0, -1.0)

    # -------------------------------------------------------------- fit
    def fit(self, X, y):
        """Solve the notes' dual by SMO, or the primal exactly (solver="primal"); returns self.

        SMO: the Gram matrix is computed once; features that are 0 in every training sample
        are left out of it (they change no inner product or distance). The loop is the private
        fused :func:`_smo_fused`, which takes the same steps as looping :func:`smo_step`.
        """
        X, y = check_X_y(X, y)
        C, tol, max_iter = self._check_params()
        self.classes_, ys = self._labels(y)
        kfun = self._kernel_fn(X)
        linear = _is_linear(self.kernel)
        if self.solver == "primal":
            if not linear:
                raise ValueError(f"solver='primal' needs kernel='linear' (it minimises over w "
                                 f"in input space); got kernel={self.kernel!r}: use "
                                 f"solver='smo'")
            return self._fit_primal(X, ys, C, max_iter, kfun)
        rows = _KernelRows(kfun, _nonzero_columns(X), C)
        separable = _check_separable_lp(X, ys, rows.Kc * C, self.kernel) if self.hard_margin \
            else None
        upper = HARD_MARGIN_BOUND if self.hard_margin else 1.0
        fallback = self.solver == "auto" and linear and not self.hard_margin
        steps = min(max_iter, AUTO_SMO_STEPS_PER_SAMPLE * ys.size) if fallback else max_iter
        alpha, grad, hist, n_iter, converged = _smo_fused(rows, ys, upper, tol, steps)
        if fallback and not converged:
            return self._fit_primal(X, ys, C, max_iter, kfun)
        self.solver_ = "smo"
        if not converged and not self.hard_margin:
            warnings.warn(f"SVC: SMO stopped after max_iter={max_iter} steps without reaching "
                          f"tol; the KKT violation is {hist['kkt_violation'][-1]:.3g}",
                          RuntimeWarning, stacklevel=2)
        self._store(X, ys, alpha, grad, upper, C, kfun)
        if self.hard_margin:  # y_i f(x_i) = y_i ((K y alpha)_i / C + b) = G_i + 1 + y_i b
            try:
                self._check_separable(alpha, upper, converged,
                                      grad + 1.0 + ys * self.intercept_[0])
            except ValueError as exc:
                if not separable:
                    raise
                warnings.warn("SVC: the data is separable (the LP found y f(x) >= 1), but SMO "
                              "did not reach the hard-margin solution (the margin is tiny, so "
                              f"alpha is huge): {exc}; raise max_iter", RuntimeWarning,
                              stacklevel=2)
        self.history_, self.n_iter_, self.converged_ = hist, n_iter, converged
        return self

    def _fit_primal(self, X, ys, C, max_iter, kfun):
        """The exact primal solver (:func:`ece544core._svm_primal.fit_primal`)."""
        from ._svm_primal import fit_primal  # it uses _intercept from this module

        alpha, grad, hist, n_iter, converged = fit_primal(X, ys, C, max_iter)
        if not converged:
            gaps = [g for g in hist["duality_gap"] if g == g]
            warnings.warn("SVC(solver='primal'): no active-set solve was certified optimal "
                          "(duality gap <= 1e-10 max(1, J)) on the smoothing path within "
                          f"max_iter={max_iter} Newton iterations; the smallest gap found is "
                          f"{min(gaps) if gaps else float('nan'):.3g} (badly scaled "
                          "features? try standardising X)", RuntimeWarning, stacklevel=3)
        self._store(X, ys, alpha, grad, 1.0, C, kfun)
        self.history_, self.n_iter_, self.converged_ = hist, n_iter, converged
        self.solver_ = "primal"
        return self

    @staticmethod
    def _check_separable(alpha, upper, converged, margins):
        """Hard margin: raise unless alpha stayed below the bound, SMO converged and
        y_i f(x_i) >= 1 - 1e-3 for all i."""
        why = ("alpha reached the bound {:g}".format(upper) if np.any(alpha >= upper) else
               "the dual kept growing until max_iter" if not converged else
               f"min y f(x) = {margins.min():.3g} < 1" if margins.min() < 1 - 1e-3 else None)
        if why is not None:
            raise ValueError("The data is not linearly separable in feature space: the "
                             f"hard-margin dual is unbounded ({why}); use hard_margin=False")

    def _store(self, X, ys, alpha, grad, upper, C, kfun):
        self.alpha_ = alpha
        sv = np.flatnonzero(alpha > 0)
        self.support_ = sv
        self.support_vectors_ = X[sv]
        self.n_support_ = np.array([np.sum(ys[sv] < 0), np.sum(ys[sv] > 0)], dtype=np.int32)
        self.dual_coef_ = (ys[sv] * alpha[sv] / C)[None, :]  # (1, n_SV)
        self.intercept_ = np.array([_intercept(alpha, grad, ys, upper)])
        self.dual_objective_ = dual_objective(alpha, grad)
        self.primal_objective_ = primal_objective(alpha, grad, ys, self.intercept_[0])
        self.n_features_in_ = X.shape[1]
        self._kfun = kfun

    # -------------------------------------------------------------- predict
    @property
    def coef_(self):
        """w = (1/C) sum_i alpha^(i) y^(i) x^(i), shape (1, d); linear kernel only."""
        if not _is_linear(self.kernel):
            raise AttributeError("coef_ is only available when kernel='linear'")
        check_is_fitted(self, "support_")
        return self.dual_coef_ @ self.support_vectors_

    def decision_function(self, X):
        """f(x) = sum_i dual_coef_i K(x^(i)_SV, x) + b; > 0 means classes_[1]. Shape (n,)."""
        check_is_fitted(self, "support_")
        X = check_array(X)
        check_n_features(X, self.n_features_in_)
        if self.support_.size == 0:
            return np.full(X.shape[0], self.intercept_[0])
        Ks = self._kfun(self.support_vectors_, X)  # (n_SV, n)
        return (self.dual_coef_ @ Ks)[0] + self.intercept_[0]

    def predict(self, X):
        """classes_[1] where f(x) > 0, else classes_[0]."""
        f = self.decision_function(X)  # checks fitted first
        return self.classes_[(f > 0).astype(int)]
