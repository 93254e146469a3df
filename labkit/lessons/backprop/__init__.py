"""Lesson 04, backprop (lessons/04_backprop.ipynb): the backward pass one step at a time.

Read compute.py, then figures.py, then widget.py:

    compute.py   the numbers the lesson prints: the backward pass recorded step by step
    figures.py   its figures: the network with forward and backward values, and the ledger
    widget.py    its widget: backprop_lab, the step-through

Here are the names the lesson imports (``from labkit.lessons.backprop import ...``).
"""
from .._lazy import lazy_exports

# what the lesson imports from each module, imported on first use (labkit/lessons/_lazy.py)
__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "compute": ["trace_backward"],
    "figures": ["draw_backprop_step"],
    "widget": ["backprop_lab"],
})
