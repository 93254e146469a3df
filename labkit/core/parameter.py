"""Parameter: a trainable array with its gradient, as ``torch.nn.Parameter``."""
from __future__ import annotations

from functools import lru_cache

import numpy as np


class Parameter:
    """A trainable array ``data`` and the gradient ``grad`` of the loss with respect to it.

    ``grad`` has the shape and dtype of ``data``. Backward passes *add* into it (as in torch),
    so gradients of several losses accumulate until ``zero_grad()`` resets them.
    ``name`` is readable, e.g. ``"0.W"``: layer 0 of a Sequential, its weight matrix.

    Layers add their gradients with ``add_grad`` (or its two shortcuts ``add_grad_matmul`` and
    ``add_grad_sum``). ``zero_grad()`` only *marks* the gradient as zero; the next ``add_grad``
    then writes its term into the array instead of adding it to freshly written zeros: the same
    numbers, one pass over memory fewer per parameter and step (torch's ``zero_grad``, which
    sets ``.grad`` to None until the next backward, saves the same work). Reading ``grad`` in
    between gives zeros, as expected.
    """

    __slots__ = ("data", "_grad", "_grad_is_zero", "name")

    def __init__(self, data: np.ndarray, name: str = "") -> None:
        data = np.array(data, copy=True)
        if data.dtype.kind not in "f":
            data = data.astype(np.float64)
        self.data: np.ndarray = data
        self._grad: np.ndarray = np.zeros_like(data)
        self._grad_is_zero = False       # True: zero_grad() was called, _grad holds stale numbers
        self.name: str = name

    @property
    def grad(self) -> np.ndarray:
        """dL/d(data): an array of the shape and dtype of ``data``."""
        if self._grad_is_zero:
            self._grad.fill(0)
            self._grad_is_zero = False
        return self._grad

    @grad.setter
    def grad(self, value: np.ndarray) -> None:
        value = np.asarray(value)
        if value.shape != self.data.shape:
            raise ValueError(
                f"Parameter {self.name or '?'!r}: cannot set a gradient of shape {value.shape}, "
                f"expected {self.data.shape} (the shape of its data)"
            )
        self._grad = value.astype(self.data.dtype, copy=False)
        self._grad_is_zero = False

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def size(self) -> int:
        return self.data.size

    def zero_grad(self) -> None:
        """grad <- 0 (the same array object: references to it stay valid)."""
        self._grad_is_zero = True

    # --- how layers add their gradient terms ----------------------------------------------
    def add_grad(self, g: np.ndarray) -> None:
        """grad += g."""
        if self._grad_is_zero:
            np.copyto(self._grad, g)
            self._grad_is_zero = False
        else:
            self._grad += g

    def add_grad_matmul(self, a: np.ndarray, b: np.ndarray) -> None:
        """grad += a @ b (Linear: dW += delta^T a_prev), written in place after zero_grad()."""
        if self._grad_is_zero:
            np.matmul(a, b, out=self._grad)
            self._grad_is_zero = False
        else:
            self._grad += a @ b

    def add_grad_sum(self, g: np.ndarray) -> None:
        """grad += g summed over the batch, axis 0 (Linear: db += sum_n delta_n).

        For a batch of rows (2-D g) the sum is the product 1^T g, which BLAS computes 2-3x
        faster than np.sum along axis 0 (benchmarks/README.md)."""
        if g.ndim == 2:
            ones = constant_array(1.0, (g.shape[0],), g.dtype)
            self.add_grad_matmul(ones, g)                            # as batch_sum(g)
        elif self._grad_is_zero:
            g.sum(axis=0, out=self._grad)
            self._grad_is_zero = False
        else:
            self._grad += g.sum(axis=0)

    def __repr__(self) -> str:
        return f"Parameter({self.name or '?'}, shape={self.data.shape}, dtype={self.data.dtype})"


def batch_sum(g: np.ndarray) -> np.ndarray:
    """sum_n g_n over the rows of a 2-D g, as the product 1^T g: the numbers
    Parameter.add_grad_sum adds (BLAS sums 2-3x faster than np.sum along axis 0)."""
    return constant_array(1.0, (g.shape[0],), g.dtype) @ g


@lru_cache(maxsize=32)
def constant_array(value: float, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A read-only array filled with ``value`` (kept: the same batch shape comes back every
    step). numpy's vectorized loops run on two arrays of one shape, not on an array and a
    broadcast number or a row: see ReLU and batch_sum."""
    out = np.full(shape, value, dtype=dtype)
    out.flags.writeable = False
    return out
