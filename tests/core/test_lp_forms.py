"""standard_form: the notes' first step before the Lagrangian, by hand and against SciPy HiGHS."""
import numpy as np
import pytest
from scipy.optimize import LinearConstraint, milp

from ece544core import duality
from ece544core.duality import linprog
from ece544core.lp_forms import SENSES, StandardForm, standard_form


def test_hand_computed_standard_form():
    # w1 + 2 w2 + 1 >= 3,  3 w1 + w2 <= 6,  w1 - w2 = 1 - 2 (offset 2),  w2 >= 0
    A = [[1, 2], [3, 1], [1, -1], [0, 1]]
    sf = standard_form(A, [">=", "<=", "=", ">="], [3, 6, 1, 0], offset=[1, 0, 2, 0])
    assert isinstance(sf, StandardForm)
    np.testing.assert_array_equal(sf.A_ub, [[-1, -2], [3, 1], [0, -1]])
    np.testing.assert_array_equal(sf.b_ub, [-2, 6, 0])
    np.testing.assert_array_equal(sf.A_eq, [[1, -1]])
    np.testing.assert_array_equal(sf.b_eq, [-1])
    np.testing.assert_array_equal(sf.flipped, [True, False, True])
    np.testing.assert_array_equal(sf.ub_rows, [0, 1, 3])
    np.testing.assert_array_equal(sf.eq_rows, [2])
    assert set(sf.linprog_args()) == {"A_ub", "b_ub", "A_eq", "b_eq"}
    # min w1 + w2 on it: w2 = w1 + 1 and w1 + 2 w2 >= 2 -> 3 w1 + 2 >= 2 -> w1 >= 0: w* = (0, 1)
    res = linprog([1.0, 1.0], **sf.linprog_args())
    assert res.status == "optimal"
    np.testing.assert_allclose(res.x, [0.0, 1.0], atol=1e-8)
    # lam of the flipped row: -c = lam_1 (-1, -2) + nu (1, -1) -> lam_1 = 2/3, nu = -1/3
    np.testing.assert_allclose(res.lam, [2 / 3, 0, 0], atol=1e-8)
    np.testing.assert_allclose(res.nu, [-1 / 3], atol=1e-8)


def test_only_inequalities_and_only_equalities():
    sf = standard_form([[1.0, 0.0], [0.0, 1.0]], ["<=", "<="], [1.0, 2.0])
    assert set(sf.linprog_args()) == {"A_ub", "b_ub"} and sf.A_eq.shape == (0, 2)
    np.testing.assert_array_equal(sf.A_ub, [[1, 0], [0, 1]])
    sf = standard_form([[1.0, 1.0]], ["="], [1.0])
    assert set(sf.linprog_args()) == {"A_eq", "b_eq"} and sf.A_ub.shape == (0, 2)
    assert sf.flipped.shape == (0,)


@pytest.mark.parametrize("seed", range(6))
def test_random_written_lps_match_highs_on_the_rows_as_written(seed):
    """HiGHS gets the rows as written (lb <= A w <= ub, no flipping); we solve the standard form."""
    rng = np.random.default_rng(100 + seed)
    n, m = 3, 7
    A = rng.standard_normal((m, n))
    w0 = rng.standard_normal(n)                       # a feasible point
    senses = list(rng.choice(SENSES, size=m, p=[0.45, 0.45, 0.1]))
    offset = rng.standard_normal(m)
    margin = rng.uniform(0.1, 1.0, m)
    b = A @ w0 + offset + np.select([np.array(senses) == "<=", np.array(senses) == ">="],
                                    [margin, -margin], 0.0)
    box = np.vstack([np.eye(n), np.eye(n)])          # -5 <= w <= 5, written as <= and >= rows
    A_all = np.vstack([A, box])
    senses_all = senses + ["<="] * n + [">="] * n
    b_all = np.concatenate([b, np.full(n, 5.0), np.full(n, -5.0)])
    offset_all = np.concatenate([offset, np.zeros(2 * n)])
    c = rng.standard_normal(n)
    sf = standard_form(A_all, senses_all, b_all, offset_all)
    ours = linprog(c, **sf.linprog_args())
    rhs = b_all - offset_all
    sense = np.array(senses_all)
    lo = np.where(sense == "<=", -np.inf, rhs)
    hi = np.where(sense == ">=", np.inf, rhs)
    ref = milp(c, constraints=LinearConstraint(A_all, lo, hi), bounds=(-np.inf, np.inf))
    assert ref.success and ours.status == "optimal"
    assert ours.fun == pytest.approx(ref.fun, abs=1e-7)
    np.testing.assert_allclose(ours.x, ref.x, atol=1e-6)
    # stationarity of the written program: -c = sum over ub rows of lam_i (sign_i a_i) + A_eq^T nu
    sign = np.where(sf.flipped, -1.0, 1.0)
    grad = A_all[sf.ub_rows].T @ (sign * ours.lam) + A_all[sf.eq_rows].T @ ours.nu
    np.testing.assert_allclose(grad, -c, atol=1e-7)


@pytest.mark.parametrize("kwargs, name", [
    (dict(A=[[1.0, 2.0]], senses=["<"], b=[1.0]), "senses"),
    (dict(A=[[1.0, 2.0]], senses="<=", b=[1.0]), "senses"),
    (dict(A=[[1.0, 2.0]], senses=["<=", "<="], b=[1.0]), "senses"),
    (dict(A=[[1.0, 2.0]], senses=["<="], b=[1.0, 2.0]), "b"),
    (dict(A=[[1.0, np.nan]], senses=["<="], b=[1.0]), "A"),
    (dict(A=[[1.0, 2.0]], senses=["<="], b=[1.0], offset=[1.0, 2.0]), "offset"),
])
def test_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        standard_form(**kwargs)


def test_re_exported_by_duality():
    assert duality.standard_form is standard_form and "standard_form" in duality.__all__
