"""ece544core.logistic against scikit-learn (same objective via C_sklearn = 1 / C_notes), finite
differences, the binary/softmax special case, invariants and bad inputs."""
import warnings

import numpy as np
import pytest
from scipy.special import expit
from scipy.special import logsumexp as sp_logsumexp
from scipy.special import softmax as sp_softmax
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from threadpoolctl import threadpool_limits

from ece544core import logistic
from ece544core._validation import NotFittedError
from ece544core.base import clone
from ece544core.datasets import (make_blobs, make_moons, make_spirals, make_two_gaussians_1d)
from ece544core.logistic import (LogisticRegression, SoftmaxRegression, log1pexp, logistic_loss,
                                 logsumexp, sigmoid, softmax)


# ------------------------------------------------------------------------------ helpers
def _sklearn(X, y, C, fit_intercept=True):
    """scikit-learn's solution of the same objective, solved tightly (one thread: its OpenMP and
    BLAS pools slow each other down on a small machine)."""
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("ignore")
        return SkLogisticRegression(C=1.0 / C, fit_intercept=fit_intercept, tol=1e-12,
                                    max_iter=20000).fit(X, y)


def _assert_same_solution(ours, ref, X, y, Xtest=None, rtol=1e-6):
    assert np.array_equal(ours.classes_, ref.classes_)
    f_ours = ours.objective(ours.coef_, ours.intercept_, X, y)
    b_ref = ref.intercept_ if ours.fit_intercept else np.zeros_like(ours.intercept_)
    f_ref = ours.objective(ref.coef_, b_ref, X, y)
    assert abs(f_ours - f_ref) <= rtol * abs(f_ref)
    assert f_ours <= f_ref * (1 + 1e-9)  # ours is at least as low
    for Z in (X,) if Xtest is None else (X, Xtest):
        np.testing.assert_array_equal(ours.predict(Z), ref.predict(Z))
    return f_ours


def _fd(f, x, h=1e-6):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        out[i] = (f(x + e) - f(x - e)) / (2 * h)
    return out


def _moons():
    X, y = make_moons(n_samples=300, noise=0.3, random_state=0)
    return X, np.where(y == 1, "b", "a")  # string labels


def _two_gaussians():
    x, y = make_two_gaussians_1d(n_samples=200, random_state=4)
    return x.reshape(-1, 1), y


def _binary_blobs():
    X, y = make_blobs(n_samples=250, centers=2, cluster_std=4.0, random_state=3)
    return (X - X.mean(0)) / X.std(0), y + 7


def _mnist_binary(split, a=3, b=8, n=2000):
    Xtr, ytr, Xte, yte = split
    keep, keep_te = np.isin(ytr[:n], [a, b]), np.isin(yte[:500], [a, b])
    return Xtr[:n][keep] / 255.0, ytr[:n][keep], Xte[:500][keep_te] / 255.0


