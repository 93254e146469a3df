"""exercises/ is generated from solutions/ and fails cleanly; solutions carry nbgrader data;
the builder never overwrites a learner's work; our exercises are nbgrader's."""
from __future__ import annotations

import ast
import copy
import inspect
import os
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from labkit.course.cli import main as cli_main
from labkit.course.exercises import (
    LearnerWorkError,
    SolutionDrift,
    build,
    exercise_from_solution,
    learner_work,
    library_function,
    verify,
)
from labkit.course.markers import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_SOLUTION,
    grade_id,
    is_graded,
    is_solution,
    nbgrader,
    problems_of,
    skipped_when_grading,
    strip_hidden_tests,
    strip_solution,
)
from labkit.course.problems import FORMULAS, PROBLEMS

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
    demos = [c for c in nb.cells if skipped_when_grading(c)]   # labkit on the learner's code
    assert len(errors) == len(graded) + len(demos)
    for error in errors:
        assert error.ename == "CheckFailed"
        assert len(error.traceback) == 1 and "not implemented yet" in error.traceback[0]
    for cell in demos:
        (error,) = [o for o in cell.outputs if o.output_type == "error"]
        assert "labkit keeps its own" in error.traceback[0]


# --- a learner's work is never overwritten -------------------------------------------------

def _built(tmp_path: Path) -> Path:
    exercises = tmp_path / "exercises"
    build(ROOT / "solutions", exercises)
    return exercises


def _answer(nb: nbformat.NotebookNode) -> None:
    cell = next(c for c in nb.cells if is_solution(c))
    cell.source = cell.source.replace("raise NotImplementedError()", "return 42  # my answer")


def _ran(nb: nbformat.NotebookNode) -> None:
    cell = next(c for c in nb.cells if c.cell_type == "code")
    cell.execution_count = 1
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]


def _counted(nb: nbformat.NotebookNode) -> None:
    next(c for c in nb.cells if c.cell_type == "code").execution_count = 3


def _added(nb: nbformat.NotebookNode) -> None:
    nb.cells.append(nbformat.v4.new_markdown_cell("my notes"))


LEARNER_EDITS = {"answer": (_answer, "differs from the stub"),
                 "outputs": (_ran, "outputs or execution counts"),
                 "execution count": (_counted, "outputs or execution counts"),
                 "added cell": (_added, "not in the exercise")}


def _edit(path: Path, edit) -> str:
    nb = nbformat.read(path, as_version=4)
    edit(nb)
    nbformat.write(nb, path)
    return path.read_text()


def _make_stale(solutions: Path) -> None:
    """The instructor changes every solution's title cell: every exercise is then stale."""
    for path in solutions.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        nb.cells[0].source += "\n\nRevised."
        nbformat.write(nb, path)


@pytest.fixture
def course(tmp_path):
    """A copy of solutions/, its exercises built, then the solutions revised (all stale)."""
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    for path in SOLUTIONS:
        (solutions / path.name).write_text(path.read_text())
    exercises = tmp_path / "exercises"
    build(solutions, exercises)
    _make_stale(solutions)
    return solutions, exercises


@pytest.mark.parametrize("kind", LEARNER_EDITS)
def test_builder_refuses_to_overwrite_a_learners_work(course, kind):
    solutions, exercises = course
    edit, reason = LEARNER_EDITS[kind]
    target = exercises / SOLUTIONS[1].name
    saved = _edit(target, edit)
    before = {p.name: p.read_text() for p in exercises.glob("*.ipynb")}
    with pytest.raises(LearnerWorkError) as info:
        build(solutions, exercises)
    message = str(info.value)
    assert str(target) in message and reason in message and "--force" in message
    assert f"mv -n {target} my-work/{target.stem}-saved.ipynb" in message
    assert target.read_text() == saved                              # the work is intact
    assert {p.name: p.read_text() for p in exercises.glob("*.ipynb")} == before  # all or none
    assert info.value.work.keys() == {target}


