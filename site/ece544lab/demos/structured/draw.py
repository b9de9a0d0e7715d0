"""The structured-prediction demo's figures and panes, and how a result is written into them
(nothing is computed here: every number comes from :mod:`.compute`)."""
from __future__ import annotations

import html

import numpy as np
import panel as pn
from bokeh.models import (ColumnDataSource, FixedTicker, Label, LinearColorMapper, Range1d,
                          Span)

from ...views.plotting import PALETTE, make_figure
from .compute import GUARD, IMAGE_TITLES, ROWS, SEARCH_T_MAX, Image, Search, Sequence

IMAGE_PX = 136            # screen size of each 2-D image
ICM_FIG = (300, 200)      # size of the ICM objective plot
SEARCH_HTML_W = 340       # width of the exhaustive-vs-DP panel (the count plot takes the rest)
CAPTION_H = 48            # height of the captions above the images (up to 3 lines)
BORDER_LEFT = 250         # left border of the sequence and marginal plots (their y labels)
EXH_COLOR, DP_COLOR = PALETTE[5], PALETTE[0]
WRONG_COLOR = "#111111"
TH = "text-align:left;white-space:nowrap"   # row headings of the search panel


def label_palette(K: int) -> list[str]:
    return [PALETTE[k % len(PALETTE)] for k in range(K)]


class SequenceView:
    """The four label rows of the sequence (with the searched span) and the marginals."""

    def __init__(self, T: int, K: int):
        x_range = Range1d(0, T)
        # no toolbars and equal borders: the two figures' frames line up column by column
        seq = make_figure("", tools="", toolbar_location=None, height=180, min_width=420,
                          x_range=x_range, y_range=Range1d(-0.6, len(ROWS) - 0.4),
                          min_border_left=BORDER_LEFT, min_border_right=20,
                          name="struct-seq-fig")
        self.highlight_source = ColumnDataSource(dict(left=[], right=[]),
                                                 name="struct-search-span")
        seq.quad(left="left", right="right", bottom=-0.55, top=len(ROWS) - 0.45,
                 source=self.highlight_source, fill_color="#999999", fill_alpha=0.15,
                 line_color="#777777", line_dash="dashed")
        self.seq_source = ColumnDataSource(
            dict(x=[], y=[], color=[], label=[], row=[], wrong=[], mark_alpha=[]),
            name="struct-sequences")
        seq.rect(x="x", y="y", width=0.92, height=0.78, source=self.seq_source,
                 fill_color="color", line_color=None)
        seq.scatter(x="x", y="y", source=self.seq_source, size=4, color=WRONG_COLOR,
                    fill_alpha="mark_alpha", line_alpha="mark_alpha")
        seq.yaxis.ticker = FixedTicker(ticks=list(range(len(ROWS))))
        seq.ygrid.visible = seq.xgrid.visible = False
        seq.xaxis.visible = False
        self.seq_fig = seq

        marg = make_figure("", tools="", toolbar_location=None, height=130, min_width=420,
                           x_range=x_range, y_range=Range1d(-0.5, K - 0.5),
                           min_border_left=BORDER_LEFT, min_border_right=20,
                           name="struct-marg-fig")
        self.marg_source = ColumnDataSource(dict(x=[], y=[], p=[], color=[]),
                                            name="struct-marginals")
        marg.rect(x="x", y="y", width=1.0, height=1.0, source=self.marg_source,
                  fill_color="color", fill_alpha="p", line_color=None)
        marg.ygrid.visible = marg.xgrid.visible = False
        marg.xaxis.axis_label = "position t"
        marg.yaxis.axis_label = "marginal p(yₜ = k)"
        self.marg_fig = marg

    def draw(self, seq: Sequence, search_T: int) -> None:
        T, K = seq.unary.shape
        palette = np.array(label_palette(K))
        x = np.arange(T) + 0.5
        clean = seq.labels["clean"]
        rows = [seq.labels[key] for key, _name in ROWS]
        wrong = np.concatenate([lab != clean for lab in rows])
        self.seq_source.data = dict(
            x=np.tile(x, len(ROWS)),
            y=np.repeat(np.arange(len(ROWS) - 1, -1, -1, dtype=float), T),
            color=palette[np.concatenate(rows)], label=np.concatenate(rows),
            row=np.repeat([key for key, _name in ROWS], T), wrong=wrong,
            mark_alpha=wrong.astype(float))
        overrides = {}
        for i, (key, name) in enumerate(ROWS):
            e = seq.errors[key]
            tail = "" if key == "clean" else f": {e} error{'s' if e != 1 else ''}"
            overrides[len(ROWS) - 1 - i] = name + tail
        self.seq_fig.yaxis.major_label_overrides = overrides
        self.seq_fig.x_range.update(start=0, end=T)
        self.highlight_source.data = dict(left=[0.0], right=[float(search_T)])
        # marginals heat map: row k, column t, colour of label k with opacity p(y_t = k)
        tt, kk = np.meshgrid(x, np.arange(K))                          # (K, T)
        self.marg_source.data = dict(x=tt.ravel(), y=kk.ravel().astype(float),
                                     p=seq.marginals.T.ravel(), color=palette[kk.ravel()])
        self.marg_fig.y_range.update(start=-0.5, end=K - 0.5)
        self.marg_fig.yaxis.ticker = FixedTicker(ticks=list(range(K)))
        self.marg_fig.yaxis.major_label_overrides = {k: f"k = {k}" for k in range(K)}


