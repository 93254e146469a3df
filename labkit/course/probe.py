"""Kernel side of grading: run the learner's function on the grader's cases, write plain data.

The grader appends a cell calling ``report`` after each graded part. It receives the cases
as plain data (inputs only, never expected values), calls the learner's function, and appends
one JSON line of plain results to a file the grader reads. Nothing here decides a grade.
"""
from __future__ import annotations

import json
from typing import Any

from .plain import from_plain, to_plain
from .problems.base import run_cases


def report(path: str, part: str, problem: str, fn: Any, cases_json: str) -> None:
    cases = [tuple(from_plain(a) for a in case) for case in json.loads(cases_json)]
    outcomes = run_cases(fn, cases)
    line = {"part": part, "problem": problem,
            "outcomes": [{"result": to_plain(o.result) if o.error is None else None,
                          "error": o.error, "missing": o.missing} for o in outcomes]}
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")
