"""Residual connection: out = x + F(x), as in ResNet.

backward: dL/dx = dL/dout + F.backward(dL/dout): the identity path hands the gradient back
unchanged, however small F's own gradient has become. F's parameters are named "block.<name>".
"""
from __future__ import annotations

import numpy as np

from .module import Module, check_grad_out, no_forward_error


class Residual(Module):
    """Wraps a block F whose output has the shape of its input: out = x + F(x)."""

    def __init__(self, block: Module) -> None:
        if not isinstance(block, Module):
            raise TypeError(f"Residual: block must be a labkit Module, got "
                            f"{type(block).__name__}")
        self.block = block
        self._shape: tuple[int, ...] | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        fx = self.block.forward(x)
        if fx.shape != x.shape:
            raise ValueError(f"Residual: the block maps shape {x.shape} to {fx.shape}; "
                             f"x + F(x) needs equal shapes")
        self._shape = x.shape
        return x + fx

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        if self._shape is None:
            raise no_forward_error(self)
        check_grad_out(self, grad_out, self._shape)
        return grad_out + self.block.backward(grad_out)

    def __repr__(self) -> str:
        return "Residual(\n  " + repr(self.block).replace("\n", "\n  ") + "\n)"
