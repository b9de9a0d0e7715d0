"""The optimisation lab: :mod:`.compute` (problems, runs, rates, convexity; no Bokeh) and
:mod:`.view` (the :class:`OptimDemo` page)."""
from .compute import CONVEX_FUNCTIONS, TOL, contour_levels, contour_lines, grid_values
from .view import METHODS, STEPS, OptimDemo

__all__ = ["OptimDemo", "METHODS", "STEPS", "TOL", "CONVEX_FUNCTIONS", "contour_levels",
           "contour_lines", "grid_values"]
