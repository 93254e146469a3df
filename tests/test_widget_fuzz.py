"""Widget fuzzing: 1,000 random settings in total, shared across every widget the lessons show
(labkit.lessons.catalog), each setting moving all of a widget's controls at once, within and at
the edges of their ranges (drive.random_settings, seeded). For every setting:

* no "error" status and no traceback in the status line (a redraw that raised);
* nothing non-finite drawn: the data of every visible line, collection, patch, image and
  text of the figure is finite, and no text shows "nan" or "inf";
* a setting that diverges says so in words at level "warning": whenever the status speaks of
  divergence, NaN, infinity or overflow, and, for the widgets whose runs the test can
  recompute or read (gradient descent, vanishing gradients), whenever the run diverged;
* no warning (a RuntimeWarning of numpy, say) reaches the learner's screen;
* every 45th setting, the picture shown (drawn incrementally: Lab redraws only what changed)
  is the picture of a full drawing of the figure.

The whole module runs in well under a minute on an idle machine (see benchmarks/README.md).
"""
from __future__ import annotations

import io
import re
import time
import zlib

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.axis import Axis  # noqa: E402
from matplotlib.collections import Collection  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from PIL import Image  # noqa: E402
from screen_warnings import said, warnings_raised  # noqa: E402

from labkit.core.optim import SGD  # noqa: E402
from labkit.lessons.catalog import CATALOG  # noqa: E402
from labkit.lessons.gradient_descent.compute import descend, get_surface  # noqa: E402
from labkit.widgets.base import png_bytes, rendering  # noqa: E402
from labkit.widgets.drive import random_settings  # noqa: E402

TOTAL = 1000
NAMES = list(CATALOG)
SHARE = {name: TOTAL // len(NAMES) + (i < TOTAL % len(NAMES)) for i, name in enumerate(NAMES)}
NON_FINITE_WORD = re.compile(r"(?<![a-z])[-+]?(nan|inf)(?![a-z])", re.IGNORECASE)
DIVERGENCE_WORDS = re.compile(r"diverg|\bnan\b|infinit|overflow|blew up|blow up",
                              re.IGNORECASE)
CHECK_PICTURE_EVERY = 45
SECONDS: dict[str, float] = {}


# --- what is drawn ---------------------------------------------------------------------------
def drawn_artists(fig) -> list:
    """Every visible artist of the figure, inside the visible Axes too (widgets keep hidden
    panels for other choices), but not the axes' ticks: matplotlib makes them from the
    limits, which it keeps finite itself."""
    found, todo = [], [fig]
    while todo:
        artist = todo.pop()
        if not artist.get_visible() or isinstance(artist, Axis):
            continue
        found.append(artist)
        todo.extend(artist.get_children())
    return found


def non_finite_drawn(fig) -> list[str]:
    """Every visible artist of ``fig`` whose data holds a non-finite number, or whose text
    shows "nan" or "inf" (empty if none)."""
    bad = []
    for artist in drawn_artists(fig):
        arrays = []
        if isinstance(artist, Line2D):
            arrays = [np.asarray(artist.get_xdata(), dtype=float),
                      np.asarray(artist.get_ydata(), dtype=float)]
        elif isinstance(artist, Collection):
            arrays = [np.asarray(artist.get_offsets(), dtype=float)]
            arrays += [p.vertices for p in artist.get_paths()]
        elif isinstance(artist, Rectangle):
            arrays = [np.array([artist.get_x(), artist.get_y(), artist.get_width(),
                                artist.get_height()], dtype=float)]
        elif isinstance(artist, Patch):
            arrays = [artist.get_path().vertices]
        elif isinstance(artist, AxesImage):
            arrays = [np.ma.getdata(artist.get_array()).astype(float)]  # NaN hides as "bad"
        elif isinstance(artist, Text):
            arrays = [np.asarray(artist.get_position(), dtype=float)]
            if NON_FINITE_WORD.search(artist.get_text()):
                bad.append(f"text {artist.get_text()!r}")
        if any(not np.all(np.isfinite(a)) for a in arrays if np.size(a)):
            bad.append(f"{type(artist).__name__} {artist.get_label() or ''}".strip())
    return bad


def test_non_finite_drawn_finds_nan_in_lines_bars_images_and_texts():
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [1.0, 2.0, 3.0], label="fine")
    assert non_finite_drawn(fig) == []
    ax.plot([0, 1], [1.0, np.nan], label="gap")
    with np.errstate(invalid="ignore"):   # matplotlib's autoscaling meets the inf
        ax.bar([0], [np.inf])
    ax.imshow(np.array([[0.0, np.nan]]))
    ax.text(0, 0, "loss = nan")
    ax.text(0, 0, "information, infinitely, finance")     # words, not numbers
    found = non_finite_drawn(fig)
    assert "Line2D gap" in found and "text 'loss = nan'" in found
    assert any(f.startswith("Rectangle") for f in found)
    assert any(f.startswith("AxesImage") for f in found)
    assert not any("information" in f for f in found) and len(found) == 4


