"""Parameter: a trainable array with its gradient, as ``torch.nn.Parameter``."""
from __future__ import annotations

import numpy as np


class Parameter:
    """A trainable array ``data`` and the gradient ``grad`` of the loss with respect to it.

    ``grad`` has the shape and dtype of ``data``. Backward passes *add* into it (as in torch),
    so gradients of several losses accumulate until ``zero_grad()`` resets them.
    ``name`` is readable, e.g. ``"0.W"``: layer 0 of a Sequential, its weight matrix.
    """

    __slots__ = ("data", "grad", "name")

    def __init__(self, data: np.ndarray, name: str = "") -> None:
        data = np.array(data, copy=True)
        if data.dtype.kind not in "f":
            data = data.astype(np.float64)
        self.data: np.ndarray = data
        self.grad: np.ndarray = np.zeros_like(data)
        self.name: str = name

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def size(self) -> int:
        return self.data.size

    def zero_grad(self) -> None:
        """grad <- 0 (in place, so references to the array stay valid)."""
        self.grad.fill(0)

    def __repr__(self) -> str:
        return f"Parameter({self.name or '?'}, shape={self.data.shape}, dtype={self.data.dtype})"
