"""The temperature family of structured losses: the SVM as the 0-temperature limit of logistic
regression (course notes, "SVM as 0-temperature limit of logistic regression").

For scores s_i = (w^T psi(x^(i), yhat))_yhat, a task loss Delta(y, yhat) >= 0 and a temperature
eps >= 0,

    L_eps(s; y) = eps ln sum_yhat exp((Delta(y, yhat) + s_yhat) / eps) - s_y,

    eps -> 0:  L_0 = max_yhat (Delta(y, yhat) + s_yhat) - s_y   (multiclass hinge, structured SVM)
    eps = 1, Delta = 0:  L_1 = ln sum_yhat exp(s_yhat) - s_y     (cross-entropy, -ln softmax(s)_y)

``temperature_loss`` is the one general function; ``multiclass_hinge`` and ``cross_entropy`` are
its named special cases, and ``binary_logistic_loss`` / ``binary_hinge`` are the two-class view
on the margin m = y (w^T x + b), y = +-1. Since eps * logsumexp(a / eps) >= max(a), and its
derivative in eps is the entropy of softmax(a / eps) >= 0, L_eps is non-decreasing in eps and
L_0 <= L_eps <= L_0 + eps ln K.

``binary_temperature_loss`` is the two-class curve of the margin m: eps ln(1 + exp((L - m)/eps)).

The estimator trained with this loss, ``TemperatureClassifier``, and the objective J_eps with
its bound J_0 <= J_eps <= J_0 + n eps ln K live in :mod:`ece544core.temperature`; the
Crammer-Singer SVM (eps = 0, multiclass) in :mod:`ece544core.crammer_singer`.
"""
from __future__ import annotations

import math

import numpy as np

from ._math import logsumexp, softmax, softplus
from ._validation import check_array, check_scalar, check_y

__all__ = ["temperature_loss", "multiclass_hinge", "cross_entropy", "binary_logistic_loss",
           "binary_hinge", "binary_temperature_loss", "task_loss_matrix"]


# ------------------------------------------------------------------------------ validation
def _check_eps(eps) -> float:
    eps = check_scalar(eps, "eps", float, min_val=0.0)
    if not math.isfinite(eps):
        raise ValueError(f"eps must be a finite number >= 0; got {eps!r}")
    return eps


def _check_scores_y(scores, y):
    """scores (n, K) float, y (n,) int indices in [0, K)."""
    scores = check_array(scores, name="scores")
    n, K = scores.shape
    y = check_y(y, name="y")
    if y.dtype.kind not in "iuf":
        raise ValueError(f"y must hold integer class indices in [0, {K}); got dtype {y.dtype}")
    if y.dtype.kind == "f":
        if np.any(y != np.round(y)):
            bad = y[y != np.round(y)][0]
            raise ValueError(f"y must hold integer class indices in [0, {K}); got {bad!r}")
    if y.shape[0] != n:
        raise ValueError(f"scores and y must have the same number of samples; got scores with "
                         f"{n} rows and y with {y.shape[0]} entries")
    out = (y < 0) | (y >= K)
    if np.any(out):
        raise ValueError(f"y must hold class indices in [0, {K}) (K = scores.shape[1]); "
                         f"got {y[out][0]!r}")
    return scores, y.astype(np.intp)


def task_loss_matrix(task_loss, K: int) -> np.ndarray:
    """The (K, K) matrix Delta[y, yhat] of a task loss: None -> the 0-1 loss 1[y != yhat]; a
    number L -> L [y != yhat]; a (K, K) array-like as given (checked finite)."""
    if task_loss is None:
        return 1.0 - np.eye(K)
    if np.ndim(task_loss) == 0 and not isinstance(task_loss, str):
        L = check_scalar(task_loss, "task_loss", float)
        if not math.isfinite(L):
            raise ValueError(f"task_loss must be a finite number or a ({K}, {K}) matrix; "
                             f"got {task_loss!r}")
        return L * (1.0 - np.eye(K))
    D = check_array(task_loss, name="task_loss")
    if D.shape != (K, K):
        raise ValueError(f"task_loss must be a ({K}, {K}) matrix Delta[y, yhat]; "
                         f"got shape {D.shape}")
    return D


