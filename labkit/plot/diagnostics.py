"""Pictures of a network's health, for any labkit Sequential: the tool to keep after the course.

    stats = lk.diagnostics.probe(net, X, y, loss_fn)      # one forward and backward pass
    plot_activation_histograms(stats)                     # one small panel per activation layer
    plot_gradient_norms({"before": stats_a, "after": stats_b})   # gradient vs depth, log scale
    mon = lk.diagnostics.GradientMonitor()
    lk.fit(net, loss_fn, opt, X, y, epochs=20, monitor=mon)
    plot_monitor(mon)                          # grad norm, update:data ratio per layer
    plot_loss_curves({"sigmoid": history_a, "relu": history_b})

Single-axes helpers draw on ``ax`` when given, or on a new pyplot figure of an explicit size,
and return the Axes; the multi-panel helpers draw on ``fig`` (or a new one) and return the
Figure. Zero, NaN and infinite values cannot sit on a log axis: they are left out of the line
and the legend says how many were left out, so an overflow is never silently drawn as a dip.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..core.i18n import N_, _
from ..core.layers import Activation
from ..core.module import check_int
from ..core.train import History, TrainingDiverged
from ..diagnostics import GradientProfile
from .base import SMALL_PT, new_axes, trailing_mean

UPDATE_RATIO_GUIDE = 1e-3
LEGEND_MAX = 8          # more lines than this: a colour bar "layer (input → output)" instead
PARAM_LAYERS = {"Linear", "BatchNorm1d", "Residual"}
MARKERS = ("o", "s", "^", "D", "v", "P")
DASHES = ("-", "--", "-.", ":")


# --- small helpers ----------------------------------------------------------------------------

def _activation_type_names() -> set[str]:
    names, todo = set(), [Activation]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    names.discard("Activation")
    return names


def _layer_type(name: str) -> str:
    """"3 Sigmoid" -> "Sigmoid" (the names of diagnostics.layer_names)."""
    return name.split(" ", 1)[-1]


def _is_stats_list(obj: Any) -> bool:
    return (isinstance(obj, (list, tuple)) and len(obj) > 0
            and all(hasattr(s, "grad_norm") and hasattr(s, "activations") for s in obj))


def _new_figure(fig: Figure | None, figsize: tuple[float, float]) -> Figure:
    if fig is not None:
        fig.clear()
        return fig
    import matplotlib.pyplot as plt  # only when a new inline figure is wanted

    return plt.figure(figsize=figsize)


def _margins(fig: Figure, left: float = 0.85, right: float = 0.2, bottom: float = 0.6,
             top: float = 0.4, wspace: float | None = None, hspace: float | None = None) -> None:
    """Fixed margins in inches around the axes: room for tick labels, axis labels and titles.
    (``tight_layout`` would measure every text first, which costs more than the drawing.)"""
    w, h = fig.get_size_inches()
    kwargs = {"left": min(left / w, 0.4), "right": max(1 - right / w, 0.6),
              "bottom": min(bottom / h, 0.4), "top": max(1 - top / h, 0.6)}
    if wspace is not None:
        kwargs["wspace"] = wspace
    if hspace is not None:
        kwargs["hspace"] = hspace
    fig.subplots_adjust(**kwargs)


def _decade_label(value: float, _pos=None) -> str:
    if not value > 0:
        return ""
    if 1e-3 <= value < 1e4:
        return f"{value:g}"
    return f"1e{round(math.log10(value))}"


def _log_y(ax: Axes) -> None:
    """A log y axis with a label at every decade or so, in plain text ("1e-12"), and no minor
    ticks: matplotlib's default mathtext labels and minor ticks cost more than the lines."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(numticks=7))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(_decade_label))


def _positive(values) -> tuple[np.ndarray, int]:
    """Values as floats with zero, negative, NaN and inf replaced by NaN; and how many."""
    v = np.asarray(values, dtype=np.float64).ravel().copy()
    bad = ~np.isfinite(v) | (v <= 0)
    v[bad] = np.nan
    return v, int(bad.sum())


def _left_out(n: int, what: str = N_("zero or not finite")) -> str:
    return _(" ({n} {what} left out)").format(n=n, what=_(what)) if n else ""


def _layer_colors(n: int, cmap: str = "viridis") -> list:
    import matplotlib

    colormap = matplotlib.colormaps[cmap]
    return [colormap(0.9 * i / max(n - 1, 1)) for i in range(n)]


