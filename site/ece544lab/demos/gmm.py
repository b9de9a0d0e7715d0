"""Gaussian mixtures and EM: E-step and M-step one at a time, 1σ/2σ ellipses, responsibilities as
mixed colours, the log-likelihood that never falls with EM's lower bound under it, k-means as the
hard-assignment limit, and the ML fit of a single Gaussian.

Course notes (Gaussian Mixture Models): what is the maximum likelihood solution of fitting the
mean and variance of a Gaussian? why do we consider mixtures of Gaussians? how do we find the
means, variances and responsibilities of the mixture? Expectation Maximization as
majorize-minimize (a lower bound that touches the log-likelihood, then is maximised).
"""
from __future__ import annotations

import html

import numpy as np
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import ColumnDataSource, Range1d

from ece544core import datasets
from ece544core.cluster import KMeans
from ece544core.matching import matched_accuracy
from ece544core.mixture import (full_covariances, gaussian_ml_fit, gmm_e_step,
                                gmm_initial_parameters, gmm_lower_bound, gmm_m_step,
                                log_gaussian_pdf)

from ..views.common import ClickedPoints, Demo, KATEX_CSS, Playable, guarded, heading, stats_html
from ..views.plotting import (PALETTE, class_colors, covariance_ellipse, fit_box, make_figure,
                       mix_colors)

FRAME = (460, 380)        # main plot frame in screen pixels; the data box gets the same aspect
CUSTOM_CORNERS = np.array([[-5.0, -5.0], [5.0, 5.0]])  # inside the custom data's view
SIDE_MIN = 280           # narrowest side column next to the plot (else it wraps below)
MINI_FRAME = (300, 240)   # the k-means plot
MAX_ITER = 500            # EM iterations (E + M) of "Run to convergence"
TOL = 1e-6                # converged when an iteration raises l / N by less than this
UNASSIGNED = "#9a9a9a"    # points before the first E-step
E_COLOR, M_COLOR = PALETTE[0], PALETTE[5]
ML_COLOR = "#222222"
N_STDS = (1.0, 2.0)       # ellipses drawn per component
COV_TYPES = ["full", "diag", "spherical"]
MAX_K = 8
ML_TARGETS = {"all data": "all", **{f"component {k}": str(k) for k in range(1, MAX_K + 1)}}


#: The data sets: the registry's name for each of the demo's choices (the URL keeps "blobs").
DATASETS = {"anisotropic": "anisotropic", "blobs": "random_blobs"}


