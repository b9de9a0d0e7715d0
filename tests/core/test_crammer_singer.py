"""ece544core.crammer_singer: the loss by hand and against the direct formula, J(W) against
scikit-learn's LinearSVC (crammer_singer) objective, weak duality, the simplex projection's
optimality conditions, the dual ascent's monotone history and the exact solvers agreeing."""
import warnings

import numpy as np
import pytest
from sklearn.svm import LinearSVC

from ece544core.crammer_singer import (_project_simplex, active_set_solve, crammer_singer_loss,
                                       dual_bca, dual_objective, newton_path, primal_objective)
from ece544core.datasets import make_blobs
from ece544core.multiclass import MulticlassSVM


@pytest.fixture(scope="module")
def data():
    X, y = make_blobs(n_samples=70, centers=[[-2, 0], [2, 0], [0, 2.5], [0, -2]],
                      cluster_std=1.4, random_state=4)
    return np.column_stack([X, np.ones(len(X))]), y  # a penalised bias column


def test_loss_by_hand():
    S = np.array([[2.0, 1.5, -1.0], [0.0, 0.1, 1.0], [3.0, 0.0, 0.0]])
    y = np.array([0, 0, 0])
    # row 0: max(0, 1 + 1.5 - 2, 1 - 1 - 2) = 0.5; row 1: 1 + 1 - 0 = 2; row 2: margins 3 > 1
    np.testing.assert_allclose(crammer_singer_loss(S, y), [0.5, 2.0, 0.0])
    np.testing.assert_allclose(crammer_singer_loss(S, [1, 2, 1]), [1.5, 0.1, 4.0])
    # a task loss of 2 [y != yhat] asks for a margin of 2
    np.testing.assert_allclose(crammer_singer_loss(S, y, 2.0), [1.5, 3.0, 0.0])


def test_loss_matches_direct_formula(rng):
    S, y = 2.0 * rng.standard_normal((40, 5)), rng.integers(0, 5, 40)
    direct = np.array([max((k != y[i]) + S[i, k] - S[i, y[i]] for k in range(5))
                       for i in range(40)])
    np.testing.assert_allclose(crammer_singer_loss(S, y), direct, atol=1e-12)
    assert np.all(crammer_singer_loss(S, y) >= 0)


def test_loss_bad_inputs():
    with pytest.raises(ValueError, match="y"):
        crammer_singer_loss(np.zeros((2, 3)), [0, 3])
    with pytest.raises(ValueError, match="scores"):
        crammer_singer_loss(np.zeros(3), [0])


def test_primal_is_liblinear_objective_and_weak_duality(data, rng):
    """J(W) of LinearSVC's solution equals C/2 ||W||^2 + sum of the losses; every dual point
    is below every primal value."""
    X, y = data
    K, C = 4, 0.5
    D = 1.0 - np.eye(K)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = LinearSVC(C=1 / C, multi_class="crammer_singer", fit_intercept=False, tol=1e-10,
                       max_iter=100_000).fit(X, y)
    W = sk.coef_
    J = primal_objective(W, X, y, D, C)
    assert J == pytest.approx(0.5 * C * np.sum(W ** 2)
                              + crammer_singer_loss(X @ W.T, y).sum(), rel=1e-12)
    for _ in range(5):
        beta = rng.dirichlet(np.ones(K), size=len(y))
        value, Wb = dual_objective(beta, X, y, D, C)
        assert value <= J + 1e-9
        assert value <= primal_objective(Wb, X, y, D, C) + 1e-9
        assert primal_objective(W + 0.1 * rng.standard_normal(W.shape), X, y, D, C) >= J - 1e-6


def test_project_simplex_optimality(rng):
    for _ in range(20):
        v = 3.0 * rng.standard_normal(6)
        p = _project_simplex(v)
        assert p.min() >= 0 and p.sum() == pytest.approx(1.0)
        # KKT of min ||p - v||^2 on the simplex: v - p = tau on the support, <= tau off it
        r = v - p
        tau = r[p > 0]
        assert np.ptp(tau) <= 1e-12
        assert np.all(r[p == 0] <= tau[0] + 1e-12)


def test_dual_bca_and_newton_path_agree_with_active_set(data):
    X, y = data
    K, C = 4, 1.0
    D = 1.0 - np.eye(K)
    W_b, beta, hist, epochs, converged = dual_bca(X, y, D, C, np.eye(K)[y], 5000, 1e-9)
    assert converged and epochs == hist.n_records - 1
    assert np.all(np.diff(hist["dual_objective"]) >= -1e-9)  # exact block maximisation
    assert np.all(hist["gap"] >= -1e-9) and hist["gap"][-1] <= 1e-9 * len(y)
    W_n, beta_n, h_n, _, ok = newton_path(X, y, D, C, 300, 1e-10)
    assert ok and h_n["eps"][-1] == 0.0 and list(h_n)[:4] == ["iteration", "objective",
                                                             "dual_objective", "gap"]
    np.testing.assert_allclose(W_n, W_b, atol=1e-4)
    # the exact solve certifies itself from the dual ascent's margins
    A = D[y] + X @ W_b.T
    found = active_set_solve(X, y, D, C, A, 1e-4, 1e-8 * len(y))
    assert found is not None
    np.testing.assert_allclose(found[0], W_n, atol=1e-7)


def test_multiclass_svm_losses_method(data):
    X, y = data
    names = np.array(["a", "b", "c", "d"])[y]
    model = MulticlassSVM(C=1.0).fit(X[:, :2], names)
    loss = model.losses(X[:, :2], names)
    assert loss.shape == (len(y),) and np.all(loss >= 0)
    W = np.column_stack([model.coef_, model.intercept_])
    assert model.objective(X[:, :2], names) == pytest.approx(
        0.5 * np.sum(W ** 2) + loss.sum(), rel=1e-12)
    with pytest.raises(ValueError, match="labels"):
        model.losses(X[:2, :2], ["a", "z"])
