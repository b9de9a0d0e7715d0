"""The SVM demo: ``compute`` (data -> fit job -> SVMResult), ``text`` (numbers and answers),
``view`` (the SVMDemo page: build and draw)."""
from .compute import DATASETS, GENERATORS, SVMResult
from .view import SVMDemo

#: GENERATORS only while demos/temperature.py imports it (see compute.GENERATORS)
__all__ = ["SVMDemo", "SVMResult", "DATASETS", "GENERATORS"]
