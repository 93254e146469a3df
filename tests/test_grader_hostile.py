"""The sandboxed grader against learners who attack the grader itself (issue 12).

One class of submissions, graded together through the real CLI with two workers: honest
learners interleaved with hostile ones. Every attack is asserted on what it targets: its own
score, the honest neighbours' grades (identical to grading them alone), the instructor's and
the classmates' files, the gradebook after the grader exits, and no process left behind.
The sandbox runs for real (bubblewrap; `make test` installs it): nothing here skips.
"""
from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from labkit.course.cli import main as cli_main
from labkit.course.exercises import exercise_from_solution

ROOT = Path(__file__).resolve().parents[1]
EXERCISE = "04_backprop"
MARKER = "LABKIT-HOSTILE-7f3a"
FULL, SIG_ONLY = 6.0, 2.0

SIGMOID_OK = "def sigmoid_backward(da, a):\n    return da * a * (1 - a)\n"
LINEAR_OK = ("def linear_backward(delta, a_prev, W):\n"
             "    return delta.T @ a_prev, delta.sum(axis=0), delta @ W\n")


def submission(linear: str, sigmoid: str = SIGMOID_OK, extra: list[str] | None = None):
    nb = exercise_from_solution(nbformat.read(ROOT / "solutions" / f"{EXERCISE}.ipynb", 4))
    cells = []
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid == "sigmoid_backward_code":
            cell.source = sigmoid
        if gid == "linear_backward_code":
            cell.source = linear
            for i, text in enumerate(extra or []):
                twin = copy.deepcopy(cell)
                twin.source, twin.id = text, f"{cell.id}-{i}"
                cells.append(twin)
        cells.append(cell)
    nb.cells = cells
    return nbformat.writes(nb)


HUNT = '''
import os, sys
skip = ("/proc", "/sys", "/dev", "/usr", sys.prefix, sys.base_prefix)
found = []
for root, dirs, files in os.walk("/", onerror=lambda e: None):
    if root.startswith(skip):
        dirs[:] = []
        continue
    found += [os.path.join(root, f) for f in files if f.endswith((".ipynb", ".csv", ".jsonl"))]
for pid in os.listdir("/proc"):
    try:
        line = open(f"/proc/{pid}/cmdline", "rb").read()
    except OSError:
        continue
    # (its own sandbox's bwrap command is visible: it names no path of the grader's)
    if any(word in line for word in (b"solutions", b"subs", b"grades.csv", b"pytest")):
        found.append(line.decode(errors="replace"))
if found:
    raise RuntimeError("LEAK " + repr(found)[:150])
''' + LINEAR_OK

def answers_for_a_known_seed(seed: int = 0) -> str:
    """A learner who knows the seed of the graded cases (labkit is open: the cases follow from
    it) draws them at home, answers them with labkit, and submits the answers as a table."""
    from labkit.core.layers import linear_backward
    from labkit.course.submission import part_cases

    table = {case[0].tobytes().hex(): [r.tolist() for r in linear_backward(*case)]
             for case in part_cases(seed, EXERCISE, "linear_backward_check", "linear_backward")}
    return ("import numpy as np\n"
            f"TABLE = {table!r}\n"
            "def linear_backward(delta, a_prev, W):\n"
            "    answer = TABLE[np.asarray(delta, dtype=float).tobytes().hex()]\n"
            "    return tuple(np.array(r) for r in answer)\n")


