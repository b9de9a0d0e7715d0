"""The duality demo against an independent reference (SciPy HiGHS)."""
from __future__ import annotations

import pytest
from scipy.optimize import linprog as highs

from ece544core.duality import standard_form
from ece544lab.demos.duality import PRESETS, DualityDemo
from ece544lab.demos.lp_geometry import written_rows


@pytest.mark.parametrize("preset", ["textbook", "geq"])
@pytest.mark.parametrize("theta", [200.0, 240.0, 300.0])
def test_duality_demo_matches_highs(preset, theta):
    demo = DualityDemo(preset=preset, theta=theta)
    assert demo.error == ""
    form = standard_form(*written_rows(PRESETS[preset]["rows"], PRESETS[preset]["moved"], 0.0))
    A, b = form.A_ub, form.b_ub
    c = demo.objective()
    ref = highs(c, A_ub=A, b_ub=b, bounds=(None, None), method="highs")
    assert demo.result.fun == pytest.approx(ref.fun, abs=1e-7)
    assert demo.dual_value() == pytest.approx(ref.fun, abs=1e-6)         # strong duality


def test_duality_demo_bad_presets_report_status_without_error():
    demo = DualityDemo()
    for preset, status in (("infeasible", "infeasible"), ("unbounded", "unbounded")):
        demo.preset = preset
        assert demo.error == ""
        assert demo.result.status == status
    demo.evaluate_at(float("nan"), 0.0)
    assert demo.error
