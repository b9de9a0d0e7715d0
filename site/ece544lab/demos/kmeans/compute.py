"""The k-means demo's computation: a whole Lloyd run recorded half-step by half-step, and the
two-initialisations comparison. Pure NumPy and the core; no Bokeh (tests/app checks it).

Frames of a run: frame 0 is the initial centres (nothing assigned); frame 2t - 1 is the
assignment of iteration t (labels from mu^(t-1)), frame 2t its update (mu^(t) = the means).
The run stops at the first half-step that changes nothing (a fixed point of both steps: an
assignment equal to the previous one, or an update that leaves every centre in place).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ece544core import datasets
from ece544core.cluster import KMeans, kmeans_assign, kmeans_cost, kmeans_update

__all__ = ["MAX_ITER", "GRID_N", "KMeansRun", "Frame", "Comparison", "make_points", "run_lloyd",
           "compare_inits"]

MAX_ITER = 300            # Lloyd iterations (assign + update) recorded at most
GRID_N = 120              # the Voronoi image is GRID_N x GRID_N


@dataclass(frozen=True)
class Frame:
    """What one frame shows: the centres, the labels (None before the first assignment), the
    half-steps so far with their costs, the centres' trail and whether the run has converged."""

    index: int
    centers: np.ndarray           # (k, 2)
    labels: np.ndarray | None     # (n,)
    grid_labels: np.ndarray       # (GRID_N * GRID_N,): the Voronoi cell of every grid point
    steps: tuple[str, ...]        # "assign" / "update", one per half-step up to this frame
    costs: np.ndarray             # J after each of those half-steps
    trail: np.ndarray             # (n_updates + 1, k, 2) centres at the start and after updates
    converged: bool

    @property
    def n_iter(self) -> int:
        """Completed update steps (Lloyd iterations)."""
        return self.steps.count("update")


@dataclass(frozen=True)
class Comparison:
    """Two runs to convergence from two init seeds (same data, k and init method)."""

    seeds: tuple[int, int]
    inertia: tuple[float, float]
    n_iter: tuple[int, int]
    centers: tuple[np.ndarray, np.ndarray]
    labels: tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class KMeansRun:
    """A recorded Lloyd run on the demo's points (see the module docstring).

    ``centers`` (n_centre_sets, k, 2) are mu^(0), mu^(1), ...; ``labels`` (n_assign, n) the
    assignment of every iteration; ``steps`` / ``costs`` one entry per half-step. Without a
    run (no points, or fewer than k) ``centers`` is None and ``note`` says why.
    """

    key: tuple                     # identifies the inputs (a new key: back to frame 0)
    X: np.ndarray                  # (n, 2): generated points, then the clicked ones
    clicked: np.ndarray            # (n,) bool
    box: tuple
    centers: np.ndarray | None
    labels: np.ndarray | None
    grid_labels: np.ndarray | None  # (n_centre_sets, GRID_N * GRID_N)
    steps: tuple[str, ...] = ()
    costs: np.ndarray = field(default_factory=lambda: np.empty(0))
    converged: bool = False
    comparison: Comparison | None = None
    note: str = ""

    @property
    def n_frames(self) -> int:
        return 1 + len(self.steps)

    def describe(self, index: int) -> str:
        """Frame ``index`` in words, for the step-through."""
        frame = self.frame(index)
        if frame is None or not frame.steps:
            return "initial centres"
        words = f"{frame.steps[-1]} step of iteration {frame.steps.count('assign')}"
        return words + (" (converged)" if frame.converged else "")

    def frame(self, index: int) -> Frame | None:
        """Frame ``index`` (clamped to the run); None without a run."""
        if self.centers is None:
            return None
        i = min(max(int(index), 0), self.n_frames - 1)
        n_updates = self.steps[:i].count("update")
        n_assigns = i - n_updates
        return Frame(index=i, centers=self.centers[n_updates],
                     labels=None if n_assigns == 0 else self.labels[n_assigns - 1],
                     grid_labels=self.grid_labels[n_updates], steps=self.steps[:i],
                     costs=self.costs[:i], trail=self.centers[:n_updates + 1],
                     converged=self.converged and i == self.n_frames - 1)


def make_points(dataset: str, n_samples: int, n_centers: int, spread: float, seed: int,
                clicked_X: np.ndarray):
    """The generated blobs (the registry's ``random_blobs``, or none for 'custom') with the
    clicked points appended: (X, clicked mask)."""
    if dataset == "custom":
        base = np.empty((0, 2))
    else:
        base, _ = datasets.make_toy("random_blobs", n_samples, noise=spread, n_classes=n_centers,
                                    random_state=seed)
    X = np.vstack([base, np.reshape(clicked_X, (-1, 2))])
    return X, np.arange(len(X)) >= len(base)


def run_lloyd(X: np.ndarray, start: np.ndarray, grid_points: np.ndarray,
              max_iter: int = MAX_ITER):
    """Alternate cluster.kmeans_assign and cluster.kmeans_update from ``start`` until a
    half-step changes nothing (or ``max_iter`` iterations).

    Returns (centers (n_sets, k, 2), labels (n_assign, n), grid labels (n_sets, m), steps,
    costs, converged): the record of every half-step, as the step-through shows it.
    """
    centers, labels, steps, costs = [start], [], [], []
    converged = False
    for _ in range(max_iter):
        lab, cost = kmeans_assign(X, centers[-1])
        same = bool(labels) and np.array_equal(lab, labels[-1])
        labels.append(lab)
        steps.append("assign")
        costs.append(cost)
        if same:                             # the assignment no longer changes
            converged = True
            break
        new = kmeans_update(X, lab, centers[-1])
        moved = not np.array_equal(new, centers[-1])
        centers.append(new)
        steps.append("update")
        costs.append(kmeans_cost(X, new, lab))   # J(r, mu) with this assignment's r
        if not moved:                        # the centres no longer move
            converged = True
            break
    grid_labels = np.stack([kmeans_assign(grid_points, c)[0] for c in centers]).astype(np.uint8)
    return (np.stack(centers), np.stack(labels), grid_labels, tuple(steps), np.asarray(costs),
            converged)


def compare_inits(X: np.ndarray, n_clusters: int, init: str, seeds: tuple[int, int],
                  max_iter: int = MAX_ITER) -> Comparison:
    """cluster.KMeans to a fixed point (tol = 0, like the step-through) from each seed."""
    runs = [KMeans(n_clusters=n_clusters, init=init, n_init=1, max_iter=max_iter, tol=0.0,
                   random_state=seed).fit(X) for seed in seeds]
    return Comparison(seeds=tuple(seeds), inertia=tuple(float(m.inertia_) for m in runs),
                      n_iter=tuple(int(m.n_iter_) for m in runs),
                      centers=tuple(m.cluster_centers_ for m in runs),
                      labels=tuple(m.labels_ for m in runs))

