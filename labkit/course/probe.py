"""Kernel side of grading: run the learner's function on the grader's cases, send plain data.

The grader puts a probe cell after each graded part. It receives the cases as plain data
(inputs only: never a reference, an expected value or a hidden test), calls the learner's
function, and displays one JSON document of plain results under ``RESULTS_MIME``. The grader
reads that output of its own probe cells only, and decides every grade in its own process.

Inside the grading sandbox this module and ``plain.py`` are the whole of ``labkit.course``
(see sandbox.py), so they import nothing else of labkit.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .plain import from_plain, to_plain

RESULTS_MIME = "application/vnd.labkit.results+json"


@dataclass(frozen=True)
class Outcome:
    """What happened when the learner's function ran on one case (kernel side, plain)."""

    result: Any = None
    error: str | None = None          # "ValueError: message", "NotImplementedError", ...
    missing: bool = False             # the function is not defined at all


def _function_of_x(fn: Any, x: np.ndarray, eps: float) -> Any:
    """fn(f, x, eps) for f() = sum(x^3) + (sum of x)^2, a function that reads x itself (as the
    loss lk.check_gradients differentiates reads the network's parameters)."""
    def f() -> float:
        return float(np.sum(x ** 3) + np.sum(x) ** 2)
    return fn(f, x, eps)


# How a problem's function is called on a case when not as fn(*case) (Problem.call): a
# function cannot travel as plain data, so the kernel makes the one the case stands for.
CALLS = {"function_of_x": _function_of_x}


def call(fn: Any, args: tuple, how: str | None = None) -> Any:
    """fn on one case's arguments: fn(*args), or through ``CALLS[how]``."""
    return fn(*args) if how is None else CALLS[how](fn, *args)


def run_cases(fn: Any, cases: Sequence[tuple], how: str | None = None) -> list[Outcome]:
    """Calls fn on every case (through ``CALLS[how]`` when given); errors become words,
    results stay as returned."""
    if not callable(fn):
        return [Outcome(missing=True)]
    outcomes = []
    for args in cases:
        copies = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
        try:
            outcomes.append(Outcome(result=call(fn, copies, how)))
        except NotImplementedError:
            outcomes.append(Outcome(error="NotImplementedError"))
        except Exception as exc:  # the learner's bug, reported in one line
            outcomes.append(Outcome(error=f"{type(exc).__name__}: {str(exc)[:200]}"))
    return outcomes


def report(part: str, problem: str, fn: Any, cases_json: str, how: str | None = None) -> None:
    """Runs fn on the cases (through ``CALLS[how]`` when given) and displays the plain
    outcomes (one output of the probe cell)."""
    from IPython.display import display

    cases = [tuple(from_plain(a) for a in case) for case in json.loads(cases_json)]
    outcomes = run_cases(fn, cases, how)
    line = {"part": part, "problem": problem,
            "outcomes": [{"result": to_plain(o.result) if o.error is None else None,
                          "error": o.error, "missing": o.missing} for o in outcomes]}
    display({RESULTS_MIME: json.dumps(line)}, raw=True)
