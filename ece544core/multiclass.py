"""Multiclass classification from the notes: one-vs-rest, one-vs-one and the multiclass SVM.

* :class:`OneVsRestClassifier` -- K binary models "class k vs the rest"; predict the class with
  the largest score. ``ambiguity(X)`` counts how many binary models claim each point (score > 0):
  0 means "no class wins", > 1 means "more than one good answer" (the notes' caveat).
* :class:`OneVsOneClassifier` -- K(K-1)/2 binary models, one per pair; each casts a vote and the
  class with most votes wins. Ties are broken by the summed confidences squashed into (-1/3, 1/3)
  (the same rule as scikit-learn's OvO ``decision_function``). ``tie_mask(X)`` marks the points
  where the top vote count is shared (the non-transitive regions).
* :class:`MulticlassSVM` -- the Crammer-Singer SVM, the epsilon -> 0 limit of the notes'
  structured objective with task loss Delta(y, y') = [y != y']:

      min_W  C/2 sum_k ||w_k||^2 + sum_i max_y (Delta(y_i, y) + w_y^T x_i - w_{y_i}^T x_i)

  on features x = [x, 1] (the bias is the last column of w_k and is regularised too), solved by
  exact block-coordinate ascent on the dual (one sample per block), which gives a duality gap
  to stop on.
"""
from __future__ import annotations

import warnings

import numpy as np

from ._validation import (check_array, check_is_fitted, check_n_features, check_random_state,
                          check_scalar, check_X_y)
from .base import BaseEstimator, ClassifierMixin, clone

__all__ = ["OneVsRestClassifier", "OneVsOneClassifier", "MulticlassSVM"]


def _check_estimator(estimator):
    """The wrapped binary model must be a BaseEstimator with fit and decision_function."""
    for attr in ("fit", "decision_function", "get_params"):
        if not callable(getattr(estimator, attr, None)):
            raise ValueError(f"estimator must be an estimator with fit, decision_function and "
                             f"get_params methods; got {estimator!r} without {attr!r}")
    return estimator


def _project_simplex(v):
    """Euclidean projection of v onto {b : b >= 0, sum b = 1} (sort and threshold)."""
    u = np.sort(v)[::-1]
    css = np.cumsum(u) - 1.0
    k = np.arange(1, v.size + 1)
    rho = np.nonzero(u - css / k > 0)[0][-1]
    return np.maximum(v - css[rho] / (rho + 1.0), 0.0)


def _classes(y):
    classes, idx = np.unique(y, return_inverse=True)
    if classes.size < 2:
        raise ValueError(f"y must contain at least two classes; got {classes.size} class(es): "
                         f"{classes.tolist()}")
    return classes, idx.reshape(-1)


class _MetaBase(ClassifierMixin, BaseEstimator):
    def __init__(self, estimator):
        self.estimator = estimator

    def _check_X(self, X):
        check_is_fitted(self, "estimators_")
        X = check_array(X)
        check_n_features(X, self.n_features_in_)
        return X

    def predict(self, X):
        """classes_[argmax_k decision_function(X)[:, k]]."""
        scores = self.decision_function(X)
        return self.classes_[np.argmax(scores, axis=1)]


class OneVsRestClassifier(_MetaBase):
    """K binary classifiers f_k (class k coded 1, the rest 0); predict argmax_k f_k(x).

    Unlike scikit-learn, two classes also give two models (so the ambiguity map is defined).

    Attributes
    ----------
    estimators_ : list of K fitted clones of ``estimator``
    classes_ : ndarray (K,)
    n_features_in_ : int
    """

    def fit(self, X, y):
        """Fit one clone of ``estimator`` per class on (X, [y == classes_[k]]); returns self."""
        _check_estimator(self.estimator)
        X, y = check_X_y(X, y, dtype=np.float64)
        self.classes_, idx = _classes(y)
        self.estimators_ = [clone(self.estimator).fit(X, (idx == k).astype(int))
                            for k in range(self.classes_.size)]
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X):
        """Scores f_k(x) of each binary model (> 0: "x is class k"): shape (n, K)."""
        X = self._check_X(X)
        return np.column_stack([np.asarray(e.decision_function(X), dtype=float).reshape(-1)
                                for e in self.estimators_])

    def region_votes(self, X):
        """Boolean (n, K): which binary models claim each point (f_k(x) > 0)."""
        return self.decision_function(X) > 0

    def ambiguity(self, X):
        """Number of classes claiming each point, shape (n,): 0 = no class wins, 1 = clear,
        > 1 = ambiguous."""
        return self.region_votes(X).sum(axis=1)


