"""Lesson 01, the forward pass (lessons/01_forward_pass.ipynb), layer by layer: what each layer
computed, kept for reading and drawing.

    z = a_prev W^T + b          (Linear, batch-first rows: a_prev is (N, in), W is (out, in))
    a = f(z)                    (the activation that follows it; "identity" when there is none)

``forward_trace(net, x)`` runs a Sequential of Linear layers, each optionally followed by one
activation, and returns one ``LayerTrace`` per Linear layer with a_prev, z and a. It computes
with the layers themselves, so the numbers are exactly those of ``net(x)``.

``set_linear(layer, W, b)`` sets a Linear layer's weights from given values, checking their
layout: W must be (out, in), one row per neuron of the layer.

``forward_2layer(X, W1, b1, W2, b2)`` is the lesson's network as two formulas of the core
(a ReLU hidden layer, a linear output): the function exercise 01 asks for, the numbers of
``Sequential(Linear, ReLU, Linear)``.

The module holds the lesson's numbers (numpy only); its figures are in figures.py
and its widget in widget.py, next to this file.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core.layers import ACTIVATIONS, Activation, Linear, Sequential, linear_forward, relu

# class -> name, read from the one activation registry (labkit.core.layers.ACTIVATIONS)
ACTIVATION_NAMES = {cls: name for name, cls in ACTIVATIONS.items()}


@dataclass
class LayerTrace:
    """One Linear layer (and the activation after it) during one forward pass.

    index: the Linear's position in the Sequential; activation: "relu", "sigmoid", ...,
    "identity" when no activation follows. a_prev (N, in), z (N, out), a (N, out);
    W (out, in) and b (out,) are copies of the parameters at the time of the pass.
    """

    index: int
    activation: str
    W: np.ndarray
    b: np.ndarray | None
    a_prev: np.ndarray
    z: np.ndarray
    a: np.ndarray

    @property
    def dead(self) -> np.ndarray:
        """Units of a ReLU layer whose z <= 0 (output 0, slope 0) for every sample; for other
        activations, no unit is dead."""
        if self.activation != "relu":
            return np.zeros(self.z.shape[1], dtype=bool)
        return np.all(self.z <= 0, axis=0)


def activation_name(layer: Activation) -> str:
    """"relu", "sigmoid", "tanh", "leaky_relu" or "identity"; a subclass gets its class name."""
    return ACTIVATION_NAMES.get(type(layer), type(layer).__name__.lower())


def _as_batch(x, width: int) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64) if not isinstance(x, np.ndarray) else x
    if x.ndim == 1:
        x = x.reshape(1, -1)
    if x.ndim != 2 or x.shape[1] != width:
        raise ValueError(f"forward_trace: the network expects inputs of width {width}, "
                         f"got an input of shape {np.shape(x)}")
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    return x


def forward_trace(net: Sequential, x) -> list[LayerTrace]:
    """Runs ``net`` on ``x`` (one sample (in,) or a batch (N, in)) and returns what every
    Linear layer and its activation computed. Raises ValueError for a layer that is neither a
    Linear nor an activation directly after a Linear."""
    if not isinstance(net, Sequential):
        raise TypeError(f"forward_trace: expected a labkit Sequential, got {type(net).__name__}")
    layers = list(net)
    if not layers or not isinstance(layers[0], Linear):
        first = type(layers[0]).__name__ if layers else "nothing"
        raise ValueError(f"forward_trace: the network must start with a Linear layer, "
                         f"got {first}")
    a = _as_batch(x, layers[0].in_features)
    traces: list[LayerTrace] = []
    i = 0
    while i < len(layers):
        layer = layers[i]
        if not isinstance(layer, Linear):
            raise ValueError(f"forward_trace: layer {i} ({layer!r}) must be a Linear layer or "
                             "a single activation right after one")
        z = layer(a)
        act, out, step = "identity", z, 1
        if i + 1 < len(layers) and not isinstance(layers[i + 1], Linear):
            nxt = layers[i + 1]
            if not isinstance(nxt, Activation):
                raise ValueError(f"forward_trace: layer {i + 1} ({nxt!r}) is neither a Linear "
                                 "layer nor an activation")
            act, out, step = activation_name(nxt), nxt(z), 2
        b = None if layer.b is None else layer.b.data.copy()
        traces.append(LayerTrace(i, act, layer.W.data.copy(), b, a, z, out))
        a, i = out, i + step
    return traces


def set_linear(layer: Linear, W, b=None) -> Linear:
    """Copies W (shape (out, in): one row per neuron) and b (shape (out,)) into a Linear layer.

    The shapes must match exactly (no broadcasting), so a matrix given in the transposed
    layout is refused with a message instead of silently computing something else. A square W
    cannot be checked that way: its rows must be the neurons.
    """
    if not isinstance(layer, Linear):
        raise TypeError(f"set_linear: expected a labkit Linear layer, got {type(layer).__name__}")
    W = np.asarray(W, dtype=layer.W.data.dtype)
    expected = layer.W.data.shape
    if W.shape != expected:
        hint = ""
        if W.shape == expected[::-1]:
            hint = " (this is the transposed layout: W needs one row per output neuron)"
        elif W.ndim == 1 and W.size == expected[1] and expected[0] == 1:
            hint = f" (one neuron's weights: use W.reshape(1, {expected[1]}))"
        raise ValueError(f"set_linear: {layer!r} needs W of shape (out, in) = {expected}, "
                         f"got {W.shape}{hint}")
    layer.W.data[...] = W
    if b is not None:
        if layer.b is None:
            raise ValueError(f"set_linear: {layer!r} has no bias, but b was given")
        b = np.asarray(b, dtype=layer.b.data.dtype)
        if b.shape != layer.b.data.shape:
            raise ValueError(f"set_linear: {layer!r} needs b of shape {layer.b.data.shape}, "
                             f"got {b.shape}")
        layer.b.data[...] = b
    return layer


def forward_2layer(X: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray,
                   b2: np.ndarray) -> np.ndarray:
    """y_hat of a ReLU hidden layer and a linear output layer, with linear_forward and relu:
    a1 = relu(X W1^T + b1), y_hat = a1 W2^T + b2."""
    return linear_forward(relu(linear_forward(X, W1, b1)), W2, b2)
