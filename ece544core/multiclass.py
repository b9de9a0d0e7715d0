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
  Newton's method on the temperature-smoothed objective for decreasing eps, finished by an exact
  active-set solve, or by the textbook block-coordinate ascent on the dual; both stop on the
  duality gap. Its loss, objectives and solvers: :mod:`ece544core.crammer_singer`.
"""
from __future__ import annotations

import warnings

import numpy as np

from ._validation import (check_array, check_is_fitted, check_n_features, check_random_state,
                          check_scalar, check_X_y)
from .base import BaseEstimator, ClassifierMixin, clone
from .crammer_singer import (EPS_FLOOR, crammer_singer_loss, dual_bca, newton_path,
                             primal_objective)

__all__ = ["OneVsRestClassifier", "OneVsOneClassifier", "MulticlassSVM", "crammer_singer_loss",
           "EPS_FLOOR"]
#: solver="auto" uses Newton up to this many weights K (d + 1) (its system is that size squared).
NEWTON_MAX_WEIGHTS = 400


def _check_estimator(estimator):
    """The wrapped binary model must be a BaseEstimator with fit and decision_function."""
    for attr in ("fit", "decision_function", "get_params"):
        if not callable(getattr(estimator, attr, None)):
            raise ValueError(f"estimator must be an estimator with fit, decision_function and "
                             f"get_params methods; got {estimator!r} without {attr!r}")
    return estimator


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

        J(W) = C/2 sum_k ||w_k||^2 + sum_i max_y ([y != y_i] + w_y^T x_i - w_{y_i}^T x_i)

    on x = [x, 1]; C_notes = 1 / C_sklearn (scikit-learn's
    ``LinearSVC(multi_class="crammer_singer", C=1/C, intercept_scaling=1)`` solves the same
    problem). Its dual is max_beta D(beta) = sum_i (1 - beta_{i, y_i}) - C/2 ||W(beta)||^2 with
    W(beta) = (1/C) sum_i (e_{y_i} - beta_i) x_i^T and every beta_i in the probability simplex;
    both solvers stop when the duality gap J(W) - D(beta) <= tol * J(W) (scale-free). The
    objectives, the loss and the solvers live in :mod:`ece544core.crammer_singer`.

    Solvers
    -------
    ``"auto"`` (default): "newton" when the K (d+1) weights are at most ``NEWTON_MAX_WEIGHTS``,
    else "bca".
    ``"newton"``: the notes' temperature path (``crammer_singer.newton_path``). For eps > 0 the
    max is replaced by eps ln sum_y exp((Delta + w_y^T x_i - w_{y_i}^T x_i) / eps) (the
    temperature loss), a smooth problem in the K (d+1) weights that Newton's method solves in a
    few steps; beta_i = softmax(.../eps) is a dual feasible point whose gap is at most
    n eps ln K. eps starts at 1 and shrinks until the gap is below tolerance; at each stage the
    near-maximal classes of every sample are taken as a guess of the eps = 0 active sets, on
    which the KKT conditions are linear (``crammer_singer.active_set_solve``); the exact
    solution found so is accepted when its duality gap is below tolerance
    (``history_["eps"]`` then ends in 0). Each step solves a K (d+1) square system: meant for
    small d (the demos' 2-D data), not for images.
    ``"bca"``: exact block-coordinate ascent on the dual (``crammer_singer.dual_bca``), one
    sample per block in random order, beta_i <- proj_simplex(beta_i + C (W x_i - e_{y_i}) /
    ||x_i||^2) (a Python loop over the samples: slow, and much slower still on unscaled
    features; kept as the textbook method).

    Parameters
    ----------
    C : float > 0
    solver : {"auto", "newton", "bca"}
    max_iter : int >= 1
        Maximum number of Newton steps ("newton") or epochs, passes over the data ("bca").
    tol : float > 0
        Relative duality gap to stop at (a RuntimeWarning is issued if max_iter is reached).
    random_state : None, int or Generator
        Order of the samples in each epoch ("bca" only).

    Attributes
    ----------
    coef_ : ndarray (K, d)
    intercept_ : ndarray (K,)
    classes_ : ndarray (K,)
    dual_coef_ : ndarray (n, K)
        beta.
    history_ : History
        One record per Newton step / epoch (the first is the start W = 0): ``iteration``,
        ``objective`` J(W) (minimised; not guaranteed monotone), ``dual_objective`` (the best
        dual value D(beta) found so far: a lower bound on the optimum, non-decreasing),
        ``gap`` = objective - dual_objective >= 0 and, for "newton", ``eps`` (the temperature
        of the step; 0 marks the exact active-set solve).
    n_iter_ : int
    converged_ : bool
    solver_ : str
        The solver used ("newton" or "bca").
    """

    def __init__(self, C=1.0, solver="auto", max_iter=1000, tol=1e-6, random_state=0):
        self.C = C
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _check_params(self):
        C = check_scalar(self.C, "C", kind=float, min_val=0.0, include_min=False)
        if not np.isfinite(C):
            raise ValueError(f"C must be a finite positive number; got {C!r}")
        max_iter = check_scalar(self.max_iter, "max_iter", kind=int, min_val=1)
        tol = check_scalar(self.tol, "tol", kind=float, min_val=0.0, include_min=False)
        if self.solver not in ("auto", "newton", "bca"):
            raise ValueError(f"solver must be 'auto', 'newton' or 'bca'; got {self.solver!r}")
        check_random_state(self.random_state)  # validated for both solvers
        return C, max_iter, tol

    @staticmethod
    def _augment(X):
        return np.hstack([X, np.ones((X.shape[0], 1))])

    def fit(self, X, y):
        """Solve the Crammer-Singer problem from W = 0 with ``solver``; returns self."""
        C, max_iter, tol = self._check_params()
        X, y = check_X_y(X, y, dtype=np.float64)
        self.classes_, idx = _classes(y)
        K = self.classes_.size
        Xa, D = self._augment(X), 1.0 - np.eye(K)
        solver = self.solver
        if solver == "auto":
            solver = "newton" if K * Xa.shape[1] <= NEWTON_MAX_WEIGHTS else "bca"
        self.solver_ = solver
        if solver == "newton":
            W, beta, hist, n_iter, converged = newton_path(Xa, idx, D, C, max_iter, tol)
        else:
            W, beta, hist, n_iter, converged = dual_bca(
                Xa, idx, D, C, np.eye(K)[idx], max_iter, tol, relative=True, shuffle=True,
                random_state=self.random_state)
        if not converged:
            p, gap = hist.last("objective"), hist.last("gap")
            unit = "Newton steps" if solver == "newton" else "epochs"
            warnings.warn(f"MulticlassSVM: stopped after {n_iter} {unit} (max_iter={max_iter}) with "
                          f"relative duality gap {gap / max(abs(p), 1e-12):.3g} > "
                          f"tol={tol:g}", RuntimeWarning, stacklevel=2)
        self.coef_, self.intercept_ = W[:, :-1].copy(), W[:, -1].copy()
        self.dual_coef_, self.history_ = beta, hist
        self.n_iter_, self.converged_ = n_iter, converged
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

    def _index(self, y):
        """Class indices of the labels y (ValueError for a label not seen in fit)."""
        idx = np.clip(np.searchsorted(self.classes_, y), 0, self.classes_.size - 1)
        if np.any(self.classes_[idx] != y):
            raise ValueError(f"y contains labels the model was not fitted with; classes_ are "
                             f"{self.classes_.tolist()}")
        return idx

    def losses(self, X, y):
        """The Crammer-Singer loss of every sample at the fitted W, shape (n,):
        max_y ([y != y_i] + w_y^T x_i - w_{y_i}^T x_i) >= 0 (``crammer_singer_loss``); > 0
        means the margin is violated, >= 1 that x_i is misclassified or tied."""
        check_is_fitted(self, "coef_")
        X, y = check_X_y(X, y, dtype=np.float64)
        return crammer_singer_loss(self.decision_function(X), self._index(y))

    def objective(self, X, y, coef=None, intercept=None) -> float:
        """J(W) on (X, y) at the fitted (or the given) coef/intercept."""
        check_is_fitted(self, "coef_")
        C = self._check_params()[0]
        X, y = check_X_y(X, y, dtype=np.float64)
        check_n_features(X, self.n_features_in_)
        idx = self._index(y)
        coef = self.coef_ if coef is None else np.asarray(coef, dtype=float)
        intercept = self.intercept_ if intercept is None else np.asarray(intercept, dtype=float)
        W = np.hstack([coef, intercept[:, None]])
        return primal_objective(W, self._augment(X), idx, 1.0 - np.eye(self.classes_.size), C)
