"""Lagrangian duality on a 2-D linear program: the feasible polygon, the objective direction, the
interior-point path to the optimum, the dual variables lambda (one per constraint) with
complementary slackness, the duality gap closing per iteration, and the KKT residuals.

Course notes (Optimization Dual, the LP example): min c^T w s.t. A w <= b has the Lagrangian
L(w, lam) = c^T w + lam^T (A w - b) = (c + A^T lam)^T w - b^T lam, the dual function
g(lam) = -b^T lam if A^T lam + c = 0 (else -inf) and the dual program
max_{lam >= 0} -b^T lam s.t. A^T lam + c = 0. Questions: what to do before computing the
Lagrangian? how to obtain the dual program? why duality?
"""
from __future__ import annotations

import html
import math

import numpy as np
import panel as pn
import param
from bokeh.events import MouseMove, Tap
from bokeh.models import Arrow, ColumnDataSource, CustomJS, Label, Range1d, VeeHead

from ece544core.duality import linprog, lp_dual, standard_form

from ..views.common import CONTROL_WIDTH, Demo, guarded, heading, stats_html
from .lp_geometry import (PRESETS, SUB, fmt, number, polygon_vertices, row_text, vec,
                          written_rows)
from ..views.plotting import PALETTE, clip_line, make_figure

FRAME = 430                     # polygon plot frame (square, pixels; boxes are square too)
FLOOR = 1e-16                   # the log-scale gap plot shows smaller values at this floor
ACTIVE_TOL = 1e-7               # a row is active when its slack is below this (relative)
N_LEVELS = 7                    # level lines c^T w = const (the optimal one in the middle)
#: One colour per row (Okabe-Ito without the path's vermillion and the optimum's yellow).
ROW_COLORS = ["#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#7f7f7f"]
PATH_COLOR, STAR_COLOR = "#D55E00", "#F0E442"

