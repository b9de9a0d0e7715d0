"""The Crammer-Singer multiclass SVM: its loss, its primal and dual objectives, and the solvers
behind ``multiclass.MulticlassSVM`` and the eps = 0 case of ``temperature.TemperatureClassifier``.

With scores s_i = W x_i (one row w_k per class, x_i possibly carrying a constant 1 for a
penalised bias), a task loss Delta(y, yhat) >= 0 with Delta(y, y) = 0 (default: the 0-1 loss
[y != yhat]) and C > 0 (the notes' convention, C_sklearn = 1 / C):

    loss     l_i(W)  = max_yhat (Delta(y_i, yhat) + w_yhat^T x_i) - w_{y_i}^T x_i      >= 0
    primal   J(W)    = C/2 ||W||^2 + sum_i l_i(W)
    dual     D(beta) = sum_i beta_i^T Delta(y_i, .) - C/2 ||W(beta)||^2,
             W(beta) = (1/C) sum_i (e_{y_i} - beta_i) x_i^T,   every beta_i in the simplex,

and weak duality D(beta) <= min J <= J(W): the gap J(W(beta)) - D(beta) >= 0 certifies a
solution. Solvers (all stop on that gap):

* :func:`dual_bca` -- block-coordinate ascent on the dual, one sample's beta_i at a time,
  maximised exactly by a projection onto the simplex (the textbook method);
* :func:`newton_path` -- Newton's method on the temperature-smoothed objective
  J_eps(W) = C/2 ||W||^2 + sum_i eps ln sum_yhat exp((Delta + s_yhat - s_{y_i}) / eps) for a
  decreasing eps, finished by :func:`active_set_solve`;
* :func:`active_set_solve` -- the exact solution from a guess of each sample's maximising set
  (the KKT conditions on it are linear).

Arrays here are validated by the callers; ``idx`` holds class indices 0..K-1.
"""
from __future__ import annotations

import numpy as np

from ._history import History
from ._validation import check_random_state
from .losses import multiclass_hinge

__all__ = ["crammer_singer_loss", "primal_objective", "dual_objective", "dual_bca",
           "active_set_solve", "newton_path", "EPS_FLOOR"]

#: Smallest temperature of the Newton path (below it J_eps = J_0 in floating point).
EPS_FLOOR = 1e-10


# ------------------------------------------------------------------------------ objectives
def crammer_singer_loss(scores, y, task_loss=None) -> np.ndarray:
    """l_i = max_yhat (Delta(y_i, yhat) + s_i,yhat) - s_i,y_i per sample, shape (n,), >= 0.

    The multiclass SVM's loss: zero only when the true class beats every other by its margin
    Delta (1 for the default 0-1 loss), and only the worst competitor counts. It is
    ``losses.multiclass_hinge`` (the eps -> 0 limit of the temperature loss) without the
    subgradient. ``scores`` (n, K), ``y`` (n,) class indices in [0, K), ``task_loss`` as there.
    """
    return multiclass_hinge(scores, y, task_loss)[0]


def _onehot(idx, K: int) -> np.ndarray:
    E = np.zeros((idx.size, K))
    E[np.arange(idx.size), idx] = 1.0
    return E


def _margins(W, X, idx, Dy) -> np.ndarray:
    """A_i,yhat = Delta(y_i, yhat) + s_i,yhat - s_i,y_i, shape (n, K) (max_yhat A_i = l_i);
    Dy = D[idx] (n, K)."""
    S = X @ W.T  # (n, K)
    A = S - S[np.arange(idx.size), idx][:, None]
    A += Dy
    return A


def _primal(W, X, idx, Dy, C: float) -> float:
    return 0.5 * C * float((W * W).sum()) + float(_margins(W, X, idx, Dy).max(axis=1).sum())


def _dual(beta, X, E, Dy, C: float):
    W = (E - beta).T @ X / C
    return float((beta * Dy).sum()) - 0.5 * C * float((W * W).sum()), W


def primal_objective(W, X, idx, D, C: float) -> float:
    """J(W) = C/2 ||W||^2 + sum_i max_yhat (Delta(y_i, yhat) + s_i,yhat - s_i,y_i)."""
    return _primal(W, X, idx, D[idx], C)


def dual_objective(beta, X, idx, D, C: float):
    """(D(beta), W(beta)): sum_i beta_i^T Delta(y_i, .) - C/2 ||W||^2 and
    W(beta) = (1/C) sum_i (e_{y_i} - beta_i) x_i^T, shape (K, d)."""
    return _dual(beta, X, _onehot(idx, beta.shape[1]), D[idx], C)


def _record(history: History, iteration: int, primal: float, dual: float, **extra) -> float:
    """One record: the objective, the best dual value so far (a lower bound on the optimum,
    non-decreasing) and their gap; returns the gap."""
    best = max(dual, history.last("dual_objective", -np.inf))
    history.record(iteration=iteration, objective=primal, dual_objective=best,
                   gap=primal - best, **extra)
    return primal - best


