"""Lagrangian duality on a 2-D linear program: the feasible polygon, the objective direction, the
interior-point path to the optimum, the dual variables lambda (one per constraint) with
complementary slackness, the duality gap closing per iteration, and the KKT residuals.

Course notes (Optimization Dual, the LP example): min c^T w s.t. A w <= b has the Lagrangian
L(w, lam) = c^T w + lam^T (A w - b) = (c + A^T lam)^T w - b^T lam, the dual function
g(lam) = -b^T lam if A^T lam + c = 0 (else -inf) and the dual program
max_{lam >= 0} -b^T lam s.t. A^T lam + c = 0. Questions: what to do before computing the
Lagrangian? how to obtain the dual program? why duality?

parameters -> :meth:`DualityDemo.compute` (:mod:`.compute`, memoised per (preset, θ, Δb)) ->
:meth:`DualityDemo.draw` (:mod:`.draw`, :mod:`.text`). A tap on the plane evaluates
L(w, λ*) there (:meth:`DualityDemo.evaluate_at`) without solving again.
"""
from __future__ import annotations

import panel as pn
import param

from ...views.common import CONTROL_WIDTH, heading, stats_html
from ...views.demo import Demo
from ...views.layout import plots
from . import text
from .compute import DualityResult, Probe, compute, objective, probe
from .draw import FRAME, DualBars, GapView, PolygonView
from .geometry import PRESETS


