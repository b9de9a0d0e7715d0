"""ece544core.nn.losses against PyTorch (float64, values and input gradients via autograd).

Random shapes, reductions, weights, ignore_index, label smoothing, probability targets,
pos_weight, log_target and extra dims (N, C, d1, ...) come from Hypothesis; the gradient is
checked for a random grad_output (an array for reduction="none"), so both the per-element
derivative and the reduction's scaling are compared.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from ece544core.nn import losses as L

RTOL = 1e-6
SETTINGS = settings(max_examples=40, deadline=None)
REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


# ------------------------------------------------------------------------------ helpers
def t64(a):
    return torch.tensor(np.asarray(a, dtype=np.float64))


def grad_output_for(value, rng):
    return rng.normal(size=np.shape(value)) if np.ndim(value) else float(rng.normal())


def compare(forward, backward, torch_fn, x, args, kwargs, torch_args, torch_kwargs, rng):
    """Our value and dL/dinput (for a random grad_output) equal torch's to RTOL."""
    value, ctx = forward(x, *args, **kwargs)
    g = grad_output_for(value, rng)
    grad = backward(g, ctx)
    xt = t64(x).requires_grad_(True)
    vt = torch_fn(xt, *torch_args, **torch_kwargs)
    (vt * t64(g)).sum().backward()
    ref_v, ref_g = vt.detach().numpy(), xt.grad.numpy()
    scale = max(1.0, float(np.max(np.abs(ref_v))))
    np.testing.assert_allclose(value, ref_v, rtol=RTOL, atol=1e-12 * scale)
    np.testing.assert_allclose(grad, ref_g, rtol=RTOL,
                               atol=1e-12 * max(1.0, float(np.max(np.abs(ref_g)))))
    assert grad.shape == np.shape(x) and grad.dtype == np.float64
    return value, grad


@st.composite
def class_problem(draw, max_extra=2):
    """(rng, x (N, C, d...), y (N, d...) int, C)."""
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    N, C = draw(st.integers(1, 6)), draw(st.integers(2, 5))
    extra = tuple(draw(st.lists(st.integers(1, 3), max_size=max_extra)))
    scale = draw(st.sampled_from([0.1, 1.0, 5.0]))
    x = scale * rng.normal(size=(N, C) + extra)
    y = rng.integers(0, C, size=(N,) + extra)
    return rng, x, y, C


def with_ignored(rng, y, ignore_index):
    """y with about a quarter of its entries set to ignore_index (never all of them)."""
    y = y.copy()
    drop = rng.random(y.shape) < 0.25
    drop.flat[0] = False
    y[drop] = ignore_index
    return y


# ------------------------------------------------------------------------------ CE, NLL
@SETTINGS
@given(class_problem(), REDUCTIONS, st.booleans(), st.sampled_from([None, -100, 0, 1]),
       st.sampled_from([0.0, 0.1, 0.5, 1.0]))
def test_cross_entropy_class_indices(problem, reduction, weighted, ignore_index, smoothing):
    rng, x, y, C = problem
    w = rng.uniform(0.1, 3.0, size=C) if weighted else None
    kw = {} if ignore_index is None else {"ignore_index": ignore_index}
    if ignore_index is not None and ignore_index < 0:
        y = with_ignored(rng, y, ignore_index)
    args = dict(weight=w, reduction=reduction, label_smoothing=smoothing, **kw)
    targs = dict(weight=None if w is None else t64(w), reduction=reduction,
                 label_smoothing=smoothing, **kw)
    if ignore_index is not None and ignore_index >= 0 and reduction == "mean" \
            and np.all(y == ignore_index):
        return  # every target ignored: NaN in both, checked in its own test
    compare(L.cross_entropy_forward, L.cross_entropy_backward, F.cross_entropy, x, (y,), args,
            (torch.tensor(y),), targs, rng)


@SETTINGS
@given(class_problem(), REDUCTIONS, st.booleans(), st.sampled_from([0.0, 0.2, 1.0]))
def test_cross_entropy_probability_targets(problem, reduction, weighted, smoothing):
    rng, x, _, C = problem
    t = rng.dirichlet(np.ones(C), size=(x.shape[0],) + x.shape[2:])   # (N, d..., C)
    t = np.moveaxis(t, -1, 1)                                          # (N, C, d...)
    w = rng.uniform(0.1, 3.0, size=C) if weighted else None
    compare(L.cross_entropy_forward, L.cross_entropy_backward, F.cross_entropy, x, (t,),
            dict(weight=w, reduction=reduction, label_smoothing=smoothing), (t64(t),),
            dict(weight=None if w is None else t64(w), reduction=reduction,
                 label_smoothing=smoothing), rng)


