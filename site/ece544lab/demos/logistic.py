"""Logistic regression: the notes' 1-D two-Gaussians experiment, 2-D decision boundaries, the
losses on the margin axis, and logistic vs least-squares classification.

Course notes: p(y | x) = sigma(y w^T x); training minimises C/2 ||w||^2 + sum_i log(1 + exp(-y_i
w^T x_i)) (the log loss of the margin m = y w^T x); with classes N(-2, 1) and N(+2, 1) and equal
priors the Bayes posterior is p(y = +1 | x) = sigma(4 x), which the fit approaches as n grows.

Parameters -> :meth:`LogisticDemo.compute` (a frozen :class:`LogisticResult` of the 1-D and the
2-D fits, each memoised on its own inputs) -> ``draw`` (the 2-D view on the shared
:class:`ClassifierCanvas`).
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, Range1d, Span

from ece544core import datasets
from ece544core.linear_model import LinearRegression, PolynomialFeatures
from ece544core.logistic import LogisticRegression, logistic_loss, sigmoid

from ..views.canvas import ClassifierCanvas
from ..views.common import heading, stats_html
from ..views.demo import Demo
from ..views.layout import plots
from ..views.plotting import PALETTE, class_colors, grid, make_figure, region_image, zero_level_lines

#: the demo's data sets: name -> (set of the registry ``datasets.make_toy``, factor on the
#: demo's ``noise``; blobs: the registry's two blobs with std 0.2 + 3 noise)
TOY_SETS = {"blobs": ("blobs", 1.5), "moons": ("moons", 1.0), "xor": ("xor", 1.0),
            "circles": ("circles", 1.0)}
CLASS_NAMES = ["blue: y = −1", "orange: y = +1"]  # PALETTE[0], PALETTE[1]
GRID_N = 100              # probability image is GRID_N x GRID_N
FRAME = (460, 380)        # 2-D plot frame in screen pixels; the data box gets the same aspect
SIDE_WIDTH = 320          # the 1-D and loss plots (side by side at 1200 px)
ANSWERS_WIDTH = 370       # the notes' questions beside the 2-D plot
X_1D = (-6.0, 6.0)        # x-range of the 1-D experiment
N_CURVE = 241             # points on the plotted sigmoids
BAYES_SLOPE = 4.0         # log N(x; 2, 1) - log N(x; -2, 1) = 4 x
JITTER = 0.04             # vertical jitter of the 1-D data points
MARGINS = (-3.0, 3.0)     # margin axis of the loss plot
LOSS_TOP = 4.5
LOGISTIC_COLOR, LS_COLOR, BAYES_COLOR = "#222222", PALETTE[5], PALETTE[2]


def make_data(name: str, n_samples: int, noise: float, seed: int):
    """The demo's data set ``name`` drawn from the registry."""
    toy, factor = TOY_SETS[name]
    return datasets.make_toy(toy, n_samples=n_samples, noise=factor * noise, random_state=seed)


def loss_curves(units: str = "bits", m: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The three losses of the margin m = y w^T x: the core's log loss log(1 + e^{-m}) (in
    ``units``: 'nats' uses ln, 'bits' log2 so that it is 1 at m = 0 and bounds the 0-1 loss from
    above), the 0-1 loss [m <= 0] and the squared loss (1 - m)^2 = (y - w^T x)^2 of least
    squares on y = +-1."""
    m = np.linspace(*MARGINS, 301) if m is None else np.asarray(m, dtype=float)
    log_loss = logistic_loss(m)
    if units == "bits":
        log_loss = log_loss / np.log(2.0)
    return dict(m=m, log=log_loss, zero_one=(m <= 0).astype(float), squared=(1.0 - m) ** 2)


def _phi(X: np.ndarray, features: str) -> np.ndarray:
    return X if features == "linear" else PolynomialFeatures(2, include_bias=False).fit_transform(X)


@dataclass(frozen=True, eq=False)
class OneD:
    """The notes' experiment: x | y ~ N(2y, 1), the fit sigma(w x + b) vs sigma(4x)."""

    x: np.ndarray
    y: np.ndarray            # +-1
    model: LogisticRegression
    w: float
    b: float
    curve_x: np.ndarray
    curve_p: np.ndarray
    jitter_y: np.ndarray     # the points' plotted heights
    stats: dict


