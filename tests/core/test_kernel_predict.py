"""ece544core.kernel_predict: the one kernel dual predictor f(x) = sum_i dual_coef_i K(x_i, x) + b
behind SVC and KernelLogisticRegression, against scikit-learn's fitted SVC and by hand."""
import numpy as np
import pytest
from sklearn.metrics.pairwise import polynomial_kernel, rbf_kernel
from sklearn.svm import SVC as SkSVC

from ece544core import kernels as kn
from ece544core.datasets import make_moons
from ece544core.kernel_logistic import KernelLogisticRegression
from ece544core.kernel_predict import (KernelDualClassifier, binary_signs,
                                       dual_decision_function)
from ece544core.svm import SVC


@pytest.fixture
def moons():
    return make_moons(n_samples=90, noise=0.2, random_state=11)


@pytest.mark.parametrize("kernel, ref_kernel", [
    (kn.get_kernel("rbf", gamma=0.8), lambda A, B: rbf_kernel(A, B, gamma=0.8)),
    (lambda A, B=None: polynomial_kernel(A, B, degree=2, gamma=1.0, coef0=1.0), None)])
def test_dual_predictor_reproduces_sklearn_svc(moons, rng, kernel, ref_kernel):
    """scikit-learn's own expansion (its dual_coef_, support vectors, intercept) evaluated by
    dual_decision_function gives scikit-learn's decision values; a plain callable works too."""
    X, y = moons
    sk_kernel = "rbf" if ref_kernel is not None else "poly"
    ref = SkSVC(C=2.0, kernel=sk_kernel, gamma=0.8 if ref_kernel else 1.0, degree=2,
                coef0=1.0).fit(X, y)
    Xq = rng.uniform(-1.5, 2.5, size=(40, 2))
    f = dual_decision_function(kernel, ref.support_vectors_, ref.dual_coef_, ref.intercept_[0],
                               Xq)
    np.testing.assert_allclose(f, ref.decision_function(Xq), rtol=1e-10, atol=1e-10)


def test_no_expansion_points_give_the_intercept():
    f = dual_decision_function(kn.linear, np.empty((0, 3)), np.empty((1, 0)), -0.25,
                               np.ones((4, 3)))
    np.testing.assert_array_equal(f, np.full(4, -0.25))


@pytest.mark.parametrize("cls, points", [(SVC, "support_vectors_"),
                                         (KernelLogisticRegression, "X_fit_")])
def test_svc_and_kernel_logistic_share_the_predictor(moons, cls, points):
    X, y = moons
    C = 0.7
    m = cls(C=C, kernel="linear").fit(X, y)
    assert isinstance(m, KernelDualClassifier)
    _, ys = binary_signs(y, "test")
    on = m.alpha_ > 0
    # dual_coef_ = alpha y / C over the expansion points; w = (1/C) sum alpha y x (by hand)
    np.testing.assert_allclose(m.dual_coef_[0], (m.alpha_ * ys / C)[on], rtol=1e-14)
    np.testing.assert_allclose(getattr(m, points), X[on])
    w = X.T @ (m.alpha_ * ys) / C
    np.testing.assert_allclose(m.coef_[0], w, atol=1e-12)
    np.testing.assert_allclose(m.decision_function(X), X @ w + m.intercept_[0], atol=1e-10)
    np.testing.assert_array_equal(m.predict(X), m.classes_[(X @ w + m.intercept_[0] > 0)
                                                            .astype(int)])


def test_binary_signs():
    classes, s = binary_signs(np.array(["b", "a", "b"]), "SVC")
    assert classes.tolist() == ["a", "b"] and s.tolist() == [1.0, -1.0, 1.0]
    with pytest.raises(ValueError, match="exactly two classes for a binary SVC"):
        binary_signs(np.array([1, 1, 1]), "SVC")
