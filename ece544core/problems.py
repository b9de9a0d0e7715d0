"""Test problems for the optimisation lecture and a sampled check of the definition of convexity.

The softplus function of the notes' convexity exercise, log(1 + e^x), is convex because its second
derivative sigma(x)(1 - sigma(x)) is positive; it (with its derivatives and sigma) lives in
:mod:`ece544core._math` and is re-exported here.

Every problem is a function f : R^2 -> R with ``fun``, ``grad`` and ``hess``, its minimiser
``x_star`` and minimum ``f_star``, a suggested start ``x0`` and a plotting box ``bounds``.
``fun`` and ``grad`` are vectorised over leading axes: ``fun`` maps (..., 2) to (...), so one call
evaluates a whole contour grid; ``hess`` takes a single point (2,).

The names are re-exported by :mod:`ece544core.optim`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._math import sigmoid, softplus, softplus_grad, softplus_hess
from ._validation import check_random_state, check_scalar

__all__ = ["softplus", "softplus_grad", "softplus_hess", "sigmoid", "Quadratic", "Rosenbrock",
           "LogisticProblem", "PROBLEMS", "ConvexityReport", "check_convexity", "curvature_constants"]


# ------------------------------------------------------------------------------ problems
def _pair(value, name: str) -> np.ndarray:
    """A finite point of R^2 (shape (2,)), named in errors."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape != (2,) or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be a finite point of shape (2,); got {value!r}")
    return arr


class _Problem:
    """Shared attributes: ``name``, ``dim``, ``x_star``, ``f_star``, ``x0``, ``bounds``,
    ``L``, ``mu``.

    ``L`` (gradient Lipschitz constant) and ``mu`` (strong convexity) are None where the
    function has no global ones.
    """

    name = "problem"
    dim = 2
    L = None
    mu = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._args()})"

    def _args(self) -> str:
        return ""


class Quadratic(_Problem):
    """f(x) = 1/2 (x - x*)^T A (x - x*) with A = R diag(1, kappa) R^T.

    R is the rotation by ``theta`` (radians), so A has eigenvalues mu = 1 and L = kappa and
    condition number kappa; f* = 0.

    Parameters
    ----------
    kappa : float >= 1
        Condition number L / mu.
    theta : float
        Angle of the long axis of the level ellipses, in radians.
    x_star : (2,) array-like
        The minimiser (default the origin).

    Attributes
    ----------
    A : ndarray (2, 2)
        The Hessian.
    L, mu : float
        Largest and smallest eigenvalue of A (kappa and 1).
    """

    name = "quadratic"

    def __init__(self, kappa=10.0, theta=0.0, x_star=(0.0, 0.0)):
        self.kappa = check_scalar(kappa, "kappa", float, min_val=1.0)
        self.theta = check_scalar(theta, "theta", float)
        if not np.isfinite(self.kappa) or not np.isfinite(self.theta):
            raise ValueError(f"kappa and theta must be finite; got kappa={kappa!r}, "
                             f"theta={theta!r}")
        self.x_star = _pair(x_star, "x_star")
        c, s = np.cos(self.theta), np.sin(self.theta)
        R = np.array([[c, -s], [s, c]])
        self.A = (R * np.array([1.0, self.kappa])) @ R.T  # R diag(1, kappa) R^T
        self.L, self.mu, self.f_star = self.kappa, 1.0, 0.0
        self.x0 = self.x_star + np.array([-1.5, 1.0])
        self.bounds = ((self.x_star[0] - 2.0, self.x_star[0] + 2.0),
                       (self.x_star[1] - 2.0, self.x_star[1] + 2.0))

    def _args(self):
        return f"kappa={self.kappa!r}, theta={self.theta!r}"

    def fun(self, x):
        """f(x) = 1/2 (x - x*)^T A (x - x*); (..., 2) -> (...)."""
        e = np.asarray(x, dtype=np.float64) - self.x_star
        return 0.5 * np.sum((e @ self.A) * e, axis=-1)

    def grad(self, x):
        """grad f(x) = A (x - x*); (..., 2) -> (..., 2)."""
        return (np.asarray(x, dtype=np.float64) - self.x_star) @ self.A  # A is symmetric

    def hess(self, x):
        """Hessian A (constant)."""
        return self.A.copy()


