"""The learner's own folder: copies of exercises/ made on first use, never overwritten.

``make lab`` (and ``labkit exercises workspace``) copy every exercise notebook that the
workspace does not hold yet; a file already there is the learner's and is left alone, so an
exercise added to the course later arrives without touching the learner's answers. The
exercise builder writes only exercises/, never this folder.

An exercise renamed to match its lesson (``RENAMED``) arrives under its new name; the
learner's copy under the old name stays as it is, and ``old_copies`` names it so the learner
is told once, when the new copy is made. The grader takes both names.
"""
from __future__ import annotations

import shutil
from pathlib import Path

WORKSPACE = "my-work"   # the learner's folder, at the root of the repository

# old exercise name -> its lesson's name (the exercises were renamed after their lessons)
RENAMED = {"06_batches": "06_vectorization", "08_initialization": "08_vanishing_exploding"}


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


def old_copies(workspace: Path, names: list[str]) -> list[tuple[str, str]]:
    """(old file, new file) for each of ``names`` (exercise files just copied) whose
    exercise had another name, when the workspace holds a copy under that old name."""
    old_of = {f"{new}.ipynb": f"{old}.ipynb" for old, new in RENAMED.items()}
    return [(old_of[name], name) for name in names
            if name in old_of and (workspace / old_of[name]).is_file()]


def old_copy_note(workspace: Path, old: str, new: str) -> str:
    return (f"note: {workspace / old} is your copy of the exercise now called {new}; it is "
            f"kept as it is. {workspace / new} is a fresh copy: carry your answers over, or "
            "keep working in the old file (it can still be graded)")
