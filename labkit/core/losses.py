"""Losses, with torch.nn's formulas: ``loss = loss_fn(y_hat, y)`` is a float, and
``loss_fn.backward()`` returns dL/dy_hat for that last call.

    MSELoss:           L = mean over all elements of (y_hat - y)^2;   dL/dy_hat = 2 (y_hat - y) / n
    BCELoss:           L = -mean(y log p + (1 - y) log(1 - p)), logs clamped at -100 (as torch)
                       dL/dp = (p - y) / (p (1 - p)) / n
    CrossEntropyLoss:  logits z (N, C), integer targets t (N,);  p = softmax(z)
                       L = mean over the batch of -log p[t] = log sum_j e^{z_j} - z_t
                       dL/dz = (p - onehot(t)) / N
The formulas are plain functions (``mse``, ``mse_grad``, ``softmax``, ``cross_entropy``,
``cross_entropy_grad``): the exercises ask for them, and the loss classes call them.
"""
from __future__ import annotations

import math

import numpy as np


class Loss:
    """Base: ``__call__(y_hat, y) -> float`` caches, ``backward() -> dL/dy_hat``."""

    def __call__(self, y_hat: np.ndarray, y: np.ndarray) -> float:
        return self.forward(y_hat, y)

    def forward(self, y_hat: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        raise NotImplementedError

    def _no_forward(self) -> RuntimeError:
        return RuntimeError(f"{type(self).__name__}.backward called before the loss was computed")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


# --- the formulas ------------------------------------------------------------------------


def mse(y_hat: np.ndarray, y: np.ndarray) -> float:
    """L = (1/n) sum of (y_hat - y)^2 over all n elements."""
    return float(np.sum((y_hat - y) ** 2) / y.size)


def mse_grad(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dy_hat = 2 (y_hat - y) / n."""
    return 2.0 * (y_hat - y) / y.size


def softmax(z: np.ndarray) -> np.ndarray:
    """p_j = e^{z_j} / sum_k e^{z_k}, row by row; z - max_j z_j first, so e^ never overflows."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log p_j = z_j - log sum_k e^{z_k}, computed as (z - max) - log sum e^{z - max}."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    """L = (1/N) sum_n -log p[n, t_n], p = softmax(logits), targets t (N,) integers.

    log p comes from log_softmax rather than log(softmax): the same number, but finite where
    p[t] underflows to 0 (a confident wrong answer)."""
    rows = np.arange(len(targets))
    return float(-np.sum(log_softmax(logits)[rows, targets]) / len(targets))


def cross_entropy_grad(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """dL/dz = (softmax(z) - onehot(t)) / N."""
    g = softmax(logits)
    g[np.arange(len(targets)), targets] -= 1
    return g / len(targets)


# --- the loss classes ---------------------------------------------------------------------


def _check_arrays(loss: Loss, y_hat, y) -> None:
    name = type(loss).__name__
    for arg, value in (("prediction", y_hat), ("target", y)):
        if not isinstance(value, np.ndarray):
            raise TypeError(f"{name}: {arg} must be a numpy array, got {type(value).__name__}")
    if y_hat.size == 0:
        raise ValueError(f"{name}: empty batch (prediction shape {y_hat.shape})")


def _check_same_shape(loss: Loss, y_hat: np.ndarray, y: np.ndarray) -> None:
    if y_hat.shape != y.shape:
        hint = ""
        if y.ndim == 1 and y_hat.shape == (y.shape[0], 1):
            hint = "; reshape the target with y.reshape(-1, 1)"
        raise ValueError(
            f"{type(loss).__name__}: target shape {y.shape} does not match prediction shape "
            f"{y_hat.shape}{hint}"
        )
    if y.dtype.kind not in "fiub":
        raise TypeError(f"{type(loss).__name__}: target must be numeric, got dtype {y.dtype}")


class MSELoss(Loss):
    """Mean squared error over all elements, as torch.nn.MSELoss (no factor 1/2)."""

    def forward(self, y_hat, y):
        _check_arrays(self, y_hat, y)
        _check_same_shape(self, y_hat, y)
        self._y_hat, self._y = y_hat, y
        return mse(y_hat, y)

    def backward(self):
        if getattr(self, "_y_hat", None) is None:
            raise self._no_forward()
        return mse_grad(self._y_hat, self._y)


# torch's BCE backward clamps at EPSILON = 1e-12 held as a float32 (9.99999996e-13): the same
# number here makes the clamped gradients identical, not 4e-9 apart
_TORCH_BCE_EPS = float(np.float32(1e-12))


class BCELoss(Loss):
    """Binary cross-entropy on probabilities p in [0, 1], as torch.nn.BCELoss."""

    def forward(self, p, y):
        _check_arrays(self, p, y)
        _check_same_shape(self, p, y)
        if not (y.min() >= 0 and y.max() <= 1):
            raise ValueError(f"BCELoss: targets must lie in [0, 1], got [{y.min()}, {y.max()}]")
        # log 0 = -inf is expected (a saturated sigmoid), then clamped at -100 as torch does;
        # a p outside [0, 1] (or NaN) gives a NaN log, so the loss is NaN exactly then
        with np.errstate(divide="ignore", invalid="ignore"):
            log_p = np.maximum(np.log(p), -100.0)
            log_1mp = np.maximum(np.log1p(-p), -100.0)
        loss = float(-(y * log_p + (1.0 - y) * log_1mp).mean())
        if math.isnan(loss):
            raise ValueError(
                f"BCELoss: predictions must be probabilities in [0, 1], got values in "
                f"[{p.min()}, {p.max()}]; put a Sigmoid last, or use logits with CrossEntropyLoss"
            )
        self._p, self._y = p, y
        return loss

    def backward(self):
        """dL/dp = (p - y) / (p (1 - p)) / n, the denominator clamped at 1e-12 as torch does
        (p = 0 or 1 then gives a finite gradient)."""
        p = getattr(self, "_p", None)
        if p is None:
            raise self._no_forward()
        return (p - self._y) / np.maximum(p * (1.0 - p), _TORCH_BCE_EPS) / p.size


class CrossEntropyLoss(Loss):
    """Softmax + negative log-likelihood on logits (N, C) and integer class indices (N,)."""

    def forward(self, logits, targets):
        _check_arrays(self, logits, targets)
        if logits.ndim != 2:
            raise ValueError(f"CrossEntropyLoss: logits must be 2-D (N, C), got {logits.shape}")
        n, c = logits.shape
        if targets.shape != (n,):
            raise ValueError(
                f"CrossEntropyLoss: targets must have shape (N,) = ({n},) of class indices, "
                f"got {targets.shape}"
            )
        if targets.dtype.kind not in "iu":
            raise TypeError(
                f"CrossEntropyLoss: targets must be integer class indices, got dtype "
                f"{targets.dtype} (use y.astype(int))"
            )
        if targets.min() < 0 or targets.max() >= c:
            raise _class_index_error(targets, c)
        self._logits, self._targets = logits, targets
        return cross_entropy(logits, targets)

    def backward(self):
        """dL/dz = (softmax(z) - onehot(t)) / N."""
        if getattr(self, "_logits", None) is None:
            raise self._no_forward()
        return cross_entropy_grad(self._logits, self._targets)


def _class_index_error(targets: np.ndarray, c: int) -> ValueError:
    lo, hi = int(targets.min()), int(targets.max())
    bad = lo if lo < 0 else hi
    return ValueError(
        f"CrossEntropyLoss: class index {bad} out of range for {c} classes (0..{c - 1})"
    )
