"""The machinery under k-means: blocked assignment, cluster sums and Lloyd's loop.

Private to :mod:`ece544core.cluster` (which documents the algorithm and its rules). Squared
distances come from :func:`ece544core._math.sq_distances`, ||x - mu||^2 = ||x||^2 - 2 x^T mu +
||mu||^2 (one GEMM, clipped at 0), always on data centred by the mean of X, so that the
expansion does not cancel catastrophically for data far from the origin.
"""
from __future__ import annotations

import numpy as np

from ._math import row_sq_norms, sq_distances

__all__ = ["CHUNK_ROWS", "INCREMENTAL_FRACTION"]

#: Rows of X per block when distances are computed inside ``KMeans.fit`` (a block of MNIST
#: rows then stays in cache between the matrix product and the arg-min).
CHUNK_ROWS = 1024
#: ``KMeans.fit`` updates the cluster sums from the points that changed cluster when fewer than
#: this fraction of the points moved, and recomputes them from scratch otherwise.
INCREMENTAL_FRACTION = 1 / 3


def _centered(X: np.ndarray, *others: np.ndarray):
    """X - mean(X) and every other array minus the same mean (distances are unchanged)."""
    mean = X.mean(axis=0)
    return (X - mean,) + tuple(o - mean for o in others)


def _assign_blocks(X, x_sq, centers, prev_labels=None, chunk_rows=CHUNK_ROWS):
    """The assignment step by blocks of rows (the GEMM and the arg-min share the cache).

    Returns
    -------
    labels : (n,) argmin_k D_ik
    d_min : (n,) D_i,labels_i
    d_prev : (n,) D_i,prev_labels_i (the cost terms of the previous assignment under these
        centres), or None without ``prev_labels``
    """
    n = X.shape[0]
    labels = np.empty(n, dtype=np.intp)
    d_min = np.empty(n)
    d_prev = None if prev_labels is None else np.empty(n)
    c_sq = row_sq_norms(centers)
    for start in range(0, n, chunk_rows):
        stop = min(start + chunk_rows, n)
        D = sq_distances(X[start:stop], centers, X_sq=x_sq[start:stop], Y_sq=c_sq)  # (m, k)
        lab = np.argmin(D, axis=1)  # first minimum: ties -> lowest k
        labels[start:stop] = lab
        d_min[start:stop] = np.take_along_axis(D, lab[:, None], axis=1)[:, 0]
        if d_prev is not None:
            d_prev[start:stop] = np.take_along_axis(D, prev_labels[start:stop, None], 1)[:, 0]
    return labels, d_min, d_prev


def _cluster_sums(X: np.ndarray, labels: np.ndarray, k: int, chunk_rows=CHUNK_ROWS):
    """S_k = sum_{i: l_i = k} x^(i) (k, d) and n_k = |{i: l_i = k}| (k,), by blocks of rows."""
    sums = np.zeros((k, X.shape[1]))
    for start in range(0, X.shape[0], chunk_rows):
        Xb, lb = X[start:start + chunk_rows], labels[start:start + chunk_rows]
        for j in np.flatnonzero(np.bincount(lb, minlength=k)):  # non-empty clusters
            sums[j] += Xb[lb == j].sum(axis=0)
    return sums, np.bincount(labels, minlength=k)


def _move_sums(X, old, new, sums, counts) -> None:
    """Update S_k and n_k in place for the points whose label changed from ``old`` to ``new``:
    S_new(i) += x^(i), S_old(i) -= x^(i), as one (k, m) x (m, d) product over the m movers."""
    moved = np.flatnonzero(old != new)
    if moved.size == 0:
        return
    k = sums.shape[0]
    W = np.zeros((moved.size, k))  # (m, k): +1 at the new cluster, -1 at the old one
    rows = np.arange(moved.size)
    W[rows, new[moved]] = 1.0
    W[rows, old[moved]] = -1.0
    sums += W.T @ X[moved]
    counts += np.bincount(new[moved], minlength=k) - np.bincount(old[moved], minlength=k)


def _means(sums, counts, previous) -> np.ndarray:
    """mu_k = S_k / n_k, and the previous centre for an empty cluster (n_k = 0)."""
    out = previous.copy()
    full = counts > 0
    out[full] = sums[full] / counts[full, None]
    return out


def _lloyd(Xc, x_sq, centers, max_iter: int, tol_abs: float):
    """Lloyd iterations on centred data from ``centers``; equal (up to rounding) to alternating
    ``kmeans_assign`` and ``kmeans_update``.

    Iteration t assigns with mu^(t-1) (after_assign[t-1]) and updates to mu^(t)
    (after_update[t-1] = J(mu^(t), labels^(t))); it stops when
    sum_k ||mu_k^(t) - mu_k^(t-1)||^2 <= tol_abs (unchanged labels give exactly 0) or at
    max_iter. The final labels are the assignment to the final centres.

    The cluster sums are updated from the points that changed cluster (``_move_sums``) when
    few moved, which makes late iterations cost about one GEMM.

    Returns
    -------
    (centers, labels, inertia, n_iter, (after_assign, after_update, path)) with ``path`` the
    centres mu^(1), ..., mu^(n_iter) (centred coordinates).
    """
    n, k = Xc.shape[0], centers.shape[0]
    labels, d_min, _ = _assign_blocks(Xc, x_sq, centers)
    sums, counts = _cluster_sums(Xc, labels, k)
    after_assign, after_update, path = [], [], []
    for n_iter in range(1, max_iter + 1):
        new_centers = _means(sums, counts, centers)
        new_labels, new_min, d_prev = _assign_blocks(Xc, x_sq, new_centers, labels)
        after_assign.append(float(d_min.sum()))
        after_update.append(float(d_prev.sum()))
        path.append(new_centers)
        diff = new_centers - centers
        shift = float(np.einsum("ij,ij->", diff, diff))
        centers, d_min = new_centers, new_min
        if shift <= tol_abs or n_iter == max_iter:
            labels = new_labels
            break
        if np.count_nonzero(new_labels != labels) > INCREMENTAL_FRACTION * n:
            sums, counts = _cluster_sums(Xc, new_labels, k)
        else:
            _move_sums(Xc, labels, new_labels, sums, counts)
        labels = new_labels
    return centers, labels, float(d_min.sum()), n_iter, (after_assign, after_update, path)
