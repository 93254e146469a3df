"""Widget builders (ipywidgets + matplotlib): each returns a ``Lab`` to display in a lesson."""
from .base import FigureView, Lab, Status
from .neuron import neuron_lab

__all__ = ["FigureView", "Lab", "Status", "neuron_lab"]
