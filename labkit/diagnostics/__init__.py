"""Gradient diagnostics for any Sequential: layer statistics of one pass (``probe``), the same
pass read for vanishing and exploding gradients (``gradient_profile``) and per-step records of
a training run (``GradientMonitor``). Above the core, below plotting."""
from .monitor import GradientMonitor
from .probe import (
    GradientProfile,
    LayerStats,
    gradient_profile,
    layer_names,
    linear_layers,
    preserved_state,
    probe,
    saturated_fraction,
    vanishing_ratio,
)

__all__ = ["GradientMonitor", "GradientProfile", "LayerStats", "gradient_profile",
           "layer_names", "linear_layers", "preserved_state", "probe", "saturated_fraction",
           "vanishing_ratio"]
