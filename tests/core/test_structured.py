"""ece544core.structured: DP (Viterbi) = exhaustive search, labels and score, under one documented
tie rule; sum-product marginals and log Z against brute-force enumeration; the denoising example
(DP along a sequence, DP per image row, ICM on the grid); bad inputs."""
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ece544core import denoising
from ece544core import structured as sp
from ece544core.structured import (ChainResult, chain_argmax_dp, chain_argmax_exhaustive,
                                   chain_marginals, chain_marginals_exhaustive, chain_score,
                                   denoise_image_icm, denoise_image_rows, denoise_unary,
                                   make_noisy_image, make_noisy_sequence, potts_grid_score,
                                   potts_pairwise)

#: log-likelihood gap log((1 - p) / (p / (K - 1))) of K = 3, p = 0.3: smoothness at which
#: "follow the noise" and "agree with the neighbours" tie exactly (in real numbers)
GAP_3_03 = math.log(0.7 / 0.15)
SMALL = [(T, K) for T in range(1, 8) for K in range(1, 5) if K**T <= 4**6]


# ------------------------------------------------------------------------------ references
def _edges(pairwise, T):
    """The pairwise matrix of every edge as a Python list (independent of the module)."""
    P = np.asarray(pairwise, dtype=float)
    return [P if P.ndim == 2 else P[t] for t in range(T - 1)]


def _brute(unary, pairwise):
    """All labellings in lexicographic order (itertools) with their scores (Python loops)."""
    U = np.asarray(unary, dtype=float)
    T, K = U.shape
    E = _edges(pairwise, T)
    out = []
    for y in itertools.product(range(K), repeat=T):
        s = sum(U[t, y[t]] for t in range(T)) + sum(E[t][y[t], y[t + 1]] for t in range(T - 1))
        out.append((y, float(s)))
    return out


def _brute_argmax(unary, pairwise):
    """The lexicographically smallest optimal labelling (exact for integer scores)."""
    all_ = _brute(unary, pairwise)
    best = max(s for _, s in all_)
    return next(y for y, s in all_ if s == best), best


def _model(rng, T, K, kind, per_edge):
    if kind == "int":  # few distinct values: many exact ties
        U = rng.integers(-2, 3, size=(T, K)).astype(float)
        P = rng.integers(-2, 3, size=(T - 1, K, K) if per_edge else (K, K)).astype(float)
    else:
        U = rng.normal(size=(T, K))
        P = rng.normal(size=(T - 1, K, K) if per_edge else (K, K))
    return U, P


def _assert_same(a: ChainResult, b: ChainResult):
    np.testing.assert_array_equal(a.labels, b.labels)
    assert a.score == b.score  # the same labels are scored by the same function: bit-identical


