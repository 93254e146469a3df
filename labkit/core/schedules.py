"""Learning-rate schedules: eta_t, the learning rate at step t, and a scheduler that writes it
into an optimizer at every step.

    schedule = CosineDecay(eta0=0.1, total=200)       # eta_t for t = 0, 1, ..., as a function
    sched = LRScheduler(opt, schedule)                 # sets opt.lr = eta_0 now
    for t in range(200):
        ...; opt.step(); sched.step()                  # then opt.lr = eta_{t+1}

``LRScheduler`` only changes ``opt.lr``: the optimizer's state (momentum buffer v, Adam's m and
s, the step count t) is kept, as with torch.optim.lr_scheduler. With ``fit``, pass
``callback=sched`` (it is called as ``sched(step, loss)`` after every step).

A schedule is any function t -> eta_t (t = 0, 1, 2, ...): ``lambda t: 0.1 / (1 + t)`` works
too. ``StepDecay`` and ``CosineDecay`` give the same values as torch's ``StepLR`` and
``CosineAnnealingLR``.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .optim import _check_number

Schedule = Callable[[int], float]


def _check_count(owner: str, name: str, value) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{owner}: {name} must be an int >= 1, got {value!r}")
    return int(value)


def _check_step(owner: str, t) -> np.ndarray | int:
    """t as an int, or an int array (for a whole curve at once); t >= 0."""
    arr = np.asarray(t)
    if arr.dtype.kind not in "iu" or np.any(arr < 0):
        raise ValueError(f"{owner}: the step t must be an int >= 0 (or an array of them), "
                         f"got {t!r}")
    return int(arr) if arr.ndim == 0 else arr


class StepDecay:
    """eta_t = eta0 * gamma ^ floor(t / every): the rate drops by the factor gamma every
    ``every`` steps (torch.optim.lr_scheduler.StepLR)."""

    def __init__(self, eta0: float, gamma: float = 0.1, every: int = 100) -> None:
        self.eta0 = _check_number("StepDecay", "eta0", eta0)
        self.gamma = _check_number("StepDecay", "gamma", gamma)
        self.every = _check_count("StepDecay", "every", every)

    def __call__(self, t):
        t = _check_step("StepDecay", t)
        return self.eta0 * self.gamma ** (t // self.every)

    def __repr__(self) -> str:
        return f"StepDecay(eta0={self.eta0:g}, gamma={self.gamma:g}, every={self.every})"


class CosineDecay:
    """eta_t = eta_min + (eta0 - eta_min) (1 + cos(pi t / total)) / 2 for t <= total, then
    eta_min: half a cosine wave from eta0 down to eta_min in ``total`` steps
    (torch.optim.lr_scheduler.CosineAnnealingLR, without restarts)."""

    def __init__(self, eta0: float, total: int, eta_min: float = 0.0) -> None:
        self.eta0 = _check_number("CosineDecay", "eta0", eta0)
        self.total = _check_count("CosineDecay", "total", total)
        self.eta_min = _check_number("CosineDecay", "eta_min", eta_min)

    def __call__(self, t):
        t = _check_step("CosineDecay", t)
        frac = np.minimum(t, self.total) / self.total
        eta = self.eta_min + (self.eta0 - self.eta_min) * (1.0 + np.cos(math.pi * frac)) / 2.0
        return float(eta) if np.ndim(eta) == 0 else eta

    def __repr__(self) -> str:
        return (f"CosineDecay(eta0={self.eta0:g}, total={self.total}, "
                f"eta_min={self.eta_min:g})")


class LRScheduler:
    """Writes eta_t = schedule(t) into ``optimizer.lr``: eta_0 at once, eta_{t+1} at every
    ``step()`` (call it after ``optimizer.step()``). Nothing else of the optimizer changes.

    ``history`` lists every rate set so far (eta_0, eta_1, ...)."""

    def __init__(self, optimizer, schedule: Schedule) -> None:
        if not hasattr(optimizer, "lr"):
            raise TypeError(f"LRScheduler: optimizer must have an lr attribute (e.g. lk.SGD), "
                            f"got {type(optimizer).__name__}")
        if not callable(schedule):
            raise TypeError(f"LRScheduler: schedule must be a function t -> eta_t (e.g. "
                            f"CosineDecay(0.1, 200)), got {type(schedule).__name__}")
        self.optimizer, self.schedule = optimizer, schedule
        self.t = 0
        self.history: list[float] = []
        self._set()

    def _set(self) -> float:
        eta = float(self.schedule(self.t))
        self.optimizer.lr = eta      # the optimizer checks it (finite, >= 0)
        self.history.append(eta)
        return eta

    def step(self) -> float:
        """t <- t + 1; optimizer.lr <- schedule(t). Returns the new rate."""
        self.t += 1
        return self._set()

    def __call__(self, step: int | None = None, loss: float | None = None) -> float:
        """``step()``, with fit's callback signature: ``fit(..., callback=scheduler)``."""
        return self.step()

    def __repr__(self) -> str:
        return f"LRScheduler({self.schedule!r}, t={self.t}, lr={self.optimizer.lr:g})"
