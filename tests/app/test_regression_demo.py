"""RegressionDemo through its parameters: fit, residuals, error curve, formula numbers, MLE."""
from __future__ import annotations

import numpy as np
import pytest
from bokeh.events import Tap
from scipy import stats
from sklearn.linear_model import LinearRegression as SkLinear
from sklearn.linear_model import Ridge as SkRidge
from sklearn.preprocessing import PolynomialFeatures as SkPoly

from ece544lab.demos.regression import MAX_DEGREE


def sklearn_fit(x, y, degree, C):
    """Independent reference: polynomial features then least squares / ridge (alpha = C)."""
    phi = SkPoly(degree, include_bias=False).fit(x[:, None]) if degree else None
    feats = (lambda v: phi.transform(v[:, None])) if degree else (lambda v: np.zeros((len(v), 1)))
    model = (SkRidge(alpha=C) if C > 0 else SkLinear()).fit(feats(x), y)
    return lambda v: model.predict(feats(v)), model


def test_default_view(regression):
    assert regression.error == ""
    assert len(regression.points_source.data["x"]) == 20
    assert len(regression.curve_source.data["x"]) > 50
    assert len(regression.error_source.data["degree"]) == MAX_DEGREE + 1
    names = {s.name for s in (regression.points_source, regression.curve_source,
                              regression.residual_source, regression.error_source)}
    assert names == {"reg-points", "reg-curve", "reg-residuals", "reg-error-curve"}


def test_degree_change_changes_the_curve(regression):
    before = np.array(regression.curve_source.data["y"])
    regression.degree = 9
    after = np.array(regression.curve_source.data["y"])
    assert not np.allclose(before, after)
    assert regression.degree_span.location == 9


@pytest.mark.parametrize("degree,ridge,log10_C", [(0, False, -3), (3, False, -3),
                                                  (9, True, -4), (15, True, 0.5)])
def test_fit_and_residuals_match_sklearn(regression, degree, ridge, log10_C):
    regression.param.update(degree=degree, ridge=ridge, log10_C=log10_C)
    x, y = regression.result.x, regression.result.y
    C = 10.0 ** log10_C if ridge else 0.0
    assert regression.C == C
    predict, model = sklearn_fit(x, y, degree, C)
    yhat = predict(x)
    res = regression.residual_source.data
    np.testing.assert_array_equal(res["x0"], x)
    np.testing.assert_array_equal(res["y0"], y)
    np.testing.assert_array_equal(res["x1"], x)
    tol = 1e-6 if (ridge or degree < 9) else 1e-3       # LS at high degree is ill-conditioned
    np.testing.assert_allclose(res["y1"], yhat, atol=tol)
    xc = np.asarray(regression.curve_source.data["x"])
    np.testing.assert_allclose(regression.curve_source.data["y"], predict(xc),
                               atol=tol * 100)
    if ridge or degree < 9:
        np.testing.assert_allclose(regression.result.fit.coef_[0], model.intercept_, atol=1e-6)
        np.testing.assert_allclose(regression.result.fit.coef_[1:], np.ravel(model.coef_)[:degree],
                                   atol=1e-6)


def test_condition_number_is_of_the_normal_equations(regression):
    regression.param.update(degree=5, ridge=True, log10_C=-2)
    X = np.vander(regression.result.x, 6, increasing=True).T        # (d + 1, N): columns phi(x^(i))
    A = X @ X.T + np.diag([0.0] + [1e-2] * 5)                # the bias is not penalised
    assert regression.result.stats["cond"][1] == pytest.approx(np.linalg.cond(A), rel=1e-6)
    cond_ridge = regression.result.stats["cond"][1]
    regression.ridge = False
    assert regression.result.stats["cond"][1] > cond_ridge            # ridge improves conditioning


def test_mle_numbers_equal_scipy(regression):
    regression.param.update(degree=4, n_samples=12)
    y, yhat = regression.result.y, np.asarray(regression.residual_source.data["y1"])
    sigma2 = np.mean((y - yhat) ** 2)
    dens = stats.norm.pdf(y, loc=yhat, scale=np.sqrt(sigma2))
    loglik = stats.norm.logpdf(y, loc=yhat, scale=np.sqrt(sigma2)).sum()
    assert regression.result.stats["sigma2"][1] == pytest.approx(sigma2, rel=1e-12)
    assert regression.result.stats["log_likelihood"][1] == pytest.approx(loglik, rel=1e-10)
    np.testing.assert_allclose(regression.density_source.data["density"], dens, rtol=1e-10)
    # "joint = product of individual densities": both numbers are shown and agree
    text = regression._mle_text.object
    product = float(text.split("data-stat='product_density'>")[1].split("<")[0])
    from_log = float(text.split("data-stat='exp_loglik'>")[1].split("<")[0])
    assert product == pytest.approx(np.prod(dens), rel=1e-5)
    assert from_log == pytest.approx(np.exp(loglik), rel=1e-5)
    # bells are drawn at a few points: 3 lines each (bell, its axis, the density tick)
    assert len(regression.bell_source.data["xs"]) % 3 == 0 and regression.bell_source.data["xs"]


def test_error_curve_matches_sklearn_and_marks_the_degree(regression):
    regression.param.update(ridge=True, log10_C=-3, degree=6)
    err = regression.error_source.data
    for d in (0, 2, 6, 12):
        predict, _ = sklearn_fit(regression.result.x, regression.result.y, d, 1e-3)
        assert err["train_mse"][d] == pytest.approx(np.mean((regression.result.y - predict(regression.result.x))
                                                            ** 2), rel=1e-6)
        assert err["test_mse"][d] == pytest.approx(
            np.mean((regression.result.y_test - predict(regression.result.x_test)) ** 2), rel=1e-6)
    assert regression.result.stats["train_mse"][1] == err["train_mse"][6]
    before = np.array(err["test_mse"])
    regression.log10_C = 1.0
    assert not np.allclose(regression.error_source.data["test_mse"], before)


def test_tap_adds_a_point_and_changes_the_fit(regression):
    n = len(regression.points_source.data["x"])
    sigma2 = regression.result.stats["sigma2"][1]
    regression.fig._trigger_event(Tap(model=regression.fig, x=0.5, y=3.0))
    data = regression.points_source.data
    assert len(data["x"]) == n + 1 and (data["x"][-1], data["y"][-1]) == (0.5, 3.0)
    assert data["clicked"][-1] and not data["clicked"][0]
    assert regression.result.stats["sigma2"][1] > sigma2           # an outlier raises the noise variance
    regression.reset_points()
    assert len(regression.points_source.data["x"]) == n


def test_data_parameters_regenerate(regression):
    x0 = np.array(regression.points_source.data["x"])
    regression.param.update(function="cubic", seed=5, n_samples=30, noise=0.05)
    assert regression.error == ""
    assert len(regression.points_source.data["x"]) == 30
    assert not np.allclose(regression.points_source.data["x"][:20], x0)
