"""Loss functions drawn: cross-entropy against MSE on probabilities, and one sample's softmax."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from ...core.i18n import _
from ...core.module import renamed
from ...plot.base import SMALL_PT, new_axes
from .compute import ClassifierLosses, cross_entropy_vs_p, mse_vs_p

CE_COLOR, MSE_COLOR, TRUE_COLOR, OTHER_COLOR = "#d62728", "#1f77b4", "#2ca02c", "#9e9e9e"


def plot_ce_and_mse_vs_p(axes: Sequence[Axes] | None = None, p_min: float = 0.001,
                     wrong_below: float = 0.1) -> tuple[Axes, Axes]:
    """Two panels against p, the predicted probability of the true class (p = sigmoid(z)):
    the loss, and how hard it pushes the logit, |dL/dz|, for cross-entropy and for MSE on the
    probability. Below ``wrong_below`` (shaded) the network is confidently wrong.
    ``axes``: two Axes to draw on, else a new figure of size (9, 3.4). Returns the two Axes."""
    if axes is None:
        import matplotlib.pyplot as plt

        _fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.4), layout="constrained")
    ax_loss, ax_grad = axes
    p = np.linspace(p_min, 1.0, 500)
    ce, ce_grad = cross_entropy_vs_p(p)
    mse, mse_grad = mse_vs_p(p)
    ax_loss.plot(p, ce, color=CE_COLOR, label=_("cross-entropy  −log p"))
    ax_loss.plot(p, mse, color=MSE_COLOR, label=_("MSE on p  (1 − p)²"))
    ax_loss.set_ylim(0, 5)
    ax_loss.set_ylabel(_("loss L"))
    ax_loss.set_title(_("the loss"))
    ax_grad.plot(p, np.abs(ce_grad), color=CE_COLOR, label=_("cross-entropy  |p − 1|"))
    ax_grad.plot(p, np.abs(mse_grad), color=MSE_COLOR, label=_("MSE  |2 (p − 1) p (1 − p)|"))
    ax_grad.set_ylim(0, 1.05)
    ax_grad.set_ylabel(_("|dL/dz|: how hard it pushes z"))
    ax_grad.set_title(_("its gradient with respect to the logit z"))
    for ax in (ax_loss, ax_grad):
        ax.axvspan(0, wrong_below, color="#fdd49e", alpha=0.5, lw=0)
        ax.text(wrong_below / 2, 0.35, _("confi-\ndently\nwrong"),
                transform=ax.get_xaxis_transform(), ha="center", va="center", fontsize=SMALL_PT)
        ax.set_xlim(0, 1)
        ax.set_xlabel(_("p: predicted probability of the true class"))
        ax.legend(loc="upper right", fontsize=8)
    return ax_loss, ax_grad


def plot_class_probabilities(result: ClassifierLosses, ax: Axes | None = None,
                             class_names: Sequence[str] | None = None) -> Axes:
    """The softmax probabilities of one sample as bars, the true class in green."""
    ax = new_axes(ax, figsize=(4.5, 3.2))
    names = _names(result, class_names)
    bars = ax.bar(names, np.zeros(len(names)), color=OTHER_COLOR)
    for bar in bars:
        ax.text(bar.get_x() + bar.get_width() / 2, 0.0, "", ha="center", va="bottom",
                fontsize=9)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("p = softmax(z)")
    ax.set_title(" ", fontsize=10)
    update_class_probabilities(ax, result, names)
    return ax


def update_class_probabilities(ax: Axes, result: ClassifierLosses,
                               class_names: Sequence[str] | None = None) -> Axes:
    """Moves the bars drawn by ``plot_class_probabilities`` to a new sample (a widget's redraw:
    faster than drawing again)."""
    names = _names(result, class_names)
    bars = ax.containers[0]
    if len(bars) != len(names):
        raise ValueError(f"update_class_probabilities: {len(bars)} bars for {len(names)} "
                         "classes")
    for j, (bar, text, p) in enumerate(zip(bars, ax.texts, result.p)):
        bar.set_height(p)
        bar.set_color(TRUE_COLOR if j == result.target else OTHER_COLOR)
        text.set_text(f"{p:.2f}")
        text.set_y(p)
    _mark_true_class(ax, result.target)
    # set_text, not set_title: set_title also touches the other titles, which makes a widget
    # redraw the whole figure instead of just its moving parts
    ax.title.set_text(_("probabilities (true class: {name})").format(name=names[result.target]))
    return ax


def plot_logit_gradients(result: ClassifierLosses, ax: Axes | None = None,
                         class_names: Sequence[str] | None = None) -> Axes:
    """dL/dz of every logit for cross-entropy (p − onehot) and for MSE on the probabilities,
    side by side. A negative bar means: raise this logit to lower the loss."""
    ax = new_axes(ax, figsize=(4.5, 3.2))
    names = _names(result, class_names)
    x = np.arange(len(names))
    zeros = np.zeros(len(names))
    ax.bar(x - 0.2, zeros, width=0.4, color=CE_COLOR, label=_("cross-entropy"))
    ax.bar(x + 0.2, zeros, width=0.4, color=MSE_COLOR, label=_("MSE on p"))
    ax.set_xticks(x, names)
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set_ylim(-1.05, 1.4)
    ax.set_yticks([-1.0, -0.5, 0.0, 0.5, 1.0])
    ax.set_ylabel("dL/dz")
    ax.set_title(_("gradient on each logit"), fontsize=10)
    ax.legend(loc="upper center", ncol=2, fontsize=8, frameon=False, handlelength=1.0,
              columnspacing=0.8)
    update_logit_gradients(ax, result, names)
    return ax


def update_logit_gradients(ax: Axes, result: ClassifierLosses,
                           class_names: Sequence[str] | None = None) -> Axes:
    """Moves the bars drawn by ``plot_logit_gradients`` to a new sample."""
    names = _names(result, class_names)
    ce_bars, mse_bars = ax.containers[:2]
    if len(ce_bars) != len(names):
        raise ValueError(f"update_logit_gradients: {len(ce_bars)} bars for {len(names)} "
                         "classes")
    for bars, values in ((ce_bars, result.ce_grad), (mse_bars, result.mse_grad)):
        for bar, g in zip(bars, values):
            bar.set_height(g)
    ce_text, mse_text = ax.get_legend().get_texts()
    ce_text.set_text(_("cross-entropy (L = {loss:.2f})").format(loss=result.ce))
    mse_text.set_text(_("MSE on p (L = {loss:.3f})").format(loss=result.mse))
    _mark_true_class(ax, result.target)
    return ax


def _mark_true_class(ax: Axes, target: int) -> None:
    # only when the true class changes, and on the ticks themselves: get_xticklabels() lays
    # the ticks out again, which makes a widget draw its whole figure anew
    if getattr(ax, "_labkit_true_class", None) == target:
        return
    ax._labkit_true_class = target
    for j, tick in enumerate(ax.xaxis.get_major_ticks()):
        tick.label1.set_color(TRUE_COLOR if j == target else "black")
        tick.label1.set_fontweight("bold" if j == target else "normal")


def _names(result: ClassifierLosses, class_names: Sequence[str] | None) -> list[str]:
    c = len(result.p)
    names = list(class_names) if class_names is not None else [
        _("class {j}").format(j=j) for j in range(c)]
    if len(names) != c:
        raise ValueError(f"{len(names)} class names for {c} classes")
    return names


# the old name (two functions were called plot_loss_curves: this one and the training curves
# of labkit.plot.diagnostics), for one release
_RENAMED = {"plot_loss_curves": ("plot_ce_and_mse_vs_p", lambda: plot_ce_and_mse_vs_p)}


def __getattr__(name: str):
    return renamed(__name__, name, _RENAMED)
