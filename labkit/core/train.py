"""fit: the mini-batch training loop, recording what a learner wants to watch.

One step: y_hat = net(X_batch); L = loss_fn(y_hat, y_batch); zero_grad; net.backward(dL/dy_hat);
(optional clipping); optimizer.step(). Every step records L and the gradient norm of every
layer that has parameters; a loss or gradient that becomes NaN or infinite stops the run with
a TrainingDiverged error that names the step and carries the history so far. An epoch's
batches are ``minibatch_indices`` of the shuffled sample order (the formula exercise 06 asks
for).
"""
from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .i18n import _
from .losses import Loss
from .metrics import accuracy
from .module import Module, check_int, check_number
from .optim import Optimizer, clip_grad_norm_, grad_norm
from .random import get_rng


def minibatch_indices(perm: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """The indices ``perm`` (one epoch's order of the samples) split into consecutive batches
    of batch_size, in order; the last batch may be smaller, so every sample is used once."""
    return [perm[i:i + batch_size] for i in range(0, len(perm), batch_size)]


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
        raise TypeError(f"fit: {what} X and y must be numpy arrays, got {type(X).__name__} "
                        f"and {type(y).__name__}")
    if len(X) != len(y):
        raise ValueError(f"fit: {what} X has {len(X)} rows but y has {len(y)}")
    if len(X) == 0:
        raise ValueError(f"fit: {what} data is empty")


def _check_role(name: str, obj, methods: tuple[str, ...], what: str) -> None:
    """Duck typing, so that a learner's own optimizer or loss class works too."""
    if isinstance(obj, type):
        raise TypeError(f"fit: {name} must be {what}, got the class {obj.__name__} "
                        f"(create one: {obj.__name__}(...))")
    if not all(callable(getattr(obj, m, None)) for m in methods):
        raise TypeError(f"fit: {name} must be {what}, got {type(obj).__name__}")


class _TextProgress:
    """A progress line on stderr, standard library only (pass ``progress=tqdm`` for a bar)."""

    def __init__(self, total: int, desc: str = "", unit: str = "") -> None:
        self.total, self.desc, self.unit, self.n, self.postfix = total, desc, unit, 0, ""

    def update(self, k: int = 1) -> None:
        self.n += k
        if self.n % max(1, self.total // 20) == 0 or self.n == self.total:
            self.close(end="")

    def set_postfix(self, refresh: bool = True, **values) -> None:
        self.postfix = ", ".join(f"{k}={v}" for k, v in values.items())

    def close(self, end: str = "\n") -> None:
        line = _("{desc}: {n}/{total} {unit}s  {postfix}").format(
            desc=self.desc, n=self.n, total=self.total, unit=self.unit, postfix=self.postfix)
        sys.stderr.write(f"\r{line}{end}")
        sys.stderr.flush()


def fit(net: Module, loss_fn: Loss, optimizer: Optimizer, X: np.ndarray, y: np.ndarray, *,
        epochs: int = 1, batch_size: int | None = None, shuffle: bool = True, rng=None,
        validation: tuple[np.ndarray, np.ndarray] | None = None,
        metric: Callable[[np.ndarray, np.ndarray], float] = accuracy,
        clip_norm: float | None = None, progress: bool | Callable = False,
        callback: Callable[[int, float], None] | None = None,
        monitor=None) -> History:
    """Trains ``net`` in place and returns its History.

    batch_size None means full batch; ``shuffle`` reorders the samples every epoch with ``rng``.
    ``progress``: True for a progress line, or a tqdm-like factory (``progress=tqdm.auto.tqdm``)
    for a bar; the core imports no progress library itself.
    ``callback(step, loss)`` runs after every step; ``monitor`` (e.g.
    ``labkit.diagnostics.GradientMonitor``) sees every batch around the update, through its
    ``before_update(step, net, X_batch)`` (the gradients filled) and ``after_update(step, net)``.
    """
    _check_role("net", net, ("__call__", "backward", "named_parameters"),
                "a labkit Module (e.g. a Sequential)")
    _check_role("loss_fn", loss_fn, ("__call__", "backward"), "a loss (e.g. lk.MSELoss())")
    _check_role("optimizer", optimizer, ("zero_grad", "step"),
                "an optimizer (e.g. lk.SGD(net.parameters(), lr=0.1))")
    _check_data(X, y, "training")
    if validation is not None:
        if not (isinstance(validation, (tuple, list)) and len(validation) == 2):
            raise TypeError(f"fit: validation must be a pair (X_val, y_val), got "
                            f"{type(validation).__name__}")
        _check_data(*validation, "validation")
    epochs = check_int("fit", "epochs", epochs)
    batch_size = check_int("fit", "batch_size", batch_size, none_ok=True)
    n = len(X)
    batch_size = n if batch_size is None else batch_size
    if clip_norm is not None:
        clip_norm = check_number("fit", "clip_norm", clip_norm)
    if not callable(metric):
        raise TypeError(f"fit: metric must be callable, got {type(metric).__name__}")
    if callback is not None and not callable(callback):
        raise TypeError(f"fit: callback must be callable or None, got {type(callback).__name__}")
    rng = get_rng(rng)
    groups = layer_groups(net)
    history = History(grad_norms={name: [] for name in groups})
    make_bar = progress if callable(progress) else _TextProgress
    bar = make_bar(total=epochs * math.ceil(n / batch_size), desc=_("training"),
                   unit=_("step")) if progress else None
    step = 0
    try:
        for epoch in range(epochs):
            order = rng.permutation(n) if shuffle else np.arange(n)
            epoch_losses = []
            for b, idx in enumerate(minibatch_indices(order, batch_size)):
                loss = loss_fn(net(X[idx]), y[idx])
                optimizer.zero_grad()
                net.backward(loss_fn.backward())
                step += 1
                history.loss.append(loss)
                for name, params in groups.items():
                    history.grad_norms[name].append(grad_norm(params))
                if not (math.isfinite(loss)
                        and all(math.isfinite(v[-1]) for v in history.grad_norms.values())):
                    what = _("the loss became {loss}").format(loss=loss) \
                        if not math.isfinite(loss) else _("a gradient became NaN or infinite")
                    raise TrainingDiverged(_(
                        "training diverged at step {step} (epoch {epoch}, batch {batch}): "
                        "{what}. Try a smaller learning rate (lr={lr}), gradient clipping or a "
                        "smaller initialization.").format(
                            step=step, epoch=epoch + 1, batch=b + 1, what=what,
                            lr=getattr(optimizer, "lr", "?")), step, history)
                if clip_norm is not None:
                    clip_grad_norm_(net.parameters(), clip_norm)
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
