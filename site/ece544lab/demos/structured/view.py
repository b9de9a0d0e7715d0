"""Structured prediction: denoising a label sequence with a chain model, exhaustive search vs
dynamic programming, sum-product marginals, and a 2-D image (row-by-row DP vs ICM).

Course notes (Structured Prediction: exhaustive search, dynamic programming): structure and
correlations are useful; predictions from neighbouring pixels are useful. The chain score
score(y) = sum_t theta_t(y_t) + sum_t theta_{t,t+1}(y_t, y_{t+1}) is maximised exactly by
dynamic programming (Viterbi) in T K^2 work instead of the K^T of exhaustive search.

parameters -> :meth:`StructuredDemo.compute` (:mod:`.compute`, memoised per part) ->
:meth:`StructuredDemo.draw` (:mod:`.draw`).
"""
from __future__ import annotations

import panel as pn
import param

from ...views.common import heading, stats_html
from ...views.demo import Demo
from ...views.layout import plots
from . import compute as C
from .draw import ICM_FIG, IMAGE_PX, ImageView, SearchView, SequenceView


class StructuredDemo(Demo):
    """Chain denoising (argmax vs Viterbi), marginals, exhaustive vs DP, a 2-D image (rows/ICM)."""

    slug = "structured"
    title = "Structured prediction"
    formula = (
        r"$$\text{score}(\mathbf{y}) = \sum_{t=1}^{T} \theta_t(y_t) + \sum_{t=1}^{T-1} "
        r"\theta_{t,t+1}(y_t, y_{t+1}), \qquad \mathbf{y}^* = \arg\max_{\mathbf{y} \in "
        r"\{0, \dots, K-1\}^T} \text{score}(\mathbf{y})$$"
        r"$$\text{Viterbi: } m_1(y_1) = \theta_1(y_1),\quad m_{t+1}(y_{t+1}) = "
        r"\theta_{t+1}(y_{t+1}) + \max_{y_t} \big[m_t(y_t) + \theta_{t,t+1}(y_t, y_{t+1})\big]$$"
        r"$$\max_{\mathbf{y}} \text{score}(\mathbf{y}) = \max_{y_T} m_T(y_T), \qquad "
        r"\text{work: } K^T \text{ (exhaustive) vs } T K^2 \text{ (DP)}$$"
        r"$$\theta_t(k) = \log p(\tilde y_t \mid y_t = k),\;\; \theta_{t,t+1}(k, l) = "
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
    search_T = param.Integer(default=8, bounds=(1, C.SEARCH_T_MAX), label="search length T",
                             doc="Exhaustive search vs DP on the first T positions of the "
                                 "sequence (exhaustive is refused when K^T > "
                                 f"{C.GUARD:,}).")
    image_size = param.Integer(default=32, bounds=(8, 64), label="image size",
                               doc="Side of the square 2-D image in pixels.")
    image_shape = param.Selector(default="shapes", objects=["shapes", "disk", "letter"],
                                 label="image", doc="What the clean 2-D image shows.")

    # ------------------------------------------------------------------ build
    def build(self):
        self.stats: dict = {}
        self.sequence_view = SequenceView(self.T, self.n_labels)
        self.search_view = SearchView()
        self.image_view = ImageView(self.n_labels)
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        controls = [
            heading("Noisy label sequence"),
            self.param_controls(["T", "n_labels", "flip_prob", "segment_length", "seed"]),
            heading("Chain model"), self.param_controls(["smoothness"]),
            heading("Exhaustive search vs DP"), self.param_controls(["search_T"]),
            heading("2-D image"), self.param_controls(["image_size", "image_shape"]),
        ]
        return controls, self._main(), self._numbers

    def _main(self) -> pn.Column:
        def section(text):
            return pn.pane.HTML(f"<h3 style='margin:6px 0 0 0'>{text}</h3>", margin=(10, 10, 0, 10),
                                sizing_mode="stretch_width")

        legend = pn.pane.HTML(
            "<small>Cells coloured by label; <b>black dot</b> = differs from the clean truth. "
            "Without a pairwise term the best label at each position is the observation itself, "
            "so the argmax row repeats the noisy one. Shaded box: the positions used by the "
            "search comparison below.</small>", sizing_mode="stretch_width", margin=(0, 10))
        iv = self.image_view
        images = plots(*(pn.Column(iv.captions[key],
                                   pn.pane.Bokeh(fig, margin=0, width=IMAGE_PX, height=IMAGE_PX),
                                   margin=(0, 5))
                         for key, fig in zip(C.IMAGE_TITLES, iv.figs)))
        icm = pn.Column(pn.pane.HTML("<b>2-D score per ICM sweep</b>", margin=(0, 0, 2, 0),
                                     styles={"font-size": "0.85em"}),
                        pn.pane.Bokeh(iv.icm_fig, margin=0, width=ICM_FIG[0],
                                      height=ICM_FIG[1]), margin=(5, 5))
        sv = self.sequence_view
        return pn.Column(
            section("Denoising a label sequence"),
            pn.pane.Bokeh(sv.seq_fig, sizing_mode="stretch_width"),
            pn.pane.Bokeh(sv.marg_fig, sizing_mode="stretch_width"),
            legend,
            section("Exhaustive search vs dynamic programming"),
            plots(self.search_view.html,
                  pn.pane.Bokeh(self.search_view.counts_fig, sizing_mode="stretch_width",
                                styles={"flex": "1 1 300px"})),
            section("2-D image: neighbouring pixels help"),
            images,
            plots(icm, iv.text),
            sizing_mode="stretch_width",
        )

    # ------------------------------------------------------------------ compute / draw
    def compute(self) -> C.StructuredResult:
        seq = C.sequence(self.T, self.n_labels, self.flip_prob, self.segment_length, self.seed,
                         self.smoothness)
        return C.StructuredResult(
            sequence=seq, search=C.search(seq, self.search_T),
            image=C.image(self.image_size, self.image_shape, self.n_labels, self.flip_prob,
                          self.seed, self.smoothness))

    def draw(self, result: C.StructuredResult) -> None:
        """Write the parts that differ from the drawn result (the parts are memoised, so an
        unchanged part is the same object) and the numbers."""
        last = self.result
        if last is None or (result.sequence, result.search.T) != (last.sequence, last.search.T):
            self.sequence_view.draw(result.sequence, result.search.T)
        if last is None or result.search is not last.search:
            self.search_view.draw(result.search)
        if last is None or result.image is not last.image:
            self.image_view.draw(result.image, result.sequence.unary.shape[1])
        self.stats = self.numbers(result)
        self._numbers.object = stats_html(self.stats)

    @staticmethod
    def numbers(result: C.StructuredResult) -> dict:
        """The numbers table: key -> (label, value)."""
        seq, s, im = result.sequence, result.search, result.image
        e = seq.errors
        ms = lambda sec: "—" if sec is None else float(1e3 * sec)   # noqa: E731
        return {
            "errors_noisy": ("errors: noisy observation", e["noisy"]),
            "errors_argmax": ("errors: per-position argmax", e["argmax"]),
            "errors_dp": ("errors: DP (Viterbi)", e["dp"]),
            "dp_score": ("DP score max score(y)", float(seq.dp.score)),
            "log_partition": ("log Z (sum-product)", float(seq.log_partition)),
            "search_T": ("search: T", s.T),
            "search_configurations": ("search: K^T labellings", s.n_configurations),
            "exhaustive_evals": ("exhaustive: score evaluations",
                                 s.exhaustive.n_evaluations if s.exhaustive else "not run"),
            "dp_evals": ("DP: score evaluations", int(s.dp.n_evaluations)),
            "agree": ("exhaustive = DP (labels and score)",
                      "—" if s.agree is None else bool(s.agree)),
            "exhaustive_ms": ("exhaustive wall time (ms)", ms(s.exhaustive_time)),
            "dp_ms": ("DP wall time (ms)", ms(s.dp_time)),
            "image_errors_noisy": ("image errors: noisy", im.errors["noisy"]),
            "image_errors_rows": ("image errors: row-by-row DP", im.errors["rows"]),
            "image_errors_icm": ("image errors: ICM (approximate)", im.errors["icm"]),
            "icm_sweeps": ("ICM sweeps", int(im.icm.n_iter)),
            "icm_converged": ("ICM converged (a sweep changed nothing)", bool(im.icm.converged)),
            "icm_objective": ("ICM final 2-D score", float(im.icm_objective[-1])),
            "rows_objective": ("row-by-row DP 2-D score", float(im.rows_objective)),
        }
