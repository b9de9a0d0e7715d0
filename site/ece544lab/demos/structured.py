"""Structured prediction: denoising a label sequence with a chain model, exhaustive search vs
dynamic programming, sum-product marginals, and a 2-D image (row-by-row DP vs ICM).

Course notes (Structured Prediction: exhaustive search, dynamic programming): structure and
correlations are useful; predictions from neighbouring pixels are useful. The chain score
score(y) = sum_t theta_t(y_t) + sum_t theta_{t,t+1}(y_t, y_{t+1}) is maximised exactly by
dynamic programming (Viterbi) in T K^2 work instead of the K^T of exhaustive search.
"""
from __future__ import annotations

import html
import time

import numpy as np
import panel as pn
import param
from bokeh.models import (ColumnDataSource, FixedTicker, Label, LinearColorMapper, Range1d,
                          Span)

from ece544core import structured

from ..views.common import Demo, guarded, heading, stats_html
from ..views.plotting import PALETTE, make_figure

#: Largest T of the search comparison (and of its work-count plot).
SEARCH_T_MAX = 30
#: The core's refusal limit for exhaustive search (its default ``max_configurations``).
GUARD = int(structured.MAX_CONFIGURATIONS)
#: Rows of the sequence plot, top to bottom: (key, label).
ROWS = [("clean", "clean truth y"), ("noisy", "noisy observation ỹ"),
        ("argmax", "per-position argmax (no pairwise)"), ("dp", "DP / Viterbi (with Potts)")]
ICM_MAX_ITER = 20         # ICM sweeps at most (it usually converges in fewer)
IMAGE_PX = 136            # screen size of each 2-D image
ICM_FIG = (300, 200)      # size of the ICM objective plot
SEARCH_HTML_W = 340       # width of the exhaustive-vs-DP panel (the count plot takes the rest)
CAPTION_H = 48            # height of the captions above the images (up to 3 lines)
BORDER_LEFT = 250         # left border of the sequence and marginal plots (their y labels)
EXH_COLOR, DP_COLOR = PALETTE[5], PALETTE[0]
#: The 2-D images, left to right: key -> caption heading.
IMAGE_TITLES = {"clean": "clean", "noisy": "noisy observation",
                "rows": "row-by-row DP (exact per row, columns ignored)",
                "icm": "approximate (ICM, local optimum)"}
WRONG_COLOR = "#111111"
TH = "text-align:left;white-space:nowrap"   # row headings of the search panel


def label_palette(K: int) -> list[str]:
    return [PALETTE[k % len(PALETTE)] for k in range(K)]


def timed(fn, *args, budget: float = 0.02, repeats: int = 5, **kwargs):
    """``(fn(*args, **kwargs), seconds)``: the best of up to ``repeats`` runs, repeated only while
    the total stays under ``budget`` seconds (one slow run of a fast function, e.g. a garbage
    collection, would otherwise show DP slower than exhaustive search). Display only."""
    best = float("inf")
    total = 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        elapsed = time.perf_counter() - t0
        best, total = min(best, elapsed), total + elapsed
        if total > budget:
            break
    return result, best


