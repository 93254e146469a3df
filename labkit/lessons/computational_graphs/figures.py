"""A computational graph of :class:`~labkit.core.value.Value` nodes, drawn with matplotlib only.

The layout is layered by topological depth: every computed node one column to the right of
its deepest input, the output last, and each input (a leaf) in the column just before its
first user, so the leftmost column is 0. Each node is a box with three
lines: its name (label and operation), ``data`` and ``grad``. Arrows follow the forward pass
(input -> the value computed from it); an input used twice by the same node (``a + a``) gets
two arrows, bent apart, because it contributes twice.

No graphviz or other system program is needed: positions are computed here and drawn as
matplotlib patches and text.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from ...core.i18n import _
from ...core.value import Value
from ...plot.base import SMALL_PT
from .compute import node_name

BOX_W, BOX_H = 0.62, 0.66          # node box size, in layout units (columns and rows 1 apart)
COL_INCH, ROW_INCH = 1.8, 0.95     # inches per column and per row at the natural size
FACE = {"normal": "#e8eef7", "input": "#f4f4f4", "done": "#d9f0d3", "active": "#fdae61",
        "receiving": "#fff3bf"}
EDGE_COLOR, ACTIVE_COLOR, WRONG_COLOR = "0.45", "#d95f02", "#c62828"


def graph_depths(root: Value) -> dict[Value, int]:
    """Depth of every node: 0 for inputs, else 1 + the largest depth of its inputs."""
    depth: dict[Value, int] = {}
    for v in root.topological_order():  # inputs come before the values made from them
        depth[v] = 1 + max((depth[p] for p in v.parents), default=-1)
    return depth


class _Layout:
    """Positions of the nodes and the route of every edge.

    An edge that skips columns (``b`` at depth 0 used at depth 3) gets a waypoint in every
    column it crosses; waypoints take a row like a node, so the edge runs in its own lane
    and never through a box (the usual layered-drawing technique).
    """

    def __init__(self, root: Value) -> None:
        self.depth = depth = graph_depths(root)
        # an input sits in the column just before its first user (not always in column 0),
        # so that a bias or a constant is drawn next to where it is used
        users: dict[Value, list[Value]] = {v: [] for v in depth}
        for v in depth:
            for p in v.parents:
                users[p].append(v)
        depth = dict(depth)
        for v in depth:
            if not v.parents and users[v]:
                depth[v] = min(depth[u] for u in users[v]) - 1
        self.column = depth
        reading: dict[Value, int] = {}        # depth-first from the output, first operand first
        stack = [root]
        while stack:
            v = stack.pop()
            if v in reading:
                continue
            reading[v] = len(reading)
            stack.extend(reversed(v.parents))
        # items of a column: Values, or waypoints ("edge", edge number, column)
        self.edges: list[tuple[Value, Value, int]] = []
        upper: dict[object, list[tuple[object, int]]] = {v: [] for v in depth}
        columns: dict[int, list[object]] = {}
        tiebreak: dict[object, float] = {}
        for v, d in depth.items():
            columns.setdefault(d, []).append(v)
            tiebreak[v] = reading[v]
        self.routes: list[list[object]] = []
        for v in depth:
            for k, p in enumerate(v.parents):
                e = len(self.edges)
                self.edges.append((p, v, k))
                chain: list[object] = [p]
                for c in range(depth[p] + 1, depth[v]):
                    w = ("edge", e, c)
                    columns.setdefault(c, []).append(w)
                    upper[w] = []
                    tiebreak[w] = reading[v] + 0.5
                    chain.append(w)
                chain.append(v)
                for lower, up in zip(chain[:-1], chain[1:]):
                    upper[lower].append((up, k if up is v else 0))
                self.routes.append(chain)
        self.pos: dict[object, tuple[float, float]] = {}
        for d in sorted(columns, reverse=True):  # output first: every user is placed already
            col = columns[d]

            def key(item: object) -> tuple[float, float]:
                ups = upper[item]
                if not ups:
                    return (0.0, tiebreak[item])
                mean = sum(self.pos[u][1] - 0.01 * k for u, k in ups) / len(ups)
                return (-mean, tiebreak[item])

            col.sort(key=key)
            n = len(col)
            for i, item in enumerate(col):
                self.pos[item] = (float(d), (n - 1) / 2.0 - i)
        self.columns = columns


def graph_layout(root: Value) -> dict[Value, tuple[float, float]]:
    """(x, y) of every node: x = its depth (an input: the column just before its first
    user, so the leftmost inputs are at x = 0); within a column the nodes are
    stacked top to bottom in the order their users read them (``x1 * w1``: x1 above w1),
    centred on y = 0."""
    layout = _Layout(root)
    return {v: layout.pos[v] for v in layout.column}


def graph_figsize(root: Value) -> tuple[float, float]:
    """A figure size that fits the graph: 1.8 inch per column, 0.95 inch per row."""
    layout = _Layout(root)
    cols = len(layout.columns)
    rows = max(len(c) for c in layout.columns.values())
    return (round(COL_INCH * cols + 0.4, 1), round(ROW_INCH * rows + 0.7, 1))


def graph_axes(*roots: Value, fig: Figure | None = None) -> list[Axes]:
    """Axes side by side, one per graph, each as wide as its graph needs, on a new pyplot
    figure of the summed natural size (or on ``fig``), with thin margins, so that
    :func:`draw_graph` draws every graph at its natural size (readable text)."""
    if not roots:
        raise ValueError("graph_axes: give at least one graph (a Value)")
    sizes = [graph_figsize(r) for r in roots]
    width, height = sum(w for w, _ in sizes), max(h for _, h in sizes) + 0.3
    if fig is None:
        import matplotlib.pyplot as plt  # only when a new inline figure is wanted

        fig = plt.figure(figsize=(round(width, 1), round(height, 1)))
    grid = fig.add_gridspec(1, len(roots), width_ratios=[w for w, _ in sizes], left=0.01,
                            right=0.99, bottom=0.02, top=1 - 0.45 / height, wspace=0.02)
    return [fig.add_subplot(grid[0, i]) for i in range(len(roots))]


def _fit_limits(ax: Axes, xs: list[float], ys: list[float]) -> float:
    """Limits that show every box and keep its shape, whatever the Axes' size: one row is
    ROW_INCH / COL_INCH of a column on screen (computed here rather than with
    ``set_aspect``, which warns when it overrides limits). Returns the drawing's scale: 1 at
    the natural size (COL_INCH per column), less when the Axes are smaller."""
    x_span, y_span = max(xs) - min(xs) + 1.0, max(ys) - min(ys) + 1.2
    box = ax.get_position()
    w_in, h_in = ax.figure.get_size_inches()
    w_in, h_in = w_in * box.width, h_in * box.height
    ratio = (h_in / w_in) * (COL_INCH / ROW_INCH)  # rows per column that fill the Axes
    if x_span * ratio >= y_span:
        y_span = x_span * ratio
    else:
        x_span = y_span / ratio
    cx, cy = (max(xs) + min(xs)) / 2.0, (max(ys) + min(ys)) / 2.0
    ax.set_xlim(cx - x_span / 2.0, cx + x_span / 2.0)
    ax.set_ylim(cy - y_span / 2.0, cy + y_span / 2.0)
    return min(1.0, w_in / x_span / COL_INCH)


def _fmt(x: float) -> str:
    if x != x or math.isinf(x):
        return str(x)
    return f"{x:.4g}"


def draw_graph(root: Value, ax: Axes | None = None, *,
               grads: Mapping[Value, float] | None = None,
               reference: Mapping[Value, float] | None = None,
               highlight: Value | None = None, done: Iterable[Value] = (),
               show_order: bool = False, title: str | None = None,
               fontsize: float = 8.0) -> Axes:
    """Draws the graph that produced ``root``, each node with its name, data and grad.

    grads:      gradients to show instead of each node's own ``.grad`` (e.g. the result of
                the naive recursion, or one step of the backward pass).
    reference:  the right gradients; a shown gradient that differs is written in red with
                the right value next to it.
    highlight:  the node whose gradient is being passed on now (orange), its inputs in
                yellow and the arrows it sends along in orange, labelled with the local
                derivative.
    done:       nodes whose gradient is already final (green).
    show_order: number the nodes in topological order (#0 is an input, the last is root).
    """
    layout = _Layout(root)
    pos = layout.pos
    order = root.topological_order()
    if ax is None:
        ax = graph_axes(root)[0]
    done = set(done)
    receiving = set(highlight.parents) if highlight is not None else set()

    def grad_of(v: Value) -> float:
        return v.grad if grads is None else grads.get(v, 0.0)

    # text shrinks with the drawing when the Axes are smaller than the graph's natural size
    scale = _fit_limits(ax, [p[0] for p in pos.values()], [p[1] for p in pos.values()])
    title_size, fontsize = fontsize + 2, max(4.0, fontsize * scale)

    # --- arrows (input -> value); the same input used twice gets two parallel arrows ----
    pair_count: dict[tuple[int, int], int] = {}
    for p, v, _k in layout.edges:
        pair_count[id(p), id(v)] = pair_count.get((id(p), id(v)), 0) + 1
    pair_seen: dict[tuple[int, int], int] = {}
    for (p, v, k), chain in zip(layout.edges, layout.routes):
        active = v is highlight
        color, lw = (ACTIVE_COLOR, 2.0) if active else (EDGE_COLOR, 1.0)
        j = pair_seen.get((id(p), id(v)), 0)
        pair_seen[id(p), id(v)] = j + 1
        m = pair_count[id(p), id(v)]
        shift = 0.0 if m == 1 else (j - (m - 1) / 2.0) * min(0.16, 0.5 / m)
        pts = []  # (x_out, y, x_in): where the line leaves and enters each item of the chain
        for item in chain:
            x, y = pos[item]
            half = BOX_W / 2 if isinstance(item, Value) else 0.0
            pts.append((x - half, y + shift, x + half))
        for (_x0, y0, xo), (xi, y1, _x1) in zip(pts[:-2], pts[1:-1]):  # through the waypoints
            ax.plot([xo, xi], [y0, y1], color=color, lw=lw,
                    zorder=1, solid_capstyle="butt")
        (_x0, y0, xo), (xi, y1, _x1) = pts[-2], pts[-1]
        ax.annotate("", xy=(xi, y1), xytext=(xo, y0),
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=lw, shrinkA=0, shrinkB=0,
                                    mutation_scale=10 * scale), zorder=1)
        if active:  # the local derivative, on the arrow's middle
            local = v.local_grads[k]
            ax.text((xo + xi) / 2.0, (y0 + y1) / 2.0, f"\u00d7{_fmt(local)}",
                    fontsize=max(fontsize - 1, SMALL_PT), color=ACTIVE_COLOR, ha="center",
                    va="center", zorder=4,
                    bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none"))

    # --- node boxes ----------------------------------------------------------------------
    index = {v: i for i, v in enumerate(order)}
    for v in order:
        x, y = pos[v]
        if v is highlight:
            face = FACE["active"]
        elif v in receiving:
            face = FACE["receiving"]
        elif v in done:
            face = FACE["done"]
        else:
            face = FACE["input"] if not v.parents else FACE["normal"]
        # add_artist, not add_patch: the limits are set above, and add_patch would measure
        # every box's curves to widen them (a fifth of a widget's redraw)
        ax.add_artist(FancyBboxPatch((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H,
                                     boxstyle="round,pad=0.02,rounding_size=0.08", fc=face,
                                     ec=ACTIVE_COLOR if v is highlight else "0.3",
                                     lw=2.0 if v is highlight else 1.0, zorder=2))
        name = node_name(v)
        if v.label and v.op:
            name = f"{v.label} [{v.op}]"
        if show_order:
            name = f"#{index[v]} {name}"
        g = grad_of(v)
        wrong = (reference is not None and v in reference
                 and not math.isclose(g, reference[v], rel_tol=1e-9, abs_tol=1e-12))
        ax.text(x, y + BOX_H * 0.24, name, ha="center", va="center", fontsize=fontsize,
                fontweight="bold", zorder=3)
        grad_text = f"grad {_fmt(g)}"
        if wrong:  # data and grad as two texts, the wrong grad in red
            ax.text(x, y, f"data {_fmt(v.data)}", ha="center", va="center", fontsize=fontsize,
                    zorder=3)
            ax.text(x, y - BOX_H * 0.24,
                    _("{grad}, not {right}").format(grad=grad_text, right=_fmt(reference[v])),
                    ha="center", va="center", fontsize=fontsize, color=WRONG_COLOR,
                    fontweight="bold", zorder=3)
        else:      # one text of two lines: fewer artists, a faster redraw in the widget
            ax.text(x, y - BOX_H * 0.12, f"data {_fmt(v.data)}\n{grad_text}", ha="center",
                    va="center", fontsize=fontsize, linespacing=1.25, zorder=3)

    ax.set_axis_off()
    ax.set_title(_(title) if title is not None
                 else _("computational graph of {name}").format(name=node_name(root)),
                 fontsize=title_size)
    return ax
