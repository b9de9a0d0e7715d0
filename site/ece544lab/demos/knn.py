"""k-nearest neighbours: decision regions on 2-D toy data; a real MNIST digit and its neighbours.

Course notes: y = y^(k) with k = argmin_i ||x^(i) - x||^2 (1-NN); k-NN takes a (weighted) vote of
the k closest training points.

Parameters -> :meth:`KNNDemo.compute` (a frozen :class:`KNNResult`; the first MNIST query, which
loads 8,000 digits, runs as a long job) -> ``draw`` on the shared :class:`ClassifierCanvas`.
"""
from __future__ import annotations

import functools
import html
from dataclasses import dataclass, replace

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, LinearColorMapper
from bokeh.palettes import Greys256

from ece544core import datasets
from ece544core.neighbors import KNeighborsClassifier, knn_vote, vote_ties

from ..views.canvas import ClassifierCanvas
from ..views.common import stats_html
from ..views.demo import Demo, Progress
from ..views.layout import plots
from ..views.plotting import grid, make_figure, region_image

#: the demo's data sets: name -> (set of the registry ``datasets.make_toy``, factor on the
#: demo's ``noise``; blobs: three random blobs with std 4 noise)
TOY_SETS = {"blobs": ("random_blobs", 4.0), "moons": ("moons", 1.0), "circles": ("circles", 1.0),
            "xor": ("xor", 1.0), "spirals": ("spirals", 1.0)}
CLASS_NAMES = ["blue", "orange", "green", "pink"]  # PALETTE[0..3]
GRID_N = 100            # decision-region image is GRID_N x GRID_N
FRAME = (520, 420)      # plot frame in screen pixels; the data box gets the same aspect
K_MAX = 30              # the largest k (the slider's end): one query serves every smaller k
MNIST_COLS = 10         # neighbours per row in the MNIST strip
MNIST_PX = 46           # screen pixels per digit
MNIST_ROW = 1.45        # data units per row: digit (1) + caption


def make_data(name: str, n_samples: int, noise: float, seed: int):
    """The demo's data set ``name`` drawn from the registry."""
    toy, factor = TOY_SETS[name]
    return datasets.make_toy(toy, n_samples=n_samples, noise=factor * noise, random_state=seed)


@functools.lru_cache(maxsize=8)
def _split(name: str, n_samples: int, noise: float, seed: int, test_size: float):
    X, y = make_data(name, n_samples, noise, seed)
    Xtr, Xte, ytr, yte = datasets.train_test_split(X, y, test_size=test_size, random_state=seed)
    return Xtr, np.asarray(ytr, int), Xte, np.asarray(yte, int)


@functools.lru_cache(maxsize=1)
def mnist_model() -> tuple[KNeighborsClassifier, tuple[np.ndarray, ...]]:
    """Load the MNIST split once and fit k-NN on its 8000 training digits (raw pixels 0..255:
    integer-valued data keep the distances exact; the demo shows them divided by 255).

    Fitting only stores the training set, so one fitted model serves every k/metric/weights.
    Returns ``(model, (Xtr, ytr, Xte, yte))`` with the uint8 pixels for display.
    """
    split = datasets.load_mnist_split()
    model = KNeighborsClassifier(metric="euclidean").fit(split[0], split[1])
    return model, split


def _digit_image(pixels: np.ndarray) -> np.ndarray:
    """784 uint8 pixels -> 28x28 floats in [0, 1], flipped: Bokeh draws row 0 at the bottom."""
    return np.ascontiguousarray((np.asarray(pixels, dtype=float).reshape(28, 28) / 255.0)[::-1])


@dataclass(frozen=True, eq=False)
class MnistResult:
    """One MNIST test digit classified with the demo's k, metric and weights."""

    index: int
    true: int
    predicted: int
    neighbours: np.ndarray   # training indices of the k nearest, nearest first
    labels: np.ndarray
    distances: np.ndarray    # of pixels in [0, 1]
    proba: np.ndarray
    query: np.ndarray        # (784,) uint8 pixels of the test digit
    images: np.ndarray       # (k, 784) uint8 pixels of the neighbours


