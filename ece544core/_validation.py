"""Input checks: the one place where public entry points validate their arguments.

Every check raises :class:`ValueError` (or its subclass :class:`NotFittedError`) with a message
that names the argument, states what was expected and shows what was given, so that a bad input
never surfaces as a traceback from deep inside NumPy or, worse, as a silently wrong answer.
"""
from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = [
    "NotFittedError",
    "check_array",
    "check_y",
    "check_X_y",
    "check_is_fitted",
    "check_random_state",
    "check_scalar",
    "check_option",
    "check_n_features",
]


class NotFittedError(ValueError):
    """Raised when an estimator is used (predict, transform, ...) before ``fit``."""


def _describe(arr: np.ndarray) -> str:
    """Short description of an array for error messages: ``'a 1-D array of shape (5,)'``."""
    return f"a {arr.ndim}-D array of shape {arr.shape}"


def _as_numeric(value, name: str, dtype) -> np.ndarray:
    """``np.asarray(value, dtype)`` with a named error for non-numeric input."""
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged nested lists and the like
        raise ValueError(f"{name} must be an array-like of numbers; got {type(value).__name__} "
                         f"that NumPy cannot turn into an array ({exc})") from None
    if dtype is None:
        return arr
    if arr.dtype.kind in "biuf":
        return arr.astype(dtype, copy=False)
    if arr.dtype.kind == "O" and not any(v is None for v in arr.flat):
        try:  # e.g. a list mixing ints and floats, or Python number objects
            return arr.astype(dtype)
        except (TypeError, ValueError):
            pass
    if arr.dtype.kind == "O":
        example = next((v for v in arr.flat if not isinstance(v, numbers.Real)), None)
    else:
        example = arr.flat[0].item() if arr.size else None
    suffix = f" such as {example!r}" if arr.size else ""
    raise ValueError(f"{name} must contain real numbers; got an array of dtype "
                     f"{arr.dtype}{suffix}")


def _assert_all_finite(arr: np.ndarray, name: str) -> None:
    """Raise if ``arr`` (float) holds NaN or +-inf, naming the first offending index."""
    if arr.dtype.kind != "f" or arr.size == 0:
        return
    # Fast path: the sum of finite numbers is finite (unless it overflows, handled below).
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(arr.sum()):
            return
    bad = ~np.isfinite(arr)
    if not bad.any():  # the sum overflowed, every entry is finite
        return
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    where = first[0] if len(first) == 1 else first
    what = "NaN" if np.isnan(arr[first]) else "infinity"
    raise ValueError(f"{name} must be finite; got {int(bad.sum())} non-finite value(s), "
                     f"the first ({what}) at index {where}")


def check_array(X, name: str = "X", ensure_2d: bool = True, allow_1d: bool = False,
                min_samples: int = 1, dtype=np.float64, copy: bool = False,
                min_features: int = 1) -> np.ndarray:
    """Validate an array of samples and return it as a NumPy array of ``dtype``.

    Parameters
    ----------
    X : array-like
        The input, conventionally of shape (n_samples, n_features).
    name : str
        The argument's name, used in error messages.
    ensure_2d : bool
        If True the result is 2-D (n_samples, n_features). If False any array with ``ndim >= 1``
        is accepted as is.
    allow_1d : bool
        With ``ensure_2d``, accept a 1-D array of shape (n,) and return it as a column (n, 1).
    min_samples : int
        Minimum number of rows (entries along axis 0).
    dtype : numpy dtype or None
        Target dtype (float64 by default); ``None`` keeps the input's dtype and skips the
        numeric and finiteness checks (for labels).
    copy : bool
        Return an array that does not share memory with ``X``.
    min_features : int
        Minimum number of columns of a 2-D result.

    Returns
    -------
    ndarray

    Raises
    ------
    ValueError
        For non-numeric entries, NaN or infinity, fewer than ``min_samples`` samples or
        ``min_features`` features, and a wrong number of dimensions.
    """
    arr = _as_numeric(X, name, dtype)
    if arr.ndim == 0:
        raise ValueError(f"{name} must be an array; got the scalar {arr.item()!r}")
    if ensure_2d:
        if arr.ndim == 1 and allow_1d:
            arr = arr.reshape(-1, 1)  # (n,) -> (n, 1): one feature
        elif arr.ndim != 2:
            hint = " (use x.reshape(-1, 1) for a single feature)" if arr.ndim == 1 else ""
            raise ValueError(f"{name} must be a 2-D array of shape (n_samples, n_features); "
                             f"got {_describe(arr)}{hint}")
    if arr.shape[0] < min_samples:
        raise ValueError(f"{name} must have at least {min_samples} sample(s); "
                         f"got {_describe(arr)}")
    if ensure_2d and arr.shape[1] < min_features:
        raise ValueError(f"{name} must have at least {min_features} feature(s); "
                         f"got {_describe(arr)}")
    if dtype is not None:
        _assert_all_finite(arr, name)
    if copy and np.may_share_memory(arr, X):
        arr = arr.copy()
    return arr


