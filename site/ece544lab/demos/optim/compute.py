"""The optimisation lab's computations (no Bokeh): a problem's contours and constants, one run
of :func:`ece544core.optim.minimize` with its measured and theoretical rates, and the sampled
convexity check. Results are frozen; :mod:`.view` draws them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import contourpy
import numpy as np

from ece544core import optim

GRID_N = 120              # contour grid is GRID_N x GRID_N (computed once per objective)
N_LEVELS = 16
L_GRID = 15               # coarse grid on which L = max eigenvalue of the Hessian is taken
#: Stopping tolerance on ||grad f||. The logistic objective (f* ~ 20) cannot resolve smaller
#: gradients by function values (the line searches compare f in float64), so it stops earlier.
TOL = {"quadratic": 1e-10, "rosenbrock": 1e-10, "logistic": 1e-6}
FLOOR = 1e-16             # the log-scale convergence plot shows smaller errors at this floor

#: "Is it convex?" functions: widget label -> key (the value in the URL).
CONVEX_FUNCTIONS = {"log(1 + eˣ)": "softplus", "x²": "square", "|x|": "abs", "x³": "cube",
                    "sin x": "sin", "−x²": "neg_square"}
CONVEX_BOX = (-3.0, 3.0)


def convex_fn(key: str):
    return {
        "softplus": optim.softplus,
        "square": lambda x: np.asarray(x, float) ** 2,
        "abs": lambda x: np.abs(np.asarray(x, float)),
        "cube": lambda x: np.asarray(x, float) ** 3,
        "sin": lambda x: np.sin(np.asarray(x, float)),
        "neg_square": lambda x: -np.asarray(x, float) ** 2,
    }[key]


# ------------------------------------------------------------------------------ problems
def grid_values(problem, xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
    """f on the grid (same shape as xx): the problems' ``fun`` is vectorised over (..., 2)."""
    return np.asarray(problem.fun(np.stack([xx, yy], axis=-1)), dtype=float)


def _box_with(bounds, point, pad: float = 0.05):
    """The plotting box ``bounds`` ((x0, x1), (y0, y1)), enlarged to show ``point`` too."""
    (x0, x1), (y0, y1) = (tuple(map(float, b)) for b in bounds)
    px, py = (float(v) for v in point)
    dx, dy = pad * (x1 - x0), pad * (y1 - y0)
    return (min(x0, px - dx), max(x1, px + dx)), (min(y0, py - dy), max(y1, py + dy))


def contour_levels(z: np.ndarray, f_star: float, n: int = N_LEVELS) -> np.ndarray:
    """Levels f* + geometric steps between low and high quantiles of f - f* on the grid."""
    gap = np.asarray(z, float).ravel() - f_star
    gap = gap[np.isfinite(gap) & (gap > 0)]
    if len(gap) == 0:
        return np.array([f_star])
    lo, hi = np.quantile(gap, 0.002), np.quantile(gap, 0.9)
    lo = max(lo, hi * 1e-6)
    return f_star + np.geomspace(lo, hi, n)


def contour_lines(xs, ys, z, levels) -> dict:
    """The level curves f = c for every c in ``levels`` as multi_line data {xs, ys}."""
    gen = contourpy.contour_generator(x=xs, y=ys, z=z, line_type="Separate")
    lines = [line for level in levels for line in gen.lines(float(level))]
    return dict(xs=[line[:, 0] for line in lines], ys=[line[:, 1] for line in lines])


@dataclass(frozen=True, eq=False)
class ProblemInfo:
    """A problem with its plotting box, contours and constants (one per objective setting)."""

    name: str
    problem: object
    box: tuple
    contours: dict
    L: float
    mu: float
    kappa: float
    f_star: float
    x_star: np.ndarray