@dataclass(frozen=True, eq=False)
class TwoD:
    """Logistic regression and least squares on y = +-1, same data and features."""

    X: np.ndarray
    y: np.ndarray            # 0 / 1
    clicked: np.ndarray
    model: LogisticRegression
    ls_model: LinearRegression
    box: tuple
    image: np.ndarray
    boundary: dict           # multi_line data of p = 1/2
    ls_boundary: dict        # of least squares' w^T x + b = 0
    margins: np.ndarray      # y (w^T phi(x) + b), y = +-1
    ls_margins: np.ndarray
    pred: np.ndarray
    accuracy: float
    ls_accuracy: float
    stats: dict


@dataclass(frozen=True, eq=False)
class LogisticResult:
    one_d: OneD
    two_d: TwoD
    units: str
    stats: dict              # 2-D then 1-D numbers


class LogisticDemo(Demo):
    """The notes' 1-D experiment, 2-D boundaries with probabilities, losses, logistic vs LS."""

    slug = "logistic"
    title = "Logistic regression"
    formula = (
        r"$$p(y \mid \mathbf{x}) = \sigma\big(y\,(\mathbf{w}^\top\mathbf{x} + b)\big),\;\; "
        r"\sigma(z) = \frac{1}{1 + e^{-z}},\;\; y \in \{-1, +1\}$$"
        r"$$\min_{\mathbf{w}, b}\; \frac{C}{2}\|\mathbf{w}\|^2 + \sum_{i} "
        r"\log\big(1 + e^{-y^{(i)}(\mathbf{w}^\top\mathbf{x}^{(i)} + b)}\big)"
        r"\qquad C_{\text{notes}} = 1 / C_{\text{sklearn}}$$"
        r"$$x \mid y \sim \mathcal{N}(2y, 1),\; p(y{=}{+1}) = \tfrac12 \;\Rightarrow\; "
        r"p(y{=}{+1} \mid x) = \sigma\Big(\log\frac{\mathcal{N}(x; 2, 1)}{\mathcal{N}(x; -2, 1)}"
        r"\Big) = \sigma(4x)$$"
    )
    what_to_try = (
        "Raise n (1-D) to thousands and watch w approach the Bayes slope 4; lower C to shrink w; "
        "switch the 2-D data to circles or xor (a line cannot separate them) and then to quadratic "
        "features; click far-away points of one class: least squares tilts, logistic barely moves; "
        "compare the solvers' iteration counts."
    )
    url_params = ("n_1d", "seed", "C", "solver", "max_iter", "dataset", "n_samples", "noise",
                  "features", "loss_units")

    n_1d = param.Integer(default=100, bounds=(4, 5000), label="n (1-D samples)",
                         doc="Number of samples of the 1-D experiment (half from each class).")
    seed = param.Integer(default=0, bounds=(0, 9999), doc="Random seed of both data sets.")
    C = param.Number(default=1.0, bounds=(1e-4, 1e3), label="C (notes)",
                     doc="Weight of C/2 ||w||^2 in the objective; scikit-learn's C is 1/C.")
    solver = param.Selector(default="newton", objects=["newton", "gd", "lbfgs"],
                            doc="Optimiser of the objective (optim.minimize).")
    max_iter = param.Integer(default=200, bounds=(1, 2000), label="max iterations",
                             doc="Iteration limit of the solver.")
    dataset = param.Selector(default="moons", objects=list(TOY_SETS),
                             doc="2-D data set with two classes.")
    n_samples = param.Integer(default=150, bounds=(10, 500), label="n (2-D samples)",
                              doc="Number of generated 2-D points.")
    noise = param.Number(default=0.25, bounds=(0.0, 1.0), step=0.01,
                         doc="Noise of the 2-D generator.")
    features = param.Selector(default="linear", objects=["linear", "quadratic"],
                              doc="x = (x1, x2), or (x1, x2, x1^2, x1 x2, x2^2): a conic boundary.")
    loss_units = param.Selector(default="bits", objects=["bits", "nats"], label="log-loss units",
                                doc="Plot log(1 + e^-m) with log2 (bits) or ln (nats).")

    def __init__(self, **params):
        self._memo: dict = {}
        super().__init__(**params)

    # ------------------------------------------------------------------ build
    def build(self):
        self.canvas = ClassifierCanvas(
            "logit", "2-D: p(y = +1 | x) and decision boundaries (click to add a point)",
            CLASS_NAMES, frame=FRAME, on_change=self.update)
        self.canvas.label = 1
        self.fig = self.canvas.fig
        self.region_source, self.points_source = self.canvas.regions, self.canvas.points
        self.ls_boundary_source = self.canvas.add_lines(
            "ls-boundary", color=LS_COLOR, line_width=2.5, line_dash="dashed",
            legend_label="least squares")
        self.boundary_source = self.canvas.add_lines("boundary", color=LOGISTIC_COLOR,
                                                     line_width=2.5, legend_label="logistic")
        self.canvas.draw_points_glyphs()
        self.fig.legend.location = "top_left"
        self.fig.legend.background_fill_alpha = 0.7
        self.fig.legend.padding, self.fig.legend.margin = 4, 4
        self.fig.xaxis.axis_label, self.fig.yaxis.axis_label = "x₁", "x₂"
        self._build_1d()
        self._build_losses()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._numbers_1d = pn.pane.HTML("", width=SIDE_WIDTH, margin=(0, 10))
        self._answers = pn.pane.HTML("", width=ANSWERS_WIDTH, margin=(0, 10))
        self.param.watch(lambda _e: self.canvas.clear_clicked(notify=False), "dataset")
        return self._controls(), self._main(), self._numbers

    def _controls(self) -> list:
        return [
            heading("Model (both plots)"), self.log_slider("C", step=0.1),
            self.param_controls(["solver", "max_iter"], solver=pn.widgets.RadioButtonGroup),
            heading("1-D experiment"), self.param_controls(["n_1d", "seed"]),
            heading("2-D data"),
            self.param_controls(["dataset", "n_samples", "noise", "features"],
                                features=pn.widgets.RadioButtonGroup),
            *self.canvas.controls("A click on the 2-D plot adds a point of class:",
                                  "Reset data (remove clicked points)"),
            heading("Loss plot"),
            self.param_controls(["loss_units"], loss_units=pn.widgets.RadioButtonGroup),
        ]

    def _main(self):
        legend_2d = pn.pane.HTML(
            "<small>Shading: p(y = +1 | x) of logistic regression (blue → orange). "
            "<b>Black</b>: its boundary p = ½. <b style='color:#D55E00'>Red dashed</b>: least "
            "squares on the labels ±1 (boundary wᵀx + b = 0). Black-edged points are "
            "misclassified by logistic regression.</small>", width=FRAME[0] + 60,
            margin=(0, 10))
        answers = pn.Column(pn.pane.HTML("<h3 style='margin:4px 0'>The notes' questions, "
                                         "answered by the live model</h3>", margin=(0, 10)),
                            self._answers, width=ANSWERS_WIDTH + 20)
        return plots(pn.Column(self.canvas.panel(), legend_2d), answers,
                     pn.Column(pn.pane.Bokeh(self.fig_1d), self._numbers_1d),
                     pn.pane.Bokeh(self.loss_fig))

    def _build_1d(self) -> None:
        f1 = make_figure("1-D: fit σ(wx + b) vs Bayes σ(4x)", tools="", height=300,
                         width=SIDE_WIDTH, sizing_mode="fixed", toolbar_location=None,
                         x_range=Range1d(*X_1D), y_range=Range1d(-0.12, 1.12),
                         name="logit-1d-fig")
        self.points_1d_source = ColumnDataSource(dict(x=[], y=[], label=[], color=[]),
                                                 name="logit-points-1d")
        self.sigmoid_source = ColumnDataSource(dict(x=[], p=[]), name="logit-sigmoid")
        xs = np.linspace(*X_1D, N_CURVE)
        self.bayes_source = ColumnDataSource(dict(x=xs, p=sigmoid(BAYES_SLOPE * xs)),
                                             name="logit-bayes")
        f1.scatter("x", "y", source=self.points_1d_source, color="color", size=5, alpha=0.5)
        f1.line("x", "p", source=self.bayes_source, color=BAYES_COLOR, line_width=3,
                line_dash="dashed", legend_label="Bayes σ(4x)")
        f1.line("x", "p", source=self.sigmoid_source, color=LOGISTIC_COLOR, line_width=2,
                legend_label="fit σ(wx + b)")
        self.threshold_span = Span(location=0.0, dimension="height", line_color=LOGISTIC_COLOR,
                                   line_dash="dotted", line_width=1)
        f1.add_layout(self.threshold_span)
        f1.legend.location = "top_left"
        f1.legend.background_fill_alpha = 0.7
        f1.legend.padding, f1.legend.margin = 2, 4
        f1.xaxis.axis_label, f1.yaxis.axis_label = "x", "p(y = +1 | x)"
        self.fig_1d = f1

    def _build_losses(self) -> None:
        lf = make_figure("Losses of the margin m = y(wᵀx + b)", tools="", height=300,
                         width=SIDE_WIDTH, sizing_mode="fixed", toolbar_location=None,
                         x_range=Range1d(*MARGINS), y_range=Range1d(-0.25, LOSS_TOP),
                         name="logit-loss-fig")
        self.loss_sources = {
            key: ColumnDataSource(dict(m=[], loss=[]), name=f"logit-loss-{key}")
            for key in ("log", "zero_one", "squared")}
        self.margin_source = ColumnDataSource(dict(m=[], y0=[], y1=[], color=[]),
                                              name="logit-loss-margins")
        styles = {"zero_one": (PALETTE[2], "0-1 loss [m ≤ 0]", "solid"),
                  "squared": (LS_COLOR, "squared (1 − m)²", "dashed"),
                  "log": (LOGISTIC_COLOR, "log loss", "solid")}
        for key in ("zero_one", "squared", "log"):
            color, label, dash = styles[key]
            lf.line("m", "loss", source=self.loss_sources[key], color=color, line_width=2.5,
                    line_dash=dash, legend_label=label)
        lf.segment("m", "y0", "m", "y1", source=self.margin_source, color="color",
                   line_width=1.2, alpha=0.7)
        lf.legend.location = "top_right"
        lf.legend.background_fill_alpha = 0.7
        lf.legend.padding, lf.legend.margin = 2, 4
        lf.xaxis.axis_label, lf.yaxis.axis_label = "margin m (rug: training margins)", "loss"
        self.loss_fig = lf

    # ------------------------------------------------------------------ compute
    def _estimator(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, solver=self.solver, max_iter=self.max_iter)

    def _memoised(self, part: str, key: tuple, make):
        """The last ``make()`` of ``part`` while its inputs ``key`` stay the same."""
        if self._memo.get(part, (None,))[0] != key:
            self._memo[part] = (key, make())
        return self._memo[part][1]

    def compute(self) -> LogisticResult:
        model_key = (self.C, self.solver, self.max_iter)
        one_d = self._memoised("1d", (self.n_1d, self.seed, *model_key), self._fit_1d)
        clicks = (self.canvas.clicked_X.tobytes(), self.canvas.clicked_y.tobytes())
        two_d = self._memoised("2d", (self.dataset, self.n_samples, self.noise, self.seed,
                                      self.features, *clicks, *model_key), self._fit_2d)
        return LogisticResult(one_d, two_d, self.loss_units, {**two_d.stats, **one_d.stats})

    def _fit_1d(self) -> OneD:
        """The notes' experiment: x | y ~ N(2y, 1); fit sigma(w x + b); compare with sigma(4x)."""
        x, y = datasets.make_two_gaussians_1d(n_samples=self.n_1d, random_state=self.seed)
        x, y = np.asarray(x, float), np.asarray(y, int)
        model = self._estimator().fit(x[:, None], y)
        w, b = float(model.coef_[0, 0]), float(model.intercept_[0])
        xs = np.linspace(*X_1D, N_CURVE)
        p = sigmoid(w * xs + b)
        rng = np.random.default_rng(self.seed + 1)
        target = (y > 0).astype(float)
        jitter = target + JITTER * rng.uniform(-1, 1, len(x)) - 0.03 * (2 * target - 1)
        stats = {
            "w_1d": ("w (Bayes: 4)", w),
            "b_1d": ("b (Bayes: 0)", b),
            "objective_1d": ("objective", float(model.objective(model.coef_.ravel(), b,
                                                                x[:, None], y))),
            "n_iter_1d": ("iterations", int(model.n_iter_)),
            "max_gap_1d": ("max |σ(wx + b) − σ(4x)|",
                           float(np.max(np.abs(p - sigmoid(BAYES_SLOPE * xs))))),
        }
        return OneD(x, y, model, w, b, xs, p, jitter, stats)

    def _fit_2d(self) -> TwoD:
        X, y = make_data(self.dataset, self.n_samples, self.noise, self.seed)
        X, y, clicked = self.canvas.with_clicked(X, y)
        Phi = _phi(X, self.features)
        model = self._estimator().fit(Phi, y)          # classes_ = [0, 1]: 0 -> -1, 1 -> +1
        signs = np.where(y == model.classes_[1], 1.0, -1.0)
        ls = LinearRegression().fit(Phi, signs)
        box = self.canvas.box_for(X)
        xx, yy, points = grid(*box, GRID_N)
        P = _phi(points, self.features)
        image = region_image(model.predict_proba(P), (GRID_N, GRID_N))
        xs, ys = xx[0], yy[:, 0]
        boundary = zero_level_lines(xs, ys, model.decision_function(P).reshape(GRID_N, GRID_N))
        ls_boundary = zero_level_lines(xs, ys, np.ravel(ls.predict(P)).reshape(GRID_N, GRID_N))
        scores = model.decision_function(Phi)
        margins, ls_margins = signs * scores, signs * np.ravel(ls.predict(Phi))
        pred = np.where(scores > 0, model.classes_[1], model.classes_[0])
        accuracy, ls_accuracy = float(np.mean(pred == y)), float(np.mean(ls_margins > 0))
        objective = float(model.objective(model.coef_.ravel(), float(model.intercept_[0]), Phi, y))
        stats = {
            "objective": ("objective C/2‖w‖² + Σ log(1 + e⁻ᵐ) [nats]", objective),
            "n_iter": (f"iterations ({self.solver})", int(model.n_iter_)),
            "converged": ("converged", bool(model.converged_)),
            "train_accuracy": ("training accuracy (logistic)", accuracy),
            "ls_accuracy": ("training accuracy (least squares)", ls_accuracy),
            "w_norm": ("‖w‖", float(np.linalg.norm(model.coef_))),
            "b": ("b", float(model.intercept_[0])),
            "C": ("C (notes)", float(self.C)),
            "C_sklearn": ("scikit-learn C = 1 / C", float(1.0 / self.C)),
            "n_train": ("2-D training points (incl. clicked)", len(y)),
            "n_clicked": ("clicked points", int(clicked.sum())),
        }
        return TwoD(X, y, clicked, model, ls, box, image, boundary, ls_boundary, margins,
                    ls_margins, pred, accuracy, ls_accuracy, stats)

    # ------------------------------------------------------------------ draw
    def draw(self, r: LogisticResult) -> None:
        self._draw_1d(r.one_d)
        t = r.two_d
        self.canvas.set_box(t.box)
        self.canvas.show_regions(t.image, t.box)
        self.canvas.show_lines("boundary", t.boundary)
        self.canvas.show_lines("ls-boundary", t.ls_boundary)
        self.canvas.show_points(t.X, t.y, t.clicked,
                                line_color=np.where(t.pred == t.y, "white", "black"))
        self.margin_source.data = dict(m=t.margins, y0=np.full(len(t.y), -0.25),
                                       y1=np.full(len(t.y), 0.0), color=class_colors(t.y))
        curves = loss_curves(r.units)
        for key, source in self.loss_sources.items():
            source.data = dict(m=curves["m"], loss=curves[key])
        label = ("log loss log₂(1 + e⁻ᵐ) [bits]" if r.units == "bits"
                 else "log loss ln(1 + e⁻ᵐ) [nats]")
        self.loss_fig.legend[0].items[-1].label = dict(value=label)
        self._numbers.object = "<b>2-D model</b>" + stats_html(t.stats)
        self._show_answers(t, r.units)

    def _draw_1d(self, o: OneD) -> None:
        self.sigmoid_source.data = dict(x=o.curve_x, p=o.curve_p)
        self.points_1d_source.data = dict(x=o.x, y=o.jitter_y, label=o.y,
                                          color=class_colors((o.y > 0).astype(int)))
        self.threshold_span.location = -o.b / o.w if o.w != 0 else 0.0
        cells = " · ".join(
            f"{html.escape(label)} = <span data-stat='{key}'>"
            f"{value:.4g}</span>" if isinstance(value, float) else
            f"{html.escape(label)} = <span data-stat='{key}'>{value}</span>"
            for key, (label, value) in o.stats.items())
        self._numbers_1d.object = f"<small>n = {len(o.x)}: {cells}</small>"

    def _show_answers(self, t: TwoD, units: str) -> None:
        m, ls = t.margins, t.ls_margins
        per_point = loss_curves(units, m)["log"]
        sq_big = ls[ls > 1]
        n_wrong = int(np.sum(m <= 0))
        self._answers.object = (
            "<p><b>Which loss is used for logistic regression?</b> The log loss of the margin "
            "m = y(wᵀx + b): ℓ(m) = log(1 + e<sup>−m</sup>), the negative log-likelihood "
            "−log σ(m) of the label. It is convex, smooth and decreasing, never exactly zero, "
            "and grows linearly for m → −∞. Here the mean log loss over the "
            f"{len(m)} training points is <span data-stat='mean_log_loss'>{per_point.mean():.4g}"
            f"</span> {units} and {n_wrong} points have m ≤ 0 (0-1 loss "
            f"{n_wrong / len(m):.3g}). In bits (log₂) it equals 1 at m = 0 and lies above the 0-1 "
            "loss everywhere.</p>"
            "<p><b>What is the difference between logistic and linear regression?</b> Linear "
            "regression (least squares on the labels ±1) minimises (y − wᵀx − b)² = (1 − m)², "
            "which also punishes points classified correctly <i>with confidence</i> (m > 1), so "
            "far-away points pull its boundary; it models a number, not a probability. Logistic "
            "regression models p(y | x) = σ(y(wᵀx + b)) and its loss only fades as m grows. "
            f"On these data: logistic accuracy <span data-stat='answer_acc'>{t.accuracy:.3f}"
            f"</span>, least squares <span data-stat='answer_ls_acc'>{t.ls_accuracy:.3f}"
            f"</span>; {len(sq_big)} points have least-squares margin m > 1 and still add "
            f"{np.sum((1 - sq_big) ** 2):.3g} to its loss.</p>"
            "<p><b>How are they optimised?</b> Least squares in closed form (normal "
            "equations); logistic regression iteratively — here "
            f"{html.escape(self.solver)} took {int(t.model.n_iter_)} iterations (see the "
            "Optimisation lab).</p>")
