"""PyTorch's loss family in NumPy (course notes, "Loss function"), with each loss's gradient.

The losses over a class axis live here (the element-wise ones, MSE, L1, BCE, BCE with logits
and KL, in :mod:`ece544core.nn.pointwise_losses`, re-exported). Input x of shape (N, C) or
(N, C, d1, ...): C class scores (logits) per sample; a class-index target y of shape
(N, d1, ...):

    CrossEntropyLoss   l_n = -log softmax(x_n)[y_n] = -x_n[y_n] + log sum_j exp(x_n[j])
    NLLLoss            l_n = -x_n[y_n]               (x = log-probabilities)
    MultiMarginLoss    l_n = (1/C) sum_{j != y_n} max(0, margin - x_n[y_n] + x_n[j])^p
    MultiClassHingeLoss  l_n = max_j (margin [j != y_n] + x_n[j]) - x_n[y_n]   (Crammer-Singer)

with per-class weights w (l_n scaled by w[y_n]), ``ignore_index`` (targets equal to it add
nothing) and ``reduction``: "none" -> l, "sum" -> sum_n l_n, "mean" -> sum_n l_n / sum_n w[y_n]
over the non-ignored targets (= 1/N sum_n l_n without weights), exactly as PyTorch.

Three ways to call each (PyTorch's names): the class, ``loss = CrossEntropyLoss(...)``,
``value = loss(input, target)`` (keeps what the backward needs), ``loss.backward(grad_output=1.0)
-> dL/dinput``; the functional value ``cross_entropy(input, target, ...)``; and the pair
``cross_entropy_forward(...) -> (value, ctx)``, ``cross_entropy_backward(grad_output, ctx)``.
Values are floats for "mean"/"sum" and arrays for "none" (then ``grad_output`` is an array of
that shape); float32 input gives float32 gradients.

How the notes' training objective appears: with F(w, x, yhat) the network's score of class
yhat, min_w C/2 ||w||^2 + sum_i [-F(w, x_i, y_i) + ln sum_yhat exp F(w, x_i, yhat)] is
CrossEntropyLoss(reduction="sum") plus weight decay C. With the hinge instead it is the notes'
multiclass SVM, the Crammer-Singer loss (:class:`MultiClassHingeLoss`, the eps -> 0 limit of
the temperature loss of :mod:`ece544core.losses`).
"""
from __future__ import annotations

import numpy as np

from .. import losses as _svm_losses
from .._math import log_softmax
from .._validation import check_scalar
from ._loss_utils import (as_class_target, as_class_weight, as_input, as_like,
                          check_ignore_index, check_reduction, check_unit_interval,
                          loss_backward, reduce_loss)
from .pointwise_losses import (binary_cross_entropy, binary_cross_entropy_backward,
                               binary_cross_entropy_forward, binary_cross_entropy_with_logits,
                               binary_cross_entropy_with_logits_backward,
                               binary_cross_entropy_with_logits_forward, kl_div,
                               kl_div_backward, kl_div_forward, l1_loss, l1_loss_backward,
                               l1_loss_forward, mse_loss, mse_loss_backward, mse_loss_forward)

__all__ = [
    "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss",
    "KLDivLoss", "MultiMarginLoss", "MultiClassHingeLoss",
    "cross_entropy", "cross_entropy_forward", "cross_entropy_backward",
    "nll_loss", "nll_loss_forward", "nll_loss_backward",
    "multi_margin_loss", "multi_margin_loss_forward", "multi_margin_loss_backward",
    "multiclass_hinge", "multiclass_hinge_forward", "multiclass_hinge_backward",
    "mse_loss", "mse_loss_forward", "mse_loss_backward",
    "l1_loss", "l1_loss_forward", "l1_loss_backward",
    "binary_cross_entropy", "binary_cross_entropy_forward", "binary_cross_entropy_backward",
    "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_forward",
    "binary_cross_entropy_with_logits_backward",
    "kl_div", "kl_div_forward", "kl_div_backward",
]


# ------------------------------------------------------------------------------ helpers
def _along_classes(v: np.ndarray, ndim: int) -> np.ndarray:
    """A (C,) vector shaped (1, C, 1, ...) to broadcast against an (N, C, d1, ...) input."""
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def _index_coefficients(x, y, w, ignore_index: int, label_smoothing: float):
    """(A, Z): the cross-entropy coefficients of class-index targets and the mean's divisor.

    l_n = -sum_c A[n, c] log p[n, c] with A[n, c] = m_n w_c ((1 - eps) [c = y_n] + eps / C),
    m_n = [y_n != ignore_index]; Z = sum_n m_n w[y_n] (w = 1 without weights).
    """
    C, dtype = x.shape[1], x.dtype
    keep = y != ignore_index
    y_safe = np.where(keep, y, 0)[:, None]                      # (N, 1, d1, ...)
    w_y = np.ones(y_safe.shape, dtype) if w is None else w[y_safe]
    w_y = w_y * keep[:, None]
    A = np.zeros_like(x)
    np.put_along_axis(A, y_safe, (1 - label_smoothing) * w_y, axis=1)
    if label_smoothing:
        w_all = np.ones(C, dtype) if w is None else w
        A += (label_smoothing / C) * _along_classes(w_all, x.ndim) * keep[:, None]
    return A, float(w_y.sum())