def make_problem(objective: str, kappa: float, theta_deg: float, C: float) -> ProblemInfo:
    if objective == "quadratic":
        problem = optim.Quadratic(kappa=kappa, theta=math.radians(theta_deg))
    elif objective == "logistic":
        problem = optim.LogisticProblem(C=C)
    else:
        problem = optim.Rosenbrock()
    (x0, x1), (y0, y1) = box = _box_with(problem.bounds, problem.x0)
    xs, ys = np.linspace(x0, x1, GRID_N), np.linspace(y0, y1, GRID_N)
    z = grid_values(problem, *np.meshgrid(xs, ys))
    f_star = float(problem.f_star)
    lines = contour_lines(xs, ys, z, contour_levels(z, f_star))
    L, mu = optim.curvature_constants(problem, box, n_grid=L_GRID)
    return ProblemInfo(objective, problem, box, lines, L, mu, L / mu, f_star,
                       np.asarray(problem.x_star, float))


# ------------------------------------------------------------------------------ the run
@dataclass(frozen=True)
class RunSettings:
    method: str
    step: str
    lr: float
    optimal_beta: bool
    beta: float
    max_iter: int


def beta_value(s: RunSettings, kappa: float) -> float:
    """The momentum beta in use: the slider's, or the optimal one for kappa (Polyak's
    ((sqrt k - 1)/(sqrt k + 1))^2 for the heavy ball, (sqrt k - 1)/(sqrt k + 1) for Nesterov)."""
    if not s.optimal_beta:
        return float(s.beta)
    r = math.sqrt(kappa)
    return ((r - 1) / (r + 1)) ** (2 if s.method == "momentum" else 1)


def minimize_kwargs(info: ProblemInfo, s: RunSettings) -> dict:
    if s.step == "exact" and info.name != "quadratic":
        raise ValueError("the exact line search t = gᵀg / gᵀAg needs a quadratic "
                         f"(its Hessian A); '{info.name}' is not one — choose "
                         "another step rule")
    kwargs = dict(method=s.method, step=s.step, L=info.L, mu=info.mu, hess=info.problem.hess,
                  x_star=info.x_star, max_iter=s.max_iter, tol=TOL[info.name])
    if info.name == "quadratic":
        kwargs["A"] = info.problem.A
    if s.step == "constant":
        kwargs["lr"] = s.lr
    elif s.step == "diminishing":
        kwargs["c"] = s.lr
    if s.method in ("momentum", "nesterov"):
        kwargs["beta"] = beta_value(s, info.kappa)
    return kwargs


def theoretical(info: ProblemInfo, s: RunSettings) -> float | None:
    """The rate rho of ||w_k - w*|| the theory promises, where it is defined: strongly
    convex objectives (not Rosenbrock), optim.theoretical_rate's method/step pairs (with the
    optimal beta), and GD with a constant step t: max(|1 - t mu|, |1 - t L|) (exact on the
    quadratic, where > 1 means divergence; elsewhere shown when < 1)."""
    if info.name == "rosenbrock":
        return None
    if s.method == "gd" and s.step == "constant":
        rate = max(abs(1 - s.lr * info.mu), abs(1 - s.lr * info.L))
        return rate if info.name == "quadratic" or rate < 1 else None
    if s.method in ("momentum", "nesterov") and not s.optimal_beta:
        return None
    try:
        rate = float(optim.theoretical_rate(s.method, info.kappa, step=s.step))
    except ValueError:
        return None
    return rate if np.isfinite(rate) else None


def _observed(errors: np.ndarray) -> float | None:
    try:
        rate = float(optim.observed_rate(errors))
    except ValueError:
        return None
    return rate if np.isfinite(rate) else None


@dataclass(frozen=True, eq=False)
class Run:
    """One run from ``x0`` and what the convergence plot shows of it."""

    info: ProblemInfo
    settings: RunSettings
    x0: np.ndarray
    result: optim.OptimizeResult
    path: np.ndarray          # (n_iter + 1, 2) iterates
    measured: dict            # k, dist, fgap (floored at FLOOR for the log plot)
    bound: dict               # k, bound: the theoretical rho^k ||w_0 - w*|| (empty: none)
    measured_rate: float | None
    theory_rate: float | None
    beta: float | None
    y_range: tuple
    stats: dict


