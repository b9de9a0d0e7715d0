"""KMeansDemo through its parameters, compute()'s recorded run and the step-through: half-steps
against an independent NumPy computation and cluster.KMeans, the cost that never rises, Voronoi
regions, clicks, too few points, the animation and the two-inits comparison."""
from __future__ import annotations

import numpy as np
import pytest
from bokeh.events import Tap

from ece544core.cluster import KMeans, kmeans_init
from ece544core.datasets import make_toy
from ece544lab.demos.kmeans import GRID_N, KMeansDemo, KMeansRun
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


def nearest(X, mu) -> np.ndarray:
    return np.argmin(((X[:, None, :] - mu[None]) ** 2).sum(axis=2), axis=1)


def test_url_parameters_reach_the_demo():
    from ece544lab.shell.app import DEMOS, App

    assert DEMOS["kmeans"] is KMeansDemo
    demo = App(search="?demo=kmeans&n_clusters=3&init=k-means%2B%2B&init_seed=7").instance(
        "kmeans")
    assert (demo.n_clusters, demo.init, demo.init_seed) == (3, "k-means++", 7)
    assert demo.error == ""


# ------------------------------------------------------------------ compute()
def test_compute_records_the_run_of_the_step_functions(demo):
    run = demo.compute()
    assert isinstance(run, KMeansRun) and run == run          # a frozen, comparable result
    X, _ = make_toy("random_blobs", demo.n_samples, noise=demo.spread,
                    n_classes=demo.n_centers, random_state=demo.seed)
    np.testing.assert_array_equal(run.X, X)                    # the registry's blobs
    mu = kmeans_init(X, demo.n_clusters, demo.init, random_state=demo.init_seed)
    np.testing.assert_array_equal(run.centers[0], mu)
    assert run.steps[:4] == ("assign", "update", "assign", "update")
    for t in range(1, run.n_frames):                          # every half-step by hand
        frame = run.frame(t)
        if frame.steps[-1] == "assign":
            labels = nearest(X, mu)
            np.testing.assert_array_equal(frame.labels, labels)
            assert frame.costs[-1] == pytest.approx(numpy_cost(X, mu, labels), rel=1e-10)
        else:
            mu = np.stack([X[labels == k].mean(axis=0) if np.any(labels == k) else mu[k]
                           for k in range(len(mu))])
            np.testing.assert_allclose(frame.centers, mu, rtol=1e-12, atol=1e-12)
            assert frame.costs[-1] == pytest.approx(numpy_cost(X, mu, labels), rel=1e-10)
    assert np.all(np.diff(run.costs) <= 1e-9 * run.costs[0])   # J never rises
    last = run.frame(run.n_frames - 1)
    assert run.converged and last.converged and last.steps[-1] == "assign"
    np.testing.assert_array_equal(last.labels, run.frame(run.n_frames - 3).labels)
    ref = KMeans(n_clusters=demo.n_clusters, init=demo.init, random_state=demo.init_seed,
                 tol=0.0).fit(X)                               # the same run, to a fixed point
    np.testing.assert_allclose(last.centers, ref.cluster_centers_, rtol=1e-10, atol=1e-12)
    assert last.costs[-1] == pytest.approx(ref.inertia_, rel=1e-10)
    assert last.n_iter == ref.n_iter_ - 1         # KMeans also does the update that moves nothing


def test_compute_comparison_is_two_kmeans_runs(demo):
    c = demo.compute().comparison
    assert c.seeds == (demo.init_seed, demo.compare_seed)
    assert c.inertia[0] != pytest.approx(c.inertia[1], rel=1e-3)   # the defaults differ
    X = points(demo)
    for seed, inertia, mu, labels in zip(c.seeds, c.inertia, c.centers, c.labels):
        ref = KMeans(n_clusters=demo.n_clusters, init=demo.init, random_state=seed,
                     tol=0.0).fit(X)
        assert inertia == pytest.approx(ref.inertia_, rel=1e-12)
        assert inertia == pytest.approx(numpy_cost(X, mu, labels), rel=1e-10)
    assert demo.compute().frame(10 ** 6).costs[-1] == pytest.approx(c.inertia[0], rel=1e-10)


# ------------------------------------------------------------------ the view
def test_default_view_is_frame_zero(demo):
    assert demo.error == ""
    names = {s.name for s in (demo.points_source, demo.centers_source, demo.region_source,
                              demo.cost_source, demo.trail_source)}
    assert names == {"kmeans-points", "kmeans-centers", "kmeans-regions", "kmeans-cost",
                     "kmeans-trail"}
    np.testing.assert_array_equal(points(demo), demo.result.X)
    np.testing.assert_array_equal(centers(demo), demo.result.centers[0])
    assert len(demo.cost_source.data["t"]) == 0                     # nothing assigned yet
    assert set(demo.points_source.data["color"]) == {"#9a9a9a"}
    assert region(demo).shape == (GRID_N, GRID_N) and region(demo).dtype == np.uint32
    assert demo.steps.index == 0 and demo.steps.back_button.disabled
    assert not demo.steps.step_button.disabled
    assert demo.stats["last_step"][1] == "initialisation"
    for key in ("cost", "half_steps", "n_iter", "converged", "k", "n", "sizes"):
        assert key in demo.stats, key
    assert "data-stat='cost'" in demo._numbers.object
    assert "Cost function?" in demo._answers.object and "Guarantees?" in demo._answers.object


