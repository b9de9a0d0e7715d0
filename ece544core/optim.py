"""Unconstrained minimisation (the notes' "Optimization Primal"): gradient descent and its
improvements, step-size rules, convergence traces with observed rates, and a sampled convexity
check.

Every method iterates x_{k+1} = x_k + t_k p_k with a descent direction p_k:

    gd        p_k = -grad f(x_k)
    momentum  x_{k+1} = x_k - t_k grad f(x_k) + beta (x_k - x_{k-1})            (heavy ball)
    nesterov  y_k = x_k + beta_k (x_k - x_{k-1}),  x_{k+1} = y_k - t_k grad f(y_k)
    newton    p_k = -[hess f(x_k)]^{-1} grad f(x_k)               (a solve, never an inverse)
    lbfgs     p_k = -H_k grad f(x_k), H_k from the last ``memory`` pairs (s, y) (two loops)

and a step t_k from a rule: "constant" (lr), "1/L", "2/(L+mu)", "optimal" (the method's best
constant step for an L-smooth, mu-strongly convex f), "armijo" (backtracking),
"exact" (quadratics), "diminishing" (c / sqrt(k+1)).

The test problems (:class:`Quadratic`, :class:`Rosenbrock`, :class:`LogisticProblem`, softplus)
and the sampled convexity check :func:`check_convexity` live in :mod:`ece544core.problems` and
are re-exported here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._validation import check_option, check_scalar
from .problems import (PROBLEMS, ConvexityReport, LogisticProblem, Quadratic, Rosenbrock,
                       check_convexity, sigmoid, softplus, softplus_grad, softplus_hess)

__all__ = ["OptimizeResult", "minimize", "observed_rate", "theoretical_rate", "ConvexityReport",
           "check_convexity", "newton_direction", "METHODS", "STEPS", "METHOD_STEPS",
           "Quadratic", "Rosenbrock", "LogisticProblem", "PROBLEMS", "softplus",
           "softplus_grad", "softplus_hess", "sigmoid"]

METHODS = ("gd", "momentum", "nesterov", "newton", "lbfgs")
STEPS = ("constant", "1/L", "2/(L+mu)", "optimal", "armijo", "exact", "diminishing")
#: step rules each method accepts (Newton and L-BFGS scale their own directions)
METHOD_STEPS = {"gd": STEPS, "momentum": STEPS, "nesterov": STEPS,
                "newton": ("armijo", "constant", "exact"),
                "lbfgs": ("armijo", "constant", "exact")}
ARMIJO_C1 = 1e-4
ARMIJO_SHRINK = 0.5
MAX_BACKTRACKS = 60
#: relative size of a change in f treated as round-off by the Armijo test
ROUNDOFF_F = 1e-11
_EPS = np.finfo(np.float64).eps


# ------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class OptimizeResult:
    """The trace of one run of :func:`minimize`.

    Attributes
    ----------
    x : ndarray (d,)
        The last iterate.
    fun : float
        f(x).
    n_iter : int
        Steps taken; every ``history`` array has n_iter + 1 entries (x_0 included).
    converged : bool
        ||grad f(x)|| <= tol.
    message : str
        Why the iteration stopped ("converged: ...", "stopped: max_iter ...",
        "diverged: f became inf/nan", "line search failed: ...").
    method, step : str
    history : dict of str -> ndarray
        "x" (n_iter+1, d) iterates (unless ``record_x=False``), "f", "grad_norm",
        "step_size" (first entry nan) and, when ``x_star`` was given, "dist" = ||x_k - x*||.
    n_fev, n_gev : int
        Number of evaluations of f and of its gradient.
    """

    x: np.ndarray
    fun: float
    n_iter: int
    converged: bool
    message: str
    method: str
    step: str
    history: dict = field(repr=False)
    n_fev: int = 0
    n_gev: int = 0

    def rate(self, tail: float = 0.5) -> float:
        """Observed linear rate of ``history["dist"]`` (or of ``history["grad_norm"]`` when no
        x_star was given); see :func:`observed_rate`."""
        key = "dist" if "dist" in self.history else "grad_norm"
        return observed_rate(self.history[key], tail=tail)


class _Stop(Exception):
    """Raised inside a step to end the iteration with a message (never escapes minimize)."""


# ------------------------------------------------------------------------------ oracle
class _Oracle:
    """The user's f, grad f and hess f with output checks and evaluation counts."""

    def __init__(self, fun, grad, hess, d: int):
        self._fun, self._grad, self._hess, self.d = fun, grad, hess, d
        self.n_fev = self.n_gev = 0

    def f(self, x) -> float:
        self.n_fev += 1
        value = np.asarray(self._fun(x), dtype=np.float64)
        if value.size != 1:
            raise ValueError(f"fun must return a scalar; got an array of shape {value.shape}")
        return float(value.reshape(()))

    def g(self, x) -> np.ndarray:
        self.n_gev += 1
        value = np.asarray(self._grad(x), dtype=np.float64)
        if value.shape != (self.d,):
            raise ValueError(f"grad must return an array of shape ({self.d},) like x0; "
                             f"got shape {value.shape}")
        return value

    def h(self, x) -> np.ndarray:
        value = np.asarray(self._hess(x), dtype=np.float64)
        if value.shape != (self.d, self.d):
            raise ValueError(f"hess must return an array of shape ({self.d}, {self.d}); "
                             f"got shape {value.shape}")
        return value


