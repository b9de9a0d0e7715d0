"""The k-means demo: :mod:`.compute` (the recorded Lloyd run, no Bokeh) and :mod:`.view` (the
page: parameters, step-through, drawing)."""
from .compute import GRID_N, MAX_ITER, KMeansRun
from .view import KMeansDemo

__all__ = ["KMeansDemo", "KMeansRun", "GRID_N", "MAX_ITER"]
