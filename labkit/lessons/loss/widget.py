"""Lesson 02's widget: three logits and a true class; the softmax probabilities as bars, the
cross-entropy and MSE losses and their gradients on the logits, and what they mean in words."""
from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as W

from ...core.i18n import N_, _
from ...widgets.base import Lab, Status, animate
from .compute import ClassifierLosses, classify_logits
from .figures import (
    plot_class_probabilities,
    plot_logit_gradients,
    update_class_probabilities,
    update_logit_gradients,
)

CLASS_NAMES = (N_("cat"), N_("dog"), N_("bird"))
LOGIT_RANGE = 6.0


def describe_losses(r: ClassifierLosses, class_names: Sequence[str] = CLASS_NAMES) -> Status:
    """Confidently wrong, wrong, right but unsure, or confidently right, with the numbers."""
    true, pred = _(class_names[r.target]), _(class_names[r.predicted])
    t = r.target
    numbers = _("cross-entropy {ce:.2f} (dL/dz_{true} = {ce_grad:+.2f}), "
                "MSE {mse:.3f} (dL/dz_{true} = {mse_grad:+.3f})").format(
        ce=r.ce, true=true, ce_grad=r.ce_grad[t], mse=r.mse, mse_grad=r.mse_grad[t])
    values = dict(true=true, pred=pred, p_true=r.p_true, p_pred=r.p[r.predicted],
                  numbers=numbers)
    if r.predicted != t and r.p_true < 0.1:
        return Status(_(
            "Confidently wrong: {true} gets only p = {p_true:.3f}, {pred} gets {p_pred:.2f}. "
            "Cross-entropy is large and its gradient pushes hard; MSE's gradient has nearly "
            "vanished, so it would hardly learn: {numbers}.").format(**values), "warning")
    if r.predicted != t:
        return Status(_(
            "Wrong: the network prefers {pred} (p = {p_pred:.2f}) to the true {true} "
            "(p = {p_true:.2f}). Both losses push z_{true} up, cross-entropy harder: "
            "{numbers}.").format(**values))
    if r.p_true >= 0.9:
        return Status(_(
            "Confidently right: {true} gets p = {p_true:.3f}. Both losses and both gradients "
            "are small, little is left to learn: {numbers}.").format(**values))
    return Status(_(
        "Right but unsure: {true} gets p = {p_true:.2f}. Cross-entropy keeps pushing toward "
        "certainty: {numbers}.").format(**values))


def loss_lab(logits: Sequence[float] = (2.0, 0.5, -1.0), target: int = 0,
             class_names: Sequence[str] = CLASS_NAMES) -> Lab:
    """Sliders for the logits of a 3-class example and a choice of the true class; shows the
    softmax probabilities, both losses and their gradients on the logits, and says in words
    whether the network is confidently wrong, wrong, unsure or confidently right."""
    names = tuple(class_names)
    if len(logits) != len(names):
        raise ValueError(f"loss_lab: {len(logits)} logits for {len(names)} classes {names}")
    if isinstance(target, bool) or target not in range(len(names)):
        raise ValueError(f"loss_lab: target must be a class index in 0..{len(names) - 1}, "
                         f"got {target!r}")
    controls: dict[str, W.ValueWidget] = {}
    for name, z in zip(names, logits):
        if not -LOGIT_RANGE <= z <= LOGIT_RANGE:
            raise ValueError(f"loss_lab: logit {z} of {name} is outside the slider's range "
                             f"[-{LOGIT_RANGE}, {LOGIT_RANGE}]")
        controls[f"z_{name}"] = W.FloatSlider(value=float(z), min=-LOGIT_RANGE,
                                              max=LOGIT_RANGE, step=0.1,
                                              description=f"z_{_(name)}")
    controls["target"] = W.Dropdown(options=[(_(n), j) for j, n in enumerate(names)],
                                    value=target, description=_("true class"))
    shown = [_(n) for n in names]       # the names drawn (the controls keep names as keys)
    axes = {}
    start = classify_logits(list(logits), target)

    def setup(fig):
        axes["p"], axes["g"] = fig.subplots(1, 2)
        plot_class_probabilities(start, axes["p"], shown)
        plot_logit_gradients(start, axes["g"], shown)
        # the moving parts, redrawn alone over a kept picture of the rest (fast): bars, their
        # labels, the titles and legend, the x axes (their labels mark the true class); the
        # zero line with them only to stay drawn on top of the bars
        p, g = axes["p"], axes["g"]
        animate(p.patches, p.texts, p.title, p.xaxis, g.patches, g.lines, g.get_legend(),
                g.get_legend().get_texts(), g.xaxis)
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.1, top=0.88, wspace=0.3)

    def draw(fig, v):
        r = classify_logits([v[f"z_{n}"] for n in names], v["target"])
        update_class_probabilities(axes["p"], r, shown)
        update_logit_gradients(axes["g"], r, shown)
        return describe_losses(r, names)

    return Lab(_("cross-entropy vs MSE on a 3-class example: move the logits"),
               controls, draw, figsize=(9.0, 3.4), setup=setup, columns=4)
