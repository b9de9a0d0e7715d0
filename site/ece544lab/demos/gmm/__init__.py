"""The Gaussian-mixture demo: :mod:`.compute` (the recorded EM run, no Bokeh), :mod:`.text`
(the explanations) and :mod:`.view` (the page: parameters, step-through, drawing)."""
from .compute import DATASETS, MAX_ITER, TOL, EMRun, GMMResult
from .view import LONG_JOB_WORK, GMMDemo

__all__ = ["GMMDemo", "GMMResult", "EMRun", "DATASETS", "MAX_ITER", "TOL", "LONG_JOB_WORK"]
