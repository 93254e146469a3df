"""The backward pass drawn step by step: a network diagram with the forward values cached in
its nodes and on its edges, the backward values as they are computed, and a ledger of the
steps (lesson 04 and its step-through widget).

    trace = worked_example().trace()
    draw_backprop_step(trace, 5)        # after 5 steps: δ[1] has just been computed

Colours: the forward values are black; the backward values (dL/da, δ, dW) red; the quantity
computed at this step sits on orange (filled nodes, or thick orange edges), and the nodes whose
values it uses are ringed in orange.
"""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from ...core.i18n import _
from ...plot.base import SMALL_PT
from ...plot.fonts import monospace, wrap
from ...plot.network import (
    HIGHLIGHT_FACE,
    NODE_FACE,
    draw_network,
    edge_label_t,
    edge_style,
    node_positions,
)
from .compute import BackpropTrace, fmt

ORANGE = "#f28e2b"
BACK = "#c0392b"     # backward values
GREY = "0.65"


def _check_step(trace: BackpropTrace, step: int) -> None:
    if not isinstance(step, (int, np.integer)) or isinstance(step, bool) \
            or not 0 <= step <= len(trace):
        raise ValueError(f"draw_backprop_step: step must be an int in 0..{len(trace)}, "
                         f"got {step!r}")


def _g(v: float, digits: int) -> str:
    return f"{float(v) + 0.0:.{digits}g}"


def _layer_names(trace: BackpropTrace) -> list[str]:
    return [_("input a[0] = X")] + [
        _("layer {l}: a = {f}(z)").format(l=rec.l, f=rec.symbol) if rec.symbol != "f"
        else _("layer {l}: a = z").format(l=rec.l) for rec in trace.layers]


def backward_state(trace: BackpropTrace, step: int) -> dict[str, dict[int, np.ndarray]]:
    """What is known after ``step`` steps: {"dL/da": {layer: value}, "delta": {...},
    "dW": {...}, "db": {...}}; dL/da of the last layer (dL/dŷ) is known from the start.
    Only the first sample of a batch is kept for dL/da and δ (the diagram shows one)."""
    _check_step(trace, step)
    L = len(trace.layers)
    state: dict[str, dict[int, np.ndarray]] = {"dL/da": {L: trace.dL_dyhat[0]}, "delta": {},
                                               "dW": {}, "db": {}}
    for s in trace.steps[:step]:
        if s.kind == "delta":
            state["delta"][s.layer] = s.result[0]
        elif s.kind == "dW":
            state["dW"][s.layer] = s.result
        elif s.kind == "db":
            state["db"][s.layer] = s.result
        else:
            state["dL/da"][s.layer - 1] = s.result[0]
    return state


def draw_backprop_step(trace: BackpropTrace, step: int, ax: Axes | None = None, *,
                       ledger_ax: Axes | None = None, digits: int = 3) -> Axes:
    """The network of ``trace`` after ``step`` backward steps (0: only the forward pass).

    Nodes hold the forward activation (the input nodes: x); under each node, in red, dL/da
    and δ once computed. Edges carry W[l], except at the step computing dW[l], where they
    carry its values (red). With
    ``ledger_ax`` (or when ``ax`` is None, on a new 10 x 4.4 inch figure) the list of the
    steps is drawn beside it. Shows the first sample of a batch. Returns the diagram's Axes.
    """
    _check_step(trace, step)
    if ax is None:
        import matplotlib.pyplot as plt  # only when a new inline figure is wanted

        fig = plt.figure(figsize=(10.0, 4.4))
        ax = fig.add_axes((0.0, 0.02, 0.56, 0.9))
        ledger_ax = fig.add_axes((0.57, 0.02, 0.42, 0.9)) if ledger_ax is None else ledger_ax
    BackpropDiagram(trace, ax, digits=digits).show(step)
    if ledger_ax is not None:
        draw_backprop_ledger(trace, step, ledger_ax, digits=digits + 1)
    return ax


