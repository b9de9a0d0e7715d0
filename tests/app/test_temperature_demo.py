"""TemperatureDemo through its parameters: eps = 0 is scikit-learn's linear SVC, eps = 1 with L = 0
its logistic regression (both with C_sklearn = 1 / C), the loss curves, warm-started eps moves,
the bound J_0 <= J_eps <= J_0 + n eps ln 2, and bad input."""
from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.svm import SVC as SkSVC

from ece544lab.demos.temperature import MARGINS, TemperatureDemo


def sk_svm(X, y, C_notes, L=1.0):
    """eps = 0 with task loss L: L times the SVM at C L (notes), i.e. scikit-learn C = 1/(C L)."""
    ref = SkSVC(kernel="linear", C=1.0 / (C_notes * L), tol=1e-10).fit(X, y)
    return L * ref.coef_[0], L * float(ref.intercept_[0])


def sk_logistic(X, y, C_notes):
    ref = SkLogisticRegression(C=1.0 / C_notes, tol=1e-12, max_iter=10000).fit(X, y)
    return ref.coef_[0], float(ref.intercept_[0])


def assert_same_line(demo, w_ref, b_ref, rtol=1e-4):
    """The demo's fitted (w, b) and its drawn boundary equal the reference's."""
    w, b = demo.result.coef[0], float(demo.result.intercept[0])
    scale = np.linalg.norm(np.r_[w_ref, b_ref])
    assert np.linalg.norm(np.r_[w, b] - np.r_[w_ref, b_ref]) <= rtol * scale
    xs, ys = demo.canvas.lines["boundary"].data["xs"][0], demo.canvas.lines["boundary"].data["ys"][0]
    ends = np.column_stack([xs, ys])                        # both ends lie on w_ref^T x + b = 0
    np.testing.assert_allclose(ends @ w_ref + b_ref, 0.0, atol=1e-3 * scale)


def hinge_objective(w, b, X, y, C, L=1.0):
    m = np.where(y == 1, 1.0, -1.0) * (X @ w + b)
    return 0.5 * C * float(w @ w) + float(np.maximum(0.0, L - m).sum())


# ------------------------------------------------------------------ the two limits vs sklearn
@pytest.mark.parametrize("dataset, C, n, seed", [("blobs", 1.0, 80, 0), ("overlap", 0.3, 120, 4),
                                                 ("moons", 3.0, 60, 7)])
def test_eps_zero_is_sklearn_linear_svc(dataset, C, n, seed):
    demo = TemperatureDemo(dataset=dataset, C=C, n_samples=n, seed=seed, eps=0.0)
    assert demo.error == ""
    w_ref, b_ref = sk_svm(demo.result.X, demo.result.y, C)
    assert_same_line(demo, w_ref, b_ref)
    assert demo.stats["solver"][1] == "svm-primal"
    # the thin SVM reference line (svm.SVC) is the same line; the angle to it is 0
    np.testing.assert_allclose(demo.result.refs.svm.w, w_ref, rtol=1e-4, atol=1e-4)
    assert demo.stats["angle_svm"][1] == pytest.approx(0.0, abs=1e-3)
    # its objective is the hinge objective's minimum: J_0 = J_eps at eps = 0
    J = hinge_objective(w_ref, b_ref, demo.result.X, demo.result.y, C)
    assert demo.stats["objective"][1] == pytest.approx(J, rel=1e-5)
    assert demo.stats["J0"][1] == pytest.approx(J, rel=1e-5)


def test_eps_zero_with_task_loss_L_is_L_times_the_svm_at_C_L():
    demo = TemperatureDemo(dataset="overlap", C=0.5, task_loss=1.6, eps=0.0, seed=2)
    w_ref, b_ref = sk_svm(demo.result.X, demo.result.y, 0.5, L=1.6)
    assert_same_line(demo, w_ref, b_ref)
    # the loss curve is the hinge with the corner at m = L
    np.testing.assert_allclose(demo.loss_source.data["loss"], np.maximum(0.0, 1.6 - MARGINS),
                               atol=1e-12)


@pytest.mark.parametrize("dataset, C, n, seed", [("overlap", 1.0, 80, 0), ("moons", 0.2, 150, 3)])
def test_eps_one_task_loss_zero_is_sklearn_logistic_regression(dataset, C, n, seed):
    demo = TemperatureDemo(dataset=dataset, C=C, n_samples=n, seed=seed, eps=1.0, task_loss=0.0)
    assert demo.error == ""
    w_ref, b_ref = sk_logistic(demo.result.X, demo.result.y, C)
    assert_same_line(demo, w_ref, b_ref)
    assert demo.stats["solver"][1] == "lbfgs"
    np.testing.assert_allclose(demo.result.refs.logistic.w, w_ref, rtol=1e-4, atol=1e-5)
    assert demo.stats["angle_logistic"][1] == pytest.approx(0.0, abs=1e-2)


