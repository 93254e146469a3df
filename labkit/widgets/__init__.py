"""Widget builders (ipywidgets + matplotlib): each returns a ``Lab`` to display in a lesson."""
from .base import FigureView, Lab, Status
from .gradcheck import gradcheck_lab
from .graph import graph_lab
from .neuron import neuron_lab

__all__ = ["FigureView", "Lab", "Status", "neuron_lab"]
__all__ += ["graph_lab", "gradcheck_lab"]
from .optimizers import optimizers_lab  # noqa: E402

__all__ += ["optimizers_lab"]
