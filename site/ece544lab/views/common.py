"""What every demo shares: the Demo base class and its page layout.

A demo is a ``pn.viewable.Viewer``: its hyperparameters are ``param`` parameters (they become the
widgets and live in the URL query), its plots are Bokeh figures updated through their
ColumnDataSource, and bad input sets ``error`` (shown by the shell) instead of raising.
"""
from __future__ import annotations

import functools
import html
import math
from typing import Any, Callable, ClassVar

import numpy as np
import panel as pn
import param
from bokeh.models import CustomJSTickFormatter

from . import layout
from .layout import CONTROL_WIDTH, KATEX_CSS  # noqa: F401  (re-exported for the demos)



class Demo(pn.viewable.Viewer):
    """Base class of a demo page.

    Subclasses set the class attributes below and, in ``__init__``, build their widgets and
    figures and keep ``self._layout = self.page(controls, main, numbers)``: the page, built once,
    is what ``__panel__`` returns.
    """

    slug: ClassVar[str] = ""            # URL name: #slug, ?demo=slug, data-demo="slug"
    title: ClassVar[str] = ""           # shown in the navigation and as the heading
    formula: ClassVar[str] = ""         # LaTeX, in the course notes' symbols
    what_to_try: ClassVar[str] = ""     # one short line of suggestions
    url_params: ClassVar[tuple[str, ...]] = ()  # parameters mirrored into the URL query

    error = param.String(default="", doc="Message shown in the error area; empty when all is well.")

    def __panel__(self):
        return self._layout

    # ------------------------------------------------------------------ errors
    def fail(self, message: str) -> None:
        """Show ``message`` in the shell's error area (the app keeps working)."""
        self.error = f"{self.title}: {message}"

    def clear_error(self) -> None:
        if self.error:
            self.error = ""

    # ------------------------------------------------------------------ layout
    def param_controls(self, names: list[str], **widget_types: type) -> pn.Param:
        """Widgets for the parameters ``names``, sized to fit the control column.

        ``widget_types`` maps a parameter name to a widget class (default: Panel's choice for the
        parameter's type, e.g. a slider for a bounded number).
        """
        widgets = {}
        for name in names:
            spec: dict[str, Any] = {"width": CONTROL_WIDTH - 20}
            if name in widget_types:
                spec["type"] = widget_types[name]
            widgets[name] = spec
        return pn.Param(self.param, parameters=list(names), widgets=widgets, show_name=False,
                        width=CONTROL_WIDTH)

    def log_slider(self, name: str, step: float = 0.05, digits: int = 3) -> pn.widgets.FloatSlider:
        """A slider over log10 of the positive, bounded parameter ``name`` that shows the value.

        The parameter keeps the value itself (so the URL reads ``kappa=100``, not its log); the
        slider moves in steps of ``step`` decades and writes the value rounded to ``digits``
        significant digits. Both stay in sync in either direction.
        """
        p = self.param[name]
        lo, hi = p.bounds
        fmt = f"return Number(Math.pow(10, tick).toPrecision({digits})).toString();"
        slider = pn.widgets.FloatSlider(
            name=p.label, start=math.log10(lo), end=math.log10(hi), step=step,
            value=math.log10(getattr(self, name)), width=CONTROL_WIDTH - 20,
            format=CustomJSTickFormatter(code=fmt))

        def rounded(exponent: float) -> float:
            return min(max(float(f"{10.0 ** exponent:.{digits}g}"), lo), hi)

        def to_param(event) -> None:
            setattr(self, name, rounded(event.new))

        def to_widget(event) -> None:
            if rounded(slider.value) != event.new:
                slider.value = math.log10(event.new)

        slider.param.watch(to_param, "value")
        self.param.watch(to_widget, name)
        return slider

    def page(self, controls: list[Any], main: Any, numbers: Any, extra: list[Any] = ()) -> pn.Column:
        """The standard demo page (:func:`ece544lab.views.layout.page`)."""
        return layout.page(self.slug, self.title, self.formula, self.what_to_try, controls, main,
                           numbers, extra)