def test_force_overwrites_a_learners_work(course):
    solutions, exercises = course
    target = exercises / SOLUTIONS[0].name
    _edit(target, _answer)
    written = build(solutions, exercises, force=True)
    assert sorted(written) == sorted(p.name for p in SOLUTIONS)
    assert build(solutions, exercises, check=True) == []
    assert "my answer" not in target.read_text()


def test_a_stale_exercise_without_work_is_regenerated(course):
    solutions, exercises = course
    target = exercises / SOLUTIONS[0].name
    # a learner who opened the notebook and deleted a cell, or edited a text cell, lost nothing
    nb = nbformat.read(target, as_version=4)
    nb.cells[2].source += " (read)"
    del nb.cells[-1]
    nbformat.write(nb, target)
    assert SOLUTIONS[0].name in build(solutions, exercises)
    assert "Revised." in target.read_text() and "(read)" not in target.read_text()


def test_learner_work_is_judged_against_the_generated_notebook():
    generated = exercise_from_solution(nbformat.read(SOLUTIONS[0], as_version=4))
    assert learner_work(copy.deepcopy(generated), generated) == []
    for edit, reason in LEARNER_EDITS.values():
        mine = copy.deepcopy(generated)
        edit(mine)
        reasons = learner_work(mine, generated)
        assert len(reasons) == 1 and reason in reasons[0]


def test_an_unreadable_exercise_is_not_overwritten(course):
    solutions, exercises = course
    target = exercises / SOLUTIONS[0].name
    target.write_text('{"cells": [ half a save')
    with pytest.raises(LearnerWorkError, match="not a notebook that can be read"):
        build(solutions, exercises)
    assert target.read_text() == '{"cells": [ half a save'


def test_cli_refuses_then_force_writes(course, capsys):
    solutions, exercises = course
    target = exercises / SOLUTIONS[0].name
    saved = _edit(target, _answer)
    args = ["exercises", "build", "--solutions", str(solutions), "--exercises", str(exercises)]
    assert cli_main(args) == 1
    err = capsys.readouterr().err
    assert str(target) in err and "nothing was written" in err
    assert target.read_text() == saved
    assert cli_main(args + ["--force"]) == 0
    assert "my answer" not in target.read_text()


def test_check_message_suggests_only_commands_that_keep_the_work(course, capsys, monkeypatch):
    """`make test` fails on a learner's edited exercises/; doing what the message says keeps
    their answers (in my-work/) and makes the check pass."""
    solutions, exercises = course
    root = exercises.parent
    target = exercises / SOLUTIONS[0].name
    saved = _edit(target, _answer)
    check_args = ["exercises", "build", "--check", "--solutions", "solutions",
                  "--exercises", "exercises"]
    monkeypatch.chdir(root)
    assert cli_main(check_args) == 1
    err = capsys.readouterr().err
    assert "--force" not in err
    commands = [line.strip() for line in err.splitlines()
                if line.strip().startswith(("mv ", "then run: "))]
    assert commands, err
    (root / "my-work").mkdir()
    for command in commands:
        command = command.removeprefix("then run: ")
        if command.startswith("labkit "):
            assert cli_main(shlex.split(command)[1:]) == 0
        else:
            subprocess.run(command, shell=True, cwd=root, check=True)
    assert (root / "my-work" / f"{target.stem}-saved.ipynb").read_text() == saved
    assert cli_main(check_args) == 0


# --- nbgrader's cell metadata --------------------------------------------------------------

@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_exercise_cells_are_locked_as_nbgrader_locks_them(path):
    nb = exercise_from_solution(nbformat.read(path, as_version=4))
    for cell in nb.cells:
        meta = nbgrader(cell)
        assert cell.metadata.get("deletable") is False, cell.id
        if meta["solution"]:
            assert "editable" not in cell.metadata          # the learner writes here
        else:
            assert meta["locked"] and cell.metadata.get("editable") is False


