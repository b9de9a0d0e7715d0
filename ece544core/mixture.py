"""Gaussian mixture models: p(x) = sum_k pi_k N(x | mu_k, Sigma_k), fitted by EM.

:class:`GaussianMixture` is the estimator (scikit-learn's contract and names). Its pieces live
by topic and are re-exported here: the Gaussian density and the covariance parameterisations in
:mod:`ece544core.gaussian` (:func:`log_gaussian_pdf`, :func:`gaussian_ml_fit`,
:func:`full_covariances`), the EM steps, the lower bound F(q, theta) and the textbook start
theta_0 in :mod:`ece544core.em` (:func:`gmm_e_step`, :func:`gmm_m_step`,
:func:`gmm_lower_bound`, :func:`gmm_initial_parameters`; its docstring states the
majorize-minimize argument and the effect of the reg_covar floor).
"""
from __future__ import annotations

import numpy as np

from ._history import History
from ._math import logsumexp
from ._validation import (check_array, check_is_fitted, check_n_features, check_option,
                          check_random_state, check_scalar)
from .base import BaseEstimator
from .cluster import KMeans, kmeans_plusplus, random_rows
from .em import (NK_FLOOR, _check_weights, _e_step, _log_weights, _m_step, gmm_e_step,
                 gmm_initial_parameters, gmm_lower_bound, gmm_m_step)
from .gaussian import (COVARIANCE_TYPES, _check_cov_type, _check_means, _log_pdf,
                       _precisions_to_covariances, _whitening, full_covariances,
                       gaussian_ml_fit, log_gaussian_pdf)

__all__ = ["GaussianMixture", "gaussian_ml_fit", "log_gaussian_pdf", "full_covariances",
           "gmm_e_step", "gmm_m_step", "gmm_lower_bound", "gmm_initial_parameters",
           "COVARIANCE_TYPES", "NK_FLOOR"]

INIT_PARAMS = ("kmeans", "k-means++", "random", "random_from_data")


