"""A look inside one forward and backward pass of a Sequential, layer by layer.

For every layer i of the net (a = output of layer i, dL/da = the gradient arriving at it):
    mean, std of a          how the signal is spread going forward
    saturated               fraction of units whose local slope |f'(z)| < 0.05 (activations
                            only): almost no gradient passes back through them
    grad_norm               ||dL/da||, the gradient signal flowing back through the layer
    param_grad_norm         ||dL/dtheta|| of the layer's parameters (0 if it has none)
The probe leaves the net as it found it: parameter gradients and BatchNorm running statistics
are restored afterwards.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from ..core.layers import Activation, Sequential
from ..core.losses import Loss
from ..core.module import Module
from ..core.normalization import BatchNorm1d

SATURATION_SLOPE = 0.05


@dataclass(frozen=True)
class LayerStats:
    """Statistics of one layer for one batch (see the module docstring)."""

    index: int
    name: str
    mean: float
    std: float
    saturated: float
    grad_norm: float
    param_grad_norm: float
    activations: np.ndarray
    grads: np.ndarray | None


def layer_names(net: Sequential) -> list[str]:
    """"0 Linear", "1 Tanh", ...: index and type of every layer."""
    return [f"{i} {type(layer).__name__}" for i, layer in enumerate(net.layers)]


def saturated_fraction(layer: Module) -> float:
    """Fraction of the units of an activation layer (after its forward) with |f'(z)| < 0.05."""
    if not isinstance(layer, Activation) or layer._cache is None:
        return 0.0
    slope = layer.backward(np.ones(layer._cache.shape))
    return float(np.mean(np.abs(slope) < SATURATION_SLOPE))


def _all_modules(module: Module) -> Iterator[Module]:
    yield module
    for child in module.children():
        yield from _all_modules(child)


@contextmanager
def preserved_state(net: Module) -> Iterator[None]:
    """Restores parameter gradients and BatchNorm running statistics on exit."""
    grads = [(p, p.grad.copy()) for p in net.parameters()]
    stats = [(m, m.running_mean.copy(), m.running_var.copy())
             for m in _all_modules(net) if isinstance(m, BatchNorm1d)]
    try:
        yield
    finally:
        for p, g in grads:
            p.grad[...] = g
        for m, mean, var in stats:
            m.running_mean[...] = mean
            m.running_var[...] = var


def _check_net(net) -> None:
    if not isinstance(net, Sequential):
        raise TypeError(f"diagnostics work on a labkit Sequential, got {type(net).__name__}")


def probe(net: Sequential, X: np.ndarray, y: np.ndarray | None = None,
          loss_fn: Loss | None = None) -> list[LayerStats]:
    """Layer statistics for one batch; with ``y`` and ``loss_fn`` also the backward signal."""
    _check_net(net)
    if (y is None) != (loss_fn is None):
        raise ValueError("probe: give both y and loss_fn (for gradients) or neither")
    with preserved_state(net):
        outputs, a = [], X
        for layer in net.layers:
            a = layer.forward(a)
            outputs.append(a)
        saturated = [saturated_fraction(layer) for layer in net.layers]
        grads: list[np.ndarray | None] = [None] * len(net.layers)
        param_norms = [0.0] * len(net.layers)
        if loss_fn is not None:
            for p in net.parameters():
                p.grad.fill(0)
            loss_fn(a, y)
            g = loss_fn.backward()
            for i in reversed(range(len(net.layers))):
                grads[i] = g
                g = net.layers[i].backward(g)
                param_norms[i] = float(np.sqrt(sum(float(np.vdot(p.grad, p.grad))
                                                   for p in net.layers[i].parameters())))
    return [LayerStats(i, name, float(np.mean(out)), float(np.std(out)), saturated[i],
                       float(np.linalg.norm(grads[i])) if grads[i] is not None else 0.0,
                       param_norms[i], out, grads[i])
            for i, (name, out) in enumerate(zip(layer_names(net), outputs))]
