"""Step-through backprop: walk the backward pass of a small network one computation at a time
(lesson 04).

    from labkit.lessons.backprop import backprop_lab
    backprop_lab()                      # the worked 2-2-1 sigmoid network, before step 1

The "step" slider (or the back / next buttons, which move it) goes from 0 (forward pass done)
to the last step; the diagram shows which quantity is computed and which cached values it
uses, the ledger beside it lists the steps, and the status line gives the formula with the
numbers. "example" switches between the worked example and random 2-3-1 networks (hidden
sigmoid, tanh or ReLU), drawn from "random seed" (shown only for those).

The diagram is drawn once per network and changed in place from step to step (only what moves
is drawn again); the ledger is HTML beside the figure: the browser draws its lines.
"""
from __future__ import annotations

import html

import ipywidgets as W
import numpy as np
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from ...core.i18n import N_, _
from ...plot.base import MIN_TEXT_PX
from ...widgets.base import Lab, Status, animate, clear_drawing, show_if
from .compute import BackpropTrace, Example, fmt, random_example, worked_example
from .figures import BackpropDiagram, ledger_rows

EXAMPLES = [
    (N_("worked example: 2-2-1 sigmoid"), "worked"),
    (N_("random 2-3-1, sigmoid hidden"), "sigmoid"),
    (N_("random 2-3-1, tanh hidden"), "tanh"),
    (N_("random 2-3-1, ReLU hidden"), "relu"),
]
SATURATED = 1e-3   # f'(z) below this: (almost) no gradient passes through the unit


def make_example(example: str, seed: int = 0) -> Example:
    """The network of one "example" option (see EXAMPLES), with ``seed`` for the random ones."""
    if example == "worked":
        return worked_example()
    names = [value for _, value in EXAMPLES if value != "worked"]
    if example not in names:
        raise ValueError(f"backprop_lab: example must be one of "
                         f"{[v for _, v in EXAMPLES]}, got {example!r}")
    return random_example(int(seed), hidden=3, activation=example)


class BackpropLab(Lab):
    """The step-through backward widget; ``trace`` is the trace on show, ``next()`` and
    ``back()`` move the step slider as the buttons do."""

    def __init__(self, example: str = "worked", step: int = 0, seed: int = 0) -> None:
        self._traces: dict[tuple[str, int], tuple[Example, BackpropTrace]] = {}
        n = len(self._get(example, seed)[1])
        if not 0 <= step <= n:
            raise ValueError(f"backprop_lab: step must be in 0..{n}, got {step!r}")
        controls = {
            "step": W.IntSlider(value=step, min=0, max=n, description=_("step"),
                                continuous_update=False),
            "example": W.Dropdown(options=[(_(label), key) for label, key in EXAMPLES],
                                  value=example, description=_("example")),
            "seed": W.IntSlider(value=seed, min=0, max=20, description=_("random seed")),
        }
        self.back_button = W.Button(description=_("◀ back"), layout=W.Layout(width="90px"))
        self.next_button = W.Button(description=_("next ▶"), layout=W.Layout(width="90px"))
        self.back_button.on_click(lambda _: self.back())
        self.next_button.on_click(lambda _: self.next())
        self.trace: BackpropTrace | None = None
        self.example: Example | None = None
        self._diagram: BackpropDiagram | None = None
        self.ledger = W.HTML(layout=W.Layout(width="430px", margin="0 0 0 8px"))
        super().__init__(_("step-through backprop"), controls, self._draw_step,
                         figsize=(5.6, 4.4), setup=self._setup, beside=self.ledger)
        # the buttons go under the controls; they only move the "step" slider, which redraws
        children = list(self.widget.children)
        children.insert(len(children) - 2, W.HBox([self.back_button, self.next_button]))
        self.widget.children = tuple(children)

    # --- moving --------------------------------------------------------------------------
    def next(self) -> None:
        slider = self.controls["step"]
        slider.value = min(slider.max, slider.value + 1)

    def back(self) -> None:
        slider = self.controls["step"]
        slider.value = max(slider.min, slider.value - 1)

    # --- drawing -------------------------------------------------------------------------
    def _get(self, example: str, seed: int) -> tuple[Example, BackpropTrace]:
        key = (example, 0 if example == "worked" else int(seed))
        if key not in self._traces:
            ex = make_example(example, seed)
            self._traces[key] = (ex, ex.trace())
        return self._traces[key]

    def _setup(self, fig: Figure) -> None:
        self._ax = fig.add_axes((0.0, 0.02, 1.0, 0.9))

    def _draw_step(self, fig: Figure, v: dict) -> Status:
        ex, trace = self._get(v["example"], v["seed"])
        k = int(v["step"])
        n = len(trace)
        if not 0 <= k <= n:
            return Status(_("step must be in 0..{n}, got {k}").format(n=n, k=k), "error")
        if trace is not self.trace:          # another network: its numbers on the diagram,
            same_shape = self.trace is not None and list(trace.sizes) == list(self.trace.sizes)
            if same_shape:                   # or, for another shape, a diagram drawn anew
                self._diagram.use(trace)
            else:
                clear_drawing(self._ax)
                self._diagram = BackpropDiagram(trace, self._ax)
                animate(self._diagram.moving)
        self.example, self.trace = ex, trace
        show_if(self.controls["seed"], v["example"] != "worked")
        self.back_button.disabled = k == 0
        self.next_button.disabled = k == n
        self._diagram.show(k)
        self.ledger.value = ledger_html(ledger_rows(trace, k, digits=4))
        return step_status(ex, trace, k)