def _layer_key(ax: Axes, labels: Sequence[str], cmap: str = "viridis") -> None:
    """A legend for a few layers, a colour bar from the input side to the output side for many."""
    if len(labels) <= LEGEND_MAX:
        ax.legend(fontsize=SMALL_PT, loc="best")
        return
    import matplotlib
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    colormap = matplotlib.colormaps[cmap]
    sm = ScalarMappable(norm=Normalize(0, 0.9 * (len(labels) - 1) / max(len(labels) - 1, 1)),
                        cmap=colormap)
    bar = ax.figure.colorbar(sm, ax=ax, fraction=0.05, pad=0.02)
    bar.set_ticks([0, sm.norm.vmax])
    bar.set_ticklabels([labels[0], labels[-1]], fontsize=SMALL_PT)
    bar.set_label(_("layer (1 = input side → output)"), fontsize=8)


# --- activation histograms ----------------------------------------------------------------------

def _stats_of(source, X: np.ndarray | None) -> list:
    if _is_stats_list(source):
        return list(source)
    from ..diagnostics.probe import probe  # diagnostics sits below plot

    if X is None:
        raise ValueError("plot_activation_histograms: give probe(...)'s statistics, or a "
                         "Sequential and a batch X to probe")
    return probe(source, X)


def _default_activation_layers(stats: list) -> list:
    act = _activation_type_names() | {"Residual"}
    chosen = [s for s in stats if _layer_type(s.name) in act]
    return chosen or stats[:-1] or stats


def plot_activation_histograms(source, X: np.ndarray | None = None, *,
                               layers: Sequence[int] | None = None, overlay: bool = False,
                               bins: int = 40, fig: Figure | None = None,
                               figsize: tuple[float, float] | None = None,
                               title: str | None = None, columns: int = 5,
                               xlim: tuple[float, float] | None = None) -> Figure:
    """Histograms of the activations of every activation layer (or of ``layers``, by index).

    ``source``: the list returned by ``lk.diagnostics.probe``, or a Sequential and a batch X.
    One small panel per layer, titled with the layer and its fraction of saturated units
    (slope |f'(z)| < 0.05); ``overlay=True`` draws all layers on one axes instead, coloured
    from the input side to the output side. ``xlim`` = (low, high) gives every panel the same
    range and bins (e.g. (-1, 1) for tanh), so that the panels compare at a glance.
    Returns the Figure.
    """
    if xlim is not None and not (len(xlim) == 2 and float(xlim[0]) < float(xlim[1])):
        raise ValueError(f"plot_activation_histograms: xlim must be (low, high) with "
                         f"low < high, got {xlim!r}")
    stats = _stats_of(source, X)
    if layers is None:
        chosen = _default_activation_layers(stats)
    else:
        by_index = {s.index: s for s in stats}
        missing = [i for i in layers if i not in by_index]
        if missing:
            raise ValueError(f"plot_activation_histograms: no layer {missing}; the net has "
                             f"layers 0..{len(stats) - 1}")
        chosen = [by_index[i] for i in layers]
    bins = check_int("plot_activation_histograms", "bins", bins)
    title = _(title) if title else _("activations, layer by layer")
    if overlay:
        fig = _new_figure(fig, figsize or (6.0, 3.5))
        ax = fig.add_subplot()
        colors = _layer_colors(len(chosen))
        finite = [s.activations[np.isfinite(s.activations)] for s in chosen]
        everything = np.concatenate([f.ravel() for f in finite]) if finite else np.zeros(1)
        lo, hi = (np.percentile(everything, [0.5, 99.5]) if everything.size
                  else (0.0, 1.0))
        if xlim is not None:
            lo, hi = map(float, xlim)
        edges = np.linspace(lo, hi if hi > lo else lo + 1.0, bins + 1)
        labels = []
        for s, values, color in zip(chosen, finite, colors):
            label = (_("{name} ({saturated:.0%} saturated)").format(name=s.name,
                                                                    saturated=s.saturated)
                     if s.saturated else s.name)
            labels.append(s.name)
            ax.hist(values.ravel(), bins=edges, histtype="step", color=color, label=label,
                    weights=np.full(values.size, 1.0 / max(values.size, 1)))
        ax.set_title(title)
        ax.set_xlabel(_("activation value a"))
        ax.set_ylabel(_("fraction of units"))
        _layer_key(ax, labels)
        _margins(fig)
        return fig

    heads = []
    for s in chosen:
        head = s.name
        if s.saturated:
            head += "\n" + _("{saturated:.0%} saturated").format(saturated=s.saturated)
        bad = int(np.sum(~np.isfinite(s.activations)))
        if bad:
            head += "\n" + _("{n} not finite").format(n=bad)
        heads.append(head)
    from matplotlib.ticker import MaxNLocator

    n = len(chosen)
    columns = max(1, min(columns, n))
    rows = math.ceil(n / columns)
    lines = max(h.count("\n") + 1 for h in heads)
    panel_h, above, below = 1.15, 0.14 * lines + 0.1, 0.35   # inches: axes, title, x label
    fig = _new_figure(fig, figsize or (2.0 * columns + 0.6, rows * (panel_h + above + below)
                                       + 0.45))
    axes = fig.subplots(rows, columns, squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        if k >= n:
            ax.set_visible(False)
            continue
        values = chosen[k].activations.ravel()
        ok = np.isfinite(values)
        edges = bins if xlim is None else np.linspace(float(xlim[0]), float(xlim[1]), bins + 1)
        ax.hist(values[ok], bins=edges, color="#4c72b0", histtype="stepfilled",
                weights=np.full(int(ok.sum()), 1.0 / max(values.size, 1)))
        if xlim is not None:
            ax.set_xlim(*xlim)
        ax.set_title(heads[k], fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=3))
        ax.tick_params(labelsize=SMALL_PT)
        ax.set_xlabel("a", fontsize=SMALL_PT, labelpad=1)
        if k % columns == 0:
            ax.set_ylabel(_("fraction"), fontsize=SMALL_PT)
    fig.suptitle(title, fontsize=10)
    _margins(fig, left=0.55, right=0.15, bottom=below, top=0.45 + above,
             wspace=0.35, hspace=(above + below) / panel_h)
    return fig


