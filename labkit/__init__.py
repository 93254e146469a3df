"""Backprop Lab's teaching library.

    import labkit as lk
    net = lk.Sequential(lk.Linear(2, 16), lk.Tanh(), lk.Linear(16, 1))

The core (``labkit.core``, numpy only) is imported here; the drawing layers ``lk.plot``
(matplotlib), ``lk.widgets`` (ipywidgets) and ``lk.course`` (exercises, grading) are imported
on first use, so ``import labkit`` needs numpy alone.
"""
from __future__ import annotations

import importlib

from .core import *  # noqa: F403
from .core import __all__ as _core_all

__version__ = "0.1.0"
_LAZY = ("diagnostics", "bridge", "plot", "widgets", "course")
__all__ = [*_core_all, *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'labkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
