"""Lesson 07, gradient checking (lessons/07_gradient_checking.ipynb): finite differences
against backprop.

Read compute.py, then figures.py, then widget.py:

    compute.py   the numbers the lesson prints: the injected bugs, the eps sweep, the cost study
    figures.py   its figures: relative errors, the eps trade-off, the cost against P
    widget.py    its widget: gradcheck_lab, a check with a chosen eps, dtype and bug

Here are the names the lesson imports (``from labkit.lessons.gradient_checking import ...``).
"""
from .._lazy import lazy_exports

# what the lesson imports from each module, imported on first use (labkit/lessons/_lazy.py)
__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "compute": ["BUGS", "cost_net", "count_passes", "epsilon_sweep", "format_report",
                "make_study_net", "measure_cost", "study_data"],
    "figures": ["plot_cost", "plot_epsilon_sweep", "plot_relative_errors"],
    "widget": ["gradcheck_lab"],
})
