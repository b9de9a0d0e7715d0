"""Plotting helpers shared by the demos (Bokeh figures, colours, decision-region images)."""
from __future__ import annotations

import numpy as np
from bokeh.plotting import figure

# Colour-blind friendly class colours (Okabe-Ito), as hex and as RGB.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
_PALETTE_RGB = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in PALETTE], dtype=float)


def make_figure(title: str = "", **kwargs) -> figure:
    """A Bokeh figure with the app's defaults (pan/zoom/reset/tap tools, no logo)."""
    opts = dict(
        height=420, sizing_mode="stretch_width", tools="pan,wheel_zoom,reset,tap",
        toolbar_location="above", title=title,
    )
    opts.update(kwargs)
    fig = figure(**opts)
    fig.toolbar.logo = None
    return fig


def class_colors(labels: np.ndarray) -> list[str]:
    """Hex colour per integer class label."""
    return [PALETTE[int(k) % len(PALETTE)] for k in np.asarray(labels)]


def grid(x_range: tuple[float, float], y_range: tuple[float, float], n: int = 120):
    """A regular n×n grid over the box: returns (xx, yy, points) with points of shape (n*n, 2)."""
    xs = np.linspace(*x_range, n)
    ys = np.linspace(*y_range, n)
    xx, yy = np.meshgrid(xs, ys)  # (n, n): row = y, column = x, as Bokeh's image expects
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def region_image(proba: np.ndarray, shape: tuple[int, int], class_index: np.ndarray | None = None,
                 alpha: float = 0.35, ties: np.ndarray | None = None) -> np.ndarray:
    """Shade decision regions: RGBA uint32 image mixing class colours by their probabilities.

    ``proba`` has shape (n_points, n_classes); ``class_index`` maps its columns to palette entries.
    Points flagged in ``ties`` are drawn grey so tied votes are visible.
    """
    proba = np.asarray(proba, dtype=float)
    idx = np.arange(proba.shape[1]) if class_index is None else np.asarray(class_index)
    rgb = proba @ _PALETTE_RGB[idx % len(PALETTE)]  # (n_points, 3)
    if ties is not None:
        rgb[np.asarray(ties, dtype=bool)] = 128.0
    rgba = np.empty((proba.shape[0], 4), dtype=np.uint8)
    rgba[:, :3] = np.clip(rgb, 0, 255).astype(np.uint8)
    rgba[:, 3] = int(alpha * 255)
    return rgba.view(np.uint32).reshape(shape)
