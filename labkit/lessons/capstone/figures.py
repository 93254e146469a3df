"""A classifier drawn: its training run (loss, validation metric), the gradient monitor's
per-layer gradient norms and update:data ratios, the confusion matrix with its counts, and
a grid of 8x8 digit images with their true and predicted labels.

Every helper draws on the Axes (or Figure) it is given, as widgets do, or on a new pyplot
figure of an explicit size, and returns what it drew on. The numbers come from the core
(``lk.confusion_matrix``, ``lk.fit``'s History) and from ``labkit.diagnostics.GradientMonitor``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...core.i18n import N_, _
from ...core.layers import Linear, Sequential
from ...core.module import check_int
from ...core.train import History
from ...plot.base import new_axes, trailing_mean

RIGHT_COLOR, WRONG_COLOR, OTHER_COLOR = "#2ca02c", "#d62728", "#9e9e9e"
LAYER_COLORS = ("#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")
HEALTHY_RATIO = 1e-3      # the rule of thumb for update:data (CS231n)
TINY = 1e-30              # zeros on a log scale are drawn at this floor


def _pair(axes, figsize: tuple[float, float]) -> tuple[Axes, Axes]:
    if axes is None:
        import matplotlib.pyplot as plt  # only when a new inline figure is wanted

        _fig, axes = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    if len(axes) != 2:
        raise ValueError(f"expected two Axes to draw on, got {len(axes)}")
    return axes[0], axes[1]


# --- the training run ------------------------------------------------------------------------
def plot_history(history: History, axes: Sequence[Axes] | None = None, *,
                 metric_name: str = N_("validation accuracy")) -> tuple[Axes, Axes]:
    """Two panels: the loss at every step (thin) with each epoch's mean (dots at the epoch's
    last step), and the validation metric after every epoch. ``axes``: two Axes, else a new
    figure of size (9, 3.2). Returns the two Axes."""
    ax_loss, ax_val = _pair(axes, (9.0, 3.2))
    steps = np.arange(1, history.steps + 1)
    ax_loss.plot(steps, history.loss, color=OTHER_COLOR, lw=0.7, label=_("loss of each batch"))
    epochs = len(history.epoch_loss)
    if epochs:
        per_epoch = history.steps // epochs
        ends = per_epoch * np.arange(1, epochs + 1)
        ax_loss.plot(ends, history.epoch_loss, "o-", color=LAYER_COLORS[0], ms=3,
                     label=_("mean over the epoch"))
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel(_("step (one mini-batch)"))
    ax_loss.set_ylabel(_("training loss L (log scale)"))
    ax_loss.set_title(_("training loss"), fontsize=10)
    ax_loss.legend(fontsize=8)
    if history.val_metric:
        ep = np.arange(1, len(history.val_metric) + 1)
        ax_val.plot(ep, history.val_metric, "o-", color=RIGHT_COLOR, ms=3)
        best = int(np.argmax(history.val_metric))
        ax_val.annotate(f"{history.val_metric[best]:.3f}", (ep[best], history.val_metric[best]),
                        textcoords="offset points", xytext=(0, -14), ha="center", fontsize=8)
    else:
        ax_val.text(0.5, 0.5, _("no validation data"), ha="center", va="center",
                    transform=ax_val.transAxes, color=OTHER_COLOR)
    ax_val.set_xlabel(_("epoch"))
    ax_val.set_ylabel(_(metric_name))
    ax_val.set_title(_("{metric}, after every epoch").format(metric=_(metric_name)), fontsize=10)
    ax_val.grid(alpha=0.3)
    return ax_loss, ax_val


def layer_labels(net: Sequential | None, keys: Sequence[str]) -> dict[str, str]:
    """"layer 0: Linear 64→128" for every key of a monitor ("0", "2", ...), from ``net``."""
    labels = {}
    for key in keys:
        label = _("layer {key}").format(key=key)
        if net is not None and key.isdigit() and int(key) < len(net.layers):
            layer = net.layers[int(key)]
            if isinstance(layer, Linear):
                out_f, in_f = layer.W.data.shape
                label = _("layer {key}: Linear {n_in}→{n_out}").format(key=key, n_in=in_f,
                                                                      n_out=out_f)
            else:
                label = _("layer {key}: {kind}").format(key=key, kind=type(layer).__name__)
        labels[key] = label
    return labels


def plot_gradient_monitor(monitor, axes: Sequence[Axes] | None = None, *,
                          net: Sequential | None = None, smooth: int = 20,
                          steps_per_epoch: int | None = None) -> tuple[Axes, Axes]:
    """Two panels from a ``GradientMonitor`` (its ``steps``, ``grad_norm`` and
    ``update_ratio``), one line per layer with parameters, on log scales:
    ||dL/dθ|| of the layer at every recorded step, and the update:data ratio
    ||Δθ|| / ||θ|| of the step, with the rule-of-thumb 1e-3 dashed.

    Raw values are drawn faintly, their mean over the last ``smooth`` steps solidly.
    ``net`` names the layers ("layer 0: Linear 64→128"); ``steps_per_epoch`` marks epochs.
    ``axes``: two Axes, else a new figure of size (9, 3.4). Returns the two Axes."""
    for attr in ("steps", "grad_norm", "update_ratio"):
        if not hasattr(monitor, attr):
            raise TypeError(f"plot_gradient_monitor: expected a GradientMonitor, got "
                            f"{type(monitor).__name__} without .{attr}")
    ax_g, ax_r = _pair(axes, (9.0, 3.4))
    steps = np.asarray(monitor.steps, dtype=np.float64)
    labels = layer_labels(net, list(monitor.grad_norm))
    for ax, data in ((ax_g, monitor.grad_norm), (ax_r, monitor.update_ratio)):
        for i, (key, values) in enumerate(data.items()):
            color = LAYER_COLORS[i % len(LAYER_COLORS)]
            v = np.maximum(np.asarray(values, dtype=np.float64), TINY)
            x = steps[:len(v)]
            ax.plot(x, v, color=color, lw=0.6, alpha=0.3)
            ax.plot(x, trailing_mean(v, smooth), color=color, lw=1.6,
                    label=labels.get(key, _("layer {key}").format(key=key)))
        ax.set_yscale("log")
        ax.set_xlabel(_("step"))
        if steps_per_epoch and len(steps):
            for e in np.arange(steps_per_epoch, steps[-1], steps_per_epoch):
                ax.axvline(e + 0.5, color="0.9", lw=0.6, zorder=0)
    ax_g.set_ylabel(_("||dL/dθ|| of the layer"))
    ax_g.set_title(_("gradient norm per layer"), fontsize=10)
    ax_r.axhline(HEALTHY_RATIO, color="0.3", ls="--", lw=1)
    low, high = ax_r.get_ylim()
    ax_r.set_ylim(min(low, HEALTHY_RATIO / 4), max(high, HEALTHY_RATIO * 4))
    ax_r.annotate(_("1e-3: the rule of thumb"), (0.02, HEALTHY_RATIO), xycoords=(
        "axes fraction", "data"), xytext=(0, -3), textcoords="offset points", ha="left",
        va="top", fontsize=8, color="0.3")
    ax_r.set_ylabel(_("||Δθ|| / ||θ|| of the step"))
    ax_r.set_title(_("update : data ratio per layer"), fontsize=10)
    if monitor.grad_norm:
        ax_g.legend(fontsize=8)
    return ax_g, ax_r


# --- the confusion matrix --------------------------------------------------------------------
def plot_confusion_matrix(cm: np.ndarray, ax: Axes | None = None, *,
                          class_names: Sequence[str] | None = None,
                          title: str = N_("confusion matrix")) -> Axes:
    """The matrix as an image with the count written in every cell: rows are the true class,
    columns the predicted one, so the diagonal holds the correct predictions and every other
    non-zero cell a kind of mistake (drawn with a red frame). Returns the Axes."""
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] == 0:
        raise ValueError(f"plot_confusion_matrix: expected a square (C, C) matrix, got shape "
                         f"{cm.shape}")
    if cm.dtype.kind not in "iu" or (cm.size and cm.min() < 0):
        raise ValueError("plot_confusion_matrix: expected counts (integers >= 0), as "
                         "lk.confusion_matrix returns")
    c = cm.shape[0]
    names = [str(i) for i in range(c)] if class_names is None else [str(n) for n in class_names]
    if len(names) != c:
        raise ValueError(f"plot_confusion_matrix: {len(names)} class names for {c} classes")
    ax = new_axes(ax, figsize=(5.0, 4.4))
    # a log-like scale, so a handful of mistakes is visible next to the large diagonal
    shade = np.log1p(cm.astype(np.float64))
    ax.imshow(shade, cmap="Blues", vmin=0.0, vmax=max(float(shade.max()), 1e-12))
    dark = shade > 0.6 * shade.max() if shade.max() > 0 else np.zeros_like(shade, dtype=bool)
    for i in range(c):
        for j in range(c):
            n = int(cm[i, j])
            color = "white" if dark[i, j] else ("0.75" if n == 0 else "black")
            weight = "bold" if (n and i != j) else "normal"
            ax.text(j, i, str(n), ha="center", va="center", fontsize=8 if c > 12 else 9,
                    color=color, fontweight=weight)
            if n and i != j:
                ax.add_patch(_cell_frame(i, j))
    ax.set_xticks(range(c), names)
    ax.set_yticks(range(c), names)
    ax.set_xlabel(_("predicted class"))
    ax.set_ylabel(_("true class"))
    total = int(cm.sum())
    right = int(np.trace(cm))
    ax.set_title(_("{title}: {right} of {total} right").format(title=_(title), right=right,
                                                               total=total), fontsize=10)
    return ax


def _cell_frame(i: int, j: int):
    from matplotlib.patches import Rectangle

    return Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=WRONG_COLOR, lw=1.2)


# --- digit images ----------------------------------------------------------------------------
def _as_images(images) -> np.ndarray:
    a = np.asarray(images, dtype=np.float64)
    if a.ndim == 1:
        a = a[None]
    if a.ndim == 2:
        side = int(round(np.sqrt(a.shape[1])))
        if side * side != a.shape[1]:
            raise ValueError(f"expected square images (K, side*side) or (K, side, side), got "
                             f"shape {np.shape(images)}")
        a = a.reshape(len(a), side, side)
    if a.ndim != 3:
        raise ValueError(f"expected images of shape (K, 64) or (K, 8, 8), got "
                         f"{np.shape(images)}")
    return a


def plot_digit(image, ax: Axes | None = None, *, title: str | None = None,
               color: str = "black") -> Axes:
    """One 8x8 image (64 pixels, or 8x8), dark ink on white as on paper. Returns the Axes."""
    ax = new_axes(ax, figsize=(2.0, 2.0))
    img = np.asarray(image, dtype=np.float64)
    img = img if img.ndim == 2 and img.shape[0] == img.shape[1] else _as_images(img)[0]
    ax.imshow(img, cmap="gray_r", vmin=0.0, vmax=max(1.0, float(img.max())),
              interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(_(title), fontsize=9, color=color)
    return ax


def plot_digits(images, y_true: Sequence[int] | None = None,
                y_pred: Sequence[int] | None = None, *, fig: Figure | None = None,
                ncols: int = 8, title: str | None = None,
                probabilities: np.ndarray | None = None) -> list[Axes]:
    """A grid of 8x8 images, each titled "true 3 → 8" (in red when the prediction is wrong,
    green when right). ``probabilities`` (K, C) adds the probability given to the predicted
    class. ``fig``: a Figure to draw on (cleared first), else a new pyplot figure sized to the
    grid. With no images the figure says so. Returns the Axes of the images."""
    imgs = _as_images(images) if len(images) else np.zeros((0, 8, 8))
    k = len(imgs)
    for what, v in (("y_true", y_true), ("y_pred", y_pred)):
        if v is not None and len(v) != k:
            raise ValueError(f"plot_digits: {k} images but {len(v)} labels in {what}")
    ncols = check_int("plot_digits", "ncols", ncols)
    ncols = max(1, min(ncols, k)) if k else 1
    nrows = max(1, -(-k // ncols))
    if fig is None:
        import matplotlib.pyplot as plt  # only when a new inline figure is wanted

        fig = plt.figure(figsize=(1.15 * max(ncols, 4), 1.3 * nrows + (0.4 if title else 0.1)),
                         layout="constrained")
    else:
        fig.clear()
    if title:
        fig.suptitle(_(title), fontsize=10)
    if k == 0:
        ax = fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.5, _("no images to show"), ha="center", va="center", color=OTHER_COLOR)
        return []
    axes = []
    for n in range(k):
        ax = fig.add_subplot(nrows, ncols, n + 1)
        t, p = (None if y_true is None else int(y_true[n])), (
            None if y_pred is None else int(y_pred[n]))
        if t is not None and p is not None:
            text = _("true {true} → {predicted}").format(true=t, predicted=p)
            color = RIGHT_COLOR if t == p else WRONG_COLOR
        elif p is not None:
            text, color = _("predicted {predicted}").format(predicted=p), "black"
        elif t is not None:
            text, color = _("label {label}").format(label=t), "black"
        else:
            text, color = None, "black"
        if probabilities is not None and p is not None:
            text = f"{text}\np = {float(probabilities[n][p]):.2f}"
        plot_digit(imgs[n], ax, title=text, color=color)
        axes.append(ax)
    return axes


# --- one example: what the network says and how hard it pushes back ---------------------------
def plot_probabilities(probs, ax: Axes | None = None, *, true: int | None = None,
                       title: str = N_("predicted probabilities")) -> Axes:
    """The softmax probabilities of one example as bars: the true class green, the predicted
    one (when wrong) red, the others grey. Returns the Axes."""
    ax = new_axes(ax, figsize=(4.0, 3.0))
    p = np.asarray(probs, dtype=np.float64).reshape(-1)
    pred = int(np.argmax(p))
    colors = [OTHER_COLOR] * len(p)
    if pred != true:
        colors[pred] = WRONG_COLOR
    if true is not None:
        colors[true] = RIGHT_COLOR
    ax.bar(np.arange(len(p)), p, color=colors)
    ax.set_xticks(np.arange(len(p)))
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(_("class"))
    ax.set_ylabel("p = softmax(z)")
    ax.set_title(_(title), fontsize=10)
    return ax


def plot_layer_values(values: Mapping[str, float], ax: Axes | None = None, *,
                      ylabel: str = "||dL/dθ||", title: str = N_("gradient norm per layer"),
                      log: bool = True) -> Axes:
    """One bar per layer (``{label: value}``), on a log scale by default. Returns the Axes."""
    ax = new_axes(ax, figsize=(4.0, 3.0))
    labels = list(values)
    v = np.maximum(np.asarray([values[k] for k in labels], dtype=np.float64), TINY)
    ax.bar(np.arange(len(v)), v, color=[LAYER_COLORS[i % len(LAYER_COLORS)]
                                       for i in range(len(v))])
    ax.set_xticks(np.arange(len(v)), labels, fontsize=8)
    if log:
        ax.set_yscale("log")
    ax.set_ylabel(_(ylabel))
    ax.set_title(_(title), fontsize=10)
    return ax
