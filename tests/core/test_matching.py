"""ece544core.matching against scipy.optimize.linear_sum_assignment and brute force over all
permutations; label matching invariants; bad inputs."""
import itertools

import numpy as np
import pytest
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st

from ece544core.matching import (contingency_matrix, linear_sum_assignment, match_labels,
                                 matched_accuracy)


@pytest.mark.parametrize("shape", [(1, 1), (1, 5), (5, 1), (4, 4), (6, 9), (9, 6), (20, 20)])
@pytest.mark.parametrize("maximize", [False, True])
def test_assignment_equals_scipy(shape, maximize):
    C = np.random.default_rng(sum(shape)).standard_normal(shape) * 10  # no ties
    rows, cols = linear_sum_assignment(C, maximize=maximize)
    ref_rows, ref_cols = scipy.optimize.linear_sum_assignment(C, maximize=maximize)
    np.testing.assert_array_equal(rows, ref_rows)
    np.testing.assert_array_equal(cols, ref_cols)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 7), st.integers(1, 7), st.integers(0, 2**31), st.booleans())
def test_assignment_with_ties_reaches_scipy_optimum(n, m, seed, maximize):
    C = np.random.default_rng(seed).integers(-3, 4, size=(n, m)).astype(float)  # many ties
    rows, cols = linear_sum_assignment(C, maximize=maximize)
    ref_rows, ref_cols = scipy.optimize.linear_sum_assignment(C, maximize=maximize)
    assert len(rows) == min(n, m) and len(set(rows)) == len(rows) == len(set(cols))
    assert np.all(np.diff(rows) > 0)
    assert C[rows, cols].sum() == C[ref_rows, ref_cols].sum()


def test_contingency_matrix_by_hand():
    T = contingency_matrix([0, 0, 1, 2, 2, 2], [1, 1, 0, 0, 2, 2])
    np.testing.assert_array_equal(T, [[0, 2, 0], [1, 0, 0], [1, 0, 2]])
    assert contingency_matrix([0, 1], [1, 0], n_labels=4).shape == (4, 4)


@pytest.mark.parametrize("K", [2, 3, 5])
def test_match_labels_is_the_best_permutation(K):
    rng = np.random.default_rng(K)
    a = rng.integers(0, K, 200)
    b = np.where(rng.random(200) < 0.3, rng.integers(0, K, 200), rng.permutation(K)[a])
    perm = match_labels(a, b, K)
    assert sorted(perm) == list(range(K))
    best = max(np.mean(np.asarray(p)[b] == a) for p in itertools.permutations(range(K)))
    assert np.mean(perm[b] == a) == best == matched_accuracy(a, b, K)


def test_match_labels_beats_greedy_pairing():
    """Largest overlap first pairs (0, 0), then (1, 1): 10 + 0 of 27 points; the best, 9 + 8."""
    T = np.array([[10, 9], [8, 0]])   # T[true, pred]
    a = np.repeat([0, 0, 1, 1], T.ravel())
    b = np.repeat([0, 1, 0, 1], T.ravel())
    np.testing.assert_array_equal(match_labels(a, b), [1, 0])
    assert matched_accuracy(a, b) == pytest.approx(17 / 27)


def test_relabelled_partition_is_recovered_exactly():
    a = np.random.default_rng(0).integers(0, 4, 100)
    sigma = np.array([2, 0, 3, 1])
    perm = match_labels(a, sigma[a])
    np.testing.assert_array_equal(perm[sigma], np.arange(4))      # the inverse permutation
    assert matched_accuracy(a, sigma[a]) == 1.0


def test_bad_inputs_name_the_argument():
    with pytest.raises(ValueError, match="same length"):
        match_labels([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="labels_pred must be a 1-D array of non-negative"):
        match_labels([0, 1], [0, -1])
    with pytest.raises(ValueError, match="labels_true must be a 1-D array of non-negative"):
        match_labels([0.5, 1], [0, 1])
    with pytest.raises(ValueError, match="n_labels must exceed every label"):
        match_labels([0, 3], [0, 1], n_labels=3)
    with pytest.raises(ValueError, match="cost must be finite"):
        linear_sum_assignment([[np.inf, 1.0]])