@dataclass
class _Ctx:
    """Validated settings shared by the steppers."""

    oracle: _Oracle
    method: str
    step: str
    lr: float | None
    L: float | None
    mu: float | None
    beta: float | None
    A: np.ndarray | None
    c: float
    memory: int


# ------------------------------------------------------------------------------ step sizes
def _fixed_step(ctx: _Ctx, k: int) -> float:
    """t_k of the rules that need no line search."""
    rule, L, mu = ctx.step, ctx.L, ctx.mu
    if rule == "constant":
        return ctx.lr
    if rule == "1/L":
        return 1.0 / L
    if rule == "2/(L+mu)":
        return 2.0 / (L + mu)
    if rule == "diminishing":
        return ctx.c / math.sqrt(k + 1)
    # "optimal": the best constant step of each method on an L-smooth, mu-strongly convex f
    if ctx.method == "momentum":
        return 4.0 / (math.sqrt(L) + math.sqrt(mu)) ** 2
    if ctx.method == "nesterov":
        return 1.0 / L
    return 2.0 / (L + mu)


def _armijo(oracle: _Oracle, x, f, g, p, t0, c1=ARMIJO_C1):
    """Backtracking: the first t = t0 * 0.5^j with f(x + t p) <= f(x) + c1 t grad^T p.

    Near a minimum the change in f falls below its round-off and comparing f values stops
    meaning anything. When |f(x + t p) - f(x)| <= 1e-11 |f(x)| the same test is made with the
    trapezoidal estimate f(x + t p) - f(x) ~ t (grad(x) + grad(x + t p))^T p / 2, i.e.
    grad(x + t p)^T p <= (2 c1 - 1) grad(x)^T p (exact for quadratics; gradients keep their
    relative accuracy where f values do not). So f never increases by more than 1e-11 |f|.
    Returns (t, x_new, f_new, g_new or None).
    """
    slope = float(g @ p)
    if not slope < 0.0:
        raise _Stop("line search failed: the search direction is not a descent direction")
    noise = ROUNDOFF_F * abs(f)
    t = t0
    for _ in range(MAX_BACKTRACKS):
        x_new = x + t * p
        f_new = oracle.f(x_new)
        if abs(f_new - f) > noise:
            if f_new <= f + c1 * t * slope:
                return t, x_new, f_new, None
        elif f_new == f_new:  # within round-off (and not NaN): compare slopes instead
            g_new = oracle.g(x_new)
            if float(g_new @ p) <= (2.0 * c1 - 1.0) * slope:
                return t, x_new, f_new, g_new
        t *= ARMIJO_SHRINK
    raise _Stop(f"line search failed: no sufficient decrease after {MAX_BACKTRACKS} "
                f"halvings of the step (round-off level reached?)")