# --- gradient norm against depth ---------------------------------------------------------------

def _norms_of(run, quantity: str) -> tuple[np.ndarray, list[str] | None]:
    """(norms, tick names or None) of one run."""
    if isinstance(run, GradientProfile):
        if quantity == "signal":
            return np.asarray(run.signal, dtype=np.float64), None
        return np.asarray(run.weight, dtype=np.float64), None
    if _is_stats_list(run):
        if quantity == "signal":
            act = _activation_type_names() | {"Residual"}
            chosen = [s for s in run if _layer_type(s.name) in act] or list(run)
            return np.array([s.grad_norm for s in chosen]), [s.name for s in chosen]
        chosen = [s for s in run if s.param_grad_norm > 0 or _layer_type(s.name) in PARAM_LAYERS]
        return np.array([s.param_grad_norm for s in chosen]), [s.name for s in chosen]
    values = np.asarray(run, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"plot_gradient_norms: a run is a sequence of numbers (one per layer), "
                         f"a GradientProfile or probe()'s statistics; got shape {values.shape}")
    return values, None


def plot_gradient_norms(runs, ax: Axes | None = None, *, quantity: str = "signal",
                        title: str | None = None, xlabel: str | None = None,
                        ylabel: str | None = None, styles: Mapping[str, dict] | None = None
                        ) -> Axes:
    """The size of the gradient at every layer, input side on the left, on a log scale.

    ``runs``: one run or a dict {label: run} to compare settings on one axes. A run is a
    sequence of numbers (one per layer), a ``GradientProfile`` (``lk.diagnostics``), or the
    statistics of ``lk.diagnostics.probe(net, X, y, loss_fn)``.
    ``quantity``: "signal" for ||dL/da||, the gradient arriving at each hidden layer's output,
    or "weight" for ||dL/dW|| of each layer's parameters. ``styles[label]``: extra keyword
    arguments of that run's line (e.g. {"ls": "--"}).
    A line that falls with depth towards the left is vanishing; one that climbs is exploding.
    """
    if quantity not in ("signal", "weight"):
        raise ValueError(f"plot_gradient_norms: quantity must be 'signal' or 'weight', "
                         f"got {quantity!r}")
    if isinstance(runs, Mapping):
        items = list(runs.items())
    else:
        items = [(None, runs)]
    if not items:
        raise ValueError("plot_gradient_norms: no runs to draw")
    created = ax is None
    ax = new_axes(ax, figsize=(6.0, 3.5))
    names_seen = None
    for k, (label, run) in enumerate(items):
        norms, names = _norms_of(run, quantity)
        shown, n_bad = _positive(norms)
        x = np.arange(1, norms.size + 1)
        # lines that lie on top of each other stay visible: each later line is thinner,
        # dashed otherwise and has smaller, other markers, so the one under it shows at its
        # sides, in its gaps and around its markers
        kwargs = {"marker": MARKERS[k % len(MARKERS)], "ls": DASHES[k % len(DASHES)],
                  "lw": max(2.4 - 0.45 * k, 0.9), "ms": max(6.0 - 1.0 * k, 3.0),
                  "mfc": "none" if k % 2 else None, "zorder": 2.0 + 0.01 * k}
        kwargs.update((styles or {}).get(label, {}))
        text = None if label is None else f"{_(label)}{_left_out(n_bad)}"
        if label is None and n_bad:
            text = _left_out(n_bad).strip(" ()")
        ax.plot(x, shown, label=text, **kwargs)
        names_seen = names if names_seen is None else names_seen
    _log_y(ax)
    if names_seen is not None and len(names_seen) <= 12:
        ax.set_xticks(np.arange(1, len(names_seen) + 1), names_seen, rotation=45, ha="right",
                      fontsize=SMALL_PT)
    else:
        ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(_(title) if title else _("gradient reaching each layer"))
    ax.set_xlabel(_(xlabel) if xlabel else _("hidden layer (1 = next to the input)")
                  if quantity == "signal" else _("layer with weights (1 = next to the input)"))
    ax.set_ylabel(_(ylabel) if ylabel else _("||dL/da|| (log scale)") if quantity == "signal"
                  else _("||dL/dW|| (log scale)"))
    if any(label is not None for label, _ in items) or ax.get_legend_handles_labels()[1]:
        ax.legend(fontsize=SMALL_PT, loc="best")
    ax.grid(True, which="major", alpha=0.3)
    if created:
        _margins(ax.figure)
    return ax