# ------------------------------------------------------------------------------ dual ascent
def _project_simplex(v):
    """Euclidean projection of v (K,) onto the probability simplex (sort and threshold)."""
    u = np.sort(v)[::-1]
    css = np.cumsum(u) - 1.0
    rho = np.nonzero(u - css / np.arange(1, v.size + 1) > 0)[0][-1]
    return np.maximum(v - css[rho] / (rho + 1.0), 0.0)


def dual_bca(X, idx, D, C: float, beta, max_iter: int, tol: float, relative: bool = False,
             shuffle: bool = False, random_state=None):
    """Exact block-coordinate ascent on the dual D(beta) (module doc), one epoch at a time:

        beta_i <- proj_simplex(beta_i + C (Delta(y_i, .) + W x_i - W x_i,y_i) / ||x_i||^2),
        W <- W - (beta_i_new - beta_i) x_i^T / C,

    the exact maximiser of D in the block beta_i (a Python loop over the samples: the
    textbook method, slow). Samples in order 0..n-1, or (``shuffle``) in a fresh random order
    per epoch drawn from ``random_state``. Stops when the gap J(W) - D(beta) <= tol * n (``relative``:
    tol * |J(W)|).

    Returns (W (K, d), beta (n, K), history, n_epochs, converged); ``history`` has one record
    per epoch (the first: the start) with ``iteration``, ``objective`` J(W),
    ``dual_objective`` D(beta) (non-decreasing) and ``gap``.
    """
    n = X.shape[0]
    beta = np.array(beta, dtype=float)
    E, Dy = _onehot(idx, D.shape[0]), D[idx]  # (n, K): e_{y_i}, Delta(y_i, .)
    W = _dual(beta, X, E, Dy, C)[1]
    sq = np.einsum("ij,ij->i", X, X)
    rng = check_random_state(random_state) if shuffle else None
    history = History()

    def done(epoch):
        primal = _primal(W, X, idx, Dy, C)
        gap = _record(history, epoch, primal, _dual(beta, X, E, Dy, C)[0])
        return gap <= tol * (max(abs(primal), 1e-12) if relative else n)

    converged, epoch = done(0), 0
    while not converged and epoch < max_iter:
        epoch += 1
        order = np.arange(n) if rng is None else rng.permutation(n)
        for i in order[sq[order] > 0]:
            x = X[i]
            new = _project_simplex(beta[i] + C * (Dy[i] + W @ x) / sq[i])
            W -= np.outer(new - beta[i], x) / C
            beta[i] = new
        converged = done(epoch)
    return W, beta, history, epoch, converged


# ------------------------------------------------------------------------------ active set
def _kkt_on_sets(X, idx, D, C: float, A, width: float):
    """beta from the guessed maximising sets M_i = {yhat : A_i,yhat >= max A_i - width}.

    On those sets the KKT conditions are linear: beta_i = e_{a_i} + sum_k t_ik (e_k - e_{a_i})
    (a_i = argmax, k in M_i \\ {a_i}), W = (1/C) sum_i (e_{y_i} - beta_i) x_i^T, and every
    yhat in M_i ties: A_i,k(t) = A_i,a_i(t). Solved for t by least squares; returns beta
    (n, K) (possibly with negative entries: then the guess was wrong).
    """
    K = A.shape[1]
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
    return B


def active_set_solve(X, idx, D, C: float, A, eps: float, max_gap: float):
    """The exact eps = 0 solution from the margins A = Delta(y_i, .) + s_i - s_i,y_i of a
    smoothed minimiser at temperature eps: the maximising sets within 3 eps, then 10 eps, of
    each sample's max are taken as the active sets (:func:`_kkt_on_sets`). A candidate is
    accepted only if beta >= 0 and its duality gap J(W(beta)) - D(beta) <= max_gap (a
    certificate). Returns (W, beta, gap) or None (no guess certified, or a guess with more
    ties than 2 K d unknowns: generically at most K d tie, so the guess is still too coarse).
    """
    top = A.max(axis=1, keepdims=True)
    n, K = A.shape
    for width in (3.0 * eps, 10.0 * eps):
        if int((A >= top - width).sum()) - n > 2 * K * X.shape[1]:
            return None
        B = _kkt_on_sets(X, idx, D, C, A, width)
        if B.min() < -1e-9:
            continue
        B = np.clip(B, 0.0, None)
        B /= B.sum(axis=1, keepdims=True)
        dual, W = dual_objective(B, X, idx, D, C)
        gap = primal_objective(W, X, idx, D, C) - dual
        if gap <= max_gap:
            return W, B, gap
    return None


