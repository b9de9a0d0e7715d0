"""k nearest neighbours: y = y^(k) with k = argmin_i d(x^(i), x), and its k-vote generalisation.

Brute force, vectorised: squared Euclidean distances come from one matrix product per chunk of
query rows, ||x - x^(i)||^2 = ||x||^2 - 2 x^T x^(i) + ||x^(i)||^2, so the work is a GEMM and the
memory stays bounded (about ``CHUNK_BYTES`` per chunk).

Tie rules (deterministic, documented)
-------------------------------------
* **Equal distances** (as computed, see below): the training sample with the lower index
  comes first. The k neighbours
  are exactly the first k of all training samples sorted by (distance, index), also when a
  group of equal distances straddles the k-th place (see ``_k_smallest``: the selection sorts
  every candidate within the k-th distance, so a partial sort cannot cut a tie arbitrarily).
* **Equal votes**: the class that comes first in ``classes_`` (the smallest label) wins, which is
  what ``argmax`` over ``predict_proba`` gives (the same rule as scikit-learn).

Euclidean neighbours are selected on the computed scores ||x^(i)||^2 - 2 x^T x^(i) (the
query's own ||x||^2 does not change the ranking); the distances that are returned are then
recomputed directly as sqrt(sum_j (x_j - x^(i)_j)^2) for the k chosen samples, so an exact
duplicate has distance exactly 0. Integer-valued data such as MNIST pixels make every step exact.
"""
from __future__ import annotations

import numpy as np

from ._math import row_sq_norms, sq_distances
from ._validation import (check_array, check_is_fitted, check_n_features, check_option,
                          check_scalar, check_X_y)
from .base import BaseEstimator, ClassifierMixin

__all__ = ["KNeighborsClassifier", "knn_vote", "pairwise_distances", "vote_ties", "CHUNK_BYTES"]

METRICS = ("euclidean", "manhattan")
WEIGHTS = ("uniform", "distance")
#: Memory budget (bytes) for the distance block of one chunk of query rows.
CHUNK_BYTES = 64 * 2**20
#: Memory budget (bytes) of one (query rows, training rows, features) block of the Manhattan
#: differences (a single MNIST query against all 8,000 digits would otherwise take 50 MB).
MANHATTAN_BLOCK_BYTES = 4 * 2**20
#: Up to this many training samples the k smallest are found by a stable full sort.
SMALL_N = 256


# ------------------------------------------------------------------------------ distances
def _euclidean_scores(Xq: np.ndarray, Xt: np.ndarray, sq_t: np.ndarray) -> np.ndarray:
    """Scores s_ij = ||x^(j)||^2 - 2 x_i^T x^(j) = ||x_i - x^(j)||^2 - ||x_i||^2 (one GEMM)."""
    S = (-2.0 * Xq) @ Xt.T  # (m, n); -2 x is exact, so this is -2 (x^T x^(j)) exactly
    S += sq_t
    return S


def _manhattan(Xq: np.ndarray, Xt: np.ndarray, block_bytes: int | None = None) -> np.ndarray:
    """d_ij = sum_k |x_ik - x^(j)_k|: (m, d), (n, d) -> (m, n).

    By broadcasting over blocks of training rows, (m, 1, d) - (1, b, d), with b chosen so that
    the (m, b, d) difference block stays within ``block_bytes`` (default
    ``MANHATTAN_BLOCK_BYTES``); each d_ij is the same sum over k as without blocks.
    """
    block_bytes = MANHATTAN_BLOCK_BYTES if block_bytes is None else block_bytes
    m, d = Xq.shape
    n = Xt.shape[0]
    b = max(1, int(block_bytes // (8 * max(m * d, 1))))
    if b >= n:
        return np.abs(Xq[:, None, :] - Xt[None, :, :]).sum(axis=2)
    D = np.empty((m, n))
    for start in range(0, n, b):
        block = Xt[start:start + b]
        D[:, start:start + b] = np.abs(Xq[:, None, :] - block[None, :, :]).sum(axis=2)
    return D


def _exact_euclidean(Xq: np.ndarray, Xt: np.ndarray, ind: np.ndarray) -> np.ndarray:
    """sqrt(sum_j (x_j - x^(i)_j)^2) for the chosen neighbours ind (m, k) of each query row."""
    diff = Xq[:, None, :] - Xt[ind]  # (m, k, d)
    return np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))


