"""Structured prediction on a chain (the notes' "exhaustive search, dynamic programming"):

    y* = argmax_y score(y),  score(y) = sum_t unary[t, y_t] + sum_t pairwise[t, y_t, y_{t+1}]

for T positions with K labels each: ``unary`` is (T, K); ``pairwise`` is (K, K) (the same for
every edge) or (T-1, K, K) (one matrix per edge t -> t+1). Scores are maximised.

* :func:`chain_argmax_exhaustive` scores all K^T labellings (vectorised in chunks, refused above
  ``max_configurations`` so that an interactive demo cannot freeze);
* :func:`chain_argmax_dp` is Viterbi (max-sum): O(T K^2) work instead of K^T scorings;
* :func:`chain_marginals` is sum-product in the log domain: p(y) = exp(score(y)) / Z, the marginals
  p(y_t = k) and log Z.

"Predictions from neighbouring pixels are useful": the denoising example
(:mod:`ece544core.denoising`, its names re-exported here) puts a Potts reward
``smoothness * [y_t == y_{t+1}]`` on neighbours and log-likelihood unaries of a label-flip noise
model, solved exactly along a sequence (DP), row by row on an image (DP per row, columns ignored)
or approximately on the 4-connected grid (ICM, a local optimum).

Tie rule (the same in both searches)
------------------------------------
Both searches return the **lexicographically smallest labelling (y_0 first) whose score is
within tol of the maximum**, tol = TIE_RTOL * (sum_t max_k |unary[t, k]| + sum_t max |pairwise[t]|)
(1e-10 times a bound on |score|). The tolerance makes the rule immune to round-off: the searches
add the same numbers in different orders, so labellings whose exact scores tie (e.g. mirror
images in the denoising example) may differ in the last bit. With exactly summed scores
(integers) the rule is "lowest label first, position by position, among the optimal labellings".
Exhaustive search scores labellings in lexicographic order and takes the first one above the
threshold; DP runs max-sum from the last position to the first and decodes forwards, taking at
each position the lowest label whose best completion stays above the threshold (with exact ties:
the backpointer rule "lowest argmax"). ``score`` is always :func:`chain_score` of the returned
labels, so equal labels give bit-identical scores.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._chain import TIE_RTOL, _check_chain, _check_labels, _decode, _max_sum_messages, \
    _score_block, _tolerance
from ._math import logsumexp
from ._validation import check_scalar
from .denoising import (ICMResult, denoise_image_icm, denoise_image_rows, denoise_unary,
                        flip_labels, make_noisy_image, make_noisy_sequence, potts_grid_score,
                        potts_pairwise)

__all__ = ["ChainResult", "ICMResult", "chain_score", "chain_argmax_exhaustive",
           "chain_argmax_dp", "chain_marginals", "chain_marginals_exhaustive", "potts_pairwise",
           "denoise_unary", "flip_labels", "make_noisy_sequence", "make_noisy_image",
           "denoise_image_rows", "denoise_image_icm", "potts_grid_score", "MAX_CONFIGURATIONS",
           "TIE_RTOL"]

#: Default guard of the exhaustive searches: at most this many labellings K^T.
MAX_CONFIGURATIONS = 2_000_000
#: Labellings scored per broadcast block by the exhaustive searches.
_CHUNK_ENTRIES = 1 << 16


# ------------------------------------------------------------------------------ results
@dataclass(frozen=True, eq=False)
class ChainResult:
    """A labelling found by :func:`chain_argmax_exhaustive` or :func:`chain_argmax_dp`.

    Attributes
    ----------
    labels : ndarray of int (T,)
        The labelling y (the tie rule of the module docstring picks it among optimal ones).
    score : float
        score(y) = sum_t unary[t, y_t] + sum_t pairwise[t, y_t, y_{t+1}], by :func:`chain_score`.
    n_evaluations : int
        The work counter. Exhaustive: K^T full-sequence scorings (one score(y) per labelling).
        DP: (T-1) K^2 local candidates pairwise[t, k, j] + M_{t+1}(j) of the
        max-sum recursion plus the K candidates M_0(k) of the final max; the O(T K) decoding is
        not counted. For T = 1 both count K.
    method : str
        "exhaustive" or "dp".
    messages : ndarray (T, K) or None
        DP only: M_t(k) = unary[t, k] + max_j (pairwise[t, k, j] + M_{t+1}(j)), the best score
        of positions t..T-1 given y_t = k (M_{T-1} = unary[T-1]).
    """

    labels: np.ndarray
    score: float
    n_evaluations: int
    method: str = ""
    messages: np.ndarray | None = None



def chain_score(labels, unary, pairwise) -> float:
    """score(y) = sum_t unary[t, y_t] + sum_{t<T-1} pairwise[t, y_t, y_{t+1}].

    Parameters
    ----------
    labels : array-like of int (T,)
        A labelling y with y_t in {0, ..., K-1}.
    unary : array-like (T, K)
    pairwise : array-like (K, K) or (T-1, K, K)

    Returns
    -------
    float
    """
    U, P = _check_chain(unary, pairwise)
    y = _check_labels(labels, "labels", U.shape[1], shape=(U.shape[0],))
    return float(_score_block(y[None, :], U, P)[0])


def _labelling_block(start: int, stop: int, T: int, K: int) -> np.ndarray:
    """Labellings number start..stop-1 in lexicographic order: mixed-radix digits, y_0 first."""
    idx = np.arange(start, stop, dtype=np.int64)
    powers = np.int64(K) ** np.arange(T - 1, -1, -1, dtype=np.int64)  # K^(T-1-t)
    return (idx[:, None] // powers[None, :]) % K  # (n, T)


def _suffix_table(U: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Scores of all K^s labellings of the s positions of U (s, K), P (s-1, K, K), flattened in
    lexicographic order, built from the last position backwards:
    table(y_t, rest) = (U[t, y_t] + P[t, y_t, first label of rest]) + table(rest)."""
    s, K = U.shape
    table = U[-1].copy()  # (K,)
    for t in range(s - 2, -1, -1):
        rest = table.reshape(K, -1)  # (K, K^(m-1)): first label of the rest, then the others
        table = ((U[t][:, None, None] + P[t][:, :, None]) + rest[None]).ravel()  # (K * K^m,)
    return table


