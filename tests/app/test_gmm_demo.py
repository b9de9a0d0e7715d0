"""GMMDemo through its parameters and the methods its buttons call: E- and M-steps, ellipses,
responsibilities, the log-likelihood (vs scikit-learn), EM's bound, clicks, errors, the ML fit
of one Gaussian and the k-means panel."""
from __future__ import annotations

import itertools

import numpy as np
import panel as pn
import param
import pytest
from bokeh.events import Tap

from ece544core.cluster import KMeans
from ece544core.datasets import make_toy
from ece544core.mixture import full_covariances
from ece544lab.demos.gmm import GMMDemo
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
    inv = np.linalg.inv(S)
    quad = np.einsum("ij,jk,ik->i", R, inv, R)
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


# ------------------------------------------------------------ contract (as test_demo_contract)
def test_metadata_and_page():
    assert GMMDemo.slug == "gmm" and GMMDemo.title == "Gaussian mixtures & EM"
    f = GMMDemo.formula
    assert f.startswith("$$") and f.endswith("$$") and f.count("{") == f.count("}")
    demo = GMMDemo()
    layout = demo.__panel__()
    assert layout is demo.__panel__()
    assert 'data-demo="gmm"' in layout.objects[0].object
    assert pn.panel(demo).get_root() is not None


def test_every_url_param_is_a_bounded_documented_parameter():
    assert GMMDemo.url_params
    for name in GMMDemo.url_params:
        p = GMMDemo.param[name]
        assert p.doc, name
        if isinstance(p, param.Number):
            assert p.bounds is not None and None not in p.bounds, name
        assert name != "error"


def test_registered_in_the_app():
    from ece544lab.shell.app import DEMOS, App

    assert DEMOS["gmm"] is GMMDemo
    demo = App(search="?demo=gmm&n_components=2&covariance_type=diag&reg_covar=0.01"
                      "&ml_target=2").instance("gmm")
    assert (demo.n_components, demo.covariance_type, demo.reg_covar, demo.ml_target) == \
        (2, "diag", 0.01, "2")
    assert demo.error == ""


# ------------------------------------------------------------------ the initial view
def test_default_view_is_drawn(demo):
    assert demo.error == ""
    names = {s.name for s in (demo.points_source, demo.ellipse_source, demo.means_source,
                              demo.ll_source)}
    assert names == {"gmm-points", "gmm-ellipses", "gmm-means", "gmm-loglik"}
    K = demo.n_components
    assert len(demo.points_source.data["x"]) == demo.n_samples
    assert set(demo.points_source.data["color"]) == {UNASSIGNED}    # no E-step yet
    e = ellipses(demo)
    assert len(e["xs"]) == 2 * K and sorted(e["n_std"]) == [1.0] * K + [2.0] * K
    assert len(demo.means_source.data["x"]) == K
    assert list(demo.ll_source.data["t"]) == [0]                     # l(theta_0)
    assert demo.m_button.disabled and not demo.e_button.disabled
    for key in ("loglik", "loglik_per_point", "bound", "last_step", "n_iter", "converged",
                "weights", "K", "n", "falls"):
        assert key in demo.stats, key
    assert "data-stat='loglik'" in demo._numbers.object
    assert "E-step" in demo._answers.object and "majorize" in demo._answers.object


def test_anisotropic_data_have_unequal_tilted_spreads():
    demo = GMMDemo(n_samples=300, n_centers=3, spread=1.2, seed=0)
    X, y = make_toy("anisotropic", 300, noise=1.2, n_classes=3, random_state=0)
    np.testing.assert_array_equal(points(demo), X)                 # the registry's set
    demo.dataset = "blobs"                                          # round blobs: the registry's
    np.testing.assert_array_equal(points(demo), make_toy("random_blobs", 300, noise=1.2,
                                                         n_classes=3, random_state=0)[0])
    assert X.shape == (300, 2) and len(np.unique(y)) == 3
    covs = [np.cov(X[y == c].T) for c in range(3)]
    ratios = [np.linalg.eigvalsh(S)[1] / np.linalg.eigvalsh(S)[0] for S in covs]
    assert max(ratios) > 3                                           # elongated
    assert np.ptp([np.linalg.det(S) for S in covs]) > 0.05           # unequal spreads


