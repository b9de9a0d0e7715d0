"""The interior-point engine behind :func:`ece544core.duality.linprog`: a homogeneous
self-dual embedding of

    min_w c^T w  s.t.  G w <= h,  E w = d      (G = A_ub, h = b_ub, E = A_eq, d = b_eq, w free)

solved by Mehrotra's predictor-corrector. The iterate (x, y, z, s, tau, kappa) scales to
(w, nu, lam, slack) = (x, y, z, s) / tau; tau -> 0 with kappa > 0 signals a certificate of
infeasibility (h^T z + d^T y < 0) or unboundedness (c^T x < 0) instead of an optimum, so such
problems end with a certificate, not at ``max_iter``.

Each iterate is recorded in a :class:`~ece544core._history.History` with the shared field names
(see :func:`_record`). Private: the public entry point (validation, polish, result) is
:func:`ece544core.duality.linprog`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._history import History

_REG = 1e-11        # quasi-definite regularisation of the reduced Newton system
_STEP_FRACTION = 0.99


@dataclass
class _State:
    """Homogeneous self-dual iterate: x (w), y (nu), z (lam), s (slack), tau, kappa."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    s: np.ndarray
    tau: float
    kappa: float


@dataclass(frozen=True)
class _LP:
    c: np.ndarray
    G: np.ndarray   # A_ub
    h: np.ndarray   # b_ub
    E: np.ndarray   # A_eq
    d: np.ndarray   # b_eq

    @property
    def scale(self) -> float:
        """Size of the data's entries, for the regularisation (independent of the iterate)."""
        big = max(float(np.max(np.abs(M), initial=0.0)) for M in (self.G, self.E))
        return max(1.0, big * big)


def _residuals(lp: _LP, st: _State):
    """Residuals of the homogeneous embedding:
    r_x = E^T y + G^T z + c tau, r_y = E x - d tau, r_z = G x + s - h tau,
    r_tau = kappa + c^T x + d^T y + h^T z  (h = b_ub, d = b_eq, G = A_ub, E = A_eq).

    A solution with tau > 0, kappa = 0 gives the optimum (x, z, y) / tau; tau = 0, kappa > 0
    gives a certificate of infeasibility (h^T z + d^T y < 0) or unboundedness (c^T x < 0)."""
    r_x = lp.E.T @ st.y + lp.G.T @ st.z + lp.c * st.tau
    r_y = lp.E @ st.x - lp.d * st.tau
    r_z = lp.G @ st.x + st.s - lp.h * st.tau
    r_tau = st.kappa + lp.c @ st.x + lp.d @ st.y + lp.h @ st.z
    return r_x, r_y, r_z, r_tau


def _factor(lp: _LP, st: _State):
    """Solver (np.linalg.solve, no inverse) for K [dx; dy; dz] = [r1; r2; r3] with
    K = [[0, E^T, G^T], [E, 0, 0], [G, 0, -W]], W = diag(s / z), via the reduced
    quasi-definite system [[G^T D G + reg I, E^T], [E, -reg I]] (D = z / s)."""
    n, p = lp.c.shape[0], lp.E.shape[0]
    w = st.s / st.z
    D = st.z / st.s
    M = np.zeros((n + p, n + p))
    M[:n, :n] = (lp.G.T * D) @ lp.G
    M[:n, n:] = lp.E.T
    M[n:, :n] = lp.E
    scale = lp.scale
    M_reg = M.copy()
    M_reg[:n, :n] += _REG * scale * np.eye(n)
    M_reg[n:, n:] -= _REG * scale * np.eye(p)

    def solve(r1, r2, r3):
        rhs = np.concatenate([r1 + lp.G.T @ (D * r3), r2])
        sol = np.linalg.solve(M_reg, rhs)
        for _ in range(3):  # iterative refinement against the unregularised system
            sol = sol + np.linalg.solve(M_reg, rhs - M @ sol)
        dx, dy = sol[:n], sol[n:]
        dz = (lp.G @ dx - r3) / w
        return dx, dy, dz

    return solve


def _direction(lp, st, solve, u2, res, eta, r_sz, r_tk):
    """One Newton direction of the embedding: linear residuals scaled by eta, complementarity
    targets z o ds + s o dz = -r_sz, kappa dtau + tau dkappa = -r_tk."""
    r_x, r_y, r_z, r_tau = res
    u1 = solve(-eta * r_x, -eta * r_y, -eta * r_z + r_sz / st.z)
    num = -eta * r_tau + r_tk / st.tau - (lp.c @ u1[0] + lp.d @ u1[1] + lp.h @ u1[2])
    den = lp.c @ u2[0] + lp.d @ u2[1] + lp.h @ u2[2] - st.kappa / st.tau
    dtau = num / den
    dx, dy, dz = (a + dtau * b for a, b in zip(u1, u2))
    ds = (-r_sz - st.s * dz) / st.z
    dkappa = (-r_tk - st.kappa * dtau) / st.tau
    return dx, dy, dz, ds, dtau, dkappa


def _max_step(v, dv):
    neg = dv < 0
    return float(np.min(-v[neg] / dv[neg], initial=np.inf))


def _step_length(st, ds, dz, dtau, dkappa) -> float:
    alpha = min(_max_step(st.s, ds), _max_step(st.z, dz),
                _max_step(np.array([st.tau, st.kappa]), np.array([dtau, dkappa])))
    return alpha


