"""ece544core.mixture against scikit-learn (same initial weights, means and precisions), SciPy's
Gaussian densities, direct (non-log) formulas, EM's monotone likelihood, and bad inputs."""
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from ece544core._history import History
from ece544core._validation import NotFittedError
from ece544core.base import clone
from ece544core.datasets import make_blobs
from ece544core.mixture import (GaussianMixture, gaussian_ml_fit, gmm_e_step, gmm_m_step,
                                log_gaussian_pdf)

COV_TYPES = ["full", "diag", "spherical"]


# ------------------------------------------------------------------------------ data
def _data():
    """Three correlated 3-D clusters."""
    rng = np.random.default_rng(0)
    parts = [rng.standard_normal((120, 3)) @ rng.standard_normal((3, 3))
             + 4 * rng.standard_normal(3) for _ in range(3)]
    return np.vstack(parts)


def _inits(X, cov_type, K=3):
    """weights_init, means_init, precisions_init of the given type."""
    rng = np.random.default_rng(1)
    d = X.shape[1]
    weights = np.array([0.2, 0.3, 0.5])[:K] / np.array([0.2, 0.3, 0.5])[:K].sum()
    means = X[rng.choice(len(X), K, replace=False)]
    if cov_type == "full":
        A = rng.standard_normal((K, d, d))
        prec = A @ np.swapaxes(A, 1, 2) + d * np.eye(d)
    elif cov_type == "diag":
        prec = rng.uniform(0.2, 2.0, size=(K, d))
    else:
        prec = rng.uniform(0.2, 2.0, size=K)
    return weights, means, prec


def _pair(X, cov_type, max_iter, tol=0.0, **extra):
    w, m, p = _inits(X, cov_type)
    kw = dict(n_components=3, covariance_type=cov_type, weights_init=w, means_init=m,
              precisions_init=p, max_iter=max_iter, tol=tol, **extra)
    ours = GaussianMixture(**kw).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning for a small max_iter
        ref = SkGaussianMixture(**kw).fit(X)
    return ours, ref


def _densities(X, weights, means, covariances, cov_type):
    """pi_k N(x^(i) | mu_k, Sigma_k) directly with SciPy (no logs): (n, K)."""
    d = X.shape[1]
    out = []
    for k in range(len(weights)):
        S = {"full": lambda c: c, "diag": np.diag,
             "spherical": lambda c: c * np.eye(d)}[cov_type](covariances[k])
        out.append(weights[k] * multivariate_normal(means[k], S).pdf(X))
    return np.column_stack(out)


# ------------------------------------------------------------------------------ vs scikit-learn
@pytest.mark.parametrize("cov_type", COV_TYPES)
@pytest.mark.parametrize("max_iter", [1, 2, 5, 25])
def test_em_matches_sklearn(cov_type, max_iter):
    X = _data()
    ours, ref = _pair(X, cov_type, max_iter)
    assert ours.n_iter_ == ref.n_iter_ == max_iter
    np.testing.assert_allclose(ours.weights_, ref.weights_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.means_, ref.means_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.covariances_, ref.covariances_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.precisions_cholesky_, ref.precisions_cholesky_, atol=1e-6)
    np.testing.assert_allclose(ours.precisions_, ref.precisions_, atol=1e-6)
    assert ours.lower_bound_ == pytest.approx(ref.lower_bound_, abs=1e-6)
    np.testing.assert_allclose(ours.history_["lower_bound"], ref.lower_bounds_, atol=1e-6)


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_stopping_rule_and_predictions_match_sklearn(cov_type):
    X = _data()
    ours, ref = _pair(X, cov_type, max_iter=200, tol=1e-4)
    assert ours.converged_ and ref.converged_ and ours.n_iter_ == ref.n_iter_ < 200
    Xnew = np.random.default_rng(2).standard_normal((40, 3)) * 4
    np.testing.assert_allclose(ours.score_samples(Xnew), ref.score_samples(Xnew), rtol=1e-8)
    np.testing.assert_allclose(ours.predict_proba(Xnew), ref.predict_proba(Xnew), atol=1e-8)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    assert ours.score(X) == pytest.approx(ref.score(X), rel=1e-10)
    assert ours.bic(X) == pytest.approx(ref.bic(X), rel=1e-10)
    assert ours.aic(X) == pytest.approx(ref.aic(X), rel=1e-10)