class OneVsOneClassifier(_MetaBase):
    """K(K-1)/2 binary classifiers, one per pair (i < j), trained on the points of classes i and
    j only (class j is the positive one); every model votes; predict the class with most votes.

    Attributes
    ----------
    estimators_ : list of fitted clones, in the order of ``pairs_``
    pairs_ : ndarray (K(K-1)/2, 2) of class indices (i, j), i < j
    classes_ : ndarray (K,)
    n_features_in_ : int
    """

    def fit(self, X, y):
        """Fit one clone per pair of classes on that pair's samples; returns self."""
        _check_estimator(self.estimator)
        X, y = check_X_y(X, y, dtype=np.float64)
        self.classes_, idx = _classes(y)
        K = self.classes_.size
        self.pairs_ = np.array([(i, j) for i in range(K) for j in range(i + 1, K)], dtype=int)
        self.estimators_ = []
        for i, j in self.pairs_:
            mask = (idx == i) | (idx == j)
            self.estimators_.append(clone(self.estimator).fit(X[mask],
                                                              (idx[mask] == j).astype(int)))
        self.n_features_in_ = X.shape[1]
        return self

    def _votes_conf(self, X):
        X = self._check_X(X)
        n, K = X.shape[0], self.classes_.size
        votes, conf = np.zeros((n, K)), np.zeros((n, K))
        for (i, j), est in zip(self.pairs_, self.estimators_):
            f = np.asarray(est.decision_function(X), dtype=float).reshape(-1)
            wins_j = np.asarray(est.predict(X)).reshape(-1) == 1
            votes[:, j] += wins_j
            votes[:, i] += ~wins_j
            conf[:, j] += f
            conf[:, i] -= f
        return votes, conf

    def votes(self, X):
        """Vote counts per class, shape (n, K); each row sums to K(K-1)/2."""
        return self._votes_conf(X)[0]

    def decision_function(self, X):
        """votes + s / (3 (|s| + 1)), s the summed confidences per class: shape (n, K).

        The second term lies in (-1/3, 1/3), so it only breaks ties between equal vote counts.
        """
        votes, conf = self._votes_conf(X)
        return votes + conf / (3.0 * (np.abs(conf) + 1.0))

    def tie_mask(self, X):
        """Boolean (n,): True where two or more classes share the top vote count."""
        v = self.votes(X)
        return (v == v.max(axis=1, keepdims=True)).sum(axis=1) > 1


