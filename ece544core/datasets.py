"""Toy data sets for the demos, the notes' 1-D experiments, splitting, and the MNIST subset.

Every generator takes ``random_state`` (None, int or ``numpy.random.Generator``) and returns
``X`` as float64 and labels ``y`` as int64. The 2-D sets are shuffled.
"""
from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np

from ._validation import check_option, check_random_state, check_scalar, check_y
from .toysets import (TOY_2D, ToySet, _n_samples, _noise,  # noqa: F401
                      make_anisotropic_blobs, make_blobs, make_circles, make_moons, make_spirals,
                      make_toy, make_xor)

__all__ = [
    "make_blobs", "make_moons", "make_circles", "make_xor", "make_spirals",
    "make_anisotropic_blobs", "TOY_2D", "ToySet", "make_toy",
    "make_two_gaussians_1d", "make_regression_1d", "REGRESSION_FUNCTIONS",
    "train_test_split", "load_mnist", "load_mnist_split", "MNIST_PATH", "MNIST_TRAIN_SIZE",
]

#: Where ``load_mnist`` reads the 10,000 digits (written by ``python3 build.py data``).
MNIST_PATH = Path(__file__).parent / "data" / "mnist.npz"
#: The split convention: the (pre-shuffled) first 8000 digits train, the last 2000 test.
MNIST_TRAIN_SIZE = 8000


# ------------------------------------------------------------------------------ 1-D sets
def make_two_gaussians_1d(n_samples=200, random_state=None):
    """The notes' logistic-regression experiment: x | y ~ N(2 y, 1) with y in {-1, +1}.

    Class y = -1 has mean -2, class y = +1 mean +2, both unit variance; the classes are
    balanced (y = -1 gets the smaller half when ``n_samples`` is odd) and shuffled.

    Returns
    -------
    x : ndarray of shape (n_samples,)
    y : ndarray of shape (n_samples,), int64 in {-1, +1}
    """
    n = _n_samples(n_samples, 2)
    rng = check_random_state(random_state)
    n_neg = n // 2
    y = np.repeat([-1, 1], [n_neg, n - n_neg])
    x = 2.0 * y + rng.standard_normal(n)
    order = rng.permutation(n)
    return x[order], y[order].astype(np.int64)


#: The noiseless functions of ``make_regression_1d`` (for plotting the truth).
REGRESSION_FUNCTIONS = {
    "sin": lambda x: np.sin(2 * np.pi * x),
    "linear": lambda x: 2.0 * x - 1.0,
    "cubic": lambda x: 8.0 * (x - 0.5) ** 3 - (x - 0.5),
}


def make_regression_1d(n_samples=20, noise=0.2, function="sin", random_state=None):
    """Noisy samples of a 1-D function: y = f(x) + eps, x ~ U[0, 1], eps ~ N(0, noise^2).

    ``f`` is ``REGRESSION_FUNCTIONS[function]``: ``"sin"`` = sin(2 pi x),
    ``"linear"`` = 2x - 1, ``"cubic"`` = 8(x - 1/2)^3 - (x - 1/2). The x are sorted.

    Returns
    -------
    x : ndarray of shape (n_samples,), in [0, 1]
    y : ndarray of shape (n_samples,)
    """
    n = _n_samples(n_samples, 1)
    noise = _noise(noise)
    function = check_option(function, "function", REGRESSION_FUNCTIONS)
    rng = check_random_state(random_state)
    x = np.sort(rng.uniform(0.0, 1.0, n))
    y = REGRESSION_FUNCTIONS[function](x) + noise * rng.standard_normal(n)
    return x, y


# ------------------------------------------------------------------------------ splitting
def _n_test(test_size, n: int) -> int:
    if isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        n_test = check_scalar(test_size, "test_size", kind=int, min_val=1, max_val=n - 1)
    else:
        frac = check_scalar(test_size, "test_size", kind=float, min_val=0.0, max_val=1.0,
                            include_min=False, include_max=False)
        n_test = math.ceil(frac * n)
    if not 1 <= n_test <= n - 1:
        raise ValueError(f"test_size={test_size!r} leaves {n - n_test} training and {n_test} "
                         f"test samples out of {n}; both parts need at least one")
    return n_test


