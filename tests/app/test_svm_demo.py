"""The SVM demo against an independent reference (scikit-learn SVC)."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.svm import SVC as SkSVC

from ece544lab.demos.svm import SVMDemo


@pytest.mark.parametrize("dataset, kernel, C", [("blobs", "linear", 1.0), ("overlap", "linear", 0.3),
                                                ("moons", "rbf", 2.0), ("circles", "rbf", 0.5)])
def test_svm_demo_matches_sklearn(dataset, kernel, C):
    demo = SVMDemo(dataset=dataset, kernel=kernel, C=C, gamma=1.0, tol=1e-6)
    assert demo.error == ""
    X, y = demo.X, demo.y
    ref = SkSVC(C=1.0 / C, kernel=kernel, gamma=1.0, tol=1e-6).fit(X, y)
    np.testing.assert_allclose(demo.model.decision_function(X), ref.decision_function(X),
                               atol=1e-3)
    np.testing.assert_array_equal(np.sort(demo.model.support_), np.sort(ref.support_))
    assert abs(float(np.sum(demo.model.dual_coef_))) < 1e-8       # sum alpha y = 0


def test_svm_demo_slider_changes_the_plot_and_hard_margin_fails_clearly():
    demo = SVMDemo(dataset="overlap", kernel="linear")
    before = demo.model.decision_function(demo.X)
    sv_before = list(demo.sv_source.data["x"])
    demo.C = 0.01
    assert demo.error == ""
    assert not np.allclose(demo.model.decision_function(demo.X), before)
    assert list(demo.sv_source.data["x"]) != sv_before               # the plot followed
    demo.hard_margin = True
    assert "not linearly separable" in demo.error
    demo.hard_margin = False
    assert demo.error == ""


def test_svm_demo_primal_solver_agrees_with_smo_and_sklearn():
    demo = SVMDemo(dataset="overlap", kernel="linear", C=0.2, tol=1e-6)
    X, y = demo.X, demo.y
    ref = SkSVC(C=1.0 / 0.2, kernel="linear", tol=1e-8).fit(X, y)
    w, b = ref.coef_[0], ref.intercept_[0]
    s = np.where(y == ref.classes_[1], 1.0, -1.0)
    J = 0.1 * w @ w + np.maximum(0.0, 1.0 - s * (X @ w + b)).sum()   # notes' C/2 ||w||^2 + sum xi
    assert demo.stats["primal_solver_J"][1] == pytest.approx(J, rel=1e-6)
    assert demo.stats["primal"][1] == pytest.approx(J, rel=1e-4)        # SMO at tol 1e-6
    np.testing.assert_allclose(demo.primal_model.coef_[0], w, atol=1e-4)
    demo.kernel = "rbf"
    assert "primal_solver_J" not in demo.stats                        # linear kernel only
