"""Lesson 07's widget: a gradient check with a chosen step eps, dtype and injected bug."""
from __future__ import annotations

from functools import cache

import ipywidgets as W
import numpy as np

from ...core.gradcheck import GradCheckReport, check_gradients
from ...core.i18n import _
from ...core.losses import MSELoss
from ...plot.base import SMALL_PT
from ...widgets.base import Lab, Status, animate, log_slider, round_values, translated_options
from .compute import BUGS, epsilon_sweep, make_study_net, study_data
from .figures import BAD_COLOR, OK_COLOR, plain_log_axis, plot_relative_errors

TOLERANCE = {"float64": 1e-6, "float32": 1e-3}
DTYPES = {"float64": np.float64, "float32": np.float32}
SWEEP_EPS = 10.0 ** np.arange(-12.0, 0.01, 0.5)
BATCH = 6
BAR_FLOOR = 1e-16


def _check(bug: str, dtype: str, eps: float) -> GradCheckReport:
    net = make_study_net(bug, DTYPES[dtype])
    X, y = study_data(BATCH, DTYPES[dtype])
    return check_gradients(net, MSELoss(), X, y, eps=eps, tol=TOLERANCE[dtype])


@cache
def best_eps(dtype: str) -> float:
    """The eps with the smallest error for a correct study network in this dtype, from its
    error-vs-eps curve (computed once per process)."""
    net = make_study_net("none", DTYPES[dtype])
    X, y = study_data(BATCH, DTYPES[dtype])
    return epsilon_sweep(net, MSELoss(), X, y, SWEEP_EPS).best_eps


def _where(report: GradCheckReport) -> str:
    """Where to look, from which layers' gradients are wrong and which are right."""
    bad = [r for r in report.rows if r.rel_error >= report.tol]
    layers = sorted({int(r.name.split(".")[0]) for r in bad})
    good_after = sorted({int(r.name.split(".")[0]) for r in report.rows
                         if r.rel_error < report.tol and int(r.name.split(".")[0]) > layers[-1]})
    hints = []
    for r in bad:
        if r.name.endswith(".b") and r.analytic_at_worst != 0:
            ratio = r.numeric_at_worst / r.analytic_at_worst
            if abs(ratio - round(ratio)) < 0.01 and round(ratio) == BATCH:
                hints.append(_("{name}: finite differences are {ratio:.2f} times backprop, "
                               "exactly the batch size: a sum over the batch is missing"
                               ).format(name=r.name, ratio=ratio))
        if r.name.endswith(".W") and all(b.name != r.name.replace(".W", ".b") for b in bad):
            hints.append(_("{name} is wrong but its bias is right: delta reaches the layer "
                           "correctly, so look at how dW is formed from delta and the input"
                           ).format(name=r.name))
    if not hints and good_after:
        first_good = good_after[0]
        hints.append(_("layer {good} and after are right, layer {bad} is wrong: the error "
                       "enters between them, in the backward of layer {between}").format(
            good=first_good, bad=layers[-1],
            between=_(" or ").join(str(k) for k in range(layers[-1], first_good))))
    return _("; ").join(hints)


