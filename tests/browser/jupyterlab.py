"""A real JupyterLab server and Debian's Chromium, for the browser tests and for
benchmarks/bench_browser.py, and the in-page probes both use (JavaScript run by Playwright).

    with lab_server(lessons) as (base, token), chromium() as browser:
        page = open_notebook(browser, base, token, "03_gradient_descent.ipynb")
        seconds = run_all(page)["seconds"]
        ms = slider_latencies(page, moves=10)
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIEWPORT = {"width": 1440, "height": 900}      # the window the issue measured legibility in
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def lab_server(notebooks: Iterable[Path], root: Path | None = None) -> Iterator[tuple[str, str]]:
    """JupyterLab (loopback, a free port, a token) serving copies of ``notebooks`` (running
    cells autosaves: never the originals); yields (base url, token); always shut down."""
    with tempfile.TemporaryDirectory(prefix="labkit-browser-") as tmp:
        root = Path(root or tmp)
        for nb in notebooks:
            shutil.copy(nb, root / Path(nb).name)
        token, port = secrets.token_hex(16), _free_port()
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(root / ".jupyter-config"),
                   JUPYTER_RUNTIME_DIR=str(root / ".jupyter-runtime"))
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
               "--ServerApp.port_retries=0", "--allow-root"]
        log_path = root / "server.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                    start_new_session=True)
            base = f"http://127.0.0.1:{port}"
            try:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                        break
                    except OSError:
                        if proc.poll() is not None or time.monotonic() > deadline:
                            raise RuntimeError("JupyterLab did not start:\n"
                                               + log_path.read_text()[-3000:]) from None
                        time.sleep(0.5)
                yield base, token
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()


@contextmanager
def chromium(path: str | None = None):
    """Debian's Chromium, headless, driven by Playwright; always closed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path or chromium_path(), headless=True,
                                    args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_notebook(browser, base: str, token: str, name: str):
    """A new page (1440 x 900) with notebook ``name`` open in a workspace of its own (no
    notebook of an earlier page restored beside it) and its kernel session ready."""
    page = browser.new_page(viewport=VIEWPORT)
    workspace = Path(name).stem.replace("_", "-")
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{name}?token={token}&reset",
              wait_until="domcontentloaded")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget &&"
        " window.jupyterapp.shell.currentWidget.sessionContext", timeout=60_000)
    page.evaluate("""async () => {
        const ctx = window.jupyterapp.shell.currentWidget.sessionContext;
        await ctx.ready;
        const start = Date.now();
        while ((!ctx.session || !ctx.session.kernel ||
                ctx.session.kernel.status !== 'idle') && Date.now() - start < 60000) {
            await new Promise(r => setTimeout(r, 100));
        }
    }""")
    return page


def close_notebook(page) -> None:
    """Shuts the page's kernel down (frees the core for the next notebook) and closes it."""
    try:
        page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
    except Exception:  # the page may already be gone; the server's end cleans up
        pass
    page.close()


RUN_ALL = """async () => {
    const app = window.jupyterapp;
    const panel = app.shell.currentWidget;
    await panel.sessionContext.ready;
    const kernel = panel.sessionContext.session.kernel;
    const cells = panel.content.widgets.filter(c => c.model.type === 'code' &&
                                               c.model.sharedModel.source.trim());
    const t0 = performance.now();
    app.commands.execute('notebook:run-all-cells');
    // done: every code cell has its new execution count and the kernel is idle again
    while (performance.now() - t0 < 180000) {
        await new Promise(r => setTimeout(r, 50));
        if (kernel.status === 'idle' && cells.every(c => c.model.executionCount !== null &&
                                                    !c.node.classList.contains('jp-mod-pending')))
            break;
    }
    const seconds = (performance.now() - t0) / 1000;
    return {
        seconds,
        status: kernel.status,
        unexecuted: cells.filter(c => c.model.executionCount === null).length,
        errors: cells.flatMap(c => c.model.outputs.toJSON())
                     .filter(o => o.output_type === 'error')
                     .map(o => o.ename + ': ' + o.evalue),
    };
}"""


def run_all(page) -> dict:
    """Runs every cell (JupyterLab's "Run All") and waits until every code cell has its new
    execution count and the kernel is idle: {seconds, status, unexecuted, errors}."""
    return page.evaluate(RUN_ALL)


