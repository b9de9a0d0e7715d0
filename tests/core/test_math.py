"""ece544core._math against SciPy / hand computation, and its stability promises."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import special
from scipy.spatial.distance import cdist

from ece544core import _math


@pytest.fixture
def z():
    return np.random.default_rng(3).normal(scale=30.0, size=(7, 5))


def test_sigmoid_softplus_vs_scipy(z):
    np.testing.assert_allclose(_math.sigmoid(z), special.expit(z), rtol=1e-14, atol=0)
    np.testing.assert_allclose(_math.softplus(z), np.logaddexp(0.0, z), rtol=1e-14)
    np.testing.assert_allclose(_math.softplus_grad(z), special.expit(z), rtol=1e-14)
    # sigma(z)(1 - sigma(z)) = sigma(z) sigma(-z), the accurate form of the reference
    np.testing.assert_allclose(_math.softplus_hess(z), special.expit(z) * special.expit(-z),
                               rtol=1e-13)


def test_extremes_do_not_overflow():
    big = np.array([-1e4, -800.0, 0.0, 800.0, 1e4])
    with np.errstate(over="raise", invalid="raise"):
        assert np.array_equal(_math.sigmoid(big), [0.0, 0.0, 0.5, 1.0, 1.0])
        np.testing.assert_allclose(_math.softplus(big), [0.0, 0.0, np.log(2), 800.0, 1e4])
        np.testing.assert_allclose(_math.logsumexp(big), 1e4)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_logsumexp_softmax_log_softmax_vs_scipy(z, axis):
    np.testing.assert_allclose(_math.logsumexp(z, axis=axis), special.logsumexp(z, axis=axis),
                               rtol=1e-14)
    np.testing.assert_allclose(_math.softmax(z, axis=axis), special.softmax(z, axis=axis),
                               rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(_math.log_softmax(z, axis=axis),
                               special.log_softmax(z, axis=axis), rtol=1e-12,
                               atol=1e-13)
    kept = _math.logsumexp(z, axis=axis, keepdims=True)
    assert kept.ndim == 2


def test_logsumexp_of_all_minus_inf_is_minus_inf():
    assert _math.logsumexp(np.full(3, -np.inf)) == -np.inf


def test_float32_stays_float32(z):
    z32 = z.astype(np.float32)
    for fn in (_math.sigmoid, _math.softplus, _math.softmax, _math.log_softmax, _math.logsumexp):
        assert fn(z32).dtype == np.float32, fn.__name__


def test_sq_distances_vs_cdist():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(9, 4)), rng.normal(size=(6, 4))
    np.testing.assert_allclose(_math.sq_distances(X, Y), cdist(X, Y, "sqeuclidean"), rtol=1e-12,
                               atol=1e-12)
    D = _math.sq_distances(X)
    assert np.all(np.diag(D) == 0.0) and np.all(D >= 0)
    np.testing.assert_allclose(D, cdist(X, X, "sqeuclidean"), atol=1e-12)
    np.testing.assert_allclose(
        _math.sq_distances(X, Y, X_sq=_math.row_sq_norms(X), Y_sq=_math.row_sq_norms(Y)),
        cdist(X, Y, "sqeuclidean"), atol=1e-12)


def test_sq_distances_clipped_at_zero_for_nearly_identical_rows():
    X = np.full((3, 50), 1e8) + np.arange(3)[:, None] * 1e-9
    assert np.all(_math.sq_distances(X, X.copy()) >= 0.0)
