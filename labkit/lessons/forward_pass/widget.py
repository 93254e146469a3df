"""Lesson 01's widget: the 2-2-1 ReLU network of the lesson, with a slider for every weight and
bias, drawn with its forward values; the status says ŷ, the loss and which ReLU units are dead.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import ipywidgets as W
import numpy as np
from matplotlib.ticker import MaxNLocator

from ...core.i18n import _
from ...core.layers import Linear, ReLU, Sequential
from ...core.losses import MSELoss
from ...widgets.base import Lab, Status, animate
from .compute import forward_trace, set_linear
from .figures import draw_forward, update_forward

# The lesson's example: x = [2, 3], target y = 2.5. Each row of sliders is one neuron:
# h1 = ReLU(w1 x1 + w2 x2 + b_h1), h2 = ReLU(w3 x1 + w4 x2 + b_h2), ŷ = w5 h1 + w6 h2 + b_o.
START_WEIGHTS = {"w1": 0.1, "w2": 0.4, "b_h1": 0.1,
            "w3": 0.2, "w4": 0.5, "b_h2": 0.2,
            "w5": 0.6, "w6": 0.3, "b_o": 0.3}
EDGE_NAMES = [[["w1", "w2"], ["w3", "w4"]], [["w5", "w6"]]]
BIAS_NAMES = [["b_h1", "b_h2"], ["b_o"]]
WEIGHT_RANGE, BIAS_RANGE = 1.5, 2.0


def round_up(v: float) -> float:
    """The smallest of 1, 1.5, 2, 3, 5, 7 times a power of ten that is >= v > 0."""
    decade = 10.0 ** math.floor(math.log10(v))
    return next(m * decade for m in (1, 1.5, 2, 3, 5, 7, 10) if m * decade >= v * (1 - 1e-12))


def network_221(values: Mapping[str, float] = START_WEIGHTS, net: Sequential | None = None
                ) -> Sequential:
    """The 2-2-1 ReLU network with the lesson's named weights (``net`` is reused if given).
    W of each Linear is (out, in): row j holds the weights into neuron j."""
    if net is None:
        net = Sequential(Linear(2, 2), ReLU(), Linear(2, 1))
    v = values
    set_linear(net[0], [[v["w1"], v["w2"]], [v["w3"], v["w4"]]], [v["b_h1"], v["b_h2"]])
    set_linear(net[2], [[v["w5"], v["w6"]]], [v["b_o"]])
    return net


def describe_forward(net: Sequential, x: np.ndarray, y: float) -> Status:
    """ŷ, the squared error against y and the dead hidden units, in words."""
    hidden, out = forward_trace(net, x)
    y_hat = float(out.a[0, 0])
    loss = MSELoss()(out.a, np.array([[y]]))
    diff = y_hat - y
    if abs(diff) < 0.01:
        text = _("ŷ = {y_hat:.3f} is on target (y = {y:g}, off by {off:.3f}): the loss "
                 "(ŷ − y)² is only {loss:.2g}, almost nothing left to learn from this "
                 "example.").format(y_hat=y_hat, y=y, off=abs(diff), loss=loss)
    elif diff < 0:
        text = _("ŷ = {y_hat:.2f} is {off:.2f} below the target y = {y:g}; the loss (ŷ − y)² "
                 "is {loss:.3f}.").format(y_hat=y_hat, off=abs(diff), y=y, loss=loss)
    else:
        text = _("ŷ = {y_hat:.2f} is {off:.2f} above the target y = {y:g}; the loss (ŷ − y)² "
                 "is {loss:.3f}.").format(y_hat=y_hat, off=abs(diff), y=y, loss=loss)
    dead = np.flatnonzero(hidden.dead)
    if dead.size == 0:
        return Status(text)
    z = hidden.z[0]
    if dead.size == len(z):
        text = _("{text} Both hidden ReLU units are dead (z = {z1:.2f} and {z2:.2f}, both ≤ 0): "
                 "they output 0, so ŷ is just b_o = {b_o:.2f}, whatever w5 and w6 are, and no "
                 "gradient reaches the first layer.").format(text=text, z1=z[0], z2=z[1],
                                                             b_o=out.b[0])
    else:
        j = int(dead[0])
        text = _("{text} Hidden unit h{unit} is dead: z = {z:.2f} ≤ 0, so ReLU outputs 0 and "
                 "w{weight} has no effect on ŷ (no gradient flows back through h{unit} "
                 "either).").format(text=text, unit=j + 1, z=z[j], weight=5 + j)
    return Status(text, "warning")


def forward_lab(x=(2.0, 3.0), y: float = 2.5, **values: float) -> Lab:
    """Sliders for the 6 weights and 3 biases of the lesson's 2-2-1 ReLU network (start values:
    the lesson's, or the ones given by name, e.g. ``forward_lab(w2=-0.4)``); shows the network
    with its forward values for the input x, ŷ against the target y, and the loss."""
    unknown = set(values) - set(START_WEIGHTS)
    if unknown:
        raise ValueError(f"forward_lab: unknown parameter(s) {sorted(unknown)}; "
                         f"the network's are {list(START_WEIGHTS)}")
    start = {**START_WEIGHTS, **values}
    x = np.asarray(x, dtype=np.float64).reshape(1, 2)
    controls = {}
    for name, value in start.items():
        bound = BIAS_RANGE if name.startswith("b") else WEIGHT_RANGE
        if not -bound <= value <= bound:
            raise ValueError(f"forward_lab: {name} = {value} is outside its slider's range "
                             f"[-{bound}, {bound}]")
        controls[name] = W.FloatSlider(value=value, min=-bound, max=bound, step=0.05,
                                       description=name, continuous_update=True)
    net = network_221(start)
    axes = {}

    def setup(fig):
        grid = fig.add_gridspec(1, 2, width_ratios=[3.2, 1.0], wspace=0.25)
        axes["net"] = fig.add_subplot(grid[0])
        # drawn once; a redraw changes its numbers and colours in place (much faster)
        draw_forward(net, x[0], axes["net"], edge_names=EDGE_NAMES, bias_names=BIAS_NAMES,
                     title=_("x = [{x1:g}, {x2:g}]: the forward pass").format(x1=x[0, 0],
                                                                            x2=x[0, 1]))
        ax = axes["out"] = fig.add_subplot(grid[1])
        axes["bars"] = ax.bar(["ŷ", _("target y")], [0.0, y], color=["#1f77b4", "#2ca02c"])
        axes["labels"] = [ax.text(bar.get_x() + bar.get_width() / 2, 0.0, "", ha="center",
                                  fontsize=9) for bar in axes["bars"]]
        zero = ax.axhline(0, color="0.6", lw=0.8)
        # few tick labels: they are most of this panel's drawing time
        ax.yaxis.set_major_locator(MaxNLocator(4, steps=[1, 2, 5, 10]))
        ax.set_title(" ", fontsize=10)
        fig.subplots_adjust(left=0.01, right=0.97, bottom=0.08, top=0.9)
        # the moving parts, redrawn over a kept picture of the rest (the title and the layer
        # names): every part of the diagram with an id (nodes, edges, their numbers), and of
        # the output panel the bar of ŷ, the numbers and the title (the zero line with them,
        # to stay on top of the bar); its limits move in round steps, so most moves keep them
        animate([a for a in axes["net"].get_children() if a.get_gid()], axes["bars"][0],
                axes["labels"], ax.title, zero)

    def draw(fig, v):
        network_221(v, net)
        animate(update_forward(net, x[0], axes["net"], edge_names=EDGE_NAMES,
                               bias_names=BIAS_NAMES))
        y_hat = float(net(x)[0, 0])
        axes["bars"][0].set_height(y_hat)
        for label, value in zip(axes["labels"], (y_hat, y)):
            label.set_text(f"{value:.2f}")
            label.set_y(value)
            label.set_verticalalignment("bottom" if value >= 0 else "top")
        lo, hi = min(0.0, y_hat, y), max(0.0, y_hat, y)
        pad = 0.15 * (hi - lo) + 0.1
        ax = axes["out"]
        limits = (-round_up(pad - lo) if lo < 0 else 0.0, round_up(hi + pad))
        if ax.get_ylim() != limits:          # (the whole figure is drawn again then)
            ax.set_ylim(*limits)
        ax.title.set_text(_("loss (ŷ − y)² = {loss:.3f}").format(loss=(y_hat - y) ** 2))
        return describe_forward(net, x, y)

    return Lab(_("forward pass of a 2-2-1 ReLU network (one row of sliders per neuron)"),
               controls, draw, figsize=(9.0, 3.8), setup=setup, columns=3)
