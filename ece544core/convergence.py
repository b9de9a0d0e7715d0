"""Convergence rates of the gradient-descent family: the rate observed in a trace and the
worst-case linear rate the notes prove on an L-smooth, mu-strongly convex f (kappa = L / mu).

    e_{k+1} <= rho e_k,   e_k = ||x_k - x*||,   rho = (kappa - 1)/(kappa + 1) for gd with 2/(L+mu)

Re-exported by :mod:`ece544core.optim`.
"""
from __future__ import annotations

import math

import numpy as np

from ._validation import check_option, check_scalar

__all__ = ["observed_rate", "theoretical_rate"]

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
    check_option(method, "method", ("gd", "momentum", "nesterov", "newton", "lbfgs"))
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
