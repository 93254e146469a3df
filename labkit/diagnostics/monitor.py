"""GradientMonitor: what fit records per step, layer by layer, for watching a run.

Every ``every`` steps, for every layer with parameters (keyed like fit's grad_norms: "0", "2"):
    grad_norm[layer]     ||dL/dtheta||
    update_ratio[layer]  ||theta_after - theta_before|| / ||theta_before||  (healthy: ~1e-3)
and for every layer of the net (keyed "0 Linear", "1 Tanh", ...), from a forward pass on the
batch: act_mean, act_std and saturated (fraction of units with |f'(z)| < 0.05).
"""
from __future__ import annotations

import numpy as np

from ..core.layers import Sequential
from ..core.module import check_int
from ..core.optim import grad_norm
from ..core.train import layer_groups
from .probe import _check_net, layer_names, probe


class GradientMonitor:
    """Pass as ``lk.fit(..., monitor=GradientMonitor())``; read its lists afterwards."""

    def __init__(self, every: int = 1, activations: bool = True) -> None:
        self.every = check_int("GradientMonitor", "every", every)
        self.activations = activations
        self.steps: list[int] = []
        self.grad_norm: dict[str, list[float]] = {}
        self.update_ratio: dict[str, list[float]] = {}
        self.act_mean: dict[str, list[float]] = {}
        self.act_std: dict[str, list[float]] = {}
        self.saturated: dict[str, list[float]] = {}
        self._before: dict[str, list[np.ndarray]] | None = None

    def before_update(self, step: int, net: Sequential, X_batch: np.ndarray) -> None:
        if (step - 1) % self.every:
            self._before = None
            return
        _check_net(net, "GradientMonitor")
        self.steps.append(step)
        groups = layer_groups(net)
        self._before = {name: [p.data.copy() for p in params] for name, params in groups.items()}
        for name, params in groups.items():
            self.grad_norm.setdefault(name, []).append(grad_norm(params))
        if self.activations:
            for stats in probe(net, X_batch):
                self.act_mean.setdefault(stats.name, []).append(stats.mean)
                self.act_std.setdefault(stats.name, []).append(stats.std)
                self.saturated.setdefault(stats.name, []).append(stats.saturated)

    def after_update(self, step: int, net: Sequential) -> None:
        if self._before is None:
            return
        for name, params in layer_groups(net).items():
            before = self._before[name]
            delta = np.sqrt(sum(float(np.sum((p.data - b) ** 2)) for p, b in zip(params, before)))
            size = np.sqrt(sum(float(np.sum(b * b)) for b in before))
            self.update_ratio.setdefault(name, []).append(float(delta / size) if size else 0.0)
        self._before = None

    def layers(self, net: Sequential) -> list[str]:
        return layer_names(net)