def _mehrotra_step(lp: _LP, st: _State) -> _State:
    """One predictor-corrector step on the homogeneous self-dual embedding."""
    m = st.s.shape[0]
    mu = (st.s @ st.z + st.tau * st.kappa) / (m + 1)
    res = _residuals(lp, st)
    solve = _factor(lp, st)
    u2 = solve(-lp.c, lp.d, lp.h)
    aff = _direction(lp, st, solve, u2, res, 1.0, st.s * st.z, st.tau * st.kappa)
    _, _, dz, ds, dtau, dkappa = aff
    a = min(1.0, _step_length(st, ds, dz, dtau, dkappa))
    mu_aff = ((st.s + a * ds) @ (st.z + a * dz)
              + (st.tau + a * dtau) * (st.kappa + a * dkappa)) / (m + 1)
    sigma = min(1.0, max(0.0, mu_aff / mu)) ** 3
    r_sz = st.s * st.z + ds * dz - sigma * mu
    r_tk = st.tau * st.kappa + dtau * dkappa - sigma * mu
    dx, dy, dz, ds, dtau, dkappa = _direction(lp, st, solve, u2, res, 1.0 - sigma, r_sz, r_tk)
    a = min(1.0, _STEP_FRACTION * _step_length(st, ds, dz, dtau, dkappa))
    return _State(st.x + a * dx, st.y + a * dy, st.z + a * dz, st.s + a * ds,
                  st.tau + a * dtau, st.kappa + a * dkappa)


def _record(lp: _LP, st: _State, k: int, history: History) -> dict:
    """Record iterate k, scaled to (w, lam, nu) = (x, z, y) / tau, and return the record:

    objective = primal_objective = c^T w (minimised), dual_objective = -h^T lam - d^T nu,
    gap = |primal - dual|, primal_residual = ||(G w + s / tau - h, E w - d)||,
    dual_residual = ||c + G^T lam + E^T nu|| (stationarity), mu = s^T lam / m (the mean
    complementarity of the scaled iterate; 0 without inequality rows), tau, kappa, x = w.
    """
    w, lam, nu = st.x / st.tau, st.z / st.tau, st.y / st.tau
    pobj, dobj = float(lp.c @ w), float(-lp.h @ lam - lp.d @ nu)
    slack = st.s / st.tau
    pres = np.sqrt(np.sum((lp.G @ w + slack - lp.h) ** 2) + np.sum((lp.E @ w - lp.d) ** 2))
    rec = dict(iteration=k, objective=pobj, primal_objective=pobj, dual_objective=dobj,
               gap=abs(pobj - dobj), primal_residual=float(pres),
               dual_residual=float(np.linalg.norm(lp.c + lp.G.T @ lam + lp.E.T @ nu)),
               mu=float(slack @ lam) / max(len(slack), 1), tau=float(st.tau),
               kappa=float(st.kappa), x=w)
    history.record(**rec)
    return rec


def _check_status(lp: _LP, st: _State, rec: dict, tol: float) -> str | None:
    """"optimal" when the relative KKT residuals of the record are <= tol, "infeasible" /
    "unbounded" when the iterate holds a certificate to relative accuracy tol, else None."""
    nc, nh, nd = (1.0 + np.linalg.norm(v) for v in (lp.c, lp.h, lp.d))
    pobj, dobj = rec["primal_objective"], rec["dual_objective"]
    if (rec["primal_residual"] <= tol * max(nh, nd)
            and rec["dual_residual"] <= tol * nc
            and rec["gap"] <= tol * (1.0 + min(abs(pobj), abs(dobj)))):
        return "optimal"
    btz = lp.h @ st.z + lp.d @ st.y
    if btz < 0 and np.linalg.norm(lp.G.T @ st.z + lp.E.T @ st.y) <= tol * nc * -btz:
        return "infeasible"
    ctx = lp.c @ st.x
    ray_res = np.sqrt(np.sum(np.maximum(lp.G @ st.x, 0.0) ** 2) + np.sum((lp.E @ st.x) ** 2))
    if ctx < 0 and ray_res <= tol * max(nh, nd) * -ctx:
        return "unbounded"
    return None


def solve_hsd(lp: _LP, tol: float, max_iter: int):
    """Run the embedding from (x, y, z, s, tau, kappa) = (0, 0, 1, 1, 1, 1) until
    :func:`_check_status` decides or ``max_iter`` steps are done (a numerical breakdown stops
    early and keeps the last good iterate).

    Returns
    -------
    (state, status or None, n_iter, History)
    """
    n, m, p = lp.c.shape[0], lp.G.shape[0], lp.E.shape[0]
    st = _State(np.zeros(n), np.zeros(p), np.ones(m), np.ones(m), 1.0, 1.0)
    history = History()
    status, k = _check_status(lp, st, _record(lp, st, 0, history), tol), 0
    while status is None and k < max_iter:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            new = _mehrotra_step(lp, st)
        if not all(np.all(np.isfinite(v)) for v in (new.x, new.y, new.z, new.s, new.tau,
                                                     new.kappa)):
            break  # numerical breakdown: report the last good iterate as max_iter
        st, k = new, k + 1
        status = _check_status(lp, st, _record(lp, st, k, history), tol)
    return st, status, k, history