def test_partial_inits_override_the_initial_m_step():
    """means_init alone: weights and covariances come from the one-hot init responsibilities."""
    X = _data()
    _, m, _ = _inits(X, "full")
    for init_params in ("random_from_data", "kmeans", "k-means++", "random"):
        gm = GaussianMixture(3, init_params=init_params, means_init=m, max_iter=1,
                             random_state=0).fit(X)
        assert gm.n_iter_ == 1 and np.all(np.isfinite(gm.covariances_))


# ------------------------------------------------------------------------------ step functions
def test_gaussian_ml_fit_is_mean_and_biased_covariance():
    X = _data()
    mean, cov = gaussian_ml_fit(X)
    np.testing.assert_allclose(mean, np.mean(X, axis=0), rtol=1e-14)
    np.testing.assert_allclose(cov, np.cov(X.T, bias=True), rtol=1e-12)
    x = X[:, 0]
    mu, var = gaussian_ml_fit(x)
    assert isinstance(mu, float) and isinstance(var, float)
    assert mu == pytest.approx(np.mean(x)) and var == pytest.approx(np.var(x), rel=1e-12)
    with pytest.raises(ValueError, match="X must be 1-D"):
        gaussian_ml_fit(np.zeros((2, 2, 2)))


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_log_gaussian_pdf_matches_scipy(cov_type):
    X = _data()
    _, means, prec = _inits(X, cov_type)
    cov = np.linalg.inv(prec) if cov_type == "full" else 1.0 / prec
    ours = log_gaussian_pdf(X, means, cov, cov_type)
    d = X.shape[1]
    as_matrix = {"full": lambda c: c, "diag": np.diag,
                 "spherical": lambda c: c * np.eye(d)}[cov_type]
    full = [as_matrix(c) for c in cov]
    ref = np.column_stack([multivariate_normal(means[k], full[k]).logpdf(X) for k in range(3)])
    np.testing.assert_allclose(ours, ref, rtol=1e-10)


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_e_step_equals_direct_computation(cov_type):
    X = _data()
    w, means, prec = _inits(X, cov_type)
    cov = np.linalg.inv(prec) if cov_type == "full" else 1.0 / prec
    log_resp, ll = gmm_e_step(X, w, means, cov, cov_type)
    P = _densities(X, w, means, cov, cov_type)  # tame data: no underflow
    np.testing.assert_allclose(np.exp(log_resp).sum(axis=1), 1.0, rtol=1e-13)
    np.testing.assert_allclose(np.exp(log_resp), P / P.sum(axis=1, keepdims=True), atol=1e-12)
    assert ll == pytest.approx(np.log(P.sum(axis=1)).sum(), rel=1e-12)


def test_e_step_is_safe_far_from_every_component():
    """exp(log N) underflows to 0 for all k at x = 1000: the log domain still gives r_i."""
    X = np.array([[1000.0, 0.0], [0.0, 0.0], [-1000.0, 5.0]])
    w, means = np.array([0.5, 0.5]), np.array([[-1.0, 0.0], [1.0, 0.0]])
    cov = np.stack([np.eye(2), np.eye(2)])
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        log_resp, ll = gmm_e_step(X, w, means, cov)
    R = np.exp(log_resp)
    np.testing.assert_allclose(R.sum(axis=1), 1.0)
    assert R[0, 1] == pytest.approx(1.0) and R[2, 0] == pytest.approx(1.0)
    assert R[1] == pytest.approx([0.5, 0.5]) and np.isfinite(ll)


def test_e_step_zero_weight_component_is_never_responsible():
    X = _data()
    w, means, prec = _inits(X, "diag")
    w = np.array([0.0, 0.4, 0.6])
    log_resp, ll = gmm_e_step(X, w, means, 1.0 / prec, "diag")
    assert np.all(np.exp(log_resp[:, 0]) == 0) and np.isfinite(ll)


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_m_step_equals_weighted_ml_formulas(cov_type):
    X = _data()
    rng = np.random.default_rng(3)
    R = rng.random((len(X), 3))
    R /= R.sum(axis=1, keepdims=True)
    w, m, c = gmm_m_step(X, R, cov_type, reg_covar=1e-3)
    nk = R.sum(axis=0)
    np.testing.assert_allclose(w, nk / len(X), rtol=1e-12)
    np.testing.assert_allclose(m, R.T @ X / nk[:, None], rtol=1e-12)
    full = np.stack([np.cov(X.T, aweights=R[:, k], bias=True) for k in range(3)])
    full += 1e-3 * np.eye(3)
    expected = {"full": full, "diag": np.diagonal(full, axis1=1, axis2=2),
                "spherical": np.diagonal(full, axis1=1, axis2=2).mean(axis=1)}[cov_type]
    np.testing.assert_allclose(c, expected, rtol=1e-10)


