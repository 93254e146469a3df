"""Repository-wide pytest settings that a config file cannot hold.

``pytest -n auto`` (pytest-xdist) must never split one notebook's cells across workers (the
cells share one kernel: the second worker would see ``NameError: name 'lk' is not defined``).
So whenever workers are asked for without a ``--dist`` mode, whole files go to one worker
(``--dist loadfile``). It is set here rather than in pyproject's ``addopts`` because an
``addopts`` ``--dist`` breaks ``pytest -p no:xdist`` ("unrecognized arguments: --dist").
An explicit ``--dist`` on the command line is kept.
"""
from __future__ import annotations

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    # conftest hooks run before xdist's own tryfirst hook, which turns "no" into "load"
    if getattr(config.option, "numprocesses", None) and config.option.dist == "no":
        config.option.dist = "loadfile"
