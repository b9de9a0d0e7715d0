"""Gaussian mixture models: p(x) = sum_k pi_k N(x | mu_k, Sigma_k), fitted by EM.

EM maximises the log-likelihood L(theta) = sum_i log sum_k pi_k N(x^(i) | mu_k, Sigma_k) by
alternating

* **E-step** (:func:`gmm_e_step`): responsibilities
  r_ik = pi_k N(x^(i) | mu_k, Sigma_k) / sum_j pi_j N(x^(i) | mu_j, Sigma_j), computed in the
  log domain (log-sum-exp), so that far-away points never give 0 / 0;
* **M-step** (:func:`gmm_m_step`): with N_k = sum_i r_ik,
  pi_k = N_k / N, mu_k = sum_i r_ik x^(i) / N_k,
  Sigma_k = sum_i r_ik (x^(i) - mu_k)(x^(i) - mu_k)^T / N_k (+ reg_covar I).

This is a majorize-minimize scheme: the E-step builds a lower bound of L that touches it at the
current theta and the M-step maximises that bound, so L never falls. That holds exactly for
reg_covar = 0. The reg_covar floor (scikit-learn's, default 1e-6), which keeps a component from
collapsing onto a single point where L is unbounded, makes the M-step a slightly perturbed
maximiser: L can then dip by a tiny amount near convergence (about reg_covar / the smallest
variance, relative; 1e-7 on a 12-point set with a component of variance 1e-2 is the worst seen).

Covariance parameterisations (scikit-learn's shapes): "full" Sigma_k (K, d, d), "diag"
Sigma_k = diag(s_k) with s_k (K, d), "spherical" Sigma_k = s_k I with s_k (K,).

Numerics: densities go through the Cholesky factor Sigma_k = L_k L_k^T, never an inverse of
Sigma_k: log N(x | mu, Sigma) = -(d/2) log 2 pi - sum_j log L_jj - (1/2) ||y||^2 with the
whitened residual y = L^{-1} (x - mu). For "full", L_k^{-1} comes from the triangular system
L_k W = I (d x d, once per component); each (n, d) block of residuals is then whitened by one
matrix product. (NumPy has no triangular solve for the (n, d) right-hand sides, and
``np.linalg.solve`` on them would do an LU factorisation and two general solves instead.)
"""
from __future__ import annotations

import numpy as np

from ._validation import (check_array, check_is_fitted, check_n_features, check_option,
                          check_random_state, check_scalar)
from .base import BaseEstimator
from .cluster import KMeans, kmeans_plusplus
from .logistic import logsumexp

__all__ = ["GaussianMixture", "gaussian_ml_fit", "log_gaussian_pdf", "gmm_e_step",
           "gmm_m_step", "COVARIANCE_TYPES"]

COVARIANCE_TYPES = ("full", "diag", "spherical")
INIT_PARAMS = ("kmeans", "k-means++", "random", "random_from_data")
LOG_2PI = np.log(2.0 * np.pi)
#: Added to every N_k = sum_i r_ik, so that an empty component never divides 0 by 0.
NK_FLOOR = 10 * np.finfo(np.float64).eps


# ------------------------------------------------------------------------------ one Gaussian
def gaussian_ml_fit(X):
    """Maximum-likelihood Gaussian: mu = (1/N) sum_i x^(i),
    Sigma = (1/N) sum_i (x^(i) - mu)(x^(i) - mu)^T (the biased, 1/N, covariance).

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, n_features)

    Returns
    -------
    mean : float for 1-D input, else ndarray (n_features,)
    covariance : float (the variance sigma^2) for 1-D input, else ndarray (n_features, n_features)
    """
    A = check_array(X, name="X", ensure_2d=False)
    if A.ndim > 2:
        raise ValueError(f"X must be 1-D (n_samples,) or 2-D (n_samples, n_features); got a "
                         f"{A.ndim}-D array of shape {A.shape}")
    mean = A.mean(axis=0)
    R = A - mean
    if A.ndim == 1:
        return float(mean), float(R @ R / A.shape[0])
    return mean, R.T @ R / A.shape[0]


# ------------------------------------------------------------------------------ validation
def _check_cov_type(covariance_type) -> str:
    return check_option(covariance_type, "covariance_type", COVARIANCE_TYPES)


def _cov_shape(covariance_type: str, K: int, d: int) -> tuple:
    return {"full": (K, d, d), "diag": (K, d), "spherical": (K,)}[covariance_type]


