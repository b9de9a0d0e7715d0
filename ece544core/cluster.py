"""k-means: min_{mu, r} J(mu, r) = sum_i sum_k r_ik ||x^(i) - mu_k||^2, r_ik in {0, 1},
sum_k r_ik = 1 (every point in exactly one cluster).

Lloyd's algorithm alternates the two exact block minimisations of J:

* **assign** (r given mu): r_ik = 1 for k = argmin_j ||x^(i) - mu_j||^2 (:func:`kmeans_assign`);
* **update** (mu given r): mu_k = sum_i r_ik x^(i) / sum_i r_ik, the cluster mean
  (:func:`kmeans_update`).

Neither step can raise J, so the cost sequence is non-increasing and, as there are finitely many
assignments, Lloyd stops after finitely many steps at a local (not necessarily global) minimum.
That is the notes' guarantee; k-means++ seeding (:func:`kmeans_plusplus`) makes a good local
minimum likely, and several restarts (``n_init``) keep the best.

Rules (deterministic, documented)
---------------------------------
* **Ties** in the assignment go to the lowest cluster index (as computed).
* **Empty clusters** keep their previous centre: kmeans_update never divides by zero, so no
  centre is ever NaN. (scikit-learn instead moves an empty centre to a far-away point; on runs
  without empty clusters the two are identical.)

Squared distances come from one matrix product, ||x - mu||^2 = ||x||^2 - 2 x^T mu + ||mu||^2,
on data centred by the mean of X (so that the expansion does not cancel catastrophically for
data far from the origin) and are clipped at 0.
"""
from __future__ import annotations

import numpy as np

from ._validation import (check_array, check_is_fitted, check_n_features, check_option,
                          check_random_state, check_scalar)
from .base import BaseEstimator

__all__ = ["KMeans", "kmeans_plusplus", "kmeans_assign", "kmeans_update", "kmeans_cost",
           "CHUNK_ROWS"]

INITS = ("k-means++", "random")
#: Rows of X per block when distances are computed inside ``KMeans.fit`` (a block of MNIST
#: rows then stays in cache between the matrix product and the arg-min).
CHUNK_ROWS = 1024
#: ``KMeans.fit`` updates the cluster sums from the points that changed cluster when fewer than
#: this fraction of the points moved, and recomputes them from scratch otherwise.
INCREMENTAL_FRACTION = 1 / 3


# ------------------------------------------------------------------------------ validation
def _check_centers(centers, n_features: int, name: str = "centers") -> np.ndarray:
    """Centres as a float (k, d) array with k >= 1 and d = ``n_features``."""
    C = check_array(centers, name=name)
    if C.shape[1] != n_features:
        raise ValueError(f"{name} must have shape (n_clusters, n_features) with n_features = "
                         f"{n_features} (the columns of X); got shape {C.shape}")
    return C


def _check_labels(labels, n_samples: int, n_clusters: int) -> np.ndarray:
    """Integer labels (n,) with values in [0, n_clusters)."""
    lab = np.asarray(labels)
    if lab.shape != (n_samples,):
        raise ValueError(f"labels must have shape (n_samples,) = ({n_samples},); "
                         f"got shape {lab.shape}")
    if lab.dtype.kind not in "iu":
        if lab.dtype.kind != "f" or not np.all(np.isfinite(lab)) or np.any(lab != np.round(lab)):
            raise ValueError(f"labels must be integers in [0, {n_clusters}); got dtype "
                             f"{lab.dtype}")
    lab = lab.astype(np.intp, copy=False)
    if lab.size and (lab.min() < 0 or lab.max() >= n_clusters):
        raise ValueError(f"labels must be integers in [0, n_clusters) = [0, {n_clusters}); "
                         f"got values in [{lab.min()}, {lab.max()}]")
    return lab


# ------------------------------------------------------------------------------ distances
def _sq_norms(X: np.ndarray) -> np.ndarray:
    """||x^(i)||^2 for every row: (n, d) -> (n,)."""
    return np.einsum("ij,ij->i", X, X)


