"""Logistic regression: the notes' 1-D two-Gaussians experiment, 2-D decision boundaries, the
losses on the margin axis, and logistic vs least-squares classification.

Course notes: p(y | x) = sigma(y w^T x); training minimises C/2 ||w||^2 + sum_i log(1 + exp(-y_i
w^T x_i)) (the log loss of the margin m = y w^T x); with classes N(-2, 1) and N(+2, 1) and equal
priors the Bayes posterior is p(y = +1 | x) = sigma(4 x), which the fit approaches as n grows.
"""
from __future__ import annotations

import html

import numpy as np
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import ColumnDataSource, Range1d, Span

from ece544core import datasets
from ece544core.linear_model import LinearRegression, PolynomialFeatures
from ece544core.logistic import LogisticRegression, sigmoid

from ..views.common import Demo, LabelledClickedPoints, guarded, heading, stats_html
from ..views.plotting import (PALETTE, class_colors, empty_image, fit_box, grid, make_figure, region_image,
                       zero_level_lines)


#: the demo's data sets: name -> (set of the registry ``datasets.make_toy``, factor on the
#: demo's ``noise``; blobs: the registry's two blobs with std 0.2 + 3 noise)
TOY_SETS = {"blobs": ("blobs", 1.5), "moons": ("moons", 1.0), "xor": ("xor", 1.0),
            "circles": ("circles", 1.0)}


def make_data(name: str, n_samples: int, noise: float, seed: int):
    """The demo's data set ``name`` drawn from the registry."""
    toy, factor = TOY_SETS[name]
    return datasets.make_toy(toy, n_samples=n_samples, noise=factor * noise, random_state=seed)


CLASS_NAMES = ["blue: y = −1", "orange: y = +1"]  # PALETTE[0], PALETTE[1]
GRID_N = 100              # probability image is GRID_N x GRID_N
FRAME = (460, 380)        # 2-D plot frame in screen pixels; the data box gets the same aspect
X_1D = (-6.0, 6.0)        # x-range of the 1-D experiment
N_CURVE = 241             # points on the plotted sigmoids
BAYES_SLOPE = 4.0         # log N(x; 2, 1) - log N(x; -2, 1) = 4 x
JITTER = 0.04             # vertical jitter of the 1-D data points
MARGINS = (-3.0, 3.0)     # margin axis of the loss plot
LOSS_TOP = 4.5
LOGISTIC_COLOR, LS_COLOR, BAYES_COLOR = "#222222", PALETTE[5], PALETTE[2]


