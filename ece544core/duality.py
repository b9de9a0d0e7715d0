"""Linear programs and their duals (the notes' "Optimization Dual"): the Lagrangian, the dual
function, the dual program, the KKT conditions, and an interior-point LP solver that returns the
dual multipliers along with the primal solution.

The notes' primal (with optional equality rows added)::

    min_w  c^T w   s.t.  A w <= b   (A_ub, b_ub),   A_eq w = b_eq,   w free

Lagrangian, with lam >= 0 for the inequalities and nu free for the equalities::

    L(w, lam, nu) = c^T w + lam^T (A w - b) + nu^T (A_eq w - b_eq)
                  = (c + A^T lam + A_eq^T nu)^T w - b^T lam - b_eq^T nu

Minimising over w gives the dual function g(lam) = -b^T lam if A^T lam + c = 0 (else -inf) and
the dual program  max_{lam >= 0} -b^T lam  s.t.  A^T lam + c = 0.  KKT at an optimum:
stationarity c + A^T lam + A_eq^T nu = 0, primal feasibility, dual feasibility lam >= 0 and
complementary slackness lam_i (b - A w)_i = 0.

Conventions (differences from :func:`scipy.optimize.linprog`):

* ``w`` is free: there is no implicit ``w >= 0`` (SciPy's default ``bounds=(0, None)``); pass
  ``bounds=(None, None)`` to SciPy, or add rows ``-w <= 0`` to ``A_ub`` here.
* With the notes' L above, SciPy's ``res.ineqlin.marginals`` (= d fun / d b_ub) equal ``-lam``
  and ``res.eqlin.marginals`` equal ``-nu``.

The solver (:mod:`ece544core._lp_ipm`) is a homogeneous self-dual interior-point method with
Mehrotra's predictor-corrector, so infeasible and unbounded problems end with a certificate, not
at ``max_iter``. "What to do before computing the Lagrangian": bring the program into standard
form first, :func:`standard_form` (``>=`` rows times -1, constants to the right-hand side,
equalities kept apart).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._history import History
from ._lp_ipm import _LP, _State, solve_hsd
from .lp_forms import SENSES, StandardForm, standard_form
from ._validation import check_array, check_scalar

__all__ = ["LPResult", "KKTResiduals", "DualLP", "linprog", "lp_dual", "dual_function",
           "lagrangian", "kkt_residuals", "STATUSES", "standard_form", "StandardForm", "SENSES"]

STATUSES = ("optimal", "infeasible", "unbounded", "max_iter")


# ------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class KKTResiduals:
    """Residuals of the KKT conditions of the notes' LP at (w, lam, nu).

    Attributes
    ----------
    stationarity : float
        ||c + A^T lam + A_eq^T nu||_2.
    primal_feasibility : float
        ||max(A w - b, 0)||_2 and ||A_eq w - b_eq||_2 combined (root of the sum of squares).
    dual_feasibility : float
        ||min(lam, 0)||_2 (zero when lam >= 0).
    complementary_slackness : float
        |lam^T (b - A w)|.
    duality_gap : float
        |c^T w - (-b^T lam - b_eq^T nu)|.
    """

    stationarity: float
    primal_feasibility: float
    dual_feasibility: float
    complementary_slackness: float
    duality_gap: float

    def max(self) -> float:
        """The largest of the five residuals."""
        return max(self.stationarity, self.primal_feasibility, self.dual_feasibility,
                   self.complementary_slackness, self.duality_gap)


@dataclass(frozen=True)
class LPResult:
    """The result of :func:`linprog`.

    Attributes
    ----------
    x : ndarray (n,)
        The minimiser w* ("optimal"; the interior-point iterate refined by an active-set
        polish, see :func:`linprog`); for "unbounded" a ray d with A d <= 0, A_eq d = 0,
        c^T d < 0 (normalised to unit length); for "infeasible" NaNs; for "max_iter" the last
        scaled iterate.
    fun : float
        c^T x ("optimal", "max_iter"), +inf ("infeasible") or -inf ("unbounded").
    lam : ndarray (m_ub,)
        Multipliers of A_ub w <= b_ub, lam >= 0. For "infeasible" (with ``nu``) a Farkas
        certificate: A_ub^T lam + A_eq^T nu = 0, b_ub^T lam + b_eq^T nu < 0 (unit length).
    nu : ndarray (m_eq,)
        Multipliers of A_eq w = b_eq (free sign).
    status : str
        One of "optimal", "infeasible", "unbounded", "max_iter".
    message : str
    n_iter : int
    kkt : KKTResiduals
        Residuals at (x, lam, nu) for "optimal" and "max_iter"; at the last scaled iterate
        otherwise.
    history : History
        One record per iterate k = 0..n_iter of the scaled iterates (w, lam, nu) =
        (x, z, y) / tau, with the shared field names: "iteration", "objective" (= c^T w,
        minimised; also "primal_objective"), "dual_objective" (-b^T lam - b_eq^T nu), "gap"
        (|primal - dual|), "primal_residual", "dual_residual" (||c + A^T lam + A_eq^T nu||,
        stationarity), "mu" (s^T lam / m_ub, the mean complementarity), "tau", "kappa" and "x"
        (w; ``history["x"]`` has shape (n_iter + 1, n)).
    """

    x: np.ndarray
    fun: float
    lam: np.ndarray
    nu: np.ndarray
    status: str
    message: str
    n_iter: int
    kkt: KKTResiduals
    history: History = field(repr=False)

    @property
    def success(self) -> bool:
        """True when status is "optimal"."""
        return self.status == "optimal"


@dataclass(frozen=True)
class DualLP:
    """The notes' dual program of  min c^T w s.t. A w <= b:

        max_{lam >= 0}  obj^T lam   s.t.   A_eq lam = b_eq,
        with obj = -b, A_eq = A^T, b_eq = -c   (i.e. A^T lam + c = 0).
    """

    obj: np.ndarray
    A_eq: np.ndarray
    b_eq: np.ndarray

    def linprog_args(self) -> dict:
        """Arguments for :func:`linprog` solving the dual as a minimisation:
        min b^T lam s.t. -lam <= 0, A^T lam = -c (its optimal value is minus the dual's)."""
        m = self.obj.shape[0]
        return {"c": -self.obj, "A_ub": -np.eye(m), "b_ub": np.zeros(m),
                "A_eq": self.A_eq, "b_eq": self.b_eq}


# ------------------------------------------------------------------------------ validation
def _check_vector(v, name: str, length: int | None = None, length_of: str = "") -> np.ndarray:
    arr = check_array(v, name=name, ensure_2d=False)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array; got a {arr.ndim}-D array of shape "
                         f"{arr.shape}")
    if length is not None and arr.shape[0] != length:
        raise ValueError(f"{name} must have length {length} ({length_of}); got shape "
                         f"{arr.shape}")
    return arr


