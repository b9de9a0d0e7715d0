"""KMeansDemo through its parameters and the methods its buttons call: half-steps, the cost that
never rises, Voronoi regions, clicks, errors, the animation and the two-inits comparison."""
from __future__ import annotations

import numpy as np
import panel as pn
import param
import pytest
from bokeh.events import Tap

from ece544core.cluster import KMeans, kmeans_init
from ece544core.datasets import make_toy
from ece544lab.demos.kmeans import GRID_N, KMeansDemo
from ece544lab.views.plotting import PALETTE, grid


@pytest.fixture
def demo():
    return KMeansDemo()


def centers(demo) -> np.ndarray:
    return np.c_[demo.centers_source.data["x"], demo.centers_source.data["y"]]


def points(demo) -> np.ndarray:
    return np.c_[demo.points_source.data["x"], demo.points_source.data["y"]]


def region(demo) -> np.ndarray:
    return np.array(demo.region_source.data["image"][0])


def numpy_cost(X, mu, labels) -> float:
    """J = sum_i ||x_i - mu_{l_i}||^2, computed independently of the core."""
    return float(sum(np.sum((x - mu[l]) ** 2) for x, l in zip(X, labels)))


# ------------------------------------------------------------ contract (as test_demo_contract)
def test_metadata_and_page():
    assert KMeansDemo.slug == "kmeans" and KMeansDemo.title == "k-means"
    f = KMeansDemo.formula
    assert f.startswith("$$") and f.endswith("$$") and f.count("{") == f.count("}")
    demo = KMeansDemo()
    layout = demo.__panel__()
    assert layout is demo.__panel__()
    assert 'data-demo="kmeans"' in layout.objects[0].object
    assert pn.panel(demo).get_root() is not None


def test_every_url_param_is_a_bounded_documented_parameter():
    assert KMeansDemo.url_params
    for name in KMeansDemo.url_params:
        p = KMeansDemo.param[name]
        assert p.doc, name
        if isinstance(p, param.Number):
            assert p.bounds is not None and None not in p.bounds, name
        assert name != "error"


def test_registered_in_the_app():
    from ece544lab.shell.app import DEMOS, App

    assert DEMOS["kmeans"] is KMeansDemo
    demo = App(search="?demo=kmeans&n_clusters=3&init=k-means%2B%2B&init_seed=7").instance(
        "kmeans")
    assert (demo.n_clusters, demo.init, demo.init_seed) == (3, "k-means++", 7)
    assert demo.error == ""


# ------------------------------------------------------------------ the initial view
def test_default_view_is_drawn(demo):
    assert demo.error == ""
    names = {s.name for s in (demo.points_source, demo.centers_source, demo.region_source,
                              demo.cost_source, demo.trail_source)}
    assert names == {"kmeans-points", "kmeans-centers", "kmeans-regions", "kmeans-cost",
                     "kmeans-trail"}
    assert len(demo.points_source.data["x"]) == demo.n_samples
    X, _ = make_toy("random_blobs", demo.n_samples, noise=demo.spread, n_classes=demo.n_centers,
                    random_state=demo.seed)
    np.testing.assert_array_equal(points(demo), X)                 # the registry's blobs
    assert len(demo.centers_source.data["x"]) == demo.n_clusters
    np.testing.assert_array_equal(centers(demo), kmeans_init(demo.X, demo.n_clusters, demo.init,
                                                             random_state=demo.init_seed))
    assert len(demo.cost_source.data["t"]) == 0                     # nothing assigned yet
    assert set(demo.points_source.data["color"]) == {"#9a9a9a"}
    assert region(demo).shape == (GRID_N, GRID_N) and region(demo).dtype == np.uint32
    assert demo.update_button.disabled and not demo.assign_button.disabled
    assert demo.stats["last_step"][1] == "initialisation"
    for key in ("cost", "half_steps", "n_iter", "converged", "k", "n", "sizes"):
        assert key in demo.stats, key
    assert "data-stat='cost'" in demo._numbers.object
    assert "Cost function?" in demo._answers.object and "Guarantees?" in demo._answers.object


