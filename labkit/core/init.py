"""Weight initialization, as ``torch.nn.init``: each ``..._`` function fills a Parameter in
place (drawing from ``rng``) and returns it.

A weight W of shape (out, in) has fan_in = in and fan_out = out.
    default (torch.nn.Linear):  W, b ~ U(-1/sqrt(fan_in), +1/sqrt(fan_in))
    Xavier/Glorot (tanh):       std = sqrt(2 / (fan_in + fan_out))
    He/Kaiming (ReLU):          std = sqrt(2 / fan_in)
"""
from __future__ import annotations

import math

from .parameter import Parameter
from .random import get_rng


def init_std(scheme: str, fan_in: int, fan_out: int) -> float:
    """The std of W ~ N(0, std^2) that keeps the signal's scale from layer to layer:
    "xavier": sqrt(2 / (fan_in + fan_out)),  "he": sqrt(2 / fan_in)."""
    if scheme == "xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    if scheme == "he":
        return math.sqrt(2.0 / fan_in)
    raise ValueError(f"init_std: scheme must be 'xavier' or 'he', got {scheme!r}")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """torch.nn.init.calculate_gain: 1 for linear and sigmoid, 5/3 for tanh, sqrt(2) for relu,
    sqrt(2 / (1 + slope^2)) for leaky_relu (slope ``param``, default 0.01)."""
    if nonlinearity in ("linear", "identity", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope ** 2))
    raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}")


def _fans(p: Parameter) -> tuple[int, int]:
    if p.data.ndim != 2:
        raise ValueError(f"{p!r}: fan_in/fan_out need a 2-D weight (out, in), got {p.shape}")
    fan_out, fan_in = p.data.shape
    return fan_in, fan_out


def uniform_(p: Parameter, a: float = 0.0, b: float = 1.0, rng=None) -> Parameter:
    """p ~ U(a, b)."""
    p.data[...] = get_rng(rng).uniform(a, b, size=p.shape)
    return p


def normal_(p: Parameter, mean: float = 0.0, std: float = 1.0, rng=None) -> Parameter:
    """p ~ N(mean, std^2)."""
    p.data[...] = mean + std * get_rng(rng).standard_normal(p.shape)
    return p


def constant_(p: Parameter, val: float) -> Parameter:
    p.data[...] = val
    return p


def zeros_(p: Parameter) -> Parameter:
    return constant_(p, 0.0)


def ones_(p: Parameter) -> Parameter:
    return constant_(p, 1.0)


def xavier_uniform_(p: Parameter, gain: float = 1.0, rng=None) -> Parameter:
    """W ~ U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)) (the std of xavier_normal_)."""
    fan_in, fan_out = _fans(p)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(p, -a, a, rng)


def xavier_normal_(p: Parameter, gain: float = 1.0, rng=None) -> Parameter:
    """W ~ N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(p)
    return normal_(p, 0.0, gain * init_std("xavier", fan_in, fan_out), rng)


def _kaiming_std(p: Parameter, a: float, mode: str, nonlinearity: str) -> float:
    fan_in, fan_out = _fans(p)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(p: Parameter, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", rng=None) -> Parameter:
    """He uniform: W ~ U(-bound, bound), bound = sqrt(3) * gain / sqrt(fan)."""
    bound = math.sqrt(3.0) * _kaiming_std(p, a, mode, nonlinearity)
    return uniform_(p, -bound, bound, rng)


def kaiming_normal_(p: Parameter, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", rng=None) -> Parameter:
    """He normal: W ~ N(0, std^2), std = gain / sqrt(fan) (= sqrt(2 / fan_in) for ReLU)."""
    return normal_(p, 0.0, _kaiming_std(p, a, mode, nonlinearity), rng)