class GMMDemo(ClickedPoints, Playable, Demo):
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
        r"\mid \boldsymbol{\mu}_j, \boldsymbol{\Sigma}_j)} \qquad \text{M: } N_k = \sum_i r_{ik},"
        r"\; \pi_k = \frac{N_k}{N},\; \boldsymbol{\mu}_k = \frac{1}{N_k} \sum_i r_{ik}\, "
        r"\mathbf{x}^{(i)},\; \boldsymbol{\Sigma}_k = \frac{1}{N_k} \sum_i r_{ik} "
        r"(\mathbf{x}^{(i)} - \boldsymbol{\mu}_k)(\mathbf{x}^{(i)} - \boldsymbol{\mu}_k)^\top "
        r"+ \epsilon \mathbf{I}$$"
        r"$$\ell(\theta) \ge F(q, \theta) = \sum_i \sum_k r_{ik} \log \frac{\pi_k "
        r"\mathcal{N}(\mathbf{x}^{(i)} \mid \boldsymbol{\mu}_k, \boldsymbol{\Sigma}_k)}{r_{ik}}"
        r"\;\; \text{(Jensen; equal after the E-step)} \;\Rightarrow\; "
        r"\ell(\theta_{t+1}) \ge F(q_t, \theta_{t+1}) \ge F(q_t, \theta_t) = \ell(\theta_t)$$"
    )
    what_to_try = (
        "Press E-step and M-step in turn: the ellipses jump at M, the colours at E, and ℓ only "
        "goes up; switch covariance type to spherical and watch tilted clusters get split badly "
        "(k-means' mistake); compare ML fit of all data as one Gaussian with the mixture's ℓ; "
        "set K = 1; click points far away; try other init seeds for other local optima."
    )
    url_params = ("dataset", "n_samples", "n_centers", "spread", "seed", "n_components",
                  "covariance_type", "reg_covar", "init_seed", "hard", "ml_target",
                  "show_kmeans")

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

    def __init__(self, **params):
        super().__init__(**params)
        self._clicked = np.empty((0, 2))
        self._data_name = self.dataset
        self.X = np.empty((0, 2))
        self._box = fit_box(self.X, FRAME[0] / FRAME[1])
        self.weights = self.means = self.covariances = None
        self.log_resp: np.ndarray | None = None
        self.init_means: np.ndarray | None = None
        self.steps: list[str] = []              # "E" / "M", one per half-step
        self.loglik: list[float] = []           # l(theta) after half-step t = 0, 1, ...
        self.bounds: list[float] = []           # F(q, theta) after half-step t = 1, 2, ...
        self.converged = False
        self.ml_fit: dict = {}
        self.kmeans_result: dict = {}
        self.stats: dict = {}
        self._build_figures()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._answers = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._ml_text = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._kmeans_text = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._layout = self.page(self._controls(), self._main(), self._numbers)
        self._on_data()

    # ------------------------------------------------------------------ widgets / layout
    def _controls(self) -> list:
        self.e_button = pn.widgets.Button(name="E-step", width=115, button_type="primary",
                                          button_style="outline")
        self.m_button = pn.widgets.Button(name="M-step", width=115, button_type="warning",
                                          button_style="outline")
        self._make_play_button()
        self.reset_button = pn.widgets.Button(name="Reset", width=70)
        self.run_button = pn.widgets.Button(name="Run to convergence", width=240)
        self.e_button.on_click(lambda _e: self.e_step())
        self.m_button.on_click(lambda _e: self.m_step())
        self.reset_button.on_click(lambda _e: self.reset())
        self.run_button.on_click(lambda _e: self.run_to_convergence())
        clear = pn.widgets.Button(name="Remove clicked points", width=240)
        clear.on_click(lambda _e: self.reset_points())
        return [
            heading("Data"),
            self.param_controls(["dataset", "n_samples", "n_centers", "spread", "seed"]),
            pn.pane.HTML("<small>A click on the plot adds a point.</small>", margin=(0, 10)),
            clear,
            heading("Mixture"),
            self.param_controls(["n_components", "covariance_type"],
                                covariance_type=pn.widgets.RadioButtonGroup),
            self.log_slider("reg_covar", step=0.25, digits=2),
            self.param_controls(["init_seed"]),
            heading("EM, one half-step at a time"),
            pn.Row(self.e_button, self.m_button),
            pn.Row(self.play_button, self.reset_button),
            self.run_button,
            heading("Display"),
            self.param_controls(["hard", "ml_target", "show_kmeans"]),
        ]

    def _main(self) -> pn.Column:
        legend = pn.pane.HTML(
            "<small>Each component: its mean μ<sub>k</sub> (● sized by π<sub>k</sub>) and "
            "1σ / 2σ ellipses (x − μ)ᵀΣ⁻¹(x − μ) = 1, 4. Points: colours mixed by the "
            "responsibilities r<sub>ik</sub> (grey before the first E-step). Black dotted: the "
            "ML fit of a single Gaussian (see below).</small>",
            width=FRAME[0] + 50, margin=(0, 10))
        # next to the plot when there are SIDE_MIN pixels left, else wrapped below it (a Row
        # with flex-wrap; no min widths inside, or the Row would be as wide as both)
        right = pn.Column(pn.pane.Bokeh(self.ll_fig, sizing_mode="stretch_width"),
                          self._answers, sizing_mode="stretch_width",
                          styles={"flex": f"1 1 {SIDE_MIN}px"})
        ml_formula = pn.pane.LaTeX(
            r"$$\hat{\boldsymbol{\mu}} = \frac{1}{N} \sum_{i=1}^{N} \mathbf{x}^{(i)}, \qquad "
            r"\hat{\boldsymbol{\Sigma}} = \frac{1}{N} \sum_{i=1}^{N} (\mathbf{x}^{(i)} - "
            r"\hat{\boldsymbol{\mu}})(\mathbf{x}^{(i)} - \hat{\boldsymbol{\mu}})^\top$$",
            renderer="katex", stylesheets=[KATEX_CSS])
        ml_card = pn.Card(pn.Column(ml_formula, self._ml_text, sizing_mode="stretch_width"),
                          title="Maximum likelihood fit of one Gaussian — and why mixtures",
                          sizing_mode="stretch_width", margin=(10, 10), min_width=360)
        self.kmeans_card = pn.Card(
            pn.Row(pn.pane.Bokeh(self.kmeans_fig), self._kmeans_text,
                   sizing_mode="stretch_width"),
            title="k-means: the hard-assignment limit", collapsed=not self.show_kmeans,
            sizing_mode="stretch_width", margin=(10, 10), min_width=360)
        self.kmeans_card.param.watch(lambda e: setattr(self, "show_kmeans", not e.new),
                                     "collapsed")
        return pn.Column(
            pn.Row(pn.Column(pn.pane.Bokeh(self.fig), legend, width=FRAME[0] + 80), right,
                   sizing_mode="stretch_width", styles={"flex-wrap": "wrap"}),
            ml_card, self.kmeans_card, sizing_mode="stretch_width")

    # ------------------------------------------------------------------ figures
    def _build_figures(self) -> None:
        fig = make_figure("Components and responsibilities "
                          "(click to add a point)", tools="pan,wheel_zoom,reset",
                          sizing_mode="fixed", width=None, height=None, frame_width=FRAME[0],
                          frame_height=FRAME[1], x_range=Range1d(-1, 1), y_range=Range1d(-1, 1),
                          name="gmm-fig")
        self.points_source = ColumnDataSource(dict(x=[], y=[], color=[], label=[]),
                                              name="gmm-points")
        self.ellipse_source = ColumnDataSource(
            dict(xs=[], ys=[], color=[], component=[], n_std=[], fill_alpha=[], line_dash=[],
                 width=[], height=[], angle=[]), name="gmm-ellipses")
        self.means_source = ColumnDataSource(dict(x=[], y=[], color=[], weight=[], size=[]),
                                             name="gmm-means")
        self.ml_source = ColumnDataSource(dict(xs=[], ys=[], n_std=[]), name="gmm-ml")
        self.ml_mean_source = ColumnDataSource(dict(x=[], y=[]), name="gmm-ml-mean")
        fig.patches("xs", "ys", source=self.ellipse_source, fill_color="color",
                    fill_alpha="fill_alpha", line_color="color", line_width=2.5,
                    line_dash="line_dash")
        fig.scatter("x", "y", source=self.points_source, fill_color="color", line_color="white",
                    size=7, line_width=0.6)
        fig.multi_line("xs", "ys", source=self.ml_source, color=ML_COLOR, line_width=1.8,
                       line_dash="dotted")
        fig.scatter("x", "y", source=self.ml_mean_source, marker="x", size=16, color=ML_COLOR,
                    line_width=3)
        fig.scatter("x", "y", source=self.means_source, size="size", fill_color="color",
                    line_color="black", line_width=2)
        fig.xaxis.axis_label, fig.yaxis.axis_label = "x₁", "x₂"
        fig.on_event(Tap, self._on_tap)
        self.fig = fig

        ll = make_figure("ℓ(θ) never falls; EM's bound F(q, θ) ≤ ℓ", tools="",
                         height=330, toolbar_location=None, name="gmm-ll-fig",
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

        km = make_figure("", tools="", toolbar_location=None, sizing_mode="fixed", width=None,
                         height=None, frame_width=MINI_FRAME[0], frame_height=MINI_FRAME[1],
                         x_range=Range1d(-1, 1), y_range=Range1d(-1, 1), name="gmm-kmeans-fig")
        self.kmeans_source = ColumnDataSource(dict(x=[], y=[], color=[]), name="gmm-kmeans")
        self.kmeans_centers_source = ColumnDataSource(dict(x=[], y=[], color=[]),
                                                      name="gmm-kmeans-centers")
        km.scatter("x", "y", source=self.kmeans_source, fill_color="color", line_color="white",
                   size=5, line_width=0.5)
        km.scatter("x", "y", source=self.kmeans_centers_source, marker="diamond", size=18,
                   fill_color="color", line_color="black", line_width=2)
        km.title.text = "k-means partition (same K and initial means)"
        self.kmeans_fig = km

    # ------------------------------------------------------------------ data
    def _make_data(self) -> None:
        if self.dataset != self._data_name:
            self._clicked = np.empty((0, 2))
            self._data_name = self.dataset
        if self.dataset == "custom":
            base = np.empty((0, 2))
        else:
            base, _ = datasets.make_toy(DATASETS[self.dataset], self.n_samples,
                                        noise=self.spread, n_classes=self.n_centers,
                                        random_state=self.seed)
        self.X = np.vstack([np.asarray(base, dtype=float), self._clicked])
        # custom data: a steady view (at least CUSTOM_CORNERS), so the next click lands where
        # it is aimed
        frame = self.X if self.dataset != "custom" else np.vstack([self.X, CUSTOM_CORNERS])
        self._box = fit_box(frame, FRAME[0] / FRAME[1])
        (x0, x1), (y0, y1) = self._box
        for f in (self.fig, self.kmeans_fig):
            f.x_range.update(start=x0, end=x1)
            f.y_range.update(start=y0, end=y1)

    # ------------------------------------------------------------------ interactions
    @param.depends("dataset", "n_samples", "n_centers", "spread", "seed", watch=True)
    @guarded
    def _on_data(self) -> None:
        self._make_data()
        self._restart()

    @param.depends("n_components", "covariance_type", "reg_covar", "init_seed", watch=True)
    @guarded
    def _on_model(self) -> None:
        self._restart()

    @param.depends("hard", watch=True)
    def _on_hard(self) -> None:
        if self.means is not None:
            self._draw_points()

    @param.depends("ml_target", watch=True)
    @guarded
    def _on_ml_target(self) -> None:
        if self.means is not None:
            self._show_ml()

    @param.depends("show_kmeans", watch=True)
    @guarded
    def _on_show_kmeans(self) -> None:
        self.kmeans_card.collapsed = not self.show_kmeans
        if self.show_kmeans and self.means is not None:
            self._show_kmeans()
            self._kmeans_compare_text()

    @guarded
    def reset(self) -> None:
        """Stop playing and go back to the initial parameters."""
        self._restart()

    # ------------------------------------------------------------------ EM state
    def initial_parameters(self):
        """theta_0 (mixture.gmm_initial_parameters): pi_k = 1/K, mu_k = K distinct data points
        (``init_seed``), every Sigma_k = sigma_0^2 I with sigma_0^2 = tr(Sigma_ML) / (d K) +
        reg_covar, in the shape of ``covariance_type``."""
        return gmm_initial_parameters(self.X, self.n_components, self.covariance_type,
                                      reg_covar=self.reg_covar, random_state=self.init_seed)

    def _restart(self) -> None:
        self.pause()
        if len(self.X) == 0:
            self._show_without_model("<p class='demo-hint'>No points yet: click the plot to "
                                     f"add at least K = {self.n_components} points.</p>")
            return
        try:
            weights, means, covariances = self.initial_parameters()
            _, ll0 = gmm_e_step(self.X, weights, means, covariances, self.covariance_type)
        except ValueError:
            self._show_without_model("")
            raise
        self.weights, self.means, self.covariances = weights, means, covariances
        self.init_means = means.copy()
        self.log_resp = None
        self.steps, self.loglik, self.bounds = [], [float(ll0)], []
        self.converged = False
        self.kmeans_result = {}
        if self.show_kmeans:
            self._show_kmeans()
        self._draw()

    def responsibilities(self) -> np.ndarray | None:
        """r_ik of the last E-step (n, K), or None before the first one."""
        return None if self.log_resp is None else np.exp(self.log_resp)

    # ------------------------------------------------------------------ EM half-steps
    @guarded
    def e_step(self) -> None:
        """E-step: r_ik from the current parameters (mixture.gmm_e_step)."""
        self._e()
        self._draw()

    @guarded
    def m_step(self) -> None:
        """M-step: pi, mu, Sigma from the responsibilities (mixture.gmm_m_step); before the
        first E-step there are none, so this does the E-step."""
        if self.log_resp is None:
            self._e()
        else:
            self._m()
        self._draw()

    def _e(self) -> None:
        if self.means is None:
            return
        log_resp, ll = gmm_e_step(self.X, self.weights, self.means, self.covariances,
                                  self.covariance_type)
        self.log_resp = np.asarray(log_resp, dtype=float)
        self.steps.append("E")
        self.loglik.append(float(ll))           # theta unchanged: l stays, the bound touches it
        self.bounds.append(gmm_lower_bound(self.X, np.exp(self.log_resp), self.weights,
                                           self.means, self.covariances, self.covariance_type))

    def _m(self) -> None:
        resp = np.exp(self.log_resp)
        weights, means, covariances = gmm_m_step(self.X, resp, self.covariance_type,
                                                 self.reg_covar)
        _, ll = gmm_e_step(self.X, weights, means, covariances, self.covariance_type)
        self.weights = np.asarray(weights, dtype=float)
        self.means = np.asarray(means, dtype=float)
        self.covariances = np.asarray(covariances, dtype=float)
        previous = self.loglik[-1]
        self.steps.append("M")
        self.loglik.append(float(ll))
        self.bounds.append(gmm_lower_bound(self.X, resp, self.weights, self.means,
                                           self.covariances, self.covariance_type))
        if (float(ll) - previous) / len(self.X) < TOL:
            self.converged = True

    def half_step(self) -> None:
        """The next half-step: E at the start or after an M, M after an E."""
        if self.means is None:
            return
        if self.log_resp is None or self.steps[-1] == "M":
            self._e()
        else:
            self._m()

    @guarded
    def run_to_convergence(self) -> None:
        """Alternate E and M until an iteration raises l/N by less than TOL (or MAX_ITER)."""
        self.pause()
        for _ in range(2 * MAX_ITER):
            if self.converged or self.means is None:
                break
            self.half_step()
        self._draw()

    def n_iterations(self) -> int:
        """Completed EM iterations (M-steps)."""
        return sum(s == "M" for s in self.steps)

    # ------------------------------------------------------------------ animation
    tick_ms = 400              # Play: one half-step every 400 ms (2.5 Hz)

    def _can_play(self) -> bool:
        return self.means is not None

    def _at_end(self) -> bool:
        return self.converged

    def _rewind(self) -> None:
        self.reset()

    @guarded
    def _advance(self) -> None:
        self.half_step()
        self._draw()

    # ------------------------------------------------------------------ drawing
    def full_covariances(self) -> np.ndarray:
        """The current Sigma_k as (K, 2, 2) matrices."""
        return full_covariances(self.covariances, self.covariance_type, n_features=2)

    def hard_labels(self) -> np.ndarray:
        """argmax_k r_ik (of the last E-step; before it, of theta's responsibilities)."""
        if self.log_resp is not None:
            return np.argmax(self.log_resp, axis=1)
        log_resp, _ = gmm_e_step(self.X, self.weights, self.means, self.covariances,
                                 self.covariance_type)
        return np.argmax(log_resp, axis=1)

    def _draw(self) -> None:
        self._draw_components()
        self._draw_points()
        self._draw_loglik()
        self.e_button.disabled = self.run_button.disabled = False
        self.m_button.disabled = self.log_resp is None
        self._show_ml()
        self._show_stats()
        self._show_answers()

    def _draw_components(self) -> None:
        K = len(self.means)
        covs = self.full_covariances()
        cols: dict[str, list] = {key: [] for key in self.ellipse_source.data}
        for n_std in N_STDS[::-1]:                  # 2σ first, so 1σ is drawn on top
            for k in range(K):
                xs, ys, w, h, a = covariance_ellipse(self.means[k], covs[k], n_std)
                cols["xs"].append(xs)
                cols["ys"].append(ys)
                cols["color"].append(PALETTE[k % len(PALETTE)])
                cols["component"].append(k)
                cols["n_std"].append(n_std)
                cols["fill_alpha"].append(0.10 if n_std == 1.0 else 0.04)
                cols["line_dash"].append("solid" if n_std == 1.0 else "dashed")
                cols["width"].append(w)
                cols["height"].append(h)
                cols["angle"].append(a)
        self.ellipse_source.data = cols
        self.means_source.data = dict(
            x=self.means[:, 0], y=self.means[:, 1], color=class_colors(np.arange(K)),
            weight=self.weights, size=10.0 + 30.0 * np.sqrt(self.weights))

    def _draw_points(self) -> None:
        X = self.X
        resp = self.responsibilities()
        if resp is None:
            colors, labels = [UNASSIGNED] * len(X), np.full(len(X), -1)
        else:
            labels = np.argmax(resp, axis=1)
            colors = class_colors(labels) if self.hard else mix_colors(resp)
        self.points_source.data = dict(x=X[:, 0], y=X[:, 1], color=colors, label=labels)

    def _draw_loglik(self) -> None:
        t = np.arange(len(self.loglik))
        kinds = ["init", *self.steps]
        color = {"init": "#555555", "E": E_COLOR, "M": M_COLOR}
        label = {"init": "θ₀", "E": "after E-step", "M": "after M-step"}
        self.ll_source.data = dict(t=t, loglik=np.asarray(self.loglik, dtype=float),
                                   step=[label[s] for s in kinds],
                                   color=[color[s] for s in kinds])
        self.bound_source.data = dict(t=np.arange(1, len(self.bounds) + 1),
                                      bound=np.asarray(self.bounds, dtype=float))
        values = np.asarray(self.loglik + self.bounds, dtype=float)
        lo, hi = float(values.min()), float(values.max())
        pad = 0.08 * (hi - lo) if hi > lo else 0.05 * abs(hi) + 1e-9
        self.ll_fig.y_range.update(start=lo - pad, end=hi + pad)
        self.ll_fig.x_range.update(start=-0.5, end=max(len(self.loglik) - 1, 4) + 0.5)

    def _show_without_model(self, message: str) -> None:
        """No mixture: the points in grey, nothing else (no points yet, or K > n)."""
        self.weights = self.means = self.covariances = self.log_resp = None
        self.steps, self.loglik, self.bounds = [], [], []
        self.converged = False
        X = self.X
        self.points_source.data = dict(x=X[:, 0], y=X[:, 1], color=[UNASSIGNED] * len(X),
                                       label=np.full(len(X), -1))
        self.ellipse_source.data = {key: [] for key in self.ellipse_source.data}
        self.means_source.data = dict(x=[], y=[], color=[], weight=[], size=[])
        self.ml_source.data = dict(xs=[], ys=[], n_std=[])
        self.ml_mean_source.data = dict(x=[], y=[])
        self.ll_source.data = dict(t=[], loglik=[], step=[], color=[])
        self.bound_source.data = dict(t=[], bound=[])
        self.kmeans_source.data = dict(x=[], y=[], color=[])
        self.kmeans_centers_source.data = dict(x=[], y=[], color=[])
        for button in (self.e_button, self.m_button, self.run_button):
            button.disabled = True
        self.stats, self.ml_fit, self.kmeans_result = {}, {}, {}
        self._numbers.object = message
        self._answers.object = self._ml_text.object = self._kmeans_text.object = ""

    # ------------------------------------------------------------------ ML fit of one Gaussian
    def _show_ml(self) -> None:
        """gaussian_ml_fit of all the data or of component k's hard-assigned points; the single
        Gaussian's log-likelihood on all the data vs the mixture's."""
        X = self.X
        mean_all, cov_all = gaussian_ml_fit(X)
        cov_all = np.asarray(cov_all, dtype=float).reshape(2, 2)
        ll_single = float(np.sum(log_gaussian_pdf(
            X, np.asarray(mean_all, float)[None], (cov_all + 1e-12 * np.eye(2))[None],
            "full")))
        target = self.ml_target
        note = ""
        if target == "all":
            pts, what = X, f"all N = {len(X)} points"
        else:
            k = int(target) - 1
            labels = self.hard_labels()
            pts = X[labels == k]
            what = (f"the N<sub>{k + 1}</sub> = {len(pts)} points hard-assigned to component "
                    f"{k + 1} (argmax<sub>k</sub> r<sub>ik</sub>)")
            if k >= len(self.means):
                pts, note = X[:0], f"There are only K = {len(self.means)} components."
        if len(pts) >= 1:
            mean, cov = gaussian_ml_fit(pts)
            mean = np.asarray(mean, dtype=float).reshape(2)
            cov = np.asarray(cov, dtype=float).reshape(2, 2)
            xs, ys = [], []
            for n_std in N_STDS:
                ex, ey, *_ = covariance_ellipse(mean, cov, n_std)
                xs.append(ex)
                ys.append(ey)
            self.ml_source.data = dict(xs=xs, ys=ys, n_std=list(N_STDS))
            self.ml_mean_source.data = dict(x=[mean[0]], y=[mean[1]])
        else:
            mean = cov = None
            note = note or "No points are assigned to this component: nothing to fit."
            self.ml_source.data = dict(xs=[], ys=[], n_std=[])
            self.ml_mean_source.data = dict(x=[], y=[])
        self.ml_fit = dict(target=target, n=len(pts), mean=mean, covariance=cov,
                           single_loglik=ll_single, mixture_loglik=self.loglik[-1])

        def vec(v):
            return f"({v[0]:.3f}, {v[1]:.3f})ᵀ"

        def mat(m):
            return (f"<table class='matrix'><tr><td>{m[0, 0]:.3f}</td><td>{m[0, 1]:.3f}</td></tr>"
                    f"<tr><td>{m[1, 0]:.3f}</td><td>{m[1, 1]:.3f}</td></tr></table>")

        fit = (f"<p>Fit to {what}: μ̂ = <span data-stat='ml_mean'>{vec(mean)}</span>, "
               f"Σ̂ = </p>{mat(cov)}" if mean is not None else f"<p>{html.escape(note)}</p>")
        mix = self.loglik[-1]
        gain = mix - ll_single
        self._ml_text.object = (
            "<style>.matrix{display:inline-table;border-left:2px solid #333;"
            "border-right:2px solid #333;margin:0 0 6px 20px}.matrix td{padding:1px 8px;"
            "text-align:right;font-family:monospace}</style>"
            "<p><b>ML solution:</b> setting the gradient of Σ<sub>i</sub> log N(x<sup>(i)</sup> "
            "| μ, Σ) to zero gives the sample mean and the (biased, 1/N) sample covariance "
            "(mixture.gaussian_ml_fit; black dotted on the plot).</p>" + fit +
            "<p><b>Why mixtures?</b> One Gaussian is unimodal and elliptic: for clustered data "
            "it puts density between the clusters, where there are no points. On all the data "
            f"one Gaussian reaches ℓ = <span data-stat='single_loglik'>{ll_single:.6g}</span>; "
            f"the mixture now has ℓ = <span data-stat='mixture_loglik'>{mix:.6g}</span> "
            f"({'+' if gain >= 0 else '−'}{abs(gain):.4g}, i.e. "
            f"{gain / len(X):+.3g} nats per point). A mixture of K Gaussians can approximate "
            "any smooth density, and its components are soft clusters.</p>")

    # ------------------------------------------------------------------ k-means comparison
    def _show_kmeans(self) -> None:
        """k-means with the same K, started from the mixture's initial means."""
        K = len(self.init_means)
        model = KMeans(n_clusters=K, init=self.init_means, n_init=1, max_iter=300,
                       tol=0.0).fit(self.X)
        labels = np.asarray(model.labels_, dtype=int)
        centers = np.asarray(model.cluster_centers_, dtype=float)
        self.kmeans_result = dict(labels=labels, centers=centers, inertia=float(model.inertia_),
                                  n_iter=int(model.n_iter_))
        self.kmeans_source.data = dict(x=self.X[:, 0], y=self.X[:, 1],
                                       color=class_colors(labels))
        self.kmeans_centers_source.data = dict(x=centers[:, 0], y=centers[:, 1],
                                               color=class_colors(np.arange(K)))

    def _kmeans_compare_text(self) -> None:
        if not self.kmeans_result:
            return
        km = self.kmeans_result
        K = len(km["centers"])
        agree = matched_accuracy(self.hard_labels(), km["labels"], K)
        self.kmeans_result["agreement"] = agree
        self._kmeans_text.object = (
            "<p>Take a mixture with π<sub>k</sub> = 1/K and Σ<sub>k</sub> = σ²I for every k. "
            "Then r<sub>ik</sub> ∝ exp(−‖x<sup>(i)</sup> − μ<sub>k</sub>‖² / 2σ²), and as "
            "σ → 0 the responsibilities become hard: r<sub>ik</sub> = 1 for the nearest mean "
            "(k-means' assignment step), and the M-step's μ<sub>k</sub> becomes the mean of "
            "the assigned points (k-means' update step). So k-means is EM's hard-assignment "
            "limit: it sees only distances to the centres, so it cuts tilted or unequal "
            "clusters along straight Voronoi borders, where the mixture's ellipses follow "
            "them.</p>"
            f"<p>k-means (from the same initial means): J = {km['inertia']:.5g} after "
            f"{km['n_iter']} iterations. Its partition agrees with the mixture's hard "
            f"assignments argmax<sub>k</sub> r<sub>ik</sub> on <span data-stat='agreement'>"
            f"{agree:.1%}</span> of the points (clusters matched by the best permutation).</p>")

    # ------------------------------------------------------------------ numbers
    def _show_stats(self) -> None:
        n = len(self.X)
        falls = int(np.sum(np.diff(self.loglik) < -1e-9 * max(1.0, abs(self.loglik[0]))))
        self.stats = {
            "loglik": ("log-likelihood ℓ(θ)", float(self.loglik[-1])),
            "loglik_per_point": ("ℓ / N (scikit-learn's score)", float(self.loglik[-1] / n)),
            "bound": ("lower bound F(q, θ)", float(self.bounds[-1]) if self.bounds else "—"),
            "last_step": ("last half-step", self.steps[-1] if self.steps else "initialisation"),
            "n_iter": ("EM iterations (M-steps)", self.n_iterations()),
            "converged": (f"converged (Δℓ/N < {TOL:g})", bool(self.converged)),
            "falls": ("times ℓ fell", falls),
            "weights": ("mixing weights πₖ", ", ".join(f"{w:.3f}" for w in self.weights)),
            "K": ("K (components)", len(self.means)),
            "n": ("points N (incl. clicked)", n),
            "n_clicked": ("clicked points", len(self._clicked)),
        }
        self._numbers.object = stats_html(self.stats)
        if self.show_kmeans and self.kmeans_result:
            self._kmeans_compare_text()

    def _show_answers(self) -> None:
        last = self.steps[-1] if self.steps else None

        def mark(step):
            return " ← <b>last</b>" if last == step else ""

        self._answers.object = (
            "<p><b>How do we find the means, variances and responsibilities?</b> By EM, "
            "alternating ① <span style='color:%s'><b>E-step</b></span>: with θ fixed, "
            "r<sub>ik</sub> = the posterior probability that component k generated "
            "x<sup>(i)</sup>%s; ② <span style='color:%s'><b>M-step</b></span>: with r fixed, "
            "weighted ML fits π<sub>k</sub> = N<sub>k</sub>/N, μ<sub>k</sub>, Σ<sub>k</sub>%s.</p>"
            "<p><b>EM as majorize-minimize</b> (on −ℓ): by Jensen's inequality F(q, θ) ≤ ℓ(θ) "
            "for any responsibilities q, with equality for θ's own (the E-step makes the bound "
            "touch: □ on ●); the M-step maximises the bound, and ℓ rises at least as much. So ℓ "
            "never falls and EM converges to a local optimum (or a saddle) — again "
            "init-dependent, like k-means. (Exactly so as ε → 0: the M-step adds εI after the "
            "maximisation, so a large ε can cost ℓ a little near convergence — see "
            "“times ℓ fell”.)</p>"
        ) % (E_COLOR, mark("E"), M_COLOR, mark("M"))