def _probability_coefficients(x, target, w, label_smoothing: float):
    """(A, Z) for probability targets t: A = w_c ((1 - eps) t + eps / C), Z = N d1 ... (the
    number of samples: PyTorch's mean ignores the weights here)."""
    t = as_like(target, x)
    check_unit_interval(t, "target")
    C = x.shape[1]
    A = (1 - label_smoothing) * t + label_smoothing / C if label_smoothing else t
    if w is not None:
        A = A * _along_classes(w, x.ndim)
    return A, x.size / C


# ------------------------------------------------------------------------------ CE, NLL
def cross_entropy_forward(input, target, weight=None, ignore_index: int = -100,
                          reduction: str = "mean", label_smoothing: float = 0.0):
    """l_n = -w[y_n] log softmax(x_n)[y_n] = w[y_n] (-x_n[y_n] + log sum_j exp(x_n[j])).

    The notes' CrossEntropyLoss, through a stable log_softmax (finite for logits of +-1e4).
    With label smoothing eps the target is (1 - eps) onehot(y_n) + eps / C.

    Parameters
    ----------
    input : array-like (N, C) or (N, C, d1, ...)
        Logits x.
    target : array-like
        Class indices (N,) or (N, d1, ...) in [0, C) or equal to ``ignore_index``; or
        probabilities of the input's shape (then ``ignore_index`` does not apply).
    weight : array-like (C,) or None
        Per-class rescaling w.
    ignore_index : int
        A class-index target equal to it contributes neither loss nor gradient.
    reduction : {"mean", "sum", "none"}
        "mean" divides by sum_n w[y_n] over the non-ignored targets (NaN if there are none, as
        PyTorch); for probability targets by the number of samples N d1 ...
    label_smoothing : float in [0, 1]

    Returns
    -------
    value : float, or ndarray (N, d1, ...) for "none"
    ctx : for :func:`cross_entropy_backward`; with l_n = -sum_c A_nc log p_nc,
        dl_n/dx_n = p_n sum_c A_nc - A_n (= p_n - onehot(y_n) in the plain case).
    """
    x = as_input(input, min_ndim=2)
    reduction = check_reduction(reduction)
    ignore_index = check_ignore_index(ignore_index)
    eps = check_scalar(label_smoothing, "label_smoothing", float, min_val=0.0, max_val=1.0)
    w = as_class_weight(weight, x.shape[1], x.dtype)
    if np.shape(target) == x.shape:
        A, Z = _probability_coefficients(x, target, w, eps)
    else:
        A, Z = _index_coefficients(x, as_class_target(target, x, ignore_index), w,
                                   ignore_index, eps)
    logp = log_softmax(x, axis=1)
    loss = -(A * logp).sum(axis=1)
    grad = np.exp(logp) * A.sum(axis=1, keepdims=True) - A
    return reduce_loss(loss, grad, reduction, denominator=Z, class_axis=True)


def nll_loss_forward(input, target, weight=None, ignore_index: int = -100,
                     reduction: str = "mean"):
    """l_n = -w[y_n] x_n[y_n] (the notes' NLLLoss: x are log-probabilities, e.g. log_softmax).

    Parameters as :func:`cross_entropy_forward` (class-index targets only). The gradient is
    dl_n/dx_n = -w[y_n] onehot(y_n) (0 for an ignored target).
    """
    x = as_input(input, min_ndim=2)
    reduction = check_reduction(reduction)
    ignore_index = check_ignore_index(ignore_index)
    w = as_class_weight(weight, x.shape[1], x.dtype)
    A, Z = _index_coefficients(x, as_class_target(target, x, ignore_index), w, ignore_index,
                               0.0)
    return reduce_loss(-(A * x).sum(axis=1), -A, reduction, denominator=Z, class_axis=True)


