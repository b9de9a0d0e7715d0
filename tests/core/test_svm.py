"""ece544core.svm (notes' parameterisation) against sklearn.svm.SVC with C_sk = 1 / C_notes."""
import warnings

import numpy as np
import pytest
from sklearn.svm import SVC as SkSVC

from ece544core import kernels as kn
from ece544core._validation import NotFittedError
from ece544core.datasets import make_blobs, make_circles, make_moons, make_xor
from ece544core.svm import SVC, dual_objective, smo_select, smo_step

TOL = 1e-8


def _data(name):
    if name == "blobs":
        X, y = make_blobs(n_samples=120, centers=2, cluster_std=2.5, random_state=4)
        return X, np.where(y == 1, "b", "a")
    if name == "moons":
        return make_moons(n_samples=150, noise=0.25, random_state=5)
    X, y = make_circles(n_samples=150, noise=0.1, factor=0.5, random_state=6)
    return X, y * 3 - 1  # labels -1 and 2


CASES = [("blobs", "linear", {}, 1.0), ("blobs", "rbf", {"gamma": 0.2}, 0.5),
         ("moons", "rbf", {"gamma": 1.0}, 0.1), ("moons", "poly",
                                                {"gamma": 0.5, "degree": 3, "coef0": 1.0}, 1.0),
         ("circles", "rbf", {}, 2.0), ("circles", "poly", {"degree": 2, "coef0": 1.0}, 0.3),
         ("moons", "linear", {}, 0.05)]


def _fit_both(data, kernel, kw, C):
    X, y = _data(data)
    ours = SVC(C=C, kernel=kernel, tol=TOL, **kw).fit(X, y)
    ref = SkSVC(C=1.0 / C, kernel=kernel, tol=TOL, **kw).fit(X, y)
    return X, y, ours, ref


def _signed(y, classes):
    return np.where(y == classes[1], 1.0, -1.0)


# ------------------------------------------------------------------------------ vs scikit-learn
@pytest.mark.parametrize("data,kernel,kw,C", CASES)
def test_matches_sklearn(data, kernel, kw, C):
    X, y, ours, ref = _fit_both(data, kernel, kw, C)
    assert ours.converged_
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    # same support set, same dual coefficients (scikit-learn's y_i alpha_sk_i = y_i alpha_i / C)
    assert set(ours.support_) == set(ref.support_)
    ref_coef = dict(zip(ref.support_, ref.dual_coef_[0]))
    np.testing.assert_allclose(ours.dual_coef_[0], [ref_coef[i] for i in ours.support_],
                               rtol=0, atol=1e-4 / C)
    np.testing.assert_array_equal(np.sort(ours.n_support_), np.sort(ref.n_support_))
    # dual objective: g_notes(alpha) = C_notes * g_sklearn(alpha_sk)
    ys = _signed(y, ours.classes_)
    K = kn.gram(ours._kfun, X)
    a_sk = np.zeros(len(y))
    a_sk[ref.support_] = np.abs(ref.dual_coef_[0])
    g_ref = C * (a_sk.sum() - 0.5 * (a_sk * ys) @ K @ (a_sk * ys))
    assert abs(ours.dual_objective_ - g_ref) <= 1e-6 * abs(g_ref)
    np.testing.assert_allclose(ours.alpha_, C * a_sk, atol=1e-4)
    # decision values (relative to their scale) and predictions
    f, f_ref = ours.decision_function(X), ref.decision_function(X)
    np.testing.assert_allclose(f, f_ref, rtol=0, atol=1e-5 * max(1.0, np.abs(f_ref).max()))
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    assert ours.score(X, y) == pytest.approx(ref.score(X, y))


def test_coef_linear_only():
    X, y, ours, ref = _fit_both("blobs", "linear", {}, 1.0)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.decision_function(X), X @ ours.coef_[0] + ours.intercept_[0],
                               atol=1e-10)
    with pytest.raises(AttributeError, match="kernel='linear'"):
        SVC(kernel="rbf").fit(X, y).coef_


