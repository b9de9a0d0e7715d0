"""The benchmark's tasks (run by :mod:`ece544core.bench`): each pairs one of our algorithms with
its reference library on the same data, and says how to compare the two results.

A task is registered in ``TASKS`` with the ``@task("name")`` decorator on a function
``(quick: bool) -> Task``; ``quick`` selects small sizes (for tests). The reference libraries
(scikit-learn) are imported lazily; without them a task's ``ref`` is None.
"""
from __future__ import annotations

import importlib
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

__all__ = ["Task", "TASKS", "task"]


@dataclass
class Task:
    """One benchmark case.

    ours, ref : zero-argument callables doing the full work (fit + predict, ...) and returning
        whatever ``agreement`` needs; ``ref`` is None when the reference library is missing.
    agreement : (ours_result, ref_result or None) -> dict of numbers for the report.
    per : optional (result) -> number of units (e.g. the fitted model's ``n_iter_``); each
        side's time is then reported per unit (time per iteration), divided by its own count.
    """

    name: str
    size: str
    ours: Callable[[], Any]
    ref: Callable[[], Any] | None
    agreement: Callable[[Any, Any], dict]
    per: Callable[[Any], int] | None = None


#: name -> factory(quick) -> Task
TASKS: dict[str, Callable[[bool], Task]] = {}


def task(name: str):
    """Register a task factory under ``name``."""
    def register(factory):
        TASKS[name] = factory
        return factory
    return register


def _sklearn():
    """Import scikit-learn lazily; None (and the caller reports MISSING_REF) if it is absent."""
    try:
        import sklearn
    except ImportError:
        return None
    return sklearn


def _reference(module: str):
    """A scikit-learn submodule for a task's reference, or None without scikit-learn."""
    return importlib.import_module(module) if _sklearn() is not None else None


# ------------------------------------------------------------------------------ tasks
@task("knn")
def _knn_task(quick: bool) -> Task:
    """kNN on MNIST: the first 8000 digits train, the last 2000 test; k=5, euclidean, uniform."""
    from .datasets import load_mnist_split
    from .neighbors import KNeighborsClassifier

    Xtr, ytr, Xte, yte = load_mnist_split()
    if quick:
        Xtr, ytr, Xte, yte = Xtr[:1000], ytr[:1000], Xte[:200], yte[:200]

    def ours():
        return KNeighborsClassifier(n_neighbors=5).fit(Xtr, ytr).predict(Xte)

    sk = _reference("sklearn.neighbors")

    def ref():
        return sk.KNeighborsClassifier(n_neighbors=5, algorithm="brute").fit(Xtr, ytr).predict(Xte)

    def agreement(p_ours, p_ref):
        out = {"ours_accuracy": float(np.mean(p_ours == yte))}
        if p_ref is not None:
            out["identical"] = float(np.mean(p_ours == p_ref))
            out["ref_accuracy"] = float(np.mean(p_ref == yte))
        return out

    size = f"train={len(ytr)} test={len(yte)} d={Xtr.shape[1]}"
    return Task("knn", size, ours, ref if sk else None, agreement)


@task("ridge")
def _ridge_task(quick: bool) -> Task:
    """Ridge regression (C = alpha = 1) on Gaussian data, n=100000, d=100, fixed seed."""
    from .linear_model import Ridge

    n, d = (2000, 20) if quick else (100_000, 100)
    rng = np.random.default_rng(544)
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d) + 0.5 * rng.standard_normal(n) + 3.0
    C = 1.0

    def ours():
        return Ridge(C=C).fit(X, y).coef_

    sk = _reference("sklearn.linear_model")

    def ref():  # default solver "auto" (Cholesky for dense X without sample weights)
        return sk.Ridge(alpha=C).fit(X, y).coef_

    def agreement(w_ours, w_ref):
        if w_ref is None:
            return {}
        return {"max_abs_coef_diff": float(np.max(np.abs(w_ours - w_ref)))}

    return Task("ridge", f"n={n} d={d}", ours, ref if sk else None, agreement)


