"""ece544core.multiclass against scikit-learn's OneVsRest/OneVsOne wrappers around the equivalent
binary models (C_sklearn = 1 / C_notes), the ambiguity/tie helpers on hand-made cases, the
Crammer-Singer SVM against an SLSQP solution of its QP, and bad inputs."""
import warnings

import numpy as np
import pytest
from scipy.optimize import minimize as sp_minimize
from sklearn import multiclass as skmulticlass
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.svm import SVC as SkSVC
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

import ece544core
from ece544core._validation import NotFittedError
from ece544core.base import BaseEstimator, clone
from ece544core.datasets import make_blobs
from ece544core.logistic import LogisticRegression
from ece544core.multiclass import MulticlassSVM, OneVsOneClassifier, OneVsRestClassifier
from ece544core.svm import SVC


# ------------------------------------------------------------------------------ helpers
def _blobs(K, n=120, std=2.0, seed=0, standardise=False):
    X, y = make_blobs(n_samples=n, centers=K, cluster_std=std, random_state=seed)
    if standardise:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, y


def _sk(wrapper, est, X, y):
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("ignore")
        return wrapper(est).fit(X, y)


class _Fixed(BaseEstimator):
    """A 'binary model' with a given linear score w^T x + b (fit does nothing)."""

    def __init__(self, w=(1.0, 0.0), b=0.0):
        self.w = w
        self.b = b

    def fit(self, X, y):
        self.fitted_ = True
        return self

    def decision_function(self, X):
        return np.asarray(X) @ np.asarray(self.w) + self.b

    def predict(self, X):
        return (self.decision_function(X) > 0).astype(int)


def _set_fixed(model, params):
    """Replace the fitted binary models by _Fixed ones with the given (w, b) list."""
    model.estimators_ = [_Fixed(w, b) for w, b in params]
    return model


# ------------------------------------------------------------------------------ one-vs-rest
@pytest.mark.parametrize("K", [3, 4, 5])
def test_ovr_logistic_matches_sklearn(K):
    X, y = _blobs(K, seed=K)
    Xt, _ = _blobs(K, n=60, seed=K + 10)
    C = 0.5
    ours = OneVsRestClassifier(LogisticRegression(C=C)).fit(X, y)
    ref = _sk(skmulticlass.OneVsRestClassifier,
              SkLogisticRegression(C=1.0 / C, tol=1e-12, max_iter=20000), X, y)
    assert len(ours.estimators_) == K
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    for Z in (X, Xt):
        np.testing.assert_allclose(ours.decision_function(Z), ref.decision_function(Z),
                                   atol=1e-5)
        np.testing.assert_array_equal(ours.predict(Z), ref.predict(Z))


def test_ovr_svc_matches_sklearn_and_string_labels():
    X, y = _blobs(3, seed=1)
    names = np.array(["cat", "dog", "emu"])[y]
    ours = OneVsRestClassifier(SVC(C=2.0, kernel="rbf", gamma=0.5, tol=1e-6)).fit(X, names)
    ref = _sk(skmulticlass.OneVsRestClassifier, SkSVC(C=0.5, kernel="rbf", gamma=0.5, tol=1e-6),
              X, names)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-3)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    assert ours.score(X, names) == pytest.approx(ref.score(X, names))


def test_ovr_ambiguity_hand_made():
    X = np.array([[0.0, 0.0], [5.0, 0.0], [-5.0, 0.0], [0.0, 5.0], [0.0, -5.0]])
    model = OneVsRestClassifier(_Fixed()).fit(X, [0, 1, 2, 0, 1])
    # f_0 = x1 - 1, f_1 = x2 - 1, f_2 = -x1 - 1
    _set_fixed(model, [((1.0, 0.0), -1.0), ((0.0, 1.0), -1.0), ((-1.0, 0.0), -1.0)])
    P = np.array([[0.0, 0.0],   # nobody claims it
                  [3.0, 0.0],   # only class 0
                  [3.0, 3.0],   # classes 0 and 1
                  [-3.0, 3.0],  # classes 1 and 2
                  [0.0, 3.0]])  # only class 1
    np.testing.assert_array_equal(model.region_votes(P),
                                  [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 1], [0, 1, 0]])
    np.testing.assert_array_equal(model.ambiguity(P), [0, 1, 2, 2, 1])
    np.testing.assert_array_equal(model.predict(P[1:]), [0, 0, 1, 1])  # argmax of scores


