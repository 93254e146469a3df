"""Grading a folder of submissions against the instructor's solutions.

For each submission (read as hostile data: submission.py): identify its exercise, rebuild
it from the instructor's notebook with the learner's solution cells in place and a probe
for each graded part, and run it in a kernel of its own inside the sandbox (sandbox.py)
with a per-cell and a total timeout. Parts with different library policies run in separate
kernels. The probes' plain results are the only thing read back, from the probe cells'
outputs; every comparison happens here, in the grader's process, with the references that
never enter the kernel. The submission file is only read.

The cases are drawn from a seed (``part_cases``): by default a secret one, new for every
run (``draw_seed``), since labkit is open and a learner who knew the seed could draw the
cases at home and submit their answers as a table. Every gradebook row records its seed;
grading again with that seed reproduces the gradebook.
"""
from __future__ import annotations

import asyncio
import json
import secrets
import sys
import warnings
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from .plain import from_plain
from .probe import RESULTS_MIME, Outcome
from .problems import get_problem, judge_forms
from .sandbox import Limits, Sandbox, SandboxedKernelManager, SandboxUnavailable
from .submission import (
    BadSubmission,
    Exercise,
    Part,
    assemble,
    identify,
    load_exercises,
    part_cases,
    read_submission,
)

MAX_RESULT_BYTES = 4 * 2**20
EXCERPT = 80

__all__ = ["Result", "SandboxUnavailable", "draw_seed", "grade_folder", "grade_submission",
           "load_exercises", "excerpt"]


def draw_seed(seed: int | None = None) -> int:
    """``seed``, or when None a secret seed for one grading run (see the module docstring)."""
    return secrets.randbelow(2**32) if seed is None else seed


@dataclass
class Result:
    learner: str
    file: str
    exercise: str = "?"
    points: dict[str, float] = field(default_factory=dict)
    max_points: float = 0.0
    status: str = "graded"
    feedback: list[str] = field(default_factory=list)
    seed: int | None = None          # of the graded cases (None: an old gradebook's row)

    @property
    def total(self) -> float:
        return sum(self.points.values())


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """A short, printable excerpt of text the learner controls (no newlines or control
    characters, and no "|", which separates the feedback items of a gradebook)."""
    clean = "".join(ch if ch.isprintable() and ch != "|" else " " for ch in str(text))
    clean = " ".join(clean.split())
    return clean if len(clean) <= limit else clean[:limit - 1] + "\u2026"