def _exact(ctx: _Ctx, g, p) -> float:
    """Exact line search on the quadratic with Hessian A: t = -g^T p / p^T A p."""
    curvature = float(p @ ctx.A @ p)
    if not curvature > 0.0:
        raise _Stop("exact line search failed: p^T A p <= 0 (A is not positive definite)")
    return -float(g @ p) / curvature


def _line(ctx: _Ctx, k: int, x, f, g, p, t0: float):
    """Take the step along p by the configured rule: (t, x_new, f_new, g_new or None)."""
    if ctx.step == "armijo":  # Nesterov: the descent-lemma test c1 = 1/2 (as in FISTA)
        c1 = 0.5 if ctx.method == "nesterov" else ARMIJO_C1
        return _armijo(ctx.oracle, x, f, g, p, t0, c1)
    if ctx.step == "exact":
        t = _exact(ctx, g, p)
    elif ctx.step == "constant" and ctx.method in ("newton", "lbfgs"):
        t = t0
    else:
        t = _fixed_step(ctx, k)
    x_new = x + t * p
    return t, x_new, ctx.oracle.f(x_new), None


# ------------------------------------------------------------------------------ methods
class _GD:
    """Gradient descent: x_{k+1} = x_k - t_k grad f(x_k)."""

    def __init__(self, ctx: _Ctx):
        self.ctx = ctx

    def step(self, k, x, f, g):
        t, x_new, f_new, g_new = _line(self.ctx, k, x, f, g, -g, self.ctx.lr or 1.0)
        return x_new, f_new, g_new, t


class _Momentum(_GD):
    """Heavy ball: x_{k+1} = x_k - t_k grad f(x_k) + beta (x_k - x_{k-1})."""

    def __init__(self, ctx: _Ctx):
        super().__init__(ctx)
        self.prev = None
        if ctx.beta is not None:
            self.beta = ctx.beta
        elif ctx.L is not None and ctx.mu is not None:  # Polyak's optimal beta
            r = math.sqrt(ctx.L / ctx.mu)
            self.beta = ((r - 1.0) / (r + 1.0)) ** 2
        else:
            self.beta = 0.9

    def step(self, k, x, f, g):
        t, y, f_y, g_y = _line(self.ctx, k, x, f, g, -g, self.ctx.lr or 1.0)
        prev, self.prev = self.prev, x
        if prev is None or self.beta == 0.0:
            return y, f_y, g_y, t
        x_new = y + self.beta * (x - prev)
        return x_new, self.ctx.oracle.f(x_new), None, t


class _Nesterov(_GD):
    """Accelerated gradient: y_k = x_k + beta_k (x_k - x_{k-1}), x_{k+1} = y_k - t_k grad f(y_k).

    beta_k = beta if given; (sqrt(kappa) - 1)/(sqrt(kappa) + 1) if L and mu are known;
    else k / (k + 3) (the schedule for convex f).
    """

    def __init__(self, ctx: _Ctx):
        super().__init__(ctx)
        self.prev = None

    def _beta(self, k: int) -> float:
        ctx = self.ctx
        if ctx.beta is not None:
            return ctx.beta
        if ctx.L is not None and ctx.mu is not None:
            r = math.sqrt(ctx.L / ctx.mu)
            return (r - 1.0) / (r + 1.0)
        return k / (k + 3.0)

    def step(self, k, x, f, g):
        oracle, beta = self.ctx.oracle, self._beta(k)
        prev, self.prev = self.prev, x
        if prev is None or beta == 0.0:
            y, f_y, g_y = x, f, g
        else:
            y = x + beta * (x - prev)
            f_y = oracle.f(y) if self.ctx.step == "armijo" else math.nan
            g_y = oracle.g(y)
        t, x_new, f_new, g_new = _line(self.ctx, k, y, f_y, g_y, -g_y, self.ctx.lr or 1.0)
        return x_new, f_new, g_new, t


