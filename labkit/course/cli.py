"""The ``labkit`` command line: course tooling for authors and instructors.

    labkit execute lessons/*.ipynb                 re-run notebooks, store them with outputs
    labkit exercises build [--check]               exercises/ from solutions/
    labkit grade SUBMISSIONS --out grades.csv      grade a folder of submitted notebooks
    labkit grade SUBMISSIONS --shard 2/3 --out g2.csv    one deterministic slice of them
    labkit grade merge g1.csv g2.csv g3.csv --out grades.csv    the shards' gradebooks joined

``python -m labkit`` is the same command.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def _execute(args: argparse.Namespace) -> int:
    from .notebooks import execute_notebook

    failed = 0
    for path in args.notebooks:
        try:
            _, seconds = execute_notebook(path, timeout=args.timeout)
            print(f"executed {path} in {seconds:.1f} s")
        except Exception as exc:  # report every notebook, then fail
            failed += 1
            print(f"FAILED {path}: {type(exc).__name__}: {str(exc)[-2000:]}", file=sys.stderr)
    return 1 if failed else 0


def _exercises(args: argparse.Namespace) -> int:
    from .exercises import SolutionDrift

    if args.action == "workspace":
        from .workspace import make_workspace, old_copies, old_copy_note

        try:
            copied = make_workspace(Path(args.exercises), Path(args.into))
        except (FileNotFoundError, NotADirectoryError) as exc:
            print(exc, file=sys.stderr)
            return 2
        print(f"your work lives in {args.into}/: " + (
            f"copied {len(copied)} new exercise(s) there" if copied else "nothing new to copy"))
        for old, new in old_copies(Path(args.into), copied):  # once: when the new one arrives
            print(old_copy_note(Path(args.into), old, new))
        return 0
    try:
        return _build(args)
    except SolutionDrift as exc:
        print(exc, file=sys.stderr)
        return 1


def _build(args: argparse.Namespace) -> int:
    from .exercises import LearnerWorkError, build, describe_work, plan

    if args.check:
        differing = build(Path(args.solutions), Path(args.exercises), check=True)
        if differing:
            work = plan(Path(args.solutions), Path(args.exercises))[1]
            fix = (describe_work(work, force_hint=False) if work else "regenerate it with: "
                   "labkit exercises build (it never overwrites a learner's work)")
            print("exercises/ is out of date with solutions/ for: " + ", ".join(differing)
                  + "\n" + fix, file=sys.stderr)
            return 1
        print("exercises/ is up to date")
        return 0
    try:
        written = build(Path(args.solutions), Path(args.exercises), force=args.force)
    except LearnerWorkError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"wrote {len(written)} exercise notebook(s)" + (
        ": " + ", ".join(written) if written else " (all were up to date)"))
    return 0


def _grade(args: argparse.Namespace) -> int:
    from .grader import SandboxUnavailable, draw_seed, grade_folder
    from .sandbox import Limits

    if _refuse_existing(args.out, args.force, "labkit grade"):
        return 2
    if args.shard != (1, 1) and args.seed is None:
        print("labkit grade: --shard needs --seed: every shard must grade the same cases. "
              "Choose a number the learners cannot guess and pass it to every shard, e.g. "
              f"--seed {draw_seed()}", file=sys.stderr)
        return 2
    seed = draw_seed(args.seed)
    if args.no_sandbox:
        print("WARNING: --no-sandbox: every submission runs with YOUR rights, unconfined: it "
              "can read your solutions, change other grades and delete your files. Use it "
              "only for notebooks you trust.", file=sys.stderr)
    limits = Limits(memory_mb=args.memory_mb, cpu_seconds=args.cpu_seconds,
                    file_mb=args.file_mb, processes=args.processes,
                    open_files=args.open_files)
    try:
        results = grade_folder(Path(args.submissions), Path(args.solutions),
                               workers=args.workers, seed=seed,
                               cell_timeout=args.cell_timeout,
                               total_timeout=args.total_timeout, progress=not args.quiet,
                               sandbox=not args.no_sandbox, limits=limits, shard=args.shard)
    except SandboxUnavailable as exc:
        print(f"labkit grade: refusing to grade without a sandbox: {exc}", file=sys.stderr)
        return 2
    return _write_gradebook(results, args, f"grades written to {args.out}; the cases were "
                            f"drawn with --seed {seed} (its column in the gradebook: pass it "
                            "again to grade the same cases)")


def _grade_merge(args: argparse.Namespace) -> int:
    from .gradebook import merge

    if _refuse_existing(args.out, args.force, "labkit grade merge"):
        return 2
    try:
        results = merge(Path(p) for p in args.gradebooks)
    except (OSError, ValueError) as exc:
        print(f"labkit grade merge: {exc}", file=sys.stderr)
        return 2
    return _write_gradebook(results, args,
                            f"merged {len(args.gradebooks)} gradebook(s) into {args.out}")


def _write_gradebook(results: list, args: argparse.Namespace, done: str) -> int:
    """Writes --out, prints the summary and what was done; the exit code says whether every
    notebook could be graded."""
    from .gradebook import exit_code, summary, write_csv

    write_csv(results, Path(args.out), force=args.force)
    print(summary(results))
    print(done)
    return exit_code(results)


def _refuse_existing(out: str, force: bool, prog: str) -> bool:
    """Checked before any work: an existing gradebook is replaced only with --force."""
    if Path(out).exists() and not force:
        print(f"{prog}: {out} exists; pass --force to replace it (or choose another --out)",
              file=sys.stderr)
        return True
    return False


def _positive(kind: type) -> Callable[[str], float]:
    def parse(text: str):
        value = kind(text)
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
        return value
    return parse


def _seed(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _shard(text: str) -> tuple[int, int]:
    index, _, count = text.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be I/N (e.g. 2/3), got {text!r}") from None
    if not 1 <= i <= n:
        raise argparse.ArgumentTypeError(f"must be I/N with 1 <= I <= N, got {text!r}")
    return i, n


def _out_file(text: str) -> str:
    folder = Path(text).parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"no folder {folder} to write {text} in")
    if not os.access(folder, os.W_OK):
        raise argparse.ArgumentTypeError(f"cannot write in {folder}")
    if Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder, not a file")
    return text


def _solutions(text: str) -> str:
    if not sorted(Path(text).glob("*.ipynb")):
        raise argparse.ArgumentTypeError(f"no solution notebooks (*.ipynb) in {text}")
    return text


def _folder(text: str) -> str:
    if not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"no submissions folder at {text}")
    return text


def _grade_parsers(sub) -> None:
    from .sandbox import Limits

    gr = sub.add_parser("grade", help="grade a folder of submitted notebooks, each in a "
                        "sandbox (`labkit grade merge` joins the gradebooks of shards)")
    gr.add_argument("submissions", type=_folder,
                    help="folder of .ipynb files (LEARNER/NAME.ipynb or flat)")
    gr.add_argument("--solutions", default="solutions", type=_solutions,
                    help="the instructor's notebooks")
    gr.add_argument("--out", default="grades.csv", type=_out_file, help="CSV file to write")
    gr.add_argument("--force", action="store_true", help="replace --out if it exists")
    gr.add_argument("--workers", type=_positive(int), default=2,
                    help="notebooks graded at once")
    gr.add_argument("--seed", type=_seed, default=None,
                    help="seed of the graded cases (default: a secret one, new for every run "
                    "and written in the gradebook; a seed learners know, they can answer "
                    "from a table; needed with --shard, the same for every shard)")
    gr.add_argument("--cell-timeout", type=_positive(float), default=10.0,
                    help="seconds per cell")
    gr.add_argument("--total-timeout", type=_positive(float), default=60.0,
                    help="seconds per notebook")
    gr.add_argument("--shard", type=_shard, default=(1, 1), metavar="I/N",
                    help="grade only shard I of N (a deterministic slice; merge the CSVs "
                    "with `labkit grade merge`)")
    d = Limits()
    gr.add_argument("--memory-mb", type=_positive(int), default=d.memory_mb,
                    help=f"memory per kernel (default {d.memory_mb})")
    gr.add_argument("--cpu-seconds", type=_positive(int), default=d.cpu_seconds,
                    help=f"CPU time per kernel process (default {d.cpu_seconds})")
    gr.add_argument("--file-mb", type=_positive(int), default=d.file_mb,
                    help=f"largest file a kernel may write (default {d.file_mb})")
    gr.add_argument("--processes", type=_positive(int), default=d.processes,
                    help=f"processes and threads per kernel (default {d.processes})")
    gr.add_argument("--open-files", type=_positive(int), default=d.open_files,
                    help=f"open files per kernel process (default {d.open_files})")
    gr.add_argument("--no-sandbox", action="store_true",
                    help="UNSAFE: run submissions unconfined (only for trusted notebooks)")
    gr.add_argument("--quiet", action="store_true", help="no progress bar")
    gr.set_defaults(func=_grade)


def _merge_parser() -> argparse.ArgumentParser:
    mg = argparse.ArgumentParser(prog="labkit grade merge",
                                 description="join the gradebooks of a sharded run into one, "
                                 "identical to an unsharded run's")
    mg.add_argument("gradebooks", nargs="+", help="the shards' CSV files")
    mg.add_argument("--out", default="grades.csv", type=_out_file, help="CSV file to write")
    mg.add_argument("--force", action="store_true", help="replace --out if it exists")
    mg.set_defaults(func=_grade_merge)
    return mg


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labkit", description="Backprop Lab course tooling")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("execute", help="re-run notebooks and store them with their outputs")
    ex.add_argument("notebooks", nargs="+", help="notebook files (.ipynb)")
    ex.add_argument("--timeout", type=int, default=300, help="seconds per cell (default 300)")
    ex.set_defaults(func=_execute)

    exs = sub.add_parser("exercises", help="exercises/ from solutions/; a learner's copies")
    exs.add_argument("action", choices=["build", "workspace"],
                     help="build: exercises/ from solutions/; workspace: copy exercises/ "
                     "into the learner's folder (new ones only, nothing overwritten)")
    exs.add_argument("--check", action="store_true",
                     help="write nothing; fail if exercises/ differs from what solutions/ gives")
    exs.add_argument("--force", action="store_true",
                     help="overwrite exercise notebooks even where they hold a learner's work")
    exs.add_argument("--solutions", default="solutions")
    exs.add_argument("--exercises", default="exercises")
    from .workspace import WORKSPACE

    exs.add_argument("--into", default=WORKSPACE, help=f"workspace: the learner's folder "
                     f"(default {WORKSPACE})")
    exs.set_defaults(func=_exercises)

    _grade_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:  # argparse's usage errors exit 2 with a one-line reason; as a function, return it
        if argv[:2] == ["grade", "merge"]:  # a folder named merge is graded as ./merge
            args = _merge_parser().parse_args(argv[2:])
        else:
            args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
