"""Linear regression, ridge regression, polynomial features and the Gaussian-noise MLE view.

The notes write the data as a d x n matrix X (one column per sample) and derive the
regularised least-squares solution from X X^T w + C w - X Y = 0, i.e.

    w* = (X X^T + C I)^{-1} X Y.

In code (as in scikit-learn) X is n x d (one row per sample), so the same system reads
(X^T X + C I) w = X^T y. The intercept b is not penalised: X and y are centred, w is solved on
the centred data and b = ybar - xbar^T w.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations_with_replacement

import numpy as np

from ._validation import (check_array, check_is_fitted, check_n_features, check_scalar,
                          check_X_y, check_y)
from .base import BaseEstimator, RegressorMixin, r2_score

__all__ = ["LinearRegression", "Ridge", "PolynomialFeatures", "PolynomialRegression",
           "polynomial_design_matrix", "ridge_normal_matrix", "GaussianNoiseMLE",
           "gaussian_noise_mle", "gaussian_log_likelihood", "mean_squared_error", "r2_score"]

#: Rows per block when forming X_c^T X_c block by block (keeps the centred block in cache).
_BLOCK_ROWS = 4096


# ------------------------------------------------------------------------------ helpers
def _check_fit_data(X, y):
    """X (n, d) float64 and y (n,) or (n, t) float64, both named in errors."""
    return check_X_y(X, y, y_numeric=True, multi_output=True)


def _centred_normal_equations(X, y, fit_intercept):
    """Return (A, B, xbar, ybar) with A = X_c^T X_c and B = X_c^T y_c, X_c = X - xbar.

    The centred rows are formed block by block, so no centred copy of the whole of X is made.
    Without an intercept xbar = 0 and ybar = 0.
    """
    n, d = X.shape
    y2 = y.reshape(n, -1)  # (n, t)
    if not fit_intercept:
        return X.T @ X, X.T @ y2, np.zeros(d), np.zeros(y2.shape[1])
    xbar, ybar = X.mean(axis=0), y2.mean(axis=0)
    A = np.zeros((d, d))
    B = np.zeros((d, y2.shape[1]))
    for start in range(0, n, _BLOCK_ROWS):
        Xc = X[start:start + _BLOCK_ROWS] - xbar  # (b, d)
        A += Xc.T @ Xc
        B += Xc.T @ (y2[start:start + _BLOCK_ROWS] - ybar)
    return A, B, xbar, ybar


def _store_solution(est, W, xbar, ybar, y_ndim, fit_intercept):
    """Set coef_ ((d,) or (t, d)) and intercept_ (float or (t,)) from W of shape (d, t)."""
    intercept = ybar - xbar @ W if fit_intercept else np.zeros(W.shape[1])
    if y_ndim == 1:
        est.coef_, est.intercept_ = W[:, 0].copy(), float(intercept[0])
    else:
        est.coef_, est.intercept_ = W.T.copy(), intercept
    est.n_features_in_ = W.shape[0]


class _LinearPredictor(RegressorMixin, BaseEstimator):
    """Shared predict for fitted linear models: y = X w + b."""

    def predict(self, X):
        """y_hat = X w + b.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_hat : ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        check_is_fitted(self, "coef_")
        X = check_array(X, name="X")
        check_n_features(X, self.n_features_in_)
        return X @ self.coef_.T + self.intercept_


# ------------------------------------------------------------------------------ estimators
class LinearRegression(_LinearPredictor):
    """Ordinary least squares: w* = argmin_w sum_i (y^(i) - w^T x^(i) - b)^2.

    Solved with ``np.linalg.lstsq`` on centred data (the minimum-norm solution when X is rank
    deficient); then b = ybar - xbar^T w.

    Parameters
    ----------
    fit_intercept : bool, default True

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    rank_ : int
        Rank of the (centred) design matrix.
    singular_ : ndarray
        Its singular values.
    n_features_in_ : int
    """

    def __init__(self, fit_intercept=True):
        self.fit_intercept = fit_intercept

    def fit(self, X, y):
        """Fit w (and b) by least squares; returns self.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        """
        X, y = _check_fit_data(X, y)
        y2 = y.reshape(len(y), -1)  # (n, t)
        if self.fit_intercept:
            xbar, ybar = X.mean(axis=0), y2.mean(axis=0)
            W, _, rank, sv = np.linalg.lstsq(X - xbar, y2 - ybar, rcond=None)
        else:
            xbar, ybar = np.zeros(X.shape[1]), np.zeros(y2.shape[1])
            W, _, rank, sv = np.linalg.lstsq(X, y2, rcond=None)
        self.rank_, self.singular_ = int(rank), sv
        _store_solution(self, W, xbar, ybar, y.ndim, self.fit_intercept)
        return self


