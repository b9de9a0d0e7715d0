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

Bound kernels (:func:`get_kernel`, :func:`bind_kernel` and the combinators) are :class:`Kernel`
objects: ``k(X, Y)`` validates its inputs, ``k.unchecked(X, Y)`` skips that for callers that
already hold validated float64 arrays (an estimator's fit and predict loops), so the inputs are
checked once, not once per kernel evaluation.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._math import sq_distances
from ._validation import check_array, check_scalar
from .feature_maps import polynomial_feature_dim, polynomial_feature_map

__all__ = ["linear", "polynomial", "rbf", "sigmoid", "kernel_sum", "kernel_product",
           "kernel_scale", "gram", "check_psd", "PSDReport", "get_kernel", "bind_kernel",
           "Kernel", "KERNELS", "KERNEL_PARAMS", "polynomial_feature_map",
           "polynomial_feature_dim"]


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


def _check_gamma(gamma):
    """None for the ``"scale"`` rule (None or "scale"), else gamma as a float > 0."""
    if gamma is None or (isinstance(gamma, str) and gamma == "scale"):
        return None
    return check_scalar(gamma, "gamma", kind=float, min_val=0.0, include_min=False)


def _gamma(gamma, X: np.ndarray) -> float:
    """A checked gamma, or for None the ``"scale"`` default 1 / (d * var(X))."""
    if gamma is not None:
        return gamma
    var = float(X.var())
    return 1.0 / (X.shape[1] * var) if var > 0 else 1.0 / X.shape[1]


def _check_degree(degree) -> int:
    return check_scalar(degree, "degree", kind=int, min_val=1)


def _check_coef0(coef0) -> float:
    return check_scalar(coef0, "coef0", kind=float)


# ------------------------------------------------------------------------------ kernels
# The public functions validate and call these cores; a core takes validated arrays, Y = None
# meaning Y = X, and checked parameters (gamma None: the "scale" rule on X).
def _linear(X, Y=None):
    return X @ (X if Y is None else Y).T


def _polynomial(X, Y=None, degree=3, gamma=None, coef0=1.0):
    P = _linear(X, Y)
    P *= _gamma(gamma, X)
    P += coef0
    return P ** degree


def _rbf(X, Y=None, gamma=None):
    D = sq_distances(X, Y)  # clipped at 0, exact 0 diagonal when Y is X
    D *= -_gamma(gamma, X)
    return np.exp(D, out=D)


def _sigmoid(X, Y=None, gamma=None, coef0=0.0):
    P = _linear(X, Y)
    P *= _gamma(gamma, X)
    P += coef0
    return np.tanh(P, out=P)


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
    return _linear(*_check_XY(X, Y))


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
    return _polynomial(X, Y, _check_degree(degree), _check_gamma(gamma), _check_coef0(coef0))


def rbf(X, Y=None, gamma=None) -> np.ndarray:
    """Squared exponential (Gaussian) kernel K(x, z) = exp(-gamma ||x - z||^2).

    ||x - z||^2 = ||x||^2 - 2 x^T z + ||z||^2 for all pairs at once (one GEMM,
    :func:`ece544core._math.sq_distances`), clipped at 0 (rounding can make it slightly
    negative). gamma = 1 / (2 sigma^2) for bandwidth sigma.

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
    return _rbf(X, Y, _check_gamma(gamma))


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
    return _sigmoid(X, Y, _check_gamma(gamma), _check_coef0(coef0))


KERNELS = {"linear": linear, "poly": polynomial, "polynomial": polynomial, "rbf": rbf,
           "gaussian": rbf, "sigmoid": sigmoid}
#: The parameters each named kernel takes.
KERNEL_PARAMS = {"linear": (), "poly": ("degree", "gamma", "coef0"),
                 "polynomial": ("degree", "gamma", "coef0"), "rbf": ("gamma",),
                 "gaussian": ("gamma",), "sigmoid": ("gamma", "coef0")}
_CORES = {linear: _linear, polynomial: _polynomial, rbf: _rbf, sigmoid: _sigmoid}
_PARAM_CHECKS = {"degree": _check_degree, "gamma": _check_gamma, "coef0": _check_coef0}


class Kernel:
    """A kernel K(x, z) with its parameters bound, called as ``k(X, Y=None) -> (n, m)``.

    ``k(X, Y)`` validates X and Y as the kernel functions do; ``k.unchecked(X, Y)`` evaluates
    on arrays the caller has validated already (float64, 2-D, finite, same d). ``__name__``
    names the kernel.
    """

    def __init__(self, name: str, evaluate):
        self.__name__ = name
        self._evaluate = evaluate  # (X, Y or None) -> (n, m), no validation

    def __call__(self, X, Y=None) -> np.ndarray:
        return self._evaluate(*_check_XY(X, Y))

    def unchecked(self, X, Y=None) -> np.ndarray:
        """K(X, Y) without validating X, Y (Y = None means Y = X)."""
        return self._evaluate(X, Y)

    def __repr__(self) -> str:
        return f"Kernel({self.__name__})"


def evaluate(k, X, Y=None) -> np.ndarray:
    """K(X, Y) for already validated X, Y: ``k.unchecked`` for a :class:`Kernel`, else ``k``."""
    return k.unchecked(X, Y) if isinstance(k, Kernel) else k(X, Y)


# ------------------------------------------------------------------------------ new from old
def _check_kernel_callable(k, name: str):
    """k's evaluation on validated arrays; a ValueError naming ``name`` unless k is callable."""
    if not callable(k):
        raise ValueError(f"{name} must be a callable kernel k(X, Y=None) -> (n, m) array; "
                         f"got {k!r} of type {type(k).__name__}")
    return k.unchecked if isinstance(k, Kernel) else k


def _name(k, default: str) -> str:
    return getattr(k, "__name__", default)


def kernel_sum(k1, k2) -> Kernel:
    """New kernel K(x, z) = K1(x, z) + K2(x, z): phi is the concatenation [phi1; phi2].

    Returns
    -------
    Kernel, callable as ``k(X, Y=None) -> ndarray (n, m)``
    """
    r1, r2 = _check_kernel_callable(k1, "k1"), _check_kernel_callable(k2, "k2")
    return Kernel(f"sum({_name(k1, 'k1')}, {_name(k2, 'k2')})",
                  lambda X, Y=None: r1(X, Y) + r2(X, Y))


def kernel_product(k1, k2) -> Kernel:
    """New kernel K(x, z) = K1(x, z) K2(x, z): phi is the tensor product phi1 (x) phi2.

    Positive semidefinite by the Schur product theorem.

    Returns
    -------
    Kernel, callable as ``k(X, Y=None) -> ndarray (n, m)``
    """
    r1, r2 = _check_kernel_callable(k1, "k1"), _check_kernel_callable(k2, "k2")
    return Kernel(f"product({_name(k1, 'k1')}, {_name(k2, 'k2')})",
                  lambda X, Y=None: r1(X, Y) * r2(X, Y))


def kernel_scale(k, a) -> Kernel:
    """New kernel K(x, z) = a K1(x, z) for a > 0: phi is sqrt(a) phi1.

    Returns
    -------
    Kernel, callable as ``k(X, Y=None) -> ndarray (n, m)``
    """
    r = _check_kernel_callable(k, "k")
    a = check_scalar(a, "a", kind=float, min_val=0.0, include_min=False)
    return Kernel(f"scale({_name(k, 'k')}, {a!r})", lambda X, Y=None: a * r(X, Y))


# ------------------------------------------------------------------------------ Gram / Mercer
def _check_name(name) -> None:
    if not isinstance(name, str) or name not in KERNELS:
        listed = ", ".join(repr(o) for o in KERNELS)
        raise ValueError(f"kernel must be a callable or one of {listed}; got {name!r}")


def get_kernel(name, **params):
    """The kernel called ``name`` with its parameters bound: K(x, z) as a :class:`Kernel`.

    Names: ``'linear'``, ``'poly'``/``'polynomial'``, ``'rbf'``/``'gaussian'``, ``'sigmoid'``
    (parameters: :data:`KERNEL_PARAMS`; those not given take the kernel function's defaults,
    gamma=None the ``"scale"`` rule on each call's X). The parameters are checked here, once.
    A callable ``name`` is returned as is (``params`` must then be empty).

    Raises
    ------
    ValueError
        For an unknown name (the message names ``kernel``), a parameter the kernel lacks or a
        parameter out of range.
    """
    if callable(name):
        if params:
            raise ValueError(f"kernel parameters {sorted(params)} cannot be bound to a "
                             f"callable kernel; bind them yourself")
        return name
    _check_name(name)
    allowed = KERNEL_PARAMS[name]
    extra = sorted(set(params) - set(allowed))
    if extra:
        raise ValueError(f"kernel {name!r} takes parameters {list(allowed)}; got unexpected "
                         f"{extra}")
    checked = {p: _PARAM_CHECKS[p](v) for p, v in params.items()}
    core = _CORES[KERNELS[name]]
    return Kernel(name, lambda X, Y=None: core(X, Y, **checked))


def bind_kernel(kernel, X, gamma=None, degree=3, coef0=0.0):
    """An estimator's kernel as ``k(X, Y=None)``, gamma fixed on its training ``X``.

    A callable is returned as is. A name is bound by :func:`get_kernel` with the parameters it
    takes (:data:`KERNEL_PARAMS`); gamma=None becomes 1 / (d * var(X)) of this X (scikit-learn's
    ``"scale"``), so that predictions use the training gamma. gamma is checked for every name.

    Parameters
    ----------
    kernel : str or callable
    X : ndarray of shape (n, d), validated
    gamma : float > 0 or None
    degree : int >= 1
    coef0 : float
    """
    if callable(kernel):
        return kernel
    _check_name(kernel)
    values = {"gamma": _gamma(_check_gamma(gamma), X), "degree": degree, "coef0": coef0}
    return get_kernel(kernel, **{p: values[p] for p in KERNEL_PARAMS[kernel]})


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
    K = np.asarray(evaluate(k, X), dtype=np.float64)
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
