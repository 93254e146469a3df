"""fit: the mini-batch training loop, recording what a learner wants to watch.

One step: y_hat = net(X_batch); L = loss_fn(y_hat, y_batch); zero_grad; net.backward(dL/dy_hat);
(optional clipping); optimizer.step(). Every step records L and the gradient norm of every
layer that has parameters; a loss or gradient that becomes NaN or infinite stops the run with
a TrainingDiverged error that names the step and carries the history so far.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .losses import Loss
from .metrics import accuracy
from .module import Module
from .optim import Optimizer, clip_grad_norm
from .random import get_rng


@dataclass
class History:
    """What one run of ``fit`` recorded.

    loss:        L at every step
    grad_norms:  layer name -> ||dL/dtheta|| of that layer's parameters at every step
    epoch_loss:  mean L over each epoch's steps
    val_metric:  the validation metric after each epoch (empty without validation data)
    """

    loss: list[float] = field(default_factory=list)
    grad_norms: dict[str, list[float]] = field(default_factory=dict)
    epoch_loss: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)

    @property
    def steps(self) -> int:
        return len(self.loss)


class StepMonitor(Protocol):
    """What fit calls around every parameter update (gradients are filled before the first)."""

    def before_update(self, step: int, net: Module, X_batch: np.ndarray) -> None: ...

    def after_update(self, step: int, net: Module) -> None: ...


class TrainingDiverged(RuntimeError):
    """The loss or a gradient became NaN or infinite; ``history`` holds the run up to there."""

    def __init__(self, message: str, step: int, history: History) -> None:
        super().__init__(message)
        self.step, self.history = step, history


def layer_groups(net: Module) -> dict[str, list]:
    """Parameters grouped by layer: {"0": [W, b], "2": [W, b], ...} from names like "0.W"."""
    groups: dict[str, list] = {}
    for name, p in net.named_parameters():
        layer = name.rsplit(".", 1)[0] if "." in name else name
        groups.setdefault(layer, []).append(p)
    return groups


def _check_data(X, y, what: str) -> None:
    if not isinstance(X, np.ndarray) or not isinstance(y, np.ndarray):
        raise TypeError(f"fit: {what} X and y must be numpy arrays")
    if len(X) != len(y):
        raise ValueError(f"fit: {what} X has {len(X)} rows but y has {len(y)}")
    if len(X) == 0:
        raise ValueError(f"fit: {what} data is empty")


def fit(net: Module, loss_fn: Loss, optimizer: Optimizer, X: np.ndarray, y: np.ndarray, *,
        epochs: int = 1, batch_size: int | None = None, shuffle: bool = True, rng=None,
        validation: tuple[np.ndarray, np.ndarray] | None = None,
        metric: Callable[[np.ndarray, np.ndarray], float] = accuracy,
        clip_norm: float | None = None, progress: bool = False,
        callback: Callable[[int, float], None] | None = None,
        monitor: StepMonitor | None = None) -> History:
    """Trains ``net`` in place and returns its History.

    batch_size None means full batch; ``shuffle`` reorders the samples every epoch with ``rng``.
    ``callback(step, loss)`` runs after every step; ``monitor`` (e.g.
    ``labkit.diagnostics.GradientMonitor``) sees every batch before and after the update.
    """
    _check_data(X, y, "training")
    if validation is not None:
        _check_data(*validation, "validation")
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be an int >= 1, got {epochs!r}")
    n = len(X)
    batch_size = n if batch_size is None else batch_size
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"fit: batch_size must be an int >= 1 or None, got {batch_size!r}")
    rng = get_rng(rng)
    groups = layer_groups(net)
    history = History(grad_norms={name: [] for name in groups})
    starts = range(0, n, batch_size)
    bar = None
    if progress:
        from tqdm.auto import tqdm  # imported only when asked for
        bar = tqdm(total=epochs * len(starts), desc="training", unit="step")
    step = 0
    try:
        for epoch in range(epochs):
            order = rng.permutation(n) if shuffle else None
            epoch_losses = []
            for b, start in enumerate(starts):
                idx = order[start:start + batch_size] if order is not None else slice(
                    start, start + batch_size)
                loss = loss_fn(net(X[idx]), y[idx])
                optimizer.zero_grad()
                net.backward(loss_fn.backward())
                step += 1
                history.loss.append(loss)
                for name, params in groups.items():
                    history.grad_norms[name].append(
                        math.sqrt(sum(float(np.vdot(p.grad, p.grad)) for p in params)))
                if not (math.isfinite(loss)
                        and all(math.isfinite(v[-1]) for v in history.grad_norms.values())):
                    what = f"the loss became {loss}" if not math.isfinite(loss) else \
                        "a gradient became NaN or infinite"
                    raise TrainingDiverged(
                        f"training diverged at step {step} (epoch {epoch + 1}, batch {b + 1}): "
                        f"{what}. Try a smaller learning rate "
                        f"(lr={getattr(optimizer, 'lr', '?')}), gradient clipping or a smaller "
                        f"initialization.", step, history)
                if clip_norm is not None:
                    clip_grad_norm(net.parameters(), clip_norm)
                if monitor is not None:
                    monitor.before_update(step, net, X[idx])
                optimizer.step()
                if monitor is not None:
                    monitor.after_update(step, net)
                epoch_losses.append(loss)
                if callback is not None:
                    callback(step, loss)
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{loss:.4g}", refresh=False)
            history.epoch_loss.append(float(np.mean(epoch_losses)))
            if validation is not None:
                was_training = net.training
                net.eval()
                history.val_metric.append(metric(net(validation[0]), validation[1]))
                net.train(was_training)
    finally:
        if bar is not None:
            bar.close()
    return history
