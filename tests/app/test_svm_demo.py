"""The SVM demo driven through its parameters: compute()'s SVMResult against an independent
reference (scikit-learn SVC), the one tolerance behind "xi > 0" and the bounded support
vectors, clicks, hard-margin failure, and the fit as a long job."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.svm import SVC as SkSVC

from ece544core.svm import SVC
from ece544lab.demos.svm import SVMDemo, SVMResult


@pytest.mark.parametrize("dataset, kernel, C", [("blobs", "linear", 1.0), ("overlap", "linear", 0.3),
                                                ("moons", "rbf", 2.0), ("circles", "rbf", 0.5)])
def test_svm_demo_matches_sklearn(dataset, kernel, C):
    demo = SVMDemo(dataset=dataset, kernel=kernel, C=C, gamma=1.0, tol=1e-6)
    assert demo.error == ""
    res = demo.result
    assert isinstance(res, SVMResult) and not res.partial
    X, y = res.X, res.y
    ref = SkSVC(C=1.0 / C, kernel=kernel, gamma=1.0, tol=1e-6).fit(X, y)
    np.testing.assert_allclose(res.model.decision_function(X), ref.decision_function(X),
                               atol=1e-3)
    np.testing.assert_array_equal(np.sort(res.model.support_), np.sort(ref.support_))
    assert abs(float(np.sum(res.model.dual_coef_))) < 1e-8       # sum alpha y = 0
    # what is drawn is the result: the support-vector rings and the points
    assert len(demo.sv_source.data["x"]) == res.model.support_.size
    np.testing.assert_array_equal(demo.canvas.points.data["x"], X[:, 0])


def test_svm_demo_slider_changes_the_plot_and_hard_margin_fails_clearly():
    demo = SVMDemo(dataset="overlap", kernel="linear")
    before = demo.result.model.decision_function(demo.result.X)
    sv_before = list(demo.sv_source.data["x"])
    demo.C = 0.01
    assert demo.error == ""
    assert not np.allclose(demo.result.model.decision_function(demo.result.X), before)
    assert list(demo.sv_source.data["x"]) != sv_before               # the plot followed
    soft = demo.result
    demo.hard_margin = True
    assert "not linearly separable" in demo.error and "ξ > 0" in demo.error
    assert demo.stale and demo.result is soft                        # last valid fit, stale
    demo.hard_margin = False
    assert demo.error == "" and not demo.stale


def test_svm_demo_primal_solver_agrees_with_smo_and_sklearn():
    demo = SVMDemo(dataset="overlap", kernel="linear", C=0.2, tol=1e-6)
    X, y = demo.result.X, demo.result.y
    ref = SkSVC(C=1.0 / 0.2, kernel="linear", tol=1e-8).fit(X, y)
    w, b = ref.coef_[0], ref.intercept_[0]
    s = np.where(y == ref.classes_[1], 1.0, -1.0)
    J = 0.1 * w @ w + np.maximum(0.0, 1.0 - s * (X @ w + b)).sum()   # notes' C/2 ||w||^2 + sum xi
    assert demo.stats["primal_solver_J"][1] == pytest.approx(J, rel=1e-6)
    assert demo.stats["primal"][1] == pytest.approx(J, rel=1e-4)        # SMO at tol 1e-6
    np.testing.assert_allclose(demo.result.primal.coef_[0], w, atol=1e-4)
    demo.kernel = "rbf"
    assert "primal_solver_J" not in demo.stats and demo.result.primal is None


@pytest.mark.parametrize("dataset, C", [("overlap", 1.0), ("moons", 10.0), ("blobs", 10.0)])
def test_slack_points_and_bounded_support_vectors_share_one_tolerance(dataset, C):
    demo = SVMDemo(dataset=dataset, C=C)
    r = demo.result.analysis
    assert r.tol == demo.tol
    # xi computed independently from the decision values
    s = np.where(demo.result.y == 1, 1.0, -1.0)
    xi = np.maximum(0.0, 1.0 - s * demo.result.model.decision_function(demo.result.X))
    np.testing.assert_array_equal(r.slack, xi > demo.tol)
    assert np.all(r.bounded[r.slack])                    # every point with xi > 0 has alpha = 1
    on_margin = int(np.sum(r.bounded & ~r.slack))
    assert demo.stats["n_slack"][1] + on_margin == demo.stats["n_bounded"][1]
    assert ("n_bounded_on_margin" in demo.stats) == (on_margin > 0)
    assert "n_slack_not_bounded" not in demo.stats              # converged: no KKT violation
    assert len(demo.slack_source.data["xi"]) == demo.stats["n_slack"][1]   # segments drawn
    labels = [label for label, _ in demo.stats.values()]
    assert "solver used" in labels and not any("_" in label for label in labels)
    assert demo.stats["solver"][1] == "SMO on the dual"


def test_clicks_custom_data_and_dataset_change():
    demo = SVMDemo(dataset="custom")
    assert demo.result.model is None and "both" in demo.result.hint and demo.error == ""
    demo.canvas.add_point(-1.0, -1.0, label=0)
    demo.canvas.add_point(1.0, 1.0, label=1)
    res = demo.result
    assert res.model is not None and res.clicked.tolist() == [True, True]
    assert res.model.support_.size == 2 and res.analysis.margin == pytest.approx(2 * np.sqrt(2))
    demo.dataset = "blobs"                                   # clicked points belong to custom
    assert demo.result.clicked.sum() == 0 and len(demo.result.y) == demo.n_samples


def test_several_parameters_at_once_give_one_consistent_fit():
    demo = SVMDemo()
    demo.param.update(C=5.0, kernel="rbf", gamma=2.0)
    p = demo.result.params
    assert (p["C"], p["kernel"], p["gamma"]) == (5.0, "rbf", 2.0) and demo.error == ""


def test_a_long_fit_runs_as_a_job_with_partial_iterates(monkeypatch):
    import ece544lab.demos.svm.compute as compute

    monkeypatch.setattr(compute, "PARTIAL_EVERY_S", 0.0)     # show every pause
    drawn = []
    demo = SVMDemo(dataset="overlap", n_samples=200, C=0.01, tol=1e-6, max_iter=5000)
    original = demo.draw
    monkeypatch.setattr(demo, "draw", lambda res: (drawn.append(res), original(res)))
    demo.C = 0.005
    partials = [r for r in drawn if r.partial]
    assert len(partials) >= 2 and not drawn[-1].partial
    assert demo.jobs.state == "done" and demo.result is drawn[-1]
    duals = [r.model.dual_objective_ for r in partials] + [demo.result.model.dual_objective_]
    assert np.all(np.diff(duals) >= -1e-12)                  # SMO only climbs
    for r in partials:                                       # every pause: a feasible alpha
        a = r.analysis.alpha
        assert np.all((a >= 0) & (a <= 1)) and abs(r.analysis.sum_alpha_y) < 1e-9
    # mid-run the counts still add up: slack - (slack with alpha < 1) + on margin = bounded
    from ece544lab.demos.svm.text import numbers

    for r in partials:
        st = numbers(r)
        total = (st["n_slack"][1] - st.get("n_slack_not_bounded", (0, 0))[1]
                 + st.get("n_bounded_on_margin", (0, 0))[1])
        assert total == st["n_bounded"][1]
    with pytest.warns(RuntimeWarning, match="max_iter"):     # 5000 steps are not enough
        ref = SVC(C=0.005, kernel="linear", tol=1e-6, max_iter=5000).fit(demo.result.X,
                                                                          demo.result.y)
    np.testing.assert_array_equal(demo.result.model.alpha_, ref.alpha_)