# ------------------------------------------------------------------------------ functions
def test_stable_scalar_functions():
    z = np.array([-800.0, -40.0, -2.0, 0.0, 3.0, 40.0, 800.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings
        np.testing.assert_allclose(sigmoid(z), expit(z), rtol=1e-14, atol=0)
        np.testing.assert_allclose(log1pexp(z), np.logaddexp(0.0, z), rtol=1e-14)
        np.testing.assert_allclose(logistic_loss(z), np.logaddexp(0.0, -z), rtol=1e-14)
    assert log1pexp(800.0) == 800.0 and logistic_loss(800.0) == 0.0


def test_logsumexp_and_softmax(rng):
    Z = rng.standard_normal((6, 4)) * 300  # would overflow exp
    np.testing.assert_allclose(logsumexp(Z, axis=1), sp_logsumexp(Z, axis=1), rtol=1e-14)
    np.testing.assert_allclose(logsumexp(Z, axis=0), sp_logsumexp(Z, axis=0), rtol=1e-14)
    P = softmax(Z, axis=1)
    np.testing.assert_allclose(P, sp_softmax(Z, axis=1), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    assert logsumexp(np.array([-np.inf, -np.inf])) == -np.inf


# ------------------------------------------------------------------------------ binary vs sklearn
@pytest.mark.parametrize("solver", ["newton", "lbfgs", "gd"])
@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
@pytest.mark.parametrize("data", [_moons, _two_gaussians, _binary_blobs])
def test_binary_matches_sklearn(data, C, solver):
    X, y = data()
    ours = LogisticRegression(C=C, solver=solver, max_iter=5000).fit(X, y)
    assert ours.converged_, ours.history_["grad_norm"][-1]
    ref = _sklearn(X, y, C)
    _assert_same_solution(ours, ref, X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-5)
    assert ours.score(X, y) == ref.score(X, y)


def test_binary_without_intercept_matches_sklearn():
    X, y = _moons()
    ours = LogisticRegression(C=2.0, fit_intercept=False).fit(X, y)
    ref = _sklearn(X, y, 2.0, fit_intercept=False)
    _assert_same_solution(ours, ref, X, y)
    assert ours.intercept_.tolist() == [0.0]


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_binary_mnist_matches_sklearn(mnist_split, solver):
    X, y, Xte = _mnist_binary(mnist_split)
    ours = LogisticRegression(C=1.0, solver=solver, max_iter=2000).fit(X, y)
    assert ours.converged_ and list(ours.classes_) == [3, 8]
    _assert_same_solution(ours, _sklearn(X, y, 1.0), X, y, Xte)


# ------------------------------------------------------------------------------ softmax vs sklearn
def _blobs4():
    X, y = make_blobs(n_samples=300, centers=4, cluster_std=2.5, random_state=1)
    return (X - X.mean(0)) / X.std(0), y


def _spirals():
    return make_spirals(n_samples=240, n_classes=3, noise=0.1, random_state=2)


@pytest.mark.parametrize("solver", ["lbfgs", "newton", "gd"])
@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
@pytest.mark.parametrize("data", [_blobs4, _spirals])
def test_softmax_matches_sklearn(data, C, solver):
    X, y = data()
    ours = SoftmaxRegression(C=C, solver=solver, max_iter=20000).fit(X, y)
    assert ours.converged_
    ref = _sklearn(X, y, C)
    _assert_same_solution(ours, ref, X, y)
    # intercepts are defined up to a common shift; both keep sum_k b_k = 0
    assert abs(ours.intercept_.sum()) < 1e-8
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)


def test_softmax_mnist_matches_sklearn(mnist_split):
    Xtr, ytr, Xte, _ = mnist_split
    X, y = Xtr[:1000] / 255.0, ytr[:1000]
    ours = SoftmaxRegression(C=10.0, tol=1e-7, max_iter=3000).fit(X, y)
    assert ours.converged_ and ours.coef_.shape == (10, 784)
    assert "x" not in ours.history_  # 7850 parameters: iterates are not kept
    _assert_same_solution(ours, _sklearn(X, y, 10.0), X, y, Xte[:500] / 255.0)
    assert np.all(np.diff(ours.history_["objective"]) <= 1e-11 * ours.history_["objective"][:-1])


def test_softmax_with_two_classes_is_logistic_regression_with_half_C():
    """Softmax with K = 2 and C: w_1 = -w_0 at the optimum, and w_1 - w_0 solves the binary
    problem with C / 2 (the penalty C/2 (||w_0||^2 + ||w_1||^2) = C/4 ||w_1 - w_0||^2)."""
    X, y = _moons()
    soft = SoftmaxRegression(C=3.0, solver="newton").fit(X, y)
    binary = LogisticRegression(C=1.5).fit(X, y)
    np.testing.assert_allclose(soft.coef_[0], -soft.coef_[1], atol=1e-9)
    np.testing.assert_allclose(soft.coef_[1] - soft.coef_[0], binary.coef_[0], atol=1e-7)
    np.testing.assert_allclose(np.diff(soft.intercept_), binary.intercept_, atol=1e-7)
    np.testing.assert_allclose(soft.predict_proba(X), binary.predict_proba(X), atol=1e-9)


# ------------------------------------------------------------------------------ derivatives
def test_binary_gradient_matches_finite_differences(rng):
    X, y = _moons()
    model = LogisticRegression(C=0.7)
    w, b = rng.standard_normal(2), 0.3
    gw, gb = model.gradient(w, b, X, y)
    np.testing.assert_allclose(gw, _fd(lambda v: model.objective(v, b, X, y), w), rtol=1e-6)
    assert gb == pytest.approx(_fd(lambda v: model.objective(w, v[0], X, y), [b])[0], rel=1e-6)


def test_softmax_gradient_matches_finite_differences(rng):
    X, y = _spirals()
    model = SoftmaxRegression(C=0.4)
    W, b = rng.standard_normal((3, 2)), rng.standard_normal(3)
    gW, gb = model.gradient(W, b, X, y)
    np.testing.assert_allclose(gW, _fd(lambda V: model.objective(V, b, X, y), W), rtol=1e-6)
    np.testing.assert_allclose(gb, _fd(lambda v: model.objective(W, v, X, y), b), rtol=1e-6,
                               atol=1e-7)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_hessians_match_finite_differences(fit_intercept, rng):
    X, y = _spirals()
    for obj in (logistic._BinaryObjective(X, np.where(y == 1, 1.0, -1.0), 0.5, fit_intercept),
                logistic._SoftmaxObjective(X, y, 0.5, fit_intercept, 3)):
        theta = rng.standard_normal(obj.size) * 0.5
        H = obj.hess(theta)
        H_fd = np.array([_fd(lambda t, i=i: obj.grad(t)[i], theta) for i in range(obj.size)])
        if fit_intercept and obj.K > 1:  # ours adds the projector on the intercepts' null space
            v = np.zeros((obj.K, obj.p))
            v[:, -1] = 1.0 / np.sqrt(obj.K)
            H_fd += np.outer(v.ravel(), v.ravel())
        np.testing.assert_allclose(H, H_fd, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(H, H.T, atol=1e-12)


def test_objective_uses_fitted_class_coding():
    X, y = _moons()
    model = LogisticRegression(C=1.0).fit(X, y)
    m = np.where(y == "b", 1.0, -1.0) * (X @ model.coef_[0] + model.intercept_[0])
    expected = 0.5 * model.coef_[0] @ model.coef_[0] + np.sum(np.logaddexp(0.0, -m))
    assert model.objective(model.coef_, model.intercept_, X, y) == pytest.approx(expected,
                                                                                rel=1e-13)
    assert model.history_["objective"][-1] == pytest.approx(expected, rel=1e-13)
    # a subset of the classes still uses the fitted coding
    only_b = y == "b"
    assert model.objective(model.coef_[0], model.intercept_[0], X[only_b], y[only_b]) == \
        pytest.approx(0.5 * model.coef_[0] @ model.coef_[0] + np.sum(np.logaddexp(0, -m[only_b])))


# ------------------------------------------------------------------------------ fitted state
def test_fitted_attributes_and_history():
    X, y = _moons()
    model = LogisticRegression(C=1.0, solver="lbfgs").fit(X, y)
    assert model.coef_.shape == (1, 2) and model.intercept_.shape == (1,)
    assert list(model.classes_) == ["a", "b"] and model.n_features_in_ == 2
    assert isinstance(model.n_iter_, int) and model.converged_ is True
    h = model.history_
    assert set(h) >= {"iteration", "x", "objective", "grad_norm", "step_size"}
    assert len(h["objective"]) == model.n_iter_ + 1 and h["x"].shape == (model.n_iter_ + 1, 3)
    assert np.all(np.diff(h["objective"]) <= 0)
    assert h["objective"][-1] == pytest.approx(model.objective(model.coef_, model.intercept_, X, y),
                                               rel=1e-14)
    # the stopping rule: max_j |dJ/dtheta_j| <= tol * n
    gw, gb = model.gradient(model.coef_, model.intercept_, X, y)
    assert max(np.max(np.abs(gw)), abs(gb)) <= model.tol * len(X)
    assert h["grad_norm"][-1] == pytest.approx(max(np.max(np.abs(gw)), abs(gb)))
    # predictions: classes_[1] exactly where the decision function is positive
    z = model.decision_function(X)
    np.testing.assert_array_equal(model.predict(X), np.where(z > 0, "b", "a"))
    np.testing.assert_allclose(model.predict_proba(X)[:, 1], expit(z), rtol=1e-14)
    assert repr(clone(model)) == "LogisticRegression(C=1.0, solver='lbfgs', fit_intercept=True, " \
                                 "tol=1e-08, max_iter=200)"


def test_max_iter_reached_is_reported_not_raised():
    X, y = _blobs4()
    model = SoftmaxRegression(solver="gd", max_iter=3).fit(X, y)
    assert model.n_iter_ == 3 and model.converged_ is False
    assert model.predict(X).shape == (len(X),)


def test_separable_data_with_small_C_stays_finite():
    X = np.array([[-3.0], [-2.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1])
    for solver in ("newton", "lbfgs", "gd"):
        model = LogisticRegression(C=1e-6, solver=solver, max_iter=2000).fit(X, y)
        assert np.all(np.isfinite(model.coef_)) and model.score(X, y) == 1.0


# ------------------------------------------------------------------------------ bad inputs
def test_bad_labels():
    X = np.arange(12.0).reshape(6, 2)
    with pytest.raises(ValueError, match="y needs two classes; got only one"):
        LogisticRegression().fit(X, np.zeros(6))
    with pytest.raises(ValueError, match="y has 3 classes.*SoftmaxRegression"):
        LogisticRegression().fit(X, [0, 1, 2, 0, 1, 2])
    with pytest.raises(ValueError, match="y needs at least two classes"):
        SoftmaxRegression().fit(X, np.ones(6))
    model = LogisticRegression().fit(X, [0, 1, 0, 1, 0, 1])
    with pytest.raises(ValueError, match="y contains labels the model was not fitted with"):
        model.objective(model.coef_, model.intercept_, X, [0, 1, 2, 0, 1, 0])
    with pytest.raises(ValueError, match="y contains labels"):
        model.objective(model.coef_, model.intercept_, X, ["a"] * 6)


@pytest.mark.parametrize("Est", [LogisticRegression, SoftmaxRegression])
@pytest.mark.parametrize("params, match", [
    (dict(C=0.0), "C must be > 0"), (dict(C=-1.0), "C must be > 0"),
    (dict(C=np.nan), "C must be a real number; got NaN"), (dict(C=np.inf), "C must be a finite"),
    (dict(C="big"), "C must be a real number"), (dict(solver="sgd"), "solver must be one of"),
    (dict(tol=0), "tol must be > 0"), (dict(max_iter=0), "max_iter must be >= 1"),
    (dict(fit_intercept="yes"), "fit_intercept must be True or False"),
])
def test_bad_hyperparameters(Est, params, match):
    X, y = _moons()
    with pytest.raises(ValueError, match=match):
        Est(**params).fit(X, y)


@pytest.mark.parametrize("Est", [LogisticRegression, SoftmaxRegression])
def test_bad_data(Est):
    X, y = _moons()
    Xnan = X.copy()
    Xnan[5, 1] = np.nan
    with pytest.raises(ValueError, match="X must be finite"):
        Est().fit(Xnan, y)
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        Est().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="same number of samples"):
        Est().fit(X, y[:-1])
    with pytest.raises(ValueError, match="y must be an array of shape"):
        Est().fit(X, np.stack([y, y], axis=1))
    with pytest.raises(NotFittedError):
        Est().predict(X)
    model = Est().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 feature"):
        model.predict(np.ones((4, 3)))
    with pytest.raises(ValueError, match="X must be finite"):
        model.predict_proba(Xnan)


def test_bad_parameters_of_objective():
    X, y = _spirals()
    with pytest.raises(ValueError, match="W must have shape \\(3, 2\\)"):
        SoftmaxRegression().objective(np.zeros((2, 2)), np.zeros(2), X, y)
    with pytest.raises(ValueError, match="b must have shape \\(3,\\)"):
        SoftmaxRegression().objective(np.zeros((3, 2)), np.zeros(2), X, y)
    Xb, yb = _moons()
    with pytest.raises(ValueError, match="w must have shape \\(2,\\)"):
        LogisticRegression().objective(np.zeros(3), 0.0, Xb, yb)
    with pytest.raises(ValueError, match="b must be a scalar"):
        LogisticRegression().objective(np.zeros(2), [0.0, 1.0], Xb, yb)
    with pytest.raises(ValueError, match="C must be > 0"):
        LogisticRegression(C=0).objective(np.zeros(2), 0.0, Xb, yb)


def test_softmax_newton_refuses_large_models():
    X = np.random.default_rng(0).standard_normal((50, 200))
    y = np.arange(50) % 5
    with pytest.raises(ValueError, match="solver='newton'.*use solver='lbfgs'"):
        SoftmaxRegression(solver="newton").fit(X, y)
