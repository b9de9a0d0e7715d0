"""Temperature: the SVM as the 0-temperature limit of logistic regression.

``compute`` (parameters -> a frozen TemperatureResult, no Bokeh), ``text`` (its numbers and the
live answers as HTML) and ``view`` (the TemperatureDemo page: build, draw)."""
from .compute import DATASETS, MARGINS, TemperatureModel, TemperatureResult, loss_curves
from .view import TemperatureDemo

__all__ = ["TemperatureDemo", "TemperatureModel", "TemperatureResult", "DATASETS", "MARGINS",
           "loss_curves"]
