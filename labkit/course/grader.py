"""Grading a folder of submissions against the instructor's solutions.

For each submission: identify its exercise, rebuild it from the instructor's notebook (every
locked, check and hidden-test cell restored from solutions/; only the learner's solution cells
and the cells they added are taken from the submission), append a probe after each graded
part, execute it in a kernel of its own (a separate process) with a per-cell and a total
timeout, and compare the plain results with the reference in this process. The submission
file is only read.
"""
from __future__ import annotations

import asyncio
import csv
import json
import secrets
import sys
import tempfile
import zlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from .markers import grade_id, is_graded, is_solution, nbgrader, problems_of
from .plain import from_plain, to_plain
from .problems import Outcome, get_problem, judge

CASES_PER_PROBLEM = 10


@dataclass(frozen=True)
class Part:
    grade_id: str
    points: float
    problems: tuple[str, ...]


@dataclass
class Exercise:
    name: str
    notebook: nbformat.NotebookNode
    parts: list[Part]

    @property
    def max_points(self) -> float:
        return sum(p.points for p in self.parts)


@dataclass
class Result:
    learner: str
    file: str
    exercise: str = "?"
    points: dict[str, float] = field(default_factory=dict)
    max_points: float = 0.0
    status: str = "graded"
    feedback: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(self.points.values())


