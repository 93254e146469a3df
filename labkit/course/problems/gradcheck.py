"""Lesson 07 (gradient checking): relative error, and a numerical gradient.

The references are the library's (labkit.core.gradcheck): ``relative_error``, which
lk.check_gradients reports, and ``numerical_gradient``, the central differences it compares
backprop with. A numerical gradient takes a function f of no argument that reads x: the
kernel makes one for each case (``call``), since a function is not plain data.
"""
from __future__ import annotations

import numpy as np

from ...core.gradcheck import numerical_gradient, relative_error
from ...core.i18n import N_
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


def _point_case(rng):
    """A point x (1-D or 2-D) and a step eps large enough to tell a forward difference, or a
    point that moved, from central differences. The function of x is made where the case
    runs: f() = sum(x^3) + (sum of x)^2 (probe.CALLS["function_of_x"])."""
    shape = (int(rng.integers(1, 5)),) if rng.random() < 0.3 else (
        int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    return rng.standard_normal(shape), float(10 ** rng.uniform(-4, -2))


def _forward_difference(f, x, eps):
    grad = np.zeros_like(x)
    f_x = f()
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        grad[i] = (f() - f_x) / eps
        x[i] = old
    return grad


def _divided_by_eps(f, x, eps):
    return 2 * numerical_gradient(f, x, eps)


def _nudged_copy(f, x, eps):
    """Nudges a copy of x, which f never reads: every difference is 0."""
    return numerical_gradient(f, x.copy(), eps)


def _never_restored(f, x, eps):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        f_plus = f()
        x[i] -= 2 * eps
        grad[i] = (f_plus - f()) / (2 * eps)
    return grad


NUMERICAL_GRADIENT = Problem(
    name="numerical_gradient", function="numerical_gradient",
    signature="numerical_gradient(f, x, eps) -> df/dx by central differences, f() reading x "
              "(nudged in place, one element at a time, and restored)",
    make_case=_point_case,
    reference=numerical_gradient,
    call="function_of_x",
    misconceptions=(
        Misconception(_forward_difference,
                      N_("that is a forward difference (f(x + eps) - f(x)) / eps: use "
                         "(f(x + eps) - f(x - eps)) / (2 eps), accurate to eps^2")),
        Misconception(_divided_by_eps,
                      N_("the central difference divides by 2 eps, not eps")),
        Misconception(_nudged_copy,
                      N_("every difference is 0: f reads x itself, so nudge x[i] in place "
                         "(not a copy of x), call f(), and put x[i] back")),
        Misconception(_never_restored,
                      N_("put x[i] back after its two calls of f: otherwise the next "
                         "elements' differences are taken at a point that has moved")),
    ),
    rtol=1e-7, atol=1e-10,
)

PROBLEMS = (RELATIVE_ERROR, NUMERICAL_GRADIENT)
