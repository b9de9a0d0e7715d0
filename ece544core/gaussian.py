"""The multivariate Gaussian N(x | mu, Sigma): its log-density, its maximum-likelihood fit, and
the covariance parameterisations the mixtures use.

    log N(x | mu, Sigma) = -(d/2) log 2 pi - (1/2) log det Sigma - (1/2) (x - mu)^T Sigma^{-1} (x - mu)

Covariance parameterisations (scikit-learn's shapes): "full" Sigma_k (K, d, d), "diag"
Sigma_k = diag(s_k) with s_k (K, d), "spherical" Sigma_k = s_k I with s_k (K,);
:func:`full_covariances` turns any of them into (K, d, d) matrices.

Numerics: densities go through the Cholesky factor Sigma_k = L_k L_k^T, never an inverse of
Sigma_k: log N(x | mu, Sigma) = -(d/2) log 2 pi - sum_j log L_jj - (1/2) ||y||^2 with the
whitened residual y = L^{-1} (x - mu). For "full", L_k^{-1} comes from the triangular system
L_k W = I (d x d, once per component); each (n, d) block of residuals is then whitened by one
matrix product. (NumPy has no triangular solve for the (n, d) right-hand sides, and
``np.linalg.solve`` on them would do an LU factorisation and two general solves instead.)
"""
from __future__ import annotations

import numpy as np

from ._math import row_sq_norms
from ._validation import check_array, check_option, check_scalar

__all__ = ["gaussian_ml_fit", "log_gaussian_pdf", "full_covariances", "COVARIANCE_TYPES"]

COVARIANCE_TYPES = ("full", "diag", "spherical")
LOG_2PI = np.log(2.0 * np.pi)


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
        out[:, k] = row_sq_norms(Y)
    out *= -0.5
    out -= 0.5 * d * LOG_2PI + half_log_det
    return out


# ------------------------------------------------------------------------------ densities
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


def full_covariances(covariances, covariance_type="full", n_features=None) -> np.ndarray:
    """Sigma_k as (K, d, d) matrices from any parameterisation: "full" unchanged, "diag"
    Sigma_k = diag(s_k), "spherical" Sigma_k = s_k I.

    Parameters
    ----------
    covariances : array-like
        (K, d, d) for "full", (K, d) for "diag", (K,) for "spherical".
    covariance_type : {"full", "diag", "spherical"}
    n_features : int, optional
        d; needed for "spherical" (the other shapes carry it), checked against the shape
        otherwise.

    Returns
    -------
    ndarray of shape (K, d, d)
    """
    covariance_type = _check_cov_type(covariance_type)
    C = check_array(covariances, name="covariances", ensure_2d=False)
    if C.ndim == 0 or C.shape[0] == 0:
        raise ValueError(f"covariances must have one entry per component (K >= 1); got shape "
                         f"{C.shape}")
    K = C.shape[0]
    if n_features is None:
        if covariance_type == "spherical":
            raise ValueError("n_features (d) is needed for covariance_type='spherical': the "
                             "variances s_k (K,) do not carry it")
        d = C.shape[-1]
    else:
        d = check_scalar(n_features, "n_features", kind=int, min_val=1)
    C = _check_covariances(C, covariance_type, K, d)
    if covariance_type == "full":
        return C.copy()
    if covariance_type == "diag":
        out = np.zeros((K, d, d))
        out[:, np.arange(d), np.arange(d)] = C
        return out
    return C[:, None, None] * np.eye(d)


def _precisions_to_covariances(precisions, covariance_type: str, K: int, d: int) -> np.ndarray:
    """Sigma_k from given precisions P_k = Sigma_k^{-1}: solve P_k Sigma_k = I (full), 1 / P
    (diag, spherical); P_k must be positive definite."""
    P = _check_covariances(precisions, covariance_type, K, d, name="precisions_init")
    _cholesky(P, covariance_type, name="precisions_init")  # positive definite?
    if covariance_type == "full":
        S = np.linalg.solve(P, np.broadcast_to(np.eye(d), P.shape))
        return (S + np.swapaxes(S, 1, 2)) / 2.0  # exactly symmetric
    return 1.0 / P