# ------------------------------------------------------------------------------ one-vs-one
@pytest.mark.parametrize("K", [3, 4, 5])
def test_ovo_svc_matches_sklearn(K):
    X, y = _blobs(K, std=2.5, seed=K)
    Xt, _ = _blobs(K, n=80, std=3.0, seed=K + 20)
    C = 1.0
    ours = OneVsOneClassifier(SVC(C=C, kernel="linear", tol=1e-6)).fit(X, y)
    ref = _sk(skmulticlass.OneVsOneClassifier, SkSVC(C=1.0 / C, kernel="linear", tol=1e-6),
              X, y)
    assert len(ours.estimators_) == K * (K - 1) // 2 == len(ours.pairs_)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    for Z in (X, Xt):
        np.testing.assert_allclose(ours.decision_function(Z), ref.decision_function(Z),
                                   atol=1e-3)
        np.testing.assert_array_equal(ours.predict(Z), ref.predict(Z))
        v = ours.votes(Z)
        assert np.all(v.sum(axis=1) == K * (K - 1) // 2)


def test_ovo_logistic_matches_sklearn():
    X, y = _blobs(4, std=3.0, seed=7)
    ours = OneVsOneClassifier(LogisticRegression(C=0.3)).fit(X, y)
    ref = _sk(skmulticlass.OneVsOneClassifier,
              SkLogisticRegression(C=1.0 / 0.3, tol=1e-12, max_iter=20000), X, y)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-5)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_ovo_votes_ties_hand_made():
    X = np.zeros((3, 2))
    model = OneVsOneClassifier(_Fixed()).fit(X, [0, 1, 2])
    np.testing.assert_array_equal(model.pairs_, [[0, 1], [0, 2], [1, 2]])
    # f_01 = x1 (> 0: class 1 wins), f_02 = x2 (> 0: class 2), f_12 = x2 - x1 (> 0: class 2)
    _set_fixed(model, [((1.0, 0.0), 0.0), ((0.0, 1.0), 0.0), ((-1.0, 1.0), 0.0)])
    P = np.array([[1.0, 2.0],    # 1 beats 0, 2 beats 0, 2 beats 1: votes (0, 1, 2)
                  [2.0, 1.0],    # 1 beats 0, 2 beats 0, 1 beats 2: votes (0, 2, 1)
                  [1.0, -1.0],   # 1 beats 0, 0 beats 2, 1 beats 2: votes (1, 2, 0)
                  [-1.0, 1.0]])  # 0 beats 1, 2 beats 0, 2 beats 1: votes (1, 0, 2)
    np.testing.assert_array_equal(model.votes(P), [[0, 1, 2], [0, 2, 1], [1, 2, 0], [1, 0, 2]])
    assert not model.tie_mask(P).any()
    np.testing.assert_array_equal(model.predict(P), [2, 1, 1, 2])
    # a cycle: 1 beats 0 (x1 > 0), 0 beats 2 (x2 < 0), 2 beats 1 (x2 - x1 > 0) -> 1 vote each
    _set_fixed(model, [((1.0, 0.0), 0.0), ((0.0, 1.0), 0.0), ((-1.0, 1.0), 3.0)])
    Q = np.array([[1.0, -1.0]])
    np.testing.assert_array_equal(model.votes(Q), [[1, 1, 1]])
    assert model.tie_mask(Q).all()
    # f01 = 1, f02 = -1, f12 = 1: summed confidences s = (-f01 - f02, f01 - f12, f02 + f12) = 0
    s = np.array([-1.0 - (-1.0), 1.0 - 1.0, -1.0 + 1.0])
    np.testing.assert_allclose(model.decision_function(Q)[0], 1 + s / (3 * (np.abs(s) + 1)))


def test_ovo_tie_breaking_by_confidence():
    X = np.zeros((3, 2))
    model = OneVsOneClassifier(_Fixed()).fit(X, [0, 1, 2])
    # cycle with unequal confidences: f01 = 2 (1 wins), f02 = -0.5 (0 wins), f12 = 0.25 (2 wins)
    _set_fixed(model, [((2.0, 0.0), 0.0), ((0.0, 0.5), 0.0), ((0.0, 0.0), 0.25)])
    Q = np.array([[1.0, -1.0]])
    assert model.tie_mask(Q).all()
    s = np.array([-2.0 - (-0.5), 2.0 - 0.25, -0.5 + 0.25])  # summed confidences per class
    np.testing.assert_allclose(model.decision_function(Q)[0], 1 + s / (3 * (np.abs(s) + 1)))
    assert model.predict(Q)[0] == 1


