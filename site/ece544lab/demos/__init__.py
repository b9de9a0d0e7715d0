"""One module per demo (a package where a demo is large)."""
