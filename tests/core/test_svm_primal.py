"""SVC(solver="primal"): the notes' linear SVM solved in the primal, against SMO (our dual
solver) and sklearn.svm.SVC(kernel="linear", C=1/C), plus the KKT and optimality invariants."""
import numpy as np
import pytest
from sklearn.svm import SVC as SkSVC

from ece544core.datasets import make_blobs, make_moons
from ece544core.svm import SVC


def _d20():
    rng = np.random.default_rng(20)
    X = rng.standard_normal((300, 20))
    y = np.where(X @ rng.standard_normal(20) + rng.standard_normal(300) > 0.2, "pos", "neg")
    return X, y


def _data(name):
    if name == "blobs":  # overlapping
        return make_blobs(n_samples=120, centers=2, cluster_std=2.5, random_state=4)
    if name == "moons":  # overlapping, not linearly separable
        return make_moons(n_samples=200, noise=0.3, random_state=2)
    if name == "separable":
        return make_blobs(n_samples=80, centers=2, cluster_std=0.6, random_state=0)
    return _d20()


# (data, C): C = 30 on blobs leaves no alpha strictly inside (0, 1) (b from an interval)
CASES = [("blobs", 1.0), ("blobs", 30.0), ("moons", 0.3), ("moons", 30.0), ("d20", 1.0),
         ("d20", 10.0), ("separable", 0.1)]


def _signed(y, classes):
    return np.where(y == classes[1], 1.0, -1.0)


def _hinge_J(w, b, X, ys, C):
    return 0.5 * C * w @ w + np.maximum(0.0, 1.0 - ys * (X @ w + b)).sum()


def _fit_three(name, C):
    X, y = _data(name)
    primal = SVC(C=C, kernel="linear", solver="primal").fit(X, y)
    smo = SVC(C=C, kernel="linear", tol=1e-10).fit(X, y)
    ref = SkSVC(C=1.0 / C, kernel="linear", tol=1e-10).fit(X, y)
    return X, y, primal, smo, ref


