"""Kernels K(x, z) = phi(x)^T phi(z): the inner products the SVM dual and its predictions need.

The SVM dual max_alpha sum_i alpha^(i) - 1/(2C) sum_ij alpha^(i) alpha^(j) y^(i) y^(j) K_ij,
K_ij = K(x^(i), x^(j)), and the prediction w^T phi(x) = (1/C) sum_i alpha^(i) y^(i) K(x^(i), x)
only touch the data through inner products, so phi never has to be built: a kernel function
computes them directly. Not every function qualifies: by Mercer's theorem K is an inner product in
some feature space iff every Gram matrix K_ij = K(x^(i), x^(j)) it produces is symmetric positive
semidefinite (:func:`check_psd` tests that condition on a sample).

Every kernel takes ``X`` of shape (n, d) and optionally ``Y`` of shape (m, d) (default ``Y = X``)
and returns the (n, m) matrix of K(x^(i), y^(j)). ``gamma=None`` means scikit-learn's ``"scale"``
rule gamma = 1 / (d * X.var()) (1 / d if X is constant), computed from ``X``.

New kernels from old (all stay positive semidefinite): :func:`kernel_sum` K1 + K2,
:func:`kernel_product` K1 * K2 (elementwise), :func:`kernel_scale` a * K1 for a > 0.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from ._validation import check_array, check_scalar

__all__ = ["linear", "polynomial", "rbf", "sigmoid", "kernel_sum", "kernel_product",
           "kernel_scale", "gram", "check_psd", "PSDReport", "get_kernel", "KERNELS",
           "polynomial_feature_map", "polynomial_feature_dim"]


# ------------------------------------------------------------------------------ helpers
def _check_XY(X, Y):
    """Validate ``X`` (n, d) and ``Y`` (m, d), ``Y = X`` when None; returns (X, Y)."""
    X = check_array(X, name="X")
    if Y is None:
        return X, X
    Y = check_array(Y, name="Y")
    if Y.shape[1] != X.shape[1]:
        raise ValueError(f"X and Y must have the same number of features; got X of shape "
                         f"{X.shape} and Y of shape {Y.shape}")
    return X, Y


def _gamma(gamma, X: np.ndarray) -> float:
    """gamma, or the ``"scale"`` default 1 / (d * var(X)) when None; must be > 0."""
    if gamma is None or (isinstance(gamma, str) and gamma == "scale"):
        var = float(X.var())
        return 1.0 / (X.shape[1] * var) if var > 0 else 1.0 / X.shape[1]
    return check_scalar(gamma, "gamma", kind=float, min_val=0.0, include_min=False)


# ------------------------------------------------------------------------------ kernels
def linear(X, Y=None) -> np.ndarray:
    """Linear kernel K(x, z) = x^T z (phi is the identity).

    Parameters
    ----------
    X : array-like of shape (n, d)
    Y : array-like of shape (m, d), optional
        Defaults to ``X``.

    Returns
    -------
    ndarray of shape (n, m)
    """
    X, Y = _check_XY(X, Y)
    return X @ Y.T


def polynomial(X, Y=None, degree=3, gamma=None, coef0=1.0) -> np.ndarray:
    """Polynomial kernel K(x, z) = (gamma x^T z + coef0)^degree.

    phi(x) holds all monomials of x up to ``degree`` (exactly ``degree`` if coef0 = 0), scaled.

    Parameters
    ----------
    X : array-like of shape (n, d)
    Y : array-like of shape (m, d), optional
    degree : int >= 1
    gamma : float > 0 or None
        None: 1 / (d * X.var()) (scikit-learn's ``"scale"``).
    coef0 : float >= 0
        Negative values can break positive semidefiniteness.

    Returns
    -------
    ndarray of shape (n, m)
    """
    X, Y = _check_XY(X, Y)
    degree = check_scalar(degree, "degree", kind=int, min_val=1)
    coef0 = check_scalar(coef0, "coef0", kind=float)
    g = _gamma(gamma, X)
    return (g * (X @ Y.T) + coef0) ** degree


def rbf(X, Y=None, gamma=None) -> np.ndarray:
    """Squared exponential (Gaussian) kernel K(x, z) = exp(-gamma ||x - z||^2).

    ||x - z||^2 = ||x||^2 - 2 x^T z + ||z||^2 is computed for all pairs at once and clipped at 0
    (rounding can make it slightly negative). gamma = 1 / (2 sigma^2) for bandwidth sigma.

    Parameters
    ----------
    X : array-like of shape (n, d)
    Y : array-like of shape (m, d), optional
    gamma : float > 0 or None
        None: 1 / (d * X.var()) (scikit-learn's ``"scale"``).

    Returns
    -------
    ndarray of shape (n, m), entries in (0, 1], ones on the diagonal when Y is X.
    """
    X, Y = _check_XY(X, Y)
    g = _gamma(gamma, X)
    sq = _sq_distances(X, Y)
    return np.exp(-g * sq)


def _sq_distances(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """||x_i - y_j||^2 for all pairs, (n, m), clipped at 0; zero diagonal when Y is X."""
    xx = np.einsum("ij,ij->i", X, X)[:, None]  # (n, 1)
    yy = xx.T if Y is X else np.einsum("ij,ij->i", Y, Y)[None, :]  # (1, m)
    sq = xx - 2.0 * (X @ Y.T) + yy
    np.maximum(sq, 0.0, out=sq)
    if Y is X:
        np.fill_diagonal(sq, 0.0)
    return sq


def sigmoid(X, Y=None, gamma=None, coef0=0.0) -> np.ndarray:
    """Sigmoid kernel K(x, z) = tanh(gamma x^T z + coef0).

    Not a Mercer kernel in general: for many (gamma, coef0) its Gram matrices have negative
    eigenvalues (see :func:`check_psd`); the SVM dual is then not concave.

    Parameters
    ----------
    X : array-like of shape (n, d)
    Y : array-like of shape (m, d), optional
    gamma : float > 0 or None
        None: 1 / (d * X.var()) (scikit-learn's ``"scale"``).
    coef0 : float

    Returns
    -------
    ndarray of shape (n, m), entries in (-1, 1).
    """
    X, Y = _check_XY(X, Y)
    coef0 = check_scalar(coef0, "coef0", kind=float)
    g = _gamma(gamma, X)
    return np.tanh(g * (X @ Y.T) + coef0)


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


KERNELS = {"linear": linear, "poly": polynomial, "polynomial": polynomial, "rbf": rbf,
           "gaussian": rbf, "sigmoid": sigmoid}


# ------------------------------------------------------------------------------ new from old
def _check_kernel_callable(k, name: str):
    if not callable(k):
        raise ValueError(f"{name} must be a callable kernel k(X, Y=None) -> (n, m) array; "
                         f"got {k!r} of type {type(k).__name__}")
    return k


def kernel_sum(k1, k2):
    """New kernel K(x, z) = K1(x, z) + K2(x, z): phi is the concatenation [phi1; phi2].

    Returns
    -------
    callable ``k(X, Y=None) -> ndarray (n, m)``
    """
    _check_kernel_callable(k1, "k1")
    _check_kernel_callable(k2, "k2")

    def k(X, Y=None):
        return k1(X, Y) + k2(X, Y)

    k.__name__ = f"sum({getattr(k1, '__name__', 'k1')}, {getattr(k2, '__name__', 'k2')})"
    return k


def kernel_product(k1, k2):
    """New kernel K(x, z) = K1(x, z) K2(x, z): phi is the tensor product phi1 (x) phi2.

    Positive semidefinite by the Schur product theorem.

    Returns
    -------
    callable ``k(X, Y=None) -> ndarray (n, m)``
    """
    _check_kernel_callable(k1, "k1")
    _check_kernel_callable(k2, "k2")

    def k(X, Y=None):
        return k1(X, Y) * k2(X, Y)

    k.__name__ = f"product({getattr(k1, '__name__', 'k1')}, {getattr(k2, '__name__', 'k2')})"
    return k


def kernel_scale(k, a):
    """New kernel K(x, z) = a K1(x, z) for a > 0: phi is sqrt(a) phi1.

    Returns
    -------
    callable ``k(X, Y=None) -> ndarray (n, m)``
    """
    _check_kernel_callable(k, "k")
    a = check_scalar(a, "a", kind=float, min_val=0.0, include_min=False)

    def scaled(X, Y=None):
        return a * k(X, Y)

    scaled.__name__ = f"scale({getattr(k, '__name__', 'k')}, {a!r})"
    return scaled


# ------------------------------------------------------------------------------ Gram / Mercer
def get_kernel(name, **params):
    """The kernel called ``name`` with its parameters bound: K(x, z) as ``k(X, Y=None)``.

    Names: ``'linear'``, ``'poly'``/``'polynomial'``, ``'rbf'``/``'gaussian'``, ``'sigmoid'``.
    A callable ``name`` is returned as is (``params`` must then be empty).

    Raises
    ------
    ValueError
        For an unknown name (the message names ``kernel``) or a parameter the kernel lacks.
    """
    if callable(name):
        if params:
            raise ValueError(f"kernel parameters {sorted(params)} cannot be bound to a "
                             f"callable kernel; bind them yourself")
        return name
    if not isinstance(name, str) or name not in KERNELS:
        listed = ", ".join(repr(o) for o in KERNELS)
        raise ValueError(f"kernel must be a callable or one of {listed}; got {name!r}")
    fn = KERNELS[name]
    allowed = {"linear": (), "polynomial": ("degree", "gamma", "coef0"),
               "rbf": ("gamma",), "sigmoid": ("gamma", "coef0")}[fn.__name__]
    extra = sorted(set(params) - set(allowed))
    if extra:
        raise ValueError(f"kernel {name!r} takes parameters {list(allowed)}; got unexpected "
                         f"{extra}")

    def k(X, Y=None):
        return fn(X, Y, **params)

    k.__name__ = name
    return k


def gram(kernel, X) -> np.ndarray:
    """Gram matrix K_ij = K(x^(i), x^(j)), shape (n, n), symmetrised as (K + K^T) / 2.

    Parameters
    ----------
    kernel : callable ``k(X, Y=None)`` or str
        A name is looked up with :func:`get_kernel` (default parameters).
    X : array-like of shape (n, d)
    """
    k = get_kernel(kernel)
    X = check_array(X, name="X")
    K = np.asarray(k(X), dtype=np.float64)
    if K.shape != (X.shape[0], X.shape[0]):
        raise ValueError(f"kernel must return an (n, n) matrix for X of shape {X.shape}; "
                         f"got shape {K.shape}")
    return 0.5 * (K + K.T)


@dataclass(frozen=True)
class PSDReport:
    """Result of :func:`check_psd`.

    Attributes
    ----------
    is_psd : bool
        min eigenvalue >= -tol * max(1, max |eigenvalue|).
    min_eigenvalue : float
    eigenvalues : ndarray of shape (n,), ascending
    """

    is_psd: bool
    min_eigenvalue: float
    eigenvalues: np.ndarray


def check_psd(K, tol=1e-8) -> PSDReport:
    """Mercer's condition on a sample: is the symmetric K positive semidefinite, v^T K v >= 0?

    Equivalent to all eigenvalues lambda_k of K being >= 0; rounding is allowed for by accepting
    lambda_min >= -tol * max(1, max_k |lambda_k|).

    Parameters
    ----------
    K : array-like of shape (n, n), symmetric
    tol : float >= 0

    Returns
    -------
    PSDReport

    Raises
    ------
    ValueError
        If K is not square, not symmetric (to 1e-10 relative), or not finite.
    """
    K = check_array(K, name="K")
    tol = check_scalar(tol, "tol", kind=float, min_val=0.0)
    if K.shape[0] != K.shape[1]:
        raise ValueError(f"K must be a square (n, n) matrix; got shape {K.shape}")
    scale = max(1.0, float(np.abs(K).max()))
    if not np.allclose(K, K.T, rtol=0.0, atol=1e-10 * scale):
        raise ValueError("K must be symmetric (a Gram matrix K_ij = K(x_i, x_j)); got a matrix "
                         f"with max |K - K^T| = {float(np.abs(K - K.T).max()):.3g}")
    eig = np.linalg.eigvalsh(0.5 * (K + K.T))
    lam_min = float(eig[0])
    is_psd = lam_min >= -tol * max(1.0, float(np.abs(eig).max()))
    eig.setflags(write=False)
    return PSDReport(is_psd=bool(is_psd), min_eigenvalue=lam_min, eigenvalues=eig)