class Rosenbrock(_Problem):
    """f(x, y) = (a - x)^2 + b (y - x^2)^2: a curved valley with minimiser (a, a^2), f* = 0.

    Not convex; its Hessian at the minimum has condition number about 2500 (a=1, b=100), so
    plain gradient descent creeps along the valley floor.
    """

    name = "rosenbrock"

    def __init__(self, a=1.0, b=100.0):
        self.a = check_scalar(a, "a", float)
        self.b = check_scalar(b, "b", float, min_val=0.0, include_min=False)
        if not (np.isfinite(self.a) and np.isfinite(self.b)):
            raise ValueError(f"a and b must be finite; got a={a!r}, b={b!r}")
        self.x_star = np.array([self.a, self.a ** 2])
        self.f_star = 0.0
        self.x0 = np.array([-1.2, 1.0])
        r = abs(self.a) + 1.0
        self.bounds = ((-max(r, 2.0), max(r, 2.0)), (-1.0, max(self.a ** 2 + 2.0, 3.0)))

    def _args(self):
        return f"a={self.a!r}, b={self.b!r}"

    def fun(self, x):
        """f = (a - x_1)^2 + b (x_2 - x_1^2)^2; (..., 2) -> (...)."""
        x = np.asarray(x, dtype=np.float64)
        u, v = x[..., 0], x[..., 1]
        return (self.a - u) ** 2 + self.b * (v - u * u) ** 2

    def grad(self, x):
        """grad f = (-2 (a - x_1) - 4 b x_1 (x_2 - x_1^2), 2 b (x_2 - x_1^2)); (..., 2)."""
        x = np.asarray(x, dtype=np.float64)
        u, v = x[..., 0], x[..., 1]
        r = v - u * u
        return np.stack([-2.0 * (self.a - u) - 4.0 * self.b * u * r, 2.0 * self.b * r], axis=-1)

    def hess(self, x):
        """[[2 - 4b(x_2 - x_1^2) + 8b x_1^2, -4b x_1], [-4b x_1, 2b]] at a point (2,)."""
        u, v = (float(t) for t in np.asarray(x, dtype=np.float64).reshape(2))
        off = -4.0 * self.b * u
        return np.array([[2.0 - 4.0 * self.b * (v - u * u) + 8.0 * self.b * u * u, off],
                         [off, 2.0 * self.b]])


