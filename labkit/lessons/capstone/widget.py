"""Lesson 10's widget: walk through the test images of a trained classifier. For one image at a
time: the image with its true and predicted label, the predicted probabilities, and how large
a gradient this single example would send into every layer, against the typical size over all
test images. Confident right answers push almost nothing back; mistakes push hardest."""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import numpy as np
from matplotlib.ticker import FixedLocator, NullLocator

from ...core.i18n import N_, _
from ...core.layers import Sequential
from ...core.losses import CrossEntropyLoss, softmax
from ...diagnostics.probe import probe
from ...widgets.base import Lab, Status, animate, show_if
from .figures import (
    OTHER_COLOR,
    RIGHT_COLOR,
    TINY,
    WRONG_COLOR,
    layer_labels,
    plot_digit,
    plot_layer_values,
    plot_probabilities,
)

SHOW = ((N_("all test images"), "all"), (N_("mistakes only"), "wrong"))


def _image(row: np.ndarray) -> np.ndarray:
    side = int(round(np.sqrt(row.size)))
    return np.asarray(row, dtype=np.float64).reshape(side, side)


@dataclass(frozen=True)
class ExampleGradients:
    """Per-example quantities of a classifier on a data set (one row per example)."""

    probs: np.ndarray           # (N, C) softmax probabilities
    pred: np.ndarray            # (N,) predicted classes
    loss: np.ndarray            # (N,) cross-entropy of each example alone
    grad_norm: dict[str, np.ndarray]   # layer key ("0", "2") -> (N,) ||dL/dθ|| of that example


def example_gradients(net: Sequential, X: np.ndarray, y: np.ndarray) -> ExampleGradients:
    """For every example alone: probabilities, prediction, cross-entropy and the gradient norm
    of every layer with parameters (the net's weights and gradients are left as they were)."""
    if not isinstance(net, Sequential):
        raise TypeError(f"example_gradients: expected a labkit Sequential, got "
                        f"{type(net).__name__}")
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or len(X) != len(y) or len(X) == 0:
        raise ValueError(f"example_gradients: expected X (N, features) and y (N,) with N > 0, "
                         f"got {X.shape} and {y.shape}")
    was_training = net.training
    net.eval()
    try:
        probs = softmax(net(X))
        keys = [str(i) for i, layer in enumerate(net.layers) if layer.parameters()]
        norms = {k: np.empty(len(X)) for k in keys}
        loss_fn = CrossEntropyLoss()
        for n in range(len(X)):
            stats = probe(net, X[n:n + 1], y[n:n + 1], loss_fn)
            for k in keys:
                norms[k][n] = stats[int(k)].param_grad_norm
    finally:
        net.train(was_training)
    rows = np.arange(len(y))
    loss = -np.log(np.maximum(probs[rows, y], 1e-300))
    return ExampleGradients(probs, probs.argmax(axis=1), loss, norms)


def describe_example(n: int, y_true: int, g: ExampleGradients, typical: dict[str, float],
                     labels: dict[str, str]) -> Status:
    """What the network says about test image n, and how hard it pushes back, in words."""
    p, pred = g.probs[n], int(g.pred[n])
    first = next(iter(typical))
    ratio = g.grad_norm[first][n] / typical[first] if typical[first] > 0 else float("inf")
    size = _("loss {loss:.3f}; its gradient into {layer} is {ratio:.2g}× the median over the "
             "test images").format(loss=g.loss[n], layer=labels[first], ratio=ratio)
    values = dict(n=n, true=y_true, pred=pred, p_pred=p[pred], p_true=p[y_true], size=size)
    if pred != y_true:
        return Status(_("Test image {n} is a {true}, but the network says {pred} "
                        "(p = {p_pred:.2f}; the true {true} gets p = {p_true:.2f}). A mistake: "
                        "{size}. Mistakes like this one drive the learning.").format(**values),
                      "warning")
    if p[pred] < 0.9:
        return Status(_("Test image {n} is a {true}, predicted right but unsure "
                        "(p = {p_pred:.2f}): {size}.").format(**values))
    return Status(_("Test image {n} is a {true}, predicted right with p = {p_pred:.3f}: "
                    "{size}. A confident right answer pushes almost nothing back."
                    ).format(**values))


