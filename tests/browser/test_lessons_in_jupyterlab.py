"""Every lesson with a widget, in JupyterLab in Chromium: run all cells, no error output,
move a slider with the keyboard, and the widget's picture changes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"


def lessons_with_widgets() -> list[str]:
    names = []
    for path in sorted((ROOT / "lessons").glob("*.ipynb")):
        if "<labkit widget:" in path.read_text(encoding="utf-8"):
            names.append(path.name)
    return names


RUN_ALL = """async () => {
    const app = window.jupyterapp;
    const panel = app.shell.currentWidget;
    await panel.sessionContext.ready;
    await app.commands.execute('notebook:run-all-cells');
    const kernel = panel.sessionContext.session.kernel;
    const start = Date.now();
    while (kernel.status !== 'idle' && Date.now() - start < 120000) {
        await new Promise(r => setTimeout(r, 200));
    }
    const cells = panel.content.widgets.filter(c => c.model.type === 'code');
    return {
        status: kernel.status,
        unexecuted: cells.filter(c => c.model.sharedModel.source.trim() &&
                                      c.model.executionCount === null).length,
        errors: cells.flatMap(c => c.model.outputs.toJSON())
                     .filter(o => o.output_type === 'error')
                     .map(o => o.ename + ': ' + o.evalue),
    };
}"""


PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

SCROLL_TO_FIRST_WIDGET = """async () => {
    const content = window.jupyterapp.shell.currentWidget.content;
    const index = content.widgets.findIndex(c => c.model.type === 'code' &&
        c.model.outputs.toJSON().some(o => o.data &&
            o.data['application/vnd.jupyter.widget-view+json']));
    content.activeCellIndex = index;
    await content.scrollToItem(index, 'start');
    await new Promise(r => setTimeout(r, 500));
    return index;
}"""

KERNEL_IDLE = """() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel
    .status === 'idle'"""


@pytest.mark.parametrize("lesson", lessons_with_widgets())
def test_lesson_runs_and_its_widget_answers_a_slider(browser, lab_server, lesson):
    base, token = lab_server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        # a workspace of its own, so no notebook of an earlier test is restored beside it
        workspace = Path(lesson).stem.replace("_", "-")
        page.goto(f"{base}/lab/workspaces/{workspace}/tree/{lesson}?token={token}&reset",
                  wait_until="domcontentloaded")
        page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget &&"
            " window.jupyterapp.shell.currentWidget.sessionContext", timeout=60_000)
        result = page.evaluate(RUN_ALL)
        assert result["status"] == "idle", result
        assert result["errors"] == [], result["errors"]
        assert result["unexecuted"] == 0, result
        page.evaluate(SCROLL_TO_FIRST_WIDGET)  # the notebook renders only cells in view
        image = page.locator(f"{PANEL} .jupyter-widgets img").first
        image.wait_for(state="visible", timeout=30_000)
        before = image.get_attribute("src")
        handle = page.locator(f"{PANEL} .jupyter-widgets .noUi-handle").first
        handle.scroll_into_view_if_needed()
        handle.focus()
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        for _ in range(3):  # a slider stored at its maximum can only move left
            handle.press("ArrowLeft" if at_max else "ArrowRight")
        page.wait_for_function(
            "([sel, old]) => document.querySelector(sel).getAttribute('src') !== old",
            arg=[f"{PANEL} .jupyter-widgets img", before], timeout=20_000)
        assert image.get_attribute("src") != before
        page.wait_for_function(KERNEL_IDLE, timeout=30_000)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{Path(lesson).stem}.png"), full_page=False)
    finally:
        try:  # free the kernel for the next lesson
            page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext"
                          ".shutdown()")
        except Exception:  # the page may already be gone; the server's end cleans up
            pass
        page.close()


def test_every_lesson_with_a_widget_is_covered():
    names = lessons_with_widgets()
    assert "00_welcome.ipynb" in names
    for name in names:
        nb = json.loads((ROOT / "lessons" / name).read_text())
        assert any("<labkit widget:" in json.dumps(c.get("outputs", [])) for c in nb["cells"])