def newton_direction(H, g) -> np.ndarray:
    """p = -H^{-1} g by a linear solve; if H is not positive definite (its Cholesky
    factorisation fails), H + tau I with the smallest tau in 10^j * max(1e-8 max|H_ii|, 1e-12)
    that is, so p is always a descent direction."""
    H = np.asarray(H, dtype=np.float64)
    tau, eye = 0.0, np.eye(len(g))
    base = max(1e-8 * float(np.max(np.abs(np.diag(H)))), 1e-12)
    for j in range(40):
        try:
            np.linalg.cholesky(H + tau * eye)
            return -np.linalg.solve(H + tau * eye, g)
        except np.linalg.LinAlgError:
            tau = base * 10.0 ** j
    raise _Stop("newton failed: could not make the Hessian positive definite")


class _Newton(_GD):
    """Newton: x_{k+1} = x_k - t_k [hess f(x_k)]^{-1} grad f(x_k) (damped by the step rule)."""

    def step(self, k, x, f, g):
        p = newton_direction(self.ctx.oracle.h(x), g)
        t, x_new, f_new, g_new = _line(self.ctx, k, x, f, g, p, self.ctx.lr or 1.0)
        return x_new, f_new, g_new, t


class _LBFGS(_GD):
    """Limited-memory BFGS: the two-loop recursion over the last ``memory`` pairs
    s = x_{k+1} - x_k, y = grad_{k+1} - grad_k with H_0 = (s^T y / y^T y) I; a pair is kept
    only if s^T y > eps y^T y (the curvature condition), else H_k stays as it was."""

    def __init__(self, ctx: _Ctx):
        super().__init__(ctx)
        self.pairs: list[tuple[np.ndarray, np.ndarray, float]] = []

    def direction(self, g) -> np.ndarray:
        """p = -H_k g by the two-loop recursion."""
        q = g.copy()
        alphas = []
        for s, y, rho in reversed(self.pairs):
            a = rho * float(s @ q)
            q -= a * y
            alphas.append(a)
        s, y, rho = self.pairs[-1]
        q *= 1.0 / (rho * float(y @ y))  # H_0 = (s^T y / y^T y) I
        for (s, y, rho), a in zip(self.pairs, reversed(alphas)):
            q += (a - rho * float(y @ q)) * s
        return -q

    def step(self, k, x, f, g):
        ctx = self.ctx
        p = self.direction(g) if self.pairs else -g
        if self.pairs and not float(g @ p) < 0.0:  # lost positive definiteness: restart
            self.pairs.clear()
            p = -g
        t0 = ctx.lr or (1.0 if self.pairs else min(1.0, 1.0 / float(np.linalg.norm(g))))
        t, x_new, f_new, g_new = _line(ctx, k, x, f, g, p, t0)
        if g_new is None and math.isfinite(f_new):
            g_new = ctx.oracle.g(x_new)
        if g_new is not None:
            s, y = x_new - x, g_new - g
            sy = float(s @ y)
            if sy > _EPS * float(y @ y):
                self.pairs.append((s, y, 1.0 / sy))
                del self.pairs[:-ctx.memory]
        return x_new, f_new, g_new, t


_STEPPERS = {"gd": _GD, "momentum": _Momentum, "nesterov": _Nesterov, "newton": _Newton,
             "lbfgs": _LBFGS}


# ------------------------------------------------------------------------------ minimize
def _optional_positive(value, name):
    return None if value is None else check_scalar(value, name, float, min_val=0.0,
                                                   include_min=False)


def _check_point(value, name: str, d: int | None = None) -> np.ndarray:
    """A finite 1-D float array (a scalar becomes shape (1,)), of length d if given."""
    arr = np.array(value, dtype=np.float64) if not isinstance(value, str) else None
    if arr is None or arr.ndim > 1:
        raise ValueError(f"{name} must be a 1-D array of numbers; got {value!r}")
    arr = arr.reshape(-1)
    if arr.size == 0 or (d is not None and arr.size != d):
        want = f"shape ({d},)" if d is not None else "at least one entry"
        raise ValueError(f"{name} must have {want}; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got {arr}")
    return arr


