"""Lesson 02 (loss): MSE and its gradient, softmax, cross-entropy and its gradient.

The references are the library's formulas (labkit.core.losses); each misconception is a wrong
answer built from them.
"""
from __future__ import annotations

import numpy as np

from ...core.i18n import N_
from ...core.losses import cross_entropy, cross_entropy_grad, mse, mse_grad, softmax
from .base import Misconception, Problem


def _pair(rng):
    shape = (int(rng.integers(1, 6)), int(rng.integers(1, 4)))
    return rng.standard_normal(shape), rng.standard_normal(shape)


MSE = Problem(
    name="mse", function="mse", signature="mse(y_hat, y) -> mean of (y_hat - y)^2 (a float)",
    make_case=_pair,
    reference=mse,
    misconceptions=(
        Misconception(lambda y_hat, y: 0.5 * mse(y_hat, y),
                      N_("the lesson's MSE has no factor 1/2 (some textbooks put one in front)")),
        Misconception(lambda y_hat, y: y.size * mse(y_hat, y),
                      N_("you summed where the loss averages: divide by the number of elements")),
    ),
)

MSE_GRAD = Problem(
    name="mse_grad", function="mse_grad",
    signature="mse_grad(y_hat, y) -> dL/dy_hat = 2 (y_hat - y) / n",
    make_case=_pair,
    reference=mse_grad,
    misconceptions=(
        Misconception(lambda y_hat, y: mse_grad(y_hat, y) / 2,
                      N_("the factor 2 from d/dx x^2 = 2x is missing")),
        Misconception(lambda y_hat, y: mse_grad(y_hat, y) * y.size,
                      N_("the mean divides by n, so its gradient does too")),
        Misconception(lambda y_hat, y: -mse_grad(y_hat, y),
                      N_("sign error: the gradient points from y towards y_hat")),
    ),
)


def _logits(rng):
    return (3 * rng.standard_normal((int(rng.integers(1, 6)), int(rng.integers(2, 6)))),)


SOFTMAX = Problem(
    name="softmax", function="softmax",
    signature="softmax(z) -> p, row by row: p_ij = e^z_ij / sum_k e^z_ik",
    make_case=_logits,
    reference=softmax,
    misconceptions=(
        Misconception(lambda z: softmax(z.T).T,
                      N_("you normalized over the wrong axis: each ROW (one sample) sums to 1")),
        Misconception(lambda z: np.exp(z) / np.exp(z).sum(),
                      N_("you normalized over the whole batch: each row sums to 1 on its own")),
    ),
)


def _ce_case(rng):
    (z,) = _logits(rng)
    return z, rng.integers(0, z.shape[1], size=z.shape[0])


CROSS_ENTROPY = Problem(
    name="cross_entropy", function="cross_entropy",
    signature="cross_entropy(logits, targets) -> mean over the batch of -log softmax[t]",
    make_case=_ce_case,
    reference=cross_entropy,
    misconceptions=(
        Misconception(lambda z, t: len(t) * cross_entropy(z, t),
                      N_("you summed over the batch where the loss averages")),
        Misconception(lambda z, t: -cross_entropy(z, t),
                      N_("sign error: the loss is MINUS the log-probability (it is >= 0)")),
    ),
)

CROSS_ENTROPY_GRAD = Problem(
    name="cross_entropy_grad", function="cross_entropy_grad",
    signature="cross_entropy_grad(logits, targets) -> dL/dz = (softmax(z) - onehot(t)) / N",
    make_case=_ce_case,
    reference=cross_entropy_grad,
    misconceptions=(
        Misconception(lambda z, t: cross_entropy_grad(z, t) * len(t),
                      N_("the loss is a mean over the batch, so divide the gradient by N")),
        Misconception(lambda z, t: -cross_entropy_grad(z, t), N_("sign error: dL/dz = p - onehot")),
        Misconception(lambda z, t: softmax(z) / len(t),
                      N_("the one-hot target is missing: subtract 1 at the true class")),
    ),
)

PROBLEMS = (MSE, MSE_GRAD, SOFTMAX, CROSS_ENTROPY, CROSS_ENTROPY_GRAD)
