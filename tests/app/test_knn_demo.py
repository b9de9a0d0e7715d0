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
    n_train = knn.stats["n_train"][1]
    assert len(knn.train_source.data["x"]) == n_train > 0
    assert len(knn.test_source.data["x"]) == knn.stats["n_test"][1] > 0
    assert {s.name for s in (knn.region_source, knn.train_source, knn.test_source,
                             knn.mnist_source)} == {"knn-regions", "knn-train", "knn-test",
                                                    "knn-mnist-neighbours"}


def test_changing_k_changes_the_region_image(knn):
    before = region(knn).copy()
    knn.n_neighbors = 1
    after = region(knn)
    assert not np.array_equal(before, after)
    assert knn.stats["k"][1] == 1
    assert knn.stats["train_accuracy"][1] == 1.0  # every training point is its own 1-NN


def test_region_image_and_accuracies_match_the_core(knn):
    knn.param.update(n_neighbors=4, weights="distance", dataset="circles")
    X, y = knn.training_set()
    Xte, yte = np.c_[knn.test_source.data["x"], knn.test_source.data["y"]], \
        np.asarray(knn.test_source.data["label"])
    core = KNeighborsClassifier(n_neighbors=4, weights="distance").fit(X, y)
    assert knn.stats["train_accuracy"][1] == pytest.approx(core.score(X, y))
    assert knn.stats["test_accuracy"][1] == pytest.approx(core.score(Xte, yte))
    np.testing.assert_array_equal(knn.test_source.data["pred"], core.predict(Xte))


def test_tap_adds_a_training_point_of_the_chosen_class(knn):
    n = len(knn.train_source.data["x"])
    knn.add_class = 2
    knn.fig._trigger_event(Tap(model=knn.fig, x=0.25, y=-0.75))   # as a click in the browser
    data = knn.train_source.data
    assert len(data["x"]) == n + 1
    assert (data["x"][-1], data["y"][-1], data["label"][-1]) == (0.25, -0.75, 2)
    assert data["color"][-1] == PALETTE[2]
    assert knn.stats["n_clicked"][1] == 1
    # a k change keeps the clicked point; "Reset data" removes it
    knn.n_neighbors = 3
    assert len(knn.train_source.data["x"]) == n + 1
    knn.reset_points()
    assert len(knn.train_source.data["x"]) == n and knn.stats["n_clicked"][1] == 0


def test_k_larger_than_the_training_set_shows_an_error_then_recovers(knn):
    knn.param.update(n_samples=20, test_size=0.5)          # 10 training points
    good = region(knn).copy()
    knn.n_neighbors = 25
    assert "n_neighbors" in knn.error and "10" in knn.error and "25" in knn.error
    np.testing.assert_array_equal(region(knn), good)    # plots keep their last good state
    knn.n_neighbors = 3
    assert knn.error == ""
    assert knn.stats["k"][1] == 3 and not np.array_equal(region(knn), good)


def test_even_k_on_two_classes_draws_tied_cells_grey(knn):
    knn.n_neighbors = 2
    n_ties = knn.stats["tied_cells"][1]
    assert n_ties > 0
    rgba = region(knn).view(np.uint8).reshape(GRID_N, GRID_N, 4)
    grey = np.all(rgba[..., :3] == 128, axis=2)
    assert grey.sum() == n_ties
    knn.n_neighbors = 3
    assert knn.stats["tied_cells"][1] == 0             # odd k, two classes: no ties


def test_custom_data_starts_empty_and_grows_by_clicks(knn):
    knn.dataset = "custom"
    assert knn.error == "" and len(knn.train_source.data["x"]) == 0
    for i, (x, y) in enumerate([(0, 0), (1, 1), (0, 1), (1, 0), (2, 2)]):
        knn.add_point(x, y, label=i % 2)
    assert knn.error == ""                              # 5 points, k = 5
    knn.add_point(3, 3, label=1)
    assert knn.stats["n_train"][1] == 6 and knn.stats["test_accuracy"][1] == "—"
    knn.reset_points()
    assert len(knn.train_source.data["x"]) == 0 and knn.error == ""


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
    assert demo.mnist_result["predicted"] == sk.predict(query)[0]
    sk_dist, sk_ind = sk.kneighbors(query)
    np.testing.assert_allclose(demo.mnist_result["distances"], sk_dist[0] / 255.0, rtol=1e-9)
    np.testing.assert_array_equal(demo.mnist_result["labels"], ytr[sk_ind[0]])
    data = demo.mnist_source.data
    assert len(data["image"]) == k and np.asarray(data["image"][0]).shape == (28, 28)
    np.testing.assert_array_equal(data["label"], demo.mnist_result["labels"])


def test_mnist_panel_is_lazy_and_follows_k(knn):
    assert knn.mnist_result == {} and len(knn.mnist_source.data["image"]) == 0
    knn.show_mnist = True
    assert knn.mnist_result["index"] == 0 and len(knn.mnist_source.data["image"]) == 5
    knn.n_neighbors = 12
    assert len(knn.mnist_source.data["image"]) == 12
    knn.mnist_index = 42
    assert knn.mnist_result["index"] == 42
    assert knn.mnist_result["true"] == datasets.load_mnist_split()[3][42]
