"""A real JupyterLab server and Debian's Chromium, for the browser tests and for
benchmarks/bench_browser.py, and the in-page probes both use (JavaScript run by Playwright).
(Not named jupyterlab.py: on pytest's path that would hide the jupyterlab package.)

    with lab_server(lessons) as (base, token), chromium() as browser:
        page = open_notebook(browser, base, token, "03_gradient_descent.ipynb")
        seconds = run_all(page)["seconds"]
        area = scroll_to_widget(page)
        ms = slider_latencies(page, moves=15)          # key press -> new picture decoded
        print(legibility(page), kernel_text_problems(page))
"""
from __future__ import annotations

import json
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
LESSONS = ROOT / "lessons"
ARTIFACTS = ROOT / "artifacts" / "screenshots"    # gitignored
VIEWPORT = {"width": 1440, "height": 900}      # the window the issue measured legibility in
CHINESE_LESSON = "zh/04_backprop.ipynb"    # the 中文 edition's lesson the browser tests run
MIN_TEXT_PX = 10.0                             # the smallest text on screen, at default zoom
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
# the outermost widget of the active cell's output (a Lab's VBox)
WIDGET_AREA = """const panel = document.querySelector('__PANEL__');
    const cell = [...panel.querySelectorAll('.jp-Cell')]
        .find(c => c.classList.contains('jp-mod-active'));
    const area = cell.querySelector('.jupyter-widgets');""".replace("__PANEL__", PANEL)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def lessons_with_widgets(folder: Path = LESSONS) -> list[Path]:
    """The lessons of ``folder`` (lessons/, or lessons/zh/) whose stored outputs show a labkit
    widget."""
    return [p for p in sorted(folder.glob("*.ipynb"))
            if "<labkit widget:" in p.read_text(encoding="utf-8")]