# ------------------------------------------------------------------------------ references
@pytest.mark.parametrize("name,C", CASES)
def test_primal_equals_smo_and_sklearn(name, C):
    X, y, primal, smo, ref = _fit_three(name, C)
    assert primal.converged_ and smo.converged_
    np.testing.assert_array_equal(primal.classes_, ref.classes_)
    # the same hyperplane as scikit-learn (its tol) and as our SMO at tol 1e-10
    np.testing.assert_allclose(primal.coef_, ref.coef_, rtol=0, atol=1e-5)
    np.testing.assert_allclose(primal.intercept_, ref.intercept_, rtol=0, atol=1e-5)
    np.testing.assert_allclose(primal.coef_, smo.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(primal.intercept_, smo.intercept_, rtol=0, atol=1e-8)
    # the same support set and dual coefficients (scikit-learn's y alpha_sk = y alpha / C)
    assert set(primal.support_) == set(smo.support_) == set(ref.support_)
    ref_coef = dict(zip(ref.support_, ref.dual_coef_[0]))
    np.testing.assert_allclose(primal.dual_coef_[0], [ref_coef[i] for i in primal.support_],
                               rtol=0, atol=1e-5 / C)
    np.testing.assert_allclose(primal.alpha_, smo.alpha_, rtol=0, atol=1e-7)
    # both views: J(w, b) == g(alpha) at the optimum, and the same values as SMO's
    P, D = primal.primal_objective_, primal.dual_objective_
    assert abs(P - D) <= 1e-7 * abs(P)
    assert abs(P - smo.primal_objective_) <= 1e-7 * abs(P)
    assert abs(D - smo.dual_objective_) <= 1e-7 * abs(D)
    np.testing.assert_array_equal(primal.predict(X), ref.predict(X))


@pytest.mark.parametrize("name,C", CASES[:5])
def test_objectives_computed_independently(name, C):
    """primal_objective_ is the hinge objective of (coef_, intercept_); dual_objective_ is the
    notes' g(alpha) with the Gram matrix X X^T."""
    X, y = _data(name)
    m = SVC(C=C, kernel="linear", solver="primal").fit(X, y)
    ys = _signed(y, m.classes_)
    J = _hinge_J(m.coef_[0], m.intercept_[0], X, ys, C)
    ay = m.alpha_ * ys
    g = m.alpha_.sum() - ay @ (X @ X.T) @ ay / (2.0 * C)
    assert m.primal_objective_ == pytest.approx(J, rel=1e-12)
    assert m.dual_objective_ == pytest.approx(g, rel=1e-10)
    assert J == pytest.approx(g, rel=1e-9)
    np.testing.assert_allclose(m.decision_function(X), X @ m.coef_[0] + m.intercept_[0],
                               atol=1e-10)


def test_smo_primal_objective_with_a_kernel():
    """SMO's primal_objective_ is J = 1/(2C) (alpha y)^T K (alpha y) + sum hinge(y f(x)) (K from
    scikit-learn), and meets g(alpha) as tol -> 0."""
    from sklearn.metrics.pairwise import rbf_kernel

    X, y = _data("moons")
    m = SVC(C=0.5, kernel="rbf", gamma=2.0, tol=1e-10).fit(X, y)
    ys = _signed(y, m.classes_)
    ay = m.alpha_ * ys
    J = ay @ rbf_kernel(X, gamma=2.0) @ ay / (2 * 0.5) + np.maximum(
        0.0, 1.0 - ys * m.decision_function(X)).sum()
    assert m.primal_objective_ == pytest.approx(J, rel=1e-10)
    assert m.primal_objective_ == pytest.approx(m.dual_objective_, rel=1e-8)


@pytest.mark.parametrize("name,C", CASES)
def test_alpha_recovered_by_kkt(name, C):
    """alpha = 1 where y f(x) < 1, 0 where y f(x) > 1, in [0, 1] on the margin; sum alpha y = 0
    and w = (1/C) sum alpha y x."""
    X, y = _data(name)
    m = SVC(C=C, kernel="linear", solver="primal").fit(X, y)
    ys = _signed(y, m.classes_)
    margin = ys * m.decision_function(X)
    a = m.alpha_
    assert np.all((a >= 0) & (a <= 1))
    assert np.all(a[margin < 1 - 1e-8] == 1.0) and np.all(a[margin > 1 + 1e-8] == 0.0)
    free = (a > 0) & (a < 1)
    np.testing.assert_allclose(margin[free], 1.0, atol=1e-8)
    assert abs(a @ ys) <= 1e-9
    np.testing.assert_allclose(m.coef_[0], X.T @ (a * ys) / C, atol=1e-10)
    np.testing.assert_array_equal(m.support_, np.flatnonzero(a > 0))
    np.testing.assert_array_equal(m.support_vectors_, X[m.support_])


@pytest.mark.parametrize("name,C", [("moons", 0.3), ("d20", 1.0)])
def test_no_perturbation_lowers_the_objective(name, C, rng):
    X, y = _data(name)
    m = SVC(C=C, kernel="linear", solver="primal").fit(X, y)
    ys = _signed(y, m.classes_)
    w, b = m.coef_[0], m.intercept_[0]
    J = _hinge_J(w, b, X, ys, C)
    for scale in (1e-2, 1e-4, 1e-6):
        for _ in range(50):
            dw, db = rng.standard_normal(w.size) * scale, rng.standard_normal() * scale
            assert _hinge_J(w + dw, b + db, X, ys, C) >= J - 1e-12 * J


def test_history_records_the_path():
    X, y = _data("moons")
    m = SVC(C=1.0, kernel="linear", solver="primal").fit(X, y)
    h = {k: np.asarray(v) for k, v in m.history_.items()}
    assert set(h) == {"iteration", "eps", "objective", "primal_objective",
                      "smoothed_objective", "gap"}
    np.testing.assert_array_equal(h["objective"], h["primal_objective"])  # J is minimised
    assert all(v.shape == (m.n_iter_ + 1,) for v in h.values())
    np.testing.assert_array_equal(h["iteration"], np.arange(m.n_iter_ + 1))
    # the last record is the certified exact (eps = 0) solve
    assert h["eps"][-1] == 0.0 and h["primal_objective"][-1] == pytest.approx(
        m.primal_objective_, rel=1e-12)
    assert 0 <= h["gap"][-1] <= 1e-10 * m.primal_objective_
    assert np.all(np.isnan(h["gap"][h["eps"] != 0]))  # a certificate only for exact solves
    # Newton iterates: J <= J_eps <= J + n eps ln 2, and J approaches the optimum
    newton = h["eps"] > 0
    J, Je, eps = h["primal_objective"][newton], h["smoothed_objective"][newton], h["eps"][newton]
    assert np.all(J <= Je + 1e-12 * Je)
    assert np.all(Je <= J + len(y) * eps * np.log(2) + 1e-12 * Je)
    assert np.all(J >= m.primal_objective_ * (1 - 1e-12))
    assert np.all(np.diff(eps) <= 0)  # the temperature only goes down


def test_intercept_without_free_alphas_matches_sklearn():
    """No 0 < alpha < 1: b is the middle of the KKT interval (LIBSVM's rule), for both
    solvers, and (w, b) then attains g(alpha)."""
    X, y, primal, smo, ref = _fit_three("blobs", 30.0)
    for m in (primal, smo):
        assert not np.any((m.alpha_ > 0) & (m.alpha_ < 1))
        np.testing.assert_allclose(m.intercept_, ref.intercept_, atol=1e-6)
        assert m.primal_objective_ == pytest.approx(m.dual_objective_, rel=1e-12)
        ys = _signed(y, m.classes_)
        margin = ys * m.decision_function(X)
        assert np.all(margin[m.alpha_ == 1] <= 1 + 1e-12)
        assert np.all(margin[m.alpha_ == 0] >= 1 - 1e-12)


def test_zero_weight_optimum_by_hand(rng):
    """5 positives among 45 negatives, all from one Gaussian: w = 0, b = -1 is optimal
    (every negative on the margin, each positive pays 1 - (-1) = 2), so J = 10."""
    X = rng.standard_normal((50, 2))
    y = np.r_[np.zeros(45), np.ones(5)]
    m = SVC(C=1.0, kernel="linear", solver="primal").fit(X, y)
    assert m.converged_
    np.testing.assert_allclose(m.coef_, 0.0, atol=1e-10)
    assert m.intercept_[0] == pytest.approx(-1.0, abs=1e-10)
    assert m.primal_objective_ == pytest.approx(10.0, rel=1e-12)
    assert m.dual_objective_ == pytest.approx(10.0, rel=1e-10)


def test_duplicated_points():
    """Every sample twice: the dual solution is not unique, the optimum still is."""
    X, y = _data("moons")
    X2, y2 = np.vstack([X, X]), np.r_[y, y]
    one = SVC(C=1.0, kernel="linear", solver="primal").fit(X, y)
    two = SVC(C=2.0, kernel="linear", solver="primal").fit(X2, y2)  # J2(w, b) = 2 J(w, b)
    assert two.converged_
    np.testing.assert_allclose(two.coef_, one.coef_, atol=1e-8)
    np.testing.assert_allclose(two.intercept_, one.intercept_, atol=1e-8)
    assert two.primal_objective_ == pytest.approx(2 * one.primal_objective_, rel=1e-10)


# ------------------------------------------------------------------------------ API, errors
def test_default_solver_is_smo():
    X, y = _data("blobs")
    m = SVC(C=1.0, kernel="linear")
    assert m.solver == "smo" and m.get_params()["solver"] == "smo"
    m.fit(X, y)
    assert set(m.history_) == {"iteration", "objective", "dual_objective", "primal_objective",
                               "gap", "kkt_violation"}
    assert m.solver_ == "smo"


def test_max_iter_warns():
    X, y = _data("moons")
    with pytest.warns(RuntimeWarning, match="no active-set solve was certified"):
        m = SVC(C=1.0, kernel="linear", solver="primal", max_iter=1).fit(X, y)
    assert not m.converged_
    a = m.alpha_
    assert np.all((a >= 0) & (a <= 1))


@pytest.mark.parametrize("params,X,y,match", [
    ({"solver": "qp"}, None, None, "solver must be one of"),
    ({"solver": "primal", "kernel": "rbf"}, None, None, "solver='primal' needs kernel='linear'"),
    ({"solver": "primal", "kernel": lambda A, B=None: A @ (A if B is None else B).T}, None,
     None, "solver='primal' needs kernel='linear'"),
    ({"solver": "primal", "hard_margin": True}, None, None, "hard_margin=True"),
    ({"solver": "primal", "C": 0.0}, None, None, "C must be > 0"),
    ({"solver": "primal", "C": float("nan")}, None, None, "C must be a real number"),
    ({"solver": "primal", "C": float("inf")}, None, None, "C must be a finite"),
    ({"solver": "primal", "kernel": "nope"}, None, None, "kernel must be"),
    ({"solver": "primal"}, [[0.0, np.nan], [1.0, 1.0]], [0, 1], "X"),
    ({"solver": "primal"}, [[0.0, 0.0], [1.0, 1.0]], [1, 1], "exactly two classes"),
])
def test_bad_inputs_are_named(params, X, y, match):
    if X is None:
        X, y = _data("blobs")
    with pytest.raises(ValueError, match=match):
        SVC(**{"kernel": "linear", **params}).fit(X, y)


@pytest.mark.parametrize("std, expected", [(0.6, "smo"), (4.0, "primal")])
def test_auto_solver_falls_back_to_the_primal_on_hard_problems(std, expected):
    """solver="auto": SMO when it converges within 10 n steps (easy, separated blobs), else
    the primal solver (heavily overlapping classes at small C); the same optimum either way."""
    X, y = make_blobs(n_samples=150, centers=2, cluster_std=std, random_state=2)
    C = 0.01
    auto = SVC(C=C, kernel="linear", solver="auto", tol=1e-8).fit(X, y)
    assert auto.solver_ == expected and auto.converged_
    ref = SkSVC(C=1.0 / C, kernel="linear", tol=1e-10).fit(X, y)
    s = np.where(y == 1, 1.0, -1.0)

    def J(w, b):
        return 0.5 * C * w @ w + np.maximum(0.0, 1.0 - s * (X @ w + b)).sum()

    J_ref = J(ref.coef_[0], ref.intercept_[0])  # LIBSVM, even at tol 1e-10, is not lower
    assert J(auto.coef_[0], auto.intercept_[0]) <= J_ref + 1e-9 * J_ref
    assert auto.primal_objective_ == pytest.approx(auto.dual_objective_, rel=1e-6)
    assert SVC(kernel="rbf", solver="auto").fit(X, y).solver_ == "smo"   # primal: linear only
