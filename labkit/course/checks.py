"""``check``: the learner's feedback call in an exercise notebook.

    check("linear_backward", linear_backward)

runs the function on fresh random cases (new shapes and values every time), and either prints
one line saying it passed or stops the cell with one line naming the likely misconception:
never a wall of traceback, never the expected numbers. Grading does not use this function:
the grader compares results in its own process (see grader.py).
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ..core.i18n import _
from .plain import from_plain, to_plain
from .problems import Outcome, Verdict, get_problem, judge_forms, run_cases


class CheckFailed(AssertionError):
    """A failed check; shown in Jupyter as its one-line message, without a traceback."""

    def _render_traceback_(self) -> list[str]:  # IPython's hook for custom error display
        return [f"\u2717 {self}"]


def through_plain(outcomes: list[Outcome]) -> list[Outcome]:
    """Outcomes as the grader would see them: results reduced to plain data and back."""
    return [Outcome(result=from_plain(to_plain(o.result)) if o.error is None else None,
                    error=o.error, missing=o.missing) for o in outcomes]


def evaluate(name: str, fn: Any, cases: int = 8, seed: int | None = None,
             older: bool = True) -> Verdict:
    """The verdict on fn for ``cases`` random cases (``seed`` None: fresh randomness),
    judged against labkit's own formulas even where ``use_mine`` swapped the learner's in.
    ``older``: fn may also be written to the problem's legacy form (``judge_forms``)."""
    from .mine import shipped  # mine builds on this module

    problem = get_problem(name)
    rng = np.random.default_rng(seed)
    runs = {}
    for form in problem.forms if older else (problem,):
        drawn = form.cases(rng, cases)
        runs[form.name] = (drawn, through_plain(run_cases(fn, drawn, form.call)))
    with shipped():
        return judge_forms(problem, runs)


def check(name: str, fn: Any, cases: int = 8, seed: int | None = None) -> None:
    """Prints "✓ ..." when fn solves the problem ``name``; raises CheckFailed otherwise."""
    verdict = evaluate(name, fn, cases, seed)
    if not verdict.passed:
        raise CheckFailed(verdict.feedback)
    print(f"\u2713 {verdict.feedback}")


def _name_error_in_one_line(shell: Any, etype: type, value: BaseException, tb: Any,
                            tb_offset: int | None = None) -> None:
    """A check run before the cell that defines its function: one line, not a traceback."""
    shell._showtraceback(etype, value, ["\u2717 " + _(
        "{error}: run the cell that defines it first (or check its spelling)").format(
            error=value)])


def _install_in_ipython() -> None:
    ipython = sys.modules.get("IPython")    # loaded already inside Jupyter; never imported here
    if ipython is None:                     # plain Python: nothing to install
        return
    shell = ipython.get_ipython()
    if shell is not None and hasattr(shell, "_showtraceback"):
        shell.set_custom_exc((NameError,), _name_error_in_one_line)


_install_in_ipython()
