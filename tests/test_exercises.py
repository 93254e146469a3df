"""exercises/ is generated from solutions/ and fails cleanly; solutions carry nbgrader data."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from labkit.course.cli import main as cli_main
from labkit.course.exercises import build, exercise_from_solution
from labkit.course.markers import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_SOLUTION,
    is_graded,
    is_solution,
    nbgrader,
    problems_of,
    strip_hidden_tests,
    strip_solution,
)
from labkit.course.problems import PROBLEMS

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def test_checked_in_exercises_match_what_the_solutions_generate(capsys):
    assert build(ROOT / "solutions", ROOT / "exercises", check=True) == [], \
        "exercises/ is out of date: run `labkit exercises build`"
    assert cli_main(["exercises", "build", "--check", "--solutions", str(ROOT / "solutions"),
                     "--exercises", str(ROOT / "exercises")]) == 0


def test_check_mode_reports_a_stale_exercise(tmp_path):
    (tmp_path / "ex").mkdir()
    assert build(ROOT / "solutions", tmp_path / "ex") != []      # wrote them all
    assert build(ROOT / "solutions", tmp_path / "ex", check=True) == []
    stale = tmp_path / "ex" / SOLUTIONS[0].name
    stale.write_text(stale.read_text().replace("YOUR CODE HERE", "edited by hand"))
    (tmp_path / "ex" / "orphan.ipynb").write_text("{}")
    assert build(ROOT / "solutions", tmp_path / "ex", check=True) == [
        SOLUTIONS[0].name, "orphan.ipynb (no solution)"]


def test_strip_solution_keeps_indentation_and_code_around():
    source = f"def f(x):\n    y = 1\n    {BEGIN_SOLUTION}\n    return x + y\n    {END_SOLUTION}\n"
    assert strip_solution(source) == ("def f(x):\n    y = 1\n    # YOUR CODE HERE\n"
                                      "    raise NotImplementedError()\n")
    hidden = f"check('a', a)\n{BEGIN_HIDDEN}\ncheck('a', a, seed=1)\n### END HIDDEN TESTS\n"
    assert strip_hidden_tests(hidden) == "check('a', a)"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solutions_have_nbgrader_metadata_and_2_to_5_graded_parts(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["labkit"]["exercise"] == path.stem
    graded = [c for c in nb.cells if is_graded(c)]
    assert 2 <= len(graded) <= 5
    ids = [nbgrader(c).get("grade_id") for c in nb.cells]
    assert None not in ids and len(set(ids)) == len(ids)
    for cell in nb.cells:
        meta = nbgrader(cell)
        assert meta["schema_version"] == 3 and {"grade", "solution", "locked"} <= set(meta)
    for cell in graded:
        assert nbgrader(cell)["points"] > 0 and nbgrader(cell)["locked"]
        assert problems_of(cell) and all(p in PROBLEMS for p in problems_of(cell))
        assert BEGIN_HIDDEN in cell.source
    assert any(is_solution(c) and BEGIN_SOLUTION in c.source for c in nb.cells)


def test_one_exercise_per_lesson_01_to_09():
    assert sorted(p.name[:2] for p in SOLUTIONS) == [f"{i:02d}" for i in range(1, 10)]


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_generated_exercise_holds_no_solution_and_fails_cleanly(path):
    nb = exercise_from_solution(nbformat.read(path, as_version=4))
    text = nbformat.writes(nb)
    assert BEGIN_SOLUTION not in text and BEGIN_HIDDEN not in text and "seed=" not in text
    assert all(c.get("outputs", []) == [] for c in nb.cells if c.cell_type == "code")
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    graded = [c for c in nb.cells if is_graded(c)]
    assert len(errors) == len(graded)
    for error in errors:
        assert error.ename == "CheckFailed"
        assert len(error.traceback) == 1 and "not implemented yet" in error.traceback[0]
