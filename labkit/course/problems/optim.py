"""Lesson 09 (optimizers): a momentum step and an Adam step, with torch's update rules.

The references are the library's formulas (labkit.core.optim.momentum_step, adam_step), which
lk.SGD and lk.Adam call; each misconception is a wrong answer built from them.
"""
from __future__ import annotations

import numpy as np

from ...core.i18n import N_
from ...core.optim import adam_step, gd_step, momentum_step
from .base import Misconception, Problem


def _momentum_case(rng):
    shape = (int(rng.integers(1, 5)),)
    return (rng.standard_normal(shape), rng.standard_normal(shape), rng.standard_normal(shape),
            float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.5, 0.99)))


def _raw_gradient_step(p, g, v, lr, mu):
    _, v_new = momentum_step(p, g, v, lr, mu)
    return gd_step(p, g, lr), v_new


def _old_velocity(p, g, v, lr, mu):
    p_new, _ = momentum_step(p, g, v, lr, mu)
    return p_new, v


def _uphill(p, g, v, lr, mu):
    _, v_new = momentum_step(p, g, v, lr, mu)
    return gd_step(p, -v_new, lr), v_new


MOMENTUM_STEP = Problem(
    name="momentum_step", function="momentum_step",
    signature="momentum_step(p, grad, v, lr, mu) -> (p_new, v_new): v = mu v + grad; "
              "p = p - lr v",
    make_case=_momentum_case,
    reference=momentum_step,
    misconceptions=(
        Misconception(_raw_gradient_step,
                      N_("the step must use the NEW velocity v, not the raw gradient")),
        Misconception(_old_velocity,
                      N_("return the updated velocity too: it carries over to the next step")),
        Misconception(_uphill, N_("sign error: step against the velocity, p - lr v")),
    ),
)


def _adam_case(rng):
    shape = (int(rng.integers(1, 5)),)
    t = int(rng.integers(1, 20))
    return (rng.standard_normal(shape), rng.standard_normal(shape),
            0.1 * rng.standard_normal(shape), 0.01 * rng.random(shape), t,
            float(rng.uniform(1e-3, 1e-1)), 0.9, 0.999,
            float(10 ** rng.uniform(-4, -1)))  # an eps large enough to tell where it goes


def _no_bias_correction(p, g, m, v, t, lr, b1, b2, eps):
    _, m_new, v_new = adam_step(p, g, m, v, t, lr, b1, b2, eps)
    return p - lr * m_new / (np.sqrt(v_new) + eps), m_new, v_new


def _no_square_root(p, g, m, v, t, lr, b1, b2, eps):
    _, m_new, v_new = adam_step(p, g, m, v, t, lr, b1, b2, eps)
    m_hat, v_hat = m_new / (1 - b1 ** t), v_new / (1 - b2 ** t)
    return p - lr * m_hat / (v_hat + eps), m_new, v_new


def _eps_inside(p, g, m, v, t, lr, b1, b2, eps):
    _, m_new, v_new = adam_step(p, g, m, v, t, lr, b1, b2, eps)
    m_hat, v_hat = m_new / (1 - b1 ** t), v_new / (1 - b2 ** t)
    return p - lr * m_hat / np.sqrt(v_hat + eps), m_new, v_new


def _returned_hats(p, g, m, v, t, lr, b1, b2, eps):
    p_new, m_new, v_new = adam_step(p, g, m, v, t, lr, b1, b2, eps)
    return p_new, m_new / (1 - b1 ** t), v_new / (1 - b2 ** t)


ADAM_STEP = Problem(
    name="adam_step", function="adam_step",
    signature="adam_step(p, grad, m, v, t, lr, beta1, beta2, eps) -> (p_new, m_new, v_new)",
    make_case=_adam_case,
    reference=adam_step,
    misconceptions=(
        Misconception(_no_bias_correction,
                      N_("the bias correction is missing: m_hat = m / (1 - beta1^t), "
                         "v_hat = v / (1 - beta2^t), with t the step number")),
        Misconception(_no_square_root,
                      N_("divide by the square ROOT of v_hat (plus eps)")),
        Misconception(_eps_inside,
                      N_("eps goes outside the square root: sqrt(v_hat) + eps, not "
                         "sqrt(v_hat + eps)")),
        Misconception(_returned_hats,
                      N_("return m and v, not the bias-corrected m_hat and v_hat: the next step "
                         "continues from m and v")),
    ),
)

PROBLEMS = (MOMENTUM_STEP, ADAM_STEP)