# ------------------------------------------------------------------ E and M
def test_e_step_then_m_step_changes_the_ellipses(demo):
    before = ellipses(demo)
    means_before = np.c_[demo.means_source.data["x"], demo.means_source.data["y"]]
    demo.e_step()
    assert demo.stats["last_step"][1] == "E"
    after_e = ellipses(demo)
    for a, b in zip(before["xs"], after_e["xs"]):                   # E: parameters unchanged
        np.testing.assert_array_equal(a, b)
    assert UNASSIGNED not in demo.points_source.data["color"]       # ... colours change
    assert not demo.m_button.disabled
    demo.m_step()
    assert demo.stats["last_step"][1] == "M" and demo.stats["n_iter"][1] == 1
    after_m = ellipses(demo)
    assert any(not np.allclose(a, b) for a, b in zip(before["xs"], after_m["xs"]))
    means_after = np.c_[demo.means_source.data["x"], demo.means_source.data["y"]]
    assert not np.allclose(means_before, means_after)


def test_m_step_is_the_weighted_ml_fit(demo):
    demo.e_step()
    r = demo.responsibilities()
    X = points(demo)
    demo.m_step()
    Nk = r.sum(axis=0)
    np.testing.assert_allclose(demo.weights, Nk / len(X), rtol=1e-9)
    np.testing.assert_allclose(demo.means, (r.T @ X) / Nk[:, None], rtol=1e-9)
    for k in range(demo.n_components):
        R = X - demo.means[k]
        S = (r[:, k, None] * R).T @ R / Nk[k] + demo.reg_covar * np.eye(2)
        np.testing.assert_allclose(demo.covariances[k], S, rtol=1e-8)


def test_ellipses_are_the_1_and_2_sigma_contours(demo):
    demo.e_step()
    demo.m_step()
    covs = demo.full_covariances()
    e = ellipses(demo)
    for xs, ys, k, n_std, color in zip(e["xs"], e["ys"], e["component"], e["n_std"],
                                       e["color"]):
        R = np.c_[xs, ys] - demo.means[k]
        mahalanobis = np.einsum("ij,jk,ik->i", R, np.linalg.inv(covs[k]), R)
        np.testing.assert_allclose(mahalanobis, n_std ** 2, rtol=1e-9)
        assert color == PALETTE[k]
    widths = np.asarray(e["width"])[np.asarray(e["n_std"]) == 1.0]
    np.testing.assert_allclose(widths, 2 * np.sqrt(np.linalg.eigvalsh(covs)[:, 1]), rtol=1e-9)


def test_points_mix_the_palette_by_responsibility_or_take_the_argmax(demo):
    demo.e_step()
    r = demo.responsibilities()
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in PALETTE])[:r.shape[1]]
    expected = np.clip(np.rint(r @ rgb), 0, 255).astype(int)
    got = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)]
                    for c in demo.points_source.data["color"]])
    np.testing.assert_array_equal(got, expected)
    demo.hard = True
    assert list(demo.points_source.data["color"]) == [PALETTE[k] for k in r.argmax(axis=1)]


# ------------------------------------------------------------------ log-likelihood
@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_loglik_never_falls_and_equals_sklearn(covariance_type):
    demo = GMMDemo(covariance_type=covariance_type, n_samples=200)
    X = points(demo)
    for _ in range(3):                                              # a few half-steps by hand
        demo.e_step()
        demo.m_step()
        ll = sklearn_loglik(X, demo.weights, demo.means, demo.covariances, covariance_type)
        assert demo.loglik[-1] == pytest.approx(ll, rel=1e-10)
        direct = np.logaddexp.reduce(np.log(demo.weights) + np.stack(
            [log_gauss(X, m, S) for m, S in zip(demo.means, demo.full_covariances())],
            axis=1), axis=1).sum()
        assert demo.loglik[-1] == pytest.approx(direct, rel=1e-10)
    demo.run_to_convergence()
    ll = np.asarray(demo.ll_source.data["loglik"])
    assert demo.converged and demo.error == "" and len(ll) > 6
    assert np.all(np.diff(ll) >= -1e-9 * abs(ll[0]))
    assert demo.stats["falls"][1] == 0
    assert ll[-1] == pytest.approx(
        sklearn_loglik(X, demo.weights, demo.means, demo.covariances, covariance_type),
        rel=1e-10)
    # EM's bound: below l, touching it after every E-step
    bounds = np.asarray(demo.bound_source.data["bound"])
    assert np.all(bounds <= ll[1:] + 1e-9 * abs(ll[0]))
    e_steps = np.asarray(demo.steps) == "E"
    np.testing.assert_allclose(bounds[e_steps], ll[1:][e_steps], rtol=1e-10)


