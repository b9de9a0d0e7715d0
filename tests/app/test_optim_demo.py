"""OptimDemo through its parameters: contours, the path and its animation, rates, errors,
clicks, and the "is it convex?" panel."""
from __future__ import annotations

import numpy as np
import pytest
from bokeh.events import Tap

from ece544core import optim
from ece544lab.demos.optim import compute as optim_compute
from ece544lab.demos.optim import OptimDemo


@pytest.fixture
def demo():
    return OptimDemo()


def same_lines(a, b) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))


def path(demo) -> np.ndarray:
    return np.c_[demo.path_source.data["x"], demo.path_source.data["y"]]


# ------------------------------------------------------------------ default view
def test_default_view_is_drawn(demo):
    assert demo.error == ""
    res = demo.result.run.result
    assert res.converged and res.n_iter > 10
    np.testing.assert_array_equal(path(demo), res.history["x"])          # the whole run
    assert demo.contour_source.name == "optim-contours"
    assert len(demo.contour_source.data["xs"]) > 5
    names = {s.name for s in (demo.path_source, demo.measured_source, demo.theory_source,
                              demo.convex_source)}
    assert names == {"optim-path", "optim-conv-measured", "optim-conv-theory", "optim-convex-f"}
    for key in ("n_iter", "converged", "f", "grad_norm", "measured_rate", "theory_rate", "kappa"):
        assert key in demo.result.run.stats, key
    assert "data-stat='measured_rate'" in demo._numbers.object


def test_the_run_is_optim_minimize(demo):
    demo.param.update(kappa=20.0, theta=30.0, method="nesterov", step="optimal")
    problem = optim.Quadratic(kappa=20.0, theta=np.radians(30.0))
    ref = optim.minimize(problem.fun, problem.grad, problem.x0, method="nesterov",
                         step="optimal", L=20.0, mu=1.0, x_star=problem.x_star, tol=1e-10,
                         max_iter=demo.max_iter)
    np.testing.assert_allclose(path(demo), ref.history["x"], rtol=1e-12, atol=1e-14)
    assert demo.result.run.stats["n_iter"][1] == ref.n_iter


# ------------------------------------------------------------------ parameters change the plots
def test_method_and_step_change_the_path(demo):
    before = path(demo)
    demo.method = "momentum"
    assert demo.error == "" and not np.array_equal(before, path(demo))
    demo.step = "optimal"
    assert demo.result.run.stats["beta"][1] == pytest.approx(((np.sqrt(10) - 1) / (np.sqrt(10) + 1)) ** 2)
    demo.method = "newton"                         # Newton takes no 'optimal' rule: -> armijo
    assert demo.step == "armijo" and demo.error == ""
    assert demo.result.run.result.n_iter == 1                 # one Newton step solves a quadratic
    np.testing.assert_allclose(path(demo)[-1], [0.0, 0.0], atol=1e-12)