class Ridge(_LinearPredictor):
    """Regularised least squares: w* = argmin_w sum_i (y^(i) - w^T x^(i) - b)^2 + C ||w||^2.

    Setting the gradient to zero gives the notes' X X^T w + C w - X Y = 0 (X as d x n), i.e.
    w* = (X X^T + C I)^{-1} X Y; with X as n x d rows here, (X_c^T X_c + C I) w = X_c^T y_c,
    solved with ``np.linalg.solve`` (never an explicit inverse). The intercept is not
    penalised: b = ybar - xbar^T w.

    Parameters
    ----------
    C : float > 0, default 1.0
        Regularisation strength; equal to scikit-learn's ``alpha``.
    fit_intercept : bool, default True

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    """

    def __init__(self, C=1.0, fit_intercept=True):
        self.C = C
        self.fit_intercept = fit_intercept

    def fit(self, X, y):
        """Solve (X_c^T X_c + C I) w = X_c^T y_c; returns self.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        """
        C = check_scalar(self.C, "C", min_val=0, include_min=False)
        X, y = _check_fit_data(X, y)
        A, B, xbar, ybar = _centred_normal_equations(X, y, self.fit_intercept)
        A.flat[:: A.shape[0] + 1] += C  # A + C I, in place on the diagonal
        W = np.linalg.solve(A, B)  # (d, t)
        _store_solution(self, W, xbar, ybar, y.ndim, self.fit_intercept)
        return self


