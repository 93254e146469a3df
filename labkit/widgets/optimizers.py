"""Moved: lesson 09's widget (optimizers_lab) lives in ``labkit.lessons.optimizers.widget`` now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ..core._moved import moved


def __getattr__(name: str):
    return moved(__name__, name,
                 lambda: importlib.import_module("labkit.lessons.optimizers.widget"))
