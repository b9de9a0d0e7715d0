"""The kernels demo against independent references: scikit-learn's pairwise kernels and SVC on
the precomputed Gram matrix, SciPy's symmetric eigensolver."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import eigh
from sklearn.metrics.pairwise import polynomial_kernel, rbf_kernel, sigmoid_kernel
from sklearn.svm import SVC as SkSVC

from ece544lab.demos.kernels import PRESETS, KernelsDemo


def test_composed_gram_matches_sklearn_and_svm_matches_precomputed_svc():
    demo = KernelsDemo(dataset="moons", n_samples=70, kernel1="poly", gamma1=0.5, degree1=3,
                       coef0_1=1.0, a=2.0, combine="+", kernel2="rbf", gamma2=3.0, b=0.5, C=0.5)
    assert demo.error == ""
    res = demo.result
    X, y = res.X, res.y
    assert np.all(np.diff(y) >= 0)                             # sorted by class
    K = 2.0 * polynomial_kernel(X, degree=3, gamma=0.5, coef0=1.0) + 0.5 * rbf_kernel(X, gamma=3.0)
    np.testing.assert_allclose(res.K, K, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(demo.gram_source.data["image"][0], K, atol=1e-12)  # drawn
    np.testing.assert_allclose(np.sort(demo.eig_source.data["eig"]), eigh(K, eigvals_only=True),
                               atol=1e-9)
    assert demo.stats["psd"][1] == "yes"
    ref = SkSVC(C=1.0 / 0.5, kernel="precomputed", tol=1e-6).fit(K, y)
    np.testing.assert_allclose(res.model.decision_function(X), ref.decision_function(K),
                               atol=2e-3)
    assert set(res.model.support_) == set(ref.support_)
    assert len(demo.sv_source.data["x"]) == len(ref.support_)  # the rings drawn


def test_product_kernel_and_the_kernel_trick():
    demo = KernelsDemo(dataset="circles", n_samples=40, kernel1="rbf", gamma1=2.0, a=1.5,
                       combine="×", kernel2="poly", degree2=2, gamma2=1.0, coef0_2=1.0, b=2.0)
    X = demo.result.X
    K = (1.5 * rbf_kernel(X, gamma=2.0)) * (2.0 * polynomial_kernel(X, degree=2, gamma=1.0,
                                                                     coef0=1.0))
    np.testing.assert_allclose(demo.result.K, K, rtol=1e-12)
    assert demo.stats["psd"][1] == "yes"                       # Schur product theorem
    # K1 is not polynomial, so the trick is shown for (x^T z + 1)^2: 6 monomials in 2-D
    assert demo.stats["feature_dim"][1] == 6
    assert demo.stats["trick_error"][1] < 1e-10


@pytest.mark.parametrize("label, values", [p for p in PRESETS if p[0].startswith("not")])
def test_non_kernels_fail_mercer_with_a_reason(label, values):
    demo = KernelsDemo(n_samples=50)
    demo.apply_preset(values)
    assert demo.error == ""
    X = demo.result.X
    lam = eigh(demo.result.K, eigvals_only=True)
    assert lam[0] < -1e-6                                       # independently: not PSD
    assert demo.stats["psd"][1] == "no"
    assert demo.stats["min_eig"][1] == pytest.approx(lam[0], rel=1e-9)
    assert demo.stats["n_negative"][1] == int(np.sum(lam < -1e-8 * np.abs(lam).max()))
    verdict = demo._verdict.object
    assert "Not a valid kernel" in verdict and "Why:" in verdict
    if values.get("kernel1") == "sigmoid":
        np.testing.assert_allclose(demo.result.K, sigmoid_kernel(X, gamma=1.0, coef0=1.0), atol=1e-12)
    # the demo keeps working: back to a valid kernel
    demo.apply_preset(PRESETS[0][1])
    assert demo.stats["psd"][1] == "yes" and demo.error == ""


def test_sliders_change_the_plots_and_bad_values_show_an_error():
    demo = KernelsDemo(kernel1="rbf", combine="K1", gamma1=1.0)
    before = demo.gram_source.data["image"][0].copy()
    demo.gamma1 = 30.0                                          # K -> I: the SVM memorises
    after = demo.gram_source.data["image"][0]
    assert not np.allclose(before, after)
    assert np.abs(after - np.eye(len(after))).mean() < np.abs(before - np.eye(len(before))).mean()
    assert demo.stats["train_accuracy"][1] == 1.0


def test_a_preset_is_one_update_and_parts_are_cached():
    demo = KernelsDemo(n_samples=40)
    seen = []
    original = demo.compute
    demo.compute = lambda: (seen.append(1), original())[1]
    demo.apply_preset(PRESETS[1][1])                            # nine parameters at once
    assert len(seen) == 1 and demo.result.params["combine"] == "×"
    part = demo.result.parts["1"]
    demo.b = 3.0                                                # K1 alone did not change
    assert demo.result.parts["1"] is part and demo.result.params["b"] == 3.0
    assert not demo._k2_widgets["degree"].disabled and demo._k1_widgets["degree"].disabled


def test_bad_url_values_show_an_error_and_the_demo_still_works():
    from ece544lab.shell.app import App

    app = App(search="?demo=kernels&C=-1&gamma1=abc&n_samples=30")
    demo = app.instance("kernels")
    assert "C" in demo.error and "gamma1" in demo.error
    assert demo.n_samples == 30 and demo.result.K.shape == (30, 30)  # the good value applied
    demo.C = 2.0
    assert demo.error == "" and demo.stats["C"][1] == 2.0


def test_kernel_logistic_regression_matches_sklearn_on_the_explicit_feature_map():
    """The four formulas' logistic half: the demo's kernel logistic regression with the
    polynomial kernel equals scikit-learn's (primal) logistic regression on phi(x)."""
    from sklearn.linear_model import LogisticRegression as SkLR

    from ece544core.kernels import polynomial_feature_map

    demo = KernelsDemo(dataset="moons", n_samples=60, kernel1="poly", degree1=3, gamma1=0.5,
                       coef0_1=1.0, a=1.0, combine="K1", C=0.5)
    X, y = demo.result.X, demo.result.y
    Phi = polynomial_feature_map(X, degree=3, gamma=0.5, coef0=1.0)
    ref = SkLR(C=1.0 / 0.5, tol=1e-12, max_iter=10_000).fit(Phi, y)
    lr = demo.result.logistic
    np.testing.assert_allclose(lr.decision_function(X), ref.decision_function(Phi), atol=1e-5)
    assert lr.dual_objective_ == pytest.approx(lr.primal_objective_, rel=1e-8)
    assert demo.canvas.lines["logistic-boundary"].data["xs"], "no logistic boundary drawn"
    demo.apply_preset(dict(kernel1="distance", a=1.0, combine="K1"))  # not PSD: not fitted
    res = demo.result
    assert res.logistic is None and "positive semidefinite" in res.logistic_note
    assert demo.canvas.lines["logistic-boundary"].data["xs"] == [] and demo.error == ""
