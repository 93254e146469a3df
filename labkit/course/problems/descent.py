"""Lesson 03 (gradient descent): one step, and a run on a quadratic bowl."""
from __future__ import annotations

import numpy as np

from ...core.i18n import N_
from .base import Misconception, Problem


def _step_case(rng):
    shape = (int(rng.integers(1, 5)),)
    return rng.standard_normal(shape), rng.standard_normal(shape), float(rng.uniform(0.01, 1))


GD_STEP = Problem(
    name="gd_step", function="gd_step",
    signature="gd_step(p, grad, lr) -> p - lr * grad (a new array)",
    make_case=_step_case,
    reference=lambda p, g, lr: p - lr * g,
    misconceptions=(
        Misconception(lambda p, g, lr: p + lr * g,
                      N_("sign error: step AGAINST the gradient (downhill), p - lr * grad")),
        Misconception(lambda p, g, lr: p - g, N_("the learning rate lr is missing")),
    ),
)


def _bowl_case(rng):
    Q = rng.standard_normal((2, 2))
    A = Q @ Q.T + 0.5 * np.eye(2)           # symmetric positive definite
    return A, rng.standard_normal(2), float(rng.uniform(0.01, 0.2)), int(rng.integers(1, 8))


def _run(A, p0, lr, steps, sign=1.0, include_start=True):
    p, out = p0.copy(), [p0.copy()]
    for _ in range(steps):
        p = p - sign * lr * (A @ p)
        out.append(p.copy())
    return np.array(out if include_start else out[1:])


RUN_GD = Problem(
    name="run_gd", function="run_gd",
    signature="run_gd(A, p0, lr, steps) -> trajectory (steps + 1, 2) on f(p) = 1/2 p^T A p",
    make_case=_bowl_case,
    reference=_run,
    misconceptions=(
        Misconception(lambda A, p0, lr, steps: _run(A, p0, lr, steps, include_start=False),
                      N_("the trajectory starts with p0: it has steps + 1 rows")),
        Misconception(lambda A, p0, lr, steps: _run(A, p0, lr, steps, sign=-1.0),
                      N_("sign error: the gradient of 1/2 p^T A p is A p, and you step "
                         "against it")),
        Misconception(lambda A, p0, lr, steps: _run(2 * A, p0, lr, steps),
                      N_("the gradient of 1/2 p^T A p is A p (the 1/2 cancels the 2)")),
    ),
)

PROBLEMS = (GD_STEP, RUN_GD)