def test_regions_are_the_voronoi_cells_of_the_centres(demo):
    demo.assign_step()
    demo.update_step()
    rgba = region(demo).view(np.uint8).reshape(GRID_N, GRID_N, 4)
    _xx, _yy, pts = grid(*demo._box, GRID_N)
    mu = centers(demo)
    nearest = np.argmin(((pts[:, None, :] - mu[None]) ** 2).sum(axis=2), axis=1)
    palette = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in PALETTE])
    expected = palette[nearest % len(PALETTE)].reshape(GRID_N, GRID_N, 3)
    # away from the cell borders (ties / rounding) every pixel has its centre's colour
    agree = np.all(rgba[..., :3] == expected, axis=2)
    assert agree.mean() > 0.99


# ------------------------------------------------------------------ half-steps
def test_assign_then_update_changes_the_centres(demo):
    before = centers(demo).copy()
    demo.assign_step()
    assert demo.stats["last_step"][1] == "assign"
    np.testing.assert_array_equal(centers(demo), before)             # assignment: same centres
    labels = np.asarray(demo.points_source.data["label"])
    assert labels.min() >= 0 and "#9a9a9a" not in demo.points_source.data["color"]
    assert not demo.update_button.disabled
    demo.update_step()
    after = centers(demo)
    assert not np.allclose(after, before)
    X = points(demo)
    for k in range(demo.n_clusters):                                # each centre = its mean
        if np.any(labels == k):
            np.testing.assert_allclose(after[k], X[labels == k].mean(axis=0), rtol=1e-12)
    assert demo.stats["last_step"][1] == "update" and demo.stats["n_iter"][1] == 1
    assert list(demo.cost_source.data["step"]) == ["assign", "update"]
    assert len(demo.trail_source.data["xs"][0]) == 2                 # init + one update


def test_costs_equal_an_independent_numpy_computation(demo):
    X = points(demo)
    mu0 = centers(demo).copy()
    demo.assign_step()
    labels = np.argmin(((X[:, None, :] - mu0[None]) ** 2).sum(axis=2), axis=1)
    np.testing.assert_array_equal(demo.points_source.data["label"], labels)
    assert demo.costs[-1] == pytest.approx(numpy_cost(X, mu0, labels), rel=1e-10)
    demo.update_step()
    mu1 = centers(demo)
    assert demo.costs[-1] == pytest.approx(numpy_cost(X, mu1, labels), rel=1e-10)
    assert demo.stats["cost"][1] == pytest.approx(demo.costs[-1])
    np.testing.assert_allclose(demo.cost_source.data["cost"], demo.costs)


def test_cost_never_rises_over_a_full_run_and_matches_kmeans(demo):
    demo.run_to_convergence()
    costs = np.asarray(demo.cost_source.data["cost"])
    assert demo.converged and len(costs) >= 4
    assert np.all(np.diff(costs) <= 1e-9 * costs[0])
    assert demo.stats["converged"][1] is True
    # the same run as cluster.KMeans from the same seed, to a fixed point
    ref = KMeans(n_clusters=demo.n_clusters, init=demo.init, random_state=demo.init_seed,
                 tol=0.0).fit(points(demo))
    np.testing.assert_allclose(centers(demo), ref.cluster_centers_, rtol=1e-10, atol=1e-12)
    assert costs[-1] == pytest.approx(ref.inertia_, rel=1e-10)
    # further steps change nothing
    n = len(costs)
    demo.assign_step()
    demo.update_step()
    assert len(demo.costs) == n + 2 and demo.costs[-1] == pytest.approx(costs[-1], rel=1e-12)


