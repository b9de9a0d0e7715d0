"""ClassifierCanvas: the 2-D classification view that kNN, logistic regression, the SVM, kernels,
multiclass, temperature (and the backprop playground) share.

It draws, in one Bokeh figure of a fixed frame (the data box gets the frame's aspect, so circles
stay round): the decision regions as an RGBA image, the training points coloured by class, an
optional set of held-out points (triangles), and any number of named line sets (boundary,
margins, ...). A click on the plot adds a point of the class chosen in the canvas' class picker;
"Clear" removes the clicked points. The canvas keeps the clicked points (``clicked_X``,
``clicked_y``) and calls ``on_change()`` after either, so the demo recomputes with them.

Sources are named ``<name>-regions``, ``<name>-points``, ``<name>-test`` and ``<name>-<key>`` for
line sets: the e2e tests read them by these names.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import panel as pn
from bokeh.events import Tap
from bokeh.models import ColumnDataSource, Range1d

from .plotting import class_colors, empty_image, fit_box, make_figure

__all__ = ["ClassifierCanvas"]


class ClassifierCanvas:
    """Points by class, decision regions, lines, click to add points (module docstring).

    Parameters
    ----------
    name : prefix of the figure's and the sources' names (usually the demo's slug).
    title : the figure's title.
    class_names : labels of the class picker, class k = PALETTE[k].
    frame : (width, height) of the plot frame in pixels.
    on_change : called after a click added a point or Clear removed them.
    point_columns : extra columns of the points source (hover data such as alpha).
    test_points : also draw a held-out set.
    clickable : whether a click adds a point.
    """

    def __init__(self, name: str, title: str, class_names: Sequence[str],
                 frame: tuple[int, int] = (460, 400), on_change: Callable[[], None] | None = None,
                 point_columns: Sequence[str] = (), test_points: bool = False,
                 clickable: bool = True, empty_box: tuple[float, float] = (-3.0, 3.0)):
        self.name = name
        self.class_names = list(class_names)
        self.frame = frame
        self.on_change = on_change or (lambda: None)
        self.clickable = clickable
        self.empty_box = empty_box
        self.label = 0
        self.clear_clicked(notify=False)
        self.fig = make_figure(title, name=f"{name}-fig", tools="pan,wheel_zoom,reset",
                               sizing_mode="fixed", width=None, height=None,
                               frame_width=frame[0], frame_height=frame[1],
                               x_range=Range1d(-1, 1), y_range=Range1d(-1, 1))
        self.regions = ColumnDataSource(empty_image(), name=f"{name}-regions")
        self.fig.image_rgba(image="image", x="x", y="y", dw="dw", dh="dh", source=self.regions)
        self.lines: dict[str, ColumnDataSource] = {}
        self._point_columns = ("x", "y", "label", "color", "line_color", "clicked",
                               *point_columns)
        self.points = ColumnDataSource({c: [] for c in self._point_columns},
                                       name=f"{name}-points")
        self.test = None
        if test_points:
            self.test = ColumnDataSource(
                dict(x=[], y=[], label=[], color=[], line_color=[], pred=[], correct=[]),
                name=f"{name}-test")
        self.points_renderer = None   # the training points' glyph renderer (for hover tools)
        if clickable:
            self.fig.on_event(Tap, lambda event: self.add_point(event.x, event.y))

    # ------------------------------------------------------------------ glyphs
    def add_lines(self, key: str, **glyph) -> ColumnDataSource:
        """A named multi_line set (boundary, margins ...), drawn below the points."""
        source = ColumnDataSource(dict(xs=[], ys=[]), name=f"{self.name}-{key}")
        glyph.setdefault("line_width", 2)
        self.fig.multi_line("xs", "ys", source=source, **glyph)
        self.lines[key] = source
        return source

    def draw_points_glyphs(self, size: int = 8) -> None:
        """Add the point glyphs on top of everything added so far (call after add_lines)."""
        self.points_renderer = self.fig.scatter("x", "y", source=self.points, fill_color="color",
                                              line_color="line_color", size=size, line_width=1)
        if self.test is not None:
            self.fig.scatter("x", "y", source=self.test, marker="triangle", fill_color="color",
                             line_color="line_color", size=size + 2, line_width=1.5,
                             fill_alpha=0.9)

    # ------------------------------------------------------------------ controls
    def controls(self, heading_text: str = "A click on the plot adds a point of class:",
                 clear_text: str = "Remove clicked points") -> list:
        """The class picker and the Clear button for the demo's control column."""
        picker = pn.widgets.RadioButtonGroup(
            name="class of a clicked point", options={n: i for i, n in enumerate(self.class_names)},
            value=self.label, sizing_mode="stretch_width")
        picker.param.watch(lambda e: setattr(self, "label", int(e.new)), "value")
        self.picker = picker
        clear = pn.widgets.Button(name=clear_text, sizing_mode="stretch_width")
        clear.on_click(lambda _e: self.clear_clicked())
        label = pn.pane.HTML(f"<b>{heading_text}</b>", margin=(10, 10, 0, 10))
        return [label, picker, clear]

    # ------------------------------------------------------------------ clicked points
    def add_point(self, x: float, y: float, label: int | None = None) -> None:
        """Add a clicked point of class ``label`` (default: the picker's) and notify."""
        label = self.label if label is None else int(label)
        if not 0 <= label < len(self.class_names):
            raise ValueError(f"label must be a class 0..{len(self.class_names) - 1}; got {label}")
        if x is None or y is None or not (np.isfinite(x) and np.isfinite(y)):
            return  # a click outside the data area
        self.clicked_X = np.vstack([self.clicked_X, [[float(x), float(y)]]])
        self.clicked_y = np.append(self.clicked_y, label)
        self.on_change()

    def clear_clicked(self, notify: bool = True) -> None:
        """Remove every clicked point (and notify, unless ``notify`` is False)."""
        self.clicked_X = np.empty((0, 2))
        self.clicked_y = np.empty(0, dtype=int)
        if notify:
            self.on_change()

    def with_clicked(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(X, y) with the clicked points appended, and the mask of the clicked rows."""
        X = np.vstack([np.reshape(X, (-1, 2)), self.clicked_X])
        y = np.concatenate([np.asarray(y, dtype=int), self.clicked_y])
        clicked = np.arange(len(y)) >= len(y) - len(self.clicked_y)
        return X, y, clicked

    # ------------------------------------------------------------------ view
    def box_for(self, *arrays: np.ndarray, margin: float = 0.15):
        """The data box around all the (n, 2) arrays at the frame's aspect."""
        pts = [np.reshape(a, (-1, 2)) for a in arrays if np.size(a)]
        return fit_box(np.concatenate(pts) if pts else np.empty((0, 2)),
                       self.frame[0] / self.frame[1], margin=margin, empty=self.empty_box)

    def set_box(self, box) -> None:
        (x0, x1), (y0, y1) = box
        self.fig.x_range.update(start=x0, end=x1)
        self.fig.y_range.update(start=y0, end=y1)

    def show_regions(self, image: np.ndarray | None, box) -> None:
        """The RGBA uint32 image (ny, nx) spanning ``box``; None: no shading."""
        (x0, x1), (y0, y1) = box
        if image is None:
            image = np.zeros((1, 1), np.uint32)
        self.regions.data = dict(image=[image], x=[x0], y=[y0], dw=[x1 - x0], dh=[y1 - y0])

    def show_points(self, X: np.ndarray, y: np.ndarray, clicked: np.ndarray | None = None,
                    line_color=None, **columns) -> None:
        """Training points coloured by class; ``columns`` fill the extra point columns."""
        X = np.reshape(X, (-1, 2))
        n = len(X)
        clicked = np.zeros(n, bool) if clicked is None else np.asarray(clicked, bool)
        data = dict(x=X[:, 0], y=X[:, 1], label=np.asarray(y), color=class_colors(y),
                    line_color=["white"] * n if line_color is None else line_color,
                    clicked=clicked)
        for column in self._point_columns:
            if column not in data:
                data[column] = columns.pop(column, [None] * n)
        if columns:
            raise ValueError(f"unknown point columns {sorted(columns)}; declare them in "
                             f"point_columns")
        self.points.data = data

    def show_test(self, X: np.ndarray, y: np.ndarray, pred: np.ndarray) -> None:
        """Held-out points; a black edge marks a misclassified one."""
        X = np.reshape(X, (-1, 2))
        correct = np.asarray(pred) == np.asarray(y)
        self.test.data = dict(x=X[:, 0], y=X[:, 1], label=np.asarray(y), color=class_colors(y),
                              line_color=np.where(correct, "white", "black"), pred=np.asarray(pred),
                              correct=correct)

    def show_lines(self, key: str, data: dict) -> None:
        """New data for the line set ``key`` (multi_line data {xs: [...], ys: [...], ...})."""
        self.lines[key].data = data

    def panel(self) -> pn.pane.Bokeh:
        if self.points_renderer is None:
            self.draw_points_glyphs()
        return pn.pane.Bokeh(self.fig)