# ------------------------------------------------------------------------------ hinges
def multi_margin_loss_forward(input, target, p: int = 1, margin: float = 1.0, weight=None,
                              reduction: str = "mean"):
    """l_n = (w[y_n] / C) sum_{j != y_n} max(0, margin - x_n[y_n] + x_n[j])^p (PyTorch's).

    PyTorch's multiclass hinge: every wrong class j that comes within ``margin`` of the true
    score adds its violation, and the sum is divided by the number of classes C. The notes'
    multiclass SVM (Crammer-Singer, :func:`multiclass_hinge_forward`) instead takes only the
    worst violation, max_j. Both are 0 exactly when every wrong class is beaten by the margin,
    and for p = 1 they bound each other: hinge_CS / C <= l_n <= (C - 1) hinge_CS / C.

    Parameters
    ----------
    input : array-like (N, C)
        Scores x.
    target : array-like (N,)
        Class indices in [0, C).
    p : {1, 2}
        1: the hinge; 2: the squared hinge.
    margin : float
    weight : array-like (C,) or None
        Per-class weight w (multiplies the powered violations, as PyTorch computes it).
    reduction : {"mean", "sum", "none"}
        "mean" is 1/N sum_n l_n (the weights do not enter the divisor here).

    Returns
    -------
    value, ctx
        ctx for the backward: dl_n/dx_n[j] = p max(0, v_nj)^(p-1) w[y_n] / C for j != y_n,
        minus their sum at j = y_n (v_nj = margin - x_n[y_n] + x_n[j]).
    """
    x = as_input(input, min_ndim=2)
    if x.ndim != 2:
        raise ValueError(f"input must be a 2-D array (N, C); got shape {x.shape}")
    if p not in (1, 2) or isinstance(p, bool):
        raise ValueError(f"p must be 1 or 2; got {p!r}")
    margin = check_scalar(margin, "margin", float)
    reduction = check_reduction(reduction)
    y = as_class_target(target, x)
    w = as_class_weight(weight, x.shape[1], x.dtype)
    N, C = x.shape
    rows = np.arange(N)
    v = x.dtype.type(margin) - x[rows, y][:, None] + x          # (N, C) violations
    v[rows, y] = 0.0
    h = np.maximum(v, 0)
    scale = (np.ones(N, x.dtype) if w is None else w[y])[:, None] / C
    loss = ((h * h if p == 2 else h) * scale).sum(axis=1)
    grad = (2 * h if p == 2 else (v > 0).astype(x.dtype)) * scale
    grad[rows, y] = -grad.sum(axis=1)
    return reduce_loss(loss, grad, reduction, class_axis=True)


def multiclass_hinge_forward(input, target, margin: float = 1.0, reduction: str = "mean"):
    """l_n = max_j (margin [j != y_n] + x_n[j]) - x_n[y_n] >= 0: the notes' multiclass SVM.

    The Crammer-Singer loss (:func:`ece544core.losses.multiclass_hinge` with the task loss
    Delta = margin [y != yhat], the eps -> 0 limit of the temperature loss): only the worst
    wrong class counts, max_{j != y_n} max(0, margin - x_n[y_n] + x_n[j]). Compare
    :func:`multi_margin_loss_forward` (PyTorch's, the mean over classes of every violation).

    Parameters
    ----------
    input : array-like (N, C)
        Scores x = F(w, x_n, .).
    target : array-like (N,)
        Class indices in [0, C).
    margin : float
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    value, ctx
        ctx for the backward: the subgradient onehot(j*) - onehot(y_n), j* the maximiser
        (the lowest index on a tie).
    """
    x = as_input(input, min_ndim=2)
    if x.ndim != 2:
        raise ValueError(f"input must be a 2-D array (N, C); got shape {x.shape}")
    margin = check_scalar(margin, "margin", float)
    reduction = check_reduction(reduction)
    y = as_class_target(target, x)
    loss, grad = _svm_losses.multiclass_hinge(x, y, task_loss=margin)
    return reduce_loss(loss.astype(x.dtype), grad.astype(x.dtype), reduction,
                       class_axis=True)


cross_entropy_backward = nll_loss_backward = loss_backward
multi_margin_loss_backward = multiclass_hinge_backward = loss_backward


def cross_entropy(input, target, weight=None, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0):
    """The value of :func:`cross_entropy_forward` (PyTorch's ``F.cross_entropy``)."""
    return cross_entropy_forward(input, target, weight, ignore_index, reduction,
                                 label_smoothing)[0]


