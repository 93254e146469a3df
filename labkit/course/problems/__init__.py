"""Every graded problem of the exercises, by name."""
from __future__ import annotations

from . import backprop, batches, descent, forward, gradcheck, graphs, init, loss, optim
from .base import Misconception, Outcome, Problem, Verdict, judge, run_cases

PROBLEMS: dict[str, Problem] = {
    p.name: p
    for module in (forward, loss, descent, backprop, graphs, batches, gradcheck, init, optim)
    for p in module.PROBLEMS
}


def get_problem(name: str) -> Problem:
    if name not in PROBLEMS:
        raise KeyError(f"no problem named {name!r}; known problems: {sorted(PROBLEMS)}")
    return PROBLEMS[name]


__all__ = ["PROBLEMS", "Misconception", "Outcome", "Problem", "Verdict", "get_problem",
           "judge", "run_cases"]
