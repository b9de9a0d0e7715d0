"""Multiclass: one-vs-rest, one-vs-one, softmax regression and the multiclass SVM.

``compute`` (data, fits as a long job, a frozen MulticlassResult, no Bokeh), ``text`` (its
numbers and the live answers as HTML) and ``view`` (the MulticlassDemo page: build, draw)."""
from .compute import (METHODS, MethodResult, MulticlassModel, MulticlassResult,
                      argmax_boundaries, filled_regions, make_data)
from .view import GRID_N, MulticlassDemo

__all__ = ["MulticlassDemo", "MulticlassModel", "MulticlassResult", "MethodResult", "METHODS",
           "GRID_N", "argmax_boundaries", "filled_regions", "make_data"]
