"""ece544core.losses: the temperature loss against direct NumPy/SciPy formulas, its eps -> 0
(hinge) and eps = 1 (cross-entropy) cases, finite differences, monotonicity in eps, the
two-class reduction, the classifier against SoftmaxRegression, and bad inputs."""
import numpy as np
import pytest
from scipy.special import logsumexp as sp_logsumexp
from scipy.special import softmax as sp_softmax

from ece544core.datasets import make_blobs
from ece544core.logistic import SoftmaxRegression
from ece544core.losses import (TemperatureClassifier, binary_hinge, binary_logistic_loss,
                               binary_temperature_loss, cross_entropy, multiclass_hinge,
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


# ------------------------------------------------------------------------------ classifier
@pytest.fixture(scope="module")
def blobs():
    return make_blobs(n_samples=150, centers=3, cluster_std=2.0, random_state=0)


@pytest.mark.parametrize("C", [0.1, 1.0])
def test_classifier_eps_one_matches_softmax_regression(blobs, C):
    X, y = blobs
    ours = TemperatureClassifier(eps=1.0, C=C, task_loss=np.zeros((3, 3)), max_iter=2000,
                                 tol=1e-10).fit(X, y)
    ref = SoftmaxRegression(C=C, tol=1e-10, max_iter=2000).fit(X, y)
    f_ours = ours.objective(X, y)
    f_ref = ref.objective(ref.coef_, ref.intercept_, X, y)
    assert abs(f_ours - f_ref) <= 1e-6 * abs(f_ref)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    assert ours.coef_.shape == (3, X.shape[1]) and ours.intercept_.shape == (3,)
    assert ours.decision_function(X).shape == (len(X), 3)
    assert ours.history_["f"][-1] <= ours.history_["f"][0]


def test_classifier_eps_zero_subgradient(blobs):
    """J_0(W_eps) - n eps ln K <= min J_0 <= J_0(subgradient result); the subgradient method
    should come within 10% of the smoothed solution's hinge objective (it converges as
    O(1/sqrt(k)))."""
    X, y = blobs
    n, K = len(X), 3
    hinge = TemperatureClassifier(eps=0.0, C=1.0, max_iter=5000).fit(X, y)
    f_sub = hinge.objective(X, y)
    smooth = TemperatureClassifier(eps=1e-2, C=1.0, max_iter=2000).fit(X, y)
    smooth.eps = 0.0  # evaluate the hinge objective at the smoothed minimiser
    f_smooth = smooth.objective(X, y)
    assert f_sub >= f_smooth - n * 1e-2 * np.log(K) - 1e-9
    assert f_sub <= 1.10 * f_smooth + 1e-9
    assert hinge.history_["best_f"][-1] == pytest.approx(f_sub)
    assert np.all(np.diff(hinge.history_["best_f"]) <= 0)
    assert np.mean(hinge.predict(X) == y) >= 0.9


def test_classifier_string_labels(blobs):
    X, y = blobs
    labels = np.array(["a", "b", "c"])[y]
    clf = TemperatureClassifier(eps=0.5).fit(X, labels)
    assert set(clf.predict(X)) <= {"a", "b", "c"}
    with pytest.raises(ValueError, match="y contains labels"):
        clf.objective(X, np.array(["z"] * len(X)))


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
    with pytest.raises(ValueError, match="eps"):
        TemperatureClassifier(eps=-1).fit(S, y)
    with pytest.raises(ValueError, match="C"):
        TemperatureClassifier(C=0).fit(S, y)
    with pytest.raises(ValueError, match="lr"):
        TemperatureClassifier(eps=0.0, lr=0).fit(S, y)
    with pytest.raises(ValueError, match="two classes"):
        TemperatureClassifier().fit(S, np.zeros(5))
    with pytest.raises(ValueError, match="not fitted"):
        TemperatureClassifier().predict(S)
    clf = TemperatureClassifier().fit(S, y)
    with pytest.raises(ValueError, match="feature"):
        clf.predict(S[:, :2])


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


# ------------------------------------------------------------------------------ psi="binary"
@pytest.fixture(scope="module")
def two_blobs():
    return make_blobs(n_samples=80, centers=[[-1.5, -1.0], [1.5, 1.0]], cluster_std=1.3,
                      random_state=1)


@pytest.mark.parametrize("C", [0.3, 1.0, 5.0])
def test_binary_psi_eps_one_is_logistic_regression(two_blobs, C):
    from sklearn.linear_model import LogisticRegression as SkLogistic

    X, y = two_blobs
    ours = TemperatureClassifier(eps=1.0, C=C, task_loss=0.0, psi="binary", tol=1e-10).fit(X, y)
    sk = SkLogistic(C=1 / C, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, sk.coef_, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, sk.intercept_, atol=1e-6)
    np.testing.assert_allclose(ours.decision_function(X), sk.decision_function(X), atol=1e-5)
    np.testing.assert_array_equal(ours.predict(X), sk.predict(X))


@pytest.mark.parametrize("C", [0.3, 1.0, 5.0])
def test_binary_psi_eps_zero_is_the_svm(two_blobs, C):
    """eps = 0, L = 1: the notes' SVM with C_sklearn = 1 / C (solved exactly in the primal)."""
    from sklearn.svm import SVC as SkSVC

    X, y = two_blobs
    ours = TemperatureClassifier(eps=0.0, C=C, psi="binary").fit(X, y)
    assert ours.solver_ == "svm-primal"
    sk = SkSVC(C=1 / C, kernel="linear", tol=1e-10).fit(X, y)
    np.testing.assert_allclose(ours.coef_, sk.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, sk.intercept_, atol=1e-5)
    # its objective is the hinge objective, and no small eps does better than J_0 - n eps ln 2
    J0 = ours.objective(X, y)
    m = np.where(y == 1, 1, -1) * sk.decision_function(X)
    assert J0 == pytest.approx(C / 2 * np.sum(sk.coef_ ** 2) + np.maximum(0, 1 - m).sum(),
                               rel=1e-6)
    smooth = TemperatureClassifier(eps=1e-3, C=C, psi="binary").fit(X, y)
    assert J0 <= smooth.objective(X, y, eps=0.0) + 1e-9
    assert smooth.objective(X, y) <= J0 + len(y) * 1e-3 * np.log(2) + 1e-9


def test_binary_psi_task_loss_rescales_the_svm(two_blobs):
    """max(0, L - m): w_L = L w_SVM(C L)."""
    X, y = two_blobs
    half = TemperatureClassifier(eps=0.0, C=2.0, task_loss=0.5, psi="binary").fit(X, y)
    svm = TemperatureClassifier(eps=0.0, C=1.0, psi="binary").fit(X, y)
    np.testing.assert_allclose(half.coef_, 0.5 * svm.coef_, atol=1e-9)
    zero = TemperatureClassifier(eps=0.0, C=2.0, task_loss=0.0, psi="binary").fit(X, y)
    assert np.all(zero.coef_ == 0) and np.all(zero.intercept_ == 0)
    assert zero.objective(X, y) == 0.0
    # a smoothed fit approaches it from eps > 0
    near = TemperatureClassifier(eps=1e-3, C=2.0, task_loss=0.5, psi="binary").fit(X, y)
    np.testing.assert_allclose(near.coef_, half.coef_, atol=5e-3)


# ------------------------------------------------------------------------------ no intercept
@pytest.fixture(scope="module")
def three_blobs():
    X, y = make_blobs(n_samples=90, centers=[[-2, -1], [2, -1], [0, 2]], cluster_std=1.3,
                      random_state=2)
    return np.column_stack([X, np.ones(len(X))]), y  # a penalised bias as a constant feature


@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
def test_multiclass_eps_zero_is_crammer_singer(three_blobs, C):
    from sklearn.svm import LinearSVC

    X, y = three_blobs
    ours = TemperatureClassifier(eps=0.0, C=C, fit_intercept=False).fit(X, y)
    assert ours.solver_ == "active-set" and ours.converged_
    assert ours.history_["gap"][-1] <= 1e-8 * len(y)
    sk = LinearSVC(C=1 / C, multi_class="crammer_singer", fit_intercept=False, tol=1e-12,
                   max_iter=1_000_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, sk.coef_, atol=1e-7)
    # the dual: W = (1/C) sum_i (e_{y_i} - beta_i) x_i^T with beta_i in the simplex
    beta = ours.dual_coef_
    assert beta.min() >= 0 and np.allclose(beta.sum(axis=1), 1)
    np.testing.assert_allclose(ours.coef_, (np.eye(3)[y] - beta).T @ X / C, atol=1e-10)


def test_dual_bca_fallback_agrees(three_blobs):
    from ece544core.losses import _hinge_dual_bca

    X, y = three_blobs
    D = 1 - np.eye(3)
    W, beta, hist, _, converged = _hinge_dual_bca(X, y, D, 1.0, np.eye(3)[y], 5000, 1e-10)
    assert converged and np.all(hist["gap"] >= -1e-9) and hist["gap"][-1] <= 1e-10 * len(y)
    exact = TemperatureClassifier(eps=0.0, C=1.0, fit_intercept=False).fit(X, y)
    np.testing.assert_allclose(W, exact.coef_, atol=1e-5)


def test_multiclass_eps_one_without_intercept_is_multinomial_logistic(three_blobs):
    from sklearn.linear_model import LogisticRegression as SkLogistic

    X, y = three_blobs
    ours = TemperatureClassifier(eps=1.0, C=2.0, task_loss=0.0, fit_intercept=False,
                                 tol=1e-10).fit(X, y)
    sk = SkLogistic(C=0.5, fit_intercept=False, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, sk.coef_, atol=1e-6)
    assert np.all(ours.intercept_ == 0)
    # stationarity through the softmax dual variables
    np.testing.assert_allclose(ours.coef_, (np.eye(3)[y] - ours.dual_coef_).T @ X / 2.0,
                               atol=1e-6)


def test_warm_start_reaches_the_same_minimiser_faster(two_blobs):
    X, y = two_blobs
    cold = TemperatureClassifier(eps=0.3, psi="binary").fit(X, y)
    clf = TemperatureClassifier(eps=0.32, psi="binary", warm_start=True).fit(X, y)
    clf.eps = 0.3
    clf.fit(X, y)
    np.testing.assert_allclose(clf.coef_, cold.coef_, atol=1e-6)
    assert clf.n_iter_ < cold.n_iter_


def test_new_options_bad_inputs(two_blobs, three_blobs):
    X, y = two_blobs
    with pytest.raises(ValueError, match="psi"):
        TemperatureClassifier(psi="ovr").fit(X, y)
    with pytest.raises(ValueError, match="two classes"):
        TemperatureClassifier(psi="binary").fit(*three_blobs)
    with pytest.raises(ValueError, match="fit_intercept"):
        TemperatureClassifier(fit_intercept="no").fit(X, y)
    with pytest.raises(ValueError, match="task_loss"):
        TemperatureClassifier(task_loss=float("inf")).fit(X, y)
    clf = TemperatureClassifier(psi="binary").fit(X, y)
    assert clf.decision_function(X).shape == (len(X),)
    assert clf.scores(X).shape == (len(X), 2)
