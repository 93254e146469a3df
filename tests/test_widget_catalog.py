"""The widget catalog (labkit.lessons.catalog) lists every widget the lessons show: the widget
benchmark and the widget fuzz test go through it, so a widget missing here would go untested.
"""
from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from labkit.lessons.catalog import CATALOG  # noqa: E402
from labkit.widgets import Lab  # noqa: E402

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
SHOWN = re.compile(r"<labkit widget: (.*)>")


def widgets_shown_in_lessons() -> dict[str, list[str]]:
    """Title -> the lessons whose stored outputs display a widget with that title (every
    Lab's text form is ``<labkit widget: TITLE>``)."""
    shown: dict[str, list[str]] = {}
    for path in sorted(LESSONS.glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            for output in cell.get("outputs", []):
                text = output.get("data", {}).get("text/plain", "")
                for line in (text if isinstance(text, list) else [text]):
                    match = SHOWN.fullmatch(line.strip())
                    if match:
                        shown.setdefault(match.group(1), []).append(path.name)
    return shown


@pytest.fixture(scope="module")
def built() -> dict[str, Lab]:
    return {name: factory() for name, factory in CATALOG.items()}


def test_the_lessons_show_widgets_at_all():
    # the pattern still matches what the lessons store (else the next test proves nothing)
    assert len(widgets_shown_in_lessons()) >= 10


def test_every_factory_takes_no_arguments_and_builds_a_lab(built):
    for name, factory in CATALOG.items():
        assert not inspect.signature(factory).parameters, name
        lab = built[name]
        assert isinstance(lab, Lab), name
        assert lab.view.image.value[:8] == b"\x89PNG\r\n\x1a\n", name
        assert lab.last_status.level != "error", (name, lab.last_status)


def test_titles_are_unique(built):
    titles = [lab.title for lab in built.values()]
    assert len(set(titles)) == len(titles), sorted(titles)


def test_every_widget_shown_in_a_lesson_is_in_the_catalog(built):
    titles = {lab.title for lab in built.values()}
    missing = {title: lessons for title, lessons in widgets_shown_in_lessons().items()
               if title not in titles}
    assert not missing, (f"widgets shown in lessons but not in labkit/lessons/catalog.py: "
                         f"{missing}")


def test_every_catalog_widget_is_shown_in_a_lesson(built):
    shown = widgets_shown_in_lessons()
    unused = [name for name, lab in built.items() if lab.title not in shown]
    assert not unused, f"catalog entries no lesson shows: {unused}"
