"""The SVM demo's compute part: data -> SVC fit (a long job when SMO needs many steps) -> the
frozen :class:`SVMResult` the view draws. No Bokeh objects here.

The fit is :meth:`ece544core.svm.SVC.fit_steps`: after every ``CHUNK`` SMO steps it pauses and
the job reports its progress, every ``PARTIAL_EVERY_S`` with the current feasible iterate as a
partial result, so a slow fit (small C on overlapping data, many SMO steps) shows how it goes
and can be stopped (the iterate then stays drawn: a valid, not yet optimal SVM).
Everything the page states about the fit (margins, slack, the alpha sets, the KKT table) comes
from :func:`ece544core.svm_analysis.analyse_svm`.
"""
from __future__ import annotations

import copy
import time
import warnings
from dataclasses import dataclass

import numpy as np

from ece544core import datasets
from ece544core.svm import HARD_MARGIN_BOUND, SVC
from ece544core.svm_analysis import SVMAnalysis, analyse_svm

from ...shell.jobs import Progress
from ...views.plotting import grid, line_in_box, zero_level_lines

#: The registry's two-class sets (``datasets.make_toy``), plus "custom" (clicked points only).
DATASETS = ("blobs", "overlap", "moons", "circles", "xor")
KERNELS = ("linear", "poly", "rbf", "sigmoid")
GRID_N = 80                      # f(x) is evaluated on a GRID_N x GRID_N grid
CHUNK = 500                      # SMO steps between the pauses of a long fit
PARTIAL_EVERY_S = 0.4            # a long fit shows its current iterate at most this often
MAX_SLACK_LABELS = 25            # label at most this many slack segments with their xi


@dataclass(frozen=True)
class Lines:
    """What the plot draws of f: the boundary f = 0, the margins f = +-1 (with their level)
    and, for the linear kernel, each slack point's segment to its own margin line."""

    boundary: dict
    margins: dict
    slack: dict


@dataclass(frozen=True)
class SVMResult:
    """One fit of the SVM demo (``model`` None: fewer than two classes, see ``hint``).

    ``X, y, clicked``: the data (generated + clicked); ``box``: the plot's data box;
    ``params``: the parameters used; ``model``: the fitted SVC (a snapshot of the iterate when
    ``partial``); ``analysis``: :class:`SVMAnalysis` of it; ``primal``: the same linear soft
    margin solved in the primal (None otherwise); ``grid_f``: f on the grid, (GRID_N, GRID_N),
    row = y; ``lines``: :class:`Lines`.
    """

    X: np.ndarray
    y: np.ndarray
    clicked: np.ndarray
    box: tuple
    params: dict
    model: SVC | None = None
    analysis: SVMAnalysis | None = None
    primal: SVC | None = None
    grid_f: np.ndarray | None = None
    lines: Lines | None = None
    partial: bool = False
    hint: str = ""


def make_data(dataset: str, n_samples: int, noise: float, seed: int):
    """The generated points of ``dataset`` ('custom': none)."""
    if dataset == "custom":
        return np.empty((0, 2)), np.empty(0, dtype=int)
    return datasets.make_toy(dataset, n_samples=n_samples, noise=noise, random_state=seed)


def estimator(p: dict) -> SVC:
    """The SVC of the parameters ``p`` (notes' C)."""
    return SVC(C=p["C"], kernel=p["kernel"], gamma=p["gamma"], degree=p["degree"],
               coef0=p["coef0"], tol=p["tol"], max_iter=p["max_iter"],
               hard_margin=p["hard_margin"])


def upper(p: dict) -> float:
    """Upper bound of alpha: 1 (soft margin) or the core's stand-in for infinity."""
    return HARD_MARGIN_BOUND if p["hard_margin"] else 1.0


