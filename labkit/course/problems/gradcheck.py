"""Lesson 07 (gradient checking): relative error, and a numerical gradient.

The references are the library's (labkit.core.gradcheck): ``relative_error``, which
lk.check_gradients reports, and ``numerical_gradient``, the central differences it compares
backprop with. A numerical gradient takes a function f of no argument that reads x: the
kernel makes one for each case (``call``), since a function is not plain data.

Exercise 07 used to ask for ``numerical_gradient(W, X, y, eps)``, the gradient of one fixed
loss; a learner's copy made then still asks for it, and is graded by that legacy form
(``NUMERICAL_GRADIENT.older``), built from the same functions.
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


def _mse_case(rng):
    """The legacy form's case: W (fan_out x fan_in), a batch X, targets y, and eps = 1e-3."""
    n, fan_in, fan_out = (int(rng.integers(1, 6)), int(rng.integers(1, 4)),
                          int(rng.integers(1, 4)))
    return (rng.standard_normal((fan_out, fan_in)), rng.standard_normal((n, fan_in)),
            rng.standard_normal((n, fan_out)), 1e-3)


def _of_mse(fn):
    """fn(f, x, eps) as the legacy form asks for it: fn(W, X, y, eps), its gradient with
    respect to W of f() = mse(X @ W.T, y), on a copy of W (the case keeps its own)."""
    def of_W(W, X, y, eps):
        W = W.copy()
        return fn(lambda: mse(X @ W.T, y), W, eps)
    return of_W


NUMERICAL_GRADIENT_OF_MSE = Problem(   # the legacy form of NUMERICAL_GRADIENT
    name="numerical_gradient_of_mse", function="numerical_gradient",
    signature="numerical_gradient(W, X, y, eps) -> dL/dW by central differences, "
              "L = mean((X W^T - y)^2)",
    make_case=_mse_case,
    reference=_of_mse(numerical_gradient),
    misconceptions=(
        Misconception(_of_mse(_forward_difference),
                      N_("that is a forward difference (L(W + eps) - L(W)) / eps: use "
                         "(L(W + eps) - L(W - eps)) / (2 eps), accurate to eps^2")),
        Misconception(_of_mse(_divided_by_eps),
                      N_("the central difference divides by 2 eps, not eps")),
    ),
    rtol=1e-7, atol=1e-10,
)


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
    older=NUMERICAL_GRADIENT_OF_MSE,
)

PROBLEMS = (RELATIVE_ERROR, NUMERICAL_GRADIENT)
