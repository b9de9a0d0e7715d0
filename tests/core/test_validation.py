"""ece544core._validation: every check names the argument, the expectation and the input."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ece544core._validation import (NotFittedError, check_array, check_is_fitted,
                                    check_n_features, check_option, check_random_state,
                                    check_scalar, check_X_y, check_y)


# ------------------------------------------------------------------------------ check_array
def test_check_array_converts_lists_and_ints_to_float64():
    X = check_array([[1, 2], [3, 4]])
    assert X.dtype == np.float64 and X.shape == (2, 2)
    assert check_array(np.arange(6, dtype=np.uint8).reshape(3, 2)).dtype == np.float64


def test_check_array_keeps_float64_without_copy_unless_asked():
    X = np.ones((3, 2))
    assert check_array(X) is X
    Y = check_array(X, copy=True)
    assert Y is not X and not np.shares_memory(X, Y)
    # a conversion already copies; copy=True must not copy twice
    U = np.ones((3, 2), dtype=np.uint8)
    assert check_array(U, copy=True).dtype == np.float64


@pytest.mark.parametrize("bad, what", [(np.nan, "NaN"), (np.inf, "infinity"),
                                       (-np.inf, "infinity")])
def test_check_array_rejects_non_finite_with_index(bad, what):
    X = np.zeros((4, 3))
    X[2, 1] = bad
    with pytest.raises(ValueError, match=rf"features must be finite.*{what}.*\(2, 1\)"):
        check_array(X, name="features")


def test_check_array_large_but_finite_values_pass():
    X = np.full((4, 2), 1e308)  # the sum overflows; every entry is still finite
    assert check_array(X) is X


def test_check_array_rejects_empty():
    with pytest.raises(ValueError, match=r"X must have at least 1 sample.*\(0, 3\)"):
        check_array(np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"X must have at least 1 feature.*\(3, 0\)"):
        check_array(np.zeros((3, 0)))
    with pytest.raises(ValueError, match="at least 5 sample"):
        check_array(np.zeros((3, 2)), min_samples=5)


def test_check_array_rejects_wrong_ndim():
    with pytest.raises(ValueError, match=r"X must be a 2-D array.*1-D array of shape \(3,\)"
                                         r".*reshape\(-1, 1\)"):
        check_array([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"X must be a 2-D array.*3-D"):
        check_array(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="scalar"):
        check_array(3.0)


def test_check_array_allow_1d_makes_a_column():
    X = check_array([1.0, 2.0, 3.0], allow_1d=True)
    assert X.shape == (3, 1)


def test_check_array_ensure_2d_false_keeps_shape():
    assert check_array(np.zeros((2, 3, 4)), ensure_2d=False).shape == (2, 3, 4)
    assert check_array([1, 2], ensure_2d=False).shape == (2,)


@pytest.mark.parametrize("bad", [[["a", "b"]], [[1 + 2j, 3]], [[None, 1.0]]])
def test_check_array_rejects_non_numeric(bad):
    with pytest.raises(ValueError, match="X must contain real numbers"):
        check_array(bad)


def test_check_array_rejects_ragged():
    with pytest.raises(ValueError, match="X must be an array-like of numbers"):
        check_array([[1.0, 2.0], [3.0]])


def test_check_array_dtype_none_keeps_dtype():
    X = np.zeros((2, 2), dtype=np.uint8)
    assert check_array(X, dtype=None).dtype == np.uint8


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1),
                  elements=st.floats(-1e6, 1e6)))
def test_check_array_roundtrip_property(X):
    out = check_array(X)
    assert out.shape == X.shape and np.array_equal(out, X)


# ------------------------------------------------------------------------------ y, X/y
def test_check_y_labels_and_numeric():
    assert check_y(["a", "b"]).dtype.kind == "U"
    assert check_y([1, 2], numeric=True).dtype == np.float64
    assert check_y([[1], [2]]).shape == (2,)  # a column of labels is flattened
    with pytest.raises(ValueError, match=r"y must be an array of shape \(n_samples,\)"):
        check_y(np.zeros((3, 2)))
    assert check_y(np.zeros((3, 2)), multi_output=True).shape == (3, 2)
    with pytest.raises(ValueError, match=r"targets must be an array of shape \(n_samples,\) "
                                         r"or \(n_samples, n_targets\)"):
        check_y(np.zeros((3, 2, 1)), name="targets", multi_output=True)
    with pytest.raises(ValueError, match="y must be finite"):
        check_y([1.0, np.nan])
    with pytest.raises(ValueError, match="y must contain real numbers"):
        check_y(["a"], numeric=True)
    with pytest.raises(ValueError, match="at least 1 sample"):
        check_y([])


def test_check_X_y_length_mismatch_names_both():
    with pytest.raises(ValueError, match=r"X and y must have the same number of samples.*"
                                         r"X with 3 rows and y with 2 entries"):
        check_X_y(np.zeros((3, 2)), [0, 1])


def test_check_X_y_returns_converted_pair():
    X, y = check_X_y([[1, 2], [3, 4]], ["u", "v"])
    assert X.dtype == np.float64 and list(y) == ["u", "v"]


def test_check_n_features():
    check_n_features(np.zeros((2, 3)), 3)
    with pytest.raises(ValueError, match=r"X has 2 feature\(s\) but the estimator was "
                                         r"fitted with 3"):
        check_n_features(np.zeros((2, 2)), 3)


# ------------------------------------------------------------------------------ fitted, rng
class _Thing:
    pass


def test_check_is_fitted():
    t = _Thing()
    with pytest.raises(NotFittedError, match="_Thing instance is not fitted yet.*fit"):
        check_is_fitted(t)
    with pytest.raises(ValueError):  # NotFittedError is a ValueError
        check_is_fitted(t, ["coef_"])
    t.coef_ = 1
    check_is_fitted(t)
    check_is_fitted(t, "coef_")
    with pytest.raises(NotFittedError):
        check_is_fitted(t, ["coef_", "intercept_"])


def test_check_random_state():
    assert isinstance(check_random_state(None), np.random.Generator)
    a = check_random_state(3).standard_normal(4)
    b = check_random_state(np.int64(3)).standard_normal(4)
    assert np.array_equal(a, b)
    g = np.random.default_rng(0)
    assert check_random_state(g) is g
    with pytest.raises(ValueError, match="random_state must be a non-negative"):
        check_random_state(-1)
    with pytest.raises(ValueError, match="random_state must be None, a non-negative int"):
        check_random_state("seed")
    with pytest.raises(ValueError, match="random_state"):
        check_random_state(True)


# ------------------------------------------------------------------------------ scalars
def test_check_scalar_types():
    assert check_scalar(3, "k", kind=int) == 3
    assert check_scalar(np.int32(3), "k", kind=int) == 3
    assert check_scalar(2.5, "C") == 2.5
    assert isinstance(check_scalar(np.float32(2.5), "C", kind=float), float)
    with pytest.raises(ValueError, match="k must be an integer; got 2.5"):
        check_scalar(2.5, "k", kind=int)
    with pytest.raises(ValueError, match="k must be an integer; got True"):
        check_scalar(True, "k", kind=int)
    with pytest.raises(ValueError, match="C must be a real number; got 'a'"):
        check_scalar("a", "C")
    with pytest.raises(ValueError, match="C must be a real number; got NaN"):
        check_scalar(float("nan"), "C")


def test_check_scalar_bounds():
    assert check_scalar(0, "k", kind=int, min_val=0) == 0
    with pytest.raises(ValueError, match="k must be >= 1; got 0"):
        check_scalar(0, "k", kind=int, min_val=1)
    with pytest.raises(ValueError, match="C must be > 0; got 0.0"):
        check_scalar(0.0, "C", min_val=0, include_min=False)
    with pytest.raises(ValueError, match="p must be <= 1; got 1.5"):
        check_scalar(1.5, "p", max_val=1)
    with pytest.raises(ValueError, match="p must be < 1; got 1.0"):
        check_scalar(1.0, "p", max_val=1, include_max=False)


def test_check_option():
    assert check_option("manhattan", "metric", ("euclidean", "manhattan")) == "manhattan"
    with pytest.raises(ValueError) as err:
        check_option("foo", "metric", ("euclidean", "manhattan"))
    assert str(err.value) == "metric must be one of 'euclidean', 'manhattan'; got 'foo'"
    with pytest.raises(ValueError, match="metric must be one of.*got None"):
        check_option(None, "metric", ("euclidean",))
