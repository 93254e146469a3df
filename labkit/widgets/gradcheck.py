"""Moved: lesson 07's widget (gradcheck_lab) lives in ``labkit.lessons.gradient_checking.widget``
now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ..core._moved import moved


def __getattr__(name: str):
    return moved(__name__, name,
                 lambda: importlib.import_module("labkit.lessons.gradient_checking.widget"))
