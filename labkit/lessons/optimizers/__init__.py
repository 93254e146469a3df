"""Lesson 09, optimizers (lessons/09_optimizers.ipynb): SGD, momentum, RMSprop and Adam
on lesson 03's surfaces. Its numbers come from the core (lk.optim) and from
labkit.lessons.gradient_descent (the surfaces and the runner), so this lesson has no compute.py.

Read figures.py, then widget.py:

    figures.py   its figures: several optimizers' paths on one surface, and learning-rate schedules
    widget.py    its widget: optimizers_lab, five optimizers on a 2-D surface

Here are the names the lesson imports (``from labkit.lessons.optimizers import ...``).
"""
from .._lazy import lazy_exports

# what the lesson imports from each module, imported on first use (labkit/lessons/_lazy.py)
__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "figures": ["optimizer_colors", "plot_race", "plot_schedules"],
    "widget": ["optimizers_lab"],
})
