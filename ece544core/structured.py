"""Structured prediction on a chain (the notes' "exhaustive search, dynamic programming"):

    y* = argmax_y score(y),  score(y) = sum_t unary[t, y_t] + sum_t pairwise[t, y_t, y_{t+1}]

for T positions with K labels each: ``unary`` is (T, K); ``pairwise`` is (K, K) (the same for
every edge) or (T-1, K, K) (one matrix per edge t -> t+1). Scores are maximised.

* :func:`chain_argmax_exhaustive` scores all K^T labellings (vectorised in chunks, refused above
  ``max_configurations`` so that an interactive demo cannot freeze);
* :func:`chain_argmax_dp` is Viterbi (max-sum): O(T K^2) work instead of K^T scorings;
* :func:`chain_marginals` is sum-product in the log domain: p(y) = exp(score(y)) / Z, the marginals
  p(y_t = k) and log Z.

"Predictions from neighbouring pixels are useful": the denoising example puts a Potts reward
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

from ._validation import check_array, check_random_state, check_scalar
from .logistic import logsumexp

__all__ = ["ChainResult", "ICMResult", "chain_score", "chain_argmax_exhaustive",
           "chain_argmax_dp", "chain_marginals", "chain_marginals_exhaustive", "potts_pairwise",
           "denoise_unary", "make_noisy_sequence", "make_noisy_image", "denoise_image_rows",
           "denoise_image_icm", "potts_grid_score", "MAX_CONFIGURATIONS", "TIE_RTOL"]

#: Default guard of the exhaustive searches: at most this many labellings K^T.
MAX_CONFIGURATIONS = 2_000_000
#: Relative tolerance of the tie rule (see the module docstring).
TIE_RTOL = 1e-10
#: Labellings scored per broadcast block by the exhaustive searches.
_CHUNK_ENTRIES = 1 << 16
#: ICM changes a pixel only if it gains more than this times the local score scale.
_ICM_RTOL = 1e-9


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


@dataclass(frozen=True, eq=False)
class ICMResult:
    """The result of :func:`denoise_image_icm`; unpacks as ``labels, objective = result``.

    Attributes
    ----------
    labels : ndarray of int (H, W)
        The final labelling: a local optimum (no single pixel can improve the objective).
    objective : ndarray (n_iter + 1,)
        :func:`potts_grid_score` of the initial labelling and after each sweep (never falls).
    n_iter : int
        Sweeps done (each updates every pixel once: the two checkerboard colours in turn).
    converged : bool
        The last sweep changed no pixel.
    """

    labels: np.ndarray
    objective: np.ndarray
    n_iter: int
    converged: bool

    def __iter__(self):
        return iter((self.labels, self.objective))


# ------------------------------------------------------------------------------ validation
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


def _check_K(K) -> int:
    return check_scalar(K, "K", kind=int, min_val=1)


def _check_flip_prob(flip_prob, open_interval: bool = True) -> float:
    """flip_prob in (0, 1) for log-likelihoods, in [0, 1] for sampling."""
    return check_scalar(flip_prob, "flip_prob", kind=float, min_val=0.0, max_val=1.0,
                        include_min=not open_interval, include_max=not open_interval)


def _check_smoothness(smoothness) -> float:
    s = check_scalar(smoothness, "smoothness", kind=float, min_val=0.0)
    if not np.isfinite(s):
        raise ValueError(f"smoothness must be finite; got {s!r}")
    return s


def _tolerance(U: np.ndarray, P: np.ndarray) -> np.ndarray:
    """TIE_RTOL times a bound on |score| (one value per chain of a batch U (..., T, K))."""
    edge = np.abs(P).max(axis=(1, 2)).sum() if P.shape[0] else 0.0
    return TIE_RTOL * (np.abs(U).max(axis=-1).sum(axis=-1) + edge)


# ------------------------------------------------------------------------------ scoring
def _score_block(Y: np.ndarray, U: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Scores of a block of labellings Y (n, T): sum_t U[t, y_t] + sum_t P[t, y_t, y_{t+1}]."""
    T = U.shape[0]
    s = U[np.arange(T), Y].sum(axis=1)  # (n, T) -> (n,)
    if T > 1:
        s = s + P[np.arange(T - 1), Y[:, :-1], Y[:, 1:]].sum(axis=1)  # (n, T-1) -> (n,)
    return s


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
    pairwise : array-like (K, K) or (T-1, K, K)

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
    unary : array-like (T, K)
    pairwise : array-like (K, K) or (T-1, K, K)

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


# ------------------------------------------------------------------------------ denoising
def potts_pairwise(K: int, smoothness: float) -> np.ndarray:
    """pairwise[k, j] = smoothness * [k == j]: the Potts reward for equal neighbours.

    "Predictions from neighbouring pixels are useful": with ``smoothness`` > 0 a labelling that
    changes label less often scores higher; ``smoothness`` = 0 decouples the positions.

    Returns
    -------
    ndarray (K, K)
    """
    return _check_smoothness(smoothness) * np.eye(_check_K(K))