# ------------------------------------------------------------------------------ DP = exhaustive
@pytest.mark.parametrize("kind", ["float", "int"])
@pytest.mark.parametrize("per_edge", [False, True], ids=["shared", "per-edge"])
@pytest.mark.parametrize("T,K", SMALL)
def test_dp_equals_exhaustive_labels_score_and_counts(T, K, kind, per_edge):
    rng = np.random.default_rng(100 * T + 10 * K + per_edge)
    for _ in range(3):
        U, P = _model(rng, T, K, kind, per_edge)
        ex, dp = chain_argmax_exhaustive(U, P), chain_argmax_dp(U, P)
        _assert_same(ex, dp)
        assert ex.labels.shape == (T,) and ex.labels.dtype.kind == "i"
        assert ex.score == chain_score(ex.labels, U, P)
        assert (ex.n_evaluations, ex.method) == (K**T, "exhaustive")
        assert (dp.n_evaluations, dp.method) == ((T - 1) * K * K + K, "dp")
        assert dp.messages.shape == (T, K) and dp.messages[0].max() == pytest.approx(dp.score)
        if K**T <= 256:  # against an independent enumeration with Python sums
            y_ref, s_ref = _brute_argmax(U, P)
            if kind == "int":
                assert tuple(dp.labels) == y_ref
            assert dp.score == pytest.approx(s_ref, rel=1e-12, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(T=st.integers(1, 6), K=st.integers(1, 3), per_edge=st.booleans(),
       lo=st.integers(-3, 0), hi=st.integers(0, 3), seed=st.integers(0, 2**32 - 1))
def test_property_ties_resolve_to_the_lexicographically_smallest_optimum(T, K, per_edge, lo, hi,
                                                                         seed):
    rng = np.random.default_rng(seed)
    U = rng.integers(lo, hi + 1, size=(T, K)).astype(float)
    P = rng.integers(lo, hi + 1, size=(T - 1, K, K) if per_edge else (K, K)).astype(float)
    ex, dp = chain_argmax_exhaustive(U, P), chain_argmax_dp(U, P)
    _assert_same(ex, dp)
    y_ref, s_ref = _brute_argmax(U, P)
    assert tuple(dp.labels) == y_ref and dp.score == s_ref


def test_tie_rule_is_lexicographic_not_lowest_label_at_the_end():
    # (0, 1) and (1, 0) both score 1; backtracking a forward Viterbi pass from the lowest final
    # label would give (1, 0); the documented rule gives the lexicographically smaller (0, 1).
    U, P = np.zeros((2, 2)), np.array([[0.0, 1.0], [1.0, 0.0]])
    for f in (chain_argmax_exhaustive, chain_argmax_dp):
        r = f(U, P)
        assert tuple(r.labels) == (0, 1) and r.score == 1.0
    for f in (chain_argmax_exhaustive, chain_argmax_dp):  # everything ties: all zeros
        assert f(np.zeros((5, 3)), np.zeros((3, 3))).labels.tolist() == [0] * 5


@pytest.mark.parametrize("K", [2, 3])
@pytest.mark.parametrize("p", [0.1, 0.3])
def test_round_off_ties_of_the_denoising_model_resolve_identically(K, p):
    # mirror-image labellings tie exactly in real numbers but add float terms in other orders;
    # smoothness = log-likelihood gap makes "follow the noise" and "smooth" tie as well
    gap = math.log1p(-p) - math.log(p / (K - 1))
    rng = np.random.default_rng(int(10 * K + 100 * p))
    for T in range(1, 9):
        for s in (0.0, 0.5 * gap, gap, 2 * gap, 1.0):
            for _ in range(3):
                x = rng.integers(K, size=T)
                U, P = denoise_unary(x, K, p), potts_pairwise(K, s)
                ex, dp = chain_argmax_exhaustive(U, P), chain_argmax_dp(U, P)
                _assert_same(ex, dp)
                assert dp.score == pytest.approx(max(v for _, v in _brute(U, P)), abs=1e-12)


def test_large_exhaustive_search_matches_dp():
    rng = np.random.default_rng(7)
    for T, K, per_edge in [(20, 2, False), (13, 3, True), (2, 700, False), (300, 1, False)]:
        U, P = _model(rng, T, K, "float", per_edge)
        _assert_same(chain_argmax_exhaustive(U, P), chain_argmax_dp(U, P))


def test_chain_score_matches_direct_sum(rng):
    for per_edge in (False, True):
        U, P = _model(rng, 6, 3, "float", per_edge)
        for y, s in _brute(U, P)[::37]:
            assert chain_score(np.array(y), U, P) == pytest.approx(s, rel=1e-14, abs=1e-14)
            assert chain_score(list(y), U.tolist(), P.tolist()) == pytest.approx(s, abs=1e-14)


# ------------------------------------------------------------------------------ marginals
@pytest.mark.parametrize("per_edge", [False, True], ids=["shared", "per-edge"])
@pytest.mark.parametrize("T,K", [(1, 1), (1, 3), (2, 2), (3, 4), (5, 3), (7, 2)])
def test_marginals_and_log_partition_match_brute_force(T, K, per_edge):
    rng = np.random.default_rng(T * K)
    U, P = _model(rng, T, K, "float", per_edge)
    all_ = _brute(U, P)
    log_z = math.log(sum(math.exp(s) for _, s in all_))
    ref = np.zeros((T, K))
    for y, s in all_:
        ref[np.arange(T), y] += math.exp(s - log_z)
    marg, lz = chain_marginals(U, P)
    np.testing.assert_allclose(marg, ref, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(marg.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert lz == pytest.approx(log_z, rel=1e-12)
    marg_ex, lz_ex = chain_marginals_exhaustive(U, P)
    np.testing.assert_allclose(marg_ex, ref, rtol=1e-10, atol=1e-13)
    assert lz_ex == pytest.approx(log_z, rel=1e-12)


def test_marginals_in_the_log_domain_never_overflow(rng):
    U, P = 1000.0 * rng.normal(size=(8, 3)), 800.0 * rng.normal(size=(3, 3))
    marg, lz = chain_marginals(U, P)
    marg_ex, lz_ex = chain_marginals_exhaustive(U, P)
    assert np.all(np.isfinite(marg)) and np.isfinite(lz)
    np.testing.assert_allclose(marg, marg_ex, atol=1e-10)
    assert lz == pytest.approx(lz_ex, rel=1e-12)
    # at a low temperature the marginals concentrate on the MAP labelling
    y = chain_argmax_dp(U, P).labels
    np.testing.assert_array_equal(marg.argmax(axis=1), y)
    assert lz == pytest.approx(chain_score(y, U, P), rel=1e-6)


# ------------------------------------------------------------------------------ denoising
def test_potts_pairwise_and_denoise_unary():
    np.testing.assert_array_equal(potts_pairwise(3, 1.5), 1.5 * np.eye(3))
    U = denoise_unary([0, 2, 1], 3, 0.3)
    assert U.shape == (3, 3)
    np.testing.assert_allclose(U[1], np.log([0.15, 0.15, 0.7]))
    # for each true label y, p(x | y) sums to 1 over the K possible observations x
    obs = denoise_unary(np.arange(3), 3, 0.3)  # row x, column y: log p(x | y)
    np.testing.assert_allclose(np.exp(obs).sum(axis=0), 1.0)
    assert denoise_unary(np.zeros((4, 5), int), 2, 0.2).shape == (4, 5, 2)
    np.testing.assert_array_equal(denoise_unary([0, 0], 1, 0.4), np.zeros((2, 1)))


def test_make_noisy_sequence_is_seeded_piecewise_constant_and_flips_at_the_rate():
    clean, noisy = make_noisy_sequence(20_000, 4, 0.25, 50, random_state=3)
    c2, n2 = make_noisy_sequence(20_000, 4, 0.25, 50, random_state=3)
    np.testing.assert_array_equal(clean, c2)
    np.testing.assert_array_equal(noisy, n2)
    segs = clean.reshape(-1, 50)
    assert np.all(segs == segs[:, :1]) and np.all(segs[1:, 0] != segs[:-1, 0])
    assert (noisy != clean).mean() == pytest.approx(0.25, abs=0.01)
    assert set(np.unique(noisy)) <= {0, 1, 2, 3}
    clean, noisy = make_noisy_sequence(7, 2, 0.0, 3, random_state=0)
    assert clean.shape == (7,) and np.array_equal(clean, noisy)
    assert np.all(clean[:3] == clean[0]) and clean[3] != clean[0]


@pytest.mark.parametrize("K,p", [(2, 0.1), (3, 0.25), (5, 0.4)])
def test_flip_labels_rate_uniform_other_labels_and_determinism(K, p):
    rng = np.random.default_rng(11)
    clean = rng.integers(K, size=(300, 200))
    noisy = sp.flip_labels(clean, K, p, random_state=7)
    assert noisy.shape == clean.shape and noisy.dtype.kind == "i"
    np.testing.assert_array_equal(noisy, sp.flip_labels(clean, K, p, random_state=7))
    assert not np.array_equal(noisy, sp.flip_labels(clean, K, p, random_state=8))
    flipped = noisy != clean
    n = clean.size
    assert flipped.mean() == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / n))
    # a flip goes to each of the K - 1 other labels with probability 1 / (K - 1)
    offsets = ((noisy - clean) % K)[flipped]
    counts = np.bincount(offsets, minlength=K)
    assert counts[0] == 0
    expected = flipped.sum() / (K - 1)
    assert np.all(np.abs(counts[1:] - expected) < 5 * math.sqrt(expected))
    # the log-likelihood of denoise_unary is the empirical one: log p(x | y) per (x, y) pair
    unary = denoise_unary(noisy, K, p)  # (H, W, K): log p(x | y = k)
    loglik = np.take_along_axis(unary, clean[..., None], axis=2).mean()
    assert loglik == pytest.approx((1 - p) * math.log(1 - p) + p * math.log(p / (K - 1)),
                                   abs=0.01)


def test_flip_labels_edge_cases_and_bad_input():
    y = np.array([[0, 1], [2, 1]])
    np.testing.assert_array_equal(sp.flip_labels(y, 3, 0.0, random_state=0), y)
    assert np.all(sp.flip_labels(y, 3, 1.0, random_state=0) != y)
    np.testing.assert_array_equal(sp.flip_labels(np.zeros(5, int), 1, 0.9), np.zeros(5))
    with pytest.raises(ValueError, match="flip_prob"):
        sp.flip_labels(y, 3, 1.5)
    with pytest.raises(ValueError, match="labels"):
        sp.flip_labels(y, 2, 0.1)
    with pytest.raises(ValueError, match="K"):
        sp.flip_labels(y, 0, 0.1)
    # the noisy sequences and images are flip_labels of their clean parts, same generator
    clean, noisy = make_noisy_image(12, 10, 3, 0.3, 4, random_state=np.random.default_rng(5))
    rng = np.random.default_rng(5)
    rng.integers(3, size=(3, 3))  # the blocks
    np.testing.assert_array_equal(noisy, sp.flip_labels(clean, 3, 0.3, random_state=rng))


def test_denoising_names_are_re_exported_by_structured():
    for name in denoising.__all__:
        assert getattr(sp, name) is getattr(denoising, name) and name in sp.__all__


@pytest.mark.parametrize("K,p", [(2, 0.2), (3, 0.3), (4, 0.35)])
def test_dp_denoising_beats_the_noisy_input_and_smoothness_zero_keeps_it(K, p):
    clean, noisy = make_noisy_sequence(400, K, p, 40, random_state=5)
    U = denoise_unary(noisy, K, p)
    smooth = chain_argmax_dp(U, potts_pairwise(K, 2.0)).labels
    raw_errors = np.count_nonzero(noisy != clean)
    assert np.count_nonzero(smooth != clean) < 0.5 * raw_errors
    # smoothness = 0: independent positions, the per-position argmax = the noisy labels
    plain = chain_argmax_dp(U, potts_pairwise(K, 0.0))
    np.testing.assert_array_equal(plain.labels, U.argmax(axis=1))
    np.testing.assert_array_equal(plain.labels, noisy)


def test_row_wise_dp_equals_per_row_chain_dp():
    clean, noisy = make_noisy_image(24, 17, 3, 0.3, 6, random_state=1)
    for s in (0.0, 0.4, 0.5 * GAP_3_03, GAP_3_03, 2.0):  # multiples of the gap: exact ties
        rows = denoise_image_rows(noisy, 3, 0.3, s)
        U = denoise_unary(noisy, 3, 0.3)
        for r in range(noisy.shape[0]):
            ref = chain_argmax_dp(U[r], potts_pairwise(3, s)).labels
            np.testing.assert_array_equal(rows[r], ref)
    assert np.count_nonzero(denoise_image_rows(noisy, 3, 0.3, 1.5) != clean) < \
        np.count_nonzero(noisy != clean)
    one_col = denoise_image_rows(noisy[:, :1], 3, 0.3, 1.0)  # W = 1: no edges
    np.testing.assert_array_equal(one_col, noisy[:, :1])


def _grid_score_loops(y, U, s):
    H, W = y.shape
    e = sum(U[r, c, y[r, c]] for r in range(H) for c in range(W))
    e += s * sum(y[r, c] == y[r, c + 1] for r in range(H) for c in range(W - 1))
    return e + s * sum(y[r, c] == y[r + 1, c] for r in range(H - 1) for c in range(W))


def test_potts_grid_score_matches_loops(rng):
    y, U = rng.integers(3, size=(5, 6)), rng.normal(size=(5, 6, 3))
    assert potts_grid_score(y, U, 0.7) == pytest.approx(_grid_score_loops(y, U, 0.7), rel=1e-13)


@pytest.mark.parametrize("K,p,s", [(2, 0.2, 1.0), (3, 0.3, 1.5), (3, 0.3, 0.5 * GAP_3_03),
                                   (4, 0.1, 0.0)])
def test_icm_objective_never_decreases_and_stops_at_a_local_optimum(K, p, s):
    clean, noisy = make_noisy_image(40, 33, K, p, 8, random_state=K)
    res = denoise_image_icm(noisy, K, p, s, max_iter=50)
    labels, objective = res  # unpacks as (labels, objective)
    assert labels is res.labels and objective.shape == (res.n_iter + 1,)
    assert np.all(np.diff(objective) >= 0)
    U = denoise_unary(noisy, K, p)
    assert objective[0] == pytest.approx(potts_grid_score(U.argmax(axis=2), U, s))
    assert objective[-1] == pytest.approx(potts_grid_score(labels, U, s))
    assert res.converged and res.n_iter < 50
    # no single pixel can gain: the local optimum ICM promises
    local = U + s * denoising._neighbour_counts(labels, K)
    current = np.take_along_axis(local, labels[..., None], axis=2)[..., 0]
    assert np.all(local.max(axis=2) <= current + 1e-9 * (np.abs(U).max() + 4 * s))
    if s == 0.0:
        np.testing.assert_array_equal(labels, noisy)
    else:
        assert np.count_nonzero(labels != clean) < np.count_nonzero(noisy != clean)


def test_icm_from_the_row_dp_and_its_sweep_limit():
    clean, noisy = make_noisy_image(30, 30, 3, 0.3, 10, random_state=2)
    rows = denoise_image_rows(noisy, 3, 0.3, 1.5)
    res = denoise_image_icm(noisy, 3, 0.3, 1.5, max_iter=20, init=rows)
    U = denoise_unary(noisy, 3, 0.3)
    assert res.objective[0] == pytest.approx(potts_grid_score(rows, U, 1.5))
    assert np.all(np.diff(res.objective) >= 0) and res.objective[-1] > res.objective[0]
    once = denoise_image_icm(noisy, 3, 0.3, 1.5, max_iter=1)
    assert once.n_iter == 1 and not once.converged and len(once.objective) == 2
    none = denoise_image_icm(noisy, 3, 0.3, 1.5, max_iter=0)
    assert none.n_iter == 0 and np.array_equal(none.labels, noisy)


# ------------------------------------------------------------------------------ bad inputs
def test_guard_refuses_large_exhaustive_searches_naming_T_and_K():
    U, P = np.zeros((21, 2)), np.zeros((2, 2))  # 2**21 > 2_000_000
    for f in (chain_argmax_exhaustive, chain_marginals_exhaustive):
        with pytest.raises(ValueError, match=r"K\*\*T = 2\*\*21 = 2097152 .* max_configurations"):
            f(U, P)
    with pytest.raises(ValueError, match=r"3\*\*5 = 243 labellings exceeds max_conf.* = 200"):
        chain_argmax_exhaustive(np.zeros((5, 3)), np.zeros((3, 3)), max_configurations=200)
    assert chain_argmax_exhaustive(np.zeros((5, 3)), np.zeros((3, 3)),
                                   max_configurations=243).n_evaluations == 243
    with pytest.raises(ValueError, match="max_configurations must be >= 1"):
        chain_argmax_exhaustive(np.zeros((2, 2)), np.zeros((2, 2)), max_configurations=0)
    chain_argmax_dp(np.zeros((5000, 4)), np.zeros((4, 4)))  # DP has no such limit


@pytest.mark.parametrize("f", [chain_argmax_exhaustive, chain_argmax_dp, chain_marginals,
                               chain_marginals_exhaustive])
def test_bad_chain_models_raise_named_errors(f):
    U, P = np.zeros((4, 3)), np.zeros((3, 3))
    with pytest.raises(ValueError, match=r"pairwise must have shape \(K, K\) = \(3, 3\) or "
                                         r"\(T-1, K, K\) = \(3, 3, 3\).*got .*\(2, 2\)"):
        f(U, np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"pairwise .*got an array of shape \(4, 3, 3\)"):
        f(U, np.zeros((4, 3, 3)))
    bad = U.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="unary must be finite.*NaN"):
        f(bad, P)
    with pytest.raises(ValueError, match="pairwise must be finite.*infinity"):
        f(U, np.full((3, 3), np.inf))
    with pytest.raises(ValueError, match=r"unary must be a 2-D array of shape \(T, K\) with "
                                         r"T >= 1 positions"):
        f(np.zeros((0, 3)), P)
    with pytest.raises(ValueError, match=r"K >= 1 labels; got an array of shape \(4, 0\)"):
        f(np.zeros((4, 0)), np.zeros((0, 0)))
    with pytest.raises(ValueError, match="unary must be a 2-D array"):
        f(np.zeros(4), P)
    with pytest.raises(ValueError, match="unary must contain real numbers"):
        f([["a", "b"]], np.zeros((2, 2)))


