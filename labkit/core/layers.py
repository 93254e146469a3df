"""Layers: Linear, the activations and Sequential, and the formulas they compute.

Notation of the lessons, batch-first rows (N samples, one per row):
    z = a_prev W^T + b          (Linear)
    a = f(z)                    (activation)
backward receives delta = dL/d(output) and returns dL/d(input):
    Linear:     dW = delta^T a_prev,  db = sum over the batch of delta,  da_prev = delta W
    activation: delta = dL/da * f'(z)
Each formula is a plain function (``linear_forward``, ``linear_backward``, ``relu``,
``sigmoid_backward``, ...): the exercises ask for them, and the classes call them.
"""
from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from . import init as initializers
from .module import (Module, check_grad_out, check_input, check_int, check_number, deprecated,
                     no_forward_error)
from .parameter import Parameter
from .random import get_rng

INITS = ("default", "xavier", "he", "zeros")

# --- the formulas ------------------------------------------------------------------------


def linear_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | float) -> np.ndarray:
    """z = X W^T + b: X (N, in), W (out, in), b (out,) -> z (N, out) (a Linear without
    bias passes b = 0)."""
    return X @ W.T + b


def linear_backward(delta: np.ndarray, a_prev: np.ndarray, W: np.ndarray):
    """(dW, db, da_prev) of z = a_prev W^T + b, from delta = dL/dz (N, out):
    dW = delta^T a_prev (out, in),  db = sum_n delta_n (out,),  da_prev = delta W (N, in)."""
    dW = delta.T @ a_prev
    db = delta.sum(axis=0)
    da_prev = delta @ W
    return dW, db, da_prev


def relu(z: np.ndarray) -> np.ndarray:
    """a = max(z, 0), elementwise."""
    return np.maximum(z, 0.0)


def relu_backward(da: np.ndarray, a: np.ndarray) -> np.ndarray:
    """delta = dL/da * ReLU'(z), with ReLU'(z) = 1 where a > 0, else 0 (0 at z = 0, as torch)."""
    return da * (a > 0)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + e^-z), with full relative precision in both tails.

    For very negative z (below -709 in float64), e^-z overflows to inf and 1 / (1 + inf) = 0:
    the right answer, so that overflow warning is switched off."""
    z = np.asarray(z)
    if z.dtype.kind != "f":
        z = z.astype(np.float64)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_backward(da: np.ndarray, a: np.ndarray) -> np.ndarray:
    """delta = dL/da * sigma'(z), with sigma'(z) = a (1 - a)."""
    return da * a * (1.0 - a)


def tanh_backward(da: np.ndarray, a: np.ndarray) -> np.ndarray:
    """delta = dL/da * tanh'(z), with tanh'(z) = 1 - a^2."""
    return da * (1.0 - a * a)


# --- the layers ---------------------------------------------------------------------------


class Linear(Module):
    """z = a_prev W^T + b, with W of shape (out_features, in_features) and b of shape (out,).

    ``init``: "default" (torch.nn.Linear: U(+-1/sqrt(in)) for W and b), "xavier", "he",
    "zeros", or a float std for W ~ N(0, std^2); all but "default" set b = 0.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *,
                 rng=None, init: str | float = "default", dtype=np.float64) -> None:
        self.in_features = check_int("Linear", "in_features", in_features)
        self.out_features = check_int("Linear", "out_features", out_features)
        self.W = Parameter(np.empty((out_features, in_features), dtype=dtype), "W")
        self.b = Parameter(np.zeros(out_features, dtype=dtype), "b") if bias else None
        self.reset_parameters(init, rng)
        self.a_prev: np.ndarray | None = None      # the last input, kept for backward

    def reset_parameters(self, init: str | float = "default", rng=None) -> None:
        rng, bound = get_rng(rng), 1.0 / math.sqrt(self.in_features)
        if init == "default":
            for p in (self.W, self.b) if self.b is not None else (self.W,):
                initializers.uniform_(p, -bound, bound, rng)
            return
        if init in ("xavier", "he"):
            std = initializers.init_std(init, self.in_features, self.out_features)
            initializers.normal_(self.W, 0.0, std, rng)
        elif init == "zeros":
            initializers.zeros_(self.W)
        elif isinstance(init, (int, float)) and not isinstance(init, bool) and init >= 0:
            initializers.normal_(self.W, 0.0, float(init), rng)
        else:
            raise ValueError(f"Linear: init must be one of {INITS} or a std >= 0, got {init!r}")
        if self.b is not None:
            initializers.zeros_(self.b)

    def forward(self, a_prev: np.ndarray) -> np.ndarray:
        check_input(self, a_prev, self.in_features)
        self.a_prev = a_prev
        b = self.b.data if self.b is not None else 0.0
        return linear_forward(a_prev, self.W.data, b)

    def backward(self, delta: np.ndarray) -> np.ndarray:
        if self.a_prev is None:
            raise no_forward_error(self)
        check_grad_out(self, delta, (self.a_prev.shape[0], self.out_features))
        dW, db, da_prev = linear_backward(delta, self.a_prev, self.W.data)
        self.W.accumulate_grad(dW)                # W.grad += dW
        if self.b is not None:
            self.b.accumulate_grad(db)            # b.grad += db
        return da_prev

    def extra_repr(self) -> str:
        bias = "" if self.b is not None else ", bias=False"
        return f"in_features={self.in_features}, out_features={self.out_features}{bias}"


