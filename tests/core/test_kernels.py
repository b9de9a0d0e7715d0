"""ece544core.kernels against sklearn.metrics.pairwise, plus Mercer checks and bad inputs."""
import numpy as np
import pytest
from sklearn.metrics import pairwise as skp

from ece544core import kernels as kn
from ece544core.kernels import (PSDReport, check_psd, get_kernel, gram, kernel_product,
                                kernel_scale, kernel_sum)


@pytest.fixture
def XY(rng):
    return rng.standard_normal((30, 4)) * 2.0 + 1.0, rng.standard_normal((17, 4))


# ------------------------------------------------------------------------------ vs scikit-learn
@pytest.mark.parametrize("gamma", [0.1, 0.7, None])
def test_rbf_matches_sklearn(XY, gamma):
    X, Y = XY
    g = 1.0 / (X.shape[1] * X.var()) if gamma is None else gamma
    np.testing.assert_allclose(kn.rbf(X, Y, gamma=gamma), skp.rbf_kernel(X, Y, gamma=g),
                               rtol=0, atol=1e-12)
    K = kn.rbf(X, gamma=gamma)
    np.testing.assert_allclose(K, skp.rbf_kernel(X, gamma=g), rtol=0, atol=1e-12)
    assert np.all(np.diag(K) == 1.0)


@pytest.mark.parametrize("degree,gamma,coef0", [(1, 0.5, 0.0), (2, 0.3, 1.0), (3, None, 2.0)])
def test_polynomial_matches_sklearn(XY, degree, gamma, coef0):
    X, Y = XY
    g = 1.0 / (X.shape[1] * X.var()) if gamma is None else gamma
    ours = kn.polynomial(X, Y, degree=degree, gamma=gamma, coef0=coef0)
    ref = skp.polynomial_kernel(X, Y, degree=degree, gamma=g, coef0=coef0)
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("gamma,coef0", [(0.05, 0.0), (0.2, -1.0), (None, 0.5)])
def test_sigmoid_and_linear_match_sklearn(XY, gamma, coef0):
    X, Y = XY
    g = 1.0 / (X.shape[1] * X.var()) if gamma is None else gamma
    np.testing.assert_allclose(kn.sigmoid(X, Y, gamma=gamma, coef0=coef0),
                               skp.sigmoid_kernel(X, Y, gamma=g, coef0=coef0), atol=1e-12)
    np.testing.assert_allclose(kn.linear(X, Y), skp.linear_kernel(X, Y), atol=1e-12)
    np.testing.assert_allclose(kn.linear(X), X @ X.T, atol=1e-12)


def test_gamma_none_is_scale_rule_and_constant_X(rng):
    X = rng.standard_normal((10, 3))
    np.testing.assert_allclose(kn.rbf(X), kn.rbf(X, gamma=1 / (3 * X.var())), atol=1e-15)
    const = np.ones((5, 2))
    np.testing.assert_allclose(kn.polynomial(const, degree=2), (0.5 * 2 + 1.0) ** 2)


def test_rbf_distance_clipped_at_zero():
    X = np.array([[1e8, 1e8 + 1.0], [1e8, 1e8 + 1.0]])  # cancellation in ||x||^2 - 2xy + ||y||^2
    K = kn.rbf(X, X.copy(), gamma=1.0)
    assert np.all(K <= 1.0) and np.all(np.isfinite(K))


# ------------------------------------------------------------------------------ new from old
def test_combinators_compute_sum_product_scale(XY):
    X, Y = XY
    k1 = get_kernel("rbf", gamma=0.3)
    k2 = get_kernel("poly", degree=2, gamma=0.5, coef0=1.0)
    np.testing.assert_allclose(kernel_sum(k1, k2)(X, Y), k1(X, Y) + k2(X, Y))
    np.testing.assert_allclose(kernel_product(k1, k2)(X, Y), k1(X, Y) * k2(X, Y))
    np.testing.assert_allclose(kernel_scale(k2, 2.5)(X, Y), 2.5 * k2(X, Y))