def denoise_unary(noisy_labels, K: int, flip_prob: float) -> np.ndarray:
    """unary[..., k] = log p(x | y = k) for the flip noise p(x | y) = 1 - flip_prob if x = y, else
    flip_prob / (K - 1) (the noisy label x is the true one with probability 1 - flip_prob,
    otherwise one of the K - 1 others chosen uniformly).

    With these unaries and :func:`potts_pairwise`, the chain score is the log-posterior of the
    clean labels up to a constant. Per position the most likely label is the noisy one whenever
    flip_prob < (K - 1) / K (flip_prob < 0.5 for K = 2).

    Parameters
    ----------
    noisy_labels : array-like of int, any shape S (a sequence (T,) or an image (H, W))
    K : int >= 1
    flip_prob : float in (0, 1)  (K = 1 gives unaries 0: there is nothing to flip to)

    Returns
    -------
    ndarray of shape S + (K,)
    """
    K = _check_K(K)
    p = _check_flip_prob(flip_prob)
    x = _check_labels(noisy_labels, "noisy_labels", K)
    if x.size == 0:
        raise ValueError(f"noisy_labels must not be empty; got an array of shape {x.shape}")
    if K == 1:
        return np.zeros(x.shape + (1,))
    keep, other = np.log1p(-p), np.log(p / (K - 1))
    return np.where(x[..., None] == np.arange(K), keep, other)


