"""Lesson 04, backprop (lessons/04_backprop.ipynb): the backward pass one step at a time.

Read compute.py, then figures.py, then widget.py:

    compute.py   the numbers the lesson prints: the backward pass recorded step by step
    figures.py   its figures: the network with forward and backward values, and the ledger
    widget.py    its widget: backprop_lab, the step-through

Here are the names the lesson imports (``from labkit.lessons.backprop import ...``).
"""
from .compute import trace_backward
from .figures import draw_backprop_step
from .widget import backprop_lab

__all__ = ["backprop_lab", "draw_backprop_step", "trace_backward"]