def check_y(y, name: str = "y", numeric: bool = False, multi_output: bool = False,
            min_samples: int = 1) -> np.ndarray:
    """Validate targets or labels: 1-D (n_samples,), or (n_samples, n_targets) if ``multi_output``.

    Labels (``numeric=False``) may be of any dtype (ints, strings, ...); numeric targets become
    float64. Float entries are checked for NaN/inf in both cases.
    """
    arr = _as_numeric(y, name, np.float64 if numeric else None)
    if arr.ndim == 2 and arr.shape[1] == 1 and not multi_output:
        arr = arr[:, 0]  # a column vector of labels is still one label per sample
    allowed = (1, 2) if multi_output else (1,)
    if arr.ndim not in allowed:
        shape = "(n_samples,) or (n_samples, n_targets)" if multi_output else "(n_samples,)"
        raise ValueError(f"{name} must be an array of shape {shape}; got {_describe(arr)}")
    if arr.shape[0] < min_samples:
        raise ValueError(f"{name} must have at least {min_samples} sample(s); "
                         f"got {_describe(arr)}")
    if arr.dtype.kind == "O":
        if any(v is None for v in arr.flat):
            raise ValueError(f"{name} must not contain None")
    _assert_all_finite(arr, name)
    return arr


def check_X_y(X, y, x_name: str = "X", y_name: str = "y", allow_1d: bool = False,
              y_numeric: bool = False, multi_output: bool = False, min_samples: int = 1,
              dtype=np.float64, copy: bool = False):
    """Validate a design matrix and its targets together; see :func:`check_array`, :func:`check_y`.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)

    Raises
    ------
    ValueError
        Everything :func:`check_array` and :func:`check_y` raise, and when X and y hold
        different numbers of samples.
    """
    X = check_array(X, name=x_name, allow_1d=allow_1d, min_samples=min_samples, dtype=dtype,
                    copy=copy)
    y = check_y(y, name=y_name, numeric=y_numeric, multi_output=multi_output,
                min_samples=min_samples)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"{x_name} and {y_name} must have the same number of samples; "
                         f"got {x_name} with {X.shape[0]} rows and {y_name} with "
                         f"{y.shape[0]} entries")
    return X, y


def check_n_features(X: np.ndarray, n_features: int, name: str = "X") -> None:
    """Raise if a 2-D ``X`` given to predict/transform has a different feature count than fit."""
    if X.shape[1] != n_features:
        raise ValueError(f"{name} has {X.shape[1]} feature(s) but the estimator was fitted "
                         f"with {n_features}; expected shape (n_samples, {n_features}), "
                         f"got {X.shape}")


def check_is_fitted(estimator, attributes: str | Sequence[str] | None = None) -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has the fitted ``attributes``.

    With ``attributes=None`` any attribute whose name ends in ``_`` (the fitted-state convention)
    counts as evidence of fitting.
    """
    if attributes is None:
        fitted = any(k.endswith("_") and not k.startswith("__") for k in vars(estimator))
    else:
        names = [attributes] if isinstance(attributes, str) else list(attributes)
        fitted = all(hasattr(estimator, a) for a in names)
    if not fitted:
        raise NotFittedError(f"This {type(estimator).__name__} instance is not fitted yet: "
                             f"call 'fit' with appropriate arguments before using it")


def check_random_state(seed) -> np.random.Generator:
    """Turn ``seed`` into a :class:`numpy.random.Generator`.

    ``None`` -> fresh entropy; an int >= 0 -> ``np.random.default_rng(seed)``; a Generator is
    returned unchanged (so a caller can thread one generator through several calls).
    """
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        if seed < 0:
            raise ValueError(f"random_state must be a non-negative integer; got {seed}")
        return np.random.default_rng(int(seed))
    raise ValueError("random_state must be None, a non-negative int or a numpy.random.Generator; "
                     f"got {seed!r} of type {type(seed).__name__}")


def check_scalar(value, name: str, kind=(int, float), min_val=None, max_val=None,
                 include_min: bool = True, include_max: bool = True):
    """Validate a scalar hyperparameter: its type and the range [min_val, max_val].

    Parameters
    ----------
    kind : type or tuple of types
        ``int`` accepts any integral number (not bool, not 2.0); ``float`` (alone or with
        ``int``) accepts any real number except NaN.
    min_val, max_val : number or None
        Bounds, inclusive unless ``include_min``/``include_max`` is False.

    Returns
    -------
    int or float
        ``value`` converted to a Python int (integer kind) or float.
    """
    kinds = kind if isinstance(kind, tuple) else (kind,)
    wants_real = float in kinds
    is_bool = isinstance(value, (bool, np.bool_))
    if wants_real:
        ok = isinstance(value, numbers.Real) and not is_bool
        expected = "a real number"
    else:
        ok = isinstance(value, numbers.Integral) and not is_bool
        expected = "an integer"
    if not ok:
        raise ValueError(f"{name} must be {expected}; got {value!r} "
                         f"of type {type(value).__name__}")
    if value != value:  # NaN
        raise ValueError(f"{name} must be {expected}; got NaN")
    if isinstance(value, numbers.Integral) and (int in kinds or not wants_real):
        value = int(value)
    else:
        value = float(value)
    if min_val is not None:
        if value < min_val or (value == min_val and not include_min):
            op = ">=" if include_min else ">"
            raise ValueError(f"{name} must be {op} {min_val}; got {value!r}")
    if max_val is not None:
        if value > max_val or (value == max_val and not include_max):
            op = "<=" if include_max else "<"
            raise ValueError(f"{name} must be {op} {max_val}; got {value!r}")
    return value


def check_option(value, name: str, options: Iterable[str]) -> str:
    """Check a string choice: ``metric must be one of 'euclidean', 'manhattan'; got 'foo'``."""
    options = tuple(options)
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return value