@SETTINGS
@given(class_problem(), REDUCTIONS, st.booleans(), st.booleans())
def test_nll_loss(problem, reduction, weighted, ignore):
    rng, x, y, C = problem
    logp = torch.log_softmax(t64(x), 1).numpy() if rng.random() < 0.5 else x   # any reals
    w = rng.uniform(0.1, 3.0, size=C) if weighted else None
    if ignore:
        y = with_ignored(rng, y, -100)
    compare(L.nll_loss_forward, L.nll_loss_backward, F.nll_loss, logp, (y,),
            dict(weight=w, reduction=reduction), (torch.tensor(y),),
            dict(weight=None if w is None else t64(w), reduction=reduction), rng)


def test_cross_entropy_is_the_notes_formula_and_log_softmax_nll(rng):
    """loss(x, class) = -x[class] + log sum_j exp(x[j]) = NLLLoss(log_softmax(x))."""
    x, y = rng.normal(size=(7, 4)), rng.integers(0, 4, 7)
    notes = -x[np.arange(7), y] + np.log(np.exp(x).sum(axis=1))
    np.testing.assert_allclose(L.cross_entropy(x, y, reduction="none"), notes, rtol=1e-12)
    logp = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    assert L.nll_loss(logp, y) == pytest.approx(L.cross_entropy(x, y), rel=1e-12)


def test_all_targets_ignored_give_nan_mean_and_zero_gradient_as_torch():
    x, y = np.ones((3, 4)), np.full(3, -100)
    value, ctx = L.cross_entropy_forward(x, y)
    xt = t64(x).requires_grad_(True)
    vt = F.cross_entropy(xt, torch.tensor(y))
    vt.backward()
    assert np.isnan(value) and torch.isnan(vt)
    np.testing.assert_array_equal(L.cross_entropy_backward(1.0, ctx), xt.grad.numpy())
    assert L.cross_entropy(x, y, reduction="sum") == 0.0


@pytest.mark.parametrize("big", [1e4, -1e4])
def test_cross_entropy_and_nll_are_finite_for_huge_logits(big):
    x = np.array([[big, 0.0, -big], [0.0, big, 3.0], [-big, -big, big]])
    y = np.array([2, 1, 0])
    for smoothing in (0.0, 0.3):
        value, ctx = L.cross_entropy_forward(x, y, reduction="none", label_smoothing=smoothing)
        grad = L.cross_entropy_backward(np.ones(3), ctx)
        xt = t64(x).requires_grad_(True)
        vt = F.cross_entropy(xt, torch.tensor(y), reduction="none", label_smoothing=smoothing)
        vt.sum().backward()
        assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
        np.testing.assert_allclose(value, vt.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(grad, xt.grad.numpy(), rtol=1e-12, atol=1e-300)


# ------------------------------------------------------------------------------ hinges
@SETTINGS
@given(class_problem(max_extra=0), REDUCTIONS, st.sampled_from([1, 2]),
       st.sampled_from([0.5, 1.0, 2.0]), st.booleans())
def test_multi_margin_loss(problem, reduction, p, margin, weighted):
    rng, x, y, C = problem
    w = rng.uniform(0.1, 3.0, size=C) if weighted else None
    compare(L.multi_margin_loss_forward, L.multi_margin_loss_backward, F.multi_margin_loss,
            x, (y,), dict(p=p, margin=margin, weight=w, reduction=reduction),
            (torch.tensor(y),), dict(p=p, margin=margin,
                                     weight=None if w is None else t64(w),
                                     reduction=reduction), rng)


def _torch_crammer_singer(x, y, margin, reduction):
    """max_j (margin [j != y] + x_j) - x_y in torch (autograd gives the subgradient)."""
    delta = margin * (1 - F.one_hot(y, x.shape[1]).to(x.dtype))
    loss = (delta + x).max(dim=1).values - x.gather(1, y[:, None])[:, 0]
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]


@SETTINGS
@given(class_problem(max_extra=0), REDUCTIONS, st.sampled_from([0.5, 1.0, 2.0]))
def test_multiclass_hinge_is_crammer_singer(problem, reduction, margin):
    rng, x, y, C = problem
    compare(L.multiclass_hinge_forward, L.multiclass_hinge_backward, _torch_crammer_singer,
            x, (y,), dict(margin=margin, reduction=reduction), (torch.tensor(y), margin,
                                                                  reduction), {}, rng)


