"""A labkit network drawn with its weights and the forward values of one input."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes

from ...core.i18n import N_, _
from ...core.layers import Sequential
from ...plot.base import SMALL_PT, new_axes
from ...plot.network import draw_network, edge_style, node_positions
from .compute import forward_trace

DEAD_FACE = "#d9d9d9"
DISPLAY_NAMES = {"relu": "ReLU", "identity": N_("linear"), "leaky_relu": "leaky ReLU"}


def _fmt(v: float) -> str:
    return f"{v:.2f}" if abs(v) < 100 else f"{v:.3g}"


@dataclass
class ForwardLabels:
    """What draw_forward writes on a network for one input: the network's layer sizes, the text
    of every node, edge and bias, the weights, the layer names and the dead ReLU units."""

    sizes: list[int]
    nodes: list[list[str]]
    edges: list[np.ndarray] | None
    weights: list[np.ndarray]
    layers: list[str]
    biases: list[list[str] | None]
    dead: list[np.ndarray]


def forward_labels(net: Sequential, x, *, input_names: Sequence[str] | None = None,
                   edge_names: Sequence[Sequence[Sequence[str]]] | None = None,
                   bias_names: Sequence[Sequence[str]] | None = None) -> ForwardLabels:
    """The texts draw_forward shows for ``net`` and the one input ``x`` (see draw_forward)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 2 and x.shape[0] != 1:
        raise ValueError(f"draw_forward: draws one input, got a batch of shape {x.shape}; "
                         "pass one row, e.g. X[0]")
    traces = forward_trace(net, x)
    sizes = [traces[0].a_prev.shape[1]] + [t.z.shape[1] for t in traces]
    names = list(input_names) if input_names is not None else [
        f"x{i + 1}" for i in range(sizes[0])]
    if len(names) != sizes[0]:
        raise ValueError(f"draw_forward: {len(names)} input names for {sizes[0]} inputs")
    node_text = [[f"{n}\n{_fmt(v)}" for n, v in zip(names, traces[0].a_prev[0])]]
    last = len(traces) - 1
    for l, t in enumerate(traces):
        if l == last and t.activation == "identity":
            node_text.append([f"ŷ\n{_fmt(z)}" for z in t.z[0]])
        elif l == last:
            node_text.append([f"z {_fmt(z)}\nŷ {_fmt(a)}" for z, a in zip(t.z[0], t.a[0])])
        else:
            node_text.append([f"z {_fmt(z)}\na {_fmt(a)}" for z, a in zip(t.z[0], t.a[0])])
    edge_text = None
    if edge_names is not None:
        edge_text = [np.array([[f"{edge_names[l][j][i]} = {t.W[j, i]:.2f}"
                                for i in range(t.W.shape[1])] for j in range(t.W.shape[0])],
                              dtype=object) for l, t in enumerate(traces)]
    layer_names = [_("input")] + [
        _("{layer} ({activation})").format(
            layer=_("output") if l == last else _("hidden {l}").format(l=l + 1),
            activation=_(DISPLAY_NAMES.get(t.activation, t.activation)))
        for l, t in enumerate(traces)]
    biases = [None if t.b is None else
              [(bias_names[l][j] + " = " if bias_names is not None else "b = ") + f"{b:.2f}"
               for j, b in enumerate(t.b)] for l, t in enumerate(traces)]
    return ForwardLabels(sizes, node_text, edge_text, [t.W for t in traces], layer_names,
                         biases, [t.dead for t in traces])


