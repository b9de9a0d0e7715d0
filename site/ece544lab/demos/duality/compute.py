"""The duality demo's computation: a pure function of (preset, θ, Δb) that calls the core and
returns a frozen :class:`DualityResult` (no Bokeh). Memoised per (preset, θ, Δb): turning the
angle back and forth, or returning to Δb = 0, costs no LP solve."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ece544core.duality import LPResult, StandardForm, lagrangian, linprog, lp_dual, standard_form

from .geometry import PRESETS, polygon_vertices, written_rows

ACTIVE_TOL = 1e-7               # a row is active when its slack is below this (relative)


def objective(theta: float) -> np.ndarray:
    """c = (cos θ, sin θ), θ in degrees."""
    t = math.radians(theta)
    return np.array([math.cos(t), math.sin(t)])


@dataclass(frozen=True, eq=False)
class DualityResult:
    """One LP of the demo: its standard form, the primal and the dual program solved, p* at
    Δb = 0 (for the sensitivity check) and the plane geometry of the feasible set."""

    preset: str
    theta: float
    shift: float
    form: StandardForm
    c: np.ndarray
    primal: LPResult
    dual: LPResult            # the dual program (lp_dual) solved as min b^T lam
    base_fun: float           # p* of the preset at Δb = 0
    vertices: np.ndarray      # (k, 2) vertices of {A w <= b}
    region: np.ndarray        # (k, 2) the feasible set clipped to the plotted box

    @property
    def spec(self) -> dict:
        return PRESETS[self.preset]

    @property
    def A(self) -> np.ndarray:
        return self.form.A_ub

    @property
    def b(self) -> np.ndarray:
        return self.form.b_ub

    @property
    def optimal(self) -> bool:
        return self.primal.status == "optimal"

    @property
    def dual_value(self) -> float:
        """d* = max -b^T lam of the dual program (solved as min b^T lam: d* = -fun)."""
        return -self.dual.fun

    @property
    def slack(self) -> np.ndarray:
        """b - A w* (NaN when there is no optimum)."""
        if not self.optimal:
            return np.full(len(self.b), np.nan)
        return self.b - self.A @ self.primal.x

    @property
    def active(self) -> np.ndarray:
        """Rows with a_i^T w* = b_i (to ACTIVE_TOL relative to the size of b)."""
        if not self.optimal:
            return np.zeros(len(self.b), bool)
        return np.abs(self.slack) <= ACTIVE_TOL * (1.0 + np.abs(self.b))

    @property
    def lam(self) -> np.ndarray:
        """lam* when there is an optimum, else zeros (L(w, lam) is then c^T w)."""
        return self.primal.lam if self.optimal else np.zeros(len(self.b))


@dataclass(frozen=True)
class Probe:
    """L(w, lam*) = c^T w + lam*^T (A w - b) at a tapped point w."""

    w: np.ndarray
    cw: float
    penalty: float
    value: float
    feasible: bool


def compute(preset: str, theta: float, shift: float) -> DualityResult:
    """The LP of ``preset`` with c = (cos θ, sin θ) and Δb = ``shift`` on its moved row."""
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)}; got {preset!r}")
    return _solve(preset, float(theta), float(shift))


@lru_cache(maxsize=256)
def _solve(preset: str, theta: float, shift: float) -> DualityResult:
    spec = PRESETS[preset]
    form = standard_form(*written_rows(spec["rows"], spec["moved"], shift))
    c = objective(theta)
    primal = linprog(c, **form.linprog_args())
    dual = linprog(**lp_dual(c, form.A_ub, form.b_ub).linprog_args())
    base_fun = primal.fun if shift == 0 else _solve(preset, theta, 0.0).primal.fun
    return DualityResult(preset=preset, theta=theta, shift=shift, form=form, c=c, primal=primal,
                         dual=dual, base_fun=base_fun, vertices=polygon_vertices(form.A_ub,
                                                                                 form.b_ub),
                         region=polygon_vertices(form.A_ub, form.b_ub, box=spec["box"]))


def probe(result: DualityResult, x: float, y: float) -> Probe:
    """L(w, lam*) at w = (x, y) (:func:`ece544core.duality.lagrangian`)."""
    if x is None or y is None or not (np.isfinite(x) and np.isfinite(y)):
        raise ValueError(f"the point w must be two finite numbers; got ({x}, {y})")
    w = np.array([float(x), float(y)])
    value = lagrangian(w, result.lam, result.c, result.A, result.b)
    cw = float(result.c @ w)
    return Probe(w=w, cw=cw, penalty=value - cw, value=value,
                 feasible=bool(np.all(result.A @ w <= result.b)))
