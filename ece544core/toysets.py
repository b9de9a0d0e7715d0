"""The 2-D toy data sets, in one registry that every demo selects from.

Every generator takes ``random_state`` (None, int or ``numpy.random.Generator``) and returns ``X``
(n, 2) as float64 and labels ``y`` (n,) as int64 in {0, ..., K - 1}; the sets are shuffled.
:data:`TOY_2D` names each set with one signature, ``make(n_samples, noise, n_classes,
random_state)``, and says what its ``noise`` means; :func:`make_toy` draws one by name.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._validation import check_array, check_option, check_random_state, check_scalar

__all__ = ["make_blobs", "make_moons", "make_circles", "make_xor", "make_spirals",
           "make_anisotropic_blobs", "class_centers", "CENTER_LAYOUTS", "ToySet", "TOY_2D",
           "make_toy"]


# ------------------------------------------------------------------------------ helpers
def _n_samples(n_samples, minimum: int) -> int:
    return check_scalar(n_samples, "n_samples", kind=int, min_val=minimum)


def _noise(noise) -> float:
    return check_scalar(noise, "noise", kind=(int, float), min_val=0.0)


def _split_counts(n: int, parts: int) -> np.ndarray:
    """n as evenly as possible into ``parts`` integers, the first ones one larger."""
    return np.full(parts, n // parts) + (np.arange(parts) < n % parts)


def _shuffled(rng: np.random.Generator, X: np.ndarray, y: np.ndarray):
    order = rng.permutation(len(y))
    return X[order], y[order].astype(np.int64)


# ------------------------------------------------------------------------------ 2-D toy sets
def make_blobs(n_samples=200, centers=3, cluster_std=1.0, center_box=(-10.0, 10.0),
               random_state=None):
    """Isotropic Gaussian blobs: x ~ N(mu_c, cluster_std^2 I) for class c.

    Parameters
    ----------
    n_samples : int
        Total number of points, divided as evenly as possible among the blobs.
    centers : int or array-like of shape (n_centers, 2)
        Number of blobs (their centres drawn uniformly in ``center_box``^2) or the centres.
    cluster_std : float
        Standard deviation of every blob.
    center_box : (float, float)
        Range of the random centres.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), int64 in {0, ..., n_centers - 1}
    """
    rng = check_random_state(random_state)
    cluster_std = check_scalar(cluster_std, "cluster_std", min_val=0.0)
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        k = check_scalar(centers, "centers", kind=int, min_val=1)
        low, high = (float(v) for v in center_box)
        mu = rng.uniform(low, high, size=(k, 2))
    else:
        mu = check_array(centers, name="centers")
        if mu.shape[1] != 2:
            raise ValueError(f"centers must have shape (n_centers, 2); got {mu.shape}")
        k = mu.shape[0]
    n = _n_samples(n_samples, k)
    y = np.repeat(np.arange(k), _split_counts(n, k))
    X = mu[y] + cluster_std * rng.standard_normal((n, 2))
    return _shuffled(rng, X, y)


def make_moons(n_samples=200, noise=0.1, random_state=None):
    """Two interleaving half circles: (cos t, sin t) for class 0 and (1 - cos t, 1/2 - sin t)
    for class 1, t in [0, pi], plus Gaussian noise of standard deviation ``noise``.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), int64 in {0, 1}
    """
    n = _n_samples(n_samples, 2)
    noise = _noise(noise)
    rng = check_random_state(random_state)
    n0, n1 = _split_counts(n, 2)
    t0, t1 = np.linspace(0.0, np.pi, n0), np.linspace(0.0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.vstack([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.repeat([0, 1], [n0, n1])
    return _shuffled(rng, X, y)


def make_circles(n_samples=200, noise=0.05, factor=0.5, random_state=None):
    """Two concentric circles: radius 1 (class 0) and radius ``factor`` (class 1), plus
    Gaussian noise of standard deviation ``noise``.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), int64 in {0, 1}
    """
    n = _n_samples(n_samples, 2)
    noise = _noise(noise)
    factor = check_scalar(factor, "factor", min_val=0.0, max_val=1.0,
                          include_min=False, include_max=False)
    rng = check_random_state(random_state)
    n0, n1 = _split_counts(n, 2)
    t0 = np.linspace(0.0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0.0, 2 * np.pi, n1, endpoint=False)
    outer = np.column_stack([np.cos(t0), np.sin(t0)])
    inner = factor * np.column_stack([np.cos(t1), np.sin(t1)])
    X = np.vstack([outer, inner]) + noise * rng.standard_normal((n, 2))
    y = np.repeat([0, 1], [n0, n1])
    return _shuffled(rng, X, y)


def make_xor(n_samples=200, noise=0.1, random_state=None):
    """XOR: x uniform in [-1, 1]^2, y = [x_1 > 0] XOR [x_2 > 0], then Gaussian noise of standard
    deviation ``noise`` is added to x (so points near the axes may cross over).

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), int64 in {0, 1}
    """
    n = _n_samples(n_samples, 1)
    noise = _noise(noise)
    rng = check_random_state(random_state)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(np.int64)
    X += noise * rng.standard_normal((n, 2))
    return X, y


def make_spirals(n_samples=200, n_classes=2, noise=0.05, turns=1.5, random_state=None):
    """Interleaved spiral arms: for class c, r = t and
    theta = 2 pi c / n_classes + 2 pi turns t with t in [0.05, 1], plus Gaussian noise.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), int64 in {0, ..., n_classes - 1}
    """
    n_classes = check_scalar(n_classes, "n_classes", kind=int, min_val=2)
    n = _n_samples(n_samples, n_classes)
    noise = _noise(noise)
    turns = check_scalar(turns, "turns", min_val=0.0, include_min=False)
    rng = check_random_state(random_state)
    counts = _split_counts(n, n_classes)
    y = np.repeat(np.arange(n_classes), counts)
    t = np.concatenate([np.linspace(0.05, 1.0, c) for c in counts])
    theta = 2 * np.pi * y / n_classes + 2 * np.pi * turns * t
    X = t[:, None] * np.column_stack([np.cos(theta), np.sin(theta)])
    X += noise * rng.standard_normal((n, 2))
    return _shuffled(rng, X, y)



def make_anisotropic_blobs(n_samples=200, centers=3, spread=1.0, random_state=None):
    """Gaussian blobs with unequal, tilted spreads and unequal sizes.

    Blob c has centre mu_c ~ U[-5, 5]^2, covariance R(a_c) diag(s_c1^2, s_c2^2) R(a_c)^T with
    s_cj = spread * U[0.25, 1.25] and a_c ~ U[0, pi), and a share of the points drawn from a
    Dirichlet(4, ..., 4) (at least 2 each, where n allows). Not shuffled: rows come by blob.
    """
    k = check_scalar(centers, "centers", kind=int, min_val=1)
    n = _n_samples(n_samples, k)
    spread = check_scalar(spread, "spread", min_val=0.0)
    rng = check_random_state(random_state)
    centres = rng.uniform(-5.0, 5.0, size=(k, 2))
    scales = spread * rng.uniform(0.25, 1.25, size=(k, 2))
    angles = rng.uniform(0.0, np.pi, size=k)
    share = rng.dirichlet(np.full(k, 4.0))
    counts = np.maximum(np.floor(share * n).astype(int), min(2, n // k))
    counts[np.argmax(counts)] += n - counts.sum()             # total exactly n
    X, y = [], []
    for c in range(k):
        cos, sin = np.cos(angles[c]), np.sin(angles[c])
        R = np.array([[cos, -sin], [sin, cos]])
        z = rng.standard_normal((counts[c], 2)) * scales[c]
        X.append(centres[c] + z @ R.T)
        y.append(np.full(counts[c], c, dtype=np.int64))
    return np.concatenate(X), np.concatenate(y)


#: Layouts of :func:`class_centers`.
CENTER_LAYOUTS = ("circle", "line", "random")


def class_centers(n_classes: int, layout: str = "circle", radius: float = 2.5, gap: float = 2.0,
                  random_state=None) -> np.ndarray:
    """(K, 2) centres: evenly on a circle of ``radius`` (the first at the top), ``gap`` apart on
    a horizontal line (the middle classes cannot be cut from the rest by one line), or uniform
    in [-radius, radius]^2."""
    K = check_scalar(n_classes, "n_classes", kind=int, min_val=1)
    check_option(layout, "layout", CENTER_LAYOUTS)
    if layout == "circle":
        t = np.pi / 2 + 2 * np.pi * np.arange(K) / K
        return radius * np.column_stack([np.cos(t), np.sin(t)])
    if layout == "line":
        return np.column_stack([gap * (np.arange(K) - (K - 1) / 2), np.zeros(K)])
    return check_random_state(random_state).uniform(-radius, radius, size=(K, 2))


# ------------------------------------------------------------------------------ the registry
@dataclass(frozen=True)
class ToySet:
    """A named 2-D set: ``make(n_samples, noise, n_classes, random_state) -> (X, y)``.

    ``n_classes`` is the default number of classes; ``fixed_classes`` sets ignore the argument.
    ``noise`` documents what the noise argument controls for this set.
    """

    name: str
    make: Callable
    n_classes: int
    noise: str
    fixed_classes: bool = True


def _pair(centre, base_std):
    """Two blobs at -centre and +centre with std base_std + 2 noise."""
    def make(n_samples, noise, n_classes, random_state):
        return make_blobs(n_samples, centers=[[-c for c in centre], list(centre)],
                          cluster_std=base_std + 2.0 * noise, random_state=random_state)
    return make


def _random_blobs(n_samples, noise, n_classes, random_state):
    return make_blobs(n_samples, centers=n_classes, cluster_std=noise, center_box=(-6.0, 6.0),
                      random_state=random_state)


def _classes(n_samples, noise, n_classes, random_state):
    rng = check_random_state(random_state)
    return make_blobs(n_samples, centers=class_centers(n_classes, "circle"), cluster_std=noise,
                      random_state=rng)


def _no_classes(fn):
    def make(n_samples, noise, n_classes, random_state):
        return fn(n_samples=n_samples, noise=noise, random_state=random_state)
    return make


TOY_2D: dict[str, ToySet] = {s.name: s for s in (
    ToySet("blobs", _pair((1.5, 1.0), 0.2), 2, "blob std = 0.2 + 2 noise; centres +-(1.5, 1): separable "
           "at small noise"),
    ToySet("overlap", _pair((0.8, 0.5), 0.6), 2, "blob std = 0.6 + 2 noise; centres +-(0.8, 0.5): never "
           "linearly separable"),
    ToySet("moons", _no_classes(make_moons), 2, "std of the Gaussian noise added to the moons"),
    ToySet("circles", _no_classes(make_circles), 2, "std of the noise added to the circles"),
    ToySet("xor", _no_classes(make_xor), 2, "std of the noise added to the XOR points"),
    ToySet("spirals", lambda n, noise, k, rs: make_spirals(n, k, noise, random_state=rs), 2,
           "std of the noise added to the spiral arms", fixed_classes=False),
    ToySet("random_blobs", _random_blobs, 3, "std of every blob; centres uniform in [-6, 6]^2",
           fixed_classes=False),
    ToySet("classes", _classes, 3, "std of every blob; centres on a circle of radius 2.5",
           fixed_classes=False),
    ToySet("anisotropic", lambda n, noise, k, rs: make_anisotropic_blobs(n, k, noise, rs), 3,
           "spread: the blobs' axis lengths are spread * U[0.25, 1.25]", fixed_classes=False),
)}


def make_toy(name: str, n_samples: int = 200, noise: float = 0.1, n_classes: int | None = None,
             random_state=None):
    """Draw the registered 2-D set ``name`` (see :data:`TOY_2D`): returns (X (n, 2), y (n,)).

    ``n_classes`` (default: the set's own) is accepted only by sets with a variable number of
    classes.
    """
    check_option(name, "name", tuple(TOY_2D))
    toy = TOY_2D[name]
    if n_classes is None:
        n_classes = toy.n_classes
    elif toy.fixed_classes and n_classes != toy.n_classes:
        raise ValueError(f"n_classes: the {name!r} set has exactly {toy.n_classes} classes; "
                         f"got {n_classes!r}")
    else:
        n_classes = check_scalar(n_classes, "n_classes", kind=int, min_val=1)
    _noise(noise)
    X, y = toy.make(n_samples, noise, n_classes, random_state)
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.int64)
