"""Moved: lesson 02's losses as functions of p (cross_entropy_vs_p, mse_vs_p, classify_logits)
live in ``labkit.lessons.loss`` now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ._moved import moved


def __getattr__(name: str):
    return moved(__name__, name,
                 lambda: importlib.import_module("labkit.lessons.loss.compute"))