class LogisticProblem(_Problem):
    """f(w) = C/2 ||w||^2 + sum_i log(1 + exp(-y^(i) w^T x^(i))) for a small fixed 2-D data set.

    The weights of a logistic regression without intercept on 40 points x^(i) in R^2 (two
    overlapping Gaussian classes y = -1, +1, drawn with ``random_state``). Strongly convex
    (mu = C), L-smooth with L = C + lambda_max(X^T X) / 4; the unique minimiser ``x_star`` is
    computed by Newton's method to ||grad|| <= 1e-12 at construction.

    Attributes
    ----------
    X : ndarray (40, 2), y : ndarray (40,) in {-1, +1}
    L, mu : float
    """

    name = "logistic"
    n_samples = 40

    def __init__(self, C=1.0, random_state=0):
        self.C = check_scalar(C, "C", float, min_val=0.0, include_min=False)
        if not np.isfinite(self.C):
            raise ValueError(f"C must be finite; got {C!r}")
        self.random_state = random_state
        rng = check_random_state(random_state)
        n = self.n_samples
        self.y = np.repeat([-1.0, 1.0], n // 2)
        spread = np.array([[1.2, 0.0], [0.6, 0.8]])
        self.X = self.y[:, None] * np.array([1.0, 0.6]) + rng.standard_normal((n, 2)) @ spread
        self.mu = self.C
        self.L = self.C + 0.25 * float(np.linalg.eigvalsh(self.X.T @ self.X)[-1])
        self.x0 = np.array([-2.0, 2.0])
        self.x_star = self._newton()
        self.f_star = float(self.fun(self.x_star))
        self.bounds = ((self.x_star[0] - 3.0, self.x_star[0] + 3.0),
                       (self.x_star[1] - 3.0, self.x_star[1] + 3.0))

    def _args(self):
        return f"C={self.C!r}, random_state={self.random_state!r}"

    def _newton(self) -> np.ndarray:
        """The minimiser by Newton's method from 0 (full steps converge here: f is strongly
        convex and the start is close); refined until ||grad|| <= 1e-12."""
        w = np.zeros(2)
        for _ in range(100):
            g = self.grad(w)
            if np.linalg.norm(g) <= 1e-12:
                return w
            w = w - np.linalg.solve(self.hess(w), g)
        raise RuntimeError(  # pragma: no cover
            "LogisticProblem: Newton did not reach ||grad|| <= 1e-12")

    def _margins(self, w):
        """m_i = y^(i) w^T x^(i); (..., 2) -> (..., n)."""
        return (np.asarray(w, dtype=np.float64) @ self.X.T) * self.y

    def fun(self, w):
        """f(w) = C/2 ||w||^2 + sum_i softplus(-m_i); (..., 2) -> (...)."""
        w = np.asarray(w, dtype=np.float64)
        return 0.5 * self.C * np.sum(w * w, axis=-1) + softplus(-self._margins(w)).sum(axis=-1)

    def grad(self, w):
        """grad f(w) = C w - sum_i sigma(-m_i) y^(i) x^(i); (..., 2) -> (..., 2)."""
        w = np.asarray(w, dtype=np.float64)
        r = -sigmoid(-self._margins(w)) * self.y  # (..., n)
        return self.C * w + r @ self.X

    def hess(self, w):
        """C I + sum_i sigma(m_i)(1 - sigma(m_i)) x^(i) x^(i)^T at a point (2,)."""
        s = softplus_hess(self._margins(np.asarray(w, dtype=np.float64).reshape(2)))
        return self.C * np.eye(2) + (self.X.T * s) @ self.X


#: name -> problem class (call it, with keyword arguments, for an instance)
PROBLEMS = {"quadratic": Quadratic, "rosenbrock": Rosenbrock, "logistic": LogisticProblem}


# ------------------------------------------------------------------------------ convexity
@dataclass(frozen=True)
class ConvexityReport:
    """Result of :func:`check_convexity`.

    Attributes
    ----------
    is_convex : bool
        No sampled violation larger than ``tol`` (evidence, not a proof).
    max_violation : float
        max(0, largest gap f((1-l) w1 + l w2) - (1-l) f(w1) - l f(w2)).
    n_checked : int
        Number of (w1, w2, lambda) triples.
    violations : ndarray (m, 2 d + 2)
        Rows (w1..., w2..., lambda, gap) of the worst (at most 10) violations, largest first.
    tol : float
    """

    is_convex: bool
    max_violation: float
    n_checked: int
    violations: np.ndarray = field(repr=False)
    tol: float = 0.0


def _check_bounds(bounds) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) arrays from ((lo, hi), ...) or a single (lo, hi) pair (1-D)."""
    try:
        b = np.asarray(bounds, dtype=np.float64)
    except (TypeError, ValueError):
        b = None
    if b is not None and b.shape == (2,):
        b = b.reshape(1, 2)
    if b is None or b.ndim != 2 or b.shape[1] != 2 or not np.all(np.isfinite(b)) \
            or np.any(b[:, 0] >= b[:, 1]):
        raise ValueError("bounds must be a sequence of finite (lo, hi) pairs with lo < hi, "
                         f"one per dimension; got {bounds!r}")
    return b[:, 0], b[:, 1]


def _evaluate(f, points: np.ndarray) -> np.ndarray:
    """f on (N, d) points, or on (N,) when d = 1; must return N finite values."""
    arg = points[:, 0] if points.shape[1] == 1 else points
    with np.errstate(all="ignore"):  # reported below as a named error
        values = np.asarray(f(arg), dtype=np.float64)
    if values.shape != (len(points),):
        raise ValueError(f"f must map an array of {len(points)} points to shape "
                         f"({len(points)},); got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError("f must be finite on the box bounds; got non-finite values")
    return values


def check_convexity(f, bounds, n_pairs=2000, n_lambdas=9, random_state=None,
                    tol=None) -> ConvexityReport:
    """Sampled Jensen test: f((1 - l) w1 + l w2) <= (1 - l) f(w1) + l f(w2) + tol.

    w1, w2 are drawn uniformly from the box, l runs over n_lambdas interior points of (0, 1).

    Parameters
    ----------
    f : callable
        Vectorised: (N, d) -> (N,), or (N,) -> (N,) for d = 1.
    bounds : sequence of (lo, hi)
        One pair per dimension (a single pair means d = 1).
    n_pairs, n_lambdas : int >= 1
    random_state : None, int or numpy.random.Generator
    tol : float >= 0, optional
        Allowed gap (round-off); default 1e-9 * max(1, max |f(w)|).

    Returns
    -------
    ConvexityReport
    """
    lo, hi = _check_bounds(bounds)
    n_pairs = check_scalar(n_pairs, "n_pairs", int, min_val=1)
    n_lambdas = check_scalar(n_lambdas, "n_lambdas", int, min_val=1)
    rng = check_random_state(random_state)
    d = lo.size
    W1 = lo + (hi - lo) * rng.random((n_pairs, d))
    W2 = lo + (hi - lo) * rng.random((n_pairs, d))
    lam = np.arange(1, n_lambdas + 1) / (n_lambdas + 1.0)  # (m,)
    mid = (1 - lam)[None, :, None] * W1[:, None, :] + lam[None, :, None] * W2[:, None, :]
    values = _evaluate(f, np.concatenate([W1, W2, mid.reshape(-1, d)]))  # (2n + n m,)
    f1, f2, fm = values[:n_pairs], values[n_pairs:2 * n_pairs], values[2 * n_pairs:]
    gap = fm.reshape(n_pairs, n_lambdas) - ((1 - lam) * f1[:, None] + lam * f2[:, None])
    if tol is None:
        tol = 1e-9 * max(1.0, float(np.max(np.abs(values[:2 * n_pairs]))))
    tol = check_scalar(tol, "tol", float, min_val=0.0)
    flat = gap.ravel()
    worst = np.argsort(-flat)[:10]
    worst = worst[flat[worst] > tol]
    i, j = np.divmod(worst, n_lambdas)
    rows = np.column_stack([W1[i], W2[i], lam[j], flat[worst]])
    max_gap = float(flat.max())
    return ConvexityReport(is_convex=bool(max_gap <= tol), max_violation=max(max_gap, 0.0),
                           n_checked=int(flat.size), violations=rows, tol=float(tol))


# ------------------------------------------------------------------------------ curvature
def curvature_constants(problem, bounds, n_grid=15) -> tuple[float, float]:
    """(L, mu) of ``problem`` for the step rules 1/L, 2/(L + mu) and the rates.

    The problem's own global constants where it has them (``problem.L``, ``problem.mu``);
    otherwise (Rosenbrock) L = the largest eigenvalue of hess f over an n_grid x n_grid grid of
    the box ``bounds`` ((x0, x1), (y0, y1)) and mu = the smallest eigenvalue of hess f(x*),
    the local strong convexity at the minimiser.
    """
    if getattr(problem, "L", None) is not None and getattr(problem, "mu", None) is not None:
        return float(problem.L), float(problem.mu)
    n_grid = check_scalar(n_grid, "n_grid", int, min_val=1)
    lo, hi = _check_bounds(bounds)
    axes = [np.linspace(a, b, n_grid) for a, b in zip(lo, hi)]
    points = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, lo.size)
    hessians = np.stack([problem.hess(p) for p in points])  # (n_grid^2, d, d)
    L = float(np.linalg.eigvalsh(hessians)[:, -1].max())
    mu = float(np.linalg.eigvalsh(problem.hess(np.asarray(problem.x_star, float)))[0])
    return L, mu
