"""The ``labkit`` command line: course tooling for authors and instructors.

    labkit execute lessons/*.ipynb      re-run notebooks and store them with their outputs
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labkit", description="Backprop Lab course tooling")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("execute", help="re-run notebooks and store them with their outputs")
    ex.add_argument("notebooks", nargs="+", help="notebook files (.ipynb)")
    ex.add_argument("--timeout", type=int, default=300, help="seconds per cell (default 300)")
    ex.set_defaults(func=_execute)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
