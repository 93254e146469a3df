"""Plotting helpers (matplotlib). Each helper draws on ``ax`` when given (widgets pass their
own axes) or on a new pyplot figure of an explicit size, and returns the Axes. A lesson's own
figures live in its package, ``labkit.lessons.<lesson>.figures``."""
import importlib

from ..core._moved import through
from .activations import activation_and_derivative, plot_activation
from .base import new_axes
from .network import draw_network, node_positions

__all__ = ["activation_and_derivative", "draw_network", "new_axes", "node_positions",
           "plot_activation"]

# Figures follow the language labkit speaks: Chinese text gets a CJK fallback font
from ..core.i18n import on_language_change  # noqa: E402
from .fonts import follow_language  # noqa: E402

on_language_change(follow_language)


# --- the old names (one release): lesson figures that moved to labkit.lessons -------------
# each goes through its old module, a deprecation shim that warns and names the new home
_MOVED = {"plot_cost": "labkit.plot.gradcheck", "plot_epsilon_sweep": "labkit.plot.gradcheck",
          "plot_relative_errors": "labkit.plot.gradcheck", "draw_graph": "labkit.plot.graph",
          "graph_axes": "labkit.plot.graph", "plot_paths": "labkit.plot.optimizers",
          "plot_race": "labkit.plot.optimizers", "plot_schedules": "labkit.plot.optimizers"}


def __getattr__(name: str):
    if name in _MOVED:
        return through(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
