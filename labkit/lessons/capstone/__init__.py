"""Lesson 10, the capstone (lessons/10_capstone.ipynb): a digits classifier trained and
read. Its numbers come from the core (lk.fit, lk.confusion_matrix) and labkit.diagnostics,
so this lesson has no compute.py.

Read figures.py, then widget.py:

    figures.py   its figures: the training run, the gradient monitor, the confusion matrix, digits
    widget.py    its widget: digit_explorer, the test images one at a time

Here are the names the lesson imports (``from labkit.lessons.capstone import ...``).
"""
from .._lazy import lazy_exports

# what the lesson imports from each module, imported on first use (labkit/lessons/_lazy.py)
__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "figures": ["plot_confusion_matrix", "plot_digits", "plot_gradient_monitor", "plot_history"],
    "widget": ["digit_explorer"],
})