@pytest.mark.parametrize("seed", range(5))
def test_new_kernels_stay_psd(seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((40, 3))
    ks = [kn.linear, get_kernel("rbf", gamma=0.5), get_kernel("poly", degree=2, coef0=1.0)]
    for a in ks:
        for b in ks:
            for k in (kernel_sum(a, b), kernel_product(a, b), kernel_scale(a, 3.0)):
                rep = check_psd(gram(k, X))
                assert rep.is_psd, (k.__name__, rep.min_eigenvalue)


def test_gram_is_symmetric_and_accepts_names(rng):
    X = rng.standard_normal((12, 2))
    K = gram("rbf", X)
    assert K.shape == (12, 12) and np.array_equal(K, K.T)
    np.testing.assert_allclose(K, kn.rbf(X), atol=1e-15)


# ------------------------------------------------------------------------------ kernel trick
@pytest.mark.parametrize("d,degree,gamma,coef0", [(2, 2, 1.0, 1.0), (3, 3, 0.4, 2.0),
                                                   (4, 2, 0.7, 0.0), (2, 1, 1.5, 0.5)])
def test_polynomial_feature_map_reproduces_the_kernel(rng, d, degree, gamma, coef0):
    X, Z = rng.standard_normal((25, d)), rng.standard_normal((9, d))
    PX = kn.polynomial_feature_map(X, degree=degree, gamma=gamma, coef0=coef0)
    PZ = kn.polynomial_feature_map(Z, degree=degree, gamma=gamma, coef0=coef0)
    assert PX.shape == (25, kn.polynomial_feature_dim(d, degree, coef0))
    ref = skp.polynomial_kernel(X, Z, degree=degree, gamma=gamma, coef0=coef0)
    np.testing.assert_allclose(PX @ PZ.T, ref, rtol=1e-12, atol=1e-12)


def test_degree_two_feature_map_is_the_textbook_one(rng):
    X = rng.standard_normal((7, 2))
    g, c = 0.8, 1.5
    x1, x2 = X[:, 0], X[:, 1]
    by_hand = np.column_stack([np.full(7, c), np.sqrt(2 * c * g) * x1, np.sqrt(2 * c * g) * x2,
                               g * x1 ** 2, np.sqrt(2) * g * x1 * x2, g * x2 ** 2])
    np.testing.assert_allclose(kn.polynomial_feature_map(X, 2, g, c), by_hand, atol=1e-14)


def test_polynomial_feature_dim_counts_monomials():
    from math import comb
    assert kn.polynomial_feature_dim(2, 2) == 6
    assert kn.polynomial_feature_dim(784, 2) == comb(786, 2) == 308505
    assert kn.polynomial_feature_dim(10, 3, coef0=0.0) == comb(12, 3)


# ------------------------------------------------------------------------------ Mercer
def test_check_psd_report(rng):
    A = rng.standard_normal((6, 6))
    rep = check_psd(A @ A.T)
    assert isinstance(rep, PSDReport) and rep.is_psd
    np.testing.assert_allclose(rep.eigenvalues, np.linalg.eigvalsh(A @ A.T), atol=1e-10)
    assert rep.min_eigenvalue == rep.eigenvalues[0]
    with pytest.raises(Exception):
        rep.is_psd = False  # frozen


def test_check_psd_rejects_indefinite_symmetric():
    K = np.array([[1.0, 2.0], [2.0, 1.0]])  # eigenvalues 3 and -1
    rep = check_psd(K)
    assert not rep.is_psd
    np.testing.assert_allclose(rep.min_eigenvalue, -1.0)


def test_sigmoid_kernel_fails_mercer_for_some_parameters(rng):
    X = rng.standard_normal((30, 2))
    rep = check_psd(gram(get_kernel("sigmoid", gamma=1.0, coef0=-1.0), X))
    assert not rep.is_psd and rep.min_eigenvalue < -1e-3
    # ... while the Gaussian kernel on the same points passes
    assert check_psd(gram("rbf", X)).is_psd


# ------------------------------------------------------------------------------ bad inputs
@pytest.mark.parametrize("call,match", [
    (lambda: kn.rbf(np.ones((3, 2)), np.ones((3, 3))), "same number of features"),
    (lambda: kn.rbf([[np.nan, 1.0]]), "X must be finite"),
    (lambda: kn.linear(np.ones(3)), "X must be a 2-D array"),
    (lambda: kn.linear(np.ones((2, 2)), np.ones((0, 2))), "Y must have at least 1"),
    (lambda: kn.rbf(np.ones((3, 2)), gamma=0.0), "gamma must be > 0"),
    (lambda: kn.rbf(np.ones((3, 2)), gamma=-1.0), "gamma must be > 0"),
    (lambda: kn.polynomial(np.ones((3, 2)), degree=0), "degree must be >= 1"),
    (lambda: kn.polynomial(np.ones((3, 2)), degree=2.5), "degree must be an integer"),
    (lambda: kn.sigmoid(np.ones((3, 2)), coef0="a"), "coef0 must be a real number"),
    (lambda: kernel_scale(kn.linear, 0.0), "a must be > 0"),
    (lambda: kernel_sum(kn.linear, 3), "k2 must be a callable"),
    (lambda: kernel_product("rbf", kn.linear), "k1 must be a callable"),
    (lambda: get_kernel("laplace"), "kernel must be a callable or one of"),
    (lambda: get_kernel("rbf", degree=3), "unexpected"),
    (lambda: gram("nope", np.ones((3, 2))), "kernel must be"),
    (lambda: gram(lambda X, Y=None: np.ones((2, 2)), np.ones((3, 2))), "kernel must return"),
    (lambda: check_psd(np.ones((2, 3))), "K must be a square"),
    (lambda: check_psd(np.array([[1.0, 0.0], [1.0, 1.0]])), "K must be symmetric"),
    (lambda: check_psd(np.eye(2), tol=-1.0), "tol must be >= 0"),
    (lambda: kn.polynomial_feature_map(np.ones((3, 2)), coef0=-1.0), "coef0 must be >= 0"),
    (lambda: kn.polynomial_feature_map(np.ones((3, 2)), gamma=0.0), "gamma must be > 0"),
    (lambda: kn.polynomial_feature_dim(0), "d must be >= 1"),
])
def test_bad_inputs_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------------------ bound kernels
def test_bound_kernels_validate_once_and_agree_with_the_functions(XY):
    X, Y = XY
    for name, params in [("linear", {}), ("poly", {"degree": 2, "gamma": 0.3, "coef0": 1.0}),
                         ("rbf", {"gamma": 0.4}), ("sigmoid", {"gamma": 0.1, "coef0": -0.5})]:
        k = get_kernel(name, **params)
        assert isinstance(k, kn.Kernel) and k.__name__ == name
        assert set(params) <= set(kn.KERNEL_PARAMS[name])
        ref = kn.KERNELS[name](X, Y, **params)
        np.testing.assert_allclose(k(X, Y), ref, rtol=1e-14)
        np.testing.assert_allclose(k.unchecked(X, Y), ref, rtol=1e-14)
        np.testing.assert_allclose(k.unchecked(X), kn.KERNELS[name](X, **params), rtol=1e-14)
    combo = kernel_sum(kernel_scale(get_kernel("rbf", gamma=0.4), 2.0), kn.linear)
    np.testing.assert_allclose(combo.unchecked(X, Y),
                               2.0 * skp.rbf_kernel(X, Y, gamma=0.4) + X @ Y.T, rtol=1e-12)
    with pytest.raises(ValueError, match="gamma must be > 0"):  # checked when bound
        get_kernel("rbf", gamma=-1.0)


def test_bind_kernel_fixes_gamma_on_the_training_data(XY):
    X, Y = XY
    g = 1.0 / (X.shape[1] * X.var())  # scikit-learn's "scale" on X
    k = kn.bind_kernel("rbf", X)
    np.testing.assert_allclose(k(Y * 5.0, X), skp.rbf_kernel(Y * 5.0, X, gamma=g), atol=1e-12)
    k = kn.bind_kernel("poly", X, gamma=0.5, degree=2, coef0=1.0)
    np.testing.assert_allclose(k(X, Y), skp.polynomial_kernel(X, Y, 2, 0.5, 1.0), rtol=1e-12)
    assert kn.bind_kernel(kn.linear, X) is kn.linear
    with pytest.raises(ValueError, match="kernel must be a callable or one of"):
        kn.bind_kernel("laplace", X)
    with pytest.raises(ValueError, match="gamma must be > 0"):
        kn.bind_kernel("linear", X, gamma=-2.0)
