"""ece544core.cluster against scikit-learn (same initial centres, same Lloyd iterations), the
step functions, the monotone cost, our empty-cluster and tie rules, and bad inputs."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans as SkKMeans

from ece544core import _lloyd
from ece544core._history import History
from ece544core._validation import NotFittedError
from ece544core.base import clone
from ece544core.cluster import (KMeans, kmeans_assign, kmeans_cost, kmeans_init, kmeans_plusplus,
                                kmeans_update)
from ece544core.datasets import make_blobs


# ------------------------------------------------------------------------------ data
def _blobs():
    X, _ = make_blobs(n_samples=300, centers=4, cluster_std=2.5, random_state=7)
    return X, X[[0, 1, 2, 3]].copy()


def _gaussian_5d():
    rng = np.random.default_rng(11)
    X = rng.standard_normal((400, 5)) @ rng.standard_normal((5, 5)) + 3.0
    return X, X[rng.choice(400, 6, replace=False)].copy()


def _mnist(split):
    X = split[0][:1500] / 255.0
    return X, X[:10].copy()


def _sklearn(X, init, max_iter, tol=0.0):
    return SkKMeans(n_clusters=len(init), init=init, n_init=1, algorithm="lloyd",
                    max_iter=max_iter, tol=tol).fit(X)


def _assert_same_as_sklearn(X, init, max_iter, tol=0.0):
    ours = KMeans(n_clusters=len(init), init=init, max_iter=max_iter, tol=tol).fit(X)
    ref = _sklearn(X, init, max_iter, tol)
    assert np.all(np.bincount(ours.labels_, minlength=len(init)) > 0), \
        "an empty cluster: scikit-learn relocates it, we keep it (not comparable)"
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=0, atol=1e-8)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    assert abs(ours.inertia_ - ref.inertia_) <= 1e-8 * ref.inertia_
    return ours


# ------------------------------------------------------------------------------ vs scikit-learn
@pytest.mark.parametrize("make", [_blobs, _gaussian_5d])
@pytest.mark.parametrize("max_iter", [1, 2, 3, 5, 10, 300])
def test_lloyd_matches_sklearn(make, max_iter):
    X, init = make()
    _assert_same_as_sklearn(X, init, max_iter)


@pytest.mark.parametrize("max_iter", [1, 4, 20])
def test_lloyd_matches_sklearn_mnist(mnist_split, max_iter):
    X, init = _mnist(mnist_split)
    _assert_same_as_sklearn(X, init, max_iter)


@pytest.mark.parametrize("tol", [1e-4, 1e-2, 0.2])
def test_tolerance_rule_matches_sklearn(tol):
    """Stop when sum_k ||mu_k^new - mu_k||^2 <= tol * mean variance: same n_iter_."""
    X, init = _gaussian_5d()
    ours = _assert_same_as_sklearn(X, init, 300, tol)
    assert ours.n_iter_ < 300


def test_transform_predict_score_match_sklearn():
    X, init = _gaussian_5d()
    ours = KMeans(n_clusters=6, init=init, max_iter=50).fit(X)
    ref = _sklearn(X, init, 50, tol=1e-4)
    Xnew = np.random.default_rng(0).standard_normal((50, 5)) * 3 + 3
    np.testing.assert_allclose(ours.transform(Xnew), ref.transform(Xnew), rtol=1e-10)
    np.testing.assert_array_equal(ours.predict(Xnew), ref.predict(Xnew))
    assert ours.score(Xnew) == pytest.approx(ref.score(Xnew), rel=1e-10)
    assert ours.score(X) == pytest.approx(-ours.inertia_, rel=1e-12)
    np.testing.assert_array_equal(KMeans(6, init=init, max_iter=50).fit_predict(X), ours.labels_)
    np.testing.assert_allclose(KMeans(6, init=init, max_iter=50).fit_transform(X),
                               ours.transform(X))


def test_kmeans_plusplus_reaches_the_same_optimum_as_sklearn():
    X, _ = make_blobs(n_samples=400, centers=5, cluster_std=1.0, random_state=3)
    ours = KMeans(n_clusters=5, n_init=5, random_state=0).fit(X)
    ref = SkKMeans(n_clusters=5, n_init=10, random_state=0).fit(X)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-9)


# ------------------------------------------------------------------------------ step functions
def test_fit_equals_the_step_functions():
    X, init = _blobs()
    km = KMeans(n_clusters=4, init=init, max_iter=8, tol=0).fit(X)
    centers = init
    np.testing.assert_array_equal(km.history_["centers"][0], init)
    for t in range(1, km.n_iter_ + 1):
        labels, cost = kmeans_assign(X, centers)
        assert km.history_["cost_after_assign"][t] == pytest.approx(cost, rel=1e-10)
        centers = kmeans_update(X, labels, centers)
        np.testing.assert_allclose(km.history_["centers"][t], centers, atol=1e-10)
        assert km.history_["cost_after_update"][t] == pytest.approx(
            kmeans_cost(X, centers, labels), rel=1e-10)
        assert km.history_["objective"][t] == km.history_["cost_after_update"][t]
    np.testing.assert_allclose(km.cluster_centers_, centers, atol=1e-10)
    labels, cost = kmeans_assign(X, centers)
    np.testing.assert_array_equal(km.labels_, labels)
    assert km.inertia_ == pytest.approx(cost, rel=1e-10)


def test_history_shapes_and_interleaved_costs():
    X, init = _gaussian_5d()
    km = KMeans(n_clusters=6, init=init, max_iter=100, tol=0).fit(X)
    h, t = km.history_, km.n_iter_
    assert isinstance(h, History) and h.n_records == t + 1
    np.testing.assert_array_equal(h["iteration"], np.arange(t + 1))
    assert h["cost_after_assign"].shape == h["cost_after_update"].shape == (t + 1,)
    assert np.isnan(h["cost_after_assign"][0]) and np.isnan(h["cost_after_update"][0])
    np.testing.assert_array_equal(h["objective"], h["cost_after_update"])
    assert h["centers"].shape == (t + 1, 6, 5)
    np.testing.assert_array_equal(h["centers"][0], init)
    np.testing.assert_allclose(h["centers"][-1], km.cluster_centers_)
    seq = np.column_stack([h["cost_after_assign"][1:], h["cost_after_update"][1:]]).ravel()
    assert np.all(np.diff(seq) <= 1e-12 * seq[0])
    assert km.inertia_ <= h["cost_after_update"][-1] * (1 + 1e-12)
    assert t < 100  # converged: the labels stopped changing, the last shift is exactly 0
    np.testing.assert_array_equal(h["centers"][-1], h["centers"][-2])


def test_kmeans_assign_and_cost_match_brute_force():
    rng = np.random.default_rng(1)
    X, C = rng.standard_normal((80, 3)), rng.standard_normal((5, 3))
    D = ((X[:, None, :] - C[None]) ** 2).sum(axis=2)
    labels, cost = kmeans_assign(X, C)
    np.testing.assert_array_equal(labels, D.argmin(axis=1))
    assert cost == pytest.approx(D.min(axis=1).sum(), rel=1e-12)
    assert kmeans_cost(X, C) == pytest.approx(cost, rel=1e-12)
    assert kmeans_cost(X, C, labels) == pytest.approx(cost, rel=1e-12)
    other = (labels + 1) % 5
    assert kmeans_cost(X, C, other) == pytest.approx(D[np.arange(80), other].sum(), rel=1e-12)
    new = kmeans_update(X, labels, C)
    for k in range(5):
        np.testing.assert_allclose(new[k], X[labels == k].mean(axis=0), rtol=1e-12)


def test_far_from_origin_data_is_accurate():
    """The distances are computed on centred data, so a huge offset changes nothing."""
    X, init = _blobs()
    a = KMeans(n_clusters=4, init=init, max_iter=20).fit(X)
    b = KMeans(n_clusters=4, init=init + 1e8, max_iter=20).fit(X + 1e8)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_allclose(b.cluster_centers_ - 1e8, a.cluster_centers_, atol=1e-6)
    assert b.inertia_ == pytest.approx(a.inertia_, rel=1e-6)
    labels, cost = kmeans_assign(X + 1e8, a.cluster_centers_ + 1e8)
    np.testing.assert_array_equal(labels, a.labels_)
    assert cost == pytest.approx(a.inertia_, rel=1e-6)


def test_incremental_sums_equal_full_sums():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((500, 4))
    old = rng.integers(0, 6, size=500)
    new = old.copy()
    new[rng.choice(500, 40, replace=False)] = rng.integers(0, 6, size=40)
    sums, counts = _lloyd._cluster_sums(X, old, 6)
    _lloyd._move_sums(X, old, new, sums, counts)
    ref_sums, ref_counts = _lloyd._cluster_sums(X, new, 6)
    np.testing.assert_allclose(sums, ref_sums, atol=1e-12)
    np.testing.assert_array_equal(counts, ref_counts)


@pytest.mark.parametrize("chunk_rows", [1, 7, 1024])
def test_blocks_do_not_change_the_result(chunk_rows):
    rng = np.random.default_rng(2)
    X, C = rng.standard_normal((50, 3)), rng.standard_normal((4, 3))
    x_sq = np.einsum("ij,ij->i", X, X)
    ref = _lloyd._assign_blocks(X, x_sq, C, np.zeros(50, dtype=int), chunk_rows=50)
    got = _lloyd._assign_blocks(X, x_sq, C, np.zeros(50, dtype=int), chunk_rows=chunk_rows)
    np.testing.assert_array_equal(ref[0], got[0])  # labels
    for a, b in zip(ref[1:], got[1:]):  # one-row blocks are a GEMV: rounding may differ
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)
    sums, counts = _lloyd._cluster_sums(X, ref[0], 4, chunk_rows=chunk_rows)
    np.testing.assert_allclose(sums, _lloyd._cluster_sums(X, ref[0], 4)[0], atol=1e-12)


# ------------------------------------------------------------------------------ invariants
@st.composite
def _problems(draw):
    n = draw(st.integers(5, 60))
    d = draw(st.integers(1, 4))
    k = draw(st.integers(1, min(6, n)))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * draw(st.sampled_from([1e-3, 1.0, 1e3]))
    if draw(st.booleans()):  # lumpy data with duplicated points
        X = np.round(X[rng.integers(0, max(1, n // 3), size=n)], 1)
    return X, k, seed, draw(st.sampled_from(["k-means++", "random"]))


@settings(max_examples=40, deadline=None)
@given(_problems())
def test_cost_never_rises_and_centres_are_never_nan(problem):
    X, k, seed, init = problem
    km = KMeans(n_clusters=k, init=init, max_iter=50, tol=0, random_state=seed).fit(X)
    h = km.history_
    seq = np.column_stack([h["cost_after_assign"][1:], h["cost_after_update"][1:]]).ravel()
    seq = np.append(seq, km.inertia_)
    # the spread, plus sum ||x||^2 for rounding in ||x||^2 - 2 x^T c + ||c||^2 (identical points)
    scale = np.sum((X - X.mean(axis=0)) ** 2) + 1e-4 * np.sum(X * X) + 1e-300
    assert np.all(np.diff(seq) <= 1e-10 * scale)
    assert np.all(np.isfinite(h["centers"])) and np.all(np.isfinite(km.cluster_centers_))
    assert km.inertia_ == pytest.approx(kmeans_cost(X, km.cluster_centers_, km.labels_),
                                        rel=1e-9, abs=1e-9 * scale)
    # the step functions obey the same order: assign, then update, cannot raise J
    labels, cost = kmeans_assign(X, km.history_["centers"][0])
    new = kmeans_update(X, labels, km.history_["centers"][0])
    assert kmeans_cost(X, new, labels) <= cost + 1e-10 * scale


# ------------------------------------------------------------------------------ our rules
def test_empty_cluster_keeps_its_previous_centre():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0], [11.0, 0.0]])
    C = np.array([[0.5, 0.0], [10.5, 0.0], [100.0, 100.0]])  # nobody is close to the third
    labels, _ = kmeans_assign(X, C)
    np.testing.assert_array_equal(labels, [0, 0, 1, 1])
    new = kmeans_update(X, labels, C)
    np.testing.assert_array_equal(new, C)
    km = KMeans(n_clusters=3, init=C, max_iter=10).fit(X)
    assert np.all(np.isfinite(km.cluster_centers_)) and np.all(np.isfinite(km.history_["centers"]))
    np.testing.assert_array_equal(km.cluster_centers_[2], [100.0, 100.0])
    assert km.inertia_ == pytest.approx(1.0)


def test_identical_initial_centres_tie_to_the_lowest_index():
    X, _ = _blobs()
    C = np.vstack([X[:2], X[:1]])  # centres 0 and 2 coincide: 2 loses every tie ...
    labels, _ = kmeans_assign(X, C)
    assert np.bincount(labels, minlength=3)[2] == 0
    np.testing.assert_array_equal(kmeans_update(X, labels, C)[2], X[0])  # ... and stays put
    km = KMeans(n_clusters=3, init=C, max_iter=1).fit(X)
    np.testing.assert_allclose(km.history_["centers"][1, 2], X[0], rtol=1e-15)
    km = KMeans(n_clusters=3, init=C, max_iter=50).fit(X)  # later it wins points again
    assert np.all(np.isfinite(km.history_["centers"]))
    assert np.all(np.diff(km.history_["cost_after_assign"][1:]) <= 1e-9)


def test_equidistant_point_goes_to_the_lowest_index():
    labels, cost = kmeans_assign([[0.0], [5.0]], [[-1.0], [1.0]])
    assert labels.tolist() == [0, 1] and cost == pytest.approx(17.0)


def test_kmeans_plusplus_rows_indices_and_seeding():
    X, _ = _blobs()
    C, idx = kmeans_plusplus(X, 4, random_state=0)
    np.testing.assert_array_equal(C, X[idx])
    assert len(set(idx.tolist())) == 4
    C2, idx2 = kmeans_plusplus(X, 4, random_state=0)
    np.testing.assert_array_equal(idx, idx2)
    # k distinct values repeated: D^2 sampling finds every distinct value
    Xd = np.repeat(np.arange(6.0)[:, None] * 10, 20, axis=0)
    C, _ = kmeans_plusplus(Xd, 6, random_state=1, n_local_trials=1)
    assert sorted(C[:, 0].tolist()) == [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
    # more clusters than distinct points: still rows of X, no error
    C, idx = kmeans_plusplus(np.zeros((5, 2)), 3, random_state=0)
    assert C.shape == (3, 2) and np.all(C == 0)


def test_kmeans_plusplus_samples_proportional_to_squared_distance():
    """Textbook D^2 sampling on {0, 1, 3}: after the first centre 0, pick 1 w.p. 1/10 and 3
    w.p. 9/10."""
    X = np.array([[0.0], [1.0], [3.0]])
    rng = np.random.default_rng(0)
    second = [kmeans_plusplus(X, 2, random_state=rng, n_local_trials=1)[1]
              for _ in range(3000)]
    second = np.array([s[1] for s in second if s[0] == 0])
    assert len(second) > 800
    assert np.mean(second == 2) == pytest.approx(0.9, abs=0.04)


@pytest.mark.parametrize("init", ["k-means++", "random"])
@pytest.mark.parametrize("seed", [0, 3, 17])
def test_kmeans_init_is_the_start_of_kmeans(init, seed):
    X, _ = _gaussian_5d()
    start = kmeans_init(X, 6, init, random_state=seed)
    km = KMeans(n_clusters=6, init=init, random_state=seed, max_iter=3).fit(X)
    np.testing.assert_array_equal(km.history_["centers"][0], start)
    # and the run from those centres is the same run
    again = KMeans(n_clusters=6, init=start, max_iter=3).fit(X)
    np.testing.assert_array_equal(again.cluster_centers_, km.cluster_centers_)


def test_kmeans_init_random_is_k_distinct_uniform_rows():
    """By hand: the rows numpy's Generator.choice draws without replacement."""
    X, _ = _gaussian_5d()
    rows = np.random.default_rng(5).choice(len(X), size=6, replace=False)
    np.testing.assert_array_equal(kmeans_init(X, 6, "random", random_state=5), X[rows])
    assert len(np.unique(kmeans_init(X[:6], 6, "random", random_state=1), axis=0)) == 6
    np.testing.assert_array_equal(kmeans_init(X, 4, "k-means++", random_state=2),
                                  kmeans_plusplus(X, 4, random_state=2)[0])
    with pytest.raises(ValueError, match="n_clusters must be <= n_samples = 6"):
        kmeans_init(X[:6], 7, "random", random_state=0)
    with pytest.raises(ValueError, match="init must be one of"):
        kmeans_init(X, 3, "forgy")


