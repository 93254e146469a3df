"""A lesson package's names, each imported the first time it is asked for (PEP 562).

A lesson package re-exports the names its notebook uses from compute.py, figures.py and
widget.py. Python runs a package's ``__init__`` before any module inside it, so if that
``__init__`` imported all three, ``import labkit.lessons.vectorization.compute`` (as
labkit.course's problems do, for the numbers alone) would import matplotlib and ipywidgets too,
and ``from labkit.course import check`` took most of a second instead of a quarter. Instead each
``__init__`` gives its table of what comes from where to ``lazy_exports``:

    __all__, __getattr__, __dir__ = lazy_exports(__name__, {
        "compute": ["trace_backward"],
        "figures": ["draw_backprop_step"],
        "widget": ["backprop_lab"],
    })

``from labkit.lessons.backprop import backprop_lab`` then imports widget.py (and whatever it
needs) at that line, and ``labkit.lessons.backprop.compute`` imports compute.py alone.
"""
from __future__ import annotations

import importlib
import sys
from collections.abc import Callable


def lazy_exports(package: str, table: dict[str, list[str]]
                 ) -> tuple[list[str], Callable[[str], object], Callable[[], list[str]]]:
    """The ``__all__``, ``__getattr__`` and ``__dir__`` of the package ``package`` whose
    ``table`` maps each of its modules to the names it re-exports from it. A name (or one of
    the modules, ``lk.lessons.backprop.figures``) is imported on first use and then kept in the
    package, so later uses are plain attribute look-ups."""
    home = {name: module for module, names in table.items() for name in names}

    def __getattr__(name: str) -> object:
        if name in table:
            return importlib.import_module(f"{package}.{name}")
        if name not in home:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{home[name]}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(table) | set(home))

    return sorted(home), __getattr__, __dir__
