"""Module: the base of every layer (the CS231n pattern with PyTorch's names).

A module's ``forward(x)`` computes its output and caches what ``backward`` needs;
``backward(grad_out)`` takes dL/d(output), adds dL/d(parameter) into each ``Parameter.grad``
and returns dL/d(input). ``parameters()`` lists the trainable Parameters in order.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .parameter import Parameter


class Module:
    """Base class: subclasses implement ``forward`` and ``backward``."""

    training: bool = True

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__}.backward is not implemented")

    # --- parameters -------------------------------------------------------------------
    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """(local name, Parameter) pairs; containers prefix their children's names."""
        return iter(())

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    # --- modes (used by BatchNorm and Dropout) ---------------------------------------
    def children(self) -> list[Module]:
        return []

    def train(self, mode: bool = True) -> Module:
        self.training = mode
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


def check_input(layer: Module, x: np.ndarray, width: int | None = None) -> None:
    """Raises a clear error unless x is a non-empty (N, width) array (width None: any)."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{layer!r}: input must be a numpy array, got {type(x).__name__}")
    if x.ndim != 2:
        hint = " (one sample? use x.reshape(1, -1))" if x.ndim == 1 else ""
        raise ValueError(f"{layer!r}: input must be 2-D (N, features), got shape {x.shape}{hint}")
    if x.shape[0] == 0:
        raise ValueError(f"{layer!r}: empty batch (input shape {x.shape})")
    if width is not None and x.shape[1] != width:
        raise ValueError(
            f"{layer!r}: expected input of width {width}, got shape {x.shape} "
            f"(width {x.shape[1]})"
        )


def check_grad_out(layer: Module, grad_out: np.ndarray, expected_shape: tuple[int, ...]) -> None:
    """Raises a clear error unless grad_out has the shape of the layer's last output."""
    if not isinstance(grad_out, np.ndarray):
        raise TypeError(
            f"{layer!r}.backward: grad_out must be a numpy array, got {type(grad_out).__name__}"
        )
    if grad_out.shape != expected_shape:
        raise ValueError(
            f"{layer!r}.backward: grad_out has shape {grad_out.shape}, expected the shape of "
            f"the last output {expected_shape}"
        )


def no_forward_error(layer: Module) -> RuntimeError:
    return RuntimeError(f"{layer!r}.backward called before forward: nothing is cached")
