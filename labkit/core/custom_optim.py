"""A learner's own update rule as an optimizer.

    def momentum_rule(param, grad, state):
        v = state.get("v", 0.0) * 0.9 + grad
        state["v"] = v
        return param - state["lr"] * v          # the new value of the parameter

    opt = lk.FunctionOptimizer(net.parameters(), momentum_rule, lr=0.1)

``rule(param, grad, state)`` sees copies-free views: ``param`` and ``grad`` are the parameter's
arrays, ``state`` is the parameter's own dict, which also holds the current ``lr`` and step
count ``t``. It returns the new value of the parameter, or None when it updated ``param`` in
place. Any object with ``zero_grad()`` and ``step()`` works with ``fit`` too.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .optim import Optimizer
from .parameter import Parameter

UpdateRule = Callable[[np.ndarray, np.ndarray, dict], "np.ndarray | None"]


class FunctionOptimizer(Optimizer):
    """Applies ``rule(param, grad, state)`` to every parameter at every step."""

    def __init__(self, params, rule: UpdateRule, lr: float = 0.01) -> None:
        if not callable(rule):
            raise TypeError(f"FunctionOptimizer: rule must be a function of (param, grad, "
                            f"state), got {type(rule).__name__}")
        super().__init__(params, dict(lr=lr))
        self.rule = rule

    def update(self, p: Parameter, g: np.ndarray, state: dict, group: dict) -> None:
        state["lr"], state["t"] = group["lr"], self.t
        new = self.rule(p.data, g, state)
        if new is None:
            return
        new = np.asarray(new)
        if new.shape != p.data.shape:
            raise ValueError(
                f"FunctionOptimizer: the rule returned shape {new.shape} for parameter "
                f"{p.name or '?'} of shape {p.data.shape}")
        p.data[...] = new

    def __repr__(self) -> str:
        return f"FunctionOptimizer({getattr(self.rule, '__name__', repr(self.rule))}, lr={self.lr})"
