"""Moved: lesson 07's gradient-checking study (BUGS, make_study_net, epsilon_sweep) live in
``labkit.lessons.gradient_checking`` now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ._moved import moved


def __getattr__(name: str):
    return moved(__name__, name,
                 lambda: importlib.import_module("labkit.lessons.gradient_checking.compute"))