@SETTINGS
@given(class_problem(max_extra=0))
def test_multi_margin_and_crammer_singer_bound_each_other(problem):
    """CS / C <= MultiMarginLoss <= (C - 1) CS / C, and both vanish together."""
    _, x, y, C = problem
    mm = L.multi_margin_loss(x, y, reduction="none")
    cs = L.multiclass_hinge(x, y, reduction="none")
    assert np.all(cs / C <= mm + 1e-12) and np.all(mm <= (C - 1) * cs / C + 1e-12)
    np.testing.assert_array_equal(mm == 0, cs == 0)


def test_multiclass_hinge_equals_the_core_crammer_singer_loss(rng):
    from ece544core.crammer_singer import crammer_singer_loss
    x, y = rng.normal(size=(9, 4)), rng.integers(0, 4, 9)
    np.testing.assert_allclose(L.multiclass_hinge(x, y, reduction="none"),
                               crammer_singer_loss(x, y), rtol=1e-15)


# ------------------------------------------------------------------------------ pointwise
@st.composite
def pointwise_problem(draw):
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    return rng, shape


@SETTINGS
@given(pointwise_problem(), REDUCTIONS, st.sampled_from(["mse", "l1"]))
def test_mse_and_l1(problem, reduction, which):
    rng, shape = problem
    x, y = rng.normal(size=shape), rng.normal(size=shape)
    ours = {"mse": (L.mse_loss_forward, L.mse_loss_backward, F.mse_loss),
            "l1": (L.l1_loss_forward, L.l1_loss_backward, F.l1_loss)}[which]
    compare(*ours, x, (y,), dict(reduction=reduction), (t64(y),), dict(reduction=reduction),
            rng)


def _weight_for(rng, shape, kind):
    """None, a full-shape weight, or one that broadcasts along the last axis."""
    if kind == "none":
        return None
    return rng.uniform(0.1, 3.0, size=shape if kind == "full" else shape[-1:])


@SETTINGS
@given(pointwise_problem(), REDUCTIONS, st.sampled_from(["none", "full", "last"]))
def test_binary_cross_entropy(problem, reduction, weight_kind):
    rng, shape = problem
    o = rng.uniform(0.01, 0.99, size=shape)
    t = rng.uniform(0, 1, size=shape)
    w = _weight_for(rng, shape, weight_kind)
    compare(L.binary_cross_entropy_forward, L.binary_cross_entropy_backward,
            F.binary_cross_entropy, o, (t,), dict(weight=w, reduction=reduction), (t64(t),),
            dict(weight=None if w is None else t64(w), reduction=reduction), rng)


def test_binary_cross_entropy_clamps_its_logs_at_minus_100_as_torch():
    o = np.array([0.0, 1.0, 1e-60, 1.0 - 1e-16, 0.5])
    t = np.array([1.0, 0.0, 1.0, 0.0, 0.3])
    compare(L.binary_cross_entropy_forward, L.binary_cross_entropy_backward,
            F.binary_cross_entropy, o, (t,), dict(reduction="none"), (t64(t),),
            dict(reduction="none"), np.random.default_rng(0))
    assert L.binary_cross_entropy(o[:1], t[:1]) == 100.0


@SETTINGS
@given(pointwise_problem(), REDUCTIONS, st.sampled_from(["none", "full", "last"]),
       st.booleans(), st.sampled_from([1.0, 10.0, 1e4]))
def test_binary_cross_entropy_with_logits(problem, reduction, weight_kind, pos, scale):
    rng, shape = problem
    o = scale * rng.normal(size=shape)
    t = rng.uniform(0, 1, size=shape)
    w = _weight_for(rng, shape, weight_kind)
    pw = rng.uniform(0.2, 5.0, size=shape[-1:]) if pos else None
    value, grad = compare(
        L.binary_cross_entropy_with_logits_forward, L.binary_cross_entropy_with_logits_backward,
        F.binary_cross_entropy_with_logits, o, (t,),
        dict(weight=w, reduction=reduction, pos_weight=pw), (t64(t),),
        dict(weight=None if w is None else t64(w), reduction=reduction,
             pos_weight=None if pw is None else t64(pw)), rng)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))


