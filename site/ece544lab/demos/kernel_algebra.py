"""The kernels demo's kernel arithmetic on samples: base functions with bound parameters (and
the deliberate non-kernel ||x - z||), weights and combinations K = a K1 + b K2 or (a K1)(b K2),
the class-sorted sample, and the kernel trick checked against the explicit polynomial map."""
from __future__ import annotations

import numpy as np

from ece544core import datasets, kernels

GENERATORS = {"circles": datasets.make_circles, "moons": datasets.make_moons,
              "xor": datasets.make_xor}
USES = {"linear": (), "poly": ("gamma", "degree", "coef0"), "rbf": ("gamma",),
        "sigmoid": ("gamma", "coef0"), "distance": ()}


def distance(X, Y=None) -> np.ndarray:
    """K(x, z) = ||x - z||: symmetric, but zero on the diagonal, so trace K = sum of the
    eigenvalues = 0 while K != 0: some eigenvalue is negative (not a Mercer kernel)."""
    X = np.asarray(X, dtype=float)
    Y = X if Y is None else np.asarray(Y, dtype=float)
    sq = (X * X).sum(1)[:, None] - 2.0 * X @ Y.T + (Y * Y).sum(1)[None, :]
    return np.sqrt(np.maximum(sq, 0.0))


def base_kernel(name: str, gamma: float, degree: int, coef0: float):
    """The base function ``name`` with its parameters bound: ``k(X, Y=None) -> (n, m)``."""
    if name == "distance":
        return distance
    params = {"gamma": gamma, "degree": degree, "coef0": coef0}
    return kernels.get_kernel(name, **{p: params[p] for p in USES[name]})


def scaled(k, a: float):
    """a·K via kernels.kernel_scale for a > 0. For a <= 0 kernel_scale refuses (a·K is then not a
    kernel unless K = 0); the matrix is still built by hand so its Mercer check can be shown.
    Returns (function, refusal message or '')."""
    try:
        return kernels.kernel_scale(k, a), ""
    except ValueError as exc:
        return (lambda X, Y=None: a * k(X, Y)), str(exc)


def compose(k1, k2, op: str, a: float, b: float):
    """K = a·K1 + b·K2 (kernel_sum), (a·K1)(b·K2) (kernel_product) or a·K1 alone.
    Returns (function, list of kernel_scale refusals)."""
    s1, why1 = scaled(k1, a)
    refusals = [f"a = {a:g}: {why1}"] if why1 else []
    if op == "K1":
        return s1, refusals
    s2, why2 = scaled(k2, b)
    if why2:
        refusals.append(f"b = {b:g}: {why2}")
    return (kernels.kernel_sum if op == "+" else kernels.kernel_product)(s1, s2), refusals


def sorted_data(dataset: str, n_samples: int, noise: float, seed: int):
    """The 2-D sample with its points sorted by class (class 0 first), so that the Gram matrix
    shows the within-class blocks on its diagonal."""
    X, y = GENERATORS[dataset](n_samples=n_samples, noise=noise, random_state=seed)
    order = np.argsort(y, kind="stable")
    return np.asarray(X, dtype=float)[order], np.asarray(y, dtype=int)[order]


def trick_check(X: np.ndarray, degree: int, gamma: float, coef0: float) -> dict:
    """The kernel trick on the sample: Phi = explicit feature map, K = polynomial kernel;
    returns max |K - Phi Phi^T| and the dimensions."""
    Phi = kernels.polynomial_feature_map(X, degree=degree, gamma=gamma, coef0=coef0)  # (n, D)
    K = kernels.polynomial(X, degree=degree, gamma=gamma, coef0=coef0)
    return dict(error=float(np.max(np.abs(K - Phi @ Phi.T))), dim=Phi.shape[1],
                d=X.shape[1], degree=degree, gamma=gamma, coef0=coef0)
