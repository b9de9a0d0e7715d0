"""ece544core.datasets: shapes, dtypes, reproducibility, geometry, splitting and MNIST."""
import numpy as np
import pytest

from ece544core import datasets as ds

TOY = [ds.make_blobs, ds.make_moons, ds.make_circles, ds.make_xor, ds.make_spirals]


@pytest.mark.parametrize("make", TOY)
@pytest.mark.parametrize("n", [2, 7, 200])
def test_toy_sets_shapes_dtypes_reproducible(make, n):
    if make is ds.make_blobs and n < 3:
        n = 3
    X, y = make(n_samples=n, random_state=0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    X2, y2 = make(n_samples=n, random_state=0)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X3, _ = make(n_samples=n, random_state=1)
    assert not np.array_equal(X, X3)
    g = np.random.default_rng(0)
    assert make(n_samples=n, random_state=g)[0].shape == (n, 2)


@pytest.mark.parametrize("make, k", [(ds.make_blobs, 3), (ds.make_moons, 2),
                                     (ds.make_circles, 2), (ds.make_spirals, 2)])
def test_toy_sets_are_balanced(make, k):
    _, y = make(n_samples=101, random_state=0)
    counts = np.bincount(y)
    assert len(counts) == k and counts.max() - counts.min() <= 1


def test_blobs_given_centers_and_std():
    centers = np.array([[-5.0, 0.0], [5.0, 0.0]])
    X, y = ds.make_blobs(n_samples=4000, centers=centers, cluster_std=0.5, random_state=0)
    for c in range(2):
        assert np.allclose(X[y == c].mean(axis=0), centers[c], atol=0.05)
        assert np.allclose(X[y == c].std(axis=0), 0.5, atol=0.05)
    with pytest.raises(ValueError, match=r"centers must have shape \(n_centers, 2\)"):
        ds.make_blobs(centers=np.zeros((3, 3)))


def test_moons_and_circles_geometry_without_noise():
    X, y = ds.make_moons(n_samples=50, noise=0.0, random_state=0)
    assert np.allclose(np.hypot(*X[y == 0].T), 1.0)
    assert np.allclose(np.hypot(X[y == 1, 0] - 1.0, X[y == 1, 1] - 0.5), 1.0)
    X, y = ds.make_circles(n_samples=50, noise=0.0, factor=0.3, random_state=0)
    assert np.allclose(np.hypot(*X[y == 0].T), 1.0)
    assert np.allclose(np.hypot(*X[y == 1].T), 0.3)


def test_xor_labels_without_noise():
    X, y = ds.make_xor(n_samples=300, noise=0.0, random_state=0)
    assert np.array_equal(y, ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int))


def test_spirals_classes():
    X, y = ds.make_spirals(n_samples=90, n_classes=3, random_state=0)
    assert set(np.unique(y)) == {0, 1, 2}
    with pytest.raises(ValueError, match="n_classes must be >= 2"):
        ds.make_spirals(n_classes=1)


def test_two_gaussians_1d():
    x, y = ds.make_two_gaussians_1d(n_samples=20000, random_state=0)
    assert x.shape == (20000,) and set(np.unique(y)) == {-1, 1}
    assert (y == 1).sum() == (y == -1).sum() == 10000
    assert abs(x[y == -1].mean() + 2) < 0.05 and abs(x[y == 1].mean() - 2) < 0.05
    assert abs(x[y == -1].std() - 1) < 0.05 and abs(x[y == 1].std() - 1) < 0.05
    x, y = ds.make_two_gaussians_1d(n_samples=5, random_state=0)
    assert (y == -1).sum() == 2 and (y == 1).sum() == 3


@pytest.mark.parametrize("function", ["sin", "linear", "cubic"])
def test_regression_1d(function):
    x, y = ds.make_regression_1d(n_samples=30, noise=0.0, function=function, random_state=0)
    assert x.shape == y.shape == (30,)
    assert np.all((0 <= x) & (x <= 1)) and np.all(np.diff(x) >= 0)
    assert np.allclose(y, ds.REGRESSION_FUNCTIONS[function](x))
    _, y_noisy = ds.make_regression_1d(n_samples=30, noise=0.2, function=function,
                                       random_state=0)
    assert not np.allclose(y, y_noisy)