# ------------------------------------------------------------------ the loss curves
def test_loss_curve_is_the_hinge_at_zero_and_the_log_loss_at_one():
    demo = TemperatureDemo(eps=0.0, task_loss=1.0)
    m = np.asarray(demo.loss_source.data["m"])
    np.testing.assert_array_equal(m, np.linspace(-3, 3, len(m)))
    np.testing.assert_array_equal(demo.loss_source.data["loss"], np.maximum(0.0, 1.0 - m))
    np.testing.assert_allclose(demo.hinge_source.data["loss"], np.maximum(0.0, 1.0 - m))
    np.testing.assert_allclose(demo.logistic_source.data["loss"], np.log1p(np.exp(-m)),
                               rtol=1e-12)
    demo.param.update(eps=1.0, task_loss=0.0)
    np.testing.assert_allclose(demo.loss_source.data["loss"], np.log1p(np.exp(-m)), rtol=1e-12)
    assert demo.stats["train_accuracy"][1] > 0.9


@pytest.mark.parametrize("eps, L", [(0.3, 1.0), (0.05, 1.7), (0.7, 0.4)])
def test_loss_curve_between_the_limits(eps, L):
    demo = TemperatureDemo(eps=eps, task_loss=L)
    m = np.asarray(demo.loss_source.data["m"])
    cur = np.asarray(demo.loss_source.data["loss"])
    np.testing.assert_allclose(cur, eps * np.log1p(np.exp((L - m) / eps)), rtol=1e-10)
    hinge = np.maximum(0.0, L - m)
    assert np.all(hinge <= cur + 1e-12) and np.all(cur <= hinge + eps * math.log(2) + 1e-12)
    np.testing.assert_allclose(demo.bound_source.data["loss"], hinge + eps * math.log(2))


# ------------------------------------------------------------------ eps moves
def test_moving_eps_moves_the_boundary_and_warm_starts_land_on_the_cold_fit():
    demo = TemperatureDemo(dataset="blobs", eps=0.3)
    first = [np.copy(v) for v in demo.canvas.lines["boundary"].data["xs"]]
    loss_before = np.copy(demo.loss_source.data["loss"])
    n_soft = demo.stats["n_soft"][1]
    for eps in (0.2, 0.1, 0.05, 0.0, 0.02, 0.6):
        demo.eps = eps
        assert demo.error == ""
    assert not np.allclose(demo.canvas.lines["boundary"].data["xs"][0], first[0])
    assert not np.allclose(demo.loss_source.data["loss"], loss_before)
    cold = TemperatureDemo(dataset="blobs", eps=0.6)
    np.testing.assert_allclose(demo.result.coef, cold.result.coef, rtol=1e-5, atol=1e-7)
    demo.eps = 0.0
    # the many soft support vectors of eps = 0.3 become the SVM's few free ones at eps = 0
    assert 0 < demo.stats["n_soft"][1] < n_soft
    assert "free SV" in demo.stats["n_soft"][0]
    assert len(demo.sv_source.data["x"]) == demo.stats["n_soft"][1] + demo.stats["n_bounded"][1]


@pytest.mark.parametrize("eps", [0.0, 0.25, 1.0])
def test_beta_is_the_dual_and_the_objective_bound_holds(eps):
    demo = TemperatureDemo(dataset="overlap", eps=eps, C=0.7, task_loss=1.0, seed=5)
    X, y, C = demo.result.X, demo.result.y, 0.7
    signs = np.where(y == 1, 1.0, -1.0)
    w, b = demo.result.coef[0], float(demo.result.intercept[0])
    beta = np.asarray(demo.canvas.points.data["beta"])
    m = signs * (X @ w + b)
    if eps > 0:                                   # the softmax weight of the wrong label
        np.testing.assert_allclose(beta, 1.0 / (1.0 + np.exp((m - 1.0) / eps)), rtol=1e-9)
    np.testing.assert_allclose(w, (beta * signs) @ X / C, atol=1e-5)     # w = (1/C) sum beta y x
    assert abs(float(beta @ signs)) < 1e-5                               # the unpenalised b
    # J_0 <= J_eps <= J_0 + n eps ln 2, with J_0 from scikit-learn's SVC
    J0 = hinge_objective(*sk_svm(X, y, C), X, y, C)
    J = 0.5 * C * float(w @ w) + float(np.sum(eps * np.log1p(np.exp((1.0 - m) / eps)))
                                       if eps > 0 else np.maximum(0.0, 1.0 - m).sum())
    assert demo.stats["objective"][1] == pytest.approx(J, rel=1e-9)
    assert J0 - 1e-6 <= J <= J0 + len(y) * eps * math.log(2) + 1e-6
    assert demo.stats["bound_holds"][1] is True


