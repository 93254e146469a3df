"""Gradient descent by hand: pick a surface, a learning rate, a number of steps and a start;
watch the path on the contours and the loss per step, and read what happened in words."""
from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from ...core.i18n import _
from ...core.optim import SGD
from ...widgets.base import (
    Lab,
    Status,
    animate,
    log_slider,
    round_values,
    show_if,
    translated_options,
)
from .compute import SURFACES, Surface, Trajectory, descend, describe_run, get_surface
from .figures import loss_gap, plot_surface

LEVELS = {"converged": "info", "too slow": "info", "escaped": "info",
          "oscillating": "warning", "diverged": "warning"}


def descent_lab(surface: str = "ravine", lr: float = 0.1, steps: int = 50,
                start: tuple[float, float] | None = None) -> Lab:
    """Plain gradient descent p <- p - eta grad f(p) (``lk.SGD``) on a surface of
    compute.py: the path on the contours (or on the 1-D curve), the loss per
    step, and a status that says converged / too slow / oscillating / diverged after k steps,
    with the final loss."""
    if surface not in SURFACES:
        raise ValueError(f"descent_lab: unknown surface {surface!r}; choose one of "
                         f"{sorted(SURFACES)}")
    surfaces = {name: get_surface(name) for name in SURFACES}
    s0 = surfaces[surface]
    if start is None:
        start = tuple(s0.start) + (0.0,) * (2 - s0.dim)
    controls = {
        "surface": W.Dropdown(options=translated_options(SURFACES), value=surface,
                              description=_("surface")),
        "lr": log_slider(lr, round_values(1e-4, 10), _("learning rate η")),
        "steps": W.IntSlider(value=steps, min=1, max=200, description=_("steps")),
        **start_sliders(s0, start, _("start x (p)"), _("start y")),
    }
    state: dict = {"surface": None, "panels": {}}

    def setup(fig):
        setup_surface_panels(fig, surfaces, state, color="#d62728", path_fmt="-o", lw=1.2)

    def draw(fig, v):
        s = surfaces[v["surface"]]
        if state["surface"] != v["surface"]:
            show_surface(state, surfaces, v["surface"])
        start_point = (v["x0"],) if s.dim == 1 else (v["x0"], v["y0"])
        run = descend(s, start_point, v["steps"], SGD, lr=v["lr"])
        verdict = describe_run(s, run)
        show_run(state, s, run, v["steps"])
        state["ax_loss"].set_title(_("η = {lr:.3g}: {verdict}").format(
            lr=v["lr"], verdict=_(verdict.kind)), fontsize=10)
        text = verdict.text
        if s.dim == 1:
            text = _("{text} (1-D curve: start y is not used.)").format(text=text)
        return Status(text, LEVELS.get(verdict.kind, "info"))

    return Lab(_("gradient descent: p ← p − η ∇f(p)"), controls, draw, figsize=(9.0, 3.6),
               setup=setup, follow=follow_surface(surfaces))


def start_sliders(surface: Surface, start, x_label: str, y_label: str
                  ) -> dict[str, W.FloatSlider]:
    """The "x0" and "y0" sliders of a descent widget, over ``surface``'s window (the plotted
    area: a start is always in the picture; ``follow_surface`` moves them with the surface)."""
    sliders = {"x0": W.FloatSlider(value=0.0, min=-1.0, max=1.0, step=0.05,
                                   description=x_label),
               "y0": W.FloatSlider(value=0.0, min=-1.0, max=1.0, step=0.05,
                                   description=y_label)}
    fit_start_sliders(sliders["x0"], sliders["y0"], surface)
    sliders["x0"].value, sliders["y0"].value = float(start[0]), float(start[1])
    return sliders


def _set_range(slider: W.FloatSlider, low: float, high: float) -> None:
    # in the order that never puts min above max (the value is clamped into the range)
    if low > slider.max:
        slider.max, slider.min = high, low
    else:
        slider.min, slider.max = low, high


def fit_start_sliders(x0: W.FloatSlider, y0: W.FloatSlider, surface: Surface) -> None:
    """Gives the start sliders the range of ``surface``'s window (a start outside it would
    begin outside the picture) and shows "y0" only on a 2-D surface."""
    _set_range(x0, *surface.xlim)
    if surface.dim == 2:
        _set_range(y0, *surface.ylim)
    show_if(y0, surface.dim == 2)


def follow_surface(surfaces: dict):
    """The ``follow`` of a descent widget's Lab: when the surface changes, the start sliders
    take its window."""
    def follow(lab: Lab, control) -> None:
        if control is lab.controls["surface"]:
            fit_start_sliders(lab.controls["x0"], lab.controls["y0"], surfaces[control.value])
    return follow


