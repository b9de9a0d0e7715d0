"""k-nearest neighbours: decision regions on 2-D toy data; a real MNIST digit and its neighbours.

Course notes: y = y^(k) with k = argmin_i ||x^(i) - x||^2 (1-NN); k-NN takes a (weighted) vote of
the k closest training points.
"""
from __future__ import annotations

import functools
import html

import numpy as np
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import ColumnDataSource, LinearColorMapper, Range1d
from bokeh.palettes import Greys256

from ece544core import datasets
from ece544core.neighbors import KNeighborsClassifier, knn_vote, vote_ties

from ..views.common import Demo, guarded, stats_html
from ..views.plotting import class_colors, empty_image, fit_box, grid, make_figure, region_image


#: the demo's data sets: name -> (set of the registry ``datasets.make_toy``, factor on the
#: demo's ``noise``; blobs: three random blobs with std 4 noise)
TOY_SETS = {"blobs": ("random_blobs", 4.0), "moons": ("moons", 1.0), "circles": ("circles", 1.0),
            "xor": ("xor", 1.0), "spirals": ("spirals", 1.0)}


def make_data(name: str, n_samples: int, noise: float, seed: int):
    """The demo's data set ``name`` drawn from the registry."""
    toy, factor = TOY_SETS[name]
    return datasets.make_toy(toy, n_samples=n_samples, noise=factor * noise, random_state=seed)


CLASS_NAMES = ["blue", "orange", "green", "pink"]  # PALETTE[0..3]
GRID_N = 100            # decision-region image is GRID_N x GRID_N
EMPTY_BOX = (-3.0, 3.0)  # plot box when there are no points (custom data set)
FRAME = (600, 450)      # plot frame in screen pixels; the data box gets the same aspect
MNIST_COLS = 10         # neighbours per row in the MNIST strip
MNIST_PX = 56           # screen pixels per digit
MNIST_ROW = 1.45        # data units per row: digit (1) + caption


@functools.lru_cache(maxsize=1)
def mnist_model() -> tuple[KNeighborsClassifier, tuple[np.ndarray, ...]]:
    """Load the MNIST split once and fit k-NN on its 8000 training digits (raw pixels 0..255:
    integer-valued data keep the distances exact; the demo shows them divided by 255).

    Fitting only stores the training set, so one fitted model serves every k/metric/weights:
    the demo sets those hyperparameters before each single-digit query.
    Returns ``(model, (Xtr, ytr, Xte, yte))`` with the uint8 pixels for display.
    """
    split = datasets.load_mnist_split()
    model = KNeighborsClassifier(metric="euclidean").fit(split[0], split[1])
    return model, split


def _digit_image(pixels: np.ndarray) -> np.ndarray:
    """784 uint8 pixels -> 28x28 floats in [0, 1], flipped: Bokeh draws row 0 at the bottom."""
    return np.ascontiguousarray((np.asarray(pixels, dtype=float).reshape(28, 28) / 255.0)[::-1])


