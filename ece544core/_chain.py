"""Private pieces shared by the chain searches (:mod:`ece544core.structured`) and the denoising
models built on them (:mod:`ece544core.denoising`): argument checks, the vectorised scoring of
labellings, the max-sum messages and their tie-rule decoding (the tie rule is stated in
:mod:`ece544core.structured`'s docstring).
"""
from __future__ import annotations

import numpy as np

from ._validation import check_array

#: Relative tolerance of the tie rule (see :mod:`ece544core.structured`).
TIE_RTOL = 1e-10


def _check_chain(unary, pairwise):
    """Validate a chain model; return unary (T, K) and pairwise broadcast to (T-1, K, K)."""
    U = check_array(unary, name="unary", ensure_2d=False, min_samples=0)
    if U.ndim != 2 or U.shape[0] < 1 or U.shape[1] < 1:
        raise ValueError("unary must be a 2-D array of shape (T, K) with T >= 1 positions and "
                         f"K >= 1 labels; got an array of shape {U.shape}")
    T, K = U.shape
    P = check_array(pairwise, name="pairwise", ensure_2d=False, min_samples=0)
    if P.shape == (K, K):
        P = np.broadcast_to(P, (T - 1, K, K))  # the same matrix on every edge
    elif P.shape != (T - 1, K, K):
        raise ValueError(f"pairwise must have shape (K, K) = ({K}, {K}) or (T-1, K, K) = "
                         f"({T - 1}, {K}, {K}) to match unary of shape (T, K) = {U.shape}; "
                         f"got an array of shape {P.shape}")
    return U, P


def _check_labels(labels, name: str, K: int, shape=None, ndim=None) -> np.ndarray:
    """Integer labels in {0, ..., K-1} (integral floats accepted), of ``shape`` or ``ndim``."""
    y = check_array(labels, name=name, ensure_2d=False, min_samples=0)
    if shape is not None and y.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}; got an array of shape {y.shape}")
    if ndim is not None and (y.ndim != ndim or 0 in y.shape):
        raise ValueError(f"{name} must be a non-empty {ndim}-D array; got an array of shape "
                         f"{y.shape}")
    if y.size and (np.any(y != np.round(y)) or y.min() < 0 or y.max() > K - 1):
        bad = y[(y != np.round(y)) | (y < 0) | (y > K - 1)][0]
        raise ValueError(f"{name} must hold integer labels in 0..{K - 1} (K = {K}); "
                         f"got {bad:g}")
    return y.astype(np.int64)


def _tolerance(U: np.ndarray, P: np.ndarray) -> np.ndarray:
    """TIE_RTOL times a bound on |score| (one value per chain of a batch U (..., T, K))."""
    edge = np.abs(P).max(axis=(1, 2)).sum() if P.shape[0] else 0.0
    return TIE_RTOL * (np.abs(U).max(axis=-1).sum(axis=-1) + edge)


def _score_block(Y: np.ndarray, U: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Scores of a block of labellings Y (n, T): sum_t U[t, y_t] + sum_t P[t, y_t, y_{t+1}]."""
    T = U.shape[0]
    s = U[np.arange(T), Y].sum(axis=1)  # (n, T) -> (n,)
    if T > 1:
        s = s + P[np.arange(T - 1), Y[:, :-1], Y[:, 1:]].sum(axis=1)  # (n, T-1) -> (n,)
    return s


def _max_sum_messages(U: np.ndarray, P: np.ndarray) -> np.ndarray:
    """M_t(k) = U[t, k] + max_j (P[t, k, j] + M_{t+1}(j)), M_{T-1} = U[T-1]; batch U (B, T, K).

    A loop over positions only; each step is vectorised over the batch and the K x K label pairs.
    """
    M = np.empty_like(U)
    M[:, -1] = U[:, -1]
    for t in range(U.shape[1] - 2, -1, -1):
        cand = P[t][None, :, :] + M[:, t + 1][:, None, :]  # (B, K, K): [b, k, j]
        M[:, t] = U[:, t] + cand.max(axis=2)
    return M


def _decode(U: np.ndarray, P: np.ndarray, M: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """Forward decoding of the messages with the tie rule: at each position the lowest label whose
    best completion stays within ``tol`` of the optimum. Batch U, M (B, T, K) -> labels (B, T)."""
    B, T, K = U.shape
    rows = np.arange(B)
    threshold = (M[:, 0].max(axis=1) - tol)[:, None]  # (B, 1)
    Y = np.empty((B, T), dtype=np.int64)
    base = np.zeros((B, K))  # score of y_0..y_{t-1} plus the link into y_t = k
    for t in range(T):
        cand = base + M[:, t]  # (B, K): best score of a labelling with this prefix and y_t = k
        ok = cand >= threshold
        # the best candidate always passes in exact arithmetic; the fallback guards round-off
        Y[:, t] = np.where(ok.any(axis=1), ok.argmax(axis=1), cand.argmax(axis=1))
        if t + 1 < T:
            prefix = base[rows, Y[:, t]] + U[rows, t, Y[:, t]]  # (B,)
            base = prefix[:, None] + P[t][Y[:, t]]  # (B, K): + pairwise[t, y_t, j]
    return Y