def test_n_init_keeps_the_best_start():
    X, _ = make_blobs(n_samples=200, centers=6, cluster_std=2.0, random_state=0)
    one = KMeans(n_clusters=6, init="random", n_init=1, random_state=3).fit(X)
    many = KMeans(n_clusters=6, init="random", n_init=8, random_state=3).fit(X)
    assert many.inertia_ <= one.inertia_
    again = KMeans(n_clusters=6, init="random", n_init=8, random_state=3).fit(X)
    np.testing.assert_array_equal(again.cluster_centers_, many.cluster_centers_)


def test_estimator_contract():
    km = KMeans(n_clusters=3, random_state=0)
    assert km.get_params()["n_clusters"] == 3 and "KMeans(n_clusters=3" in repr(km)
    assert clone(km).get_params() == km.get_params()
    assert km.fit(_blobs()[0]) is km and km.n_features_in_ == 2
    assert km.labels_.shape == (300,) and isinstance(km.inertia_, float)


# ------------------------------------------------------------------------------ bad inputs
@pytest.mark.parametrize("kwargs, X, match", [
    (dict(n_clusters=5), np.zeros((4, 2)), r"n_clusters must be <= n_samples = 4"),
    (dict(n_clusters=0), np.zeros((4, 2)), r"n_clusters must be >= 1"),
    (dict(n_clusters=2.5), np.zeros((4, 2)), r"n_clusters must be an integer"),
    (dict(n_clusters=2), np.array([[0.0, 1.0], [np.nan, 0.0], [1.0, 1.0]]), r"X must be finite"),
    (dict(n_clusters=2, init=np.zeros((3, 2))), np.ones((4, 2)),
     r"init must have shape \(n_clusters, n_features\) = \(2, 2\); got shape \(3, 2\)"),
    (dict(n_clusters=2, init=np.zeros((2, 3))), np.ones((4, 2)), r"init must have shape"),
    (dict(n_clusters=2, init=[[0.0, np.nan], [1.0, 1.0]]), np.ones((4, 2)), r"init must be finite"),
    (dict(n_clusters=2, init="kmeans"), np.ones((4, 2)), r"init must be one of"),
    (dict(n_clusters=2, tol=-1.0), np.ones((4, 2)), r"tol must be >= 0"),
    (dict(n_clusters=2, max_iter=0), np.ones((4, 2)), r"max_iter must be >= 1"),
    (dict(n_clusters=2, n_init=0), np.ones((4, 2)), r"n_init must be >= 1"),
    (dict(n_clusters=2), np.ones(4), r"X must be a 2-D array"),
])
def test_fit_bad_inputs_name_the_argument(kwargs, X, match):
    with pytest.raises(ValueError, match=match):
        KMeans(**kwargs).fit(X)


