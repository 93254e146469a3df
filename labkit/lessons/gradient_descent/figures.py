"""Gradient descent drawn: a surface's contours (or a 1-D curve), gradient arrows, the path an
optimizer took, its loss curve, and the tangent line of the 1-D slope.

Every helper draws on ``ax`` when given (widgets pass their own) or on a new figure of an
explicit size, and returns what it drew on. Surfaces and runs come from
compute.py (``get_surface``, ``descend``).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from ...core.i18n import N_, _
from ...plot.base import new_axes
from .compute import Surface, Trajectory, describe_run

LOSS_FLOOR = 1e-16  # f - f_min is drawn on a log scale: exact zeros are shown at this floor


def contour_levels(Z: np.ndarray, n: int = 15) -> np.ndarray:
    """n contour levels at quantiles of Z, denser towards the lowest values: the valley floor
    gets lines whatever the surface's scale (a plain linear spacing leaves Rosenbrock's
    banana-shaped valley blank)."""
    q = 0.002 + 0.968 * np.linspace(0.0, 1.0, n) ** 1.5
    levels = np.unique(np.quantile(Z[np.isfinite(Z)], q))
    return levels if len(levels) > 1 else np.linspace(Z.min(), Z.max() + 1e-12, 3)


def plot_surface(surface: Surface, ax: Axes | None = None, *, n: int = 200, levels: int = 12,
                 title: str | None = None, mark_minima: bool = True) -> Axes:
    """Contour lines of a 2-D surface (equal axis scales, so the gradient meets them at right
    angles), or the curve y = f(x) of a 1-D one; minima marked with a star."""
    ax = new_axes(ax, figsize=(5.0, 3.5))
    if surface.dim == 1:
        x, fx = surface.grid(n)
        ax.plot(x, fx, color="0.25", lw=1.5)
        ax.set_xlabel("p")
        ax.set_ylabel("f(p)")
        for m in surface.minima if mark_minima else []:
            ax.plot(m[0], surface.f(m), "*", color="#2ca02c", ms=12, zorder=4)
    else:
        X, Y, Z = surface.grid(n)
        ax.contour(X, Y, Z, levels=contour_levels(Z, levels), cmap="viridis", linewidths=0.8)
        for m in surface.minima if mark_minima else []:
            ax.plot(m[0], m[1], "*", color="#2ca02c", ms=12, zorder=4)
        ax.set_xlim(*surface.xlim)
        ax.set_ylim(*surface.ylim)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    ax.set_title(surface.formula if title is None else _(title), fontsize=10)
    return ax


def plot_gradient_arrows(surface: Surface, ax: Axes, *, n: int = 11, downhill: bool = False,
                         color: str = "#d62728"):
    """Arrows of the gradient grad f (uphill; ``downhill=True``: -grad f, the way a step goes)
    on an n x n grid of a 2-D surface's window. Lengths are to scale with each other: the
    longest arrow spans one grid cell."""
    if surface.dim != 2:
        raise ValueError(f"plot_gradient_arrows: {surface.name} is 1-D; draw plot_slope instead")
    X, Y = np.meshgrid(np.linspace(*surface.xlim, n + 2)[1:-1],
                       np.linspace(*surface.ylim, n + 2)[1:-1])
    U, V = surface.grads(X, Y)
    if downhill:
        U, V = -U, -V
    longest = float(np.hypot(U, V).max()) or 1.0
    cell = min(X[0, 1] - X[0, 0], Y[1, 0] - Y[0, 0])
    return ax.quiver(X, Y, U, V, angles="xy", scale_units="xy", scale=longest / cell,
                     color=color, width=0.004, zorder=3)


def _path_xy(surface: Surface, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if surface.dim == 1:
        return points[:, 0], surface.values(points[:, 0])
    return points[:, 0], points[:, 1]


def plot_trajectory(run: Trajectory, surface: Surface, ax: Axes | None = None, *,
                    color: str = "#d62728", label: str | None = None,
                    markers: bool = True) -> Line2D:
    """The path p_0, p_1, ... of a run: on the contours (2-D) or on the curve (1-D, drawn at
    height f(p)). The start is a hollow circle; a run that diverged ends with a cross."""
    ax = new_axes(ax, figsize=(5.0, 3.5))
    x, y = _path_xy(surface, run.points)
    (line,) = ax.plot(x, y, "-o" if markers else "-", color=color, ms=3, lw=1.2, label=label,
                      zorder=5)
    ax.plot(x[:1], y[:1], "o", mfc="white", mec=color, ms=7, zorder=6)
    if run.diverged:
        ax.plot(x[-1:], y[-1:], "x", color=color, ms=9, mew=2, zorder=6)
    return line


def loss_gap(run: Trajectory, f_min: float | None) -> np.ndarray:
    """What a loss curve draws: f - f_min (floored at 1e-16 for a log scale) when the lowest
    value is known, else f itself."""
    if f_min is None:
        return run.losses.copy()
    return np.maximum(run.losses - f_min, LOSS_FLOOR)


def plot_losses(runs: Trajectory | Mapping[str, Trajectory], ax: Axes | None = None, *,
                f_min: float | None = None, colors: Sequence[str] | None = None,
                title: str = N_("loss per step")) -> Axes:
    """Loss against step for one run or several (``{label: run}``). With ``f_min`` (the
    surface's lowest value) the curve is f - f_min on a log scale, where steady progress is a
    straight line; without it, f on a linear scale."""
    ax = new_axes(ax, figsize=(5.0, 3.5))
    if isinstance(runs, Trajectory):
        runs = {"": runs}
    for i, (label, run) in enumerate(runs.items()):
        color = None if colors is None else colors[i % len(colors)]
        ax.plot(np.arange(run.steps + 1), loss_gap(run, f_min), color=color,
                label=_(label) or None, lw=1.5)
        if run.diverged:
            ax.plot(run.steps, loss_gap(run, f_min)[-1], "x", color=ax.lines[-1].get_color(),
                    ms=9, mew=2)
    if f_min is not None:
        ax.set_yscale("log")
        ax.set_ylabel(_("f(p) - f_min  (log scale)"))
    else:
        ax.set_ylabel("f(p)")
    ax.set_xlabel(_("step t"))
    ax.set_title(_(title), fontsize=10)
    if any(runs):
        ax.legend(fontsize=8)
    return ax


def plot_slope(surface: Surface, p0: float, ax: Axes | None = None, *, span: float = 1.5,
               title: str | None = None) -> Axes:
    """A 1-D curve with its tangent line at p0: the line through (p0, f(p0)) whose slope is
    the derivative f'(p0), with the slope written on it."""
    if surface.dim != 1:
        raise ValueError(f"plot_slope: {surface.name} is 2-D; the slope is drawn on 1-D "
                         f"curves (parabola, quartic)")
    ax = plot_surface(surface, ax, mark_minima=False,
                      title=title or _("{formula}: the slope at p = {p0:g}").format(
                          formula=surface.formula, p0=p0))
    f0, slope = surface.f(p0), float(surface.grad(p0)[0])
    xs = np.array([p0 - span, p0 + span])
    ax.plot(xs, f0 + slope * (xs - p0), "--", color="#1f77b4", lw=1.5,
            label=_("tangent, slope f'({p0:g}) = {slope:.3g}").format(p0=p0, slope=slope))
    ax.plot([p0], [f0], "o", color="#1f77b4", ms=7, zorder=5)
    ax.legend(loc="upper center", fontsize=8)
    return ax


def plot_runs(surface: Surface, runs: Mapping[str, Trajectory], axes: Sequence[Axes] | None = None,
              *, arrows: bool = False, color: str = "#d62728") -> list[Axes]:
    """One panel per run, side by side: the surface, the path, and a title that says the
    label, the verdict (converged / too slow / oscillating / diverged), the number of steps and
    the final loss."""
    if axes is None:
        import matplotlib.pyplot as plt  # only when new inline figures are wanted

        _fig, axes = plt.subplots(1, len(runs), figsize=(3.4 * len(runs), 3.2), squeeze=False)
        axes = list(axes[0])
    for ax, (label, run) in zip(axes, runs.items()):
        verdict = describe_run(surface, run)
        plot_surface(surface, ax, title="", levels=10)
        if arrows and surface.dim == 2:
            plot_gradient_arrows(surface, ax, n=7)
        plot_trajectory(run, surface, ax, color=color)
        ax.set_title(_("{label}\n{verdict}, {steps} steps, loss {loss:.3g}").format(
            label=_(label), verdict=_(verdict.kind), steps=verdict.steps,
            loss=verdict.final_loss), fontsize=9)
    return list(axes)
