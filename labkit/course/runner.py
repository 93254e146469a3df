"""Executes one assembled submission notebook (in its own process, started by the grader).

    python -m labkit.course.runner NOTEBOOK --cell-timeout S

Errors in cells do not stop the run; a cell that exceeds its timeout is interrupted and the
run goes on; outputs are discarded as they arrive (a learner's huge output costs nothing).
A dead kernel ends the run: the parts after it are never reported, so they score zero.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


class DiscardingClient(NotebookClient):
    """An nbclient that keeps no outputs: the grader reads results from its own file."""

    def output(self, outs, msg, display_id, cell_index):
        return None

    def clear_output(self, outs, msg, cell_index):
        return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labkit.course.runner")
    parser.add_argument("notebook")
    parser.add_argument("--cell-timeout", type=float, default=10.0)
    args = parser.parse_args(argv)
    nb = nbformat.read(args.notebook, as_version=4)
    client = DiscardingClient(nb, timeout=args.cell_timeout, allow_errors=True,
                              interrupt_on_timeout=True, kernel_name="python3",
                              startup_timeout=60, record_timing=False,
                              shutdown_kernel="immediate")
    try:
        client.execute(cwd=str(Path(args.notebook).parent))
    except Exception as exc:  # dead kernel, kernel that would not start, ...
        print(f"run stopped: {type(exc).__name__}: {str(exc)[:300]}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # the kernel is already shut down; skip the interpreter's slow teardown of the
    # messaging threads (seconds per notebook otherwise)
    os._exit(code)