def pairwise_distances(X, Y=None, metric="euclidean"):
    """Distance matrix D_ij = ||x_i - y_j||_2 (euclidean) or ||x_i - y_j||_1 (manhattan).

    Parameters
    ----------
    X : array-like of shape (m, d)
    Y : array-like of shape (n, d), default X
    metric : {"euclidean", "manhattan"}

    Returns
    -------
    D : ndarray of shape (m, n)
    """
    metric = check_option(metric, "metric", METRICS)
    X = check_array(X, name="X")
    Y = X if Y is None else check_array(Y, name="Y")
    check_n_features(Y, X.shape[1], name="Y")
    if metric == "manhattan":
        return _manhattan(X, Y)
    D = sq_distances(X, Y)  # clipped at 0: rounding can leave tiny negatives
    return np.sqrt(D, out=D)


# ------------------------------------------------------------------------------ selection
def _k_smallest(S: np.ndarray, k: int, group: int = 64) -> np.ndarray:
    """Column indices of the k smallest entries of each row of S, ordered by (value, index).

    Exact (value, index) order, ties included, in about three passes over S:

    1. split the n columns into G >= k groups and take each group's minimum (m, G);
    2. tau = the k-th smallest group minimum of the row. At least k entries (one per group)
       are <= tau, so every one of the k smallest entries is <= tau;
    3. the few candidates S_ij <= tau are sorted by (row, value, column); the first k of each
       row are the answer.

    Ties cost nothing extra: tied entries are all candidates, and the column index breaks them.
    (In the worst case, all entries equal, this degrades to a full sort of the rows.)
    When k is a sizeable fraction of n (few training points, as in the 2-D demos), a stable
    full sort of each row is cheaper and gives the same (value, index) order.
    """
    m, n = S.shape
    if n <= SMALL_N or n < 8 * k:
        return np.argsort(S, axis=1, kind="stable")[:, :k]
    g = max(1, min(group, n // k))  # group size, so that there are n // g >= k groups
    n_groups = n // g
    M = S[:, : n_groups * g].reshape(m, g, n_groups).min(axis=1)  # (m, G); strided groups
    if n_groups * g < n:
        M = np.concatenate([M, S[:, n_groups * g:]], axis=1)  # leftover columns on their own
    tau = np.partition(M, k - 1, axis=1)[:, k - 1]  # (m,)
    flat = np.flatnonzero(S <= tau[:, None])  # candidates, row-major
    rows, cols = np.divmod(flat, n)
    order = np.lexsort((cols, S.ravel()[flat], rows))  # by row, then value, then column
    rows, cols = rows[order], cols[order]
    counts = np.bincount(rows, minlength=m)  # >= k per row
    starts = np.cumsum(counts) - counts
    return cols[starts[:, None] + np.arange(k)]  # (m, k)


def _kneighbors(Xq, Xt, sq_t, k, metric, return_distance, chunk_bytes=None):
    """The k nearest training rows of every query row, in chunks of query rows whose
    distance block (and, for exact distances, neighbour differences) fits ``chunk_bytes``
    (default ``CHUNK_BYTES``)."""
    chunk_bytes = CHUNK_BYTES if chunk_bytes is None else chunk_bytes
    m, n = Xq.shape[0], Xt.shape[0]
    d = Xq.shape[1]
    per_row = 8 * (n + (k * d if return_distance else 0))
    rows = max(1, int(chunk_bytes // per_row))
    if metric == "manhattan":  # a block of query rows against >= 64 training rows at a time
        rows = max(1, min(rows, MANHATTAN_BLOCK_BYTES // (8 * d * 64)))
    ind = np.empty((m, k), dtype=np.intp)
    dist = np.empty((m, k)) if return_distance else None
    for start in range(0, m, rows):
        Q = Xq[start:start + rows]
        if metric == "euclidean":
            idx = _k_smallest(_euclidean_scores(Q, Xt, sq_t), k)
            if return_distance:
                dq = _exact_euclidean(Q, Xt, idx)
                order = np.lexsort((idx, dq), axis=1)  # keep (distance, index) order
                idx = np.take_along_axis(idx, order, axis=1)
                dist[start:start + rows] = np.take_along_axis(dq, order, axis=1)
        else:
            D = _manhattan(Q, Xt)
            idx = _k_smallest(D, k)
            if return_distance:
                dist[start:start + rows] = np.take_along_axis(D, idx, axis=1)
        ind[start:start + rows] = idx
    return dist, ind


def _neighbor_weights(dist: np.ndarray | None, weights: str, shape) -> np.ndarray:
    """Vote weights: 1 (uniform) or 1/d (distance); in a row where some neighbour has d = 0,
    those neighbours get weight 1 and the others 0."""
    if weights == "uniform":
        return np.ones(shape)
    with np.errstate(divide="ignore"):
        w = 1.0 / dist
    zero = dist == 0
    rows = zero.any(axis=1)
    w[rows] = zero[rows]
    return w


def knn_vote(ind, y_codes, n_classes: int, dist=None, weights: str = "uniform") -> np.ndarray:
    """The vote step: p(y = c | x) = sum_{i in N_k(x)} w_i [y^(i) = c] / sum_{i in N_k(x)} w_i.

    Parameters
    ----------
    ind : ndarray of shape (m, k)
        Training indices of the k neighbours of each query (from ``kneighbors``). Because
        ``kneighbors`` orders them by (distance, index), the first k columns of a query with a
        larger k are exactly the k nearest: one query serves every smaller k.
    y_codes : ndarray of shape (n_train,)
        Class of every training sample as an integer in [0, n_classes).
    n_classes : int
    dist : ndarray of shape (m, k), optional
        Neighbour distances; needed for ``weights="distance"``.
    weights : {"uniform", "distance"}
        w_i = 1, or w_i = 1/d(x^(i), x) (where some neighbour has d = 0, only those count).

    Returns
    -------
    proba : ndarray of shape (m, n_classes)
    """
    weights = check_option(weights, "weights", WEIGHTS)
    ind = np.asarray(ind)
    if weights == "distance" and dist is None:
        raise ValueError("dist is required for weights='distance'; got dist=None")
    w = _neighbor_weights(None if dist is None else np.asarray(dist, dtype=float), weights,
                          ind.shape)
    m = ind.shape[0]
    # Sum the weights per (row, class) with one bincount over flattened (row, class) cells.
    cells = np.asarray(y_codes)[ind] + n_classes * np.arange(m)[:, None]  # (m, k)
    proba = np.bincount(cells.ravel(), weights=w.ravel(), minlength=m * n_classes)
    proba = proba.reshape(m, n_classes)
    proba /= proba.sum(axis=1, keepdims=True)
    return proba


def vote_ties(proba, atol: float = 1e-12) -> np.ndarray:
    """Rows whose two largest class probabilities are equal (|p_(1) - p_(2)| <= atol).

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)
        For example ``KNeighborsClassifier.predict_proba(X)``.

    Returns
    -------
    ndarray of bool, shape (n_samples,)
        True where the vote is tied (the prediction then falls back to the first class).
    """
    P = check_array(proba, name="proba")
    if P.shape[1] < 2:
        return np.zeros(P.shape[0], dtype=bool)
    top2 = -np.partition(-P, 1, axis=1)[:, :2]  # the two largest, descending
    return (top2[:, 0] - top2[:, 1]) <= atol


# ------------------------------------------------------------------------------ estimator
class KNeighborsClassifier(ClassifierMixin, BaseEstimator):
    """k-NN vote: p(y = c | x) = sum_{i in N_k(x)} w_i [y^(i) = c] / sum_{i in N_k(x)} w_i.

    N_k(x) are the k training samples closest to x (ties: lower index first); the prediction
    is argmax_c p(y = c | x) (ties: first class in ``classes_``). With k = 1 this is the notes'
    rule y = y^(k), k = argmin_i ||x^(i) - x||^2.

    Parameters
    ----------
    n_neighbors : int, default 5
        k, with 1 <= k <= number of training samples.
    metric : {"euclidean", "manhattan"}
        d(x, x') = ||x - x'||_2 or ||x - x'||_1.
    weights : {"uniform", "distance"}
        w_i = 1, or w_i = 1 / d(x, x^(i)) (if some neighbours are at distance 0, exactly those
        get weight 1 and the rest 0).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted distinct training labels (any sortable dtype, e.g. strings).
    n_features_in_ : int
    n_samples_fit_ : int
    """

    def __init__(self, n_neighbors=5, metric="euclidean", weights="uniform"):
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.weights = weights

    def _check_params(self) -> None:
        check_scalar(self.n_neighbors, "n_neighbors", kind=int, min_val=1)
        check_option(self.metric, "metric", METRICS)
        check_option(self.weights, "weights", WEIGHTS)

    def fit(self, X, y):
        """Store the training set (converted to float64 once) and the label encoding.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), any labels

        Returns
        -------
        self
        """
        self._check_params()
        X, y = check_X_y(X, y, copy=True)
        if self.n_neighbors > X.shape[0]:
            raise ValueError(f"n_neighbors must be <= the number of training samples "
                             f"({X.shape[0]}); got n_neighbors={self.n_neighbors}")
        self.classes_, self._y = np.unique(y, return_inverse=True)
        self._y = self._y.reshape(-1)
        self._fit_X = X
        self._fit_sq = row_sq_norms(X)  # ||x^(i)||^2, also if the metric is switched after fit
        self.n_features_in_ = X.shape[1]
        self.n_samples_fit_ = X.shape[0]
        return self

    def _check_query(self, X) -> np.ndarray:
        check_is_fitted(self, "classes_")
        X = check_array(X, name="X")
        check_n_features(X, self.n_features_in_)
        return X

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        """N_k(x): the first k training samples i in (d(x, x^(i)), i) order, with their distances.

        Parameters
        ----------
        X : array-like of shape (m, n_features) or None
            Queries. ``None`` means the training set itself, each sample excluded from its own
            neighbours (so k must be <= n_samples_fit_ - 1).
        n_neighbors : int or None
            k; defaults to ``self.n_neighbors``.
        return_distance : bool

        Returns
        -------
        dist : ndarray of shape (m, k)
            Only if ``return_distance``.
        ind : ndarray of shape (m, k)
            Row indices into the training set.
        """
        check_is_fitted(self, "classes_")
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        k = check_scalar(k, "n_neighbors", kind=int, min_val=1)
        n = self.n_samples_fit_
        if X is None:
            if k > n - 1:
                raise ValueError(f"n_neighbors must be <= n_samples_fit_ - 1 = {n - 1} when X "
                                 f"is None (each sample is excluded); got n_neighbors={k}")
            dist, ind = self._query(self._fit_X, k + 1, return_distance)
            keep = ind != np.arange(n)[:, None]  # drop the sample itself ...
            keep[keep.all(axis=1), -1] = False  # ... or, if a duplicate pushed it out, the last
            ind = ind[keep].reshape(n, k)
            dist = dist[keep].reshape(n, k) if return_distance else None
        else:
            X = self._check_query(X)
            if k > n:
                raise ValueError(f"n_neighbors must be <= the number of training samples ({n}); "
                                 f"got n_neighbors={k}")
            dist, ind = self._query(X, k, return_distance)
        return (dist, ind) if return_distance else ind

    def _query(self, X, k, return_distance):
        return _kneighbors(X, self._fit_X, self._fit_sq, k, self.metric, return_distance)

    def predict_proba(self, X):
        """p(y = c | x) = sum_{i in N_k(x)} w_i [y^(i) = c] / sum_{i in N_k(x)} w_i.

        Parameters
        ----------
        X : array-like of shape (m, n_features) or None
            Queries; ``None`` means the training set, each sample excluded from its own
            neighbours (as in :meth:`kneighbors`).

        Returns
        -------
        proba : ndarray of shape (m, n_classes), columns in ``classes_`` order
        """
        self._check_params()  # hyperparameters may have been changed since fit
        need_dist = self.weights == "distance"
        found = self.kneighbors(X, return_distance=need_dist)
        dist, ind = found if need_dist else (None, found)
        return knn_vote(ind, self._y, len(self.classes_), dist, self.weights)

    def predict(self, X):
        """y = argmax_c p(y = c | x), ties going to the first class in ``classes_``.

        Parameters
        ----------
        X : array-like of shape (m, n_features) or None
            Queries (``None``: the training set, leave-one-out as in :meth:`kneighbors`).

        Returns
        -------
        y_pred : ndarray of shape (m,), labels from ``classes_``
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
