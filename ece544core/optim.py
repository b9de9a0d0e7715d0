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

The updates are the public functions of :mod:`ece544core.update_rules` (gradient_step,
heavy_ball_step, nesterov_step, and the Newton / L-BFGS directions), the step sizes those of
:mod:`ece544core.step_sizes`: :func:`minimize` chooses t_k, takes the step with the rule, and
records the run in a :class:`~ece544core._history.History`.

The test problems (:class:`Quadratic`, :class:`Rosenbrock`, :class:`LogisticProblem`, softplus)
and the sampled convexity check :func:`check_convexity` live in :mod:`ece544core.problems` and
are re-exported here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._history import History
from ._validation import check_option, check_scalar
from .convergence import observed_rate, theoretical_rate
from .problems import (PROBLEMS, ConvexityReport, LogisticProblem, Quadratic, Rosenbrock,
                       check_convexity, curvature_constants, sigmoid, softplus, softplus_grad,
                       softplus_hess)
from .step_sizes import (ARMIJO_C1, ARMIJO_SHRINK, MAX_BACKTRACKS, ROUNDOFF_F, STEPS, armijo,
                         exact_step, fixed_step)
from .update_rules import (_Stop, gradient_step, heavy_ball_step, lbfgs_direction, lbfgs_update,
                           nesterov_lookahead, nesterov_step, newton_direction)

__all__ = ["OptimizeResult", "minimize", "observed_rate", "theoretical_rate", "ConvexityReport",
           "check_convexity", "curvature_constants", "newton_direction", "METHODS", "STEPS", "METHOD_STEPS",
           "Quadratic", "Rosenbrock", "LogisticProblem", "PROBLEMS", "softplus",
           "softplus_grad", "softplus_hess", "sigmoid", "ARMIJO_C1", "ARMIJO_SHRINK",
           "MAX_BACKTRACKS", "ROUNDOFF_F"]

METHODS = ("gd", "momentum", "nesterov", "newton", "lbfgs")
#: step rules each method accepts (Newton and L-BFGS scale their own directions)
METHOD_STEPS = {"gd": STEPS, "momentum": STEPS, "nesterov": STEPS,
                "newton": ("armijo", "constant", "exact"),
                "lbfgs": ("armijo", "constant", "exact")}


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
    history : History
        One record per iterate k = 0 .. n_iter: "iteration" k, "objective" f(x_k), "grad_norm",
        "step_size" t_k (nan for k = 0), "x" (n_iter+1, d) the iterates (unless
        ``record_x=False``) and, when ``x_star`` was given, "dist" = ||x_k - x*||.
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
    history: History = field(repr=False)
    n_fev: int = 0
    n_gev: int = 0

    def rate(self, tail: float = 0.5) -> float:
        """Observed linear rate of ``history["dist"]`` (or of ``history["grad_norm"]`` when no
        x_star was given); see :func:`observed_rate`."""
        key = "dist" if "dist" in self.history else "grad_norm"
        return observed_rate(self.history[key], tail=tail)


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


def _line(ctx: _Ctx, k: int, trial, x, f, g, p, t0: float):
    """Take the step along p by the configured rule; ``trial(t)`` is the point the update rule
    reaches with step t. Returns (t, x_new, f_new, g_new or None)."""
    if ctx.step == "armijo":  # Nesterov: the descent-lemma test c1 = 1/2 (as in FISTA)
        c1 = 0.5 if ctx.method == "nesterov" else ARMIJO_C1
        return armijo(ctx.oracle.f, ctx.oracle.g, trial, f, g, p, t0, c1)
    if ctx.step == "exact":
        t = exact_step(ctx.A, g, p)
    elif ctx.step == "constant" and ctx.method in ("newton", "lbfgs"):
        t = t0
    else:
        t = fixed_step(ctx.step, k, method=ctx.method, lr=ctx.lr, L=ctx.L, mu=ctx.mu, c=ctx.c)
    x_new = trial(t)
    return t, x_new, ctx.oracle.f(x_new), None


# ------------------------------------------------------------------------------ methods
class _GD:
    """Gradient descent, :func:`~ece544core.update_rules.gradient_step`."""

    def __init__(self, ctx: _Ctx):
        self.ctx = ctx
        self.state = None

    def step(self, k, x, f, g):
        def trial(t):
            return gradient_step(x, g, lr=t)[0]
        t, x_new, f_new, g_new = _line(self.ctx, k, trial, x, f, g, -g, self.ctx.lr or 1.0)
        return x_new, f_new, g_new, t


