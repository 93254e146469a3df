"""A submitted notebook, read as hostile data, and the notebook the grader runs from it.

Reading is bounded before anything is parsed (a regular file, no symlink, at most
``MAX_BYTES``; at most ``MAX_CELLS`` cells) and every field is type-checked, so no submission
can crash, hang or mislead the grader. The notebook that runs is the instructor's: every
locked cell comes from solutions/, the learner contributes only the source of their solution
cells and of the code cells they added, and each graded (check) cell is replaced by the
grader's probe, so the kernel never receives a check, a hidden test or a reference. Cells
the instructor marked ``labkit.grading = "skip"`` (those that run labkit on the learner's
formula: course/mine.py) are left out: they earn nothing and need the labkit the kernel lacks.
"""
from __future__ import annotations

import json
import os
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np

from .markers import (
    grade_id,
    is_graded,
    is_solution,
    nbgrader,
    problems_of,
    skipped_when_grading,
    strip_hidden_tests,
)
from .plain import to_plain
from .problems import get_problem
from .sandbox import FORBIDDABLE
from .workspace import RENAMED

MAX_BYTES = 16 * 2**20
MAX_CELLS = 1000
CASES_PER_PROBLEM = 10


class BadSubmission(ValueError):
    """A submission the grader cannot take; the message says why, in words."""

    def __init__(self, status: str, words: str) -> None:
        super().__init__(words)
        self.status = status


@dataclass(frozen=True)
class Part:
    grade_id: str
    points: float
    problems: tuple[str, ...]
    forbid: frozenset[str]


@dataclass
class Exercise:
    name: str
    notebook: nbformat.NotebookNode
    parts: list[Part]

    @property
    def max_points(self) -> float:
        return sum(p.points for p in self.parts)


def part_of(cell: nbformat.NotebookNode) -> Part:
    """A graded cell's part: its points, problems, and the libraries it may not use (the
    problems' ``forbid``, less what the cell's ``metadata.labkit.allow`` lists)."""
    problems = tuple(problems_of(cell))
    allow = set(cell.get("metadata", {}).get("labkit", {}).get("allow", []))
    forbid = set().union(*(get_problem(p).forbid for p in problems)) - allow
    unknown = forbid - set(FORBIDDABLE)
    if unknown:
        raise ValueError(f"{grade_id(cell)}: cannot forbid {sorted(unknown)}")
    return Part(grade_id(cell), float(nbgrader(cell).get("points", 0)), problems,
                frozenset(forbid))


