"""KNNDemo through its parameters: regions, clicks, errors, ties, and the MNIST panel."""
from __future__ import annotations

import numpy as np
import pytest
from bokeh.events import Tap

from ece544core import datasets
from ece544core.neighbors import KNeighborsClassifier
from ece544lab.demos.knn import GRID_N, KNNDemo
from ece544lab.views.plotting import PALETTE


def region(demo: KNNDemo) -> np.ndarray:
    return np.array(demo.region_source.data["image"][0])


def test_default_view_is_drawn(knn):
    assert knn.error == ""
    img = region(knn)
    assert img.shape == (GRID_N, GRID_N) and img.dtype == np.uint32
    n_train = knn.result.stats["n_train"][1]
    assert len(knn.train_source.data["x"]) == n_train > 0
    assert len(knn.test_source.data["x"]) == knn.result.stats["n_test"][1] > 0
    assert {s.name for s in (knn.region_source, knn.train_source, knn.test_source,
                             knn.mnist_source)} == {"knn-regions", "knn-points", "knn-test",
                                                    "knn-mnist-neighbours"}


def test_changing_k_changes_the_region_image(knn):
    before = region(knn).copy()
    knn.n_neighbors = 1
    after = region(knn)
    assert not np.array_equal(before, after)
    assert knn.result.stats["k"][1] == 1
    assert knn.result.stats["train_accuracy"][1] == 1.0  # every training point is its own 1-NN


def test_region_image_and_accuracies_match_the_core(knn):
    knn.param.update(n_neighbors=4, weights="distance", dataset="circles")
    X, y = knn.result.X, knn.result.y
    Xte, yte = np.c_[knn.test_source.data["x"], knn.test_source.data["y"]], \
        np.asarray(knn.test_source.data["label"])
    core = KNeighborsClassifier(n_neighbors=4, weights="distance").fit(X, y)
    assert knn.result.stats["train_accuracy"][1] == pytest.approx(core.score(X, y))
    assert knn.result.stats["test_accuracy"][1] == pytest.approx(core.score(Xte, yte))
    np.testing.assert_array_equal(knn.test_source.data["pred"], core.predict(Xte))


def test_tap_adds_a_training_point_of_the_chosen_class(knn):
    n = len(knn.train_source.data["x"])
    knn.canvas.picker.value = 2                                     # the class picker
    knn.fig._trigger_event(Tap(model=knn.fig, x=0.25, y=-0.75))   # as a click in the browser
    data = knn.train_source.data
    assert len(data["x"]) == n + 1
    assert (data["x"][-1], data["y"][-1], data["label"][-1]) == (0.25, -0.75, 2)
    assert data["color"][-1] == PALETTE[2]
    assert knn.result.stats["n_clicked"][1] == 1
    # a k change keeps the clicked point; "Reset data" removes it
    knn.n_neighbors = 3
    assert len(knn.train_source.data["x"]) == n + 1
    knn.canvas.clear_clicked()                                      # the "Reset data" button
    assert len(knn.train_source.data["x"]) == n and knn.result.stats["n_clicked"][1] == 0


def test_k_larger_than_the_training_set_shows_an_error_then_recovers(knn):
    knn.param.update(n_samples=20, test_size=0.5)          # 10 training points
    good = region(knn).copy()
    knn.n_neighbors = 25
    assert "n_neighbors" in knn.error and "10" in knn.error and "25" in knn.error
    np.testing.assert_array_equal(region(knn), good)    # plots keep their last good state
    knn.n_neighbors = 3
    assert knn.error == ""
    assert knn.result.stats["k"][1] == 3 and not np.array_equal(region(knn), good)


def test_even_k_on_two_classes_draws_tied_cells_grey(knn):
    knn.n_neighbors = 2
    n_ties = knn.result.stats["tied_cells"][1]
    assert n_ties > 0
    rgba = region(knn).view(np.uint8).reshape(GRID_N, GRID_N, 4)
    grey = np.all(rgba[..., :3] == 128, axis=2)
    assert grey.sum() == n_ties
    knn.n_neighbors = 3
    assert knn.result.stats["tied_cells"][1] == 0             # odd k, two classes: no ties


