"""EM for a Gaussian mixture p(x) = sum_k pi_k N(x | mu_k, Sigma_k), one step at a time.

EM maximises the log-likelihood l(theta) = sum_i log sum_k pi_k N(x^(i) | mu_k, Sigma_k) by
alternating

* **E-step** (:func:`gmm_e_step`): responsibilities
  r_ik = pi_k N(x^(i) | mu_k, Sigma_k) / sum_j pi_j N(x^(i) | mu_j, Sigma_j), computed in the
  log domain (log-sum-exp), so that far-away points never give 0 / 0;
* **M-step** (:func:`gmm_m_step`): with N_k = sum_i r_ik,
  pi_k = N_k / N, mu_k = sum_i r_ik x^(i) / N_k,
  Sigma_k = sum_i r_ik (x^(i) - mu_k)(x^(i) - mu_k)^T / N_k (+ reg_covar I).

This is a majorize-minimize scheme. For any responsibilities q (rows on the simplex), Jensen's
inequality gives the lower bound (:func:`gmm_lower_bound`)

    l(theta) >= F(q, theta) = sum_i sum_k q_ik log(pi_k N(x^(i) | mu_k, Sigma_k) / q_ik),

with l(theta) - F(q, theta) = sum_i KL(q_i || r_i(theta)) >= 0. The E-step sets q = r(theta),
so that the bound touches l; the M-step maximises F(q, .) over theta, so l never falls:
l(theta_{t+1}) >= F(q_t, theta_{t+1}) >= F(q_t, theta_t) = l(theta_t). That holds exactly for
reg_covar = 0. The reg_covar floor (scikit-learn's, default 1e-6), which keeps a component from
collapsing onto a single point where l is unbounded, makes the M-step a slightly perturbed
maximiser: l can then dip by a tiny amount near convergence (about reg_covar / the smallest
variance, relative; 1e-7 on a 12-point set with a component of variance 1e-2 is the worst seen).

:func:`gmm_initial_parameters` is the textbook start theta_0 (equal weights, K data points as
means, one shared spherical covariance). The estimator is :class:`ece544core.mixture.GaussianMixture`.
"""
from __future__ import annotations

import numpy as np

from ._math import logsumexp
from ._validation import check_array, check_random_state, check_scalar
from .cluster import random_rows
from .gaussian import (_check_cov_type, _check_covariances, _check_means, _log_pdf,
                       _whitening, log_gaussian_pdf)

__all__ = ["gmm_e_step", "gmm_m_step", "gmm_lower_bound", "gmm_initial_parameters"]

#: Added to every N_k = sum_i r_ik, so that an empty component never divides 0 by 0.
NK_FLOOR = 10 * np.finfo(np.float64).eps


# ------------------------------------------------------------------------------ validation
def _check_weights(weights, K: int, name: str = "weights") -> np.ndarray:
    w = check_array(weights, name=name, ensure_2d=False)
    if w.shape != (K,):
        raise ValueError(f"{name} must have shape (n_components,) = ({K},); got shape {w.shape}")
    if np.any(w < 0) or abs(w.sum() - 1.0) > 1e-6:
        raise ValueError(f"{name} must be non-negative and sum to 1; got values in "
                         f"[{w.min():.4g}, {w.max():.4g}] summing to {w.sum():.6g}")
    return w


def _check_resp(resp, n_samples: int, K: int | None = None) -> np.ndarray:
    """Responsibilities: (n_samples, K) and non-negative."""
    R = check_array(resp, name="resp")
    if R.shape[0] != n_samples or (K is not None and R.shape[1] != K):
        k = "K" if K is None else K
        raise ValueError(f"resp must have one row per sample, shape (n_samples, n_components) "
                         f"= ({n_samples}, {k}); got shape {R.shape}")
    if np.any(R < 0):
        raise ValueError(f"resp must be non-negative (responsibilities r_ik = exp(log_resp)); "
                         f"got a minimum of {R.min():.4g}")
    return R


def _log_weights(w: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):  # pi_k = 0 -> log pi_k = -inf: never responsible
        return np.log(w)