def test_play_alternates_e_and_m_until_convergence(demo):
    demo.play()
    assert demo.playing and "Pause" in demo.play_button.name
    for _ in range(2000):
        if not demo.playing:
            break
        demo._tick()
    assert not demo.playing and demo.converged
    assert all(a != b for a, b in zip(demo.steps, demo.steps[1:]))   # E, M, E, M, ...
    assert demo.steps[0] == "E"
    demo.reset()
    assert demo.steps == [] and list(demo.ll_source.data["t"]) == [0]


def test_model_parameters_restart_em(demo):
    demo.run_to_convergence()
    demo.n_components = 2
    assert len(demo.means) == 2 and demo.steps == [] and not demo.converged
    demo.covariance_type = "spherical"
    assert demo.covariances.shape == (2,)
    demo.run_to_convergence()
    assert demo.error == "" and demo.converged
    np.testing.assert_allclose(full_covariances(demo.covariances, "spherical", n_features=2)[:, 0, 1], 0)


# ------------------------------------------------------------------ clicks and errors
def test_tap_adds_a_point(demo):
    n = len(demo.points_source.data["x"])
    demo.fig._trigger_event(Tap(model=demo.fig, x=0.5, y=-1.5))     # as a click in the browser
    data = demo.points_source.data
    assert len(data["x"]) == n + 1 and (data["x"][-1], data["y"][-1]) == (0.5, -1.5)
    assert demo.stats["n_clicked"][1] == 1 and demo.stats["n"][1] == n + 1
    demo.reset_points()
    assert len(demo.points_source.data["x"]) == n


def test_k_larger_than_the_number_of_points_sets_an_error_and_a_valid_k_clears_it(demo):
    demo.dataset = "custom"
    assert demo.error == "" and len(demo.points_source.data["x"]) == 0
    demo.add_point(0.0, 0.0)
    demo.add_point(2.0, 1.0)
    assert "n_components" in demo.error and "2" in demo.error and "3" in demo.error
    assert len(demo.points_source.data["x"]) == 2 and len(demo.ellipse_source.data["xs"]) == 0
    demo.n_components = 2
    assert demo.error == "" and len(demo.ellipse_source.data["xs"]) == 4
    demo.n_components = 5
    assert "n_components" in demo.error
    demo.n_components = 1
    assert demo.error == ""


# ------------------------------------------------------------------ ML fit and k-means
def test_ml_fit_of_all_data_and_of_one_component(demo):
    X = points(demo)
    fit = demo.ml_fit
    assert fit["target"] == "all" and fit["n"] == len(X)
    np.testing.assert_allclose(fit["mean"], X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(fit["covariance"], np.cov(X.T, bias=True), rtol=1e-12)
    assert fit["single_loglik"] == pytest.approx(
        log_gauss(X, X.mean(axis=0), np.cov(X.T, bias=True)).sum(), rel=1e-10)
    demo.run_to_convergence()
    # why mixtures: the fitted mixture explains the clustered data far better than one Gaussian
    assert demo.ml_fit["mixture_loglik"] > demo.ml_fit["single_loglik"] + 100
    assert "data-stat='single_loglik'" in demo._ml_text.object
    demo.ml_target = "2"
    labels = np.argmax(demo.responsibilities(), axis=1)
    np.testing.assert_allclose(demo.ml_fit["mean"], X[labels == 1].mean(axis=0), rtol=1e-12)
    assert demo.ml_fit["n"] == int(np.sum(labels == 1))
    assert len(demo.ml_source.data["xs"]) == 2
    demo.ml_target = "8"                                            # no such component
    assert demo.error == "" and demo.ml_fit["n"] == 0 and len(demo.ml_source.data["xs"]) == 0


def test_kmeans_panel_is_the_hard_assignment_limit(demo):
    km = demo.kmeans_result
    ref = KMeans(n_clusters=demo.n_components, init=demo.init_means, tol=0.0).fit(points(demo))
    np.testing.assert_array_equal(km["labels"], ref.labels_)
    assert km["inertia"] == pytest.approx(ref.inertia_)
    assert len(demo.kmeans_source.data["x"]) == demo.n_samples
    demo.run_to_convergence()
    assert 0.0 <= demo.kmeans_result["agreement"] <= 1.0
    # the best relabelling of the k-means clusters, by brute force over all permutations
    gmm_labels = np.argmax(demo.responsibilities(), axis=1)
    best = max(np.mean(np.asarray(p)[km["labels"]] == gmm_labels)
               for p in itertools.permutations(range(demo.n_components)))
    assert demo.kmeans_result["agreement"] == pytest.approx(best, rel=1e-12)
    assert "data-stat='agreement'" in demo._kmeans_text.object
    demo.show_kmeans = False
    assert demo.kmeans_card.collapsed
