"""ece544core.linear_model against scikit-learn and SciPy, the MLE view, and bad inputs."""
import numpy as np
import pytest
from scipy.stats import norm
from sklearn.linear_model import LinearRegression as SkLinearRegression
from sklearn.linear_model import Ridge as SkRidge
from sklearn.metrics import mean_squared_error as sk_mse
from sklearn.preprocessing import PolynomialFeatures as SkPolynomialFeatures

from ece544core._validation import NotFittedError
from ece544core.datasets import make_regression_1d
from ece544core.linear_model import (GaussianNoiseMLE, LinearRegression, PolynomialFeatures,
                                     PolynomialRegression, Ridge, gaussian_log_likelihood,
                                     gaussian_noise_mle, mean_squared_error,
                                     polynomial_design_matrix, ridge_normal_matrix)

TOL = dict(rtol=0, atol=1e-8)


def _data(n=200, d=5, t=None, offset=0.0, seed=0):
    """Well-conditioned Gaussian design (optionally far from the origin) and noisy targets."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) + offset
    shape = (d,) if t is None else (d, t)
    y = X @ rng.standard_normal(shape) + 0.1 * rng.standard_normal((n,) if t is None else (n, t))
    return X, y + 2.5


def _assert_same_fit(ours, ref, X):
    assert ours.coef_.shape == np.shape(ref.coef_)
    np.testing.assert_allclose(ours.coef_, ref.coef_, **TOL)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, **TOL)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), **TOL)


# ------------------------------------------------------------------------------ vs sklearn
@pytest.mark.parametrize("t", [None, 3])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("offset", [0.0, 50.0])
def test_linear_regression_matches_sklearn(t, fit_intercept, offset):
    X, y = _data(t=t, offset=offset)
    ours = LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    ref = SkLinearRegression(fit_intercept=fit_intercept).fit(X, y)
    _assert_same_fit(ours, ref, X)
    assert np.isclose(ours.score(X, y), ref.score(X, y), atol=1e-12)
    assert ours.rank_ == 5
    if t is None:
        assert isinstance(ours.intercept_, float)


@pytest.mark.parametrize("C", [1e-3, 0.5, 10.0, 1e3])
@pytest.mark.parametrize("t", [None, 2])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_matches_sklearn(C, t, fit_intercept):
    X, y = _data(t=t, seed=1)
    ours = Ridge(C=C, fit_intercept=fit_intercept).fit(X, y)
    ref = SkRidge(alpha=C, fit_intercept=fit_intercept, solver="cholesky").fit(X, y)
    _assert_same_fit(ours, ref, X)


def test_ridge_large_offset_and_many_blocks(monkeypatch):
    from ece544core import linear_model
    monkeypatch.setattr(linear_model, "_BLOCK_ROWS", 64)  # exercise the block loop
    X, y = _data(n=1000, d=8, offset=1000.0, seed=2)
    ours = Ridge(C=2.0).fit(X, y)
    ref = SkRidge(alpha=2.0, solver="svd").fit(X, y)
    _assert_same_fit(ours, ref, X)


def test_ridge_is_the_notes_closed_form():
    """w* = (X X^T + C I)^{-1} X Y with the notes' d x n data matrix (no intercept)."""
    X, y = _data(n=50, d=4, seed=3)
    Xn = X.T  # (d, n), one column per sample as in the notes
    w_notes = np.linalg.solve(Xn @ Xn.T + 0.7 * np.eye(4), Xn @ y)
    np.testing.assert_allclose(Ridge(C=0.7, fit_intercept=False).fit(X, y).coef_, w_notes,
                               rtol=1e-12)
    # gradient of sum (y - Xw - b)^2 + C ||w||^2 vanishes at the fitted (w, b)
    m = Ridge(C=0.7).fit(X, y)
    r = y - m.predict(X)
    np.testing.assert_allclose(-2 * X.T @ r + 2 * 0.7 * m.coef_, 0, atol=1e-9)
    assert abs(r.sum()) < 1e-9


def test_ridge_tends_to_least_squares_and_shrinks():
    X, y = _data(seed=4)
    ols = LinearRegression().fit(X, y)
    np.testing.assert_allclose(Ridge(C=1e-10).fit(X, y).coef_, ols.coef_, atol=1e-9)
    norms = [np.linalg.norm(Ridge(C=C).fit(X, y).coef_) for C in (0.1, 10, 1000)]
    assert norms[0] > norms[1] > norms[2]


@pytest.mark.parametrize("degree, include_bias", [(0, True)] + [
    (deg, bias) for deg in (1, 2, 3, 4) for bias in (True, False)])
