"""``use_mine``: labkit runs on the learner's own formula, as in minitorch.

Each formula an exercise asks for (``linear_backward``, ``adam_step``, ...) is a function of
labkit's core that its classes call: ``lk.Linear.backward`` calls
``labkit.core.layers.linear_backward``. Once the learner's function passes its check,

    use_mine(linear_backward)

puts it in that place: from then on every ``lk.Linear`` backpropagates with the learner's
code, until ``restore_library()`` puts labkit's own back (or, for ``with use_mine(...):``,
until the end of the block). That is all it changes: one name in one module.

It never changes a verdict: the checks compare with labkit's own formulas (``shipped``), and
the grader does not run the cells that use it (they carry ``labkit.grading = "skip"``, and in
the grading kernel ``use_mine`` does nothing: sandbox_check.py).
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType

from ..core.i18n import _
from .checks import CheckFailed, evaluate
from .problems import FORMULAS

_SWAPPED: dict[str, Callable] = {}     # formula name -> the learner's function now in place


def _module(name: str) -> ModuleType:
    return sys.modules[FORMULAS[name].formula.__module__]


class Mine:
    """The formulas one ``use_mine`` call put in place; a context manager that puts labkit's
    own back at its end."""

    def __init__(self, names: list[str]) -> None:
        self.names = names

    def __enter__(self) -> Mine:
        return self

    def __exit__(self, *exc) -> None:
        restore_library(*self.names, quiet=True)

    def __repr__(self) -> str:
        return f"use_mine({', '.join(self.names)})"


def use_mine(*functions: Callable, check: bool = True) -> Mine:
    """Makes labkit call each of your ``functions`` in place of its own formula of the same
    name. Each must pass its check first (``check=False`` skips it: then a wrong formula
    really runs inside labkit, which a gradient check will show)."""
    if not functions:
        raise CheckFailed(_("use_mine needs your functions, e.g. use_mine(linear_backward)"))
    names = []
    for fn in functions:
        name = getattr(fn, "__name__", None)
        if not callable(fn) or name not in FORMULAS:
            raise CheckFailed(_("use_mine: {name} is not one of the formulas labkit's classes "
                                "call ({formulas})").format(
                                    name=name or type(fn).__name__,
                                    formulas=", ".join(sorted(FORMULAS))))
        if check:
            # the library calls the current form only: a legacy one never passes here
            verdict = evaluate(FORMULAS[name].name, fn, older=False)
            if not verdict.passed:
                raise CheckFailed(_("{feedback}; labkit keeps its own {name} until yours "
                                    "passes").format(feedback=verdict.feedback, name=name))
        names.append(name)
    for fn, name in zip(functions, names):
        setattr(_module(name), name, fn)
        _SWAPPED[name] = fn
    called = [n for n in names if not _module(n).__name__.startswith("labkit.lessons.")]
    lesson_only = [n for n in names if n not in called]
    if called:
        print("\u2713 " + _("labkit now calls your {names} (in {modules}); restore_library() "
                            "puts labkit's own back").format(
            names=", ".join(called),
            modules=", ".join(sorted({_module(n).__name__ for n in called}))))
    if lesson_only:   # a lesson's own function (run_gd, ...): no labkit class calls it
        print("\u2713 " + _("your {names} stands in for the lesson's own in {modules}, but no "
                            "labkit class calls it: call it yourself").format(
            names=", ".join(lesson_only),
            modules=", ".join(sorted({_module(n).__name__ for n in lesson_only}))))
    return Mine(names)


def restore_library(*names: str | Callable, quiet: bool = False) -> None:
    """Puts labkit's own formulas back in place of yours (all of them, or those named: names
    or your functions)."""
    wanted = [n if isinstance(n, str) else getattr(n, "__name__", "") for n in names]
    restored = [name for name in wanted or list(_SWAPPED) if _SWAPPED.pop(name, None)]
    for name in restored:
        setattr(_module(name), name, FORMULAS[name].formula)
    if restored and not quiet:
        print(_("labkit calls its own {names} again").format(names=", ".join(restored)))


@contextmanager
def shipped() -> Iterator[None]:
    """labkit's own formulas in place for the duration (the learner's are put back after):
    what a check compares with never depends on what ``use_mine`` swapped in."""
    swapped = dict(_SWAPPED)
    for name in swapped:
        setattr(_module(name), name, FORMULAS[name].formula)
    try:
        yield
    finally:
        for name, fn in swapped.items():
            setattr(_module(name), name, fn)
