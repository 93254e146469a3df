"""Lesson 03 (gradient descent): one step, and a run on a quadratic bowl.

The references are the library's: ``gd_step`` (labkit.core.optim), which lk.SGD steps with,
and ``run_gd`` (labkit.lessons.gradient_descent.compute), the walk down a bowl built on it;
each misconception is a wrong answer built from them.
"""
from __future__ import annotations

import numpy as np

from ...core.i18n import N_
from ...core.optim import gd_step
from ...lessons.gradient_descent.compute import run_gd
from .base import Misconception, Problem


def _step_case(rng):
    shape = (int(rng.integers(1, 5)),)
    return rng.standard_normal(shape), rng.standard_normal(shape), float(rng.uniform(0.01, 1))


GD_STEP = Problem(
    name="gd_step", function="gd_step",
    signature="gd_step(p, grad, lr) -> p - lr * grad (a new array)",
    make_case=_step_case,
    reference=gd_step,
    misconceptions=(
        Misconception(lambda p, g, lr: gd_step(p, -g, lr),
                      N_("sign error: step AGAINST the gradient (downhill), p - lr * grad")),
        Misconception(lambda p, g, lr: gd_step(p, g, 1.0), N_("the learning rate lr is missing")),
    ),
)


def _bowl_case(rng):
    Q = rng.standard_normal((2, 2))
    A = Q @ Q.T + 0.5 * np.eye(2)           # symmetric positive definite
    return A, rng.standard_normal(2), float(rng.uniform(0.01, 0.2)), int(rng.integers(1, 8))


RUN_GD = Problem(
    name="run_gd", function="run_gd",
    signature="run_gd(A, p0, lr, steps) -> trajectory (steps + 1, 2) on f(p) = 1/2 p^T A p",
    make_case=_bowl_case,
    reference=run_gd,
    misconceptions=(
        Misconception(lambda A, p0, lr, steps: run_gd(A, p0, lr, steps)[1:],
                      N_("the trajectory starts with p0: it has steps + 1 rows")),
        Misconception(lambda A, p0, lr, steps: run_gd(-A, p0, lr, steps),
                      N_("sign error: the gradient of 1/2 p^T A p is A p, and you step "
                         "against it")),
        Misconception(lambda A, p0, lr, steps: run_gd(2 * A, p0, lr, steps),
                      N_("the gradient of 1/2 p^T A p is A p (the 1/2 cancels the 2)")),
    ),
)

PROBLEMS = (GD_STEP, RUN_GD)