def make_image(size: int, shape: str, K: int) -> np.ndarray:
    """A clean (size, size) label image drawn with numpy; row 0 is the top row.

    'disk': a disk of label 1 on background 0; 'letter': the letter E; 'shapes': a disk (1), the
    letter E (2) and a square (3), labels capped at K - 1.
    """
    n = int(size)
    yy, xx = (np.mgrid[0:n, 0:n] + 0.5) / n                 # (n, n) each, in [0, 1]
    img = np.zeros((n, n), dtype=int)

    def letter_e(x0, x1, y0, y1):
        w, h = x1 - x0, y1 - y0
        inside = (xx >= x0) & (xx < x1) & (yy >= y0) & (yy < y1)
        stem = xx < x0 + 0.3 * w
        bars = ((yy < y0 + 0.22 * h) | (yy >= y1 - 0.22 * h)
                | ((yy >= y0 + 0.39 * h) & (yy < y0 + 0.61 * h) & (xx < x1 - 0.15 * w)))
        return inside & (stem | bars)

    if shape == "disk":
        img[(xx - 0.5) ** 2 + (yy - 0.5) ** 2 < 0.32 ** 2] = 1
    elif shape == "letter":
        img[letter_e(0.22, 0.8, 0.12, 0.88)] = 1
    else:
        img[(xx - 0.33) ** 2 + (yy - 0.33) ** 2 < 0.24 ** 2] = 1
        img[letter_e(0.55, 0.92, 0.45, 0.92)] = min(2, K - 1)
        img[(xx >= 0.1) & (xx < 0.35) & (yy >= 0.7) & (yy < 0.92)] = min(3, K - 1)
    return img


