"""LogisticDemo through its parameters: the 1-D experiment, 2-D boundaries, losses, least
squares vs logistic."""
from __future__ import annotations

import numpy as np
import pytest
from bokeh.events import Tap

from ece544lab.demos.logistic import GRID_N, LogisticDemo, loss_curves
from ece544lab.views.plotting import PALETTE


@pytest.fixture
def demo():
    return LogisticDemo()


def sigma(z):
    return 1.0 / (1.0 + np.exp(-z))


# ------------------------------------------------------------------ default view
def test_default_view_is_drawn(demo):
    assert demo.error == ""
    names = {s.name for s in (demo.sigmoid_source, demo.bayes_source, demo.region_source,
                              demo.points_source, *demo.loss_sources.values(),
                              demo.margin_source)}
    assert {"logit-sigmoid", "logit-bayes", "logit-regions", "logit-points", "logit-loss-log",
            "logit-loss-zero_one", "logit-loss-squared", "logit-loss-margins"} <= names
    img = np.asarray(demo.region_source.data["image"][0])
    assert img.shape == (GRID_N, GRID_N) and img.dtype == np.uint32
    assert len(demo.points_source.data["x"]) == demo.n_samples
    assert len(demo.points_1d_source.data["x"]) == demo.n_1d
    assert len(demo.boundary_source.data["xs"]) >= 1
    assert len(demo.ls_boundary_source.data["xs"]) >= 1
    for key in ("objective", "n_iter", "converged", "train_accuracy", "w_norm", "C",
                "C_sklearn", "ls_accuracy", "w_1d"):
        assert key in demo.result.stats, key
    assert "data-stat='objective'" in demo._numbers.object


# ------------------------------------------------------------------ the notes' 1-D experiment
def test_sigmoid_matches_a_direct_computation(demo):
    demo.param.update(n_1d=300, C=0.5, seed=3)
    w, b = demo.result.one_d.model.coef_[0, 0], demo.result.one_d.model.intercept_[0]
    x = np.asarray(demo.sigmoid_source.data["x"])
    np.testing.assert_allclose(demo.sigmoid_source.data["p"], sigma(w * x + b), rtol=1e-12)
    np.testing.assert_allclose(demo.bayes_source.data["p"], sigma(4 * x), rtol=1e-12)
    assert demo.result.stats["w_1d"][1] == pytest.approx(w) and demo.result.stats["b_1d"][1] == pytest.approx(b)
    # the fitted (w, b) minimise the notes' objective: its gradient vanishes
    xs, ys = demo.result.one_d.x, demo.result.one_d.y
    m = ys * (w * xs + b)
    g_w = demo.C * w - np.sum(sigma(-m) * ys * xs)
    g_b = -np.sum(sigma(-m) * ys)
    assert abs(g_w) < 1e-5 and abs(g_b) < 1e-5


def test_the_fit_approaches_the_bayes_posterior_for_large_n(demo):
    demo.param.update(n_1d=5000, C=1.0, seed=1)
    w, b = demo.result.stats["w_1d"][1], demo.result.stats["b_1d"][1]
    assert w == pytest.approx(4.0, abs=0.5)
    assert b == pytest.approx(0.0, abs=0.3)
    assert demo.result.stats["max_gap_1d"][1] < 0.06
    demo.n_1d = 10
    assert demo.result.stats["max_gap_1d"][1] > 0.0  # a change of n refits


def test_n_and_C_change_the_plotted_sigmoid(demo):
    before = np.array(demo.sigmoid_source.data["p"])
    demo.n_1d = 1000
    after_n = np.array(demo.sigmoid_source.data["p"])
    assert not np.allclose(before, after_n)
    demo.C = 200.0                                       # strong shrinkage: a flatter sigmoid
    assert abs(demo.result.stats["w_1d"][1]) < abs(demo.result.one_d.model.coef_[0, 0]) + 1e-12
    assert not np.allclose(after_n, demo.sigmoid_source.data["p"])
    assert demo.result.stats["C_sklearn"][1] == pytest.approx(1 / 200.0)


