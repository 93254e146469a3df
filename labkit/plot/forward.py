"""A labkit network drawn with its weights and the forward values of one input."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from ..core.forward import LayerTrace, forward_trace
from ..core.layers import Sequential
from .base import new_axes
from .network import draw_network, node_positions

DEAD_FACE = "#d9d9d9"
DISPLAY_NAMES = {"relu": "ReLU", "identity": "linear", "leaky_relu": "leaky ReLU"}


def _fmt(v: float) -> str:
    return f"{v:.2f}" if abs(v) < 100 else f"{v:.3g}"


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
    """
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
    layer_names = ["input"] + [
        ("output" if l == last else f"hidden {l + 1}")
        + f" ({DISPLAY_NAMES.get(t.activation, t.activation)})"
        for l, t in enumerate(traces)]
    ax = new_axes(ax, figsize=(7.0, 4.0))
    draw_network(sizes, ax, node_text=node_text, weights=[t.W for t in traces],
                 edge_text=edge_text, layer_names=layer_names,
                 title=title if title is not None else "forward pass")
    _mark_biases_and_dead_units(ax, traces, sizes, bias_names)
    return ax


def _mark_biases_and_dead_units(ax: Axes, traces: list[LayerTrace], sizes: list[int],
                                bias_names: Sequence[Sequence[str]] | None) -> None:
    pos = node_positions(sizes)
    for l, t in enumerate(traces):
        p = pos[l + 1]
        dead = t.dead
        if dead.any():
            ax.scatter(p[dead, 0], p[dead, 1], s=1600, c=DEAD_FACE, edgecolors="0.3",
                       zorder=2.5)
            for x0, y0 in p[dead]:
                ax.text(x0, y0 - 0.3, "dead (z ≤ 0)", ha="center", va="top", fontsize=7,
                        color="#b91c1c", zorder=4,
                        bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none"))
        if t.b is None:
            continue
        for j, (x0, y0) in enumerate(p):
            name = bias_names[l][j] + " = " if bias_names is not None else "b = "
            ax.text(x0, y0 + 0.27, f"{name}{t.b[j]:.2f}", ha="center", va="bottom",
                    fontsize=7, color="0.25", zorder=4)
