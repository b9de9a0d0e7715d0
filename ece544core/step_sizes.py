"""Step-size rules t_k of the gradient-descent family (the notes' "choosing the step").

    "constant"     t_k = lr
    "1/L"          t_k = 1 / L                          (L: Lipschitz constant of grad f)
    "2/(L+mu)"     t_k = 2 / (L + mu)                   (mu: strong-convexity constant)
    "optimal"      the method's best constant step on an L-smooth, mu-strongly convex f:
                   2/(L+mu) (gd), 4/(sqrt L + sqrt mu)^2 (heavy ball), 1/L (Nesterov)
    "diminishing"  t_k = c / sqrt(k + 1)
    "armijo"       backtracking: the first t = t0 2^-j with f(x + t p) <= f(x) + c1 t grad^T p
    "exact"        t = -g^T p / p^T A p, the minimiser along p of a quadratic with Hessian A

:func:`ece544core.optim.minimize` applies them; the functions here are plain arithmetic on
their arguments.
"""
from __future__ import annotations

import math

from .update_rules import _Stop

__all__ = ["STEPS", "fixed_step", "armijo", "exact_step", "ARMIJO_C1", "ARMIJO_SHRINK",
           "MAX_BACKTRACKS", "ROUNDOFF_F"]

STEPS = ("constant", "1/L", "2/(L+mu)", "optimal", "armijo", "exact", "diminishing")
ARMIJO_C1 = 1e-4
ARMIJO_SHRINK = 0.5
MAX_BACKTRACKS = 60
#: relative size of a change in f treated as round-off by the Armijo test
ROUNDOFF_F = 1e-11


def fixed_step(rule: str, k: int, *, method: str = "gd", lr=None, L=None, mu=None,
               c: float = 1.0) -> float:
    """t_k of the rules that need no line search ("constant", "1/L", "2/(L+mu)", "optimal",
    "diminishing"); ``method`` ("gd", "momentum", "nesterov") selects the "optimal" step."""
    if rule == "constant":
        return lr
    if rule == "1/L":
        return 1.0 / L
    if rule == "2/(L+mu)":
        return 2.0 / (L + mu)
    if rule == "diminishing":
        return c / math.sqrt(k + 1)
    if rule != "optimal":
        raise ValueError(f"rule must be one of 'constant', '1/L', '2/(L+mu)', 'optimal', "
                         f"'diminishing'; got {rule!r}")
    if method == "momentum":
        return 4.0 / (math.sqrt(L) + math.sqrt(mu)) ** 2
    if method == "nesterov":
        return 1.0 / L
    return 2.0 / (L + mu)


def armijo(fun, grad, trial, f, g, p, t0: float, c1: float = ARMIJO_C1):
    """Backtracking: the first t = t0 * 0.5^j with f(x_t) <= f(x) + c1 t grad^T p, where
    x_t = ``trial(t)`` is the point the update rule reaches with step t (x + t p).

    Near a minimum the change in f falls below its round-off and comparing f values stops
    meaning anything. When |f(x_t) - f(x)| <= 1e-11 |f(x)| the same test is made with the
    trapezoidal estimate f(x_t) - f(x) ~ t (grad(x) + grad(x_t))^T p / 2, i.e.
    grad(x_t)^T p <= (2 c1 - 1) grad(x)^T p (exact for quadratics; gradients keep their
    relative accuracy where f values do not). So f never increases by more than 1e-11 |f|.
    ``fun`` and ``grad`` are the objective and its gradient. Returns
    (t, x_t, f(x_t), grad(x_t) or None).
    """
    slope = float(g @ p)
    if not slope < 0.0:
        raise _Stop("line search failed: the search direction is not a descent direction")
    noise = ROUNDOFF_F * abs(f)
    t = t0
    for _ in range(MAX_BACKTRACKS):
        x_new = trial(t)
        f_new = fun(x_new)
        if abs(f_new - f) > noise:
            if f_new <= f + c1 * t * slope:
                return t, x_new, f_new, None
        elif f_new == f_new:  # within round-off (and not NaN): compare slopes instead
            g_new = grad(x_new)
            if float(g_new @ p) <= (2.0 * c1 - 1.0) * slope:
                return t, x_new, f_new, g_new
        t *= ARMIJO_SHRINK
    raise _Stop(f"line search failed: no sufficient decrease after {MAX_BACKTRACKS} "
                f"halvings of the step (round-off level reached?)")


def exact_step(A, g, p) -> float:
    """Exact line search on the quadratic with Hessian A: t = -g^T p / p^T A p."""
    curvature = float(p @ A @ p)
    if not curvature > 0.0:
        raise _Stop("exact line search failed: p^T A p <= 0 (A is not positive definite)")
    return -float(g @ p) / curvature
