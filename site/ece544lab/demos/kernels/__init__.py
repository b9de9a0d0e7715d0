"""The kernels demo: ``compute`` (data -> K -> Mercer, SVM, logistic regression, kernel trick ->
KernelsResult), ``text`` (verdict, numbers, answers), ``view`` (the KernelsDemo page)."""
from .compute import KernelsResult
from .view import PRESETS, KernelsDemo

__all__ = ["KernelsDemo", "KernelsResult", "PRESETS"]
