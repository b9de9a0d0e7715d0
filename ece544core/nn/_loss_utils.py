"""What every loss of :mod:`ece544core.nn.losses` shares: input checks, the reduction and the
one backward.

A loss first computes per-element values l (shape ``loss_shape``) and their derivatives
G = dl/dinput (the input's shape: element-wise for MSE, L1, BCE, ...; along the class axis 1
for cross-entropy, NLL and the hinges, where sample n's loss depends on the row input[n, :]).
The reduction then gives

    "none": l,       "sum": sum_n l_n,       "mean": (1/Z) sum_n l_n

(Z = the number of elements, or the sum of the weights of the non-ignored targets, or N for
KLDivLoss's "batchmean"), and the backward is

    dL/dinput = G * g * s

with g the gradient arriving from above (an array of ``loss_shape`` for "none", broadcast
along the class axis; a scalar otherwise) and s = 1 ("none", "sum") or 1/Z ("mean").
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .._validation import check_array, check_option, check_scalar

__all__ = ["REDUCTIONS", "LossCtx", "loss_backward", "check_reduction", "as_input",
           "as_like", "as_class_target", "as_class_weight", "as_broadcast_weight",
           "check_unit_interval", "check_ignore_index", "reduce_loss"]

REDUCTIONS = ("none", "mean", "sum")


@dataclass(frozen=True)
class LossCtx:
    """What a loss's forward keeps for its backward (module docstring).

    grad : dl/dinput, the input's shape and dtype.
    loss_shape : shape of the unreduced loss l.
    reduction : "none", "mean", "sum" (or "batchmean").
    scale : s, the factor of the reduction (1/Z for a mean, else 1).
    class_axis : True when l_n depends on the row input[n, :, ...] (l lacks axis 1).
    """

    grad: np.ndarray
    loss_shape: tuple
    reduction: str
    scale: float
    class_axis: bool = False


# ------------------------------------------------------------------------------ options
def check_reduction(reduction, extra: tuple = ()) -> str:
    """``reduction`` in ("none", "mean", "sum") + ``extra``, else a ValueError naming it."""
    return check_option(reduction, "reduction", REDUCTIONS + tuple(extra))


# ------------------------------------------------------------------------------ arrays
def _float_dtype(x):
    return np.float32 if getattr(x, "dtype", None) == np.float32 else np.float64


def as_input(input, name: str = "input", min_ndim: int = 1) -> np.ndarray:
    """A finite float array (float32 stays float32, everything else becomes float64) with at
    least ``min_ndim`` dimensions."""
    arr = check_array(input, name=name, ensure_2d=False, dtype=_float_dtype(input))
    if arr.ndim < min_ndim:
        shape = "(N, C)" if min_ndim == 2 else "(N, ...)"
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), {shape}; "
                         f"got a {arr.ndim}-D array of shape {arr.shape}")
    return arr


def as_like(target, input: np.ndarray, name: str = "target") -> np.ndarray:
    """``target`` as a finite float array of the input's dtype and exactly its shape."""
    arr = check_array(target, name=name, ensure_2d=False, dtype=input.dtype)
    if arr.shape != input.shape:
        raise ValueError(f"{name} must have the input's shape {input.shape}; got shape "
                         f"{arr.shape}")
    return arr


def check_unit_interval(arr: np.ndarray, name: str) -> None:
    """Raise unless every entry of ``arr`` is a probability in [0, 1]."""
    bad = (arr < 0) | (arr > 1)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} must hold probabilities in [0, 1]; got {int(bad.sum())} "
                         f"value(s) outside, the first {arr[first].item()!r} at index "
                         f"{first[0] if len(first) == 1 else first}")


