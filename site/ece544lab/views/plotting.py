"""Plotting helpers shared by the demos (Bokeh figures, colours, decision-region images)."""
from __future__ import annotations

import math

import contourpy
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
    if opts.get("sizing_mode") == "fixed" and (opts.get("width") is None
                                               or opts.get("height") is None):
        # A plot sized by its frame (frame_width/frame_height) is fixed already; 'fixed' without
        # width and height is Bokeh's warning W-1005 (FIXED_SIZING_MODE).
        opts["sizing_mode"] = None
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


def mix_colors(weights: np.ndarray, class_index: np.ndarray | None = None) -> list[str]:
    """Hex colour per row of ``weights`` (n, K): the palette colours mixed by the row's weights
    (e.g. a point's responsibilities r_ik; one-hot rows give the pure class colour)."""
    w = np.asarray(weights, dtype=float)
    idx = np.arange(w.shape[1]) if class_index is None else np.asarray(class_index)
    rgb = np.clip(np.rint(w @ _PALETTE_RGB[idx % len(PALETTE)]), 0, 255).astype(int)  # (n, 3)
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb]


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """(n, n_classes) 0/1 matrix with a 1 in column labels[i] of row i."""
    labels = np.asarray(labels, dtype=int)
    out = np.zeros((len(labels), n_classes))
    out[np.arange(len(labels)), labels] = 1.0
    return out


def covariance_ellipse(mean, cov, n_std: float = 1.0, n_points: int = 65):
    """The curve (x - mu)^T Sigma^{-1} (x - mu) = n_std^2 of a 2-D Gaussian, in data coordinates.

    From the eigen-decomposition Sigma = V diag(lambda) V^T: semi-axes n_std sqrt(lambda_j)
    along the eigenvectors. Returns ``(xs, ys, width, height, angle)``: the closed curve's
    coordinates, the full axis lengths (major first) and the major axis' angle in radians.
    """
    mean = np.asarray(mean, dtype=float).reshape(2)
    cov = np.asarray(cov, dtype=float).reshape(2, 2)
    lam, vec = np.linalg.eigh((cov + cov.T) / 2)            # ascending eigenvalues
    lam = np.maximum(lam[::-1], 0.0)
    vec = vec[:, ::-1]                                     # major axis first
    t = np.linspace(0.0, 2.0 * np.pi, n_points)
    circle = np.stack([np.cos(t), np.sin(t)])              # (2, n_points)
    curve = mean[:, None] + vec @ (n_std * np.sqrt(lam)[:, None] * circle)
    angle = float(np.arctan2(vec[1, 0], vec[0, 0]))
    return curve[0], curve[1], 2 * n_std * float(np.sqrt(lam[0])), \
        2 * n_std * float(np.sqrt(lam[1])), angle


def fit_box(points: np.ndarray, aspect: float, margin: float = 0.15,
            empty: tuple[float, float] = (-3.0, 3.0)):
    """Box ((x0, x1), (y0, y1)) around the (n, 2) ``points``, enlarged by ``margin`` of its size
    on each side (at least 0.5) and widened about its centre to ``aspect`` = width / height of
    the plot frame, so circles stay circles. No points: ``empty`` on both axes, widened."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(pts) == 0:
        lo, hi = np.array([empty[0]] * 2), np.array([empty[1]] * 2)
    else:
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = np.maximum((hi - lo) * margin, 0.5)
        lo, hi = lo - pad, hi + pad
    xr, yr = (lo[0], hi[0]), (lo[1], hi[1])
    w, h = xr[1] - xr[0], yr[1] - yr[0]
    if w < aspect * h:
        c, w = (xr[0] + xr[1]) / 2, aspect * h
        xr = (c - w / 2, c + w / 2)
    else:
        c, h = (yr[0] + yr[1]) / 2, w / aspect
        yr = (c - h / 2, c + h / 2)
    return (float(xr[0]), float(xr[1])), (float(yr[0]), float(yr[1]))


def clip_line(a, beta: float, box):
    """The segment of the line a^T x = beta inside ``box`` ((x0, x1), (y0, y1)): its two end
    points, or None if the line misses the box (or a = 0).

    Points x = p0 + t d, with p0 = a beta / ||a||^2 the foot of the line nearest the origin and
    d the unit direction (-a2, a1); t is clipped to the box (Liang-Barsky)."""
    a = np.asarray(a, float).ravel()
    n2 = float(a @ a)
    if n2 == 0.0:
        return None
    p0, d = a * beta / n2, np.array([-a[1], a[0]]) / math.sqrt(n2)
    lo, hi = -np.inf, np.inf
    for k, (blo, bhi) in enumerate(box):
        if abs(d[k]) < 1e-12:
            if not blo <= p0[k] <= bhi:
                return None
            continue
        t0, t1 = sorted(((blo - p0[k]) / d[k], (bhi - p0[k]) / d[k]))
        lo, hi = max(lo, t0), min(hi, t1)
    if lo >= hi:
        return None
    return p0 + lo * d, p0 + hi * d


def empty_image() -> dict:
    """Data of an image source before the first draw: one transparent RGBA pixel on [0, 1]^2."""
    return dict(image=[np.zeros((1, 1), np.uint32)], x=[0.0], y=[0.0], dw=[1.0], dh=[1.0])


def zero_level_lines(xs: np.ndarray, ys: np.ndarray, Z: np.ndarray) -> dict:
    """The curves Z = 0 on the grid (xs, ys) as multi_line data {xs: [...], ys: [...]}."""
    Z = np.asarray(Z, dtype=float)
    if not np.all(np.isfinite(Z)) or Z.min() > 0 or Z.max() < 0:
        return dict(xs=[], ys=[])
    lines = contourpy.contour_generator(x=xs, y=ys, z=Z, line_type="Separate").lines(0.0)
    return dict(xs=[line[:, 0] for line in lines], ys=[line[:, 1] for line in lines])


def line_in_box(w, b: float, level: float, box) -> tuple[list, list] | None:
    """The segment of the line w^T x + b = level inside box, as Bokeh's (xs, ys), or None."""
    seg = clip_line(w, level - b, box)
    if seg is None:
        return None
    return [seg[0][0], seg[1][0]], [seg[0][1], seg[1][1]]