def _check_pair(A, b, a_name: str, b_name: str, n: int):
    """Validate an (A, b) constraint pair: both or neither, A of shape (m, n), b of shape (m,)."""
    if A is None and b is None:
        return np.zeros((0, n)), np.zeros(0)
    if A is None:
        raise ValueError(f"{b_name} was given without {a_name}; pass both or neither")
    if b is None:
        raise ValueError(f"{a_name} was given without {b_name}; pass both or neither")
    A = check_array(A, name=a_name, ensure_2d=False)
    if A.ndim != 2:
        raise ValueError(f"{a_name} must be a 2-D array of shape (m, n); got a {A.ndim}-D array "
                         f"of shape {A.shape}")
    if A.shape[1] != n:
        raise ValueError(f"{a_name} must have {n} columns (the length of c); got shape {A.shape}")
    b = _check_vector(b, b_name, A.shape[0], f"the number of rows of {a_name}")
    return A, b


def _check_lp(c, A, b):
    c = _check_vector(c, "c")
    A, b = _check_pair(A, b, "A", "b", c.shape[0])
    return c, A, b


# ------------------------------------------------------------------------------ the dual
def lagrangian(w, lam, c, A, b) -> float:
    """L(w, lam) = c^T w + lam^T (A w - b), the notes' Lagrangian of min c^T w s.t. A w <= b.

    Parameters
    ----------
    w : array-like (n,)
        The primal point.
    lam : array-like (m,)
        The multipliers (evaluated for any sign; the dual function needs lam >= 0).
    c, A, b : the primal min c^T w s.t. A w <= b; shapes (n,), (m, n), (m,).

    Returns
    -------
    float
    """
    c, A, b = _check_lp(c, A, b)
    w = _check_vector(w, "w", c.shape[0], "the length of c")
    lam = _check_vector(lam, "lam", A.shape[0], "the number of rows of A")
    return float(c @ w + lam @ (A @ w - b))