def load_exercises(solutions: Path) -> dict[str, Exercise]:
    exercises = {}
    for path in sorted(Path(solutions).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        parts = [Part(grade_id(c), float(nbgrader(c).get("points", 0)), tuple(problems_of(c)))
                 for c in nb.cells if is_graded(c)]
        exercises[path.stem] = Exercise(path.stem, nb, parts)
    if not exercises:
        raise FileNotFoundError(f"no solution notebooks in {solutions}")
    return exercises


def _cells(nb_json: dict) -> list[dict]:
    cells = nb_json.get("cells") if isinstance(nb_json, dict) else None
    if not isinstance(cells, list):
        raise ValueError("it has no list of cells")
    clean = []
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            source = ""
        metadata = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        clean.append({"cell_type": cell.get("cell_type"), "source": source,
                      "metadata": metadata})
    return clean


def identify(path: Path, nb_json: dict, cells: list[dict],
             exercises: dict[str, Exercise]) -> Exercise | None:
    """By the notebook's own metadata, then by file name, then by the grade_ids it holds."""
    meta = nb_json.get("metadata", {}) if isinstance(nb_json, dict) else {}
    name = meta.get("labkit", {}).get("exercise") if isinstance(meta, dict) and isinstance(
        meta.get("labkit"), dict) else None
    if name in exercises:
        return exercises[name]
    for ex in exercises.values():
        if path.stem == ex.name or path.stem.endswith(ex.name):
            return ex
    ids = {grade_id(c) for c in cells} - {None}
    best = max(exercises.values(), key=lambda ex: len(ids & {grade_id(c) for c in
                                                             ex.notebook.cells}))
    return best if ids & {grade_id(c) for c in best.notebook.cells} else None


def part_cases(seed: int, exercise: str, part: str, problem: str) -> list[tuple]:
    key = zlib.crc32(f"{exercise}/{part}/{problem}".encode())
    return get_problem(problem).cases(np.random.default_rng([seed, key]),
                                      CASES_PER_PROBLEM)


def assemble(exercise: Exercise, cells: list[dict], results_path: Path,
             seed: int) -> nbformat.NotebookNode:
    """The instructor's notebook with the learner's solution cells (and added cells) in place,
    and a probe cell after every graded part."""
    own = {grade_id(c) for c in exercise.notebook.cells}
    learner: dict[str, dict] = {}
    extras: dict[str | None, list[dict]] = {}
    current = None
    for cell in cells:
        gid = grade_id(cell)
        if gid in own:
            if any(is_solution(c) and grade_id(c) == gid for c in exercise.notebook.cells):
                learner.setdefault(gid, cell)
                current = gid
            continue  # locked, check and hidden-test cells come from the instructor
        if cell.get("cell_type") == "code":
            extras.setdefault(current, []).append(cell)
    out = nbformat.v4.new_notebook(metadata=exercise.notebook.metadata)
    # IPython's exit() would end the kernel at a moment that races with the probes; it is
    # made a no-op, so the same submission always gets the same grade (os._exit still ends
    # the run, deterministically: the parts after it score zero)
    out.cells.append(nbformat.v4.new_code_cell(
        "get_ipython().ask_exit = lambda *args, **kwargs: None"))
    first_solution = True
    for cell in exercise.notebook.cells:
        gid = grade_id(cell)
        if cell.cell_type != "code":
            continue
        if is_solution(cell):
            if first_solution:
                out.cells += [nbformat.v4.new_code_cell(c["source"]) for c in extras.get(None, [])]
                first_solution = False
            mine = learner.get(gid)
            source = mine["source"] if mine is not None else ""
            out.cells.append(nbformat.v4.new_code_cell(source))
            out.cells += [nbformat.v4.new_code_cell(c["source"]) for c in extras.get(gid, [])]
            continue
        out.cells.append(nbformat.v4.new_code_cell(cell.source))
        if is_graded(cell):
            for problem in problems_of(cell):
                cases = part_cases(seed, exercise.name, gid, problem)
                cases_json = json.dumps([[to_plain(a) for a in case] for case in cases])
                function = get_problem(problem).function
                out.cells.append(nbformat.v4.new_code_cell(
                    "from labkit.course.probe import report as __labkit_report\n"
                    f"__labkit_report({str(results_path)!r}, {gid!r}, {problem!r}, "
                    f"globals().get({function!r}), {cases_json!r})"))
    return out


def run_async(coro):
    """Runs a coroutine to its end, also when the caller already runs an event loop (a
    notebook, or a test session driving a browser): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


class DiscardingClient(NotebookClient):
    """An nbclient that keeps no outputs (the grader reads results from its own file), so a
    learner's huge output costs nothing."""

    def output(self, outs, msg, display_id, cell_index):
        return None

    def clear_output(self, outs, msg, cell_index):
        return None


async def execute(nb: nbformat.NotebookNode, workdir: Path, cell_timeout: float,
                  total_timeout: float) -> str | None:
    """Runs the notebook in a fresh kernel (a process of its own, working in ``workdir``):
    errors do not stop it, a cell over ``cell_timeout`` is interrupted and the run goes on,
    the whole run stops at ``total_timeout``. Returns why it stopped early, or None.

    A kernel that dies before running any cell (the machine, not the submission: e.g. out of
    memory) is started once more before the submission is marked as stopped."""
    for attempt in (1, 2):
        stopped, cells_run = await _execute_once(nb, workdir, cell_timeout, total_timeout,
                                                 attempt)
        if stopped is None or cells_run > 0 or attempt == 2:
            return stopped
    return stopped  # pragma: no cover


async def _execute_once(nb: nbformat.NotebookNode, workdir: Path, cell_timeout: float,
                        total_timeout: float, attempt: int) -> tuple[str | None, int]:
    """One run of ``execute``: (why it stopped early or None, code cells started)."""
    # the kernel talks over Unix sockets next to ``workdir``, not TCP ports: kernels started
    # at the same moment (grading workers, other tests) cannot pick the same port
    km = AsyncKernelManager(kernel_name="python3", transport="ipc",
                            ip=str(workdir.parent / f"kernel{attempt}"))
    client = DiscardingClient(nb.copy(), km=km, timeout=cell_timeout, allow_errors=True,
                              interrupt_on_timeout=True, kernel_name="python3",
                              startup_timeout=60, record_timing=False,
                              shutdown_kernel="immediate",
                              resources={"metadata": {"path": str(workdir)}})
    stopped = None
    try:
        await asyncio.wait_for(client.async_execute(), total_timeout)
    except asyncio.TimeoutError:
        stopped = f"stopped after the total time limit of {total_timeout:g} s"
    except DeadKernelError:
        stopped = "the kernel stopped (sys.exit, os._exit or a crash)"
    except Exception as exc:  # a kernel that would not start, a protocol error, ...
        stopped = f"the run stopped: {type(exc).__name__}: {str(exc)[:150]}"
    finally:
        try:  # never leave a kernel behind, whatever happened
            await km.shutdown_kernel(now=True)
        except Exception:  # already gone, or never started
            pass
    return stopped, client.code_cells_executed


def _read_results(path: Path) -> dict[tuple[str, str], list[Outcome]]:
    found: dict[tuple[str, str], list[Outcome]] = {}
    if not path.exists():
        return found
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            data = json.loads(line)
            key = (str(data["part"]), str(data["problem"]))
            outcomes = [Outcome(result=from_plain(o.get("result")),
                                error=o.get("error") if isinstance(o.get("error"), str)
                                else None, missing=bool(o.get("missing")))
                        for o in data["outcomes"]]
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        found.setdefault(key, outcomes)  # the first report of a part is the probe's
    return found


def learner_of(path: Path, root: Path) -> str:
    rel = path.relative_to(root)
    return rel.parts[0] if len(rel.parts) > 1 else path.stem


def grade_submission(path: Path, root: Path, exercises: dict[str, Exercise], seed: int = 0,
                     cell_timeout: float = 10.0, total_timeout: float = 60.0) -> Result:
    """Grades one notebook (see the module docstring); never raises for a bad submission."""
    return run_async(_grade_submission(path, root, exercises, seed, cell_timeout,
                                       total_timeout))


async def _grade_submission(path: Path, root: Path, exercises: dict[str, Exercise], seed: int,
                            cell_timeout: float, total_timeout: float) -> Result:
    result = Result(learner=learner_of(path, root), file=str(path.relative_to(root)))
    try:
        nb_json = json.loads(path.read_text(encoding="utf-8"))
        cells = _cells(nb_json)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        result.status = "unreadable"
        result.feedback.append(f"not a valid notebook ({type(exc).__name__}: "
                               f"{str(exc)[:120]})")
        return result
    exercise = identify(path, nb_json, cells, exercises)
    if exercise is None:
        result.status = "unknown exercise"
        result.feedback.append("cannot tell which exercise this notebook is")
        return result
    result.exercise, result.max_points = exercise.name, exercise.max_points
    with tempfile.TemporaryDirectory(prefix="labkit-grade-") as tmp:
        # the kernel works in its own folder; the results file lies outside it, under a
        # name it cannot guess
        results_path = Path(tmp) / f"results-{secrets.token_hex(8)}.jsonl"
        workdir = Path(tmp) / "work"
        workdir.mkdir()
        stopped = await execute(assemble(exercise, cells, results_path, seed), workdir,
                                cell_timeout, total_timeout)
        reported = _read_results(results_path)
    if stopped:
        result.status = "stopped early"
        result.feedback.append(stopped)
    for part in exercise.parts:
        passed = True
        for problem in part.problems:
            outcomes = reported.get((part.grade_id, problem))
            if outcomes is None:
                passed = False
                result.feedback.append(f"{part.grade_id}: not reached")
                continue
            cases = part_cases(seed, exercise.name, part.grade_id, problem)
            verdict = judge(get_problem(problem), cases, outcomes)
            if not verdict.passed:
                passed = False
                result.feedback.append(verdict.feedback)
        result.points[part.grade_id] = part.points if passed and part.problems else 0.0
    return result


def find_submissions(root: Path) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


def grade_folder(submissions: Path, solutions: Path, workers: int = 2, seed: int = 0,
                 cell_timeout: float = 10.0, total_timeout: float = 60.0,
                 progress: bool = True) -> list[Result]:
    """Grades every notebook under ``submissions``, ``workers`` at a time."""
    exercises = load_exercises(solutions)
    paths = find_submissions(submissions)
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(paths), desc="grading", unit="notebook", file=sys.stderr)

    async def grade_all() -> list[Result]:
        slots = asyncio.Semaphore(max(1, workers))

        async def one(path: Path) -> Result:
            async with slots:
                result = await _grade_submission(path, Path(submissions), exercises, seed,
                                                 cell_timeout, total_timeout)
            if bar is not None:
                bar.update(1)
            return result

        return list(await asyncio.gather(*(one(p) for p in paths)))

    try:
        results = run_async(grade_all())
    finally:
        if bar is not None:
            bar.close()
    return sorted(results, key=lambda r: (r.learner, r.file))


def write_csv(results: Iterable[Result], out: Path) -> None:
    results = list(results)
    parts: list[str] = []
    for r in results:
        parts += [p for p in r.points if p not in parts]
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["learner", "exercise", "file", *parts, "total", "max", "status",
                         "feedback"])
        for r in results:
            writer.writerow([r.learner, r.exercise, r.file,
                             *[_fmt(r.points[p]) if p in r.points else "" for p in parts],
                             _fmt(r.total), _fmt(r.max_points), r.status,
                             " | ".join(r.feedback)])


def _fmt(x: float) -> str:
    return f"{x:g}"


def summary(results: list[Result]) -> str:
    n = len(results)
    full = sum(1 for r in results if r.max_points and r.total == r.max_points)
    problems = [r for r in results if r.status != "graded"]
    lines = [f"graded {n} notebooks: {full} with full marks, {len(problems)} with problems"]
    for status in sorted({r.status for r in problems}):
        lines.append(f"  {status}: {sum(1 for r in problems if r.status == status)}")
    return "\n".join(lines)
