"""The numerical building blocks every module shares: one implementation of each.

Stable forms (no exponential ever overflows):

    sigma(z)      = 1 / (1 + e^{-z})                 from e^{-|z|}
    softplus(z)   = log(1 + e^z)                     = max(z, 0) + log(1 + e^{-|z|})
    softplus'(z)  = sigma(z),   softplus''(z) = sigma(z)(1 - sigma(z))
    logsumexp(z)  = log sum_k e^{z_k}                = m + log sum_k e^{z_k - m},  m = max_k z_k
    softmax(z)_k  = e^{z_k} / sum_j e^{z_j}          = e^{z_k - logsumexp(z)}
    log_softmax   = z - logsumexp(z)
    ||x - y||^2   = ||x||^2 - 2 x^T y + ||y||^2      (one GEMM, clipped at 0)

Inputs are array-likes; results are float64 arrays (float32 in, float32 out for the functions
that ``nn`` uses in training: sigmoid, softplus, logsumexp, softmax, log_softmax). These are
private building blocks: callers validate their inputs.
"""
from __future__ import annotations

import numpy as np

__all__ = ["sigmoid", "softplus", "softplus_grad", "softplus_hess", "logsumexp", "softmax",
           "log_softmax", "row_sq_norms", "sq_distances"]


def _float(x) -> np.ndarray:
    """x as a float array: float32 stays float32, everything else becomes float64."""
    x = np.asarray(x)
    return x if x.dtype == np.float32 else x.astype(np.float64, copy=False)


def sigmoid(z):
    """sigma(z) = 1 / (1 + e^{-z}), computed from e^{-|z|} so that no exponential overflows."""
    z = _float(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


def softplus(z):
    """softplus(z) = log(1 + e^z) = max(z, 0) + log(1 + e^{-|z|}); softplus(1000) = 1000."""
    z = _float(z)
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def softplus_grad(z):
    """d/dz log(1 + e^z) = sigma(z)."""
    return sigmoid(z)


def softplus_hess(z):
    """d^2/dz^2 log(1 + e^z) = sigma(z)(1 - sigma(z)) = e^{-|z|} / (1 + e^{-|z|})^2 > 0."""
    e = np.exp(-np.abs(_float(z)))
    return e / (1.0 + e) ** 2


def logsumexp(z, axis=-1, keepdims: bool = False):
    """log sum_k exp(z_k) along ``axis`` as m + log sum_k exp(z_k - m), m = max_k z_k.

    A slice of all -inf gives -inf (log 0); +inf entries give +inf.
    """
    z = _float(z)
    m = np.max(z, axis=axis, keepdims=True)
    finite = np.isfinite(m)
    if finite.all():
        out = m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))
    else:  # a slice of all -inf: log 0 = -inf (only here pay for errstate: slow in wasm)
        m = np.where(finite, m, 0)
        with np.errstate(divide="ignore"):
            out = m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(z, axis=-1):
    """log p_k = z_k - logsumexp(z) along ``axis``."""
    z = _float(z)
    return z - logsumexp(z, axis=axis, keepdims=True)


def softmax(z, axis=-1):
    """p_k = exp(z_k) / sum_j exp(z_j) along ``axis`` (shifted by the max: never overflows)."""
    z = _float(z)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def row_sq_norms(X) -> np.ndarray:
    """||x^(i)||^2 of every row: (n, d) -> (n,)."""
    X = np.asarray(X)
    return np.einsum("ij,ij->i", X, X)


def sq_distances(X, Y=None, *, X_sq=None, Y_sq=None) -> np.ndarray:
    """D_ij = max(0, ||x_i||^2 - 2 x_i^T y_j + ||y_j||^2): (n, d), (m, d) -> (n, m).

    One GEMM. ``Y=None`` means Y = X, and then the diagonal is exactly 0. ``X_sq`` / ``Y_sq``
    are the row norms :func:`row_sq_norms` when the caller already has them (a loop over
    blocks of X against fixed centres, say). Clipping at 0 removes the round-off that makes the
    expansion slightly negative for near-identical rows.
    """
    X = np.asarray(X)
    same = Y is None or Y is X
    Y = X if same else np.asarray(Y)
    X_sq = row_sq_norms(X) if X_sq is None else X_sq
    Y_sq = X_sq if same else (row_sq_norms(Y) if Y_sq is None else Y_sq)
    D = X @ (-2.0 * Y.T)  # (n, m); scaling by -2 is exact
    D += X_sq[:, None]
    D += Y_sq[None, :]
    np.maximum(D, 0.0, out=D)
    if same:
        np.fill_diagonal(D, 0.0)
    return D