# ------------------------------------------------------------------------------ E and M
def _e_step(X, log_weights, means, W, half_log_det, covariance_type):
    """(log r (n, K), per-sample log p(x^(i)) (n,)) from prepared whitening factors."""
    weighted = _log_pdf(X, means, W, half_log_det, covariance_type)
    weighted += log_weights
    log_norm = logsumexp(weighted, axis=1)  # log p(x^(i)) = log sum_k pi_k N(x^(i) | ...)
    weighted -= log_norm[:, None]
    return weighted, log_norm


def gmm_e_step(X, weights, means, covariances, covariance_type="full"):
    """E-step: log r_ik = log pi_k + log N(x^(i) | mu_k, Sigma_k) - log sum_j pi_j N(x^(i) | ...),
    and the log-likelihood L = sum_i log sum_k pi_k N(x^(i) | mu_k, Sigma_k).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    weights : array-like of shape (n_components,)
        pi_k >= 0, sum_k pi_k = 1.
    means : array-like of shape (n_components, n_features)
    covariances : array-like, shape as in :func:`log_gaussian_pdf`
    covariance_type : {"full", "diag", "spherical"}

    Returns
    -------
    log_resp : ndarray of shape (n_samples, n_components)
        log r_ik (each row's exp sums to 1).
    log_likelihood : float
        The total log-likelihood L (not the per-sample mean).
    """
    covariance_type = _check_cov_type(covariance_type)
    X = check_array(X, name="X")
    M = _check_means(means, X.shape[1])
    w = _check_weights(weights, M.shape[0])
    C = _check_covariances(covariances, covariance_type, M.shape[0], X.shape[1])
    W, half_log_det = _whitening(C, covariance_type)
    log_resp, log_norm = _e_step(X, _log_weights(w), M, W, half_log_det, covariance_type)
    return log_resp, float(log_norm.sum())


def _m_step(X, resp, covariance_type, reg_covar):
    """The M-step on validated arrays (see :func:`gmm_m_step`)."""
    n, d = X.shape
    nk = resp.sum(axis=0) + NK_FLOOR  # (K,)
    means = (resp.T @ X) / nk[:, None]  # (K, d)
    K = means.shape[0]
    if covariance_type == "full":
        cov = np.empty((K, d, d))
        for k in range(K):
            A = X - means[k]
            A *= np.sqrt(resp[:, k])[:, None]  # sqrt(r_ik) (x^(i) - mu_k)
            cov[k] = A.T @ A  # sum_i r_ik (x^(i) - mu_k)(x^(i) - mu_k)^T (a SYRK)
            cov[k] /= nk[k]
            cov[k].flat[:: d + 1] += reg_covar
    else:
        cov = np.empty((K, d))
        for k in range(K):
            R = X - means[k]
            R *= R
            cov[k] = resp[:, k] @ R  # sum_i r_ik (x^(i)_j - mu_kj)^2
        cov /= nk[:, None]
        cov += reg_covar
        if covariance_type == "spherical":
            cov = cov.mean(axis=1)  # s_k = (1/d) tr Sigma_k^diag
    return nk / nk.sum(), means, cov


def gmm_m_step(X, resp, covariance_type="full", reg_covar=1e-6):
    """M-step: N_k = sum_i r_ik, pi_k = N_k / N, mu_k = (1/N_k) sum_i r_ik x^(i),
    Sigma_k = (1/N_k) sum_i r_ik (x^(i) - mu_k)(x^(i) - mu_k)^T + reg_covar I.

    "diag" keeps the diagonal of Sigma_k; "spherical" its mean s_k = tr(Sigma_k) / d.
    N_k gets a floor of 10 machine epsilons, so an empty component gets mean 0 and covariance
    reg_covar I instead of NaN.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    resp : array-like of shape (n_samples, n_components)
        Responsibilities r_ik >= 0 (exp of :func:`gmm_e_step`'s log_resp).
    covariance_type : {"full", "diag", "spherical"}
    reg_covar : float >= 0
        Added to the diagonal of every covariance.

    Returns
    -------
    weights : ndarray (n_components,)
    means : ndarray (n_components, n_features)
    covariances : ndarray, (K, d, d) / (K, d) / (K,) for full / diag / spherical
    """
    covariance_type = _check_cov_type(covariance_type)
    reg_covar = check_scalar(reg_covar, "reg_covar", min_val=0.0)
    X = check_array(X, name="X")
    return _m_step(X, _check_resp(resp, X.shape[0]), covariance_type, reg_covar)


