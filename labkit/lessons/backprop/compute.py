"""Lesson 04, backprop (lessons/04_backprop.ipynb), one step at a time: the backward pass of a
Sequential of Linear + activation layers, recorded as data (for the lesson and its step-through
widget).

Lessons' notation, batch-first rows (one sample per row), layer l = a Linear and the
activation after it, a[0] = X and a[L] = y_hat:

    forward     z[l] = a[l-1] W[l]^T + b[l]        a[l] = f(z[l])
    backward    δ[l]       = dL/da[l] ⊙ f'(z[l])     (δ = dL/dz, the layer's error signal)
                dW[l]      = δ[l]^T a[l-1]          (same shape as W[l]: (out, in))
                db[l]      = sum of δ[l] over the batch
                dL/da[l-1] = δ[l] W[l]              (the blame passed to the layer before)

``trace_backward(net, X, dL_dyhat)`` runs the forward pass through the network's own layers
(so every number equals what ``net(X)`` computes), then the backward pass above, layer by
layer from the output, and records each step as a ``BackpropStep``: which quantity, the
formula, the values it used (which of them the forward pass cached) and the result. It never
touches ``Parameter.grad``; its gradients equal those ``net.backward`` accumulates (a test
checks it).

    ex = worked_example()                      # the lesson's worked 2-2-1 sigmoid net
    trace = trace_backward(ex.net, ex.X, ex.dloss)
    print(trace.table())

The module holds the lesson's numbers (numpy only); its figures are in figures.py
and its widget in widget.py, next to this file.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from ...core.i18n import N_, _
from ...core.layers import ACTIVATIONS, Activation, Linear, Sequential, Sigmoid
from ...core.losses import Loss
from ...core.module import Module, renamed

KINDS = ("delta", "dW", "db", "da_prev")

# activation name (of the one registry, labkit.core.layers.ACTIVATIONS) -> (symbol of f in the
# formulas, its derivative in words)
_RULES: dict[str, tuple[str, str]] = {
    "sigmoid": ("σ", "σ'(z) = a (1 − a)"),
    "tanh": ("tanh", "tanh'(z) = 1 − a²"),
    "relu": ("ReLU", N_("ReLU'(z) = 1 where z > 0, else 0")),
    # TRANSLATORS: keep the word alpha: it is replaced by the layer's slope
    "leaky_relu": ("LeakyReLU", N_("LeakyReLU'(z) = 1 where z > 0, else alpha")),
    "identity": ("f", "f'(z) = 1"),
}


def fmt(a: np.ndarray | float, digits: int = 4) -> str:
    """An array as short text with ``digits`` significant digits; a batch of one row is
    printed as that row, so [[0.2657]] reads [0.2657]."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        return f"{float(a) + 0.0:.{digits}g}"  # + 0.0: -0.0 reads 0
    if a.ndim == 2 and a.shape[0] == 1:
        a = a[0]
    text = np.array2string(a, separator=", ", max_line_width=10_000,
                           formatter={"float_kind": lambda v: f"{v + 0.0:.{digits}g}"})
    return " ".join(part.strip() for part in text.splitlines())  # one line, also for matrices


@dataclass(frozen=True)
class LayerRecord:
    """What the forward pass computed and cached for layer l (a Linear and its activation)."""

    l: int                      # 1..L, the lessons' layer number
    linear_index: int           # position of the Linear in the Sequential
    activation_index: int | None  # position of its activation, None when there is none
    activation: str             # "sigmoid", "tanh", "relu", "leaky_relu", "identity", ...
    symbol: str                 # f's symbol in the formulas: "σ", "tanh", ...
    derivative_rule: str        # "σ'(z) = a (1 − a)", ...
    a_prev: np.ndarray          # a[l-1], the layer's input (a[0] = X)
    z: np.ndarray               # z[l] = a[l-1] W[l]^T + b[l]
    a: np.ndarray               # a[l] = f(z[l])
    fprime: np.ndarray          # f'(z[l])
    W: np.ndarray               # W[l] as used in the forward pass, (out, in)
    b: np.ndarray | None        # b[l], or None for a Linear without bias
    W_name: str                 # the parameter's name in the network, e.g. "0.W"
    b_name: str | None

    @property
    def width(self) -> int:
        return self.W.shape[0]


