"""Moved: lesson 01's network drawing with forward values (draw_forward, update_forward) live in
``labkit.lessons.forward_pass.figures`` now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ..core._moved import moved


def __getattr__(name: str):
    return moved(__name__, name,
                 lambda: importlib.import_module("labkit.lessons.forward_pass.figures"))