class Playable:
    """Play/Pause for a demo that advances one step at a time (Lloyd half-steps, EM steps, the
    iterates of an optimiser): a periodic callback calls ``_advance()`` every ``tick_ms`` until
    ``_at_end()``; Play at the end first ``_rewind()``s. Subclasses implement those three and
    ``_can_play()``, and put ``self.play_button`` (from ``_make_play_button``) on the page.
    """

    tick_ms: ClassVar[int] = 100
    _callback = None

    def _make_play_button(self) -> pn.widgets.Button:
        self.play_button = pn.widgets.Button(name="▶ Play", width=80, button_type="primary")
        self.play_button.on_click(lambda _event: self.toggle_play())
        return self.play_button

    @property
    def playing(self) -> bool:
        return self._callback is not None

    def toggle_play(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if self.playing or not self._can_play():
            return
        if self._at_end():
            self._rewind()
        self._callback = pn.state.add_periodic_callback(self._tick, period=self.tick_ms)
        self.play_button.name = "❚❚ Pause"

    def pause(self) -> None:
        if self._callback is not None:
            self._callback.stop()
            self._callback = None
        if hasattr(self, "play_button"):
            self.play_button.name = "▶ Play"

    def _tick(self) -> None:
        if not self._can_play() or self._at_end():
            self.pause()
            return
        self._advance()
        if self._at_end():
            self.pause()


def heading(text: str) -> pn.pane.HTML:
    """A bold heading for a group of controls in a demo's control column."""
    return pn.pane.HTML(f"<b>{text}</b>", margin=(10, 10, 0, 10))


def guarded(method: Callable) -> Callable:
    """Decorate a Demo method: a ValueError from the core becomes a visible message.

    On success the error area is cleared; on ValueError the message is shown and the plots keep
    their last good state.
    """

    @functools.wraps(method)
    def wrapper(self: Demo, *args, **kwargs):
        try:
            result = method(self, *args, **kwargs)
        except ValueError as exc:
            self.fail(str(exc))
            return None
        self.clear_error()
        return result

    return wrapper


class ClickedPoints:
    """Points a student adds by clicking the plot, kept (as ``self._clicked``, (m, 2)) on top of
    the generated data. Subclasses set ``self._clicked = np.empty((0, 2))``, stack it under their
    generated points in ``_make_data()`` and start their algorithm afresh in ``_restart()``."""

    def _on_tap(self, event) -> None:
        self.add_point(event.x, event.y)

    @guarded
    def add_point(self, x: float, y: float) -> None:
        """Add a point at (x, y), rebuild the data and restart."""
        if not (np.isfinite(x) and np.isfinite(y)):
            raise ValueError(f"a clicked point must be finite; got ({x}, {y})")
        self._clicked = np.vstack([self._clicked, [[float(x), float(y)]]])
        self._make_data()
        self._restart()

    @guarded
    def reset_points(self) -> None:
        """Remove the clicked points, rebuild the data and restart."""
        self._clicked = np.empty((0, 2))
        self._make_data()
        self._restart()


class LabelledClickedPoints:
    """Points of class 0 .. n_labels - 1 (default two classes) a student adds by clicking the
    plot, kept as ``self._clicked_X`` (m, 2) and ``self._clicked_y`` (m,) on top of the generated
    data. Subclasses have an ``add_class`` parameter, call ``_clear_clicked()`` in ``__init__``
    (and when the data set changes), stack the clicked points under their generated ones, and
    refit in ``_after_clicks()``."""

    n_labels = 2

    def _point_controls(self, class_names, reset_name: str):
        """The widgets of the control column: the class a click adds, and a reset button."""
        adder = pn.widgets.RadioButtonGroup.from_param(
            self.param.add_class, options={n: i for i, n in enumerate(class_names)},
            sizing_mode="stretch_width")
        reset = pn.widgets.Button(name=reset_name, sizing_mode="stretch_width")
        reset.on_click(lambda _event: self.reset_points())
        return adder, reset

    def _clear_clicked(self) -> None:
        self._clicked_X = np.empty((0, 2))
        self._clicked_y = np.empty(0, dtype=int)

    def _on_tap(self, event) -> None:
        self.add_point(event.x, event.y)

    @guarded
    def add_point(self, x: float, y: float, label: int | None = None) -> None:
        """Add a training point of class ``label`` (default ``add_class``) and refit."""
        label = self.add_class if label is None else int(label)
        if not 0 <= label < self.n_labels:
            raise ValueError(f"label must be a class 0..{self.n_labels - 1}; got {label}")
        if not (np.isfinite(x) and np.isfinite(y)):
            raise ValueError(f"a clicked point must be finite; got ({x}, {y})")
        self._clicked_X = np.vstack([self._clicked_X, [[float(x), float(y)]]])
        self._clicked_y = np.append(self._clicked_y, label)
        self._after_clicks()

    @guarded
    def reset_points(self) -> None:
        """Remove the clicked points and refit."""
        self._clear_clicked()
        self._after_clicks()


def stats_html(stats: dict[str, Any]) -> str:
    """Render the numbers a demo produced as a small table.

    Each value is wrapped in ``<span data-stat="key">`` so tests can read what Python computed.
    """
    rows = []
    for key, (label, value) in stats.items():
        text = f"{value:.6g}" if isinstance(value, float) else str(value)
        rows.append(
            f"<tr><th>{html.escape(label)}</th>"
            f"<td><span data-stat='{key}'>{html.escape(text)}</span></td></tr>"
        )
    return "<table class='demo-stats'>" + "".join(rows) + "</table>"
