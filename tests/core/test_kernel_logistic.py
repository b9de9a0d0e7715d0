"""KernelLogisticRegression (the notes' logistic dual) against logistic.LogisticRegression,
scikit-learn's LogisticRegression(C=1/C) (linear and on an explicit polynomial feature map) and
an independent SciPy minimisation of the representer-form primal (rbf), plus the dual's
optimality conditions."""
import warnings

import numpy as np
import pytest
from scipy.optimize import minimize as sp_minimize
from scipy.special import expit, log_expit
from sklearn.linear_model import LogisticRegression as SkLR
from sklearn.metrics.pairwise import polynomial_kernel, rbf_kernel

from ece544core import kernels as kn
from ece544core._validation import NotFittedError
from ece544core.datasets import make_blobs, make_circles, make_moons
from ece544core.kernel_logistic import KernelLogisticRegression as KLR
from ece544core.logistic import LogisticRegression


def _d20():
    rng = np.random.default_rng(21)
    X = rng.standard_normal((250, 20))
    return X, (X @ rng.standard_normal(20) + 2.0 * rng.standard_normal(250) > 0).astype(int)


def _data(name):
    if name == "blobs":
        X, y = make_blobs(n_samples=120, centers=2, cluster_std=2.5, random_state=4)
        return X, np.where(y == 1, "b", "a")
    if name == "moons":
        return make_moons(n_samples=150, noise=0.25, random_state=5)
    if name == "circles":
        return make_circles(n_samples=150, noise=0.1, factor=0.5, random_state=6)
    return _d20()


def _signed(y, classes):
    return np.where(y == classes[1], 1.0, -1.0)


def _sk_lr(C, X, y):
    """scikit-learn's lbfgs does not penalise the intercept (liblinear would)."""
    return SkLR(C=1.0 / C, tol=1e-12, max_iter=10000).fit(X, y)


# ------------------------------------------------------------------------------ linear kernel
@pytest.mark.parametrize("name,C", [("blobs", 1.0), ("moons", 0.1), ("moons", 10.0),
                                    ("d20", 1.0), ("d20", 30.0)])