def ledger_html(rows: list[tuple[str, str, str]]) -> str:
    """The ledger's lines (``ledger_rows``) as HTML: one line each, in its colour and weight;
    a long line wraps with its continuation indented."""
    size = max(13.0, MIN_TEXT_PX)
    lines = []
    for text, color, weight in rows:
        lines.append(f'<div style="color:{to_hex(color)};font-weight:{weight};'
                     f'padding-left:6ch;text-indent:-6ch">{html.escape(text) or "&nbsp;"}</div>')
    return (f'<div style="font-family:\'DejaVu Sans Mono\',monospace;font-size:{size:g}px;'
            f'line-height:1.35;white-space:pre-wrap">' + "".join(lines) + "</div>")


def step_status(ex: Example, trace: BackpropTrace, k: int) -> Status:
    """The status line of step ``k``: the formula with the numbers, in words."""
    n = len(trace)
    if k == 0:
        return Status(_(
            "Forward pass done ({name}): ŷ = {y_hat}, y = {y}, L = ½(ŷ − y)² = {loss:.4g}. "
            "Backprop starts at dL/dŷ = ŷ − y = {dL_dyhat}. Move the step slider or press "
            "next.").format(name=_(ex.name), y_hat=fmt(trace.y_hat), y=fmt(ex.y),
                            loss=ex.loss(trace.y_hat), dL_dyhat=fmt(trace.dL_dyhat)))
    s = trace.steps[k - 1]
    text = _("Step {k} of {n}: {formula}.").format(k=k, n=n, formula=s.with_numbers(4))
    if s.kind == "delta":
        rec = trace.layer(s.layer)
        text = _("{text} ({rule})").format(text=text, rule=rec.derivative_rule)
        flat = np.flatnonzero(np.abs(rec.fprime[0]) < SATURATED)
        if flat.size:
            units = ", ".join(str(int(i) + 1) for i in flat)
            return Status(_(
                "{text} Unit {units} of layer {layer} has {f}'(z) ≈ 0: no gradient passes "
                "through it, so its weights do not learn from this sample.").format(
                    text=text, units=units, layer=s.layer, f=rec.symbol), "warning")
    elif s.kind == "da_prev" and s.layer > 1:
        text = _("{text} Layer {layer} passes the blame back to layer {previous}.").format(
            text=text, layer=s.layer, previous=s.layer - 1)
    if k == n:
        text = _("{text} Done: these are the gradients net.backward puts in p.grad; an SGD "
                 "step W ← W − η dW (η = {eta:g}) would now use them.").format(text=text,
                                                                             eta=ex.eta)
    return Status(text)


def backprop_lab(example: str = "worked", step: int = 0, seed: int = 0) -> BackpropLab:
    """The step-through backward widget (see the module's docstring)."""
    return BackpropLab(example=example, step=step, seed=seed)
