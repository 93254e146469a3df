"""The learner's own folder: copies of exercises/ made on first use, never overwritten.

``make lab`` (and ``labkit exercises workspace``) copy every exercise notebook that the
workspace does not hold yet; a file already there is the learner's and is left alone, so an
exercise added to the course later arrives without touching the learner's answers. The
exercise builder writes only exercises/, never this folder.
"""
from __future__ import annotations

import shutil
from pathlib import Path

WORKSPACE = "my-work"   # the learner's folder, at the root of the repository


def make_workspace(exercises: Path, workspace: Path) -> list[str]:
    """Copies each exercises/*.ipynb missing from ``workspace`` into it (creating the
    folder) and returns the names copied; existing files are never opened for writing."""
    if not exercises.is_dir():
        raise FileNotFoundError(f"no exercises folder at {exercises}")
    if workspace.exists() and not workspace.is_dir():
        raise NotADirectoryError(f"{workspace} exists and is not a folder")
    workspace.mkdir(parents=True, exist_ok=True)
    copied = []
    for source in sorted(exercises.glob("*.ipynb")):
        target = workspace / source.name
        try:
            with source.open("rb") as src, target.open("xb") as dst:  # "x": never overwrite
                shutil.copyfileobj(src, dst)
        except FileExistsError:
            continue
        copied.append(source.name)
    return copied

