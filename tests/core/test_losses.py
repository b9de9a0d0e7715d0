"""ece544core.losses: the temperature loss against direct NumPy/SciPy formulas, its eps -> 0
(hinge) and eps = 1 (cross-entropy) cases, finite differences, monotonicity in eps, the
two-class reduction and bad inputs (the classifier: test_temperature.py)."""
import numpy as np
import pytest
from scipy.special import logsumexp as sp_logsumexp
from scipy.special import softmax as sp_softmax

from ece544core.losses import (binary_hinge, binary_logistic_loss, binary_temperature_loss,
                               cross_entropy, multiclass_hinge, task_loss_matrix,
                               temperature_loss)


def _data(rng, n=20, K=4, scale=3.0):
    return scale * rng.standard_normal((n, K)), rng.integers(0, K, n)


def _direct_hinge(S, y, D):
    """max_yhat (Delta[y, yhat] + s_yhat) - s_y, row by row."""
    return np.array([np.max(D[y[i]] + S[i]) - S[i, y[i]] for i in range(len(y))])


# ------------------------------------------------------------------------------ special cases
def test_eps_zero_is_exact_hinge(rng):
    S, y = _data(rng)
    K = S.shape[1]
    for D in (None, rng.uniform(0, 2, (K, K)) * (1 - np.eye(K))):
        Dm = 1 - np.eye(K) if D is None else D
        l0, g0 = temperature_loss(S, y, 0.0, D)
        lh, gh = multiclass_hinge(S, y, D)
        np.testing.assert_array_equal(l0, lh)
        np.testing.assert_array_equal(g0, gh)
        np.testing.assert_allclose(l0, _direct_hinge(S, y, Dm), rtol=0, atol=1e-12)
        # subgradient: onehot(argmax) - onehot(y)
        G = np.zeros_like(S)
        G[np.arange(len(y)), np.argmax(Dm[y] + S, axis=1)] += 1
        G[np.arange(len(y)), y] -= 1
        np.testing.assert_array_equal(g0, G)


def test_hinge_ties_take_lowest_index():
    S = np.array([[0.0, 1.0, 1.0]])
    _, g = temperature_loss(S, [0], 0.0, np.zeros((3, 3)))
    np.testing.assert_array_equal(g, [[-1.0, 1.0, 0.0]])


def test_small_eps_approaches_hinge(rng):
    S, y = _data(rng)
    l_small, g_small = temperature_loss(S, y, 1e-4)
    l0, g0 = multiclass_hinge(S, y)
    assert np.max(np.abs(l_small - l0)) <= 1e-3
    assert np.all(l_small >= l0 - 1e-12)
    # without ties the softmax gradient concentrates on the argmax
    np.testing.assert_allclose(g_small, g0, atol=1e-3)
    # tiny eps does not overflow
    l_tiny, g_tiny = temperature_loss(S, y, 1e-300)
    assert np.all(np.isfinite(l_tiny)) and np.all(np.isfinite(g_tiny))
    np.testing.assert_allclose(l_tiny, l0, atol=1e-12)