def loss_curves(units: str = "bits", m: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The three losses of the margin m = y w^T x: log loss log(1 + e^{-m}) (in ``units``: 'nats'
    uses ln, 'bits' log2 so that it is 1 at m = 0 and bounds the 0-1 loss from above), the 0-1
    loss [m <= 0] and the squared loss (1 - m)^2 = (y - w^T x)^2 of least squares on y = +-1."""
    m = np.linspace(*MARGINS, 301) if m is None else np.asarray(m, dtype=float)
    log_loss = np.logaddexp(0.0, -m)
    if units == "bits":
        log_loss = log_loss / np.log(2.0)
    return dict(m=m, log=log_loss, zero_one=(m <= 0).astype(float), squared=(1.0 - m) ** 2)


class LogisticDemo(LabelledClickedPoints, Demo):
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
    add_class = param.Integer(default=1, bounds=(0, 1),
                              doc="Class of the 2-D point a click on the plot adds.")

    def __init__(self, **params):
        super().__init__(**params)
        self._clear_clicked()
        self._data_name = self.dataset
        self.x1, self.y1 = np.empty(0), np.empty(0, int)
        self.X = np.empty((0, 2))
        self.y = np.empty(0, int)
        self.model: LogisticRegression | None = None
        self.model_1d: LogisticRegression | None = None
        self.ls_model: LinearRegression | None = None
        self.stats: dict = {}
        self._build_figures()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._numbers_1d = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._answers = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self._layout = self.page(self._controls(), self._main(), self._numbers)
        self._on_units()
        self._refit_all()

    # ------------------------------------------------------------------ widgets / layout
    def _controls(self) -> list:
        adder, reset = self._point_controls(CLASS_NAMES, "Reset data (remove clicked points)")
        return [
            heading("Model (both plots)"), self.log_slider("C", step=0.1),
            self.param_controls(["solver", "max_iter"], solver=pn.widgets.RadioButtonGroup),
            heading("1-D experiment"), self.param_controls(["n_1d", "seed"]),
            heading("2-D data"),
            self.param_controls(["dataset", "n_samples", "noise", "features"],
                                features=pn.widgets.RadioButtonGroup),
            pn.pane.HTML("A click on the 2-D plot adds a point of class:", margin=(5, 10, 0, 10)),
            adder, reset,
            heading("Loss plot"),
            self.param_controls(["loss_units"], loss_units=pn.widgets.RadioButtonGroup),
        ]

    def _main(self) -> pn.Column:
        legend_2d = pn.pane.HTML(
            "<small>Shading: p(y = +1 | x) of logistic regression (blue → orange). "
            "<b>Black</b>: its boundary p = ½. <b style='color:#D55E00'>Red dashed</b>: least "
            "squares on the labels ±1 (boundary wᵀx + b = 0). Black-edged points are "
            "misclassified by logistic regression.</small>", width=FRAME[0] + 60,
            margin=(0, 10))
        return pn.Column(
            pn.Row(pn.Column(pn.pane.Bokeh(self.fig), legend_2d, width=FRAME[0] + 80),
                   pn.Column(pn.pane.HTML("<h3 style='margin:4px 0'>The notes' questions, "
                                          "answered by the live model</h3>", margin=(0, 10)),
                             self._answers, sizing_mode="stretch_width"),
                   sizing_mode="stretch_width"),
            pn.Row(pn.Column(pn.pane.Bokeh(self.fig_1d, sizing_mode="stretch_width"),
                             self._numbers_1d, sizing_mode="stretch_width"),
                   pn.pane.Bokeh(self.loss_fig, sizing_mode="stretch_width"),
                   sizing_mode="stretch_width"),
            sizing_mode="stretch_width")

    # ------------------------------------------------------------------ figures
    def _build_figures(self) -> None:
        # 2-D: probability shading, boundaries, points
        fig = make_figure("2-D: p(y = +1 | x) and decision boundaries (click to add a point)",
                          tools="pan,wheel_zoom,reset", sizing_mode="fixed", width=None,
                          height=None, frame_width=FRAME[0], frame_height=FRAME[1],
                          x_range=Range1d(-1, 1), y_range=Range1d(-1, 1), name="logit-fig")
        self.region_source = ColumnDataSource(
            empty_image(),
            name="logit-regions")
        self.points_source = ColumnDataSource(
            dict(x=[], y=[], label=[], color=[], line_color=[], clicked=[]), name="logit-points")
        self.boundary_source = ColumnDataSource(dict(xs=[], ys=[]), name="logit-boundary")
        self.ls_boundary_source = ColumnDataSource(dict(xs=[], ys=[]), name="logit-ls-boundary")
        fig.image_rgba(image="image", x="x", y="y", dw="dw", dh="dh", source=self.region_source)
        fig.multi_line("xs", "ys", source=self.ls_boundary_source, color=LS_COLOR, line_width=2.5,
                       line_dash="dashed", legend_label="least squares")
        fig.multi_line("xs", "ys", source=self.boundary_source, color=LOGISTIC_COLOR,
                       line_width=2.5, legend_label="logistic")
        fig.scatter("x", "y", source=self.points_source, fill_color="color",
                    line_color="line_color", size=8, line_width=1.2)
        fig.legend.location = "top_left"
        fig.legend.background_fill_alpha = 0.7
        fig.legend.padding, fig.legend.margin = 4, 4
        fig.xaxis.axis_label, fig.yaxis.axis_label = "x₁", "x₂"
        fig.on_event(Tap, self._on_tap)
        self.fig = fig

        # 1-D experiment
        f1 = make_figure("1-D: fitted σ(wx + b) vs Bayes posterior σ(4x)", tools="", height=300,
                         toolbar_location=None, x_range=Range1d(*X_1D),
                         y_range=Range1d(-0.12, 1.12), min_width=300, name="logit-1d-fig")
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

        # losses on the margin axis
        lf = make_figure("Losses of the margin m = y(wᵀx + b)", tools="", height=300,
                         toolbar_location=None, x_range=Range1d(*MARGINS),
                         y_range=Range1d(-0.25, LOSS_TOP), min_width=300, name="logit-loss-fig")
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

    # ------------------------------------------------------------------ interactions
    @param.depends("loss_units", watch=True)
    def _on_units(self) -> None:
        curves = loss_curves(self.loss_units)
        for key, source in self.loss_sources.items():
            source.data = dict(m=curves["m"], loss=curves[key])
        label = ("log loss log₂(1 + e⁻ᵐ) [bits]" if self.loss_units == "bits"
                 else "log loss ln(1 + e⁻ᵐ) [nats]")
        self.loss_fig.legend[0].items[-1].label = dict(value=label)
        if self.model is not None:
            self._show_answers()

    @param.depends("C", "solver", "max_iter", watch=True)
    @guarded
    def _refit_all(self) -> None:
        self._fit_1d()
        self._fit_2d()

    @param.depends("n_1d", watch=True)
    @guarded
    def _on_1d(self) -> None:
        self._fit_1d()
        self._show_stats()

    @param.depends("seed", watch=True)
    @guarded
    def _on_seed(self) -> None:
        self._fit_1d()
        self._fit_2d()

    @param.depends("dataset", "n_samples", "noise", "features", watch=True)
    @guarded
    def _on_2d(self) -> None:
        if self.dataset != self._data_name:
            self._data_name = self.dataset
            self._clear_clicked()
        self._fit_2d()

    def _after_clicks(self) -> None:
        self._fit_2d()

    # ------------------------------------------------------------------ computation
    def _estimator(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, solver=self.solver, max_iter=self.max_iter)

    def _fit_1d(self) -> None:
        """The notes' experiment: x | y ~ N(2y, 1); fit sigma(w x + b); compare with sigma(4x)."""
        x, y = datasets.make_two_gaussians_1d(n_samples=self.n_1d, random_state=self.seed)
        model = self._estimator().fit(x[:, None], y)
        self.x1, self.y1, self.model_1d = np.asarray(x, float), np.asarray(y, int), model
        w, b = float(model.coef_[0, 0]), float(model.intercept_[0])
        xs = np.linspace(*X_1D, N_CURVE)
        self.sigmoid_source.data = dict(x=xs, p=sigmoid(w * xs + b))
        rng = np.random.default_rng(self.seed + 1)
        target = (self.y1 > 0).astype(float)
        self.points_1d_source.data = dict(
            x=self.x1, y=target + JITTER * rng.uniform(-1, 1, len(x)) - 0.03 * (2 * target - 1),
            label=self.y1, color=class_colors((self.y1 > 0).astype(int)))
        self.threshold_span.location = -b / w if w != 0 else 0.0
        gap = float(np.max(np.abs(sigmoid(w * xs + b) - sigmoid(BAYES_SLOPE * xs))))
        self.stats_1d = {
            "w_1d": ("w (Bayes: 4)", w),
            "b_1d": ("b (Bayes: 0)", b),
            "objective_1d": ("objective", float(model.objective(model.coef_.ravel(), b,
                                                                x[:, None], y))),
            "n_iter_1d": ("iterations", int(model.n_iter_)),
            "max_gap_1d": ("max |σ(wx + b) − σ(4x)|", gap),
        }
        cells = " · ".join(
            f"{html.escape(label)} = <span data-stat='{key}'>"
            f"{value:.4g}</span>" if isinstance(value, float) else
            f"{html.escape(label)} = <span data-stat='{key}'>{value}</span>"
            for key, (label, value) in self.stats_1d.items())
        self._numbers_1d.object = f"<small>n = {len(x)}: {cells}</small>"

    def _phi(self, X: np.ndarray) -> np.ndarray:
        if self.features == "linear":
            return X
        return PolynomialFeatures(degree=2, include_bias=False).fit_transform(X)

    def _fit_2d(self) -> None:
        """Logistic regression and least squares on y = +-1, same data and features."""
        X, y = make_data(self.dataset, self.n_samples, self.noise, self.seed)
        X = np.vstack([np.asarray(X, float), self._clicked_X])
        y = np.concatenate([np.asarray(y, int), self._clicked_y])
        Phi = self._phi(X)
        model = self._estimator().fit(Phi, y)          # classes_ = [0, 1]: 0 -> -1, 1 -> +1
        signs = np.where(y == model.classes_[1], 1.0, -1.0)
        ls = LinearRegression().fit(Phi, signs)
        self.X, self.y, self.model, self.ls_model = X, y, model, ls

        box = fit_box(X, FRAME[0] / FRAME[1])
        (x0, x1), (y0, y1) = box
        xx, yy, points = grid(*box, GRID_N)
        P = self._phi(points)
        proba = model.predict_proba(P)                                 # (GRID_N**2, 2)
        self.region_source.data = dict(image=[region_image(proba, (GRID_N, GRID_N))],
                                       x=[x0], y=[y0], dw=[x1 - x0], dh=[y1 - y0])
        xs, ys = xx[0], yy[:, 0]
        self.boundary_source.data = zero_level_lines(
            xs, ys, model.decision_function(P).reshape(GRID_N, GRID_N))
        self.ls_boundary_source.data = zero_level_lines(
            xs, ys, np.ravel(ls.predict(P)).reshape(GRID_N, GRID_N))
        self.fig.x_range.update(start=x0, end=x1)
        self.fig.y_range.update(start=y0, end=y1)

        scores = model.decision_function(Phi)
        self.margins = signs * scores
        pred = np.where(scores > 0, model.classes_[1], model.classes_[0])
        self.points_source.data = dict(
            x=X[:, 0], y=X[:, 1], label=y, color=class_colors(y),
            line_color=np.where(pred == y, "white", "black"),
            clicked=np.arange(len(y)) >= len(y) - len(self._clicked_y))
        self.margin_source.data = dict(
            m=self.margins, y0=np.full(len(y), -0.25), y1=np.full(len(y), 0.0),
            color=class_colors(y))
        self.ls_margins = signs * np.ravel(ls.predict(Phi))
        self.accuracy = float(np.mean(pred == y))
        self.ls_accuracy = float(np.mean(self.ls_margins > 0))
        self._show_answers()
        self._show_stats()

    # ------------------------------------------------------------------ numbers
    def _objective_2d(self) -> float:
        m = self.model
        return float(m.objective(m.coef_.ravel(), float(m.intercept_[0]), self._phi(self.X),
                                 self.y))

    def _show_stats(self) -> None:
        m = self.model
        if m is None:
            return
        self.stats = {
            "objective": ("objective C/2‖w‖² + Σ log(1 + e⁻ᵐ) [nats]", self._objective_2d()),
            "n_iter": (f"iterations ({self.solver})", int(m.n_iter_)),
            "converged": ("converged", bool(m.converged_)),
            "train_accuracy": ("training accuracy (logistic)", self.accuracy),
            "ls_accuracy": ("training accuracy (least squares)", self.ls_accuracy),
            "w_norm": ("‖w‖", float(np.linalg.norm(m.coef_))),
            "b": ("b", float(m.intercept_[0])),
            "C": ("C (notes)", float(self.C)),
            "C_sklearn": ("scikit-learn C = 1 / C", float(1.0 / self.C)),
            "n_train": ("2-D training points (incl. clicked)", len(self.y)),
            "n_clicked": ("clicked points", len(self._clicked_y)),
        }
        self.stats.update(self.stats_1d)
        two_d = {k: v for k, v in self.stats.items() if k not in self.stats_1d}
        self._numbers.object = "<b>2-D model</b>" + stats_html(two_d)

    def _show_answers(self) -> None:
        m, ls = self.margins, self.ls_margins
        units = self.loss_units
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
            f"On these data: logistic accuracy <span data-stat='answer_acc'>{self.accuracy:.3f}"
            f"</span>, least squares <span data-stat='answer_ls_acc'>{self.ls_accuracy:.3f}"
            f"</span>; {len(sq_big)} points have least-squares margin m > 1 and still add "
            f"{np.sum((1 - sq_big) ** 2):.3g} to its loss.</p>"
            "<p><b>How are they optimised?</b> Least squares in closed form (normal "
            "equations); logistic regression iteratively — here "
            f"{html.escape(self.solver)} took {int(self.model.n_iter_)} iterations (see the "
            "Optimisation lab).</p>")