def dual_function(lam, c, A, b, atol: float = 1e-9) -> float:
    """g(lam) = min_w L(w, lam) = -b^T lam if A^T lam + c = 0, else -inf.

    "= 0" is tested as ||A^T lam + c||_2 <= atol (1 + ||c||_2). For lam >= 0, g(lam) is a lower
    bound on the primal optimum (weak duality).

    Parameters
    ----------
    lam : array-like (m,)
        Multipliers, lam >= 0.
    c, A, b : the primal min c^T w s.t. A w <= b; shapes (n,), (m, n), (m,).
    atol : float

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For bad shapes, non-finite entries or a negative entry of lam.
    """
    c, A, b = _check_lp(c, A, b)
    lam = _check_vector(lam, "lam", A.shape[0], "the number of rows of A")
    atol = check_scalar(atol, "atol", kind=float, min_val=0.0)
    if np.any(lam < 0):
        raise ValueError(f"lam must be >= 0 (dual feasibility); "
                         f"got min(lam) = {float(lam.min())!r}")
    slope = A.T @ lam + c
    if np.linalg.norm(slope) > atol * (1.0 + np.linalg.norm(c)):
        return -np.inf
    return float(-b @ lam)


def lp_dual(c, A, b) -> DualLP:
    """The dual program of min c^T w s.t. A w <= b:  max_{lam >= 0} -b^T lam s.t. A^T lam + c = 0.

    Parameters
    ----------
    c, A, b : the primal min c^T w s.t. A w <= b; shapes (n,), (m, n), (m,) with m >= 1.

    Returns
    -------
    DualLP
        With ``obj = -b``, ``A_eq = A^T``, ``b_eq = -c``.
    """
    c, A, b = _check_lp(c, A, b)
    if A.shape[0] == 0:
        raise ValueError("A must have at least one row")
    return DualLP(obj=-b, A_eq=A.T.copy(), b_eq=-c)


def kkt_residuals(w, lam, nu, c, A_ub, b_ub, A_eq, b_eq) -> KKTResiduals:
    """KKT residuals of min c^T w s.t. A_ub w <= b_ub, A_eq w = b_eq at (w, lam, nu):
    ||c + A_ub^T lam + A_eq^T nu||, primal infeasibility, ||min(lam, 0)||,
    |lam^T (b_ub - A_ub w)| and |c^T w + b_ub^T lam + b_eq^T nu|.

    Inputs are assumed validated (ndarrays of matching shapes; empty arrays for absent parts).
    """
    slack = b_ub - A_ub @ w
    pinf = np.sqrt(np.sum(np.maximum(-slack, 0.0) ** 2) + np.sum((A_eq @ w - b_eq) ** 2))
    return KKTResiduals(
        stationarity=float(np.linalg.norm(c + A_ub.T @ lam + A_eq.T @ nu)),
        primal_feasibility=float(pinf),
        dual_feasibility=float(np.linalg.norm(np.minimum(lam, 0.0))),
        complementary_slackness=float(abs(lam @ slack)),
        duality_gap=float(abs(c @ w + b_ub @ lam + b_eq @ nu)),
    )


# ------------------------------------------------------------------------------ the solver's result
def _polish(lp: _LP, w, lam, nu, kkt: KKTResiduals):
    """Active-set polish of an optimal iterate: with the guessed active rows (lam_i > slack_i),
    solve [A_act; A_eq] w = [b_act; b_eq] and [A_act; A_eq]^T [lam_act; nu] = -c by least
    squares; keep the result only if it is feasible and has smaller KKT residuals."""
    slack = lp.h - lp.G @ w
    act = lam > slack
    K = np.vstack([lp.G[act], lp.E])  # (n_active + m_eq, n)
    w_new = np.linalg.lstsq(K, np.concatenate([lp.h[act], lp.d]), rcond=None)[0]
    mult = np.linalg.lstsq(K.T, -lp.c, rcond=None)[0]
    lam_new = np.zeros_like(lam)
    lam_new[act], nu_new = mult[:act.sum()], mult[act.sum():]
    if np.any(lam_new < 0):
        return w, lam, nu, kkt
    new = kkt_residuals(w_new, lam_new, nu_new, lp.c, lp.G, lp.h, lp.E, lp.d)
    if new.max() <= kkt.max():
        return w_new, lam_new, nu_new, new
    return w, lam, nu, kkt


