"""A small fully connected network drawn as nodes and edges, with numbers on them."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from ..core.i18n import N_, _
from .base import new_axes

NODE_FACE, HIGHLIGHT_FACE = "#e8eef7", "#fdd49e"    # a node, and one of the highlighted layer


def node_positions(sizes: Sequence[int]) -> list[np.ndarray]:
    """(x, y) of every node: layer l at x = l, its nodes spread evenly around y = 0."""
    return [np.c_[np.full(n, float(l)), (n - 1) / 2.0 - np.arange(n)]
            for l, n in enumerate(sizes)]


def edge_style(w: float | None) -> tuple[str, float]:
    """(colour, line width) of an edge of weight w: blue if w >= 0, red if negative, wider
    for larger |w| (up to |w| = 2); grey and thin when there is no weight."""
    if w is None:
        return "0.6", 1.0
    return ("#1f77b4" if w >= 0 else "#d62728"), 0.5 + 2.5 * min(abs(w), 2.0) / 2.0


def edge_label_t(i: int, n_from: int, n_to: int) -> float:
    """Where along the edge from unit i of a layer of ``n_from`` units (0: at that unit, 1: at
    the next layer) its label sits: mid-edge when one side has a single unit (the edges fan
    out); otherwise staggered by source unit, so labels of crossing edges never meet."""
    if n_from == 1 or n_to == 1:
        return 0.5
    return 0.3 + 0.4 * i / (n_from - 1)


def draw_network(sizes: Sequence[int], ax: Axes | None = None, *,
                 node_text: Sequence[Sequence[str]] | None = None,
                 weights: Sequence[np.ndarray] | None = None,
                 edge_text: Sequence[np.ndarray] | None = None,
                 layer_names: Sequence[str] | None = None,
                 highlight_layer: int | None = None, title: str = N_("network")) -> Axes:
    """Draws a network of layer ``sizes`` (e.g. [2, 2, 1]).

    node_text[l][i]: text in node i of layer l.  weights[l]: W of the Linear layer from layer l
    to l + 1, shape (sizes[l+1], sizes[l]); edge width and colour follow its sign and size, and
    each edge is labelled with its weight (or with ``edge_text[l][j, i]`` when given).
    highlight_layer: a layer drawn in orange (e.g. where backprop is now).
    The artists carry ids (``get_gid()``) so that a widget can update them in place:
    "edge l j i" and "edge text l j i" (from unit i of layer l to unit j of layer l + 1),
    "node l i" (the text in a node), "nodes l" (the discs of layer l), "layer name l".
    """
    ax = new_axes(ax, figsize=(6.0, 3.5))
    pos = node_positions(sizes)
    for l in range(len(sizes) - 1):
        W = None if weights is None else np.asarray(weights[l])
        for j in range(sizes[l + 1]):
            for i in range(sizes[l]):
                (x0, y0), (x1, y1) = pos[l][i], pos[l + 1][j]
                color, width = edge_style(None if W is None else float(W[j, i]))
                ax.plot([x0, x1], [y0, y1], color=color, lw=width, zorder=1,
                        gid=f"edge {l} {j} {i}")
                text = None
                if edge_text is not None:
                    text = str(edge_text[l][j, i])
                elif W is not None:
                    text = f"{W[j, i]:.2f}"
                if text:
                    t = edge_label_t(i, sizes[l], sizes[l + 1])
                    ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), text, fontsize=8,
                            ha="center", va="center", zorder=3, gid=f"edge text {l} {j} {i}",
                            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"))
    for l, p in enumerate(pos):
        face = HIGHLIGHT_FACE if l == highlight_layer else NODE_FACE
        ax.scatter(p[:, 0], p[:, 1], s=1600, c=face, edgecolors="0.3", zorder=2,
                   gid=f"nodes {l}")
        for i, (x, y) in enumerate(p):
            if node_text is not None and node_text[l] is not None and i < len(node_text[l]):
                ax.text(x, y, node_text[l][i], ha="center", va="center", fontsize=8, zorder=4,
                        gid=f"node {l} {i}")
        name = layer_names[l] if layer_names is not None else (
            _("input") if l == 0 else _("output") if l == len(sizes) - 1
            else _("hidden {l}").format(l=l))
        ax.text(l, max(sizes) / 2.0 + 0.1, name, ha="center", va="bottom", fontsize=9,
                gid=f"layer name {l}")
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_ylim(-max(sizes) / 2.0 - 0.2, max(sizes) / 2.0 + 0.6)
    ax.set_title(_(title))
    ax.set_axis_off()
    # no ticks at all: even with the axis off, a titled Axes measures its tick labels on
    # every draw (matplotlib places the title above them), which slows widgets down
    ax.set_xticks([])
    ax.set_yticks([])
    return ax
