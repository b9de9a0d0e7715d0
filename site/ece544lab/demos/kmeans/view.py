"""k-means: Lloyd's algorithm one half-step at a time (assignment, update), Voronoi regions of the
centres, the cost that never rises, and two initialisations that end in different local optima.

Course notes (k-Means Clustering): what is the cost function? what are the steps? what are the
guarantees? J = sum_i sum_k r_ik ||x_i - mu_k||^2; the assignment step minimises J over r with mu
fixed, the update step over mu with r fixed, so J never increases and the algorithm stops after
finitely many steps, at a LOCAL optimum that depends on the initialisation.

parameters -> compute() (a recorded run, :mod:`.compute`) -> draw(result) (the step-through's
frame); the step-through only moves over the recorded frames.
"""
from __future__ import annotations

import html

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, Range1d

from ece544core.cluster import kmeans_init

from ...views.canvas import ClassifierCanvas
from ...views.common import heading, stats_html
from ...views.demo import Demo
from ...views.layout import plots
from ...views.plotting import PALETTE, class_colors, grid, make_figure, one_hot, region_image
from .stepping import StepControls
from .compute import GRID_N, KMeansRun, compare_inits, make_points, run_lloyd

FRAME = (460, 380)        # main plot frame in screen pixels; the data box gets the same aspect
CUSTOM_CORNERS = np.array([[-5.0, -5.0], [5.0, 5.0]])  # inside the custom data's view
SIDE_MIN = 300            # narrowest side column next to the plot (else it wraps below)
MINI_FRAME = (300, 240)   # the two "compare inits" plots
UNASSIGNED = "#9a9a9a"    # points before the first assignment step
ASSIGN_COLOR, UPDATE_COLOR = PALETTE[0], PALETTE[5]