@pytest.mark.parametrize("call, match", [
    (lambda: ds.make_moons(n_samples=0), "n_samples must be >= 2"),
    (lambda: ds.make_moons(n_samples=2.5), "n_samples must be an integer"),
    (lambda: ds.make_circles(noise=-1), "noise must be >= 0"),
    (lambda: ds.make_circles(factor=1.5), "factor must be < 1"),
    (lambda: ds.make_blobs(cluster_std=-1), "cluster_std must be >= 0"),
    (lambda: ds.make_regression_1d(function="exp"),
     "function must be one of 'sin', 'linear', 'cubic'; got 'exp'"),
    (lambda: ds.make_xor(random_state="a"), "random_state"),
])
def test_generator_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------------------ splitting
def test_train_test_split_partition():
    X = np.arange(40).reshape(20, 2)
    y = np.arange(20)
    Xtr, Xte, ytr, yte = ds.train_test_split(X, y, test_size=0.25, random_state=0)
    assert len(yte) == 5 and len(ytr) == 15
    assert sorted(np.concatenate([ytr, yte])) == list(range(20))
    assert np.array_equal(Xtr[:, 0] // 2, ytr) and np.array_equal(Xte[:, 0] // 2, yte)
    again = ds.train_test_split(X, y, test_size=0.25, random_state=0)
    assert np.array_equal(again[3], yte)
    assert len(ds.train_test_split(y, test_size=0.21)[1]) == 5  # ceil(0.21 * 20)
    assert len(ds.train_test_split(y, test_size=7)[1]) == 7


def test_train_test_split_stratified():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    _, yte = ds.train_test_split(y, test_size=0.2, stratify=y, random_state=1)
    assert len(yte) == 20
    assert np.array_equal(np.bincount(yte), [10, 6, 4])
    labels = np.array(["a"] * 7 + ["b"] * 3)
    _, lte = ds.train_test_split(labels, test_size=0.5, stratify=labels, random_state=0)
    assert len(lte) == 5 and sorted(set(lte)) == ["a", "b"]


@pytest.mark.parametrize("kwargs, match", [
    (dict(test_size=0.0), "test_size must be > 0"),
    (dict(test_size=1.0), "test_size must be < 1"),
    (dict(test_size=10), "test_size must be <= 9"),
    (dict(test_size=0), "test_size must be >= 1"),
    (dict(stratify=[0, 1]), "stratify must have one label per sample"),
])
def test_train_test_split_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ds.train_test_split(np.arange(10), **kwargs)


def test_train_test_split_length_mismatch():
    with pytest.raises(ValueError, match="same number of samples.*array 1 has 3"):
        ds.train_test_split(np.arange(10), np.arange(3))
    with pytest.raises(ValueError, match="at least 2 samples"):
        ds.train_test_split(np.arange(1))


# ------------------------------------------------------------------------------ MNIST
def test_load_mnist(mnist_split):
    X, y = ds.load_mnist()
    assert X.shape == (10000, 784) and X.dtype == np.uint8
    assert y.shape == (10000,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(10)) and np.bincount(y).min() > 800
    assert X.max() == 255 and X.min() == 0
    assert not X.flags.writeable and not y.flags.writeable
    with pytest.raises(ValueError):
        X[0, 0] = 1
    images, y2 = ds.load_mnist(return_images=True)
    assert images.shape == (10000, 28, 28) and np.array_equal(images.reshape(-1, 784), X)
    assert ds.load_mnist()[0] is not None and ds._read_mnist() is ds._read_mnist()  # cached


def test_load_mnist_split(mnist_split):
    Xtr, ytr, Xte, yte = mnist_split
    X, y = ds.load_mnist()
    assert ds.MNIST_TRAIN_SIZE == 8000
    assert Xtr.shape == (8000, 784) and Xte.shape == (2000, 784)
    assert np.array_equal(Xtr, X[:8000]) and np.array_equal(yte, y[8000:])
    assert ds.load_mnist_split(return_images=True)[0].shape == (8000, 28, 28)


def test_load_mnist_missing_file(monkeypatch, tmp_path):
    monkeypatch.setattr(ds, "MNIST_PATH", tmp_path / "nope.npz")
    ds._read_mnist.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match=r"run `python3 build.py data`"):
            ds.load_mnist()
    finally:
        ds._read_mnist.cache_clear()
