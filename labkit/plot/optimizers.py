"""Moved: lesson 09's figures (plot_paths, plot_race, plot_schedules, optimizer_colors) live in
``labkit.lessons.optimizers.figures`` now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ..core._moved import moved


def __getattr__(name: str):
    return moved(__name__, name,
                 lambda: importlib.import_module("labkit.lessons.optimizers.figures"))
