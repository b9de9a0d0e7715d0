"""Denoising with neighbouring labels (the notes' "predictions from neighbouring pixels are
useful"): a label-flip noise model, its log-likelihood unaries and a Potts reward on equal
neighbours, solved exactly along a sequence (:func:`ece544core.structured.chain_argmax_dp`), row
by row on an image (:func:`denoise_image_rows`, exact per row, columns ignored) or approximately
on the 4-connected grid (:func:`denoise_image_icm`, iterated conditional modes: a local optimum).

The noise model: each label y in {0, ..., K-1} is observed as x = y with probability 1 - p and
as each of the K - 1 other labels with probability p / (K - 1) (:func:`flip_labels` samples it,
:func:`denoise_unary` gives its log-likelihood).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._chain import _check_labels, _decode, _max_sum_messages, _tolerance
from ._validation import check_array, check_random_state, check_scalar

__all__ = ["ICMResult", "potts_pairwise", "denoise_unary", "flip_labels", "make_noisy_sequence",
           "make_noisy_image", "denoise_image_rows", "denoise_image_icm", "potts_grid_score"]

#: ICM changes a pixel only if it gains more than this times the local score scale.
_ICM_RTOL = 1e-9


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


def flip_labels(labels, K: int, flip_prob: float, random_state=None) -> np.ndarray:
    """x = y with probability 1 - flip_prob, else one of the K - 1 other labels, uniformly:
    the label noise p(x | y) of :func:`denoise_unary`, applied to every entry independently.

    Per entry: u ~ U[0, 1); if u < flip_prob, x = (y + r) mod K with r uniform in {1, ..., K-1}
    (so x != y and each other label has probability flip_prob / (K - 1)); otherwise x = y.

    Parameters
    ----------
    labels : array-like of int, any shape S
        Clean labels y in {0, ..., K-1}.
    K : int >= 1
        Number of labels (K = 1: nothing to flip to, the labels are returned unchanged).
    flip_prob : float in [0, 1]
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    ndarray of int, shape S
        The noisy labels x; the same seed gives the same x.
    """
    K = _check_K(K)
    p = _check_flip_prob(flip_prob, open_interval=False)
    y = _check_labels(labels, "labels", K)
    return _flip(y, K, p, check_random_state(random_state))


def _flip(clean: np.ndarray, K: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """:func:`flip_labels` on validated input, drawing from ``rng``."""
    if K == 1:
        return clean.copy()
    flips = rng.random(clean.shape) < p
    return np.where(flips, (clean + rng.integers(1, K, size=clean.shape)) % K, clean)


def make_noisy_sequence(T: int = 100, K: int = 3, flip_prob: float = 0.2,
                        segment_length: int = 10, random_state=None):
    """A clean piecewise-constant labelling and its noisy copy x_t (:func:`flip_labels`).

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
    noisy copy (:func:`flip_labels`).

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


def _image_model(noisy_image, K, flip_prob):
    """Validated K, the noisy image x (H, W) and its unaries (H, W, K) of the flip noise."""
    K = _check_K(K)
    x = _check_labels(noisy_image, "noisy_image", K, ndim=2)
    return K, x, denoise_unary(x, K, flip_prob)


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
    K, x, U = _image_model(noisy_image, K, flip_prob)
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
    noisy_image, K, flip_prob, smoothness : the model, as in :func:`denoise_image_rows`.
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
    K, x, U = _image_model(noisy_image, K, flip_prob)
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
