"""Moved: lesson 04's step-by-step backward pass (trace_backward, worked_example) live in
``labkit.lessons.backprop`` now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ._moved import moved


def __getattr__(name: str):
    return moved(__name__, name,
                 lambda: importlib.import_module("labkit.lessons.backprop.compute"))
