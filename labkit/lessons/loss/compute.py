"""Lesson 02, the loss (lessons/02_loss.ipynb): losses and their gradients as functions of the
predicted probability of the true class.

Why cross-entropy for classification, in formulas. A classifier's last layer gives a logit z
and a probability p = sigmoid(z) of the true class (target 1); the network learns through
dL/dz, the gradient that flows back into it.

    cross-entropy   L = -log p               dL/dz = p - 1              (|dL/dz| -> 1 as p -> 0)
    MSE on p        L = (p - 1)^2            dL/dz = 2 (p - 1) p (1 - p)   (-> 0 as p -> 0)

The sigmoid's slope p (1 - p) multiplies MSE's gradient: when the network is confidently
wrong (p near 0), it is near 0, and MSE hardly pushes. Cross-entropy's -1/p cancels that slope
exactly, so its gradient stays near -1. The same holds for softmax with several classes:
dL/dz = p - onehot for cross-entropy.

``classify_logits(logits, target)`` computes both losses and their gradients for one sample
of C classes with labkit's own losses (CrossEntropyLoss; MSELoss on the softmax probabilities,
mean over the C classes as torch.nn.MSELoss) and ``softmax_backward``.

The module holds the lesson's numbers (numpy only); its figures are in figures.py
and its widget in widget.py, next to this file.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core.losses import CrossEntropyLoss, MSELoss, softmax


def _probabilities(p) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    if p.size and not (np.all(p >= 0) and np.all(p <= 1)):  # also catches NaN
        raise ValueError(f"the probability of the true class must lie in [0, 1], got values "
                         f"in [{np.min(p)}, {np.max(p)}]")
    return p


def cross_entropy_vs_p(p) -> tuple[np.ndarray, np.ndarray]:
    """(L, dL/dz) of cross-entropy for the true-class probability p: L = -log p, dL/dz = p - 1.
    At p = 0 the loss is +inf (the gradient stays -1)."""
    p = _probabilities(p)
    with np.errstate(divide="ignore"):
        return -np.log(p), p - 1.0


def mse_vs_p(p) -> tuple[np.ndarray, np.ndarray]:
    """(L, dL/dz) of the squared error on a sigmoid's probability p with target 1:
    L = (p - 1)^2, dL/dz = dL/dp * dp/dz = 2 (p - 1) * p (1 - p)."""
    p = _probabilities(p)
    return (p - 1.0) ** 2, 2.0 * (p - 1.0) * p * (1.0 - p)


def softmax_backward(p: np.ndarray, grad_p: np.ndarray) -> np.ndarray:
    """dL/dz from dL/dp through p = softmax(z), row by row: dL/dz_j = p_j (g_j - sum_k g_k p_k).
    (The softmax's Jacobian is diag(p) - p p^T, applied to g = dL/dp.)"""
    p, grad_p = np.asarray(p, dtype=np.float64), np.asarray(grad_p, dtype=np.float64)
    if p.shape != grad_p.shape:
        raise ValueError(f"softmax_backward: p has shape {p.shape} but dL/dp has shape "
                         f"{grad_p.shape}")
    return p * (grad_p - np.sum(grad_p * p, axis=-1, keepdims=True))


@dataclass
class ClassifierLosses:
    """One sample of C classes: probabilities, both losses and their gradients w.r.t. the
    logits (each of shape (C,))."""

    logits: np.ndarray
    target: int
    p: np.ndarray
    ce: float
    ce_grad: np.ndarray
    mse: float
    mse_grad: np.ndarray

    @property
    def p_true(self) -> float:
        return float(self.p[self.target])

    @property
    def predicted(self) -> int:
        return int(np.argmax(self.p))


def classify_logits(logits, target: int) -> ClassifierLosses:
    """Cross-entropy and MSE-on-probabilities of one sample, with dL/dlogits for each,
    computed by labkit's CrossEntropyLoss and MSELoss (MSE is taken against the one-hot
    target, mean over the C classes, and its dL/dp is carried back through the softmax)."""
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 1 or z.size < 2:
        raise ValueError(f"classify_logits: logits must be a 1-D array of C >= 2 class scores, "
                         f"got shape {z.shape}")
    c = z.size
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)) \
            or not 0 <= target < c:
        raise ValueError(f"classify_logits: target must be a class index in 0..{c - 1}, "
                         f"got {target!r}")
    target = int(target)
    ce_fn = CrossEntropyLoss()
    ce = ce_fn(z.reshape(1, c), np.array([target]))
    ce_grad = ce_fn.backward()[0]
    p = softmax(z.reshape(1, c))
    onehot = np.zeros((1, c))
    onehot[0, target] = 1.0
    mse_fn = MSELoss()
    mse = mse_fn(p, onehot)
    mse_grad = softmax_backward(p, mse_fn.backward())[0]
    return ClassifierLosses(z.copy(), target, p[0], ce, ce_grad, mse, mse_grad)
