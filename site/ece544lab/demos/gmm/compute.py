"""The GMM demo's computation: a whole EM run recorded step by step (E, M, E, M, ...), the ML
fit of one Gaussian, and k-means from the same initial means. Pure NumPy and the core; no Bokeh.

Frames of a run: frame 0 is theta_0 (no responsibilities yet); frame 2t - 1 the E-step of
iteration t (r_t from theta_{t-1}: the bound touches l), frame 2t its M-step (theta_t). The run
stops after the first M-step that raises l / N by less than ``TOL`` (or after ``MAX_ITER``).
:func:`em_job` is a generator (a long job for the shell): it yields a
:class:`~ece544lab.shell.jobs.Progress` with the partial result every ``CHUNK`` iterations.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ece544core import datasets
from ece544core.cluster import KMeans
from ece544core.matching import matched_accuracy
from ece544core.mixture import (gaussian_ml_fit, gmm_e_step, gmm_lower_bound, gmm_m_step,
                                log_gaussian_pdf)

from ...shell.jobs import Progress

__all__ = ["MAX_ITER", "TOL", "CHUNK", "DATASETS", "EMRun", "GMMResult", "GMMFrame", "MLFit",
           "KMeansPanel", "make_points", "kmeans_panel", "single_gaussian", "em_job",
           "assemble", "run_to_end"]

MAX_ITER = 500            # EM iterations (E + M) recorded at most
TOL = 1e-6                # converged when an iteration raises l / N by less than this
CHUNK = 20                # EM iterations between two progress reports of a long job
#: The demo's data sets: the registry's name for each choice (the URL keeps "blobs").
DATASETS = {"anisotropic": "anisotropic", "blobs": "random_blobs"}


@dataclass(frozen=True)
class MLFit:
    """gaussian_ml_fit of some points: their number, mean and (biased) covariance, or a note."""

    target: str
    n: int
    mean: np.ndarray | None = None
    covariance: np.ndarray | None = None
    note: str = ""


@dataclass(frozen=True)
class KMeansPanel:
    """cluster.KMeans to a fixed point from the mixture's initial means."""

    labels: np.ndarray
    centers: np.ndarray
    inertia: float
    n_iter: int


@dataclass(frozen=True)
class EMRun:
    """The EM record: theta_0 ... theta_T, r_1 ... r_T, l per frame, F per half-step."""

    key: tuple                    # identifies the inputs (a new key: back to frame 0)
    X: np.ndarray                 # (n, 2): generated points, then the clicked ones
    clicked: np.ndarray           # (n,) bool
    box: tuple
    covariance_type: str
    weights: tuple = ()           # T + 1 arrays (K,)
    means: tuple = ()             # T + 1 arrays (K, 2)
    covariances: tuple = ()       # T + 1 arrays in the type's shape
    resp: tuple = ()              # T arrays (n, K): r_ik of the E-step of iteration t
    loglik: tuple = ()            # 2T + 1 values: l(theta) at every frame
    bounds: tuple = ()            # 2T values: F(q, theta) after every half-step
    converged: bool = False
    complete: bool = True         # False: the partial record of a running long job
    note: str = ""                # why there is no run (no points, or fewer than K)

    @property
    def n_iter(self) -> int:
        return len(self.resp)


@dataclass(frozen=True)
class GMMFrame:
    """What one frame shows (see the module docstring)."""

    index: int
    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    resp: np.ndarray | None        # None before the first E-step
    hard_labels: np.ndarray        # argmax_k r_ik (of r(theta_0) at frame 0)
    steps: tuple[str, ...]
    loglik: np.ndarray
    bounds: np.ndarray
    converged: bool
    ml: MLFit
    agreement: float | None        # k-means vs the hard labels, best label matching

    @property
    def n_iter(self) -> int:
        """Completed EM iterations (M-steps)."""
        return self.steps.count("M")


@dataclass(frozen=True)
class GMMResult:
    """An EM run with what the page shows beside it."""

    run: EMRun
    single: MLFit | None = None          # one Gaussian fitted to all the data
    single_loglik: float | None = None   # its log-likelihood on all the data
    kmeans: KMeansPanel | None = None
    ml: tuple = ()                        # per iteration: MLFit of ``ml_target``
    agreement: tuple = ()                 # per iteration: matched accuracy with k-means

    @property
    def key(self) -> tuple:
        return self.run.key

    @property
    def n_frames(self) -> int:
        return 1 + 2 * self.run.n_iter

    def describe(self, index: int) -> str:
        """Frame ``index`` in words, for the step-through."""
        frame = self.frame(index)
        if frame is None or not frame.steps:
            return "initial parameters θ₀"
        words = f"{frame.steps[-1]}-step of iteration {frame.steps.count('E')}"
        return words + (" (converged)" if frame.converged else "")

    def frame(self, index: int) -> GMMFrame | None:
        """Frame ``index`` (clamped); None without a run."""
        run = self.run
        if not run.resp:
            return None
        i = min(max(int(index), 0), self.n_frames - 1)
        n_e, n_m = (i + 1) // 2, i // 2
        t = max(n_e, 1) - 1                       # the responsibilities behind the hard labels
        return GMMFrame(
            index=i, weights=run.weights[n_m], means=run.means[n_m],
            covariances=run.covariances[n_m], resp=run.resp[n_e - 1] if n_e else None,
            hard_labels=np.argmax(run.resp[t], axis=1), steps=("E", "M") * n_m + ("E",) *
            (n_e - n_m), loglik=np.asarray(run.loglik[:i + 1]),
            bounds=np.asarray(run.bounds[:i]),
            converged=run.converged and run.complete and i == self.n_frames - 1,
            ml=self.ml[t], agreement=self.agreement[t] if self.agreement else None)