def test_bad_labels_and_denoising_parameters_raise_named_errors():
    U, P = np.zeros((3, 2)), np.zeros((2, 2))
    with pytest.raises(ValueError, match=r"labels must have shape \(3,\)"):
        chain_score([0, 1], U, P)
    with pytest.raises(ValueError, match=r"must hold integer labels in 0..1 \(K = 2\); got 2$"):
        chain_score([0, 1, 2], U, P)
    with pytest.raises(ValueError, match="labels must hold integer labels.*got 0.5"):
        chain_score([0, 0.5, 1], U, P)
    with pytest.raises(ValueError, match="noisy_labels must hold integer labels in 0..2"):
        denoise_unary([0, 3], 3, 0.1)
    with pytest.raises(ValueError, match="noisy_labels must not be empty"):
        denoise_unary([], 3, 0.1)
    for p in (0.0, 1.0, -0.1, float("nan")):
        with pytest.raises(ValueError, match="flip_prob"):
            denoise_unary([0, 1], 2, p)
    with pytest.raises(ValueError, match="flip_prob must be <= 1"):
        make_noisy_sequence(10, 2, 1.5, 3)
    with pytest.raises(ValueError, match="K must be >= 1"):
        potts_pairwise(0, 1.0)
    with pytest.raises(ValueError, match="smoothness must be >= 0"):
        potts_pairwise(2, -1.0)
    with pytest.raises(ValueError, match="smoothness must be finite"):
        denoise_image_rows(np.zeros((2, 2), int), 2, 0.1, float("inf"))
    with pytest.raises(ValueError, match="T must be >= 1"):
        make_noisy_sequence(0, 2, 0.1, 3)
    with pytest.raises(ValueError, match="segment_length must be >= 1"):
        make_noisy_sequence(5, 2, 0.1, 0)
    with pytest.raises(ValueError, match="random_state"):
        make_noisy_sequence(5, 2, 0.1, 2, random_state=-1)
    with pytest.raises(ValueError, match="noisy_image must be a non-empty 2-D array"):
        denoise_image_rows(np.zeros(5, int), 2, 0.1, 1.0)
    with pytest.raises(ValueError, match="noisy_image must hold integer labels in 0..1"):
        denoise_image_icm(np.full((3, 3), 2), 2, 0.1, 1.0)
    with pytest.raises(ValueError, match=r"init must have shape \(3, 3\)"):
        denoise_image_icm(np.zeros((3, 3), int), 2, 0.1, 1.0, init=np.zeros((3, 4)))
    with pytest.raises(ValueError, match="max_iter must be >= 0"):
        denoise_image_icm(np.zeros((3, 3), int), 2, 0.1, 1.0, max_iter=-1)
    with pytest.raises(ValueError, match=r"unary must be a non-empty 3-D array .*\(H, W, K\)"):
        potts_grid_score(np.zeros((2, 2), int), np.zeros((2, 2)), 1.0)
