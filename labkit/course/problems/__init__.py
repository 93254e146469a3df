"""Every graded problem of the exercises, by name, and the library formulas they ask for."""
from __future__ import annotations

from . import backprop, batches, descent, forward, gradcheck, graphs, init, loss, optim
from .base import Misconception, Outcome, Problem, Verdict, judge, judge_forms, run_cases

PROBLEMS: dict[str, Problem] = {
    p.name: p
    for module in (forward, loss, descent, backprop, graphs, batches, gradcheck, init, optim)
    for p in module.PROBLEMS
}

# function name -> the problem asking for that formula of the library (Problem.formula:
# labkit.core.layers.linear_backward, ..., the functions labkit's classes call)
FORMULAS: dict[str, Problem] = {p.function: p for p in PROBLEMS.values()
                                if p.formula is not None}


# a problem's legacy form (Problem.older), by its own name: the grader draws its cases and
# names its probe as any problem's; it is no formula, and no part asks for it by name
OLDER_FORMS: dict[str, Problem] = {p.older.name: p.older for p in PROBLEMS.values()
                                   if p.older is not None}


def get_problem(name: str) -> Problem:
    """The problem of that name, or the legacy form of that name."""
    found = PROBLEMS.get(name) or OLDER_FORMS.get(name)
    if found is None:
        raise KeyError(f"no problem named {name!r}; known problems: {sorted(PROBLEMS)}")
    return found


__all__ = ["FORMULAS", "OLDER_FORMS", "PROBLEMS", "Misconception", "Outcome", "Problem",
           "Verdict", "get_problem", "judge", "judge_forms", "run_cases"]
