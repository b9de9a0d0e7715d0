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

Squared distances come from one matrix product, ||x - mu||^2 = ||x||^2 - 2 x^T mu + ||mu||^2
(:func:`ece544core._math.sq_distances`), on data centred by the mean of X (so that the
expansion does not cancel catastrophically for data far from the origin) and are clipped at 0.
The blocked assignment and the Lloyd loop live in :mod:`ece544core._lloyd`.
"""
from __future__ import annotations

import numpy as np

from ._history import History
from ._lloyd import CHUNK_ROWS, _assign_blocks, _centered, _cluster_sums, _lloyd, _means
from ._math import row_sq_norms, sq_distances
from ._validation import (check_array, check_is_fitted, check_n_features, check_option,
                          check_random_state, check_scalar)
from .base import BaseEstimator

__all__ = ["KMeans", "kmeans_plusplus", "kmeans_init", "kmeans_assign", "kmeans_update",
           "kmeans_cost", "CHUNK_ROWS", "INITS"]

#: The initialisations of :func:`kmeans_init` (and ``KMeans(init=...)``).
INITS = ("k-means++", "random")


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
    labels, d_min, _ = _assign_blocks(Xc, row_sq_norms(Xc), Cc)
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
    x_sq = row_sq_norms(Xc)
    n = X.shape[0]
    indices = np.empty(k, dtype=np.intp)
    indices[0] = rng.integers(n)
    closest = sq_distances(Xc, Xc[indices[:1]], X_sq=x_sq)[:, 0]  # D(x^(i))^2, (n,)
    for c in range(1, k):
        total = closest.sum()
        if total > 0:
            u = rng.random(trials) * total
            cand = np.searchsorted(np.cumsum(closest), u, side="right")
            cand = np.minimum(cand, n - 1)  # rounding in the cumulative sum
        else:  # every point coincides with a chosen centre: D^2 sampling is undefined
            cand = rng.integers(n, size=trials)
        D = np.minimum(sq_distances(Xc, Xc[cand], X_sq=x_sq), closest[:, None])  # (n, trials)
        best = int(np.argmin(D.sum(axis=0)))
        indices[c] = cand[best]
        closest = D[:, best]
    return X[indices].copy(), indices


def _check_n_clusters(n_clusters, n_samples: int) -> int:
    k = check_scalar(n_clusters, "n_clusters", kind=int, min_val=1)
    if k > n_samples:
        raise ValueError(f"n_clusters must be <= n_samples = {n_samples} (the number of "
                         f"points); got n_clusters={k}: add points or lower n_clusters")
    return k


def random_rows(n_samples: int, n_rows: int, rng: np.random.Generator) -> np.ndarray:
    """``n_rows`` distinct row indices drawn uniformly from range(n_samples) (without
    replacement): the "random" start of k-means and of EM."""
    return rng.choice(n_samples, size=n_rows, replace=False)


def kmeans_init(X, n_clusters, init="k-means++", random_state=None) -> np.ndarray:
    """The initial centres mu_1, ..., mu_K of k-means.

    "k-means++": D^2 seeding (:func:`kmeans_plusplus`, greedy with 2 + floor(ln K) trials);
    "random": K distinct rows of X drawn uniformly. With the same ``random_state`` these are
    exactly the centres ``KMeans(init=init, random_state=random_state)`` starts from.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_clusters : int, 1 <= n_clusters <= n_samples
    init : {"k-means++", "random"}
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features), rows of X
    """
    X = check_array(X, name="X")
    k = _check_n_clusters(n_clusters, X.shape[0])
    return _init_centers(X, k, check_option(init, "init", INITS),
                         check_random_state(random_state))


def _init_centers(X: np.ndarray, k: int, init: str, rng: np.random.Generator) -> np.ndarray:
    """:func:`kmeans_init` on validated arguments."""
    if init == "random":
        return X[random_rows(X.shape[0], k, rng)].copy()
    return kmeans_plusplus(X, k, random_state=rng)[0]


def _kmeans_history(start, mean, after_assign, after_update, path) -> History:
    """One record per Lloyd iteration: iteration 0 the initial centres (``start``, exactly),
    iteration t its two costs and mu^(t) (``path`` is in centred coordinates)."""
    history = History()
    history.record(iteration=0, centers=start)
    for t, (ja, ju, centers) in enumerate(zip(after_assign, after_update, path), start=1):
        history.record(iteration=t, cost_after_assign=ja, cost_after_update=ju, objective=ju,
                       centers=centers + mean)
    return history


# ------------------------------------------------------------------------------ Lloyd
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
    history_ : History
        For the best start, one record per iteration t = 0, ..., n_iter_ (columns of length
        n_iter_ + 1): "iteration" t; "centers" (n_iter_ + 1, n_clusters, n_features) the
        initial centres (t = 0) and those after the update of iteration t;
        "cost_after_assign" J after the assignment of iteration t, "cost_after_update" J after
        its update, "objective" the same J (minimised); the costs are NaN at t = 0.
        Interleaved, cost_after_assign[1] >= cost_after_update[1] >= cost_after_assign[2] ...
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
        x_sq = row_sq_norms(Xc)
        tol_abs = tol * float(np.mean(np.var(X, axis=0))) if tol > 0 else 0.0
        best = None
        for _ in range(1 if init_array is not None else n_init):
            start = init_array if init_array is not None else \
                _init_centers(X, k, self.init, rng)
            run = _lloyd(Xc, x_sq, start - mean, max_iter, tol_abs)
            if best is None or run[2] < best[2]:
                best, best_start = run, start
        centers, labels, inertia, n_iter, trace = best
        self.cluster_centers_ = centers + mean
        self.labels_, self.inertia_, self.n_iter_ = labels, inertia, n_iter
        self.history_ = _kmeans_history(best_start, mean, *trace)
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
        return np.sqrt(sq_distances(Xc, Cc))

    def fit_transform(self, X, y=None):
        """``fit(X)`` and return ``transform(X)``."""
        return self.fit(X).transform(X)

    def score(self, X, y=None) -> float:
        """-J(X) = -sum_i min_k ||x^(i) - mu_k||^2 (higher is better, as in scikit-learn)."""
        return -kmeans_assign(self._check_X(X), self.cluster_centers_)[1]