class BackpropDiagram:
    """The diagram of ``draw_backprop_step``, drawn once for a trace; ``show(step)`` turns it
    to any step in place (a widget's redraw): texts change, highlights appear or hide.

    ``moving`` lists the artists that change from step to step (a widget redraws only those,
    over a kept picture of the rest): everything but the edges and the layer names.
    ``use(trace)`` puts another trace of a network of the same shape on the same diagram."""

    def __init__(self, trace: BackpropTrace, ax: Axes, digits: int = 3) -> None:
        self.trace, self.ax, self.digits = trace, ax, digits
        sizes = trace.sizes
        weights = [rec.W for rec in trace.layers]
        blank = [np.full(w.shape, "", dtype=object) for w in weights]
        before = len(ax.collections)
        draw_network(sizes, ax, weights=weights, edge_text=blank,
                     layer_names=_layer_names(trace), title=" ")
        self.discs = list(ax.collections[before:])     # one scatter of nodes per column
        by_id = {a.get_gid(): a for a in ax.get_children() if a.get_gid()}
        self.edges = {(l, j, i): by_id[f"edge {l - 1} {j} {i}"]
                      for l in range(1, len(sizes)) for j in range(sizes[l])
                      for i in range(sizes[l - 1])}
        self.names = [by_id[f"layer name {l}"] for l in range(len(sizes))]
        pos = node_positions(sizes)
        # rings: the columns whose values this step uses
        self.rings = [ax.scatter(p[:, 0], p[:, 1], s=1900, facecolors="none",
                                 edgecolors=ORANGE, linewidths=2.5, zorder=2.5) for p in pos]
        # per layer l (1..L): its edges thick and orange when hot, and their labels (W, or
        # the dW just computed)
        self.hot_edges: dict[int, list] = {}
        self.edge_labels: dict[int, list[tuple[int, int, object]]] = {}
        for l in range(1, len(sizes)):
            self.hot_edges[l], self.edge_labels[l] = [], []
            for j in range(sizes[l]):
                for i in range(sizes[l - 1]):
                    (x0, y0), (x1, y1) = pos[l - 1][i], pos[l][j]
                    (line,) = ax.plot([x0, x1], [y0, y1], color=ORANGE, lw=5, alpha=0.55,
                                      zorder=1.5)
                    self.hot_edges[l].append(line)
                    t = edge_label_t(i, sizes[l - 1], sizes[l])
                    label = ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), "", fontsize=7.5,
                                    ha="center", va="center", zorder=3,
                                    bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none"))
                    self.edge_labels[l].append((j, i, label))
        # nodes: the forward value inside (fixed), the backward values known so far under it
        forward = [trace.X[0]] + [rec.a[0] for rec in trace.layers]
        self.values, self.backward = [], []
        for col, p in enumerate(pos):
            for i, (x, y) in enumerate(p):
                self.values.append(ax.text(x, y, _g(forward[col][i], digits), fontsize=7.5,
                                           ha="center", va="center", zorder=4))
                self.backward.append((col, i, ax.text(
                    x, y - 0.3, "", fontsize=SMALL_PT, color=BACK, ha="center", va="top",
                    zorder=4, linespacing=1.1)))
        ax.set_ylim(-max(sizes) / 2.0 - 0.45, max(sizes) / 2.0 + 0.6)
        self.moving = [*self.discs, *self.rings, *(line for lines in self.hot_edges.values()
                                                   for line in lines),
                       *(label for labels in self.edge_labels.values()
                         for _, _, label in labels),
                       *self.values, *(text for _, _, text in self.backward), ax.title]

    def use(self, trace: BackpropTrace) -> BackpropDiagram:
        """Puts ``trace`` (a network of the same layer sizes) on the diagram in place: its
        weights on the edges, its layer names, its forward values; then show a step."""
        if list(trace.sizes) != list(self.trace.sizes):
            raise ValueError(f"BackpropDiagram.use: a network of sizes {trace.sizes}, the "
                             f"diagram is drawn for {self.trace.sizes}")
        self.trace = trace
        for (l, j, i), line in self.edges.items():
            color, width = edge_style(float(trace.layers[l - 1].W[j, i]))
            line.set(color=color, linewidth=width)
        for text, name in zip(self.names, _layer_names(trace)):
            text.set_text(name)
        forward = [trace.X[0]] + [rec.a[0] for rec in trace.layers]
        values = [v for column in forward for v in column]
        for text, value in zip(self.values, values):
            text.set_text(_g(value, self.digits))
        return self

    def show(self, step: int) -> BackpropDiagram:
        """The diagram after ``step`` backward steps (see draw_backprop_step)."""
        trace, digits = self.trace, self.digits
        _check_step(trace, step)
        L = len(trace.layers)
        current = trace.steps[step - 1] if step > 0 else None
        state = backward_state(trace, step)

        # which nodes / edges are the result (filled orange) and which are used (ringed)
        result_col, used_cols, hot_layer = None, [], None
        if current is None:
            used_cols = [L]
        elif current.kind in ("delta", "db"):
            result_col, used_cols = current.layer, [current.layer]
        elif current.kind == "dW":
            hot_layer, used_cols = current.layer, [current.layer, current.layer - 1]
        else:
            result_col, used_cols, hot_layer = current.layer - 1, [current.layer], current.layer
        for col, (disc, ring) in enumerate(zip(self.discs, self.rings)):
            disc.set_facecolor(HIGHLIGHT_FACE if col == result_col else NODE_FACE)
            ring.set_visible(col in used_cols)

        # edges: W (cached by the forward pass), except at a dW step, where that layer's
        # edges show the dW just computed (red, thick orange edges); at a dL/da_prev step the
        # W used is on thick orange edges
        for l, rec in enumerate(trace.layers, start=1):
            hot = hot_layer == l
            show_dW = hot and current is not None and current.kind == "dW"
            for line in self.hot_edges[l]:
                line.set_visible(hot)
            for j, i, label in self.edge_labels[l]:
                if show_dW:
                    label.set_text(_g(current.result[j, i], digits))
                    label.set_color(BACK)                               # red: dW, not W
                else:
                    label.set_text(f"{rec.W[j, i]:.2f}")
                    label.set_color("black")
                label.set_fontweight("bold" if hot else "normal")

        # the backward values known so far, in red under the nodes
        for col, i, text in self.backward:
            lines = []
            if col in state["dL/da"]:
                lines.append(f"dL/da {_g(state['dL/da'][col][i], digits)}")
            if col in state["delta"]:
                lines.append(f"δ {_g(state['delta'][col][i], digits)}")
            text.set_text("\n".join(lines))
        self.ax.title.set_text(
            _("forward pass done: backprop starts at dL/dŷ") if current is None
            else _("step {step} of {n}: {quantity}").format(step=step, n=len(trace),
                                                            quantity=current.quantity))
        return self


