"""Gradient diagnostics for any Sequential: layer statistics of one pass (``probe``) and
per-step records of a training run (``GradientMonitor``). Above the core, below plotting."""
from .monitor import GradientMonitor
from .probe import LayerStats, layer_names, preserved_state, probe, saturated_fraction

__all__ = ["GradientMonitor", "LayerStats", "layer_names", "preserved_state", "probe",
           "saturated_fraction"]