def _require(ctx_values: dict, names, method: str, step: str) -> None:
    """Raise if a rule needs a parameter that was not given."""
    for name in names:
        if ctx_values[name] is None:
            raise ValueError(f"{name} is required for method={method!r} with step={step!r}; "
                             f"got {name}=None")


def _check_settings(method, step, lr, L, mu, beta, hess, A, c, tol, max_iter, memory, norm, d):
    """Validate minimize's settings; returns the cleaned values as a dict."""
    check_option(method, "method", METHODS)
    check_option(step, "step", STEPS)
    if step not in METHOD_STEPS[method]:
        raise ValueError(f"step must be one of {', '.join(map(repr, METHOD_STEPS[method]))} "
                         f"for method={method!r}; got {step!r}")
    v = {"lr": _optional_positive(lr, "lr"), "L": _optional_positive(L, "L"),
         "mu": _optional_positive(mu, "mu"), "hess": hess, "A": A}
    v["beta"] = None if beta is None else check_scalar(beta, "beta", float, min_val=0.0,
                                                       max_val=1.0, include_max=False)
    v["c"] = check_scalar(c, "c", float, min_val=0.0, include_min=False)
    v["tol"] = check_scalar(tol, "tol", float, min_val=0.0, include_min=False)
    v["max_iter"] = check_scalar(max_iter, "max_iter", int, min_val=1)
    v["memory"] = check_scalar(memory, "memory", int, min_val=1)
    if norm not in (2, math.inf):
        raise ValueError(f"norm must be 2 or numpy.inf; got {norm!r}")
    needs = {"constant": ["lr"] if method in ("gd", "momentum", "nesterov") else [],
             "1/L": ["L"], "2/(L+mu)": ["L", "mu"], "exact": ["A"],
             "optimal": ["L"] if method == "nesterov" else ["L", "mu"]}.get(step, [])
    _require(v, needs + (["hess"] if method == "newton" else []), method, step)
    if v["mu"] is not None and v["L"] is not None and v["mu"] > v["L"]:
        raise ValueError(f"mu must be <= L; got mu={v['mu']!r} > L={v['L']!r}")
    if hess is not None and not callable(hess):
        raise ValueError(f"hess must be a callable x -> (d, d) array; got {hess!r}")
    if A is not None:
        v["A"] = np.asarray(A, dtype=np.float64)
        if v["A"].shape != (d, d) or not np.all(np.isfinite(v["A"])):
            raise ValueError(f"A must be a finite ({d}, {d}) matrix (the Hessian of the "
                             f"quadratic); got shape {v['A'].shape}")
    return v


