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


def run_cases(fn: Any, cases: Sequence[tuple]) -> list[Outcome]:
    """Calls fn on every case; errors become words, results stay as returned."""
    if not callable(fn):
        return [Outcome(missing=True)]
    outcomes = []
    for args in cases:
        copies = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
        try:
            outcomes.append(Outcome(result=fn(*copies)))
        except NotImplementedError:
            outcomes.append(Outcome(error="NotImplementedError"))
        except Exception as exc:  # the learner's bug, reported in one line
            outcomes.append(Outcome(error=f"{type(exc).__name__}: {str(exc)[:200]}"))
    return outcomes


def report(part: str, problem: str, fn: Any, cases_json: str) -> None:
    """Runs fn on the cases and displays the plain outcomes (one output of the probe cell)."""
    from IPython.display import display

    cases = [tuple(from_plain(a) for a in case) for case in json.loads(cases_json)]
    outcomes = run_cases(fn, cases)
    line = {"part": part, "problem": problem,
            "outcomes": [{"result": to_plain(o.result) if o.error is None else None,
                          "error": o.error, "missing": o.missing} for o in outcomes]}
    display({RESULTS_MIME: json.dumps(line)}, raw=True)
