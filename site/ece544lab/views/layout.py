"""The one page layout every demo uses, and the wrapping row its plots go in.

A page is: the test marker, the heading, the formula, then the controls column beside the main
area, then the numbers and the "what to try" line. The controls and the main area sit in a
wrapping flex row: when the main area would be narrower than ``MAIN_MIN_WIDTH`` (a 1024 px
window with the navigation, an 800 px embed) it moves below the controls. Inside the main area,
plots go in :func:`plots`, another wrapping row, so two plots side by side stack when they do
not fit. At 1200-1400 px nothing scrolls sideways as long as every plot is at most
``MAX_PLOT_WIDTH`` wide.
"""
from __future__ import annotations

import html
from typing import Any

import panel as pn

__all__ = ["CONTROL_WIDTH", "MAIN_MIN_WIDTH", "MAX_PLOT_WIDTH", "KATEX_CSS", "plots", "page"]

#: Width of a widget in a demo's control column (the column adds its margins around it).
CONTROL_WIDTH = 260
#: Below this width the main area goes under the controls.
MAIN_MIN_WIDTH = 560
#: The widest a single plot (frame plus axes) may be.
MAX_PLOT_WIDTH = 600
#: KaTeX's stylesheet, needed inside the formula's shadow root for display-math layout. The site
#: serves it (with its fonts) at katex/, relative to the page (build.py, static_assets).
KATEX_CSS = "katex/katex.min.css"

PAGE_CSS = """
:host { max-width: 100%; }
"""

STALE_CSS = """
.stale-note { background: #fff7e0; border: 1px solid #e6c35c; border-radius: 4px;
              padding: 4px 10px; color: #5c4400; font-size: 0.9em; }
"""


def plots(*items: Any, **kwargs) -> pn.FlexBox:
    """A row of plots (and their legends) that wraps onto the next line when it does not fit."""
    return pn.FlexBox(*items, flex_wrap="wrap", align_items="flex-start",
                      sizing_mode="stretch_width", **kwargs)


def stale_note() -> pn.pane.HTML:
    """The note shown above the plots while they show an older result than the controls."""
    return pn.pane.HTML(
        "<div class='stale-note' data-stale='1'>The plots below still show the last valid "
        "input: they are out of date until the problem in the message above is fixed.</div>",
        visible=False, sizing_mode="stretch_width", stylesheets=[STALE_CSS], margin=(0, 10))


def page(slug: str, title: str, formula: str, what_to_try: str, controls: list[Any], main: Any,
         numbers: Any, extra: list[Any] = ()) -> pn.Column:
    """The standard demo page (see the module docstring). ``extra`` items (the job runner's bar,
    the stale note) go right above the main area."""
    marker = pn.pane.HTML(f'<div data-demo="{slug}" class="demo-marker"></div>', margin=0,
                          height=0)
    header = pn.pane.HTML(f"<h2 class='demo-title'>{html.escape(title)}</h2>", margin=(0, 10))
    # display math does not wrap: a formula wider than the window scrolls inside its own box
    formula_pane = pn.pane.LaTeX(formula, renderer="katex", stylesheets=[KATEX_CSS],
                                 styles={"font-size": "1.1em", "overflow-x": "auto",
                                         "max-width": "100%"},
                                 sizing_mode="stretch_width")
    hint = pn.pane.HTML(f"<p class='what-to-try'><b>What to try:</b> {html.escape(what_to_try)}</p>",
                        sizing_mode="stretch_width")
    sidebar = pn.Column(*controls, width=CONTROL_WIDTH + 20, css_classes=["demo-controls"])
    body = pn.Column(*extra, main, sizing_mode="stretch_width",
                     styles={"flex": f"1 1 {MAIN_MIN_WIDTH}px", "min-width": "0"})
    row = pn.FlexBox(sidebar, body, flex_wrap="wrap", align_items="flex-start",
                     sizing_mode="stretch_width")
    return pn.Column(marker, header, formula_pane, row, numbers, hint, sizing_mode="stretch_width",
                     css_classes=["demo", f"demo-{slug}"], stylesheets=[PAGE_CSS])
