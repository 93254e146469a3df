"""Moved: lesson 01's forward-pass trace (forward_trace, set_linear, LayerTrace) live in
``labkit.lessons.forward_pass`` now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ._moved import moved


def __getattr__(name: str):
    return moved(__name__, name,
                 lambda: importlib.import_module("labkit.lessons.forward_pass.compute"))