def gmm_lower_bound(X, resp, weights, means, covariances, covariance_type="full") -> float:
    """EM's lower bound F(q, theta) = sum_i sum_k q_ik log(pi_k N(x^(i) | mu_k, Sigma_k) / q_ik).

    Terms with q_ik = 0 contribute 0 (0 log 0 = 0). For every q with rows on the simplex,
    F(q, theta) = l(theta) - sum_i KL(q_i || r_i(theta)) <= l(theta), with equality exactly when
    q = r(theta), theta's own responsibilities (i.e. right after an E-step).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    resp : array-like of shape (n_samples, n_components)
        q_ik >= 0, every row summing to 1 (e.g. exp of :func:`gmm_e_step`'s log_resp).
    weights, means, covariances, covariance_type
        theta, as in :func:`gmm_e_step`.

    Returns
    -------
    float
    """
    covariance_type = _check_cov_type(covariance_type)
    X = check_array(X, name="X")
    M = _check_means(means, X.shape[1])
    w = _check_weights(weights, M.shape[0])
    q = _check_resp(resp, X.shape[0], M.shape[0])
    sums = q.sum(axis=1)
    if np.any(np.abs(sums - 1.0) > 1e-6):
        raise ValueError(f"resp must have rows summing to 1 (a distribution q_i over the "
                         f"components); got row sums in [{sums.min():.6g}, {sums.max():.6g}]")
    log_joint = log_gaussian_pdf(X, M, covariances, covariance_type) + _log_weights(w)  # (n, K)
    positive = q > 0
    terms = np.zeros_like(q)
    terms[positive] = q[positive] * (log_joint[positive] - np.log(q[positive]))
    return float(terms.sum())


def gmm_initial_parameters(X, n_components, covariance_type="full", reg_covar=1e-6,
                           random_state=None):
    """The start theta_0: pi_k = 1/K, mu_k = K distinct data points drawn uniformly, and every
    Sigma_k = sigma_0^2 I with sigma_0^2 = tr(Sigma_ML) / (d K) + reg_covar (the data's mean
    variance shared among the K components), in the shape of ``covariance_type``.

    tr(Sigma_ML) = sum_j (1/N) sum_i (x^(i)_j - xbar_j)^2, the trace of the ML covariance.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : int, 1 <= K <= n_samples
    covariance_type : {"full", "diag", "spherical"}
    reg_covar : float >= 0
    random_state : None, int or numpy.random.Generator
        Draws the means (the same rows as ``kmeans_init(X, K, "random", random_state)``).

    Returns
    -------
    weights (K,), means (K, d), covariances ((K, d, d) / (K, d) / (K,))
    """
    covariance_type = _check_cov_type(covariance_type)
    X = check_array(X, name="X")
    n, d = X.shape
    K = check_scalar(n_components, "n_components", kind=int, min_val=1)
    if K > n:
        raise ValueError(f"n_components must be <= n_samples = {n} (the number of points); "
                         f"got n_components={K}: add points or lower n_components")
    reg_covar = check_scalar(reg_covar, "reg_covar", min_val=0.0)
    means = X[random_rows(n, K, check_random_state(random_state))].copy()
    var = float(np.var(X, axis=0).sum()) / (d * K) + reg_covar
    covariances = {"full": lambda: np.repeat(var * np.eye(d)[None], K, axis=0),
                   "diag": lambda: np.full((K, d), var),
                   "spherical": lambda: np.full(K, var)}[covariance_type]()
    return np.full(K, 1.0 / K), means, covariances
