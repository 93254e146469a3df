"""nbgrader's markers and cell metadata, read and written in one place."""
from __future__ import annotations

import re
from typing import Any

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"

_SOLUTION = re.compile(rf"^([ \t]*){re.escape(BEGIN_SOLUTION)}[^\n]*\n.*?^[ \t]*"
                       rf"{re.escape(END_SOLUTION)}[^\n]*$", re.S | re.M)
_HIDDEN = re.compile(rf"^[ \t]*{re.escape(BEGIN_HIDDEN)}[^\n]*\n.*?^[ \t]*"
                     rf"{re.escape(END_HIDDEN)}[^\n]*(\n|$)", re.S | re.M)


def strip_solution(source: str) -> str:
    """Replaces each BEGIN/END SOLUTION region by the stub, at the region's indentation."""
    def stub(match: re.Match) -> str:
        indent = match.group(1)
        return "\n".join(indent + line for line in STUB.splitlines())
    return _SOLUTION.sub(stub, source)


def strip_hidden_tests(source: str) -> str:
    """Removes each BEGIN/END HIDDEN TESTS region (markers included)."""
    return _HIDDEN.sub("", source).rstrip("\n")


def nbgrader(cell: Any) -> dict:
    """The cell's nbgrader metadata ({} when it has none)."""
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def grade_id(cell: Any) -> str | None:
    return nbgrader(cell).get("grade_id")


def is_solution(cell: Any) -> bool:
    return bool(nbgrader(cell).get("solution"))


def is_graded(cell: Any) -> bool:
    return bool(nbgrader(cell).get("grade")) and cell.get("cell_type") == "code"


def problems_of(cell: Any) -> list[str]:
    """The labkit problems a graded cell's points depend on."""
    return list(cell.get("metadata", {}).get("labkit", {}).get("problems", []))


def skipped_when_grading(cell: Any) -> bool:
    """A cell the grader leaves out (metadata ``labkit.grading == "skip"``): one that runs
    labkit's classes on the learner's formula (``use_mine``); it earns no points, and the
    grading kernel, where labkit is reduced to labkit.course, could not run it."""
    return cell.get("metadata", {}).get("labkit", {}).get("grading") == "skip"