class SearchView:
    """Exhaustive search vs DP: the two labellings with their counts, and the work curves."""

    def __init__(self):
        self.html = pn.pane.HTML("", width=SEARCH_HTML_W, margin=(5, 10))
        counts = make_figure("Work as T grows (log scale)", tools="", toolbar_location=None,
                             y_axis_type="log", height=320, min_width=300, max_width=520,
                             x_range=Range1d(0.5, SEARCH_T_MAX + 1), y_range=Range1d(1, 10),
                             name="struct-counts-fig")
        self.counts_source = ColumnDataSource(dict(T=[], exhaustive=[], dp=[]),
                                              name="struct-counts")
        self.current_source = ColumnDataSource(dict(T=[], value=[], color=[]),
                                               name="struct-counts-current")
        counts.line("T", "exhaustive", source=self.counts_source, color=EXH_COLOR,
                    line_width=2.5, legend_label="exhaustive: Kᵀ")
        counts.line("T", "dp", source=self.counts_source, color=DP_COLOR, line_width=2.5,
                    legend_label="DP: T·K²")
        counts.scatter("T", "value", source=self.current_source, size=12, color="color",
                       line_color="black", line_width=1.5)
        counts.add_layout(Span(location=GUARD, dimension="width", line_color="#777777",
                               line_dash="dashed"))
        counts.add_layout(Label(x=SEARCH_T_MAX, y=GUARD, text=f"guard: {GUARD:,}",
                                text_font_size="11px", text_color="#555555", y_offset=-15,
                                text_align="right"))
        counts.legend.orientation = "horizontal"
        counts.legend.padding, counts.legend.margin = 2, 0
        counts.add_layout(counts.legend[0], "below")          # keep the curves uncovered
        counts.xaxis.axis_label = "T (positions)"
        counts.yaxis.axis_label = "score evaluations"
        self.counts_fig = counts

    def draw(self, s: Search) -> None:
        T, K = s.T, s.K
        Ts = np.arange(1, SEARCH_T_MAX + 1)
        exhaustive = np.array([float(K) ** t for t in Ts])
        self.counts_source.data = dict(T=Ts, exhaustive=exhaustive, dp=(Ts * K * K).astype(float))
        self.counts_fig.y_range.update(start=0.5, end=float(exhaustive[-1]) * 10)
        self.current_source.data = dict(T=[T, T], value=[float(K) ** T, float(T * K * K)],
                                        color=[EXH_COLOR, DP_COLOR])
        self.html.object = search_html(s)