def _without_checksums(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """nbgrader's ComputeChecksums adds `checksum` (and the `cell_type` it was computed for)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.metadata.get("nbgrader", {}).pop("checksum", None)
        cell.metadata.get("nbgrader", {}).pop("cell_type", None)
    return nb


def test_exercises_equal_nbgraders_generate_assignment_but_for_checksums(tmp_path):
    """nbgrader itself, on solutions/ as its source assignment, writes what we write."""
    import importlib

    importlib.import_module("nbgrader")   # the [dev] extra installs it: fail, never skip

    source = tmp_path / "source" / "course"
    source.mkdir(parents=True)
    for path in SOLUTIONS:
        (source / path.name).write_text(path.read_text())
    bindir = str(Path(sys.executable).parent)          # nbgrader runs its `alembic` from PATH
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", "course",
                           f"--CourseDirectory.root={tmp_path}", "--log-level=WARN"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    released = sorted((tmp_path / "release" / "course").glob("*.ipynb"))
    assert [p.name for p in released] == [p.name for p in SOLUTIONS]
    checksummed = 0
    for path in released:
        theirs = nbformat.read(path, as_version=4)
        checksummed += sum("checksum" in nbgrader(c) for c in theirs.cells)
        ours = nbformat.read(ROOT / "exercises" / path.name, as_version=4)
        assert _without_checksums(ours) == _without_checksums(theirs), path.name
    assert checksummed > 0          # the one thing left out is really there


# --- one formula, once: a solution of a library formula is the library's function ---------

HELPERS = ("log_softmax", "_elementwise_relative_error", "get_total_norm")  # formulas call them

def test_every_library_formula_is_an_exercise_whose_solution_is_the_library_function():
    verify(ROOT / "solutions")                              # raises SolutionDrift otherwise
    defined = {node.name for path in SOLUTIONS
               for cell in nbformat.read(path, as_version=4).cells if is_solution(cell)
               for node in ast.parse(cell.source).body if isinstance(node, ast.FunctionDef)}
    assert set(FORMULAS) <= defined
    assert set(HELPERS) <= defined                          # helpers the formulas call


def _function(source: str, name: str) -> ast.FunctionDef:
    return next(n for n in ast.parse(source).body
                if isinstance(n, ast.FunctionDef) and n.name == name)


@pytest.mark.parametrize("name", sorted(FORMULAS) + list(HELPERS))
def test_each_stub_is_the_library_functions_signature_and_docstring(name):
    library = library_function(name)
    theirs = _function(textwrap.dedent(inspect.getsource(library)), name)
    stubs = [_function(c.source, name) for path in SOLUTIONS
             for c in exercise_from_solution(nbformat.read(path, as_version=4)).cells
             if is_solution(c) and f"def {name}(" in c.source]
    assert len(stubs) == 1                                  # asked for once, in one exercise
    (stub,) = stubs
    assert ast.dump(stub.args) == ast.dump(theirs.args)
    assert ast.get_docstring(stub) == ast.get_docstring(theirs)
    body = stub.body[1:] if ast.get_docstring(stub) is not None else stub.body
    assert ast.unparse(body) == "raise NotImplementedError()"       # no solution leaks


def _edited_course(tmp_path: Path, old: str, new: str) -> tuple[Path, Path]:
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    for path in SOLUTIONS:
        (solutions / path.name).write_text(path.read_text())
    build(solutions, exercises)
    nb = nbformat.read(solutions / "04_backprop.ipynb", as_version=4)
    cell = next(c for c in nb.cells if grade_id(c) == "linear_backward_code")
    assert old in cell.source
    cell.source = cell.source.replace(old, new)
    nbformat.write(nb, solutions / "04_backprop.ipynb")
    return solutions, exercises


@pytest.mark.parametrize("old, new, what", [
    ("db = delta.sum(axis=0)", "db = delta.sum(0)", "its code differs"),
    ("da_prev = delta W", "da_prev = delta W (rows)", "its docstring differs"),
    ("W: np.ndarray)", "W)", "its signature differs"),
])
def test_a_solution_that_drifts_from_the_library_stops_the_build(tmp_path, capsys, old, new,
                                                                  what):
    solutions, exercises = _edited_course(tmp_path, old, new)
    before = {p.name: p.read_text() for p in exercises.glob("*.ipynb")}
    with pytest.raises(SolutionDrift) as info:
        build(solutions, exercises, force=True)
    message = str(info.value)
    assert "linear_backward (solution cell 'linear_backward_code') is not " \
           "labkit.core.layers.linear_backward: " + what in message
    assert "+++ labkit.core.layers.linear_backward" in message and f"+{new}" not in message
    assert any(line.strip().startswith("-") and new in line for line in message.splitlines())
    with pytest.raises(SolutionDrift):
        build(solutions, exercises, check=True)
    assert {p.name: p.read_text() for p in exercises.glob("*.ipynb")} == before  # untouched
    args = ["exercises", "build", "--solutions", str(solutions), "--exercises", str(exercises)]
    assert cli_main(args + ["--check"]) == 1 and cli_main(args) == 1
    err = capsys.readouterr().err
    assert "nothing was written" in err and "is not labkit.core.layers.linear_backward" in err


def test_code_equal_as_syntax_passes_whatever_its_comments_and_layout(tmp_path):
    solutions, exercises = _edited_course(tmp_path, "db = delta.sum(axis=0)",
                                          "db = delta.sum(  axis = 0 )   # the batch sum")
    build(solutions, exercises)                             # no SolutionDrift


def test_a_missing_solution_of_a_checked_formula_is_named(tmp_path):
    solutions, _ = _edited_course(tmp_path, "def linear_backward(", "def my_backward(")
    with pytest.raises(SolutionDrift, match="no solution cell defines linear_backward"):
        verify(solutions)


def test_the_grader_leaves_out_the_cells_that_run_labkit_on_the_learners_code():
    from labkit.course.submission import assemble, load_exercises, read_submission

    exercises = load_exercises(ROOT / "solutions")
    for name, exercise in exercises.items():
        demos = [c for c in exercise.notebook.cells if skipped_when_grading(c)]
        assert all(nbgrader(c)["locked"] and not is_graded(c) for c in demos)
        _, cells = read_submission(ROOT / "solutions" / f"{name}.ipynb")
        nb, _ = assemble(exercise, cells, exercise.parts, seed=0)
        assert not any("use_mine(" in c.source for c in nb.cells), name
        assert len(demos) == 1 and "use_mine(" in demos[0].source, name


def test_what_a_formula_needs_beyond_numpy_must_be_in_the_exercise(tmp_path, monkeypatch):
    """A formula that reaches for labkit (out of reach while graded), a constant, a helper
    or a module the notebook lacks is named; numpy imported and the formulas defined pass."""
    import importlib

    from labkit.course.exercises import _out_of_reach

    (tmp_path / "labkit_fake_formulas.py").write_text(
        "import math\nimport numpy as np\nfrom labkit.core.parameter import Parameter\n"
        "FLOOR = 1e-3\n\n\ndef _helper(x):\n    return x\n\n\n"
        "def step(x: np.ndarray, eps: float = FLOOR) -> np.ndarray:\n"
        "    if isinstance(x, Parameter):\n        raise TypeError('arrays only')\n"
        "    y = np.sqrt(x) + math.pi\n    return _helper(y) + softmax(y) + len(y) + eps\n\n\n"
        "def softmax(z):\n    return z\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    fake = importlib.import_module("labkit_fake_formulas")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import numpy as np\nFLOOR = 1e-2")])
    words = _out_of_reach(fake.step, nb, defined={"softmax"})
    assert words == [
        "FLOOR, which the notebook must set to labkit's value (FLOOR = 0.001)",
        "Parameter (labkit.core.parameter): labkit is out of reach while the exercise is "
        "graded; a formula should need only numpy, math and formulas the exercise also asks "
        "for",
        "_helper, labkit's own helper of it, which a solution cell must define too (as "
        "labkit's, like the formula)",
        "math, which the notebook does not import"]
    nb.cells[0].source = "import math\nimport numpy as np\nFLOOR = 0.001"
    assert _out_of_reach(fake.step, nb, defined={"softmax", "_helper"}) == [words[1]]