def test_reference_fits_are_cached_by_data_C_and_L():
    demo = TemperatureDemo(eps=0.4)
    ref = demo.result.refs
    demo.C = 2.0
    assert demo.result.refs is not ref
    demo.C = 1.0
    assert demo.result.refs is ref                 # back to a cached (data, C, L)
    demo.eps = 0.1
    assert demo.result.refs is ref                 # an eps move refits only the current model


def test_zero_task_loss_at_zero_temperature_has_no_boundary_and_no_error():
    demo = TemperatureDemo(eps=0.0, task_loss=0.0)
    assert demo.error == ""
    np.testing.assert_array_equal(demo.result.coef, 0.0)
    assert demo.canvas.lines["boundary"].data["xs"] == []
    assert demo.stats["angle_svm"][1] == "—"
    assert "w = 0" in demo._note.object
    demo.eps = 0.5
    assert demo._note.object == "" and len(demo.canvas.lines["boundary"].data["xs"]) == 1


# ------------------------------------------------------------------ bad input
def test_bad_eps_text_shows_an_error_and_the_demo_recovers():
    demo = TemperatureDemo(eps=0.3)
    before = np.copy(demo.canvas.lines["boundary"].data["xs"][0])
    for text in ("nan", "abc", "-0.1", "inf", "1.5"):
        demo.set_eps_text(text)
        assert "ε must be" in demo.error, text
        assert demo.eps == 0.3
        np.testing.assert_array_equal(demo.canvas.lines["boundary"].data["xs"][0], before)
    demo.set_eps_text("1e-3")
    assert demo.error == "" and demo.eps == 0.001
    assert demo.stats["angle_svm"][1] < 1.0                 # eps = 0.001 is nearly the SVM
    demo.set_eps_text("nan")
    assert demo.error
    demo.set_eps_text("0.001")                              # the same value clears it too
    assert demo.error == ""


def test_nan_eps_is_refused_and_a_bad_url_value_is_shown(monkeypatch):
    demo = TemperatureDemo(eps=0.3)
    with pytest.raises(ValueError, match="eps"):
        demo.eps = float("nan")
    assert demo.eps == 0.3
    from ece544lab.shell import app as shell

    monkeypatch.setitem(shell.DEMOS, TemperatureDemo.slug, TemperatureDemo)
    shown = shell.App(search="?demo=temperature&eps=nan&C=2").instance(TemperatureDemo.slug)
    assert "eps" in shown.error and shown.eps == 0.3
    shown.eps = 0.5
    assert shown.error == "" and shown.stats["eps"][1] == 0.5


def test_probe_reads_the_curves_and_refuses_nan():
    demo = TemperatureDemo(eps=0.4, task_loss=1.0)
    demo.probe(float("nan"))
    assert "finite" in demo.error
    demo.probe(-0.5)
    assert demo.error == ""
    v = demo.probe_values
    assert v["m"] == -0.5 and v["hinge"] == pytest.approx(1.5)
    assert v["current"] == pytest.approx(0.4 * np.log1p(np.exp(1.5 / 0.4)), rel=1e-12)
    assert v["logistic"] == pytest.approx(np.log1p(np.exp(0.5)), rel=1e-12)
    assert demo.probe_span.visible and demo.probe_span.location == -0.5


def test_clearing_the_bad_text_clears_its_message():
    demo = TemperatureDemo(eps=0.3)
    demo.set_eps_text("abc")
    assert "abc" in demo.error and not demo.stale        # eps did not change: plots current
    demo.set_eps_text("")                                # the cause is gone
    assert demo.error == "" and demo.eps == 0.3


def test_slider_shows_the_typed_value_and_names_the_exact_svm():
    demo = TemperatureDemo(eps=0.3)
    demo.set_eps_text("1e-3")
    assert demo._eps_slider.value == 0.001 and demo.stats["eps"] == ("ε", 0.001)
    code = demo._eps_slider.format.code                  # the value, not rounded to the step
    assert "toPrecision(4)" in code and "the SVM, exactly" in code
    demo.set_eps_text("0")
    assert demo._eps_slider.value == 0.0 and demo.result.solver == "svm-primal"
    assert demo.stats["eps"][0] == "ε (the SVM, exactly)"


def test_compute_returns_a_frozen_result():
    import dataclasses

    demo = TemperatureDemo(eps=0.2)
    r = demo.compute()
    assert dataclasses.is_dataclass(r) and r.eps == 0.2 and r.n == demo.n_samples
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.eps = 0.5
    lo, hi = r.bounds
    assert lo == r.refs.J0 and hi == pytest.approx(lo + r.n * 0.2 * math.log(2))