# --- monitor curves over the steps of a run ----------------------------------------------------

def _monitor_series(source, attr: str) -> tuple[list[int], dict[str, list[float]]]:
    if isinstance(source, TrainingDiverged):
        source = source.history
    if isinstance(source, History):
        if attr != "grad_norm":
            raise TypeError(f"a History records gradient norms only; use a GradientMonitor "
                            f"for {attr}")
        steps = list(range(1, source.steps + 1))
        return steps, {k: v[:len(steps)] for k, v in source.grad_norms.items()}
    if not hasattr(source, "steps") or not hasattr(source, attr):
        raise TypeError(f"expected a GradientMonitor (or a fit History for gradient norms), "
                        f"got {type(source).__name__}")
    return list(source.steps), dict(getattr(source, attr))


def _layer_names(keys: Sequence[str]) -> dict[str, str]:
    """The lessons' names of a run's layers, counted from 1 on the input side: the keys of a
    monitor or a History are positions in the Sequential ("0", "2", ... "40": the Linear
    layers, counting the activations between them), so a 20-hidden-layer net's are
    "layer 1" .. "layer 21" (21: the output layer), not "layer 0" .. "layer 40". Keys of
    activation statistics ("3 Tanh") keep their kind: "layer 2 (Tanh)"."""
    names = {}
    for k, key in enumerate(keys, start=1):
        index, _space, kind = key.partition(" ")
        if not index.split(".")[0].isdigit():
            names[key] = key                          # a name of the learner's own
        else:
            names[key] = (_("layer {k} ({kind})").format(k=k, kind=kind) if kind
                          else _("layer {k}").format(k=k))
    return names


def _some_layers(series: dict[str, list[float]], max_layers: int | None
                 ) -> dict[str, list[float]]:
    """At most ``max_layers`` of the layers, evenly spaced, the first and the last always."""
    max_layers = check_int("labkit.plot.diagnostics", "max_layers", max_layers, minimum=2,
                           none_ok=True)
    if max_layers is None or len(series) <= max_layers:
        return series
    keys = list(series)
    picked = sorted({round(i * (len(keys) - 1) / (max_layers - 1)) for i in range(max_layers)})
    return {keys[i]: series[keys[i]] for i in picked}