def minimize(fun, grad, x0, method="gd", step="armijo", lr=None, L=None, mu=None, beta=None,
             hess=None, A=None, c=1.0, x_star=None, tol=1e-8, max_iter=1000, memory=10,
             norm=2, record_x=True) -> OptimizeResult:
    """Minimise f by x_{k+1} = x_k + t_k p_k until ||grad f(x_k)|| <= tol.

    Parameters
    ----------
    fun, grad : callable
        f(x) -> float and grad f(x) -> (d,) for x of shape (d,).
    x0 : array-like (d,)
        Start.
    method : {"gd", "momentum", "nesterov", "newton", "lbfgs"}
        See the module docstring. "newton" needs ``hess``.
    step : {"constant", "1/L", "2/(L+mu)", "optimal", "armijo", "exact", "diminishing"}
        "constant": t = lr (Newton/L-BFGS: lr, default 1); "1/L", "2/(L+mu)": need L (and mu);
        "optimal": 2/(L+mu) for gd, 4/(sqrt L + sqrt mu)^2 for momentum, 1/L for nesterov;
        "armijo": backtracking from lr (default 1; L-BFGS's first step 1/||grad||) halving
        until f(x + t p) <= f(x) + c1 t grad^T p, c1 = 1e-4 (Nesterov: c1 = 1/2, the
        descent-lemma test of accelerated backtracking; where the change in f is below its
        round-off, 1e-11 |f|, the test uses gradients instead); "exact": t = -g^T p / p^T A p
        for a quadratic with Hessian ``A`` (t = g^T g / g^T A g for gd); "diminishing":
        t_k = c / sqrt(k + 1). Newton and L-BFGS accept "armijo", "constant", "exact".
    lr, L, mu : float > 0, optional
        Step, gradient Lipschitz constant, strong-convexity constant.
    beta : float in [0, 1), optional
        Momentum. Default: Polyak's ((sqrt kappa - 1)/(sqrt kappa + 1))^2 (heavy ball) or
        (sqrt kappa - 1)/(sqrt kappa + 1) (Nesterov) when L and mu are given; else 0.9
        (heavy ball) or k/(k+3) (Nesterov).
    hess : callable, optional
        x -> (d, d) Hessian (Newton). An indefinite Hessian is shifted by tau I.
    A : array-like (d, d), optional
        Hessian of a quadratic f, for step="exact".
    c : float > 0
        Constant of the diminishing rule.
    x_star : array-like (d,), optional
        Known minimiser: adds history["dist"] = ||x_k - x*||.
    tol : float > 0
        Converged when ||grad f(x_k)|| <= tol.
    max_iter : int >= 1
    memory : int >= 1
        L-BFGS memory m.
    norm : {2, numpy.inf}
        The norm of the stopping test and of history["grad_norm"].
    record_x : bool
        Keep every iterate in history["x"] (turn off for large d).

    Returns
    -------
    OptimizeResult
        Divergence (f or x becoming inf/nan) and a failed line search do not raise: they end
        the run with ``converged=False`` and a message.

    Raises
    ------
    ValueError
        Unknown method/step, a rule's missing L/mu/lr/A, Newton without hess, non-finite x0,
        tol <= 0, max_iter < 1, a non-finite f(x0) or grad f(x0), and fun/grad/hess returning
        the wrong shape.
    """
    x = _check_point(x0, "x0")
    d = x.size
    v = _check_settings(method, step, lr, L, mu, beta, hess, A, c, tol, max_iter, memory,
                        norm, d)
    x_star = None if x_star is None else _check_point(x_star, "x_star", d)
    oracle = _Oracle(fun, grad, hess, d)
    ctx = _Ctx(oracle, method, step, v["lr"], v["L"], v["mu"], v["beta"], v["A"], v["c"],
               v["memory"])
    with np.errstate(all="ignore"):
        f, g = oracle.f(x), oracle.g(x)
        if not (math.isfinite(f) and np.all(np.isfinite(g))):
            raise ValueError(f"fun and grad must be finite at x0; got f(x0)={f}, "
                             f"grad f(x0)={g}")
        trace = _Trace(record_x, x_star, norm)
        trace.add(x, f, g, math.nan)
        message = _iterate(_STEPPERS[method](ctx), trace, x, f, g, v["tol"], v["max_iter"])
    return trace.result(message, v["tol"], method, step, oracle)


class _Trace:
    """The history lists, turned into arrays at the end."""

    def __init__(self, record_x: bool, x_star, norm):
        self.norm, self.x_star = norm, x_star
        self.h = {"f": [], "grad_norm": [], "step_size": []}
        if record_x:
            self.h["x"] = []
        if x_star is not None:
            self.h["dist"] = []

    def add(self, x, f, g, t) -> float:
        gn = float(np.linalg.norm(g, ord=self.norm))
        self.last = (x, f, gn)
        self.h["f"].append(f)
        self.h["grad_norm"].append(gn)
        self.h["step_size"].append(t)
        if "x" in self.h:
            self.h["x"].append(x)
        if "dist" in self.h:
            self.h["dist"].append(float(np.linalg.norm(x - self.x_star)))
        return gn

    def result(self, message, tol, method, step, oracle) -> OptimizeResult:
        x, f, gn = self.last
        history = {k: np.array(v, dtype=np.float64) for k, v in self.h.items()}
        n_iter = len(self.h["f"]) - 1
        return OptimizeResult(x=x.copy(), fun=f, n_iter=n_iter, converged=gn <= tol,
                              message=message, method=method, step=step, history=history,
                              n_fev=oracle.n_fev, n_gev=oracle.n_gev)


