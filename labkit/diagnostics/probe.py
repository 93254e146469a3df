"""A look inside one forward and backward pass of a Sequential, layer by layer: one pass, two
views of it.

``probe(net, X, y, loss_fn)``, for every layer i of the net (a = output of layer i, dL/da =
the gradient arriving at it):
    mean, std of a          how the signal is spread going forward
    saturated               fraction of units whose local slope |f'(z)| < 0.05 (activations
                            only): almost no gradient passes back through them
    grad_norm               ||dL/da||, the gradient signal flowing back through the layer
    param_grad_norm         ||dL/dtheta|| of the layer's parameters (0 if it has none)

``gradient_profile(net, X, y, loss_fn)``, the same pass read for vanishing and exploding
gradients (lesson 08):
    signal                  ||dL/da|| at every hidden output (an activation or a Residual
                            block), input side first
    weight                  ||dL/dW|| of every Linear layer, also those inside Residual blocks
    ratio(), per_layer()    first over last, and the factor per layer

Both leave the net as they found it (core's ``preserved_state``, as check_gradients: parameter
gradients, BatchNorm running statistics and training flags are restored afterwards; BatchNorm
uses the batch statistics, as in training). Overflow gives inf or NaN numbers, not an error or
a warning.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core.gradcheck import preserved_state
from ..core.i18n import _
from ..core.layers import Activation, Linear, Sequential
from ..core.losses import Loss
from ..core.module import Module
from ..core.optim import grad_norm
from ..core.residual import Residual

SATURATION_SLOPE = 0.05


# --- walking a net ---------------------------------------------------------------------------

def layer_names(net: Sequential) -> list[str]:
    """"0 Linear", "1 Tanh", ...: index and type of every layer."""
    return [f"{i} {type(layer).__name__}" for i, layer in enumerate(net.layers)]


def linear_layers(net: Module) -> list[Linear]:
    """Every Linear layer of ``net`` in forward order, also those inside Residual blocks."""
    return [m for m in net.modules() if isinstance(m, Linear)]


def _check_net(net, owner: str = "diagnostics") -> None:
    if not isinstance(net, Sequential):
        raise TypeError(f"{owner}: net must be a labkit Sequential, got {type(net).__name__}")


# --- the pass (call both inside preserved_state) ---------------------------------------------

def _forward(net: Sequential, X: np.ndarray) -> list[np.ndarray]:
    """a_i, the output of every layer i, for the batch X."""
    outputs, a = [], X
    for layer in net.layers:
        a = layer.forward(a)
        outputs.append(a)
    return outputs


@dataclass
class _Backward:
    loss: float
    grads: list[np.ndarray]       # dL/da_i, the gradient arriving at the output of layer i
    param_grad_norms: list[float]  # ||dL/dtheta|| of layer i's parameters


def _backward(net: Sequential, y_hat: np.ndarray, y: np.ndarray, loss_fn: Loss) -> _Backward:
    """The loss of y_hat (the net's output after ``_forward``) and the backward pass layer by
    layer, from zeroed gradients: afterwards every ``.grad`` holds this batch's dL/dtheta."""
    for p in net.parameters():
        p.grad.fill(0)
    loss = float(loss_fn(y_hat, y))
    g = loss_fn.backward()
    n = len(net.layers)
    grads: list[np.ndarray] = [g] * n    # every entry is set below, from the last layer back
    norms = [0.0] * n
    for i in reversed(range(n)):
        grads[i] = g
        g = net.layers[i].backward(g)
        norms[i] = grad_norm(net.layers[i].parameters())
    return _Backward(loss, grads, norms)


def _ignore_overflow():
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


# --- probe: statistics of every layer --------------------------------------------------------

@dataclass(frozen=True)
class LayerStats:
    """Statistics of one layer for one batch (see the module docstring)."""

    index: int
    name: str
    mean: float
    std: float
    saturated: float
    grad_norm: float
    param_grad_norm: float
    activations: np.ndarray
    grads: np.ndarray | None


def saturated_fraction(layer: Module) -> float:
    """Fraction of the units of an activation layer (after its forward) with |f'(z)| < 0.05."""
    if not isinstance(layer, Activation) or layer._cache is None:
        return 0.0
    slope = layer.backward(np.ones(layer._cache.shape))
    return float(np.mean(np.abs(slope) < SATURATION_SLOPE))


def probe(net: Sequential, X: np.ndarray, y: np.ndarray | None = None,
          loss_fn: Loss | None = None) -> list[LayerStats]:
    """Layer statistics for one batch; with ``y`` and ``loss_fn`` also the backward signal."""
    _check_net(net, "probe")
    if (y is None) != (loss_fn is None):
        raise ValueError("probe: give both y and loss_fn (for gradients) or neither")
    n = len(net.layers)
    with preserved_state(net), _ignore_overflow():
        outputs = _forward(net, X)
        saturated = [saturated_fraction(layer) for layer in net.layers]
        grads: list[np.ndarray | None] = [None] * n
        param_norms = [0.0] * n
        if loss_fn is not None:
            back = _backward(net, outputs[-1] if outputs else X, y, loss_fn)
            grads, param_norms = list(back.grads), back.param_grad_norms
        return [LayerStats(i, name, float(np.mean(out)), float(np.std(out)), saturated[i],
                           float(np.linalg.norm(grads[i])) if grads[i] is not None else 0.0,
                           param_norms[i], out, grads[i])
                for i, (name, out) in enumerate(zip(layer_names(net), outputs))]


# --- gradient_profile: the same pass, read for vanishing and exploding gradients ------------

def vanishing_ratio(norms) -> float:
    """The first norm divided by the last (e.g. ||dW|| of the first Linear layer over that of
    the last): 1e-6 means the layer next to the input receives a millionth of the gradient of
    the layer next to the output."""
    norms = np.asarray(norms, dtype=np.float64)
    if norms.ndim != 1 or norms.size < 2:
        raise ValueError(f"vanishing_ratio: need the norms of at least two layers, got "
                         f"shape {norms.shape}")
    if norms[-1] == 0:
        return math.inf if norms[0] > 0 else math.nan
    return float(norms[0] / norms[-1])


@dataclass(frozen=True)
class GradientProfile:
    """The gradient reaching every layer of a net for one batch (input side first).

    loss    L for the batch
    signal  ||dL/da_l||: the gradient arriving at the output a_l of hidden layer l (the output
            of an activation or of a Residual block), the signal backprop passes on to l
    weight  ||dL/dW_k||: the gradient of the weight matrix of every Linear layer k
    """

    loss: float
    signal: np.ndarray
    weight: np.ndarray

    def ratio(self, which: str = "signal") -> float:
        """First over last: 1e-6 means the layer next to the input receives a millionth of the
        gradient of the layer next to the output (vanishing); 1e6, a million times more
        (exploding)."""
        if which not in ("signal", "weight"):
            raise ValueError(f"GradientProfile.ratio: which must be 'signal' or 'weight', "
                             f"got {which!r}")
        return vanishing_ratio(self.signal if which == "signal" else self.weight)

    def per_layer(self, which: str = "signal") -> float:
        """The factor one layer multiplies the gradient by on its way back, on average:
        ratio ** (1 / (number of layers - 1)). Below 1 it shrinks, above 1 it grows."""
        ratio = self.ratio(which)
        steps = (self.signal if which == "signal" else self.weight).size - 1
        if not (math.isfinite(ratio) and ratio > 0):
            return ratio
        return float(ratio ** (1.0 / steps))

    def summary(self, label: str = "", layers=None) -> str:
        """One line of text: ||dL/da|| at a few hidden layers (1, every quarter of the depth,
        the last), first/last ratio and the factor per layer; e.g.
        "sigmoid: layer 1: 8.0e-19 | 5: 2.6e-14 | ... | 20: 3.1e-02 | first/last 2.6e-17,
        ×0.13 per layer"."""
        n = self.signal.size
        if layers is None:
            layers = sorted({1, *(max(1, round(n * q)) for q in (0.25, 0.5, 0.75)), n})
        bad = [k for k in layers if not (isinstance(k, (int, np.integer)) and 1 <= k <= n)]
        if bad:
            raise ValueError(f"GradientProfile.summary: layers run from 1 to {n}, got {bad}")
        parts = [(_("layer {k}: {norm:.1e}") if i == 0 else "{k}: {norm:.1e}").format(
            k=k, norm=self.signal[k - 1]) for i, k in enumerate(layers)]
        tail = ""
        if n >= 2:
            tail = _(" | first/last {ratio:.1e}, ×{factor:.2f} per layer").format(
                ratio=self.ratio(), factor=self.per_layer())
        return (f"{_(label)}: " if label else "") + " | ".join(parts) + tail


def _is_hidden_output(layer: Module) -> bool:
    return isinstance(layer, (Activation, Residual))


def gradient_profile(net: Sequential, X: np.ndarray, y: np.ndarray, loss_fn: Loss
                     ) -> GradientProfile:
    """One forward and backward pass on (X, y), measured layer by layer (see GradientProfile
    and the module docstring): the pass of ``probe``, read at the hidden outputs and at every
    Linear layer's W."""
    _check_net(net, "gradient_profile")
    linears = linear_layers(net)
    if not linears:
        raise ValueError("gradient_profile: the net has no Linear layer")
    with preserved_state(net), _ignore_overflow():
        back = _backward(net, _forward(net, X)[-1], y, loss_fn)
        weight = [grad_norm([m.W]) for m in linears]
        signal = [float(np.linalg.norm(g)) for layer, g in zip(net.layers, back.grads)
                  if _is_hidden_output(layer)]
    return GradientProfile(back.loss, np.array(signal), np.array(weight))
