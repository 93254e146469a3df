"""Moved: lesson 06's widget (batches_lab) lives in ``labkit.lessons.vectorization.widget`` now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ..core._moved import moved


def __getattr__(name: str):
    return moved(__name__, name,
                 lambda: importlib.import_module("labkit.lessons.vectorization.widget"))