def run(info: ProblemInfo, s: RunSettings, x0: np.ndarray) -> Run:
    """Compute the whole run once; the step-through only reveals its iterates."""
    res = optim.minimize(info.problem.fun, info.problem.grad, x0, **minimize_kwargs(info, s))
    n = res.n_iter
    dist = np.asarray(res.history["dist"], float)
    measured_rate, theory_rate = _observed(dist), theoretical(info, s)
    k = np.arange(n + 1)
    bound = dict(k=[], bound=[])
    if theory_rate is not None and theory_rate > 0 and dist[0] > 0:
        bound = dict(k=k, bound=np.maximum(dist[0] * theory_rate ** k, FLOOR))
    fgap = np.asarray(res.history["objective"], float) - info.f_star
    measured = dict(k=k, dist=np.maximum(dist, FLOOR),
                    fgap=np.maximum(np.where(np.isfinite(fgap), fgap, np.nan), FLOOR))
    vals = np.concatenate([measured["dist"], measured["fgap"]])
    vals = vals[np.isfinite(vals)]
    hi = min(max(float(vals.max()) * 5 if len(vals) else 5.0, 1e-12), 1e12)
    lo = max(min((float(vals.min()) if len(vals) else FLOOR) / 5, hi / 1e3), FLOOR / 10)
    show = lambda r: "—" if r is None else float(r)        # noqa: E731
    kappa_label = ("κ = L/μ (L: max over the plotted box, μ at w*)"
                   if info.name == "rosenbrock" else "κ = L/μ")
    beta = beta_value(s, info.kappa) if s.method in ("momentum", "nesterov") else None
    stats = {
        "n_iter": ("iterations", int(n)),
        "converged": (f"converged (‖∇f‖ ≤ {TOL[info.name]:g})", bool(res.converged)),
        "message": ("message", str(res.message)),
        "f": ("final f(w)", float(res.fun)),
        "grad_norm": ("final ‖∇f(w)‖", float(res.history["grad_norm"][-1])),
        "dist": ("final ‖w − w*‖", float(dist[-1])),
        "measured_rate": ("measured rate ‖wₖ₊₁ − w*‖ / ‖wₖ − w*‖ (tail)", show(measured_rate)),
        "theory_rate": ("theoretical rate ρ", show(theory_rate)),
        "kappa": (kappa_label, float(info.kappa)),
        "L": ("L", float(info.L)),
        "mu": ("μ", float(info.mu)),
    }
    if beta is not None:
        stats["beta"] = ("β", float(beta))
    return Run(info, s, np.asarray(x0, float), res, np.asarray(res.history["x"], float),
               measured, bound, measured_rate, theory_rate, beta, (lo, hi), stats)


# ------------------------------------------------------------------------------ convexity
@dataclass(frozen=True, eq=False)
class Convexity:
    """The sampled Jensen check of a 1-D function, its worst violating chord and a random one."""

    key: str
    report: optim.ConvexityReport
    xs: np.ndarray
    ys: np.ndarray
    violation: dict           # x, y of the worst violating chord's ends (empty if none)
    gap: dict                 # x0, y0, x1, y1: the chord's point and f below/above it
    chord: dict               # x, y of a random chord


def convexity(key: str, chord_seed: int) -> Convexity:
    f = convex_fn(key)
    report = optim.check_convexity(f, [CONVEX_BOX], random_state=0)
    xs = np.linspace(*CONVEX_BOX, 301)
    violation, gap = dict(x=[], y=[]), dict(x0=[], y0=[], x1=[], y1=[])
    if not report.is_convex and len(report.violations):
        w1, w2, lam, _gap = (float(v) for v in np.asarray(report.violations)[0][:4])
        mid = (1 - lam) * w1 + lam * w2
        f1, f2, fm = (float(v) for v in f(np.array([w1, w2, mid])))
        violation = dict(x=[w1, w2], y=[f1, f2])
        gap = dict(x0=[mid], y0=[(1 - lam) * f1 + lam * f2], x1=[mid], y1=[fm])
    w = np.sort(np.random.default_rng(chord_seed).uniform(*CONVEX_BOX, 2))
    return Convexity(key, report, xs, np.asarray(f(xs), float), violation, gap,
                     dict(x=w, y=np.asarray(f(w), float)))