# ------------------------------------------------------------------------------ multiclass SVM
def _cs_reference(X, y, C):
    """Solve the Crammer-Singer QP with SLSQP: variables W (K x (d+1)) and slacks xi (n)."""
    classes, idx = np.unique(y, return_inverse=True)
    K, n = classes.size, X.shape[0]
    Xa = np.hstack([X, np.ones((n, 1))])
    D = Xa.shape[1]

    def split(z):
        return z[:K * D].reshape(K, D), z[K * D:]

    def fun(z):
        W, xi = split(z)
        return 0.5 * C * np.sum(W * W) + xi.sum()

    def jac(z):
        W, _ = split(z)
        return np.concatenate([C * W.ravel(), np.ones(n)])

    # xi_i - (w_y - w_{y_i})^T x_i - [y != y_i] >= 0 for all i, y
    rows, rhs = [], []
    for i in range(n):
        for k in range(K):
            a = np.zeros(K * D + n)
            a[K * D + i] = 1.0
            if k != idx[i]:
                a[k * D:(k + 1) * D] -= Xa[i]
                a[idx[i] * D:(idx[i] + 1) * D] += Xa[i]
            rows.append(a)
            rhs.append(float(k != idx[i]))
    A, b = np.array(rows), np.array(rhs)
    cons = {"type": "ineq", "fun": lambda z: A @ z - b, "jac": lambda z: A}
    z0 = np.concatenate([np.zeros(K * D), np.ones(n)])
    res = sp_minimize(fun, z0, jac=jac, constraints=[cons], method="SLSQP",
                      options={"maxiter": 1000, "ftol": 1e-12})
    assert res.success, res.message
    return res.fun


def test_multiclass_svm_matches_qp_reference():
    X, y = _blobs(3, n=45, std=2.5, seed=3, standardise=True)
    C = 1.0
    model = MulticlassSVM(C=C, tol=1e-7, max_iter=5000).fit(X, y)
    assert model.converged_
    ref = _cs_reference(X, y, C)
    J = model.objective(X, y)
    assert J == pytest.approx(model.history_["objective"][-1])
    assert abs(J - ref) <= 1e-3 * abs(ref)
    # weak duality: every dual value is a lower bound on the optimum
    assert max(model.history_["dual_objective"]) <= ref * (1 + 1e-6)


def test_multiclass_svm_history_and_separable_accuracy():
    centers = np.array([[-4.0, 0.0], [4.0, 0.0], [0.0, 5.0], [0.0, -5.0]])
    X, y = make_blobs(n_samples=120, centers=centers, cluster_std=0.6, random_state=1)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    model = MulticlassSVM(C=0.5).fit(X, y)
    h = model.history_
    assert model.converged_ and model.n_iter_ == len(h["objective"]) - 1
    assert h["objective"][0] == pytest.approx(X.shape[0])  # W = 0: every loss is 1
    assert h["objective"][-1] < 0.5 * h["objective"][0]
    assert np.all(np.diff(h["dual_objective"]) >= -1e-9)  # exact coordinate ascent
    assert np.all(np.array(h["gap"]) >= -1e-9)
    assert h["gap"][-1] <= model.tol * h["objective"][-1]
    assert model.coef_.shape == (4, 2) and model.intercept_.shape == (4,)
    assert model.decision_function(X).shape == (120, 4)
    assert model.score(X, y) == 1.0
    # the objective at the solution is below that of perturbed weights
    J = model.objective(X, y)
    rng = np.random.default_rng(0)
    for _ in range(5):
        assert J <= model.objective(X, y, model.coef_ + 0.05 * rng.standard_normal((4, 2)),
                                    model.intercept_) + 1e-9


@pytest.mark.parametrize("scale", [1.0, 50.0])
def test_multiclass_svm_newton_matches_liblinear_and_bca(scale):
    """The Newton temperature path (exact active-set finish) on raw, unscaled features against
    LIBLINEAR's Crammer-Singer solver and against the textbook dual coordinate ascent."""
    X, y = _blobs(4, n=160, std=2.2, seed=11)
    X = X * np.array([scale, 1.0]) + np.array([3.0 * scale, -2.0])
    C = 0.7
    model = MulticlassSVM(C=C, tol=1e-8).fit(X, y)
    assert model.converged_ and model.history_["eps"][-1] == 0.0
    J = model.objective(X, y)
    assert model.history_["gap"][-1] <= 1e-8 * J  # a certificate: J - D(beta) at the end
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = LinearSVC(multi_class="crammer_singer", C=1.0 / C, tol=1e-12,
                        max_iter=1_000_000).fit(X, y)
    # intercept_scaling=1 regularises the bias as our augmented column does
    assert J <= model.objective(X, y, ref.coef_, ref.intercept_) + 1e-7 * J
    if scale == 1.0:  # LIBLINEAR converges on the well-scaled data: the same optimum
        assert model.objective(X, y, ref.coef_, ref.intercept_) == pytest.approx(J, rel=1e-6)
        np.testing.assert_array_equal(model.predict(X), ref.predict(X))
        bca = MulticlassSVM(C=C, solver="bca", tol=1e-4, max_iter=2000).fit(X, y)
        assert bca.converged_ and J <= bca.objective(X, y) <= J * (1 + 1e-4)
    # the dual certificate reproduces the weights: W = (1/C) sum_i (e_{y_i} - beta_i) x_i^T
    R = -model.dual_coef_
    R[np.arange(len(y)), y] += 1.0
    W = R.T @ np.hstack([X, np.ones((len(y), 1))]) / C
    np.testing.assert_allclose(W, np.column_stack([model.coef_, model.intercept_]), atol=1e-6)


