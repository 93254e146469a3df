"""Every lesson with a widget, in JupyterLab in Chromium (1440 x 900, default zoom): Run All
gives no error output; the widget can be read (its figure shown 1:1 and no text in it below
10 px, cut or on another text, as labkit.plot.legibility measures it in the kernel; no
control's text below 10 px, cut, off the output area or on another control); every slider it
shows draws a new picture when moved with the keyboard. One lesson of the 中文 edition passes
the same checks, speaks Chinese and shows no character as an empty box (tofu), in the page or in
its figure. A screenshot of each widget goes to artifacts/screenshots/ (gitignored). How fast:
benchmarks/bench_browser.py."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lab_helpers import (
    ARTIFACTS,
    CHINESE_LESSON,
    close_notebook,
    kernel_missing_glyphs,
    kernel_text_problems,
    legibility,
    lessons_with_widgets,
    open_notebook,
    run_all,
    scroll_to_widget,
    slider_latencies,
    tofu,
    visible_sliders,
    widget_title,
)

LESSONS = [path.name for path in lessons_with_widgets()]


CJK = re.compile(r"[\u3400-\u9fff]")


def run_and_check_widget(page, name: str) -> str:
    """Run All on the open notebook ``name``, then the checks every lesson's widget passes:
    no error, the figure 1:1 and legible (page and kernel), every slider answering. A screenshot
    of the widget and of the page goes to artifacts/. Returns the widget's title."""
    result = run_all(page)
    assert result["status"] == "idle", result
    assert result["errors"] == [], result["errors"]
    assert result["unexecuted"] == 0, result

    area = scroll_to_widget(page)        # the notebook renders only cells in view
    assert area is not None, "no widget output after Run All"
    title = widget_title(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = str(Path(name).with_suffix("")).replace("/", "-")
    area.screenshot(path=str(ARTIFACTS / f"{stem}-widget.png"))
    page.screenshot(path=str(ARTIFACTS / f"{stem}.png"))

    seen = legibility(page)
    assert abs(seen["scale"] - 1.0) < 0.01, f"figure not shown 1:1: {seen}"
    assert seen["fits"], f"figure wider than the output area: {seen}"
    for problem in ("small_text", "cut_labels", "outside", "overlapping"):
        assert seen[problem] == [], f"{problem}: {seen[problem]}"
    assert kernel_text_problems(page, title, scale=seen["scale"]) == []

    sliders = visible_sliders(page)
    assert sliders, "the widget shows no slider"
    for index, slider in enumerate(sliders):
        (ms,) = slider_latencies(page, moves=1, index=index)
        assert ms is not None, f"slider {slider!r} drew no new picture within 10 s"
    return title


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_runs_and_its_widget_is_legible_and_answers_every_slider(browser, lab_server,
                                                                        lesson):
    base, token = lab_server
    page = open_notebook(browser, base, token, lesson)
    try:
        run_and_check_widget(page, lesson)
    finally:
        close_notebook(page)


def test_a_chinese_lesson_runs_speaks_chinese_and_shows_no_tofu(browser, lab_server):
    base, token = lab_server
    page = open_notebook(browser, base, token, CHINESE_LESSON)
    try:
        title = run_and_check_widget(page, CHINESE_LESSON)
        assert CJK.search(title), f"the widget's title is not Chinese: {title!r}"
        seen = tofu(page, extra=["\ue000"])        # a private-use character: always tofu
        assert seen["tofu"] == ["\ue000"], seen     # the detector sees it, and nothing else
        assert seen["checked"] > 200, seen          # the lesson's text is Chinese
        assert kernel_missing_glyphs(page, title) == []
    finally:
        close_notebook(page)


def test_every_lesson_with_a_widget_is_covered():
    assert "00_welcome.ipynb" in LESSONS and len(LESSONS) >= 10
    for name in LESSONS:
        nb = json.loads((Path(__file__).resolve().parents[2] / "lessons" / name).read_text())
        assert any("<labkit widget:" in json.dumps(c.get("outputs", [])) for c in nb["cells"])
