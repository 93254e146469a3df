"""Widget builders (ipywidgets + matplotlib): each returns a ``Lab`` to display in a lesson. A
lesson's own widget lives in its package, ``labkit.lessons.<lesson>.widget``; the welcome
lesson's ``neuron_lab`` is here."""
import importlib

from ..core._moved import through
from .base import FigureView, Lab, Status
from .neuron import neuron_lab

__all__ = ["FigureView", "Lab", "Status", "neuron_lab"]


# --- the old names (one release): lesson widgets that moved to labkit.lessons -------------
# each goes through its old module, a deprecation shim that warns and names the new home
_MOVED = {"graph_lab": "labkit.widgets.graph", "gradcheck_lab": "labkit.widgets.gradcheck",
          "optimizers_lab": "labkit.widgets.optimizers"}


def __getattr__(name: str):
    if name in _MOVED:
        return through(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