def ledger_rows(trace: BackpropTrace, step: int, digits: int = 4) -> list[tuple[str, str, str]]:
    """The lines of the ledger after ``step`` steps, as (text, colour, font weight): a
    heading, the done steps with their results, the current one in orange, the ones still to
    come in grey, then the values the current step uses (and where each comes from)."""
    _check_step(trace, step)
    L = len(trace.layers)
    rows = [(_("backward pass, in the order computed"), "black", "bold")]
    rows.append((_("start: dL/da[{L}] = dL/dŷ = {start} = {value}").format(
        L=L, start=trace.start, value=fmt(trace.dL_dyhat, digits)),
                 ORANGE if step == 0 else "black", "bold" if step == 0 else "normal"))
    made_by = {f"dL/da[{L}]": _("start")}
    for s in trace.steps:
        made_by.setdefault(s.quantity, _("step {n}").format(n=s.number))
        if s.number < step:
            rows.append((f"{s.number}. {s.formula} = {fmt(s.result, digits)}", "black",
                         "normal"))
        elif s.number == step:
            rows.append((f"{s.number}. {s.formula} = {fmt(s.result, digits)}", ORANGE, "bold"))
        else:
            rows.append((f"{s.number}. {s.formula}", GREY, "normal"))
    rows.append(("", "black", "normal"))
    if step == 0:
        rows.append((_("The forward pass cached a[0] = X and, for every layer,"), BACK,
                     "normal"))
        rows.append((_("z, a and W: backprop reuses them all."), BACK, "normal"))
    else:
        s = trace.steps[step - 1]
        rows.append((_("step {step} uses:").format(step=step), BACK, "bold"))
        for name, value in s.uses.items():
            origin = _("forward cache") if name in s.cached else made_by.get(name, "")
            rows.append((f"  {name} ({origin}) = {fmt(value, digits)}", "black", "normal"))
        if s.note:
            rows.append((f"  {s.note}", "0.3", "normal"))
    return rows


def draw_backprop_ledger(trace: BackpropTrace, step: int, ax: Axes, digits: int = 4) -> Axes:
    """The list of backward steps (``ledger_rows``) drawn on ``ax``: done ones with their
    results, the current one in orange with the values it uses (and where each comes from),
    the ones still to come in grey."""
    rows = ledger_rows(trace, step, digits)
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    # long matrices wrap onto more lines (indented), never a smaller font or a cut line
    size = SMALL_PT
    width_pt = ax.get_position().width * ax.figure.get_figwidth() * 72
    columns = max(20, int(width_pt / (0.602 * size)) - 1)   # DejaVu Sans Mono: 0.6 em wide
    rows = [(line, color, weight) for text, color, weight in rows
            for line in (wrap(text, columns, subsequent_indent="      ") or [""])]
    dy = min(0.07, 0.98 / len(rows))
    y = 0.99
    for text, color, weight in rows:
        ax.text(0.0, y, text, fontsize=size, color=color, fontweight=weight, va="top",
                family=monospace())
        y -= dy
    return ax
