"""Every widget a lesson shows (labkit.lessons.catalog) can be read at its start and at the
extreme settings of its controls: no text below 10 px on screen, none cut by the figure's edge,
none on top of another, none across a node's rim (labkit.plot.legibility.text_problems, as
measured with the settings widgets are drawn with), in English and in Chinese (whose labels
are longer on screen), and no warning reaches the screen on the way (a numpy RuntimeWarning,
say). The browser tests check the same in JupyterLab, with screenshots."""
from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")

from labkit.core import i18n  # noqa: E402
from labkit.lessons.catalog import CATALOG  # noqa: E402
from labkit.plot.base import MIN_TEXT_PX  # noqa: E402
from labkit.plot.fonts import missing_glyphs  # noqa: E402
from labkit.plot.legibility import text_problems  # noqa: E402
from labkit.widgets.base import rendering  # noqa: E402
from labkit.widgets.drive import sweep  # noqa: E402
from screen_warnings import said, warnings_raised  # noqa: E402


def problems_of(lab) -> list[str]:
    """Texts too small, cut or crowded; under Chinese also characters drawn as empty boxes."""
    with rendering():
        found = text_problems(lab.view.fig, min_px=MIN_TEXT_PX)
        if i18n.get_language() == "zh":
            found += missing_glyphs(lab.view.fig)
    return found


@pytest.fixture(params=["en", "zh"])
def language(request):
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language("en")


@pytest.mark.parametrize("name", list(CATALOG))
def test_every_widget_is_legible_and_quiet_at_its_start_and_its_extremes(name, language):
    with warnings_raised() as caught:
        lab = CATALOG[name]()
        found = [f"at the start {lab.values}: {p}" for p in problems_of(lab)]
        for setting, _ in sweep(lab):       # each control to its ends and middle, in turn
            found += said(f"at {setting}", caught)
            found += [f"at {setting}: {p}" for p in problems_of(lab)]
    assert not found, f"{len(found)} problems:\n" + "\n".join(found[:15])


def test_the_check_finds_what_it_looks_for():
    # the test above proves something only if text_problems sees a cut or crowded text
    lab = CATALOG["neuron_lab"]()
    ax = lab.view.fig.axes[0]
    ax.text(0.0, 0.0, "cut off at the edge of the figure", transform=lab.view.fig.transFigure,
            ha="right")
    ax.text(0.5, 0.5, "one text", transform=ax.transAxes)
    ax.text(0.5, 0.5, "on another", transform=ax.transAxes)
    ax.text(0.2, 0.2, "tiny", fontsize=5, transform=ax.transAxes)
    lab.update()
    found = " | ".join(problems_of(lab))
    assert "cut by the figure's edge" in found and "overlap" in found and "tiny" in found