class MulticlassSVM(ClassifierMixin, BaseEstimator):
    """Crammer-Singer multiclass SVM (linear, with a regularised bias column):

        J(W) = C/2 sum_k ||w_k||^2 + sum_i max_y ([y != y_i] + w_y^T x_i - w_{y_i}^T x_i).

    Solver: exact block-coordinate ascent on the dual
    max_beta sum_i (1 - beta_{i, y_i}) - C/2 ||W(beta)||^2, W(beta) = (1/C) sum_i (e_{y_i} -
    beta_i) x_i^T, beta_i in the probability simplex. One sample at a time (random order), the
    block's concave quadratic is maximised exactly: beta_i <- proj_simplex(beta_i + C (W x_i -
    e_{y_i}) / ||x_i||^2). Stops when the duality gap J(W) - D(beta) <= tol * J(W).

    Parameters
    ----------
    C : float > 0
    max_iter : int >= 1
        Maximum number of epochs (passes over the data).
    tol : float > 0
        Relative duality gap to stop at (a RuntimeWarning is issued if max_iter is reached).
        Convergence is much faster on standardised features.
    random_state : None, int or Generator
        Order of the samples in each epoch.

    Attributes
    ----------
    coef_ : ndarray (K, d)
    intercept_ : ndarray (K,)
    classes_ : ndarray (K,)
    dual_coef_ : ndarray (n, K)
        beta.
    history_ : dict of lists
        Per epoch (the first entry is the start W = 0): ``objective`` J(W) (not guaranteed
        monotone), ``dual_objective`` D(beta) (non-decreasing) and ``gap`` = J - D >= 0.
    n_iter_ : int
    converged_ : bool
    """

    def __init__(self, C=1.0, max_iter=1000, tol=1e-6, random_state=0):
        self.C = C
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _check_params(self):
        C = check_scalar(self.C, "C", kind=float, min_val=0.0, include_min=False)
        if not np.isfinite(C):
            raise ValueError(f"C must be a finite positive number; got {C!r}")
        max_iter = check_scalar(self.max_iter, "max_iter", kind=int, min_val=1)
        tol = check_scalar(self.tol, "tol", kind=float, min_val=0.0, include_min=False)
        return C, max_iter, tol

    @staticmethod
    def _augment(X):
        return np.hstack([X, np.ones((X.shape[0], 1))])

    @staticmethod
    def _primal(W, Xa, idx, C):
        S = Xa @ W.T  # (n, K)
        n = S.shape[0]
        aug = S + 1.0 - S[np.arange(n), idx][:, None]
        aug[np.arange(n), idx] = 0.0
        return 0.5 * C * float(np.sum(W * W)) + float(aug.max(axis=1).sum())

    def fit(self, X, y):
        """Run dual block-coordinate ascent from beta_i = e_{y_i} (W = 0); returns self."""
        C, max_iter, tol = self._check_params()
        X, y = check_X_y(X, y, dtype=np.float64)
        self.classes_, idx = _classes(y)
        rng = check_random_state(self.random_state)
        Xa = self._augment(X)
        n, D = Xa.shape
        K = self.classes_.size
        beta = np.zeros((n, K))
        beta[np.arange(n), idx] = 1.0
        W = np.zeros((K, D))
        sq = np.einsum("ij,ij->i", Xa, Xa)
        hist = {"objective": [], "dual_objective": [], "gap": []}

        def record():
            p = self._primal(W, Xa, idx, C)
            d = float(n - beta[np.arange(n), idx].sum()) - 0.5 * C * float(np.sum(W * W))
            hist["objective"].append(p)
            hist["dual_objective"].append(d)
            hist["gap"].append(p - d)
            return p, d

        p, d = record()
        converged, epoch = False, 0
        for epoch in range(1, max_iter + 1):
            for i in rng.permutation(n):
                x, yi = Xa[i], idx[i]
                g = W @ x  # gradient of D in beta_i is s - e_{y_i}
                g[yi] -= 1.0
                q = sq[i] / C
                new = _project_simplex(beta[i] + g / q)
                delta = new - beta[i]
                W -= np.outer(delta, x) / C
                beta[i] = new
            p, d = record()
            if p - d <= tol * max(abs(p), 1e-12):
                converged = True
                break
        if not converged:
            warnings.warn(f"MulticlassSVM: stopped after max_iter={max_iter} epochs with relative "
                          f"duality gap {(p - d) / max(abs(p), 1e-12):.3g} > tol={tol:g}; "
                          f"standardising the features speeds convergence up",
                          RuntimeWarning, stacklevel=2)
        self.coef_, self.intercept_ = W[:, :-1].copy(), W[:, -1].copy()
        self.dual_coef_, self.history_ = beta, hist
        self.n_iter_, self.converged_ = epoch, converged
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X):
        """Scores w_k^T x + b_k: shape (n, K)."""
        check_is_fitted(self, "coef_")
        X = check_array(X)
        check_n_features(X, self.n_features_in_)
        return X @ self.coef_.T + self.intercept_

    def predict(self, X):
        """classes_[argmax_k (w_k^T x + b_k)]."""
        scores = self.decision_function(X)
        return self.classes_[np.argmax(scores, axis=1)]

    def objective(self, X, y, coef=None, intercept=None) -> float:
        """J(W) on (X, y) at the fitted (or the given) coef/intercept."""
        check_is_fitted(self, "coef_")
        C = self._check_params()[0]
        X, y = check_X_y(X, y, dtype=np.float64)
        check_n_features(X, self.n_features_in_)
        idx = np.searchsorted(self.classes_, y)
        idx = np.clip(idx, 0, self.classes_.size - 1)
        if np.any(self.classes_[idx] != y):
            raise ValueError(f"y contains labels the model was not fitted with; classes_ are "
                             f"{self.classes_.tolist()}")
        coef = self.coef_ if coef is None else np.asarray(coef, dtype=float)
        intercept = self.intercept_ if intercept is None else np.asarray(intercept, dtype=float)
        W = np.hstack([coef, intercept[:, None]])
        return self._primal(W, self._augment(X), idx, C)
