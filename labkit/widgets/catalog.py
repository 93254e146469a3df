"""Moved: the catalog of every lesson's widget (CATALOG) lives in ``labkit.lessons.catalog`` now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ..core._moved import moved


def __getattr__(name: str):
    return moved(__name__, name, lambda: importlib.import_module("labkit.lessons.catalog"))