class StructuredDemo(Demo):
    """Chain denoising (argmax vs Viterbi), marginals, exhaustive vs DP, a 2-D image (rows/ICM)."""

    slug = "structured"
    title = "Structured prediction"
    formula = (
        r"$$\text{score}(\mathbf{y}) = \sum_{t=1}^{T} \theta_t(y_t) + \sum_{t=1}^{T-1} "
        r"\theta_{t,t+1}(y_t, y_{t+1}), \qquad \mathbf{y}^* = \arg\max_{\mathbf{y} \in "
        r"\{0, \dots, K-1\}^T} \text{score}(\mathbf{y})$$"
        r"$$\text{Viterbi: } m_1(y_1) = \theta_1(y_1),\quad m_{t+1}(y_{t+1}) = "
        r"\theta_{t+1}(y_{t+1}) + \max_{y_t} \big[m_t(y_t) + \theta_{t,t+1}(y_t, y_{t+1})\big],"
        r"\quad \max_{\mathbf{y}} \text{score}(\mathbf{y}) = \max_{y_T} m_T(y_T)$$"
        r"$$\text{work: } K^T \text{ (exhaustive) vs } T K^2 \text{ (DP)} \qquad "
        r"\theta_t(k) = \log p(\tilde y_t \mid y_t = k),\;\; \theta_{t,t+1}(k, l) = "
        r"\lambda\,[k = l] \text{ (Potts)} \qquad p(\mathbf{y}) \propto "
        r"e^{\text{score}(\mathbf{y})}$$"
    )
    what_to_try = (
        "Raise the smoothness λ from 0: the DP row loses the isolated flips (neighbouring pixels "
        "help), then, when λ is too large, whole short segments vanish (over-smoothing); raise "
        "the search length T past the guard to see K^T explode while T·K² stays tiny; compare "
        "the exact row-by-row DP with the approximate ICM on the image."
    )
    url_params = ("T", "n_labels", "flip_prob", "segment_length", "seed", "smoothness",
                  "search_T", "image_size", "image_shape")

    T = param.Integer(default=60, bounds=(2, 400), label="sequence length T",
                      doc="Number of positions of the noisy label sequence.")
    n_labels = param.Integer(default=3, bounds=(2, 6), label="labels K",
                             doc="Number of labels K (sequence and image).")
    flip_prob = param.Number(default=0.25, bounds=(0.01, 0.45), step=0.01,
                             label="flip probability",
                             doc="Probability that a position (pixel) is replaced by one of the "
                                 "other K - 1 labels; the unaries use the same value.")
    segment_length = param.Integer(default=8, bounds=(1, 100), label="segment length",
                                   doc="Length of the constant segments of the clean sequence.")
    seed = param.Integer(default=5, bounds=(0, 9999), doc="Random seed of sequence and image.")
    smoothness = param.Number(default=2.0, bounds=(0.0, 10.0), step=0.1, label="smoothness λ",
                              doc="Potts reward for equal neighbours, theta(k, l) = λ [k = l] "
                                  "(0: no pairwise term, DP = per-position argmax).")
    search_T = param.Integer(default=8, bounds=(1, SEARCH_T_MAX), label="search length T",
                             doc="Exhaustive search vs DP on the first T positions of the "
                                 "sequence (exhaustive is refused when K^T > "
                                 f"{GUARD:,}).")
    image_size = param.Integer(default=32, bounds=(8, 64), label="image size",
                               doc="Side of the square 2-D image in pixels.")
    image_shape = param.Selector(default="shapes", objects=["shapes", "disk", "letter"],
                                 label="image", doc="What the clean 2-D image shows.")

    _SEQUENCE = ("T", "n_labels", "flip_prob", "segment_length", "seed", "smoothness")
    _IMAGE = ("n_labels", "flip_prob", "seed", "smoothness", "image_size", "image_shape")

    def __init__(self, **params):
        super().__init__(**params)
        self.sequence: dict = {}
        self.search: dict = {}
        self.image: dict = {}
        self.stats: dict = {}
        self._stale: set[str] | None = None     # parameters changed since the last good update
        self._build_figures()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._search_html = pn.pane.HTML("", width=SEARCH_HTML_W, margin=(5, 10))
        self._image_text = pn.pane.HTML("", sizing_mode="stretch_width", min_width=200,
                                         margin=(20, 10, 0, 10))
        self._layout = self.page(self._controls(), self._main(), self._numbers)
        self.param.watch(self._on_change, list(self.url_params))
        self.recompute()

    # ------------------------------------------------------------------ widgets / layout
    def _controls(self) -> list:
        return [
            heading("Noisy label sequence"),
            self.param_controls(["T", "n_labels", "flip_prob", "segment_length", "seed"]),
            heading("Chain model"),
            self.param_controls(["smoothness"]),
            heading("Exhaustive search vs DP"),
            self.param_controls(["search_T"]),
            heading("2-D image"),
            self.param_controls(["image_size", "image_shape"]),
        ]

    def _main(self) -> pn.Column:
        def section(text):
            return pn.pane.HTML(f"<h3 style='margin:6px 0 0 0'>{text}</h3>", margin=(10, 10, 0, 10),
                                sizing_mode="stretch_width")

        legend = pn.pane.HTML(
            "<small>Cells coloured by label; <b>black dot</b> = differs from the clean truth. "
            "Without a pairwise term the best label at each position is the observation itself, "
            "so the argmax row repeats the noisy one. Shaded box: the positions used by the "
            "search comparison below.</small>", sizing_mode="stretch_width", margin=(0, 10))
        # Sized for a 1200 px window (about 680 px beside the navigation and the controls).
        images = pn.Row(*(pn.Column(self.image_captions[key],
                                    pn.pane.Bokeh(fig, margin=0, width=IMAGE_PX, height=IMAGE_PX),
                                    margin=(0, 5))
                          for key, fig in zip(IMAGE_TITLES, self.image_figs)))
        icm = pn.Column(pn.pane.HTML("<b>2-D score per ICM sweep</b>", margin=(0, 0, 2, 0),
                                     styles={"font-size": "0.85em"}),
                        pn.pane.Bokeh(self.icm_fig, margin=0, width=ICM_FIG[0],
                                      height=ICM_FIG[1]), margin=(5, 5))
        return pn.Column(
            section("Denoising a label sequence"),
            pn.pane.Bokeh(self.seq_fig, sizing_mode="stretch_width"),
            pn.pane.Bokeh(self.marg_fig, sizing_mode="stretch_width"),
            legend,
            section("Exhaustive search vs dynamic programming"),
            pn.Row(self._search_html,
                   pn.pane.Bokeh(self.counts_fig, sizing_mode="stretch_width"),
                   sizing_mode="stretch_width"),
            section("2-D image: neighbouring pixels help"),
            images,
            pn.Row(icm, self._image_text, sizing_mode="stretch_width"),
            sizing_mode="stretch_width", min_width=600,
        )

    # ------------------------------------------------------------------ figures
    def _build_figures(self) -> None:
        x_range = Range1d(0, self.T)
        # no toolbars and equal borders: the two figures' frames line up column by column
        seq = make_figure("", tools="", toolbar_location=None, height=180, min_width=500,
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

        marg = make_figure("", tools="", toolbar_location=None, height=130, min_width=500,
                           x_range=x_range, y_range=Range1d(-0.5, self.n_labels - 0.5),
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

        counts = make_figure("Work as T grows (log scale)", tools="", toolbar_location=None,
                             y_axis_type="log", height=320, min_width=300, max_width=700,
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

        self.color_mapper = LinearColorMapper(palette=label_palette(self.n_labels), low=-0.5,
                                              high=self.n_labels - 0.5)
        self.image_sources = {}
        self.image_figs = []
        self.image_captions = {}
        for key in IMAGE_TITLES:
            fig = make_figure("", tools="", toolbar_location=None, sizing_mode="fixed",
                              width=IMAGE_PX, height=IMAGE_PX, min_border=0,
                              x_range=Range1d(0, 1), y_range=Range1d(0, 1),
                              name=f"struct-image-{key}-fig")
            self.image_captions[key] = pn.pane.HTML("", width=IMAGE_PX + 4, height=CAPTION_H,
                                                    margin=0, styles={"font-size": "0.85em"})
            fig.axis.visible = False
            fig.grid.visible = False
            source = ColumnDataSource(dict(image=[], x=[], y=[], dw=[], dh=[]),
                                      name=f"struct-image-{key}")
            fig.image(image="image", x="x", y="y", dw="dw", dh="dh", source=source,
                      color_mapper=self.color_mapper)
            self.image_sources[key] = source
            self.image_figs.append(fig)

        icm = make_figure("", tools="", toolbar_location=None,
                          sizing_mode="fixed", width=ICM_FIG[0], height=ICM_FIG[1],
                          min_border_top=4, name="struct-icm-fig")
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

    # ------------------------------------------------------------------ updates
    def _on_change(self, *events) -> None:
        self.recompute({e.name for e in events})

    @guarded
    def recompute(self, names: set[str] | None = None) -> None:
        """Recompute what the changed parameters ``names`` affect (all when None); everything
        is computed before anything is drawn, so on an error the plots keep their last state
        (and the changes stay pending until an update succeeds)."""
        if names is None or self._stale is None:
            self._stale = None
        else:
            self._stale |= set(names)
        every = self._stale is None
        names = self._stale or set()
        do_seq = every or bool(names & set(self._SEQUENCE))
        do_search = do_seq or "search_T" in names
        do_image = every or bool(names & set(self._IMAGE))
        seq = self._compute_sequence() if do_seq else self.sequence
        search = self._compute_search(seq) if do_search else None
        image = self._compute_image() if do_image else None
        if do_seq:
            self.sequence = seq
            self._draw_sequence()
            self._draw_counts_curves()
        if search is not None:
            self.search = search
            self._draw_search()
        if image is not None:
            self.image = image
            self._draw_image()
        self._show_stats()
        self._stale = set()

    # ------------------------------------------------------------------ sequence
    def _compute_sequence(self) -> dict:
        K, T = self.n_labels, self.T
        clean, noisy = structured.make_noisy_sequence(T, K, self.flip_prob, self.segment_length,
                                                      random_state=self.seed)
        clean, noisy = np.asarray(clean, int), np.asarray(noisy, int)
        unary = np.asarray(structured.denoise_unary(noisy, K, self.flip_prob), float)  # (T, K)
        pairwise = np.asarray(structured.potts_pairwise(K, self.smoothness), float)    # (K, K)
        argmax = np.argmax(unary, axis=1)
        dp = structured.chain_argmax_dp(unary, pairwise)
        marginals, log_z = structured.chain_marginals(unary, pairwise)
        labels = dict(clean=clean, noisy=noisy, argmax=argmax, dp=np.asarray(dp.labels, int))
        errors = {key: int(np.sum(lab != clean)) for key, lab in labels.items()}
        return dict(labels=labels, errors=errors, unary=unary, pairwise=pairwise, dp=dp,
                    marginals=np.asarray(marginals, float),
                    log_partition=float(log_z))

    def _draw_sequence(self) -> None:
        seq = self.sequence
        T, K = self.T, self.n_labels
        palette = np.array(label_palette(K))
        x = np.arange(T) + 0.5
        clean = seq["labels"]["clean"]
        xs, ys, colors, labels, rows, wrong = [], [], [], [], [], []
        for i, (key, _name) in enumerate(ROWS):
            lab = seq["labels"][key]
            xs.append(x)
            ys.append(np.full(T, len(ROWS) - 1 - i, dtype=float))
            colors.append(palette[lab])
            labels.append(lab)
            rows.append(np.full(T, key))
            wrong.append(lab != clean)
        wrong_all = np.concatenate(wrong)
        self.seq_source.data = dict(
            x=np.concatenate(xs), y=np.concatenate(ys), color=np.concatenate(colors),
            label=np.concatenate(labels), row=np.concatenate(rows), wrong=wrong_all,
            mark_alpha=wrong_all.astype(float))
        overrides = {}
        for i, (key, name) in enumerate(ROWS):
            e = seq["errors"][key]
            tail = "" if key == "clean" else f": {e} error{'s' if e != 1 else ''}"
            overrides[len(ROWS) - 1 - i] = name + tail
        self.seq_fig.yaxis.major_label_overrides = overrides
        self.seq_fig.x_range.update(start=0, end=T)
        # marginals heat map: row k, column t, colour of label k with opacity p(y_t = k)
        m = seq["marginals"]                                           # (T, K)
        tt, kk = np.meshgrid(x, np.arange(K))                          # (K, T)
        self.marg_source.data = dict(x=tt.ravel(), y=kk.ravel().astype(float),
                                     p=m.T.ravel(), color=palette[kk.ravel()])
        self.marg_fig.y_range.update(start=-0.5, end=K - 0.5)
        self.marg_fig.yaxis.ticker = FixedTicker(ticks=list(range(K)))
        self.marg_fig.yaxis.major_label_overrides = {k: f"k = {k}" for k in range(K)}
        self.color_mapper.update(palette=list(palette), high=K - 0.5)

    # ------------------------------------------------------------------ search
    def _compute_search(self, seq: dict) -> dict:
        T, K = self.search_T, self.n_labels
        if T > self.T:
            raise ValueError(f"search length T = {T} exceeds the sequence length T = {self.T}; "
                             "lower the search length or lengthen the sequence")
        unary = seq["unary"][:T]
        pairwise = seq["pairwise"]
        dp, dp_time = timed(structured.chain_argmax_dp, unary, pairwise)
        n_configs = K ** T
        exhaustive, exh_time, message = None, None, ""
        if n_configs > GUARD:
            message = (f"too many configurations (K^T = {K}^{T} = {n_configs:,} > "
                       f"{GUARD:,}): exhaustive search not run")
        else:
            try:
                exhaustive, exh_time = timed(structured.chain_argmax_exhaustive, unary,
                                             pairwise, max_configurations=GUARD)
            except ValueError as exc:                     # the core's guard: a teaching point
                message = f"too many configurations (K^T = {n_configs:,}): {exc}"
        agree = None
        if exhaustive is not None:
            agree = bool(np.array_equal(exhaustive.labels, dp.labels)
                         and np.isclose(exhaustive.score, dp.score, rtol=1e-12, atol=1e-9))
        return dict(T=T, K=K, dp=dp, dp_time=dp_time, exhaustive=exhaustive,
                    exhaustive_time=exh_time, message=message, agree=agree,
                    n_configurations=n_configs)

    def _draw_search(self) -> None:
        s = self.search
        T, K = s["T"], s["K"]
        self.highlight_source.data = dict(left=[0.0], right=[float(T)])
        self.current_source.data = dict(T=[T, T], value=[float(K) ** T, float(T * K * K)],
                                        color=[EXH_COLOR, DP_COLOR])
        palette = label_palette(K)

        def cells(labels) -> str:
            return "".join(
                f"<span style='display:inline-block;width:13px;height:18px;margin:0 1px 0 0;"
                f"background:{palette[int(k)]};color:white;font-size:10px;text-align:center;"
                f"line-height:18px'>{int(k)}</span>" for k in labels)

        dp = s["dp"]
        ms = lambda sec: f"{1e3 * sec:.3g} ms"                       # noqa: E731
        rows = []
        if s["exhaustive"] is not None:
            ex = s["exhaustive"]
            rows.append(
                f"<tr><th style='{TH};color:{EXH_COLOR}'>exhaustive</th>"
                f"<td>{cells(ex.labels)}</td></tr>"
                f"<tr><td></td><td><small>score <span data-stat='search_exhaustive_score'>"
                f"{ex.score:.6g}</span> · <span data-stat='search_exhaustive_evals'>"
                f"{ex.n_evaluations:,}</span> evaluations · {ms(s['exhaustive_time'])}"
                f"</small></td></tr>")
        else:
            rows.append(
                f"<tr><th style='{TH};color:{EXH_COLOR}'>exhaustive</th>"
                f"<td><span class='struct-too-many' data-stat='search_message' "
                f"style='color:#7f1d1d'>{html.escape(s['message'])}</span></td></tr>")
        rows.append(
            f"<tr><th style='{TH};color:{DP_COLOR}'>DP (Viterbi)</th>"
            f"<td>{cells(dp.labels)}</td></tr>"
            f"<tr><td></td><td><small>score <span data-stat='search_dp_score'>{dp.score:.6g}"
            f"</span> · <span data-stat='search_dp_evals'>{dp.n_evaluations:,}</span> "
            f"evaluations · {ms(s['dp_time'])}</small></td></tr>")
        if s["agree"] is None:
            verdict = "Exhaustive search was not run; DP still gives the exact optimum."
        elif s["agree"]:
            verdict = ("<b style='color:#009E73'>Same labelling and same score</b>: DP is exact, "
                       f"with {dp.n_evaluations:,} instead of {s['exhaustive'].n_evaluations:,} "
                       "evaluations.")
        else:
            verdict = "<b style='color:#b00020'>The two results differ.</b>"
        self._search_html.object = (
            f"<p style='margin:0 0 4px 0'>The first <b>T = {T}</b> positions of the sequence "
            f"(shaded above), K = {K}: K<sup>T</sup> = {s['n_configurations']:,} "
            f"labellings.</p><table style='border-spacing:4px 2px'>{''.join(rows)}</table>"
            f"<p style='margin:4px 0'>{verdict}</p><p style='margin:0'><small>Wall times "
            "are measured on this machine (display only): at small T the vectorised exhaustive "
            "search can even beat DP's loop over positions; it is the counts that explode."
            "</small></p>")

    def _draw_counts_curves(self) -> None:
        K = self.n_labels
        Ts = np.arange(1, SEARCH_T_MAX + 1)
        exhaustive = np.array([float(K) ** t for t in Ts])
        self.counts_source.data = dict(T=Ts, exhaustive=exhaustive, dp=(Ts * K * K).astype(float))
        self.counts_fig.y_range.update(start=0.5, end=float(exhaustive[-1]) * 10)

    # ------------------------------------------------------------------ image
    def _compute_image(self) -> dict:
        K = self.n_labels
        clean = make_image(self.image_size, self.image_shape, K)
        noisy = structured.flip_labels(clean, K, self.flip_prob, random_state=self.seed + 1)
        rows = np.asarray(structured.denoise_image_rows(noisy, K, self.flip_prob,
                                                        self.smoothness), int)
        icm = structured.denoise_image_icm(noisy, K, self.flip_prob, self.smoothness,
                                           max_iter=ICM_MAX_ITER)
        images = dict(clean=clean, noisy=noisy, rows=rows, icm=np.asarray(icm.labels, int))
        errors = {key: int(np.sum(img != clean)) for key, img in images.items()}
        unary = structured.denoise_unary(noisy, K, self.flip_prob)             # (H, W, K)
        rows_objective = structured.potts_grid_score(rows, unary, self.smoothness)
        return dict(images=images, errors=errors, icm=icm,
                    icm_objective=np.asarray(icm.objective, float),
                    rows_objective=float(rows_objective))

    def _draw_image(self) -> None:
        im = self.image
        n = self.image_size
        for key, source in self.image_sources.items():
            # Bokeh draws image row 0 at the bottom: flip so the picture is upright
            source.data = dict(image=[np.ascontiguousarray(im["images"][key][::-1])],
                               x=[0.0], y=[0.0], dw=[float(n)], dh=[float(n)])
        for fig in self.image_figs:
            fig.x_range.update(start=0, end=n)
            fig.y_range.update(start=0, end=n)
        obj = im["icm_objective"]
        sweeps = np.arange(len(obj))
        self.icm_objective_source.data = dict(sweep=sweeps, objective=obj)
        self.rows_objective_source.data = dict(sweep=[0, max(len(obj) - 1, 1)],
                                               objective=[im["rows_objective"]] * 2)
        e = im["errors"]
        for key, title in IMAGE_TITLES.items():
            tail = "" if key == "clean" else (
                f"<br><span data-stat='image_wrong_{key}'>{e[key]}</span> wrong pixels")
            self.image_captions[key].object = f"<b>{html.escape(title)}</b>{tail}"
        self._image_text.object = (
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

    # ------------------------------------------------------------------ numbers
    def _show_stats(self) -> None:
        seq, s, im = self.sequence, self.search, self.image
        e = seq["errors"]
        ex = s.get("exhaustive")
        ms = lambda sec: "—" if sec is None else float(1e3 * sec)   # noqa: E731
        self.stats = {
            "errors_noisy": ("errors: noisy observation", e["noisy"]),
            "errors_argmax": ("errors: per-position argmax", e["argmax"]),
            "errors_dp": ("errors: DP (Viterbi)", e["dp"]),
            "dp_score": ("DP score max score(y)", float(seq["dp"].score)),
            "log_partition": ("log Z (sum-product)", float(seq["log_partition"])),
            "search_T": ("search: T", s["T"]),
            "search_configurations": ("search: K^T labellings", s["n_configurations"]),
            "exhaustive_evals": ("exhaustive: score evaluations",
                                 ex.n_evaluations if ex is not None else "not run"),
            "dp_evals": ("DP: score evaluations", int(s["dp"].n_evaluations)),
            "agree": ("exhaustive = DP (labels and score)",
                      "—" if s["agree"] is None else bool(s["agree"])),
            "exhaustive_ms": ("exhaustive wall time (ms)", ms(s["exhaustive_time"])),
            "dp_ms": ("DP wall time (ms)", ms(s["dp_time"])),
            "image_errors_noisy": ("image errors: noisy", im["errors"]["noisy"]),
            "image_errors_rows": ("image errors: row-by-row DP", im["errors"]["rows"]),
            "image_errors_icm": ("image errors: ICM (approximate)", im["errors"]["icm"]),
            "icm_sweeps": ("ICM sweeps", int(im["icm"].n_iter)),
            "icm_converged": ("ICM converged (a sweep changed nothing)", bool(im["icm"].converged)),
            "icm_objective": ("ICM final 2-D score", float(im["icm_objective"][-1])),
            "rows_objective": ("row-by-row DP 2-D score", float(im["rows_objective"])),
        }
        self._numbers.object = stats_html(self.stats)
