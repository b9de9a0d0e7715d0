"""GMMDemo through its parameters, compute()'s recorded EM run and the step-through: E- and
M-steps (vs scikit-learn and a written-out density), EM's bound, ellipses, responsibilities,
clicks, too few points, the long job at large n, the ML fit of one Gaussian and k-means."""
from __future__ import annotations

import inspect
import itertools

import numpy as np
import pytest
from bokeh.events import Tap

from ece544core.cluster import KMeans
from ece544core.datasets import make_toy
from ece544core.mixture import full_covariances, gmm_initial_parameters
from ece544lab.demos.gmm import LONG_JOB_WORK, GMMDemo, GMMResult
from ece544lab.shell.jobs import Progress
from ece544lab.views.plotting import PALETTE

UNASSIGNED = "#9a9a9a"


@pytest.fixture
def demo():
    return GMMDemo()


def points(demo) -> np.ndarray:
    return np.c_[demo.points_source.data["x"], demo.points_source.data["y"]]


def ellipses(demo) -> dict:
    return {key: list(v) for key, v in demo.ellipse_source.data.items()}


def log_gauss(X, mu, S) -> np.ndarray:
    """log N(x | mu, S) for the rows of X, written out (no core, no scipy)."""
    R = X - mu
    quad = np.einsum("ij,jk,ik->i", R, np.linalg.inv(S), R)
    return -0.5 * (quad + np.log(np.linalg.det(S)) + X.shape[1] * np.log(2 * np.pi))


def sklearn_loglik(X, weights, means, covariances, covariance_type) -> float:
    """sum_i of scikit-learn's score_samples with the given parameters set by hand."""
    from sklearn.mixture import GaussianMixture as SkGMM
    from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky

    sk = SkGMM(n_components=len(weights), covariance_type=covariance_type)
    sk.weights_, sk.means_ = np.asarray(weights), np.asarray(means)
    sk.covariances_ = np.asarray(covariances)
    sk.precisions_cholesky_ = _compute_precision_cholesky(sk.covariances_, covariance_type)
    return float(sk.score_samples(X).sum())


def test_url_parameters_reach_the_demo():
    from ece544lab.shell.app import DEMOS, App

    assert DEMOS["gmm"] is GMMDemo
    demo = App(search="?demo=gmm&n_components=2&covariance_type=diag&reg_covar=0.01"
                      "&ml_target=2").instance("gmm")
    assert (demo.n_components, demo.covariance_type, demo.reg_covar, demo.ml_target) == \
        (2, "diag", 0.01, "2")
    assert demo.error == "" and demo.frame.ml.target == "2"


# ------------------------------------------------------------------ compute()
def test_data_come_from_the_registry():
    demo = GMMDemo(n_samples=300, n_centers=3, spread=1.2, seed=0)
    X, y = make_toy("anisotropic", 300, noise=1.2, n_classes=3, random_state=0)
    np.testing.assert_array_equal(demo.result.run.X, X)
    covs = [np.cov(X[y == c].T) for c in range(3)]                   # tilted, unequal blobs
    assert max(np.linalg.eigvalsh(S)[1] / np.linalg.eigvalsh(S)[0] for S in covs) > 3
    assert np.ptp([np.linalg.det(S) for S in covs]) > 0.05
    demo.dataset = "blobs"
    np.testing.assert_array_equal(points(demo), make_toy("random_blobs", 300, noise=1.2,
                                                         n_classes=3, random_state=0)[0])


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_every_frame_against_sklearn_and_the_m_step_formulas(covariance_type):
    demo = GMMDemo(covariance_type=covariance_type, n_samples=200)
    result = demo.compute()
    assert isinstance(result, GMMResult)
    run, X = result.run, result.run.X
    theta0 = gmm_initial_parameters(X, 3, covariance_type, reg_covar=demo.reg_covar,
                                    random_state=demo.init_seed)
    for got, want in zip((run.weights[0], run.means[0], run.covariances[0]), theta0):
        np.testing.assert_array_equal(got, want)
    for i in range(result.n_frames):
        f = result.frame(i)
        ll = sklearn_loglik(X, f.weights, f.means, f.covariances, covariance_type)
        assert f.loglik[-1] == pytest.approx(ll, rel=1e-10)
        if i and f.steps[-1] == "M" and i < 8:                      # M: the weighted ML fit
            r = result.frame(i - 1).resp
            Nk = r.sum(axis=0)
            np.testing.assert_allclose(f.weights, Nk / len(X), rtol=1e-9)
            np.testing.assert_allclose(f.means, (r.T @ X) / Nk[:, None], rtol=1e-9)
            S = full_covariances(f.covariances, covariance_type, n_features=2)
            direct = np.logaddexp.reduce(np.log(f.weights) + np.stack(
                [log_gauss(X, m, s) for m, s in zip(f.means, S)], axis=1), axis=1).sum()
            assert f.loglik[-1] == pytest.approx(direct, rel=1e-10)
    last = result.frame(result.n_frames - 1)
    assert last.converged and len(last.loglik) > 6
    assert np.all(np.diff(last.loglik) >= -1e-9 * abs(last.loglik[0]))   # l never falls
    bounds, ll = last.bounds, last.loglik[1:]
    assert np.all(bounds <= ll + 1e-9 * abs(ll[0]))                      # F <= l ...
    e_steps = np.asarray(last.steps) == "E"
    np.testing.assert_allclose(bounds[e_steps], ll[e_steps], rtol=1e-10)  # ... = l after E


