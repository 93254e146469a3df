"""What warnings a widget's redraws raise: the tests that drive every widget fail on them, as
a learner would see them under the widget."""
from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator


@contextlib.contextmanager
def warnings_raised() -> Iterator[list[warnings.WarningMessage]]:
    """Records every warning raised inside, each time it is raised, but for those that are not
    the widget's: DeprecationWarnings (the libraries' own business) and ResourceWarnings
    (sockets of earlier tests, collected during a redraw). ``said(setting, caught)`` words
    them and empties the list, setting by setting."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", ResourceWarning)
        yield caught


def said(where: str, caught: list[warnings.WarningMessage]) -> list[str]:
    """One line per warning caught so far, for ``where``; the list is emptied."""
    lines = [f"{where}: {w.category.__name__} {w.message} ({w.filename}:{w.lineno})"
             for w in caught]
    caught.clear()
    return lines
