"""The 2-D toy-set registry: one signature, the documented shapes, named errors."""
from __future__ import annotations

import numpy as np
import pytest

from ece544core import datasets
from ece544core.toysets import TOY_2D, class_centers, make_anisotropic_blobs, make_toy


@pytest.mark.parametrize("name", list(TOY_2D))
def test_every_set_has_the_registry_contract(name):
    X, y = make_toy(name, n_samples=60, noise=0.2, random_state=1)
    assert X.shape == (60, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(TOY_2D[name].n_classes))
    X2, y2 = make_toy(name, n_samples=60, noise=0.2, random_state=1)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)       # reproducible
    assert TOY_2D[name].noise


@pytest.mark.parametrize("name", [n for n, t in TOY_2D.items() if not t.fixed_classes])
def test_variable_class_count(name):
    _X, y = make_toy(name, n_samples=80, n_classes=5, random_state=0)
    assert set(np.unique(y)) == set(range(5))


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="name"):
        make_toy("nope")
    with pytest.raises(ValueError, match="n_classes"):
        make_toy("moons", n_classes=3)
    with pytest.raises(ValueError, match="noise"):
        make_toy("blobs", noise=-1.0)


def test_blob_sets_follow_their_documented_spread():
    X, y = make_toy("blobs", n_samples=4000, noise=0.4, random_state=0)
    stds = [X[y == c].std(axis=0) for c in (0, 1)]
    np.testing.assert_allclose(stds, 0.2 + 2 * 0.4, rtol=0.06)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [1.5, 1.0], atol=0.05)


def test_anisotropic_blobs_sizes_and_class_centers():
    X, y = make_anisotropic_blobs(101, centers=4, spread=1.0, random_state=2)
    assert len(X) == 101 and np.bincount(y).min() >= 2
    C = class_centers(4, "circle")
    np.testing.assert_allclose(np.hypot(*C.T), 2.5)
    np.testing.assert_allclose(C[0], [0.0, 2.5], atol=1e-12)
    assert np.allclose(class_centers(3, "line")[:, 0], [-2.0, 0.0, 2.0])


def test_datasets_reexports_the_registry():
    assert datasets.TOY_2D is TOY_2D and datasets.make_toy is make_toy
