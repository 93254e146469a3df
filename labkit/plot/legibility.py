"""Checks that a drawn figure can be read: no text below the smallest size on screen, none cut
by the figure's edge, none on top of another text or across the rim of a node disc.

    problems = text_problems(fig)        # [] when every text is legible

Used by the widget tests (every lesson widget, at its start and across its settings) and by
the browser tests; the sizes follow the rule of ``labkit.plot.base``.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.axis import Axis
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from .base import MIN_TEXT_PX

SLACK_PX = 1.0   # antialiasing: boxes that overlap by less than this do not touch


def _tick_labels(axis: Axis) -> list[Text]:
    """The tick labels matplotlib draws on this axis: those of ticks inside the view limits."""
    scale = axis.get_transform()          # compared where the axis is linear (log: exponents)
    with np.errstate(all="ignore"):
        lo, hi = sorted(scale.transform(np.asarray(axis.get_view_interval(), float)))
    tol = 1e-9 * abs(hi - lo)
    shown = []
    for ticks, locs in ((axis.get_major_ticks(), axis.get_majorticklocs()),
                        (axis.get_minor_ticks(), axis.get_minorticklocs())):
        with np.errstate(all="ignore"):
            scaled = scale.transform(np.asarray(locs, float)) if len(locs) else []
        for tick, loc in zip(ticks, scaled):
            if tick.get_visible() and lo - tol <= loc <= hi + tol:
                shown += [t for t in (tick.label1, tick.label2) if t.get_visible()]
    return shown


def drawn_texts(fig: Figure) -> list[Text]:
    """Every non-empty text the figure shows: titles, labels, annotations, legends, the drawn
    tick labels; nothing inside a hidden artist (widgets keep hidden panels for other
    choices)."""
    found, todo = [], [fig]
    while todo:
        artist = todo.pop()
        if not artist.get_visible():
            continue
        if isinstance(artist, Axis):
            found += _tick_labels(artist)
            todo += [artist.label, artist.offsetText]
        elif isinstance(artist, Text):
            found.append(artist)
        else:
            todo += artist.get_children()
    return [t for t in found if t.get_text().strip()]


def _label(t: Text) -> str:
    return repr(t.get_text().replace("\n", " ")[:40])


def _discs(fig: Figure, renderer) -> list[tuple[float, float, float]]:
    """(x, y, radius) in pixels of every round marker of a scatter (the nodes of a diagram)."""
    found = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for c in ax.collections:
            if not (isinstance(c, PathCollection) and c.get_visible()) or not len(
                    c.get_sizes()):
                continue
            centres = c.get_offset_transform().transform(c.get_offsets())
            sizes = np.broadcast_to(c.get_sizes(), (len(centres),))
            for (x, y), s in zip(centres, sizes):
                found.append((float(x), float(y), math.sqrt(s) / 2 * fig.dpi / 72.0))
    return found


def _crosses_rim(box: Bbox, disc: tuple[float, float, float]) -> bool:
    """A box that reaches into the disc without lying inside it."""
    x, y, r = disc
    nearest = math.hypot(x - min(max(x, box.x0), box.x1), y - min(max(y, box.y0), box.y1))
    if nearest >= r - SLACK_PX:
        return False                                  # apart
    farthest = max(math.hypot(x - cx, y - cy) for cx in (box.x0, box.x1)
                   for cy in (box.y0, box.y1))
    return farthest > r + SLACK_PX                    # not inside either


def text_problems(fig: Figure, min_px: float = MIN_TEXT_PX, scale: float = 1.0) -> list[str]:
    """What makes the drawn ``fig`` hard to read, in words ([] when nothing): a text smaller
    than ``min_px`` pixels on screen (``scale``: screen pixels per figure pixel), a text cut by
    the figure's edge, two texts on top of each other, a text across the rim of a node."""
    renderer = fig.canvas.get_renderer()
    texts = drawn_texts(fig)
    problems = []
    boxes = []
    for t in texts:
        px = t.get_fontsize() * fig.dpi / 72.0 * scale
        if px < min_px - 1e-9:
            problems.append(f"text {_label(t)} is {px:.1f} px high on screen (< {min_px:g})")
        box = t.get_window_extent(renderer)
        boxes.append(box)
        if (box.x0 < -SLACK_PX or box.y0 < -SLACK_PX or box.x1 > fig.bbox.x1 + SLACK_PX
                or box.y1 > fig.bbox.y1 + SLACK_PX):
            problems.append(f"text {_label(t)} is cut by the figure's edge")
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            a, b = boxes[i], boxes[j]
            if (min(a.x1, b.x1) - max(a.x0, b.x0) > SLACK_PX
                    and min(a.y1, b.y1) - max(a.y0, b.y0) > SLACK_PX):
                problems.append(f"texts {_label(texts[i])} and {_label(texts[j])} overlap")
    discs = _discs(fig, renderer)
    for t, box in zip(texts, boxes):
        if any(_crosses_rim(box, d) for d in discs):
            problems.append(f"text {_label(t)} crosses the rim of a node")
    return problems