@task("logistic")
def _logistic_task(quick: bool) -> Task:
    """Softmax regression on MNIST 10k (X/255), C_notes = 1 = 1/C_sklearn, L-BFGS to tol 1e-6.

    Both stop when the max-norm of the gradient of the mean objective is <= 1e-6 (scikit-learn
    passes gtol=tol to SciPy's L-BFGS-B; ours stops at max_j |dJ/dtheta_j| <= tol * n).
    Agreement: relative objective difference (J_ours - J_ref) / J_ref, evaluated with our J at
    both solutions, and the fraction of identical predictions.
    """
    from .datasets import load_mnist
    from .logistic import SoftmaxRegression

    X, y = load_mnist()
    X = X / 255.0
    C, tol, max_iter = 1.0, 1e-6, 1000
    if quick:
        X, y, tol = X[:500], y[:500], 1e-4

    def ours():
        return SoftmaxRegression(C=C, solver="lbfgs", tol=tol, max_iter=max_iter).fit(X, y)

    sk = _reference("sklearn.linear_model")

    def ref():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a ConvergenceWarning shows up in ref_iter
            return sk.LogisticRegression(C=1.0 / C, solver="lbfgs", tol=tol,
                                         max_iter=max_iter).fit(X, y)

    def agreement(m, r):
        out = {"ours_iter": m.n_iter_, "ours_accuracy": float(np.mean(m.predict(X) == y))}
        if r is not None:
            f_ours = m.objective(m.coef_, m.intercept_, X, y)
            f_ref = m.objective(r.coef_, r.intercept_, X, y)
            out.update(ref_iter=int(np.max(r.n_iter_)), rel_obj_diff=(f_ours - f_ref) / f_ref,
                       identical=float(np.mean(m.predict(X) == r.predict(X))))
        return out

    size = f"n={len(y)} d={X.shape[1]} K=10 tol={tol:g}"
    return Task("logistic", size, ours, ref if sk else None, agreement)


@task("kmeans")
def _kmeans_task(quick: bool) -> Task:
    """k-means, time per Lloyd iteration: MNIST 10k (X/255), k=10, the same k-means++ initial
    centres on both sides (ours, seed 0), tol=0 and max_iter=30 (scikit-learn: lloyd, n_init=1).

    Each side's time is its fit divided by its own n_iter_ (both stop early, together, only
    if the labels stop changing). Agreement: max |centre difference|, relative inertia
    difference, fraction of identical labels.
    """
    from .cluster import KMeans, kmeans_plusplus
    from .datasets import load_mnist

    X, _ = load_mnist()
    X = X / 255.0
    k, max_iter = 10, 30
    if quick:
        X, max_iter = X[:500], 5
    init = kmeans_plusplus(X, k, random_state=0)[0]

    def ours():
        return KMeans(n_clusters=k, init=init, max_iter=max_iter, tol=0.0).fit(X)

    sk = _reference("sklearn.cluster")

    def ref():
        return sk.KMeans(n_clusters=k, init=init, n_init=1, max_iter=max_iter, tol=0.0,
                         algorithm="lloyd").fit(X)

    def agreement(m, r):
        out = {"ours_iter": m.n_iter_}
        if r is not None:
            out.update(ref_iter=r.n_iter_,
                       max_center_diff=float(np.max(np.abs(m.cluster_centers_ -
                                                           r.cluster_centers_))),
                       rel_inertia_diff=(m.inertia_ - r.inertia_) / r.inertia_,
                       identical=float(np.mean(m.labels_ == r.labels_)))
        return out

    size = f"n={len(X)} d={X.shape[1]} k={k} iter={max_iter}, per iteration"
    return Task("kmeans", size, ours, ref if sk else None, agreement,
                per=lambda model: model.n_iter_)


def _pca(X: np.ndarray, n_components: int) -> np.ndarray:
    """Scores of the first principal components: (X - mean) V_r from the thin SVD."""
    Xc = X - X.mean(axis=0)
    _, _, Vt = np.linalg.svd(Xc, full_matrices=False)
    return Xc @ Vt[:n_components].T


@task("gmm")
def _gmm_task(quick: bool) -> Task:
    """GMM by EM, time per iteration: MNIST 10k (X/255) projected on its first 30 principal
    components (NumPy SVD), K=10 full covariances, tol=0 and max_iter=20, the same start on both
    sides: uniform weights, 10 random digits (seed 0) as means, every precision the inverse of
    the data covariance.

    scikit-learn also runs one M-step from ``init_params="random_from_data"`` before it applies
    the given start (ours skips it when all three are given): about half an iteration of extra
    work in its time. Agreement: max |mean difference|, relative lower-bound difference.
    """
    from .datasets import load_mnist
    from .mixture import GaussianMixture

    X, _ = load_mnist()
    X = X / 255.0
    K, d, max_iter = 10, 30, 20
    if quick:
        X, K, d, max_iter = X[:500], 3, 5, 5
    Z = _pca(X, d)
    rng = np.random.default_rng(0)
    cov = np.cov(Z.T, bias=True)
    start = dict(weights_init=np.full(K, 1.0 / K),
                 means_init=Z[rng.choice(len(Z), K, replace=False)],
                 precisions_init=np.repeat(np.linalg.solve(cov, np.eye(d))[None], K, axis=0))
    params = dict(n_components=K, covariance_type="full", tol=0.0, max_iter=max_iter,
                  init_params="random_from_data", random_state=0, **start)

    def ours():
        return GaussianMixture(**params).fit(Z)

    sk = _reference("sklearn.mixture")

    def ref():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: max_iter is the point
            return sk.GaussianMixture(**params).fit(Z)

    def agreement(m, r):
        out = {"ours_iter": m.n_iter_}
        if r is not None:
            out.update(ref_iter=r.n_iter_,
                       max_mean_diff=float(np.max(np.abs(m.means_ - r.means_))),
                       rel_lower_bound_diff=(m.lower_bound_ - r.lower_bound_)
                       / abs(r.lower_bound_))
        return out

    size = f"n={len(Z)} d={d} (PCA) K={K} full iter={max_iter}, per iteration"
    return Task("gmm", size, ours, ref if sk else None, agreement,
                per=lambda model: model.n_iter_)