def test_bce_with_logits_is_bce_of_the_sigmoid(rng):
    o, t = rng.normal(size=(5, 3)), rng.uniform(size=(5, 3))
    s = 1 / (1 + np.exp(-o))
    assert L.binary_cross_entropy_with_logits(o, t) == pytest.approx(
        L.binary_cross_entropy(s, t), rel=1e-12)


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@SETTINGS
@given(pointwise_problem(), st.sampled_from(["mean", "sum", "none", "batchmean"]),
       st.booleans(), st.booleans())
def test_kl_div(problem, reduction, log_target, zeros):
    rng, shape = problem
    x = np.log(rng.dirichlet(np.ones(shape[-1]), size=shape[:-1]))
    t = rng.dirichlet(np.ones(shape[-1]), size=shape[:-1])
    if zeros and not log_target:
        t[rng.random(shape) < 0.3] = 0.0              # 0 log 0 = 0
    target = np.log(t) if log_target else t
    compare(L.kl_div_forward, L.kl_div_backward, F.kl_div, x, (target,),
            dict(reduction=reduction, log_target=log_target), (t64(target),),
            dict(reduction=reduction, log_target=log_target), rng)


# ------------------------------------------------------------------------------ classes
CLASSES = [
    (L.CrossEntropyLoss(label_smoothing=0.1), torch.nn.CrossEntropyLoss(label_smoothing=0.1),
     "logits"),
    (L.NLLLoss(reduction="sum"), torch.nn.NLLLoss(reduction="sum"), "logits"),
    (L.MultiMarginLoss(p=2, margin=0.5), torch.nn.MultiMarginLoss(p=2, margin=0.5), "logits"),
    (L.MSELoss(), torch.nn.MSELoss(), "same"),
    (L.L1Loss(reduction="sum"), torch.nn.L1Loss(reduction="sum"), "same"),
    (L.BCELoss(), torch.nn.BCELoss(), "prob"),
    (L.BCEWithLogitsLoss(pos_weight=np.array([2.0, 1.0, 0.5])),
     torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0, 1.0, 0.5], dtype=torch.float64)),
     "prob_logits"),
    (L.KLDivLoss(reduction="batchmean"), torch.nn.KLDivLoss(reduction="batchmean"), "kl"),
]


def _class_inputs(kind, rng):
    x = rng.normal(size=(4, 3))
    if kind == "logits":
        return x, rng.integers(0, 3, 4), None
    if kind == "same":
        y = rng.normal(size=(4, 3))
        return x, y, t64(y)
    t = rng.uniform(size=(4, 3))
    if kind == "prob":
        return 1 / (1 + np.exp(-x)), t, t64(t)
    if kind == "prob_logits":
        return x, t, t64(t)
    p = rng.dirichlet(np.ones(3), size=4)
    return np.log(rng.dirichlet(np.ones(3), size=4)), p, t64(p)


@pytest.mark.parametrize("ours, theirs, kind", CLASSES,
                         ids=[type(c[0]).__name__ for c in CLASSES])
def test_classes_match_torch_modules_and_backward_uses_the_last_call(ours, theirs, kind, rng):
    x, y, yt = _class_inputs(kind, rng)
    yt = torch.tensor(y) if yt is None else yt
    value = ours(x, y)
    xt = t64(x).requires_grad_(True)
    vt = theirs(xt, yt)
    (2.5 * vt).backward()
    assert isinstance(value, float)
    assert value == pytest.approx(vt.item(), rel=RTOL)
    np.testing.assert_allclose(ours.backward(2.5), xt.grad.numpy(), rtol=RTOL, atol=1e-14)
    np.testing.assert_allclose(ours.backward(), xt.grad.numpy() / 2.5, rtol=RTOL, atol=1e-14)


def test_reduction_none_backward_takes_an_array_of_the_loss_shape(rng):
    loss = L.CrossEntropyLoss(reduction="none")
    x, y = rng.normal(size=(4, 3, 2)), rng.integers(0, 3, (4, 2))
    value = loss(x, y)
    assert value.shape == (4, 2)
    g = rng.normal(size=(4, 2))
    ref = loss.backward(np.ones((4, 2)))
    np.testing.assert_allclose(loss.backward(g), ref * g[:, None], rtol=1e-14)
    with pytest.raises(ValueError, match="grad_output"):
        loss.backward(1.0)
    with pytest.raises(ValueError, match="grad_output"):
        loss.backward(np.ones(4))