def test_step_function_bad_inputs():
    X = np.ones((4, 2))
    with pytest.raises(ValueError, match=r"centers must have shape \(n_clusters, n_features\) "
                                         r"with n_features = 2"):
        kmeans_assign(X, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"labels must have shape \(n_samples,\) = \(4,\)"):
        kmeans_update(X, [0, 1], np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"labels must be integers in \[0, n_clusters\)"):
        kmeans_update(X, [0, 1, 2, 0], np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"labels must be integers"):
        kmeans_cost(X, np.zeros((2, 2)), [0, 0.5, 1, 1])
    with pytest.raises(ValueError, match=r"X must be finite"):
        kmeans_assign([[np.inf, 0.0]], np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"n_clusters must be <= n_samples = 4"):
        kmeans_plusplus(X, 5)
    with pytest.raises(ValueError, match=r"n_local_trials must be >= 1"):
        kmeans_plusplus(X, 2, n_local_trials=0)


def test_predict_before_fit_and_wrong_features():
    with pytest.raises(NotFittedError):
        KMeans(n_clusters=2).predict(np.ones((3, 2)))
    km = KMeans(n_clusters=2, random_state=0).fit(np.arange(12.0).reshape(6, 2))
    with pytest.raises(ValueError, match=r"X has 3 feature\(s\) but the estimator was fitted "
                                         r"with 2"):
        km.transform(np.ones((2, 3)))
