"""labkit -> PyTorch: the same network in ``torch.nn`` with the same weights, and a
comparison of everything one training step computes, returned as data.

The translation is one to one, because labkit uses PyTorch's names and layouts:

    lk.Sequential(...)          nn.Sequential(...)        same indices: "0.W" <-> "0.weight"
    lk.Linear(i, o)             nn.Linear(i, o)           W (o, i) -> weight (o, i), no transpose
    lk.ReLU/Tanh/Sigmoid        nn.ReLU/Tanh/Sigmoid
    lk.LeakyReLU(alpha)         nn.LeakyReLU(alpha)
    lk.Identity                 nn.Identity
    lk.CrossEntropyLoss         nn.CrossEntropyLoss       logits (N, C), int64 targets (N,)
    lk.MSELoss / lk.BCELoss     nn.MSELoss / nn.BCELoss
    net.backward(loss_fn.backward())    loss.backward()
    lk.SGD / lk.Adam, opt.zero_grad(), opt.step()   torch.optim.SGD / Adam, the same calls

torch is imported inside the functions that need it: ``torch_available()`` tells whether it is
installed, and importing this module never imports torch.
"""
from __future__ import annotations

import copy
import importlib.util
from dataclasses import dataclass

import numpy as np

from ..core.layers import ACTIVATIONS, LeakyReLU, Linear, Sequential, activation_name
from ..core.losses import BCELoss, CrossEntropyLoss, Loss, MSELoss
from ..core.optim import SGD, Adam

# the registry's activations (labkit.core.layers.ACTIVATIONS) that torch.nn has under the same
# class name, with no arguments
_AS_IN_TORCH = ("identity", "relu", "sigmoid", "tanh")
_LOSSES = {CrossEntropyLoss: "CrossEntropyLoss", MSELoss: "MSELoss", BCELoss: "BCELoss"}
_OPTIMIZERS = ("sgd", "adam")


def torch_available() -> bool:
    """True when PyTorch can be imported here (without importing it)."""
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):  # a broken or blocked installation counts as absent
        return False


def _torch():
    try:
        import torch
    except ImportError as exc:
        raise ModuleNotFoundError(
            "PyTorch is not installed: pip install torch (or pip install -e '.[dev]') to "
            "compare labkit with it") from exc
    return torch


def _check_net(net) -> None:
    if not isinstance(net, Sequential):
        raise TypeError(f"to_torch: translates a labkit Sequential, got {type(net).__name__}")


def to_torch(net: Sequential, dtype: str = "float64"):
    """A ``torch.nn.Sequential`` with the same layers and a copy of ``net``'s weights.

    Supports Linear (with or without bias), ReLU, LeakyReLU, Tanh, Sigmoid and Identity;
    any other layer raises a TypeError that names it. ``dtype``: "float64" (default, for
    exact comparisons) or "float32".
    """
    _check_net(net)
    torch = _torch()
    if dtype not in ("float64", "float32"):
        raise ValueError(f"to_torch: dtype must be 'float64' or 'float32', got {dtype!r}")
    tdtype = getattr(torch, dtype)
    nn = torch.nn
    modules = []
    for i, layer in enumerate(net.layers):
        if isinstance(layer, Linear):
            out_features, in_features = layer.W.data.shape
            m = nn.Linear(in_features, out_features, bias=layer.b is not None, dtype=tdtype)
            with torch.no_grad():
                m.weight.copy_(torch.from_numpy(np.array(layer.W.data)))  # (out, in) both
                if layer.b is not None:
                    m.bias.copy_(torch.from_numpy(np.array(layer.b.data)))
            modules.append(m)
        elif type(layer) is LeakyReLU:
            modules.append(nn.LeakyReLU(negative_slope=layer.negative_slope))
        elif activation_name(layer) in _AS_IN_TORCH:
            modules.append(getattr(nn, type(layer).__name__)())
        else:
            supported = sorted(ACTIVATIONS[name].__name__ for name in _AS_IN_TORCH)
            raise TypeError(f"to_torch: layer {i} ({layer!r}) has no translation here; "
                            f"supported: Linear, {', '.join(supported)}, LeakyReLU")
    return nn.Sequential(*modules)


def loss_to_torch(loss_fn: Loss):
    """The torch.nn loss that computes what ``loss_fn`` computes (mean over the batch)."""
    name = _LOSSES.get(type(loss_fn))
    if name is None:
        raise TypeError(f"loss_to_torch: no translation for {type(loss_fn).__name__}; "
                        f"supported: {', '.join(sorted(_LOSSES))}")
    return getattr(_torch().nn, name)()


@dataclass(frozen=True)
class ParamComparison:
    """One parameter: its names in both libraries, the size of its gradient in each, and the
    largest elementwise |difference| of the gradients (and of the values after one optimizer
    step, when a step was taken)."""

    name: str
    torch_name: str
    shape: tuple[int, ...]
    grad_norm_labkit: float
    grad_norm_torch: float
    grad_max_abs_diff: float
    step_max_abs_diff: float | None = None


