"""Optimizers with torch.optim's update rules (same start, same trajectory), and gradient clipping.

Notation: theta a parameter, g its gradient, eta the learning rate (``lr``), t the step count.
The step formulas are plain functions (``gd_step``, ``momentum_step``, ``adam_step``,
``clip_grad_norm``): the exercises ask for them, and the optimizers call them.

As in torch, an optimizer holds ``param_groups``: a list of dicts, each with its ``"params"``
and its hyper-parameters (``[{"params": [W, b], "lr": 0.1, ...}]``; pass such a list instead
of ``net.parameters()`` for one learning rate per group). ``state[i]`` is what the optimizer
remembers for the i-th parameter (a momentum buffer, Adam's m and v). ``opt.lr = 0.01`` (or any
hyper-parameter) sets it in every group and is read at the next step: the state is kept.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Iterable

import numpy as np

from .module import check_bool, check_number
from .parameter import Parameter

# --- the formulas ----------------------------------------------------------------------------


def gd_step(p: np.ndarray, grad: np.ndarray, lr: float) -> np.ndarray:
    """One step of gradient descent: theta <- theta - eta g (a new array)."""
    return p - lr * grad


def momentum_step(p: np.ndarray, grad: np.ndarray, v: np.ndarray, lr: float, mu: float):
    """SGD with momentum (torch.optim.SGD): v <- mu v + g;  theta <- theta - eta v.
    Returns (the new theta, the new v)."""
    v = mu * v + grad
    return p - lr * v, v


def adam_step(p: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray, t: int, lr: float,
              beta1: float, beta2: float, eps: float):
    """Adam at step t = 1, 2, ...:
        m <- beta1 m + (1 - beta1) g            (first moment)
        v <- beta2 v + (1 - beta2) g^2          (second moment)
        m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)     (bias correction)
        theta <- theta - eta m_hat / (sqrt(v_hat) + eps)
    Returns (the new theta, m, v)."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def get_total_norm(arrays: Iterable[np.ndarray]) -> float:
    """||g|| = sqrt(sum of every element squared) of several arrays taken as one vector (the
    gradient norm everything in labkit reports; torch.nn.utils.get_total_norm)."""
    return math.sqrt(sum(float(np.sum(g * g)) for g in arrays))


def grad_norm(params: Iterable[Parameter]) -> float:
    """||g|| of the gradients of ``params`` (a layer's, or a whole net's), as one vector."""
    return get_total_norm(p.grad for p in params if p.grad is not None)


def clip_grad_norm(grads: list[np.ndarray], max_norm: float) -> list[np.ndarray]:
    """The grads scaled by min(1, max_norm / (||g|| + 1e-6)), ||g|| their norm as one vector:
    the direction kept, the length at most max_norm (a NaN norm gives NaN grads, as torch)."""
    total = get_total_norm(grads)
    scale = float(np.minimum(1.0, max_norm / (total + 1e-6)))      # NaN stays NaN
    return [g * scale for g in grads]


def clip_grad_norm_(parameters: Iterable[Parameter], max_norm: float) -> float:
    """torch.nn.utils.clip_grad_norm_: the gradients of ``parameters`` clipped in place by
    ``clip_grad_norm``; returns their norm before clipping."""
    params = [p for p in _check_params("clip_grad_norm_", parameters) if p.grad is not None]
    max_norm = check_number("clip_grad_norm_", "max_norm", max_norm)
    total = grad_norm(params)
    for p, g in zip(params, clip_grad_norm([p.grad for p in params], max_norm)):
        p.grad[...] = g
    return total


# --- the optimizers --------------------------------------------------------------------------


def _check_params(owner: str, params) -> list[Parameter]:
    if isinstance(params, Parameter):
        raise TypeError(f"{owner}: params must be a list of Parameters; wrap one as [param]")
    try:
        params = list(params)
    except TypeError:
        raise TypeError(f"{owner}: params must be an iterable of Parameters (e.g. "
                        f"net.parameters()), got {type(params).__name__}") from None
    if not params:
        raise ValueError(f"{owner}: got an empty parameter list")
    for i, p in enumerate(params):
        if not isinstance(p, Parameter):
            raise TypeError(f"{owner}: params[{i}] is a {type(p).__name__}, not a Parameter "
                            f"(pass net.parameters())")
    return params