def served_name(notebook: Path) -> str:
    """The path lab_server serves a notebook at: its path under lessons/ ("zh/04_x.ipynb" for
    the Chinese edition), so that both editions of a lesson can be served side by side."""
    notebook = Path(notebook).resolve()
    return str(notebook.relative_to(LESSONS) if notebook.is_relative_to(LESSONS)
               else notebook.name)


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
            copy = root / served_name(nb)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(nb, copy)
        token, port = secrets.token_hex(16), _free_port()
        config = root / ".jupyter-config"
        # no "Would you like to get notified about Jupyter news?" box over the widgets
        (config / "labconfig").mkdir(parents=True, exist_ok=True)
        (config / "labconfig" / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config),
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
    """A new page (1440 x 900, default zoom) with notebook ``name`` open in a workspace of its
    own (no notebook of an earlier page restored beside it) and its kernel idle."""
    page = browser.new_page(viewport=VIEWPORT)
    workspace = str(Path(name).with_suffix("")).replace("_", "-").replace("/", "-")
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
    // resolves when every cell has run, or when one failed (JupyterLab stops there)
    const ok = await app.commands.execute('notebook:run-all-cells');
    while (kernel.status !== 'idle' && performance.now() - t0 < 180000)
        await new Promise(r => setTimeout(r, 20));
    const seconds = (performance.now() - t0) / 1000;
    const outputs = cells.flatMap(c => c.model.outputs.toJSON());
    return {
        seconds,
        ok,
        status: kernel.status,
        unexecuted: cells.filter(c => c.model.executionCount === null).length,
        errors: outputs.filter(o => o.output_type === 'error')
                       .map(o => o.ename + ': ' + o.evalue),
        images: outputs.filter(o => o.data && o.data['image/png']).length,
        image_bytes: outputs.filter(o => o.data && o.data['image/png'])
                            .reduce((n, o) => n + o.data['image/png'].length * 3 / 4, 0),
    };
}"""


def run_all(page) -> dict:
    """Runs every cell (JupyterLab's "Run All", which stops at a failing cell) and waits for
    the kernel to be idle: {seconds, ok, status, unexecuted, errors, images, image_bytes}
    (the inline PNGs the notebook now shows, and their size)."""
    return page.evaluate(RUN_ALL)


KERNEL_EXECUTE = """async (code) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const future = kernel.requestExecute({code, silent: false, store_history: false});
    let out = '';
    future.onIOPub = (msg) => {
        if (msg.header.msg_type === 'stream' && msg.content.name === 'stdout')
            out += msg.content.text;
        if (msg.header.msg_type === 'error')
            out += 'ERROR ' + msg.content.ename + ': ' + msg.content.evalue;
    };
    await future.done;
    return out;
}"""


def kernel_execute(page, code: str) -> str:
    """Runs ``code`` in the notebook's kernel (not in a cell) and returns what it printed."""
    out = page.evaluate(KERNEL_EXECUTE, code)
    if out.startswith("ERROR ") or "\nERROR " in out:
        raise RuntimeError(f"kernel code failed: {out}")
    return out


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
    view), makes it the active cell, and returns that cell's widget area (a Playwright
    locator), or None."""
    index = page.evaluate(SCROLL_TO_WIDGET, n)
    if index < 0:
        return None
    area = page.locator(f"{PANEL} .jp-Cell").nth(index).locator(".jupyter-widgets").first
    area.locator("img").first.wait_for(state="visible", timeout=30_000)
    return area


WIDGET_TITLE = """() => { __AREA__
    const b = area.querySelector('.widget-html b');
    return b ? b.textContent : null;
}""".replace("__AREA__", WIDGET_AREA)


def widget_title(page) -> str:
    """The title of the widget in view (the bold header every Lab shows)."""
    return page.evaluate(WIDGET_TITLE)


SLIDERS = """() => { __AREA__
    return [...area.querySelectorAll('.widget-slider')].filter(s => s.offsetParent !== null)
        .map(s => (s.querySelector('.widget-label') || {}).textContent || '');
}""".replace("__AREA__", WIDGET_AREA)


def visible_sliders(page) -> list[str]:
    """The descriptions of the sliders the widget in view shows (hidden ones left out)."""
    return page.evaluate(SLIDERS)


SLIDER_LATENCY = """async ([moves, index]) => {
    // moves the index-th shown slider of the widget in view with the keyboard (as a learner
    // would) and times each change until the widget's <img> shows a new picture (its src
    // changes and the new image is decoded)
    __AREA__
    const img = area.querySelector('img');
    const handle = [...area.querySelectorAll('.widget-slider')]
        .filter(s => s.offsetParent !== null)[index].querySelector('.noUi-handle');
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
}""".replace("__AREA__", WIDGET_AREA)


def slider_latencies(page, moves: int = 10, index: int = 0) -> list[float | None]:
    """Milliseconds from a key press on the index-th shown slider of the widget in view to its
    new picture decoded in the page (None: no new picture within 10 s)."""
    return page.evaluate(SLIDER_LATENCY, [moves, index])


# the widget in view, found in the kernel by its title: every Lab the kernel holds is
# reachable through the garbage collector (a lesson need not keep it in a variable)
_FIND_LAB = """
import gc as _gc, warnings as _warnings
from labkit.widgets.base import Lab as _Lab
with _warnings.catch_warnings():   # isinstance wakes up lazy modules (torch's) that warn
    _warnings.simplefilter("ignore")
    _lab = [o for o in _gc.get_objects() if isinstance(o, _Lab) and o.title == {title!r}][-1]
"""


def time_kernel_redraws(page, title: str) -> None:
    """From now on the kernel records how long each redraw of the widget ``title`` takes
    (``Lab.update``: the draw function, the figure, the PNG); read with kernel_redraw_ms."""
    kernel_execute(page, _FIND_LAB.format(title=title) + """
import time as _time
_redraw_ms = []
def _timed_update(*args, _update=_lab.update, **kwargs):
    t0 = _time.perf_counter()
    try:
        return _update(*args, **kwargs)
    finally:
        _redraw_ms.append((_time.perf_counter() - t0) * 1e3)
_lab.update = _timed_update
""")


def kernel_redraw_ms(page) -> list[float]:
    """The redraw times recorded since time_kernel_redraws (then cleared)."""
    out = kernel_execute(page, "import json as _json\nprint(_json.dumps(_redraw_ms))\n"
                               "_redraw_ms.clear()")
    return json.loads(out)


def kernel_text_problems(page, title: str, scale: float = 1.0) -> list[str]:
    """labkit.plot.legibility.text_problems of the widget ``title``'s figure, in the kernel
    (``scale``: screen pixels per figure pixel, as the page shows it)."""
    out = kernel_execute(page, _FIND_LAB.format(title=title) + f"""
import json as _json
from labkit.plot.legibility import text_problems as _text_problems
from labkit.widgets.base import rendering as _rendering
with _rendering():
    print(_json.dumps(_text_problems(_lab.view.fig, min_px={MIN_TEXT_PX}, scale={scale})))
