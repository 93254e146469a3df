"""Moved: the data sets (make_moons, load_digits, train_test_split, ...) live in
``labkit.datasets`` now, apart from the core.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ._moved import moved


def __getattr__(name: str):
    return moved(__name__, name, lambda: importlib.import_module("labkit.datasets"))
