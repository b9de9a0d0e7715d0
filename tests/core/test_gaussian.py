"""ece544core.gaussian.full_covariances: every parameterisation as (K, d, d) matrices, by hand
and through the density (the same log N whichever shape describes Sigma_k); bad inputs."""
import numpy as np
import pytest
from scipy.stats import multivariate_normal

from ece544core.gaussian import full_covariances, log_gaussian_pdf


def _params(cov_type, K=3, d=4, seed=0):
    rng = np.random.default_rng(seed)
    if cov_type == "full":
        A = rng.standard_normal((K, d, d))
        return A @ np.swapaxes(A, 1, 2) + 0.5 * np.eye(d)
    if cov_type == "diag":
        return rng.uniform(0.3, 3.0, size=(K, d))
    return rng.uniform(0.3, 3.0, size=K)


def test_by_hand():
    diag = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(full_covariances(diag, "diag"),
                                  [[[1, 0], [0, 2]], [[3, 0], [0, 4]]])
    np.testing.assert_array_equal(full_covariances([2.0, 0.5], "spherical", n_features=3),
                                  [2.0 * np.eye(3), 0.5 * np.eye(3)])
    S = _params("full")
    out = full_covariances(S, "full")
    np.testing.assert_array_equal(out, S)
    assert out is not S


@pytest.mark.parametrize("cov_type", ["full", "diag", "spherical"])
def test_same_density_as_the_native_shape_and_scipy(cov_type):
    rng = np.random.default_rng(4)
    X, means = rng.standard_normal((50, 4)), rng.standard_normal((3, 4))
    C = _params(cov_type)
    full = full_covariances(C, cov_type, n_features=4)
    assert full.shape == (3, 4, 4)
    np.testing.assert_allclose(full, np.swapaxes(full, 1, 2))
    np.testing.assert_allclose(log_gaussian_pdf(X, means, full, "full"),
                               log_gaussian_pdf(X, means, C, cov_type), rtol=1e-12)
    ref = np.column_stack([multivariate_normal(means[k], full[k]).logpdf(X) for k in range(3)])
    np.testing.assert_allclose(log_gaussian_pdf(X, means, full, "full"), ref, rtol=1e-10)


def test_bad_inputs_name_the_argument():
    with pytest.raises(ValueError, match="n_features"):
        full_covariances([1.0, 2.0], "spherical")
    with pytest.raises(ValueError, match="covariance_type must be one of"):
        full_covariances([1.0, 2.0], "tied")
    with pytest.raises(ValueError, match=r"covariances for covariance_type='diag' must have "
                                         r"shape \(2, 3\)"):
        full_covariances(np.ones((2, 2)), "diag", n_features=3)
    with pytest.raises(ValueError, match="symmetric"):
        full_covariances(np.array([[[1.0, 2.0], [0.0, 1.0]]]), "full")
    with pytest.raises(ValueError, match="finite"):
        full_covariances([np.nan], "spherical", n_features=2)