@dataclass(frozen=True)
class TorchComparison:
    """What one forward and backward pass (and optionally one optimizer step) computed in
    labkit and in PyTorch, from the same weights on the same batch."""

    loss_labkit: float
    loss_torch: float
    output_max_abs_diff: float
    input_grad_max_abs_diff: float
    params: tuple[ParamComparison, ...]
    optimizer: str | None
    torch_version: str

    @property
    def loss_abs_diff(self) -> float:
        return abs(self.loss_labkit - self.loss_torch)

    @property
    def max_abs_diff(self) -> float:
        """The largest |difference| anywhere: loss, outputs, dL/dX, gradients, stepped values."""
        diffs = [self.loss_abs_diff, self.output_max_abs_diff, self.input_grad_max_abs_diff]
        for p in self.params:
            diffs.append(p.grad_max_abs_diff)
            if p.step_max_abs_diff is not None:
                diffs.append(p.step_max_abs_diff)
        return max(diffs)

    def agrees(self, tol: float = 1e-10) -> bool:
        return self.max_abs_diff < tol

    def table(self) -> str:
        """The two libraries side by side, as text: the loss, then every parameter's gradient
        norm in each library and the largest elementwise |difference| of the gradients."""
        head = f"PyTorch {self.torch_version}"
        lines = [f"{'':28}{'labkit':>20}{head:>20}{'max |difference|':>18}",
                 f"{'loss':28}{self.loss_labkit:>20.12f}{self.loss_torch:>20.12f}"
                 f"{self.loss_abs_diff:>18.1e}"]
        for p in self.params:
            label = f"||grad|| {p.name} / {p.torch_name}"
            lines.append(f"{label:28}{p.grad_norm_labkit:>20.12f}{p.grad_norm_torch:>20.12f}"
                         f"{p.grad_max_abs_diff:>18.1e}")
        lines.append(f"{'outputs (N, C)':28}{'':40}{self.output_max_abs_diff:>18.1e}")
        lines.append(f"{'dL/dX':28}{'':40}{self.input_grad_max_abs_diff:>18.1e}")
        if self.optimizer is not None:
            worst = max(p.step_max_abs_diff or 0.0 for p in self.params)
            lines.append(f"{'weights after one ' + self.optimizer + ' step':28}{'':40}"
                         f"{worst:>18.1e}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def _max_abs(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def compare_with_torch(net: Sequential, loss_fn: Loss, X: np.ndarray, y: np.ndarray, *,
                       model=None, optimizer: str | None = None,
                       lr: float = 1e-3) -> TorchComparison:
    """Runs one forward and backward pass of ``net`` and ``loss_fn`` on (X, y) in labkit and
    in PyTorch and compares loss, outputs, dL/dX and every parameter's gradient.

    ``model``: your own torch translation of ``net`` (same weights already copied in); by
    default ``to_torch(net)``. Parameters are matched in order ("0.W" with "0.weight", ...).
    ``optimizer``: "sgd" (momentum 0.9) or "adam" to also take one step with ``lr`` in both
    libraries and compare the weights after it. ``net`` itself is left untouched (its weights
    and gradients); the labkit side runs on a copy.
    """
    _check_net(net)
    torch = _torch()
    if optimizer is not None and optimizer not in _OPTIMIZERS:
        raise ValueError(f"compare_with_torch: optimizer must be None or one of {_OPTIMIZERS}, "
                         f"got {optimizer!r}")
    model = to_torch(net) if model is None else copy.deepcopy(model)  # yours is not stepped
    t_params = list(model.named_parameters())
    lk_net = copy.deepcopy(net)
    lk_params = lk_net.parameters()
    if len(t_params) != len(lk_params) or any(
            tuple(tp.shape) != p.data.shape for (_, tp), p in zip(t_params, lk_params)):
        raise ValueError(
            "compare_with_torch: the torch model's parameters "
            f"{[(n, tuple(tp.shape)) for n, tp in t_params]} do not match labkit's "
            f"{[(p.name, p.data.shape) for p in lk_params]}")
    tdtype = t_params[0][1].dtype if t_params else torch.float64

    # labkit: one training step as the lessons write it (loss, zero_grad, backward)
    lk_loss_fn = copy.deepcopy(loss_fn)
    out = lk_net(X)
    loss = lk_loss_fn(out, y)
    lk_net.zero_grad()
    dX = lk_net.backward(lk_loss_fn.backward())

    # torch: the same, with autograd
    t_loss_fn = loss_to_torch(loss_fn)
    tX = torch.tensor(np.asarray(X), dtype=tdtype, requires_grad=True)
    ty = torch.from_numpy(np.asarray(y))
    ty = ty.long() if isinstance(loss_fn, CrossEntropyLoss) else ty.to(tdtype)
    model.zero_grad()
    t_out = model(tX)
    t_loss = t_loss_fn(t_out, ty)
    t_loss.backward()

    def np_(t) -> np.ndarray:
        return t.detach().cpu().double().numpy()

    grads = [(np_(tp.grad) if tp.grad is not None else np.zeros(tuple(tp.shape)))
             for _, tp in t_params]
    step_diffs: list[float | None] = [None] * len(lk_params)
    if optimizer is not None:
        if optimizer == "sgd":
            lk_opt = SGD(lk_params, lr=lr, momentum=0.9)
            t_opt = torch.optim.SGD([tp for _, tp in t_params], lr=lr, momentum=0.9)
        else:
            lk_opt = Adam(lk_params, lr=lr)
            t_opt = torch.optim.Adam([tp for _, tp in t_params], lr=lr)
        lk_opt.step()
        t_opt.step()
        step_diffs = [_max_abs(p.data, np_(tp)) for p, (_, tp) in zip(lk_params, t_params)]
    rows = tuple(
        ParamComparison(p.name, name, p.data.shape, float(np.linalg.norm(p.grad)),
                        float(np.linalg.norm(g)), _max_abs(p.grad, g), step)
        for p, (name, _), g, step in zip(lk_params, t_params, grads, step_diffs))
    return TorchComparison(
        loss_labkit=float(loss), loss_torch=float(t_loss.item()),
        output_max_abs_diff=_max_abs(out, np_(t_out)),
        input_grad_max_abs_diff=_max_abs(dX, np_(tX.grad)),
        params=rows, optimizer=optimizer, torch_version=torch.__version__.split("+")[0])