# ------------------------------------------------------------------------------ Newton path
def _smoothed(W, X, idx, Dy, C: float, eps: float):
    """(J_eps(W), p = softmax(A / eps) (n, K)) with A the margins of :func:`_margins`.

    The log-sum-exp and the softmax come from one exponential of Z - max Z (Z = A / eps, whose
    max is >= Z_i,y_i = 0, so every row is finite): this is the inner loop of Newton's line
    search, and in the browser (wasm) each NumPy call costs tens of microseconds, so
    ``_math.logsumexp`` plus ``_math.softmax`` (two passes, an errstate each) would double the
    fit's time."""
    Z = _margins(W, X, idx, Dy)
    Z /= eps
    top = Z.max(axis=1, keepdims=True)
    Z -= top
    np.exp(Z, out=Z)
    s = Z.sum(axis=1, keepdims=True)
    value = 0.5 * C * float((W * W).sum()) + eps * float(top.sum() + np.log(s).sum())
    Z /= s
    return value, Z


def _newton_step(W, P, E, X, XX, C: float, eps: float):
    """(step, decrement): the Newton direction of J_eps at W and lambda^2 = -grad^T step.

    grad = C W + (P - E)^T X, Hessian (1/eps) sum_i (diag p_i - p_i p_i^T) (x) x_i x_i^T + C I.
    """
    n, K = P.shape
    d = X.shape[1]
    G = C * W + (P - E).T @ X  # gradient, (K, d)
    A = P[:, :, None] * np.eye(K) - P[:, :, None] * P[:, None, :]  # (n, K, K)
    H = (A.reshape(n, K * K).T @ XX).reshape(K, K, d, d)
    H = H.transpose(0, 2, 1, 3).reshape(K * d, K * d) / eps + C * np.eye(K * d)
    step = -np.linalg.solve(H, G.ravel()).reshape(K, d)
    return step, -float((G * step).sum())


def newton_path(X, idx, D, C: float, max_iter: int, tol: float):
    """Minimise J(W) by Newton's method on J_eps for a decreasing temperature eps.

    At the smoothed optimum C W = sum_i (e_{y_i} - p_i) x_i^T, so beta_i = p_i =
    softmax(A_i / eps) is a dual feasible point whose gap is at most eps sum_i H(p_i) <=
    n eps ln K. eps starts at 1; each Newton step uses a backtracking (Armijo) line search on
    J_eps. When J_eps is minimised, :func:`active_set_solve` tries the exact solution on the
    maximising sets it suggests (accepted when certified); else eps shrinks (by 2x to 10x,
    aiming at half the target gap). Stops when the gap <= tol |J(W)|. Newton's iterates are
    affine invariant (unscaled features converge as fast as standardised ones); each step
    solves a K d square system: meant for small d.

    Returns (W, beta, history, n_iter, converged); ``history`` has one record per Newton step
    (the first: the start W = 0; an exact solve: eps = 0) with ``iteration``, ``objective``
    J(W) (not guaranteed monotone), ``dual_objective`` (the best D(beta) so far, a lower bound
    on the optimum), ``gap`` and ``eps``.
    """
    n, d = X.shape
    K = D.shape[0]
    E, Dy = _onehot(idx, K), D[idx]
    XX = (X[:, :, None] * X[:, None, :]).reshape(n, d * d)  # x_i x_i^T, (n, d*d)
    W, beta, eps = np.zeros((K, d)), E.copy(), 1.0
    history = History()
    _record(history, 0, _primal(W, X, idx, Dy, C), _dual(beta, X, E, Dy, C)[0], eps=eps)
    converged, it = False, 0
    value, P = _smoothed(W, X, idx, Dy, C, eps)
    while it < max_iter:
        it += 1
        step, decrement = _newton_step(W, P, E, X, XX, C, eps)
        t = 1.0
        while True:  # backtracking (Armijo) line search on J_eps
            new_value, new_P = _smoothed(W + t * step, X, idx, Dy, C, eps)
            if new_value <= value - 0.25 * t * decrement or t < 1e-10:
                break
            t *= 0.5
        W, value, P = W + t * step, new_value, new_P
        p = _primal(W, X, idx, Dy, C)
        dual = _dual(P, X, E, Dy, C)[0]
        gap = _record(history, it, p, dual, eps=eps)
        if dual >= history.last("dual_objective"):  # the best certificate so far
            beta = P
        target = tol * max(abs(p), 1e-12)
        if gap <= target:
            converged = True
            break
        stalled = t < 1e-10  # no descent left at this eps in floating point
        if stalled or 0.5 * decrement <= max(0.1 * target, 1e-3 * eps * n):
            found = active_set_solve(X, idx, D, C, _margins(W, X, idx, Dy), eps, target)
            if found is not None:
                W, beta, _ = found
                it += 1  # the exact solve counts as the last step
                _record(history, it, _primal(W, X, idx, Dy, C), _dual(beta, X, E, Dy, C)[0],
                        eps=0.0)
                converged = True
                break
            if eps < EPS_FLOOR:  # no smoothing left in double precision: give up honestly
                break
            eps *= max(0.1, min(0.5, 0.5 * tol * abs(p) / max(gap, 1e-300)))
            value, P = _smoothed(W, X, idx, Dy, C, eps)
    return W, beta, history, it, converged
