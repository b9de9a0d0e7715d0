"""ece544core.neighbors against scikit-learn, plus our own documented tie rules and bad inputs."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist
from sklearn.neighbors import KNeighborsClassifier as SkKNN

from ece544core import neighbors as nb
from ece544core._validation import NotFittedError
from ece544core.datasets import make_blobs, make_moons
from ece544core.neighbors import KNeighborsClassifier, knn_vote, pairwise_distances, vote_ties

SCIPY_METRIC = {"euclidean": "euclidean", "manhattan": "cityblock"}


# ------------------------------------------------------------------------------ data
def _blobs():
    X, y = make_blobs(n_samples=260, centers=4, cluster_std=2.0, random_state=1)
    return X[:200], y[:200], X[200:], y[200:]


def _moons():
    X, y = make_moons(n_samples=300, noise=0.25, random_state=2)
    return X[:220], y[:220] * 5 - 2, X[220:], y[220:] * 5 - 2  # labels -2 and 3


def _duplicates():
    """Training set with duplicated points (some relabelled), queries on top of training points."""
    rng = np.random.default_rng(3)
    base = rng.standard_normal((80, 3))
    Xtr = np.vstack([base, base[:40]])
    ytr = rng.choice(np.array(["cat", "dog", "emu"]), size=len(Xtr))
    Xte = np.vstack([rng.standard_normal((40, 3)), base[:15], base[60:70]])
    return Xtr, ytr, Xte, None


def _mnist(split):
    Xtr, ytr, Xte, yte = split
    return Xtr[:1000], ytr[:1000], Xte[:100], yte[:100]  # uint8, integer-exact distances


def _boundary_tie_free(Xtr, Xte, k, metric):
    """Rows whose k-th and (k+1)-th exact distances differ (scikit-learn's order is unspecified
    among equal distances, so only these rows have a well-defined neighbour set)."""
    D = np.sort(cdist(np.asarray(Xte, float), np.asarray(Xtr, float), SCIPY_METRIC[metric]), 1)
    if k == D.shape[1]:
        return np.ones(len(D), dtype=bool)
    return D[:, k] - D[:, k - 1] > 1e-9 * (1.0 + D[:, k])


def _compare_with_sklearn(Xtr, ytr, Xte, k, metric, weights):
    ours = KNeighborsClassifier(n_neighbors=k, metric=metric, weights=weights).fit(Xtr, ytr)
    ref = SkKNN(n_neighbors=k, metric=metric, weights=weights, algorithm="brute").fit(Xtr, ytr)
    ok = _boundary_tie_free(Xtr, Xte, k, metric)
    assert ok.mean() > 0.25, "too few rows free of boundary ties to compare"
    assert np.array_equal(ours.classes_, ref.classes_)
    P, P_ref = ours.predict_proba(Xte), ref.predict_proba(Xte)
    np.testing.assert_allclose(P[ok], P_ref[ok], rtol=0, atol=1e-12)
    clear = ok & ~vote_ties(P)  # a tied vote may round either way in the last bit
    pred = ours.predict(Xte)
    assert np.array_equal(pred[clear], ref.predict(Xte)[clear])
    assert np.array_equal(pred, ours.classes_[np.argmax(P, axis=1)])
    dist, ind = ours.kneighbors(Xte)
    dist_ref, ind_ref = ref.kneighbors(Xte)
    assert np.array_equal(np.sort(ind[ok], 1), np.sort(ind_ref[ok], 1))
    np.testing.assert_allclose(dist[ok], dist_ref[ok], rtol=1e-10, atol=1e-12)
    assert np.all(np.diff(dist, axis=1) >= 0)


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("make", [_blobs, _moons, _duplicates])
@pytest.mark.parametrize("k", [1, 4, 9, 25])
def test_matches_sklearn_toy(make, k, metric, weights):
    Xtr, ytr, Xte, _ = make()
    _compare_with_sklearn(Xtr, ytr, Xte, k, metric, weights)


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("k", [1, 5])
def test_matches_sklearn_mnist(mnist_split, k, metric, weights):
    Xtr, ytr, Xte, _ = _mnist(mnist_split)
    _compare_with_sklearn(Xtr, ytr, Xte, k, metric, weights)


def test_mnist_accuracy_and_uint8_equals_float(mnist_split):
    Xtr, ytr, Xte, yte = _mnist(mnist_split)
    clf = KNeighborsClassifier(n_neighbors=3).fit(Xtr, ytr)
    assert clf.score(Xte, yte) > 0.75
    same = KNeighborsClassifier(n_neighbors=3).fit(Xtr.astype(float), ytr)
    assert np.array_equal(clf.predict(Xte), same.predict(Xte.astype(float)))


def test_kneighbors_without_X_excludes_self_like_sklearn():
    Xtr, ytr, _, _ = _blobs()
    ours = KNeighborsClassifier(n_neighbors=4).fit(Xtr, ytr)
    ref = SkKNN(n_neighbors=4, algorithm="brute").fit(Xtr, ytr)
    d, i = ours.kneighbors()
    d_ref, i_ref = ref.kneighbors()
    assert np.array_equal(i, i_ref)
    np.testing.assert_allclose(d, d_ref, rtol=1e-10)
    assert not np.any(i == np.arange(len(Xtr))[:, None])
    assert np.array_equal(ours.kneighbors(n_neighbors=2, return_distance=False), i[:, :2])


def test_kneighbors_without_X_with_duplicates():
    X = np.array([[0.0], [0.0], [5.0]])
    clf = KNeighborsClassifier(n_neighbors=1).fit(X, [0, 1, 2])
    _, ind = clf.kneighbors()
    assert ind[:, 0].tolist() == [1, 0, 0]


# ------------------------------------------------------------------------------ our tie rules
@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
def test_equal_distances_lower_index_first(metric):
    X = np.array([[1.0], [-1.0], [3.0], [-1.0], [1.0]])  # distances to 0: 1 1 3 1 1
    y = np.array([0, 1, 0, 1, 2])
    clf = KNeighborsClassifier(metric=metric).fit(X, y)
    for k, expected in [(1, [0]), (2, [0, 1]), (3, [0, 1, 3]), (4, [0, 1, 3, 4]),
                        (5, [0, 1, 3, 4, 2])]:
        dist, ind = clf.kneighbors([[0.0]], n_neighbors=k)
        assert ind[0].tolist() == expected
        assert dist[0].tolist() == [1.0] * min(k, 4) + [3.0] * (k == 5)


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
def test_tie_rule_on_a_ring_under_permutation(metric):
    ring = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [2.0, 2.0]])
    for perm in ([0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 4, 0, 3, 1]):
        X = ring[perm]
        clf = KNeighborsClassifier(n_neighbors=2, metric=metric).fit(X, np.arange(5))
        ind = clf.kneighbors([[0.0, 0.0]], return_distance=False)[0]
        tied = [i for i in range(5) if perm[i] != 4]  # the four ring points, by index
        assert ind.tolist() == tied[:2]


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
def test_tie_rule_equals_stable_sort_on_integer_grid(metric):
    rng = np.random.default_rng(7)
    Xtr = rng.integers(0, 5, size=(300, 2)).astype(float)
    Xte = rng.integers(0, 5, size=(60, 2)).astype(float)
    D = cdist(Xte, Xtr, SCIPY_METRIC[metric])  # exact on small integers
    for k in (1, 7, 40, 300):
        clf = KNeighborsClassifier(n_neighbors=k, metric=metric).fit(Xtr, np.zeros(300))
        dist, ind = clf.kneighbors(Xte)
        expected = np.argsort(D, axis=1, kind="stable")[:, :k]
        assert np.array_equal(ind, expected)
        assert np.array_equal(dist, np.take_along_axis(D, expected, axis=1))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.integers(1, 90), st.integers(1, 9), st.integers(0, 2**32 - 1))
def test_k_smallest_is_stable_sort_prefix(m, n, levels, seed):
    rng = np.random.default_rng(seed)
    S = rng.integers(0, levels, size=(m, n)).astype(float)
    for k in {1, (n + 1) // 2, n}:
        assert np.array_equal(nb._k_smallest(S, k), np.argsort(S, 1, kind="stable")[:, :k])


def test_vote_tie_goes_to_first_class_and_is_flagged():
    X = np.array([[1.0], [-1.0], [3.0], [-1.0], [1.0]])
    y = np.array(["b", "a", "b", "a", "c"])  # classes_ = a, b, c
    clf = KNeighborsClassifier(n_neighbors=2).fit(X, y)
    P = clf.predict_proba([[0.0], [3.0]])
    assert P[0].tolist() == [0.5, 0.5, 0.0]  # neighbours 0 ('b') and 1 ('a')
    assert clf.predict([[0.0]])[0] == "a"
    assert vote_ties(P).tolist() == [True, False]
    assert vote_ties(np.array([[0.5, 0.3, 0.2], [0.4, 0.4, 0.2], [1.0, 0.0, 0.0]])).tolist() \
        == [False, True, False]
    assert vote_ties(np.ones((3, 1))).tolist() == [False] * 3


def test_distance_weights_zero_distance_rule():
    X = np.array([[0.0], [0.0], [1.0], [1.5]])
    y = np.array(["a", "b", "c", "c"])
    clf = KNeighborsClassifier(n_neighbors=4, weights="distance").fit(X, y)
    P = clf.predict_proba([[0.0], [0.5]])
    assert P[0].tolist() == [0.5, 0.5, 0.0]  # only the exact matches vote
    w = 1 / np.array([0.5, 0.5, 0.5, 1.0])  # a, b, c, c
    assert np.allclose(P[1], [w[0], w[1], w[2] + w[3]] / w.sum())
    dist, _ = clf.kneighbors([[0.0]])
    assert dist[0, :2].tolist() == [0.0, 0.0]


# ------------------------------------------------------------------------------ behaviour
def test_labels_and_attributes():
    Xtr, ytr, Xte, _ = _moons()
    clf = KNeighborsClassifier(n_neighbors=3).fit(Xtr, ytr)
    assert clf.classes_.tolist() == [-2, 3]
    assert set(clf.predict(Xte)) <= {-2, 3}
    assert clf.n_features_in_ == 2 and clf.n_samples_fit_ == len(Xtr)
    assert clf.predict_proba(Xte).shape == (len(Xte), 2)
    assert np.allclose(clf.predict_proba(Xte).sum(axis=1), 1.0)
    assert 0.8 < clf.score(Xte, _moons()[3]) <= 1.0
    assert repr(clf) == "KNeighborsClassifier(n_neighbors=3, metric='euclidean', " \
                        "weights='uniform')"


def test_hyperparameters_changed_after_fit():
    Xtr, ytr, Xte, _ = _blobs()
    clf = KNeighborsClassifier(n_neighbors=3, metric="manhattan").fit(Xtr, ytr)
    clf.set_params(metric="euclidean", n_neighbors=7, weights="distance")
    fresh = KNeighborsClassifier(n_neighbors=7, weights="distance").fit(Xtr, ytr)
    assert np.array_equal(clf.predict_proba(Xte), fresh.predict_proba(Xte))
    clf.set_params(n_neighbors=len(Xtr) + 1)
    with pytest.raises(ValueError, match="n_neighbors must be <= the number of training"):
        clf.predict(Xte)


def test_predict_without_X_is_leave_one_out_like_sklearn():
    Xtr, ytr, _, _ = _blobs()
    for weights in ("uniform", "distance"):
        ours = KNeighborsClassifier(n_neighbors=5, weights=weights).fit(Xtr, ytr)
        ref = SkKNN(n_neighbors=5, weights=weights, algorithm="brute").fit(Xtr, ytr)
        np.testing.assert_allclose(ours.predict_proba(None), ref.predict_proba(None),
                                   rtol=0, atol=1e-12)
        assert np.array_equal(ours.predict(None), ref.predict(None))


def test_fit_copies_training_data():
    X = np.array([[0.0], [1.0], [5.0]])
    clf = KNeighborsClassifier(n_neighbors=1).fit(X, [0, 1, 2])
    X[:] = 100.0
    assert clf.predict([[0.9]])[0] == 1


def test_chunking_does_not_change_results(monkeypatch):
    Xtr, ytr, Xte, _ = _duplicates()
    for metric in ("euclidean", "manhattan"):
        clf = KNeighborsClassifier(n_neighbors=6, metric=metric, weights="distance")
        clf.fit(Xtr, ytr)
        d0, i0 = clf.kneighbors(Xte)
        P0 = clf.predict_proba(Xte)
        monkeypatch.setattr(nb, "CHUNK_BYTES", 2000)  # a few rows per chunk
        d1, i1 = clf.kneighbors(Xte)
        assert np.array_equal(i0, i1) and np.array_equal(d0, d1)
        assert np.array_equal(P0, clf.predict_proba(Xte))
        monkeypatch.undo()


def test_manhattan_blocks_of_training_rows_give_the_same_distances(monkeypatch, rng):
    Xq, Xt = rng.integers(0, 256, (3, 50)).astype(float), rng.integers(0, 256, (37, 50)) * 1.0
    whole = np.abs(Xq[:, None, :] - Xt[None, :, :]).sum(axis=2)
    for block_bytes in (1, 8 * 3 * 50 * 5, 10**9):  # 1 row, 5 rows (a ragged last block), all
        assert np.array_equal(nb._manhattan(Xq, Xt, block_bytes=block_bytes), whole)
    np.testing.assert_array_equal(whole, cdist(Xq, Xt, "cityblock"))
    Xtr, ytr, Xte, _ = _duplicates()
    clf = KNeighborsClassifier(n_neighbors=6, metric="manhattan").fit(Xtr, ytr)
    d0, i0 = clf.kneighbors(Xte)
    monkeypatch.setattr(nb, "MANHATTAN_BLOCK_BYTES", 200)  # a few training rows per block
    d1, i1 = clf.kneighbors(Xte)
    assert np.array_equal(i0, i1) and np.array_equal(d0, d1)


def test_manhattan_mnist_query_memory_is_bounded(mnist_split):
    """One MNIST digit against the 8,000 training digits: no (1, 8000, 784) block (50 MB)."""
    import tracemalloc
    Xtr, ytr, Xte, _ = mnist_split
    clf = KNeighborsClassifier(n_neighbors=30, metric="manhattan").fit(Xtr, ytr)
    tracemalloc.start()
    try:
        dist, ind = clf.kneighbors(Xte[:1])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * nb.MANHATTAN_BLOCK_BYTES
    np.testing.assert_array_equal(dist[0], np.sort(cdist(Xte[:1], Xtr, "cityblock")[0])[:30])


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
def test_pairwise_distances_matches_scipy(metric, rng):
    X, Y = rng.standard_normal((7, 4)), rng.standard_normal((5, 4))
    np.testing.assert_allclose(pairwise_distances(X, Y, metric=metric),
                               cdist(X, Y, SCIPY_METRIC[metric]), rtol=1e-10, atol=1e-12)
    assert pairwise_distances(X, metric=metric).shape == (7, 7)


# ------------------------------------------------------------------------------ bad input
X4 = np.arange(8.0).reshape(4, 2)
Y4 = np.array([0, 1, 0, 1])


@pytest.mark.parametrize("params, match", [
    (dict(n_neighbors=0), "n_neighbors must be >= 1; got 0"),
    (dict(n_neighbors=2.5), "n_neighbors must be an integer"),
    (dict(n_neighbors=5), r"n_neighbors must be <= the number of training samples \(4\)"),
    (dict(metric="cosine"), "metric must be one of 'euclidean', 'manhattan'; got 'cosine'"),
    (dict(weights="gaussian"), "weights must be one of 'uniform', 'distance'"),
])
def test_bad_hyperparameters(params, match):
    with pytest.raises(ValueError, match=match):
        KNeighborsClassifier(**params).fit(X4, Y4)


@pytest.mark.parametrize("X, y, match", [
    (np.array([[0.0, np.nan], [1, 1], [2, 2], [3, 3]]), Y4, "X must be finite.*NaN"),
    (np.array([[0.0, np.inf], [1, 1], [2, 2], [3, 3]]), Y4, "X must be finite.*infinity"),
    (np.zeros((0, 2)), [], "X must have at least 1 sample"),
    (np.arange(4.0), Y4, "X must be a 2-D array"),
    (X4, [0, 1, 0], "X and y must have the same number of samples"),
    (X4, np.zeros((4, 2)), r"y must be an array of shape \(n_samples,\)"),
    (X4, [0, 1, None, 1], "y must not contain None"),
])
def test_bad_training_data(X, y, match):
    with pytest.raises(ValueError, match=match):
        KNeighborsClassifier(n_neighbors=1).fit(X, y)


def test_bad_queries():
    clf = KNeighborsClassifier(n_neighbors=2)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        clf.predict(X4)
    with pytest.raises(ValueError, match="not fitted"):
        clf.kneighbors(X4)
    clf.fit(X4, Y4)
    with pytest.raises(ValueError, match=r"X has 3 feature\(s\) but the estimator was fitted "
                                         r"with 2"):
        clf.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="X must be finite"):
        clf.predict_proba([[np.nan, 0.0]])
    with pytest.raises(ValueError, match="X must have at least 1 sample"):
        clf.predict(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="n_neighbors must be <= the number of training"):
        clf.kneighbors(X4, n_neighbors=5)
    with pytest.raises(ValueError, match=r"n_neighbors must be <= n_samples_fit_ - 1 = 3"):
        clf.kneighbors(n_neighbors=4)
    with pytest.raises(ValueError, match="n_neighbors must be >= 1"):
        clf.kneighbors(X4, n_neighbors=0)
    clf.set_params(metric="foo")
    with pytest.raises(ValueError, match="metric must be one of"):
        clf.predict(X4)


@pytest.mark.parametrize("n_train", [83, 700])          # stable full sort / grouped selection
@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_one_query_with_k_max_serves_every_smaller_k(n_train, metric, weights):
    """knn_vote on the first k of k_max neighbours equals predict_proba with n_neighbors=k."""
    X, y = make_moons(n_samples=n_train - 3, noise=0.3, random_state=1)
    X = np.vstack([X, X[:3]])                     # exact duplicates: distance ties and d = 0
    y = np.concatenate([y, 1 - y[:3]])
    Q = np.vstack([np.random.default_rng(2).uniform(-1.5, 2.5, size=(300, 2)), X[:5]])
    k_max = 30
    dist, ind = KNeighborsClassifier(n_neighbors=k_max, metric=metric).fit(X, y).kneighbors(Q)
    for k in (1, 2, 5, 12, 30):
        core = KNeighborsClassifier(n_neighbors=k, metric=metric, weights=weights).fit(X, y)
        cd, ci = core.kneighbors(Q)
        np.testing.assert_array_equal(ind[:, :k], ci)
        np.testing.assert_allclose(dist[:, :k], cd, atol=1e-12)
        proba = knn_vote(ind[:, :k], y, 2, dist[:, :k], weights)
        np.testing.assert_allclose(proba, core.predict_proba(Q), atol=1e-12)


def test_knn_vote_needs_distances_for_distance_weights():
    with pytest.raises(ValueError, match="dist"):
        knn_vote(np.zeros((2, 3), dtype=int), np.zeros(5, dtype=int), 2, None, "distance")
