"""ece544core: pure-NumPy implementations of the ECE 544 Pattern Recognition algorithms.

The estimators follow the scikit-learn contract (``fit`` returns ``self``, fitted state ends in
``_``) without depending on it; the only runtime dependency is NumPy. ``ece544core.bench`` (the
benchmark against the reference libraries) is not imported here.
"""
__version__ = "0.1.0"

# cheap: NumPy only
from . import datasets, linear_model, logistic, neighbors, optim, problems  # noqa: E402
from . import denoising, structured  # noqa: E402
from . import cluster, em, gaussian, matching, mixture  # noqa: E402
from . import convergence, step_sizes, update_rules  # noqa: E402
from . import duality, lp_forms  # noqa: E402
from . import feature_maps, kernel_algebra, kernel_predict, kernels, svm, svm_analysis  # noqa: E402
from . import kernel_logistic  # noqa: E402
from . import losses  # noqa: E402
from . import crammer_singer, multiclass, temperature  # noqa: E402
from . import toysets  # noqa: E402
from ._validation import NotFittedError  # noqa: E402

__all__ = ["__version__", "datasets", "neighbors", "linear_model", "logistic", "optim",
           "problems", "cluster", "mixture", "structured", "duality", "kernels", "svm",
           "kernel_logistic", "losses", "multiclass", "crammer_singer", "temperature", "toysets", "feature_maps",
           "kernel_algebra", "kernel_predict", "svm_analysis", "lp_forms", "denoising",
           "em", "gaussian", "matching", "convergence", "step_sizes", "update_rules",
           "NotFittedError"]