def _per_layer_over_steps(ax: Axes, steps: list[int], series: dict[str, list[float]],
                          log: bool = True, max_layers: int | None = None) -> None:
    if not series:
        raise ValueError("nothing recorded: run fit with this monitor first")
    names = _layer_names(list(series))          # counted over all layers, before choosing
    series = _some_layers(series, max_layers)
    colors = _layer_colors(len(series))
    labels = []
    n_bad = 0
    for (key, values), color in zip(series.items(), colors):
        values = np.asarray(values[:len(steps)], dtype=np.float64)
        if log:
            values, bad = _positive(values)
            n_bad += bad
        ax.plot(steps[:values.size], values, color=color, lw=1.2, label=names[key])
        labels.append(names[key])
    if log:
        _log_y(ax)
    _layer_key(ax, labels)
    if n_bad:
        ax.text(0.01, 0.01, _("{n} values zero or not finite, left out").format(n=n_bad),
                fontsize=SMALL_PT,
                transform=ax.transAxes, color="#b91c1c")


def plot_grad_norms_over_steps(source, ax: Axes | None = None, *, title: str | None = None,
                               max_layers: int | None = None) -> Axes:
    """||dL/dθ|| of every layer's parameters at every recorded step (log scale), one line per
    layer coloured from the input side to the output side. ``source``: a GradientMonitor, or
    the History returned by fit (or carried by a TrainingDiverged)."""
    steps, series = _monitor_series(source, "grad_norm")
    created = ax is None
    ax = new_axes(ax, figsize=(6.0, 3.5))
    _per_layer_over_steps(ax, steps, series, max_layers=max_layers)
    ax.set_title(_(title) if title else _("gradient norm per layer"))
    ax.set_xlabel(_("training step"))
    ax.set_ylabel(_("||dL/dθ|| (log scale)"))
    if created:
        _margins(ax.figure)
    return ax


def plot_update_ratios(monitor, ax: Axes | None = None, *, guide: float = UPDATE_RATIO_GUIDE,
                       title: str | None = None, max_layers: int | None = None) -> Axes:
    """The update:data ratio ||θ_after − θ_before|| / ||θ_before|| of every layer at every
    recorded step (log scale), with the rule-of-thumb guide line (~1e-3): far below it a layer
    hardly learns, far above it the updates are violent."""
    steps, series = _monitor_series(monitor, "update_ratio")
    created = ax is None
    ax = new_axes(ax, figsize=(6.0, 3.5))
    _per_layer_over_steps(ax, steps, series, max_layers=max_layers)
    ax.axhline(guide, color="#b91c1c", ls="--", lw=1.0)
    ax.annotate(_("guide ~{guide:g}").format(guide=guide), xy=(0.01, guide),
                xycoords=("axes fraction", "data"),
                ha="left", va="bottom", fontsize=SMALL_PT, color="#b91c1c")
    ax.set_title(_(title) if title else _("update:data ratio per layer"))
    ax.set_xlabel(_("training step"))
    ax.set_ylabel(_("||Δθ|| / ||θ|| (log scale)"))
    if created:
        _margins(ax.figure)
    return ax


def plot_saturation_over_steps(monitor, ax: Axes | None = None, *, title: str | None = None,
                               max_layers: int | None = None) -> Axes:
    """The fraction of saturated units (slope |f'(z)| < 0.05) of every activation layer at
    every recorded step (GradientMonitor with activations=True)."""
    steps, series = _monitor_series(monitor, "saturated")
    act = _activation_type_names()
    series = {k: v for k, v in series.items() if _layer_type(k) in act}
    created = ax is None
    ax = new_axes(ax, figsize=(6.0, 3.5))
    _per_layer_over_steps(ax, steps, series, log=False, max_layers=max_layers)
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(_(title) if title else _("saturated units per activation layer"))
    ax.set_xlabel(_("training step"))
    ax.set_ylabel(_("fraction with |f'(z)| < 0.05"))
    if created:
        _margins(ax.figure)
    return ax


def plot_monitor(monitor, fig: Figure | None = None, *, guide: float = UPDATE_RATIO_GUIDE,
                 saturation: bool = False, figsize: tuple[float, float] | None = None,
                 title: str | None = None, max_layers: int | None = None) -> Figure:
    """A GradientMonitor's run in two panels (three with ``saturation``): gradient norm per
    layer, update:data ratio per layer with its guide line (and the saturated fraction of every
    activation layer). ``max_layers``: draw only that many layers, evenly spaced from the
    input side to the output side (a deep net's 40 lines become a readable 10). Returns the
    Figure."""
    panels = 3 if saturation else 2
    fig = _new_figure(fig, figsize or (4.6 * panels, 3.4))
    axes = fig.subplots(1, panels)
    plot_grad_norms_over_steps(monitor, axes[0], max_layers=max_layers)
    plot_update_ratios(monitor, axes[1], guide=guide, max_layers=max_layers)
    if saturation:
        plot_saturation_over_steps(monitor, axes[2], max_layers=max_layers)
    if title:
        fig.suptitle(_(title), fontsize=10)
    _margins(fig, left=0.8, right=0.2, bottom=0.55, top=0.6 if title else 0.4, wspace=0.45)
    return fig