def _sq_distances(X: np.ndarray, centers: np.ndarray, x_sq: np.ndarray,
                  _prepared=None) -> np.ndarray:
    """D_ik = max(0, ||x^(i)||^2 - 2 x^(i)T mu_k + ||mu_k||^2): one GEMM, (n, d) x (d, k).

    ``_prepared`` = (-2 mu^T (d, k), ||mu_k||^2 (k,)) when the caller loops over blocks of X.
    """
    M, c_sq = _prepared if _prepared is not None else _prepare(centers)
    D = X @ M  # (n, k); -2 mu is exact, so this is exactly -2 x^T mu
    D += c_sq
    D += x_sq[:, None]
    return np.maximum(D, 0.0, out=D)


def _prepare(centers: np.ndarray):
    """(-2 mu^T, ||mu_k||^2) for :func:`_sq_distances`."""
    return -2.0 * centers.T, _sq_norms(centers)


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
    prepared = _prepare(centers)
    for start in range(0, n, chunk_rows):
        stop = min(start + chunk_rows, n)
        D = _sq_distances(X[start:stop], centers, x_sq[start:stop], prepared)  # (m, k)
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


# ------------------------------------------------------------------------------ step functions
def kmeans_assign(X, centers):
    """Assignment step: l_i = argmin_k ||x^(i) - mu_k||^2, cost J = sum_i min_k ||x^(i) - mu_k||^2.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    centers : array-like of shape (n_clusters, n_features)
        mu_1, ..., mu_K.

    Returns
    -------
    labels : ndarray of int, shape (n_samples,)
        Index of the closest centre (ties: the lowest index).
    cost : float
        The k-means objective J for these labels and centres.
    """
    X = check_array(X, name="X")
    C = _check_centers(centers, X.shape[1])
    Xc, Cc = _centered(X, C)
    labels, d_min, _ = _assign_blocks(Xc, _sq_norms(Xc), Cc)
    return labels, float(d_min.sum())


def kmeans_update(X, labels, centers):
    """Update step: mu_k = sum_i r_ik x^(i) / sum_i r_ik, the mean of cluster k.

    Empty-cluster rule: a cluster with no points keeps its previous centre ``centers[k]`` (so
    the result is never NaN and J does not rise).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of int, shape (n_samples,)
        Cluster of every sample, in [0, n_clusters).
    centers : array-like of shape (n_clusters, n_features)
        The previous centres (only used for empty clusters, and for n_clusters).

    Returns
    -------
    new_centers : ndarray of shape (n_clusters, n_features)
    """
    X = check_array(X, name="X")
    C = _check_centers(centers, X.shape[1])
    lab = _check_labels(labels, X.shape[0], C.shape[0])
    sums, counts = _cluster_sums(X, lab, C.shape[0])
    return _means(sums, counts, C)


def kmeans_cost(X, centers, labels=None) -> float:
    """k-means objective J = sum_i ||x^(i) - mu_{l_i}||^2.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    centers : array-like of shape (n_clusters, n_features)
    labels : array-like of int, shape (n_samples,), optional
        The assignment l_i; by default every point goes to its closest centre, so that
        J = sum_i min_k ||x^(i) - mu_k||^2. Given labels, J is summed directly from the
        differences x^(i) - mu_{l_i} (exact, no expansion).

    Returns
    -------
    float
    """
    if labels is None:
        return kmeans_assign(X, centers)[1]
    X = check_array(X, name="X")
    C = _check_centers(centers, X.shape[1])
    lab = _check_labels(labels, X.shape[0], C.shape[0])
    diff = X - C[lab]  # (n, d)
    return float(np.einsum("ij,ij->", diff, diff))


