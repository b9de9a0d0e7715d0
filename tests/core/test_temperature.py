"""ece544core.temperature: TemperatureClassifier against SoftmaxRegression, scikit-learn's
logistic regression, SVC and Crammer-Singer LinearSVC at the two ends eps = 1 and eps = 0;
the objective J_eps and its bound J_0 <= J_eps <= J_0 + n eps ln K; bad inputs."""
import numpy as np
import pytest

from ece544core.crammer_singer import dual_bca
from ece544core.datasets import make_blobs
from ece544core.logistic import SoftmaxRegression
from ece544core.temperature import (TemperatureClassifier, temperature_bounds,
                                    temperature_objective)


def test_classifier_bad_inputs(rng):
    S, y = 3.0 * rng.standard_normal((5, 3)), rng.integers(0, 3, 5)
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
    assert ours.history_["objective"][-1] <= ours.history_["objective"][0]


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
    assert hinge.history_["best_objective"][-1] == pytest.approx(f_sub)
    assert np.all(np.diff(hinge.history_["best_objective"]) <= 0)
    assert np.mean(hinge.predict(X) == y) >= 0.9


def test_classifier_string_labels(blobs):
    X, y = blobs
    labels = np.array(["a", "b", "c"])[y]
    clf = TemperatureClassifier(eps=0.5).fit(X, labels)
    assert set(clf.predict(X)) <= {"a", "b", "c"}
    with pytest.raises(ValueError, match="y contains labels"):
        clf.objective(X, np.array(["z"] * len(X)))


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
    X, y = three_blobs
    D = 1 - np.eye(3)
    W, beta, hist, _, converged = dual_bca(X, y, D, 1.0, np.eye(3)[y], 5000, 1e-10)
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


# ------------------------------------------------------------------------------ the objective
def _signs_data(rng, n=30):
    X = rng.standard_normal((n, 2)) + np.where(rng.random(n) < 0.5, -1.0, 1.0)[:, None]
    return X, np.sign(X.sum(axis=1) + 0.3 * rng.standard_normal(n))


def test_objective_by_hand_and_its_limits(rng):
    X, s = _signs_data(rng)
    w, b, C = np.array([0.7, -0.4]), 0.2, 1.5
    m = s * (X @ w + b)
    reg = 0.5 * C * (w @ w)
    # eps = 1, L = 0: logistic regression's objective; eps = 0: the hinge with margin L
    assert temperature_objective(w, b, X, s, C, 1.0, 0.0) == pytest.approx(
        reg + np.logaddexp(0.0, -m).sum(), rel=1e-12)
    assert temperature_objective(w, b, X, s, C, 0.0, 1.5) == pytest.approx(
        reg + np.maximum(0.0, 1.5 - m).sum(), rel=1e-12)
    # general eps: eps ln(1 + exp((L - m)/eps))
    assert temperature_objective(w, b, X, s, C, 0.3, 1.0) == pytest.approx(
        reg + (0.3 * np.logaddexp(0.0, (1.0 - m) / 0.3)).sum(), rel=1e-12)


def test_bound_holds_pointwise_and_at_the_minima(rng, two_blobs):
    X, s = _signs_data(rng)
    n = len(s)
    for _ in range(10):
        w, b = rng.standard_normal(2), float(rng.standard_normal())
        J0 = temperature_objective(w, b, X, s, 1.0, 0.0)
        for eps in (1e-3, 0.1, 0.7):
            lo, hi = temperature_bounds(J0, n, eps)
            assert hi == pytest.approx(J0 + n * eps * np.log(2))
            assert lo - 1e-12 <= temperature_objective(w, b, X, s, 1.0, eps) <= hi + 1e-12
    # the minima: J_0(SVM) <= J_eps(w_eps) <= J_0(SVM) + n eps ln 2, and the classifier's own
    # objective is this function
    X, y = two_blobs
    s = np.where(y == 1, 1.0, -1.0)
    svm = TemperatureClassifier(eps=0.0, psi="binary").fit(X, y)
    J0 = temperature_objective(svm.coef_[0], svm.intercept_[0], X, s, 1.0, 0.0)
    assert J0 == pytest.approx(svm.objective(X, y), rel=1e-12)
    for eps in (0.05, 0.5):
        fit = TemperatureClassifier(eps=eps, psi="binary").fit(X, y)
        J = temperature_objective(fit.coef_[0], fit.intercept_[0], X, s, 1.0, eps)
        assert J == pytest.approx(fit.objective(X, y), rel=1e-12)
        lo, hi = temperature_bounds(J0, len(y), eps)
        assert lo - 1e-9 <= J <= hi + 1e-9
    assert temperature_bounds(2.0, 10, 0.5, n_classes=4) == (2.0, 2.0 + 10 * 0.5 * np.log(4))


def test_objective_and_bound_bad_inputs(rng):
    X, s = _signs_data(rng, n=5)
    with pytest.raises(ValueError, match="y"):
        temperature_objective([1.0, 0.0], 0.0, X, np.zeros(5), 1.0, 0.1)
    with pytest.raises(ValueError, match="y"):
        temperature_objective([1.0, 0.0], 0.0, X, s[:4], 1.0, 0.1)
    with pytest.raises(ValueError, match="feature"):
        temperature_objective([1.0, 0.0, 2.0], 0.0, X, s, 1.0, 0.1)
    with pytest.raises(ValueError, match="eps"):
        temperature_objective([1.0, 0.0], 0.0, X, s, 1.0, -0.1)
    with pytest.raises(ValueError, match="C"):
        temperature_objective([1.0, 0.0], 0.0, X, s, 0.0, 0.1)
    with pytest.raises(ValueError, match="eps"):
        temperature_bounds(1.0, 5, float("inf"))
    with pytest.raises(ValueError, match="n_classes"):
        temperature_bounds(1.0, 5, 0.1, n_classes=1)


def test_history_fields(two_blobs, three_blobs):
    X, y = two_blobs
    smooth = TemperatureClassifier(eps=0.5, psi="binary").fit(X, y)
    h = smooth.history_
    assert {"iteration", "objective", "grad_norm", "step_size"} <= set(h)
    assert h.n_records == smooth.n_iter_ + 1
    np.testing.assert_array_equal(h["iteration"], np.arange(h.n_records))
    assert h["objective"][-1] == pytest.approx(smooth.objective(X, y), rel=1e-12)
    svm = TemperatureClassifier(eps=0.0, psi="binary").fit(X, y)
    assert svm.history_["objective"][-1] == pytest.approx(svm.objective(X, y), rel=1e-9)
    assert 0 <= svm.history_["gap"][-1] <= 1e-8 * len(y)
    exact = TemperatureClassifier(eps=0.0, fit_intercept=False).fit(*three_blobs)
    assert exact.history_["eps"][-1] == 0.0
    assert exact.history_["objective"][-1] == pytest.approx(exact.objective(*three_blobs))
