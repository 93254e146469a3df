"""The ``labkit`` command line: course tooling for authors and instructors.

    labkit execute lessons/*.ipynb                 re-run notebooks, store them with outputs
    labkit exercises build [--check]               exercises/ from solutions/
    labkit grade SUBMISSIONS --out grades.csv      grade a folder of submitted notebooks
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
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
    from .exercises import LearnerWorkError, build, describe_work, plan

    if args.action == "workspace":
        from .workspace import make_workspace

        try:
            copied = make_workspace(Path(args.exercises), Path(args.into))
        except (FileNotFoundError, NotADirectoryError) as exc:
            print(exc, file=sys.stderr)
            return 2
        print(f"your work lives in {args.into}/: " + (
            f"copied {len(copied)} new exercise(s) there" if copied else "nothing new to copy"))
        return 0
    if args.check:
        differing = build(Path(args.solutions), Path(args.exercises), check=True)
        if differing:
            work = plan(Path(args.solutions), Path(args.exercises))[1]
            print("exercises/ is out of date with solutions/ for: " + ", ".join(differing)
                  + "\n" + (describe_work(work) if work else "regenerate it with: labkit "
                             "exercises build (it never overwrites a learner's work)"),
                  file=sys.stderr)
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
    from .grader import grade_folder, summary, write_csv

    if not Path(args.submissions).is_dir():
        print(f"no submissions folder at {args.submissions}", file=sys.stderr)
        return 2
    results = grade_folder(Path(args.submissions), Path(args.solutions), workers=args.workers,
                           seed=args.seed, cell_timeout=args.cell_timeout,
                           total_timeout=args.total_timeout, progress=not args.quiet)
    write_csv(results, Path(args.out))
    print(summary(results))
    print(f"grades written to {args.out}")
    return 0


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

    gr = sub.add_parser("grade", help="grade a folder of submitted notebooks")
    gr.add_argument("submissions", help="folder of .ipynb files (LEARNER/NAME.ipynb or flat)")
    gr.add_argument("--solutions", default="solutions", help="the instructor's notebooks")
    gr.add_argument("--out", default="grades.csv", help="CSV file to write")
    gr.add_argument("--workers", type=int, default=2, help="notebooks graded at once")
    gr.add_argument("--seed", type=int, default=0, help="seed of the graded cases")
    gr.add_argument("--cell-timeout", type=float, default=10.0, help="seconds per cell")
    gr.add_argument("--total-timeout", type=float, default=60.0,
                    help="seconds per notebook")
    gr.add_argument("--quiet", action="store_true", help="no progress bar")
    gr.set_defaults(func=_grade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
