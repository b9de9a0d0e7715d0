"""Kernel algebra of the notes: new kernels from old, a function that is not a kernel, and the
kernel trick checked with an explicit feature map.

* New from old: if K1, K2 are kernels and a, b > 0, then a K1 + b K2 (phi = [sqrt(a) phi1;
  sqrt(b) phi2]) and K1 K2 elementwise (phi = phi1 (x) phi2, the Schur product theorem) are
  kernels. :func:`combine` builds a K1 + b K2, (a K1)(b K2) or a K1 for *any* real weights, so
  that the failure of a weight a <= 0 can be seen (the Gram matrix of -K has the eigenvalues of K
  negated); it says which weights the rule does not cover.
* Not a kernel: :func:`distance` K(x, z) = ||x - z|| is symmetric but 0 on the diagonal, so
  trace K = sum_k lambda_k = 0 while K != 0: some eigenvalue is negative (Mercer fails).
* The kernel trick: (gamma x^T z + c)^p = phi(x)^T phi(z) with the explicit polynomial map
  (:func:`ece544core.feature_maps.polynomial_feature_map`); :func:`kernel_trick` measures
  max_ij |K_ij - (Phi Phi^T)_ij| on a sample.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kernels as _kernels
from ._math import sq_distances
from ._validation import check_array, check_option, check_scalar
from .feature_maps import polynomial_feature_map

__all__ = ["distance", "base_function", "BASE_FUNCTIONS", "weighted", "combine",
           "Combination", "COMBINATIONS", "kernel_trick", "KernelTrickCheck"]

#: Names :func:`base_function` accepts: the kernels of :mod:`ece544core.kernels` and the
#: non-kernel "distance" ||x - z||.
BASE_FUNCTIONS = ("linear", "poly", "rbf", "sigmoid", "distance")
#: :func:`combine`'s operations: a K1 + b K2, (a K1)(b K2) elementwise, a K1 alone.
COMBINATIONS = ("+", "×", "K1")


def distance(X, Y=None) -> np.ndarray:
    """K(x, z) = ||x - z|| for all pairs, (n, m): symmetric but not a kernel.

    Its Gram matrix has a zero diagonal, so trace K = sum of its eigenvalues = 0 while K != 0:
    some eigenvalue is negative (not positive semidefinite, Mercer's condition fails).
    """
    X = check_array(X, name="X")
    Y = None if Y is None else check_array(Y, name="Y")
    if Y is not None and Y.shape[1] != X.shape[1]:
        raise ValueError(f"X and Y must have the same number of features; got X of shape "
                         f"{X.shape} and Y of shape {Y.shape}")
    return np.sqrt(sq_distances(X, Y))


def base_function(name: str, gamma=1.0, degree=3, coef0=1.0):
    """The base function ``name`` (one of :data:`BASE_FUNCTIONS`) as ``k(X, Y=None)``, with
    the parameters that function takes (``kernels.KERNEL_PARAMS``) bound; the others are
    ignored. "distance" is :func:`distance`."""
    check_option(name, "name", BASE_FUNCTIONS)
    if name == "distance":
        return distance
    values = {"gamma": gamma, "degree": degree, "coef0": coef0}
    return _kernels.get_kernel(name, **{p: values[p] for p in _kernels.KERNEL_PARAMS[name]})


def weighted(k, a):
    """(a K(x, z), refusal): ``kernels.kernel_scale(k, a)`` and "" for a > 0; for a <= 0 the
    function a K all the same (not a kernel unless K = 0) and kernel_scale's refusal message."""
    a = check_scalar(a, "a", kind=float)
    try:
        return _kernels.kernel_scale(k, a), ""
    except ValueError as exc:
        if not callable(k):
            raise
        return _kernels.Kernel(f"scale({getattr(k, '__name__', 'k')}, {a!r})",
                               lambda X, Y=None: a * _kernels.evaluate(k, X, Y)), str(exc)


@dataclass(frozen=True)
class Combination:
    """Result of :func:`combine`.

    Attributes
    ----------
    kernel : callable ``k(X, Y=None)``
        The combined function.
    refusals : tuple of str
        One message per weight <= 0 (the rule then does not guarantee a kernel), e.g.
        "a = -1: a must be > 0; got -1.0".
    """

    kernel: object
    refusals: tuple


def combine(k1, k2=None, op="+", a=1.0, b=1.0) -> Combination:
    """K = a K1 + b K2 (op "+"), K = (a K1)(b K2) elementwise (op "×") or K = a K1 (op "K1").

    With a, b > 0 and K1, K2 kernels, K is a kernel (``kernels.kernel_sum`` /
    ``kernel_product`` / ``kernel_scale``); a weight <= 0 is applied anyway and listed in
    ``refusals``. ``k2`` and ``b`` are unused for op "K1".
    """
    check_option(op, "op", COMBINATIONS)
    s1, why1 = weighted(k1, a)
    refusals = [f"a = {a:g}: {why1}"] if why1 else []
    if op == "K1":
        return Combination(s1, tuple(refusals))
    s2, why2 = weighted(k2, b)
    if why2:
        refusals.append(f"b = {b:g}: {why2}")
    join = _kernels.kernel_sum if op == "+" else _kernels.kernel_product
    return Combination(join(s1, s2), tuple(refusals))


@dataclass(frozen=True)
class KernelTrickCheck:
    """Result of :func:`kernel_trick`.

    Attributes
    ----------
    error : float
        max_ij |K_ij - (Phi Phi^T)_ij| (rounding level when the trick holds).
    feature_dim : int
        Columns of Phi: dim phi(x) = C(d + p, p) (C(d + p - 1, p) when c = 0).
    d, degree, gamma, coef0 : the input dimension and the kernel's parameters.
    """

    error: float
    feature_dim: int
    d: int
    degree: int
    gamma: float
    coef0: float


def kernel_trick(X, degree=2, gamma=1.0, coef0=1.0) -> KernelTrickCheck:
    """The kernel trick on a sample: K = (gamma X X^T + c)^p against Phi Phi^T with the explicit
    polynomial feature map Phi (n, C(d + p, p)).

    Raises
    ------
    ValueError
        For c < 0 (no real feature map: its features carry sqrt(c)^k_0) or bad parameters.
    """
    X = check_array(X, name="X")
    Phi = polynomial_feature_map(X, degree=degree, gamma=gamma, coef0=coef0)  # (n, D)
    K = _kernels.polynomial(X, degree=degree, gamma=gamma, coef0=coef0)  # (n, n)
    return KernelTrickCheck(error=float(np.max(np.abs(K - Phi @ Phi.T))),
                            feature_dim=int(Phi.shape[1]), d=int(X.shape[1]),
                            degree=int(degree), gamma=float(gamma), coef0=float(coef0))
