"""The grader against a corpus of correct, broken and hostile submissions built here.

Exercise 04_backprop has two parts: sigmoid_backward_check (2 points) and
linear_backward_check (4 points). Every submission below is a variation of the instructor's
solution notebook or the generated exercise; each one's expected points and reason are stated.
"""
from __future__ import annotations

import copy
import csv
from pathlib import Path

import nbformat
import pytest
from ex07_old_forms import OLD_FORWARD_DIFFERENCE, OLD_SOLUTION, OLD_STUB, OLDER

from labkit.course.cli import main as cli_main
from labkit.course.exercises import exercise_from_solution
from labkit.course.gradebook import write_csv
from labkit.course.grader import grade_folder

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
EXERCISE = "04_backprop"

SIGMOID_OK = "def sigmoid_backward(da, a):\n    return da * a * (1 - a)\n"
LINEAR_OK = ("def linear_backward(delta, a_prev, W):\n"
             "    return delta.T @ a_prev, delta.sum(axis=0), delta @ W\n")


def solution_nb() -> nbformat.NotebookNode:
    return nbformat.read(SOLUTIONS / f"{EXERCISE}.ipynb", as_version=4)


def exercise_nb() -> nbformat.NotebookNode:
    return exercise_from_solution(solution_nb())


def with_cells(sigmoid: str | None = SIGMOID_OK, linear: str | None = LINEAR_OK,
               base=None) -> nbformat.NotebookNode:
    """The exercise with the two solution cells replaced (None: the cell is deleted)."""
    nb = copy.deepcopy(base or exercise_nb())
    keep = []
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid == "sigmoid_backward_code":
            if sigmoid is None:
                continue
            cell.source = sigmoid
        if gid == "linear_backward_code":
            if linear is None:
                continue
            cell.source = linear
        keep.append(cell)
    nb.cells = keep
    return nb


def edit_check_cells(nb, source: str) -> nbformat.NotebookNode:
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.source = source
    return nb


def drop_metadata(nb):
    nb.metadata.pop("labkit", None)
    return nb


ALWAYS_EQUAL = """
class Anything:
    def __eq__(self, other):
        return True
    def __array__(self, *args, **kwargs):
        import numpy
        return numpy.zeros(1)
def linear_backward(delta, a_prev, W):
    return Anything()
"""

FULL, SIG_ONLY, NONE = 6.0, 2.0, 0.0