def test_steps_draw_the_recorded_frames(demo):
    run = demo.result
    demo.steps.step()
    assert demo.stats["last_step"][1] == "assign"
    np.testing.assert_array_equal(centers(demo), run.centers[0])   # assignment: same centres
    np.testing.assert_array_equal(demo.points_source.data["label"], run.labels[0])
    assert "#9a9a9a" not in demo.points_source.data["color"]
    demo.steps.step()
    np.testing.assert_array_equal(centers(demo), run.centers[1])
    assert demo.stats["last_step"][1] == "update" and demo.stats["n_iter"][1] == 1
    assert list(demo.cost_source.data["step"]) == ["assign", "update"]
    np.testing.assert_array_equal(demo.cost_source.data["cost"], run.costs[:2])
    assert len(demo.trail_source.data["xs"][0]) == 2                 # init + one update
    demo.steps.back()
    assert demo.stats["last_step"][1] == "assign" and len(demo.trail_source.data["xs"][0]) == 1
    demo.run_button.clicks += 1                                     # Run to convergence
    assert demo.steps.at_end and demo.stats["converged"][1] is True
    assert demo.run_button.disabled
    assert demo.stats["cost"][1] == pytest.approx(run.costs[-1])
    assert demo.result is run                                       # stepping: no recompute


def test_regions_are_the_voronoi_cells_of_the_centres(demo):
    demo.steps.go(2)
    rgba = region(demo).view(np.uint8).reshape(GRID_N, GRID_N, 4)
    _xx, _yy, pts = grid(*demo.result.box, GRID_N)
    palette = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in PALETTE])
    expected = palette[nearest(pts, centers(demo)) % len(PALETTE)].reshape(GRID_N, GRID_N, 3)
    # away from the cell borders (ties / rounding) every pixel has its centre's colour
    assert np.all(rgba[..., :3] == expected, axis=2).mean() > 0.99


def test_play_walks_to_the_end(demo):
    demo.steps.play()
    assert demo.steps.playing
    for _ in range(300):
        if not demo.steps.playing:
            break
        demo.steps._tick()
    assert not demo.steps.playing and demo.steps.at_end and demo.stats["converged"][1]
    demo.steps.reset()
    assert demo.steps.index == 0 and len(demo.cost_source.data["t"]) == 0


def test_changing_k_or_init_restarts_at_frame_zero(demo):
    demo.steps.go(5)
    demo.n_clusters = 3
    assert len(centers(demo)) == 3 and demo.steps.index == 0
    demo.init = "k-means++"
    np.testing.assert_array_equal(centers(demo), kmeans_init(demo.result.X, 3, "k-means++",
                                                             random_state=demo.init_seed))
    before = centers(demo).copy()
    demo.init_seed = 5
    assert not np.array_equal(before, centers(demo))
    demo.steps.go(3)
    demo.compare_seed = 9                                           # the same run: frame kept
    assert demo.steps.index == 3


# ------------------------------------------------------------------ clicks and too few points
def test_tap_adds_a_point(demo):
    n = len(demo.points_source.data["x"])
    demo.fig._trigger_event(Tap(model=demo.fig, x=0.25, y=-0.75))   # as a click in the browser
    data = demo.points_source.data
    assert len(data["x"]) == n + 1 and (data["x"][-1], data["y"][-1]) == (0.25, -0.75)
    assert list(data["clicked"]).count(True) == 1
    assert demo.stats["n_clicked"][1] == 1 and demo.stats["n"][1] == n + 1
    demo.n_clusters = 4                                             # clicks survive a k change
    assert len(demo.points_source.data["x"]) == n + 1
    demo.canvas.clear_clicked()
    assert len(demo.points_source.data["x"]) == n


def test_fewer_points_than_k_shows_the_points_and_a_hint(demo):
    demo.dataset = "custom"
    assert demo.error == "" and len(demo.points_source.data["x"]) == 0
    assert "No points yet" in demo._numbers.object and demo.run_button.disabled
    box = demo.result.box
    for xy in [(0, 0), (1, 0), (0, 1)]:
        demo.canvas.add_point(*xy)
        assert len(demo.points_source.data["x"]) == demo.result.X.shape[0]  # at once
    assert demo.result.box == box                                   # the view stays put
    assert demo.error == "" and "data-hint" in demo._numbers.object
    assert "k = 5" in demo._numbers.object and "there are 3" in demo._numbers.object
    assert len(demo.centers_source.data["x"]) == 0 and demo.frame is None
    demo.n_clusters = 2
    assert demo.error == "" and len(centers(demo)) == 2
    demo.run_button.clicks += 1
    assert demo.frame.converged
    demo.dataset = "blobs"                                          # clicked points dropped
    assert demo.stats["n"][1] == demo.n_samples and demo.stats["n_clicked"][1] == 0


# ------------------------------------------------------------------ local optima
def test_compare_two_inits_shows_the_comparison(demo):
    assert demo.comparison is None and not demo._compare_plots.visible
    demo.compare_inits()
    c = demo.comparison
    assert c is demo.result.comparison and demo._compare_plots.visible
    assert "data-stat='compare_a'" in demo._compare_text.object
    assert len(demo.compare_sources[1][0].data["x"]) == len(points(demo))
    assert f"{c.inertia[1]:.6g}" in demo._compare_text.object
    demo.compare_seed = 2                                           # a new B: still shown
    assert demo.comparison.seeds == (demo.init_seed, 2)
    demo.n_clusters = 4                                             # a new run: hidden again
    assert demo.comparison is None and len(demo.compare_sources[0][0].data["x"]) == 0
