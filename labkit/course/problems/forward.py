"""Lesson 01 (forward pass): a layer's weighted sum, ReLU, a 2-layer forward pass.

The references are the library's formulas (labkit.core.layers) and the lesson's two-layer
network built from them (labkit.lessons.forward_pass.compute.forward_2layer).
"""
from __future__ import annotations

import numpy as np

from ...core.i18n import N_
from ...core.layers import linear_forward, relu
from ...lessons.forward_pass.compute import forward_2layer
from .base import Misconception, Problem


def _shapes(rng: np.random.Generator) -> tuple[int, int, int]:
    return int(rng.integers(1, 6)), int(rng.integers(1, 5)), int(rng.integers(1, 5))


def _layer_case(rng):
    n, fan_in, fan_out = _shapes(rng)
    fan_out = fan_in if rng.random() < 0.5 else fan_out  # square W sometimes: catches W vs W^T
    return (rng.standard_normal((n, fan_in)), rng.standard_normal((fan_out, fan_in)),
            rng.standard_normal(fan_out))


LINEAR_FORWARD = Problem(
    name="linear_forward", function="linear_forward",
    signature="linear_forward(X, W, b) -> Z with Z = X W^T + b",
    make_case=_layer_case,
    reference=linear_forward,
    misconceptions=(
        Misconception(lambda X, W, b: X @ W.T, N_("the bias b is missing: Z = X W^T + b")),
        Misconception(lambda X, W, b: X @ W + b,
                      N_("you multiplied by W, not by W^T: W has shape (out, in), and each row "
                         "of X meets each row of W")),
    ),
)


RELU = Problem(
    name="relu", function="relu", signature="relu(z) -> max(z, 0), elementwise",
    make_case=lambda rng: (rng.standard_normal((int(rng.integers(1, 5)),
                                                int(rng.integers(1, 5)))),),
    reference=relu,
    misconceptions=(
        Misconception(lambda z: np.abs(z), N_("negative inputs must become 0, not |z|")),
        Misconception(lambda z: (z > 0).astype(float),
                      N_("that is the derivative of ReLU (0 or 1), not ReLU itself")),
    ),
)


def _two_layer_case(rng):
    n, d, h = _shapes(rng)
    return (rng.standard_normal((n, d)), rng.standard_normal((h, d)), rng.standard_normal(h),
            rng.standard_normal((1, h)), rng.standard_normal(1))


FORWARD_2LAYER = Problem(
    name="forward_2layer", function="forward_2layer",
    signature="forward_2layer(X, W1, b1, W2, b2) -> y_hat: ReLU hidden layer, linear output",
    make_case=_two_layer_case,
    reference=forward_2layer,
    misconceptions=(
        Misconception(lambda X, W1, b1, W2, b2: linear_forward(linear_forward(X, W1, b1),
                                                               W2, b2),
                      N_("the hidden layer's ReLU is missing: a1 = relu(z1)")),
        Misconception(lambda X, W1, b1, W2, b2: relu(forward_2layer(X, W1, b1, W2, b2)),
                      N_("the output is linear here: no ReLU after the last layer")),
    ),
)

PROBLEMS = (LINEAR_FORWARD, RELU, FORWARD_2LAYER)
