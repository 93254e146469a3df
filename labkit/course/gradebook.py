"""The gradebook: one CSV row per graded notebook, written atomically, never overwritten
unasked, and merged from the CSVs of a sharded run into exactly what one run would write.
Its last column is the seed of the graded cases (grader.py): shards merge only when they
share it."""
from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .grader import Result

FIXED = ("learner", "exercise", "file")
TRAILER = ("total", "max", "status", "feedback", "seed")
OLD_TRAILER = TRAILER[:-1]          # a gradebook written before the seed was recorded
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "'")
UNGRADED = ("unreadable", "too large", "unknown exercise", "not graded")


def _fmt(x: float) -> str:
    return f"{x:g}"


def _cell(text: str) -> str:
    """A spreadsheet reads a cell starting with = + - @ as a formula: learner-chosen names
    and feedback are kept as text."""
    return "'" + text if text[:1] in _FORMULA else text


def render_csv(results: Iterable[Result]) -> str:
    results = sorted(results, key=lambda r: (r.learner, r.file))
    parts: list[str] = []
    for r in results:
        parts += [p for p in r.points if p not in parts]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*FIXED, *parts, *TRAILER])
    for r in results:
        writer.writerow([_cell(r.learner), r.exercise, _cell(r.file),
                         *[_fmt(r.points[p]) if p in r.points else "" for p in parts],
                         _fmt(r.total), _fmt(r.max_points), r.status,
                         _cell(" | ".join(r.feedback)), "" if r.seed is None else r.seed])
    return out.getvalue()


def write_csv(results: Iterable[Result], out: Path, force: bool = False) -> None:
    """Writes the gradebook atomically (a temporary file renamed into place); an existing
    file is replaced only with ``force``."""
    out = Path(out)
    if out.exists() and not force:
        raise FileExistsError(f"{out} exists; pass --force to replace it")
    text = render_csv(results)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent or ".")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_csv(path: Path) -> list[Result]:
    """The results of a gradebook this module wrote (e.g. one shard's), also of one written
    before the seed column (their seed is None)."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = tuple(rows[0]) if rows else ()
    trailer = next((t for t in (TRAILER, OLD_TRAILER) if header[-len(t):] == t), None)
    if header[:3] != FIXED or trailer is None:
        raise ValueError(f"{path} is not a labkit gradebook (its header is {rows[:1]})")
    parts = header[3:-len(trailer)]
    results = []
    for row in rows[1:]:
        if len(row) != len(header):
            raise ValueError(f"{path}: a row has {len(row)} columns, the header "
                             f"{len(header)}")
        values = row[3:3 + len(parts)]
        _total, max_points, status, feedback, *seed = row[3 + len(parts):]  # total: the sum
        r = Result(learner=_uncell(row[0]), exercise=row[1], file=_uncell(row[2]),
                   points={p: float(v) for p, v in zip(parts, values) if v != ""},
                   max_points=float(max_points), status=status,
                   seed=int(seed[0]) if seed and seed[0] else None)
        feedback = _uncell(feedback)
        r.feedback = feedback.split(" | ") if feedback else []
        results.append(r)
    return results


def _uncell(text: str) -> str:
    return text[1:] if text[:1] == "'" and text[1:2] and text[1] in _FORMULA else text


def merge(paths: Iterable[Path]) -> list[Result]:
    """The results of several shards' gradebooks; a notebook graded twice is an error, and so
    are shards graded on different cases (different seeds)."""
    merged: dict[str, Result] = {}
    seeds: dict[int | None, Path] = {}
    for path in paths:
        for r in read_csv(path):
            if r.file in merged:
                raise ValueError(f"{r.file} is in more than one gradebook (again in {path})")
            merged[r.file] = r
            seeds.setdefault(r.seed, path)
    if len(seeds) > 1:
        which = ", ".join(f"{path}: {'none' if s is None else s}" for s, path in seeds.items())
        raise ValueError(f"the gradebooks were graded with different seeds ({which}): grade "
                         "every shard with the same --seed")
    return list(merged.values())


def summary(results: list[Result]) -> str:
    n = len(results)
    if n == 0:
        return "graded 0 notebooks: nothing was found to grade"
    full = sum(1 for r in results if r.max_points and r.total == r.max_points)
    problems = [r for r in results if r.status != "graded"]
    lines = [f"graded {n} notebooks: {full} with full marks, {len(problems)} with problems"]
    for status in sorted({r.status for r in problems}):
        lines.append(f"  {status}: {sum(1 for r in problems if r.status == status)}")
    ungraded = sum(1 for r in results if r.status in UNGRADED)
    if ungraded:
        lines.append(f"  {ungraded} notebook(s) could not be graded at all (see their "
                     "feedback)")
    return "\n".join(lines)


def exit_code(results: list[Result]) -> int:
    """0 when every notebook was graded; 1 when none was found or some could not be."""
    return 1 if not results or any(r.status in UNGRADED for r in results) else 0
