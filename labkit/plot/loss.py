"""Moved: lesson 02's figures (plot_ce_and_mse_vs_p, the softmax bars and logit gradients) live in
``labkit.lessons.loss.figures`` now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ..core._moved import moved


def __getattr__(name: str):
    return moved(__name__, name, lambda: importlib.import_module("labkit.lessons.loss.figures"))
