"""The one history recorder: columns by field name, the shared vocabulary."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

from ece544core._history import FIELDS, History


def test_columns_records_and_missing_fields():
    h = History()
    h.record(iteration=0, objective=3.0)
    h.record(iteration=1, objective=2.0, gap=0.5)
    assert list(h) == ["iteration", "objective", "gap"] and h.n_records == 2
    np.testing.assert_array_equal(h["objective"], [3.0, 2.0])
    assert np.isnan(h["gap"][0]) and h["gap"][1] == 0.5
    assert h.last("gap") == 0.5 and h.last("step_size", 7) == 7
    assert h.records()[0] == {"iteration": 0, "objective": 3.0}
    assert set(h.as_dict()) == {"iteration", "objective", "gap"}
    with pytest.raises(KeyError):
        h["step_size"]


def test_array_fields_are_stacked_and_column_cache_refreshes():
    h = History()
    h.record(centers=np.zeros((2, 2)))
    assert h["centers"].shape == (1, 2, 2)
    h.record(centers=np.ones((2, 2)))
    assert h["centers"].shape == (2, 2, 2) and h["centers"][1, 0, 0] == 1.0


def test_unknown_field_names_the_vocabulary():
    with pytest.raises(ValueError, match="FIELDS"):
        History().record(objectiv=1.0)
    assert all(isinstance(v, str) and v for v in FIELDS.values())


def test_extend_and_pickle():
    a, b = History(), History()
    a.record(iteration=0, objective=1.0)
    b.record(iteration=1, objective=0.5)
    a.extend(b)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(a))["objective"], [1.0, 0.5])
