"""The element-wise losses of PyTorch's family: each entry of the input meets the entry of the
target at the same place (course notes, "Loss function"; PyTorch's ``torch.nn.functional``
names and conventions).

    MSELoss            l_i = (x_i - y_i)^2
    L1Loss             l_i = |x_i - y_i|
    BCELoss            l_i = -w_i [t_i log o_i + (1 - t_i) log(1 - o_i)]     o: probabilities
    BCEWithLogitsLoss  l_i = -w_i [p t_i log sigma(o_i) + (1 - t_i) log(1 - sigma(o_i))]
                                                                               o: logits
    KLDivLoss          l_i = t_i (log t_i - x_i)                                x: log-probs

then reduced by ``reduction`` ("mean" = the notes' 1/n sum_i, "sum", "none"). Each loss is a
``<name>_forward(input, target, ...) -> (value, ctx)`` / ``<name>_backward(grad_output, ctx)
-> dL/dinput`` pair and the plain ``<name>(...)`` = the value (a float for "mean"/"sum", an
array of the input's shape for "none"). The classes are in :mod:`ece544core.nn.losses`.
"""
from __future__ import annotations

import numpy as np

from .._math import sigmoid, softplus
from ._loss_utils import (as_broadcast_weight, as_input, as_like, check_reduction,
                          check_unit_interval, loss_backward, reduce_loss)

__all__ = ["mse_loss", "mse_loss_forward", "mse_loss_backward",
           "l1_loss", "l1_loss_forward", "l1_loss_backward",
           "binary_cross_entropy", "binary_cross_entropy_forward",
           "binary_cross_entropy_backward",
           "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_forward",
           "binary_cross_entropy_with_logits_backward",
           "kl_div", "kl_div_forward", "kl_div_backward"]

#: PyTorch's floor of BCELoss's logarithms (log 0 = -inf would make the loss infinite).
LOG_FLOOR = -100.0
#: PyTorch's floor of o (1 - o) in BCELoss's gradient (t - o) / (o (1 - o)).
BCE_EPS = 1e-12


def _pair(input, target, reduction, extra=()):
    x = as_input(input)
    return x, as_like(target, x), check_reduction(reduction, extra)


# ------------------------------------------------------------------------------ MSE, L1
def mse_loss_forward(input, target, reduction: str = "mean"):
    """l_i = (x_i - y_i)^2; "mean": 1/n sum_i (x_i - y_i)^2 (the notes' MSELoss).

    Parameters
    ----------
    input, target : array-like of the same shape
        The prediction x and the target y.
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    value : float, or ndarray of the input's shape for "none"
    ctx : LossCtx
        For :func:`mse_loss_backward`: dl_i/dx_i = 2 (x_i - y_i).
    """
    x, y, reduction = _pair(input, target, reduction)
    r = x - y
    return reduce_loss(r * r, 2 * r, reduction)


def l1_loss_forward(input, target, reduction: str = "mean"):
    """l_i = |x_i - y_i|; "mean": 1/n sum_i |x_i - y_i|. dl_i/dx_i = sign(x_i - y_i) (0 at a
    tie, as PyTorch). Parameters and returns as :func:`mse_loss_forward`."""
    x, y, reduction = _pair(input, target, reduction)
    r = x - y
    return reduce_loss(np.abs(r), np.sign(r), reduction)


# ------------------------------------------------------------------------------ BCE
def _clamped_log(p: np.ndarray) -> np.ndarray:
    """max(log p, -100) without a log(0) warning: p is floored at the dtype's tiny first."""
    return np.maximum(np.log(np.maximum(p, np.finfo(p.dtype).tiny)), LOG_FLOOR)


def binary_cross_entropy_forward(input, target, weight=None, reduction: str = "mean"):
    """l_i = -w_i [t_i log o_i + (1 - t_i) log(1 - o_i)], logs floored at -100 (as PyTorch).

    The notes' BCELoss: o is the model's probability of class 1, t the target probability.

    Parameters
    ----------
    input : array-like
        Probabilities o in [0, 1] (a sigmoid's output); anything outside is a ValueError.
    target : array-like of the input's shape
        Target probabilities t in [0, 1].
    weight : array-like broadcastable to the input's shape, or None
        Rescaling weight w_i of each element.
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    value, ctx
        ctx for :func:`binary_cross_entropy_backward`:
        dl_i/do_i = w_i (o_i - t_i) / max(o_i (1 - o_i), 1e-12) (PyTorch's formula).
    """
    o, t, reduction = _pair(input, target, reduction)
    check_unit_interval(o, "input")
    check_unit_interval(t, "target")
    w = as_broadcast_weight(weight, o.shape, o.dtype)
    loss = -(t * _clamped_log(o) + (1 - t) * _clamped_log(1 - o))
    grad = (o - t) / np.maximum(o * (1 - o), o.dtype.type(BCE_EPS))
    if w is not None:
        loss, grad = loss * w, grad * w
    return reduce_loss(loss, grad, reduction)


