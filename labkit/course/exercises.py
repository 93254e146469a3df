"""exercises/ generated from solutions/: the single source is the instructor's notebook.

Solution regions become ``raise NotImplementedError()`` stubs, hidden tests disappear, outputs
and execution counts are cleared; cell ids and nbgrader metadata stay, so a submission's cells
can be matched with the instructor's by grade_id.
"""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from .markers import is_graded, is_solution, strip_hidden_tests, strip_solution


def exercise_from_solution(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = copy.deepcopy(solution)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if is_solution(cell):
            cell.source = strip_solution(cell.source)
        if is_graded(cell):
            cell.source = strip_hidden_tests(cell.source)
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def build(solutions: Path, exercises: Path, check: bool = False) -> list[str]:
    """Writes exercises/NAME.ipynb for every solutions/NAME.ipynb; with ``check``, writes
    nothing and returns the names that are missing or differ."""
    differing = []
    if not solutions.is_dir():
        raise FileNotFoundError(f"no solutions folder at {solutions}")
    if not check:
        exercises.mkdir(parents=True, exist_ok=True)
    expected_names = set()
    for path in sorted(solutions.glob("*.ipynb")):
        text = render(exercise_from_solution(nbformat.read(path, as_version=4)))
        target = exercises / path.name
        expected_names.add(path.name)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != text:
            differing.append(path.name)
            if not check:
                target.write_text(text, encoding="utf-8")
    if exercises.is_dir():
        extra = sorted(p.name for p in exercises.glob("*.ipynb") if p.name not in expected_names)
        if check:
            differing += [f"{name} (no solution)" for name in extra]
    return differing
