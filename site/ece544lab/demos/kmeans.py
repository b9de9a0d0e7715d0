"""k-means: Lloyd's algorithm one half-step at a time (assignment, update), Voronoi regions of the
centres, the cost that never rises, and two initialisations that end in different local optima.

Course notes (k-Means Clustering): what is the cost function? what are the steps? what are the
guarantees? J = sum_i sum_k r_ik ||x_i - mu_k||^2; the assignment step minimises J over r with mu
fixed, the update step over mu with r fixed, so J never increases and the algorithm stops after
finitely many steps, at a LOCAL optimum that depends on the initialisation.
"""
from __future__ import annotations

import html

import numpy as np
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import ColumnDataSource, Range1d

from ece544core import datasets
from ece544core.cluster import KMeans, kmeans_assign, kmeans_cost, kmeans_init, kmeans_update

from ..views.common import CONTROL_WIDTH, ClickedPoints, Demo, Playable, guarded, heading, stats_html
from ..views.plotting import (PALETTE, class_colors, empty_image, fit_box, grid, make_figure, one_hot,
                       region_image)

GRID_N = 120              # Voronoi image is GRID_N x GRID_N
FRAME = (460, 380)        # main plot frame in screen pixels; the data box gets the same aspect
CUSTOM_CORNERS = np.array([[-5.0, -5.0], [5.0, 5.0]])  # inside the custom data's view
SIDE_MIN = 280           # narrowest side column next to the plot (else it wraps below)
MINI_FRAME = (300, 240)   # the two "compare inits" plots
MAX_ITER = 300            # Lloyd iterations (assign + update) of "Run to convergence"
UNASSIGNED = "#9a9a9a"    # points before the first assignment step
ASSIGN_COLOR, UPDATE_COLOR = PALETTE[0], PALETTE[5]


