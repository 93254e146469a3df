"""Lesson 08, vanishing and exploding gradients (lessons/08_vanishing_exploding.ipynb): deep
MLPs built from a few settings. What reaches each of their layers is measured by
``labkit.diagnostics.gradient_profile``.

    net = deep_mlp(depth=20, width=32, activation="sigmoid")            # vanishes
    net = deep_mlp(depth=20, width=32, activation="relu", init="he")    # healthy
    profile = gradient_profile(net, X, y, CrossEntropyLoss())   # labkit.diagnostics
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

The module holds the lesson's numbers (numpy only); its figures are ``labkit.plot.diagnostics``'
and its widget is in widget.py, next to this file.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from ...core.i18n import _
from ...core.layers import ACTIVATIONS, INITS, Activation, LeakyReLU, Linear, Sequential
from ...core.module import Module, check_int, check_number
from ...core.normalization import BatchNorm1d
from ...core.random import get_rng
from ...core.residual import Residual

ACTIVATION_NAMES = tuple(ACTIVATIONS)   # the one activation registry's names (core.layers)


def make_activation(name: str, alpha: float = 0.01) -> Activation:
    """The activation layer called ``name`` ("sigmoid", "tanh", "relu", "leaky_relu" with
    slope ``alpha`` for z < 0, "identity")."""
    if name not in ACTIVATIONS:
        raise ValueError(f"deep_mlp: activation must be one of {ACTIVATION_NAMES}, got {name!r}")
    return LeakyReLU(alpha) if name == "leaky_relu" else ACTIVATIONS[name]()


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
    depth = check_int("deep_mlp", "depth", depth)
    width = check_int("deep_mlp", "width", width)
    in_features = check_int("deep_mlp", "in_features", in_features)
    out_features = check_int("deep_mlp", "out_features", out_features)
    if activation not in ACTIVATION_NAMES:
        raise ValueError(f"deep_mlp: activation must be one of {ACTIVATION_NAMES}, "
                         f"got {activation!r}")
    _check_init(init)
    scale = check_number("deep_mlp", "scale", scale)
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
        if init == "default":     # one phrase: a translation may not put a name before "init"
            words = _("default init ×{scale:g}") if self.scale != 1.0 else _("default init")
        else:
            init = {"xavier": "Xavier", "he": "He", "zeros": _("zeros")}.get(init, init)
            words = _("{init} init ×{scale:g}") if self.scale != 1.0 else _("{init} init")
        parts = [self.activation, words.format(init=init, scale=self.scale)]
        parts.append(_("depth {depth}").format(depth=self.depth))
        if self.residual:
            parts.append(_("residual"))
        if self.batch_norm:
            parts.append(_("batch norm"))
        return ", ".join(parts)
