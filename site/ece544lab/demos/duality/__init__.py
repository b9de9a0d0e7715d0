"""The duality & LP demo (a package: geometry and presets, compute, draw, text, view)."""
from .compute import DualityResult, compute
from .geometry import PRESETS, written_rows
from .view import DualityDemo

__all__ = ["DualityDemo", "DualityResult", "PRESETS", "compute", "written_rows"]