# ------------------------------------------------------------------------------ invariants
@pytest.mark.parametrize("data,kernel,kw,C", CASES[:4])
def test_kkt_conditions_hold(data, kernel, kw, C):
    X, y = _data(data)
    m = SVC(C=C, kernel=kernel, tol=1e-6, **kw).fit(X, y)
    ys, a = _signed(y, m.classes_), m.alpha_
    assert np.all((a >= 0) & (a <= 1))
    assert abs(a @ ys) < 1e-10
    margin = ys * m.decision_function(X)  # y_i f(x_i)
    eps = 1e-5 * max(1.0, np.abs(margin).max())
    assert np.all(margin[a == 0] >= 1 - eps)  # outside the margin
    assert np.all(margin[a == 1] <= 1 + eps)  # on or inside the margin (xi > 0)
    free = (a > 0) & (a < 1)
    np.testing.assert_allclose(margin[free], 1.0, atol=eps)  # exactly on the margin


def test_history_dual_increases_and_gap_shrinks():
    X, y = _data("moons")
    m = SVC(C=0.5, kernel="rbf", gamma=1.0, tol=1e-6).fit(X, y)
    g = np.array(m.history_["dual_objective"])
    assert np.all(np.diff(g) >= -1e-12)
    assert m.history_["kkt_violation"][-1] <= 1e-6 < m.history_["kkt_violation"][0]
    assert m.history_["iteration"][-1] == m.n_iter_
    assert g[-1] == pytest.approx(m.dual_objective_)


def test_smo_step_public_loop_matches_fit():
    X, y = _data("blobs")
    C = 1.0
    m = SVC(C=C, kernel="rbf", gamma=0.2, tol=1e-6).fit(X, y)
    ys = _signed(y, m.classes_)
    Q = np.outer(ys, ys) * kn.gram(kn.get_kernel("rbf", gamma=0.2), X) / C
    alpha, grad = np.zeros(len(y)), -np.ones(len(y))
    for _ in range(10000):
        step = smo_step(alpha, grad, Q, ys, upper=1.0, tol=1e-6)
        if step.converged:
            break
        assert step.i >= 0 and step.j >= 0
        assert dual_objective(step.alpha, step.grad) >= dual_objective(alpha, grad) - 1e-12
        alpha, grad = step.alpha, step.grad
    np.testing.assert_allclose(alpha, m.alpha_, atol=1e-12)
    np.testing.assert_allclose(grad, Q @ alpha - 1, atol=1e-9)
    assert smo_select(alpha, grad, Q, ys)[2] <= 1e-6


# ------------------------------------------------------------------------------ hard margin
def test_hard_margin_on_separable_data():
    X, y = make_blobs(n_samples=80, centers=2, cluster_std=1.0, random_state=3)
    m = SVC(kernel="linear", hard_margin=True, tol=TOL).fit(X, y)
    ref = SkSVC(C=1e8, kernel="linear", tol=TOL).fit(X, y)
    np.testing.assert_allclose(m.decision_function(X), ref.decision_function(X), atol=1e-5)
    assert np.all(_signed(y, m.classes_) * m.decision_function(X) >= 1 - 1e-6)
    assert m.score(X, y) == 1.0


@pytest.mark.parametrize("make", [lambda: make_xor(n_samples=80, random_state=0),
                                  lambda: make_moons(n_samples=100, noise=0.3, random_state=0)])
def test_hard_margin_not_separable(make):
    X, y = make()
    with pytest.raises(ValueError, match="not linearly separable"):
        SVC(kernel="linear", hard_margin=True, max_iter=3000).fit(X, y)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("degree", [1, 2, 3])
