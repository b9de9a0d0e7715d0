"""Demo classes driven through their parameters, no browser.

The app package lives in site/ (built into its own wheel by build.py); make it and the core
importable from a source checkout.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "site"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


@pytest.fixture
def knn():
    from ece544lab.demos.knn import KNNDemo

    return KNNDemo()


@pytest.fixture
def regression():
    from ece544lab.demos.regression import RegressionDemo

    return RegressionDemo()