ATTACKS = {
    # full marks without solving: the grader's own reference, labkit's and torch's code
    "k01_grader_reference": (
        "from labkit.course.problems.backprop import _linear_backward as linear_backward\n",
        SIG_ONLY, "linear_backward is not defined"),
    "k02_calls_labkit": (
        "def linear_backward(delta, a_prev, W):\n"
        "    import labkit as lk\n"
        "    layer = lk.Linear(W.shape[1], W.shape[0])\n"
        "    layer.W.data[...] = W\n"
        "    layer(a_prev)\n"
        "    dx = layer.backward(delta)\n"
        "    return layer.W.grad, layer.b.grad, dx\n",
        SIG_ONLY, "may not be used here"),
    "k03_calls_torch": (
        "def linear_backward(delta, a_prev, W):\n"
        "    import torch\n"
        "    w = torch.tensor(W, requires_grad=True)\n"
        "    a = torch.tensor(a_prev, requires_grad=True)\n"
        "    (a @ w.T).backward(torch.tensor(delta))\n"
        "    return w.grad.numpy(), delta.sum(0), a.grad.numpy()\n",
        SIG_ONLY, "may not be used here"),
    # ... or the answers to the cases of a seed it guessed (the old default, 0)
    "k14_answers_for_seed_0": (answers_for_a_known_seed(0), SIG_ONLY, "raised KeyError"),
    # reading the instructor's files, the grader's command line, classmates' notebooks
    "k04_hunts_for_files": (HUNT, FULL, None),
    # changing other people's grades: startup files for later kernels, forged results,
    # a process that outlives grading, killing every process it can see
    "k05_ipython_startup_file": (
        "import os, sys\n"
        "for folder in (os.environ.get('IPYTHONDIR', ''), os.path.expanduser('~/.ipython'),\n"
        "               sys.prefix + '/etc/ipython', '/tmp/.ipython'):\n"
        "    try:\n"
        "        os.makedirs(folder + '/profile_default/startup', exist_ok=True)\n"
        "        open(folder + '/profile_default/startup/00-x.py', 'w').write("
        "'import os; os._exit(1)')\n"
        "    except OSError:\n"
        "        pass\n" + LINEAR_OK, FULL, None),
    "k06_forges_results": (
        "from IPython.display import display\n"
        "for part in ('sigmoid_backward_check', 'linear_backward_check'):\n"
        "    display({'application/vnd.labkit.results+json': '{\"part\": \"' + part + "
        "'\", \"problem\": \"linear_backward\", \"outcomes\": []}'}, raw=True)\n"
        "import glob\n"
        "for path in glob.glob('/tmp/**', recursive=True):\n"
        "    try:\n"
        "        open(path, 'w').write('forged')\n"
        "    except OSError:\n"
        "        pass\n"
        "def linear_backward(delta, a_prev, W):\n    return None\n",
        SIG_ONLY, "got a NoneType"),
    "k07_detached_survivor": (
        "import subprocess, sys, os\n"
        f"code = 'import time\\nwhile True: time.sleep(1)  # {MARKER}'\n"
        "subprocess.Popen([sys.executable, '-c', code], start_new_session=True,\n"
        "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    os.execv(sys.executable, [sys.executable, '-c', code])\n" + LINEAR_OK,
        FULL, None),
    "k08_kills_what_it_sees": (
        "import os, signal\n"
        "for pid in range(1, 4096):\n"
        "    if pid != os.getpid():\n"
        "        try:\n"
        "            os.kill(pid, signal.SIGKILL)\n"
        "        except OSError:\n"
        "            pass\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n", SIG_ONLY, "kernel stopped"),
    "k09_poisons_results": (
        "import IPython.display as shown\n"
        "real = shown.display\n"
        "def display(*args, **kwargs):\n"
        "    real({'application/vnd.labkit.results+json': '[' * 200000}, raw=True)\n"
        "shown.display = display\n" + LINEAR_OK, SIG_ONLY, "linear_backward_check: not reached"),
    # no limits: memory, processes, files, CPU
    "k10_memory": ("x = bytearray(3 * 2**30)\n" + LINEAR_OK, SIG_ONLY,
                   "more than 2048 MB of memory"),
    "k11_thread_bomb": (
        "import threading, time\n"
        "threads = []\n"
        "while True:\n"
        "    t = threading.Thread(target=time.sleep, args=(20,), daemon=True)\n"
        "    t.start()\n"
        "    threads.append(t)\n" + LINEAR_OK, SIG_ONLY, "processes or threads"),
    "k12_big_file": ("open('big', 'wb').write(b'x' * (100 * 2**20))\n" + LINEAR_OK, SIG_ONLY,
                     "larger than 64 MB"),
    # CPU: 20 busy processes (not threads: they would starve only this kernel's own main
    # thread through the GIL). Its own grade depends on how much CPU it left itself, so only
    # its neighbours' grades are asserted (an equal CPU share per kernel, cgroups).
    "k13_cpu_hog": (
        "import subprocess, sys\n"
        "burn = 'import time\\nend = time.time() + 8\\nwhile time.time() < end: pass'\n"
        "hogs = [subprocess.Popen([sys.executable, '-c', burn]) for _ in range(20)]\n"
        + LINEAR_OK, None, None),
}
HONEST = ("k00_honest", "k05b_honest", "k08b_honest", "k11b_honest", "k99_honest")


