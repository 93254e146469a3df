"""Moved: lesson 10's figures (plot_history, plot_gradient_monitor, plot_confusion_matrix,
plot_digits, ...) live in ``labkit.lessons.capstone.figures`` now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ..core._moved import moved


def __getattr__(name: str):
    return moved(__name__, name, lambda: importlib.import_module("labkit.lessons.capstone.figures"))
