"""ece544core.duality: linprog against SciPy's HiGHS (objective and duals, with the sign mapping
ineqlin.marginals = -lam), KKT residuals, strong and weak duality, the dual program, infeasible
and unbounded detection, bad inputs."""
import dataclasses

import numpy as np
import pytest
from scipy.optimize import linprog as scipy_linprog

from ece544core import duality
from ece544core._history import History
from ece544core.duality import (DualLP, KKTResiduals, LPResult, dual_function, kkt_residuals,
                                lagrangian, linprog, lp_dual)

# min -w1 - w2  s.t.  w1 + 2 w2 <= 4,  3 w1 + w2 <= 6,  w >= 0  (by hand: w* = (8/5, 6/5),
# f* = -14/5; c + A^T lam = 0 on the two active rows gives lam = (2/5, 1/5, 0, 0)).
C2 = np.array([-1.0, -1.0])
A2 = np.array([[1.0, 2.0], [3.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
B2 = np.array([4.0, 6.0, 0.0, 0.0])


def _random_lp(rng, n, p):
    """A feasible LP with a unique optimum w0 and unique duals (lam0, nu0): n - p active
    inequality rows with lam0 > 0, the other rows strictly slack, and c = -A^T lam0 - E^T nu0."""
    k = n - p
    m = int(rng.integers(k + 1, 3 * n + 2))
    A, w0 = rng.normal(size=(m, n)), rng.normal(size=n)
    active = rng.permutation(m)[:k]
    lam0, s0 = np.zeros(m), rng.uniform(0.1, 2.0, m)
    lam0[active], s0[active] = rng.uniform(0.1, 2.0, k), 0.0
    E, nu0 = rng.normal(size=(p, n)), rng.normal(size=p)
    c = -A.T @ lam0 - E.T @ nu0
    return dict(c=c, A_ub=A, b_ub=A @ w0 + s0, A_eq=E if p else None, b_eq=E @ w0 if p else None,
                w0=w0, lam0=lam0, nu0=nu0)


def _solve(lp):
    args = {k: lp[k] for k in ("c", "A_ub", "b_ub", "A_eq", "b_eq")}
    return linprog(**args), scipy_linprog(**args, bounds=(None, None), method="highs")


CASES = [(n, p, seed) for seed, (n, p) in enumerate([(2, 0), (3, 0), (3, 1), (5, 0), (5, 2),
                                                     (8, 3), (10, 0), (12, 5)] * 3)]


# ------------------------------------------------------------------------------ linprog
@pytest.mark.parametrize("n, p, seed", CASES)
def test_linprog_matches_scipy_highs_objective_and_duals(n, p, seed):
    lp = _random_lp(np.random.default_rng(seed), n, p)
    res, ref = _solve(lp)
    assert ref.status == 0 and res.status == "optimal" and res.success
    assert res.fun == pytest.approx(ref.fun, abs=1e-7)
    # the notes' L = c^T w + lam^T (A w - b): SciPy's marginals d f*/d b are -lam and -nu
    np.testing.assert_allclose(res.lam, -ref.ineqlin.marginals, atol=1e-7)
    np.testing.assert_allclose(res.lam, lp["lam0"], atol=1e-7)
    if p:
        np.testing.assert_allclose(res.nu, -ref.eqlin.marginals, atol=1e-7)
        np.testing.assert_allclose(res.nu, lp["nu0"], atol=1e-7)
    np.testing.assert_allclose(res.x, lp["w0"], atol=1e-5)  # primal: conditioning-limited
    assert res.fun == pytest.approx(float(lp["c"] @ res.x), abs=1e-12)


@pytest.mark.parametrize("n, p, seed", CASES[:8])
def test_kkt_residuals_vanish_and_strong_duality_holds(n, p, seed):
    lp = _random_lp(np.random.default_rng(100 + seed), n, p)
    res, _ = _solve(lp)
    assert isinstance(res.kkt, KKTResiduals)
    assert res.kkt.max() < 1e-7
    assert np.all(res.lam >= 0)
    dual_obj = -lp["b_ub"] @ res.lam - (lp["b_eq"] @ res.nu if p else 0.0)
    assert res.fun == pytest.approx(dual_obj, abs=1e-7)            # strong duality
    slack = lp["b_ub"] - lp["A_ub"] @ res.x
    assert np.all(slack >= -1e-7)
    assert np.max(np.abs(res.lam * slack)) < 1e-7                   # complementary slackness


def test_hand_computed_2d_lp():
    res = linprog(C2, A2, B2)
    assert res.status == "optimal" and res.nu.shape == (0,)
    np.testing.assert_allclose(res.x, [8 / 5, 6 / 5], atol=1e-8)
    np.testing.assert_allclose(res.lam, [2 / 5, 1 / 5, 0, 0], atol=1e-8)
    assert res.fun == pytest.approx(-14 / 5, abs=1e-8)
    assert dual_function(res.lam, C2, A2, B2, atol=1e-7) == pytest.approx(-14 / 5, abs=1e-8)


def test_scipy_marginals_are_minus_lam_on_the_2d_lp():
    ref = scipy_linprog(C2, A2, B2, bounds=(None, None), method="highs")
    np.testing.assert_allclose(ref.ineqlin.marginals, [-2 / 5, -1 / 5, 0, 0], atol=1e-12)
    np.testing.assert_allclose(linprog(C2, A2, B2).lam, -ref.ineqlin.marginals, atol=1e-8)


def test_degenerate_lp_with_non_unique_duals_satisfies_kkt():
    # min -w1 - w2 s.t. w1 <= 1, w2 <= 1, w1 + w2 <= 2, w >= 0: three rows active at (1, 1)
    A = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    res = linprog(C2, A, [1.0, 1.0, 2.0, 0.0, 0.0])
    assert res.status == "optimal" and res.fun == pytest.approx(-2.0, abs=1e-8)
    assert res.kkt.max() < 1e-7 and np.all(res.lam >= 0)


def test_differs_from_scipy_default_bounds():
    # min w s.t. w <= 1 and -w <= 5: free w gives -5; SciPy's default w >= 0 would give 0
    res = linprog([1.0], A_ub=[[1.0], [-1.0]], b_ub=[1.0, 5.0])
    assert res.fun == pytest.approx(-5.0, abs=1e-8)
    assert scipy_linprog([1.0], A_ub=[[1.0], [-1.0]], b_ub=[1.0, 5.0]).fun == pytest.approx(0.0)


def test_equality_only_lp():
    # min w1 + 2 w2 s.t. w1 + w2 = 1, w1 - w2 = 0
    res = linprog([1.0, 2.0], A_eq=[[1.0, 1.0], [1.0, -1.0]], b_eq=[1.0, 0.0])
    assert res.status == "optimal" and res.lam.shape == (0,)
    np.testing.assert_allclose(res.x, [0.5, 0.5], atol=1e-8)
    np.testing.assert_allclose(res.nu, [-1.5, 0.5], atol=1e-8)


def test_result_is_frozen_and_history_is_recorded():
    res = linprog(C2, A2, B2)
    assert isinstance(res, LPResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.fun = 0.0
    h = res.history
    assert isinstance(h, History)
    for key in ("iteration", "objective", "primal_objective", "dual_objective", "gap",
                "primal_residual", "dual_residual", "mu", "tau", "kappa"):
        assert h[key].shape == (res.n_iter + 1,)
    np.testing.assert_array_equal(h["iteration"], np.arange(res.n_iter + 1))
    np.testing.assert_array_equal(h["objective"], h["primal_objective"])
    assert h["x"].shape == (res.n_iter + 1, 2)
    np.testing.assert_allclose(h["x"][-1], res.x, atol=1e-6)  # res.x is polished
    assert h["gap"][-1] < 1e-8 < h["gap"][0]
    np.testing.assert_allclose(h["gap"], np.abs(h["primal_objective"] - h["dual_objective"]))
    assert h["primal_objective"][-1] == pytest.approx(h["dual_objective"][-1], abs=1e-8)
    assert h["mu"][-1] < 1e-8 < h["mu"][0] and h["dual_residual"][-1] < 1e-8
    # the recorded residuals are those of the scaled iterate (w, lam) = (x, z) / tau
    w, lam = h["x"][0], np.ones(len(B2)) / h["tau"][0]
    assert h["dual_residual"][0] == pytest.approx(np.linalg.norm(C2 + np.asarray(A2).T @ lam))
    assert h["objective"][0] == pytest.approx(C2 @ w)


def test_max_iter_is_reported():
    lp = _random_lp(np.random.default_rng(7), 6, 2)
    res = linprog(lp["c"], lp["A_ub"], lp["b_ub"], lp["A_eq"], lp["b_eq"], max_iter=2)
    assert res.status == "max_iter" and res.n_iter == 2 and "max_iter" in res.message


# ------------------------------------------------------------------------------ infeasible
@pytest.mark.parametrize("A_ub, b_ub, A_eq, b_eq", [
    ([[1.0, 1.0], [-1.0, 0.0], [0.0, -1.0]], [-1.0, 0.0, 0.0], None, None),  # w >= 0, sum <= -1
    ([[1.0, 0.0], [-1.0, 0.0]], [1.0, -2.0], None, None),                    # w1 <= 1, w1 >= 2
    ([[-1.0, 0.0], [0.0, -1.0]], [0.0, 0.0], [[1.0, 1.0]], [-1.0]),          # w >= 0, sum = -1
])
def test_infeasible_lp_is_detected_with_a_farkas_certificate(A_ub, b_ub, A_eq, b_eq):
    res = linprog([1.0, 1.0], A_ub, b_ub, A_eq, b_eq)
    assert res.status == "infeasible" and res.n_iter < 50 and res.fun == np.inf
    ref = scipy_linprog([1.0, 1.0], A_ub, b_ub, A_eq, b_eq, bounds=(None, None), method="highs")
    assert ref.status == 2
    A_ub, b_ub = np.asarray(A_ub), np.asarray(b_ub)
    cert = A_ub.T @ res.lam + (np.asarray(A_eq).T @ res.nu if A_eq is not None else 0.0)
    bound = b_ub @ res.lam + (np.asarray(b_eq) @ res.nu if b_eq is not None else 0.0)
    assert np.all(res.lam >= 0) and np.linalg.norm(cert) < 1e-7 and bound < 0


def test_random_infeasible_lps_are_detected(rng):
    for _ in range(5):
        n = int(rng.integers(2, 6))
        A, y = rng.normal(size=(2 * n, n)), rng.uniform(0.5, 1.0, 2 * n)
        A[-1] = -(y[:-1] @ A[:-1]) / y[-1]                 # y^T A = 0 with y > 0
        b = rng.uniform(0.0, 1.0, 2 * n)
        b[-1] = -(y[:-1] @ b[:-1] + 1.0) / y[-1]           # y^T b = -1 < 0
        assert linprog(rng.normal(size=n), A, b).status == "infeasible"


# ------------------------------------------------------------------------------ unbounded
def test_unbounded_lp_is_detected_with_a_ray():
    # min -w1 - w2 s.t. w1 - w2 <= 1, w >= 0: the ray (1, 1) lowers the cost forever
    c, A, b = [-1.0, -1.0], np.array([[1.0, -1.0], [-1.0, 0.0], [0.0, -1.0]]), [1.0, 0.0, 0.0]
    res = linprog(c, A, b)
    assert res.status == "unbounded" and res.n_iter < 50 and res.fun == -np.inf
    assert scipy_linprog(c, A, b, bounds=(None, None), method="highs").status == 3
    assert np.all(A @ res.x <= 1e-9) and np.dot(c, res.x) < 0


def test_random_unbounded_lps_are_detected(rng):
    for _ in range(5):
        n = int(rng.integers(2, 6))
        d, A = rng.normal(size=n), rng.normal(size=(2 * n, n))
        A -= np.outer(np.maximum(A @ d, 0.0) + 0.1, d) / (d @ d)   # A d <= -0.1
        b = A @ rng.normal(size=n) + rng.uniform(0.0, 1.0, 2 * n)
        res = linprog(-d, A, b)
        assert res.status == "unbounded" and np.all(A @ res.x <= 1e-9) and -d @ res.x < 0


def test_free_direction_makes_lp_unbounded():
    # no constraint at all on w2 and c2 != 0
    res = linprog([0.0, 1.0], A_ub=[[1.0, 0.0]], b_ub=[1.0])
    assert res.status == "unbounded"


# ------------------------------------------------------------------------------ the dual
def test_lp_dual_matches_the_notes_and_its_optimum_equals_the_primal():
    dual = lp_dual(C2, A2, B2)
    assert isinstance(dual, DualLP)
    np.testing.assert_array_equal(dual.obj, -B2)
    np.testing.assert_array_equal(dual.A_eq, A2.T)
    np.testing.assert_array_equal(dual.b_eq, -C2)
    res = linprog(**dual.linprog_args())                   # min b^T lam
    assert res.status == "optimal"
    assert -res.fun == pytest.approx(-14 / 5, abs=1e-8)    # max -b^T lam = primal optimum
    np.testing.assert_allclose(res.x, [2 / 5, 1 / 5, 0, 0], atol=1e-8)


@pytest.mark.parametrize("seed", range(3))
def test_dual_of_random_lp_has_the_primal_optimum(seed):
    lp = _random_lp(np.random.default_rng(200 + seed), 4, 0)
    primal = linprog(lp["c"], lp["A_ub"], lp["b_ub"])
    dual = linprog(**lp_dual(lp["c"], lp["A_ub"], lp["b_ub"]).linprog_args())
    assert -dual.fun == pytest.approx(primal.fun, abs=1e-7)
    np.testing.assert_allclose(dual.x, primal.lam, atol=1e-7)


def test_weak_duality_for_random_feasible_lam(rng):
    n, m = 3, 8
    A = rng.normal(size=(m, n))
    lam_pos = rng.uniform(0.5, 1.5, m)                    # an interior dual-feasible point
    c, b = -A.T @ lam_pos, A @ rng.normal(size=n) + rng.uniform(0.1, 1.0, m)
    res = linprog(c, A, b)
    f_star = res.fun
    assert f_star == pytest.approx(scipy_linprog(c, A, b, bounds=(None, None)).fun, abs=1e-7)
    assert dual_function(res.lam, c, A, b, atol=1e-7) == pytest.approx(f_star, abs=1e-7)
    null = np.linalg.svd(A.T)[2][n:].T                    # (m, m - n): A^T null = 0
    gaps = []
    for _ in range(20):
        direction = null @ rng.normal(size=m - n)
        neg = direction < 0
        t_max = np.min(-lam_pos[neg] / direction[neg]) if neg.any() else 1.0
        lam = lam_pos + rng.uniform(0, 1) * t_max * direction  # lam >= 0, A^T lam + c = 0
        assert np.all(lam >= -1e-12)
        lam = np.maximum(lam, 0.0)
        g = dual_function(lam, c, A, b, atol=1e-8)
        assert np.isfinite(g) and g <= f_star + 1e-9        # weak duality
        gaps.append(f_star - g)
        w = rng.normal(size=c.shape[0])
        assert lagrangian(w, lam, c, A, b) >= g - 1e-9      # g = min_w L
        assert g == pytest.approx(lagrangian(w, lam, c, A, b), abs=1e-8)  # L flat in w
        other = rng.uniform(0, 1, size=lam.shape)            # lam >= 0 off A^T lam + c = 0
        assert dual_function(other, c, A, b) == -np.inf <= f_star
    assert max(gaps) > 1e-3                                 # the bound is not always tight


def test_dual_function_is_minus_infinity_off_the_dual_constraint():
    assert dual_function([1.0, 1.0, 0.0, 0.0], C2, A2, B2) == -np.inf
    assert dual_function([0.4, 0.2, 0.0, 0.0], C2, A2, B2) == pytest.approx(-2.8)


def test_lagrangian_formula(rng):
    w, lam = rng.normal(size=2), rng.uniform(0, 1, 4)
    expected = C2 @ w + lam @ (A2 @ w - B2)
    assert lagrangian(w, lam, C2, A2, B2) == pytest.approx(expected, rel=1e-14)
    w_feas = np.array([0.5, 0.5])                         # A w <= b  =>  L <= c^T w
    assert lagrangian(w_feas, lam, C2, A2, B2) <= C2 @ w_feas


def test_kkt_residuals_of_a_non_optimal_point():
    w, lam = np.array([3.0, 0.0]), np.array([-1.0, 0.0, 0.0, 0.0])
    r = kkt_residuals(w, lam, np.zeros(0), C2, A2, B2, np.zeros((0, 2)), np.zeros(0))
    assert r.primal_feasibility == pytest.approx(3.0)        # 3 w1 + w2 = 9 > 6
    assert r.dual_feasibility == pytest.approx(1.0)
    assert r.stationarity == pytest.approx(np.linalg.norm(C2 - A2[0]))
    assert r.complementary_slackness == pytest.approx(1.0)   # |-1 * (4 - 3)|
    assert r.duality_gap == pytest.approx(abs(-3.0 + 4.0 * -1.0))


# ------------------------------------------------------------------------------ bad inputs
@pytest.mark.parametrize("kwargs, name", [
    (dict(c=[np.nan, 1.0], A_ub=A2, b_ub=B2), "c"),
    (dict(c=C2, A_ub=np.where(A2 == 3.0, np.nan, A2), b_ub=B2), "A_ub"),
    (dict(c=C2, A_ub=A2, b_ub=[4.0, 6.0, np.inf, 0.0]), "b_ub"),
    (dict(c=C2, A_ub=A2, b_ub=B2[:3]), "b_ub"),
    (dict(c=[1.0, 1.0, 1.0], A_ub=A2, b_ub=B2), "A_ub"),
    (dict(c=C2, b_ub=B2), "A_ub"),
    (dict(c=C2, A_ub=A2), "b_ub"),
    (dict(c=C2, b_eq=[1.0]), "A_eq"),
    (dict(c=C2, A_eq=[[1.0, 1.0]], b_eq=[1.0, 2.0]), "b_eq"),
    (dict(c=C2, A_eq=[1.0, 1.0], b_eq=[1.0]), "A_eq"),
    (dict(c=[[1.0, 1.0]], A_ub=A2, b_ub=B2), "c"),
    (dict(c=C2, A_ub=A2, b_ub=B2, tol=0.0), "tol"),
    (dict(c=C2, A_ub=A2, b_ub=B2, max_iter=0), "max_iter"),
])
def test_linprog_bad_inputs_name_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        linprog(**kwargs)


def test_dual_helpers_bad_inputs():
    with pytest.raises(ValueError, match="^lam must be >= 0"):
        dual_function([-0.1, 0.0, 0.0, 0.0], C2, A2, B2)
    with pytest.raises(ValueError, match="^lam must have length 4"):
        dual_function([0.1, 0.0], C2, A2, B2)
    with pytest.raises(ValueError, match="^b must have length"):
        lp_dual(C2, A2, B2[:2])
    with pytest.raises(ValueError, match="^A must have 1 columns .the length of c"):
        lp_dual([1.0], A2, B2)
    with pytest.raises(ValueError, match="^w must have length"):
        lagrangian([1.0, 2.0, 3.0], np.zeros(4), C2, A2, B2)
    with pytest.raises(ValueError, match="^A must be finite"):
        lagrangian([1.0, 2.0], np.zeros(4), C2, [[np.nan, 1.0]] * 4, B2)


def test_module_exports():
    for name in duality.__all__:
        assert hasattr(duality, name)