def fit_job(X, y, clicked, box, p: dict):
    """The fit as a job (a generator of Progress, returning the :class:`SVMResult`).

    Without two classes the result has no model and a hint. A hard-margin fit on data that is
    not separable raises ValueError (the base shows it and marks the plot stale)."""
    base = dict(X=X, y=y, clicked=clicked, box=box, params=dict(p))
    if np.unique(y).size < 2:
        return SVMResult(**base, hint="Click the plot to add points of <b>both</b> classes "
                                      "(choose the class on the left).")
    model = estimator(p)
    run = model.fit_steps(X, y, chunk=CHUNK)
    shown = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # max_iter: shown as a number
        while True:
            try:
                step = next(run)
            except StopIteration:
                break
            except ValueError as exc:
                if "not linearly separable" not in str(exc):
                    raise
                raise ValueError(f"{exc}. Some point would need ξ > 0: untick hard margin "
                                 "(slack) or pick a kernel that separates the data") from None
            partial = None
            if time.perf_counter() - shown >= PARTIAL_EVERY_S:
                partial = result_of(copy.copy(model), base, p, partial=True)
                shown = time.perf_counter()
            yield Progress(step.fraction, f"SMO step {step.n_iter:,} of at most "
                           f"{step.max_iter:,}, KKT violation {step.kkt_violation:.2g}",
                           partial=partial)
    return result_of(model, base, p, primal=primal_view(X, y, p))


def primal_view(X, y, p: dict) -> SVC | None:
    """The linear soft margin solved the other way, in the primal (SVC(solver="primal"):
    exact), to compare with SMO's dual solution; None for other kernels / hard margin."""
    if p["kernel"] != "linear" or p["hard_margin"]:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return SVC(C=p["C"], kernel="linear", solver="primal").fit(X, y)


def result_of(model: SVC, base: dict, p: dict, primal=None, partial=False) -> SVMResult:
    """Analysis, f on the grid and the lines of a fitted (or paused) model."""
    X, y, box = base["X"], base["y"], base["box"]
    analysis = analyse_svm(model, X, y, upper(p), p["tol"])
    xx, yy, pts = grid(*box, GRID_N)
    F = model.decision_function(pts).reshape(GRID_N, GRID_N)  # (row = y, column = x)
    if p["kernel"] == "linear":
        lines = linear_lines(np.ravel(model.coef_), analysis, X, y, box)
    else:
        lines = contour_lines(xx[0], yy[:, 0], F)
    return SVMResult(**base, model=model, analysis=analysis, primal=primal, grid_f=F,
                     lines=lines, partial=partial)


def linear_lines(w: np.ndarray, r: SVMAnalysis, X, y, box) -> Lines:
    """Exact lines w^T x + b = 0, +-1, and the slack segments of the points with xi > tol to
    their own margin line: x' = x + (y - f(x)) w / ||w||^2 lies on w^T x' + b = y."""
    levels = {level: line_in_box(w, r.b, level, box) for level in (-1.0, 0.0, 1.0)}
    zero = levels.pop(0.0)
    boundary = dict(xs=[zero[0]] if zero else [], ys=[zero[1]] if zero else [])
    kept = [(lv, ln) for lv, ln in levels.items() if ln is not None]
    margins = dict(xs=[ln[0] for _, ln in kept], ys=[ln[1] for _, ln in kept],
                   level=[lv for lv, _ in kept])
    w2 = float(w @ w)
    idx = np.flatnonzero(r.slack) if w2 > 0 else np.empty(0, dtype=int)
    signs = np.where(y[idx] == 1, 1.0, -1.0)
    start = X[idx]
    end = start + ((signs - r.f[idx]) / max(w2, 1e-300))[:, None] * w[None, :]
    xi = r.xi[idx]
    labelled = set(idx[np.argsort(-xi)[:MAX_SLACK_LABELS]].tolist())
    mid = (start + end) / 2
    slack = dict(x0=start[:, 0], y0=start[:, 1], x1=end[:, 0], y1=end[:, 1], xi=xi,
                 tx=mid[:, 0], ty=mid[:, 1],
                 text=[f"ξ={v:.2f}" if i in labelled else "" for i, v in zip(idx, xi)])
    return Lines(boundary, margins, slack)


def contour_lines(xs: np.ndarray, ys: np.ndarray, F: np.ndarray) -> Lines:
    """Iso-lines f = 0 and f = +-1 of f on the grid (no straight slack segments)."""
    margins = dict(xs=[], ys=[], level=[])
    for level in (-1.0, 1.0):
        lines = zero_level_lines(xs, ys, F - level)
        margins["xs"] += lines["xs"]
        margins["ys"] += lines["ys"]
        margins["level"] += [level] * len(lines["xs"])
    return Lines(zero_level_lines(xs, ys, F), margins, empty_slack())


def empty_slack() -> dict:
    return dict(x0=[], y0=[], x1=[], y1=[], xi=[], tx=[], ty=[], text=[])