# name: (notebook JSON text or NotebookNode, file name, expected total, reason fragment)
CORPUS = {
    "correct": (with_cells(), f"{EXERCISE}.ipynb", FULL, ""),
    "solutions_copy": (solution_nb(), f"{EXERCISE}.ipynb", FULL, ""),
    "unchanged_exercise": (exercise_nb(), f"{EXERCISE}.ipynb", NONE, "not implemented yet"),
    "broken_json": ('{"cells": [', f"{EXERCISE}.ipynb", NONE, "not a valid notebook"),
    "empty_file": ("", f"{EXERCISE}.ipynb", NONE, "not a valid notebook"),
    "json_not_a_notebook": ("[1, 2, 3]", f"{EXERCISE}.ipynb", NONE, "not a valid notebook"),
    "missing_linear_cell": (with_cells(linear=None), f"{EXERCISE}.ipynb", SIG_ONLY,
                            "linear_backward is not defined"),
    "renamed_file": (with_cells(), "my homework (final).ipynb", FULL, ""),
    "renamed_no_metadata": (drop_metadata(with_cells()), "hw.ipynb", FULL, ""),
    "infinite_loop_in_function": (with_cells(linear="def linear_backward(d, a, W):\n"
                                             "    while True:\n        pass\n"),
                                  f"{EXERCISE}.ipynb", SIG_ONLY, "linear_backward_check: not "
                                  "reached"),
    "infinite_loop_at_top_level": (with_cells(linear="while True:\n    pass\n" + LINEAR_OK),
                                   f"{EXERCISE}.ipynb", SIG_ONLY,
                                   "linear_backward is not defined"),
    "sys_exit": (with_cells(linear="import sys\nsys.exit()\n" + LINEAR_OK),
                 f"{EXERCISE}.ipynb", SIG_ONLY, "linear_backward is not defined"),
    "os_exit_kills_kernel": (with_cells(linear="import os\nos._exit(0)\n" + LINEAR_OK),
                             f"{EXERCISE}.ipynb", SIG_ONLY, "kernel stopped"),
    "ipython_exit_is_a_no_op": (with_cells(linear="exit()\n" + LINEAR_OK),
                                f"{EXERCISE}.ipynb", FULL, ""),
    "huge_output": (with_cells(linear="print('x' * 20_000_000)\n" + LINEAR_OK),
                    f"{EXERCISE}.ipynb", FULL, ""),
    "prints_all_tests_passed": (with_cells(sigmoid="print('All tests passed')",
                                           linear="print('All tests passed!')"),
                                f"{EXERCISE}.ipynb", NONE, "is not defined"),
    "redefines_check": (with_cells(sigmoid="def check(*args, **kwargs):\n    print('ok')\n"
                                           "def sigmoid_backward(da, a):\n    return da\n",
                                   linear=LINEAR_OK), f"{EXERCISE}.ipynb", 4.0,
                        "sigmoid_backward: wrong values"),
    "edits_check_cells": (edit_check_cells(with_cells(linear="def linear_backward(d, a, W):"
                                                      "\n    return 0.0\n"), "pass"),
                          f"{EXERCISE}.ipynb", SIG_ONLY, "expected a sequence of 3 items, "
                          "got a number"),
    "always_equal_object": (with_cells(linear=ALWAYS_EQUAL), f"{EXERCISE}.ipynb", SIG_ONLY,
                            "returned <a Anything>"),
    "silences_tracebacks": (with_cells(sigmoid="get_ipython().showtraceback = "
                                       "lambda *a, **k: None\n" + SIGMOID_OK,
                                       linear="def linear_backward(d, a, W):\n"
                                              "    raise ValueError('no')\n"),
                            f"{EXERCISE}.ipynb", SIG_ONLY, "raised ValueError: no"),
    "transposed_dW": (with_cells(linear="def linear_backward(d, a, W):\n"
                                 "    return a.T @ d, d.sum(0), d @ W\n"),
                      f"{EXERCISE}.ipynb", SIG_ONLY, "dW is transposed"),
    "db_not_summed": (with_cells(linear="def linear_backward(d, a, W):\n"
                                 "    return d.T @ a, d, d @ W\n"),
                      f"{EXERCISE}.ipynb", SIG_ONLY, "db is not summed over the batch"),
    "snoops_for_solutions": (with_cells(linear="import glob\nfound = glob.glob('../**/*.ipynb',"
                                        " recursive=True) + glob.glob('*.jsonl')\n"
                                        "assert not [f for f in found if 'solution' in f]\n"
                                        + LINEAR_OK), f"{EXERCISE}.ipynb", FULL, ""),
    "forges_a_results_file": (with_cells(linear="open('results.jsonl', 'w').write("
                                         "'{\"part\": \"linear_backward_check\"}')\n"
                                         "def linear_backward(d, a, W):\n    return None\n"),
                              f"{EXERCISE}.ipynb", SIG_ONLY, "got a NoneType"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("submissions")
    originals = {}
    for learner, (nb, filename, _, _) in CORPUS.items():
        folder = root / learner
        folder.mkdir()
        text = nb if isinstance(nb, str) else nbformat.writes(nb)
        (folder / filename).write_text(text, encoding="utf-8")
        originals[learner] = text
    results = grade_folder(root, SOLUTIONS, workers=2, cell_timeout=3, total_timeout=40,
                           progress=False)
    return root, {r.learner: r for r in results}, originals


def test_the_corpus_has_at_least_20_hostile_or_broken_submissions():
    hostile = [k for k, v in CORPUS.items() if v[2] < FULL or k not in ("correct",
                                                                           "solutions_copy")]
    assert len(hostile) >= 20


@pytest.mark.parametrize("learner", sorted(CORPUS))
def test_each_submission_gets_the_right_points_and_reason(graded, learner):
    _, results, _ = graded
    _, _, expected_total, reason = CORPUS[learner]
    result = results[learner]
    feedback = " | ".join(result.feedback)
    assert result.total == expected_total, feedback
    if reason:
        assert reason in feedback
    else:
        assert feedback == ""


def test_submissions_are_never_modified(graded):
    root, _, originals = graded
    for learner, text in originals.items():
        (path,) = (root / learner).iterdir()
        assert path.read_text(encoding="utf-8") == text


def test_csv_has_a_row_per_learner_with_points_per_part(graded, tmp_path):
    _, results, _ = graded
    out = tmp_path / "grades.csv"
    write_csv(results.values(), out)
    rows = {row["learner"]: row for row in csv.DictReader(out.open())}
    assert set(rows) == set(CORPUS)
    assert rows["correct"]["sigmoid_backward_check"] == "2"
    assert rows["correct"]["linear_backward_check"] == "4"
    assert rows["correct"]["total"] == "6" and rows["correct"]["max"] == "6"
    assert rows["broken_json"]["status"] == "unreadable"
    assert "dW is transposed" in rows["transposed_dW"]["feedback"]


def test_generated_exercises_score_zero_and_solutions_full_marks(tmp_path):
    for name in ("exercises", "solutions"):
        folder = tmp_path / name
        folder.mkdir()
        for path in sorted((ROOT / name).glob("*.ipynb")):
            (folder / path.name).write_text(path.read_text())
    results = grade_folder(tmp_path, SOLUTIONS, workers=2, progress=False)
    assert len(results) == 2 * len(list(SOLUTIONS.glob("*.ipynb")))
    for r in results:
        if r.learner == "solutions":
            assert r.total == r.max_points > 0, (r.file, r.feedback)
        else:
            assert r.total == 0 and all("not implemented yet" in f for f in r.feedback), r.file


def test_cli_writes_the_csv_and_a_summary(tmp_path, capsys):
    sub = tmp_path / "subs"
    sub.mkdir()
    (sub / "ann.ipynb").write_text(nbformat.writes(with_cells()))
    out = tmp_path / "g.csv"
    code = cli_main(["grade", str(sub), "--solutions", str(SOLUTIONS), "--out", str(out),
                     "--quiet"])
    assert code == 0 and out.exists()
    assert "graded 1 notebooks: 1 with full marks" in capsys.readouterr().out
    assert cli_main(["grade", str(tmp_path / "nope"), "--out", str(out), "--quiet"]) == 2


def test_grading_works_inside_a_running_event_loop(tmp_path):
    """As from a notebook, or after a browser test left its loop running."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    sub = tmp_path / "subs"
    sub.mkdir()
    (sub / "ann.ipynb").write_text(nbformat.writes(with_cells()))

    async def inside():
        return grade_folder(sub, SOLUTIONS, progress=False)

    # a thread of its own: the test session itself may already run a loop (Playwright's)
    with ThreadPoolExecutor(max_workers=1) as pool:
        (result,) = pool.submit(asyncio.run, inside()).result()
    assert result.total == FULL


def test_a_kernel_that_dies_before_any_cell_is_started_once_more(monkeypatch):
    """The machine's fault (no cell ran) gets a second kernel; a submission's fault does not."""
    import asyncio

    from labkit.course import grader

    calls = []

    def fake(runs):
        async def _execute_once(nb, probes, sandbox, forbid, cell_timeout, total_timeout):
            calls.append(len(calls) + 1)
            return runs[len(calls) - 1]
        return _execute_once

    died, fine = grader.Run({}, "kernel died", "kernel died", 0), grader.Run({}, None, None, 3)
    monkeypatch.setattr(grader, "_execute_once", fake([died, fine]))
    assert asyncio.run(grader.execute(None, {}, None, frozenset(), 1, 1)) is fine
    assert calls == [1, 2]
    calls.clear()
    late = grader.Run({}, "the kernel stopped", "kernel died", 2)
    monkeypatch.setattr(grader, "_execute_once", fake([late, fine]))
    assert asyncio.run(grader.execute(None, {}, None, frozenset(), 1, 1)) is late
    assert calls == [1]


def test_a_copy_made_before_its_exercise_was_renamed_is_graded_as_the_new_one(tmp_path):
    """A learner's my-work/06_batches.ipynb (the name before the exercises took their
    lessons' names) is kept by the workspace, so the grader takes it: by its metadata, or by
    its file name when the metadata is gone."""
    nb = nbformat.read(SOLUTIONS / "06_vectorization.ipynb", as_version=4)
    nb.metadata["labkit"]["exercise"] = "06_batches"
    for learner, notebook in (("ann", nb), ("bob", drop_metadata(copy.deepcopy(nb)))):
        (tmp_path / learner).mkdir()
        (tmp_path / learner / "06_batches.ipynb").write_text(nbformat.writes(notebook))
    results = grade_folder(tmp_path, SOLUTIONS, workers=2, progress=False)
    assert [r.learner for r in results] == ["ann", "bob"]
    for r in results:
        assert r.exercise == "06_vectorization" and r.total == r.max_points > 0, r.feedback


def test_the_old_name_alone_identifies_a_renamed_exercise():
    from labkit.course.submission import identify, load_exercises

    exercises = load_exercises(SOLUTIONS)
    old = {"metadata": {"labkit": {"exercise": "08_initialization"}}}
    assert identify(Path("hw.ipynb"), old, [], exercises).name == "08_vanishing_exploding"
    assert identify(Path("ann_06_batches.ipynb"), {}, [], exercises).name == "06_vectorization"
    assert identify(Path("hw.ipynb"), {}, [], exercises) is None


# Exercise 07 before it asked for labkit's numerical_gradient(f, x, eps): a learner's copy in
# my-work/ (never overwritten) still asks for numerical_gradient(W, X, y, eps), dL/dW of
# L = mean((X W^T - y)^2). The grader probes both forms, each in the same sandboxed kernel,
# and judges both in its own process. Parts: relative_error_check (1 point),
# numerical_gradient_check (3 points).
EX07 = "07_gradient_checking"
NG_NEW_FORWARD = """def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    f_x = f()
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        grad[i] = (f() - f_x) / eps
        x[i] = old
    return grad
"""


def ex07_copy(numerical_gradient: str | None) -> nbformat.NotebookNode:
    """Exercise 07 with relative_error solved (the instructor's cell) and numerical_gradient's
    solution cell holding ``numerical_gradient`` (None: the instructor's, the current form).
    The grader takes only the solution cells' source from a copy: its other cells, which
    differ in the old copy (the task's text, the imports), come from solutions/."""
    nb = nbformat.read(SOLUTIONS / f"{EX07}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "numerical_gradient_code" \
                and numerical_gradient is not None:
            cell.source = numerical_gradient
    return nb


# name: (notebook, expected total, fragments the feedback holds, fragment it must not hold)
EX07_CORPUS = {
    "old_form_correct": (ex07_copy(OLD_SOLUTION), 4.0,
                         ("numerical_gradient: 10 random cases passed", OLDER), None),
    "old_form_forward_difference": (ex07_copy(OLD_FORWARD_DIFFERENCE), 1.0,
                                    ("that is a forward difference (L(W + eps) - L(W)) / eps",
                                     OLDER), None),
    "old_form_unchanged": (ex07_copy(OLD_STUB), 1.0, ("not implemented yet", OLDER), None),
    "new_form_correct": (ex07_copy(None), 4.0, (), None),
    "new_form_forward_difference": (ex07_copy(NG_NEW_FORWARD), 1.0,
                                    ("that is a forward difference (f(x + eps) - f(x)) / eps",),
                                    "older form"),
}


@pytest.fixture(scope="module")
def graded_07(tmp_path_factory):
    root = tmp_path_factory.mktemp("submissions_07")
    for learner, (nb, *_) in EX07_CORPUS.items():
        (root / learner).mkdir()
        (root / learner / f"{EX07}.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")
    results = grade_folder(root, SOLUTIONS, workers=2, cell_timeout=10, total_timeout=60,
                           progress=False)
    return {r.learner: r for r in results}


@pytest.mark.parametrize("learner", sorted(EX07_CORPUS))
def test_exercise_07_old_and_new_forms_get_the_right_points_and_reason(graded_07, learner):
    _, expected_total, fragments, absent = EX07_CORPUS[learner]
    result = graded_07[learner]
    feedback = " | ".join(result.feedback)
    assert result.exercise == EX07 and result.max_points == 4.0
    assert result.total == expected_total, feedback
    assert all(fragment in feedback for fragment in fragments), feedback
    if not fragments:
        assert feedback == ""
    if absent:
        assert absent not in feedback


def test_exercise_07_probes_the_older_form_right_after_the_current_one():
    """The legacy form's cases go to the kernel as plain data, through the same probe; no
    probe of it reads the learner's signature."""
    from labkit.course.submission import assemble, load_exercises, read_submission

    exercise = load_exercises(SOLUTIONS)[EX07]
    path = SOLUTIONS / f"{EX07}.ipynb"
    _, cells = read_submission(path)
    nb, probes = assemble(exercise, cells, exercise.parts, seed=0)
    assert sorted(probes.values()) == [("numerical_gradient_check", "numerical_gradient"),
                                       ("numerical_gradient_check", "numerical_gradient_of_mse"),
                                       ("relative_error_check", "relative_error")]
    current, older = (i for i, v in sorted(probes.items())
                      if v[0] == "numerical_gradient_check")
    assert older == current + 1
    source = nb.cells[older].source
    assert source.startswith("from labkit.course.probe import report as __labkit_report\n")
    assert source.endswith(", None)")               # called as fn(W, X, y, eps)
    assert "'numerical_gradient_of_mse', globals().get('numerical_gradient')" in source
