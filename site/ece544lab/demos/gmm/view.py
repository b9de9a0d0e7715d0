"""Gaussian mixtures and EM: E-step and M-step one at a time, 1σ/2σ ellipses, responsibilities as
mixed colours, the log-likelihood that never falls with EM's lower bound under it, k-means as the
hard-assignment limit, and the ML fit of a single Gaussian.

Course notes (Gaussian Mixture Models): what is the maximum likelihood solution of fitting the
mean and variance of a Gaussian? why do we consider mixtures of Gaussians? how do we find the
means, variances and responsibilities of the mixture? Expectation Maximization as
majorize-minimize (a lower bound that touches the log-likelihood, then is maximised).

parameters -> compute() (a recorded EM run, :mod:`.compute`; a long job when n K is large) ->
draw(result) (the step-through's frame); the step-through only moves over the recorded frames.
"""
from __future__ import annotations

import html

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, Range1d

from ece544core.mixture import full_covariances, gmm_initial_parameters

from ...views.canvas import ClassifierCanvas
from ...views.common import heading
from ...views.demo import Demo
from ...views.layout import KATEX_CSS, plots
from ...views.plotting import PALETTE, class_colors, covariance_ellipse, make_figure, mix_colors
from ..kmeans.stepping import StepControls
from . import text
from .compute import (DATASETS, EMRun, GMMResult, assemble, em_job, kmeans_panel, make_points,
                      run_to_end)

FRAME = (460, 380)        # main plot frame in screen pixels; the data box gets the same aspect
CUSTOM_CORNERS = np.array([[-5.0, -5.0], [5.0, 5.0]])  # inside the custom data's view
SIDE_MIN = 300            # narrowest side column next to the plot (else it wraps below)
MINI_FRAME = (300, 240)   # the k-means plot
LONG_JOB_WORK = 1200      # n K at or above which EM runs as a long job (progress bar, Stop)
UNASSIGNED = "#9a9a9a"    # points before the first E-step
ML_COLOR = "#222222"
N_STDS = (1.0, 2.0)       # ellipses drawn per component
COV_TYPES = ["full", "diag", "spherical"]
MAX_K = 8
ML_TARGETS = {"all data": "all", **{f"component {k}": str(k) for k in range(1, MAX_K + 1)}}
#: Display options: a change redraws the current result (no new EM run).
DISPLAY = ("hard", "show_kmeans")


