"""ece544core.em: EM's lower bound F(q, theta) (by hand with SciPy's densities, equal to l after
an E-step, below it otherwise by exactly the KL divergence, raised by the M-step) and the
textbook start theta_0; bad inputs."""
import numpy as np
import pytest
from scipy.special import rel_entr
from scipy.stats import multivariate_normal

from ece544core.em import (gmm_e_step, gmm_initial_parameters, gmm_lower_bound, gmm_m_step)
from ece544core.gaussian import full_covariances

COV_TYPES = ["full", "diag", "spherical"]


def _data():
    rng = np.random.default_rng(8)
    return np.vstack([rng.standard_normal((60, 2)) @ rng.standard_normal((2, 2)) + c
                      for c in ([0, 0], [5, 1], [-2, 6])])


def _theta(X, cov_type, seed=2):
    w, m, c = gmm_initial_parameters(X, 3, cov_type, random_state=seed)
    q = np.random.default_rng(seed).dirichlet(np.ones(3), size=len(X))
    return gmm_m_step(X, q, cov_type, reg_covar=1e-3)   # a theta that is not the start


def _joint(X, w, m, c, cov_type):
    """log pi_k + log N(x_i | mu_k, Sigma_k) with SciPy: (n, K)."""
    S = full_covariances(c, cov_type, n_features=X.shape[1])
    return np.column_stack([np.log(w[k]) + multivariate_normal(m[k], S[k]).logpdf(X)
                            for k in range(len(w))])


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_bound_by_hand_and_its_gap_is_the_kl_divergence(cov_type):
    X = _data()
    w, m, c = _theta(X, cov_type)
    q = np.random.default_rng(11).dirichlet(np.full(3, 0.7), size=len(X))
    q[:5] = np.eye(3)[[0, 1, 2, 0, 1]]              # zeros in q: 0 log 0 = 0
    J = _joint(X, w, m, c, cov_type)
    by_hand = np.sum(q * J) - np.sum(rel_entr(q, 1.0))  # sum q log(p/q), rel_entr(q,1) = q log q
    F = gmm_lower_bound(X, q, w, m, c, cov_type)
    assert F == pytest.approx(by_hand, rel=1e-10)
    log_resp, ll = gmm_e_step(X, w, m, c, cov_type)
    kl = np.sum(rel_entr(q, np.exp(log_resp)))
    assert F < ll and ll - F == pytest.approx(kl, rel=1e-8)


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_bound_equals_the_log_likelihood_after_an_e_step(cov_type):
    X = _data()
    w, m, c = _theta(X, cov_type)
    log_resp, ll = gmm_e_step(X, w, m, c, cov_type)
    assert gmm_lower_bound(X, np.exp(log_resp), w, m, c, cov_type) == pytest.approx(ll,
                                                                                    rel=1e-12)


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_m_step_raises_the_bound_and_em_is_a_majorize_minimize_chain(cov_type):
    """l(theta_1) >= F(q_0, theta_1) >= F(q_0, theta_0) = l(theta_0), with reg_covar = 0."""
    X = _data()
    w, m, c = gmm_initial_parameters(X, 3, cov_type, reg_covar=0.0, random_state=0)
    for _ in range(5):
        log_resp, ll0 = gmm_e_step(X, w, m, c, cov_type)
        q = np.exp(log_resp)
        w, m, c = gmm_m_step(X, q, cov_type, reg_covar=0.0)
        F1 = gmm_lower_bound(X, q, w, m, c, cov_type)
        _, ll1 = gmm_e_step(X, w, m, c, cov_type)
        assert ll1 >= F1 - 1e-9 * abs(ll0) and F1 >= ll0 - 1e-9 * abs(ll0)


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_initial_parameters_by_hand(cov_type):
    X = _data()
    w, m, c = gmm_initial_parameters(X, 4, cov_type, reg_covar=0.01, random_state=7)
    np.testing.assert_array_equal(w, np.full(4, 0.25))
    rows = np.random.default_rng(7).choice(len(X), size=4, replace=False)
    np.testing.assert_array_equal(m, X[rows])
    var = np.trace(np.cov(X.T, bias=True)) / (2 * 4) + 0.01
    S = full_covariances(c, cov_type, n_features=2)
    np.testing.assert_allclose(S, np.broadcast_to(var * np.eye(2), (4, 2, 2)), rtol=1e-12)
    assert c.shape == {"full": (4, 2, 2), "diag": (4, 2), "spherical": (4,)}[cov_type]


def test_bad_inputs_name_the_argument():
    X = _data()
    w, m, c = _theta(X, "full")
    q = np.full((len(X), 3), 1 / 3)
    with pytest.raises(ValueError, match="n_components must be <= n_samples = 3"):
        gmm_initial_parameters(X[:3], 4)
    with pytest.raises(ValueError, match="reg_covar"):
        gmm_initial_parameters(X, 2, reg_covar=-1.0)
    with pytest.raises(ValueError, match="resp must have rows summing to 1"):
        gmm_lower_bound(X, 2 * q, w, m, c)
    with pytest.raises(ValueError, match=r"resp must have one row per sample.*\(180, 3\)"):
        gmm_lower_bound(X, q[:, :2], w, m, c)
    with pytest.raises(ValueError, match="resp must be non-negative"):
        gmm_lower_bound(X, q - 0.5, w, m, c)
    with pytest.raises(ValueError, match="weights must be non-negative and sum to 1"):
        gmm_lower_bound(X, q, 2 * w, m, c)