def _check_means(means, d: int, name: str = "means", K: int | None = None) -> np.ndarray:
    M = check_array(means, name=name)
    if M.shape[1] != d or (K is not None and M.shape[0] != K):
        k = "n_components" if K is None else K
        raise ValueError(f"{name} must have shape (n_components, n_features) = ({k}, {d}); "
                         f"got shape {M.shape}")
    return M


def _check_covariances(covariances, covariance_type: str, K: int, d: int,
                       name: str = "covariances") -> np.ndarray:
    """Shape and finiteness (positive definiteness is checked by the Cholesky factorisation)."""
    C = check_array(covariances, name=name, ensure_2d=False)
    shape = _cov_shape(covariance_type, K, d)
    if C.shape != shape:
        raise ValueError(f"{name} for covariance_type={covariance_type!r} must have shape "
                         f"{shape} (n_components={K}, n_features={d}); got shape {C.shape}")
    if covariance_type == "full" and not np.allclose(C, np.swapaxes(C, 1, 2), rtol=1e-10,
                                                     atol=1e-12):
        raise ValueError(f"{name} must be symmetric matrices (covariance_type='full')")
    return C


def _check_weights(weights, K: int, name: str = "weights") -> np.ndarray:
    w = check_array(weights, name=name, ensure_2d=False)
    if w.shape != (K,):
        raise ValueError(f"{name} must have shape (n_components,) = ({K},); got shape {w.shape}")
    if np.any(w < 0) or abs(w.sum() - 1.0) > 1e-6:
        raise ValueError(f"{name} must be non-negative and sum to 1; got values in "
                         f"[{w.min():.4g}, {w.max():.4g}] summing to {w.sum():.6g}")
    return w


# ------------------------------------------------------------------------------ Cholesky
def _cholesky(covariances: np.ndarray, covariance_type: str, name: str = "covariances"):
    """Factor of every Sigma_k: L_k (K, d, d) lower triangular for "full", the standard
    deviations sqrt(s_k) (K, d) or (K,) otherwise. Raises a ValueError naming the component and
    reg_covar when Sigma_k is not positive definite."""
    if covariance_type == "full":
        try:
            return np.linalg.cholesky(covariances)
        except np.linalg.LinAlgError:
            bad = [k for k in range(len(covariances)) if not _is_pd(covariances[k])]
            raise ValueError(_not_pd_message(name, bad)) from None
    if np.any(covariances <= 0):
        bad = np.flatnonzero(np.reshape(covariances <= 0, (len(covariances), -1)).any(axis=1))
        raise ValueError(_not_pd_message(name, bad.tolist()))
    return np.sqrt(covariances)


def _is_pd(S: np.ndarray) -> bool:
    try:
        np.linalg.cholesky(S)
    except np.linalg.LinAlgError:
        return False
    return True


def _not_pd_message(name: str, bad) -> str:
    return (f"{name} must be positive definite; component(s) {list(bad)} are not (a component "
            f"has collapsed onto too few points?): increase reg_covar or use fewer components")


def _whitening(covariances, covariance_type: str):
    """(W, half_log_det): W_k with y = W_k (x - mu_k) whitened, so that
    (x - mu_k)^T Sigma_k^{-1} (x - mu_k) = ||y||^2, and (1/2) log det Sigma_k (K,).

    full: W_k = L_k^{-1} from the triangular solve L_k W_k = I, half log det = sum_j log L_jj;
    diag / spherical: W_k = 1 / sqrt(s_k) (elementwise), half log det = (1/2) sum_j log s_kj.
    """
    F = _cholesky(covariances, covariance_type)
    if covariance_type == "full":
        d = F.shape[-1]
        W = np.linalg.solve(F, np.broadcast_to(np.eye(d), F.shape))  # (K, d, d)
        half_log_det = np.log(np.diagonal(F, axis1=1, axis2=2)).sum(axis=1)
        return W, half_log_det
    W = 1.0 / F
    if covariance_type == "diag":
        return W, np.log(F).sum(axis=1)
    return W, None  # spherical: depends on d, see _log_pdf