def test_multiclass_svm_auto_solver_picks_by_size():
    X, y = _blobs(3, n=40, std=2.0, seed=1)
    assert MulticlassSVM().fit(X, y).solver_ == "newton"
    rng = np.random.default_rng(0)
    wide = np.hstack([X, rng.standard_normal((40, 200))])  # 3 x 203 weights: too many for Newton
    model = MulticlassSVM(tol=1e-3).fit(wide, y)
    assert model.solver_ == "bca" and model.converged_


def test_multiclass_svm_bad_solver():
    X, y = _blobs(3, n=30)
    with pytest.raises(ValueError, match="solver"):
        MulticlassSVM(solver="sgd").fit(X, y)


def test_multiclass_svm_string_labels_and_warning():
    X, y = _blobs(3, n=60, std=3.0, seed=5)
    names = np.array(["a", "b", "c"])[y]
    with pytest.warns(RuntimeWarning, match="max_iter"):
        model = MulticlassSVM(C=1.0, max_iter=2).fit(X, names)
    assert set(model.predict(X)) <= {"a", "b", "c"}
    assert not model.converged_


# ------------------------------------------------------------------------------ API and errors
def test_params_clone_and_package_export():
    m = OneVsRestClassifier(LogisticRegression(C=2.0))
    assert m.get_params()["estimator__C"] == 2.0
    m.set_params(estimator__C=3.0)
    assert m.estimator.C == 3.0
    c = clone(MulticlassSVM(C=0.3, tol=1e-4))
    assert c.C == 0.3 and c.tol == 1e-4 and not hasattr(c, "coef_")
    assert ece544core.multiclass.MulticlassSVM is MulticlassSVM


@pytest.mark.parametrize("make", [lambda: OneVsRestClassifier(LogisticRegression()),
                                  lambda: OneVsOneClassifier(LogisticRegression()),
                                  lambda: MulticlassSVM()])
def test_bad_inputs(make):
    X, y = _blobs(3, n=30, standardise=True)
    with pytest.raises(NotFittedError):
        make().predict(X)
    with pytest.raises(ValueError, match="y must contain at least two classes"):
        make().fit(X, np.zeros(30))
    Xn = X.copy()
    Xn[3, 1] = np.nan
    with pytest.raises(ValueError, match="X must be finite"):
        make().fit(Xn, y)
    with pytest.raises(ValueError, match="same number of samples"):
        make().fit(X, y[:-1])
    model = make().fit(X, y)
    with pytest.raises(ValueError, match="feature"):
        model.predict(X[:, :1])


@pytest.mark.parametrize("wrapper", [OneVsRestClassifier, OneVsOneClassifier])
def test_estimator_without_fit(wrapper):
    X, y = _blobs(3, n=30)
    with pytest.raises(ValueError, match="estimator must be"):
        wrapper(object()).fit(X, y)
    with pytest.raises(ValueError, match="estimator must be"):
        wrapper(None).fit(X, y)


@pytest.mark.parametrize("C", [0.0, -1.0, float("nan"), float("inf"), "1"])
def test_multiclass_svm_bad_C(C):
    X, y = _blobs(3, n=30)
    with pytest.raises(ValueError, match="C must"):
        MulticlassSVM(C=C).fit(X, y)


@pytest.mark.parametrize("kw, name", [({"max_iter": 0}, "max_iter"), ({"tol": 0.0}, "tol"),
                                      ({"random_state": -1}, "random_state")])
def test_multiclass_svm_bad_params(kw, name):
    X, y = _blobs(3, n=30)
    with pytest.raises(ValueError, match=name):
        MulticlassSVM(**kw).fit(X, y)