def gradcheck_lab(eps: float = 1e-6, dtype: str = "float64", bug: str = "none") -> Lab:
    """Choose the step eps (log slider), the dtype and a bug to inject into the network
    Linear(3, 3) -> Tanh -> Linear(3, 2); the bars show the relative error of every
    parameter (red: above the dtype's tolerance), the status line whether the check passes,
    which parameter is wrong and where to look, or that eps itself is out of range (then the
    best eps of the dtype, from the error-vs-eps curve of a correct network)."""
    if dtype not in DTYPES:
        raise ValueError(f"gradcheck_lab: dtype must be one of {list(DTYPES)}, got {dtype!r}")
    if bug not in BUGS:
        raise ValueError(f"gradcheck_lab: bug must be one of {list(BUGS)}, got {bug!r}")
    controls = {
        "eps": log_slider(eps, round_values(1e-12, 1, mantissas=(1, 3)), _("step ε"),
                          fmt=".0e"),
        "dtype": W.Dropdown(options=list(DTYPES), value=dtype, description="dtype"),
        "bug": W.Dropdown(options=translated_options(BUGS), value=bug,
                          description=_("inject bug"),
                          layout=W.Layout(width="300px")),
    }
    state: dict = {}

    def setup(fig):
        state["ax"] = fig.add_subplot()
        fig.subplots_adjust(left=0.13, right=0.85, bottom=0.12, top=0.88)

    def draw_bars(report: GradCheckReport, title: str) -> None:
        # the first time a full drawing; then only heights, colours and labels change, and
        # they are redrawn alone over a kept picture of the axes and ticks (fast)
        ax = state["ax"]
        if "bar_patches" not in state:
            plot_relative_errors(report, ax, floor=BAR_FLOOR, title=title)
            plain_log_axis(ax.yaxis, step=4)
            state["bar_patches"] = list(ax.containers[0])
            state["tol_line"] = ax.lines[0]
            state["tol_text"] = ax.texts[0]
            for label in ax.texts[1:]:   # one label per bar instead, shown when it is bad
                label.remove()
            state["labels"] = [ax.text(i, 1.0, "", ha="center", va="bottom", fontsize=SMALL_PT,
                                       color=BAD_COLOR) for i in range(len(report.rows))]
            animate(state["bar_patches"], ax.lines, ax.texts, ax.title, ax.spines.values())
        for patch, label, r in zip(state["bar_patches"], state["labels"], report.rows):
            height = max(r.rel_error, BAR_FLOOR)
            patch.set_height(height - patch.get_y())
            bad = r.rel_error >= report.tol
            patch.set_color(BAD_COLOR if bad else OK_COLOR)
            label.set_visible(bad)
            label.set_text(_("worst at\n{index}").format(index=r.worst_index))
            label.set_y(height * 1.6)
        state["tol_line"].set_ydata([report.tol, report.tol])
        state["tol_text"].set_y(report.tol)
        state["tol_text"].set_text(_("tolerance\n{tol:g}").format(tol=report.tol))
        ax.title.set_text(title)

    def draw(fig, v):
        e, dt, bg = float(v["eps"]), v["dtype"], v["bug"]
        report = _check(bg, dt, e)
        draw_bars(report, _("backprop vs finite differences: {dtype}, ε = {eps:.0e}").format(
            dtype=dt, eps=e))
        worst = report.worst
        if report.ok:
            return _("Check passes in {dtype} with ε = {eps:.0e}: every relative error is below "
                     "{tol:g} (largest: {name}, {error:.1e}).").format(
                         dtype=dt, eps=e, tol=report.tol, name=worst.name,
                         error=worst.rel_error)
        correct = _check("none", dt, e)
        bad = ", ".join(r.name for r in report.rows if r.rel_error >= report.tol)
        if not correct.ok:
            best = best_eps(dt)
            side = (_("too small: rounding error dominates") if e < best
                    else _("too large: truncation error dominates"))
            if bg == "none":
                return Status(_("Check fails although the backward is correct: ε = {eps:.0e} "
                                "is {side} in {dtype}. Try ε near {best:.0e}.").format(
                                    eps=e, side=side, dtype=dt, best=best), "warning")
            return Status(_("Check fails in {bad}, but at ε = {eps:.0e} even a correct "
                            "backward fails ({side} in {dtype}), so the check cannot point at "
                            "the bug. Move ε near {best:.0e}.").format(
                                bad=bad, eps=e, side=side, dtype=dt, best=best), "warning")
        where = _where(report)
        text = _("MISMATCH in {bad}: worst element {index} of {name}, backprop {analytic:+.4g} "
                 "vs finite differences {numeric:+.4g}.").format(
                     bad=bad, index=worst.worst_index, name=worst.name,
                     analytic=worst.analytic_at_worst, numeric=worst.numeric_at_worst)
        if where:
            text = _("{text} {where}.").format(text=text, where=where[0].upper() + where[1:])
        else:
            text += " "
        return Status(text, "warning")

    return Lab(_("gradient check: ε, dtype and an injected bug"), controls, draw,
               figsize=(6.4, 3.4), setup=setup)
