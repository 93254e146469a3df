"""Parameter: a trainable array with its gradient, as ``torch.nn.Parameter``."""
from __future__ import annotations

import numpy as np


class Parameter:
    """A trainable array ``data`` and the gradient ``grad`` of the loss with respect to it.

    ``grad`` is a plain numpy array of the shape and dtype of ``data``. A backward pass hands
    its dL/d(data) in with ``accumulate_grad(dW)``: grad += dW, so the gradients of several
    losses add up until ``zero_grad()`` fills grad with zeros (in the same array: after
    ``g = p.grad; p.zero_grad()``, ``g`` reads zeros too; ``p.grad.copy()`` keeps the numbers).
    Reading ``grad`` never changes anything. ``zero_grad(set_to_none=True)`` sets it to None,
    as torch; the next backward then sets grad = dW, and an optimizer skips a parameter whose
    grad is None. ``name`` is readable, e.g. ``"0.W"``: layer 0 of a Sequential, its weights.
    """

    __slots__ = ("data", "_grad", "name")

    def __init__(self, data: np.ndarray, name: str = "") -> None:
        data = np.array(data, copy=True)
        if data.dtype.kind != "f":
            data = data.astype(np.float64)
        self.data: np.ndarray = data
        self._grad: np.ndarray | None = np.zeros_like(data)
        self.name: str = name

    @property
    def grad(self) -> np.ndarray | None:
        """dL/d(data): an array of the shape and dtype of ``data`` (None after
        ``zero_grad(set_to_none=True)``, until the next backward)."""
        return self._grad

    @grad.setter
    def grad(self, value: np.ndarray | None) -> None:
        """p.grad = g: refused (the old gradient kept) unless g has the shape of ``data``."""
        if value is not None:
            value = np.asarray(value, dtype=self.data.dtype)
            if value.shape != self.data.shape:
                raise ValueError(
                    f"Parameter {self.name or '?'!r}: cannot set a gradient of shape "
                    f"{value.shape}, expected {self.data.shape} (the shape of its data)")
        self._grad = value

    def accumulate_grad(self, g: np.ndarray) -> None:
        """grad <- grad + g, in place (torch's AccumulateGrad); grad <- a copy of g when grad
        is None. g must have the shape of ``data``: the error names this parameter."""
        g = np.asarray(g)
        if g.shape != self.data.shape:
            raise ValueError(f"Parameter {self.name or '?'!r}: a gradient of shape {g.shape} "
                             f"cannot be added to one of shape {self.data.shape}")
        if self._grad is None:
            self._grad = g.astype(self.data.dtype)      # a copy: grad owns its array
        else:
            self._grad += g

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def size(self) -> int:
        return self.data.size

    def zero_grad(self, set_to_none: bool = False) -> None:
        """grad <- 0, in place (the same array object: references to it see the zeros);
        ``set_to_none=True``: grad <- None, as torch."""
        if set_to_none:
            self._grad = None
        elif self._grad is None:
            self._grad = np.zeros_like(self.data)
        else:
            self._grad.fill(0.0)

    def __repr__(self) -> str:
        return f"Parameter({self.name or '?'}, shape={self.data.shape}, dtype={self.data.dtype})"
