"""Lesson 01, the forward pass (lessons/01_forward_pass.ipynb): what each layer of a small
network computes.

Read compute.py, then figures.py, then widget.py:

    compute.py   the numbers the lesson prints: a forward pass recorded layer by layer (z, a)
    figures.py   its figures: the network drawn with its weights and forward values
    widget.py    its widget: forward_lab, a slider for every weight and bias

Here are the names the lesson imports (``from labkit.lessons.forward_pass import ...``).
"""
from .._lazy import lazy_exports

# what the lesson imports from each module, imported on first use (labkit/lessons/_lazy.py)
__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "compute": ["forward_trace", "set_linear"],
    "figures": ["draw_forward"],
    "widget": ["forward_lab"],
})