def _log_pdf(X: np.ndarray, means: np.ndarray, W, half_log_det, covariance_type: str):
    """log N(x^(i) | mu_k, Sigma_k) for all i, k: (n, K), looping over the K components."""
    n, d = X.shape
    K = means.shape[0]
    if covariance_type == "spherical":
        half_log_det = -d * np.log(W)
    out = np.empty((n, K))
    for k in range(K):
        R = X - means[k]  # (n, d) residuals
        if covariance_type == "full":
            Y = R @ W[k].T  # (n, d) whitened: rows y_i = L_k^{-1} (x^(i) - mu_k)
        else:
            Y = np.multiply(R, W[k], out=R)
        out[:, k] = np.einsum("ij,ij->i", Y, Y)
    out *= -0.5
    out -= 0.5 * d * LOG_2PI + half_log_det
    return out


# ------------------------------------------------------------------------------ public steps
def log_gaussian_pdf(X, means, covariances, covariance_type="full"):
    """log N(x^(i) | mu_k, Sigma_k) = -(d/2) log 2 pi - (1/2) log det Sigma_k
    - (1/2) (x^(i) - mu_k)^T Sigma_k^{-1} (x^(i) - mu_k), via the Cholesky factor of Sigma_k.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    means : array-like of shape (n_components, n_features)
    covariances : array-like
        (K, d, d) for "full", (K, d) for "diag", (K,) for "spherical".
    covariance_type : {"full", "diag", "spherical"}

    Returns
    -------
    ndarray of shape (n_samples, n_components)
    """
    covariance_type = _check_cov_type(covariance_type)
    X = check_array(X, name="X")
    M = _check_means(means, X.shape[1])
    C = _check_covariances(covariances, covariance_type, M.shape[0], X.shape[1])
    W, half_log_det = _whitening(C, covariance_type)
    return _log_pdf(X, M, W, half_log_det, covariance_type)


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
    with np.errstate(divide="ignore"):  # pi_k = 0 -> log pi_k = -inf: never responsible
        log_w = np.log(w)
    log_resp, log_norm = _e_step(X, log_w, M, W, half_log_det, covariance_type)
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
    R = check_array(resp, name="resp")
    if R.shape[0] != X.shape[0]:
        raise ValueError(f"resp must have one row per sample, shape (n_samples, n_components) "
                         f"= ({X.shape[0]}, K); got shape {R.shape}")
    if np.any(R < 0):
        raise ValueError(f"resp must be non-negative (responsibilities r_ik = exp(log_resp)); "
                         f"got a minimum of {R.min():.4g}")
    return _m_step(X, R, covariance_type, reg_covar)


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
    history_ : dict of ndarray
        For the best start: "log_likelihood" (n_iter_,) the total L at each E-step (never
        falls for reg_covar = 0; see the module docstring for the floor's tiny effect),
        "lower_bound" (n_iter_,) the same / N.
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
                idx = rng.choice(n, size=K, replace=False)
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

        Returns (params, lower_bound, converged, n_iter, log-likelihood per E-step)."""
        n = X.shape[0]
        lower_bound, history, converged = -np.inf, [], False
        for n_iter in range(1, p["max_iter"] + 1):
            weights, means, cov = params
            W, half_log_det = _whitening(cov, p["cov_type"])
            with np.errstate(divide="ignore"):
                log_w = np.log(weights)
            log_resp, log_norm = _e_step(X, log_w, means, W, half_log_det, p["cov_type"])
            params = _m_step(X, np.exp(log_resp), p["cov_type"], p["reg_covar"])
            previous, lower_bound = lower_bound, float(log_norm.sum()) / n
            history.append(lower_bound * n)
            if abs(lower_bound - previous) < p["tol"]:
                converged = True
                break
        return params, lower_bound, converged, n_iter, np.array(history)

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
        ll = best[4]
        self.history_ = {"log_likelihood": ll, "lower_bound": ll / X.shape[0]}
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
        with np.errstate(divide="ignore"):
            out += np.log(self.weights_)
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


def _precisions_to_covariances(precisions, covariance_type: str, K: int, d: int) -> np.ndarray:
    """Sigma_k from given precisions P_k = Sigma_k^{-1}: solve P_k Sigma_k = I (full), 1 / P
    (diag, spherical); P_k must be positive definite."""
    P = _check_covariances(precisions, covariance_type, K, d, name="precisions_init")
    _cholesky(P, covariance_type, name="precisions_init")  # positive definite?
    if covariance_type == "full":
        S = np.linalg.solve(P, np.broadcast_to(np.eye(d), P.shape))
        return (S + np.swapaxes(S, 1, 2)) / 2.0  # exactly symmetric
    return 1.0 / P
