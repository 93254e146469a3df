"""One neuron, a = f(w x + b): the welcome lesson's first widget."""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from ..core.i18n import _
from ..core.layers import ACTIVATIONS
from ..plot.activations import activation_and_derivative
from .base import Lab, Status, animate, on_top


def neuron_lab(w: float = 1.0, b: float = 0.0, activation: str = "sigmoid") -> Lab:
    """Sliders for the weight w and bias b of one neuron; shows a = f(w x + b) and f'(z)."""
    controls = {
        "w": W.FloatSlider(value=w, min=-5.0, max=5.0, step=0.1, description=_("weight w")),
        "b": W.FloatSlider(value=b, min=-5.0, max=5.0, step=0.1, description=_("bias b")),
        "activation": W.Dropdown(options=sorted(ACTIVATIONS), value=activation,
                                 description="f"),
    }
    x = np.linspace(-4.0, 4.0, 201)

    artists = {}

    def setup(fig):
        # the axes and lines are made once; each redraw only moves their data (fast)
        ax = fig.add_subplot()
        artists["a"], = ax.plot(x, x, label="a = f(w x + b)")
        artists["da"], = ax.plot(x, x, "--", label=_("f'(z): how much a moves when z moves"))
        ax.set_ylim(-1.5, 4.0)
        ax.set_xlabel(_("input x"))
        ax.set_ylabel(_("activation a, slope f'(z)"))
        legend = ax.legend(loc="upper left", fontsize=8, framealpha=1.0)
        # the moving parts, redrawn alone over a kept picture of the axes and ticks (fast);
        # the legend is kept on top of the lines, not drawn again
        animate(artists["a"], artists["da"], ax.title)
        on_top(legend)
        artists["ax"] = ax
        fig.subplots_adjust(left=0.1, right=0.97, bottom=0.16, top=0.88)

    def draw(fig, v):
        a, da = activation_and_derivative(v["activation"], v["w"] * x + v["b"])
        artists["a"].set_ydata(a)
        artists["da"].set_ydata(da)
        artists["ax"].title.set_text(  # not set_title: that would touch the cached axes
            _("one neuron: w = {w:.1f}, b = {b:.1f}, f = {f}").format(
                w=v["w"], b=v["b"], f=v["activation"]))
        a1, da1 = activation_and_derivative(v["activation"], np.array([v["w"] + v["b"]]))
        numbers = dict(z=v["w"] + v["b"], a=a1[0], slope=da1[0])
        if abs(da1[0]) < 0.01:
            return Status(_("at x = 1: z = {z:.2f}, a = {a:.3f}, f'(z) = {slope:.3f}: the neuron "
                            "is saturated there, almost no gradient flows back through it"
                            ).format(**numbers), "warning")
        return _("at x = 1: z = {z:.2f}, a = {a:.3f}, f'(z) = {slope:.3f}").format(**numbers)

    return Lab(_("one neuron: a = f(w x + b)"), controls, draw, figsize=(7.0, 3.2), setup=setup)