def _iterate(stepper, trace: _Trace, x, f, g, tol: float, max_iter: int) -> str:
    """The loop: step, check for divergence, record; returns the stopping message."""
    gn = trace.last[2]
    for k in range(max_iter):
        if gn <= tol:
            break
        try:
            x, f, g_new, t = stepper.step(k, x, f, g)
            if not (math.isfinite(f) and np.all(np.isfinite(x))):
                return "diverged: f became inf/nan"
            g = stepper.ctx.oracle.g(x) if g_new is None else g_new
        except _Stop as stop:
            return str(stop)
        except (OverflowError, FloatingPointError, ZeroDivisionError):
            return "diverged: f became inf/nan"
        if not np.all(np.isfinite(g)):
            return "diverged: f became inf/nan"
        gn = trace.add(x, f, g, t)
    if gn <= tol:
        return f"converged: ||grad|| = {gn:.3g} <= tol = {tol:g}"
    return f"stopped: max_iter = {max_iter} reached with ||grad|| = {gn:.3g} > tol = {tol:g}"


# ------------------------------------------------------------------------------ rates
def observed_rate(errors, tail: float = 0.5) -> float:
    """Observed linear rate rho ~ e_{k+1} / e_k: the geometric mean (e_last / e_first)^(1/m)
    over the last ``tail`` fraction of the positive entries of ``errors``.

    Entries that are not finite or below 1e-300 are ignored. Returns 0.0 if the sequence
    reaches zero with fewer than two positive entries (e.g. Newton on a quadratic), nan if it
    has fewer than two entries.
    """
    tail = check_scalar(tail, "tail", float, min_val=0.0, max_val=1.0, include_min=False)
    e = np.asarray(errors, dtype=np.float64).ravel()
    keep = np.isfinite(e) & (e > 1e-300)
    pos = e[keep]
    if pos.size < 2:
        reached_zero = keep.any() and np.any(np.isfinite(e) & ~keep)
        return 0.0 if reached_zero else math.nan
    start = min(int((1.0 - tail) * (pos.size - 1)), pos.size - 2)
    seg = pos[start:]
    return float(np.exp(np.log(seg[-1] / seg[0]) / (seg.size - 1)))


def theoretical_rate(method, kappa, step=None) -> float:
    """Worst-case linear rate of ||x_k - x*|| on an L-smooth, mu-strongly convex f, kappa = L/mu.

    gd, step "2/(L+mu)" / "optimal" / "exact" (None): (kappa - 1)/(kappa + 1);
    gd, "1/L": 1 - 1/kappa; momentum (heavy ball, optimal beta and step):
    (sqrt kappa - 1)/(sqrt kappa + 1); nesterov: 1 - 1/sqrt kappa; newton and lbfgs converge
    superlinearly (linear rate 0.0).
    """
    check_option(method, "method", METHODS)
    kappa = check_scalar(kappa, "kappa", float, min_val=1.0)
    r = math.sqrt(kappa)
    allowed = {"gd": {None: (kappa - 1) / (kappa + 1), "2/(L+mu)": (kappa - 1) / (kappa + 1),
                      "optimal": (kappa - 1) / (kappa + 1), "exact": (kappa - 1) / (kappa + 1),
                      "1/L": 1.0 - 1.0 / kappa},
               "momentum": {None: (r - 1) / (r + 1), "optimal": (r - 1) / (r + 1)},
               "nesterov": {None: 1.0 - 1.0 / r, "optimal": 1.0 - 1.0 / r, "1/L": 1.0 - 1.0 / r},
               "newton": {None: 0.0, "armijo": 0.0, "constant": 0.0},
               "lbfgs": {None: 0.0, "armijo": 0.0}}[method]
    if step not in allowed:
        names = ", ".join(repr(s) for s in allowed)
        raise ValueError(f"step must be one of {names} for the rate of method={method!r}; "
                         f"got {step!r}")
    return float(allowed[step])