def test_linear_kernel_is_logistic_regression(name, C):
    X, y = _data(name)
    k = KLR(C=C, kernel="linear").fit(X, y)
    ours = LogisticRegression(C=C, tol=1e-12).fit(X, y)
    ref = _sk_lr(C, X, y)
    assert k.converged_
    np.testing.assert_array_equal(k.classes_, ref.classes_)
    np.testing.assert_allclose(k.coef_, ours.coef_, rtol=0, atol=1e-9)
    np.testing.assert_allclose(k.intercept_, ours.intercept_, rtol=0, atol=1e-9)
    np.testing.assert_allclose(k.coef_, ref.coef_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(k.intercept_, ref.intercept_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(k.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-7)
    np.testing.assert_array_equal(k.predict(X), ref.predict(X))
    # the primal objective is LogisticRegression's J at the same (w, b)
    J = ours.objective(k.coef_, k.intercept_, X, y)
    assert k.primal_objective_ == pytest.approx(J, rel=1e-10)


def test_intercept_is_not_penalised():
    """Translating X only moves b (by -w^T shift): true only with an unpenalised intercept."""
    X, y = _data("moons")
    shift = np.array([30.0, -50.0])
    a = KLR(C=1.0, kernel="linear").fit(X, y)
    b = KLR(C=1.0, kernel="linear").fit(X + shift, y)
    np.testing.assert_allclose(b.coef_, a.coef_, atol=1e-8)
    assert b.intercept_[0] == pytest.approx(a.intercept_[0] - a.coef_[0] @ shift, abs=1e-7)


# ------------------------------------------------------------------------------ other kernels
@pytest.mark.parametrize("name,C,degree,gamma,coef0", [("moons", 1.0, 3, 0.5, 1.0),
                                                       ("circles", 0.1, 2, 1.0, 1.0),
                                                       ("blobs", 3.0, 2, 0.2, 0.0)])
def test_poly_kernel_equals_explicit_feature_map(name, C, degree, gamma, coef0):
    """K(x, z) = (gamma x^T z + coef0)^p = phi(x)^T phi(z): the dual fit equals the primal
    logistic regression on phi(X) (ours and scikit-learn's)."""
    X, y = _data(name)
    k = KLR(C=C, kernel="poly", degree=degree, gamma=gamma, coef0=coef0).fit(X, y)
    Phi = kn.polynomial_feature_map(X, degree=degree, gamma=gamma, coef0=coef0)
    ours = LogisticRegression(C=C, tol=1e-12).fit(Phi, y)
    ref = _sk_lr(C, Phi, y)
    f = k.decision_function(X)
    np.testing.assert_allclose(f, ours.decision_function(Phi), rtol=0, atol=1e-8)
    np.testing.assert_allclose(f, ref.decision_function(Phi), rtol=0, atol=1e-5)
    np.testing.assert_allclose(k.intercept_, ours.intercept_, atol=1e-8)
    # w = (1/C) sum alpha y phi(x) is the primal solution
    w = Phi.T @ (k.alpha_ * _signed(y, k.classes_)) / C
    np.testing.assert_allclose(w, ours.coef_[0], atol=1e-8)


def _scipy_representer(K, ys, C):
    """min_{beta, b} C/2 beta^T K beta + sum_i ln(1 + exp(-y_i (K beta + b)_i)), written
    here independently (SciPy trust-exact with the exact Hessian); returns f = K beta + b."""
    n = len(ys)

    def parts(t):
        f = K @ t[:n] + t[n]
        return f, ys * f

    def fun(t):
        f, m = parts(t)
        return 0.5 * C * t[:n] @ K @ t[:n] - log_expit(m).sum()

    def jac(t):
        f, m = parts(t)
        r = -ys * expit(-m)
        return np.concatenate([C * K @ t[:n] + K @ r, [r.sum()]])

    def hess(t):
        f, m = parts(t)
        s = expit(m) * expit(-m)
        A = np.column_stack([K, np.ones(n)])
        H = (A.T * s) @ A
        H[:n, :n] += C * K
        return H + 1e-12 * np.eye(n + 1)  # K can be singular in beta

    res = sp_minimize(fun, np.zeros(n + 1), jac=jac, hess=hess, method="trust-exact",
                      options={"gtol": 1e-11, "maxiter": 500})
    return parts(res.x)[0]


@pytest.mark.parametrize("name,C,gamma", [("moons", 1.0, 1.0), ("circles", 0.1, 2.0),
                                          ("blobs", 10.0, 0.05)])
def test_rbf_matches_independent_scipy_fit(name, C, gamma):
    X, y = _data(name)
    k = KLR(C=C, kernel="rbf", gamma=gamma).fit(X, y)
    ys = _signed(y, k.classes_)
    K = rbf_kernel(X, gamma=gamma)  # scikit-learn's Gram matrix, not ours
    f_ref = _scipy_representer(K, ys, C)
    np.testing.assert_allclose(k.decision_function(X), f_ref, rtol=0, atol=1e-6)


# ------------------------------------------------------------------------------ dual optimality
@pytest.mark.parametrize("name,kernel,kw,C", [("moons", "rbf", {"gamma": 1.0}, 1.0),
                                              ("circles", "poly", {"degree": 2, "coef0": 1.0,
                                                                   "gamma": 1.0}, 0.3),
                                              ("d20", "linear", {}, 3.0),
                                              ("blobs", "rbf", {"gamma": 0.2}, 0.01)])
def test_dual_optimality(name, kernel, kw, C, rng):
    X, y = _data(name)
    k = KLR(C=C, kernel=kernel, **kw).fit(X, y)
    ys = _signed(y, k.classes_)
    K = (X @ X.T if kernel == "linear" else rbf_kernel(X, gamma=kw["gamma"])
         if kernel == "rbf" else polynomial_kernel(X, **kw))
    a, b = k.alpha_, k.intercept_[0]
    f = K @ (a * ys) / C + b  # the notes' prediction formula, computed here
    np.testing.assert_allclose(k.decision_function(X), f, atol=1e-9)
    np.testing.assert_allclose(k.dual_coef_[0], ys * a / C, rtol=1e-15)
    # stationarity ln((1 - alpha) / alpha) = y f(x), feasibility 0 < alpha < 1, sum alpha y = 0
    assert np.all((a > 0) & (a < 1))
    np.testing.assert_allclose(np.log1p(-a) - np.log(a), ys * f, atol=1e-8)
    np.testing.assert_allclose(a, expit(-ys * f), atol=1e-10)
    assert abs(a @ ys) <= 1e-10 and k.kkt_residual_ <= 1e-8
    # primal == dual, each computed here from its own formula
    Q = np.outer(ys, ys) * K / C
    g = -(a * np.log(a) + (1 - a) * np.log1p(-a)).sum() - 0.5 * a @ Q @ a
    J = 0.5 * a @ Q @ a - log_expit(ys * f).sum()  # C/2 ||w||^2 = alpha^T Q alpha / 2
    assert k.dual_objective_ == pytest.approx(g, rel=1e-10)
    assert k.primal_objective_ == pytest.approx(J, rel=1e-10)
    assert J == pytest.approx(g, rel=1e-9)
    # alpha maximises g over the feasible set: feasible moves (v orthogonal to y) only lower it
    for _ in range(20):
        v = rng.standard_normal(len(a))
        v -= (v @ ys) / len(a) * ys
        v *= 1e-3 * min(a.min(), (1 - a).min()) / np.abs(v).max()
        a2 = a + v
        g2 = -(a2 * np.log(a2) + (1 - a2) * np.log1p(-a2)).sum() - 0.5 * a2 @ Q @ a2
        assert g2 <= g + 1e-12 * abs(g)


def test_history_and_predictions():
    X, y = _data("moons")
    k = KLR(C=0.5, kernel="rbf", gamma=1.0).fit(X, y)
    h = {key: np.asarray(v) for key, v in k.history_.items()}
    assert all(v.shape == (k.n_iter_ + 1,) for v in h.values())
    assert np.all(np.diff(h["primal_objective"]) <= 1e-12 * h["primal_objective"][0])
    assert h["kkt_violation"][-1] <= k.tol < h["kkt_violation"][0]
    np.testing.assert_allclose(h["gap"], h["primal_objective"] - h["dual_objective"])
    assert h["primal_objective"][-1] == pytest.approx(h["dual_objective"][-1], rel=1e-10)
    P = k.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(P[:, 1], expit(k.decision_function(X)), rtol=1e-12)
    np.testing.assert_array_equal(k.predict(X), k.classes_[np.argmax(P, axis=1)])
    with pytest.raises(AttributeError, match="kernel='linear'"):
        k.coef_


def test_gamma_scale_resolved_on_training_data():
    X, y = _data("blobs")
    a = KLR(C=1.0, kernel="rbf").fit(X, y)
    b = KLR(C=1.0, kernel="rbf", gamma=1.0 / (X.shape[1] * X.var())).fit(X, y)
    np.testing.assert_allclose(a.decision_function(X[:7] * 2), b.decision_function(X[:7] * 2),
                               atol=1e-12)


# ------------------------------------------------------------------------------ errors
@pytest.mark.parametrize("params,X,y,match", [
    ({"C": 0.0}, None, None, "C must be > 0"),
    ({"C": -1.0}, None, None, "C must be > 0"),
    ({"C": float("nan")}, None, None, "C must be a real number"),
    ({"C": float("inf")}, None, None, "C must be a finite"),
    ({"kernel": "nope"}, None, None, "kernel must be"),
    ({"gamma": -1.0}, None, None, "gamma must be > 0"),
    ({"max_iter": 0}, None, None, "max_iter must be >= 1"),
    ({"tol": 0.0}, None, None, "tol must be > 0"),
    ({}, [[0.0, np.nan], [1.0, 1.0]], [0, 1], "X"),
    ({}, [[0.0, 0.0], [1.0, 1.0]], [1, 1], "exactly two classes"),
    ({}, [[0.0], [1.0], [2.0]], [0, 1, 2], "exactly two classes"),
    ({}, [[0.0], [1.0], [2.0]], [0, 1], "same number of samples"),
])
def test_bad_inputs_are_named(params, X, y, match):
    if X is None:
        X, y = _data("moons")
    with pytest.raises(ValueError, match=match):
        KLR(**params).fit(X, y)


def test_predict_checks_and_max_iter_warns():
    X, y = _data("moons")
    with pytest.raises(NotFittedError):
        KLR().predict(X)
    k = KLR(kernel="linear").fit(X, y)
    with pytest.raises(ValueError, match="fitted with 2"):
        k.predict(np.ones((3, 5)))
    with pytest.warns(RuntimeWarning, match="max_iter=1"):
        m = KLR(C=1.0, max_iter=1).fit(X, y)
    assert not m.converged_ and m.n_iter_ == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KLR(C=1.0).fit(X, y)


def test_non_psd_kernel_is_a_clear_error():
    X, y = make_moons(n_samples=80, noise=0.1, random_state=1)
    with pytest.raises(ValueError, match="positive semidefinite"):
        KLR(C=1.0, kernel=lambda A, B=None: -kn.rbf(A, B, gamma=1.0)).fit(X, y)