@pytest.mark.parametrize("d", [1, 3])
def test_polynomial_features_match_sklearn(degree, include_bias, d):
    X = np.random.default_rng(5).standard_normal((10, d))
    ours = PolynomialFeatures(degree=degree, include_bias=include_bias).fit(X)
    ref = SkPolynomialFeatures(degree=degree, include_bias=include_bias).fit(X)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-14, atol=1e-14)
    assert np.array_equal(ours.powers_, ref.powers_)
    assert ours.n_output_features_ == ref.n_output_features_
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())


def test_polynomial_features_1d_input_is_a_column():
    x = np.linspace(0, 1, 7)
    Phi = PolynomialFeatures(degree=3).fit_transform(x)
    np.testing.assert_allclose(Phi, np.vander(x, 4, increasing=True), rtol=1e-14)
    assert list(PolynomialFeatures(3).fit(x).get_feature_names_out(["x"])) == \
        ["1", "x", "x^2", "x^3"]


def test_polynomial_regression_pipeline_matches_sklearn():
    x, y = make_regression_1d(n_samples=30, noise=0.1, random_state=0)
    Phi = PolynomialFeatures(degree=5, include_bias=False).fit_transform(x)
    ours = Ridge(C=1e-3).fit(Phi, y)
    ref = SkRidge(alpha=1e-3).fit(SkPolynomialFeatures(5, include_bias=False).fit_transform(
        x[:, None]), y)
    _assert_same_fit(ours, ref, Phi)


# ------------------------------------------------------------------------------ MLE view
def _fitted_1d():
    x, y = make_regression_1d(n_samples=40, noise=0.3, function="linear", random_state=1)
    X = x[:, None]
    model = LinearRegression().fit(X, y)
    return X, y, model


def test_gaussian_noise_mle_matches_scipy():
    X, y, model = _fitted_1d()
    y_hat = model.predict(X)
    mle = gaussian_noise_mle(y, y_hat)
    assert isinstance(mle, GaussianNoiseMLE)
    rss = np.sum((y - y_hat) ** 2)
    assert np.isclose(mle.sigma2, rss / len(y), rtol=1e-14)
    assert np.isclose(mle.rss, rss) and mle.n_samples == 40
    sd = np.sqrt(mle.sigma2)
    np.testing.assert_allclose(mle.densities, norm.pdf(y, y_hat, sd), rtol=1e-12)
    assert np.isclose(mle.log_likelihood, norm.logpdf(y, y_hat, sd).sum(), rtol=1e-12)
    # the joint density of i.i.d. samples is the product of the individual densities
    assert np.isclose(np.exp(mle.log_likelihood), np.prod(mle.densities), rtol=1e-9)
    n = len(y)
    assert np.isclose(mle.log_likelihood,
                      -n / 2 * np.log(2 * np.pi * mle.sigma2) - n / 2, rtol=1e-12)
    assert np.isclose(gaussian_log_likelihood(y, y_hat, 0.5),
                      norm.logpdf(y, y_hat, np.sqrt(0.5)).sum(), rtol=1e-12)


def test_least_squares_maximises_the_likelihood():
    X, y, model = _fitted_1d()
    best = gaussian_noise_mle(y, model.predict(X))
    rng = np.random.default_rng(0)
    for _ in range(20):
        dw, db = 0.05 * rng.standard_normal(2)
        y_pert = X[:, 0] * (model.coef_[0] + dw) + model.intercept_ + db
        assert gaussian_noise_mle(y, y_pert).log_likelihood < best.log_likelihood
        assert gaussian_log_likelihood(y, y_pert, best.sigma2) < best.log_likelihood
    # and sigma2 = RSS/n maximises over the noise variance
    for s in (0.8, 0.95, 1.05, 1.25):
        assert gaussian_log_likelihood(y, model.predict(X), s * best.sigma2) < \
            best.log_likelihood


def test_perfect_fit_has_unbounded_likelihood():
    mle = gaussian_noise_mle([1.0, 2.0], [1.0, 2.0])
    assert mle.sigma2 == 0 and mle.log_likelihood == np.inf and np.all(np.isinf(mle.densities))


def test_mle_result_is_frozen():
    mle = gaussian_noise_mle([1.0, 2.0, 4.0], [1.5, 2.0, 3.0])
    with pytest.raises(AttributeError):
        mle.sigma2 = 1.0


def test_mean_squared_error_matches_sklearn():
    rng = np.random.default_rng(6)
    y, p = rng.standard_normal(30), rng.standard_normal(30)
    assert np.isclose(mean_squared_error(y, p), sk_mse(y, p), rtol=1e-14)
    Y, P = rng.standard_normal((30, 3)), rng.standard_normal((30, 3))
    assert np.isclose(mean_squared_error(Y, P), sk_mse(Y, P), rtol=1e-14)


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("C, match", [(0, "C must be > 0; got 0"), (-1.0, "C must be > 0"),
                                      ("big", "C must be a real number"),
                                      (np.nan, "C must be a real number; got NaN")])