class PolynomialFeatures(BaseEstimator):
    """Monomials up to ``degree``: phi(x) = (1, x_1, ..., x_d, x_1^2, x_1 x_2, ..., x_d^degree).

    Column order as in scikit-learn: the bias, then for each degree 1, 2, ... the products
    x_{j1} x_{j2} ... x_{jp} with j1 <= j2 <= ... <= jp in lexicographic order
    (``itertools.combinations_with_replacement``). A 1-D input x of shape (n,) is taken as one
    feature, giving the notes' 1-D basis (1, x, x^2, ..., x^degree).

    Parameters
    ----------
    degree : int >= 0, default 2
    include_bias : bool, default True

    Attributes
    ----------
    powers_ : ndarray of shape (n_output_features_, n_features_in_)
        Exponent of each input feature in each output column.
    n_features_in_ : int
    n_output_features_ : int
    """

    def __init__(self, degree=2, include_bias=True):
        self.degree = degree
        self.include_bias = include_bias

    def _combinations(self, n_features):
        start = 0 if self.include_bias else 1
        for p in range(start, self.degree + 1):
            yield from combinations_with_replacement(range(n_features), p)

    def fit(self, X, y=None):
        """Record the number of input features and the output monomials; returns self."""
        degree = check_scalar(self.degree, "degree", kind=int, min_val=0)
        if degree == 0 and not self.include_bias:
            raise ValueError("degree=0 with include_bias=False produces no features; "
                             "use degree >= 1 or include_bias=True")
        X = check_array(X, name="X", allow_1d=True)
        d = X.shape[1]
        self._combos = list(self._combinations(d))
        powers = np.zeros((len(self._combos), d), dtype=np.int64)
        for row, combo in enumerate(self._combos):
            np.add.at(powers[row], list(combo), 1)
        self.powers_ = powers
        self.n_features_in_ = d
        self.n_output_features_ = len(self._combos)
        return self

    def transform(self, X):
        """phi(X): each output column is a product of input columns, built incrementally
        (x_1 x_2 x_3 = (x_1 x_2) x_3) from the column of its prefix.

        Returns
        -------
        ndarray of shape (n_samples, n_output_features_)
        """
        check_is_fitted(self, "powers_")
        X = check_array(X, name="X", allow_1d=True)
        check_n_features(X, self.n_features_in_)
        out = np.empty((X.shape[0], self.n_output_features_))
        column_of = {}
        for j, combo in enumerate(self._combos):
            if len(combo) == 0:
                out[:, j] = 1.0
            elif len(combo) == 1:
                out[:, j] = X[:, combo[0]]
            else:
                np.multiply(out[:, column_of[combo[:-1]]], X[:, combo[-1]], out=out[:, j])
            column_of[combo] = j
        return out

    def fit_transform(self, X, y=None):
        """``fit(X).transform(X)``."""
        return self.fit(X).transform(X)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns, e.g. ``['1', 'x0', 'x1', 'x0^2', 'x0 x1', 'x1^2']``."""
        check_is_fitted(self, "powers_")
        names = (list(input_features) if input_features is not None
                 else [f"x{j}" for j in range(self.n_features_in_)])
        if len(names) != self.n_features_in_:
            raise ValueError(f"input_features must have {self.n_features_in_} names; "
                             f"got {len(names)}")
        out = []
        for row in self.powers_:
            terms = [names[j] if p == 1 else f"{names[j]}^{p}" for j, p in enumerate(row) if p]
            out.append(" ".join(terms) if terms else "1")
        return np.asarray(out, dtype=object)


# ------------------------------------------------------------------------------ 1-D polynomials
def polynomial_design_matrix(x, degree) -> np.ndarray:
    """Rows phi(x^(i)) = (1, x^(i), ..., (x^(i))^degree): the transpose of the notes' d x N X.

    Parameters
    ----------
    x : array-like of shape (n,)
    degree : int >= 0

    Returns
    -------
    ndarray of shape (n, degree + 1)
    """
    degree = check_scalar(degree, "degree", kind=int, min_val=0)
    x = check_y(x, name="x", numeric=True)
    return np.vander(x, degree + 1, increasing=True)


def ridge_normal_matrix(Phi, C) -> np.ndarray:
    """The notes' X X^T + C I~ for the design matrix ``Phi`` (n, p) = X^T, whose first column is
    the bias: I~ = diag(0, 1, ..., 1), so the bias is not penalised (C = 0: least squares)."""
    Phi = check_array(Phi, name="Phi")
    C = check_scalar(C, "C", min_val=0.0)
    A = Phi.T @ Phi
    A[np.arange(1, A.shape[0]), np.arange(1, A.shape[0])] += C
    return A


class PolynomialRegression(RegressorMixin, BaseEstimator):
    """yhat = w^T phi(x), phi(x) = (1, x, ..., x^degree), for 1-D x:
    w* = argmin_w sum_i (y^(i) - w^T phi(x^(i)))^2 + C sum_{j >= 1} w_j^2.

    :class:`PolynomialFeatures` (x, ..., x^degree) followed by :class:`Ridge` (C > 0) or
    :class:`LinearRegression` (C = 0); the bias w_0 is the unpenalised intercept, so w* solves
    the notes' (X X^T + C I~) w = X Y with I~ = diag(0, 1, ..., 1).

    Parameters
    ----------
    degree : int >= 0
    C : float >= 0
        0 means ordinary least squares.

    Attributes
    ----------
    coef_ : ndarray of shape (degree + 1,)
        (w_0, w_1, ..., w_degree).
    normal_matrix_ : ndarray of shape (degree + 1, degree + 1)
        X X^T + C I~ (:func:`ridge_normal_matrix` of the training design matrix).
    """

    def __init__(self, degree=3, C=0.0):
        self.degree = degree
        self.C = C

    def fit(self, x, y):
        """Fit w on 1-D x (n,) and y (n,); returns self."""
        degree = check_scalar(self.degree, "degree", kind=int, min_val=0)
        C = check_scalar(self.C, "C", min_val=0.0)
        x = check_y(x, name="x", numeric=True)
        self._features = PolynomialFeatures(degree, include_bias=False) if degree else None
        self._model = Ridge(C=C) if C > 0 else LinearRegression()
        self._model.fit(self._phi(x), y)
        coef = np.ravel(self._model.coef_)[:degree]
        self.coef_ = np.concatenate([[float(self._model.intercept_)], coef])
        self.normal_matrix_ = ridge_normal_matrix(polynomial_design_matrix(x, degree), C)
        return self

    def _phi(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64).reshape(-1, 1)
        if self._features is None:  # degree 0: only the (unpenalised) bias
            return np.zeros((len(x), 1))
        return self._features.fit_transform(x)

    def predict(self, x):
        """yhat = w^T phi(x) for 1-D x: shape (n,)."""
        check_is_fitted(self, "coef_")
        return self._model.predict(self._phi(check_y(x, name="x", numeric=True)))


# ------------------------------------------------------------------------------ MLE view
def _check_pair(y, y_pred):
    y = check_y(y, name="y", numeric=True, multi_output=True)
    y_pred = check_y(y_pred, name="y_pred", numeric=True, multi_output=True)
    if y.shape != y_pred.shape:
        raise ValueError(f"y and y_pred must have the same shape; got {y.shape} "
                         f"and {y_pred.shape}")
    return y, y_pred


def mean_squared_error(y, y_pred) -> float:
    """MSE = (1/n) sum_i (y^(i) - yhat^(i))^2 (averaged over all entries for 2-D targets)."""
    y, y_pred = _check_pair(y, y_pred)
    return float(np.mean((y - y_pred) ** 2))


def gaussian_log_likelihood(y, y_pred, sigma2) -> float:
    """log p(D) = sum_i log N(y^(i) | yhat^(i), sigma^2)
    = -n/2 log(2 pi sigma^2) - sum_i (y^(i) - yhat^(i))^2 / (2 sigma^2)."""
    y, y_pred = _check_pair(y, y_pred)
    sigma2 = check_scalar(sigma2, "sigma2", min_val=0.0, include_min=False)
    r = (y - y_pred).ravel()
    return float(np.sum(-0.5 * np.log(2 * np.pi * sigma2) - r**2 / (2 * sigma2)))


@dataclass(frozen=True, eq=False)
class GaussianNoiseMLE:
    """Maximum-likelihood view of least squares under y^(i) = yhat^(i) + eps, eps ~ N(0, sigma^2).

    Attributes
    ----------
    sigma2 : float
        The ML noise variance RSS / n (the biased estimate: divides by n, not n - p).
    log_likelihood : float
        sum_i log N(y^(i) | yhat^(i), sigma2) = -n/2 log(2 pi sigma2) - RSS / (2 sigma2)
        (= -n/2 log(2 pi sigma2) - n/2 at the ML sigma2).
    densities : ndarray of shape (n,)
        N(y^(i) | yhat^(i), sigma2) for each sample. The samples are i.i.d., so the joint
        density of the data set is their product, exp(log_likelihood).
    """

    sigma2: float
    log_likelihood: float
    densities: np.ndarray

    @property
    def n_samples(self) -> int:
        """n."""
        return int(self.densities.shape[0])

    @property
    def rss(self) -> float:
        """Residual sum of squares, n sigma2."""
        return self.sigma2 * self.n_samples


def gaussian_noise_mle(y, y_pred) -> GaussianNoiseMLE:
    """Fit the noise of y = yhat + eps, eps ~ N(0, sigma^2) i.i.d., by maximum likelihood.

    sigma2 = RSS / n with RSS = sum_i (y^(i) - yhat^(i))^2; the joint likelihood is the product
    of the per-sample densities N(y^(i) | yhat^(i), sigma2). Because log p(D) depends on w only
    through -RSS / (2 sigma2), the least-squares w also maximises the likelihood.

    Parameters
    ----------
    y, y_pred : array-like of shape (n,)

    Returns
    -------
    GaussianNoiseMLE
        A perfect fit (RSS = 0) gives sigma2 = 0 and infinite densities and log-likelihood: the
        likelihood is unbounded there.
    """
    y = check_y(y, name="y", numeric=True)
    y_pred = check_y(y_pred, name="y_pred", numeric=True)
    if y.shape != y_pred.shape:
        raise ValueError(f"y and y_pred must have the same shape; got {y.shape} "
                         f"and {y_pred.shape}")
    r2 = (y - y_pred) ** 2
    n = r2.shape[0]
    sigma2 = float(r2.sum() / n)
    if sigma2 == 0.0:
        dens, log_lik = np.full(n, np.inf), float("inf")
    else:
        log_dens = -0.5 * np.log(2 * np.pi * sigma2) - r2 / (2 * sigma2)
        dens, log_lik = np.exp(log_dens), float(log_dens.sum())
    dens.setflags(write=False)  # the result is frozen, its array too
    return GaussianNoiseMLE(sigma2=sigma2, log_likelihood=log_lik, densities=dens)