def test_play_alternates_half_steps_until_convergence(demo):
    demo.play()
    assert demo.playing and "Pause" in demo.play_button.name
    for _ in range(300):
        if not demo.playing:
            break
        demo._tick()
    assert not demo.playing and demo.converged
    steps = demo.steps
    assert all(a != b for a, b in zip(steps, steps[1:]))             # assign, update, assign...
    assert np.all(np.diff(demo.costs) <= 1e-9 * demo.costs[0])
    demo.reset()
    assert demo.steps == [] and len(demo.cost_source.data["t"]) == 0
    assert demo.stats["last_step"][1] == "initialisation"


def test_changing_k_or_init_restarts(demo):
    demo.run_to_convergence()
    demo.n_clusters = 3
    assert len(centers(demo)) == 3 and demo.steps == [] and not demo.converged
    demo.init = "k-means++"
    np.testing.assert_array_equal(centers(demo), kmeans_init(demo.X, 3, "k-means++",
                                                             random_state=demo.init_seed))
    before = centers(demo).copy()
    demo.init_seed = 5
    assert not np.array_equal(before, centers(demo))


# ------------------------------------------------------------------ clicks and errors
def test_tap_adds_a_point(demo):
    n = len(demo.points_source.data["x"])
    demo.fig._trigger_event(Tap(model=demo.fig, x=0.25, y=-0.75))   # as a click in the browser
    data = demo.points_source.data
    assert len(data["x"]) == n + 1 and (data["x"][-1], data["y"][-1]) == (0.25, -0.75)
    assert demo.stats["n_clicked"][1] == 1 and demo.stats["n"][1] == n + 1
    demo.n_clusters = 4                                             # clicks survive a k change
    assert len(demo.points_source.data["x"]) == n + 1
    demo.reset_points()
    assert len(demo.points_source.data["x"]) == n


def test_k_larger_than_the_number_of_points_sets_an_error_and_a_valid_k_clears_it(demo):
    demo.dataset = "custom"
    assert demo.error == "" and len(demo.points_source.data["x"]) == 0
    assert demo.assign_button.disabled
    box = demo._box
    for xy in [(0, 0), (1, 0), (0, 1)]:
        demo.add_point(*xy)
    assert demo._box == box                                         # the view stays put
    assert "n_clusters" in demo.error and "3" in demo.error and "5" in demo.error
    assert len(demo.points_source.data["x"]) == 3                   # clicks stay visible
    assert len(demo.centers_source.data["x"]) == 0 and demo.assign_button.disabled
    demo.assign_step()                                              # a no-op, no crash,
    demo.run_to_convergence()
    assert "n_clusters" in demo.error                               # and the error stays
    demo.n_clusters = 2
    assert demo.error == "" and len(centers(demo)) == 2
    demo.run_to_convergence()
    assert demo.converged and demo.error == ""
    demo.dataset = "blobs"                                          # clicked points dropped
    assert demo.stats["n"][1] == demo.n_samples


# ------------------------------------------------------------------ local optima
def test_compare_two_inits_shows_two_different_local_optima(demo):
    assert demo.comparison is None
    demo.compare_inits()
    a, b = demo.comparison["a"], demo.comparison["b"]
    assert (a["seed"], b["seed"]) == (demo.init_seed, demo.compare_seed)
    assert a["inertia"] != pytest.approx(b["inertia"], rel=1e-3)      # the defaults differ
    X = points(demo)
    for run in (a, b):
        ref = KMeans(n_clusters=demo.n_clusters, init=demo.init, random_state=run["seed"],
                     tol=0.0).fit(X)
        assert run["inertia"] == pytest.approx(ref.inertia_, rel=1e-12)
        assert run["inertia"] == pytest.approx(numpy_cost(X, run["centers"], run["labels"]),
                                               rel=1e-10)
    demo.run_to_convergence()                                      # run A is the step-through
    assert demo.costs[-1] == pytest.approx(a["inertia"], rel=1e-10)
    assert "data-stat='compare_a'" in demo._compare_text.object
    assert len(demo.compare_sources[1][0].data["x"]) == len(X)
    demo.compare_seed = 2                                           # stale results are cleared
    assert demo.comparison is None and len(demo.compare_sources[0][0].data["x"]) == 0
