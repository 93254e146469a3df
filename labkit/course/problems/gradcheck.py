"""Lesson 07 (gradient checking): relative error, and a numerical gradient.

The relative error is the library's (labkit.core.gradcheck); the exercise's numerical gradient
of one fixed loss is the library's central differences applied to it.
"""
from __future__ import annotations

import numpy as np

from ...core.gradcheck import numerical_gradient, relative_error
from ...core.i18n import N_
from ...core.losses import mse
from .base import Misconception, Problem


def _pair(rng):
    """An analytic gradient with elements of every size, 1 down to 1e-6 (a bias whose true
    gradient is about 0), and a numeric one that differs by rounding-sized amounts."""
    shape = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
    a = rng.standard_normal(shape) * 10.0 ** -rng.uniform(0, 6, shape)
    return a, a + 10.0 ** -rng.uniform(7, 11) * rng.standard_normal(shape)


def _no_floor(a, n):
    return float(np.max(np.abs(a - n) / (np.abs(a) + np.abs(n))))


RELATIVE_ERROR = Problem(
    name="relative_error", function="relative_error",
    signature="relative_error(analytic, numeric) -> max |a - n| / max(|a| + |n|, floor), "
              "elementwise",
    make_case=_pair,
    reference=relative_error,
    misconceptions=(
        Misconception(lambda a, n: float(np.linalg.norm(a - n)
                                         / (np.linalg.norm(a) + np.linalg.norm(n))),
                      N_("that compares the whole arrays by their norms: compare element by "
                         "element and report the worst, max |a - n| / max(|a| + |n|, floor)")),
        Misconception(lambda a, n: float(np.max(np.abs(a - n))),
                      N_("that is the absolute error: divide each element's |a - n| by "
                         "max(|a| + |n|, floor)")),
        Misconception(_no_floor,
                      N_("the floor is missing: an element whose gradient is about 0 is "
                         "compared with the floor, max(|a| + |n|, floor), not with itself")),
    ),
)


def _mse_case(rng):
    n, fan_in, fan_out = (int(rng.integers(1, 6)), int(rng.integers(1, 4)),
                          int(rng.integers(1, 4)))
    return (rng.standard_normal((fan_out, fan_in)), rng.standard_normal((n, fan_in)),
            rng.standard_normal((n, fan_out)), 1e-3)


def _loss(W, X, y):
    return mse(X @ W.T, y)


def _numeric(W, X, y, eps):
    W = W.copy()            # numerical_gradient nudges W in place; the case keeps its own
    return numerical_gradient(lambda: _loss(W, X, y), W, eps)


def _forward_difference(W, X, y, eps):
    grad = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        Wp = W.copy()
        Wp[i] += eps
        grad[i] = (_loss(Wp, X, y) - _loss(W, X, y)) / eps
    return grad


NUMERICAL_GRADIENT = Problem(
    name="numerical_gradient", function="numerical_gradient",
    signature="numerical_gradient(W, X, y, eps) -> dL/dW by central differences, "
              "L = mean((X W^T - y)^2)",
    make_case=_mse_case,
    reference=_numeric,
    misconceptions=(
        Misconception(_forward_difference,
                      N_("that is a forward difference (L(W + eps) - L(W)) / eps: use "
                         "(L(W + eps) - L(W - eps)) / (2 eps), accurate to eps^2")),
        Misconception(lambda W, X, y, eps: 2 * _numeric(W, X, y, eps),
                      N_("the central difference divides by 2 eps, not eps")),
    ),
    rtol=1e-7, atol=1e-10,
)

PROBLEMS = (RELATIVE_ERROR, NUMERICAL_GRADIENT)