def _cells(labels, palette) -> str:
    return "".join(
        f"<span style='display:inline-block;width:13px;height:18px;margin:0 1px 0 0;"
        f"background:{palette[int(k)]};color:white;font-size:10px;text-align:center;"
        f"line-height:18px'>{int(k)}</span>" for k in labels)


def search_html(s: Search) -> str:
    """The exhaustive-vs-DP panel: both labellings, scores, counts and times, and the verdict."""
    palette = label_palette(s.K)
    dp = s.dp
    ms = lambda sec: f"{1e3 * sec:.3g} ms"                       # noqa: E731
    if s.exhaustive is not None:
        ex = s.exhaustive
        rows = [f"<tr><th style='{TH};color:{EXH_COLOR}'>exhaustive</th>"
                f"<td>{_cells(ex.labels, palette)}</td></tr>"
                f"<tr><td></td><td><small>score <span data-stat='search_exhaustive_score'>"
                f"{ex.score:.6g}</span> · <span data-stat='search_exhaustive_evals'>"
                f"{ex.n_evaluations:,}</span> evaluations · {ms(s.exhaustive_time)}"
                f"</small></td></tr>"]
    else:
        rows = [f"<tr><th style='{TH};color:{EXH_COLOR}'>exhaustive</th>"
                f"<td><span class='struct-too-many' data-stat='search_message' "
                f"style='color:#7f1d1d'>{html.escape(s.message)}</span></td></tr>"]
    rows.append(
        f"<tr><th style='{TH};color:{DP_COLOR}'>DP (Viterbi)</th>"
        f"<td>{_cells(dp.labels, palette)}</td></tr>"
        f"<tr><td></td><td><small>score <span data-stat='search_dp_score'>{dp.score:.6g}"
        f"</span> · <span data-stat='search_dp_evals'>{dp.n_evaluations:,}</span> "
        f"evaluations · {ms(s.dp_time)}</small></td></tr>")
    if s.agree is None:
        verdict = "Exhaustive search was not run; DP still gives the exact optimum."
    elif s.agree:
        verdict = ("<b style='color:#009E73'>Same labelling and same score</b>: DP is exact, "
                   f"with {dp.n_evaluations:,} instead of {s.exhaustive.n_evaluations:,} "
                   "evaluations.")
    else:
        verdict = "<b style='color:#b00020'>The two results differ.</b>"
    return (
        f"<p style='margin:0 0 4px 0'>The first <b>T = {s.T}</b> positions of the sequence "
        f"(shaded above), K = {s.K}: K<sup>T</sup> = {s.n_configurations:,} "
        f"labellings.</p><table style='border-spacing:4px 2px'>{''.join(rows)}</table>"
        f"<p style='margin:4px 0'>{verdict}</p><p style='margin:0'><small>Wall times "
        "are measured on this machine (display only): at small T the vectorised exhaustive "
        "search can even beat DP's loop over positions; it is the counts that explode."
        "</small></p>")


