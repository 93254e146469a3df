"""Executing notebooks with nbclient, as the lessons are stored: executed, with outputs."""
from __future__ import annotations

import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNEL = "python3"


def execute_notebook(path: str | Path, timeout: int = 300, write: bool = True,
                     cwd: str | Path | None = None, allow_errors: bool = False
                     ) -> tuple[nbformat.NotebookNode, float]:
    """Runs every cell of the notebook at ``path`` in a fresh kernel (working directory: the
    notebook's folder, or ``cwd``) and, with ``write``, stores it back with its outputs.
    Returns the executed notebook and the seconds it took. Errors raise CellExecutionError
    unless ``allow_errors`` (an exercise, whose checks fail until it is solved)."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # no timestamps in stored notebooks: they only make noisy diffs
        cell.metadata.pop("execution", None)
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3",
                                 "language": "python"}
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL, record_timing=False,
                            allow_errors=allow_errors,
                            resources={"metadata": {"path": str(cwd or path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    if write:
        nbformat.write(nb, path)
    return nb, seconds