# ------------------------------------------------------------------ 2-D
def test_2d_model_matches_sklearn(demo):
    from sklearn.linear_model import LogisticRegression as SkLogistic

    demo.param.update(dataset="blobs", C=2.0, noise=0.4)
    X, y = demo.result.two_d.X, demo.result.two_d.y
    sk = SkLogistic(C=1 / 2.0, tol=1e-10, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(demo.result.two_d.model.coef_, sk.coef_, atol=1e-4)
    np.testing.assert_allclose(demo.result.two_d.model.intercept_, sk.intercept_, atol=1e-4)
    assert demo.result.stats["train_accuracy"][1] == pytest.approx(sk.score(X, y))
    assert demo.result.stats["w_norm"][1] == pytest.approx(np.linalg.norm(sk.coef_), rel=1e-4)
    # the rug shows the training margins m = y (w^T x + b), y = +-1
    signs = np.where(y == 1, 1.0, -1.0)
    np.testing.assert_allclose(demo.margin_source.data["m"], signs * sk.decision_function(X),
                               atol=1e-3)


def test_least_squares_comparison_matches_sklearn(demo):
    from sklearn.linear_model import LinearRegression as SkLinear

    demo.dataset = "blobs"
    X, y = demo.result.two_d.X, demo.result.two_d.y
    signs = np.where(y == 1, 1.0, -1.0)
    sk = SkLinear().fit(X, signs)
    assert demo.result.stats["ls_accuracy"][1] == pytest.approx(np.mean(np.sign(sk.predict(X)) == signs))
    # the dashed boundary is w^T x + b = 0 of least squares
    xs = np.concatenate(demo.ls_boundary_source.data["xs"])
    ys = np.concatenate(demo.ls_boundary_source.data["ys"])
    np.testing.assert_allclose(sk.predict(np.c_[xs, ys]), 0.0, atol=1e-6)
    # and the solid one p = 1/2 of logistic regression
    bx = np.concatenate(demo.boundary_source.data["xs"])
    by = np.concatenate(demo.boundary_source.data["ys"])
    np.testing.assert_allclose(demo.result.two_d.model.decision_function(np.c_[bx, by]), 0.0, atol=1e-6)
    assert "data-stat='answer_ls_acc'" in demo._answers.object


def test_far_points_pull_least_squares_but_hardly_logistic(demo):
    demo.param.update(dataset="blobs", noise=0.1)
    lr_acc, ls_acc = demo.result.stats["train_accuracy"][1], demo.result.stats["ls_accuracy"][1]
    for i in range(15):                          # confidently correct orange points, far away
        demo.canvas.add_point(12.0 + 0.1 * i, 12.0, label=1)
    assert demo.error == ""
    assert demo.result.stats["n_clicked"][1] == 15
    assert demo.result.stats["ls_accuracy"][1] < ls_acc   # least squares tilts and misclassifies
    assert demo.result.stats["train_accuracy"][1] >= lr_acc - 0.02


def test_parameters_change_the_2d_plot(demo):
    img = np.array(demo.region_source.data["image"][0])
    demo.C = 50.0
    img_c = np.array(demo.region_source.data["image"][0])
    assert not np.array_equal(img, img_c)
    n = len(demo.points_source.data["x"])
    demo.param.update(dataset="circles", n_samples=200, C=1.0, noise=0.1)
    assert len(demo.points_source.data["x"]) == 200 != n
    linear = demo.result.stats["train_accuracy"][1]
    demo.features = "quadratic"                    # a conic boundary separates the circles
    assert demo.result.stats["train_accuracy"][1] > 0.9 > linear


def test_tap_adds_a_point_of_the_chosen_class(demo):
    n = len(demo.points_source.data["x"])
    demo.canvas.picker.value = 0                     # the class picker
    demo.fig._trigger_event(Tap(model=demo.fig, x=0.3, y=-0.2))
    data = demo.points_source.data
    assert len(data["x"]) == n + 1
    assert (data["x"][-1], data["y"][-1], data["label"][-1]) == (0.3, -0.2, 0)
    assert data["color"][-1] == PALETTE[0] and data["clicked"][-1] and not data["clicked"][0]
    demo.C = 3.0                                   # a model change keeps it
    assert len(demo.points_source.data["x"]) == n + 1
    demo.canvas.clear_clicked()                      # the Reset button
    assert len(demo.points_source.data["x"]) == n


def test_solvers_agree_and_report_iterations(demo):
    results = {}
    for solver in ("newton", "gd", "lbfgs"):
        demo.param.update(solver=solver, max_iter=2000)
        assert demo.error == ""
        results[solver] = (demo.result.stats["objective"][1], demo.result.stats["n_iter"][1],
                           demo.result.stats["converged"][1])
    objectives = [r[0] for r in results.values()]
    assert max(objectives) - min(objectives) < 1e-5 * max(1.0, abs(objectives[0]))
    assert results["newton"][1] < results["gd"][1]
    assert results["newton"][2]


def test_loss_curves_in_bits_and_nats(demo):
    m = np.asarray(demo.loss_sources["log"].data["m"])
    log_bits = np.asarray(demo.loss_sources["log"].data["loss"])
    np.testing.assert_allclose(log_bits, np.log2(1 + np.exp(-m)), rtol=1e-12)
    assert np.all(log_bits >= demo.loss_sources["zero_one"].data["loss"])  # bits bound 0-1
    np.testing.assert_allclose(demo.loss_sources["squared"].data["loss"], (1 - m) ** 2)
    demo.loss_units = "nats"
    np.testing.assert_allclose(demo.loss_sources["log"].data["loss"], np.log1p(np.exp(-m)),
                               rtol=1e-12)
    assert "nats" in demo._answers.object
    assert loss_curves("bits", np.array([0.0]))["log"][0] == pytest.approx(1.0)


def test_a_click_outside_the_data_area_adds_nothing(demo):
    before = dict(demo.points_source.data)
    demo.canvas.add_point(float("nan"), 0.0)
    demo.canvas.add_point(None, 0.0)
    assert demo.error == ""
    assert len(demo.points_source.data["x"]) == len(before["x"])
    demo.canvas.add_point(0.0, 0.0)
    assert demo.error == "" and len(demo.points_source.data["x"]) == len(before["x"]) + 1


def test_an_iteration_limit_is_reported_not_an_error(demo):
    demo.param.update(solver="gd", max_iter=1)
    assert demo.error == "" and demo.result.stats["n_iter"][1] == 1
    assert demo.result.stats["converged"][1] is False
    assert "data-stat='converged'" in demo._numbers.object


def test_the_fits_are_memoised_on_their_own_inputs(demo):
    one_d, two_d = demo.result.one_d, demo.result.two_d
    demo.loss_units = "nats"                           # neither fit changes
    assert demo.result.one_d is one_d and demo.result.two_d is two_d
    demo.n_1d = 50                                     # only the 1-D fit changes
    assert demo.result.one_d is not one_d and demo.result.two_d is two_d
    demo.features = "quadratic"                        # only the 2-D fit changes
    assert demo.result.two_d is not two_d