@dataclass(frozen=True, eq=False)
class KNNResult:
    """The toy plot (and the MNIST panel, when shown) for one setting of the parameters."""

    X: np.ndarray            # training points, generated then clicked
    y: np.ndarray
    clicked: np.ndarray      # mask of the clicked rows
    X_test: np.ndarray
    y_test: np.ndarray
    box: tuple
    image: np.ndarray | None  # decision regions (GRID_N, GRID_N) RGBA; None: too few points
    pred_test: np.ndarray
    stats: dict
    hint: str                # shown instead of the numbers when there is nothing to vote yet
    mnist: MnistResult | None = None


class KNNDemo(Demo):
    """Decision regions of k-NN; click to add points; classify a real MNIST digit."""

    slug = "knn"
    title = "k-nearest neighbours"
    formula = (
        r"$$\hat y(\mathbf{x}) = \arg\max_{c} \sum_{i \in \mathcal{N}_k(\mathbf{x})} w_i\,"
        r"[\,y^{(i)} = c\,], \qquad \mathcal{N}_k(\mathbf{x}) = \text{the } k \text{ indices with "
        r"smallest } d(\mathbf{x}^{(i)}, \mathbf{x})$$"
        r"$$k=1:\; \hat y = y^{(i^*)},\; i^* = \arg\min_i \|\mathbf{x}^{(i)} - \mathbf{x}\|^2"
        r"\qquad w_i = 1 \text{ (uniform) or } 1/d(\mathbf{x}^{(i)}, \mathbf{x})"
        r"\text{ (distance)}$$"
    )
    what_to_try = (
        "Slide k from 1 to 30 and watch the boundary smooth out (and train accuracy drop); "
        "with an even k on two classes look for grey tied cells; click the plot to add points of "
        "the chosen class; open the MNIST panel and find a digit whose neighbours disagree."
    )
    url_params = ("dataset", "n_samples", "noise", "n_neighbors", "metric", "weights",
                  "test_size", "seed", "show_mnist", "mnist_index")

    dataset = param.Selector(default="moons", objects=[*TOY_SETS, "custom"],
                             doc="Toy data set; 'custom' starts empty: click to add points.")
    n_samples = param.Integer(default=150, bounds=(10, 500), doc="Number of generated points.")
    noise = param.Number(default=0.25, bounds=(0.0, 1.0), step=0.01, doc="Noise of the generator.")
    n_neighbors = param.Integer(default=5, bounds=(1, 30), label="k (n_neighbors)",
                                doc="Number of neighbours that vote.")
    metric = param.Selector(default="euclidean", objects=["euclidean", "manhattan"],
                            doc="Distance d(x^(i), x).")
    weights = param.Selector(default="uniform", objects=["uniform", "distance"],
                             doc="Vote weight: 1, or 1/distance.")
    test_size = param.Number(default=0.25, bounds=(0.1, 0.9), step=0.05,
                             doc="Fraction of the generated points held out for testing.")
    seed = param.Integer(default=0, bounds=(0, 9999), doc="Random seed of data and split.")
    show_mnist = param.Boolean(default=False, label="MNIST panel",
                               doc="Show the MNIST panel (loads 8,000 digits on first use).")
    mnist_index = param.Integer(default=0, bounds=(0, 1999), label="MNIST test digit",
                                doc="Index of the MNIST test digit to classify.")


    def __init__(self, **params):
        self._neighbour_cache: dict = {}
        self._mnist_cache: dict = {}
        super().__init__(**params)

    # ------------------------------------------------------------------ build
    def build(self):
        self.canvas = ClassifierCanvas("knn", "k-NN decision regions (click to add a point)",
                                       CLASS_NAMES, frame=FRAME, on_change=self.update,
                                       test_points=True)
        self.fig = self.canvas.fig
        self.region_source, self.train_source = self.canvas.regions, self.canvas.points
        self.test_source = self.canvas.test
        self._build_mnist_plot()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        # a new data set starts without the previous set's clicked points
        self.param.watch(lambda _e: self.canvas.clear_clicked(notify=False), "dataset")
        return self._controls(), self._main(), self._numbers

    def _controls(self) -> list:
        names = ["dataset", "n_samples", "noise", "test_size", "seed",
                 "n_neighbors", "metric", "weights"]
        params = self.param_controls(names, metric=pn.widgets.RadioButtonGroup,
                                     weights=pn.widgets.RadioButtonGroup)
        return [params, *self.canvas.controls(clear_text="Reset data (remove clicked points)")]

    def _main(self):
        legend = pn.pane.HTML(
            "<p>● training points<br>▲ held-out points<br>black edge = misclassified</p>"
            "<p>The shading mixes the class colours by their share of the k votes; "
            "<b>grey = tied vote</b>.</p><p>A click adds a training point of the class "
            "chosen on the left.</p>", width=180, margin=(40, 10), styles={"font-size": "0.9em"})
        self._mnist_text = pn.pane.HTML("", sizing_mode="stretch_width")
        random = pn.widgets.Button(name="Random digit", width=120)
        rng = np.random.default_rng()
        random.on_click(lambda _e: setattr(self, "mnist_index", int(rng.integers(0, 2000))))
        body = pn.Column(
            pn.Row(pn.widgets.IntSlider.from_param(self.param.mnist_index, width=300), random),
            self._mnist_text, pn.pane.Bokeh(self.mnist_fig), sizing_mode="stretch_width")
        self._card = pn.Card(body, title="MNIST: classify a real handwritten digit with the same "
                             "k, metric and weights", collapsed=not self.show_mnist,
                             sizing_mode="stretch_width", margin=(10, 10))
        self._card.param.watch(lambda e: setattr(self, "show_mnist", not e.new), "collapsed")
        return pn.Column(plots(self.canvas.panel(), legend), self._card,
                         sizing_mode="stretch_width")

    def _build_mnist_plot(self) -> None:
        fig = make_figure("", tools="", toolbar_location=None, name="knn-mnist-fig",
                          sizing_mode="fixed", width=None, height=None,
                          frame_width=int((MNIST_COLS + 1.6) * MNIST_PX),
                          frame_height=int(MNIST_ROW * MNIST_PX), min_border=4,
                          x_range=(-0.1, MNIST_COLS + 1.5), y_range=(-MNIST_ROW, 0))
        fig.axis.visible = False
        fig.grid.visible = False
        fig.outline_line_color = None
        mapper = LinearColorMapper(palette=list(reversed(Greys256)), low=0.0, high=1.0)
        self.mnist_query_source = ColumnDataSource(
            dict(image=[], x=[], y=[], dw=[], dh=[], text=[]), name="knn-mnist-query")
        self.mnist_source = ColumnDataSource(
            dict(image=[], x=[], y=[], dw=[], dh=[], label=[], distance=[], index=[], text=[],
                 text_color=[]), name="knn-mnist-neighbours")
        for source, color in ((self.mnist_query_source, "black"),
                              (self.mnist_source, "text_color")):
            fig.image(image="image", x="x", y="y", dw="dw", dh="dh", color_mapper=mapper,
                      source=source)
            fig.text(x="x", y="y", text="text", source=source, text_font_size="10px",
                     text_baseline="top", y_offset=2, text_color=color)
        self.mnist_fig = fig

    # ------------------------------------------------------------------ compute
    def compute(self):
        toy = self._toy()
        if not self.show_mnist:
            return toy
        key = (self.mnist_index, self.metric)
        if self._mnist_cache.get("key") == key:
            return self._with_mnist(toy)
        return self._mnist_job(toy, key)

    def _base(self):
        if self.dataset == "custom":
            empty = (np.empty((0, 2)), np.empty(0, int))
            return empty + empty
        return _split(self.dataset, self.n_samples, self.noise, self.seed, self.test_size)

    def _toy(self) -> KNNResult:
        Xg, yg, Xte, yte = self._base()
        X, y, clicked = self.canvas.with_clicked(Xg, yg)
        box = self.canvas.box_for(X, Xte)
        k = self.n_neighbors
        n_clicked = int(clicked.sum())
        if self.dataset == "custom" and len(X) < k:  # draw the points, vote once there are k
            hint = ("No points yet: pick a class on the left and click the plot to add "
                    "training points." if len(X) == 0 else
                    f"Need k = {k} points to vote: {len(X)} so far, click {k - len(X)} more "
                    f"(or lower k).")
            stats = {"k": ("k (n_neighbors)", k), "n_train": ("training points", len(X)),
                     "n_clicked": ("clicked points", n_clicked)}
            return KNNResult(X, y, clicked, Xte, yte, box, None, np.empty(0, int), stats, hint)
        model = KNeighborsClassifier(n_neighbors=k, metric=self.metric,
                                     weights=self.weights).fit(X, y)  # checks k <= n
        found = self._neighbours(model, X, Xte, box)
        codes = np.searchsorted(model.classes_, y)
        vote = functools.partial(self._vote, y_codes=codes, n_classes=len(model.classes_))
        proba = vote(*found["grid"])                                  # (GRID_N**2, n_classes)
        ties = vote_ties(proba)
        image = region_image(proba, (GRID_N, GRID_N), class_index=model.classes_, ties=ties)
        pred_train = model.classes_[np.argmax(vote(*found["train"]), axis=1)]
        pred_test = (model.classes_[np.argmax(vote(*found["test"]), axis=1)] if len(Xte)
                     else np.empty(0, int))
        test_acc = float(np.mean(pred_test == yte)) if len(yte) else "—"
        stats = {
            "k": ("k (n_neighbors)", k),
            "train_accuracy": ("training accuracy", float(np.mean(pred_train == y))),
            "test_accuracy": ("held-out accuracy", test_acc),
            "n_train": ("training points (incl. clicked)", len(X)),
            "n_clicked": ("clicked points", n_clicked),
            "n_test": ("held-out points", len(Xte)),
            "tied_cells": (f"tied grid cells (of {GRID_N * GRID_N})", int(np.sum(ties))),
        }
        return KNNResult(X, y, clicked, Xte, yte, box, image, pred_test, stats, "")

    def _vote(self, dist, ind, y_codes, n_classes) -> np.ndarray:
        """Class probabilities of the first k of the memoised K_MAX nearest neighbours."""
        k = self.n_neighbors
        return knn_vote(ind[:, :k], y_codes, n_classes, dist[:, :k], self.weights)

    def _neighbours(self, model, X, Xte, box) -> dict:
        """(distances, indices) of the min(K_MAX, n) nearest training points of every grid,
        training and test point; recomputed only when the points or the metric change."""
        key = (X.tobytes(), Xte.tobytes(), self.metric)
        if self._neighbour_cache.get("key") != key:
            k_max = min(K_MAX, len(X))
            points = grid(*box, GRID_N)[2]
            self._neighbour_cache = dict(key=key)
            for name, Q in (("grid", points), ("train", X), ("test", Xte)):
                if len(Q):
                    self._neighbour_cache[name] = model.kneighbors(Q, n_neighbors=k_max)
        return self._neighbour_cache

    # ------------------------------------------------------------------ MNIST
    def _mnist_job(self, toy: KNNResult, key):
        """The MNIST query as a long job: the toy plot is drawn at once (a partial result);
        the first use loads the 8,000 training digits."""
        if mnist_model.cache_info().currsize == 0:
            yield Progress(0.05, "Loading 8,000 MNIST training digits …", partial=toy)
        model, (Xtr, ytr, Xte, yte) = mnist_model()
        yield Progress(0.5, f"Finding the {K_MAX} nearest of 8,000 digits ({self.metric}) …",
                       partial=toy)
        # fit only stored the pixels, so the metric can change without refitting
        model.set_params(metric=self.metric)
        query = Xte[self.mnist_index:self.mnist_index + 1]          # (1, 784) uint8
        self._mnist_cache = dict(key=key, found=model.kneighbors(query, n_neighbors=K_MAX))
        return self._with_mnist(toy)

    def _with_mnist(self, toy: KNNResult) -> KNNResult:
        """``toy`` with the memoised MNIST neighbours voted with the current k and weights."""
        model, (Xtr, ytr, Xte, yte) = mnist_model()
        dist, idx = self._mnist_cache["found"]
        proba = self._vote(dist, idx, np.searchsorted(model.classes_, ytr), len(model.classes_))
        k, i = self.n_neighbors, self.mnist_index
        idx = idx[0, :k]
        mnist = MnistResult(index=i, true=int(yte[i]), predicted=int(model.classes_[np.argmax(
            proba[0])]), neighbours=idx, labels=np.asarray(ytr)[idx],
            distances=dist[0, :k] / 255.0, proba=proba[0], query=Xte[i], images=Xtr[idx])
        return replace(toy, mnist=mnist)

    # ------------------------------------------------------------------ draw
    def draw(self, r: KNNResult) -> None:
        self.canvas.set_box(r.box)
        self.canvas.show_regions(r.image, r.box)
        self.canvas.show_points(r.X, r.y, r.clicked)
        self.canvas.show_test(r.X_test, r.y_test, r.pred_test)
        hint = f"<p class='demo-hint'>{html.escape(r.hint)}</p>" if r.hint else ""
        self._numbers.object = hint + stats_html(r.stats)
        self._card.collapsed = not self.show_mnist
        if r.mnist is not None:
            self._draw_digits(r.mnist)
        elif self.show_mnist:
            self._mnist_text.object = "<p>Loading the MNIST digits …</p>"

    def _draw_digits(self, m: MnistResult) -> None:
        n = len(m.neighbours)
        rows = max(1, -(-n // MNIST_COLS))
        slot = np.arange(n)
        self.mnist_query_source.data = dict(
            image=[_digit_image(m.query)], x=[0.0], y=[-1.0], dw=[1.0], dh=[1.0],
            text=[f"query: {m.true}"])
        self.mnist_source.data = dict(
            image=[_digit_image(p) for p in m.images], x=1.5 + slot % MNIST_COLS,
            y=-(slot // MNIST_COLS) * MNIST_ROW - 1.0, dw=np.ones(n), dh=np.ones(n),
            label=m.labels, distance=m.distances, index=m.neighbours,
            text=[f"{lab}  d={d:.2f}" for lab, d in zip(m.labels, m.distances)],
            text_color=np.where(m.labels == m.predicted, "#222222", "#D55E00"))
        self.mnist_fig.y_range.start = -rows * MNIST_ROW
        self.mnist_fig.frame_height = int(rows * MNIST_ROW * MNIST_PX)
        votes = ", ".join(f"{c}: {n}" for c, n in zip(*np.unique(m.labels, return_counts=True)))
        verdict = "correct" if m.predicted == m.true else "wrong"
        self._mnist_text.object = (
            f"<p>Test digit <b>#{m.index}</b> (true label <b>{m.true}</b>) → predicted "
            f"<b data-stat='mnist_pred'>{m.predicted}</b> ({verdict}). Labels among the {n} "
            f"nearest of 8,000 training digits: {html.escape(votes)}. Distances use pixels in "
            f"[0, 1]; orange captions disagree with the prediction.</p>")