def draw_forward(net: Sequential, x, ax: Axes | None = None, *,
                 input_names: Sequence[str] | None = None,
                 edge_names: Sequence[Sequence[Sequence[str]]] | None = None,
                 bias_names: Sequence[Sequence[str]] | None = None,
                 title: str | None = None) -> Axes:
    """Draws ``net`` (a Sequential of Linear layers, each optionally followed by an activation)
    as a network diagram: every edge labelled with its weight, every neuron with its bias, its
    pre-activation z and its activation a for the one input ``x`` (shape (in,) or (1, in)).

    edge_names[l][j][i]: a name shown before the weight from unit i of layer l to unit j of
    layer l + 1 (e.g. "w1"); bias_names[l][j]: a name for the bias of unit j of layer l + 1.
    A ReLU unit with z <= 0 (a dead unit: output 0, slope 0) is drawn grey and marked.
    Returns the Axes; the values it shows are those of ``forward_trace(net, x)``.
    ``update_forward`` changes the numbers of a drawn diagram in place (for widgets).
    """
    labels = forward_labels(net, x, input_names=input_names, edge_names=edge_names,
                            bias_names=bias_names)
    ax = new_axes(ax, figsize=(7.0, 4.0))
    draw_network(labels.sizes, ax, node_text=labels.nodes, weights=labels.weights,
                 edge_text=labels.edges, layer_names=labels.layers,
                 title=title if title is not None else N_("forward pass"))
    pos = node_positions(labels.sizes)
    for l, (dead, biases) in enumerate(zip(labels.dead, labels.biases)):
        for j in np.flatnonzero(dead):
            _dead_marker(ax, l, j, pos[l + 1][j])
        for j, (x0, y0) in enumerate(pos[l + 1] if biases is not None else []):
            ax.text(x0, y0 + 0.27, biases[j], ha="center", va="bottom", fontsize=SMALL_PT,
                    color="0.25", zorder=4, gid=f"bias {l} {j}")
    return ax


def _dead_marker(ax: Axes, l: int, j: int, xy) -> None:
    """A dead unit j of layer l + 1: a grey disc over the node and the words "dead (z ≤ 0)"."""
    x0, y0 = xy
    ax.scatter([x0], [y0], s=1600, c=DEAD_FACE, edgecolors="0.3", zorder=2.5,
               gid=f"dead disc {l} {j}")
    # beside the node, on the side of the next layer: clear of the edge labels coming in
    ax.text(x0 + 0.17, y0, _("dead\n(z ≤ 0)"), ha="left", va="center", fontsize=SMALL_PT,
            color="#b91c1c",
            zorder=4, gid=f"dead text {l} {j}",
            bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none"))


def update_forward(net: Sequential, x, ax: Axes, **names) -> list:
    """Changes the numbers of a diagram drawn by ``draw_forward`` (same network shape, same
    ``names``: input_names, edge_names, bias_names) to ``net`` and ``x`` in place, without
    drawing anew: texts, edge colours and widths, dead-unit marks (hidden, not removed, when a
    unit comes back to life). Returns the dead-unit marks it had to add (new artists)."""
    labels = forward_labels(net, x, **names)
    drawn = {a.get_gid(): a for a in ax.get_children() if a.get_gid()}
    for l, texts in enumerate(labels.nodes):
        for i, text in enumerate(texts):
            drawn[f"node {l} {i}"].set_text(text)
    pos = node_positions(labels.sizes)
    added = []
    for l, W in enumerate(labels.weights):
        for (j, i), w in np.ndenumerate(W):
            color, width = edge_style(float(w))
            drawn[f"edge {l} {j} {i}"].set(color=color, linewidth=width)
            drawn[f"edge text {l} {j} {i}"].set_text(
                labels.edges[l][j, i] if labels.edges is not None else f"{w:.2f}")
        for j, dead in enumerate(labels.dead[l]):
            if dead and f"dead text {l} {j}" not in drawn:
                _dead_marker(ax, l, j, pos[l + 1][j])
                added += [a for a in ax.get_children() if a.get_gid() in (
                    f"dead disc {l} {j}", f"dead text {l} {j}")]
                continue
            for part in ("disc", "text"):
                if f"dead {part} {l} {j}" in drawn:
                    drawn[f"dead {part} {l} {j}"].set_visible(bool(dead))
        for j, text in enumerate(labels.biases[l] or []):
            drawn[f"bias {l} {j}"].set_text(text)
    return added
