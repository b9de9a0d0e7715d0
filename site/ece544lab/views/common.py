"""The page side every demo shares: metadata, the error message, widget helpers, the numbers
table. :class:`ece544lab.views.demo.Demo` (parameters -> compute -> draw) builds on it; demos
subclass that one.
"""
from __future__ import annotations

import html
import math
from typing import Any, ClassVar

import panel as pn
import param
from bokeh.models import CustomJSTickFormatter

from . import layout
from .layout import CONTROL_WIDTH  # noqa: F401  (re-exported for the demos)


class Demo(pn.viewable.Viewer):
    """The page part of a demo: class attributes, the error message, the page built once
    (``self._layout``, set by :class:`ece544lab.views.demo.Demo`), returned by ``__panel__``."""

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


def heading(text: str) -> pn.pane.HTML:
    """A bold heading for a group of controls in a demo's control column."""
    return pn.pane.HTML(f"<b>{text}</b>", margin=(10, 10, 0, 10))


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