def binary_cross_entropy_with_logits_forward(input, target, weight=None,
                                             reduction: str = "mean", pos_weight=None):
    """l_i = w_i [(1 - t_i) o_i + (1 + (p - 1) t_i) softplus(-o_i)]
           = -w_i [p t_i log sigma(o_i) + (1 - t_i) log(1 - sigma(o_i))].

    The notes' BCEWithLogitsLoss on logits o, in the stable softplus form (finite for
    o = +-1e4, where sigma(o) rounds to 0 or 1 and BCELoss would clamp).

    Parameters
    ----------
    input : array-like
        Logits o (any real numbers).
    target : array-like of the input's shape
        Target probabilities t in [0, 1].
    weight : array-like broadcastable to the input's shape, or None
        Rescaling weight w_i.
    reduction : {"mean", "sum", "none"}
    pos_weight : array-like broadcastable to the input's shape (e.g. (C,) for (N, C)), or None
        p, the weight of the positive term (p > 1 favours recall of class 1).

    Returns
    -------
    value, ctx
        ctx for the backward: dl_i/do_i = w_i [(1 - t_i) - (1 + (p - 1) t_i) sigma(-o_i)].
    """
    o, t, reduction = _pair(input, target, reduction)
    check_unit_interval(t, "target")
    w = as_broadcast_weight(weight, o.shape, o.dtype)
    p = as_broadcast_weight(pos_weight, o.shape, o.dtype, name="pos_weight")
    lw = 1 + (p - 1) * t if p is not None else 1
    loss = (1 - t) * o + lw * softplus(-o)
    grad = (1 - t) - lw * sigmoid(-o)
    if w is not None:
        loss, grad = loss * w, grad * w
    return reduce_loss(loss, grad, reduction)


# ------------------------------------------------------------------------------ KL
def kl_div_forward(input, target, reduction: str = "mean", log_target: bool = False):
    """l_i = t_i (log t_i - x_i) (0 where t_i = 0); ``log_target``: l_i = e^{t_i} (t_i - x_i).

    KL(t || q) = sum_i t_i log(t_i / q_i) with the input x = log q (log-probabilities, e.g. a
    log_softmax); the target t is a probability (or, with ``log_target``, its log).

    Parameters
    ----------
    input : array-like
        Log-probabilities x.
    target : array-like of the input's shape
        Probabilities t >= 0, or log-probabilities if ``log_target``.
    reduction : {"mean", "batchmean", "sum", "none"}
        "mean" divides by the number of elements (PyTorch's default, not KL); "batchmean" by
        N = input.shape[0], which gives the KL divergence per sample.
    log_target : bool

    Returns
    -------
    value, ctx
        ctx for the backward: dl_i/dx_i = -t_i (``log_target``: -e^{t_i}).
    """
    x, t, reduction = _pair(input, target, reduction, extra=("batchmean",))
    if not isinstance(log_target, (bool, np.bool_)):
        raise ValueError(f"log_target must be True or False; got {log_target!r}")
    if log_target:
        e = np.exp(t)
        loss, grad = e * (t - x), -e
    else:
        if np.any(t < 0):
            raise ValueError(f"target must hold probabilities >= 0 (log_target=False); got "
                             f"{t[t < 0].flat[0]!r}")
        pos = t > 0
        loss = np.where(pos, t * np.log(np.where(pos, t, 1)), 0) - t * x
        grad = -t
    Z = x.shape[0] if reduction == "batchmean" else None
    return reduce_loss(loss, grad, reduction, denominator=Z)


# ------------------------------------------------------------------------------ pairs, values
mse_loss_backward = l1_loss_backward = binary_cross_entropy_backward = loss_backward
binary_cross_entropy_with_logits_backward = kl_div_backward = loss_backward


def mse_loss(input, target, reduction: str = "mean"):
    """The value of :func:`mse_loss_forward` (PyTorch's ``F.mse_loss``)."""
    return mse_loss_forward(input, target, reduction)[0]


def l1_loss(input, target, reduction: str = "mean"):
    """The value of :func:`l1_loss_forward` (PyTorch's ``F.l1_loss``)."""
    return l1_loss_forward(input, target, reduction)[0]


def binary_cross_entropy(input, target, weight=None, reduction: str = "mean"):
    """The value of :func:`binary_cross_entropy_forward` (``F.binary_cross_entropy``)."""
    return binary_cross_entropy_forward(input, target, weight, reduction)[0]


def binary_cross_entropy_with_logits(input, target, weight=None, reduction: str = "mean",
                                     pos_weight=None):
    """The value of :func:`binary_cross_entropy_with_logits_forward`."""
    return binary_cross_entropy_with_logits_forward(input, target, weight, reduction,
                                                    pos_weight)[0]


def kl_div(input, target, reduction: str = "mean", log_target: bool = False):
    """The value of :func:`kl_div_forward` (PyTorch's ``F.kl_div``)."""
    return kl_div_forward(input, target, reduction, log_target)[0]
