"""Losses, with torch.nn's formulas: ``loss = loss_fn(y_hat, y)`` is a float, and
``loss_fn.backward()`` returns dL/dy_hat for that last call.

    MSELoss:           L = mean over all elements of (y_hat - y)^2;   dL/dy_hat = 2 (y_hat - y) / n
    BCELoss:           L = -mean(y log p + (1 - y) log(1 - p)), logs clamped at -100 (as torch)
                       dL/dp = (p - y) / (p (1 - p)) / n
    CrossEntropyLoss:  logits z (N, C), integer targets t (N,);  p = softmax(z)
                       L = mean over the batch of -log p[t] = log sum_j e^{z_j} - z_t
                       dL/dz = (p - onehot(t)) / N
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


def _mean(a: np.ndarray):
    """np.mean(a) of all elements: the same number, without np.mean's ~5 us of Python overhead."""
    return a.sum() / a.size


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
        self._diff = y_hat - y
        return float(_mean(self._diff * self._diff))

    def backward(self):
        diff = getattr(self, "_diff", None)
        if diff is None:
            raise self._no_forward()
        return (2.0 / diff.size) * diff


# torch's BCE backward clamps at EPSILON = 1e-12 held as a float32 (9.99999996e-13): the same
# number here makes the clamped gradients identical, not 4e-9 apart
_TORCH_BCE_EPS = float(np.float32(1e-12))


class BCELoss(Loss):
    """Binary cross-entropy on probabilities p in [0, 1], as torch.nn.BCELoss."""

    def forward(self, p, y):
        _check_arrays(self, p, y)
        _check_same_shape(self, p, y)
        one_minus_y = 1.0 - y
        if not np.minimum(y, one_minus_y).min() >= 0:      # y in [0, 1] <=> min(y, 1 - y) >= 0
            raise ValueError(f"BCELoss: targets must lie in [0, 1], got [{y.min()}, {y.max()}]")
        # log 0 = -inf is expected (a saturated sigmoid), then clamped at -100 as torch does
        with np.errstate(divide="ignore", invalid="ignore"):
            log_p = np.log(p)
            log_1mp = np.log1p(-p)
        np.maximum(log_p, -100.0, out=log_p)
        np.maximum(log_1mp, -100.0, out=log_1mp)
        log_p *= y                                  # y log p
        log_1mp *= one_minus_y                      # (1 - y) log(1 - p)
        log_p += log_1mp
        loss = float(-_mean(log_p))
        # a p outside [0, 1] (or NaN) makes a log NaN, so p's range is only looked at then (speed)
        if math.isnan(loss):
            lo, hi = p.min(), p.max()
            if not (lo >= 0 and hi <= 1):
                raise ValueError(
                    f"BCELoss: predictions must be probabilities in [0, 1], got values in "
                    f"[{lo}, {hi}]; put a Sigmoid last, or use logits with CrossEntropyLoss"
                )
        self._p, self._y = p, y
        return loss

    def backward(self):
        """dL/dp = (p - y) / (p (1 - p)) / n, the denominator clamped at 1e-12 as torch does
        (p = 0 or 1 then gives a finite gradient). Built in place on two new arrays."""
        p = getattr(self, "_p", None)
        if p is None:
            raise self._no_forward()
        denom = 1.0 - p
        denom *= p
        np.maximum(denom, _TORCH_BCE_EPS, out=denom)
        grad = p - self._y
        if grad.dtype.kind != "f":                  # integer predictions and targets
            grad = grad.astype(np.float64)
        grad /= denom
        grad /= p.size
        return grad


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log p_j = z_j - log sum_k e^{z_k}, computed as (z - max) - log sum e^{z - max}."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    """p_j = e^{z_j} / sum_k e^{z_k}, row by row, without overflow."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


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
        if targets.dtype.kind == "i" and targets.min() < 0:
            raise _class_index_error(targets, c)
        shifted = logits - logits.max(axis=1, keepdims=True)       # z - max_j z_j
        rows = np.arange(n)
        try:
            z_target = shifted[rows, targets]                      # (z - max)[t], row by row
        except IndexError:                                         # an index >= C
            raise _class_index_error(targets, c) from None
        e = np.exp(shifted, out=shifted)                           # in place: shifted is done
        s = e.sum(axis=1, keepdims=True)
        self._exp, self._sum, self._targets, self._rows = e, s, targets, rows
        return float(_mean(np.log(s[:, 0]) - z_target))

    def backward(self):
        """dL/dz = (softmax(z) - onehot(t)) / N, with softmax(z) = e^(z - max) / sum."""
        e = getattr(self, "_exp", None)
        if e is None:
            raise self._no_forward()
        g = e / self._sum
        g[self._rows, self._targets] -= 1
        g /= len(self._targets)
        return g


def _class_index_error(targets: np.ndarray, c: int) -> ValueError:
    lo, hi = int(targets.min()), int(targets.max())
    bad = lo if lo < 0 else hi
    return ValueError(
        f"CrossEntropyLoss: class index {bad} out of range for {c} classes (0..{c - 1})"
    )
