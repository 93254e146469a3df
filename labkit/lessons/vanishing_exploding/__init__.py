"""Lesson 08, vanishing and exploding gradients (lessons/08_vanishing_exploding.ipynb):
deep MLPs from a few settings. Its figures are labkit.plot.diagnostics' (lesson 09 draws
with them too), so this lesson has no figures.py.

Read compute.py, then widget.py:

    compute.py   the numbers the lesson prints: deep MLPs built from a few settings
    widget.py    its widget: vanishing_lab, depth, activation, initialization and the fixes

Here are the names the lesson imports (``from labkit.lessons.vanishing_exploding import ...``).
"""
from .._lazy import lazy_exports

# what the lesson imports from each module, imported on first use (labkit/lessons/_lazy.py)
__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "compute": ["MLPSettings"],
    "widget": ["vanishing_lab"],
})
