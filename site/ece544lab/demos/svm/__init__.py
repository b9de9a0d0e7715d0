"""The SVM demo: ``compute`` (data -> fit job -> SVMResult), ``text`` (numbers and answers),
``view`` (the SVMDemo page: build and draw)."""
from .compute import DATASETS, SVMResult
from .view import SVMDemo

__all__ = ["SVMDemo", "SVMResult", "DATASETS"]