@dataclass(frozen=True)
class BackpropStep:
    """One computation of the backward pass."""

    number: int                 # 1, 2, ... in the order backprop computes them
    layer: int                  # the layer l it belongs to
    kind: str                   # "delta", "dW", "db" or "da_prev"
    quantity: str               # "δ[2]", "dW[2]", "db[2]", "dL/da[1]"
    formula: str                # "δ[2] = dL/da[2] ⊙ σ'(z[2])"
    uses: dict[str, np.ndarray]  # the values it used, by name, in the formula's order
    cached: tuple[str, ...]     # which of ``uses`` come from the forward pass: the values it
    #                             cached (a_prev, z, a, W) and f'(z), which follows from them
    result: np.ndarray
    param: str | None = None    # "0.W" for a dW step, "0.b" for a db step
    note: str = ""              # a remark in words, e.g. "a[0] = X"

    def with_numbers(self, digits: int = 4) -> str:
        """The formula, then the same with the numbers put in, then the result."""
        u = [fmt(v, digits) for v in self.uses.values()]
        if self.kind == "delta":
            middle = f"{u[0]} ⊙ {u[-1]}"
        elif self.kind == "dW":
            middle = f"{u[0]}ᵀ {u[1]}"
        elif self.kind == "db":
            middle = _("sum over the batch of {value}").format(value=u[0])
        else:
            middle = f"{u[0]} {u[1]}"
        return f"{self.formula} = {middle} = {fmt(self.result, digits)}"

    def __str__(self) -> str:
        return _("step {n}: {formula}").format(n=self.number, formula=self.with_numbers())