def test_ridge_bad_C(C, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        Ridge(C=C).fit(X, y)


@pytest.mark.parametrize("Model", [LinearRegression, Ridge])
def test_regressors_bad_data(Model):
    X, y = _data(n=10, d=2)
    Xnan = X.copy()
    Xnan[3, 1] = np.nan
    cases = [
        ((Xnan, y), "X must be finite.*NaN"),
        ((X, np.where(np.arange(10) == 2, np.inf, y)), "y must be finite"),
        ((X, y[:-1]), "X and y must have the same number of samples"),
        ((X[:, 0], y), "X must be a 2-D array.*reshape"),
        ((np.zeros((0, 2)), []), "X must have at least 1 sample"),
        ((X, np.zeros((10, 2, 2))), "y must be an array of shape"),
        ((X, ["a"] * 10), "y must contain real numbers"),
    ]
    for args, match in cases:
        with pytest.raises(ValueError, match=match):
            Model().fit(*args)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        Model().predict(X)
    model = Model().fit(X, y)
    with pytest.raises(ValueError, match=r"X has 3 feature\(s\) but the estimator was fitted "
                                         r"with 2"):
        model.predict(np.zeros((4, 3)))


@pytest.mark.parametrize("params, match", [
    (dict(degree=-1), "degree must be >= 0; got -1"),
    (dict(degree=1.5), "degree must be an integer"),
    (dict(degree=0, include_bias=False), "degree=0 with include_bias=False"),
])
def test_polynomial_bad_params(params, match):
    with pytest.raises(ValueError, match=match):
        PolynomialFeatures(**params).fit(np.zeros((3, 2)))


def test_polynomial_bad_transform():
    with pytest.raises(NotFittedError):
        PolynomialFeatures().transform(np.zeros((3, 2)))
    pf = PolynomialFeatures().fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"X has 3 feature\(s\)"):
        pf.transform(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="X must be finite"):
        pf.transform([[np.inf, 0.0]])
    with pytest.raises(ValueError, match="input_features must have 2 names"):
        pf.get_feature_names_out(["a"])


def test_mle_bad_inputs():
    with pytest.raises(ValueError, match="y and y_pred must have the same shape"):
        gaussian_noise_mle([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="y_pred must be finite"):
        gaussian_noise_mle([1.0, 2.0], [1.0, np.nan])
    with pytest.raises(ValueError, match="sigma2 must be > 0"):
        gaussian_log_likelihood([1.0], [1.0], 0.0)
    with pytest.raises(ValueError, match=r"y must be an array of shape \(n_samples,\)"):
        gaussian_noise_mle(np.zeros((2, 2)), np.zeros((2, 2)))


# ------------------------------------------------------------------------------ 1-D polynomials
@pytest.mark.parametrize("degree, C", [(0, 0.0), (1, 0.0), (3, 0.0), (5, 1e-3), (9, 0.3)])
def test_polynomial_regression_matches_sklearn_and_the_notes_equation(degree, C):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures as SkPoly
    rng = np.random.default_rng(degree)
    x = rng.uniform(-1.0, 1.0, 30)
    y = np.cos(3 * x) + 0.1 * rng.standard_normal(30)
    ours = PolynomialRegression(degree=degree, C=C).fit(x, y)
    xt = np.linspace(-1, 1, 17)
    if degree:
        ref = make_pipeline(SkPoly(degree, include_bias=False),
                            SkRidge(alpha=C) if C > 0 else SkLinearRegression()).fit(x[:, None], y)
        np.testing.assert_allclose(ours.predict(xt), ref.predict(xt[:, None]), atol=1e-8)
        np.testing.assert_allclose(ours.coef_[1:], ref[-1].coef_, atol=1e-7)
    else:
        np.testing.assert_allclose(ours.predict(xt), np.full(17, y.mean()))
    Phi = np.column_stack([x ** j for j in range(degree + 1)])
    np.testing.assert_allclose(polynomial_design_matrix(x, degree), Phi, rtol=1e-14)
    penalty = np.diag([0.0] + [C] * degree)
    np.testing.assert_allclose(ours.normal_matrix_, Phi.T @ Phi + penalty, rtol=1e-13)
    # the notes: (X X^T + C I~) w = X Y, X = Phi^T (d x N)
    np.testing.assert_allclose(ours.normal_matrix_ @ ours.coef_, Phi.T @ y, rtol=1e-7,
                               atol=1e-9)


def test_polynomial_regression_bad_input():
    with pytest.raises(ValueError, match="degree"):
        PolynomialRegression(degree=-1).fit([0.0, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="C"):
        PolynomialRegression(C=-1.0).fit([0.0, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="x"):
        PolynomialRegression().fit([[0.0, 1.0], [1.0, 2.0]], [0.0, 1.0])
    with pytest.raises(ValueError, match="C"):
        ridge_normal_matrix(np.ones((3, 2)), -1.0)