def test_float32_in_float32_out(rng):
    x = rng.normal(size=(6, 4)).astype(np.float32)
    y = rng.integers(0, 4, 6)
    for loss in (L.CrossEntropyLoss(), L.MultiMarginLoss(), L.MultiClassHingeLoss()):
        value = loss(x, y)
        grad = loss.backward()
        assert grad.dtype == np.float32
        ref = type(loss)()(x.astype(np.float64), y)
        assert value == pytest.approx(ref, rel=1e-5)
    o = rng.uniform(0.1, 0.9, size=(6, 4)).astype(np.float32)
    for loss in (L.MSELoss(), L.BCELoss(), L.BCEWithLogitsLoss(), L.L1Loss(), L.KLDivLoss()):
        loss(o, o[::-1].copy())
        assert loss.backward().dtype == np.float32


# ------------------------------------------------------------------------------ bad input
X3, Y3 = np.zeros((3, 4)), np.array([0, 1, 3])


@pytest.mark.parametrize("call, match", [
    (lambda: L.cross_entropy(X3, np.array([0, 4, 1])), "target must hold class indices"),
    (lambda: L.cross_entropy(X3, np.array([0, -1, 1])), "target must hold class indices"),
    (lambda: L.cross_entropy(X3, np.array([0, 1])), "target must have shape"),
    (lambda: L.cross_entropy(X3, np.array([0.5, 1, 2])), "target must hold integer"),
    (lambda: L.cross_entropy(np.zeros(4), np.array([0])), "input must have at least 2"),
    (lambda: L.cross_entropy(np.array([[0, np.nan]]), [0]), "input must be finite"),
    (lambda: L.cross_entropy(X3, Y3, reduction="avg"), "reduction must be one of"),
    (lambda: L.cross_entropy(X3, Y3, weight=np.ones(3)), r"weight must have shape \(4,\)"),
    (lambda: L.cross_entropy(X3, Y3, label_smoothing=1.5), "label_smoothing must be <= 1"),
    (lambda: L.cross_entropy(X3, np.full((3, 4), 2.0)), "target must hold probabilities"),
    (lambda: L.nll_loss(X3, Y3, ignore_index=1.5), "ignore_index must be an integer"),
    (lambda: L.nll_loss(X3, np.array([0, 9, 1]), ignore_index=9) * 0 + L.nll_loss(
        X3, np.array([0, 8, 1]), ignore_index=9), "target must hold class indices"),
    (lambda: L.binary_cross_entropy(np.array([0.2, 1.2]), np.array([0.0, 1.0])),
     "input must hold probabilities in"),
    (lambda: L.binary_cross_entropy(np.array([0.2, -0.1]), np.array([0.0, 1.0])),
     "input must hold probabilities in"),
    (lambda: L.binary_cross_entropy(np.array([0.2, 0.5]), np.array([0.0, 2.0])),
     "target must hold probabilities in"),
    (lambda: L.binary_cross_entropy(np.array([0.2, 0.5]), np.array([0.0])),
     "target must have the input's shape"),
    (lambda: L.binary_cross_entropy(np.full((2, 3), 0.5), np.ones((2, 3)), weight=np.ones(2)),
     "weight must broadcast"),
    (lambda: L.binary_cross_entropy_with_logits(np.zeros((2, 3)), np.ones((2, 3)),
                                                pos_weight=np.ones(4)),
     "pos_weight must broadcast"),
    (lambda: L.mse_loss(np.zeros(3), np.array([1.0, np.inf, 0])), "target must be finite"),
    (lambda: L.l1_loss(np.zeros(3), np.zeros(3), reduction="batchmean"), "reduction must be"),
    (lambda: L.kl_div(np.zeros(3), np.array([0.5, -0.1, 0.6])), "target must hold prob"),
    (lambda: L.kl_div(np.zeros(3), np.zeros(3), log_target="yes"), "log_target must be"),
    (lambda: L.multi_margin_loss(X3, Y3, p=3), "p must be 1 or 2"),
    (lambda: L.multi_margin_loss(np.zeros((3, 4, 2)), np.zeros((3, 2), int)),
     "input must be a 2-D"),
    (lambda: L.multiclass_hinge(X3, Y3, margin=np.nan), "margin must be"),
    (lambda: L.CrossEntropyLoss(reduction="batchmean"), "reduction must be one of"),
    (lambda: L.MSELoss().backward(), "needs a forward call first"),
])
def test_bad_input_is_a_named_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
