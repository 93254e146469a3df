"""Lesson 03, gradient descent (lessons/03_gradient_descent.ipynb): loss surfaces
and an optimizer walking down them. Lesson 09 walks the same surfaces.

Read compute.py, then figures.py, then widget.py:

    compute.py   the numbers the lesson prints: the surfaces, the descent runner, a run's verdict
    figures.py   its figures: contours, gradient arrows, paths, loss curves, the 1-D slope
    widget.py    its widget: descent_lab, a surface, a learning rate and a start

Here are the names the lesson imports (``from labkit.lessons.gradient_descent import ...``).
"""
from .._lazy import lazy_exports

# what the lesson imports from each module, imported on first use (labkit/lessons/_lazy.py)
__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "compute": ["Descent", "Quadratic", "descend", "describe_run", "get_surface"],
    "figures": ["plot_gradient_arrows", "plot_losses", "plot_runs", "plot_slope", "plot_surface",
                "plot_trajectory"],
    "widget": ["descent_lab"],
})
