"""Moved: lesson 05's widget (graph_lab) lives in ``labkit.lessons.computational_graphs.widget``
now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ..core._moved import moved


def __getattr__(name: str):
    return moved(__name__, name,
                 lambda: importlib.import_module("labkit.lessons.computational_graphs.widget"))