def _finish(lp: _LP, st: _State, status: str, n_iter: int, history: History) -> LPResult:
    """The LPResult of the embedding's last iterate: polished optimum, certificate or stop."""
    w, lam, nu = st.x / st.tau, st.z / st.tau, st.y / st.tau
    kkt = kkt_residuals(w, lam, nu, lp.c, lp.G, lp.h, lp.E, lp.d)
    if status == "optimal":
        w, lam, nu, kkt = _polish(lp, w, lam, nu, kkt)
    if status == "infeasible":
        scale = np.linalg.norm(np.concatenate([st.z, st.y]))
        x, fun, lam, nu = np.full_like(lp.c, np.nan), np.inf, st.z / scale, st.y / scale
        message = "primal infeasible: found lam >= 0, nu with A^T lam + A_eq^T nu = 0, " \
                  "b^T lam + b_eq^T nu < 0"
    elif status == "unbounded":
        x, fun = st.x / np.linalg.norm(st.x), -np.inf
        lam, nu = np.full_like(lp.h, np.nan), np.full_like(lp.d, np.nan)
        message = "unbounded: found a ray d with A d <= 0, A_eq d = 0, c^T d < 0 " \
                  "(the dual is infeasible)"
    else:
        x, fun = w, float(lp.c @ w)
        message = ("optimal: KKT residuals below tol" if status == "optimal"
                   else f"stopped: max_iter = {n_iter} reached before convergence")
    return LPResult(x=x, fun=fun, lam=lam, nu=nu, status=status, message=message,
                    n_iter=n_iter, kkt=kkt, history=history)


def linprog(c, A_ub=None, b_ub=None, A_eq=None, b_eq=None, tol: float = 1e-9,
            max_iter: int = 200) -> LPResult:
    """min_w c^T w  s.t.  A_ub w <= b_ub,  A_eq w = b_eq  (w free), with the dual multipliers.

    Solves the notes' primal and its dual  max -b_ub^T lam - b_eq^T nu  s.t.
    c + A_ub^T lam + A_eq^T nu = 0, lam >= 0  together with a homogeneous self-dual
    interior-point method (Mehrotra predictor-corrector; each step solves one reduced normal
    system). An optimal iterate is then polished: on the rows guessed active
    (lam_i > slack_i) the KKT equations are solved by least squares, and the result is kept if
    it is feasible with smaller residuals.

    Unlike :func:`scipy.optimize.linprog` there is no implicit bound w >= 0 (SciPy's default
    ``bounds=(0, None)``; compare with ``bounds=(None, None)``), and SciPy's
    ``ineqlin.marginals`` / ``eqlin.marginals`` are ``-lam`` / ``-nu`` here.

    Parameters
    ----------
    c : array-like (n,)
    A_ub : array-like (m_ub, n), optional
    b_ub : array-like (m_ub,), optional; required exactly when A_ub is given.
    A_eq : array-like (m_eq, n), optional
    b_eq : array-like (m_eq,), optional; required exactly when A_eq is given.
    tol : float in (0, 1)
        Relative tolerance on the KKT residuals and on infeasibility certificates.
    max_iter : int >= 1

    Returns
    -------
    LPResult

    Raises
    ------
    ValueError
        For non-finite entries, mismatched shapes, or b without A (and A without b).
    """
    c = _check_vector(c, "c")
    n = c.shape[0]
    G, h = _check_pair(A_ub, b_ub, "A_ub", "b_ub", n)
    E, d = _check_pair(A_eq, b_eq, "A_eq", "b_eq", n)
    tol = check_scalar(tol, "tol", kind=float, min_val=0.0, max_val=1.0, include_min=False)
    max_iter = check_scalar(max_iter, "max_iter", kind=int, min_val=1)
    lp = _LP(c, G, h, E, d)
    st, status, k, history = solve_hsd(lp, tol, max_iter)
    return _finish(lp, st, status or "max_iter", k, history)
