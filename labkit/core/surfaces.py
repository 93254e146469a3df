"""Moved: lesson 03's loss surfaces and descent runner (get_surface, descend, describe_run) live
in ``labkit.lessons.gradient_descent`` now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ._moved import moved


def __getattr__(name: str):
    return moved(__name__, name,
                 lambda: importlib.import_module("labkit.lessons.gradient_descent.compute"))