def _box(*arrays: np.ndarray):
    """The plot box around all the (n, 2) arrays, at the frame's aspect."""
    return fit_box(np.concatenate([np.reshape(a, (-1, 2)) for a in arrays] or [np.empty((0, 2))]),
                   FRAME[0] / FRAME[1], empty=EMPTY_BOX)


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
    add_class = param.Integer(default=0, bounds=(0, len(CLASS_NAMES) - 1),
                              doc="Class of the training point a click on the plot adds.")
    show_mnist = param.Boolean(default=False, label="MNIST panel",
                               doc="Show the MNIST panel (loads 8,000 digits on first use).")
    mnist_index = param.Integer(default=0, bounds=(0, 1999), label="MNIST test digit",
                                doc="Index of the MNIST test digit to classify.")

    def __init__(self, **params):
        super().__init__(**params)
        self._clicked_X = np.empty((0, 2))
        self._clicked_y = np.empty(0, dtype=int)
        self._data_name = self.dataset
        self._data_token = 0      # bumped whenever the points change (invalidates the cache)
        self._cache: dict = {}
        self._mnist_cache: dict = {}
        self._base = (np.empty((0, 2)), np.empty(0, int), np.empty((0, 2)), np.empty(0, int))
        self.model: KNeighborsClassifier | None = None
        self.stats: dict = {}
        self.mnist_result: dict = {}
        self._build_region_plot()
        self._build_mnist_plot()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._layout = self.page(self._controls(), self._main(), self._numbers)
        self._on_data()
        self._on_mnist()

    # ------------------------------------------------------------------ widgets / layout
    def _controls(self) -> list:
        names = ["dataset", "n_samples", "noise", "test_size", "seed",
                 "n_neighbors", "metric", "weights"]
        params = self.param_controls(names, metric=pn.widgets.RadioButtonGroup,
                                     weights=pn.widgets.RadioButtonGroup)
        adder = pn.widgets.RadioButtonGroup.from_param(
            self.param.add_class, options={n: i for i, n in enumerate(CLASS_NAMES)},
            sizing_mode="stretch_width")
        reset = pn.widgets.Button(name="Reset data (remove clicked points)", button_type="default",
                                  sizing_mode="stretch_width")
        reset.on_click(lambda _event: self.reset_points())
        return [params, pn.pane.HTML("<b>A click on the plot adds a point of class:</b>",
                                     margin=(10, 10, 0, 10)), adder, reset]

    def _main(self) -> pn.Column:
        legend = pn.pane.HTML(
            "<p>● training points<br>▲ held-out points<br>black edge = misclassified</p>"
            "<p>The shading mixes the class colours by their share of the k votes; "
            "<b>grey = tied vote</b>.</p><p>A click adds a training point of the class "
            "chosen on the left.</p>", width=200, margin=(40, 10), styles={"font-size": "0.9em"})
        self._mnist_text = pn.pane.HTML("", sizing_mode="stretch_width")
        self._mnist_body = pn.Column(
            pn.Row(pn.widgets.IntSlider.from_param(self.param.mnist_index, width=320),
                   self._random_button()),
            self._mnist_text,
            pn.pane.Bokeh(self.mnist_fig),
            sizing_mode="stretch_width",
        )
        self._card = pn.Card(self._mnist_body, title="MNIST: classify a real handwritten digit "
                             "with the same k, metric and weights", collapsed=not self.show_mnist,
                             sizing_mode="stretch_width", margin=(10, 10))
        self._card.param.watch(lambda e: setattr(self, "show_mnist", not e.new), "collapsed")
        return pn.Column(pn.Row(pn.pane.Bokeh(self.fig), legend), self._card,
                         sizing_mode="stretch_width")

    def _random_button(self) -> pn.widgets.Button:
        button = pn.widgets.Button(name="Random digit", width=120)
        rng = np.random.default_rng()
        button.on_click(lambda _e: setattr(self, "mnist_index", int(rng.integers(0, 2000))))
        return button

    # ------------------------------------------------------------------ figures
    def _build_region_plot(self) -> None:
        self.fig = make_figure("k-NN decision regions (click to add a point)", name="knn-fig",
                               tools="pan,wheel_zoom,reset", sizing_mode="fixed",
                               width=None, height=None, frame_width=FRAME[0], frame_height=FRAME[1],
                               x_range=Range1d(-1, 1), y_range=Range1d(-1, 1))
        self.region_source = ColumnDataSource(
            empty_image(),
            name="knn-regions")
        self.train_source = ColumnDataSource(
            dict(x=[], y=[], label=[], color=[]), name="knn-train")
        self.test_source = ColumnDataSource(
            dict(x=[], y=[], label=[], color=[], pred=[], correct=[], line_color=[]),
            name="knn-test")
        self.fig.image_rgba(image="image", x="x", y="y", dw="dw", dh="dh",
                            source=self.region_source)
        self.fig.scatter("x", "y", source=self.train_source, fill_color="color",
                         line_color="white", size=8, line_width=1)
        self.fig.scatter("x", "y", source=self.test_source, marker="triangle", fill_color="color",
                         line_color="line_color", size=10, line_width=1.5, fill_alpha=0.9)
        self.fig.on_event(Tap, self._on_tap)

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

    # ------------------------------------------------------------------ data
    def _make_data(self) -> None:
        """Generate and split the toy data; clicked points survive unless the data set changes."""
        self._data_token += 1
        if self.dataset != self._data_name:
            self._clear_clicks()
            self._data_name = self.dataset
        if self.dataset == "custom":
            self._base = (np.empty((0, 2)), np.empty(0, int), np.empty((0, 2)), np.empty(0, int))
            return
        X, y = make_data(self.dataset, self.n_samples, self.noise, self.seed)
        Xtr, Xte, ytr, yte = datasets.train_test_split(X, y, test_size=self.test_size,
                                                       random_state=self.seed)
        self._base = (Xtr, np.asarray(ytr, int), Xte, np.asarray(yte, int))

    def training_set(self) -> tuple[np.ndarray, np.ndarray]:
        """Generated training points plus the clicked ones."""
        Xtr, ytr = self._base[:2]
        return np.vstack([Xtr, self._clicked_X]), np.concatenate([ytr, self._clicked_y])

    def _clear_clicks(self) -> None:
        self._data_token += 1
        self._clicked_X = np.empty((0, 2))
        self._clicked_y = np.empty(0, dtype=int)

    # ------------------------------------------------------------------ interactions
    @param.depends("dataset", "n_samples", "noise", "seed", "test_size", watch=True)
    @guarded
    def _on_data(self) -> None:
        self._make_data()
        self._fit_toy()

    @param.depends("n_neighbors", "metric", "weights", watch=True)
    @guarded
    def _on_hyper(self) -> None:
        self._fit_toy()
        if self.show_mnist:
            self._classify_digit()

    @param.depends("mnist_index", "show_mnist", watch=True)
    def _on_mnist(self) -> None:
        """Digit-only change: an error is shown, but success does not clear the toy plot's error."""
        self._card.collapsed = not self.show_mnist
        if not self.show_mnist:
            return
        try:
            self._classify_digit()
        except ValueError as exc:
            self.fail(str(exc))

    def _on_tap(self, event) -> None:
        self.add_point(event.x, event.y)

    @guarded
    def add_point(self, x: float, y: float, label: int | None = None) -> None:
        """Add a training point of class ``label`` (default: ``add_class``) and refit."""
        label = self.add_class if label is None else int(label)
        self._clicked_X = np.vstack([self._clicked_X, [[float(x), float(y)]]])
        self._clicked_y = np.append(self._clicked_y, label)
        self._data_token += 1
        self._fit_toy()

    @guarded
    def reset_points(self) -> None:
        """Remove every clicked point (for 'custom' that is all of them) and refit."""
        self._clear_clicks()
        self._fit_toy()

    # ------------------------------------------------------------------ toy k-NN
    def _fit_toy(self) -> None:
        X, y = self.training_set()
        Xte, yte = self._base[2:]
        if len(X) == 0:
            self._show_empty()
            return
        # Fitting only stores X (and validates k <= n); the neighbour queries are cached.
        model = KNeighborsClassifier(n_neighbors=self.n_neighbors, metric=self.metric,
                                     weights=self.weights).fit(X, y)
        self.model = model
        cache = self._neighbour_cache(model, X, Xte)
        codes = np.searchsorted(model.classes_, y)
        vote = functools.partial(self._vote, y_codes=codes, n_classes=len(model.classes_))
        proba = vote(*cache["grid"])                                  # (GRID_N**2, n_classes)
        ties = vote_ties(proba)
        image = region_image(proba, (GRID_N, GRID_N), class_index=model.classes_, ties=ties)
        (xr, yr) = cache["box"]
        self.region_source.data = dict(image=[image], x=[xr[0]], y=[yr[0]],
                                       dw=[xr[1] - xr[0]], dh=[yr[1] - yr[0]])
        pred_train = model.classes_[np.argmax(vote(*cache["train"]), axis=1)]
        pred_test = (model.classes_[np.argmax(vote(*cache["test"]), axis=1)] if len(Xte)
                     else np.empty(0, int))
        self._show_points(X, y, Xte, yte, pred_test)
        test_acc = float(np.mean(pred_test == yte)) if len(yte) else None
        self._show_stats(len(X), len(Xte), float(np.mean(pred_train == y)), test_acc,
                         int(np.sum(ties)))

    def _vote(self, dist, ind, y_codes, n_classes) -> np.ndarray:
        """Class probabilities of the first k of the cached k_max nearest neighbours."""
        k = self.n_neighbors
        return knn_vote(ind[:, :k], y_codes, n_classes, dist[:, :k], self.weights)

    def _neighbour_cache(self, model: KNeighborsClassifier, X: np.ndarray,
                         Xte: np.ndarray) -> dict:
        """(distances, indices) of the K = min(30, n) nearest training points of every grid,
        training and test point; recomputed only when the points or the metric change."""
        key = (self._data_token, self.metric)
        if self._cache.get("key") != key:
            k_max = min(self.param.n_neighbors.bounds[1], len(X))
            box = _box(X, Xte)
            _xx, _yy, points = grid(*box, GRID_N)
            self._cache = dict(key=key, box=box)
            self._set_view(box)
            for name, Q in (("grid", points), ("train", X), ("test", Xte)):
                if len(Q):
                    self._cache[name] = model.kneighbors(Q, n_neighbors=k_max)
        return self._cache

    def _show_points(self, X, y, Xte, yte, pred_test) -> None:
        self.train_source.data = dict(x=X[:, 0], y=X[:, 1], label=y, color=class_colors(y))
        correct = pred_test == yte
        self.test_source.data = dict(
            x=Xte[:, 0], y=Xte[:, 1], label=yte, color=class_colors(yte), pred=pred_test,
            correct=correct, line_color=np.where(correct, "white", "black"))

    def _set_view(self, box) -> None:
        (x0, x1), (y0, y1) = box
        self.fig.x_range.update(start=x0, end=x1)
        self.fig.y_range.update(start=y0, end=y1)

    def _show_empty(self) -> None:
        self.model = None
        self._cache = {}
        box = _box()
        self._set_view(box)
        (x0, x1), (y0, y1) = box
        blank = np.zeros((1, 1), dtype=np.uint32)
        self.region_source.data = dict(image=[blank], x=[x0], y=[y0], dw=[x1 - x0], dh=[y1 - y0])
        empty = np.empty(0)
        self._show_points(np.empty((0, 2)), empty.astype(int), np.empty((0, 2)),
                          empty.astype(int), empty.astype(int))
        self.stats = {}
        self._numbers.object = ("<p class='demo-hint'>No points yet: pick a class on the left and "
                                "click the plot to add training points.</p>")

    def _show_stats(self, n_train: int, n_test: int, train_acc: float,
                    test_acc: float | None, n_ties: int) -> None:
        self.stats = {
            "k": ("k (n_neighbors)", self.n_neighbors),
            "train_accuracy": ("training accuracy", float(train_acc)),
            "test_accuracy": ("held-out accuracy", "—" if test_acc is None else float(test_acc)),
            "n_train": ("training points (incl. clicked)", n_train),
            "n_clicked": ("clicked points", len(self._clicked_y)),
            "n_test": ("held-out points", n_test),
            "tied_cells": (f"tied grid cells (of {GRID_N * GRID_N})", n_ties),
        }
        self._numbers.object = stats_html(self.stats)

    # ------------------------------------------------------------------ MNIST
    def _classify_digit(self) -> None:
        """Classify MNIST test digit ``mnist_index``: one query of 1 x 8000 distances (the
        2000 x 8000 matrix is never needed); its 30 nearest are cached for every k/weights."""
        model, (Xtr, ytr, Xte, yte) = mnist_model()
        k_max = self.param.n_neighbors.bounds[1]
        key = (self.mnist_index, self.metric)
        if self._mnist_cache.get("key") != key:
            # fit only stored the pixels, so the metric can change without refitting (the
            # app tests check both metrics against scikit-learn)
            model.set_params(metric=self.metric)
            query = Xte[self.mnist_index:self.mnist_index + 1]          # (1, 784) uint8
            self._mnist_cache = dict(key=key, result=model.kneighbors(query, n_neighbors=k_max))
        dist, idx = self._mnist_cache["result"]
        codes = np.searchsorted(model.classes_, ytr)
        proba = self._vote(dist, idx, codes, len(model.classes_))
        pred = int(model.classes_[np.argmax(proba[0])])
        k = self.n_neighbors
        dist, idx = dist[0, :k] / 255.0, idx[0, :k]            # distances of pixels in [0, 1]
        true = int(yte[self.mnist_index])
        labels = np.asarray(ytr)[idx]
        self.mnist_result = dict(index=self.mnist_index, true=true, predicted=pred,
                                 neighbours=idx, labels=labels, distances=dist, proba=proba[0])
        self._show_digits(Xte[self.mnist_index], true, pred, Xtr[idx], labels, dist, idx)

    def _show_digits(self, pixels, true, pred, neighbours, labels, dist, idx) -> None:
        rows = max(1, -(-len(idx) // MNIST_COLS))
        slot = np.arange(len(idx))
        xs = 1.5 + slot % MNIST_COLS
        ys = -(slot // MNIST_COLS) * MNIST_ROW - 1.0
        self.mnist_query_source.data = dict(
            image=[_digit_image(pixels)], x=[0.0], y=[-1.0], dw=[1.0], dh=[1.0],
            text=[f"query: {true}"])
        self.mnist_source.data = dict(
            image=[_digit_image(p) for p in neighbours],
            x=xs, y=ys, dw=np.ones(len(idx)), dh=np.ones(len(idx)), label=labels,
            distance=dist, index=idx,
            text=[f"{lab}  d={d:.2f}" for lab, d in zip(labels, dist)],
            text_color=np.where(labels == pred, "#222222", "#D55E00"))
        self.mnist_fig.y_range.start = -rows * MNIST_ROW
        self.mnist_fig.frame_height = int(rows * MNIST_ROW * MNIST_PX)
        votes = ", ".join(f"{c}: {n}" for c, n in zip(*np.unique(labels, return_counts=True)))
        verdict = "correct" if pred == true else "wrong"
        self._mnist_text.object = (
            f"<p>Test digit <b>#{self.mnist_index}</b> (true label <b>{true}</b>) → predicted "
            f"<b data-stat='mnist_pred'>{pred}</b> ({verdict}). Labels among the {len(idx)} "
            f"nearest of 8,000 training digits: {html.escape(votes)}. Distances use pixels in [0, 1]; "
            f"orange captions disagree with the prediction.</p>")

