"""Lesson 09 (optimizers): a momentum step and an Adam step, with torch's update rules."""
from __future__ import annotations

import numpy as np

from .base import Misconception, Problem


def _momentum_case(rng):
    shape = (int(rng.integers(1, 5)),)
    return (rng.standard_normal(shape), rng.standard_normal(shape), rng.standard_normal(shape),
            float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.5, 0.99)))


def _momentum(p, g, v, lr, mu):
    v = mu * v + g
    return p - lr * v, v


MOMENTUM_STEP = Problem(
    name="momentum_step", function="momentum_step",
    signature="momentum_step(p, grad, v, lr, mu) -> (p_new, v_new): v = mu v + grad; "
              "p = p - lr v",
    make_case=_momentum_case,
    reference=_momentum,
    misconceptions=(
        Misconception(lambda p, g, v, lr, mu: (p - lr * g, mu * v + g),
                      "the step must use the NEW velocity v, not the raw gradient"),
        Misconception(lambda p, g, v, lr, mu: (p - lr * (mu * v + g), v),
                      "return the updated velocity too: it carries over to the next step"),
        Misconception(lambda p, g, v, lr, mu: (p + lr * (mu * v + g), mu * v + g),
                      "sign error: step against the velocity, p - lr v"),
    ),
)


def _adam_case(rng):
    shape = (int(rng.integers(1, 5)),)
    t = int(rng.integers(1, 20))
    return (rng.standard_normal(shape), rng.standard_normal(shape),
            0.1 * rng.standard_normal(shape), 0.01 * rng.random(shape), t,
            float(rng.uniform(1e-3, 1e-1)), 0.9, 0.999,
            float(10 ** rng.uniform(-4, -1)))  # an eps large enough to tell where it goes


def _adam(p, g, m, v, t, lr, b1, b2, eps, correct=True, sqrt=True, eps_inside=False,
          return_hats=False):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    m_hat, v_hat = (m / (1 - b1 ** t), v / (1 - b2 ** t)) if correct else (m, v)
    if eps_inside:
        denom = np.sqrt(v_hat + eps)
    else:
        denom = (np.sqrt(v_hat) if sqrt else v_hat) + eps
    p_new = p - lr * m_hat / denom
    return (p_new, m_hat, v_hat) if return_hats else (p_new, m, v)


ADAM_STEP = Problem(
    name="adam_step", function="adam_step",
    signature="adam_step(p, grad, m, v, t, lr, beta1, beta2, eps) -> (p_new, m_new, v_new)",
    make_case=_adam_case,
    reference=_adam,
    misconceptions=(
        Misconception(lambda *a: _adam(*a, correct=False),
                      "the bias correction is missing: m_hat = m / (1 - beta1^t), "
                      "v_hat = v / (1 - beta2^t), with t the step number"),
        Misconception(lambda *a: _adam(*a, sqrt=False),
                      "divide by the square ROOT of v_hat (plus eps)"),
        Misconception(lambda *a: _adam(*a, eps_inside=True),
                      "eps goes outside the square root: sqrt(v_hat) + eps, not "
                      "sqrt(v_hat + eps)"),
        Misconception(lambda *a: _adam(*a, return_hats=True),
                      "return m and v, not the bias-corrected m_hat and v_hat: the next step "
                      "continues from m and v"),
    ),
)

PROBLEMS = (MOMENTUM_STEP, ADAM_STEP)
