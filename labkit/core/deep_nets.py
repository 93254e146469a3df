"""Deep MLPs built from a few settings, and the gradient that reaches each of their layers.

    net = deep_mlp(depth=20, width=32, activation="sigmoid")            # vanishes
    net = deep_mlp(depth=20, width=32, activation="relu", init="he")    # healthy
    profile = gradient_profile(net, X, y, CrossEntropyLoss())
    profile.signal      # ||dL/da|| at every hidden layer, input side first
    profile.ratio()     # first / last: 1e-12 is vanishing, 1e+6 exploding

The layout, for ``depth`` hidden layers of ``width`` units (``depth + 1`` Linear layers):

    plain (residual=False)                       residual=True (pre-activation blocks)
    Linear(in, width) [BatchNorm1d] f            Linear(in, width)
    Linear(width, width) [BatchNorm1d] f         Residual: x + Linear(f([BatchNorm1d](x)))
      ... depth times in all                       ... depth - 1 blocks
                                                 [BatchNorm1d] f
    Linear(width, out)                           Linear(width, out)

The residual blocks put the activation before the Linear layer (ResNet's "pre-activation"
order, He et al. 2016): F(x) = W f(x) + b has mean zero for zero-mean weights, so x does not
drift block after block even when f (sigmoid, ReLU) is positive. Either way the net has
``depth`` activations and ``depth + 1`` Linear layers.

``init`` is any of Linear's: "default" (torch.nn.Linear's U(+-1/sqrt(fan_in))), "xavier",
"he", "zeros", or a float std; ``scale`` then multiplies every weight matrix, so
``init="xavier", scale=3`` is "Xavier, three times too large". Lesson 08 (vanishing and
exploding gradients) and its widget build their networks here; so can any lesson that wants a
deep MLP from a few settings.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import numpy as np

from .layers import (
    INITS,
    Activation,
    Identity,
    LeakyReLU,
    Linear,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
)
from .losses import Loss
from .module import Module
from .normalization import BatchNorm1d
from .random import get_rng
from .residual import Residual

ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "identity")


def make_activation(name: str, alpha: float = 0.01) -> Activation:
    """The activation layer called ``name`` ("sigmoid", "tanh", "relu", "leaky_relu" with
    slope ``alpha`` for z < 0, "identity")."""
    if name == "sigmoid":
        return Sigmoid()
    if name == "tanh":
        return Tanh()
    if name == "relu":
        return ReLU()
    if name == "leaky_relu":
        return LeakyReLU(alpha)
    if name == "identity":
        return Identity()
    raise ValueError(f"deep_mlp: activation must be one of {ACTIVATION_NAMES}, got {name!r}")


def _check_positive_int(name: str, value, low: int = 1) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
        raise ValueError(f"deep_mlp: {name} must be an int >= {low}, got {value!r}")
    return int(value)


def _check_init(init) -> None:
    if isinstance(init, str):
        if init not in INITS:
            raise ValueError(f"deep_mlp: init must be one of {INITS} or a std >= 0, "
                             f"got {init!r}")
    elif isinstance(init, bool) or not isinstance(init, (int, float)) or not (
            math.isfinite(init) and init >= 0):
        raise ValueError(f"deep_mlp: init must be one of {INITS} or a std >= 0, got {init!r}")


def deep_mlp(depth: int = 10, width: int = 32, *, in_features: int = 2, out_features: int = 2,
             activation: str = "tanh", init: str | float = "default", scale: float = 1.0,
             residual: bool = False, batch_norm: bool = False, alpha: float = 0.01,
             rng=None, dtype=np.float64) -> Sequential:
    """A Sequential of ``depth`` hidden layers (see the module docstring for the layout).

    activation  "sigmoid", "tanh", "relu", "leaky_relu" (slope ``alpha``), "identity"
    init        "default", "xavier", "he", "zeros" or a float std (Linear's ``init``)
    scale       multiplies every weight matrix after initialization (biases unchanged)
    residual    depth - 1 pre-activation blocks x + Linear(f([BatchNorm1d](x)))
    batch_norm  a BatchNorm1d before every hidden activation
    rng         draws every weight, layer after layer (a Generator, an int seed or None)
    """
    depth = _check_positive_int("depth", depth)
    width = _check_positive_int("width", width)
    in_features = _check_positive_int("in_features", in_features)
    out_features = _check_positive_int("out_features", out_features)
    if activation not in ACTIVATION_NAMES:
        raise ValueError(f"deep_mlp: activation must be one of {ACTIVATION_NAMES}, "
                         f"got {activation!r}")
    _check_init(init)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not (
            math.isfinite(scale) and scale >= 0):
        raise ValueError(f"deep_mlp: scale must be a finite number >= 0, got {scale!r}")
    rng = get_rng(rng)

    def linear(n_in: int, n_out: int) -> Linear:
        layer = Linear(n_in, n_out, rng=rng, init=init, dtype=dtype)
        if scale != 1.0:
            layer.W.data *= scale
        return layer

    def norm_act() -> list[Module]:
        return ([BatchNorm1d(width, dtype=dtype)] if batch_norm else []) + [
            make_activation(activation, alpha)]

    if residual:
        layers: list[Module] = [linear(in_features, width)]
        for _ in range(depth - 1):
            layers.append(Residual(Sequential(*norm_act(), linear(width, width))))
        layers += norm_act()
    else:
        layers = []
        for k in range(depth):
            layers += [linear(in_features if k == 0 else width, width), *norm_act()]
    layers.append(linear(width, out_features))
    return Sequential(*layers)


@dataclass(frozen=True)
class MLPSettings:
    """The settings of ``deep_mlp`` as one value: ``settings.build(rng=0)`` makes the net,
    ``settings.label()`` names it in a legend, ``settings.replace(activation="relu")`` varies
    one setting."""

    depth: int = 10
    width: int = 32
    activation: str = "tanh"
    init: str | float = "default"
    scale: float = 1.0
    residual: bool = False
    batch_norm: bool = False
    in_features: int = 2
    out_features: int = 2
    alpha: float = 0.01

    def build(self, rng=None, dtype=np.float64) -> Sequential:
        return deep_mlp(**asdict(self), rng=rng, dtype=dtype)

    def replace(self, **changes) -> MLPSettings:
        unknown = set(changes) - set(asdict(self))
        if unknown:
            raise TypeError(f"MLPSettings has no setting {sorted(unknown)}; "
                            f"settings are {sorted(asdict(self))}")
        return MLPSettings(**{**asdict(self), **changes})

    def label(self) -> str:
        """e.g. "sigmoid, default init, depth 20" or "relu, He init x3, residual, batch norm"."""
        init = self.init if isinstance(self.init, str) else f"N(0, {self.init:g}²)"
        init = {"xavier": "Xavier", "he": "He"}.get(init, init)
        text = f"{self.activation}, {init} init"
        if self.scale != 1.0:
            text += f" ×{self.scale:g}"
        text += f", depth {self.depth}"
        if self.residual:
            text += ", residual"
        if self.batch_norm:
            text += ", batch norm"
        return text


def _modules(module: Module) -> Iterator[Module]:
    yield module
    for child in module.children():
        yield from _modules(child)


def linear_layers(net: Module) -> list[Linear]:
    """Every Linear layer of ``net`` in forward order, also those inside Residual blocks."""
    return [m for m in _modules(net) if isinstance(m, Linear)]


def _is_hidden_output(layer: Module) -> bool:
    return isinstance(layer, (Activation, Residual))


@dataclass(frozen=True)
class GradientProfile:
    """The gradient reaching every layer of a net for one batch (input side first).

    loss    L for the batch
    signal  ||dL/da_l||: the gradient arriving at the output a_l of hidden layer l (the output
            of an activation or of a Residual block), the signal backprop passes on to l
    weight  ||dL/dW_k||: the gradient of the weight matrix of every Linear layer k
    names   "hidden 1", ..., for ``signal``
    """

    loss: float
    signal: np.ndarray
    weight: np.ndarray

    def ratio(self, which: str = "signal") -> float:
        """First over last: 1e-6 means the layer next to the input receives a millionth of the
        gradient of the layer next to the output (vanishing); 1e6, a million times more
        (exploding)."""
        if which not in ("signal", "weight"):
            raise ValueError(f"GradientProfile.ratio: which must be 'signal' or 'weight', "
                             f"got {which!r}")
        return vanishing_ratio(self.signal if which == "signal" else self.weight)

    def per_layer(self, which: str = "signal") -> float:
        """The factor one layer multiplies the gradient by on its way back, on average:
        ratio ** (1 / (number of layers - 1)). Below 1 it shrinks, above 1 it grows."""
        ratio = self.ratio(which)
        steps = (self.signal if which == "signal" else self.weight).size - 1
        if not (math.isfinite(ratio) and ratio > 0):
            return ratio
        return float(ratio ** (1.0 / steps))

    def summary(self, label: str = "", layers=None) -> str:
        """One line of text: ||dL/da|| at a few hidden layers (1, every quarter of the depth,
        the last), first/last ratio and the factor per layer; e.g.
        "sigmoid: layer 1: 8.0e-19 | 5: 2.6e-14 | ... | 20: 3.1e-02 | first/last 2.6e-17,
        ×0.13 per layer"."""
        n = self.signal.size
        if layers is None:
            layers = sorted({1, *(max(1, round(n * q)) for q in (0.25, 0.5, 0.75)), n})
        bad = [k for k in layers if not (isinstance(k, (int, np.integer)) and 1 <= k <= n)]
        if bad:
            raise ValueError(f"GradientProfile.summary: layers run from 1 to {n}, got {bad}")
        parts = [f"{'layer ' if i == 0 else ''}{k}: {self.signal[k - 1]:.1e}"
                 for i, k in enumerate(layers)]
        tail = ""
        if n >= 2:
            tail = f" | first/last {self.ratio():.1e}, ×{self.per_layer():.2f} per layer"
        return (f"{label}: " if label else "") + " | ".join(parts) + tail


def gradient_profile(net: Sequential, X: np.ndarray, y: np.ndarray, loss_fn: Loss
                     ) -> GradientProfile:
    """One forward and backward pass on (X, y), measured layer by layer (see
    GradientProfile). Leaves the net as it was: the parameters' ``.grad`` and BatchNorm's
    running statistics are restored afterwards (BatchNorm uses the batch statistics, as in
    training). Overflow gives inf or NaN norms, not an error."""
    if not isinstance(net, Sequential):
        raise TypeError(f"gradient_profile: net must be a labkit Sequential, got "
                        f"{type(net).__name__}")
    linears = linear_layers(net)
    if not linears:
        raise ValueError("gradient_profile: the net has no Linear layer")
    params = net.parameters()
    saved = [p.grad.copy() for p in params]
    bns = [m for m in _modules(net) if isinstance(m, BatchNorm1d)]
    stats = [(m.running_mean.copy(), m.running_var.copy()) for m in bns]
    try:
        for p in params:
            p.grad.fill(0)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss = loss_fn(net(X), y)
            g = loss_fn.backward()
            signal = []
            for layer in reversed(net.layers):
                if _is_hidden_output(layer):
                    signal.append(np.sqrt(float(np.vdot(g, g))))
                g = layer.backward(g)
            weight = [np.sqrt(float(np.vdot(m.W.grad, m.W.grad))) for m in linears]
    finally:
        for p, saved_grad in zip(params, saved):
            p.grad[...] = saved_grad
        for m, (mean, var) in zip(bns, stats):
            m.running_mean[...] = mean
            m.running_var[...] = var
    return GradientProfile(float(loss), np.array(signal[::-1]), np.array(weight))


def vanishing_ratio(norms) -> float:
    """||dW|| of the first Linear layer divided by that of the last: 1e-6 means the layer next
    to the input receives a millionth of the gradient of the layer next to the output."""
    norms = np.asarray(norms, dtype=np.float64)
    if norms.ndim != 1 or norms.size < 2:
        raise ValueError(f"vanishing_ratio: need the norms of at least two layers, got "
                         f"shape {norms.shape}")
    if norms[-1] == 0:
        return math.inf if norms[0] > 0 else math.nan
    return float(norms[0] / norms[-1])