def kmeans_plusplus(X, n_clusters, random_state=None, n_local_trials=None):
    """k-means++ seeding: mu_1 uniform among the x^(i), then x^(i) with probability
    D(x^(i))^2 / sum_j D(x^(j))^2, D(x) = distance to the closest centre chosen so far.

    With ``n_local_trials`` = t > 1 this is the greedy variant (also scikit-learn's default):
    each step draws t candidates by D^2 sampling and keeps the one that lowers
    sum_i D(x^(i))^2 most. t = 1 is the textbook algorithm.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_clusters : int, 1 <= n_clusters <= n_samples
    random_state : None, int or numpy.random.Generator
    n_local_trials : int >= 1 or None
        None means 2 + floor(ln n_clusters).

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
        Rows of X.
    indices : ndarray of int, shape (n_clusters,)
        Their row indices in X.
    """
    X = check_array(X, name="X")
    k = _check_n_clusters(n_clusters, X.shape[0])
    trials = 2 + int(np.log(k)) if n_local_trials is None else \
        check_scalar(n_local_trials, "n_local_trials", kind=int, min_val=1)
    rng = check_random_state(random_state)
    Xc, = _centered(X)
    x_sq = _sq_norms(Xc)
    n = X.shape[0]
    indices = np.empty(k, dtype=np.intp)
    indices[0] = rng.integers(n)
    closest = _sq_distances(Xc, Xc[indices[:1]], x_sq)[:, 0]  # D(x^(i))^2, (n,)
    for c in range(1, k):
        total = closest.sum()
        if total > 0:
            u = rng.random(trials) * total
            cand = np.searchsorted(np.cumsum(closest), u, side="right")
            cand = np.minimum(cand, n - 1)  # rounding in the cumulative sum
        else:  # every point coincides with a chosen centre: D^2 sampling is undefined
            cand = rng.integers(n, size=trials)
        D = np.minimum(_sq_distances(Xc, Xc[cand], x_sq), closest[:, None])  # (n, trials)
        best = int(np.argmin(D.sum(axis=0)))
        indices[c] = cand[best]
        closest = D[:, best]
    return X[indices].copy(), indices


def _check_n_clusters(n_clusters, n_samples: int) -> int:
    k = check_scalar(n_clusters, "n_clusters", kind=int, min_val=1)
    if k > n_samples:
        raise ValueError(f"n_clusters must be <= n_samples = {n_samples}; got n_clusters={k}")
    return k


# ------------------------------------------------------------------------------ Lloyd
def _lloyd(Xc, x_sq, centers, max_iter: int, tol_abs: float):
    """Lloyd iterations on centred data from ``centers``; equal (up to rounding) to alternating
    :func:`kmeans_assign` and :func:`kmeans_update`.

    Iteration t assigns with mu^(t-1) (cost_after_assign[t]) and updates to mu^(t)
    (cost_after_update[t] = J(mu^(t), labels^(t))); it stops when
    sum_k ||mu_k^(t) - mu_k^(t-1)||^2 <= tol_abs (unchanged labels give exactly 0) or at
    max_iter. The final labels are the assignment to the final centres.

    The cluster sums are updated from the points that changed cluster (``_move_sums``) when
    few moved, which makes late iterations cost about one GEMM.
    """
    n, k = Xc.shape[0], centers.shape[0]
    labels, d_min, _ = _assign_blocks(Xc, x_sq, centers)
    sums, counts = _cluster_sums(Xc, labels, k)
    after_assign, after_update, path = [], [], [centers]
    for n_iter in range(1, max_iter + 1):
        new_centers = _means(sums, counts, centers)
        new_labels, new_min, d_prev = _assign_blocks(Xc, x_sq, new_centers, labels)
        after_assign.append(d_min.sum())
        after_update.append(d_prev.sum())
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
    history = {"cost_after_assign": np.array(after_assign),
               "cost_after_update": np.array(after_update),
               "centers": np.stack(path)}
    return centers, labels, float(d_min.sum()), n_iter, history


