"""Optimizers with torch.optim's update rules (same start, same trajectory), and gradient clipping.

Notation: theta a parameter, g its gradient, eta the learning rate (``lr``), t the step count.
Hyper-parameters are plain attributes (``opt.lr = 0.01``) read at every step, so they can be
changed in the middle of a run without losing the optimizer's state.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .parameter import Parameter


def _check_params(owner: str, params: Iterable[Parameter]) -> list[Parameter]:
    if isinstance(params, Parameter):
        raise TypeError(f"{owner}: params must be a list of Parameters; wrap one as [param]")
    try:
        params = list(params)
    except TypeError:
        raise TypeError(
            f"{owner}: params must be an iterable of Parameters (e.g. net.parameters()), "
            f"got {type(params).__name__}"
        ) from None
    if not params:
        raise ValueError(f"{owner}: got an empty parameter list")
    seen: set[int] = set()
    for i, p in enumerate(params):
        if not isinstance(p, Parameter):
            raise TypeError(
                f"{owner}: params[{i}] is a {type(p).__name__}, not a Parameter "
                f"(pass net.parameters())"
            )
        if id(p) in seen:
            raise ValueError(f"{owner}: parameter {p.name or i!r} appears twice in params")
        seen.add(id(p))
    return params


def _check_number(owner: str, name: str, value, low: float = 0.0, high: float = math.inf,
                  low_open: bool = False, high_open: bool = False) -> float:
    """value as a float, or a ValueError that names the hyper-parameter and its range."""
    ok = isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
    if ok:
        v = float(value)
        ok = math.isfinite(v) and (v > low if low_open else v >= low) and (
            v < high if high_open else v <= high)
    if not ok:
        lo = f"{'(' if low_open else '['}{low}"
        hi = f"{high}{')' if high_open else ']'}"
        raise ValueError(f"{owner}: {name} must be a finite number in {lo}, {hi}, got {value!r}")
    return v


class Optimizer:
    """Base: holds the parameters and a per-parameter ``state`` dict; ``step()`` updates."""

    def __init__(self, params: Iterable[Parameter], lr: float) -> None:
        self.params = _check_params(type(self).__name__, params)
        self.lr = lr
        self.state: list[dict[str, np.ndarray]] = [{} for _ in self.params]
        self.t = 0

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _check_number(type(self).__name__, "lr", value)

    def zero_grad(self) -> None:
        """g <- 0 for every parameter."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """One update of every parameter from its gradient (Parameter.grad's setter has already
        refused gradients of the wrong shape)."""
        self.t += 1
        for p, state in zip(self.params, self.state):
            self._update(p, state)

    def _update(self, p: Parameter, state: dict) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        hp = ", ".join(f"{k}={v}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({hp})"

    def hyperparameters(self) -> dict:
        return {"lr": self.lr}


class SGD(Optimizer):
    """Stochastic gradient descent, as torch.optim.SGD.

        g <- g + weight_decay * theta
        momentum: v <- g (first step), then v <- momentum * v + (1 - dampening) * g
                  nesterov: g <- g + momentum * v   else: g <- v
        theta <- theta - eta * g
    """

    def __init__(self, params, lr: float = 0.01, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False) -> None:
        super().__init__(params, lr)
        self.momentum = _check_number("SGD", "momentum", momentum)
        self.dampening = _check_number("SGD", "dampening", dampening)
        self.weight_decay = _check_number("SGD", "weight_decay", weight_decay)
        if nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0, got "
                             f"momentum={self.momentum}, dampening={self.dampening}")
        self.nesterov = bool(nesterov)

    def step(self) -> None:
        if self.momentum or self.weight_decay:
            super().step()                   # the general rule below, parameter by parameter
            return
        self.t += 1
        lr = self._lr
        for p in self.params:                # plain SGD: theta <- theta - eta g
            p.data -= lr * p.grad

    def _update(self, p, state):
        g = p.grad
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        if self.momentum:
            v = state.get("momentum_buffer")
            if v is None:
                v = state["momentum_buffer"] = g.copy()
            else:
                v *= self.momentum
                v += (1.0 - self.dampening) * g
            g = g + self.momentum * v if self.nesterov else v
        p.data -= self._lr * g

    def hyperparameters(self):
        return {"lr": self.lr, "momentum": self.momentum, "dampening": self.dampening,
                "weight_decay": self.weight_decay, "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """RMSprop, as torch.optim.RMSprop.

        g <- g + weight_decay * theta
        s <- alpha * s + (1 - alpha) * g^2
        centered: m <- alpha * m + (1 - alpha) * g;  denom = sqrt(s - m^2) + eps
        else:     denom = sqrt(s) + eps
        momentum > 0: b <- momentum * b + g / denom;  theta <- theta - eta * b
        else:         theta <- theta - eta * g / denom
    """

    def __init__(self, params, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False) -> None:
        super().__init__(params, lr)
        self.alpha = _check_number("RMSprop", "alpha", alpha, 0.0, 1.0)
        self.eps = _check_number("RMSprop", "eps", eps, low_open=True)
        self.weight_decay = _check_number("RMSprop", "weight_decay", weight_decay)
        self.momentum = _check_number("RMSprop", "momentum", momentum)
        self.centered = bool(centered)

    def _update(self, p, state):
        g = p.grad
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        if "square_avg" not in state:
            state["square_avg"] = np.zeros_like(p.data)
            if self.centered:
                state["grad_avg"] = np.zeros_like(p.data)
            if self.momentum:
                state["momentum_buffer"] = np.zeros_like(p.data)
        s = state["square_avg"]
        s *= self.alpha
        s += (1.0 - self.alpha) * g * g
        if self.centered:
            m = state["grad_avg"]
            m *= self.alpha
            m += (1.0 - self.alpha) * g
            denom = np.sqrt(s - m * m) + self.eps
        else:
            denom = np.sqrt(s) + self.eps
        if self.momentum:
            b = state["momentum_buffer"]
            b *= self.momentum
            b += g / denom
            p.data -= self.lr * b
        else:
            p.data -= self.lr * (g / denom)

    def hyperparameters(self):
        return {"lr": self.lr, "alpha": self.alpha, "eps": self.eps,
                "weight_decay": self.weight_decay, "momentum": self.momentum,
                "centered": self.centered}


class Adam(Optimizer):
    """Adam, as torch.optim.Adam (weight_decay is L2 added to the gradient).

        g <- g + weight_decay * theta
        m <- beta1 * m + (1 - beta1) * g            (first moment)
        v <- beta2 * v + (1 - beta2) * g^2          (second moment)
        m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)   (bias correction, t = step)
        amsgrad: v_max <- max(v_max, v), used in place of v
        theta <- theta - eta * m_hat / (sqrt(v_hat) + eps)
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        super().__init__(params, lr)
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (_check_number("Adam", "betas[0]", betas[0], 0.0, 1.0, high_open=True),
                      _check_number("Adam", "betas[1]", betas[1], 0.0, 1.0, high_open=True))
        self.eps = _check_number("Adam", "eps", eps, low_open=True)
        self.weight_decay = _check_number("Adam", "weight_decay", weight_decay)
        self.amsgrad = bool(amsgrad)

    def _update(self, p, state):
        beta1, beta2 = self.betas
        g = p.grad
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        if "exp_avg" not in state:
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_avg_sq"] = np.zeros_like(p.data)
            if self.amsgrad:
                state["max_exp_avg_sq"] = np.zeros_like(p.data)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1.0 - beta1) * (g - m)          # = beta1 m + (1 - beta1) g, as torch's lerp
        v *= beta2
        v += (1.0 - beta2) * g * g
        if self.amsgrad:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        bias_correction1 = 1.0 - beta1 ** self.t
        bias_correction2 = 1.0 - beta2 ** self.t
        denom = np.sqrt(v) / math.sqrt(bias_correction2) + self.eps
        p.data -= (self.lr / bias_correction1) * (m / denom)

    def hyperparameters(self):
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps,
                "weight_decay": self.weight_decay, "amsgrad": self.amsgrad}


def grad_norm(params: Iterable[Parameter]) -> float:
    """||g||_2 over all the given parameters' gradients, as one vector."""
    return math.sqrt(sum(float(np.vdot(p.grad, p.grad)) for p in params))


def clip_grad_norm(params: Iterable[Parameter], max_norm: float) -> float:
    """Scales all gradients by min(1, max_norm / (||g|| + 1e-6)), as
    torch.nn.utils.clip_grad_norm_; returns the norm before clipping."""
    params = _check_params("clip_grad_norm", params)
    max_norm = _check_number("clip_grad_norm", "max_norm", max_norm)
    total = grad_norm(params)
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for p in params:
            p.grad *= coef
    return total
