"""Moved: lesson 04's figures (draw_backprop_step, BackpropDiagram, ledger_rows) live in
``labkit.lessons.backprop.figures`` now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ..core._moved import moved


def __getattr__(name: str):
    return moved(__name__, name, lambda: importlib.import_module("labkit.lessons.backprop.figures"))