def test_hard_margin_separability_matches_highs(seed, degree):
    """The hard margin fits iff HiGHS finds (w, b) with y (w^T phi(x) + b) >= 1 on the explicit
    polynomial feature map, and an infeasible problem is reported at once (max_iter=50 would
    be far too few steps for SMO to see alpha diverge)."""
    from scipy.optimize import linprog as highs

    rng = np.random.default_rng(seed)
    X, y = make_blobs(n_samples=60, centers=2, cluster_std=rng.uniform(0.5, 3.0),
                      random_state=seed)
    Phi = kn.polynomial_feature_map(X, degree=degree, gamma=0.5, coef0=1.0)
    s = np.where(y == 1, 1.0, -1.0)
    A = -s[:, None] * np.column_stack([Phi, np.ones(len(y))])
    feasible = highs(np.zeros(A.shape[1]), A_ub=A, b_ub=-np.ones(len(y)), bounds=(None, None),
                     method="highs").status == 0
    model = SVC(kernel="poly", degree=degree, gamma=0.5, coef0=1.0, hard_margin=True,
                max_iter=50 if not feasible else 100000)
    if feasible:  # separable: a fit (SMO may not converge when the margin is tiny: a warning)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(X, y)
        assert model.score(X, y) == 1.0 or any("separable" in str(w.message) for w in caught)
    else:
        with pytest.raises(ValueError, match="not linearly separable"):
            model.fit(X, y)


# ------------------------------------------------------------------------------ bad inputs
@pytest.mark.parametrize("params,X,y,match", [
    ({}, np.ones((4, 2)), [1, 1, 1, 1], "exactly two classes"),
    ({}, np.ones((6, 2)), [0, 1, 2, 0, 1, 2], "exactly two classes"),
    ({}, [[np.nan, 1.0], [0.0, 1.0]], [0, 1], "X must be finite"),
    ({}, np.ones((3, 2)), [0, 1], "same number of samples"),
    ({"C": 0.0}, np.eye(2), [0, 1], "C must be > 0"),
    ({"C": -1.0}, np.eye(2), [0, 1], "C must be > 0"),
    ({"kernel": "laplace"}, np.eye(2), [0, 1], "kernel must be"),
    ({"tol": 0}, np.eye(2), [0, 1], "tol must be > 0"),
    ({"max_iter": 0}, np.eye(2), [0, 1], "max_iter must be >= 1"),
    ({"gamma": -2.0}, np.eye(2), [0, 1], "gamma must be > 0"),
])
def test_bad_inputs_are_named(params, X, y, match):
    with pytest.raises(ValueError, match=match):
        SVC(**params).fit(X, y)


def test_predict_checks():
    with pytest.raises(NotFittedError):
        SVC().decision_function(np.eye(2))
    m = SVC().fit(np.eye(2), [0, 1])
    with pytest.raises(ValueError, match="fitted with 2"):
        m.predict(np.ones((2, 3)))


def test_max_iter_warns():
    X, y = _data("moons")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m = SVC(max_iter=5).fit(X, y)
    assert not m.converged_ and any("max_iter" in str(x.message) for x in w)


def test_gamma_scale_resolved_on_training_data():
    X, y = _data("circles")
    m = SVC(kernel="rbf").fit(X, y)
    ref = SkSVC(kernel="rbf", C=1.0, gamma="scale", tol=1e-3).fit(X, y)
    Xq = X[:10] * 3.0  # a different variance must not change gamma
    np.testing.assert_allclose(m.decision_function(Xq), ref.decision_function(Xq), atol=1e-2)
    assert m.get_params()["C"] == 1.0 and "hard_margin" in repr(m)


@pytest.mark.parametrize("data,kernel,kw,C", [("moons", "linear", {}, 0.05),
                                              ("circles", "poly", {"degree": 2, "coef0": 1.0}, 0.3)])
def test_fused_fit_equals_public_smo_step_loop(data, kernel, kw, C):
    """fit's private fused loop takes the same steps as looping the public smo_step."""
    X, y = _data(data)
    m = SVC(C=C, kernel=kernel, tol=1e-5, **kw).fit(X, y)
    ys = _signed(y, m.classes_)
    Q = np.outer(ys, ys) * kn.gram(m._kfun, X) / C
    alpha, grad, n_steps = np.zeros(len(y)), -np.ones(len(y)), 0
    while not (step := smo_step(alpha, grad, Q, ys, upper=1.0, tol=1e-5)).converged:
        alpha, grad, n_steps = step.alpha, step.grad, n_steps + 1
    assert n_steps == m.n_iter_
    np.testing.assert_allclose(alpha, m.alpha_, rtol=0, atol=1e-10)
    assert m.dual_objective_ == pytest.approx(dual_objective(alpha, grad), rel=1e-12)


