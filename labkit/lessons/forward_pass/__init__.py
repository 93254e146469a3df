"""Lesson 01, the forward pass (lessons/01_forward_pass.ipynb): what each layer of a small
network computes.

Read compute.py, then figures.py, then widget.py:

    compute.py   the numbers the lesson prints: a forward pass recorded layer by layer (z, a)
    figures.py   its figures: the network drawn with its weights and forward values
    widget.py    its widget: forward_lab, a slider for every weight and bias

Here are the names the lesson imports (``from labkit.lessons.forward_pass import ...``).
"""
from .compute import forward_trace, set_linear
from .figures import draw_forward
from .widget import forward_lab

__all__ = ["draw_forward", "forward_lab", "forward_trace", "set_linear"]
