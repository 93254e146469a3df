"""What an old import path does for one release after its module moved (ARCHITECTURE.md).

A moved module leaves a shim at its old path whose only code is a module ``__getattr__``:

    def __getattr__(name: str):
        return moved(__name__, name, lambda: importlib.import_module("labkit.lessons.loss.compute"))

``moved`` imports the new module on first use (so the shim costs nothing until it is used and
the lower layer never imports the higher one at import time), warns with a DeprecationWarning
that names the new home, and returns the object itself: old and new paths give the same
objects. tests/test_architecture.py allows exactly these shims, and no other code, to name a
higher layer.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable
from types import ModuleType


def moved(old: str, name: str, new_module: Callable[[], ModuleType]) -> object:
    """``name`` from the module ``new_module()`` returns, with a DeprecationWarning that the
    module ``old`` moved there. Dunder names (``__path__``, ``__wrapped__``, ... asked by the
    import system and by tools) are not forwarded."""
    if name.startswith("__") and name.endswith("__"):
        raise AttributeError(f"module {old!r} has no attribute {name!r}")
    module = new_module()
    try:
        value = getattr(module, name)
    except AttributeError:
        raise AttributeError(f"module {old!r} has no attribute {name!r} (the module moved to "
                             f"{module.__name__})") from None
    warnings.warn(f"{old}.{name} moved: use `from {module.__name__} import {name}` ({old} "
                  f"goes in the next release)", DeprecationWarning, stacklevel=3)
    return value


def through(shim: ModuleType, name: str) -> object:
    """``name`` from the shim module ``shim``, for a package's ``__getattr__`` that keeps an old
    shortcut (``lk.plot.plot_race``) working through the old module it came from: the shim's
    DeprecationWarning is given again so that it points at the line that asked the package."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        value = getattr(shim, name)
    for warning in caught:
        warnings.warn(warning.message, warning.category, stacklevel=3)
    return value