# --- loss curves --------------------------------------------------------------------------------

def _losses_of(run) -> tuple[np.ndarray, int | None]:
    """(losses, the step where the run diverged or None)."""
    if isinstance(run, TrainingDiverged):
        return np.asarray(run.history.loss, dtype=np.float64), run.step
    if isinstance(run, History):
        losses = np.asarray(run.loss, dtype=np.float64)
    else:
        losses = np.asarray(run, dtype=np.float64)
    if losses.ndim != 1:
        raise ValueError(f"plot_loss_curves: a run is a History, a TrainingDiverged or a "
                         f"sequence of losses; got shape {losses.shape}")
    bad = np.flatnonzero(~np.isfinite(losses))
    return losses, (int(bad[0]) + 1 if bad.size else None)


def plot_loss_curves(runs, ax: Axes | None = None, *, log: bool = True,
                     chance: float | None = None, title: str | None = None,
                     ymax: float | None = None, smooth: int = 1,
                     styles: Mapping[str, dict] | None = None) -> Axes:
    """Training loss against the step, one line per run (a dict {label: run} or one run).

    A run is a fit ``History``, a list of losses, or a caught ``TrainingDiverged``: a run that
    diverged ends in a red ✕ at its last finite loss, and its label says at which step.
    ``chance``: a dashed reference line (e.g. ln 2 for guessing between two classes).
    ``ymax``: the top of the axis; by default, when some runs diverged and others did not, 100
    times the largest loss of the others, so an explosion does not flatten every other curve
    (the exploding line leaves through the top, its ✕ drawn on the edge).
    ``smooth``: draw the mean of the last ``smooth`` steps (e.g. the batches of one epoch)
    instead of every mini-batch's own, noisy loss.
    """
    smooth = check_int("plot_loss_curves", "smooth", smooth)
    items = list(runs.items()) if isinstance(runs, Mapping) else [(None, runs)]
    if not items:
        raise ValueError("plot_loss_curves: no runs to draw")
    created = ax is None
    ax = new_axes(ax, figsize=(6.0, 3.5))
    curves = []
    for label, run in items:
        losses, diverged = _losses_of(run)
        values = np.where(np.isfinite(losses), losses, np.nan)
        if diverged is not None:
            values[diverged - 1:] = np.nan
        if smooth > 1:
            values = trailing_mean(values, smooth)
        if log:
            values, _bad = _positive(values)
        curves.append((label, values, diverged))
    calm = [v for _, v, d in curves if d is None and np.isfinite(v).any()]
    if ymax is None and calm and len(calm) < len(curves):
        ymax = 1000.0 * max(float(np.nanmax(v)) for v in calm)
    for label, values, diverged in curves:
        steps = np.arange(1, values.size + 1)
        drawn = values if ymax is None else np.minimum(values, ymax)
        text = _(label) if label else label
        if diverged is not None:
            text = _("{label}: diverged at step {step}").format(label=text or _("run"),
                                                               step=diverged)
        kwargs = {"lw": 1.3}
        kwargs.update((styles or {}).get(label, {}))
        ax.plot(steps, drawn, label=text, **kwargs)
        if diverged is not None:
            last = np.flatnonzero(np.isfinite(drawn))
            if last.size:
                ax.plot(steps[last[-1]], drawn[last[-1]], "x", color="#b91c1c", ms=9, mew=2,
                        clip_on=False)
    if chance is not None:
        ax.axhline(chance, color="0.5", ls=":", lw=1.0,
                   label=_("chance ({chance:.3g})").format(chance=chance))
    if log:
        _log_y(ax)
    if ymax is not None:
        ax.set_ylim(top=ymax)
    ax.set_title(_(title) if title else _("training loss"))
    ax.set_xlabel(_("training step"))
    label = _("loss L") if smooth == 1 else _("loss L, mean of {n} steps").format(n=smooth)
    ax.set_ylabel(_("{label} (log scale)").format(label=label) if log else label)
    if ax.get_legend_handles_labels()[1]:
        ax.legend(fontsize=SMALL_PT, loc="best")
    if created:
        _margins(ax.figure)
    return ax