def test_m_step_with_one_hot_resp_is_the_ml_fit_of_each_cluster():
    X = _data()
    labels = np.repeat([0, 1, 2], 120)
    w, m, c = gmm_m_step(X, np.eye(3)[labels], "full", reg_covar=0.0)
    for k in range(3):
        mean, cov = gaussian_ml_fit(X[labels == k])
        np.testing.assert_allclose(m[k], mean, rtol=1e-12)
        np.testing.assert_allclose(c[k], cov, rtol=1e-10)
    np.testing.assert_allclose(w, 1 / 3)


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_empty_component_never_gives_nan(cov_type):
    X = _data()
    R = np.zeros((len(X), 3))
    R[:, 0] = 0.3
    R[:, 1] = 0.7  # component 2 has no responsibility at all
    w, m, c = gmm_m_step(X, R, cov_type, reg_covar=1e-6)
    assert np.all(np.isfinite(w)) and np.all(np.isfinite(m)) and np.all(np.isfinite(c))
    assert w[2] < 1e-15
    np.testing.assert_allclose(np.reshape(c[2], -1)[0], 1e-6)
    gmm_e_step(X, w, m, c, cov_type)  # the result is a usable model


# ------------------------------------------------------------------------------ invariants
@st.composite
def _problems(draw):
    n = draw(st.integers(12, 80))
    d = draw(st.integers(1, 3))
    K = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((3, d)) * draw(st.sampled_from([0.5, 3.0]))
    X = centres[rng.integers(0, 3, size=n)] + rng.standard_normal((n, d))
    return X, K, seed, draw(st.sampled_from(COV_TYPES))


def _spread_start(X, K, cov_type, seed):
    """A random non-degenerate start: K data points as means, random weights, and every
    covariance equal to the data's."""
    rng = np.random.default_rng(seed)
    n, d = X.shape
    cov = np.atleast_2d(np.cov(X.T, bias=True))
    prec = {"full": lambda: np.broadcast_to(np.linalg.inv(cov), (K, d, d)),
            "diag": lambda: np.broadcast_to(1.0 / np.diag(cov), (K, d)),
            "spherical": lambda: np.full(K, d / np.trace(cov))}[cov_type]()
    return dict(weights_init=rng.dirichlet(np.ones(K)), precisions_init=prec,
                means_init=X[rng.choice(n, K, replace=False)])


def _smallest_variance(gm):
    c = gm.covariances_
    return np.linalg.eigvalsh(c).min() if gm.covariance_type == "full" else c.min()


@settings(max_examples=30, deadline=None)
@given(_problems())
def test_em_log_likelihood_never_falls(problem):
    """Exact EM (reg_covar = 0) from random starts: L never falls (up to rounding). Runs where a
    component collapses onto too few points (singular Sigma_k) are not EM any more: skipped."""
    X, K, seed, cov_type = problem
    gm = GaussianMixture(K, covariance_type=cov_type, max_iter=40, tol=0, reg_covar=0.0,
                         **_spread_start(X, K, cov_type, seed))
    try:
        gm.fit(X)
    except ValueError as exc:
        assert "reg_covar" in str(exc)
        assume(False)
    assume(_smallest_variance(gm) > 1e-6)
    ll = gm.history_["log_likelihood"]
    assert ll.shape == (gm.n_iter_,) and np.all(np.isfinite(ll))
    assert np.all(np.diff(ll) >= -1e-12 * (1 + np.abs(ll[1:])))
    final = gm.score(X) * len(X)  # the parameters after the last M-step are better still
    assert final >= ll[-1] - 1e-12 * (1 + abs(ll[-1]))


