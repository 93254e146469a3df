"""Optimizers compared, drawn: several paths on one surface's contours, and learning-rate
schedules eta_t against the step t.

Paths come from lesson 03's ``descend`` (``labkit.lessons.gradient_descent``, one run per
optimizer, same start); the single-path pieces (contours, one path, loss curves) are lesson 03's
figures (``labkit.lessons.gradient_descent.figures``).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from matplotlib.axes import Axes

from ...core.i18n import N_, _
from ...core.module import check_int
from ...plot.base import SMALL_PT, new_axes
from ..gradient_descent.compute import Surface, Trajectory
from ..gradient_descent.figures import plot_losses, plot_surface, plot_trajectory

# one color per optimizer, the same in every figure and widget of lesson 09
OPTIMIZER_COLORS = {"SGD": "#7f7f7f", N_("momentum"): "#1f77b4", "Nesterov": "#17becf",
                    "RMSprop": "#ff7f0e", "Adam": "#d62728"}
OTHER_COLORS = ("#9467bd", "#2ca02c", "#8c564b", "#e377c2", "#bcbd22")


def optimizer_colors(labels) -> dict[str, str]:
    """A color per label: OPTIMIZER_COLORS for the five known names, then OTHER_COLORS in
    turn for any other label (e.g. a learner's own optimizer)."""
    colors: dict[str, str] = {}
    k = 0
    for label in labels:
        if label in OPTIMIZER_COLORS:
            colors[label] = OPTIMIZER_COLORS[label]
        else:
            colors[label] = OTHER_COLORS[k % len(OTHER_COLORS)]
            k += 1
    return colors


def plot_paths(surface: Surface, runs: Mapping[str, Trajectory], ax: Axes | None = None, *,
               title: str | None = None, colors: Mapping[str, str] | None = None,
               levels: int = 12, legend: bool = True) -> Axes:
    """All runs ``{label: run}`` on one contour plot of a 2-D surface: one colored line per
    optimizer from the common start (hollow circle), a cross where a run left the finite
    world, and (``legend``) a legend."""
    if surface.dim != 2:
        raise ValueError(f"plot_paths: {surface.name} is 1-D; paths are drawn on 2-D surfaces")
    if not runs:
        raise ValueError("plot_paths: no runs to draw (pass {label: trajectory})")
    ax = new_axes(ax, figsize=(6.0, 4.0))
    plot_surface(surface, ax, title=surface.formula if title is None else title, levels=levels)
    colors = {**optimizer_colors(runs), **(colors or {})}
    for label, run in runs.items():
        if not isinstance(run, Trajectory):
            raise TypeError(f"plot_paths: runs[{label!r}] must be a Trajectory (from descend), "
                            f"got {type(run).__name__}")
        plot_trajectory(run, surface, ax, color=colors[label], label=_(label), markers=False)
    if legend:
        ax.legend(fontsize=SMALL_PT, loc="best")
    return ax


def plot_race(surface: Surface, runs: Mapping[str, Trajectory], axes=None, *,
              title: str | None = None) -> tuple[Axes, Axes]:
    """Two panels for runs ``{label: run}`` from one start: the paths on the contours
    (``plot_paths``) and the loss per step in the same colors: f - f_min on a log scale when
    the surface has a lowest value, else f on a symmetric log scale (linear near 0), where a
    run that escapes downhill stays readable. The legend is on the loss panel, which the paths
    share colors with. ``axes``: two Axes, else a new (12, 4) figure."""
    if axes is None:
        import matplotlib.pyplot as plt  # only when a new inline figure is wanted

        _fig, axes = plt.subplots(1, 2, figsize=(12.0, 4.0))
    ax_path, ax_loss = axes
    plot_paths(surface, runs, ax_path, title=title, legend=False)
    colors = optimizer_colors(runs)
    plot_losses(runs, ax_loss, f_min=surface.f_min, colors=[colors[k] for k in runs],
                title=N_("loss per step"))
    if surface.f_min is None:
        ax_loss.set_yscale("symlog", linthresh=1.0)
        ax_loss.set_ylabel(_("f(p)  (symmetric log scale)"))
    return ax_path, ax_loss


def plot_schedules(schedules: Mapping[str, Callable[[int], float]], steps: int,
                   ax: Axes | None = None, *, title: str = N_("learning-rate schedules")) -> Axes:
    """eta_t = schedule(t) for t = 0 .. steps - 1, one line per schedule ``{label: schedule}``
    (e.g. ``partial(step_lr, eta0, step_size=10, gamma=0.5)`` of ``labkit.core.schedules``,
    or any function t -> eta_t)."""
    steps = check_int("plot_schedules", "steps", steps)
    ax = new_axes(ax, figsize=(6.0, 3.2))
    t = np.arange(steps)
    for label, schedule in schedules.items():
        ax.plot(t, [float(schedule(int(k))) for k in t], lw=1.8, label=label)
    ax.set_xlabel(_("step t"))
    ax.set_ylabel(_("learning rate η_t"))
    ax.set_title(_(title), fontsize=10)
    ax.set_ylim(bottom=0.0)
    ax.legend(fontsize=8)
    return ax