def load_exercises(solutions: Path) -> dict[str, Exercise]:
    """The instructor's notebooks (trusted), by name."""
    exercises = {}
    for path in sorted(Path(solutions).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        parts = [part_of(c) for c in nb.cells if is_graded(c)]
        exercises[path.stem] = Exercise(path.stem, nb, parts)
    if not exercises:
        raise FileNotFoundError(f"no solution notebooks (*.ipynb) in {solutions}")
    return exercises


def read_submission(path: Path) -> tuple[dict, list[dict]]:
    """The notebook's JSON and its cells, each {cell_type, source, grade_id, solution}, read
    without following a symlink and within the size and cell limits."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise BadSubmission("unreadable", f"cannot open it ({exc.strerror})") from exc
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise BadSubmission("unreadable", "not a regular file")
        if info.st_size > MAX_BYTES:
            raise BadSubmission("too large", f"larger than {MAX_BYTES // 2**20} MB")
        data = f.read(MAX_BYTES + 1)
    try:
        nb_json = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadSubmission("unreadable", f"not a valid notebook ({type(exc).__name__})") \
            from exc
    raw = nb_json.get("cells") if isinstance(nb_json, dict) else None
    if not isinstance(raw, list):
        raise BadSubmission("unreadable", "not a valid notebook (it has no list of cells)")
    if len(raw) > MAX_CELLS:
        raise BadSubmission("too large", f"more than {MAX_CELLS} cells")
    return nb_json, [c for c in map(_clean_cell, raw) if c is not None]


def _clean_cell(cell: object) -> dict | None:
    if not isinstance(cell, dict):
        return None
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    meta = cell.get("metadata")
    marks = meta.get("nbgrader") if isinstance(meta, dict) else None
    marks = marks if isinstance(marks, dict) else {}
    gid = marks.get("grade_id")
    return {"cell_type": cell.get("cell_type") if isinstance(cell.get("cell_type"), str)
            else None,
            "source": source if isinstance(source, str) else "",
            "grade_id": gid if isinstance(gid, str) else None,
            "solution": marks.get("solution") is True}


def identify(path: Path, nb_json: dict, cells: list[dict],
             exercises: dict[str, Exercise]) -> Exercise | None:
    """By the notebook's own metadata, then by file name, then by the grade_ids it holds; an
    exercise's old name (``RENAMED``: a learner's copy made before the rename) counts as its
    new one."""
    meta = nb_json.get("metadata")
    labkit = meta.get("labkit") if isinstance(meta, dict) else None
    name = labkit.get("exercise") if isinstance(labkit, dict) else None
    if isinstance(name, str) and RENAMED.get(name, name) in exercises:
        return exercises[RENAMED.get(name, name)]
    old_names = {new: old for old, new in RENAMED.items()}
    for ex in exercises.values():
        names = (ex.name, old_names[ex.name]) if ex.name in old_names else (ex.name,)
        if any(path.stem == n or path.stem.endswith(n) for n in names):
            return ex
    ids = {c["grade_id"] for c in cells} - {None}

    def overlap(ex: Exercise) -> int:
        return len(ids & {grade_id(c) for c in ex.notebook.cells})

    best = max(exercises.values(), key=overlap)
    return best if overlap(best) else None


def part_cases(seed: int, exercise: str, part: str, problem: str) -> list[tuple]:
    key = zlib.crc32(f"{exercise}/{part}/{problem}".encode())
    return get_problem(problem).cases(np.random.default_rng([seed, key]), CASES_PER_PROBLEM)


def probe_source(part: str, problem: str, cases: list[tuple]) -> str:
    cases_json = json.dumps([[to_plain(a) for a in case] for case in cases])
    function, how = get_problem(problem).function, get_problem(problem).call
    return ("from labkit.course.probe import report as __labkit_report\n"
            f"__labkit_report({part!r}, {problem!r}, globals().get({function!r}), "
            f"{cases_json!r}, {how!r})")


def assemble(exercise: Exercise, cells: list[dict], parts: list[Part], seed: int
             ) -> tuple[nbformat.NotebookNode, dict[int, tuple[str, str]]]:
    """The notebook to run for ``parts`` (one policy group) and its probe cells by index.

    Every solution cell the learner has for a grade_id runs, in the learner's order (as a
    duplicated cell would in their notebook), each followed by the code cells they added after
    it; code cells added before the first solution cell run before it."""
    own = {grade_id(c) for c in exercise.notebook.cells}
    solution_ids = {grade_id(c) for c in exercise.notebook.cells if is_solution(c)}
    learner: dict[str | None, list[str]] = {}
    current = None
    for cell in cells:
        gid = cell["grade_id"]
        if gid in solution_ids:
            current = gid
            learner.setdefault(gid, []).append(cell["source"])
        elif gid not in own and cell["cell_type"] == "code":
            learner.setdefault(current, []).append(cell["source"])
        # locked, check and hidden-test cells come from the instructor, whatever they hold
    wanted = {p.grade_id: p for p in parts}
    out = nbformat.v4.new_notebook(metadata=exercise.notebook.metadata)
    # IPython's exit() would end the kernel at a moment that races with the probes; it is
    # made a no-op, so the same submission always gets the same grade
    sources = ["get_ipython().ask_exit = lambda *args, **kwargs: None"]
    probes: dict[int, tuple[str, str]] = {}
    first_solution = True
    for cell in exercise.notebook.cells:
        gid = grade_id(cell)
        if cell.cell_type != "code":
            continue
        if is_solution(cell):
            if first_solution:
                sources += learner.get(None, [])
                first_solution = False
            sources += learner.get(gid, [""])
        elif is_graded(cell):
            if gid in wanted:  # a probe per form of each problem (its legacy form too)
                for form in (f.name for p in wanted[gid].problems for f in get_problem(p).forms):
                    probes[len(sources)] = (gid, form)
                    sources.append(probe_source(gid, form,
                                                part_cases(seed, exercise.name, gid, form)))
        elif not skipped_when_grading(cell):
            sources.append(strip_hidden_tests(cell.source))
    out.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return out, probes