def test_large_n_is_a_long_job_with_partial_results():
    demo = GMMDemo(n_samples=500, n_centers=8, n_components=8)
    assert 500 * 8 >= LONG_JOB_WORK
    demo._cache = {}
    job = demo.compute()
    assert inspect.isgenerator(job)
    reports = []
    while True:
        try:
            reports.append(next(job))
        except StopIteration as end:
            final = end.value
            break
    assert reports and all(isinstance(p, Progress) for p in reports)
    fractions = [p.fraction for p in reports]
    assert fractions == sorted(fractions) and 0 < fractions[-1] < 1
    partial = reports[-1].partial
    assert not partial.run.complete and partial.n_frames < final.n_frames
    np.testing.assert_array_equal(partial.frame(partial.n_frames - 1).means,
                                  final.frame(partial.n_frames - 1).means)
    assert final.run.complete and final.frame(10 ** 6).converged
    assert demo.result.n_frames == final.n_frames                 # natively: run to the end
    np.testing.assert_array_equal(demo.result.frame(10 ** 6).means, final.frame(10 ** 6).means)


# ------------------------------------------------------------------ the view
def test_default_view_is_frame_zero(demo):
    assert demo.error == ""
    names = {s.name for s in (demo.points_source, demo.ellipse_source, demo.means_source,
                              demo.ll_source, demo.ml_source)}
    assert names == {"gmm-points", "gmm-ellipses", "gmm-means", "gmm-loglik", "gmm-ml"}
    K = demo.n_components
    assert len(demo.points_source.data["x"]) == demo.n_samples
    assert set(demo.points_source.data["color"]) == {UNASSIGNED}    # no E-step yet
    e = ellipses(demo)
    assert len(e["xs"]) == 2 * K and sorted(e["n_std"]) == [1.0] * K + [2.0] * K
    assert len(demo.means_source.data["x"]) == K
    assert list(demo.ll_source.data["t"]) == [0]                     # l(theta_0)
    assert demo.steps.back_button.disabled and not demo.steps.step_button.disabled
    for key in ("loglik", "loglik_per_point", "bound", "last_step", "n_iter", "converged",
                "weights", "K", "n", "falls"):
        assert key in demo.stats, key
    assert "data-stat='loglik'" in demo._numbers.object
    assert "E-step" in demo._answers.object and "majorize" in demo._answers.object


def test_e_step_then_m_step_changes_the_ellipses(demo):
    before = ellipses(demo)
    demo.steps.step()
    assert demo.stats["last_step"][1] == "E"
    for a, b in zip(before["xs"], ellipses(demo)["xs"]):           # E: parameters unchanged
        np.testing.assert_array_equal(a, b)
    assert UNASSIGNED not in demo.points_source.data["color"]       # ... colours change
    demo.steps.step()
    assert demo.stats["last_step"][1] == "M" and demo.stats["n_iter"][1] == 1
    assert any(not np.allclose(a, b) for a, b in zip(before["xs"], ellipses(demo)["xs"]))
    np.testing.assert_array_equal(demo.means_source.data["x"], demo.frame.means[:, 0])
    demo.steps.back()
    assert demo.stats["last_step"][1] == "E"
    demo.run_button.clicks += 1
    assert demo.steps.at_end and demo.stats["converged"][1] is True
    assert demo.stats["falls"][1] == 0 and demo.run_button.disabled


def test_ellipses_are_the_1_and_2_sigma_contours(demo):
    demo.steps.go(2)
    f = demo.frame
    covs = full_covariances(f.covariances, demo.covariance_type, n_features=2)
    e = ellipses(demo)
    for xs, ys, k, n_std, color in zip(e["xs"], e["ys"], e["component"], e["n_std"],
                                       e["color"]):
        R = np.c_[xs, ys] - f.means[k]
        mahalanobis = np.einsum("ij,jk,ik->i", R, np.linalg.inv(covs[k]), R)
        np.testing.assert_allclose(mahalanobis, n_std ** 2, rtol=1e-9)
        assert color == PALETTE[k]
    widths = np.asarray(e["width"])[np.asarray(e["n_std"]) == 1.0]
    np.testing.assert_allclose(widths, 2 * np.sqrt(np.linalg.eigvalsh(covs)[:, 1]), rtol=1e-9)