SCROLL_TO_WIDGET = """async (n) => {
    const content = window.jupyterapp.shell.currentWidget.content;
    const cells = content.widgets.map((c, i) => [c, i]).filter(([c]) =>
        c.model.type === 'code' && c.model.outputs.toJSON().some(o => o.data &&
            o.data['application/vnd.jupyter.widget-view+json']));
    if (n >= cells.length) return -1;
    const index = cells[n][1];
    content.activeCellIndex = index;
    await content.scrollToItem(index, 'start');
    await new Promise(r => setTimeout(r, 500));
    return index;
}"""


def scroll_to_widget(page, n: int = 0):
    """Scrolls the n-th cell showing a widget into view (JupyterLab renders only cells in
    view) and returns that cell's widget area (a Playwright locator), or None."""
    index = page.evaluate(SCROLL_TO_WIDGET, n)
    if index < 0:
        return None
    area = page.locator(f"{PANEL} .jp-Cell").nth(index).locator(".jupyter-widgets").first
    area.locator("img").first.wait_for(state="visible", timeout=30_000)
    return area


SLIDER_LATENCY = """async ([moves, index]) => {
    // moves the index-th slider of the widget in view with the keyboard (as a learner would)
    // and times each change until the widget's <img> shows a new picture (its src changes)
    const panel = document.querySelector('__PANEL__');
    const area = [...panel.querySelectorAll('.jp-Cell')]
        .find(c => c.classList.contains('jp-mod-active')).querySelector('.jupyter-widgets');
    const img = area.querySelector('img');
    const handle = area.querySelectorAll('.noUi-handle')[index];
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const idle = async () => { while (kernel.status !== 'idle')
                                   await new Promise(r => setTimeout(r, 20)); };
    const times = [];
    const lo = +handle.getAttribute('aria-valuemin'), hi = +handle.getAttribute('aria-valuemax');
    let dir = +handle.getAttribute('aria-valuenow') >= hi ? 'ArrowLeft' : 'ArrowRight';
    for (let k = 0; k < moves; k++) {
        const now = +handle.getAttribute('aria-valuenow');
        if (now >= hi) dir = 'ArrowLeft';
        if (now <= lo) dir = 'ArrowRight';
        await idle();
        await new Promise(r => setTimeout(r, 150));
        const old = img.getAttribute('src');
        const changed = new Promise(resolve => {
            const obs = new MutationObserver(() => {
                if (img.getAttribute('src') !== old) { obs.disconnect(); resolve(); }
            });
            obs.observe(img, {attributes: true, attributeFilter: ['src']});
        });
        const decoded = changed.then(() => img.decode().catch(() => null));
        const t0 = performance.now();
        handle.focus();
        handle.dispatchEvent(new KeyboardEvent('keydown', {key: dir, bubbles: true}));
        const timeout = new Promise(r => setTimeout(() => r('timeout'), 10000));
        const r = await Promise.race([decoded, timeout]);
        times.push(r === 'timeout' ? null : performance.now() - t0);
    }
    await idle();
    return times;
}""".replace("__PANEL__", PANEL)


def slider_latencies(page, moves: int = 10, index: int = 0) -> list[float | None]:
    """Milliseconds from a key press on the index-th slider of the widget in view to its new
    picture decoded in the page (None: no new picture within 10 s)."""
    return page.evaluate(SLIDER_LATENCY, [moves, index])


LEGIBILITY = """() => {
    // what the browser shows of the widget in view: the figure's size on screen against its
    // own pixels (1 = drawn 1:1), whether it fits the output area, and every control whose
    // label or readout is cut (its text wider than its box)
    const panel = document.querySelector('__PANEL__');
    const area = [...panel.querySelectorAll('.jp-Cell')]
        .find(c => c.classList.contains('jp-mod-active')).querySelector('.jupyter-widgets');
    const img = area.querySelector('img');
    const out = area.closest('.jp-OutputArea-output') || area.parentElement;
    const ir = img.getBoundingClientRect(), or = out.getBoundingClientRect();
    const cut = [...area.querySelectorAll('.widget-label, .widget-readout, label')]
        .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
        .map(e => e.textContent.trim());
    const controls = [...area.querySelectorAll('.widget-inline-hbox, .widget-checkbox')]
        .filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect());
    const outside = controls.filter(r => r.right > or.right + 1).length;
    return {natural_width: img.naturalWidth, shown_width: ir.width,
            scale: ir.width / img.naturalWidth, image_right: ir.right, area_right: or.right,
            fits: ir.right <= or.right + 1, cut_labels: cut, controls_outside: outside,
            device_pixel_ratio: window.devicePixelRatio};
}""".replace("__PANEL__", PANEL)


def legibility(page) -> dict:
    return page.evaluate(LEGIBILITY)