class DualityDemo(Demo):
    """A 2-D LP and its dual: polygon, path, lambda, gap, KKT, the notes' recipe with numbers."""

    slug = "duality"
    title = "Lagrangian duality & LPs"
    formula = (
        r"$$\min_{\mathbf{w}} \mathbf{c}^T\mathbf{w} \;\text{ s.t. }\; \mathbf{A}\mathbf{w} \le "
        r"\mathbf{b}, \quad \mathbf{c} = (\cos\theta, \sin\theta) \qquad L(\mathbf{w}, \lambda) = "
        r"\mathbf{c}^T\mathbf{w} + \lambda^T(\mathbf{A}\mathbf{w} - \mathbf{b}) = "
        r"(\mathbf{c} + \mathbf{A}^T\lambda)^T\mathbf{w} - \mathbf{b}^T\lambda$$"
        r"$$g(\lambda) = \min_{\mathbf{w}} L(\mathbf{w}, \lambda) = \begin{cases} "
        r"-\mathbf{b}^T\lambda & \text{if } \mathbf{A}^T\lambda + \mathbf{c} = 0 \\ -\infty & "
        r"\text{otherwise} \end{cases} \qquad \max_{\lambda \ge 0}\; -\mathbf{b}^T\lambda "
        r"\;\text{ s.t. }\; \mathbf{A}^T\lambda + \mathbf{c} = 0$$"
        r"$$\text{KKT: } \mathbf{c} + \mathbf{A}^T\lambda = 0, \quad \mathbf{A}\mathbf{w} \le "
        r"\mathbf{b}, \quad \lambda \ge 0, \quad \lambda_i (\mathbf{b} - \mathbf{A}\mathbf{w})_i "
        r"= 0$$"
    )
    what_to_try = (
        "Turn the objective angle θ: the optimum jumps from vertex to vertex and the non-zero λᵢ "
        "follow the active rows (−c = Σ λᵢ aᵢ, the arrows); move Δb and compare the change of p* "
        "with −λᵢ Δb; pick the degenerate vertex (λ not unique), the ≥ rows (flipped in the "
        "standard form, try θ = 45°), then infeasible and unbounded for their certificates (Δb "
        "≥ 1 repairs the infeasible one); hover or tap the plot for L(w, λ*)."
    )
    url_params = ("preset", "theta", "shift")

    preset = param.Selector(default="textbook",
                            objects={p["label"]: key for key, p in PRESETS.items()},
                            label="linear program",
                            doc="Which 2-D LP: its rows as written (≤ and ≥), before the "
                                "standard form.")
    theta = param.Number(default=240.0, bounds=(0.0, 360.0), step=5.0,
                         label="objective angle θ (°)",
                         doc="The cost vector c = (cos θ, sin θ); the LP moves along −c.")
    shift = param.Number(default=0.0, bounds=(-3.0, 3.0), step=0.1, label="Δb of the moved row",
                         doc="Added to the right-hand side b of the preset's moved row (the "
                             "dashed one), as the row is written.")

    # ------------------------------------------------------------------ build
    def build(self):
        self.probe: Probe | None = None     # L(w, lam*) at the tapped point, for self.result
        self.stats: dict = {}
        self.polygon = PolygonView(lambda event: self.evaluate_at(event.x, event.y))
        self.bars = DualBars()
        self.gap = GapView()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._panes = {key: pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
                       for key in ("rows", "kkt", "recipe", "answers")}
        self._moved_text = pn.pane.HTML("", margin=(0, 10), width=CONTROL_WIDTH - 10)
        controls = [
            heading("The LP"), self.param_controls(["preset"]),
            heading("Objective"), self.param_controls(["theta"]),
            heading("Sensitivity"), self.param_controls(["shift"]), self._moved_text,
            pn.pane.HTML("<small>Hover (or tap) the left plot: L(w, λ*) at that point.</small>",
                         margin=(0, 10), width=CONTROL_WIDTH - 10),
        ]
        return controls, self._main(), self._numbers

    def _main(self) -> pn.Column:
        legend = pn.pane.HTML(
            "<small>Grey: the feasible set {w : Aw ≤ b} (coloured lines: the rows, dashed: the "
            "moved one; small arrows point to the feasible side). Thin lines: levels cᵀw = const, "
            "<b>black</b> through w*. Red: the interior-point iterates wₖ, yellow ★ the optimum "
            "w*. At w*: <b>−c</b> (black arrow) = Σ λᵢ aᵢ (coloured arrows, one per active row)."
            "</small>", width=FRAME + 60, margin=(0, 10))
        right = pn.Column(pn.pane.Bokeh(self.bars.lam_fig, sizing_mode="stretch_width"),
                          pn.pane.Bokeh(self.bars.slack_fig, sizing_mode="stretch_width"),
                          pn.pane.Bokeh(self.gap.fig, sizing_mode="stretch_width"),
                          sizing_mode="stretch_width", styles={"flex": "1 1 300px"},
                          max_width=560)
        p = self._panes
        tables = plots(
            pn.Column(pn.pane.HTML("<b>Rows, slacks and multipliers</b>", margin=(0, 10)),
                      p["rows"], styles={"flex": "1 1 360px"}),
            pn.Column(pn.pane.HTML("<b>KKT residuals at the returned (w, λ)</b>", margin=(0, 10)),
                      p["kkt"], styles={"flex": "1 1 300px"}))
        recipe = pn.Card(p["recipe"], title="The notes' recipe with this LP's numbers",
                         sizing_mode="stretch_width", margin=(10, 10))
        return pn.Column(
            plots(pn.Column(pn.pane.Bokeh(self.polygon.fig), legend, width=FRAME + 80), right),
            tables, recipe, p["answers"], sizing_mode="stretch_width")

    # ------------------------------------------------------------------ compute / draw
    def objective(self):
        """c = (cos θ, sin θ)."""
        return objective(self.theta)

    def compute(self) -> DualityResult:
        return compute(self.preset, self.theta, self.shift)

    def draw(self, result: DualityResult) -> None:
        if self.probe is not None and self.result is not result:
            self.probe = None                   # a tapped point belongs to one LP
        self.polygon.draw(result)
        self.polygon.draw_probe(self.probe)
        self.bars.draw(result)
        self.gap.draw(result)
        self._moved_text.object = text.moved_text(result)
        self._panes["rows"].object = text.rows_table(result)
        self._panes["kkt"].object = text.kkt_table(result)
        self._panes["recipe"].object = text.recipe(result)
        self._show_numbers(result)

    def _show_numbers(self, result: DualityResult) -> None:
        """The parts that also change with a tapped point: the numbers and the answers."""
        self.stats = text.stats(result, self.probe)
        self._numbers.object = stats_html(self.stats)
        self._panes["answers"].object = text.answers(result, self.probe)

    def dual_value(self) -> float:
        """d* = max -b^T lam of the dual program of the drawn LP."""
        return self.result.dual_value

    # ------------------------------------------------------------------ tap: L(w, lam*)
    def evaluate_at(self, x: float, y: float) -> None:
        """L(w, lam*) = c^T w + lam*^T (A w - b) at w = (x, y), shown and marked on the plot."""
        if self.result is None:
            return
        try:
            self.probe = probe(self.result, x, y)
        except ValueError as exc:
            self.fail(str(exc))
            return
        self.clear_error()
        self.polygon.draw_probe(self.probe)
        self._show_numbers(self.result)