class ImageView:
    """The four 2-D images with their captions, and the ICM score per sweep."""

    def __init__(self, K: int):
        self.color_mapper = LinearColorMapper(palette=label_palette(K), low=-0.5, high=K - 0.5)
        self.sources, self.figs, self.captions = {}, [], {}
        for key in IMAGE_TITLES:
            fig = make_figure("", tools="", toolbar_location=None, sizing_mode="fixed",
                              width=IMAGE_PX, height=IMAGE_PX, min_border=0,
                              x_range=Range1d(0, 1), y_range=Range1d(0, 1),
                              name=f"struct-image-{key}-fig")
            self.captions[key] = pn.pane.HTML("", width=IMAGE_PX + 4, height=CAPTION_H,
                                              margin=0, styles={"font-size": "0.85em"})
            fig.axis.visible = False
            fig.grid.visible = False
            source = ColumnDataSource(dict(image=[], x=[], y=[], dw=[], dh=[]),
                                      name=f"struct-image-{key}")
            fig.image(image="image", x="x", y="y", dw="dw", dh="dh", source=source,
                      color_mapper=self.color_mapper)
            self.sources[key] = source
            self.figs.append(fig)
        icm = make_figure("", tools="", toolbar_location=None, sizing_mode="fixed",
                          width=ICM_FIG[0], height=ICM_FIG[1], min_border_top=4,
                          name="struct-icm-fig")
        self.icm_objective_source = ColumnDataSource(dict(sweep=[], objective=[]),
                                                     name="struct-icm-objective")
        self.rows_objective_source = ColumnDataSource(dict(sweep=[], objective=[]),
                                                      name="struct-rows-objective")
        icm.line("sweep", "objective", source=self.icm_objective_source, color=PALETTE[2],
                 line_width=2, legend_label="ICM")
        icm.scatter("sweep", "objective", source=self.icm_objective_source, color=PALETTE[2],
                    size=5)
        icm.line("sweep", "objective", source=self.rows_objective_source, color=DP_COLOR,
                 line_dash="dashed", line_width=1.5, legend_label="row-by-row DP")
        icm.legend.location = "bottom_right"
        icm.legend.background_fill_alpha = 0.8
        icm.legend.padding, icm.legend.margin, icm.legend.spacing = 2, 4, 0
        icm.legend.label_text_font_size = "11px"
        icm.xaxis.axis_label = "sweep"
        icm.yaxis.axis_label = "2-D score"
        self.icm_fig = icm
        self.text = pn.pane.HTML("", sizing_mode="stretch_width", min_width=200,
                                 margin=(20, 10, 0, 10), styles={"flex": "1 1 300px"})

    def draw(self, im: Image, K: int) -> None:
        n = im.images["clean"].shape[0]
        self.color_mapper.update(palette=label_palette(K), high=K - 0.5)
        for key, source in self.sources.items():
            # Bokeh draws image row 0 at the bottom: flip so the picture is upright
            source.data = dict(image=[np.ascontiguousarray(im.images[key][::-1])],
                               x=[0.0], y=[0.0], dw=[float(n)], dh=[float(n)])
        for fig in self.figs:
            fig.x_range.update(start=0, end=n)
            fig.y_range.update(start=0, end=n)
        obj = im.icm_objective
        self.icm_objective_source.data = dict(sweep=np.arange(len(obj)), objective=obj)
        self.rows_objective_source.data = dict(sweep=[0, max(len(obj) - 1, 1)],
                                               objective=[im.rows_objective] * 2)
        e = im.errors
        for key, title in IMAGE_TITLES.items():
            tail = "" if key == "clean" else (
                f"<br><span data-stat='image_wrong_{key}'>{e[key]}</span> wrong pixels")
            self.captions[key].object = f"<b>{html.escape(title)}</b>{tail}"
        self.text.object = (
            f"<p><small>Wrong pixels (of {n * n}): noisy <b>{e['noisy']}</b>, row-by-row DP "
            f"<b>{e['rows']}</b>, ICM <b>{e['icm']}</b>.</small></p><p><small>"
            "<b>Row-by-row DP</b> solves each row exactly but ignores the vertical neighbours. "
            "<b>ICM</b> (iterated conditional modes) sets each pixel to its best label given its "
            "4 neighbours, sweep after sweep, until nothing changes: the 2-D score "
            "E(y) = Σ θ(yₚ) + λ·#{equal neighbour pairs} never decreases, but it stops at a "
            "local optimum, not necessarily the best labelling (the grid has cycles, so the "
            "chain's exact DP does not apply).</small></p><p><small>Left: E after each ICM "
            "sweep (sweep 0 = the noisy image); dashed: E of the row-by-row DP labelling."
            "</small></p>")