def test_custom_data_starts_empty_and_grows_by_clicks(knn):
    knn.dataset = "custom"
    assert knn.error == "" and len(knn.train_source.data["x"]) == 0
    assert "No points yet" in knn.result.hint
    for i, (x, y) in enumerate([(0, 0), (1, 1), (0, 1), (1, 0)]):
        knn.canvas.add_point(x, y, label=i % 2)
        # every clicked point appears at once; below k = 5 points the page says so, no error
        assert knn.error == "" and len(knn.train_source.data["x"]) == i + 1
        assert knn.result.image is None and f"click {4 - i} more" in knn.result.hint
        assert f"click {4 - i} more" in knn._numbers.object
    knn.canvas.add_point(2, 2, label=0)
    assert knn.error == "" and knn.result.hint == "" and knn.result.image is not None
    knn.canvas.add_point(3, 3, label=1)
    assert knn.result.stats["n_train"][1] == 6 and knn.result.stats["test_accuracy"][1] == "—"
    knn.n_neighbors = 7                                 # k above the 6 points: a hint again
    assert knn.error == "" and "click 1 more" in knn.result.hint
    knn.canvas.clear_clicked()
    assert len(knn.train_source.data["x"]) == 0 and knn.error == ""


def test_changing_the_dataset_drops_the_clicked_points(knn):
    n = len(knn.train_source.data["x"])
    knn.canvas.add_point(0.1, 0.2, label=1)
    assert len(knn.train_source.data["x"]) == n + 1
    knn.dataset = "xor"
    assert knn.result.stats["n_clicked"][1] == 0 and not knn.result.clicked.any()


def test_every_dataset_draws():
    demo = KNNDemo(n_samples=60)
    for name in ["blobs", "moons", "circles", "xor", "spirals"]:
        demo.dataset = name
        assert demo.error == "", name
        assert len(demo.train_source.data["x"]) + len(demo.test_source.data["x"]) == 60


@pytest.mark.parametrize("index,k,metric,weights", [
    (0, 5, "euclidean", "uniform"), (17, 1, "euclidean", "uniform"),
    (123, 8, "manhattan", "distance"), (1999, 30, "euclidean", "distance"),
])
def test_mnist_panel_predicts_like_sklearn(index, k, metric, weights):
    from sklearn.neighbors import KNeighborsClassifier as SkKNN

    demo = KNNDemo(n_neighbors=k, metric=metric, weights=weights, show_mnist=True,
                   mnist_index=index)
    assert demo.error == ""
    Xtr, ytr, Xte, yte = datasets.load_mnist_split()
    sk = SkKNN(n_neighbors=k, metric=metric, weights=weights, algorithm="brute")
    sk.fit(Xtr.astype(float), ytr)
    query = Xte[index:index + 1].astype(float)
    assert demo.result.mnist.predicted == sk.predict(query)[0]
    sk_dist, sk_ind = sk.kneighbors(query)
    np.testing.assert_allclose(demo.result.mnist.distances, sk_dist[0] / 255.0, rtol=1e-9)
    np.testing.assert_array_equal(demo.result.mnist.labels, ytr[sk_ind[0]])
    data = demo.mnist_source.data
    assert len(data["image"]) == k and np.asarray(data["image"][0]).shape == (28, 28)
    np.testing.assert_array_equal(data["label"], demo.result.mnist.labels)


def test_mnist_panel_is_lazy_and_follows_k(knn):
    assert knn.result.mnist is None and len(knn.mnist_source.data["image"]) == 0
    knn.show_mnist = True
    assert knn.result.mnist.index == 0 and len(knn.mnist_source.data["image"]) == 5
    assert not knn._card.collapsed
    knn.n_neighbors = 12
    assert len(knn.mnist_source.data["image"]) == 12
    knn.mnist_index = 42
    assert knn.result.mnist.index == 42
    assert knn.result.mnist.true == datasets.load_mnist_split()[3][42]


def test_mnist_query_is_a_long_job_whose_partial_result_is_the_toy_plot(knn):
    """compute() returns a generator for a new MNIST query: it yields the toy result first."""
    from ece544lab.shell.jobs import Progress

    knn.show_mnist = True
    knn.mnist_index = 7
    assert knn.result.mnist.index == 7
    knn.mnist_index = 8
    knn._mnist_cache.clear()                       # forget the memoised query: a new one
    job = knn.compute()
    reports = []
    try:
        while True:
            reports.append(next(job))
    except StopIteration as stop:
        result = stop.value
    assert reports and all(isinstance(p, Progress) for p in reports)
    assert reports[-1].partial.mnist is None and reports[-1].partial.stats == result.stats
    assert result.mnist.index == 8
    assert knn.compute().mnist.index == 8          # memoised: the same query is no job