# ------------------------------------------------------------------------------ estimator
class GaussianMixture(BaseEstimator):
    """Gaussian mixture p(x) = sum_k pi_k N(x | mu_k, Sigma_k) fitted by EM (maximum likelihood).

    Each iteration does an E-step (responsibilities r_ik, and the log-likelihood of the current
    parameters) and then an M-step. As in scikit-learn, it stops when the mean per-sample
    log-likelihood changes by less than ``tol`` between two E-steps, or after ``max_iter``
    iterations; the best of ``n_init`` starts (highest lower bound) is kept.

    Parameters
    ----------
    n_components : int, default 1
        K, with 1 <= K <= n_samples.
    covariance_type : {"full", "diag", "spherical"}
    tol : float >= 0
    reg_covar : float >= 0
        Added to the diagonal of every covariance (keeps components from collapsing).
    max_iter : int >= 1
    n_init : int >= 1
    init_params : {"kmeans", "k-means++", "random", "random_from_data"}
        Initial responsibilities, turned into parameters by one M-step: one-hot labels of
        :class:`~ece544core.cluster.KMeans` (one start), one-hot at K k-means++ seeds (other
        rows 0), uniform random rows normalised to 1, or one-hot at K random samples.
    weights_init : array-like (K,), optional
    means_init : array-like (K, d), optional
    precisions_init : array-like, optional
        Initial inverse covariances, shaped like the covariances; each one given overrides the
        value from ``init_params`` (with all three given, no initial responsibilities are
        computed at all).
    random_state : None, int or numpy.random.Generator

    Attributes
    ----------
    weights_ : ndarray (K,)
    means_ : ndarray (K, d)
    covariances_ : ndarray, (K, d, d) / (K, d) / (K,)
    precisions_cholesky_ : ndarray, same shape
        U_k with Sigma_k^{-1} = U_k U_k^T (U_k = L_k^{-T}, upper triangular, for "full";
        1 / sqrt(s_k) otherwise), scikit-learn's convention.
    precisions_ : ndarray, same shape
        Sigma_k^{-1}.
    lower_bound_ : float
        Mean per-sample log-likelihood L / N at the last E-step of the best start (as in
        scikit-learn, i.e. of the parameters before the last M-step).
    converged_ : bool
    n_iter_ : int
    history_ : History
        For the best start, one record per EM iteration t = 1, ..., n_iter_, taken at its
        E-step (so of theta_{t-1}, the parameters before the t-th M-step, as scikit-learn's
        ``lower_bounds_``): "iteration" t, "log_likelihood" the total l(theta_{t-1}) (never
        falls for reg_covar = 0; see :mod:`ece544core.em` for the floor's tiny effect),
        "objective" the same l (maximised), "lower_bound" l / N (scikit-learn's per-sample
        value, which is also EM's bound F(q, theta) / N there: the bound touches l right after
        an E-step).
    n_features_in_ : int
    """

    def __init__(self, n_components=1, covariance_type="full", tol=1e-3, reg_covar=1e-6,
                 max_iter=100, n_init=1, init_params="kmeans", weights_init=None,
                 means_init=None, precisions_init=None, random_state=None):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state

    # ---------------------------------------------------------------------- fitting
    def _check_params(self, X) -> dict:
        n, d = X.shape
        K = check_scalar(self.n_components, "n_components", kind=int, min_val=1)
        if K > n:
            raise ValueError(f"n_components must be <= n_samples = {n}; got n_components={K}")
        cov_type = _check_cov_type(self.covariance_type)
        p = dict(K=K, cov_type=cov_type,
                 tol=check_scalar(self.tol, "tol", min_val=0.0),
                 reg_covar=check_scalar(self.reg_covar, "reg_covar", min_val=0.0),
                 max_iter=check_scalar(self.max_iter, "max_iter", kind=int, min_val=1),
                 n_init=check_scalar(self.n_init, "n_init", kind=int, min_val=1),
                 init_params=check_option(self.init_params, "init_params", INIT_PARAMS))
        p["weights"] = None if self.weights_init is None else \
            _check_weights(self.weights_init, K, name="weights_init")
        p["means"] = None if self.means_init is None else \
            _check_means(self.means_init, d, name="means_init", K=K)
        p["covariances"] = None if self.precisions_init is None else \
            _precisions_to_covariances(self.precisions_init, cov_type, K, d)
        return p

    def _initial_resp(self, X, K, init_params, rng) -> np.ndarray:
        """Initial responsibilities (n, K) of ``init_params``."""
        n = X.shape[0]
        if init_params == "random":
            resp = rng.random((n, K))
            return resp / resp.sum(axis=1, keepdims=True)
        resp = np.zeros((n, K))
        if init_params == "kmeans":
            labels = KMeans(n_clusters=K, n_init=1, random_state=rng).fit(X).labels_
            resp[np.arange(n), labels] = 1.0
        else:
            if init_params == "k-means++":
                idx = kmeans_plusplus(X, K, random_state=rng)[1]
            else:  # random_from_data
                idx = random_rows(n, K, rng)
            resp[idx, np.arange(K)] = 1.0
        return resp

    def _initialize(self, X, p, rng):
        """(weights, means, covariances) of one start: one M-step on the initial
        responsibilities, overridden by weights_init / means_init / precisions_init."""
        given = (p["weights"], p["means"], p["covariances"])
        if any(v is None for v in given):
            resp = self._initial_resp(X, p["K"], p["init_params"], rng)
            start = _m_step(X, resp, p["cov_type"], p["reg_covar"])
        else:
            start = given
        return tuple(s if g is None else g for s, g in zip(start, given))

    def _em(self, X, params, p):
        """EM from ``params`` until |lower bound change| < tol or max_iter.

        Returns (params, lower_bound, converged, n_iter, History of the E-steps)."""
        n = X.shape[0]
        lower_bound, history, converged = -np.inf, History(), False
        for n_iter in range(1, p["max_iter"] + 1):
            weights, means, cov = params
            W, half_log_det = _whitening(cov, p["cov_type"])
            log_resp, log_norm = _e_step(X, _log_weights(weights), means, W, half_log_det,
                                         p["cov_type"])
            params = _m_step(X, np.exp(log_resp), p["cov_type"], p["reg_covar"])
            log_likelihood = float(log_norm.sum())
            previous, lower_bound = lower_bound, log_likelihood / n
            history.record(iteration=n_iter, log_likelihood=log_likelihood,
                           lower_bound=lower_bound, objective=log_likelihood)
            if abs(lower_bound - previous) < p["tol"]:
                converged = True
                break
        return params, lower_bound, converged, n_iter, history

    def fit(self, X, y=None):
        """EM from ``n_init`` starts; keeps the one with the highest lower bound; returns self.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        """
        X = check_array(X, name="X")
        p = self._check_params(X)
        rng = check_random_state(self.random_state)
        best = None
        for _ in range(p["n_init"]):
            run = self._em(X, self._initialize(X, p, rng), p)
            if best is None or run[1] > best[1]:
                best = run
        (self.weights_, self.means_, self.covariances_), self.lower_bound_ = best[0], best[1]
        self.converged_, self.n_iter_ = best[2], best[3]
        self.history_ = best[4]
        self._set_precisions()
        self.n_features_in_ = X.shape[1]
        return self

    def _set_precisions(self) -> None:
        W, half_log_det = _whitening(self.covariances_, self.covariance_type)
        self._whiten = (W, half_log_det)
        if self.covariance_type == "full":
            self.precisions_cholesky_ = np.swapaxes(W, 1, 2).copy()  # L^{-T}
            self.precisions_ = np.swapaxes(W, 1, 2) @ W  # L^{-T} L^{-1} = Sigma^{-1}
        else:
            self.precisions_cholesky_ = W
            self.precisions_ = W * W

    # ---------------------------------------------------------------------- prediction
    def _weighted_log_prob(self, X) -> np.ndarray:
        """log pi_k + log N(x^(i) | mu_k, Sigma_k): (n, K)."""
        check_is_fitted(self, "means_")
        X = check_array(X, name="X")
        check_n_features(X, self.n_features_in_)
        out = _log_pdf(X, self.means_, *self._whiten, self.covariance_type)
        out += _log_weights(self.weights_)
        return out

    def score_samples(self, X):
        """log p(x^(i)) = log sum_k pi_k N(x^(i) | mu_k, Sigma_k): (n_samples,)."""
        return logsumexp(self._weighted_log_prob(X), axis=1)

    def score(self, X, y=None) -> float:
        """Mean per-sample log-likelihood (1/N) sum_i log p(x^(i))."""
        return float(np.mean(self.score_samples(X)))

    def predict_proba(self, X):
        """Responsibilities r_ik = pi_k N(x^(i) | mu_k, Sigma_k) / p(x^(i)): (n_samples, K)."""
        L = self._weighted_log_prob(X)
        return np.exp(L - logsumexp(L, axis=1)[:, None])

    def predict(self, X):
        """argmax_k r_ik for every row of X (ties: lowest k): (n_samples,)."""
        return np.argmax(self._weighted_log_prob(X), axis=1)

    def fit_predict(self, X, y=None):
        """``fit(X)`` and return ``predict(X)``."""
        return self.fit(X).predict(X)

    def _n_parameters(self) -> int:
        K, d = self.means_.shape
        cov = {"full": K * d * (d + 1) // 2, "diag": K * d, "spherical": K}[self.covariance_type]
        return cov + K * d + K - 1

    def bic(self, X) -> float:
        """Bayesian information criterion -2 L + p log N (p = number of free parameters)."""
        X = check_array(X, name="X")
        return -2.0 * self.score(X) * X.shape[0] + self._n_parameters() * np.log(X.shape[0])

    def aic(self, X) -> float:
        """Akaike information criterion -2 L + 2 p (p = number of free parameters)."""
        X = check_array(X, name="X")
        return -2.0 * self.score(X) * X.shape[0] + 2.0 * self._n_parameters()
