"""ECE 544 Lab: the Panel app around ``ece544core`` (one module per demo)."""

__version__ = "0.1.0"
