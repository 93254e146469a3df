"""Lesson 04 (backprop): an activation's backward and a Linear layer's backward."""
from __future__ import annotations

import numpy as np

from .base import Misconception, Problem


def _act_case(rng):
    shape = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
    a = 1 / (1 + np.exp(-rng.standard_normal(shape)))
    return rng.standard_normal(shape), a


SIGMOID_BACKWARD = Problem(
    name="sigmoid_backward", function="sigmoid_backward",
    signature="sigmoid_backward(da, a) -> dz = da * a * (1 - a), with a = sigmoid(z) cached",
    make_case=_act_case,
    reference=lambda da, a: da * a * (1 - a),
    misconceptions=(
        Misconception(lambda da, a: a * (1 - a),
                      "that is sigma'(z) alone: multiply by the incoming gradient da "
                      "(chain rule)"),
        Misconception(lambda da, a: da * (1 / (1 + np.exp(-a))) * (1 - 1 / (1 + np.exp(-a))),
                      "a is already sigma(z): do not apply the sigmoid again"),
    ),
)


def _linear_case(rng):
    n, fan_in = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    fan_out = fan_in if rng.random() < 0.4 else int(rng.integers(1, 5))
    n = max(n, 2) if rng.random() < 0.8 else n
    return (rng.standard_normal((n, fan_out)), rng.standard_normal((n, fan_in)),
            rng.standard_normal((fan_out, fan_in)))


def _linear_backward(delta, a_prev, W):
    return delta.T @ a_prev, delta.sum(axis=0), delta @ W


LINEAR_BACKWARD = Problem(
    name="linear_backward", function="linear_backward",
    signature="linear_backward(delta, a_prev, W) -> (dW, db, da_prev)",
    make_case=_linear_case,
    reference=_linear_backward,
    misconceptions=(
        Misconception(lambda d, a, W: (a.T @ d, d.sum(0), d @ W),
                      "dW is transposed: dW has the shape of W, (out, in) = delta^T a_prev"),
        Misconception(lambda d, a, W: (d.T @ a, d, d @ W),
                      "db is not summed over the batch: db has the shape of b, "
                      "the sum of delta over the rows"),
        Misconception(lambda d, a, W: (d.T @ a / len(d), d.mean(0), d @ W),
                      "you averaged over the batch where the loss already did: "
                      "dW and db SUM over the rows"),
        Misconception(lambda d, a, W: (d.T @ a, d.sum(0), d @ W.T),
                      "da_prev = delta W (not W^T): it has the shape of a_prev"),
        Misconception(lambda d, a, W: (-(d.T @ a), -d.sum(0), -(d @ W)),
                      "sign error: gradients are not negated (the update subtracts them)"),
    ),
)

PROBLEMS = (SIGMOID_BACKWARD, LINEAR_BACKWARD)
