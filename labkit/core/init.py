"""Weight initializers, as ``torch.nn.init``: each fills a Parameter in place from ``rng``.

fan_in and fan_out of a weight W of shape (out, in) are in and out.
- default (torch.nn.Linear): W, b ~ U(-1/sqrt(fan_in), +1/sqrt(fan_in))
- Xavier/Glorot (tanh, sigmoid): Var(W) = gain^2 * 2 / (fan_in + fan_out)
- He/Kaiming (ReLU): Var(W) = 2 / fan_in
"""
from __future__ import annotations

import math

import numpy as np

from .parameter import Parameter
from .random import get_rng

GAINS = {"linear": 1.0, "identity": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0, "relu": math.sqrt(2.0)}


def _fans(p: Parameter) -> tuple[int, int]:
    if p.data.ndim != 2:
        raise ValueError(f"{p!r}: fan_in/fan_out need a 2-D weight (out, in), got {p.shape}")
    fan_out, fan_in = p.data.shape
    return fan_in, fan_out


def _fill(p: Parameter, values: np.ndarray) -> Parameter:
    p.data[...] = values
    return p


def uniform_(p: Parameter, low: float, high: float, rng=None) -> Parameter:
    return _fill(p, get_rng(rng).uniform(low, high, size=p.shape))


def normal_(p: Parameter, std: float, rng=None) -> Parameter:
    return _fill(p, std * get_rng(rng).standard_normal(p.shape))


def zeros_(p: Parameter) -> Parameter:
    return _fill(p, 0.0)


def xavier_uniform_(p: Parameter, gain: float = 1.0, rng=None) -> Parameter:
    """W ~ U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(p)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(p, -a, a, rng)


def xavier_normal_(p: Parameter, gain: float = 1.0, rng=None) -> Parameter:
    """W ~ N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(p)
    return normal_(p, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng)


def kaiming_uniform_(p: Parameter, gain: float = math.sqrt(2.0), rng=None) -> Parameter:
    """He uniform: W ~ U(-a, a), a = gain * sqrt(3 / fan_in)."""
    fan_in, _ = _fans(p)
    a = gain * math.sqrt(3.0 / fan_in)
    return uniform_(p, -a, a, rng)


def kaiming_normal_(p: Parameter, gain: float = math.sqrt(2.0), rng=None) -> Parameter:
    """He normal: W ~ N(0, std^2), std = gain / sqrt(fan_in) (= sqrt(2 / fan_in) for ReLU)."""
    fan_in, _ = _fans(p)
    return normal_(p, gain / math.sqrt(fan_in), rng)


he_normal_ = kaiming_normal_
he_uniform_ = kaiming_uniform_
