"""Shared fixtures for the core tests."""
import numpy as np
import pytest

from ece544core import datasets


@pytest.fixture(scope="session")
def mnist_split():
    """The course MNIST split (read-only arrays); skips if the data file was never built."""
    if not datasets.MNIST_PATH.exists():
        pytest.skip("MNIST data missing: run `python3 build.py data`")
    return datasets.load_mnist_split()


@pytest.fixture
def rng():
    return np.random.default_rng(544)