class KMeansDemo(ClickedPoints, Playable, Demo):
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
        "Press Assign step and Update step in turn and watch J fall after each; Play runs to "
        "convergence; switch init to random and try other init seeds; press Compare two inits "
        "to see two local optima with different J; set k above the number of blobs; click to "
        "add an outlier far away and see a centre chase it."
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

    def __init__(self, **params):
        super().__init__(**params)
        self._clicked = np.empty((0, 2))
        self._data_name = self.dataset
        self.X = np.empty((0, 2))
        self._box = fit_box(self.X, FRAME[0] / FRAME[1])
        self._grid = grid(*self._box, GRID_N)[2]
        self.centers: np.ndarray | None = None
        self.labels: np.ndarray | None = None
        self.trail: list[np.ndarray] = []       # centres after init and after every update
        self.steps: list[str] = []              # "assign" / "update", one per half-step
        self.costs: list[float] = []            # J after each half-step
        self.converged = False
        self.comparison: dict | None = None
        self.stats: dict = {}
        self._build_figures()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._answers = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._compare_text = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._layout = self.page(self._controls(), self._main(), self._numbers)
        self._on_data()

    # ------------------------------------------------------------------ widgets / layout
    def _controls(self) -> list:
        self.assign_button = pn.widgets.Button(name="Assign step", width=115,
                                               button_type="primary", button_style="outline")
        self.update_button = pn.widgets.Button(name="Update step", width=115,
                                               button_type="warning", button_style="outline")
        self._make_play_button()
        self.reset_button = pn.widgets.Button(name="Reset", width=70)
        self.run_button = pn.widgets.Button(name="Run to convergence", width=240)
        self.assign_button.on_click(lambda _e: self.assign_step())
        self.update_button.on_click(lambda _e: self.update_step())
        self.reset_button.on_click(lambda _e: self.reset())
        self.run_button.on_click(lambda _e: self.run_to_convergence())
        clear = pn.widgets.Button(name="Remove clicked points", width=CONTROL_WIDTH - 20)
        clear.on_click(lambda _e: self.reset_points())
        return [
            heading("Data"),
            self.param_controls(["dataset", "n_samples", "n_centers", "spread", "seed"],
                                dataset=pn.widgets.RadioButtonGroup),
            pn.pane.HTML("<small>A click on the plot adds a point.</small>", margin=(0, 10)),
            clear,
            heading("k-means"),
            self.param_controls(["n_clusters", "init", "init_seed"],
                                init=pn.widgets.RadioButtonGroup),
            heading("Lloyd's algorithm, one half-step at a time"),
            pn.Row(self.assign_button, self.update_button),
            pn.Row(self.play_button, self.reset_button),
            self.run_button,
            heading("Local optima"),
            self.param_controls(["compare_seed"]),
        ]

    def _main(self) -> pn.Column:
        legend = pn.pane.HTML(
            "<small>Shading: the Voronoi cell of each centre (the points nearest to it). "
            "Points: coloured by their current assignment r (grey: not yet assigned). "
            "◆ centres μ<sub>k</sub>, lines: their trail.</small>",
            width=FRAME[0] + 50, margin=(0, 10))
        compare_button = pn.widgets.Button(name="Compare two inits", button_type="success",
                                           width=180)
        compare_button.on_click(lambda _e: self.compare_inits())
        self._compare_plots = pn.Row(pn.pane.Bokeh(self.compare_figs[0]),
                                     pn.pane.Bokeh(self.compare_figs[1]), visible=False)
        self.compare_card = pn.Card(
            pn.Column(pn.Row(compare_button, self._compare_text, sizing_mode="stretch_width"),
                      self._compare_plots, sizing_mode="stretch_width"),
            title="Guarantees? Same data and k, two initialisations: two local optima",
            sizing_mode="stretch_width", margin=(10, 10))
        # next to the plot when there are SIDE_MIN pixels left, else wrapped below it (a Row
        # with flex-wrap; no min widths inside, or the Row would be as wide as both)
        right = pn.Column(pn.pane.Bokeh(self.cost_fig, sizing_mode="stretch_width"),
                          self._answers, sizing_mode="stretch_width",
                          styles={"flex": f"1 1 {SIDE_MIN}px"})
        return pn.Column(
            # side by side when there is room, the side column below the plot otherwise
            pn.Row(pn.Column(pn.pane.Bokeh(self.fig), legend, width=FRAME[0] + 80), right,
                   sizing_mode="stretch_width", styles={"flex-wrap": "wrap"}),
            self.compare_card, sizing_mode="stretch_width")

    # ------------------------------------------------------------------ figures
    def _build_figures(self) -> None:
        fig = make_figure("Voronoi cells of the centres (click to add a point)",
                          tools="pan,wheel_zoom,reset", sizing_mode="fixed", width=None,
                          height=None, frame_width=FRAME[0], frame_height=FRAME[1],
                          x_range=Range1d(-1, 1), y_range=Range1d(-1, 1), name="kmeans-fig")
        self.region_source = ColumnDataSource(
            empty_image(),
            name="kmeans-regions")
        self.points_source = ColumnDataSource(dict(x=[], y=[], label=[], color=[]),
                                              name="kmeans-points")
        self.trail_source = ColumnDataSource(dict(xs=[], ys=[], color=[]), name="kmeans-trail")
        self.centers_source = ColumnDataSource(dict(x=[], y=[], k=[], color=[], size=[]),
                                               name="kmeans-centers")
        fig.image_rgba(image="image", x="x", y="y", dw="dw", dh="dh", source=self.region_source)
        fig.scatter("x", "y", source=self.points_source, fill_color="color", line_color="white",
                    size=7, line_width=0.8)
        fig.multi_line("xs", "ys", source=self.trail_source, color="color", line_width=2.5,
                       line_alpha=0.9)
        fig.scatter("x", "y", source=self.centers_source, marker="diamond", size=24,
                    fill_color="color", line_color="black", line_width=2)
        fig.xaxis.axis_label, fig.yaxis.axis_label = "x₁", "x₂"
        fig.on_event(Tap, self._on_tap)
        self.fig = fig

        cost = make_figure("Cost J per half-step (never rises)", tools="", height=260,
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

        self.compare_sources = []
        self.compare_figs = []
        for run in ("a", "b"):
            f = make_figure("", tools="", toolbar_location=None, sizing_mode="fixed",
                            width=None, height=None, frame_width=MINI_FRAME[0],
                            frame_height=MINI_FRAME[1], x_range=Range1d(-1, 1),
                            y_range=Range1d(-1, 1), name=f"kmeans-compare-{run}-fig")
            pts = ColumnDataSource(dict(x=[], y=[], color=[]), name=f"kmeans-compare-{run}")
            ctr = ColumnDataSource(dict(x=[], y=[], color=[]),
                                   name=f"kmeans-compare-{run}-centers")
            f.scatter("x", "y", source=pts, fill_color="color", line_color="white", size=5,
                      line_width=0.5)
            f.scatter("x", "y", source=ctr, marker="diamond", size=18, fill_color="color",
                      line_color="black", line_width=2)
            f.title.text = f"run {run.upper()}"
            self.compare_sources.append((pts, ctr))
            self.compare_figs.append(f)

    # ------------------------------------------------------------------ data
    def _make_data(self) -> None:
        """Generated blobs plus the clicked points (kept unless the data set changes)."""
        if self.dataset != self._data_name:
            self._clicked = np.empty((0, 2))
            self._data_name = self.dataset
        if self.dataset == "custom":
            base = np.empty((0, 2))
        else:
            base, _ = datasets.make_toy("random_blobs", self.n_samples, noise=self.spread,
                                        n_classes=self.n_centers, random_state=self.seed)
        self.X = np.vstack([np.asarray(base, dtype=float), self._clicked])
        # custom data: a steady view (at least CUSTOM_CORNERS), so the next click lands where
        # it is aimed
        frame = self.X if self.dataset != "custom" else np.vstack([self.X, CUSTOM_CORNERS])
        self._box = fit_box(frame, FRAME[0] / FRAME[1])
        self._grid = grid(*self._box, GRID_N)[2]                 # (GRID_N**2, 2)
        (x0, x1), (y0, y1) = self._box
        for f in (self.fig, *self.compare_figs):
            f.x_range.update(start=x0, end=x1)
            f.y_range.update(start=y0, end=y1)

    # ------------------------------------------------------------------ interactions
    @param.depends("dataset", "n_samples", "n_centers", "spread", "seed", watch=True)
    @guarded
    def _on_data(self) -> None:
        self._make_data()
        self._restart()

    @param.depends("n_clusters", "init", "init_seed", watch=True)
    @guarded
    def _on_init(self) -> None:
        self._restart()

    @param.depends("compare_seed", watch=True)
    def _on_compare_seed(self) -> None:
        self._clear_comparison()

    @guarded
    def reset(self) -> None:
        """Stop playing and go back to the initial centres (no assignment yet)."""
        self._restart()

    def _restart(self) -> None:
        """New initial centres for the current data, k, init and seed; history cleared. On an
        error (k > n) nothing changes but the play state, so the plots keep their last state."""
        self.pause()
        self._clear_comparison()
        if len(self.X) == 0:
            self._show_without_centers("<p class='demo-hint'>No points yet: click the plot to "
                                       f"add at least k = {self.n_clusters} points.</p>")
            return
        try:
            centers = kmeans_init(self.X, self.n_clusters, self.init, random_state=self.init_seed)
        except ValueError:
            # k > n: show the points (so clicks stay visible), no centres; the error is shown
            self._show_without_centers("")
            raise
        self.centers, self.labels = centers, None
        self.trail = [centers.copy()]
        self.steps, self.costs = [], []
        self.converged = False
        self._draw()

    # ------------------------------------------------------------------ Lloyd's half-steps
    def assign_step(self) -> None:
        """Assignment: r_ik = 1 for the nearest centre (cluster.kmeans_assign). Without a run
        (no points, or k > n) nothing happens and a shown error stays."""
        if self.centers is not None:
            self._assign_and_draw()

    def update_step(self) -> None:
        """Update: mu_k = mean of the points assigned to k (cluster.kmeans_update); before the
        first assignment there is nothing to average, so this assigns."""
        if self.centers is not None:
            self._update_and_draw()

    @guarded
    def _assign_and_draw(self) -> None:
        self._assign()
        self._draw()

    @guarded
    def _update_and_draw(self) -> None:
        if self.labels is None:
            self._assign()
        else:
            self._update()
        self._draw()

    def _assign(self) -> None:
        if self.centers is None:
            return
        labels, cost = kmeans_assign(self.X, self.centers)
        labels = np.asarray(labels, dtype=int)
        stable = (self.labels is not None and self.steps and self.steps[-1] == "update"
                  and np.array_equal(labels, self.labels))
        self.labels = labels
        self._record("assign", float(cost))
        self.converged = self.converged or bool(stable)

    def _update(self) -> None:
        new = np.asarray(kmeans_update(self.X, self.labels, self.centers), dtype=float)
        moved = not np.array_equal(new, self.centers)
        self.centers = new
        self.trail.append(new.copy())
        # J(r, mu) with the assignment r of the last assignment step, the new centres
        self._record("update", kmeans_cost(self.X, new, self.labels))
        if not moved and len(self.steps) >= 2 and self.steps[-2] == "assign":
            self.converged = True

    def _record(self, step: str, cost: float) -> None:
        self.steps.append(step)
        self.costs.append(cost)

    def half_step(self) -> None:
        """The next half-step of Lloyd's algorithm: assignment after an update (or at the
        start), update after an assignment."""
        if self.centers is None:
            return
        if self.labels is None or self.steps[-1] == "update":
            self._assign()
        else:
            self._update()

    def run_to_convergence(self) -> None:
        """Alternate the half-steps until the assignment stops changing (at most MAX_ITER
        iterations)."""
        self.pause()
        if self.centers is not None:
            self._run()

    @guarded
    def _run(self) -> None:
        for _ in range(2 * MAX_ITER):
            if self.converged:
                break
            self.half_step()
        self._draw()

    # ------------------------------------------------------------------ animation
    tick_ms = 400              # Play: one half-step every 400 ms (2.5 Hz)

    def _can_play(self) -> bool:
        return self.centers is not None

    def _at_end(self) -> bool:
        return self.converged

    def _rewind(self) -> None:
        self.reset()

    @guarded
    def _advance(self) -> None:
        self.half_step()
        self._draw()

    # ------------------------------------------------------------------ comparison
    @guarded
    def compare_inits(self) -> None:
        """Run KMeans to convergence from the initial centres of ``init_seed`` (run A, the one
        the step-through uses) and of ``compare_seed`` (run B); show both final costs."""
        if len(self.X) == 0:
            raise ValueError("no points yet: click the plot to add some")
        runs = []
        for seed in (self.init_seed, self.compare_seed):
            # tol = 0: stop only at a fixed point, like the step-through
            model = KMeans(n_clusters=self.n_clusters, init=self.init, n_init=1,
                           max_iter=MAX_ITER, tol=0.0, random_state=seed).fit(self.X)
            runs.append(dict(seed=seed, inertia=float(model.inertia_), n_iter=int(model.n_iter_),
                             centers=np.asarray(model.cluster_centers_, dtype=float),
                             labels=np.asarray(model.labels_, dtype=int)))
        self.comparison = dict(a=runs[0], b=runs[1])
        self._compare_plots.visible = True
        for (pts, ctr), run, f, name in zip(self.compare_sources, runs, self.compare_figs, "AB"):
            pts.data = dict(x=self.X[:, 0], y=self.X[:, 1], color=class_colors(run["labels"]))
            c = run["centers"]
            ctr.data = dict(x=c[:, 0], y=c[:, 1], color=class_colors(np.arange(len(c))))
            f.title.text = f"run {name}: init seed {run['seed']}, J = {run['inertia']:.5g}"
        a, b = runs
        if np.isclose(a["inertia"], b["inertia"], rtol=1e-9, atol=1e-12):
            verdict = ("Both runs reached the same cost: here the two initialisations found the "
                       "same optimum. Try other seeds, the random init, or more blobs.")
        else:
            best, worst = (a, b) if a["inertia"] < b["inertia"] else (b, a)
            verdict = (f"Different local optima: seed {worst['seed']} stops at a cost "
                       f"{worst['inertia'] / best['inertia']:.3g}× that of seed {best['seed']}. "
                       "Each run is a fixed point of the two steps, yet only one is the better "
                       "clustering: Lloyd's algorithm guarantees a local, not the global, "
                       "optimum (in practice: run several inits, keep the lowest J — n_init).")
        self._compare_text.object = (
            f"<p>Final cost J: run A (seed {a['seed']}) <b data-stat='compare_a'>"
            f"{a['inertia']:.6g}</b> after {a['n_iter']} iterations; run B (seed {b['seed']}) "
            f"<b data-stat='compare_b'>{b['inertia']:.6g}</b> after {b['n_iter']} iterations."
            f"<br>{html.escape(verdict)}</p>")

    def _clear_comparison(self) -> None:
        self.comparison = None
        for pts, ctr in getattr(self, "compare_sources", []):
            pts.data = dict(x=[], y=[], color=[])
            ctr.data = dict(x=[], y=[], color=[])
        for f, name in zip(getattr(self, "compare_figs", []), "AB"):
            f.title.text = f"run {name}"
        if hasattr(self, "_compare_plots"):
            self._compare_plots.visible = False
        if hasattr(self, "_compare_text"):
            self._compare_text.object = (
                "<p>Runs k-means to convergence from the init seed on the left (run A) and "
                "from the second init seed (run B), same data, k and init method.</p>")

    # ------------------------------------------------------------------ drawing
    def _draw(self) -> None:
        X, centers = self.X, self.centers
        k = len(centers)
        (x0, x1), (y0, y1) = self._box
        grid_labels, _ = kmeans_assign(self._grid, centers)
        image = region_image(one_hot(grid_labels, k), (GRID_N, GRID_N))
        self.region_source.data = dict(image=[image], x=[x0], y=[y0], dw=[x1 - x0],
                                       dh=[y1 - y0])
        if self.labels is None:
            labels, colors = np.full(len(X), -1), [UNASSIGNED] * len(X)
        else:
            labels, colors = self.labels, class_colors(self.labels)
        self.points_source.data = dict(x=X[:, 0], y=X[:, 1], label=labels, color=colors)
        trail = np.stack(self.trail)                                 # (n_updates + 1, k, 2)
        self.trail_source.data = dict(xs=[trail[:, j, 0] for j in range(k)],
                                      ys=[trail[:, j, 1] for j in range(k)],
                                      color=class_colors(np.arange(k)))
        self.centers_source.data = dict(x=centers[:, 0], y=centers[:, 1], k=np.arange(k),
                                        color=class_colors(np.arange(k)),
                                        size=np.full(k, 24))
        t = np.arange(1, len(self.costs) + 1)
        self.cost_source.data = dict(
            t=t, cost=np.asarray(self.costs, dtype=float), step=list(self.steps),
            color=[ASSIGN_COLOR if s == "assign" else UPDATE_COLOR for s in self.steps])
        if self.costs:
            lo, hi = min(self.costs), max(self.costs)
            pad = 0.08 * (hi - lo) if hi > lo else 0.05 * abs(hi) + 1e-9
            self.cost_fig.y_range.update(start=lo - pad, end=hi + pad)
        self.cost_fig.x_range.update(start=0.5, end=max(len(self.costs), 4) + 0.5)
        self.assign_button.disabled = self.run_button.disabled = False
        self.update_button.disabled = self.labels is None
        self._show_stats()
        self._show_answers()

    def _show_without_centers(self, message: str) -> None:
        """No run: the points in grey, no centres, regions or costs (no points, or k > n)."""
        self.centers, self.labels = None, None
        self.trail, self.steps, self.costs = [], [], []
        self.converged = False
        X = self.X
        (x0, x1), (y0, y1) = self._box
        blank = np.zeros((1, 1), dtype=np.uint32)
        self.region_source.data = dict(image=[blank], x=[x0], y=[y0], dw=[x1 - x0], dh=[y1 - y0])
        self.points_source.data = dict(x=X[:, 0], y=X[:, 1], label=np.full(len(X), -1),
                                       color=[UNASSIGNED] * len(X))
        self.trail_source.data = dict(xs=[], ys=[], color=[])
        self.centers_source.data = dict(x=[], y=[], k=[], color=[], size=[])
        self.cost_source.data = dict(t=[], cost=[], step=[], color=[])
        for button in (self.assign_button, self.update_button, self.run_button):
            button.disabled = True
        self.stats = {}
        self._numbers.object = message
        self._answers.object = ""

    def n_iterations(self) -> int:
        """Completed update steps (Lloyd iterations)."""
        return sum(s == "update" for s in self.steps)

    def _show_stats(self) -> None:
        sizes = (np.bincount(self.labels, minlength=len(self.centers)) if self.labels is not None
                 else None)
        self.stats = {
            "cost": ("cost J (after the last half-step)", float(self.costs[-1]) if self.costs
                     else "—"),
            "last_step": ("last half-step", self.steps[-1] if self.steps else "initialisation"),
            "half_steps": ("half-steps", len(self.steps)),
            "n_iter": ("iterations (update steps)", self.n_iterations()),
            "converged": ("converged (assignment unchanged)", bool(self.converged)),
            "k": ("k (clusters)", len(self.centers)),
            "n": ("points n (incl. clicked)", len(self.X)),
            "n_clicked": ("clicked points", len(self._clicked)),
            "sizes": ("cluster sizes Σᵢ rᵢₖ", "—" if sizes is None else
                      ", ".join(str(int(s)) for s in sizes)),
        }
        self._numbers.object = stats_html(self.stats)

    def _show_answers(self) -> None:
        cost = f"{self.costs[-1]:.6g}" if self.costs else "— (no assignment yet)"
        last = self.steps[-1] if self.steps else None
        rises = int(np.sum(np.diff(self.costs) > 1e-9 * max(1.0, abs(self.costs[0])))) \
            if len(self.costs) > 1 else 0
        drop = (f" (here it fell from {self.costs[0]:.4g} to {self.costs[-1]:.4g} and rose "
                f"<span data-stat='rises'>{rises}</span> times)"
                if len(self.costs) > 1 else "")

        def mark(step):
            return " ← <b>last</b>" if last == step else ""

        state = ("<b>converged</b>: the assignment no longer changes, so neither do the "
                 "centres — a fixed point of both steps" if self.converged else
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
