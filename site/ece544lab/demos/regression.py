"""Linear regression & ridge on 1-D data with polynomial features, and the Gaussian-noise MLE view.

Course notes: model y = w^T phi(x); error = the vertical lines; setting the derivative to zero
gives X X^T w + C w - X Y = 0, i.e. w* = (X X^T + C I)^{-1} X Y; maximising the likelihood of
i.i.d. samples (joint = product of the individual densities) with Gaussian noise is least squares.
"""
from __future__ import annotations

import numpy as np
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import ColumnDataSource, FixedTicker, Range1d, Span

from ece544core import datasets
from ece544core.linear_model import (PolynomialRegression, gaussian_noise_mle,
                                     mean_squared_error)

from ..views.common import CONTROL_WIDTH, Demo, guarded, stats_html
from ..views.plotting import PALETTE, make_figure

MAX_DEGREE = 15
N_TEST = 200          # fresh samples of the same function for the test error
TEST_SEED_OFFSET = 10_000
N_CURVE = 200         # points on the plotted fitted curve
N_BELLS = 5           # Gaussian noise densities drawn around the fit
BELL_WIDTH = 0.07     # x-units of a bell at its peak
MSE_FLOOR = 1e-10     # the log-scale error plot shows smaller MSEs (interpolation) at this floor
TRAIN_COLOR, TEST_COLOR, FIT_COLOR = PALETTE[0], PALETTE[1], PALETTE[5]


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
        super().__init__(**params)
        self._clicked = np.empty((0, 2))
        self.x = self.y = self.x_test = self.y_test = np.empty(0)
        self.fit: PolynomialRegression | None = None
        self.stats: dict = {}
        self.mle = None
        self.errors: dict = {}
        self._build_figures()
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width")
        self._coef = pn.pane.HTML("", sizing_mode="stretch_width")
        self._mle_text = pn.pane.HTML("", sizing_mode="stretch_width")
        self._layout = self.page(self._controls(), self._main(),
                                 pn.Column(self._numbers, self._coef, sizing_mode="stretch_width"))
        self._on_data()

    @property
    def C(self) -> float:
        """The regularisation constant in use: 0 without ridge."""
        return 10.0 ** self.log10_C if self.ridge else 0.0

    # ------------------------------------------------------------------ widgets / layout
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

    def _main(self) -> pn.Column:
        legend = pn.pane.HTML(
            "<small>● training points (click to add), · test points, red: fitted curve, "
            "grey lines: residuals y − ŷ, purple: the Gaussian noise density p(y | x) "
            "around the fit at a few points.</small>", sizing_mode="stretch_width", margin=(0, 10))
        mle_box = pn.Column(pn.pane.HTML("<b>Maximum likelihood view</b>", margin=(5, 10, 0, 10)),
                            self._mle_text, pn.pane.Bokeh(self.density_fig), width=420)
        return pn.Column(
            pn.pane.Bokeh(self.fig, sizing_mode="stretch_width"), legend,
            pn.Row(pn.pane.Bokeh(self.error_fig, sizing_mode="stretch_width"), mle_box,
                   sizing_mode="stretch_width"),
            sizing_mode="stretch_width")

    # ------------------------------------------------------------------ figures
    def _build_figures(self) -> None:
        fig = make_figure("Polynomial fit (click to add a training point)",
                          tools="pan,wheel_zoom,reset", height=400,
                          x_range=Range1d(-0.05, 1.05), y_range=Range1d(-1.5, 1.5))
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
        fig.on_event(Tap, self._on_tap)
        self.fig = fig

        err = make_figure("Mean squared error vs degree", tools="", toolbar_location=None,
                          height=280, y_axis_type="log", x_range=Range1d(-0.5, MAX_DEGREE + 0.5),
                          y_range=Range1d(1e-3, 1.0), min_border_left=70)
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

        dens = make_figure("", tools="", toolbar_location=None, height=150, width=400,
                           sizing_mode="fixed", x_range=self.fig.x_range)
        self.density_source = ColumnDataSource(dict(x=[], density=[]), name="reg-densities")
        dens.vbar(x="x", top="density", width=0.006, source=self.density_source,
                  color=PALETTE[3])
        dens.xaxis.axis_label, dens.yaxis.axis_label = "x⁽ⁱ⁾", "p(y⁽ⁱ⁾ | x⁽ⁱ⁾)"
        self.density_fig = dens

    # ------------------------------------------------------------------ interactions
    @param.depends("function", "n_samples", "noise", "seed", watch=True)
    @guarded
    def _on_data(self) -> None:
        x, y = datasets.make_regression_1d(n_samples=self.n_samples, noise=self.noise,
                                           function=self.function, random_state=self.seed)
        self._generated = (np.asarray(x, float), np.asarray(y, float))
        self.x_test, self.y_test = datasets.make_regression_1d(
            n_samples=N_TEST, noise=self.noise, function=self.function,
            random_state=self.seed + TEST_SEED_OFFSET)
        self.test_source.data = dict(x=self.x_test, y=self.y_test)
        self._refit_all()

    @param.depends("ridge", "log10_C", watch=True)
    @guarded
    def _on_C(self) -> None:
        self._refit_all()

    @param.depends("degree", watch=True)
    @guarded
    def _on_degree(self) -> None:
        self._refit_current()

    def _on_tap(self, event) -> None:
        self.add_point(event.x, event.y)

    @guarded
    def add_point(self, x: float, y: float) -> None:
        """Add a training point at (x, y) and refit."""
        self._clicked = np.vstack([self._clicked, [[float(x), float(y)]]])
        self._refit_all()

    @guarded
    def reset_points(self) -> None:
        """Remove the clicked points and refit."""
        self._clicked = np.empty((0, 2))
        self._refit_all()

    # ------------------------------------------------------------------ computation
    def _training_set(self) -> None:
        gx, gy = self._generated
        self.x = np.concatenate([gx, self._clicked[:, 0]])
        self.y = np.concatenate([gy, self._clicked[:, 1]])
        self.points_source.data = dict(
            x=self.x, y=self.y, clicked=np.arange(len(self.x)) >= len(gx))
        self._set_view()

    def _set_view(self) -> None:
        """Plot box: the data (train and test) with a margin; the curve may leave it."""
        ys = np.concatenate([self.y, self.y_test])
        xs = np.concatenate([self.x, self.x_test, [0.0, 1.0]])
        ypad = 0.15 * max(np.ptp(ys), 1e-3)
        xpad = 0.05 * max(np.ptp(xs), 1e-3)
        self.fig.y_range.update(start=ys.min() - ypad, end=ys.max() + ypad)
        self.fig.x_range.update(start=xs.min() - xpad, end=xs.max() + xpad)

    def _refit_all(self) -> None:
        """Data or C changed: train/test error for every degree, then the current fit."""
        self._training_set()
        train, test = [], []
        for d in range(MAX_DEGREE + 1):
            f = PolynomialRegression(d, self.C).fit(self.x, self.y)
            train.append(mean_squared_error(self.y, f.predict(self.x)))
            test.append(mean_squared_error(self.y_test, f.predict(self.x_test)))
        train, test = np.asarray(train), np.asarray(test)
        self.errors = dict(degree=np.arange(MAX_DEGREE + 1), train_mse=train, test_mse=test,
                           train_plot=np.maximum(train, MSE_FLOOR),
                           test_plot=np.maximum(test, MSE_FLOOR))
        self.error_source.data = self.errors
        self._set_error_range()
        self._refit_current()

    def _set_error_range(self) -> None:
        lo = min(self.errors["train_plot"].min(), self.errors["test_plot"].min())
        hi = max(self.errors["train_plot"].max(), self.errors["test_plot"].max())
        lo, hi = lo / 2, min(hi * 2, 1e6)
        self.error_fig.y_range.update(start=lo, end=hi)
        decades = range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1)
        ticks = [m * 10.0 ** e for e in decades for m in (1, 2, 5)]
        every = 1 if len(decades) <= 4 else 3          # many decades: only the powers of ten
        self.error_fig.yaxis.ticker.ticks = [t for t in ticks[::every] if lo <= t <= hi]

    def _refit_current(self) -> None:
        """The fit at the current degree: curve, residuals, MLE, formula numbers."""
        self.fit = PolynomialRegression(self.degree, self.C).fit(self.x, self.y)
        yhat = self.fit.predict(self.x)
        lo, hi = self.fig.x_range.start, self.fig.x_range.end
        xc = np.linspace(lo, hi, N_CURVE)
        self.curve_source.data = dict(x=xc, y=self.fit.predict(xc))
        self.residual_source.data = dict(x0=self.x, y0=self.y, x1=self.x, y1=yhat)
        self.degree_span.location = self.degree
        self.mle = gaussian_noise_mle(self.y, yhat)
        self._show_mle(yhat)
        self._show_stats()

    def _show_mle(self, yhat: np.ndarray) -> None:
        mle = self.mle
        dens = np.asarray(mle.densities, dtype=float)
        self.density_source.data = dict(x=self.x, density=dens)
        self.bell_source.data = bell_curves(self.x, yhat, self.y, float(mle.sigma2))
        product = float(np.prod(dens))
        self._mle_text.object = (
            "<p style='margin:0 10px'>Joint density of the N = "
            f"{len(self.y)} i.i.d. training points = product of the individual densities:<br>"
            f"∏ᵢ p(y⁽ⁱ⁾ | x⁽ⁱ⁾) = <span data-stat='product_density'>{product:.6g}</span>"
            f" &nbsp;=&nbsp; exp(log-likelihood) = exp({float(mle.log_likelihood):.4g}) = "
            f"<span data-stat='exp_loglik'>{np.exp(float(mle.log_likelihood)):.6g}</span>"
            "<br><small>Bars: p(y⁽ⁱ⁾ | x⁽ⁱ⁾) = N(y⁽ⁱ⁾; ŷ⁽ⁱ⁾, σ²) of each point.</small></p>")

    def _show_stats(self) -> None:
        k = self.degree
        cond = float(np.linalg.cond(self.fit.normal_matrix_))
        self.stats = {
            "degree": ("degree d", k),
            "C": ("C", float(self.C)),
            "n_train": ("training points N (incl. clicked)", len(self.x)),
            "train_mse": ("train MSE", float(self.errors["train_mse"][k])),
            "test_mse": (f"test MSE ({N_TEST} fresh samples)", float(self.errors["test_mse"][k])),
            "cond": ("cond(XXᵀ + CI)", cond),
            "sigma2": ("σ²_ML = RSS / N", float(self.mle.sigma2)),
            "log_likelihood": ("log-likelihood log p(D)", float(self.mle.log_likelihood)),
        }
        self._numbers.object = stats_html(self.stats)
        w = self.fit.coef_
        terms = ", ".join(f"w<sub>{i}</sub> = {v:.4g}" for i, v in enumerate(w))
        self._coef.object = (
            f"<p class='coefficients'><b>w* = (XXᵀ + CI)⁻¹XY</b> with C = {self.C:.3g} "
            f"(the bias w<sub>0</sub> is not penalised): <span data-stat='w'>{terms}</span></p>")


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