def show_run(state: dict, surface: Surface, run: Trajectory, steps: int) -> None:
    """Moves a descent widget's path (a cross where it diverged) and its loss curve to ``run``
    and sets the loss panel's limits; the panels are those of ``setup_surface_panels``."""
    _, path, start_mark, end_mark = state["panels"][state["surface"]]
    if surface.dim == 1:
        xs, ys = run.points[:, 0], surface.values(run.points[:, 0])
    else:
        xs, ys = run.points[:, 0], run.points[:, 1]
    path.set_data(xs, ys)
    start_mark.set_data(xs[:1], ys[:1])
    end_mark.set_data(xs[-1:] if run.diverged else [], ys[-1:] if run.diverged else [])

    gap = loss_gap(run, surface.f_min)
    t = np.arange(run.steps + 1)
    state["loss_line"].set_data(t, gap)
    state["loss_end"].set_data(t[-1:] if run.diverged else [],
                               gap[-1:] if run.diverged else [])
    ax = state["ax_loss"]
    ax.set_xlim(0, max(steps, 1))
    lo, hi = float(gap.min()), float(gap.max())
    if surface.f_min is None:
        pad = 0.05 * (hi - lo) + 1e-9
        ax.set_ylim(lo - pad, hi + pad)
    else:
        ax.set_ylim(lo / 3.0, hi * 3.0)


def setup_surface_panels(fig, surfaces: dict, state: dict, color: str | None = None,
                         path_fmt: str = "-", lw: float = 1.5) -> None:
    """The figure of a descent widget: one path panel per surface, all in the same place and
    drawn once (contours are the slow part of a drawing, so switching surface only switches
    which panel is visible), and a loss panel. Fills state["panels"][name] = (ax, path,
    start_mark, end_mark), state["ax_loss"], state["loss_line"] and state["loss_end"]."""
    colored = {} if color is None else {"color": color}
    for name, s in surfaces.items():
        ax = fig.add_subplot(1, 2, 1, label=name)
        plot_surface(s, ax, n=120, title=s.formula)
        ax.xaxis.set_major_locator(MaxNLocator(4))   # few ticks: tick labels are most
        ax.yaxis.set_major_locator(MaxNLocator(4))   # of the drawing time
        (path,) = ax.plot([], [], path_fmt, ms=3, lw=lw, zorder=5, **colored)
        # not clipped: a start on the window's edge shows whole
        (start_mark,) = ax.plot([], [], "o", mfc="white", ms=7, zorder=6, clip_on=False,
                                **({} if color is None else {"mec": color}))
        (end_mark,) = ax.plot([], [], "x", ms=9, mew=2, zorder=6, **colored)
        ax.set_visible(False)
        animate(path, start_mark, end_mark)  # redrawn alone over the cached contours
        state["panels"][name] = (ax, path, start_mark, end_mark)
    ax = state["ax_loss"] = fig.add_subplot(1, 2, 2)
    (state["loss_line"],) = ax.plot([], [], "-", lw=1.5, **colored)
    (state["loss_end"],) = ax.plot([], [], "x", ms=9, mew=2, **colored)
    ax.set_xlabel(_("step t"))
    ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
    # the axis labels at fixed places (clear of the widest tick labels this panel shows):
    # placed automatically, every redraw would measure every tick label first
    ax.xaxis.set_label_coords(0.5, -0.12)
    ax.yaxis.set_label_coords(-0.19, 0.5)
    animate(ax)  # its limits change with every run: redrawn whole, without the contours
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.15, top=0.86, wspace=0.28)


def show_surface(state: dict, surfaces: dict, name: str) -> None:
    """Shows the panel of surface ``name`` and sets the loss axis for it: log scale of
    f - f_min where the minimum is known, linear f otherwise."""
    for other, (ax, *_rest) in state["panels"].items():
        ax.set_visible(other == name)
    ax = state["ax_loss"]
    if surfaces[name].f_min is None:
        ax.set_yscale("linear")
        ax.set_ylabel("f(p)")
        ax.yaxis.set_major_locator(MaxNLocator(4))
    else:
        # few ticks and plain "1e-04" labels: log-axis tick text is the slowest part of
        # a redraw otherwise (mathtext, minor ticks)
        ax.set_yscale("log")
        ax.set_ylabel(_("f(p) - f_min (log scale)"))
        ax.yaxis.set_major_locator(LogLocator(numticks=4))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0e}"))
    ax.yaxis.set_minor_locator(NullLocator())
    state["surface"] = name
