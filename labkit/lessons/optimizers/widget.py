"""Five optimizers on a 2-D surface: pick SGD, momentum, Nesterov, RMSprop or Adam, its
learning rate eta, beta1 (or the momentum mu) and beta2, a surface and a start; watch the path
on the contours and the loss per step, and read what happened in words."""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from ...core.i18n import N_, _
from ...core.optim import SGD, Adam, RMSprop
from ...widgets.base import Lab, Status, log_slider, round_values, show_if, translated_options
from ..gradient_descent.compute import Surface, Trajectory, descend, describe_run, get_surface
from ..gradient_descent.widget import (
    LEVELS,
    follow_surface,
    setup_surface_panels,
    show_run,
    show_surface,
    start_sliders,
)
from .figures import OPTIMIZER_COLORS

OPTIMIZERS = ("SGD", "momentum", "Nesterov", "RMSprop", "Adam")
LAB_SURFACES = ("ravine", "rosenbrock", "saddle", "bowl")
UNUSED = {"SGD": N_("β₁ and β₂ are not used by plain SGD"),
          "momentum": N_("β₁ is the momentum μ; β₂ is not used"),
          "Nesterov": N_("β₁ is the momentum μ; β₂ is not used"),
          "RMSprop": N_("β₂ is RMSprop's α; β₁ is not used"),
          "Adam": ""}


def optimizer_settings(name: str, lr: float, beta1: float, beta2: float) -> tuple[type, dict]:
    """(optimizer class, hyper-parameters) for the widget's five choices: beta1 is the
    momentum mu of momentum and Nesterov and Adam's beta1; beta2 is RMSprop's alpha and Adam's
    beta2. Nesterov with mu = 0 is plain SGD."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer_settings: unknown optimizer {name!r}; choose one of "
                         f"{list(OPTIMIZERS)}")
    if name == "SGD" or (name == "Nesterov" and beta1 == 0):
        return SGD, {"lr": lr}
    if name in ("momentum", "Nesterov"):
        return SGD, {"lr": lr, "momentum": beta1, "nesterov": name == "Nesterov"}
    if name == "RMSprop":
        return RMSprop, {"lr": lr, "alpha": beta2}
    return Adam, {"lr": lr, "betas": (beta1, beta2)}


def at_saddle(surface: Surface, run: Trajectory) -> bool:
    """True when the run ended where the surface curves downwards in some direction (a
    negative eigenvalue of the Hessian): a flat point there is a saddle, not a minimum."""
    return bool(np.linalg.eigvalsh(surface.hessian(run.final_point)).min() < 0)


def run_verdict(surface: Surface, run: Trajectory) -> tuple[str, Status]:
    """(a short verdict, the status line): describe_run's kind and text; a run that converged
    to a saddle point is "stuck at a saddle" (warning)."""
    verdict = describe_run(surface, run)
    if verdict.kind == "converged" and at_saddle(surface, run):
        return N_("stuck at a saddle"), Status(
            _("stuck at a saddle point: {text}").format(text=verdict.text), "warning")
    return verdict.kind, Status(verdict.text, LEVELS.get(verdict.kind, "info"))


def optimizers_lab(optimizer: str = "momentum", surface: str = "ravine", lr: float = 0.02,
                   beta1: float = 0.9, beta2: float = 0.999, steps: int = 100,
                   start: tuple[float, float] | None = None) -> Lab:
    """One optimizer (``lk.SGD``, ``lk.SGD(momentum, nesterov)``, ``lk.RMSprop`` or
    ``lk.Adam``) walking down a 2-D surface of ``labkit.lessons.gradient_descent``: its path on the
    contours, f - f_min per step, and a status that says converged in k steps / too slow /
    oscillating / diverged / stuck at a saddle, with the final loss."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizers_lab: unknown optimizer {optimizer!r}; choose one of "
                         f"{list(OPTIMIZERS)}")
    if surface not in LAB_SURFACES:
        raise ValueError(f"optimizers_lab: unknown surface {surface!r}; choose one of "
                         f"{list(LAB_SURFACES)}")
    surfaces = {name: get_surface(name) for name in LAB_SURFACES}
    start = tuple(surfaces[surface].start) if start is None else start
    controls = {
        "optimizer": W.Dropdown(options=translated_options(OPTIMIZERS), value=optimizer,
                                description=_("optimizer")),
        "lr": log_slider(lr, round_values(1e-4, 10), _("learning rate η")),
        "beta1": W.FloatSlider(value=beta1, min=0.0, max=0.99, step=0.01,
                               description=_("β₁ / momentum μ"), readout_format=".2f",
                               style={"description_width": "initial"}),
        "beta2": W.FloatSlider(value=beta2, min=0.5, max=0.999, step=0.001,
                               description="β₂", readout_format=".3f"),
        "surface": W.Dropdown(options=translated_options(LAB_SURFACES), value=surface,
                              description=_("surface")),
        "steps": W.IntSlider(value=steps, min=10, max=300, description=_("steps")),
        **start_sliders(surfaces[surface], start, _("start x"), _("start y")),
    }
    state: dict = {"surface": None, "panels": {}}

    def setup(fig):
        # as descent_lab; each optimizer's colour is set when it is drawn
        setup_surface_panels(fig, surfaces, state)

    def draw(fig, v):
        s = surfaces[v["surface"]]
        if state["surface"] != v["surface"]:
            show_surface(state, surfaces, v["surface"])
        make, hyper = optimizer_settings(v["optimizer"], v["lr"], v["beta1"], v["beta2"])
        run = descend(s, (v["x0"], v["y0"]), v["steps"], make, **hyper)
        kind, status = run_verdict(s, run)
        color = OPTIMIZER_COLORS[v["optimizer"]]

        show_run(state, s, run, v["steps"])
        _ax, path, start_mark, end_mark = state["panels"][v["surface"]]
        for line in (path, end_mark, state["loss_line"], state["loss_end"]):
            line.set_color(color)
        start_mark.set_markeredgecolor(color)
        state["ax_loss"].set_title(_("{optimizer}, η = {lr:.3g}: {verdict}").format(
            optimizer=_(v["optimizer"]), lr=v["lr"], verdict=_(kind)), fontsize=10)

        note = _(UNUSED[v["optimizer"]])
        if v["optimizer"] == "Nesterov" and v["beta1"] == 0:
            note = _("with μ = 0 Nesterov is plain SGD")
        if not note:
            return status
        return Status(_("{text} ({note}.)").format(text=status.text, note=note), status.level)

    def follow(lab: Lab, control) -> None:
        follow_start(lab, control)
        if control is lab.controls["optimizer"]:      # only the hyper-parameters it uses
            show_if(lab.controls["beta1"], control.value in ("momentum", "Nesterov", "Adam"))
            show_if(lab.controls["beta2"], control.value in ("RMSprop", "Adam"))

    follow_start = follow_surface(surfaces)
    lab = Lab(_("optimizers on a surface: SGD, momentum, Nesterov, RMSprop, Adam"), controls,
              draw, figsize=(9.0, 3.6), setup=setup, follow=follow)
    follow(lab, controls["optimizer"])
    return lab