LAGRANGIAN_JS = """
const x = cb_obj.x, y = cb_obj.y;
if (x == null || y == null || !isFinite(x) || !isFinite(y)) return;
const d = src.data, c = obj.data;
if (d.lam.length == 0 || c.c1.length == 0) return;
const cw = c.c1[0] * x + c.c2[0] * y;
let pen = 0;
for (let i = 0; i < d.lam.length; i++) pen += d.lam[i] * (d.a1[i] * x + d.a2[i] * y - d.b[i]);
const f = (v) => v.toFixed(3).replace("-", "\u2212");
label.text = `at w = (${f(x)}, ${f(y)}): L(w, \u03bb) = c\u1d40w + \u03bb\u1d40(Aw \u2212 b) = ` +
             `${f(cw)} + (${f(pen)}) = ${f(cw + pen)}`;
"""


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

    def __init__(self, **params):
        super().__init__(**params)
        self.result = None            # primal LPResult
        self.dual = None              # LPResult of the dual program (lp_dual), as a min
        self.base_fun = None          # p* at Δb = 0 (for the sensitivity check)
        self.lp: dict = {}
        self.probe = None             # (w, c^T w, lam^T (A w - b), L) at the tapped point
        self.stats: dict = {}
        self._build_figures()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._rows_table = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._kkt_table = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._recipe = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._answers = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._layout = self.page(self._controls(), self._main(), self._numbers)
        self._base_cache: dict = {}
        self._on_change()

    # ------------------------------------------------------------------ widgets / layout
    def _controls(self) -> list:
        self._moved_text = pn.pane.HTML("", margin=(0, 10), width=CONTROL_WIDTH - 10)
        return [
            heading("The LP"), self.param_controls(["preset"]),
            heading("Objective"), self.param_controls(["theta"]),
            heading("Sensitivity"), self.param_controls(["shift"]), self._moved_text,
            pn.pane.HTML("<small>Hover (or tap) the left plot: L(w, λ*) at that point.</small>",
                         margin=(0, 10), width=CONTROL_WIDTH - 10),
        ]

    def _main(self) -> pn.Column:
        legend = pn.pane.HTML(
            "<small>Grey: the feasible set {w : Aw ≤ b} (coloured lines: the rows, dashed: the "
            "moved one; small arrows point to the feasible side). Thin lines: levels cᵀw = const, "
            "<b>black</b> through w*. Red: the interior-point iterates wₖ, yellow ★ the optimum w*. "
            "At w*: <b>−c</b> (black arrow) = Σ λᵢ aᵢ (coloured arrows, one per active row)."
            "</small>", width=FRAME + 60, margin=(0, 10))
        right = pn.Column(pn.pane.Bokeh(self.lam_fig, sizing_mode="stretch_width"),
                          pn.pane.Bokeh(self.slack_fig, sizing_mode="stretch_width"),
                          pn.pane.Bokeh(self.gap_fig, sizing_mode="stretch_width"),
                          sizing_mode="stretch_width", styles={"flex": "1 1 300px"})
        tables = pn.Row(pn.Column(pn.pane.HTML("<b>Rows, slacks and multipliers</b>",
                                               margin=(0, 10)), self._rows_table,
                                  sizing_mode="stretch_width"),
                        pn.Column(pn.pane.HTML("<b>KKT residuals at the returned (w, λ)</b>",
                                               margin=(0, 10)), self._kkt_table,
                                  sizing_mode="stretch_width"),
                        sizing_mode="stretch_width", styles={"flex-wrap": "wrap"})
        recipe = pn.Card(self._recipe, title="The notes' recipe with this LP's numbers",
                         sizing_mode="stretch_width", margin=(10, 10))
        return pn.Column(
            pn.Row(pn.Column(pn.pane.Bokeh(self.fig), legend, width=FRAME + 80), right,
                   sizing_mode="stretch_width", styles={"flex-wrap": "wrap"}),
            tables, recipe, self._answers, sizing_mode="stretch_width")

    # ------------------------------------------------------------------ figures
    def _build_figures(self) -> None:
        fig = make_figure("", tools="pan,wheel_zoom,reset", sizing_mode="fixed", width=None,
                          height=None, frame_width=FRAME, frame_height=FRAME,
                          x_range=Range1d(-1, 1), y_range=Range1d(-1, 1), name="duality-fig")
        self.region_source = ColumnDataSource(dict(x=[], y=[]), name="duality-region")
        self.rows_source = ColumnDataSource(dict(xs=[], ys=[], color=[], dash=[], alpha=[]),
                                            name="duality-rows")
        self.row_labels_source = ColumnDataSource(dict(x=[], y=[], text=[], color=[]),
                                                  name="duality-row-labels")
        self.sides_source = ColumnDataSource(dict(x0=[], y0=[], x1=[], y1=[], color=[]),
                                             name="duality-sides")
        self.levels_source = ColumnDataSource(dict(xs=[], ys=[]), name="duality-levels")
        self.opt_level_source = ColumnDataSource(dict(xs=[], ys=[]), name="duality-opt-level")
        self.path_source = ColumnDataSource(dict(x=[], y=[], k=[]), name="duality-path")
        self.opt_source = ColumnDataSource(dict(x=[], y=[]), name="duality-optimum")
        self.arrows_source = ColumnDataSource(dict(x0=[], y0=[], x1=[], y1=[], color=[]),
                                              name="duality-arrows")
        self.probe_source = ColumnDataSource(dict(x=[], y=[]), name="duality-probe")
        self.vertices_source = ColumnDataSource(dict(x=[], y=[]), name="duality-vertices")
        fig.patch("x", "y", source=self.region_source, fill_color="#c9d3de", fill_alpha=0.75,
                  line_color="#5b6b7c", line_width=1.5)
        fig.multi_line("xs", "ys", source=self.levels_source, color="#8a8a8a", line_width=1,
                       line_alpha=0.7)
        fig.multi_line("xs", "ys", source=self.opt_level_source, color="black", line_width=1.5,
                       line_dash="dotdash")
        fig.multi_line("xs", "ys", source=self.rows_source, color="color", line_width=2.2,
                       line_dash="dash", line_alpha="alpha")
        fig.add_layout(Arrow(end=VeeHead(size=7, line_color="color", fill_color="color"),
                             source=self.sides_source, x_start="x0", y_start="y0", x_end="x1",
                             y_end="y1", line_color="color", line_width=1.5))
        fig.text("x", "y", text="text", source=self.row_labels_source, text_color="color",
                 text_font_size="13px", text_font_style="bold", text_align="center",
                 text_baseline="middle")
        fig.scatter("x", "y", source=self.vertices_source, size=6, color="#5b6b7c")
        fig.line("x", "y", source=self.path_source, color=PATH_COLOR, line_width=2)
        fig.scatter("x", "y", source=self.path_source, color=PATH_COLOR, size=6,
                    line_color="black", line_width=0.5)
        fig.add_layout(Arrow(end=VeeHead(size=10, line_color="color", fill_color="color"),
                             source=self.arrows_source, x_start="x0", y_start="y0", x_end="x1",
                             y_end="y1", line_color="color", line_width=3))
        fig.scatter("x", "y", source=self.opt_source, marker="star", size=22, color=STAR_COLOR,
                    line_color="black")
        fig.scatter("x", "y", source=self.probe_source, marker="cross", size=14, color="black",
                    line_width=2)
        fig.xaxis.axis_label, fig.yaxis.axis_label = "w₁", "w₂"
        # hovering shows L(w, lam*) at once, in the page (no Python round trip)
        self.lagrangian_source = ColumnDataSource(dict(a1=[], a2=[], b=[], lam=[]),
                                                  name="duality-lagrangian")
        self.objective_source = ColumnDataSource(dict(c1=[], c2=[]), name="duality-objective")
        self.hover_label = Label(x=6, y=6, x_units="screen", y_units="screen", text="",
                                 text_font_size="11px", background_fill_color="white",
                                 background_fill_alpha=0.85, name="duality-hover-label")
        fig.add_layout(self.hover_label)
        js = CustomJS(args=dict(src=self.lagrangian_source, obj=self.objective_source,
                                label=self.hover_label), code=LAGRANGIAN_JS)
        fig.js_on_event(MouseMove, js)
        fig.js_on_event(Tap, js)
        fig.on_event(Tap, self._on_tap)
        self.fig = fig

        def bars(title, name, ylabel):
            f = make_figure(title, tools="", toolbar_location=None, height=165,
                            x_range=Range1d(0.4, 5.6), y_range=Range1d(0, 1), name=name)
            f.xaxis.axis_label, f.yaxis.axis_label = "row i", ylabel
            f.xgrid.grid_line_color = None
            return f

        self.lam_fig = bars("dual variables λᵢ ≥ 0", "duality-lam-fig", "λᵢ")
        self.slack_fig = bars("slacks bᵢ − aᵢᵀw*  (λᵢ · slackᵢ = 0)", "duality-slack-fig",
                              "slack")
        self.dual_source = ColumnDataSource(
            dict(i=[], lam=[], slack=[], color=[], alpha=[], active=[]), name="duality-dual")
        self.lam_fig.vbar(x="i", top="lam", width=0.6, source=self.dual_source,
                          fill_color="color", fill_alpha="alpha", line_color="color")
        self.slack_fig.vbar(x="i", top="slack", width=0.6, source=self.dual_source,
                            fill_color="color", fill_alpha="alpha", line_color="color")

        gap = make_figure("Interior-point iterations (log scale)", tools="", height=250,
                          toolbar_location=None, y_axis_type="log", x_range=Range1d(0, 10),
                          y_range=Range1d(1e-12, 10), name="duality-gap-fig")
        self.gap_source = ColumnDataSource(
            dict(k=[], gap=[], stationarity=[], primal=[], complementarity=[], tau=[]),
            name="duality-gap")
        gap.line("k", "gap", source=self.gap_source, color=PALETTE[5], line_width=2.5,
                 legend_label="gap |cᵀw − (−bᵀλ)|")
        gap.scatter("k", "gap", source=self.gap_source, color=PALETTE[5], size=5)
        gap.line("k", "stationarity", source=self.gap_source, color=PALETTE[0], line_width=1.5,
                 legend_label="‖c + Aᵀλ‖")
        gap.line("k", "primal", source=self.gap_source, color=PALETTE[2], line_width=1.5,
                 line_dash="dashed", legend_label="primal infeas.")
        gap.line("k", "complementarity", source=self.gap_source, color=PALETTE[3],
                 line_width=1.5, line_dash="dotted", legend_label="μ = sᵀλ / m")
        self.tau_line = gap.line("k", "tau", source=self.gap_source, color="#555555",
                                 line_width=1.5, line_dash="dotdash", legend_label="τ")
        gap.legend.orientation = "horizontal"
        gap.legend.nrows = 2
        gap.legend.padding, gap.legend.margin = 2, 0
        gap.legend.label_text_font_size = "11px"
        gap.add_layout(gap.legend[0], "below")
        gap.xaxis.axis_label = "iteration k"
        self.gap_fig = gap

    # ------------------------------------------------------------------ the LP
    @param.depends("preset", "theta", "shift", watch=True)
    @guarded
    def _on_change(self) -> None:
        self.probe = None
        self.solve()

    def objective(self) -> np.ndarray:
        """c = (cos theta, sin theta)."""
        t = math.radians(self.theta)
        return np.array([math.cos(t), math.sin(t)])

    def solve(self) -> None:
        """Standard form, the primal by interior point, the dual program (lp_dual) solved as an
        LP of its own, and p* at Δb = 0; then redraw everything."""
        spec = PRESETS[self.preset]
        form = standard_form(*written_rows(spec["rows"], spec["moved"], self.shift))
        A, b, flipped = form.A_ub, form.b_ub, form.flipped
        c = self.objective()
        result = linprog(c, A_ub=A, b_ub=b)
        dual = linprog(**lp_dual(c, A, b).linprog_args())
        box = spec["box"]
        self.lp = dict(spec=spec, A=A, b=b, c=c, flipped=flipped, box=box,
                       vertices=polygon_vertices(A, b),
                       region=polygon_vertices(A, b, box=box))
        self.result, self.dual = result, dual
        self.base_fun = result.fun if self.shift == 0 else self._base_fun(c)
        self._draw()

    def _base_fun(self, c) -> float:
        """p* of the preset at Δb = 0 (cached per preset and angle)."""
        key = (self.preset, self.theta)
        if key not in self._base_cache:
            if len(self._base_cache) > 64:
                self._base_cache.clear()
            form = standard_form(*written_rows(PRESETS[self.preset]["rows"]))
            self._base_cache[key] = linprog(c, **form.linprog_args()).fun
        return self._base_cache[key]

    @property
    def optimal(self) -> bool:
        return self.result is not None and self.result.status == "optimal"

    def slack(self) -> np.ndarray:
        """b - A w* (NaN when there is no optimum)."""
        if not self.optimal:
            return np.full(len(self.lp["b"]), np.nan)
        return self.lp["b"] - self.lp["A"] @ self.result.x

    def active(self) -> np.ndarray:
        """Rows with a_i^T w* = b_i (to ACTIVE_TOL relative to the size of b)."""
        s = self.slack()
        return np.abs(s) <= ACTIVE_TOL * (1.0 + np.abs(self.lp["b"])) if self.optimal else \
            np.zeros(len(s), bool)

    # ------------------------------------------------------------------ tap: L(w, lam*)
    def _on_tap(self, event) -> None:
        self.evaluate_at(event.x, event.y)

    @guarded
    def evaluate_at(self, x: float, y: float) -> None:
        """L(w, lam*) = c^T w + lam*^T (A w - b) at w = (x, y), shown and marked on the plot."""
        if x is None or y is None or not (np.isfinite(x) and np.isfinite(y)):
            raise ValueError(f"the point w must be two finite numbers; got ({x}, {y})")
        w = np.array([float(x), float(y)])
        lam = self._plotted_lam()
        cw = float(self.lp["c"] @ w)
        pen = float(lam @ (self.lp["A"] @ w - self.lp["b"]))
        self.probe = (w, cw, pen, cw + pen)
        self.probe_source.data = dict(x=[w[0]], y=[w[1]])
        self._show_stats()
        self._show_answers()

    def _plotted_lam(self) -> np.ndarray:
        """lam* when there is an optimum, else zeros (L is then c^T w)."""
        return self.result.lam if self.optimal else np.zeros(len(self.lp["b"]))

    # ------------------------------------------------------------------ drawing
    def _draw(self) -> None:
        lp, res = self.lp, self.result
        (x0, x1), (y0, y1) = lp["box"]
        self.fig.x_range.update(start=x0, end=x1)
        self.fig.y_range.update(start=y0, end=y1)
        region = lp["region"]
        self.region_source.data = dict(x=region[:, 0], y=region[:, 1])
        self.vertices_source.data = dict(x=lp["vertices"][:, 0], y=lp["vertices"][:, 1])
        self._draw_rows()
        self._draw_levels()
        hist_x = np.asarray(res.history["x"], float)
        keep = np.all(np.isfinite(hist_x), axis=1)
        self.path_source.data = dict(x=hist_x[keep, 0], y=hist_x[keep, 1],
                                     k=np.arange(len(hist_x))[keep])
        self._draw_arrows()
        self.probe_source.data = dict(x=[], y=[])
        self.lagrangian_source.data = dict(a1=lp["A"][:, 0], a2=lp["A"][:, 1], b=lp["b"],
                                           lam=self._plotted_lam())
        self.objective_source.data = dict(c1=[lp["c"][0]], c2=[lp["c"][1]])
        self.hover_label.text = ""
        self.fig.title.text = self._fig_title()
        self._draw_dual()
        self._draw_gap()
        spec = lp["spec"]
        a, op, b = spec["rows"][spec["moved"]]
        self._moved_text.object = (f"<small>moved row {spec['moved'] + 1} (dashed): "
                                   f"{html.escape(row_text(a, op, b + self.shift))}</small>")
        self._show_stats()
        self._show_tables()
        self._show_recipe()
        self._show_answers()

    def _fig_title(self) -> str:
        res = self.result
        if res.status == "optimal":
            return f"optimal: w* = {vec(res.x)}, p* = cᵀw* = {fmt(res.fun)}"
        if res.status == "infeasible":
            return "INFEASIBLE: the rows have no common point (see the certificate)"
        if res.status == "unbounded":
            return "UNBOUNDED: cᵀw → −∞ along the ray d (black arrow)"
        return f"stopped after {res.n_iter} iterations ({res.status})"

    def _draw_rows(self) -> None:
        lp = self.lp
        box, moved = lp["box"], lp["spec"]["moved"]
        xs, ys, colors, dash, alpha = [], [], [], [], []
        lx, ly, lt, lc = [], [], [], []
        sx0, sy0, sx1, sy1, sc = [], [], [], [], []
        size = box[0][1] - box[0][0]
        for i, (a, beta) in enumerate(zip(lp["A"], lp["b"])):
            seg = clip_line(a, beta, box)
            if seg is None:
                continue
            color = ROW_COLORS[i % len(ROW_COLORS)]
            (px, py), (qx, qy) = seg
            xs.append([px, qx])
            ys.append([py, qy])
            colors.append(color)
            dash.append("dashed" if i == moved else "solid")
            alpha.append(1.0)
            mid = (seg[0] + seg[1]) / 2
            inward = -a / np.linalg.norm(a)                        # to the feasible side
            for t in (0.3, 0.7):
                p = seg[0] + t * (seg[1] - seg[0])
                sx0.append(p[0]), sy0.append(p[1])
                sx1.append(p[0] + 0.05 * size * inward[0])
                sy1.append(p[1] + 0.05 * size * inward[1])
                sc.append(color)
            lab = mid - 0.045 * size * inward
            lx.append(lab[0]), ly.append(lab[1]), lt.append(str(i + 1)), lc.append(color)
        self.rows_source.data = dict(xs=xs, ys=ys, color=colors, dash=dash, alpha=alpha)
        self.row_labels_source.data = dict(x=lx, y=ly, text=lt, color=lc)
        self.sides_source.data = dict(x0=sx0, y0=sy0, x1=sx1, y1=sy1, color=sc)

    def _draw_levels(self) -> None:
        """Lines c^T w = v: through w* (black) and N_LEVELS around it, a box-size step apart."""
        lp = self.lp
        (x0, x1), (y0, y1) = lp["box"]
        c = lp["c"]
        centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
        v0 = self.result.fun if self.optimal else float(c @ centre)
        step = (x1 - x0) / (N_LEVELS + 1)
        segs = [clip_line(c, v0 + k * step, lp["box"])
                for k in range(-(N_LEVELS // 2) - 2, N_LEVELS // 2 + 3) if k != 0]
        segs = [s for s in segs if s is not None]
        self.levels_source.data = dict(xs=[[s[0][0], s[1][0]] for s in segs],
                                       ys=[[s[0][1], s[1][1]] for s in segs])
        opt = clip_line(c, v0, lp["box"]) if self.optimal else None
        self.opt_level_source.data = (dict(xs=[[opt[0][0], opt[1][0]]], ys=[[opt[0][1],
                                                                              opt[1][1]]])
                                      if opt is not None else dict(xs=[], ys=[]))

    def _draw_arrows(self) -> None:
        """At w*: -c and lam_i a_i (the stationarity c + A^T lam = 0 as a picture); unbounded:
        the ray d from a feasible vertex."""
        lp, res = self.lp, self.result
        size = lp["box"][0][1] - lp["box"][0][0]
        scale = 0.15 * size                                      # |c| = 1 -> 15 % of the box
        x0, y0, x1, y1, color = [], [], [], [], []

        def arrow(p, v, col):
            x0.append(p[0]), y0.append(p[1])
            x1.append(p[0] + scale * v[0]), y1.append(p[1] + scale * v[1])
            color.append(col)

        if res.status == "optimal":
            w = res.x
            self.opt_source.data = dict(x=[w[0]], y=[w[1]])
            arrow(w, -lp["c"], "black")
            for i in np.flatnonzero(res.lam > 1e-9):
                arrow(w, res.lam[i] * lp["A"][i], ROW_COLORS[i % len(ROW_COLORS)])
        else:
            self.opt_source.data = dict(x=[], y=[])
            if res.status == "unbounded" and len(lp["region"]):
                start = lp["vertices"][0] if len(lp["vertices"]) else lp["region"][0]
                arrow(start, 1.5 * res.x / np.linalg.norm(res.x), "black")
        self.arrows_source.data = dict(x0=x0, y0=y0, x1=x1, y1=y1, color=color)

    def _draw_dual(self) -> None:
        m = len(self.lp["b"])
        res = self.result
        lam = res.lam if res.status in ("optimal", "infeasible") else np.zeros(m)
        slack = np.nan_to_num(self.slack(), nan=0.0)
        active = self.active()
        self.dual_source.data = dict(
            i=np.arange(1, m + 1), lam=np.maximum(lam, 0.0), slack=np.maximum(slack, 0.0),
            color=[ROW_COLORS[i % len(ROW_COLORS)] for i in range(m)],
            alpha=np.where(active | (lam > 1e-9), 0.9, 0.3), active=active)
        for f, top in ((self.lam_fig, lam), (self.slack_fig, slack)):
            f.x_range.update(start=0.4, end=m + 0.6)
            hi = float(np.max(top, initial=0.0))
            f.y_range.update(start=0, end=1.15 * hi if hi > 0 else 1.0)
        self.lam_fig.title.text = ("Farkas certificate λ ≥ 0 (Aᵀλ = 0, bᵀλ < 0)"
                                   if res.status == "infeasible" else
                                   "dual variables λᵢ ≥ 0" if self.optimal else
                                   "no λ: the dual program is infeasible")
        self.slack_fig.title.text = ("slacks bᵢ − aᵢᵀw*  (λᵢ · slackᵢ = 0)" if self.optimal
                                     else "slacks: no w* (no optimum)")

    def _draw_gap(self) -> None:
        h = self.result.history
        k = np.arange(len(h["gap"]))
        floor = lambda v: np.maximum(np.nan_to_num(np.asarray(v, float), nan=FLOOR,  # noqa: E731
                                                   posinf=1e300), FLOOR)
        data = dict(k=k, gap=floor(h["gap"]), stationarity=floor(h["dual_residual"]),
                    primal=floor(h["primal_residual"]), complementarity=floor(h["mu"]),
                    tau=floor(h["tau"]))
        self.gap_source.data = data
        self.tau_line.visible = not self.optimal
        vals = np.concatenate([data[key] for key in data if key != "k"])
        hi = min(float(vals.max()) * 5, 1e12)
        lo = max(min(float(vals.min()) / 5, hi / 1e3), FLOOR / 10)
        self.gap_fig.y_range.update(start=lo, end=hi)
        self.gap_fig.x_range.update(start=-0.2, end=max(len(k) - 1, 1) + 0.2)
        self.gap_fig.title.text = (
            "gap → 0 per interior-point iteration (log scale)" if self.optimal else
            f"{self.result.status}: the gap does not close; τ → 0 gives the certificate")

    # ------------------------------------------------------------------ numbers
    def dual_value(self) -> float:
        """d* = max -b^T lam of the dual program (the dual LP is solved as min b^T lam)."""
        return -self.dual.fun

    def _show_stats(self) -> None:
        res, dual = self.result, self.dual
        active = np.flatnonzero(self.active()) + 1
        self.stats = {
            "status": ("primal status", res.status),
            "dual_status": ("dual program status (lp_dual)", dual.status),
            "n_iter": ("interior-point iterations", int(res.n_iter)),
            "p_star": ("p* = cᵀw*", number(res.fun)),
            "d_star": ("d* = max −bᵀλ (dual program)", number(self.dual_value())),
            "gap": ("|p* − d*|", float(abs(res.fun - self.dual_value()))
                    if self.optimal and dual.status == "optimal" else "—"),
            "w": ("w*" if self.optimal else "x returned", vec(res.x)),
            "lam": ("λ*" if self.optimal else "λ returned", vec(res.lam)),
            "active": ("active rows", ", ".join(map(str, active)) or "—"),
            "kkt_max": ("largest KKT residual", float(res.kkt.max()) if self.optimal else "—"),
            "c": ("c = (cos θ, sin θ)", vec(self.lp["c"])),
        }
        if self.probe is not None:
            self.stats["lagrangian"] = ("L(w, λ*) at the tapped point", float(self.probe[3]))
        self._numbers.object = stats_html(self.stats)

    def _show_tables(self) -> None:
        lp, res = self.lp, self.result
        slack, active = self.slack(), self.active()
        rows = []
        for i, (row, a, beta) in enumerate(zip(lp["spec"]["rows"], lp["A"], lp["b"])):
            written = row_text(row[0], row[1], row[2] + (self.shift if i == lp["spec"]["moved"]
                                                          else 0.0))
            std = row_text(a, "<=", beta + 0.0)
            lam = res.lam[i] if res.status in ("optimal", "infeasible") else np.nan
            prod = lam * slack[i] if self.optimal else np.nan
            color = ROW_COLORS[i % len(ROW_COLORS)]
            rows.append(
                f"<tr><td style='color:{color}'><b>{i + 1}</b></td><td>{html.escape(written)}"
                f"</td><td>{html.escape(std)}{' (flipped)' if lp['flipped'][i] else ''}</td>"
                f"<td>{fmt(slack[i])}</td><td data-stat='lam_{i + 1}'>{fmt(lam)}</td>"
                f"<td>{fmt(prod)}</td><td>{'active' if active[i] else ''}</td></tr>")
        self._rows_table.object = (
            "<table class='demo-stats'><tr><th>i</th><th>as written</th><th>standard form "
            "aᵢᵀw ≤ bᵢ</th><th>slack bᵢ − aᵢᵀw*</th><th>λᵢ</th><th>λᵢ · slack</th><th></th>"
            "</tr>" + "".join(rows) + "</table>")
        if not self.optimal:
            self._kkt_table.object = (
                f"<p>No optimum (status <b>{res.status}</b>), so there is no KKT point: "
                f"{html.escape(res.message)}.</p>")
            return
        k = res.kkt
        items = [("stationarity", "‖c + Aᵀλ‖", k.stationarity),
                 ("primal feasibility", "‖max(Aw − b, 0)‖", k.primal_feasibility),
                 ("dual feasibility", "‖min(λ, 0)‖", k.dual_feasibility),
                 ("complementary slackness", "|λᵀ(b − Aw)|", k.complementary_slackness),
                 ("duality gap", "|cᵀw + bᵀλ|", k.duality_gap)]
        self._kkt_table.object = (
            "<table class='demo-stats'><tr><th>condition</th><th>residual</th><th>value</th>"
            "</tr>" + "".join(
                f"<tr><td>{name}</td><td>{expr}</td><td data-stat='kkt_{name.split()[0]}'>"
                f"{v:.2e}</td></tr>" for name, expr, v in items) + "</table>")

    def _lagrangian_text(self) -> tuple[str, str]:
        """(c + A^T lam)^T w - b^T lam with the numbers: the two slope components and -b^T lam."""
        lp = self.lp
        A, b, c = lp["A"], lp["b"], lp["c"]

        def combo(coefs, const=None):
            parts = [] if const is None else [fmt(const)]
            for i, v in enumerate(coefs):
                if v != 0:
                    name = f"λ{str(i + 1).translate(SUB)}"
                    mag = "" if abs(v) == 1 else f"{fmt(abs(v))}"
                    parts.append(("− " if v < 0 else "+ ") + mag + name)
            text = " ".join(parts) if parts else "0"
            return text.removeprefix("+ ")

        slopes = [combo(A[:, k], c[k]) for k in range(2)]
        return slopes, combo(-b)

    def _show_recipe(self) -> None:
        lp = self.lp
        n_flip = int(lp["flipped"].sum())
        std = "<br>".join(
            f"({i + 1}) {html.escape(row_text(a, '<=', beta + 0.0))}"
            f"{'  ← flipped from ' + html.escape(row_text(r[0], r[1], r[2])) if f else ''}"
            for i, (a, beta, f, r) in enumerate(zip(lp["A"], lp["b"], lp["flipped"],
                                                     lp["spec"]["rows"])))
        slopes, intercept = self._lagrangian_text()
        c = lp["c"]
        dual = self.dual
        if dual.status == "optimal":
            dual_line = (f"Solved (lp_dual → linprog): λ̂ = {vec(dual.x)}, d* = −bᵀλ̂ = "
                         f"<b>{fmt(self.dual_value())}</b>")
            if self.optimal:
                dual_line += (f" = p* = {fmt(self.result.fun)}: <b>strong duality</b> (the gap "
                              f"is {abs(self.result.fun - self.dual_value()):.1e}).")
        elif dual.status == "infeasible":
            dual_line = ("The dual program is <b>infeasible</b>: no λ ≥ 0 has Aᵀλ = −c, i.e. −c "
                         "is outside the cone of the rows' normals aᵢ, so g(λ) = −∞ for every "
                         "λ ≥ 0 — and the primal is unbounded (or infeasible).")
        else:
            dual_line = (f"The dual program is <b>{dual.status}</b>: −bᵀλ grows without bound "
                         "along the Farkas certificate, so the primal must be infeasible "
                         "(weak duality: every primal point would cap it).")
        self._recipe.object = (
            "<p><b>1. Standard form</b> (every row as aᵢᵀw ≤ bᵢ; "
            f"{n_flip} ≥ row{'s' if n_flip != 1 else ''} multiplied by −1; no equalities here — "
            "an equality aᵀw = b would be kept apart as A<sub>eq</sub>w = b<sub>eq</sub> with a "
            f"free multiplier ν):<br><code>{std}</code><br>and c = {vec(c)}.</p>"
            "<p><b>2. Multipliers</b> λ<sub>i</sub> ≥ 0, one per row; w is free (W = ℝ²).</p>"
            "<p><b>3. Lagrangian</b> L(w, λ) = cᵀw + λᵀ(Aw − b) = "
            f"<code>({html.escape(slopes[0])}) w₁ + ({html.escape(slopes[1])}) w₂ "
            f"+ ({html.escape(intercept)})</code></p>"
            "<p><b>4. Minimise over w:</b> L is linear in w, so g(λ) = "
            f"<code>{html.escape(intercept)}</code> if both brackets are 0 "
            "(Aᵀλ + c = 0), else −∞.</p>"
            "<p><b>5. Dual program:</b> max<sub>λ≥0</sub> "
            f"<code>{html.escape(intercept)}</code> s.t. "
            f"<code>{html.escape(slopes[0])} = 0</code> and "
            f"<code>{html.escape(slopes[1])} = 0</code>. {dual_line}</p>")

    def _show_answers(self) -> None:
        lp = self.lp
        spec = lp["spec"]
        n_flip = int(lp["flipped"].sum())
        before = (f"<p><b>What to do before computing the Lagrangian?</b> Bring the program "
                  f"into standard form: all rows aᵢᵀw ≤ bᵢ (here {n_flip} ≥ row"
                  f"{'s' if n_flip != 1 else ''} flipped by −1, see step 1), equalities kept "
                  "apart, and decide which constraints get multipliers (all rows here; none "
                  "is left in W = ℝ²). Only then is λ ≥ 0 the right sign.</p>")
        how = ("<p><b>How to obtain the dual program?</b> Minimise L(w, λ) over w: a linear "
               "function of w is bounded below only if its slope c + Aᵀλ is 0, which gives "
               "g(λ) = −bᵀλ on {Aᵀλ + c = 0} and −∞ elsewhere; then maximise g over λ ≥ 0 "
               "(steps 4–5 above, with this LP's numbers).</p>")
        self._answers.object = before + how + self._why_text(spec)

    def _why_text(self, spec) -> str:
        res = self.result
        head = "<p><b>Why duality?</b> "
        if res.status == "infeasible":
            lam = res.lam
            return head + (
                f"A certificate: λ = {vec(lam)} ≥ 0 has Aᵀλ = {vec(self.lp['A'].T @ lam)} ≈ 0 "
                f"and bᵀλ = {fmt(self.lp['b'] @ lam)} < 0. Adding the rows with these weights "
                "gives 0 = λᵀAw ≤ λᵀb < 0 for every feasible w — impossible, so no w exists "
                "(Farkas). The dual program is unbounded: it proves infeasibility without "
                "searching the plane. (Raise Δb to 1 or more and the LP becomes feasible.)</p>")
        if res.status == "unbounded":
            d = res.x
            return head + (
                f"The dual is infeasible: no λ ≥ 0 balances −c, and the primal has a ray "
                f"d = {vec(d)} with Ad = {vec(self.lp['A'] @ d)} ≤ 0 and cᵀd = "
                f"{fmt(self.lp['c'] @ d)} < 0: w + t d stays feasible while cᵀw → −∞. Turn θ "
                "until −c points back into the cone of the normals and an optimum appears.</p>")
        if not self.optimal:
            return head + f"(no optimum: {html.escape(res.message)})</p>"
        lam = res.lam
        moved = spec["moved"]
        sens = ""
        if self.shift != 0 and self.base_fun is not None and np.isfinite(self.base_fun):
            sens = (f" Here Δb = {fmt(self.shift)} changed p* by "
                    f"<span data-stat='delta_p'>{fmt(res.fun - self.base_fun)}</span>; "
                    f"−λ<sub>{moved + 1}</sub>Δb = {fmt(-lam[moved] * self.shift)} (equal while "
                    "the active set stays the same).")
        degenerate = ""
        if int(self.active().sum()) > 2:
            degenerate = (" At this <b>degenerate</b> vertex more than two rows are active, so "
                          "Aᵀλ = −c has many solutions λ ≥ 0 (all with −bᵀλ = p*): the "
                          "interior-point method returns one inside that set, a simplex code "
                          "(HiGHS) a vertex of it.")
        probe = ""
        if self.probe is not None:
            w, cw, pen, total = self.probe
            probe = (f" At the tapped w = {vec(w)}: cᵀw = {fmt(cw)}, λ*ᵀ(Aw − b) = {fmt(pen)}"
                     f"{' ≤ 0 (w is feasible)' if np.all(self.lp['A'] @ w <= self.lp['b']) else ''}"
                     f", so L(w, λ*) = {fmt(total)} = g(λ*) = p*: with λ* the slope c + Aᵀλ* is 0 "
                     "and L is flat.")
        return head + (
            f"① A lower bound: any λ ≥ 0 with Aᵀλ + c = 0 gives −bᵀλ ≤ cᵀw for every feasible w "
            f"(weak duality); the best one, d* = {fmt(self.dual_value())}, equals p* = "
            f"{fmt(res.fun)} (strong duality for LPs), so λ* = {vec(lam)} <b>certifies</b> "
            "that w* is optimal — the gap plot is the solver closing that bound. "
            f"② Sensitivity: λᵢ = −∂p*/∂bᵢ, the price of row i; a row with slack has λᵢ = 0 "
            f"(complementary slackness).{sens}{degenerate} ③ The dual can be the easier "
            f"problem (one variable per constraint; for SVMs it brings kernels).{probe}</p>")
