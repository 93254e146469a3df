"""The learner's side of the repository: my-work/ copies, the start page, `make lab` rooted at
the repository, the lean/dev install stamps, ignored folders, pytest-xdist by whole files."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import nbformat

from labkit.course.cli import main as cli_main
from labkit.course.exercises import build
from labkit.course.workspace import RENAMED, WORKSPACE, make_workspace

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))


def _exercises_copy(tmp_path: Path, names=None) -> Path:
    folder = tmp_path / "exercises"
    folder.mkdir()
    for path in EXERCISES:
        if names is None or path.name in names:
            (folder / path.name).write_bytes(path.read_bytes())
    return folder


def test_workspace_copies_every_exercise(tmp_path):
    exercises = _exercises_copy(tmp_path)
    copied = make_workspace(exercises, tmp_path / WORKSPACE)
    assert copied == [p.name for p in EXERCISES]
    for path in EXERCISES:
        assert (tmp_path / WORKSPACE / path.name).read_bytes() == path.read_bytes()


def test_workspace_never_overwrites_and_adds_new_exercises(tmp_path):
    first = {p.name for p in EXERCISES[:3]}
    exercises = _exercises_copy(tmp_path, first)
    mine = tmp_path / WORKSPACE
    assert sorted(make_workspace(exercises, mine)) == sorted(first)
    answered = mine / EXERCISES[0].name
    answered.write_text("my answers")
    (exercises / EXERCISES[0].name).write_text("a newer exercise")   # the course moved on
    for path in EXERCISES[3:]:                                       # and grew
        (exercises / path.name).write_bytes(path.read_bytes())
    assert make_workspace(exercises, mine) == [p.name for p in EXERCISES[3:]]
    assert answered.read_text() == "my answers"
    assert make_workspace(exercises, mine) == []


def test_workspace_command(tmp_path, capsys):
    exercises = _exercises_copy(tmp_path)
    args = ["exercises", "workspace", "--exercises", str(exercises),
            "--into", str(tmp_path / "mine")]
    assert cli_main(args) == 0
    assert f"copied {len(EXERCISES)} new exercise(s)" in capsys.readouterr().out
    assert cli_main(args) == 0 and "nothing new" in capsys.readouterr().out
    assert cli_main(["exercises", "workspace", "--exercises", str(tmp_path / "none"),
                     "--into", str(tmp_path / "mine")]) == 2
    assert "no exercises folder" in capsys.readouterr().err


def test_every_exercise_is_named_as_its_lesson():
    assert {p.name for p in EXERCISES} <= {p.name for p in LESSONS}
    assert set(RENAMED.values()) <= {p.stem for p in EXERCISES}


def test_a_renamed_exercise_arrives_under_its_new_name_and_the_old_copy_is_kept(tmp_path,
                                                                               capsys):
    exercises = _exercises_copy(tmp_path)
    mine = tmp_path / WORKSPACE
    mine.mkdir()
    old = mine / "06_batches.ipynb"
    old.write_text("my answers, under the old name")
    args = ["exercises", "workspace", "--exercises", str(exercises), "--into", str(mine)]
    assert cli_main(args) == 0
    out = capsys.readouterr().out
    assert old.read_text() == "my answers, under the old name"
    new = mine / "06_vectorization.ipynb"
    assert new.read_bytes() == (exercises / new.name).read_bytes()
    assert out.count("note:") == 1                  # 08_initialization.ipynb was never there
    assert f"note: {old} is your copy of the exercise now called 06_vectorization.ipynb" in out
    assert cli_main(args) == 0                      # told once: when the new copy arrives
    assert "note:" not in capsys.readouterr().out


def test_builder_never_touches_the_workspace(tmp_path):
    mine = tmp_path / WORKSPACE
    make_workspace(_exercises_copy(tmp_path), mine)
    (mine / EXERCISES[0].name).write_text("my answers")
    before = {p.name: p.read_bytes() for p in mine.iterdir()}
    build(ROOT / "solutions", tmp_path / "exercises", force=True)
    assert {p.name: p.read_bytes() for p in mine.iterdir()} == before


def test_learner_folders_are_ignored_by_git_and_exercises_are_not():
    paths = ["my-work/01_forward_pass.ipynb", "submissions/ada/01_forward_pass.ipynb",
             "exercises/01_forward_pass.ipynb", "START_HERE.ipynb"]
    proc = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.stdout.split() == paths[:2]


# --- the start page ------------------------------------------------------------------------

LINK = re.compile(r"\]\(([^)\s]+)\)")


def _start_links() -> list[str]:
    nb = nbformat.read(ROOT / "START_HERE.ipynb", as_version=4)
    assert {c.cell_type for c in nb.cells} == {"markdown"}      # nothing to execute
    return [m for c in nb.cells for m in LINK.findall(c.source)]


def test_start_page_links_lessons_my_work_and_code():
    links = _start_links()
    assert {f"lessons/{p.name}" for p in LESSONS} <= set(links)
    assert {f"lessons/zh/{p.name}" for p in LESSONS} <= set(links)      # the 中文 edition
    assert {f"{WORKSPACE}/{p.name}" for p in EXERCISES} <= set(links)
    assert "labkit/core/layers.py" in links
    for link in links:
        # my-work/ is made by `make lab` from exercises/, so its files exist once it runs
        on_disk = ROOT / re.sub(rf"^{WORKSPACE}/", "exercises/", link)
        assert on_disk.is_file(), link


# --- the Makefile --------------------------------------------------------------------------

def _make_n(target: str, venv: Path | None = None) -> str:
    args = ["make", "-n", "-C", str(ROOT), target]
    if venv is not None:
        args.append(f"VENV={venv}")
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def _jupyter_command(out: str) -> list[str]:
    line = next(line for line in out.splitlines() if "jupyter lab" in line)
    return shlex.split(line)


def test_make_lab_roots_jupyterlab_at_the_repository_on_the_start_page(tmp_path):
    venv = tmp_path / "venv"
    venv.mkdir()
    for stamp in (".installed", ".installed-dev"):
        (venv / stamp).touch()
    out = _make_n("lab", venv)
    lines = out.splitlines()
    workspace = next(i for i, line in enumerate(lines) if "exercises workspace" in line)
    command = _jupyter_command(out)
    assert workspace < lines.index(next(line for line in lines if "jupyter lab" in line))
    assert f"--ServerApp.root_dir={ROOT}" in command
    assert command[-1] == str(ROOT / "START_HERE.ipynb")
    assert "pip" not in out                      # installed: nothing to do but start


def test_jupyterlab_started_as_make_lab_starts_it_serves_the_repository(tmp_path):
    command = _jupyter_command(_make_n("lab"))
    command[0] = str(Path(sys.executable).parent / "jupyter")
    command += ["--no-browser", "--ServerApp.port=0", "--ServerApp.token=t",
                f"--ServerApp.runtime_dir={tmp_path}", "--allow-root"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        log = []
        for line in proc.stdout:
            log.append(line)
            if "Jupyter Server" in line and "is running at" in line or "http://" in line:
                break
        text = "".join(log)
        served = re.search(r"Serving notebooks from local directory: (\S+)", text)
        assert served, text
        assert Path(served.group(1)) == ROOT
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_lab_then_test_installs_only_the_test_tools(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch(mode=0o755)
    (venv / ".installed").touch()                    # `make lab` ran, `make test` never did
    out = _make_n("test", venv)
    assert "-e '.[dev]'" in out
    assert "-m venv" not in out and "pip install --quiet -e .\n" not in out
    (venv / ".installed-dev").touch()
    assert "pip" not in _make_n("test", venv)


def test_a_fresh_lab_install_leaves_out_the_test_tools(tmp_path):
    out = _make_n("lab", tmp_path / "none")
    assert "-m venv" in out and "pip install --quiet -e .\n" in out
    assert "[dev]" not in out


def test_lean_dependencies_are_the_labs_and_the_test_tools_are_an_extra():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[=<>\[ ]", d)[0] for d in project["dependencies"]}
    assert names == {"numpy", "matplotlib", "ipywidgets", "jupyterlab", "tqdm"}
    dev = {re.split(r"[=<>\[ ]", d)[0] for d in project["optional-dependencies"]["dev"]}
    assert {"torch", "playwright", "pytest", "pytest-xdist", "nbgrader"} <= dev
    assert project["license"] == "MIT"


# --- pytest-xdist runs whole files ---------------------------------------------------------

def _pytest(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args,
                           "tests/test_workspace.py", "-k", "ignored_by_git"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_plain_pytest_n_distributes_whole_files():
    proc = _pytest("-n", "2", "-v")
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "scheduling tests via LoadFileScheduling" in proc.stdout


def test_an_explicit_dist_mode_is_kept_and_no_xdist_still_runs():
    proc = _pytest("-n", "2", "-v", "--dist", "load")
    assert "scheduling tests via LoadScheduling" in proc.stdout, proc.stdout[-2000:]
    proc = _pytest("-p", "no:xdist", "-q")
    assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout + proc.stderr


def test_makefile_leaves_the_dist_mode_to_the_pytest_config():
    line = next(line for line in (ROOT / "Makefile").read_text().splitlines()
                if line.startswith("PYTEST_PARALLEL"))
    assert "-n auto" in line and "--dist" not in line     # one place: conftest.py