def nll_loss(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean"):
    """The value of :func:`nll_loss_forward` (PyTorch's ``F.nll_loss``)."""
    return nll_loss_forward(input, target, weight, ignore_index, reduction)[0]


def multi_margin_loss(input, target, p: int = 1, margin: float = 1.0, weight=None,
                      reduction: str = "mean"):
    """The value of :func:`multi_margin_loss_forward` (PyTorch's ``F.multi_margin_loss``)."""
    return multi_margin_loss_forward(input, target, p, margin, weight, reduction)[0]


def multiclass_hinge(input, target, margin: float = 1.0, reduction: str = "mean"):
    """The value of :func:`multiclass_hinge_forward` (Crammer-Singer; no PyTorch twin)."""
    return multiclass_hinge_forward(input, target, margin, reduction)[0]


# ------------------------------------------------------------------------------ classes
class _Loss:
    """``loss(input, target)`` -> value (keeps the ctx); ``loss.backward(grad_output=1.0)`` ->
    dL/dinput of that last call. Subclasses set ``_forward`` and pass their options."""

    _forward = None
    _reductions: tuple = ()

    def __init__(self, **options) -> None:
        check_reduction(options["reduction"], self._reductions)
        self._options = options
        self._ctx = None

    def __getattr__(self, name):
        options = self.__dict__.get("_options", {})
        if name in options:
            return options[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def forward(self, input, target):
        value, self._ctx = type(self)._forward(input, target, **self._options)
        return value

    __call__ = forward

    def backward(self, grad_output=1.0) -> np.ndarray:
        if self._ctx is None:
            raise ValueError(f"{type(self).__name__}.backward needs a forward call first: "
                             f"call loss(input, target)")
        return loss_backward(grad_output, self._ctx)

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self._options.items()
                         if not isinstance(v, np.ndarray))
        return f"{type(self).__name__}({opts})"


class CrossEntropyLoss(_Loss):
    """-x[class] + log sum_j exp(x[j]) (:func:`cross_entropy_forward`)."""

    _forward = staticmethod(cross_entropy_forward)

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(weight=weight, ignore_index=ignore_index, reduction=reduction,
                         label_smoothing=label_smoothing)


class NLLLoss(_Loss):
    """-x[class] for log-probabilities x (:func:`nll_loss_forward`)."""

    _forward = staticmethod(nll_loss_forward)

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(weight=weight, ignore_index=ignore_index, reduction=reduction)


class MSELoss(_Loss):
    """1/n sum_i (x_i - y_i)^2 (:func:`~ece544core.nn.pointwise_losses.mse_loss_forward`)."""

    _forward = staticmethod(mse_loss_forward)

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)


class L1Loss(_Loss):
    """1/n sum_i |x_i - y_i| (:func:`~ece544core.nn.pointwise_losses.l1_loss_forward`)."""

    _forward = staticmethod(l1_loss_forward)

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)


class BCELoss(_Loss):
    """-1/n sum_i w_i (t_i log o_i + (1 - t_i) log(1 - o_i)), o in [0, 1]
    (:func:`~ece544core.nn.pointwise_losses.binary_cross_entropy_forward`)."""

    _forward = staticmethod(binary_cross_entropy_forward)

    def __init__(self, weight=None, reduction: str = "mean") -> None:
        super().__init__(weight=weight, reduction=reduction)


class BCEWithLogitsLoss(_Loss):
    """-1/n sum_i w_i (p t_i log sigma(o_i) + (1 - t_i) log(1 - sigma(o_i))), o logits
    (:func:`~ece544core.nn.pointwise_losses.binary_cross_entropy_with_logits_forward`)."""

    _forward = staticmethod(binary_cross_entropy_with_logits_forward)

    def __init__(self, weight=None, reduction: str = "mean", pos_weight=None) -> None:
        super().__init__(weight=weight, reduction=reduction, pos_weight=pos_weight)


class KLDivLoss(_Loss):
    """t (log t - x) for log-probabilities x; reduction also "batchmean"
    (:func:`~ece544core.nn.pointwise_losses.kl_div_forward`)."""

    _forward = staticmethod(kl_div_forward)
    _reductions = ("batchmean",)

    def __init__(self, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(reduction=reduction, log_target=log_target)


class MultiMarginLoss(_Loss):
    """(1/C) sum_{j != y} max(0, margin - x[y] + x[j])^p: PyTorch's multiclass hinge
    (:func:`multi_margin_loss_forward`; the notes' SVM is :class:`MultiClassHingeLoss`)."""

    _forward = staticmethod(multi_margin_loss_forward)

    def __init__(self, p: int = 1, margin: float = 1.0, weight=None,
                 reduction: str = "mean") -> None:
        super().__init__(p=p, margin=margin, weight=weight, reduction=reduction)


class MultiClassHingeLoss(_Loss):
    """max_j (margin [j != y] + x[j]) - x[y]: the notes' multiclass SVM (Crammer-Singer,
    :func:`multiclass_hinge_forward`)."""

    _forward = staticmethod(multiclass_hinge_forward)

    def __init__(self, margin: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(margin=margin, reduction=reduction)