class KMeans(BaseEstimator):
    """k-means by Lloyd's algorithm: min_{mu, r} sum_i sum_k r_ik ||x^(i) - mu_k||^2.

    Each iteration assigns every point to its closest centre and moves every centre to the mean
    of its points; J never rises. Stops when the centres move by
    sum_k ||mu_k^new - mu_k||^2 <= tol * mean_j Var(x_j) (scikit-learn's rule; unchanged labels
    always stop) or after ``max_iter`` iterations. The best of ``n_init`` starts (lowest J) is
    kept.

    Parameters
    ----------
    n_clusters : int, default 8
        K, with 1 <= K <= n_samples.
    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features)
        k-means++ seeding (:func:`kmeans_plusplus`), K distinct random rows of X, or the
        initial centres themselves (then ``n_init`` is ignored: one run).
    n_init : int >= 1
        Number of starts.
    max_iter : int >= 1
    tol : float >= 0
    random_state : None, int or numpy.random.Generator

    Attributes
    ----------
    cluster_centers_ : ndarray (n_clusters, n_features)
    labels_ : ndarray of int (n_samples,)
        Assignment of the training points to the final centres.
    inertia_ : float
        J at ``cluster_centers_`` and ``labels_``.
    n_iter_ : int
        Lloyd iterations (assign + update) of the best start.
    history_ : dict of ndarray
        For the best start: "cost_after_assign" (n_iter_,) J after the assignment of each
        iteration, "cost_after_update" (n_iter_,) J after its update, "centers"
        (n_iter_ + 1, n_clusters, n_features) the initial centres and those after each update.
        Interleaved, cost_after_assign[0] >= cost_after_update[0] >= cost_after_assign[1] ...
        >= inertia_ (each update -> assign pair exactly: both come from one distance matrix;
        each assign -> update pair up to rounding).
    n_features_in_ : int
    """

    def __init__(self, n_clusters=8, init="k-means++", n_init=1, max_iter=300, tol=1e-4,
                 random_state=None):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _check_params(self, X):
        """Validated (k, n_init, max_iter, tol, init array or None)."""
        k = _check_n_clusters(self.n_clusters, X.shape[0])
        n_init = check_scalar(self.n_init, "n_init", kind=int, min_val=1)
        max_iter = check_scalar(self.max_iter, "max_iter", kind=int, min_val=1)
        tol = check_scalar(self.tol, "tol", min_val=0.0)
        init_array = None
        if isinstance(self.init, str):
            check_option(self.init, "init", INITS)
        else:
            init_array = check_array(self.init, name="init")
            if init_array.shape != (k, X.shape[1]):
                raise ValueError(f"init must have shape (n_clusters, n_features) = "
                                 f"({k}, {X.shape[1]}); got shape {init_array.shape}")
        return k, n_init, max_iter, tol, init_array

    def _initial_centers(self, X, k, rng):
        if self.init == "random":
            return X[rng.choice(X.shape[0], size=k, replace=False)].copy()
        return kmeans_plusplus(X, k, random_state=rng)[0]

    def fit(self, X, y=None):
        """Run Lloyd's algorithm from ``n_init`` starts and keep the lowest J; returns self.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        """
        X = check_array(X, name="X")
        k, n_init, max_iter, tol, init_array = self._check_params(X)
        rng = check_random_state(self.random_state)
        mean = X.mean(axis=0)
        Xc = X - mean  # centred copy: accurate GEMM distances (see the module docstring)
        x_sq = _sq_norms(Xc)
        tol_abs = tol * float(np.mean(np.var(X, axis=0))) if tol > 0 else 0.0
        best = None
        for _ in range(1 if init_array is not None else n_init):
            start = init_array if init_array is not None else self._initial_centers(X, k, rng)
            run = _lloyd(Xc, x_sq, start - mean, max_iter, tol_abs)
            if best is None or run[2] < best[2]:
                best, best_start = run, start
        centers, labels, inertia, n_iter, history = best
        history["centers"] += mean
        history["centers"][0] = best_start  # exactly, without the centring round trip
        self.cluster_centers_ = centers + mean
        self.labels_, self.inertia_, self.n_iter_ = labels, inertia, n_iter
        self.history_ = history
        self.n_features_in_ = X.shape[1]
        return self

    def _check_X(self, X) -> np.ndarray:
        check_is_fitted(self, "cluster_centers_")
        X = check_array(X, name="X")
        check_n_features(X, self.n_features_in_)
        return X

    def predict(self, X):
        """l = argmin_k ||x - mu_k||^2 for every row of X (ties: lowest k): (n_samples,)."""
        return kmeans_assign(self._check_X(X), self.cluster_centers_)[0]

    def fit_predict(self, X, y=None):
        """``fit(X)`` and return ``labels_``."""
        return self.fit(X).labels_

    def transform(self, X):
        """Distances ||x^(i) - mu_k|| to every centre: (n_samples, n_clusters)."""
        X = self._check_X(X)
        Xc, Cc = _centered(X, self.cluster_centers_)
        return np.sqrt(_sq_distances(Xc, Cc, _sq_norms(Xc)))

    def fit_transform(self, X, y=None):
        """``fit(X)`` and return ``transform(X)``."""
        return self.fit(X).transform(X)

    def score(self, X, y=None) -> float:
        """-J(X) = -sum_i min_k ||x^(i) - mu_k||^2 (higher is better, as in scikit-learn)."""
        return -kmeans_assign(self._check_X(X), self.cluster_centers_)[1]
