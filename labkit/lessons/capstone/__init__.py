"""Lesson 10, the capstone (lessons/10_capstone.ipynb): a digits classifier trained and
read. Its numbers come from the core (lk.fit, lk.confusion_matrix) and labkit.diagnostics,
so this lesson has no compute.py.

Read figures.py, then widget.py:

    figures.py   its figures: the training run, the gradient monitor, the confusion matrix, digits
    widget.py    its widget: digit_explorer, the test images one at a time

Here are the names the lesson imports (``from labkit.lessons.capstone import ...``).
"""
from .figures import plot_confusion_matrix, plot_digits, plot_gradient_monitor, plot_history
from .widget import digit_explorer

__all__ = ["digit_explorer", "plot_confusion_matrix", "plot_digits", "plot_gradient_monitor",
           "plot_history"]