def test_contours_are_computed_once_per_objective(demo, monkeypatch):
    calls = []
    real = optim_compute.contour_lines
    monkeypatch.setattr(optim_compute, "contour_lines",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    lines = demo.contour_source
    before = list(lines.data["xs"])
    demo.param.update(method="momentum", step="armijo", max_iter=50)
    demo.steps.reset()
    demo.steps.step()
    assert calls == []                             # method, step and animation: no contours
    demo.kappa = 100.0
    assert len(calls) == 1
    assert not same_lines(lines.data["xs"], before)
    demo.objective = "rosenbrock"
    demo.kappa = 10.0                              # back: cached, not recomputed
    demo.objective = "quadratic"
    assert len(calls) == 2                         # kappa=100 and rosenbrock; the rest cached


def test_kappa_and_objective_change_the_contours_and_range(demo):
    demo.objective = "rosenbrock"
    assert demo.error == ""
    assert demo.fig.x_range.start == -2.0
    np.testing.assert_allclose(demo.star_source.data["x"], [1.0])
    np.testing.assert_allclose(path(demo)[0], [-1.2, 1.0])
    demo.objective = "logistic"
    assert demo.error == ""
    np.testing.assert_allclose(demo.star_source.data["x"], [optim.LogisticProblem().x_star[0]])


def test_tap_sets_the_start_point(demo):
    demo.fig._trigger_event(Tap(model=demo.fig, x=1.5, y=-1.25))
    assert demo.error == ""
    np.testing.assert_array_equal(path(demo)[0], [1.5, -1.25])
    assert (demo.start_source.data["x"][0], demo.start_source.data["y"][0]) == (1.5, -1.25)
    demo.method = "nesterov"                       # the clicked start survives other changes
    np.testing.assert_array_equal(path(demo)[0], [1.5, -1.25])
    demo.objective = "rosenbrock"                  # ... but belongs to its objective's plot
    np.testing.assert_array_equal(path(demo)[0], [-1.2, 1.0])
    demo.objective = "quadratic"
    np.testing.assert_array_equal(path(demo)[0], [1.5, -1.25])
    demo.set_start(None)
    np.testing.assert_array_equal(path(demo)[0], optim.Quadratic().x0)


# ------------------------------------------------------------------ errors
def test_exact_step_on_rosenbrock_is_an_error_until_a_valid_choice(demo):
    demo.objective = "rosenbrock"
    good = path(demo)
    demo.step = "exact"
    assert "exact" in demo.error and "quadratic" in demo.error
    np.testing.assert_array_equal(path(demo), good)          # plots keep their last good state
    demo.step = "armijo"
    assert demo.error == ""
    assert not np.array_equal(path(demo), good)


def test_an_error_on_an_objective_change_keeps_the_old_plots(demo):
    demo.step = "exact"                                      # fine on the quadratic
    assert demo.error == ""
    lines = demo.contour_source
    contours, good, title = list(lines.data["xs"]), path(demo), demo.fig.title.text
    demo.objective = "rosenbrock"
    assert "exact" in demo.error
    np.testing.assert_array_equal(path(demo), good)
    assert same_lines(lines.data["xs"], contours) and demo.fig.title.text == title
    demo.step = "armijo"                                     # now the Rosenbrock run is drawn
    assert demo.error == ""
    assert not same_lines(lines.data["xs"], contours) and "Rosenbrock" in demo.fig.title.text
    np.testing.assert_array_equal(path(demo)[0], [-1.2, 1.0])


def test_incompatible_step_for_newton_is_an_error(demo):
    demo.method = "newton"
    demo.step = "1/L"
    assert "step" in demo.error and "newton" in demo.error
    demo.step = "constant"
    assert demo.error == ""


def test_divergence_is_reported_not_raised(demo):
    demo.param.update(step="constant", lr=0.25)           # > 2/L = 0.2 on kappa = 10
    assert demo.error == ""
    assert not demo.result.run.result.converged
    assert demo.result.run.stats["theory_rate"][1] == pytest.approx(abs(1 - 0.25 * 10))
    assert demo.result.run.stats["measured_rate"][1] > 1


# ------------------------------------------------------------------ animation
def test_animation_reveals_one_iterate_per_step(demo):
    n = demo.result.run.result.n_iter
    assert len(demo.path_source.data["x"]) == n + 1
    demo.steps.reset()
    assert len(demo.path_source.data["x"]) == 1 and demo.k == 0
    assert len(demo.measured_source.data["k"]) == 1
    demo.steps.step()
    assert len(demo.path_source.data["x"]) == 2
    demo.steps.step_button.clicks += 1                   # the Step button does the same
    assert len(demo.path_source.data["x"]) == 3
    assert "data-stat='shown'>2<" in demo._numbers.object
    np.testing.assert_array_equal(path(demo), demo.result.run.result.history["x"][:3])
    # Play reveals through the periodic callback's tick; it stops at the end
    demo.steps.play()
    assert demo.steps.playing and demo.steps.play_button.name.endswith("Pause")
    demo.steps._tick()
    assert len(demo.path_source.data["x"]) == 4
    demo.steps.pause()
    assert not demo.steps.playing
    demo.steps.go(n - 1)
    demo.steps.play()
    demo.steps._tick()
    assert demo.k == n and not demo.steps.playing
    assert len(demo.theory_source.data["k"]) == n + 1       # the rate line is always whole


def test_measured_rate_matches_theory_for_gd_on_the_quadratic(demo):
    for step, kappa, rate in [("1/L", 10.0, 0.9), ("2/(L+mu)", 10.0, 9 / 11),
                              ("1/L", 50.0, 1 - 1 / 50)]:
        demo.param.update(step=step, kappa=kappa, max_iter=2000)
        assert demo.result.run.stats["theory_rate"][1] == pytest.approx(rate)
        assert demo.result.run.stats["measured_rate"][1] == pytest.approx(rate, abs=0.01)
        bound = np.asarray(demo.theory_source.data["bound"])
        dist = np.asarray(demo.result.run.result.history["dist"])
        assert np.all(dist[: len(bound)] <= bound * (1 + 1e-9) + 1e-15)
    demo.param.update(step="armijo")                # no theory for a line search: no line
    assert demo.result.run.stats["theory_rate"][1] == "—" and len(demo.theory_source.data["k"]) == 0


# ------------------------------------------------------------------ is it convex?
def test_convexity_panel(demo):
    assert demo.convex_fn == "softplus" and demo.result.convexity.report.is_convex
    x = np.asarray(demo.convex_source.data["x"])
    np.testing.assert_allclose(demo.convex_source.data["y"], np.log1p(np.exp(x)), rtol=1e-12)
    assert len(demo.violation_source.data["x"]) == 0
    assert "No violation" in demo._convex_text.object
    demo.convex_fn = "cube"
    assert not demo.result.convexity.report.is_convex and demo.result.convexity.report.max_violation > 0
    np.testing.assert_allclose(demo.convex_source.data["y"], x ** 3)
    assert len(demo.violation_source.data["x"]) == 2        # the violating chord's ends
    gap = demo.violation_gap_source.data
    assert gap["y1"][0] - gap["y0"][0] == pytest.approx(demo.result.convexity.report.max_violation)
    chord = np.array(demo.chord_source.data["x"])
    demo.new_chord()
    assert not np.array_equal(chord, demo.chord_source.data["x"])
    for key, convex in [("square", True), ("abs", True), ("sin", False), ("neg_square", False)]:
        demo.convex_fn = key
        assert demo.result.convexity.report.is_convex is convex, key
