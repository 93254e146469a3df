"""Moved: lesson 03's figures (plot_surface, plot_trajectory, plot_losses, plot_runs, ...) live in
``labkit.lessons.gradient_descent.figures`` now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ..core._moved import moved


def __getattr__(name: str):
    return moved(__name__, name,
                 lambda: importlib.import_module("labkit.lessons.gradient_descent.figures"))
