"""Lesson 08 (vanishing and exploding gradients): initialization scale, gradient clipping.

The references are the library's formulas (labkit.core.init.init_std,
labkit.core.optim.clip_grad_norm); each misconception is a wrong answer built from them.
"""
from __future__ import annotations

import numpy as np

from ...core.i18n import N_
from ...core.init import init_std
from ...core.optim import clip_grad_norm, get_total_norm
from .base import Misconception, Problem


def _fans(rng):
    return (str(rng.choice(["xavier", "he"])), int(rng.integers(1, 500)),
            int(rng.integers(1, 500)))


INIT_STD = Problem(
    name="init_std", function="init_std",
    signature='init_std(scheme, fan_in, fan_out) -> std of W: "xavier" sqrt(2/(in+out)), '
              '"he" sqrt(2/in)',
    make_case=_fans,
    reference=init_std,
    misconceptions=(
        Misconception(lambda s, i, o: float(np.sqrt(1.0 / i)) if s == "he" else init_std(s, i, o),
                      N_("He initialization keeps the factor 2 (ReLU zeroes half the units): "
                         "sqrt(2 / fan_in)")),
        Misconception(lambda s, i, o: float(np.sqrt(2.0 / o)) if s == "he" else init_std(s, i, o),
                      N_("He initialization uses fan_in, the number of inputs of each unit")),
        Misconception(lambda s, i, o: init_std(s, i, o) ** 2,
                      N_("that is the variance: return the standard deviation (its square root)")),
    ),
)


def _clip_case(rng):
    grads = tuple(rng.standard_normal((int(rng.integers(1, 4)), int(rng.integers(1, 4))))
                  * rng.uniform(0.1, 3) for _ in range(int(rng.integers(1, 4))))
    return grads, float(get_total_norm(grads) * rng.choice([0.3, 0.8, 2.0]))


CLIP_GRAD_NORM = Problem(
    name="clip_grad_norm", function="clip_grad_norm",
    signature="clip_grad_norm(grads, max_norm) -> the grads scaled by min(1, max_norm / "
              "(||g|| + 1e-6)), ||g|| over ALL of them",
    make_case=_clip_case,
    reference=clip_grad_norm,
    misconceptions=(
        Misconception(lambda grads, m: [clip_grad_norm([g], m)[0] for g in grads],
                      N_("you clipped each array by its own norm: clip by the norm of all the "
                         "gradients together, so their directions stay as they were")),
        Misconception(lambda grads, m: [np.clip(g, -m, m) for g in grads],
                      N_("that clips each value: clipping by norm rescales the whole gradient")),
        Misconception(lambda grads, m: [g * m / (get_total_norm(grads) + 1e-6) for g in grads],
                      N_("only scale DOWN: gradients already below max_norm stay as they are")),
    ),
)

PROBLEMS = (INIT_STD, CLIP_GRAD_NORM)
