"""Lesson 04 (backprop): an activation's backward and a Linear layer's backward.

The references are the library's formulas (labkit.core.layers); each misconception is a wrong
answer built from them.
"""
from __future__ import annotations

import numpy as np

from ...core.i18n import N_
from ...core.layers import linear_backward, sigmoid, sigmoid_backward
from .base import Misconception, Problem


def _act_case(rng):
    shape = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
    a = sigmoid(rng.standard_normal(shape))
    return rng.standard_normal(shape), a


SIGMOID_BACKWARD = Problem(
    name="sigmoid_backward", function="sigmoid_backward",
    signature="sigmoid_backward(da, a) -> dz = da * a * (1 - a), with a = sigmoid(z) cached",
    make_case=_act_case,
    reference=sigmoid_backward,
    misconceptions=(
        Misconception(lambda da, a: sigmoid_backward(np.ones_like(da), a),
                      N_("that is sigma'(z) alone: multiply by the incoming gradient da "
                         "(chain rule)")),
        Misconception(lambda da, a: sigmoid_backward(da, sigmoid(a)),
                      N_("a is already sigma(z): do not apply the sigmoid again")),
    ),
)


def _linear_case(rng):
    n, fan_in = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    fan_out = fan_in if rng.random() < 0.4 else int(rng.integers(1, 5))
    n = max(n, 2) if rng.random() < 0.8 else n
    return (rng.standard_normal((n, fan_out)), rng.standard_normal((n, fan_in)),
            rng.standard_normal((fan_out, fan_in)))


def _transposed_dW(d, a, W):
    dW, db, da_prev = linear_backward(d, a, W)
    return dW.T, db, da_prev


def _db_not_summed(d, a, W):
    dW, db, da_prev = linear_backward(d, a, W)
    return dW, d, da_prev


def _averaged(d, a, W):
    dW, db, da_prev = linear_backward(d, a, W)
    return dW / len(d), db / len(d), da_prev


def _times_W_transposed(d, a, W):
    dW, db, da_prev = linear_backward(d, a, W)
    return dW, db, d @ W.T


def _negated(d, a, W):
    return tuple(-g for g in linear_backward(d, a, W))


LINEAR_BACKWARD = Problem(
    name="linear_backward", function="linear_backward",
    signature="linear_backward(delta, a_prev, W) -> (dW, db, da_prev)",
    make_case=_linear_case,
    reference=linear_backward,
    misconceptions=(
        Misconception(_transposed_dW,
                      N_("dW is transposed: dW has the shape of W, (out, in) = delta^T a_prev")),
        Misconception(_db_not_summed,
                      N_("db is not summed over the batch: db has the shape of b, "
                         "the sum of delta over the rows")),
        Misconception(_averaged,
                      N_("you averaged over the batch where the loss already did: "
                         "dW and db SUM over the rows")),
        Misconception(_times_W_transposed,
                      N_("da_prev = delta W (not W^T): it has the shape of a_prev")),
        Misconception(_negated,
                      N_("sign error: gradients are not negated (the update subtracts them)")),
    ),
)

PROBLEMS = (SIGMOID_BACKWARD, LINEAR_BACKWARD)
