"""Shared plumbing of the plot helpers."""
from __future__ import annotations

from matplotlib.axes import Axes


def new_axes(ax: Axes | None = None, figsize: tuple[float, float] = (5.0, 3.5)) -> Axes:
    """``ax`` itself, or the Axes of a new pyplot figure with an explicit size (so a
    notebook's ``<Figure size ...>`` text never depends on matplotlib's defaults)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # only when a new inline figure is wanted

    _, ax = plt.subplots(figsize=figsize)
    return ax
