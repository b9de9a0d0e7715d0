"""Matching cluster labels to reference labels: the linear assignment problem.

Cluster indices are arbitrary: two clusterings (or a clustering and the true classes) agree up
to a permutation of the labels. The best permutation maximises the number of points on which
they agree,

    max_{sigma a permutation}  sum_i [sigma(b_i) = a_i]  =  max_sigma  sum_k T[sigma(k), k],

with the contingency table T[j, k] = |{i : a_i = j, b_i = k}|: a linear assignment problem,
solved exactly by the Hungarian algorithm (:func:`linear_sum_assignment`, O(K^3); never the
K! permutations, and not the greedy "largest overlap first" pairing, which can be worse).
"""
from __future__ import annotations

import numpy as np

from ._validation import check_array, check_scalar

__all__ = ["linear_sum_assignment", "contingency_matrix", "match_labels", "matched_accuracy"]


def linear_sum_assignment(cost, maximize: bool = False):
    """min (or max) over one-to-one assignments of rows to columns of sum_r C[r, c(r)].

    The Hungarian algorithm with potentials (Kuhn-Munkres, shortest augmenting paths): row by
    row, a Dijkstra-like search over the reduced costs C[r, c] - u_r - v_c >= 0 finds the
    cheapest augmenting path; O(n^2 m) for an n x m matrix, each inner step vectorised over
    the columns. The same contract as ``scipy.optimize.linear_sum_assignment``.

    Parameters
    ----------
    cost : array-like of shape (n_rows, n_cols), finite
    maximize : bool
        Maximise the total instead.

    Returns
    -------
    row_ind, col_ind : ndarray of int, each of length min(n_rows, n_cols)
        The assignment row_ind[t] -> col_ind[t], with row_ind sorted ascending.
    """
    C = check_array(cost, name="cost")
    if maximize:
        C = -C
    transposed = C.shape[0] > C.shape[1]
    if transposed:
        C = C.T
    col_of_row = _hungarian(C)
    rows, cols = np.arange(C.shape[0]), col_of_row
    if transposed:
        rows, cols = cols, rows
        order = np.argsort(rows)
        rows, cols = rows[order], cols[order]
    return rows.astype(np.intp), cols.astype(np.intp)


def _hungarian(C: np.ndarray) -> np.ndarray:
    """The column of every row in a minimum-cost assignment of C (n x m, n <= m)."""
    n, m = C.shape
    u = np.zeros(n + 1)                  # row potentials (1-based; 0 is a sentinel)
    v = np.zeros(m + 1)                  # column potentials; column 0 is the virtual start
    row_of = np.zeros(m + 1, dtype=np.intp)   # row assigned to column j (0: none)
    for i in range(1, n + 1):
        row_of[0] = i
        j0 = 0
        min_reduced = np.full(m + 1, np.inf)  # cheapest reduced cost reaching column j
        came_from = np.zeros(m + 1, dtype=np.intp)
        used = np.zeros(m + 1, dtype=bool)
        while True:                      # grow the alternating tree until a free column
            used[j0] = True
            i0 = row_of[j0]
            reduced = C[i0 - 1] - u[i0] - v[1:]            # (m,)
            better = ~used[1:] & (reduced < min_reduced[1:])
            min_reduced[1:][better] = reduced[better]
            came_from[1:][better] = j0
            free = np.flatnonzero(~used[1:]) + 1
            j1 = free[np.argmin(min_reduced[free])]
            delta = min_reduced[j1]
            u[row_of[used]] += delta
            v[used] -= delta
            min_reduced[~used] -= delta
            j0 = j1
            if row_of[j0] == 0:
                break
        while j0:                        # augment along the path back to the start
            j1 = came_from[j0]
            row_of[j0] = row_of[j1]
            j0 = j1
    col_of_row = np.empty(n, dtype=np.intp)
    assigned = np.flatnonzero(row_of[1:]) + 1
    col_of_row[row_of[assigned] - 1] = assigned - 1
    return col_of_row


def _check_labels(labels, name: str) -> np.ndarray:
    lab = check_array(labels, name=name, ensure_2d=False)
    if lab.ndim != 1 or np.any(lab < 0) or np.any(lab != np.round(lab)):
        raise ValueError(f"{name} must be a 1-D array of non-negative integer labels; got "
                         f"shape {lab.shape}" + (f" with values in [{lab.min():g}, "
                                                  f"{lab.max():g}]" if lab.size else ""))
    return lab.astype(np.intp)


def _check_pair(labels_true, labels_pred, n_labels):
    a = _check_labels(labels_true, "labels_true")
    b = _check_labels(labels_pred, "labels_pred")
    if a.shape != b.shape:
        raise ValueError(f"labels_true and labels_pred must have the same length; got "
                         f"{a.shape[0]} and {b.shape[0]}")
    seen = int(max(a.max(initial=-1), b.max(initial=-1))) + 1
    if n_labels is None:
        return a, b, max(seen, 1)
    K = check_scalar(n_labels, "n_labels", kind=int, min_val=1)
    if K < seen:
        raise ValueError(f"n_labels must exceed every label; got n_labels={K} for labels up "
                         f"to {seen - 1}")
    return a, b, K


def contingency_matrix(labels_true, labels_pred, n_labels=None) -> np.ndarray:
    """T[j, k] = |{i : labels_true_i = j, labels_pred_i = k}|, a (K, K) integer table with
    K = ``n_labels`` (default: the largest label + 1)."""
    a, b, K = _check_pair(labels_true, labels_pred, n_labels)
    return np.bincount(a * K + b, minlength=K * K).reshape(K, K)


def match_labels(labels_true, labels_pred, n_labels=None) -> np.ndarray:
    """The relabelling of ``labels_pred`` that agrees best with ``labels_true``.

    perm = argmax over permutations sigma of sum_i [sigma(b_i) = a_i], found exactly by
    :func:`linear_sum_assignment` on the contingency table (see the module docstring).

    Parameters
    ----------
    labels_true, labels_pred : array-like of int, shape (n_samples,)
        Labels in {0, ..., K - 1}.
    n_labels : int, optional
        K (default: the largest label + 1).

    Returns
    -------
    perm : ndarray of int, shape (K,)
        A permutation of 0..K-1; ``perm[labels_pred]`` are the matched labels.
    """
    T = contingency_matrix(labels_true, labels_pred, n_labels)
    rows, cols = linear_sum_assignment(T.T, maximize=True)   # predicted k -> true j
    perm = np.empty(len(rows), dtype=np.intp)
    perm[rows] = cols
    return perm


def matched_accuracy(labels_true, labels_pred, n_labels=None) -> float:
    """max over permutations sigma of (1/N) sum_i [sigma(b_i) = a_i]: the fraction of points on
    which two clusterings agree once the labels are matched (1.0: the same partition)."""
    T = contingency_matrix(labels_true, labels_pred, n_labels)
    rows, cols = linear_sum_assignment(T, maximize=True)
    total = T.sum()
    return float(T[rows, cols].sum() / total) if total else 1.0
