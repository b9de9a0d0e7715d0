"""ece544core.base: parameter bookkeeping and the score mixins."""
import numpy as np
import pytest
from sklearn.metrics import r2_score as sk_r2

from ece544core.base import (BaseEstimator, ClassifierMixin, RegressorMixin, accuracy_score,
                             clone, r2_score)


class Toy(BaseEstimator):
    def __init__(self, alpha=1.0, inner=None, name="toy"):
        self.alpha = alpha
        self.inner = inner
        self.name = name


def test_get_set_params_and_repr():
    t = Toy(alpha=2.0, inner=Toy(alpha=3.0))
    params = t.get_params()
    assert params["alpha"] == 2.0 and params["inner__alpha"] == 3.0
    assert set(t.get_params(deep=False)) == {"alpha", "inner", "name"}
    assert t.set_params(alpha=5.0, inner__name="x") is t
    assert t.alpha == 5.0 and t.inner.name == "x"
    assert repr(Toy()) == "Toy(alpha=1.0, inner=None, name='toy')"
    with pytest.raises(ValueError, match="Invalid parameter 'beta' for Toy"):
        t.set_params(beta=1)


def test_clone_is_unfitted_copy():
    t = Toy(alpha=4.0)
    t.coef_ = 1
    c = clone(t)
    assert c is not t and c.alpha == 4.0 and not hasattr(c, "coef_")


class ConstClassifier(ClassifierMixin, BaseEstimator):
    def predict(self, X):
        return np.zeros(len(X), dtype=int)


class IdentityRegressor(RegressorMixin, BaseEstimator):
    def predict(self, X):
        return np.asarray(X, dtype=float)[:, 0]


def test_classifier_score_is_accuracy():
    assert ConstClassifier().score(np.zeros((4, 1)), [0, 0, 1, 0]) == 0.75
    with pytest.raises(ValueError, match="X and y must have the same number of samples"):
        ConstClassifier().score(np.zeros((4, 1)), [0, 1])


def test_regressor_score_is_r2(rng):
    X = rng.standard_normal((30, 1))
    y = X[:, 0] + 0.3 * rng.standard_normal(30)
    assert np.isclose(IdentityRegressor().score(X, y), sk_r2(y, X[:, 0]), atol=1e-12)


def test_r2_score_multioutput_and_constant(rng):
    Y = rng.standard_normal((20, 3))
    P = Y + 0.1 * rng.standard_normal((20, 3))
    assert np.isclose(r2_score(Y, P), sk_r2(Y, P), atol=1e-12)
    assert r2_score([1.0, 1.0], [1.0, 1.0]) == 1.0
    assert r2_score([1.0, 1.0], [1.0, 2.0]) == 0.0
    with pytest.raises(ValueError, match="y_true and y_pred must have the same shape"):
        r2_score([1.0, 2.0], [1.0])


def test_accuracy_score():
    assert accuracy_score(["a", "b"], ["a", "a"]) == 0.5
