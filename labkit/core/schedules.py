"""Learning-rate schedulers, as torch.optim.lr_scheduler (same names, same values).

    sched = CosineAnnealingLR(opt, T_max=200)     # every group's lr <- eta_0 now
    for t in range(200):
        ...; opt.step(); sched.step()             # then lr <- eta_{t+1}

A scheduler writes only the "lr" of each of the optimizer's param_groups: the optimizer's state
(momentum buffer v, Adam's m and v) is kept. With ``fit``: ``callback=lambda step, loss:
sched.step()``. For the base rate eta_0 of a group (its lr when the scheduler was made):

    LambdaLR           eta_t = eta_0 * lr_lambda(t)
    StepLR             eta_t = eta_0 * gamma ^ floor(t / step_size)
    CosineAnnealingLR  eta_t = eta_min + (eta_0 - eta_min) (1 + cos(pi t / T_max)) / 2
                       (for every t, as torch's: after T_max the rate rises again)
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .module import check_int, check_number, renamed


def step_lr(eta0: float, t, step_size: int, gamma: float):
    """eta_t = eta_0 gamma^floor(t / step_size) (t a number or an array of steps)."""
    return eta0 * gamma ** (t // step_size)


def cosine_annealing_lr(eta0: float, t, T_max: int, eta_min: float = 0.0):
    """eta_t = eta_min + (eta_0 - eta_min) (1 + cos(pi t / T_max)) / 2."""
    return eta_min + (eta0 - eta_min) * (1 + np.cos(math.pi * t / T_max)) / 2


class Scheduler:
    """The base (torch's LRScheduler): ``step()`` counts t = ``last_epoch`` up and writes
    ``get_lr()``, one rate per param group, into the optimizer."""

    def __init__(self, optimizer) -> None:
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{type(self).__name__}: optimizer must be a labkit optimizer (with "
                            f"param_groups, e.g. lk.SGD), got {type(optimizer).__name__}")
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self.step()

    def get_lr(self) -> list[float]:
        raise NotImplementedError

    def step(self) -> None:
        """t <- t + 1; every group's lr <- eta_t."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = float(lr)

    def get_last_lr(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict:
        """Where the schedule is (t = last_epoch, the base rates, its settings), as torch's:
        everything but the optimizer and a LambdaLR's function."""
        return {key: value for key, value in vars(self).items()
                if key not in ("optimizer", "lr_lambda")}

    def load_state_dict(self, state_dict: dict) -> None:
        """Continue a schedule saved by state_dict (the optimizer's lr comes with its own
        state_dict)."""
        vars(self).update(state_dict)


class LambdaLR(Scheduler):
    """eta_t = eta_0 * lr_lambda(t)."""

    def __init__(self, optimizer, lr_lambda: Callable[[int], float]) -> None:
        if not callable(lr_lambda):
            raise TypeError(f"LambdaLR: lr_lambda must be a function t -> factor, got "
                            f"{type(lr_lambda).__name__}")
        self.lr_lambda = lr_lambda
        super().__init__(optimizer)

    def get_lr(self):
        return [eta0 * self.lr_lambda(self.last_epoch) for eta0 in self.base_lrs]


class StepLR(Scheduler):
    """eta_t = eta_0 gamma^floor(t / step_size): the rate drops by gamma every step_size steps."""

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = check_int("StepLR", "step_size", step_size)
        self.gamma = check_number("StepLR", "gamma", gamma)
        super().__init__(optimizer)

    def get_lr(self):
        return [step_lr(eta0, self.last_epoch, self.step_size, self.gamma)
                for eta0 in self.base_lrs]


class CosineAnnealingLR(Scheduler):
    """Half a cosine wave from eta_0 down to eta_min in T_max steps (then back up, as torch)."""

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0) -> None:
        self.T_max = check_int("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = check_number("CosineAnnealingLR", "eta_min", eta_min)
        super().__init__(optimizer)

    def get_lr(self):
        return [cosine_annealing_lr(eta0, self.last_epoch, self.T_max, self.eta_min)
                for eta0 in self.base_lrs]


# --- the old names, kept one release ---------------------------------------------------------
def _check_step(owner: str, t) -> np.ndarray | int:
    arr = np.asarray(t)
    if arr.dtype.kind not in "iu" or np.any(arr < 0):
        raise ValueError(f"{owner}: the step t must be an int >= 0 (or an array of them), "
                         f"got {t!r}")
    return int(arr) if arr.ndim == 0 else arr


class _StepDecay:
    """The old StepDecay(eta0, gamma, every): the function t -> eta_t of StepLR."""

    def __init__(self, eta0: float, gamma: float = 0.1, every: int = 100) -> None:
        self.eta0 = check_number("StepDecay", "eta0", eta0)
        self.gamma = check_number("StepDecay", "gamma", gamma)
        self.every = check_int("StepDecay", "every", every)

    def __call__(self, t):
        return step_lr(self.eta0, _check_step("StepDecay", t), self.every, self.gamma)

    def __repr__(self) -> str:
        return f"StepDecay(eta0={self.eta0:g}, gamma={self.gamma:g}, every={self.every})"


class _CosineDecay:
    """The old CosineDecay(eta0, total, eta_min): CosineAnnealingLR's eta_t up to t = total,
    then eta_min (torch's rises again after T_max)."""

    def __init__(self, eta0: float, total: int, eta_min: float = 0.0) -> None:
        self.eta0 = check_number("CosineDecay", "eta0", eta0)
        self.total = check_int("CosineDecay", "total", total)
        self.eta_min = check_number("CosineDecay", "eta_min", eta_min)

    def __call__(self, t):
        t = np.minimum(_check_step("CosineDecay", t), self.total)
        eta = cosine_annealing_lr(self.eta0, t, self.total, self.eta_min)
        return float(eta) if np.ndim(eta) == 0 else eta

    def __repr__(self) -> str:
        return f"CosineDecay(eta0={self.eta0:g}, total={self.total}, eta_min={self.eta_min:g})"


class _LRScheduler(Scheduler):
    """The old LRScheduler(optimizer, schedule): writes eta_t = schedule(t) itself (not a
    factor) into ``optimizer.lr``; ``history`` lists the rates, ``fit(callback=...)`` steps it."""

    def __init__(self, optimizer, schedule: Callable[[int], float]) -> None:
        if not hasattr(optimizer, "lr"):
            raise TypeError(f"LRScheduler: optimizer must have an lr attribute (e.g. lk.SGD), "
                            f"got {type(optimizer).__name__}")
        if not callable(schedule):
            raise TypeError(f"LRScheduler: schedule must be a function t -> eta_t (e.g. "
                            f"CosineDecay(0.1, 200)), got {type(schedule).__name__}")
        self.schedule, self.history = schedule, []
        super().__init__(optimizer)

    def step(self) -> float:
        self.last_epoch += 1
        eta = float(self.schedule(self.last_epoch))
        self.optimizer.lr = eta                     # the optimizer checks it
        self.history.append(eta)
        return eta

    @property
    def t(self) -> int:
        return self.last_epoch

    def __call__(self, step: int | None = None, loss: float | None = None) -> float:
        return self.step()


_RENAMED = {
    "StepDecay": ("labkit.optim.lr_scheduler.StepLR(opt, step_size, gamma)",
                  lambda: _StepDecay),
    "CosineDecay": ("labkit.optim.lr_scheduler.CosineAnnealingLR(opt, T_max, eta_min)",
                    lambda: _CosineDecay),
    "LRScheduler": ("labkit.optim.lr_scheduler.LambdaLR(opt, lambda t: eta_t / eta_0)",
                    lambda: _LRScheduler),
}


def __getattr__(name: str):
    return renamed(__name__, name, _RENAMED)