class Activation(Module):
    """An elementwise a = f(z); backward: delta = dL/da * f'(z), written with the output a
    that forward keeps. A subclass defines ``_f(z) -> a`` and ``_df(da, a) -> delta``."""

    def __init__(self) -> None:
        self._cache: np.ndarray | None = None      # a, the last output

    def forward(self, z: np.ndarray) -> np.ndarray:
        if not isinstance(z, np.ndarray):
            raise TypeError(f"{self!r}: input must be a numpy array, got {type(z).__name__}")
        self._cache = self._f(z)
        return self._cache

    def backward(self, da: np.ndarray) -> np.ndarray:
        if self._cache is None:
            raise no_forward_error(self)
        check_grad_out(self, da, self._cache.shape)
        return self._df(da, self._cache)

    def _f(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _df(self, da: np.ndarray, a: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Sigmoid(Activation):
    """a = 1 / (1 + e^-z);  sigma'(z) = a (1 - a)."""

    def _f(self, z):
        return sigmoid(z)

    def _df(self, da, a):
        return sigmoid_backward(da, a)


class Tanh(Activation):
    """a = tanh(z);  tanh'(z) = 1 - a^2."""

    def _f(self, z):
        return np.tanh(z)

    def _df(self, da, a):
        return tanh_backward(da, a)


class ReLU(Activation):
    """a = max(z, 0);  ReLU'(z) = 1 where z > 0, else 0 (0 at z = 0, as torch)."""

    def _f(self, z):
        return relu(z)

    def _df(self, da, a):
        return relu_backward(da, a)


class LeakyReLU(Activation):
    """a = z where z > 0, else negative_slope * z;  derivative 1 or negative_slope (torch)."""

    def __init__(self, negative_slope: float = 0.01, *, alpha: float | None = None) -> None:
        super().__init__()
        if alpha is not None:
            deprecated("LeakyReLU(alpha=...)", "LeakyReLU(negative_slope=...), as torch")
            negative_slope = alpha
        self.negative_slope = check_number("LeakyReLU", "negative_slope", negative_slope)

    @property
    def alpha(self) -> float:
        deprecated("LeakyReLU.alpha", "LeakyReLU.negative_slope, as torch")
        return self.negative_slope

    def _f(self, z):
        return np.where(z > 0, z, self.negative_slope * z)

    def _df(self, da, a):               # a > 0 exactly where z > 0 (negative_slope >= 0)
        return da * np.where(a > 0, 1.0, self.negative_slope).astype(da.dtype, copy=False)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Identity(Activation):
    """a = z;  derivative 1."""

    def _f(self, z):
        return z

    def _df(self, da, a):
        return da


# the one name <-> class table of the activations ("relu" -> ReLU, ...)
ACTIVATIONS: dict[str, type[Activation]] = {
    "identity": Identity, "relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh,
    "leaky_relu": LeakyReLU,
}


def activation_name(layer: Module) -> str:
    """"relu", "sigmoid", ... for an activation layer (a subclass: its class name)."""
    return next((name for name, cls in ACTIVATIONS.items() if type(layer) is cls),
                type(layer).__name__)


class Sequential(Module):
    """Layers applied in order; backward walks them in reverse and returns dL/dX.

    Parameters are named "<index>.<name>", e.g. "0.W" for the weights of layer 0.
    """

    def __init__(self, *layers: Module) -> None:
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(
                    f"Sequential: layer {i} must be a labkit Module (Linear, ReLU, ...), "
                    f"got {type(layer).__name__}"
                )
        self.layers: list[Module] = list(layers)
        for name, p in self.named_parameters():
            p.name = name

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for i, layer in enumerate(self.layers):
            yield str(i), layer

    def __getitem__(self, i):
        if isinstance(i, slice):  # a view on the same layers; their names stay as they are
            view = Sequential.__new__(Sequential)
            view.layers = self.layers[i]
            return view
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)

    def __repr__(self) -> str:
        rows = "".join(f"\n  ({i}): " + repr(layer).replace("\n", "\n  ")
                       for i, layer in enumerate(self.layers))
        return f"Sequential({rows}\n)" if self.layers else "Sequential()"