def _all_scores(U: np.ndarray, P: np.ndarray, max_configurations) -> np.ndarray:
    """score(y) of all K^T labellings in lexicographic order, vectorised in chunks (guarded).

    y = (prefix, suffix) with the suffix on the last s positions (K^s <= _CHUNK_ENTRIES):
    score(y) = score(prefix) + pairwise[T-s-1, last of prefix, first of suffix] + score(suffix).
    The K^s suffix scores are tabulated once; each chunk of prefixes then costs one broadcast
    sum of K^s entries per prefix, so the work and memory stay O(K^T) and O(chunk).
    """
    limit = check_scalar(max_configurations, "max_configurations", kind=int, min_val=1,
                         max_val=2**62)
    T, K = U.shape
    n = K**T  # a Python int: no overflow
    if n > limit:
        raise ValueError(f"exhaustive search over K**T = {K}**{T} = {n} labellings exceeds "
                         f"max_configurations = {limit}; reduce T (positions) or K (labels), "
                         "raise max_configurations, or use chain_argmax_dp")
    s = 1
    while s < T and K ** (s + 1) <= _CHUNK_ENTRIES:
        s += 1
    p = T - s  # prefix length
    suffix = _suffix_table(U[p:], P[p:])  # (K^s,)
    if p == 0:
        return suffix
    prefixes = _labelling_block(0, K**p, p, K)  # (K^p, p)
    pre = _score_block(prefixes, U[:p], P[:p - 1])  # (K^p,)
    suffix = suffix.reshape(K, -1)  # (K, K^(s-1)): first label of the suffix, then the others
    scores = np.empty((K**p, K, suffix.shape[1]))
    step = max(1, _CHUNK_ENTRIES // suffix.size)
    for a in range(0, K**p, step):
        b = min(K**p, a + step)
        link = P[p - 1][prefixes[a:b, -1]]  # (b-a, K): pairwise[p-1, y_{p-1}, y_p]
        scores[a:b] = (pre[a:b, None, None] + link[:, :, None]) + suffix[None]
    return scores.ravel()


# ------------------------------------------------------------------------------ the two searches
def chain_argmax_exhaustive(unary, pairwise,
                            max_configurations: int = MAX_CONFIGURATIONS) -> ChainResult:
    """y* = argmax_{y in {0..K-1}^T} score(y) by scoring every one of the K^T labellings.

    Every labelling's score is computed (K^T of them, in lexicographic order), vectorised over
    configurations in chunks: a labelling is a prefix (its mixed-radix digits) and a suffix
    whose K^s scores are tabulated once, and a chunk of prefixes is scored by one broadcast sum.
    The time and memory grow as K^T, hence the guard. Ties: the lexicographically smallest
    labelling within ``tol`` of the best (module docstring), as in :func:`chain_argmax_dp`.

    Parameters
    ----------
    unary : array-like (T, K)
    pairwise : array-like (K, K) or (T-1, K, K)
    max_configurations : int
        Refuse (ValueError naming T and K) when K^T exceeds this.

    Returns
    -------
    ChainResult
        ``n_evaluations`` = K^T, ``method`` = "exhaustive".
    """
    U, P = _check_chain(unary, pairwise)
    scores = _all_scores(U, P, max_configurations)
    T, K = U.shape
    first = int(np.argmax(scores >= scores.max() - _tolerance(U, P)))  # first True: lex order
    y = _labelling_block(first, first + 1, T, K)[0]
    return ChainResult(labels=y, score=float(_score_block(y[None], U, P)[0]),
                       n_evaluations=K**T, method="exhaustive")


def chain_argmax_dp(unary, pairwise) -> ChainResult:
    """y* = argmax_y score(y) by dynamic programming (Viterbi, max-sum):

        M_{T-1}(k) = unary[T-1, k],  M_t(k) = unary[t, k] + max_j (pairwise[t, k, j] + M_{t+1}(j)),
        max_y score(y) = max_k M_0(k),

    then y_0, y_1, ... are read off forwards (the "backpointers"). O(T K^2) work instead of
    the K^T of exhaustive search; same tie rule (lexicographically smallest labelling within
    ``tol`` of the best, see the module docstring), so both return the same labels.

    Parameters
    ----------
    unary : array-like (T, K)
        unary[t, k] = theta_t(k), the score of label k at position t.
    pairwise : array-like (K, K) or (T-1, K, K)
        pairwise[t, k, j] = theta_{t,t+1}(k, j), the score of labels (k, j) on the edge t -> t+1
        (one (K, K) matrix: the same on every edge).

    Returns
    -------
    ChainResult
        ``n_evaluations`` = (T-1) K^2 + K, ``method`` = "dp", ``messages`` = M (T, K).
    """
    U, P = _check_chain(unary, pairwise)
    T, K = U.shape
    M = _max_sum_messages(U[None], P)
    y = _decode(U[None], P, M, np.atleast_1d(_tolerance(U, P)))[0]
    return ChainResult(labels=y, score=float(_score_block(y[None], U, P)[0]),
                       n_evaluations=(T - 1) * K * K + K, method="dp", messages=M[0])


# ------------------------------------------------------------------------------ marginals
def chain_marginals(unary, pairwise):
    """p(y_t = k) and log Z for p(y) = exp(score(y)) / Z, Z = sum_y exp(score(y)), by sum-product:

        alpha_0(k) = unary[0, k],
        alpha_{t+1}(j) = unary[t+1, j] + logsumexp_k (alpha_t(k) + pairwise[t, k, j]),
        beta_{T-1}(k) = 0,
        beta_t(k) = logsumexp_j (pairwise[t, k, j] + unary[t+1, j] + beta_{t+1}(j)),
        log Z = logsumexp_k alpha_{T-1}(k),  p(y_t = k) = exp(alpha_t(k) + beta_t(k) - log Z)

    all in the log domain (log-sum-exp), so large scores never overflow. The same recursion as
    :func:`chain_argmax_dp` with max replaced by log-sum-exp.

    Parameters
    ----------
    unary, pairwise : the chain model of :func:`chain_argmax_dp`, read as log-potentials.

    Returns
    -------
    marginals : ndarray (T, K)
        Each row sums to 1.
    log_partition : float
        log Z.
    """
    U, P = _check_chain(unary, pairwise)
    T = U.shape[0]
    alpha, beta = np.empty_like(U), np.zeros_like(U)
    alpha[0] = U[0]
    for t in range(T - 1):
        alpha[t + 1] = U[t + 1] + logsumexp(alpha[t][:, None] + P[t], axis=0)  # over k
        s = T - 2 - t
        beta[s] = logsumexp(P[s] + (U[s + 1] + beta[s + 1])[None, :], axis=1)  # over j
    log_z = float(logsumexp(alpha[-1]))
    return np.exp(alpha + beta - log_z), log_z


def chain_marginals_exhaustive(unary, pairwise, max_configurations: int = MAX_CONFIGURATIONS):
    """p(y_t = k) = sum_{y: y_t = k} exp(score(y) - log Z) and log Z = logsumexp_y score(y), by
    enumerating all K^T labellings (the reference for :func:`chain_marginals`; same guard as
    :func:`chain_argmax_exhaustive`).

    Returns
    -------
    marginals : ndarray (T, K)
    log_partition : float
    """
    U, P = _check_chain(unary, pairwise)
    scores = _all_scores(U, P, max_configurations)
    T, K = U.shape
    log_z = float(logsumexp(scores))
    prob = np.exp(scores - log_z)  # p(y), lexicographic order: y_t is axis 1 of the reshape
    marg = np.array([prob.reshape(K**t, K, -1).sum(axis=(0, 2)) for t in range(T)])
    return marg, log_z