def as_class_target(target, input: np.ndarray, ignore_index=None) -> np.ndarray:
    """Class indices of shape (N, d1, ...) for an input (N, C, d1, ...), each in [0, C) or equal
    to ``ignore_index``; returned as intp."""
    C = input.shape[1]
    want = (input.shape[0],) + input.shape[2:]
    arr = check_array(target, name="target", ensure_2d=False, dtype=None)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"target must hold integer class indices in [0, {C}) (or "
                             f"probabilities of the input's shape {input.shape}); got "
                             f"non-integer values of shape {arr.shape}")
    elif arr.dtype.kind not in "iu":
        raise ValueError(f"target must hold integer class indices; got dtype {arr.dtype}")
    if arr.shape != want:
        raise ValueError(f"target must have shape {want} (input {input.shape} without its "
                         f"class axis 1) or, for probabilities, the input's shape; got shape "
                         f"{arr.shape}")
    arr = arr.astype(np.intp)
    out = (arr < 0) | (arr >= C)
    if ignore_index is not None:
        out &= arr != ignore_index
    if out.any():
        extra = f" or ignore_index = {ignore_index}" if ignore_index is not None else ""
        raise ValueError(f"target must hold class indices in [0, {C}) (C = input.shape[1])"
                         f"{extra}; got {arr[out].flat[0]!r}")
    return arr


def check_ignore_index(ignore_index) -> int:
    return check_scalar(ignore_index, "ignore_index", int)


def as_class_weight(weight, C: int, dtype) -> np.ndarray | None:
    """None, or a finite (C,) array of the input's dtype: one rescaling weight per class."""
    if weight is None:
        return None
    w = check_array(weight, name="weight", ensure_2d=False, dtype=dtype)
    if w.shape != (C,):
        raise ValueError(f"weight must have shape ({C},), one weight per class (C = "
                         f"input.shape[1]); got shape {w.shape}")
    return w


def as_broadcast_weight(weight, shape: tuple, dtype, name: str = "weight"):
    """None, or a finite array of ``dtype`` that broadcasts to the input's ``shape``."""
    if weight is None:
        return None
    if isinstance(weight, numbers.Real):
        weight = np.asarray(weight)
    arr = np.asarray(weight)
    arr = check_array(arr.reshape(1) if arr.ndim == 0 else arr, name=name, ensure_2d=False,
                      dtype=dtype)
    try:
        if np.broadcast_shapes(arr.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"{name} must broadcast to the input's shape {shape}; got shape "
                         f"{arr.shape}") from None
    return arr


# ------------------------------------------------------------------------------ reduction
def reduce_loss(loss: np.ndarray, grad: np.ndarray, reduction: str, denominator=None,
                class_axis: bool = False):
    """(value, ctx): the reduction of the per-element ``loss`` (module docstring).

    ``denominator`` is Z of the mean (default: loss.size). A Z of 0 (every target ignored)
    gives NaN, as PyTorch, and a zero gradient.
    """
    scale = 1.0
    if reduction == "none":
        value = loss
    else:
        value = float(loss.sum())
        if reduction in ("mean", "batchmean"):
            Z = float(loss.size if denominator is None else denominator)
            value, scale = (value / Z, 1.0 / Z) if Z != 0 else (float("nan"), 0.0)
    return value, LossCtx(grad=grad, loss_shape=loss.shape, reduction=reduction, scale=scale,
                          class_axis=class_axis)


def loss_backward(grad_output, ctx: LossCtx) -> np.ndarray:
    """dL/dinput = G * grad_output * s (module docstring). ``grad_output`` is a number for
    "mean"/"sum" and an array of the unreduced loss's shape for "none"."""
    if ctx.reduction == "none":
        g = check_array(grad_output, name="grad_output", ensure_2d=False,
                        dtype=ctx.grad.dtype) if np.ndim(grad_output) else None
        if g is None or g.shape != ctx.loss_shape:
            got = np.shape(grad_output)
            raise ValueError(f"grad_output must be an array of the loss's shape "
                             f"{ctx.loss_shape} for reduction='none'; got shape {got}")
        return ctx.grad * (np.expand_dims(g, 1) if ctx.class_axis else g)
    g = check_scalar(np.asarray(grad_output).item(), "grad_output", float) \
        if np.ndim(grad_output) == 0 else None
    if g is None or not np.isfinite(g):
        raise ValueError(f"grad_output must be a finite number for reduction="
                         f"{ctx.reduction!r}; got {grad_output!r}")
    return ctx.grad * ctx.grad.dtype.type(g * ctx.scale)
