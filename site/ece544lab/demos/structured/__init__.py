"""The structured-prediction demo (a package: compute, draw, view)."""
from .compute import ROWS, SEARCH_T_MAX, StructuredResult, make_image
from .view import StructuredDemo

__all__ = ["StructuredDemo", "StructuredResult", "ROWS", "SEARCH_T_MAX", "make_image"]