class _Momentum(_GD):
    """Heavy ball, :func:`~ece544core.update_rules.heavy_ball_step`: t_k by the step rule
    along -grad f(x_k), then the momentum term beta (x_k - x_{k-1})."""

    def __init__(self, ctx: _Ctx):
        super().__init__(ctx)
        if ctx.beta is not None:
            self.beta = ctx.beta
        elif ctx.L is not None and ctx.mu is not None:  # Polyak's optimal beta
            r = math.sqrt(ctx.L / ctx.mu)
            self.beta = ((r - 1.0) / (r + 1.0)) ** 2
        else:
            self.beta = 0.9

    def step(self, k, x, f, g):
        first = self.state is None or self.beta == 0.0
        y, f_y, g_y, t = super().step(k, x, f, g)  # the gradient step x_k - t grad f(x_k)
        x_new, self.state = heavy_ball_step(x, g, self.state, lr=t, beta=self.beta)
        if first:
            return y, f_y, g_y, t
        return x_new, self.ctx.oracle.f(x_new), None, t


class _Nesterov(_GD):
    """Nesterov, :func:`~ece544core.update_rules.nesterov_step` with
    beta_k = beta if given; (sqrt(kappa) - 1)/(sqrt(kappa) + 1) if L and mu are known;
    else k / (k + 3) (the schedule for convex f)."""

    def _beta(self, k: int) -> float:
        ctx = self.ctx
        if ctx.beta is not None:
            return ctx.beta
        if ctx.L is not None and ctx.mu is not None:
            r = math.sqrt(ctx.L / ctx.mu)
            return (r - 1.0) / (r + 1.0)
        return k / (k + 3.0)

    def step(self, k, x, f, g):
        oracle, beta, state = self.ctx.oracle, self._beta(k), self.state
        y = nesterov_lookahead(x, state, beta=beta)
        if y is x:
            f_y, g_y = f, g
        else:
            f_y = oracle.f(y) if self.ctx.step == "armijo" else math.nan
            g_y = oracle.g(y)

        def trial(t):
            return nesterov_step(x, g_y, state, lr=t, beta=beta)[0]
        t, x_new, f_new, g_new = _line(self.ctx, k, trial, y, f_y, g_y, -g_y, self.ctx.lr or 1.0)
        self.state = {"prev": x}
        return x_new, f_new, g_new, t


class _Newton(_GD):
    """Newton, :func:`~ece544core.update_rules.newton_step`: the step rule along
    p = -[hess f(x_k)]^{-1} grad f(x_k)."""

    def step(self, k, x, f, g):
        p = newton_direction(self.ctx.oracle.h(x), g)
        t, x_new, f_new, g_new = _line(self.ctx, k, lambda t: x + t * p, x, f, g, p,
                                       self.ctx.lr or 1.0)
        return x_new, f_new, g_new, t


class _LBFGS(_GD):
    """L-BFGS, :func:`~ece544core.update_rules.lbfgs_step`: the memory update and direction
    of the update rule, then the step rule along p (first step t0 = min(1, 1/||grad||))."""

    def step(self, k, x, f, g):
        ctx = self.ctx
        self.state = lbfgs_update(self.state, x, g, memory=ctx.memory)
        p, self.state = lbfgs_direction(g, self.state)
        t0 = ctx.lr or (1.0 if self.state["pairs"] else min(1.0, 1.0 / float(np.linalg.norm(g))))
        t, x_new, f_new, g_new = _line(ctx, k, lambda t: x + t * p, x, f, g, p, t0)
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
    """Records every iterate into a History."""

    def __init__(self, record_x: bool, x_star, norm):
        self.norm, self.x_star, self.record_x = norm, x_star, record_x
        self.history = History()

    def add(self, x, f, g, t) -> float:
        gn = float(np.linalg.norm(g, ord=self.norm))
        self.last = (x, f, gn)
        fields = {"iteration": self.history.n_records, "objective": f, "grad_norm": gn}
        fields["step_size"] = t
        if self.record_x:
            fields["x"] = x
        if self.x_star is not None:
            fields["dist"] = float(np.linalg.norm(x - self.x_star))
        self.history.record(**fields)
        return gn

    def result(self, message, tol, method, step, oracle) -> OptimizeResult:
        x, f, gn = self.last
        return OptimizeResult(x=x.copy(), fun=f, n_iter=self.history.n_records - 1,
                              converged=gn <= tol, message=message, method=method, step=step,
                              history=self.history, n_fev=oracle.n_fev, n_gev=oracle.n_gev)


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