class KMeansDemo(Demo):
    """Lloyd's algorithm step by step on 2-D points; cost history; two inits compared."""

    slug = "kmeans"
    title = "k-means"
    formula = (
        r"$$J(\{r_{ik}\}, \{\boldsymbol{\mu}_k\}) = \sum_{i=1}^{N} \sum_{k=1}^{K} r_{ik}\,"
        r"\|\mathbf{x}^{(i)} - \boldsymbol{\mu}_k\|^2, \qquad r_{ik} \in \{0, 1\},\;"
        r"\textstyle\sum_k r_{ik} = 1$$"
        r"$$\text{assignment: } r_{ik} = [\,k = \arg\min_j \|\mathbf{x}^{(i)} - "
        r"\boldsymbol{\mu}_j\|^2\,] \qquad \text{update: } \boldsymbol{\mu}_k = "
        r"\frac{\sum_i r_{ik}\,\mathbf{x}^{(i)}}{\sum_i r_{ik}}$$"
    )
    what_to_try = (
        "Press Step to alternate the assignment and update half-steps and watch J fall after "
        "each; Play runs to convergence; switch init to random and try other init seeds; press "
        "Compare two inits to see two local optima with different J; set k above the number of "
        "blobs; click to add an outlier far away and see a centre chase it."
    )
    url_params = ("dataset", "n_samples", "n_centers", "spread", "seed", "n_clusters", "init",
                  "init_seed", "compare_seed")

    dataset = param.Selector(default="blobs", objects=["blobs", "custom"],
                             doc="Generated Gaussian blobs, or 'custom': start empty and click "
                                 "to add points.")
    n_samples = param.Integer(default=250, bounds=(10, 500), label="n (points)",
                              doc="Number of generated points.")
    n_centers = param.Integer(default=5, bounds=(1, 8), label="blobs",
                              doc="Number of Gaussian blobs the points are drawn from.")
    spread = param.Number(default=1.0, bounds=(0.1, 4.0), step=0.1, label="blob spread σ",
                          doc="Standard deviation of every blob (centres lie in [-6, 6]^2).")
    seed = param.Integer(default=16, bounds=(0, 9999), label="data seed",
                         doc="Random seed of the generated points.")
    n_clusters = param.Integer(default=5, bounds=(1, 8), label="k (clusters)",
                               doc="Number of clusters K, i.e. of centres mu_k.")
    init = param.Selector(default="random", objects=["k-means++", "random"],
                          doc="Initial centres: k-means++ (D^2 sampling) or k random data "
                              "points.")
    init_seed = param.Integer(default=0, bounds=(0, 9999), label="init seed",
                              doc="Random seed of the initial centres (run A of the comparison).")
    compare_seed = param.Integer(default=1, bounds=(0, 9999), label="second init seed",
                                 doc="Seed of run B in 'Compare two inits'.")

    # ------------------------------------------------------------------ build
    def build(self):
        self.comparison_shown = False
        self.canvas = ClassifierCanvas(
            "kmeans", "Voronoi cells of the centres (click to add a point)", ["point"],
            frame=FRAME, on_change=self.update, empty_box=(-5.0, 5.0))
        # a new data set drops the clicks before the base's update (watchers run in order)
        self.param.watch(lambda *_e: self.canvas.clear_clicked(notify=False), "dataset")
        self._build_figures()
        self.stepping = StepControls(self, "kmeans-steps")
        self.steps, self.run_button = self.stepping.steps, self.stepping.run_button
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._answers = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._compare_text = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        controls = [
            heading("Data"),
            self.param_controls(["dataset", "n_samples", "n_centers", "spread", "seed"],
                                dataset=pn.widgets.RadioButtonGroup),
            pn.pane.HTML("<small>A click on the plot adds a point.</small>", margin=(0, 10)),
            self.stepping.clear_button,
            heading("k-means"),
            self.param_controls(["n_clusters", "init", "init_seed"],
                                init=pn.widgets.RadioButtonGroup),
            heading("Lloyd's algorithm, one half-step at a time"),
            self.steps,
            self.run_button,
            heading("Local optima"),
            self.param_controls(["compare_seed"]),
        ]
        return controls, self._main(), self._numbers

    def _build_figures(self) -> None:
        fig = self.canvas.fig
        self.fig = fig
        self.region_source = self.canvas.regions
        self.trail_source = self.canvas.add_lines("trail", color="color", line_width=2.5,
                                                  line_alpha=0.9)
        self.trail_source.data = dict(xs=[], ys=[], color=[])
        self.canvas.draw_points_glyphs(size=7)
        self.points_source = self.canvas.points
        self.centers_source = ColumnDataSource(dict(x=[], y=[], k=[], color=[], size=[]),
                                               name="kmeans-centers")
        fig.scatter("x", "y", source=self.centers_source, marker="diamond", size=24,
                    fill_color="color", line_color="black", line_width=2)
        fig.xaxis.axis_label, fig.yaxis.axis_label = "x₁", "x₂"

        cost = make_figure("Cost J per half-step (never rises)", tools="",
                           sizing_mode="fixed", width=SIDE_MIN + 40, height=260,
                           toolbar_location=None, name="kmeans-cost-fig",
                           x_range=Range1d(0, 2), y_range=Range1d(0, 1))
        self.cost_source = ColumnDataSource(dict(t=[], cost=[], step=[], color=[]),
                                            name="kmeans-cost")
        cost.line("t", "cost", source=self.cost_source, color="#555555", line_width=1.5)
        cost.scatter("t", "cost", source=self.cost_source, color="color", size=8,
                     legend_field="step")
        cost.legend.location = "top_right"
        cost.legend.background_fill_alpha = 0.7
        cost.legend.padding, cost.legend.margin = 2, 4
        cost.xaxis.axis_label, cost.yaxis.axis_label = "half-step t", "J"
        self.cost_fig = cost

        self.compare_sources, self.compare_figs = [], []
        for run in ("a", "b"):
            f = make_figure(f"run {run.upper()}", tools="", toolbar_location=None,
                            sizing_mode="fixed", width=None, height=None,
                            frame_width=MINI_FRAME[0], frame_height=MINI_FRAME[1],
                            x_range=Range1d(-1, 1), y_range=Range1d(-1, 1),
                            name=f"kmeans-compare-{run}-fig")
            pts = ColumnDataSource(dict(x=[], y=[], color=[]), name=f"kmeans-compare-{run}")
            ctr = ColumnDataSource(dict(x=[], y=[], color=[]),
                                   name=f"kmeans-compare-{run}-centers")
            f.scatter("x", "y", source=pts, fill_color="color", line_color="white", size=5,
                      line_width=0.5)
            f.scatter("x", "y", source=ctr, marker="diamond", size=18, fill_color="color",
                      line_color="black", line_width=2)
            self.compare_sources.append((pts, ctr))
            self.compare_figs.append(f)

    def _main(self) -> pn.Column:
        legend = pn.pane.HTML(
            "<small>Shading: the Voronoi cell of each centre (the points nearest to it). "
            "Points: coloured by their current assignment r (grey: not yet assigned). "
            "◆ centres μ<sub>k</sub>, lines: their trail.</small>",
            width=FRAME[0] + 50, margin=(0, 10))
        compare_button = pn.widgets.Button(name="Compare two inits", button_type="success",
                                           width=180)
        compare_button.on_click(lambda _e: self.compare_inits())
        self._compare_plots = plots(pn.pane.Bokeh(self.compare_figs[0]),
                                    pn.pane.Bokeh(self.compare_figs[1]), visible=False)
        self.compare_card = pn.Card(
            pn.Column(pn.Row(compare_button, self._compare_text, sizing_mode="stretch_width"),
                      self._compare_plots, sizing_mode="stretch_width"),
            title="Guarantees? Same data and k, two initialisations: two local optima",
            sizing_mode="stretch_width", margin=(10, 10))
        right = pn.Column(pn.pane.Bokeh(self.cost_fig), self._answers,
                          sizing_mode="stretch_width",
                          styles={"flex": f"1 1 {SIDE_MIN}px", "min-width": "0"})
        return pn.Column(plots(pn.Column(self.canvas.panel(), legend, width=FRAME[0] + 80),
                               right),
                         self.compare_card, sizing_mode="stretch_width")

    # ------------------------------------------------------------------ compute
    def compute(self) -> KMeansRun:
        """The points, the initial centres (cluster.kmeans_init), the recorded Lloyd run and
        the comparison of two init seeds; fewer points than k: the points and a note."""
        X, clicked = make_points(self.dataset, self.n_samples, self.n_centers, self.spread,
                                 self.seed, self.canvas.clicked_X)
        view = X if self.dataset != "custom" else np.vstack([X, CUSTOM_CORNERS])
        box = self.canvas.box_for(view)
        key = (X.tobytes(), self.n_clusters, self.init, self.init_seed)
        k = self.n_clusters
        if len(X) < k:
            note = (f"No points yet: click the plot to add at least k = {k} points." if not len(X)
                    else f"k = {k} clusters need at least {k} points and there are {len(X)}: "
                         "click to add points, or lower k.")
            return KMeansRun(key, X, clicked, box, None, None, None, note=note)
        start = kmeans_init(X, k, self.init, random_state=self.init_seed)
        centers, labels, grid_labels, steps, costs, converged = run_lloyd(
            X, start, grid(*box, GRID_N)[2])
        comparison = compare_inits(X, k, self.init, (self.init_seed, self.compare_seed))
        return KMeansRun(key, X, clicked, box, centers, labels, grid_labels, steps, costs,
                         converged, comparison)

    # ------------------------------------------------------------------ interactions
    def compare_inits(self) -> None:
        """Show the two runs of the comparison (computed with the result)."""
        self.comparison_shown = True
        self.redraw()

    @property
    def comparison(self):
        """The comparison on display (None until 'Compare two inits', and after a new run)."""
        shown = self.comparison_shown and self.result is not None
        return self.result.comparison if shown else None

    @property
    def frame(self):
        """The frame on display (None without a run)."""
        return self.stepping.frame()

    # ------------------------------------------------------------------ drawing
    def draw(self, result: KMeansRun) -> None:
        if self.stepping.follow(result):
            self.comparison_shown = False
        self.canvas.set_box(result.box)
        frame = result.frame(self.steps.index)
        self.run_button.disabled = frame is None or self.steps.at_end
        self._draw_points(result, frame)
        if frame is None:
            self._draw_without_run(result)
        else:
            self._draw_frame(result, frame)
        self._draw_comparison(result)

    def _draw_points(self, result: KMeansRun, frame) -> None:
        X, n = result.X, len(result.X)
        if frame is None or frame.labels is None:
            labels, colors = np.full(n, -1), [UNASSIGNED] * n
        else:
            labels, colors = frame.labels, class_colors(frame.labels)
        self.points_source.data = dict(x=X[:, 0], y=X[:, 1], label=labels, color=colors,
                                       line_color=["white"] * n, clicked=result.clicked)

    def _draw_frame(self, result: KMeansRun, frame) -> None:
        centers, k = frame.centers, len(frame.centers)
        image = region_image(one_hot(frame.grid_labels, k), (GRID_N, GRID_N))
        self.canvas.show_regions(image, result.box)
        colors = class_colors(np.arange(k))
        self.trail_source.data = dict(xs=[frame.trail[:, j, 0] for j in range(k)],
                                      ys=[frame.trail[:, j, 1] for j in range(k)], color=colors)
        self.centers_source.data = dict(x=centers[:, 0], y=centers[:, 1], k=np.arange(k),
                                        color=colors, size=np.full(k, 24))
        costs = frame.costs
        self.cost_source.data = dict(
            t=np.arange(1, len(costs) + 1), cost=costs, step=list(frame.steps),
            color=[ASSIGN_COLOR if s == "assign" else UPDATE_COLOR for s in frame.steps])
        if len(costs):
            lo, hi = float(costs.min()), float(costs.max())
            pad = 0.08 * (hi - lo) if hi > lo else 0.05 * abs(hi) + 1e-9
            self.cost_fig.y_range.update(start=lo - pad, end=hi + pad)
        self.cost_fig.x_range.update(start=0.5, end=max(len(costs), 4) + 0.5)
        self._show_stats(result, frame)
        self._show_answers(frame)

    def _draw_without_run(self, result: KMeansRun) -> None:
        """Fewer points than k: the points in grey, no centres, regions or costs."""
        self.canvas.show_regions(None, result.box)
        self.trail_source.data = dict(xs=[], ys=[], color=[])
        self.centers_source.data = dict(x=[], y=[], k=[], color=[], size=[])
        self.cost_source.data = dict(t=[], cost=[], step=[], color=[])
        self.stats = {}
        self._numbers.object = f"<p class='demo-hint' data-hint='1'>{html.escape(result.note)}</p>"
        self._answers.object = ""

    def _show_stats(self, result: KMeansRun, frame) -> None:
        k = len(frame.centers)
        sizes = None if frame.labels is None else np.bincount(frame.labels, minlength=k)
        self.stats = {
            "cost": ("cost J (after the last half-step)",
                     float(frame.costs[-1]) if len(frame.costs) else "—"),
            "last_step": ("last half-step", frame.steps[-1] if frame.steps else "initialisation"),
            "half_steps": ("half-steps", len(frame.steps)),
            "n_iter": ("iterations (update steps)", frame.n_iter),
            "converged": ("converged (assignment unchanged)", bool(frame.converged)),
            "k": ("k (clusters)", k),
            "n": ("points n (incl. clicked)", len(result.X)),
            "n_clicked": ("clicked points", int(result.clicked.sum())),
            "sizes": ("cluster sizes Σᵢ rᵢₖ", "—" if sizes is None else
                      ", ".join(str(int(s)) for s in sizes)),
        }
        self._numbers.object = stats_html(self.stats)

    def _show_answers(self, frame) -> None:
        costs = frame.costs
        cost = f"{costs[-1]:.6g}" if len(costs) else "— (no assignment yet)"
        last = frame.steps[-1] if frame.steps else None
        rises = int(np.sum(np.diff(costs) > 1e-9 * max(1.0, abs(costs[0])))) \
            if len(costs) > 1 else 0
        drop = (f" (here it fell from {costs[0]:.4g} to {costs[-1]:.4g} and rose "
                f"<span data-stat='rises'>{rises}</span> times)" if len(costs) > 1 else "")

        def mark(step):
            return " ← <b>last</b>" if last == step else ""

        state = ("<b>converged</b>: the assignment no longer changes, so neither do the "
                 "centres — a fixed point of both steps" if frame.converged else
                 "not converged yet")
        self._answers.object = (
            "<p><b>Cost function?</b> J = Σ<sub>i</sub> Σ<sub>k</sub> r<sub>ik</sub> "
            "‖x<sup>(i)</sup> − μ<sub>k</sub>‖², the sum of squared distances of the points "
            f"to their centres. Now J = <span data-stat='answer_cost'>{cost}</span>.</p>"
            "<p><b>Steps?</b> Alternate ① <span style='color:%s'><b>assignment</b></span>: "
            "every point joins its nearest centre (best r for fixed μ)%s; ② "
            "<span style='color:%s'><b>update</b></span>: every centre moves to the mean of its "
            "points (best μ for fixed r)%s.</p>"
            "<p><b>Guarantees?</b> Each half-step minimises J over one block of variables, so J "
            "never increases%s; there are finitely many assignments, so it stops after finitely "
            "many steps (%s) — but only at a <b>local</b> optimum that depends on the "
            "initialisation (compare two inits below); finding the global optimum is NP-hard.</p>"
        ) % (ASSIGN_COLOR, mark("assign"), UPDATE_COLOR, mark("update"), drop, state)

    # ------------------------------------------------------------------ comparison
    def _draw_comparison(self, result: KMeansRun) -> None:
        (x0, x1), (y0, y1) = result.box
        for f in self.compare_figs:
            f.x_range.update(start=x0, end=x1)
            f.y_range.update(start=y0, end=y1)
        c = self.comparison
        self._compare_plots.visible = c is not None
        if c is None:
            for (pts, ctr), f, name in zip(self.compare_sources, self.compare_figs, "AB"):
                pts.data = dict(x=[], y=[], color=[])
                ctr.data = dict(x=[], y=[], color=[])
                f.title.text = f"run {name}"
            self._compare_text.object = (
                "<p>Runs k-means to convergence from the init seed on the left (run A) and "
                "from the second init seed (run B), same data, k and init method.</p>")
            return
        X = result.X
        for i, ((pts, ctr), f, name) in enumerate(zip(self.compare_sources, self.compare_figs,
                                                      "AB")):
            pts.data = dict(x=X[:, 0], y=X[:, 1], color=class_colors(c.labels[i]))
            mu = c.centers[i]
            ctr.data = dict(x=mu[:, 0], y=mu[:, 1], color=class_colors(np.arange(len(mu))))
            f.title.text = f"run {name}: init seed {c.seeds[i]}, J = {c.inertia[i]:.5g}"
        (sa, sb), (ja, jb) = c.seeds, c.inertia
        if np.isclose(ja, jb, rtol=1e-9, atol=1e-12):
            verdict = ("Both runs reached the same cost: here the two initialisations found the "
                       "same optimum. Try other seeds, the random init, or more blobs.")
        else:
            (best, jbest), (worst, jworst) = sorted([(sa, ja), (sb, jb)], key=lambda p: p[1])
            verdict = (f"Different local optima: seed {worst} stops at a cost "
                       f"{jworst / jbest:.3g}× that of seed {best}. "
                       "Each run is a fixed point of the two steps, yet only one is the better "
                       "clustering: Lloyd's algorithm guarantees a local, not the global, "
                       "optimum (in practice: run several inits, keep the lowest J — n_init).")
        self._compare_text.object = (
            f"<p>Final cost J: run A (seed {sa}) <b data-stat='compare_a'>{ja:.6g}</b> after "
            f"{c.n_iter[0]} iterations; run B (seed {sb}) <b data-stat='compare_b'>{jb:.6g}</b> "
            f"after {c.n_iter[1]} iterations.<br>{html.escape(verdict)}</p>")
