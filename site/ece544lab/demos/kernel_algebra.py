"""The kernels demo's data and its use of the core's kernel algebra
(:mod:`ece544core.kernel_algebra`): only the choice of data and presentation live here."""
from __future__ import annotations

import numpy as np

from ece544core import datasets, kernel_algebra, kernels

#: The registry's two-class sets that no line separates.
DATASETS = ("circles", "moons", "xor")
#: Which sliders each base function uses ("distance" ||x - z|| takes none).
USES = {**{name: kernels.KERNEL_PARAMS[name] for name in ("linear", "poly", "rbf", "sigmoid")},
        "distance": ()}


def sorted_data(dataset: str, n_samples: int, noise: float, seed: int):
    """The registry's 2-D sample with its points sorted by class (class 0 first), so that the
    Gram matrix shows the within-class blocks on its diagonal."""
    X, y = datasets.make_toy(dataset, n_samples=n_samples, noise=noise, random_state=seed)
    order = np.argsort(y, kind="stable")
    return X[order], y[order]


def kernel_function(spec1: tuple, spec2: tuple, combine: str, a: float, b: float):
    """K = a·K1 ⊕ b·K2 for base functions given as (name, gamma, degree, coef0):
    :class:`ece544core.kernel_algebra.Combination` (the callable and the weight refusals)."""
    k1 = kernel_algebra.base_function(*spec1)
    k2 = kernel_algebra.base_function(*spec2) if combine != "K1" else None
    return kernel_algebra.combine(k1, k2, combine, a, b)