def test_points_mix_the_palette_by_responsibility_or_take_the_argmax(demo):
    demo.steps.step()
    r = demo.frame.resp
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in PALETTE])[:r.shape[1]]
    expected = np.clip(np.rint(r @ rgb), 0, 255).astype(int)
    got = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)]
                    for c in demo.points_source.data["color"]])
    np.testing.assert_array_equal(got, expected)
    result = demo.result
    demo.hard = True                                                # display only: no new run
    assert demo.result is result and demo.steps.index == 1
    assert list(demo.points_source.data["color"]) == [PALETTE[k] for k in r.argmax(axis=1)]


def test_play_walks_to_the_end(demo):
    demo.steps.play()
    assert demo.steps.playing
    for _ in range(2000):
        if not demo.steps.playing:
            break
        demo.steps._tick()
    assert not demo.steps.playing and demo.steps.at_end and demo.frame.converged
    assert demo.frame.steps[:4] == ("E", "M", "E", "M")
    demo.steps.reset()
    assert demo.steps.index == 0 and list(demo.ll_source.data["t"]) == [0]


def test_model_parameters_restart_at_frame_zero(demo):
    demo.steps.go(10)
    demo.n_components = 2
    assert len(demo.frame.means) == 2 and demo.steps.index == 0
    demo.covariance_type = "spherical"
    assert demo.frame.covariances.shape == (2,)
    demo.run_button.clicks += 1
    assert demo.error == "" and demo.frame.converged


# ------------------------------------------------------------------ clicks and too few points
def test_tap_adds_a_point(demo):
    n = len(demo.points_source.data["x"])
    demo.fig._trigger_event(Tap(model=demo.fig, x=0.5, y=-1.5))     # as a click in the browser
    data = demo.points_source.data
    assert len(data["x"]) == n + 1 and (data["x"][-1], data["y"][-1]) == (0.5, -1.5)
    assert demo.stats["n_clicked"][1] == 1 and demo.stats["n"][1] == n + 1
    demo.canvas.clear_clicked()
    assert len(demo.points_source.data["x"]) == n


def test_fewer_points_than_k_shows_the_points_and_a_hint(demo):
    demo.dataset = "custom"
    assert demo.error == "" and len(demo.points_source.data["x"]) == 0
    demo.canvas.add_point(0.0, 0.0)
    demo.canvas.add_point(2.0, 1.0)
    assert demo.error == "" and "K = 3" in demo._numbers.object
    assert len(demo.points_source.data["x"]) == 2 and len(demo.ellipse_source.data["xs"]) == 0
    demo.n_components = 2
    assert demo.error == "" and len(demo.ellipse_source.data["xs"]) == 4
    demo.n_components = 5
    assert "there are 2" in demo._numbers.object and demo.frame is None
    demo.n_components = 1
    assert demo.error == "" and demo.frame is not None


# ------------------------------------------------------------------ ML fit and k-means
def test_ml_fit_of_all_data_and_of_one_component(demo):
    X = points(demo)
    fit = demo.frame.ml
    assert fit.target == "all" and fit.n == len(X)
    np.testing.assert_allclose(fit.mean, X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(fit.covariance, np.cov(X.T, bias=True), rtol=1e-12)
    assert demo.result.single_loglik == pytest.approx(
        log_gauss(X, X.mean(axis=0), np.cov(X.T, bias=True)).sum(), rel=1e-10)
    demo.run_button.clicks += 1
    # why mixtures: the fitted mixture explains the clustered data far better than one Gaussian
    assert demo.frame.loglik[-1] > demo.result.single_loglik + 100
    assert "data-stat='single_loglik'" in demo._ml_text.object
    run = demo.result.run
    demo.ml_target = "2"
    assert demo.result.run is run                                  # the EM run is memoised
    labels = np.argmax(demo.frame.resp, axis=1)
    np.testing.assert_allclose(demo.frame.ml.mean, X[labels == 1].mean(axis=0), rtol=1e-12)
    assert demo.frame.ml.n == int(np.sum(labels == 1))
    assert len(demo.ml_source.data["xs"]) == 2
    demo.ml_target = "8"                                            # no such component
    assert demo.error == "" and demo.frame.ml.n == 0 and len(demo.ml_source.data["xs"]) == 0


def test_kmeans_panel_is_the_hard_assignment_limit(demo):
    km = demo.result.kmeans
    init_means = demo.result.run.means[0]
    ref = KMeans(n_clusters=demo.n_components, init=init_means, tol=0.0).fit(points(demo))
    np.testing.assert_array_equal(km.labels, ref.labels_)
    assert km.inertia == pytest.approx(ref.inertia_)
    assert len(demo.kmeans_source.data["x"]) == demo.n_samples
    demo.run_button.clicks += 1
    # the best relabelling of the k-means clusters, by brute force over all permutations
    gmm_labels = demo.frame.hard_labels
    best = max(np.mean(np.asarray(p)[km.labels] == gmm_labels)
               for p in itertools.permutations(range(demo.n_components)))
    assert demo.frame.agreement == pytest.approx(best, rel=1e-12)
    assert "data-stat='agreement'" in demo._kmeans_text.object
    demo.show_kmeans = False
    assert demo.kmeans_card.collapsed
