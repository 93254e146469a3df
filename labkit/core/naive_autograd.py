"""Moved: lesson 05's naive recursion and its tools (naive_backward, count_paths, backward_steps)
live in ``labkit.lessons.computational_graphs`` now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ._moved import moved


def __getattr__(name: str):
    return moved(__name__, name,
                 lambda: importlib.import_module("labkit.lessons.computational_graphs.compute"))