# ------------------------------------------------------------------------------ pieces
def make_points(dataset: str, n_samples: int, n_centers: int, spread: float, seed: int,
                clicked_X: np.ndarray):
    """The registry's set for ``dataset`` (none for 'custom') with the clicked points appended:
    (X, clicked mask)."""
    if dataset == "custom":
        base = np.empty((0, 2))
    else:
        base, _ = datasets.make_toy(DATASETS[dataset], n_samples, noise=spread,
                                    n_classes=n_centers, random_state=seed)
    X = np.vstack([base, np.reshape(clicked_X, (-1, 2))])
    return X, np.arange(len(X)) >= len(base)


def kmeans_panel(X: np.ndarray, init_means: np.ndarray) -> KMeansPanel:
    model = KMeans(n_clusters=len(init_means), init=init_means, n_init=1, max_iter=300,
                   tol=0.0).fit(X)
    return KMeansPanel(model.labels_, model.cluster_centers_, float(model.inertia_),
                       int(model.n_iter_))


def single_gaussian(X: np.ndarray):
    """(MLFit of all the data, its log-likelihood sum_i log N(x^(i) | mu_ML, Sigma_ML))."""
    mean, cov = gaussian_ml_fit(X)
    ll = float(np.sum(log_gaussian_pdf(X, mean[None], (cov + 1e-12 * np.eye(2))[None], "full")))
    return MLFit("all", len(X), mean, cov), ll


def _ml_fit(X: np.ndarray, labels: np.ndarray, target: str, K: int) -> MLFit:
    """gaussian_ml_fit of all the data or of the points hard-assigned to component target."""
    if target == "all":
        mean, cov = gaussian_ml_fit(X)
        return MLFit(target, len(X), mean, cov)
    k = int(target) - 1
    if k >= K:
        return MLFit(target, 0, note=f"There are only K = {K} components.")
    pts = X[labels == k]
    if not len(pts):
        return MLFit(target, 0, note="No points are assigned to this component: nothing to fit.")
    mean, cov = gaussian_ml_fit(pts)
    return MLFit(target, len(pts), mean, cov)


def assemble(run: EMRun, target: str, kmeans: KMeansPanel | None) -> GMMResult:
    """The result for ``run``: the ML fits of ``target`` and the agreement with k-means for
    every iteration's hard labels (computed once per change of the labels)."""
    if not run.resp:
        return GMMResult(run)
    single, single_ll = single_gaussian(run.X)
    K = len(run.weights[0])
    ml, agreement, previous = [], [], None
    for r in run.resp:
        labels = np.argmax(r, axis=1)
        if previous is None or not np.array_equal(labels, previous):
            fit = _ml_fit(run.X, labels, target, K)
            agree = None if kmeans is None else matched_accuracy(labels, kmeans.labels, K)
            previous = labels
        ml.append(fit)
        agreement.append(agree)
    return GMMResult(run, single, single_ll, kmeans, tuple(ml),
                     tuple(agreement) if kmeans is not None else ())


# ------------------------------------------------------------------------------ the EM job
def em_job(base: EMRun, theta0, reg_covar: float, target: str, kmeans: KMeansPanel | None,
           chunk: int = CHUNK):
    """EM from theta_0 with gmm_e_step / gmm_m_step / gmm_lower_bound, recorded frame by frame.

    A generator: every ``chunk`` iterations it yields Progress(fraction, message, partial
    result); it returns the complete :class:`GMMResult`.
    """
    X, cov_type = base.X, base.covariance_type
    n = len(X)
    w, m, c = theta0
    log_resp, ll = gmm_e_step(X, w, m, c, cov_type)
    rec = dict(weights=[w], means=[m], covariances=[c], resp=[], loglik=[ll], bounds=[])
    converged = False
    for t in range(1, MAX_ITER + 1):
        r = np.exp(log_resp)
        rec["resp"].append(r)
        rec["loglik"].append(ll)                   # E: theta unchanged, the bound touches l
        rec["bounds"].append(gmm_lower_bound(X, r, w, m, c, cov_type))
        w, m, c = gmm_m_step(X, r, cov_type, reg_covar)
        log_resp, ll_new = gmm_e_step(X, w, m, c, cov_type)   # also the next E-step
        for name, value in zip(("weights", "means", "covariances"), (w, m, c)):
            rec[name].append(value)
        rec["loglik"].append(ll_new)
        rec["bounds"].append(gmm_lower_bound(X, r, w, m, c, cov_type))
        converged, ll = (ll_new - ll) / n < TOL, ll_new
        if converged:
            break
        if t % chunk == 0:
            partial = assemble(_snapshot(base, rec, False, False), target, kmeans)
            yield Progress(t / MAX_ITER, f"EM iteration {t}", partial=partial)
    return assemble(_snapshot(base, rec, converged, True), target, kmeans)


def _snapshot(base: EMRun, rec: dict, converged: bool, complete: bool) -> EMRun:
    return EMRun(base.key, base.X, base.clicked, base.box, base.covariance_type,
                 **{name: tuple(values) for name, values in rec.items()},
                 converged=converged, complete=complete)


def run_to_end(job):
    """Drain a job generator and return its result (a quick run needs no job runner)."""
    while True:
        try:
            next(job)
        except StopIteration as end:
            return end.value