""")
    return json.loads(out)


LEGIBILITY = """(minPx) => {
    // what the browser shows of the widget in view: the figure's size on screen against its
    // own pixels (1 = drawn 1:1), whether it fits the output area; every text of the controls,
    // the status and the HTML beside the figure smaller than minPx; every label or readout
    // cut (its text wider than its box); controls beyond the output area's right edge; and
    // parts of the widget (controls, figure, HTML) that overlap each other
    __AREA__
    const visible = e => e.offsetParent !== null && e.getBoundingClientRect().width > 0;
    const img = area.querySelector('img');
    const out = area.closest('.jp-OutputArea-output') || area.parentElement;
    const ir = img.getBoundingClientRect(), or = out.getBoundingClientRect();
    const small = [];
    for (const e of area.querySelectorAll('*')) {
        if (!visible(e)) continue;
        const own = [...e.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim())
            .map(n => n.textContent.trim()).join(' ');
        const text = own || (['SELECT', 'INPUT', 'BUTTON'].includes(e.tagName) ?
                             (e.value || e.textContent || '').trim() : '');
        if (!text) continue;
        const px = parseFloat(getComputedStyle(e).fontSize);
        if (px < minPx) small.push(`${text.slice(0, 40)} (${px} px)`);
    }
    const cut = [...area.querySelectorAll('.widget-label, .widget-readout, label, select')]
        .filter(e => visible(e) && e.scrollWidth > e.clientWidth + 1)
        .map(e => (e.textContent || e.value || '').trim().slice(0, 40));
    const parts = [...area.querySelectorAll(
        '.widget-slider, .widget-dropdown, .widget-checkbox, .widget-button, ' +
        '.widget-image, .widget-html')].filter(visible)
        .filter((e, _, all) => !all.some(o => o !== e && o.contains(e)));
    const boxes = parts.map(e => [e, e.getBoundingClientRect()]);
    const outside = boxes.filter(([, r]) => r.right > or.right + 1)
        .map(([e]) => (e.textContent || 'figure').trim().slice(0, 40));
    const overlapping = [];
    for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
            const [a, ra] = boxes[i], [b, rb] = boxes[j];
            const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
            const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
            if (w > 1 && h > 1)
                overlapping.push([a, b].map(e => (e.textContent || 'figure').trim()
                                                  .slice(0, 30)).join(' / '));
        }
    return {natural_width: img.naturalWidth, shown_width: ir.width,
            scale: ir.width / img.naturalWidth, image_right: ir.right, area_right: or.right,
            fits: ir.right <= or.right + 1, small_text: small, cut_labels: cut,
            outside: outside, overlapping: overlapping,
            device_pixel_ratio: window.devicePixelRatio};
}""".replace("__AREA__", WIDGET_AREA)


TOFU = r"""(extra) => {
    // the characters of the open notebook (its text, its controls) that the browser has no
    // glyph for: each CJK character, drawn in the notebook's font on a canvas, against a
    // character no font has (U+10FFFD, a private-use code point): the same pixels mean tofu
    const panel = document.querySelector('__PANEL__');
    const cjk = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;
    const chars = [...new Set([...panel.innerText].filter(c => cjk.test(c)))].concat(extra);
    const shown = panel.querySelector('.jp-RenderedMarkdown') || panel;
    const family = getComputedStyle(shown).fontFamily;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 48;
    const ctx = canvas.getContext('2d', {willReadFrequently: true});
    const draw = c => {
        ctx.clearRect(0, 0, 48, 48);
        ctx.font = `32px ${family}`;
        ctx.fillText(c, 4, 38);
        return ctx.getImageData(0, 0, 48, 48).data.join(',');
    };
    const none = draw('\u{10FFFD}');
    return {checked: chars.length, font_family: family,
            tofu: chars.filter(c => draw(c) === none)};
}""".replace("__PANEL__", PANEL)


def tofu(page, extra: Iterable[str] = ()) -> dict:
    """The Chinese characters (and ``extra`` ones) the page would show as empty boxes."""
    return page.evaluate(TOFU, list(extra))


def kernel_missing_glyphs(page, title: str) -> list[str]:
    """labkit.plot.fonts.missing_glyphs of the widget ``title``'s figure, in the kernel."""
    out = kernel_execute(page, _FIND_LAB.format(title=title) + """
import json as _json
from labkit.plot.fonts import missing_glyphs as _missing_glyphs
print(_json.dumps(_missing_glyphs(_lab.view.fig)))
""")
    return json.loads(out)


def legibility(page) -> dict:
    """What the page shows of the widget in view (see LEGIBILITY)."""
    return page.evaluate(LEGIBILITY, MIN_TEXT_PX)
