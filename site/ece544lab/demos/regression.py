"""Linear regression & ridge on 1-D data with polynomial features, and the Gaussian-noise MLE view.

Course notes: model y = w^T phi(x); error = the vertical lines; setting the derivative to zero
gives X X^T w + C w - X Y = 0, i.e. w* = (X X^T + C I)^{-1} X Y; maximising the likelihood of
i.i.d. samples (joint = product of the individual densities) with Gaussian noise is least squares.

Parameters -> :meth:`RegressionDemo.compute` (a frozen :class:`RegressionResult`, the core's
:class:`~ece544core.linear_model.PolynomialRegression` at every degree) -> ``draw``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import ColumnDataSource, FixedTicker, Range1d, Span

from ece544core import datasets
from ece544core.linear_model import (GaussianNoiseMLE, PolynomialRegression, gaussian_noise_mle,
                                     mean_squared_error)

from ..views.common import stats_html
from ..views.demo import Demo
from ..views.layout import CONTROL_WIDTH, plots
from ..views.plotting import PALETTE, make_figure

MAX_DEGREE = 15
N_TEST = 200          # fresh samples of the same function for the test error
TEST_SEED_OFFSET = 10_000
N_CURVE = 200         # points on the plotted fitted curve
N_BELLS = 5           # Gaussian noise densities drawn around the fit
BELL_WIDTH = 0.07     # x-units of a bell at its peak
MSE_FLOOR = 1e-10     # the log-scale error plot shows smaller MSEs (interpolation) at this floor
FIT_WIDTH = 540       # the fit plot's width in pixels (the layout keeps plots <= 560)
SIDE_WIDTH = 320      # the error-vs-degree and density plots (side by side at 1200 px)
TRAIN_COLOR, TEST_COLOR, FIT_COLOR = PALETTE[0], PALETTE[1], PALETTE[5]


@functools.lru_cache(maxsize=8)
def _generated(function: str, n_samples: int, noise: float, seed: int):
    """(x, y, x_test, y_test): the training sample and N_TEST fresh samples of the same f."""
    x, y = datasets.make_regression_1d(n_samples=n_samples, noise=noise, function=function,
                                       random_state=seed)
    xt, yt = datasets.make_regression_1d(n_samples=N_TEST, noise=noise, function=function,
                                         random_state=seed + TEST_SEED_OFFSET)
    return tuple(np.asarray(a, float) for a in (x, y, xt, yt))


def error_curve(x, y, x_test, y_test, C: float) -> dict[str, np.ndarray]:
    """Train and test MSE of the fit at every degree 0..MAX_DEGREE (same C)."""
    train, test = [], []
    for d in range(MAX_DEGREE + 1):
        f = PolynomialRegression(d, C).fit(x, y)
        train.append(mean_squared_error(y, f.predict(x)))
        test.append(mean_squared_error(y_test, f.predict(x_test)))
    return dict(degree=np.arange(MAX_DEGREE + 1), train_mse=np.asarray(train),
                test_mse=np.asarray(test))


def _view_box(x, y, x_test, y_test):
    """Plot box: the data (train and test) with a margin; the curve may leave it."""
    ys = np.concatenate([y, y_test])
    xs = np.concatenate([x, x_test, [0.0, 1.0]])
    ypad = 0.15 * max(np.ptp(ys), 1e-3)
    xpad = 0.05 * max(np.ptp(xs), 1e-3)
    return (xs.min() - xpad, xs.max() + xpad), (ys.min() - ypad, ys.max() + ypad)


@dataclass(frozen=True, eq=False)
class RegressionResult:
    """Everything the page shows for one setting of the parameters."""

    x: np.ndarray              # training inputs (generated, then clicked)
    y: np.ndarray
    clicked: np.ndarray        # mask of the clicked training points
    x_test: np.ndarray
    y_test: np.ndarray
    degree: int
    C: float
    fit: PolynomialRegression  # fitted at ``degree``
    yhat: np.ndarray           # fit.predict(x)
    curve_x: np.ndarray
    curve_y: np.ndarray
    errors: dict               # error_curve(...): degree, train_mse, test_mse
    mle: GaussianNoiseMLE
    cond: float                # cond(X X^T + C I~)
    box: tuple
    stats: dict


class RegressionDemo(Demo):
    """Polynomial least squares / ridge: fit, residuals, error vs degree, Gaussian MLE."""

    slug = "regression"
    title = "Linear regression & ridge"
    formula = (
        r"$$\hat y = \mathbf{w}^\top\phi(x),\;\; \phi(x) = (1, x, \dots, x^{d})^\top,\;\; "
        r"\mathbf{X} = [\phi(x^{(1)}) \cdots \phi(x^{(N)})],\;\; "
        r"\mathbf{Y} = (y^{(1)}, \dots, y^{(N)})^\top$$"
        r"$$\min_{\mathbf{w}} \tfrac12 \sum_{i} \big(y^{(i)} - \mathbf{w}^\top\phi(x^{(i)})\big)^2 "
        r"+ \tfrac{C}{2}\|\mathbf{w}\|^2 \;\Rightarrow\; \mathbf{X}\mathbf{X}^\top\mathbf{w} + "
        r"C\mathbf{w} - \mathbf{X}\mathbf{Y} = 0 \;\Rightarrow\; \mathbf{w}^* = "
        r"(\mathbf{X}\mathbf{X}^\top + C\mathbf{I})^{-1}\mathbf{X}\mathbf{Y}$$"
        r"$$y^{(i)} = \mathbf{w}^\top\phi(x^{(i)}) + \epsilon,\; "
        r"\epsilon \sim \mathcal{N}(0, \sigma^2):"
        r"\;\; p(D) = \prod_i p(y^{(i)} \mid x^{(i)}),\;\; "
        r"\sigma^2_{\mathrm{ML}} = \tfrac1N \sum_i (y^{(i)} - \hat y^{(i)})^2$$"
    )
    what_to_try = (
        "Raise the degree to 15 with ridge off: train error falls, test error explodes and "
        "cond(XXᵀ) blows up; then switch ridge on and slide log₁₀ C; click the plot to add an "
        "outlier and watch σ² and the log-likelihood."
    )
    url_params = ("function", "n_samples", "noise", "seed", "degree", "ridge", "log10_C")

    function = param.Selector(default="sin", objects=["sin", "linear", "cubic"],
                              doc="True function f in y = f(x) + noise.")
    n_samples = param.Integer(default=20, bounds=(5, 200), doc="Number of training samples N.")
    noise = param.Number(default=0.2, bounds=(0.0, 1.0), step=0.01,
                         doc="Standard deviation of the noise added to y.")
    seed = param.Integer(default=0, bounds=(0, 9999), doc="Random seed of the data.")
    degree = param.Integer(default=3, bounds=(0, MAX_DEGREE), label="degree d",
                           doc="Polynomial degree of phi(x).")
    ridge = param.Boolean(default=False, label="ridge (C > 0)",
                          doc="Off: plain least squares (C = 0). On: C = 10**log10_C.")
    log10_C = param.Number(default=-3.0, bounds=(-8.0, 3.0), step=0.1, label="log10 C",
                           doc="Regularisation constant C on a log scale (used when ridge is on).")

    def __init__(self, **params):
        self._clicked = np.empty((0, 2))
        super().__init__(**params)

    @property
    def C(self) -> float:
        """The regularisation constant in use: 0 without ridge."""
        return 10.0 ** self.log10_C if self.ridge else 0.0

    # ------------------------------------------------------------------ build
    def build(self):
        self._build_figures()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._coef = pn.pane.HTML("", sizing_mode="stretch_width")
        self._mle_text = pn.pane.HTML("", width=SIDE_WIDTH)
        return self._controls(), self._main(), pn.Column(self._numbers, self._coef,
                                                         sizing_mode="stretch_width")

    def _controls(self) -> list:
        params = self.param_controls(["function", "n_samples", "noise", "seed", "degree", "ridge"],
                                     ridge=pn.widgets.Switch)
        log_c = pn.widgets.FloatSlider.from_param(self.param.log10_C, width=CONTROL_WIDTH - 20,
                                                  disabled=not self.ridge, margin=(5, 20))
        self.param.watch(lambda e: setattr(log_c, "disabled", not e.new), "ridge")
        reset = pn.widgets.Button(name="Reset data (remove clicked points)",
                                  sizing_mode="stretch_width")
        reset.on_click(lambda _event: self.reset_points())
        return [params, log_c, reset]

    def _main(self):
        legend = pn.pane.HTML(
            "<small>● training points (click to add), · test points, red: fitted curve, "
            "grey lines: residuals y − ŷ, purple: the Gaussian noise density p(y | x) "
            "around the fit at a few points.</small>", width=FIT_WIDTH, margin=(0, 10))
        mle_box = pn.Column(pn.pane.HTML("<b>Maximum likelihood view</b>", margin=(5, 10, 0, 10)),
                            self._mle_text, pn.pane.Bokeh(self.density_fig), width=SIDE_WIDTH + 20)
        return plots(pn.Column(pn.pane.Bokeh(self.fig), legend),
                     pn.pane.Bokeh(self.error_fig), mle_box)

    def _build_figures(self) -> None:
        fig = make_figure("Polynomial fit (click to add a training point)",
                          tools="pan,wheel_zoom,reset", height=400, width=FIT_WIDTH,
                          sizing_mode="fixed", x_range=Range1d(-0.05, 1.05),
                          y_range=Range1d(-1.5, 1.5))
        self.points_source = ColumnDataSource(dict(x=[], y=[], clicked=[]), name="reg-points")
        self.test_source = ColumnDataSource(dict(x=[], y=[]), name="reg-test")
        self.curve_source = ColumnDataSource(dict(x=[], y=[]), name="reg-curve")
        self.residual_source = ColumnDataSource(dict(x0=[], y0=[], x1=[], y1=[]),
                                                name="reg-residuals")
        self.bell_source = ColumnDataSource(dict(xs=[], ys=[]), name="reg-bells")
        fig.scatter("x", "y", source=self.test_source, size=3, color=TEST_COLOR, alpha=0.5)
        fig.segment("x0", "y0", "x1", "y1", source=self.residual_source, color="#555555",
                    line_width=2)
        fig.multi_line("xs", "ys", source=self.bell_source, color=PALETTE[3], line_width=1.5)
        fig.line("x", "y", source=self.curve_source, color=FIT_COLOR, line_width=2.5)
        fig.scatter("x", "y", source=self.points_source, size=8, color=TRAIN_COLOR,
                    line_color="white")
        fig.xaxis.axis_label, fig.yaxis.axis_label = "x", "y"
        fig.on_event(Tap, lambda event: self.add_point(event.x, event.y))
        self.fig = fig

        err = make_figure("Mean squared error vs degree", tools="", toolbar_location=None,
                          height=300, width=SIDE_WIDTH, sizing_mode="fixed", y_axis_type="log",
                          x_range=Range1d(-0.5, MAX_DEGREE + 0.5), y_range=Range1d(1e-3, 1.0),
                          min_border_left=70)
        self.error_source = ColumnDataSource(
            dict(degree=[], train_mse=[], test_mse=[], train_plot=[], test_plot=[]),
            name="reg-error-curve")
        for col, color, label in (("train_plot", TRAIN_COLOR, "train"),
                                  ("test_plot", TEST_COLOR, "test")):
            err.line("degree", col, source=self.error_source, color=color, line_width=2,
                     legend_label=label)
            err.scatter("degree", col, source=self.error_source, color=color, size=5)
        self.degree_span = Span(location=self.degree, dimension="height", line_color=FIT_COLOR,
                                line_dash="dashed", line_width=2)
        err.add_layout(self.degree_span)
        err.yaxis.ticker = FixedTicker(ticks=[])               # 1-2-5 per decade, see below
        err.legend.orientation = "horizontal"
        err.legend.padding, err.legend.margin = 2, 0
        err.add_layout(err.legend[0], "above")                  # keep the curves uncovered
        err.xaxis.axis_label, err.yaxis.axis_label = "degree d", "MSE"
        self.error_fig = err

        dens = make_figure("", tools="", toolbar_location=None, height=150, width=SIDE_WIDTH,
                           sizing_mode="fixed", x_range=self.fig.x_range)
        self.density_source = ColumnDataSource(dict(x=[], density=[]), name="reg-densities")
        dens.vbar(x="x", top="density", width=0.006, source=self.density_source,
                  color=PALETTE[3])
        dens.xaxis.axis_label, dens.yaxis.axis_label = "x⁽ⁱ⁾", "p(y⁽ⁱ⁾ | x⁽ⁱ⁾)"
        self.density_fig = dens

    # ------------------------------------------------------------------ clicked points
    def add_point(self, x: float, y: float) -> None:
        """Add a training point at (x, y) and refit."""
        if x is None or y is None or not (np.isfinite(x) and np.isfinite(y)):
            return  # a click outside the data area
        self._clicked = np.vstack([self._clicked, [[float(x), float(y)]]])
        self.update()

    def reset_points(self) -> None:
        """Remove the clicked points and refit."""
        self._clicked = np.empty((0, 2))
        self.update()

    # ------------------------------------------------------------------ compute
    def compute(self) -> RegressionResult:
        x, y, clicked, x_test, y_test, box = self._training_set()
        C, k = self.C, self.degree
        errors = self._errors(x, y, x_test, y_test, C)
        fit = PolynomialRegression(k, C).fit(x, y)
        yhat = fit.predict(x)
        curve_x = np.linspace(*box[0], N_CURVE)
        mle = gaussian_noise_mle(y, yhat)
        cond = float(np.linalg.cond(fit.normal_matrix_))
        stats = {
            "degree": ("degree d", k),
            "C": ("C", float(C)),
            "n_train": ("training points N (incl. clicked)", len(x)),
            "train_mse": ("train MSE", float(errors["train_mse"][k])),
            "test_mse": (f"test MSE ({N_TEST} fresh samples)", float(errors["test_mse"][k])),
            "cond": ("cond(XXᵀ + CI)", cond),
            "sigma2": ("σ²_ML = RSS / N", float(mle.sigma2)),
            "log_likelihood": ("log-likelihood log p(D)", float(mle.log_likelihood)),
        }
        return RegressionResult(x=x, y=y, clicked=clicked, x_test=x_test,
                                y_test=y_test, degree=k, C=C, fit=fit, yhat=yhat,
                                curve_x=curve_x, curve_y=fit.predict(curve_x), errors=errors,
                                mle=mle, cond=cond, box=box, stats=stats)

    def _training_set(self):
        """(x, y, clicked, x_test, y_test, box), the same arrays while the data do not change
        (so draw() sends unchanged points to the browser only once)."""
        key = (self.function, self.n_samples, self.noise, self.seed, self._clicked.tobytes())
        cached = getattr(self, "_data_cache", None)
        if cached is None or cached[0] != key:
            gx, gy, x_test, y_test = _generated(*key[:4])
            x = np.concatenate([gx, self._clicked[:, 0]])
            y = np.concatenate([gy, self._clicked[:, 1]])
            clicked = np.arange(len(x)) >= len(gx)
            self._data_cache = cached = (key, (x, y, clicked, x_test, y_test,
                                               _view_box(x, y, x_test, y_test)))
        return cached[1]

    def _errors(self, x, y, x_test, y_test, C) -> dict:
        """error_curve, memoised: a degree change does not refit the 16 degrees."""
        key = (x.tobytes(), y.tobytes(), x_test.tobytes(), C)
        cached = getattr(self, "_errors_cache", None)
        if cached is None or cached[0] != key:
            self._errors_cache = cached = (key, error_curve(x, y, x_test, y_test, C))
        return cached[1]

    # ------------------------------------------------------------------ draw
    def draw(self, r: RegressionResult) -> None:
        prev = self.result
        if prev is None or r.x is not prev.x or r.x_test is not prev.x_test:  # new data
            (x0, x1), (y0, y1) = r.box
            self.fig.x_range.update(start=x0, end=x1)
            self.fig.y_range.update(start=y0, end=y1)
            self.points_source.data = dict(x=r.x, y=r.y, clicked=r.clicked)
            self.test_source.data = dict(x=r.x_test, y=r.y_test)
        self.curve_source.data = dict(x=r.curve_x, y=r.curve_y)
        self.residual_source.data = dict(x0=r.x, y0=r.y, x1=r.x, y1=r.yhat)
        self.degree_span.location = r.degree
        if prev is None or r.errors is not prev.errors:                          # new C or data
            train, test = r.errors["train_mse"], r.errors["test_mse"]
            self.error_source.data = dict(r.errors, train_plot=np.maximum(train, MSE_FLOOR),
                                          test_plot=np.maximum(test, MSE_FLOOR))
            self._set_error_range(np.maximum(np.concatenate([train, test]), MSE_FLOOR))
        self._draw_mle(r)
        self._numbers.object = stats_html(r.stats)
        terms = ", ".join(f"w<sub>{i}</sub> = {v:.4g}" for i, v in enumerate(r.fit.coef_))
        self._coef.object = (
            f"<p class='coefficients'><b>w* = (XXᵀ + CI)⁻¹XY</b> with C = {r.C:.3g} "
            f"(the bias w<sub>0</sub> is not penalised): <span data-stat='w'>{terms}</span></p>")

    def _set_error_range(self, shown: np.ndarray) -> None:
        lo, hi = shown.min() / 2, min(shown.max() * 2, 1e6)
        self.error_fig.y_range.update(start=lo, end=hi)
        decades = range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1)
        ticks = [m * 10.0 ** e for e in decades for m in (1, 2, 5)]
        every = 1 if len(decades) <= 4 else 3          # many decades: only the powers of ten
        self.error_fig.yaxis.ticker.ticks = [t for t in ticks[::every] if lo <= t <= hi]

    def _draw_mle(self, r: RegressionResult) -> None:
        dens = np.asarray(r.mle.densities, dtype=float)
        self.density_source.data = dict(x=r.x, density=dens)
        self.bell_source.data = bell_curves(r.x, r.yhat, r.y, float(r.mle.sigma2))
        product = float(np.prod(dens))
        log_lik = float(r.mle.log_likelihood)
        self._mle_text.object = (
            "<p style='margin:0 10px'>Joint density of the N = "
            f"{len(r.y)} i.i.d. training points = product of the individual densities:<br>"
            f"∏ᵢ p(y⁽ⁱ⁾ | x⁽ⁱ⁾) = <span data-stat='product_density'>{product:.6g}</span>"
            f" &nbsp;=&nbsp; exp(log-likelihood) = exp({log_lik:.4g}) = "
            f"<span data-stat='exp_loglik'>{np.exp(log_lik):.6g}</span>"
            "<br><small>Bars: p(y⁽ⁱ⁾ | x⁽ⁱ⁾) = N(y⁽ⁱ⁾; ŷ⁽ⁱ⁾, σ²) of each point.</small></p>")


def bell_curves(x: np.ndarray, yhat: np.ndarray, y: np.ndarray, sigma2: float) -> dict:
    """Sideways Gaussian densities N(t; yhat_i, sigma^2) drawn at N_BELLS of the points, each
    scaled to BELL_WIDTH at its peak, plus a tick from the bell's axis to the data point's
    density (how likely the model finds that y)."""
    if len(x) == 0 or sigma2 <= 0:
        return dict(xs=[], ys=[])
    sigma = np.sqrt(sigma2)
    picks = np.unique(np.linspace(0, len(x) - 1, min(N_BELLS, len(x))).round().astype(int))
    picks = picks[np.argsort(x[picks])]
    t = np.linspace(-3.0, 3.0, 61) * sigma
    xs, ys = [], []
    for i in picks:
        xs.append(x[i] + BELL_WIDTH * np.exp(-t ** 2 / (2 * sigma2)))
        ys.append(yhat[i] + t)
        xs.append(np.array([x[i], x[i]]))                               # the bell's axis
        ys.append(yhat[i] + np.array([-3.0, 3.0]) * sigma)
        h = BELL_WIDTH * np.exp(-(y[i] - yhat[i]) ** 2 / (2 * sigma2))
        xs.append(np.array([x[i], x[i] + h]))                           # density at y_i
        ys.append(np.array([y[i], y[i]]))
    return dict(xs=xs, ys=ys)
