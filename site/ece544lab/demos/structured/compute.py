"""The structured-prediction demo's computation: a pure function of the parameters that calls
the core and returns frozen results (no Bokeh). Three parts, each memoised on the parameters it
depends on, so that moving one slider recomputes only what it changes:

* the noisy label sequence, its chain model (log-likelihood unaries, Potts pairwise), the
  per-position argmax, Viterbi and the sum-product marginals;
* exhaustive search vs DP on the first ``search_T`` positions (wall times: display only);
* the 2-D image: a drawn clean image, its label noise, row-by-row DP and ICM.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ece544core import structured

#: Largest T of the search comparison (and of its work-count plot).
SEARCH_T_MAX = 30
#: The core's refusal limit for exhaustive search (its default ``max_configurations``).
GUARD = int(structured.MAX_CONFIGURATIONS)
#: Rows of the sequence plot, top to bottom: (key, label).
ROWS = [("clean", "clean truth y"), ("noisy", "noisy observation ỹ"),
        ("argmax", "per-position argmax (no pairwise)"), ("dp", "DP / Viterbi (with Potts)")]
ICM_MAX_ITER = 20         # ICM sweeps at most (it usually converges in fewer)
#: The 2-D images, left to right: key -> caption heading.
IMAGE_TITLES = {"clean": "clean", "noisy": "noisy observation",
                "rows": "row-by-row DP (exact per row, columns ignored)",
                "icm": "approximate (ICM, local optimum)"}


def timed(fn, *args, budget: float = 0.02, repeats: int = 5, **kwargs):
    """``(fn(*args, **kwargs), seconds)``: the best of up to ``repeats`` runs, repeated only while
    the total stays under ``budget`` seconds (one slow run of a fast function, e.g. a garbage
    collection, would otherwise show DP slower than exhaustive search). Display only."""
    best = float("inf")
    total = 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        elapsed = time.perf_counter() - t0
        best, total = min(best, elapsed), total + elapsed
        if total > budget:
            break
    return result, best


def make_image(size: int, shape: str, K: int) -> np.ndarray:
    """A clean (size, size) label image drawn with numpy; row 0 is the top row.

    'disk': a disk of label 1 on background 0; 'letter': the letter E; 'shapes': a disk (1), the
    letter E (2) and a square (3), labels capped at K - 1.
    """
    n = int(size)
    yy, xx = (np.mgrid[0:n, 0:n] + 0.5) / n                 # (n, n) each, in [0, 1]
    img = np.zeros((n, n), dtype=int)

    def letter_e(x0, x1, y0, y1):
        w, h = x1 - x0, y1 - y0
        inside = (xx >= x0) & (xx < x1) & (yy >= y0) & (yy < y1)
        stem = xx < x0 + 0.3 * w
        bars = ((yy < y0 + 0.22 * h) | (yy >= y1 - 0.22 * h)
                | ((yy >= y0 + 0.39 * h) & (yy < y0 + 0.61 * h) & (xx < x1 - 0.15 * w)))
        return inside & (stem | bars)

    if shape == "disk":
        img[(xx - 0.5) ** 2 + (yy - 0.5) ** 2 < 0.32 ** 2] = 1
    elif shape == "letter":
        img[letter_e(0.22, 0.8, 0.12, 0.88)] = 1
    else:
        img[(xx - 0.33) ** 2 + (yy - 0.33) ** 2 < 0.24 ** 2] = 1
        img[letter_e(0.55, 0.92, 0.45, 0.92)] = min(2, K - 1)
        img[(xx >= 0.1) & (xx < 0.35) & (yy >= 0.7) & (yy < 0.92)] = min(3, K - 1)
    return img


# ------------------------------------------------------------------------------ results
@dataclass(frozen=True, eq=False)
class Sequence:
    """The chain model of the noisy sequence and its solutions."""

    labels: dict              # key of ROWS -> labels (T,)
    errors: dict              # key of ROWS -> number of positions differing from the clean one
    unary: np.ndarray         # (T, K): log p(noisy_t | y_t = k)
    pairwise: np.ndarray      # (K, K): Potts
    dp: structured.ChainResult
    marginals: np.ndarray     # (T, K): p(y_t = k)
    log_partition: float


@dataclass(frozen=True, eq=False)
class Search:
    """Exhaustive search vs DP on the first T positions."""

    T: int
    K: int
    dp: structured.ChainResult
    dp_time: float
    exhaustive: structured.ChainResult | None    # None: refused by the guard (see message)
    exhaustive_time: float | None
    message: str
    agree: bool | None                           # None: exhaustive search not run
    n_configurations: int


@dataclass(frozen=True, eq=False)
class Image:
    """The 2-D image: clean, noisy, row-by-row DP and ICM, with their 2-D scores."""

    images: dict              # key of IMAGE_TITLES -> labels (size, size)
    errors: dict              # key -> number of wrong pixels
    icm: structured.ICMResult
    icm_objective: np.ndarray
    rows_objective: float


@dataclass(frozen=True, eq=False)
class StructuredResult:
    sequence: Sequence
    search: Search
    image: Image


# ------------------------------------------------------------------------------ the three parts
@lru_cache(maxsize=8)
def sequence(T: int, K: int, flip_prob: float, segment_length: int, seed: int,
             smoothness: float) -> Sequence:
    clean, noisy = structured.make_noisy_sequence(T, K, flip_prob, segment_length,
                                                  random_state=seed)
    unary = structured.denoise_unary(noisy, K, flip_prob)            # (T, K)
    pairwise = structured.potts_pairwise(K, smoothness)              # (K, K)
    dp = structured.chain_argmax_dp(unary, pairwise)
    marginals, log_z = structured.chain_marginals(unary, pairwise)
    labels = dict(clean=clean, noisy=noisy, argmax=np.argmax(unary, axis=1), dp=dp.labels)
    errors = {key: int(np.sum(lab != clean)) for key, lab in labels.items()}
    return Sequence(labels=labels, errors=errors, unary=unary, pairwise=pairwise, dp=dp,
                    marginals=marginals, log_partition=float(log_z))


@lru_cache(maxsize=8)
def search(seq: Sequence, T: int) -> Search:
    """Exhaustive search (unless K^T exceeds the guard) and DP on the first T positions."""
    K = seq.unary.shape[1]
    if T > seq.unary.shape[0]:
        raise ValueError(f"search length T = {T} exceeds the sequence length "
                         f"T = {seq.unary.shape[0]}; lower the search length or lengthen the "
                         "sequence")
    unary = seq.unary[:T]
    dp, dp_time = timed(structured.chain_argmax_dp, unary, seq.pairwise)
    n_configs = K ** T
    exhaustive, exh_time, message = None, None, ""
    if n_configs > GUARD:
        message = (f"too many configurations (K^T = {K}^{T} = {n_configs:,} > "
                   f"{GUARD:,}): exhaustive search not run")
    else:
        exhaustive, exh_time = timed(structured.chain_argmax_exhaustive, unary, seq.pairwise,
                                     max_configurations=GUARD)
    agree = None
    if exhaustive is not None:
        agree = bool(np.array_equal(exhaustive.labels, dp.labels)
                     and np.isclose(exhaustive.score, dp.score, rtol=1e-12, atol=1e-9))
    return Search(T=T, K=K, dp=dp, dp_time=dp_time, exhaustive=exhaustive,
                  exhaustive_time=exh_time, message=message, agree=agree,
                  n_configurations=n_configs)


@lru_cache(maxsize=8)
def image(size: int, shape: str, K: int, flip_prob: float, seed: int,
          smoothness: float) -> Image:
    clean = make_image(size, shape, K)
    noisy = structured.flip_labels(clean, K, flip_prob, random_state=seed + 1)
    rows = structured.denoise_image_rows(noisy, K, flip_prob, smoothness)
    icm = structured.denoise_image_icm(noisy, K, flip_prob, smoothness, max_iter=ICM_MAX_ITER)
    images = dict(clean=clean, noisy=noisy, rows=rows, icm=icm.labels)
    errors = {key: int(np.sum(img != clean)) for key, img in images.items()}
    unary = structured.denoise_unary(noisy, K, flip_prob)             # (H, W, K)
    return Image(images=images, errors=errors, icm=icm,
                 icm_objective=np.asarray(icm.objective, float),
                 rows_objective=structured.potts_grid_score(rows, unary, smoothness))
