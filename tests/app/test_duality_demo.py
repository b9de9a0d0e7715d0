"""The duality demo through its parameters, against an independent reference (SciPy HiGHS)."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog as highs

from ece544core.duality import lagrangian, standard_form
from ece544lab.demos.duality import PRESETS, DualityDemo, written_rows


@pytest.mark.parametrize("preset", ["textbook", "geq"])
@pytest.mark.parametrize("theta", [200.0, 240.0, 300.0])
def test_duality_demo_matches_highs(preset, theta):
    demo = DualityDemo(preset=preset, theta=theta)
    assert demo.error == ""
    result = demo.compute()
    assert result is demo.result                                       # drawn = computed
    form = standard_form(*written_rows(PRESETS[preset]["rows"], PRESETS[preset]["moved"], 0.0))
    ref = highs(demo.objective(), A_ub=form.A_ub, b_ub=form.b_ub, bounds=(None, None),
                method="highs")
    assert result.primal.fun == pytest.approx(ref.fun, abs=1e-7)
    assert result.dual_value == pytest.approx(ref.fun, abs=1e-6)       # strong duality
    assert demo.dual_value() == result.dual_value
    # SciPy's marginals are -lam (d fun / d b_ub); unique here (no degenerate vertex)
    np.testing.assert_allclose(result.primal.lam, -ref.ineqlin.marginals, atol=1e-6)
    assert demo.stats["p_star"][1] == pytest.approx(ref.fun, abs=1e-7)


def test_shift_moves_p_star_by_minus_lambda_delta_b():
    demo = DualityDemo(preset="textbook", theta=240.0)
    p0, lam = demo.result.primal.fun, demo.result.primal.lam[PRESETS["textbook"]["moved"]]
    demo.shift = 0.2
    r = demo.result
    assert r.base_fun == p0 and r.shift == 0.2
    assert r.primal.fun - r.base_fun == pytest.approx(-lam * 0.2, abs=1e-7)
    assert "data-stat='delta_p'" in demo._panes["answers"].object


def test_results_are_memoised_by_preset_angle_and_shift():
    demo = DualityDemo()
    first = demo.result
    demo.theta = 250.0
    assert demo.result is not first
    demo.theta = 240.0
    assert demo.result is first                             # no second pair of LP solves


def test_gap_plot_reads_the_shared_history_names():
    demo = DualityDemo()
    h = demo.result.primal.history
    data = demo.gap.source.data
    np.testing.assert_array_equal(data["k"], np.arange(h.n_records))
    np.testing.assert_allclose(data["gap"], np.maximum(h["gap"], 1e-16))
    np.testing.assert_allclose(data["stationarity"], np.maximum(h["dual_residual"], 1e-16))
    path = demo.polygon.sources["path"].data
    np.testing.assert_allclose(np.column_stack([path["x"], path["y"]]), h["x"])


def test_tap_evaluates_the_lagrangian_without_solving_again():
    demo = DualityDemo()
    r = demo.result
    demo.evaluate_at(1.0, 2.0)
    assert demo.error == "" and demo.result is r
    expected = lagrangian([1.0, 2.0], r.primal.lam, r.c, r.A, r.b)
    assert demo.stats["lagrangian"][1] == pytest.approx(expected)
    assert expected == pytest.approx(r.primal.fun, abs=1e-7)            # flat at lam*: = p*
    assert list(demo.polygon.sources["probe"].data["x"]) == [1.0]
    demo.theta = 200.0                                                  # another LP: no probe
    assert "lagrangian" not in demo.stats and demo.polygon.sources["probe"].data["x"] == []


def test_duality_demo_bad_presets_report_status_without_error():
    demo = DualityDemo()
    for preset, status in (("infeasible", "infeasible"), ("unbounded", "unbounded")):
        demo.preset = preset
        assert demo.error == ""
        assert demo.result.primal.status == status
    demo.evaluate_at(float("nan"), 0.0)
    assert demo.error