def run_async(coro):
    """Runs a coroutine to its end, also when the caller already runs an event loop (a
    notebook, or a test session driving a browser): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


class ResultsClient(NotebookClient):
    """An nbclient that keeps no outputs but the probes' results (the first one of each probe
    cell, size-capped), and the names of the errors the cells raised (for limit words)."""

    def __init__(self, *args, probe_cells: dict[int, tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.probe_cells = probe_cells
        self.results: dict[int, str] = {}
        self.errors: set[tuple[str, str]] = set()

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        if msg.get("msg_type") == "error":
            self.errors.add((excerpt(content.get("ename", ""), 40),
                             excerpt(content.get("evalue", ""), 120)))
        elif cell_index in self.probe_cells and cell_index not in self.results:
            data = content.get("data", {}) if isinstance(content, dict) else {}
            payload = data.get(RESULTS_MIME) if isinstance(data, dict) else None
            if isinstance(payload, str) and len(payload) <= MAX_RESULT_BYTES:
                self.results[cell_index] = payload
        return None

    def clear_output(self, outs, msg, cell_index):
        return None


@dataclass
class Run:
    """What one kernel run gave back."""

    results: dict[int, str]
    stopped: str | None = None      # why it stopped early, in words
    status: str | None = None       # "timed out", "over a limit", "kernel died", ...
    cells_run: int = 0


async def execute(nb: nbformat.NotebookNode, probes: dict[int, tuple[str, str]],
                  sandbox: Sandbox | None, forbid: frozenset[str], cell_timeout: float,
                  total_timeout: float) -> Run:
    """Runs the notebook in a fresh kernel; a kernel that dies before running any cell (the
    machine, not the submission) is started once more."""
    run = Run({})
    for attempt in (1, 2):
        run = await _execute_once(nb, probes, sandbox, forbid, cell_timeout, total_timeout)
        if run.stopped is None or run.cells_run > 0 or attempt == 2:
            break
    return run


async def _execute_once(nb, probes, sandbox, forbid, cell_timeout, total_timeout) -> Run:
    if sandbox is None:
        import tempfile
        with tempfile.TemporaryDirectory(prefix="labkit-grade-") as folder:
            km = SandboxedKernelManager(kernel_name="python3", transport="ipc",
                                        ip=f"{folder}/kernel")
            return await _drive(km, nb, probes, cell_timeout, total_timeout, folder, None)
    with sandbox.kernel(forbid) as box:
        km = SandboxedKernelManager(kernel_name="python3", transport="ipc",
                                    ip=str(box.folder / "kernel"),
                                    connection_file=str(box.folder / "kernel.json"))
        km.box = box
        return await _drive(km, nb, probes, cell_timeout, total_timeout, str(box.folder), box)


async def _drive(km, nb, probes, cell_timeout, total_timeout, folder, box) -> Run:
    client = ResultsClient(nb.copy(), km=km, timeout=cell_timeout, allow_errors=True,
                           interrupt_on_timeout=True, kernel_name="python3",
                           startup_timeout=60, record_timing=False,
                           shutdown_kernel="immediate", probe_cells=probes,
                           resources={"metadata": {"path": folder}})
    run = Run(client.results)
    task = asyncio.ensure_future(client.async_execute())
    try:
        done, _ = await asyncio.wait({task}, timeout=total_timeout)
        if not done:  # the total limit: whatever the cancelled run raises on its way out
            run.status = "timed out"
            run.stopped = f"stopped after the total time limit of {total_timeout:g} s"
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        else:
            task.result()
    except DeadKernelError:
        run.status = "kernel died"
        run.stopped = "the kernel stopped (sys.exit, os._exit or a crash)"
    except Exception as exc:  # a kernel that would not start, a protocol error, ...
        run.status = "stopped early"
        run.stopped = f"the run stopped: {type(exc).__name__}: {excerpt(str(exc), 150)}"
    finally:
        process = getattr(km.provisioner, "process", None) if km.provisioner else None
        exit_code = process.poll() if process is not None else None
        try:  # never leave a kernel behind, whatever happened
            await km.shutdown_kernel(now=True)
        except Exception:  # already gone, or never started
            pass
    run.cells_run = client.code_cells_executed
    if box is not None and run.status in ("kernel died", "stopped early"):
        words = box.limit_hit(exit_code)
        if words:
            run.status, run.stopped = "over a limit", f"the kernel {words}"
    if run.stopped is None:
        words = _limit_errors(client.errors, box.limits if box else Limits())
        if words:
            run.stopped = words
    return run


def _limit_errors(errors: set[tuple[str, str]], limits: Limits) -> str | None:
    """Words for a limit the cells ran into, read from the errors they raised (the learner
    could fake these; they only ever explain the learner's own grade)."""
    for name, value in sorted(errors):
        if name == "MemoryError":
            return f"a cell used more than {limits.memory_mb} MB of memory (MemoryError)"
        if "File too large" in value:
            return f"a cell wrote a file larger than {limits.file_mb} MB"
        if "Too many open files" in value:
            return f"a cell opened more than {limits.open_files} files"
        if "No space left on device" in value:
            return f"a cell wrote more than {limits.disk_mb} MB to disk"
        if "can't start new thread" in value or (
                name == "BlockingIOError" and "Resource temporarily unavailable" in value):
            return f"a cell started more than {limits.processes} processes or threads"
    return None


def parse_results(payload: str) -> tuple[str, str, list[Outcome]] | None:
    """A probe's JSON, checked field by field; None when it is not what a probe writes."""
    try:
        data = json.loads(payload)
        part, problem, raw = data["part"], data["problem"], data["outcomes"]
        if not (isinstance(part, str) and isinstance(problem, str) and isinstance(raw, list)):
            return None
        outcomes = []
        for o in raw[:1000]:
            error = o.get("error")
            outcomes.append(Outcome(result=from_plain(o.get("result")),
                                    error=excerpt(error, 200) if isinstance(error, str)
                                    else None, missing=o.get("missing") is True))
        return part, problem, outcomes
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        return None


def learner_of(path: Path, root: Path) -> str:
    rel = path.relative_to(root)
    return rel.parts[0] if len(rel.parts) > 1 else path.stem


def policy_groups(exercise: Exercise) -> list[tuple[frozenset[str], list[Part]]]:
    """The exercise's parts grouped by what they forbid: one kernel per group."""
    groups: dict[frozenset[str], list[Part]] = {}
    for part in exercise.parts:
        groups.setdefault(part.forbid, []).append(part)
    return list(groups.items())


def grade_submission(path: Path, root: Path, exercises: dict[str, Exercise],
                     seed: int | None = None, cell_timeout: float = 10.0,
                     total_timeout: float = 60.0, sandbox: Sandbox | None = None) -> Result:
    """Grades one notebook (see the module docstring); never raises for a bad submission.
    ``seed`` None: a secret one. ``sandbox`` None runs the kernel unconfined (trusted
    notebooks only)."""
    return run_async(_grade_submission(path, root, exercises, draw_seed(seed), cell_timeout,
                                       total_timeout, sandbox))


async def _grade_submission(path, root, exercises, seed, cell_timeout, total_timeout,
                            sandbox) -> Result:
    result = Result(learner=learner_of(path, root), file=str(path.relative_to(root)),
                    seed=seed)
    try:  # in a thread: even a large notebook never blocks the kernels graded meanwhile
        nb_json, cells = await asyncio.to_thread(read_submission, path)
    except BadSubmission as exc:
        result.status = exc.status
        result.feedback.append(str(exc))
        return result
    exercise = identify(path, nb_json, cells, exercises)
    if exercise is None:
        result.status = "unknown exercise"
        result.feedback.append("cannot tell which exercise this notebook is")
        return result
    result.exercise, result.max_points = exercise.name, exercise.max_points
    reported: dict[tuple[str, str], list[Outcome]] = {}
    for forbid, parts in policy_groups(exercise):
        nb, probes = assemble(exercise, cells, parts, seed)
        run = await execute(nb, probes, sandbox, forbid, cell_timeout, total_timeout)
        for index, (gid, problem) in probes.items():
            parsed = parse_results(run.results[index]) if index in run.results else None
            if parsed and parsed[:2] == (gid, problem):
                reported[(gid, problem)] = parsed[2]
        if run.stopped:
            if run.status and result.status == "graded":
                result.status = run.status
            result.feedback.append(run.stopped)
    for part in exercise.parts:
        passed = bool(part.problems)
        for name in part.problems:
            problem = get_problem(name)
            runs = {form.name: (part_cases(seed, exercise.name, part.grade_id, form.name),
                                reported[(part.grade_id, form.name)])
                    for form in problem.forms if (part.grade_id, form.name) in reported}
            if name not in runs:
                passed = False
                result.feedback.append(f"{part.grade_id}: not reached")
                continue
            verdict = judge_forms(problem, runs)
            if not verdict.passed:
                passed = False
                form = problem.older.name if verdict.older else name
                result.feedback.append(verdict.feedback + _forbidden_hint(part, runs[form][1]))
            elif verdict.older:  # full marks, and the gradebook says by which form
                result.feedback.append(verdict.feedback)
        result.points[part.grade_id] = part.points if passed else 0.0
    return result


def _forbidden_hint(part: Part, outcomes: list[Outcome]) -> str:
    if part.forbid and any(o.error and "is not available while this part is graded" in o.error
                           for o in outcomes):
        return (f" ({' and '.join(sorted(part.forbid))} may not be used here: this part asks "
                "for your own implementation)")
    return ""


def find_submissions(root: Path) -> list[Path]:
    """Every notebook under root, symlinks neither followed nor graded."""
    found = []
    for path in sorted(Path(root).rglob("*.ipynb")):
        rel = path.relative_to(root)
        if ".ipynb_checkpoints" in rel.parts:
            continue
        if any((Path(root) / Path(*rel.parts[:i + 1])).is_symlink()
               for i in range(len(rel.parts))):
            continue
        found.append(path)
    return found


def shard_of(path: Path, root: Path, shards: int) -> int:
    """The shard (1..shards) a submission belongs to: by its path, so every machine of a
    sharded run agrees without talking to the others."""
    return zlib.crc32(str(path.relative_to(root)).encode()) % shards + 1


def grade_folder(submissions: Path, solutions: Path, workers: int = 2,
                 seed: int | None = None, cell_timeout: float = 10.0, total_timeout: float = 60.0,
                 progress: bool = True, sandbox: bool = True, limits: Limits | None = None,
                 shard: tuple[int, int] = (1, 1)) -> list[Result]:
    """Grades every notebook under ``submissions`` (of shard ``(i, n)``), ``workers`` at a
    time, each in a sandbox, on the cases of ``seed`` (None: a secret one, the same for every
    notebook of the run); ``sandbox=False`` only for trusted notebooks."""
    seed = draw_seed(seed)
    exercises = load_exercises(solutions)
    box = Sandbox(limits) if sandbox else None
    if box is None:
        warnings.warn("grading WITHOUT a sandbox: every submission runs with your rights and "
                      "can read, change or delete your files", stacklevel=2)
    index, count = shard
    paths = [p for p in find_submissions(submissions)
             if shard_of(p, Path(submissions), count) == index]
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(paths), desc="grading", unit="notebook", file=sys.stderr)

    async def grade_all() -> list[Result]:
        slots = asyncio.Semaphore(max(1, workers))

        async def one(path: Path) -> Result:
            async with slots:
                try:
                    result = await _grade_submission(path, Path(submissions), exercises, seed,
                                                     cell_timeout, total_timeout, box)
                except Exception as exc:  # the grader's own fault: say so, go on
                    result = Result(learner_of(path, Path(submissions)),
                                    str(path.relative_to(submissions)), status="not graded",
                                    seed=seed, feedback=[f"grader error: {type(exc).__name__}: "
                                              f"{excerpt(str(exc), 150)}"])
            if bar is not None:
                bar.update(1)
            return result

        return list(await asyncio.gather(*(one(p) for p in paths)))

    try:
        results = run_async(grade_all())
    finally:
        if bar is not None:
            bar.close()
        if box is not None:
            box.close()
    return sorted(results, key=lambda r: (r.learner, r.file))