def test_history_records_the_duality_gap_closing():
    X, y = make_moons(n_samples=120, noise=0.25, random_state=4)
    m = SVC(C=0.5, kernel="rbf", gamma=1.0, tol=1e-6).fit(X, y)
    h = m.history_
    gap = np.array(h["gap"])
    assert len(gap) == len(h["iteration"]) == len(h["dual_objective"])
    np.testing.assert_allclose(h["primal_objective"] - h["dual_objective"], gap, atol=1e-12)
    np.testing.assert_array_equal(h["objective"], h["dual_objective"])  # SMO maximises g
    assert np.all(gap >= -1e-9) and gap[0] == pytest.approx(len(y))  # alpha = 0: J = n, g = 0
    assert gap[-1] == pytest.approx(m.primal_objective_ - m.dual_objective_, abs=1e-9)
    assert gap[-1] <= 1e-4 * m.primal_objective_
    # against scikit-learn's solution: J(ours) - g(ours) bounds how far both are from optimal
    ref = SkSVC(C=1 / 0.5, kernel="rbf", gamma=1.0, tol=1e-8).fit(X, y)
    K = kn.rbf(ref.support_vectors_, ref.support_vectors_, gamma=1.0)
    dc = ref.dual_coef_[0]
    ref_dual = 0.5 * (np.abs(dc).sum() - 0.5 * dc @ K @ dc)  # notes' g = C g_sklearn
    assert m.dual_objective_ <= ref_dual + 1e-7 and ref_dual - m.dual_objective_ <= gap[-1]


def test_callable_kernel_sees_every_column():
    """Zero columns are pruned from the Gram matrix only for named kernels: a callable may
    index columns (here it drops column 0, so a zero column 0 would shift its view)."""
    X, y = _data("blobs")
    Xz = np.column_stack([np.zeros(len(y)), X])  # column 0 is 0 in every sample

    def tail(A, B=None):
        B = A if B is None else B
        return A[:, 1:] @ B[:, 1:].T

    ours = SVC(C=1.0, kernel=tail, tol=1e-6).fit(Xz, y)
    ref = SVC(C=1.0, kernel="linear", tol=1e-6).fit(X, y)
    np.testing.assert_allclose(ours.decision_function(Xz), ref.decision_function(X), atol=1e-10)


def test_fit_steps_pauses_with_a_valid_iterate_and_ends_as_fit():
    """The long-job form: the same final model as fit, and at every pause a feasible alpha
    whose dual objective never decreases."""
    from ece544core.svm import SMOProgress

    X, y = _data("moons")
    ref = SVC(C=0.5, kernel="rbf", gamma=1.0, tol=1e-6).fit(X, y)
    m = SVC(C=0.5, kernel="rbf", gamma=1.0, tol=1e-6)
    run = m.fit_steps(X, y, chunk=7)
    seen, duals = [], []
    while True:
        try:
            p = next(run)
        except StopIteration as end:
            assert end.value is m
            break
        assert isinstance(p, SMOProgress) and 0.0 <= p.fraction <= 1.0
        ys = _signed(y, m.classes_)
        assert np.all((m.alpha_ >= 0) & (m.alpha_ <= 1)) and abs(m.alpha_ @ ys) < 1e-10
        assert m.predict(X).shape == y.shape and not m.converged_
        seen.append(p.n_iter)
        duals.append(m.dual_objective_)
    assert seen == list(range(7, ref.n_iter_, 7))
    assert np.all(np.diff(duals) >= -1e-12)
    np.testing.assert_array_equal(m.alpha_, ref.alpha_)
    assert m.converged_ and m.n_iter_ == ref.n_iter_
    np.testing.assert_array_equal(m.history_["objective"], ref.history_["objective"])
