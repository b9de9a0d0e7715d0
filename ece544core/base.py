"""Estimator base classes following the scikit-learn contract (without importing it).

``__init__`` only stores hyperparameters under the same names; ``fit`` validates, computes the
fitted state (attributes ending in ``_``) and returns ``self``.
"""
from __future__ import annotations

import inspect

import numpy as np

from ._validation import check_X_y, check_y

__all__ = ["BaseEstimator", "ClassifierMixin", "RegressorMixin", "clone",
           "accuracy_score", "r2_score"]


class BaseEstimator:
    """Hyperparameter bookkeeping shared by all estimators.

    The hyperparameters are exactly the named arguments of the subclass's ``__init__``;
    ``get_params``/``set_params`` read and write the attributes of the same names.
    """

    @classmethod
    def _get_param_names(cls) -> list[str]:
        """Names of the ``__init__`` arguments, in signature order."""
        init = cls.__init__
        if init is object.__init__:
            return []
        params = inspect.signature(init).parameters.values()
        return [p.name for p in params if p.name != "self"
                and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]

    def get_params(self, deep: bool = True) -> dict:
        """Hyperparameters as a dict; with ``deep``, nested estimators' as ``'outer__inner'``."""
        out = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            out[name] = value
            if deep and isinstance(value, BaseEstimator):
                out.update({f"{name}__{k}": v for k, v in value.get_params(deep=True).items()})
        return out

    def set_params(self, **params):
        """Set hyperparameters by name (``'outer__inner'`` reaches nested estimators); returns self.

        Raises
        ------
        ValueError
            For a name that is not a hyperparameter of this estimator.
        """
        valid = self._get_param_names()
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in valid:
                raise ValueError(f"Invalid parameter {name!r} for {type(self).__name__}; "
                                 f"valid parameters are {', '.join(valid) or '(none)'}")
            if sub:
                getattr(self, name).set_params(**{sub: value})
            else:
                setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params(deep=False).items())
        return f"{type(self).__name__}({args})"


def clone(estimator: BaseEstimator) -> BaseEstimator:
    """A new unfitted estimator with the same hyperparameters."""
    return type(estimator)(**estimator.get_params(deep=False))


def accuracy_score(y_true, y_pred) -> float:
    """Accuracy: (1/n) sum_i [y_pred^(i) == y^(i)]."""
    y_true = check_y(y_true, name="y_true")
    y_pred = check_y(y_pred, name="y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same shape; got {y_true.shape} "
                         f"and {y_pred.shape}")
    return float(np.mean(y_true == y_pred))


def r2_score(y_true, y_pred) -> float:
    """Coefficient of determination R^2 = 1 - sum_i (y_i - yhat_i)^2 / sum_i (y_i - ybar)^2.

    For 2-D targets (n, t) the R^2 of each column is averaged. A constant target gives 1.0 for
    a perfect prediction and 0.0 otherwise (instead of dividing by zero).
    """
    y_true = check_y(y_true, name="y_true", numeric=True, multi_output=True)
    y_pred = check_y(y_pred, name="y_pred", numeric=True, multi_output=True)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same shape; got {y_true.shape} "
                         f"and {y_pred.shape}")
    rss = np.sum((y_true - y_pred) ** 2, axis=0)
    tss = np.sum((y_true - y_true.mean(axis=0)) ** 2, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(tss > 0, 1.0 - rss / np.where(tss > 0, tss, 1.0),
                      np.where(rss == 0, 1.0, 0.0))
    return float(np.mean(r2))


class ClassifierMixin:
    """Adds ``score`` = accuracy of ``predict``."""

    _estimator_type = "classifier"

    def score(self, X, y) -> float:
        """Accuracy (1/n) sum_i [f(x^(i)) == y^(i)] of ``self.predict(X)`` against ``y``."""
        X, y = check_X_y(X, y, dtype=None)
        return accuracy_score(y, self.predict(X))


class RegressorMixin:
    """Adds ``score`` = R^2 of ``predict``."""

    _estimator_type = "regressor"

    def score(self, X, y) -> float:
        """R^2 = 1 - sum_i (y_i - f(x_i))^2 / sum_i (y_i - ybar)^2 of ``self.predict(X)``."""
        y = check_y(y, numeric=True, multi_output=True)
        return r2_score(y, self.predict(X))
