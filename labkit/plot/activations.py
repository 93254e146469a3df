"""Activation functions and their derivatives, drawn."""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from ..core.i18n import _
from ..core.layers import ACTIVATIONS
from .base import new_axes


def activation_and_derivative(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(f(z), f'(z)) computed by labkit's own layer: f' is its backward of a gradient of ones."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    layer = ACTIVATIONS[name]()
    a = layer(z.reshape(-1, 1))
    return a.reshape(z.shape), layer.backward(np.ones_like(a)).reshape(z.shape)


def plot_activation(name: str, ax: Axes | None = None, z_range: float = 5.0) -> Axes:
    """f(z) and f'(z) of one activation on [-z_range, z_range]."""
    ax = new_axes(ax)
    z = np.linspace(-z_range, z_range, 401)
    a, da = activation_and_derivative(name, z)
    ax.plot(z, a, label=f"{name}(z)")
    ax.plot(z, da, "--", label=f"{name}'(z)")
    ax.axhline(0, color="0.8", lw=0.8)
    ax.set_title(_("{name}: the function and its slope").format(name=name))
    ax.set_xlabel(_("pre-activation z"))
    ax.set_ylabel("a = f(z), f'(z)")
    ax.legend(loc="upper left")
    return ax
