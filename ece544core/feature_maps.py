"""Explicit feature maps phi with phi(x)^T phi(z) = K(x, z): the kernel trick made visible.

For the polynomial kernel (gamma x^T z + c)^p, phi(x) lists every monomial of degree <= p
(exactly p when c = 0) with the multinomial weights, so phi(x)^T phi(z) reproduces the kernel;
its length C(d + p, p) is what the kernel saves: the kernel costs one inner product in R^d.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from ._validation import check_array, check_scalar

__all__ = ["polynomial_feature_map", "polynomial_feature_dim"]


def _poly_exponents(d: int, degree: int, homogeneous: bool):
    """Exponent vectors (k_0, k_1, ..., k_d) with sum k = degree; k_0 is the power of the constant
    (only k_0 = 0 when ``homogeneous``). Shape (D, d + 1)."""
    first = 1 if homogeneous else 0
    rows = []
    for combo in itertools.combinations_with_replacement(range(first, d + 1), degree):
        rows.append(np.bincount(combo, minlength=d + 1))
    return np.array(rows, dtype=int)


def polynomial_feature_dim(d, degree=2, coef0=1.0) -> int:
    """Length of the explicit feature map of (gamma x^T z + coef0)^degree for x in R^d.

    C(d + degree, degree) monomials of degree <= ``degree`` (C(d + degree - 1, degree) of degree
    exactly ``degree`` when coef0 = 0): e.g. 6 for d = 2, degree = 2; 308,505 for d = 784.
    """
    d = check_scalar(d, "d", kind=int, min_val=1)
    degree = check_scalar(degree, "degree", kind=int, min_val=1)
    coef0 = check_scalar(coef0, "coef0", kind=float, min_val=0.0)
    return math.comb(d + degree - (1 if coef0 == 0 else 0), degree)


def polynomial_feature_map(X, degree=2, gamma=1.0, coef0=1.0) -> np.ndarray:
    """Explicit phi(x) with phi(x)^T phi(z) = (gamma x^T z + coef0)^degree (the kernel trick).

    By the multinomial theorem, with c = coef0 and k = (k_0, ..., k_d), sum k = degree,
    (gamma x^T z + c)^p = sum_k p! / (k_0! ... k_d!) c^(k_0) prod_j (gamma x_j z_j)^(k_j), so
    phi_k(x) = sqrt(p! / prod k!) c^(k_0 / 2) gamma^((p - k_0) / 2) prod_j x_j^(k_j).
    For d = 2, p = 2: phi(x) = (c, sqrt(2 c gamma) x_1, sqrt(2 c gamma) x_2, gamma x_1^2,
    sqrt(2) gamma x_1 x_2, gamma x_2^2) (in the order of the exponents).

    Parameters
    ----------
    X : array-like of shape (n, d)
    degree : int >= 1
    gamma : float > 0
    coef0 : float >= 0
        A real feature map needs c >= 0 (c^(k_0 / 2)).

    Returns
    -------
    ndarray of shape (n, polynomial_feature_dim(d, degree, coef0))
    """
    X = check_array(X, name="X")
    degree = check_scalar(degree, "degree", kind=int, min_val=1)
    gamma = check_scalar(gamma, "gamma", kind=float, min_val=0.0, include_min=False)
    coef0 = check_scalar(coef0, "coef0", kind=float)
    if coef0 < 0:
        raise ValueError(f"coef0 must be >= 0 for a real feature map (its features carry "
                         f"sqrt(coef0)^k_0); got coef0={coef0!r}")
    expo = _poly_exponents(X.shape[1], degree, homogeneous=coef0 == 0)  # (D, d + 1)
    fact = np.array([math.factorial(k) for k in range(degree + 1)], dtype=float)
    coeff = math.factorial(degree) / np.prod(fact[expo], axis=1)  # multinomial, (D,)
    k0 = expo[:, 0]
    scale = np.sqrt(coeff * coef0 ** k0 * gamma ** (degree - k0))  # (D,)
    powers = X[:, None, :] ** expo[None, :, 1:]  # (n, D, d)
    return np.prod(powers, axis=2) * scale