def test_eps_one_zero_task_loss_is_cross_entropy(rng):
    S, y = _data(rng)
    K = S.shape[1]
    l1, g1 = temperature_loss(S, y, 1.0, np.zeros((K, K)))
    lce, gce = cross_entropy(S, y)
    ref = -np.log(sp_softmax(S, axis=1)[np.arange(len(y)), y])
    np.testing.assert_allclose(l1, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(lce, ref, rtol=1e-12, atol=1e-12)
    Y = np.eye(K)[y]
    np.testing.assert_allclose(g1, sp_softmax(S, axis=1) - Y, atol=1e-14)
    np.testing.assert_allclose(gce, g1, atol=1e-14)


def test_matches_scipy_logsumexp_formula(rng):
    S, y = _data(rng)
    K = S.shape[1]
    D = rng.uniform(0, 1, (K, K))
    for eps in (0.05, 0.5, 2.0, 10.0):
        A = D[y] + S
        ref = eps * sp_logsumexp(A / eps, axis=1) - S[np.arange(len(y)), y]
        loss, _ = temperature_loss(S, y, eps, D)
        np.testing.assert_allclose(loss, ref, rtol=1e-12, atol=1e-12)


def test_large_scores_do_not_overflow():
    S = np.array([[1000.0, -1000.0, 999.0]])
    loss, g = temperature_loss(S, [2], 1.0, np.zeros((3, 3)))
    assert np.isfinite(loss).all() and np.isfinite(g).all()
    np.testing.assert_allclose(loss, [1 + np.log1p(np.exp(-1))], rtol=1e-12)


# ------------------------------------------------------------------------------ gradient
@pytest.mark.parametrize("eps", [0.1, 0.5, 1.0, 3.0])
def test_gradient_finite_differences(rng, eps):
    S, y = _data(rng, n=6, K=5, scale=1.0)
    D = rng.uniform(0, 1, (5, 5))
    _, G = temperature_loss(S, y, eps, D)
    h = 1e-6
    Gfd = np.zeros_like(S)
    for i in range(S.shape[0]):
        for k in range(S.shape[1]):
            Sp, Sm = S.copy(), S.copy()
            Sp[i, k] += h
            Sm[i, k] -= h
            Gfd[i, k] = (temperature_loss(Sp, y, eps, D)[0][i]
                         - temperature_loss(Sm, y, eps, D)[0][i]) / (2 * h)
    np.testing.assert_allclose(G, Gfd, atol=1e-7)
    np.testing.assert_allclose(G.sum(axis=1), 0.0, atol=1e-12)  # softmax - onehot


# ------------------------------------------------------------------------------ monotonicity
def test_monotone_in_eps_and_bounds(rng):
    """d/deps [eps lse(a/eps)] = entropy(softmax(a/eps)) >= 0, and L_0 <= L_eps <= L_0 + eps ln K,
    for any Delta (signs included)."""
    S, y = _data(rng)
    K = S.shape[1]
    for D in (None, rng.uniform(0, 2, (K, K)), rng.uniform(-1, 1, (K, K))):
        l0, _ = temperature_loss(S, y, 0.0, D)
        prev = l0
        for eps in (1e-3, 0.01, 0.1, 0.3, 1.0, 3.0, 10.0):
            le, _ = temperature_loss(S, y, eps, D)
            assert np.all(le >= prev - 1e-12)
            assert np.all(le >= l0 - 1e-12)
            assert np.all(le <= l0 + eps * np.log(K) + 1e-12)
            prev = le


# ------------------------------------------------------------------------------ two classes
def test_two_class_reduces_to_binary_losses(rng):
    z = 4 * rng.standard_normal(30)  # w^T x + b
    y01 = rng.integers(0, 2, 30)
    m = (2 * y01 - 1) * z  # margins
    S = np.column_stack([np.zeros_like(z), z])
    np.testing.assert_allclose(cross_entropy(S, y01)[0], binary_logistic_loss(m), rtol=1e-12,
                               atol=1e-12)
    np.testing.assert_allclose(multiclass_hinge(S, y01)[0], binary_hinge(m), atol=1e-12)
    np.testing.assert_allclose(binary_logistic_loss(m), np.logaddexp(0, -m), rtol=1e-12)
    np.testing.assert_array_equal(binary_hinge(m), np.maximum(0, 1 - m))


# ------------------------------------------------------------------------------ bad inputs
def test_bad_inputs(rng):
    S, y = _data(rng, n=5, K=3)
    with pytest.raises(ValueError, match="eps"):
        temperature_loss(S, y, -0.1)
    with pytest.raises(ValueError, match="eps"):
        temperature_loss(S, y, float("nan"))
    with pytest.raises(ValueError, match="eps"):
        temperature_loss(S, y, float("inf"))
    with pytest.raises(ValueError, match="y"):
        temperature_loss(S, np.array([0, 1, 2, 3, 0]), 1.0)
    with pytest.raises(ValueError, match="y"):
        temperature_loss(S, np.array([0, 1, -1, 0, 0]), 1.0)
    with pytest.raises(ValueError, match="y"):
        temperature_loss(S, np.array([0, 1, 0.5, 0, 0]), 1.0)
    with pytest.raises(ValueError, match="scores and y"):
        temperature_loss(S, y[:4], 1.0)
    with pytest.raises(ValueError, match="scores"):
        temperature_loss(S[0], y[:1], 1.0)
    bad = S.copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match="scores"):
        temperature_loss(bad, y, 1.0)
    with pytest.raises(ValueError, match="task_loss"):
        temperature_loss(S, y, 1.0, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="task_loss"):
        temperature_loss(S, y, 1.0, np.full((3, 3), np.nan))
    with pytest.raises(ValueError, match="margins"):
        binary_hinge([1.0, np.nan])


# ------------------------------------------------------------------------------ binary curve
def test_binary_temperature_loss_formula_and_limits(rng):
    m = np.linspace(-4, 4, 81)
    for eps in (0.05, 0.3, 1.0):
        for L in (0.0, 0.4, 1.0):
            ref = eps * np.log1p(np.exp((L - m) / eps))
            np.testing.assert_allclose(binary_temperature_loss(m, eps, L), ref, rtol=1e-12,
                                       atol=1e-300)
            hinge = np.maximum(0, L - m)
            loss = binary_temperature_loss(m, eps, L)
            assert np.all(loss >= hinge - 1e-12) and np.all(loss <= hinge + eps * np.log(2) + 1e-12)
            # the same as the general loss on the scores -+m/2 of psi(x, y) = y x / 2
            S = np.column_stack([-m / 2, m / 2])
            general, _ = temperature_loss(S, np.ones(len(m), int), eps, L)
            np.testing.assert_allclose(loss, general, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(binary_temperature_loss(m, 0.0, 1.0), binary_hinge(m))
    np.testing.assert_allclose(binary_temperature_loss(m, 1.0, 0.0), binary_logistic_loss(m),
                               rtol=1e-15)
    assert np.isfinite(binary_temperature_loss([-1e3, 1e3], 1e-6, 1.0)).all()
    with pytest.raises(ValueError, match="task_loss"):
        binary_temperature_loss(m, 0.5, float("nan"))
    with pytest.raises(ValueError, match="eps"):
        binary_temperature_loss(m, -1.0)


def test_scalar_task_loss_is_scaled_zero_one_loss(rng):
    S, y = _data(rng)
    K = S.shape[1]
    np.testing.assert_array_equal(temperature_loss(S, y, 0.3, 0.7)[0],
                                  temperature_loss(S, y, 0.3, 0.7 * (1 - np.eye(K)))[0])


def test_task_loss_matrix():
    np.testing.assert_array_equal(task_loss_matrix(None, 3), 1 - np.eye(3))
    np.testing.assert_array_equal(task_loss_matrix(0.5, 2), [[0, 0.5], [0.5, 0]])
    D = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(task_loss_matrix(D, 3), D)
    with pytest.raises(ValueError, match="task_loss"):
        task_loss_matrix(np.zeros((2, 2)), 3)
    with pytest.raises(ValueError, match="task_loss"):
        task_loss_matrix(float("nan"), 3)
