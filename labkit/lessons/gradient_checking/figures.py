"""Figures of lesson 07: relative errors per parameter, the eps trade-off of finite
differences, and the cost of finite differences against backprop (log-log)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from ...core.gradcheck import GradCheckReport
from ...core.i18n import _
from ...plot.base import SMALL_PT, new_axes
from .compute import CostPoint, EpsilonSweep

OK_COLOR, BAD_COLOR = "#2e7d32", "#c62828"
DTYPE_COLORS = {"float64": "#1f77b4", "float32": "#ff7f0e"}


def _power_label(x: float, _pos=None) -> str:
    """1e-6 style tick labels: plain text (mathtext's 10^-6 is slow to render in widgets)."""
    if x <= 0:
        return ""
    k = int(np.round(np.log10(x)))
    if not np.isclose(x, 10.0**k, rtol=1e-6):
        return f"{x:g}"
    return f"{10 ** k}" if 0 <= k <= 3 else f"1e{k}"


def plain_log_axis(axis, step: int = 1) -> None:
    """Major ticks at every ``step``-th power of ten, plain-text labels, no minor ticks."""
    axis.set_major_locator(LogLocator(base=10.0 ** step))
    axis.set_major_formatter(FuncFormatter(_power_label))
    axis.set_minor_locator(NullLocator())


def plot_relative_errors(report: GradCheckReport, ax: Axes | None = None, *,
                         floor: float = 1e-16, title: str | None = None) -> Axes:
    """One bar per parameter: its relative error (log scale), red at or above the report's
    tolerance (dashed line), green below. Errors below ``floor`` are drawn at ``floor``."""
    ax = new_axes(ax, figsize=(5.5, 3.2))
    names = [r.name for r in report.rows]
    errors = np.array([max(r.rel_error, floor) for r in report.rows])
    colors = [OK_COLOR if r.rel_error < report.tol else BAD_COLOR for r in report.rows]
    x = np.arange(len(names))
    ax.bar(x, errors, color=colors, width=0.6)
    ax.axhline(report.tol, color="0.3", ls="--", lw=1)
    # beside the axes, right of the dashed line: never over a bar
    ax.text(1.01, report.tol, _("tolerance\n{tol:g}").format(tol=report.tol), va="center",
            ha="left",
            fontsize=8, color="0.3", transform=ax.get_yaxis_transform())
    ax.set_yscale("log")
    ax.set_ylim(floor, 1e3)
    plain_log_axis(ax.yaxis, step=2)
    ax.set_xticks(x, names)
    ax.set_ylabel(_("relative error"))
    for xi, r in zip(x, report.rows):
        if r.rel_error >= report.tol:
            ax.text(xi, max(r.rel_error, floor) * 1.6,
                    _("worst at\n{index}").format(index=r.worst_index),
                    ha="center", va="bottom", fontsize=SMALL_PT, color=BAD_COLOR)
    ax.set_title(_(title) if title is not None
                 else _("backprop vs finite differences, per parameter"))
    return ax


def plot_epsilon_sweep(sweeps: Sequence[EpsilonSweep], ax: Axes | None = None, *,
                       guides: bool = True, mark_eps: float | None = None,
                       title: str | None = None) -> Axes:
    """Relative error against eps on log-log axes, one line per sweep (dtype). With
    ``guides``, dashed lines of slope 2 (truncation, prop. to eps^2) and slope -1 (rounding,
    prop. to 1/eps) through the first sweep; ``mark_eps`` draws a vertical line there."""
    ax = new_axes(ax, figsize=(6.0, 3.8))
    for s in sweeps:
        color = DTYPE_COLORS.get(s.dtype)
        ax.loglog(s.eps, s.rel_error, "o-", ms=3, lw=1.5, color=color, label=s.dtype)
        ax.plot([s.best_eps], [s.best_error], "*", ms=11, color=color, zorder=4)
    if guides and sweeps:
        s = sweeps[0]
        best = s.best_eps
        right = s.eps >= best
        left = (s.eps <= best) & (s.rel_error < 0.5)
        if right.sum() >= 2:  # truncation: anchored at the largest eps below 0.1
            anchor = s.eps[right & (s.eps <= 0.1)].max(initial=s.eps[right].max())
            c2 = s.rel_error[s.eps == anchor][0] / anchor**2
            e = s.eps[right]
            ax.loglog(e, c2 * e**2, "--", color="0.45", lw=1)
            ax.text(e[-1], c2 * e[-1] ** 2, _("  ∝ ε² (truncation)"), fontsize=8, color="0.3",
                    va="center", ha="right")
        if left.sum() >= 2:  # rounding: anchored at the smallest eps
            anchor = s.eps[left].min()
            c1 = s.rel_error[s.eps == anchor][0] * anchor
            e = s.eps[left]
            ax.loglog(e, c1 / e, "--", color="0.45", lw=1)
            ax.text(e[0], c1 / e[0], _("∝ 1/ε (rounding)  "), fontsize=8, color="0.3",
                    va="bottom", ha="left")
    if mark_eps is not None:
        ax.axvline(mark_eps, color="0.2", lw=1, ls=":")
    plain_log_axis(ax.xaxis, step=2)
    plain_log_axis(ax.yaxis, step=2)
    ax.set_xlabel(_("step ε"))
    ax.set_ylabel(_("relative error"))
    ax.set_title(_(title) if title is not None else _("finite differences: the choice of ε"))
    if sweeps:
        ax.legend(loc="lower left", fontsize=8)
    ax.grid(True, which="major", alpha=0.3)
    return ax


def plot_cost(points: Sequence[CostPoint], ax: Axes | None = None, *,
              title: str | None = None) -> Axes:
    """Seconds for the full gradient against the number of parameters P, log-log: finite
    differences and backprop, with dashed guides prop. to P and P^2 through the first
    finite-difference point."""
    ax = new_axes(ax, figsize=(6.0, 3.8))
    P = np.array([p.n_params for p in points], dtype=float)
    fd = np.array([p.fd_seconds for p in points])
    bp = np.array([p.bp_seconds for p in points])
    ax.loglog(P, fd, "o-", color="#c62828", label=_("finite differences (2P + 1 forwards)"))
    ax.loglog(P, bp, "s-", color="#1f77b4", label=_("backprop (1 forward + 1 backward)"))
    if len(points) >= 2:
        ax.loglog(P, fd[0] * P / P[0], "--", color="0.5", lw=1)
        ax.text(P[-1], fd[0] * P[-1] / P[0], "∝ P ", fontsize=8, color="0.3", va="bottom",
                ha="right")
        ax.loglog(P, fd[0] * (P / P[0]) ** 2, ":", color="0.5", lw=1)
        ax.text(P[-1], fd[0] * (P[-1] / P[0]) ** 2, "∝ P² ", fontsize=8, color="0.3",
                va="top", ha="right")
    plain_log_axis(ax.xaxis)
    plain_log_axis(ax.yaxis)
    ax.set_xlabel(_("number of parameters P"))
    ax.set_ylabel(_("seconds for the whole gradient"))
    ax.set_title(_(title) if title is not None else _("cost of a gradient as the network grows"))
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(True, which="major", alpha=0.3)
    return ax