@task("svc")
def _svc_task(quick: bool) -> Task:
    """SVC with the RBF kernel on MNIST 3 vs 8 (X/255; the 10k subset holds 1,976 such digits:
    the first 1,500 train, the rest test), the notes' C = 1 (C_sklearn = 1/C = 1),
    gamma = "scale" on both sides, tol 1e-3 (the same KKT gap).
    Agreement: fraction of identical predictions on the rest, relative dual objective
    difference (ours is the notes' dual, C times scikit-learn's)."""
    from .datasets import load_mnist
    from .svm import SVC

    X, y = load_mnist()
    keep = (y == 3) | (y == 8)
    X, y = X[keep] / 255.0, y[keep]
    n = 300 if quick else 1500
    Xtr, ytr, Xte = X[:n], y[:n], X[n:]
    C = 1.0

    def ours():
        return SVC(C=C, kernel="rbf", tol=1e-3).fit(Xtr, ytr)

    sk = _reference("sklearn.svm")

    def ref():
        return sk.SVC(C=1.0 / C, kernel="rbf", gamma="scale", tol=1e-3).fit(Xtr, ytr)

    def agreement(m, r):
        out = {"ours_n_support": int(len(m.support_))}
        if r is not None:
            dc = r.dual_coef_.ravel()                   # y_i alpha_sklearn_i of the SVs
            ref_dual = C * (np.abs(dc).sum() - 0.5 * dc @ _rbf_gram(r, Xtr) @ dc)
            out.update(ref_n_support=int(len(r.support_)),
                       identical=float(np.mean(m.predict(Xte) == r.predict(Xte))),
                       rel_dual_diff=(m.dual_objective_ - ref_dual) / abs(ref_dual))
        return out

    return Task("svc", f"n={n} d=784 MNIST 3 vs 8, rbf", ours, ref if sk else None, agreement)


@task("msvm")
def _msvm_task(quick: bool) -> Task:
    """Crammer-Singer multiclass SVM on 5 overlapping 2-D blobs, raw (unstandardised) features
    with one axis scaled by 20, notes' C = 1 (C_sklearn = 1/C, intercept_scaling = 1: the same
    regularised bias). Ours: the Newton temperature path with its exact active-set finish (tol
    1e-6 relative duality gap); reference: LIBLINEAR's dual coordinate descent (tol 1e-4).
    Agreement: identical predictions, and our objective minus LIBLINEAR's (relative; < 0 means
    ours is lower)."""
    from .datasets import make_blobs
    from .multiclass import MulticlassSVM

    n = 500 if quick else 5000
    X, y = make_blobs(n_samples=n, centers=5, cluster_std=2.5, random_state=0)
    X = X * np.array([20.0, 1.0])
    C = 1.0

    def ours():
        return MulticlassSVM(C=C).fit(X, y)

    sk = _reference("sklearn.svm")

    def ref():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # LIBLINEAR's ConvergenceWarning on raw features
            return sk.LinearSVC(multi_class="crammer_singer", C=1.0 / C, tol=1e-4,
                                random_state=0, max_iter=100_000).fit(X, y)

    def agreement(m, r):
        J = m.objective(X, y)
        out = {"converged": bool(m.converged_), "newton_steps": int(m.n_iter_)}
        if r is not None:
            Jr = m.objective(X, y, r.coef_, r.intercept_)
            out.update(identical=float(np.mean(m.predict(X) == r.predict(X))),
                       rel_objective_diff=(J - Jr) / abs(Jr))
        return out

    return Task("msvm", f"n={n} d=2 K=5 blobs, raw features", ours, ref if sk else None,
                agreement)


def _rbf_gram(model, X) -> np.ndarray:
    """K between a fitted scikit-learn SVC's support vectors (for its dual objective)."""
    from .kernels import rbf

    S = X[model.support_]
    return rbf(S, S, gamma=model._gamma)

