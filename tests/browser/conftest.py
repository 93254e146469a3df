"""A real JupyterLab server (loopback, free port, token) and Debian's Chromium driven by
Playwright, both from tests/browser/lab_helpers.py (benchmarks/bench_browser.py uses the same),
one of each per test session. Both are always shut down, also when a test fails."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lab_helpers  # noqa: E402


@pytest.fixture(scope="session")
def browser():
    if lab_helpers.chromium_path() is None:
        message = ("Debian's chromium is not installed: run `make browser-deps` (as root, it "
                   "runs apt-get install chromium)")
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it; a missing browser there is a failure
        pytest.skip(message)
    pytest.importorskip("playwright.sync_api")
    with lab_helpers.chromium() as b:
        yield b


@pytest.fixture(scope="session")
def lab_server():
    """JupyterLab serving copies of the lessons and of one Chinese lesson (running cells
    autosaves: never the originals): (base url, token)."""
    chinese = lab_helpers.LESSONS / lab_helpers.CHINESE_LESSON
    notebooks = [*lab_helpers.lessons_with_widgets(), chinese]
    with lab_helpers.lab_server(notebooks) as server:
        yield server
