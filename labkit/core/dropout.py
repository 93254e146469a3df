"""Dropout (inverted), as torch.nn.Dropout: in training each unit is kept with probability
1 - p and scaled by 1 / (1 - p); in evaluation the layer is the identity.

    mask_i ~ Bernoulli(1 - p) / (1 - p),  a = z * mask,  dL/dz = dL/da * mask
"""
from __future__ import annotations

import numpy as np

from .module import Module, check_grad_out, no_forward_error
from .random import get_rng


class Dropout(Module):
    """Zeroes a random fraction p of the units in training; draws from ``rng`` (seeded)."""

    def __init__(self, p: float = 0.5, rng=None) -> None:
        if not (isinstance(p, (int, float)) and 0 <= p < 1):
            raise ValueError(f"Dropout: p must be a probability in [0, 1), got {p!r}")
        self.p = float(p)
        self.rng = get_rng(rng)
        self.mask: np.ndarray | None = None
        self._shape: tuple[int, ...] | None = None

    def forward(self, z: np.ndarray) -> np.ndarray:
        if not isinstance(z, np.ndarray):
            raise TypeError(f"{self!r}: input must be a numpy array, got {type(z).__name__}")
        self._shape = z.shape
        if not self.training or self.p == 0:
            self.mask = None
            return z
        keep = self.rng.random(z.shape) >= self.p
        self.mask = keep.astype(z.dtype) / (1.0 - self.p)
        return z * self.mask

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        if self._shape is None:
            raise no_forward_error(self)
        check_grad_out(self, grad_out, self._shape)
        return grad_out if self.mask is None else grad_out * self.mask

    def extra_repr(self) -> str:
        return f"p={self.p}"