def _flip(clean: np.ndarray, K: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Each label flips with probability p to one of the K - 1 other labels (uniformly)."""
    if K == 1:
        return clean.copy()
    flips = rng.random(clean.shape) < p
    return np.where(flips, (clean + rng.integers(1, K, size=clean.shape)) % K, clean)


def make_noisy_sequence(T: int = 100, K: int = 3, flip_prob: float = 0.2,
                        segment_length: int = 10, random_state=None):
    """A clean piecewise-constant labelling and its noisy copy x_t (flip noise of
    :func:`denoise_unary`).

    The clean sequence is made of segments of ``segment_length`` equal labels (the last may be
    shorter); the first segment's label is uniform and every next one differs from the previous
    (for K >= 2).

    Returns
    -------
    clean, noisy : ndarray of int (T,)
    """
    T = check_scalar(T, "T", kind=int, min_val=1)
    K = _check_K(K)
    p = _check_flip_prob(flip_prob, open_interval=False)
    length = check_scalar(segment_length, "segment_length", kind=int, min_val=1)
    rng = check_random_state(random_state)
    n_seg = -(-T // length)
    steps = rng.integers(1, K, size=n_seg) if K > 1 else np.zeros(n_seg, dtype=np.int64)
    steps[0] = rng.integers(K)
    seg_labels = np.cumsum(steps) % K  # consecutive segments differ when K >= 2
    clean = np.repeat(seg_labels, length)[:T].astype(np.int64)
    return clean, _flip(clean, K, p, rng)


def make_noisy_image(height: int = 32, width: int = 32, K: int = 3, flip_prob: float = 0.2,
                     block_size: int = 8, random_state=None):
    """A clean image of ``block_size`` x ``block_size`` blocks of uniform random labels and its
    noisy copy (flip noise of :func:`denoise_unary`).

    Returns
    -------
    clean, noisy : ndarray of int (height, width)
    """
    H = check_scalar(height, "height", kind=int, min_val=1)
    W = check_scalar(width, "width", kind=int, min_val=1)
    K = _check_K(K)
    p = _check_flip_prob(flip_prob, open_interval=False)
    b = check_scalar(block_size, "block_size", kind=int, min_val=1)
    rng = check_random_state(random_state)
    blocks = rng.integers(K, size=(-(-H // b), -(-W // b)))
    clean = np.repeat(np.repeat(blocks, b, axis=0), b, axis=1)[:H, :W].astype(np.int64)
    return clean, _flip(clean, K, p, rng)


def denoise_image_rows(noisy_image, K: int, flip_prob: float, smoothness: float) -> np.ndarray:
    """Each row r solved exactly: y_r = argmax_y sum_c unary[r, c, y_c] + smoothness * sum_c
    [y_c == y_{c+1}] (Viterbi along the row; vertical neighbours are ignored).

    All rows run through one batched max-sum pass (a loop over columns, vectorised over rows and
    labels); row r equals ``chain_argmax_dp(unary[r], potts_pairwise(K, smoothness)).labels``,
    tie rule included.

    Parameters
    ----------
    noisy_image : array-like of int (H, W)
    K : int >= 1
    flip_prob : float in (0, 1)
    smoothness : float >= 0

    Returns
    -------
    ndarray of int (H, W)
    """
    K = _check_K(K)
    x = _check_labels(noisy_image, "noisy_image", K, ndim=2)
    U = denoise_unary(x, K, flip_prob)  # (H, W, K)
    P = np.broadcast_to(potts_pairwise(K, smoothness), (x.shape[1] - 1, K, K))
    M = _max_sum_messages(U, P)
    return _decode(U, P, M, _tolerance(U, P))


def potts_grid_score(labels, unary, smoothness: float) -> float:
    """E(y) = sum_{r,c} unary[r, c, y_rc] + smoothness * #{4-neighbour pairs p~q : y_p == y_q}:
    the grid objective that :func:`denoise_image_icm` increases.

    Parameters
    ----------
    labels : array-like of int (H, W)
    unary : array-like (H, W, K)
    smoothness : float >= 0

    Returns
    -------
    float
    """
    U = check_array(unary, name="unary", ensure_2d=False, min_samples=0)
    if U.ndim != 3 or 0 in U.shape:
        raise ValueError(f"unary must be a non-empty 3-D array of shape (H, W, K); got an array "
                         f"of shape {U.shape}")
    y = _check_labels(labels, "labels", U.shape[2], shape=U.shape[:2])
    return _grid_score(y, U, _check_smoothness(smoothness))


def _grid_score(y: np.ndarray, U: np.ndarray, s: float) -> float:
    unary_part = np.take_along_axis(U, y[..., None], axis=2).sum()
    agree = np.count_nonzero(y[:, 1:] == y[:, :-1]) + np.count_nonzero(y[1:] == y[:-1])
    return float(unary_part + s * agree)


def _neighbour_counts(y: np.ndarray, K: int) -> np.ndarray:
    """N[r, c, k] = number of 4-neighbours of pixel (r, c) with label k: (H, W, K)."""
    onehot = (y[..., None] == np.arange(K)).astype(np.float64)  # (H, W, K)
    N = np.zeros_like(onehot)
    N[1:] += onehot[:-1]
    N[:-1] += onehot[1:]
    N[:, 1:] += onehot[:, :-1]
    N[:, :-1] += onehot[:, 1:]
    return N


def denoise_image_icm(noisy_image, K: int, flip_prob: float, smoothness: float,
                      max_iter: int = 10, init=None) -> ICMResult:
    """Iterated conditional modes on the 4-connected grid: repeatedly set each pixel to

        y_p <- argmax_k unary[p, k] + smoothness * #{q ~ p : y_q = k}

    with its neighbours fixed. APPROXIMATE: every update can only increase the objective
    E(y) (:func:`potts_grid_score`), so ICM stops at a local optimum, not necessarily the
    maximum (the grid has cycles: no exact DP as on a chain).

    A sweep updates the two checkerboard colours in turn; pixels of one colour are not
    neighbours of each other, so updating them all at once equals updating them one by one. A
    pixel keeps its label unless another one gains more than a round-off margin 1e-9 (max |unary|
    + 4 smoothness), so E strictly rises with every change and ICM terminates. Stops after a
    sweep with no change (``converged``) or after ``max_iter`` sweeps.

    Parameters
    ----------
    noisy_image : array-like of int (H, W)
    K : int >= 1
    flip_prob : float in (0, 1)
    smoothness : float >= 0
    max_iter : int >= 0
        Maximum number of sweeps.
    init : None or array-like of int (H, W)
        Starting labelling; None starts from the per-pixel argmax of the unaries (the noisy image
        when flip_prob < (K - 1) / K). E.g. pass :func:`denoise_image_rows`' result.

    Returns
    -------
    ICMResult
        ``labels, objective = result`` also works.
    """
    K = _check_K(K)
    x = _check_labels(noisy_image, "noisy_image", K, ndim=2)
    U = denoise_unary(x, K, flip_prob)  # (H, W, K)
    s = _check_smoothness(smoothness)
    max_iter = check_scalar(max_iter, "max_iter", kind=int, min_val=0)
    y = U.argmax(axis=2) if init is None else _check_labels(init, "init", K, shape=x.shape)
    margin = _ICM_RTOL * (np.abs(U).max() + 4 * s)
    colour = (np.add.outer(np.arange(x.shape[0]), np.arange(x.shape[1])) % 2).astype(bool)
    objective = [_grid_score(y, U, s)]
    n_iter, converged = 0, False
    while n_iter < max_iter and not converged:
        changed = False
        for mask in (~colour, colour):
            local = U + s * _neighbour_counts(y, K)  # (H, W, K)
            current = np.take_along_axis(local, y[..., None], axis=2)[..., 0]
            move = mask & (local.max(axis=2) > current + margin)
            y = np.where(move, local.argmax(axis=2), y)
            changed |= bool(move.any())
        n_iter += 1
        converged = not changed
        objective.append(_grid_score(y, U, s))
    return ICMResult(labels=y.astype(np.int64), objective=np.asarray(objective), n_iter=n_iter,
                     converged=converged)