class GMMDemo(Demo):
    """EM for a Gaussian mixture, step by step; ellipses, responsibilities, log-likelihood."""

    slug = "gmm"
    title = "Gaussian mixtures & EM"
    formula = (
        r"$$p(\mathbf{x}) = \sum_{k=1}^{K} \pi_k\, \mathcal{N}(\mathbf{x} \mid "
        r"\boldsymbol{\mu}_k, \boldsymbol{\Sigma}_k), \qquad \ell(\theta) = \sum_{i=1}^{N} "
        r"\log \sum_{k=1}^{K} \pi_k\, \mathcal{N}(\mathbf{x}^{(i)} \mid \boldsymbol{\mu}_k, "
        r"\boldsymbol{\Sigma}_k)$$"
        r"$$\text{E: } r_{ik} = \frac{\pi_k \mathcal{N}(\mathbf{x}^{(i)} \mid "
        r"\boldsymbol{\mu}_k, \boldsymbol{\Sigma}_k)}{\sum_j \pi_j \mathcal{N}(\mathbf{x}^{(i)} "
        r"\mid \boldsymbol{\mu}_j, \boldsymbol{\Sigma}_j)}$$"
        r"$$\text{M: } N_k = \sum_i r_{ik},"
        r"\; \pi_k = \frac{N_k}{N},\; \boldsymbol{\mu}_k = \frac{1}{N_k} \sum_i r_{ik}\, "
        r"\mathbf{x}^{(i)},$$"
        r"$$\boldsymbol{\Sigma}_k = \frac{1}{N_k} \sum_i r_{ik} "
        r"(\mathbf{x}^{(i)} - \boldsymbol{\mu}_k)(\mathbf{x}^{(i)} - \boldsymbol{\mu}_k)^\top "
        r"+ \epsilon \mathbf{I}$$"
        r"$$\ell(\theta) \ge F(q, \theta) = \sum_i \sum_k r_{ik} \log \frac{\pi_k "
        r"\mathcal{N}(\mathbf{x}^{(i)} \mid \boldsymbol{\mu}_k, \boldsymbol{\Sigma}_k)}{r_{ik}}"
        r"\;\; \text{(Jensen; equal after the E-step)}$$"
        r"$$\Rightarrow\; "
        r"\ell(\theta_{t+1}) \ge F(q_t, \theta_{t+1}) \ge F(q_t, \theta_t) = \ell(\theta_t)$$"
    )
    what_to_try = (
        "Press Step to alternate E-step and M-step: the ellipses jump at M, the colours at E, "
        "and ℓ only goes up; switch covariance type to spherical and watch tilted clusters get "
        "split badly (k-means' mistake); compare ML fit of all data as one Gaussian with the "
        "mixture's ℓ; set K = 1; click points far away; try other init seeds for other local "
        "optima."
    )
    url_params = ("dataset", "n_samples", "n_centers", "spread", "seed", "n_components",
                  "covariance_type", "reg_covar", "init_seed", "hard", "ml_target",
                  "show_kmeans")
    #: A display option only redraws the current result (see build).
    update_on = tuple(p for p in url_params if p not in DISPLAY)

    dataset = param.Selector(default="anisotropic", objects=[*DATASETS, "custom"],
                             doc="Tilted blobs of unequal spreads and sizes, round blobs of "
                                 "equal spread, or 'custom': start empty and click to add "
                                 "points.")
    n_samples = param.Integer(default=300, bounds=(10, 500), label="n (points)",
                              doc="Number of generated points.")
    n_centers = param.Integer(default=3, bounds=(1, MAX_K), label="blobs",
                              doc="Number of blobs the points are drawn from.")
    spread = param.Number(default=2.0, bounds=(0.1, 4.0), step=0.1, label="blob spread",
                          doc="Scale of the blobs' standard deviations.")
    seed = param.Integer(default=27, bounds=(0, 9999), label="data seed",
                         doc="Random seed of the generated points.")
    n_components = param.Integer(default=3, bounds=(1, MAX_K), label="K (components)",
                                 doc="Number of Gaussians in the mixture.")
    covariance_type = param.Selector(default="full", objects=COV_TYPES,
                                     label="covariance type",
                                     doc="Sigma_k: full matrix, diagonal, or sigma_k^2 I "
                                         "(spherical).")
    reg_covar = param.Number(default=1e-6, bounds=(1e-6, 1.0), label="reg_covar ε",
                             doc="epsilon added to the diagonal of every Sigma_k in the M-step "
                                 "(keeps a component from collapsing onto one point).")
    init_seed = param.Integer(default=0, bounds=(0, 9999), label="init seed",
                              doc="Seed of the initial means (K distinct data points); every "
                                  "Sigma_k starts as sigma_0^2 I (sigma_0^2 = the data's mean "
                                  "variance / K), pi_k = 1/K.")
    hard = param.Boolean(default=False, label="hard assignments argmaxₖ rᵢₖ",
                         doc="Colour points by their most responsible component instead of "
                             "mixing the colours by r_ik.")
    ml_target = param.Selector(default="all", objects=ML_TARGETS, label="ML fit of",
                               doc="Fit one Gaussian by maximum likelihood to all the data, or "
                                   "to the points hard-assigned to component k.")
    show_kmeans = param.Boolean(default=True, label="k-means panel",
                                doc="Show k-means on the same data (the hard-assignment limit).")

    # ------------------------------------------------------------------ build
    def build(self):
        self._cache: dict = {}             # the last complete EM run (a change of ml_target)
        self.canvas = ClassifierCanvas(
            "gmm", "Components and responsibilities (click to add a point)", ["point"],
            frame=FRAME, on_change=self.update, empty_box=(-5.0, 5.0))
        # a new data set drops the clicks before the base's update (watchers run in order)
        self.param.watch(lambda *_e: self.canvas.clear_clicked(notify=False), "dataset")
        self.param.watch(lambda *_e: self.redraw(), list(DISPLAY))
        self._build_figures()
        self.stepping = StepControls(self, "gmm-steps")
        self.steps, self.run_button = self.stepping.steps, self.stepping.run_button
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._answers = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._ml_text = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._kmeans_text = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        controls = [
            heading("Data"),
            self.param_controls(["dataset", "n_samples", "n_centers", "spread", "seed"]),
            pn.pane.HTML("<small>A click on the plot adds a point.</small>", margin=(0, 10)),
            self.stepping.clear_button,
            heading("Mixture"),
            self.param_controls(["n_components", "covariance_type"],
                                covariance_type=pn.widgets.RadioButtonGroup),
            self.log_slider("reg_covar", step=0.25, digits=2),
            self.param_controls(["init_seed"]),
            heading("EM, one half-step at a time"),
            self.steps,
            self.run_button,
            heading("Display"),
            self.param_controls(["hard", "ml_target", "show_kmeans"]),
        ]
        return controls, self._main(), self._numbers

    def _build_figures(self) -> None:
        fig = self.fig = self.canvas.fig
        self.ellipse_source = ColumnDataSource(
            dict(xs=[], ys=[], color=[], component=[], n_std=[], fill_alpha=[], line_dash=[],
                 width=[], height=[], angle=[]), name="gmm-ellipses")
        fig.patches("xs", "ys", source=self.ellipse_source, fill_color="color",
                    fill_alpha="fill_alpha", line_color="color", line_width=2.5,
                    line_dash="line_dash")
        self.canvas.draw_points_glyphs(size=7)
        self.points_source = self.canvas.points
        self.ml_source = self.canvas.add_lines("ml", color=ML_COLOR, line_width=1.8,
                                               line_dash="dotted")
        self.ml_mean_source = ColumnDataSource(dict(x=[], y=[]), name="gmm-ml-mean")
        self.means_source = ColumnDataSource(dict(x=[], y=[], color=[], weight=[], size=[]),
                                             name="gmm-means")
        fig.scatter("x", "y", source=self.ml_mean_source, marker="x", size=16, color=ML_COLOR,
                    line_width=3)
        fig.scatter("x", "y", source=self.means_source, size="size", fill_color="color",
                    line_color="black", line_width=2)
        fig.xaxis.axis_label, fig.yaxis.axis_label = "x₁", "x₂"

        ll = make_figure("ℓ(θ) never falls; EM's bound F(q, θ) ≤ ℓ", tools="",
                         sizing_mode="fixed", width=SIDE_MIN + 40, height=330,
                         toolbar_location=None, name="gmm-ll-fig",
                         x_range=Range1d(0, 2), y_range=Range1d(0, 1))
        self.ll_source = ColumnDataSource(dict(t=[], loglik=[], step=[], color=[]),
                                          name="gmm-loglik")
        self.bound_source = ColumnDataSource(dict(t=[], bound=[]), name="gmm-bound")
        ll.line("t", "loglik", source=self.ll_source, color="#555555", line_width=1.5)
        ll.scatter("t", "loglik", source=self.ll_source, color="color", size=8,
                   legend_field="step")
        ll.scatter("t", "bound", source=self.bound_source, marker="square", size=9,
                   fill_color=None, line_color="#222222", line_width=1.5,
                   legend_label="bound F(q, θ)")
        ll.legend.orientation = "horizontal"
        ll.legend.padding, ll.legend.margin = 2, 0
        ll.legend.label_text_font_size = "11px"
        ll.legend.nrows = 2
        ll.add_layout(ll.legend[0], "below")                   # keep the curve uncovered
        ll.xaxis.axis_label, ll.yaxis.axis_label = "half-step t", "ℓ(θ)"
        self.ll_fig = ll

        km = make_figure("k-means partition (same K and initial means)", tools="",
                         toolbar_location=None, sizing_mode="fixed", width=None, height=None,
                         frame_width=MINI_FRAME[0], frame_height=MINI_FRAME[1],
                         x_range=Range1d(-1, 1), y_range=Range1d(-1, 1), name="gmm-kmeans-fig")
        self.kmeans_source = ColumnDataSource(dict(x=[], y=[], color=[]), name="gmm-kmeans")
        self.kmeans_centers_source = ColumnDataSource(dict(x=[], y=[], color=[]),
                                                      name="gmm-kmeans-centers")
        km.scatter("x", "y", source=self.kmeans_source, fill_color="color", line_color="white",
                   size=5, line_width=0.5)
        km.scatter("x", "y", source=self.kmeans_centers_source, marker="diamond", size=18,
                   fill_color="color", line_color="black", line_width=2)
        self.kmeans_fig = km

    def _main(self) -> pn.Column:
        legend = pn.pane.HTML(
            "<small>Each component: its mean μ<sub>k</sub> (● sized by π<sub>k</sub>) and "
            "1σ / 2σ ellipses (x − μ)ᵀΣ⁻¹(x − μ) = 1, 4. Points: colours mixed by the "
            "responsibilities r<sub>ik</sub> (grey before the first E-step). Black dotted: the "
            "ML fit of a single Gaussian (see below).</small>",
            width=FRAME[0] + 50, margin=(0, 10))
        right = pn.Column(pn.pane.Bokeh(self.ll_fig), self._answers, sizing_mode="stretch_width",
                          styles={"flex": f"1 1 {SIDE_MIN}px", "min-width": "0"})
        ml_formula = pn.pane.LaTeX(
            r"$$\hat{\boldsymbol{\mu}} = \frac{1}{N} \sum_{i=1}^{N} \mathbf{x}^{(i)}, \qquad "
            r"\hat{\boldsymbol{\Sigma}} = \frac{1}{N} \sum_{i=1}^{N} (\mathbf{x}^{(i)} - "
            r"\hat{\boldsymbol{\mu}})(\mathbf{x}^{(i)} - \hat{\boldsymbol{\mu}})^\top$$",
            renderer="katex", stylesheets=[KATEX_CSS])
        ml_card = pn.Card(pn.Column(ml_formula, self._ml_text, sizing_mode="stretch_width"),
                          title="Maximum likelihood fit of one Gaussian — and why mixtures",
                          sizing_mode="stretch_width", margin=(10, 10), min_width=360)
        self.kmeans_card = pn.Card(
            plots(pn.pane.Bokeh(self.kmeans_fig), self._kmeans_text),
            title="k-means: the hard-assignment limit", collapsed=not self.show_kmeans,
            sizing_mode="stretch_width", margin=(10, 10), min_width=360)
        self.kmeans_card.param.watch(lambda e: setattr(self, "show_kmeans", not e.new),
                                     "collapsed")
        return pn.Column(plots(pn.Column(self.canvas.panel(), legend, width=FRAME[0] + 80),
                               right),
                         ml_card, self.kmeans_card, sizing_mode="stretch_width")

    # ------------------------------------------------------------------ compute
    def compute(self):
        """The points, theta_0 (mixture.gmm_initial_parameters), k-means from its means and
        the recorded EM run (a long job when n K >= LONG_JOB_WORK); fewer points than K: the
        points and a note."""
        X, clicked = make_points(self.dataset, self.n_samples, self.n_centers, self.spread,
                                 self.seed, self.canvas.clicked_X)
        view = X if self.dataset != "custom" else np.vstack([X, CUSTOM_CORNERS])
        K = self.n_components
        key = (X.tobytes(), K, self.covariance_type, self.reg_covar, self.init_seed)
        base = EMRun(key, X, clicked, self.canvas.box_for(view), self.covariance_type)
        if len(X) < K:
            note = (f"No points yet: click the plot to add at least K = {K} points." if not len(X)
                    else f"K = {K} components need at least {K} points and there are "
                         f"{len(X)}: click to add points, or lower K.")
            return GMMResult(EMRun(key, X, clicked, base.box, self.covariance_type, note=note))
        cached = self._cache.get(key)
        if cached is not None:                    # only ml_target changed: no new EM run
            return assemble(cached.run, self.ml_target, cached.kmeans)
        theta0 = gmm_initial_parameters(X, K, self.covariance_type, reg_covar=self.reg_covar,
                                        random_state=self.init_seed)
        job = self._job(base, theta0, kmeans_panel(X, theta0[1]))
        return job if len(X) * K >= LONG_JOB_WORK else run_to_end(job)

    def _job(self, base, theta0, kmeans):
        result = yield from em_job(base, theta0, self.reg_covar, self.ml_target, kmeans)
        self._cache = {base.key: result}
        return result

    # ------------------------------------------------------------------ reading the view
    @property
    def frame(self):
        """The frame on display (None without a run)."""
        return self.stepping.frame()

    # ------------------------------------------------------------------ drawing
    def draw(self, result: GMMResult) -> None:
        self.stepping.follow(result)
        self.canvas.set_box(result.run.box)
        (x0, x1), (y0, y1) = result.run.box
        self.kmeans_fig.x_range.update(start=x0, end=x1)
        self.kmeans_fig.y_range.update(start=y0, end=y1)
        self.kmeans_card.collapsed = not self.show_kmeans
        frame = result.frame(self.steps.index)
        self.run_button.disabled = frame is None or self.steps.at_end
        self._draw_points(result.run, frame)
        if frame is None:
            self._draw_without_run(result.run)
            return
        self._draw_components(result.run, frame)
        self._draw_loglik(frame)
        self._draw_ml(frame)
        self._draw_kmeans(result)
        self._numbers.object = text.numbers(result, frame)
        self.stats = text.stats(result, frame)
        self._answers.object = text.answers(frame)
        self._ml_text.object = text.ml_text(result, frame)
        self._kmeans_text.object = text.kmeans_text(result, frame)

    def _draw_points(self, run: EMRun, frame) -> None:
        X, n = run.X, len(run.X)
        if frame is None or frame.resp is None:
            colors, labels = [UNASSIGNED] * n, np.full(n, -1)
        else:
            labels = np.argmax(frame.resp, axis=1)
            colors = class_colors(labels) if self.hard else mix_colors(frame.resp)
        self.points_source.data = dict(x=X[:, 0], y=X[:, 1], label=labels, color=colors,
                                       line_color=["white"] * n, clicked=run.clicked)

    def _draw_components(self, run: EMRun, frame) -> None:
        K = len(frame.means)
        covs = full_covariances(frame.covariances, run.covariance_type, n_features=2)
        cols: dict[str, list] = {key: [] for key in self.ellipse_source.data}
        for n_std in N_STDS[::-1]:                  # 2σ first, so 1σ is drawn on top
            for k in range(K):
                xs, ys, w, h, a = covariance_ellipse(frame.means[k], covs[k], n_std)
                for key, value in (("xs", xs), ("ys", ys), ("color", PALETTE[k % len(PALETTE)]),
                                   ("component", k), ("n_std", n_std),
                                   ("fill_alpha", 0.10 if n_std == 1.0 else 0.04),
                                   ("line_dash", "solid" if n_std == 1.0 else "dashed"),
                                   ("width", w), ("height", h), ("angle", a)):
                    cols[key].append(value)
        self.ellipse_source.data = cols
        self.means_source.data = dict(
            x=frame.means[:, 0], y=frame.means[:, 1], color=class_colors(np.arange(K)),
            weight=frame.weights, size=10.0 + 30.0 * np.sqrt(frame.weights))

    def _draw_loglik(self, frame) -> None:
        kinds = ["init", *frame.steps]
        color = {"init": "#555555", "E": text.E_COLOR, "M": text.M_COLOR}
        label = {"init": "θ₀", "E": "after E-step", "M": "after M-step"}
        self.ll_source.data = dict(t=np.arange(len(frame.loglik)), loglik=frame.loglik,
                                   step=[label[s] for s in kinds],
                                   color=[color[s] for s in kinds])
        self.bound_source.data = dict(t=np.arange(1, len(frame.bounds) + 1), bound=frame.bounds)
        values = np.concatenate([frame.loglik, frame.bounds])
        lo, hi = float(values.min()), float(values.max())
        pad = 0.08 * (hi - lo) if hi > lo else 0.05 * abs(hi) + 1e-9
        self.ll_fig.y_range.update(start=lo - pad, end=hi + pad)
        self.ll_fig.x_range.update(start=-0.5, end=max(len(frame.loglik) - 1, 4) + 0.5)

    def _draw_ml(self, frame) -> None:
        fit = frame.ml
        if fit.mean is None:
            self.ml_source.data = dict(xs=[], ys=[], n_std=[])
            self.ml_mean_source.data = dict(x=[], y=[])
            return
        curves = [covariance_ellipse(fit.mean, fit.covariance, s)[:2] for s in N_STDS]
        self.ml_source.data = dict(xs=[c[0] for c in curves], ys=[c[1] for c in curves],
                                   n_std=list(N_STDS))
        self.ml_mean_source.data = dict(x=[fit.mean[0]], y=[fit.mean[1]])

    def _draw_kmeans(self, result: GMMResult) -> None:
        km = result.kmeans
        X = result.run.X
        self.kmeans_source.data = dict(x=X[:, 0], y=X[:, 1], color=class_colors(km.labels))
        self.kmeans_centers_source.data = dict(x=km.centers[:, 0], y=km.centers[:, 1],
                                               color=class_colors(np.arange(len(km.centers))))

    def _draw_without_run(self, run: EMRun) -> None:
        """Fewer points than K: the points in grey, nothing else."""
        self.ellipse_source.data = {key: [] for key in self.ellipse_source.data}
        self.means_source.data = dict(x=[], y=[], color=[], weight=[], size=[])
        self.ml_source.data = dict(xs=[], ys=[], n_std=[])
        self.ml_mean_source.data = dict(x=[], y=[])
        self.ll_source.data = dict(t=[], loglik=[], step=[], color=[])
        self.bound_source.data = dict(t=[], bound=[])
        self.kmeans_source.data = dict(x=[], y=[], color=[])
        self.kmeans_centers_source.data = dict(x=[], y=[], color=[])
        self.stats = {}
        self._numbers.object = f"<p class='demo-hint' data-hint='1'>{html.escape(run.note)}</p>"
        self._answers.object = self._ml_text.object = self._kmeans_text.object = ""
