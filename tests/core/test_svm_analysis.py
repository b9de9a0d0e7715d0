"""ece544core.svm_analysis: margins, slacks, alpha sets and the KKT table of a fitted SVC,
against scikit-learn's SVC (its w, b and dual coefficients) and a hand-made KKT example."""
import numpy as np
import pytest
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.svm import SVC as SkSVC

from ece544core.datasets import make_toy
from ece544core.svm import HARD_MARGIN_BOUND, SVC
from ece544core.svm_analysis import analyse_svm, kkt_table


@pytest.mark.parametrize("name, C", [("overlap", 0.3), ("moons", 2.0), ("blobs", 1.0)])
def test_linear_margin_objectives_and_slack_match_sklearn(name, C):
    X, y = make_toy(name, 90, 0.15, random_state=3)
    ours = SVC(C=C, kernel="linear", tol=1e-8).fit(X, y)
    ref = SkSVC(C=1 / C, kernel="linear", tol=1e-10).fit(X, y)
    r = analyse_svm(ours, X, y, tol=1e-6)
    w, b = ref.coef_[0], ref.intercept_[0]
    s = np.where(y == 1, 1.0, -1.0)
    xi = np.maximum(0.0, 1.0 - s * (X @ w + b))
    assert r.w_norm == pytest.approx(np.linalg.norm(w), rel=1e-5)
    assert r.margin == pytest.approx(2 / np.linalg.norm(w), rel=1e-5)
    J = C / 2 * w @ w + xi.sum()  # the notes' primal at scikit-learn's solution
    assert r.primal == pytest.approx(J, rel=1e-6) and r.dual == pytest.approx(J, rel=1e-6)
    np.testing.assert_allclose(r.xi, xi, atol=1e-5)
    # one tolerance: every point with xi > tol is a bounded SV, and here the two sets coincide
    assert np.array_equal(r.slack, r.bounded)
    assert r.n_kkt_violations == 0 and abs(r.sum_alpha_y) < 1e-10
    assert np.array_equal(r.misclassified, s * ref.decision_function(X) < 0)


def test_w_norm_for_a_kernel_is_the_dual_quadratic_form():
    X, y = make_toy("circles", 80, 0.1, random_state=1)
    C = 0.5
    ours = SVC(C=C, kernel="rbf", gamma=2.0, tol=1e-8).fit(X, y)
    ref = SkSVC(C=1 / C, kernel="rbf", gamma=2.0, tol=1e-10).fit(X, y)
    dc = ref.dual_coef_[0]  # y alpha / C
    K = rbf_kernel(ref.support_vectors_, gamma=2.0)
    r = analyse_svm(ours, X, y, tol=1e-6)
    assert r.w_norm ** 2 == pytest.approx(dc @ K @ dc, rel=1e-5)
    assert r.dual == pytest.approx(C * np.abs(dc).sum() - C / 2 * dc @ K @ dc, rel=1e-6)


def test_kkt_table_by_hand():
    alpha = np.array([0.0, 0.0, 0.4, 0.7, 1.0, 1.0])
    yf = np.array([1.5, 0.9, 1.0, 1.2, 0.2, 1.05])
    zero, free, bounded = kkt_table(alpha, yf, upper=1.0, tol=0.01)
    assert (zero.count, zero.violations, zero.worst) == (2, 1, pytest.approx(0.1))
    assert (free.count, free.violations, free.worst) == (2, 1, pytest.approx(0.2))
    assert (bounded.count, bounded.violations, bounded.worst) == (2, 1, pytest.approx(0.05))
    assert (zero.yf_min, zero.yf_max) == (0.9, 1.5) and bounded.set == "α = 1"
    hard = kkt_table(alpha, yf, upper=HARD_MARGIN_BOUND, tol=0.01)
    assert hard[1].set == "α > 0" and hard[1].count == 4 and hard[2].count == 0
    assert hard[2].yf_min is None


def test_hard_margin_has_no_slack():
    X, y = make_toy("blobs", 60, 0.0, random_state=2)
    m = SVC(kernel="linear", hard_margin=True, tol=1e-8).fit(X, y)
    r = analyse_svm(m, X, y, upper=HARD_MARGIN_BOUND, tol=1e-6)
    assert not r.slack.any() and not r.bounded.any() and r.free.sum() == m.support_.size
    assert np.all(r.yf >= 1 - 1e-6)


def test_bad_inputs():
    X, y = make_toy("blobs", 30, 0.1, random_state=0)
    m = SVC(kernel="linear").fit(X, y)
    with pytest.raises(ValueError, match="training data"):
        analyse_svm(m, X[:10], y[:10])
    with pytest.raises(ValueError, match="tol must be >= 0"):
        analyse_svm(m, X, y, tol=-1.0)
