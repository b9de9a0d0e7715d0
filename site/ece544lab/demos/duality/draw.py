"""The duality demo's figures and how a :class:`~.compute.DualityResult` is written into them:
the feasible polygon with its rows, levels, interior-point path and the stationarity arrows; the
bars of λ and of the slacks; the gap and residuals per iteration. Only plotting geometry here."""
from __future__ import annotations

import numpy as np
from bokeh.events import MouseMove, Tap
from bokeh.models import Arrow, ColumnDataSource, CustomJS, Label, Range1d, VeeHead

from ...views.plotting import PALETTE, clip_line, make_figure
from .compute import DualityResult, Probe
from .geometry import row_color
from .text import fig_title

FRAME = 430                     # polygon plot frame (square, pixels; boxes are square too)
FLOOR = 1e-16                   # the log-scale gap plot shows smaller values at this floor
N_LEVELS = 7                    # level lines c^T w = const (the optimal one in the middle)
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


def _source(name: str, *columns: str) -> ColumnDataSource:
    return ColumnDataSource({col: [] for col in columns}, name=name)


class PolygonView:
    """The plane: feasible set, rows (with their feasible side), levels of c^T w, the path."""

    def __init__(self, on_tap):
        fig = make_figure("", tools="pan,wheel_zoom,reset", sizing_mode="fixed", width=None,
                          height=None, frame_width=FRAME, frame_height=FRAME,
                          x_range=Range1d(-1, 1), y_range=Range1d(-1, 1), name="duality-fig")
        s = self.sources = {key: _source(f"duality-{key}", *cols) for key, cols in {
            "region": ("x", "y"), "rows": ("xs", "ys", "color", "dash", "alpha"),
            "row-labels": ("x", "y", "text", "color"), "sides": ("x0", "y0", "x1", "y1", "color"),
            "levels": ("xs", "ys"), "opt-level": ("xs", "ys"), "path": ("x", "y", "k"),
            "optimum": ("x", "y"), "arrows": ("x0", "y0", "x1", "y1", "color"),
            "probe": ("x", "y"), "vertices": ("x", "y"), "lagrangian": ("a1", "a2", "b", "lam"),
            "objective": ("c1", "c2")}.items()}
        fig.patch("x", "y", source=s["region"], fill_color="#c9d3de", fill_alpha=0.75,
                  line_color="#5b6b7c", line_width=1.5)
        fig.multi_line("xs", "ys", source=s["levels"], color="#8a8a8a", line_width=1,
                       line_alpha=0.7)
        fig.multi_line("xs", "ys", source=s["opt-level"], color="black", line_width=1.5,
                       line_dash="dotdash")
        fig.multi_line("xs", "ys", source=s["rows"], color="color", line_width=2.2,
                       line_dash="dash", line_alpha="alpha")
        fig.add_layout(Arrow(end=VeeHead(size=7, line_color="color", fill_color="color"),
                             source=s["sides"], x_start="x0", y_start="y0", x_end="x1",
                             y_end="y1", line_color="color", line_width=1.5))
        fig.text("x", "y", text="text", source=s["row-labels"], text_color="color",
                 text_font_size="13px", text_font_style="bold", text_align="center",
                 text_baseline="middle")
        fig.scatter("x", "y", source=s["vertices"], size=6, color="#5b6b7c")
        fig.line("x", "y", source=s["path"], color=PATH_COLOR, line_width=2)
        fig.scatter("x", "y", source=s["path"], color=PATH_COLOR, size=6, line_color="black",
                    line_width=0.5)
        fig.add_layout(Arrow(end=VeeHead(size=10, line_color="color", fill_color="color"),
                             source=s["arrows"], x_start="x0", y_start="y0", x_end="x1",
                             y_end="y1", line_color="color", line_width=3))
        fig.scatter("x", "y", source=s["optimum"], marker="star", size=22, color=STAR_COLOR,
                    line_color="black")
        fig.scatter("x", "y", source=s["probe"], marker="cross", size=14, color="black",
                    line_width=2)
        fig.xaxis.axis_label, fig.yaxis.axis_label = "w₁", "w₂"
        # hovering shows L(w, lam*) at once, in the page (no Python round trip)
        self.hover_label = Label(x=6, y=6, x_units="screen", y_units="screen", text="",
                                 text_font_size="11px", background_fill_color="white",
                                 background_fill_alpha=0.85, name="duality-hover-label")
        fig.add_layout(self.hover_label)
        js = CustomJS(args=dict(src=s["lagrangian"], obj=s["objective"],
                                label=self.hover_label), code=LAGRANGIAN_JS)
        fig.js_on_event(MouseMove, js)
        fig.js_on_event(Tap, js)
        fig.on_event(Tap, on_tap)
        self.fig = fig

    def draw(self, r: DualityResult) -> None:
        s = self.sources
        (x0, x1), (y0, y1) = r.spec["box"]
        self.fig.x_range.update(start=x0, end=x1)
        self.fig.y_range.update(start=y0, end=y1)
        s["region"].data = dict(x=r.region[:, 0], y=r.region[:, 1])
        s["vertices"].data = dict(x=r.vertices[:, 0], y=r.vertices[:, 1])
        self._draw_rows(r)
        self._draw_levels(r)
        path = r.primal.history["x"]
        keep = np.all(np.isfinite(path), axis=1)
        s["path"].data = dict(x=path[keep, 0], y=path[keep, 1], k=np.arange(len(path))[keep])
        self._draw_arrows(r)
        s["lagrangian"].data = dict(a1=r.A[:, 0], a2=r.A[:, 1], b=r.b, lam=r.lam)
        s["objective"].data = dict(c1=[r.c[0]], c2=[r.c[1]])
        self.hover_label.text = ""
        self.fig.title.text = fig_title(r)

    def draw_probe(self, probe: Probe | None) -> None:
        self.sources["probe"].data = (dict(x=[probe.w[0]], y=[probe.w[1]]) if probe else
                                      dict(x=[], y=[]))

    def _draw_rows(self, r: DualityResult) -> None:
        box, moved = r.spec["box"], r.spec["moved"]
        rows = dict(xs=[], ys=[], color=[], dash=[], alpha=[])
        labels = dict(x=[], y=[], text=[], color=[])
        sides = dict(x0=[], y0=[], x1=[], y1=[], color=[])
        size = box[0][1] - box[0][0]
        for i, (a, beta) in enumerate(zip(r.A, r.b)):
            seg = clip_line(a, beta, box)
            if seg is None:
                continue
            color = row_color(i)
            for key, value in zip(rows, ([seg[0][0], seg[1][0]], [seg[0][1], seg[1][1]], color,
                                         "dashed" if i == moved else "solid", 1.0)):
                rows[key].append(value)
            inward = -a / np.linalg.norm(a)                        # to the feasible side
            for t in (0.3, 0.7):
                p = seg[0] + t * (seg[1] - seg[0])
                q = p + 0.05 * size * inward
                for key, value in zip(sides, (p[0], p[1], q[0], q[1], color)):
                    sides[key].append(value)
            lab = (seg[0] + seg[1]) / 2 - 0.045 * size * inward
            for key, value in zip(labels, (lab[0], lab[1], str(i + 1), color)):
                labels[key].append(value)
        self.sources["rows"].data = rows
        self.sources["row-labels"].data = labels
        self.sources["sides"].data = sides

    def _draw_levels(self, r: DualityResult) -> None:
        """Lines c^T w = v: through w* (black) and N_LEVELS around it, a box-size step apart."""
        box = r.spec["box"]
        (x0, x1), (y0, y1) = box
        v0 = r.primal.fun if r.optimal else float(r.c @ [(x0 + x1) / 2, (y0 + y1) / 2])
        step = (x1 - x0) / (N_LEVELS + 1)
        segs = [clip_line(r.c, v0 + k * step, box)
                for k in range(-(N_LEVELS // 2) - 2, N_LEVELS // 2 + 3) if k != 0]
        segs = [seg for seg in segs if seg is not None]
        self.sources["levels"].data = dict(xs=[[seg[0][0], seg[1][0]] for seg in segs],
                                           ys=[[seg[0][1], seg[1][1]] for seg in segs])
        opt = clip_line(r.c, v0, box) if r.optimal else None
        self.sources["opt-level"].data = (
            dict(xs=[[opt[0][0], opt[1][0]]], ys=[[opt[0][1], opt[1][1]]]) if opt is not None
            else dict(xs=[], ys=[]))

    def _draw_arrows(self, r: DualityResult) -> None:
        """At w*: -c and lam_i a_i (the stationarity c + A^T lam = 0 as a picture); unbounded:
        the ray d from a feasible vertex."""
        scale = 0.15 * (r.spec["box"][0][1] - r.spec["box"][0][0])  # |c| = 1: 15 % of the box
        arrows = dict(x0=[], y0=[], x1=[], y1=[], color=[])

        def arrow(p, v, col):
            for key, value in zip(arrows, (p[0], p[1], p[0] + scale * v[0], p[1] + scale * v[1],
                                           col)):
                arrows[key].append(value)

        res = r.primal
        if res.status == "optimal":
            self.sources["optimum"].data = dict(x=[res.x[0]], y=[res.x[1]])
            arrow(res.x, -r.c, "black")
            for i in np.flatnonzero(res.lam > 1e-9):
                arrow(res.x, res.lam[i] * r.A[i], row_color(i))
        else:
            self.sources["optimum"].data = dict(x=[], y=[])
            if res.status == "unbounded" and len(r.region):
                start = r.vertices[0] if len(r.vertices) else r.region[0]
                arrow(start, 1.5 * res.x / np.linalg.norm(res.x), "black")
        self.sources["arrows"].data = arrows


class DualBars:
    """Bars of λᵢ and of the slacks bᵢ − aᵢᵀw* (complementary slackness side by side)."""

    def __init__(self):
        def bars(title, name, ylabel):
            f = make_figure(title, tools="", toolbar_location=None, height=165,
                            x_range=Range1d(0.4, 5.6), y_range=Range1d(0, 1), name=name)
            f.xaxis.axis_label, f.yaxis.axis_label = "row i", ylabel
            f.xgrid.grid_line_color = None
            return f

        self.lam_fig = bars("dual variables λᵢ ≥ 0", "duality-lam-fig", "λᵢ")
        self.slack_fig = bars("slacks bᵢ − aᵢᵀw*  (λᵢ · slackᵢ = 0)", "duality-slack-fig",
                              "slack")
        self.source = _source("duality-dual", "i", "lam", "slack", "color", "alpha", "active")
        for f, top in ((self.lam_fig, "lam"), (self.slack_fig, "slack")):
            f.vbar(x="i", top=top, width=0.6, source=self.source, fill_color="color",
                   fill_alpha="alpha", line_color="color")

    def draw(self, r: DualityResult) -> None:
        m = len(r.b)
        res = r.primal
        lam = res.lam if res.status in ("optimal", "infeasible") else np.zeros(m)
        slack = np.nan_to_num(r.slack, nan=0.0)
        active = r.active
        self.source.data = dict(
            i=np.arange(1, m + 1), lam=np.maximum(lam, 0.0), slack=np.maximum(slack, 0.0),
            color=[row_color(i) for i in range(m)],
            alpha=np.where(active | (lam > 1e-9), 0.9, 0.3), active=active)
        for f, top in ((self.lam_fig, lam), (self.slack_fig, slack)):
            f.x_range.update(start=0.4, end=m + 0.6)
            hi = float(np.max(top, initial=0.0))
            f.y_range.update(start=0, end=1.15 * hi if hi > 0 else 1.0)
        self.lam_fig.title.text = ("Farkas certificate λ ≥ 0 (Aᵀλ = 0, bᵀλ < 0)"
                                   if res.status == "infeasible" else
                                   "dual variables λᵢ ≥ 0" if r.optimal else
                                   "no λ: the dual program is infeasible")
        self.slack_fig.title.text = ("slacks bᵢ − aᵢᵀw*  (λᵢ · slackᵢ = 0)" if r.optimal
                                     else "slacks: no w* (no optimum)")


class GapView:
    """The duality gap and the residuals per interior-point iteration (log scale)."""

    def __init__(self):
        gap = make_figure("Interior-point iterations (log scale)", tools="", height=250,
                          toolbar_location=None, y_axis_type="log", x_range=Range1d(0, 10),
                          y_range=Range1d(1e-12, 10), name="duality-gap-fig")
        self.source = _source("duality-gap", "k", "gap", "stationarity", "primal",
                              "complementarity", "tau")
        gap.line("k", "gap", source=self.source, color=PALETTE[5], line_width=2.5,
                 legend_label="gap |cᵀw − (−bᵀλ)|")
        gap.scatter("k", "gap", source=self.source, color=PALETTE[5], size=5)
        gap.line("k", "stationarity", source=self.source, color=PALETTE[0], line_width=1.5,
                 legend_label="‖c + Aᵀλ‖")
        gap.line("k", "primal", source=self.source, color=PALETTE[2], line_width=1.5,
                 line_dash="dashed", legend_label="primal infeas.")
        gap.line("k", "complementarity", source=self.source, color=PALETTE[3],
                 line_width=1.5, line_dash="dotted", legend_label="μ = sᵀλ / m")
        self.tau_line = gap.line("k", "tau", source=self.source, color="#555555",
                                 line_width=1.5, line_dash="dotdash", legend_label="τ")
        gap.legend.orientation = "horizontal"
        gap.legend.nrows = 2
        gap.legend.padding, gap.legend.margin = 2, 0
        gap.legend.label_text_font_size = "11px"
        gap.add_layout(gap.legend[0], "below")
        gap.xaxis.axis_label = "iteration k"
        self.fig = gap

    def draw(self, r: DualityResult) -> None:
        h = r.primal.history

        def floor(v):
            return np.maximum(np.nan_to_num(v, nan=FLOOR, posinf=1e300), FLOOR)

        data = dict(k=h["iteration"], gap=floor(h["gap"]),
                    stationarity=floor(h["dual_residual"]), primal=floor(h["primal_residual"]),
                    complementarity=floor(h["mu"]), tau=floor(h["tau"]))
        self.source.data = data
        self.tau_line.visible = not r.optimal
        vals = np.concatenate([data[key] for key in data if key != "k"])
        hi = min(float(vals.max()) * 5, 1e12)
        lo = max(min(float(vals.min()) / 5, hi / 1e3), FLOOR / 10)
        self.fig.y_range.update(start=lo, end=hi)
        self.fig.x_range.update(start=-0.2, end=max(len(data["k"]) - 1, 1) + 0.2)
        self.fig.title.text = (
            "gap → 0 per interior-point iteration (log scale)" if r.optimal else
            f"{r.primal.status}: the gap does not close; τ → 0 gives the certificate")
