"""A trainable array and its gradient: what every layer holds and every optimiser updates."""
from __future__ import annotations

import numpy as np

__all__ = ["Parameter"]


class Parameter:
    """A trainable array ``data`` with its gradient ``grad`` = dL/d data (None until a backward).

    As in PyTorch, ``Module.backward`` *accumulates* into ``grad`` (``grad += g``), so gradients
    of several backward passes add up until ``zero_grad()`` sets them back to None; an optimiser
    updates ``data`` in place from ``grad``.
    """

    __slots__ = ("data", "grad")

    def __init__(self, data) -> None:
        self.data = np.array(data, copy=True)
        if self.data.dtype.kind != "f":
            self.data = self.data.astype(np.float64)
        self.grad: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size(self) -> int:
        return self.data.size

    def accumulate(self, grad: np.ndarray) -> None:
        """grad <- grad + ``grad`` (or ``grad`` itself after a zero_grad)."""
        if grad.shape != self.data.shape:
            raise ValueError(f"gradient of shape {grad.shape} for a parameter of shape "
                             f"{self.data.shape}")
        self.grad = grad.astype(self.data.dtype, copy=False) if self.grad is None \
            else self.grad + grad

    def __repr__(self) -> str:
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"