@settings(max_examples=25, deadline=None)
@given(_problems(), st.sampled_from(["random", "random_from_data", "k-means++", "kmeans"]))
def test_em_with_the_reg_covar_floor_is_monotone_up_to_the_floor(problem, init_params):
    """With reg_covar > 0 the M-step is not the exact maximiser; L can dip by a tiny amount
    (seen: ~1e-7 relative for a component squeezed to variance ~1e-2), never by more, while
    no component sits on the floor itself. A component collapsed onto the floor (smallest
    variance ~ reg_covar) can dip more (Hypothesis found 4e-5 relative with 61 points, K = 4):
    such runs only have to stay finite."""
    X, K, seed, cov_type = problem
    gm = GaussianMixture(K, covariance_type=cov_type, init_params=init_params, max_iter=40,
                         tol=0, random_state=seed).fit(X)
    ll = gm.history_["log_likelihood"]
    assert np.all(np.isfinite(ll)) and np.all(np.isfinite(gm.covariances_))
    assume(_smallest_variance(gm) > 100 * gm.reg_covar)
    assert np.all(np.diff(ll) >= -1e-5 * (1 + np.abs(ll[1:])))
    assert gm.weights_.sum() == pytest.approx(1.0)


def test_history_and_attributes():
    X = _data()
    gm = GaussianMixture(3, max_iter=100, tol=1e-6, random_state=0).fit(X)
    assert gm.converged_ and gm.n_iter_ == len(gm.history_["log_likelihood"])
    assert isinstance(gm.history_, History) and gm.history_.n_records == gm.n_iter_
    np.testing.assert_array_equal(gm.history_["iteration"], np.arange(1, gm.n_iter_ + 1))
    np.testing.assert_array_equal(gm.history_["objective"], gm.history_["log_likelihood"])
    assert gm.lower_bound_ == gm.history_["lower_bound"][-1]
    np.testing.assert_allclose(gm.history_["log_likelihood"], gm.history_["lower_bound"] * len(X))
    np.testing.assert_allclose(gm.precisions_ @ gm.covariances_, np.broadcast_to(np.eye(3),
                                                                               (3, 3, 3)),
                               atol=1e-10)
    P = gm.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_array_equal(gm.predict(X), P.argmax(axis=1))
    assert gm.score(X) == pytest.approx(np.mean(gm.score_samples(X)))
    np.testing.assert_array_equal(GaussianMixture(3, max_iter=100, tol=1e-6, random_state=0)
                                  .fit_predict(X), gm.predict(X))
    assert clone(gm).get_params() == gm.get_params()


@pytest.mark.parametrize("init_params", ["kmeans", "k-means++", "random", "random_from_data"])
def test_recovers_well_separated_blobs(init_params):
    X, y = make_blobs(n_samples=300, centers=3, cluster_std=0.8, random_state=5)
    # tol=1e-6: from "random" (every mean near the data mean) the first steps are tiny
    gm = GaussianMixture(3, init_params=init_params, n_init=3, tol=1e-6,
                         random_state=0).fit(X)
    labels = gm.predict(X)
    purity = sum(np.bincount(labels[y == c]).max() for c in range(3)) / len(y)
    assert purity > 0.98 and len(np.unique(labels)) == 3


def test_n_init_keeps_the_highest_lower_bound():
    X = _data()
    one = GaussianMixture(3, init_params="random", n_init=1, random_state=4).fit(X)
    many = GaussianMixture(3, init_params="random", n_init=4, random_state=4).fit(X)
    assert many.lower_bound_ >= one.lower_bound_


