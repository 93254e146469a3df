"""Layers: Linear, the activations and Sequential.

Notation of the lessons, batch-first rows (N samples, one per row):
    z = a_prev W^T + b          (Linear)
    a = f(z)                    (activation)
backward receives delta_out = dL/d(output) and returns dL/d(input):
    Linear:     dW += delta^T a_prev,  db += sum over the batch of delta,  dL/da_prev = delta W
    activation: delta = dL/da * f'(z)
"""
from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from . import init as initializers
from .module import Module, check_grad_out, check_input, no_forward_error
from .parameter import Parameter, constant_array
from .random import get_rng

INITS = ("default", "xavier", "he", "zeros")


class Linear(Module):
    """z = x W^T + b, with W of shape (out_features, in_features) and b of shape (out,).

    ``init``: "default" (torch.nn.Linear: U(+-1/sqrt(in)) for W and b), "xavier", "he",
    "zeros", or a float std for W ~ N(0, std^2); all but "default" set b = 0.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *,
                 rng=None, init: str | float = "default", dtype=np.float64) -> None:
        for arg, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Linear: {arg} must be a positive int, got {value!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.W = Parameter(np.empty((out_features, in_features), dtype=dtype), "W")
        self.b = Parameter(np.zeros(out_features, dtype=dtype), "b") if bias else None
        self.reset_parameters(init, rng)
        self._x: np.ndarray | None = None

    def reset_parameters(self, init: str | float = "default", rng=None) -> None:
        rng = get_rng(rng)
        if init == "default":
            bound = 1.0 / math.sqrt(self.in_features)
            initializers.uniform_(self.W, -bound, bound, rng)
            if self.b is not None:
                initializers.uniform_(self.b, -bound, bound, rng)
            return
        if init == "xavier":
            initializers.xavier_normal_(self.W, rng=rng)
        elif init == "he":
            initializers.kaiming_normal_(self.W, rng=rng)
        elif init == "zeros":
            initializers.zeros_(self.W)
        elif isinstance(init, (int, float)) and not isinstance(init, bool) and init >= 0:
            initializers.normal_(self.W, float(init), rng)
        else:
            raise ValueError(f"Linear: init must be one of {INITS} or a std >= 0, got {init!r}")
        if self.b is not None:
            initializers.zeros_(self.b)

    def forward(self, x: np.ndarray) -> np.ndarray:
        check_input(self, x, self.in_features)
        self._x = x
        z = x @ self.W.data.T
        if self.b is not None:
            z += self.b.data                       # in place: z is ours, no second array
        return z

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        x = self._x
        if x is None:
            raise no_forward_error(self)
        check_grad_out(self, grad_out, (x.shape[0], self.out_features))
        self.W.add_grad_matmul(grad_out.T, x)      # dW += delta^T a_prev
        if self.b is not None:
            self.b.add_grad_sum(grad_out)          # db += sum over the batch of delta
        return grad_out @ self.W.data              # dL/da_prev = delta W

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        yield "W", self.W
        if self.b is not None:
            yield "b", self.b

    def extra_repr(self) -> str:
        bias = "" if self.b is not None else ", bias=False"
        return f"in_features={self.in_features}, out_features={self.out_features}{bias}"


class Activation(Module):
    """An elementwise a = f(z); backward: dL/dz = dL/da * f'(z), from what forward cached."""

    def __init__(self) -> None:
        self._cache: np.ndarray | None = None

    def forward(self, z: np.ndarray) -> np.ndarray:
        if not isinstance(z, np.ndarray):
            raise TypeError(f"{self!r}: input must be a numpy array, got {type(z).__name__}")
        a, self._cache = self._f(z)
        return a

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        cache = self._cache
        if cache is None:
            raise no_forward_error(self)
        check_grad_out(self, grad_out, cache.shape)
        return self._df(grad_out, cache)

    def _f(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(a, what backward needs)."""
        raise NotImplementedError

    def _df(self, da: np.ndarray, cache: np.ndarray) -> np.ndarray:
        raise NotImplementedError


def sigmoid(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + e^-z), with full relative precision in both tails (sigma(-30) ~
    9.4e-14, which (1 + tanh(z/2)) / 2 gets wrong in the 4th digit).

    For very negative z (below -709 in float64), e^-z overflows to inf and 1 / (1 + inf) = 0:
    the right answer, as sigma(z) is below the smallest float there; so that overflow
    warning is switched off."""
    z = _float_array(z)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def tanh(z: np.ndarray) -> np.ndarray:
    """tanh z.  float64: from t = e^(-2|z|) - 1 in (-1, 0],
        tanh |z| = (1 - e^(-2|z|)) / (1 + e^(-2|z|)) = -t / (t + 2),  then the sign of z.
    np.expm1 keeps full precision for small |z|, where 1 - e^(-2|z|) would cancel; the result
    is within 3 units in the last place of np.tanh. Why not np.tanh: on CPUs without AVX-512,
    numpy computes float64 tanh one element at a time, and this is 20% faster (measured in
    benchmarks/). Other dtypes: np.tanh, which is vectorized for them."""
    z = np.asarray(z)
    if z.dtype != np.float64:
        return np.tanh(z)
    a = np.abs(z, out=np.empty_like(z))
    a *= -2.0
    np.expm1(a, out=a)                   # t
    np.divide(a, a + 2.0, out=a)         # t / (t + 2) = -tanh |z|
    np.copysign(a, z, out=a)             # |a| with the sign of z
    return a if a.ndim else a[()]        # a number in, a number out


def _float_array(z) -> np.ndarray:
    """z as an array of floats (integers become float64; float32 stays float32)."""
    z = np.asarray(z)
    return z if z.dtype.kind == "f" else z.astype(np.float64)


class Sigmoid(Activation):
    """a = 1 / (1 + e^-z);  sigma'(z) = a (1 - a),  so delta = dL/da * a (1 - a)."""

    def _f(self, z):
        a = sigmoid(z)
        return a, a

    def _df(self, da, a):
        delta = 1.0 - a                      # built in place: one new array, not three
        delta *= a
        delta *= da
        return delta


class Tanh(Activation):
    """a = tanh(z);  tanh'(z) = 1 - a^2,  so delta = dL/da * (1 - a^2)."""

    def _f(self, z):
        a = tanh(z)
        return a, a

    def _df(self, da, a):
        delta = a * a                        # built in place: one new array, not three
        np.subtract(1.0, delta, out=delta)
        delta *= da
        return delta


class ReLU(Activation):
    """a = max(z, 0);  ReLU'(z) = 1 where z > 0, else 0 (0 at z = 0, as torch)."""

    def _f(self, z):
        # max(z, 0) against an array of zeros of z's shape, not the number 0: numpy's
        # vectorized loop then runs, 2-4x faster than with a broadcast scalar (benchmarks/)
        a = np.maximum(z, constant_array(0, z.shape, z.dtype))
        return a, a

    def _df(self, da, a):
        return da * (a > 0)


class LeakyReLU(Activation):
    """a = z where z > 0, else alpha z;  derivative 1 or alpha (torch's negative_slope)."""

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        if not (isinstance(alpha, (int, float)) and math.isfinite(alpha) and alpha >= 0):
            raise ValueError(f"LeakyReLU: alpha must be a finite number >= 0, got {alpha!r}")
        self.alpha = float(alpha)

    def _f(self, z):
        positive = z > 0
        return np.where(positive, z, self.alpha * z), positive

    def _df(self, da, positive):
        return da * np.where(positive, 1.0, self.alpha).astype(da.dtype, copy=False)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Identity(Activation):
    """a = z;  derivative 1."""

    def _f(self, z):
        return z, z

    def _df(self, da, z):
        return da


class Sequential(Module):
    """Layers applied in order; backward walks them in reverse and returns dL/dX.

    Parameters are named "<index>.<name>", e.g. "0.W" for the weights of layer 0.
    """

    def __init__(self, *layers: Module) -> None:
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
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

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        for i, layer in enumerate(self.layers):
            for name, p in layer.named_parameters():
                yield f"{i}.{name}", p

    def children(self) -> list[Module]:
        return list(self.layers)

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
        if not self.layers:
            return "Sequential()"
        lines = []
        for i, layer in enumerate(self.layers):
            body = repr(layer).replace("\n", "\n  ")
            lines.append(f"  ({i}): {body}")
        return "Sequential(\n" + "\n".join(lines) + "\n)"