# --- what is shown ----------------------------------------------------------------------------
def shown_pixels(lab) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(lab.view.image.value)).convert("RGBA"))


def full_drawing(fig) -> np.ndarray:
    """The figure drawn whole, every artist in its zorder (none kept from an earlier draw), with
    the settings widgets draw with."""
    moving = fig.findobj(lambda a: a.get_animated())
    for artist in moving:
        artist.set_animated(False)
    with rendering():
        fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba()).copy()
    for artist in moving:
        artist.set_animated(True)
    return pixels


def differing_share(a: np.ndarray, b: np.ndarray) -> float:
    """The share of pixels that differ (moving artists are drawn over the kept picture, so
    where one crosses, say, a legend or a spine a few pixels may differ)."""
    return float(np.mean(np.any(a != b, axis=-1)))


def test_png_bytes_is_a_lossless_png():
    rng = np.random.default_rng(0)
    for channels in (3, 4):
        pixels = rng.integers(0, 256, (7, 5, channels), dtype=np.uint8)
        decoded = np.asarray(Image.open(io.BytesIO(png_bytes(pixels))))
        np.testing.assert_array_equal(decoded, pixels)


# --- oracles for divergence --------------------------------------------------------------------
def descent_diverged(values: dict) -> bool:
    """Recomputes the descent widget's run (plain gradient descent, as the widget does): it
    diverged if it left the finite world, except by falling without end on a surface that has
    no lowest point (the saddle's "escape", which the lesson wants)."""
    s = get_surface(values["surface"])
    start = (values["x0"],) if s.dim == 1 else (values["x0"], values["y0"])
    run = descend(s, start, values["steps"], SGD, lr=values["lr"])
    fell_forever = s.f_min is None and run.losses[-1] < run.losses[0]
    return bool(run.diverged and not fell_forever)


def diverged(name: str, lab, values: dict) -> bool | None:
    """Whether this setting diverged, where the test can tell independently (else None)."""
    if name == "descent_lab":
        return descent_diverged(values)
    if name == "vanishing_lab":
        return lab.result.diverged_at is not None
    return None


# --- the fuzzing -------------------------------------------------------------------------------
def test_the_settings_add_up_to_1000_and_cover_every_widget():
    assert sum(SHARE.values()) == TOTAL and set(SHARE) == set(CATALOG)
    assert min(SHARE.values()) >= TOTAL // len(CATALOG)


@pytest.mark.parametrize("name", NAMES)
def test_random_settings_draw_finite_figures_and_say_divergence_in_words(name):
    start = time.perf_counter()
    lab = CATALOG[name]()
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    problems = []
    with warnings_raised() as caught:
        for k, (values, status) in enumerate(random_settings(lab, SHARE[name], rng)):
            problems += said(f"{name} at {values}", caught)
            check_setting(name, lab, k, values, status, problems)
    SECONDS[name] = time.perf_counter() - start
    assert not problems, f"{len(problems)} of {SHARE[name]} settings:\n" + "\n".join(
        problems[:10])


def check_setting(name, lab, k, values, status, problems: list[str]) -> None:
    """Appends to ``problems`` what is wrong with the k-th setting's redraw."""
    where = f"{name} at {values}"
    if k % CHECK_PICTURE_EVERY == 0:
        share = differing_share(shown_pixels(lab), full_drawing(lab.view.fig))
        if share > 0.002:
            problems.append(f"{where}: the picture shown differs from a full drawing in "
                            f"{share:.2%} of its pixels")
    if status.level == "error" or "Traceback" in lab.status.value:
        problems.append(f"{where}: error status {status.text!r}")
    bad = non_finite_drawn(lab.view.fig)
    if bad:
        problems.append(f"{where}: non-finite values drawn in {bad}")
    if DIVERGENCE_WORDS.search(status.text) and status.level != "warning":
        problems.append(f"{where}: speaks of divergence at level {status.level!r}: "
                        f"{status.text!r}")
    if diverged(name, lab, values) and status.level != "warning":
        problems.append(f"{where}: diverged, but the status is {status.level!r}: "
                        f"{status.text!r}")
    if not status.text.strip():
        problems.append(f"{where}: no status text")