def digit_explorer(net: Sequential, X: np.ndarray, y: np.ndarray, *, start: int = 0,
                   show: str = "all") -> Lab:
    """A slider over the examples (X, y) of a trained digit classifier ``net``: the image,
    the predicted probabilities and the per-layer gradient norms of that one example (dashed:
    the median over all examples). ``show``: "all" examples or the "wrong" ones only."""
    if show not in dict(SHOW).values():
        raise ValueError(f"digit_explorer: show must be 'all' or 'wrong', got {show!r}")
    g = example_gradients(net, X, y)
    y = np.asarray(y)
    if not 0 <= start < len(X):
        raise ValueError(f"digit_explorer: start must be in 0..{len(X) - 1}, got {start}")
    wrong = np.flatnonzero(g.pred != y)
    typical = {k: float(np.median(v)) for k, v in g.grad_norm.items()}
    labels = layer_labels(net, list(g.grad_norm))
    short = {k: _("layer {key}").format(key=k) for k in g.grad_norm}
    lo = min(float(np.min(v[v > 0])) if np.any(v > 0) else 1e-12 for v in g.grad_norm.values())
    hi = max(float(np.max(v)) for v in g.grad_norm.values())
    controls = {
        "show": W.Dropdown(options=[(_(label), key) for label, key in SHOW], value=show,
                           description=_("show")),
        # the value is the test image's own index, so the readout is the number in the title;
        # "wrong" leaves only the mistakes on the slider
        "i": W.SelectionSlider(options=_image_options(range(len(X))), value=start,
                               description=_("test image"), continuous_update=True),
    }
    keys = list(g.grad_norm)
    n_classes = g.probs.shape[1]
    art: dict = {}

    def setup(fig):
        # the axes and artists are made once; a redraw only changes their data (fast)
        ax_img, ax_p, ax_g = (fig.add_subplot(1, 3, j) for j in (1, 2, 3))
        plot_digit(X[start], ax_img, title=" ")
        plot_probabilities(g.probs[start], ax_p, true=int(y[start]),
                           title=_("what the network says"))
        plot_layer_values({short[k]: g.grad_norm[k][start] for k in keys}, ax_g,
                          title=_("this image's gradient\n(dashed: median of all)"))
        for j, k in enumerate(keys):
            ax_g.plot([j - 0.4, j + 0.4], [typical[k]] * 2, "k--", lw=1)
        ax_g.set_ylim(lo / 3, hi * 3)
        decades = np.arange(np.floor(np.log10(lo / 3)), np.ceil(np.log10(hi * 3)) + 1)
        ax_g.yaxis.set_major_locator(FixedLocator(10.0 ** decades[::2]))
        ax_g.yaxis.set_minor_locator(NullLocator())
        art.update(img=ax_img.images[0], title=ax_img.title, pbars=list(ax_p.patches),
                   gbars=list(ax_g.patches), axes=(ax_img, ax_p, ax_g),
                   empty=ax_p.text(0.5, 0.5, "", ha="center", va="center",
                                   transform=ax_p.transAxes))
        # the moving parts, redrawn alone over a kept picture of the axes and their ticks
        # (fast); the image's frame and the dashed medians with them, to stay on top
        animate(art["img"], art["title"], ax_img.spines.values(), art["pbars"], art["gbars"],
                ax_g.lines)
        fig.subplots_adjust(left=0.04, right=0.98, bottom=0.2, top=0.85, wspace=0.45)

    def draw(fig, v):
        if v["show"] == "wrong":
            if len(wrong) == 0:
                for ax in art["axes"]:
                    ax.set_visible(False)
                fig.texts.clear()
                fig.text(0.5, 0.5, _("no mistakes on these images"), ha="center",
                         va="center")
                return _("The network classifies every one of these images correctly.")
            # the nearest mistake (the slider holds only mistakes; a value set from outside,
            # a preset say, may be another image)
            k = int(np.argmin(np.abs(wrong - v["i"])))
            n = int(wrong[k])
            where = _("mistake {k} of {n}: ").format(k=k + 1, n=len(wrong))
        else:
            n, where = v["i"], ""
        fig.texts.clear()
        for ax in art["axes"]:
            ax.set_visible(True)
        t, pred = int(y[n]), int(g.pred[n])
        art["img"].set_data(_image(X[n]))
        art["title"].set_text(_("image {n}: true {true} → {predicted}").format(
            n=n, true=t, predicted=pred))
        art["title"].set_color(RIGHT_COLOR if t == pred else WRONG_COLOR)
        for c, bar in enumerate(art["pbars"][:n_classes]):
            bar.set_height(g.probs[n, c])
            bar.set_color(RIGHT_COLOR if c == t else WRONG_COLOR if c == pred else OTHER_COLOR)
        for j, k in enumerate(keys):
            art["gbars"][j].set_height(max(g.grad_norm[k][n], TINY))
        status = describe_example(n, t, g, typical, labels)
        return Status(where + status.text, status.level)

    def follow_show(lab: Lab, control) -> None:
        # the slider's stops follow "show" (before the one redraw): all images or the
        # mistakes, starting from the nearest to the image on show
        if control is not controls["show"]:
            return
        slider = controls["i"]
        stops = wrong if control.value == "wrong" and len(wrong) else range(len(X))
        near = min(stops, key=lambda s: abs(int(s) - slider.value))
        slider.options = _image_options(stops)
        slider.value = int(near)
        show_if(slider, not (control.value == "wrong" and len(wrong) == 0))

    lab = Lab(_("a trained digit classifier, one test image at a time"), controls, draw,
              figsize=(9.0, 3.2), setup=setup, follow=follow_show)
    with lab.hold():
        follow_show(lab, controls["show"])
    return lab


def _image_options(indices) -> list[tuple[str, int]]:
    return [(str(int(n)), int(n)) for n in indices]
