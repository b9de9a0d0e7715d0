"""SMO for the notes' SVM dual, and the dual quantities both SVC solvers share.

Dual (notes): max_alpha g(alpha) = sum_i alpha^(i) - 1/(2C) sum_ij alpha^(i) alpha^(j) y^(i)
y^(j) K_ij s.t. 0 <= alpha^(i) <= upper (1; large for the hard margin), sum_i alpha^(i) y^(i) = 0.

SMO minimises f(alpha) = 1/2 alpha^T Q alpha - e^T alpha (= -g) with Q_ij = y_i y_j K_ij / C, two
coordinates at a time, picked by second-order working-set selection (WSS2, Fan, Chen & Lin 2005).
Its gradient G = Q alpha - e equals LIBSVM's, so ``tol`` means the same as scikit-learn's.
:func:`smo_step` is the public step (the app animates it); ``svm.SVC.fit`` runs the fused
:func:`_smo_fused`, which takes the same steps. :func:`dual_objective`, :func:`primal_objective`
and :func:`svm_intercept` evaluate g, J and b from (alpha, G) for both the SMO and the primal
solver (:mod:`ece544core._svm_primal`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import kernels as _kernels
from ._history import History

__all__ = ["SMOStep", "SMOProgress", "smo_select", "smo_step", "dual_objective",
           "primal_objective", "svm_intercept"]

_TAU = 1e-12  # curvature floor for non-positive-definite pairs (as in WSS2)


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


@dataclass(frozen=True)
class SMOProgress:
    """What ``SVC.fit_steps`` yields after a chunk of SMO steps: the steps taken, the current
    KKT violation m(alpha) - M(alpha), and the targets tol and max_iter (steps)."""

    n_iter: int
    kkt_violation: float
    tol: float
    max_iter: int

    @property
    def fraction(self) -> float:
        """A progress estimate in [0, 1]: the larger of n_iter / max_iter and how far the KKT
        violation has come down from 2 (alpha = 0) to tol, on a log scale."""
        start, now, goal = math.log(2.0), math.log(max(self.kkt_violation, 1e-300)), \
            math.log(self.tol)
        done = (start - now) / (start - goal) if start > goal else 1.0
        return min(max(done, self.n_iter / max(self.max_iter, 1), 0.0), 1.0)


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


def svm_intercept(alpha, grad, y, upper=1.0) -> float:
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
    """:func:`_smo_run` to the end, in one go: (alpha, grad, history, n_iter, converged)."""
    run = _smo_run(rows, y, upper, tol, max_iter, chunk=None)
    try:
        while True:
            next(run)
    except StopIteration as end:
        return end.value


def _smo_run(rows, y, upper, tol, max_iter, chunk=None):
    """SMO from alpha = 0: the same pairs and updates as looping :func:`smo_step`, fused.

    Works with the scores s = -y G kept in two masked copies, su = s on I_up (-inf elsewhere)
    and sl = s on I_low (+inf elsewhere), so i = argmax su, m - M = max(m - sl), and the
    masks change only at i and j; the buffers are preallocated and the updates in place.
    G never appears: -y_t Q_ti = -y_i K_ti / C, so s += -y_i d_i Kc_i - y_j d_j Kc_j, and
    a_it = Kc_ii + Kc_tt - 2 Kc_it. The dual objective is carried along exactly:
    g += y_i s_i d_i + y_j s_j d_j - (Kc_ii d_i^2 + Kc_jj d_j^2 + 2 y_i y_j Kc_ij d_i d_j) / 2.

    A generator: with ``chunk`` steps given, it yields (n_iter, KKT violation, alpha, grad)
    after every ``chunk`` steps (alpha a copy: the current feasible iterate) so that a long
    fit can run in pieces; with None it never yields. It returns alpha, grad, history
    (:func:`_smo_history`: every step for the first 100, then every 10th, and the last),
    n_iter, converged (as the public loop would).
    """
    n, inf = y.size, np.inf
    su = np.where(y > 0, 1.0, -inf)  # alpha = 0: G = -1, s = y; I_up = {y > 0}
    sl = np.where(y > 0, inf, -1.0)  # I_low = {y < 0}
    b, tmp, arow = np.empty(n), np.empty(n), np.empty(n)
    Kc, diag = rows.Kc, rows.diag
    yl, al, dl = y.tolist(), [0.0] * n, diag.tolist()
    alpha = np.zeros(n)  # al as an array, for the recorded duality gaps
    rec_it, rec_g, rec_kkt, rec_primal = [], [], [], []  # plain lists in the loop
    g, converged, it = 0.0, False, 0
    pause = chunk if chunk else max_iter + 1  # the next step to yield at (never if None)
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
            rec_it.append(it)
            rec_g.append(g)
            rec_kkt.append(gap)
            grad = -y * np.where(su > -inf, su, sl)
            rec_primal.append(primal_objective(alpha, grad, y,
                                               svm_intercept(alpha, grad, y, upper)))
        if j < 0:
            converged = True
            break
        if it == max_iter:
            break
        if it == pause:
            pause += chunk
            yield it, gap, alpha.copy(), -y * np.where(su > -inf, su, sl)
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
    return alpha, grad, _smo_history(rec_it, rec_g, rec_primal, rec_kkt), it, converged


def _smo_history(iterations, dual, primal, kkt) -> History:
    """SMO's ``history_``: per recorded step ``iteration``, ``objective`` = ``dual_objective``
    g(alpha) (maximised), ``primal_objective`` J(w, b), ``gap`` J - g and ``kkt_violation``
    m(alpha) - M(alpha)."""
    hist = History()
    for it, g, J, kkt in zip(iterations, dual, primal, kkt):
        hist.record(iteration=it, objective=g, dual_objective=g, primal_objective=J, gap=J - g,
                    kkt_violation=kkt)
    return hist
