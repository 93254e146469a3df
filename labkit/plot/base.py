"""Shared plumbing of the plot helpers, and the one rule for text size.

Text is sized in points; on screen a point is ``dpi / 72`` pixels. Widgets render their figures
at ``SCREEN_DPI`` and show them one figure pixel per screen pixel, and inline figures use
matplotlib's default dpi, also 100. No labkit figure draws text smaller than ``SMALL_PT``, so
every text is at least ``SMALL_PT * SCREEN_DPI / 72`` = 10.4 px on screen at the default zoom.
"""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

SCREEN_DPI = 100     # dpi of widget figures (and of matplotlib's inline figures)
SMALL_PT = 7.5       # the smallest text labkit draws: notes, tick labels, legends, node values
MIN_TEXT_PX = 10.0   # what SMALL_PT at SCREEN_DPI must stay above


def new_axes(ax: Axes | None = None, figsize: tuple[float, float] = (5.0, 3.5)) -> Axes:
    """``ax`` itself, or the Axes of a new pyplot figure with an explicit size (so a
    notebook's ``<Figure size ...>`` text never depends on matplotlib's defaults)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # only when a new inline figure is wanted

    _, ax = plt.subplots(figsize=figsize)
    return ax


def trailing_mean(values, k: int) -> np.ndarray:
    """The mean of the last k values at every step (of fewer at the start), to draw a noisy
    curve smoothly; NaN and inf values stay out of the means and keep their place as NaN."""
    values = np.asarray(values, dtype=np.float64)
    out = np.full(values.size, np.nan)
    for i in range(values.size):
        window = values[max(0, i - k + 1):i + 1]
        if np.isfinite(values[i]):
            out[i] = np.mean(window[np.isfinite(window)])
    return out