@dataclass
class BackpropTrace:
    """The forward records and the backward steps of one backward pass."""

    sizes: list[int]            # widths: input, then each layer, e.g. [2, 2, 1]
    X: np.ndarray
    y_hat: np.ndarray
    dL_dyhat: np.ndarray        # where the backward pass starts: dL/da[L]
    start: str                  # how dL/dŷ was obtained, in words
    layers: list[LayerRecord]
    steps: list[BackpropStep] = field(default_factory=list)

    # --- access ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[BackpropStep]:
        return iter(self.steps)

    def __getitem__(self, i: int) -> BackpropStep:
        return self.steps[i]

    def find(self, kind: str, layer: int) -> BackpropStep:
        """The step computing ``kind`` ("delta", "dW", "db", "da_prev") of layer ``layer``."""
        for s in self.steps:
            if s.kind == kind and s.layer == layer:
                return s
        raise KeyError(f"no step {kind!r} for layer {layer}; layers are 1..{len(self.layers)}"
                       f" and kinds {KINDS}")

    def layer(self, l: int) -> LayerRecord:
        if not 1 <= l <= len(self.layers):
            raise KeyError(f"no layer {l}; layers are 1..{len(self.layers)}")
        return self.layers[l - 1]

    @property
    def grads(self) -> dict[str, np.ndarray]:
        """dL/d(parameter) by the network's parameter names ("0.W", "0.b", ...), in the
        order of ``net.parameters()``."""
        out: dict[str, np.ndarray] = {}
        for rec in self.layers:
            out[rec.W_name] = self.find("dW", rec.l).result
            if rec.b_name is not None:
                out[rec.b_name] = self.find("db", rec.l).result
        return out

    @property
    def dX(self) -> np.ndarray:
        """dL/dX = dL/da[0], what ``net.backward`` returns (needs include_input=True)."""
        return self.find("da_prev", 1).result

    def known_after(self, k: int) -> list[BackpropStep]:
        """The steps done after ``k`` of them (k = 0: none yet, only dL/dŷ is known)."""
        if not 0 <= k <= len(self.steps):
            raise ValueError(f"step must be in 0..{len(self.steps)}, got {k}")
        return self.steps[:k]

    # --- text -----------------------------------------------------------------------------
    def forward_table(self, digits: int = 4) -> str:
        """The forward values every layer cached, one line each."""
        lines = [f"a[0] = X = {fmt(self.X, digits)}"]
        for rec in self.layers:
            lines.append(f"z[{rec.l}] = a[{rec.l - 1}] W[{rec.l}]ᵀ + b[{rec.l}] = "
                         f"{fmt(rec.z, digits)}")
            lines.append(f"a[{rec.l}] = {rec.symbol}(z[{rec.l}]) = {fmt(rec.a, digits)}")
        lines.append(f"ŷ = a[{len(self.layers)}] = {fmt(self.y_hat, digits)}")
        return "\n".join(lines)

    def table(self, digits: int = 4) -> str:
        """Every backward step with its formula and numbers, in the order computed."""
        lines = [_("start: dL/da[{L}] = dL/dŷ = {start} = {value}").format(
            L=len(self.layers), start=self.start, value=fmt(self.dL_dyhat, digits))]
        for s in self.steps:
            lines.append(f"{s.number:>2}. {s.with_numbers(digits)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    __repr__ = __str__


def _layer_groups(net: Module) -> list[tuple[int, Linear, int | None, Activation | None]]:
    """(index, Linear, index, activation or None) for each layer of a Linear + activation
    Sequential; a clear error for anything else."""
    if not isinstance(net, Sequential):
        raise TypeError(f"trace_backward: net must be a labkit Sequential, got "
                        f"{type(net).__name__}")
    layers = list(net.layers)
    if not layers:
        raise ValueError("trace_backward: the Sequential is empty")
    groups = []
    i = 0
    while i < len(layers):
        layer = layers[i]
        if not isinstance(layer, Linear):
            raise ValueError(
                f"trace_backward: layer {i} is {layer!r}, expected a Linear there; the trace "
                "follows Linear layers, each followed by at most one activation (Sigmoid, Tanh, "
                "ReLU, LeakyReLU, Identity)")
        act = layers[i + 1] if i + 1 < len(layers) else None
        if act is not None and isinstance(act, Activation):
            groups.append((i, layer, i + 1, act))
            i += 2
        else:
            groups.append((i, layer, None, None))
            i += 1
    return groups


def _describe(act: Activation | None) -> tuple[str, str, str]:
    if act is None:
        return "identity", "f", _("no activation: f'(z) = 1")
    names = {cls: name for name, cls in ACTIVATIONS.items()}
    for cls in type(act).__mro__:
        if cls in names:
            name = names[cls]
            symbol, rule = _RULES[name]
            rule = _(rule)
            if name == "leaky_relu":
                rule = rule.replace("alpha", f"{act.negative_slope:g}")
            return name, symbol, rule
    name = type(act).__name__
    return name.lower(), name, f"{name}'(z)"


def trace_backward(net: Module, X: np.ndarray,
                   dL_dyhat: np.ndarray | Callable[[np.ndarray], np.ndarray] | None = None, *,
                   loss_fn: Loss | None = None, y: np.ndarray | None = None,
                   include_input: bool = True, describe: str | None = None) -> BackpropTrace:
    """Runs ``net`` forward on X and backward step by step, recording every step.

    Where the backward pass starts, dL/dŷ, is given in one of two ways:
      - ``dL_dyhat``: an array of ŷ's shape, or a function ŷ -> dL/dŷ (e.g. ``lambda y_hat:
        y_hat - y`` for the worked example's loss ½(ŷ − y)²);
      - ``loss_fn`` and ``y``: a labkit loss, whose ``backward()`` gives dL/dŷ.
    ``include_input``: also record dL/da[0] = dL/dX (what ``net.backward`` returns; training
    does not need it). ``describe``: how dL/dŷ was computed, in words, for the printouts
    (e.g. "ŷ − y").

    ``net`` must be a Sequential of Linear layers, each followed by at most one activation.
    The layers' forward caches are refreshed (as by ``net(X)``); parameter gradients are not
    touched.
    """
    groups = _layer_groups(net)
    if (dL_dyhat is None) == (loss_fn is None):
        raise ValueError("trace_backward: give either dL_dyhat (an array or a function of "
                         "y_hat) or loss_fn and y, not both and not neither")
    if loss_fn is not None and y is None:
        raise ValueError("trace_backward: loss_fn needs the target y")
    names = dict((id(p), name) for name, p in net.named_parameters())

    # forward, through the network's own layers, recording what each caches
    records: list[LayerRecord] = []
    a = X
    for l, (li, lin, ai, act) in enumerate(groups, start=1):
        a_prev = a
        z = lin.forward(a_prev)
        if act is not None:
            a = act.forward(z)
            fprime = act.backward(np.ones_like(a))
        else:
            a = z
            fprime = np.ones_like(z)
        name, symbol, rule = _describe(act)
        records.append(LayerRecord(
            l=l, linear_index=li, activation_index=ai, activation=name, symbol=symbol,
            derivative_rule=rule, a_prev=a_prev, z=z.copy(), a=np.array(a, copy=True),
            fprime=fprime, W=lin.W.data.copy(),
            b=None if lin.b is None else lin.b.data.copy(),
            W_name=names[id(lin.W)], b_name=None if lin.b is None else names[id(lin.b)]))
    y_hat = np.array(a, copy=True)

    # where the backward pass starts
    if loss_fn is not None:
        loss_fn(y_hat, y)
        g = np.asarray(loss_fn.backward())
        start = f"{type(loss_fn).__name__}.backward()"
    elif callable(dL_dyhat):
        g = np.asarray(dL_dyhat(y_hat))
        start = "dL/dŷ(ŷ)"
    else:
        g = np.asarray(dL_dyhat)
        start = _("given")
    if describe is not None:
        start = describe
    if g.shape != y_hat.shape:
        raise ValueError(f"trace_backward: dL/dŷ has shape {g.shape}, expected the shape of the "
                         f"output ŷ {y_hat.shape}")
    trace = BackpropTrace(sizes=[X.shape[1]] + [r.width for r in records], X=X, y_hat=y_hat,
                          dL_dyhat=g.copy(), start=start, layers=records)

    # backward, layer by layer from the output
    L = len(records)
    number = 0

    def add(**kw) -> None:
        nonlocal number
        number += 1
        trace.steps.append(BackpropStep(number=number, **kw))

    for rec in reversed(records):
        l, f = rec.l, rec.symbol
        act = groups[l - 1][3]
        dL_da = g
        delta = act.backward(dL_da) if act is not None else np.array(dL_da, copy=True)
        a_name = "ŷ" if l == L else f"a[{l}]"
        add(layer=l, kind="delta", quantity=f"δ[{l}]",
            formula=f"δ[{l}] = dL/da[{l}] ⊙ {f}'(z[{l}])",
            uses={f"dL/da[{l}]": dL_da, f"z[{l}]": rec.z, f"a[{l}]": rec.a,
                  f"{f}'(z[{l}])": rec.fprime},
            cached=(f"z[{l}]", f"a[{l}]", f"{f}'(z[{l}])"), result=delta,
            note=(f"dL/da[{l}] = dL/d{a_name}; " if l == L else "") + rec.derivative_rule)
        add(layer=l, kind="dW", quantity=f"dW[{l}]", formula=f"dW[{l}] = δ[{l}]ᵀ a[{l - 1}]",
            uses={f"δ[{l}]": delta, f"a[{l - 1}]": rec.a_prev}, cached=(f"a[{l - 1}]",),
            result=delta.T @ rec.a_prev, param=rec.W_name,
            note=_("a[0] = X, the input") if l == 1 else "")
        if rec.b_name is not None:
            add(layer=l, kind="db", quantity=f"db[{l}]",
                formula=f"db[{l}] = Σ_batch δ[{l}]", uses={f"δ[{l}]": delta}, cached=(),
                result=delta.sum(axis=0), param=rec.b_name)
        if l > 1 or include_input:
            g = delta @ rec.W
            add(layer=l, kind="da_prev", quantity=f"dL/da[{l - 1}]",
                formula=f"dL/da[{l - 1}] = δ[{l}] W[{l}]",
                uses={f"δ[{l}]": delta, f"W[{l}]": rec.W}, cached=(f"W[{l}]",), result=g,
                note=_("= dL/dX: what net.backward returns; training does not need it")
                if l == 1 else _("the blame passed back to layer {l}").format(l=l - 1))
    return trace


# --- the worked examples ----------------------------------------------------------------------
@dataclass
class Example:
    """A small network, one sample and the worked example's loss L = ½ Σ (ŷ − y)²."""

    name: str
    net: Sequential
    X: np.ndarray
    y: np.ndarray
    eta: float = 0.1

    def loss(self, y_hat: np.ndarray | None = None) -> float:
        """L = ½ Σ (ŷ − y)² (for one sample and one output: ½ (ŷ − y)²)."""
        y_hat = self.net(self.X) if y_hat is None else y_hat
        return float(0.5 * np.sum((y_hat - self.y) ** 2))

    def dloss(self, y_hat: np.ndarray) -> np.ndarray:
        """dL/dŷ = ŷ − y."""
        return y_hat - self.y

    def trace(self, include_input: bool = True) -> BackpropTrace:
        return trace_backward(self.net, self.X, self.dloss, include_input=include_input,
                              describe="ŷ − y")


WORKED_W1 = np.array([[0.5, 0.6], [0.7, 0.8]])   # as a textbook writes it: z1 = X·W1 + b1


def worked_example() -> Example:
    """The lesson's worked 2-2-1 sigmoid network: X = [1, 2], y = 0.5,
    W1 = [[0.5, 0.6], [0.7, 0.8]], b1 = [0.1, 0.2], W2 = [0.9, 0.1], b2 = 0.3,
    loss ½(ŷ − y)², η = 0.1.

    A textbook computing z1 = X·W1 + b1 lays its W1 out (in, out); labkit's W is
    (out, in): layer 0's W is W1 transposed, [[0.5, 0.7], [0.6, 0.8]].
    """
    net = Sequential(Linear(2, 2, init="zeros"), Sigmoid(),
                     Linear(2, 1, init="zeros"), Sigmoid())
    net[0].W.data[...] = WORKED_W1.T
    net[0].b.data[...] = [0.1, 0.2]
    net[2].W.data[...] = [[0.9, 0.1]]
    net[2].b.data[...] = [0.3]
    return Example(_("worked example: 2-2-1 sigmoid"), net, np.array([[1.0, 2.0]]),
                   np.array([[0.5]]), eta=0.1)


def random_example(seed: int = 0, hidden: int = 3, activation: str = "sigmoid") -> Example:
    """A 2-hidden-1 network with torch's default initialization, a sigmoid output, one random
    input and a random target in (0, 1), all drawn from ``seed``."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"random_example: activation must be one of {sorted(ACTIVATIONS)}, "
                         f"got {activation!r}")
    rng = np.random.default_rng(seed)
    net = Sequential(Linear(2, hidden, rng=rng), ACTIVATIONS[activation](),
                     Linear(hidden, 1, rng=rng), Sigmoid())
    X = np.round(rng.normal(size=(1, 2)), 2)
    y = np.round(rng.uniform(0.05, 0.95, size=(1, 1)), 2)
    return Example(_("random 2-{hidden}-1 {activation} (seed {seed})").format(
        hidden=hidden, activation=activation, seed=seed), net, X, y, eta=0.1)


_RENAMED = {"seed001_example": ("worked_example", lambda: worked_example),
            "SEED001_W1": ("WORKED_W1", lambda: WORKED_W1)}


def __getattr__(name: str):              # the old names, for one release
    return renamed(__name__, name, _RENAMED)
