"""Every graded problem of the exercises, by name, and the library formulas they ask for."""
from __future__ import annotations

from . import backprop, batches, descent, forward, gradcheck, graphs, init, loss, optim
from .base import Misconception, Outcome, Problem, Verdict, judge, run_cases

PROBLEMS: dict[str, Problem] = {
    p.name: p
    for module in (forward, loss, descent, backprop, graphs, batches, gradcheck, init, optim)
    for p in module.PROBLEMS
}

# function name -> the problem asking for that formula of the library (Problem.formula:
# labkit.core.layers.linear_backward, ..., the functions labkit's classes call)
FORMULAS: dict[str, Problem] = {p.function: p for p in PROBLEMS.values()
                                if p.formula is not None}


def get_problem(name: str) -> Problem:
    if name not in PROBLEMS:
        raise KeyError(f"no problem named {name!r}; known problems: {sorted(PROBLEMS)}")
    return PROBLEMS[name]


__all__ = ["FORMULAS", "PROBLEMS", "Misconception", "Outcome", "Problem", "Verdict",
           "get_problem", "judge", "run_cases"]
