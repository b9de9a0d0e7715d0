"""ece544core.kernel_algebra against SciPy / scikit-learn: the non-kernel ||x - z||, new kernels
from old with any weights, and the kernel trick K = Phi Phi^T."""
from math import comb

import numpy as np
import pytest
from scipy.linalg import eigh
from scipy.spatial.distance import cdist
from sklearn.metrics import pairwise as skp

from ece544core import kernel_algebra as ka
from ece544core.kernels import check_psd


@pytest.fixture
def XY(rng):
    return rng.standard_normal((25, 3)) * 1.5 - 0.5, rng.standard_normal((11, 3))


def test_distance_matches_cdist_and_is_not_a_kernel(XY):
    X, Y = XY
    np.testing.assert_allclose(ka.distance(X, Y), cdist(X, Y), rtol=0, atol=1e-12)
    D = ka.distance(X)
    np.testing.assert_allclose(D, cdist(X, X), rtol=0, atol=1e-7)  # sqrt near 0: 1e-7
    assert np.all(np.diag(D) == 0.0)
    np.testing.assert_allclose(D, D.T, rtol=0, atol=1e-12)  # symmetric (to GEMM rounding)
    lam = eigh(D, eigvals_only=True)
    assert lam.sum() == pytest.approx(0.0, abs=1e-9)  # trace 0 ...
    assert lam[0] < -1e-3 and not check_psd(D).is_psd  # ... so some eigenvalue is negative


@pytest.mark.parametrize("name, ref", [
    ("linear", lambda X, Y: skp.linear_kernel(X, Y)),
    ("poly", lambda X, Y: skp.polynomial_kernel(X, Y, degree=2, gamma=0.7, coef0=0.4)),
    ("rbf", lambda X, Y: skp.rbf_kernel(X, Y, gamma=0.7)),
    ("sigmoid", lambda X, Y: skp.sigmoid_kernel(X, Y, gamma=0.7, coef0=0.4)),
    ("distance", lambda X, Y: cdist(X, Y))])
def test_base_function_binds_only_the_parameters_it_uses(XY, name, ref):
    X, Y = XY
    k = ka.base_function(name, gamma=0.7, degree=2, coef0=0.4)
    np.testing.assert_allclose(k(X, Y), ref(X, Y), rtol=1e-12, atol=1e-12)


def test_combine_sum_product_and_single(XY):
    X, Y = XY
    k1, k2 = ka.base_function("poly", 0.5, 3, 1.0), ka.base_function("rbf", 2.0)
    P = skp.polynomial_kernel(X, Y, degree=3, gamma=0.5, coef0=1.0)
    R = skp.rbf_kernel(X, Y, gamma=2.0)
    plus = ka.combine(k1, k2, "+", 2.0, 0.5)
    np.testing.assert_allclose(plus.kernel(X, Y), 2.0 * P + 0.5 * R, rtol=1e-12)
    times = ka.combine(k1, k2, "×", 1.5, 2.0)
    np.testing.assert_allclose(times.kernel(X, Y), (1.5 * P) * (2.0 * R), rtol=1e-12)
    single = ka.combine(k1, None, "K1", 3.0)
    np.testing.assert_allclose(single.kernel(X, Y), 3.0 * P, rtol=1e-12)
    assert plus.refusals == times.refusals == single.refusals == ()
    assert check_psd(plus.kernel(X)).is_psd and check_psd(times.kernel(X)).is_psd


def test_non_positive_weights_are_applied_and_refused(XY):
    X, _ = XY
    k = ka.base_function("rbf", 1.0)
    R = skp.rbf_kernel(X, gamma=1.0)
    neg = ka.combine(k, None, "K1", -1.0)
    np.testing.assert_allclose(neg.kernel(X), -R, rtol=1e-12)
    assert neg.refusals == ("a = -1: a must be > 0.0; got -1.0",)
    # -K has the eigenvalues of K negated: not PSD
    np.testing.assert_allclose(eigh(neg.kernel(X), eigvals_only=True),
                               -eigh(R, eigvals_only=True)[::-1], atol=1e-10)
    both = ka.combine(k, k, "+", 1.0, 0.0)
    np.testing.assert_allclose(both.kernel(X), R, rtol=1e-12)
    assert len(both.refusals) == 1 and both.refusals[0].startswith("b = 0:")


@pytest.mark.parametrize("d, degree, gamma, coef0", [(2, 2, 1.0, 1.0), (3, 3, 0.5, 2.0),
                                                      (2, 4, 0.3, 0.0)])
def test_kernel_trick(rng, d, degree, gamma, coef0):
    X = rng.standard_normal((20, d))
    t = ka.kernel_trick(X, degree, gamma, coef0)
    assert t.error < 1e-10
    assert t.feature_dim == comb(d + degree - (coef0 == 0), degree)
    assert (t.d, t.degree, t.gamma, t.coef0) == (d, degree, gamma, coef0)


@pytest.mark.parametrize("call, match", [
    (lambda: ka.kernel_trick(np.ones((3, 2)), coef0=-1.0), "coef0 must be >= 0"),
    (lambda: ka.base_function("laplace"), "name must be one of"),
    (lambda: ka.combine(ka.distance, None, "-"), "op must be one of"),
    (lambda: ka.combine(3, None, "K1", -1.0), "k must be a callable"),
    (lambda: ka.combine(ka.distance, None, "K1", "x"), "a must be a real number"),
    (lambda: ka.distance(np.ones((3, 2)), np.ones((2, 3))), "same number of features"),
    (lambda: ka.distance([[np.nan, 0.0]]), "X must be finite"),
])
def test_bad_inputs_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()