def _stratified_test_indices(rng, labels: np.ndarray, n_test: int) -> np.ndarray:
    """Pick n_test indices so that every class gets its proportional share (largest
    remainder rounding; ties go to the class listed first)."""
    classes, y = np.unique(labels, return_inverse=True)
    counts = np.bincount(y)
    exact = n_test * counts / counts.sum()
    take = np.floor(exact).astype(int)
    order = np.argsort(-(exact - take), kind="stable")
    take[order[: n_test - take.sum()]] += 1
    picked = [rng.permutation(np.flatnonzero(y == c))[: take[c]] for c in range(len(classes))]
    return np.concatenate(picked)


def train_test_split(*arrays, test_size=0.25, random_state=None, stratify=None):
    """Split arrays into random train and test subsets (the same rows for every array).

    Parameters
    ----------
    *arrays : array-likes with the same first dimension n
    test_size : float in (0, 1) or int
        Fraction (rounded up) or number of test samples.
    random_state : None, int or numpy.random.Generator
    stratify : array-like of shape (n,) or None
        Labels whose class proportions the test part should keep.

    Returns
    -------
    list
        ``[a_train, a_test, b_train, b_test, ...]``.
    """
    if not arrays:
        raise ValueError("train_test_split needs at least one array")
    arrays = [np.asarray(a) for a in arrays]
    for i, a in enumerate(arrays):
        if a.ndim == 0:
            raise ValueError(f"array {i} must have at least one dimension; got a scalar")
    n = arrays[0].shape[0]
    for i, a in enumerate(arrays[1:], start=1):
        if a.shape[0] != n:
            raise ValueError(f"all arrays must have the same number of samples; array 0 has "
                             f"{n}, array {i} has {a.shape[0]}")
    if n < 2:
        raise ValueError(f"train_test_split needs at least 2 samples; got {n}")
    n_test = _n_test(test_size, n)
    rng = check_random_state(random_state)
    if stratify is None:
        test = rng.permutation(n)[:n_test]
    else:
        labels = check_y(stratify, name="stratify")
        if labels.shape[0] != n:
            raise ValueError(f"stratify must have one label per sample ({n}); "
                             f"got {labels.shape[0]}")
        test = rng.permutation(_stratified_test_indices(rng, labels, n_test))
    is_test = np.zeros(n, dtype=bool)
    is_test[test] = True
    train = rng.permutation(np.flatnonzero(~is_test))
    out = []
    for a in arrays:
        out += [a[train], a[test]]
    return out


# ------------------------------------------------------------------------------ MNIST
@functools.lru_cache(maxsize=1)
def _read_mnist() -> tuple[np.ndarray, np.ndarray]:
    """Read the .npz once; the cached arrays are made read-only so callers cannot alter them."""
    if not MNIST_PATH.exists():
        raise FileNotFoundError(f"MNIST data not found at {MNIST_PATH}: "
                                "run `python3 build.py data` in the project root to create it")
    with np.load(MNIST_PATH) as data:
        X, y = data["X"], data["y"]
    if X.shape != (10000, 784) or X.dtype != np.uint8 or y.shape != (10000,):
        raise ValueError(f"{MNIST_PATH} is not the expected MNIST subset: X {X.shape} "
                         f"{X.dtype}, y {y.shape}; run `python3 build.py data` again")
    X.setflags(write=False)
    y = y.astype(np.int64, copy=False)
    y.setflags(write=False)
    return X, y


def load_mnist(return_images=False):
    """The 10,000-digit MNIST subset (about 1,000 per class, pre-shuffled).

    Parameters
    ----------
    return_images : bool
        Return X as images of shape (n, 28, 28) instead of flat rows (n, 784).

    Returns
    -------
    X : ndarray of uint8 (0 = background, 255 = ink), shape (10000, 784) or (10000, 28, 28)
    y : ndarray of int64, shape (10000,), digits 0-9

    Both arrays are read-only views of a cached copy; use ``X.astype(float)`` or ``X.copy()``
    for a private, writeable array.

    Raises
    ------
    FileNotFoundError
        If ``ece544core/data/mnist.npz`` is missing (run ``python3 build.py data``).
    """
    X, y = _read_mnist()
    if return_images:
        X = X.reshape(-1, 28, 28)  # (n, 28, 28)
    return X, y


def load_mnist_split(return_images=False):
    """The course split of :func:`load_mnist`: the first ``MNIST_TRAIN_SIZE`` = 8000 digits
    train, the last 2000 test (the data are pre-shuffled).

    Returns
    -------
    X_train, y_train, X_test, y_test : read-only ndarrays
    """
    X, y = load_mnist(return_images=return_images)
    k = MNIST_TRAIN_SIZE
    return X[:k], y[:k], X[k:], y[k:]