# ------------------------------------------------------------------------------ bad inputs
@pytest.mark.parametrize("kwargs, match", [
    (dict(reg_covar=-1e-3), r"reg_covar must be >= 0"),
    (dict(n_components=400), r"n_components must be <= n_samples = 360"),
    (dict(n_components=0), r"n_components must be >= 1"),
    (dict(covariance_type="tied"), r"covariance_type must be one of"),
    (dict(init_params="kmeans++"), r"init_params must be one of"),
    (dict(tol=-1.0), r"tol must be >= 0"),
    (dict(max_iter=0), r"max_iter must be >= 1"),
    (dict(n_init=0), r"n_init must be >= 1"),
    (dict(means_init=np.zeros((2, 3))), r"means_init must have shape \(n_components, "
                                        r"n_features\) = \(3, 3\); got shape \(2, 3\)"),
    (dict(means_init=np.zeros((3, 2))), r"means_init must have shape"),
    (dict(weights_init=[0.5, 0.5]), r"weights_init must have shape \(n_components,\) = \(3,\)"),
    (dict(weights_init=[0.5, 0.5, 0.5]), r"weights_init must be non-negative and sum to 1"),
    (dict(weights_init=[1.5, -0.5, 0.0]), r"weights_init must be non-negative"),
    (dict(precisions_init=np.ones((3, 3))), r"precisions_init for covariance_type='full' must "
                                            r"have shape \(3, 3, 3\)"),
    (dict(precisions_init=-np.broadcast_to(np.eye(3), (3, 3, 3))),
     r"precisions_init must be positive definite; component\(s\) \[0, 1, 2\]"),
    (dict(covariance_type="diag", precisions_init=np.ones(3)),
     r"precisions_init for covariance_type='diag' must have shape \(3, 3\)"),
    (dict(covariance_type="spherical", precisions_init=[1.0, 0.0, 1.0]),
     r"precisions_init must be positive definite; component\(s\) \[1\]"),
    (dict(precisions_init=np.arange(27.0).reshape(3, 3, 3)), r"precisions_init must be "
                                                              r"symmetric"),
])
def test_fit_bad_inputs_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(**{"n_components": 3, **kwargs}).fit(_data())


def test_nan_and_shape_errors():
    X = _data()
    X[5, 1] = np.nan
    with pytest.raises(ValueError, match=r"X must be finite.*\(5, 1\)"):
        GaussianMixture(2).fit(X)
    with pytest.raises(ValueError, match=r"X must be a 2-D array"):
        GaussianMixture(2).fit(np.ones(10))
    X = _data()
    w, m, p = _inits(X, "full")
    cov = np.linalg.inv(p)
    with pytest.raises(ValueError, match=r"covariances for covariance_type='full' must have "
                                         r"shape \(3, 3, 3\)"):
        gmm_e_step(X, w, m, cov[:, :2, :2])
    with pytest.raises(ValueError, match=r"weights must be non-negative and sum to 1"):
        gmm_e_step(X, w * 2, m, cov)
    with pytest.raises(ValueError, match=r"means must have shape \(n_components, n_features\)"):
        log_gaussian_pdf(X, m[:, :2], cov)
    with pytest.raises(ValueError, match=r"covariances must be positive definite; "
                                         r"component\(s\) \[1\].*reg_covar"):
        bad = cov.copy()
        bad[1] = -np.eye(3)
        log_gaussian_pdf(X, m, bad)
    with pytest.raises(ValueError, match=r"resp must have one row per sample"):
        gmm_m_step(X, np.ones((10, 3)) / 3)
    with pytest.raises(ValueError, match=r"resp must be non-negative"):
        gmm_m_step(X, -np.ones((len(X), 3)))
    with pytest.raises(ValueError, match=r"reg_covar must be >= 0"):
        gmm_m_step(X, np.ones((len(X), 3)) / 3, reg_covar=-1.0)
    with pytest.raises(ValueError, match=r"covariance_type must be one of"):
        gmm_m_step(X, np.ones((len(X), 3)) / 3, covariance_type="tied")
    with pytest.raises(NotFittedError):
        GaussianMixture(2).predict(X)
    gm = GaussianMixture(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match=r"X has 2 feature\(s\) but the estimator was fitted"):
        gm.score_samples(X[:, :2])


def test_collapse_without_reg_covar_is_a_named_error():
    """reg_covar = 0 and a component that owns a single point: Sigma_k = 0 is not invertible."""
    rng = np.random.default_rng(0)
    X = np.vstack([[[0.0, 0.0]], rng.standard_normal((30, 2)) + 20.0])
    gm = GaussianMixture(2, reg_covar=0.0, means_init=[[0.0, 0.0], [20.0, 20.0]],
                         precisions_init=np.stack([1e4 * np.eye(2), np.eye(2)]),
                         weights_init=[0.5, 0.5], max_iter=5)
    with pytest.raises(ValueError, match=r"covariances must be positive definite; "
                                         r"component\(s\) \[0\].*increase reg_covar"):
        gm.fit(X)
    gm.set_params(reg_covar=1e-6).fit(X)  # the floor keeps it alive
    assert np.all(np.isfinite(gm.covariances_))