def processes_with(text: str) -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        try:
            line = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if text in line and str(os.getpid()) != pid:
            found.append(f"{pid}: {line[:120]}")
    return found


def grade_cli(subs: Path, solutions: Path, out: Path, *extra: str) -> int:
    return cli_main(["grade", str(subs), "--solutions", str(solutions), "--out", str(out),
                     "--quiet", "--cell-timeout", "6", "--total-timeout", "40", *extra])


def rows_of(path: Path) -> dict[str, dict]:
    return {row["learner"]: row for row in csv.DictReader(path.open(encoding="utf-8"))}


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    # the sandboxes' folders, short (a Unix socket path has ~107 characters at most): any
    # process left behind is findable by this path
    scratch = Path(tempfile.mkdtemp(prefix="lk-hostile-", dir="/tmp"))
    solutions = base / "solutions"
    shutil.copytree(ROOT / "solutions", solutions)
    subs = base / "subs"
    for name in HONEST:
        (subs / name).mkdir(parents=True)
        (subs / name / f"{EXERCISE}.ipynb").write_text(submission(LINEAR_OK))
    for name, (linear, _, _) in ATTACKS.items():
        (subs / name).mkdir(parents=True)
        (subs / name / f"{EXERCISE}.ipynb").write_text(submission(linear))
    # broken and oversized notebooks, malformed metadata, symlinks into the instructor's files
    (subs / "k20_huge").mkdir()
    big = {"cells": [{"cell_type": "code", "source": "", "metadata": {}}] * 200_000,
           "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (subs / "k20_huge" / f"{EXERCISE}.ipynb").write_text(json.dumps(big))
    (subs / "k21_bad_metadata").mkdir()
    bad = json.loads(submission(LINEAR_OK))
    bad["metadata"]["labkit"] = {"exercise": ["not", "a", "name"]}
    for i, cell in enumerate(bad["cells"]):
        cell["metadata"]["nbgrader"] = [1, 2] if i % 2 else {"grade_id": 7, "solution": "yes"}
    (subs / "k21_bad_metadata" / f"{EXERCISE}.ipynb").write_text(json.dumps(bad))
    (subs / "k22_symlink").mkdir()
    os.symlink(solutions / f"{EXERCISE}.ipynb", subs / "k22_symlink" / f"{EXERCISE}.ipynb")
    os.symlink(solutions, subs / "k23_symlinked_folder")
    before = {p: p.read_bytes() for p in sorted(base.rglob("*.ipynb")) if not p.is_symlink()}
    out = base / "grades.csv"
    old_tempdir = tempfile.tempdir
    tempfile.tempdir = str(scratch)
    try:
        start = time.time()
        code = grade_cli(subs, solutions, out)
        seconds = time.time() - start
        written = out.read_bytes()
        time.sleep(3)  # anything that outlived the grader would act now
        alone = base / "alone"
        (alone / "k00_honest").mkdir(parents=True)
        shutil.copy(subs / "k00_honest" / f"{EXERCISE}.ipynb", alone / "k00_honest")
        grade_cli(alone, solutions, base / "alone.csv")
    finally:
        tempfile.tempdir = old_tempdir
    return {"base": base, "out": out, "code": code, "written": written, "before": before,
            "rows": rows_of(out), "alone": rows_of(base / "alone.csv")["k00_honest"],
            "scratch": scratch, "seconds": seconds}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_each_attack_scores_what_it_earns_with_the_reason(attacked, name):
    _, expected, reason = ATTACKS[name]
    row = attacked["rows"][name]
    if expected is not None:
        assert float(row["total"]) == expected, row["feedback"]
    if reason:
        assert reason in row["feedback"]
    assert "LEAK" not in row["feedback"] and "BEGIN" not in row["feedback"]


@pytest.mark.parametrize("name", HONEST)
def test_honest_neighbours_get_exactly_their_grade_alone(attacked, name):
    row, alone = attacked["rows"][name], attacked["alone"]
    assert float(row["total"]) == FULL
    for key in ("sigmoid_backward_check", "linear_backward_check", "total", "status",
                "feedback"):
        assert row[key] == alone[key], key


def test_broken_huge_and_malformed_notebooks_are_reported_not_fatal(attacked):
    rows = attacked["rows"]
    assert rows["k20_huge"]["status"] == "too large"
    assert rows["k21_bad_metadata"]["status"] in ("graded", "unknown exercise")
    assert attacked["code"] == 1  # some notebooks could not be graded: the exit code says so


def test_symlinks_in_the_submissions_folder_are_not_followed(attacked):
    assert "k22_symlink" not in attacked["rows"]
    assert not any(r.startswith("k23") or r == "solutions" for r in attacked["rows"])


def test_no_file_outside_the_sandbox_was_touched(attacked):
    for path, data in attacked["before"].items():
        assert path.read_bytes() == data, path


def test_the_gradebook_is_unchanged_after_the_grader_exits(attacked):
    assert attacked["out"].read_bytes() == attacked["written"]
    assert "forged" not in attacked["written"].decode()


def test_nothing_outlives_grading(attacked):
    assert processes_with(MARKER) == []
    assert processes_with(str(attacked["scratch"])) == []
    assert not list(attacked["scratch"].iterdir())  # every kernel's folder removed
    mine = f"-{os.getpid()}"
    assert not [p for p in Path("/sys/fs/cgroup/memory").glob("labkit-grade-*")
                if p.name.endswith(mine)]


def grade_alone(tmp_path: Path, notebook: str, *extra: str) -> dict:
    """The gradebook row of one learner's notebook graded on its own."""
    subs = tmp_path / "subs"
    (subs / "solo").mkdir(parents=True)
    (subs / "solo" / f"{EXERCISE}.ipynb").write_text(notebook)
    out = tmp_path / "g.csv"
    cli_main(["grade", str(subs), "--solutions", str(ROOT / "solutions"), "--out", str(out),
              "--quiet", *extra])
    return rows_of(out)["solo"]


def test_a_total_timeout_is_reported_as_a_timeout(tmp_path):
    slow = submission(LINEAR_OK, extra=["import time\ntime.sleep(4)"] * 3)
    row = grade_alone(tmp_path, slow, "--cell-timeout", "5", "--total-timeout", "8")
    assert row["status"] == "timed out"
    assert "total time limit of 8 s" in row["feedback"]
    assert float(row["total"]) == SIG_ONLY


def test_a_duplicated_solution_cell_grades_what_the_notebook_would_run(tmp_path):
    wrong = "def linear_backward(delta, a_prev, W):\n    return None\n"
    row = grade_alone(tmp_path, submission(LINEAR_OK, extra=[wrong]))
    assert float(row["total"]) == FULL