class Optimizer:
    """Base: ``param_groups``, per-parameter ``state``, ``zero_grad()``, ``step()`` (which
    calls ``update(p, g, state, group)`` for every parameter with a gradient) and
    ``state_dict()``/``load_state_dict()`` in torch's layout."""

    def __init__(self, params, defaults: dict) -> None:
        owner = type(self).__name__
        self.defaults = self.check_hyperparameters(dict(defaults))
        is_groups = isinstance(params, list) and params and all(isinstance(g, dict)
                                                                for g in params)
        self.param_groups: list[dict] = [
            self.check_hyperparameters({**self.defaults, **group,
                                        "params": _check_params(owner, group["params"])})
            for group in (params if is_groups else [{"params": params}])]
        seen: set[int] = set()
        for p in self.parameters():
            if id(p) in seen:
                raise ValueError(f"{owner}: parameter {p.name or '?'!r} appears twice in params")
            seen.add(id(p))
        self.state: list[dict] = [{} for _ in seen]
        self.t = 0                               # steps taken

    numbers: dict[str, tuple] = {"lr": ()}   # hyper-parameter -> check_number's range
    flags: tuple[str, ...] = ()               # hyper-parameters that are True or False

    def check_hyperparameters(self, group: dict) -> dict:
        """The group with its hyper-parameters checked (an error names a bad one)."""
        for name, limits in self.numbers.items():
            group[name] = check_number(type(self).__name__, name, group[name], *limits)
        for name in self.flags:
            group[name] = check_bool(type(self).__name__, name, group[name])
        return group

    # opt.lr, opt.momentum, ...: the hyper-parameter of every group (labkit's shortcut)
    def __getattr__(self, name: str):
        groups = self.__dict__.get("param_groups")
        if not groups or name not in self.__dict__["defaults"]:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        if any(g[name] != groups[0][name] for g in groups):
            raise AttributeError(f"{type(self).__name__}.{name} differs between the param "
                                 f"groups: read opt.param_groups[i][{name!r}]")
        return groups[0][name]

    def __setattr__(self, name: str, value) -> None:
        if name in self.__dict__.get("defaults", ()):
            for group in self.param_groups:
                group.update(self.check_hyperparameters({**group, name: value}))
        else:
            super().__setattr__(name, value)

    def parameters(self) -> list[Parameter]:
        return [p for group in self.param_groups for p in group["params"]]

    def zero_grad(self, set_to_none: bool = False) -> None:
        """g <- 0 for every parameter (``set_to_none=True``: g <- None, as torch)."""
        for p in self.parameters():
            p.zero_grad(set_to_none)

    def step(self) -> None:
        """One update of every parameter from its gradient (a parameter whose grad is None is
        left as it is, as torch)."""
        self.t += 1
        states = iter(self.state)              # one state per parameter, in their order
        for group in self.param_groups:
            for p in group["params"]:
                state = next(states)
                if p.grad is not None:
                    self.update(p, p.grad, state, group)

    def update(self, p: Parameter, g: np.ndarray, state: dict, group: dict) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict:
        """{"state": {i: {...}}, "param_groups": [{"lr": ..., "params": [i, ...]}]}: the
        parameters by their index, as torch (the arrays copied)."""
        index = {id(p): i for i, p in enumerate(self.parameters())}
        groups = [{**group, "params": [index[id(p)] for p in group["params"]]}
                  for group in self.param_groups]
        return {"state": {i: copy.deepcopy(s) for i, s in enumerate(self.state) if s},
                "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """The state and hyper-parameters of ``state_dict`` (this optimizer's layout: as many
        groups, of as many parameters)."""
        sizes = [[len(g["params"]) for g in groups]
                 for groups in (state_dict["param_groups"], self.param_groups)]
        if sizes[0] != sizes[1]:
            raise ValueError(f"{type(self).__name__}.load_state_dict: the state has groups of "
                             f"{sizes[0]} parameters, this optimizer {sizes[1]}")
        for group, saved in zip(self.param_groups, state_dict["param_groups"]):
            group.update(self.check_hyperparameters({**saved, "params": group["params"]}))
        self.state = [copy.deepcopy(dict(state_dict["state"].get(i, {})))
                      for i in range(len(self.state))]

    def __repr__(self) -> str:
        hp = ", ".join(f"{k}={v}" for k, v in self.param_groups[0].items() if k != "params")
        return f"{type(self).__name__}({hp})"


class SGD(Optimizer):
    """Stochastic gradient descent, as torch.optim.SGD.

        g <- g + weight_decay * theta
        momentum: v <- mu v + g' (momentum_step), with g' = g at the first step and
                  (1 - dampening) g after;  nesterov: theta <- theta - eta (g + mu v)
        no momentum: theta <- theta - eta g (gd_step)
    """

    def __init__(self, params, lr: float = 0.01, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    numbers = {"lr": (), "momentum": (), "dampening": (), "weight_decay": ()}
    flags = ("nesterov",)

    def check_hyperparameters(self, group):
        group = super().check_hyperparameters(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0, got "
                             f"momentum={group['momentum']}, dampening={group['dampening']}")
        return group

    def update(self, p, g, state, group):
        lr, mu = group["lr"], group["momentum"]
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p.data
        if mu == 0:
            p.data[...] = gd_step(p.data, g, lr)
            return
        first = "momentum_buffer" not in state
        v = state.setdefault("momentum_buffer", np.zeros_like(p.data))
        damped = g if first else (1 - group["dampening"]) * g
        theta, v[...] = momentum_step(p.data, damped, v, lr, mu)
        if group["nesterov"]:
            theta = gd_step(p.data, g + mu * v, lr)
        p.data[...] = theta


class RMSprop(Optimizer):
    """RMSprop, as torch.optim.RMSprop.

        g <- g + weight_decay * theta
        s <- alpha s + (1 - alpha) g^2
        centered: m <- alpha m + (1 - alpha) g;  denom = sqrt(s - m^2) + eps
        else:     denom = sqrt(s) + eps
        momentum > 0: b <- momentum b + g / denom;  theta <- theta - eta b
        else:         theta <- theta - eta g / denom
    """

    def __init__(self, params, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    numbers = {"lr": (), "alpha": (0.0, 1.0), "eps": (0.0, math.inf, True), "weight_decay": (),
               "momentum": ()}
    flags = ("centered",)

    def update(self, p, g, state, group):
        alpha, eps, momentum = group["alpha"], group["eps"], group["momentum"]
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p.data
        if not state:
            state.update(step=0, square_avg=np.zeros_like(p.data))
            if momentum:
                state["momentum_buffer"] = np.zeros_like(p.data)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(p.data)
        state["step"] += 1
        s = state["square_avg"]
        s[...] = alpha * s + (1 - alpha) * g * g
        if group["centered"]:
            m = state["grad_avg"]
            m[...] = alpha * m + (1 - alpha) * g
            denom = np.sqrt(s - m * m) + eps
        else:
            denom = np.sqrt(s) + eps
        if momentum:
            b = state["momentum_buffer"]
            b[...] = momentum * b + g / denom
            p.data[...] = gd_step(p.data, b, group["lr"])
        else:
            p.data[...] = gd_step(p.data, g / denom, group["lr"])


class Adam(Optimizer):
    """Adam, as torch.optim.Adam (weight_decay is L2 added to the gradient):

        g <- g + weight_decay * theta;  theta, m, v <- adam_step(theta, g, m, v, t, ...)
        amsgrad: v_max <- max(v_max, v) and v_hat = v_max / (1 - beta2^t) in the step
    t counts this parameter's steps (torch's state["step"]).
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad))

    numbers = {"lr": (), "eps": (0.0, math.inf, True), "weight_decay": ()}
    flags = ("amsgrad",)

    def check_hyperparameters(self, group):
        betas = group["betas"]
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        group["betas"] = tuple(check_number("Adam", f"betas[{i}]", b, 0.0, 1.0, high_open=True)
                               for i, b in enumerate(betas))
        return super().check_hyperparameters(group)

    def update(self, p, g, state, group):
        (beta1, beta2), eps, lr = group["betas"], group["eps"], group["lr"]
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p.data
        if not state:
            state.update(step=0, exp_avg=np.zeros_like(p.data), exp_avg_sq=np.zeros_like(p.data))
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(p.data)
        state["step"] += 1
        t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
        theta, m[...], v[...] = adam_step(p.data, g, m, v, t, lr, beta1, beta2, eps)
        if group["amsgrad"]:
            v_max = state["max_exp_avg_sq"]
            v_max[...] = np.maximum(v_max, v)
            m_hat = m / (1 - beta1 ** t)
            v_hat = v_max / (1 - beta2 ** t)
            theta = p.data - lr * m_hat / (np.sqrt(v_hat) + eps)
        p.data[...] = theta