# ------------------------------------------------------------------------------ functions
def _temperature(scores, y, eps, D):
    """The validated core: (loss (n,), grad (n, K))."""
    n, K = scores.shape
    rows = np.arange(n)
    A = D[y] + scores  # (n, K): Delta(y_i, yhat) + s_yhat
    m = A.max(axis=1)
    G = np.zeros((n, K))
    if eps == 0.0:
        loss = m - scores[rows, y]
        G[rows, np.argmax(A, axis=1)] = 1.0  # argmax: lowest index on ties
    else:
        with np.errstate(over="ignore"):
            Z = (A - m[:, None]) / eps  # <= 0, so exp never overflows (tiny eps: -inf -> 0)
        loss = m + eps * logsumexp(Z, axis=1) - scores[rows, y]
        G = softmax(Z, axis=1)
    G[rows, y] -= 1.0
    return loss, G


def temperature_loss(scores, y, eps, task_loss=None):
    """L_eps(s; y) = eps ln sum_yhat exp((Delta(y, yhat) + s_yhat) / eps) - s_y, per sample.

    Parameters
    ----------
    scores : array-like (n, K)
        s_i,yhat = w^T psi(x^(i), yhat).
    y : array-like (n,)
        True class indices in [0, K).
    eps : float >= 0
        Temperature; eps = 0 is the exact limit max_yhat (Delta(y, yhat) + s_yhat) - s_y.
    task_loss : array-like (K, K) or None
        Delta[y, yhat]; None is the 0-1 loss 1[y != yhat]; np.zeros((K, K)) gives Delta = 0.

    Returns
    -------
    loss : ndarray (n,)
    grad : ndarray (n, K)
        dL/ds = softmax((Delta(y, .) + s) / eps) - onehot(y); for eps = 0 the subgradient
        onehot(argmax_yhat (Delta + s), lowest index on ties) - onehot(y).
    """
    eps = _check_eps(eps)
    scores, y = _check_scores_y(scores, y)
    D = task_loss_matrix(task_loss, scores.shape[1])
    return _temperature(scores, y, eps, D)


def multiclass_hinge(scores, y, task_loss=None):
    """L_0(s; y) = max_yhat (Delta(y, yhat) + s_yhat) - s_y: ``temperature_loss(eps=0)``.

    Returns (loss (n,), subgradient (n, K)); Delta defaults to the 0-1 loss.
    """
    return temperature_loss(scores, y, 0.0, task_loss)


def cross_entropy(scores, y):
    """L_1(s; y) with Delta = 0: ln sum_k exp(s_k) - s_y = -ln softmax(s)_y.

    ``temperature_loss(eps=1, task_loss=zeros)``; returns (loss (n,), softmax(s) - onehot(y)).
    """
    scores, y = _check_scores_y(scores, y)
    K = scores.shape[1]
    return _temperature(scores, y, 1.0, np.zeros((K, K)))


def binary_logistic_loss(margins):
    """ln(1 + exp(-m)) of margins m = y (w^T x + b), y = +-1 (= cross_entropy on scores
    (0, w^T x + b)); returns ndarray of the margins' shape."""
    m = check_array(margins, name="margins", ensure_2d=False)
    return softplus(-m)


def binary_hinge(margins):
    """max(0, 1 - m) of margins m = y (w^T x + b), y = +-1 (= multiclass_hinge with the 0-1
    loss on scores (0, w^T x + b)); returns ndarray of the margins' shape."""
    m = check_array(margins, name="margins", ensure_2d=False)
    return np.maximum(0.0, 1.0 - m)


def binary_temperature_loss(margins, eps, task_loss=1.0):
    """The two-class temperature loss of the margin m = w^T psi(x, y) - w^T psi(x, yhat):

        eps ln(1 + exp((L - m) / eps))   (temperature_loss of the scores +-m/2 of
                                          psi(x, y) = y x / 2, Delta = L [y != yhat]),
        eps = 0:          max(0, L - m)  (L = 1: the SVM hinge, ``binary_hinge``),
        eps = 1, L = 0:   ln(1 + e^{-m}) (logistic loss, ``binary_logistic_loss``),

    with the 0-1 task loss scaled by L (Delta(y, yhat) = L [y != yhat]). Between them
    max(0, L - m) <= loss <= max(0, L - m) + eps ln 2. Returns ndarray of the margins' shape.
    """
    m = check_array(margins, name="margins", ensure_2d=False)
    eps = _check_eps(eps)
    L = check_scalar(task_loss, "task_loss", float)
    if not math.isfinite(L):
        raise ValueError(f"task_loss must be a finite number; got {task_loss!r}")
    if eps == 0.0:
        return np.maximum(0.0, L - m)
    return eps * softplus((L - m) / eps)  # softplus(z) = ln(1 + e^z), stable
