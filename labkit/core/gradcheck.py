"""Gradient checking: backprop's gradients against central finite differences.

    numerical dL/dtheta_i = (L(theta_i + eps) - L(theta_i - eps)) / (2 eps)      error O(eps^2)
    relative error        = max|g_analytic - g_numeric| / max(|g_analytic| + |g_numeric|, floor)

as CS231n's ``rel_error`` (elementwise, worst element), with an absolute floor: a gradient
that is zero up to rounding (BatchNorm's input of bias, 5e-19 analytic against 6e-11
numeric) is compared with the floor, not with itself. In float64 with eps = 1e-6, a correct
backward gives a relative error far below the default tolerance tol = 1e-6, a bug one near 1
(lesson 07 prints below 1e-8 and 0.35 to 1); check_gradients flags every parameter at or above
tol. Each line of the report names the parameter and its worst element, so a learner sees
*where* a gradient is wrong.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from .dropout import Dropout
from .i18n import _, ljust, rjust
from .losses import Loss
from .module import Module


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar f() with respect to every element of x.

    f takes no argument and reads x itself; x is perturbed in place, one element at a time,
    and restored exactly afterwards.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"numerical_gradient: x must be a float numpy array, got {x!r:.60}")
    if not eps > 0:
        raise ValueError(f"numerical_gradient: eps must be > 0, got {eps!r}")
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        try:
            x[i] = old + eps
            f_plus = f()
            x[i] = old - eps
            f_minus = f()
        finally:  # x is restored even when f fails
            x[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


# The numerical gradient of a correct backward carries the rounding of L divided by eps:
# 1e-16 / 1e-6 = 1e-10 per evaluation, a few times that summed over a batch (1.1e-10 seen on
# a bias before BatchNorm, whose true gradient is 0). Against a gradient that is really 0 it
# is compared with the floor: 1e-10 / 1e-3 = 1e-7, below the default tolerance 1e-6. A
# difference above tol * floor = 1e-9 is still reported, and a gradient larger than the
# floor is compared relatively, as without it.
REL_ERROR_FLOOR = 1e-3


def _elementwise_relative_error(a: np.ndarray, n: np.ndarray, floor: float) -> np.ndarray:
    return np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), floor)


def relative_error(analytic: np.ndarray, numeric: np.ndarray,
                   floor: float = REL_ERROR_FLOOR) -> float:
    """max |a - n| / max(|a| + |n|, floor), elementwise (CS231n's rel_error with a floor)."""
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    if a.size == 0:
        return 0.0
    return float(np.max(_elementwise_relative_error(a, n, floor)))


@dataclass
class GradCheckRow:
    """One parameter (or the input) of a gradient check."""

    name: str
    shape: tuple[int, ...]
    rel_error: float
    worst_index: tuple[int, ...]
    analytic_at_worst: float
    numeric_at_worst: float


def table_head(shape_width: int, worst: bool) -> str:
    """The heading line of a gradient-check table (its columns: parameter 12, shape
    ``shape_width``, relative error 12, then the worst element's index, analytic and numeric
    values), in the current language, padded by display width."""
    head = (ljust(_("parameter"), 12) + ljust(_("shape"), shape_width)
            + rjust(_("rel. error"), 12))
    if worst:
        head += ("   " + ljust(_("worst at"), 8) + "   " + ljust(_("analytic"), 8) + "     "
                 + _("numeric"))
    return head


@dataclass
class GradCheckReport:
    """Per-parameter relative errors; ``ok`` when all are below ``tol``."""

    rows: list[GradCheckRow] = field(default_factory=list)
    tol: float = 1e-6

    @property
    def ok(self) -> bool:
        return all(r.rel_error < self.tol for r in self.rows)

    @property
    def worst(self) -> GradCheckRow:
        return max(self.rows, key=lambda r: r.rel_error)

    def __getitem__(self, name: str) -> GradCheckRow:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(f"no parameter named {name!r} in this report: {[r.name for r in self.rows]}")

    def __str__(self) -> str:
        lines = [table_head(12, worst=True)]
        for r in self.rows:
            flag = "" if r.rel_error < self.tol else _("   <-- check this gradient")
            lines.append(
                f"{r.name:<12}{str(r.shape):<12}{r.rel_error:>12.2e}   {str(r.worst_index):<9}"
                f"{r.analytic_at_worst:>+11.4e} {r.numeric_at_worst:>+11.4e}{flag}"
            )
        verdict = _("all gradients agree") if self.ok else _(
            "MISMATCH (tolerance {tol:g})").format(tol=self.tol)
        return "\n".join(lines + [verdict])

    __repr__ = __str__


def _row(name: str, analytic: np.ndarray, numeric: np.ndarray) -> GradCheckRow:
    """The parameter's relative error, and its element with the largest |analytic - numeric|."""
    diff = np.abs(analytic - numeric)
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.size else ()
    worst = tuple(int(i) for i in worst)
    return GradCheckRow(name, tuple(analytic.shape), relative_error(analytic, numeric), worst,
                        float(analytic[worst]) if diff.size else 0.0,
                        float(numeric[worst]) if diff.size else 0.0)


@contextmanager
def preserved_state(net: Module) -> Iterator[None]:
    """Restores on exit what forward/backward passes change: every parameter's gradient, every
    buffer (BatchNorm's running_mean and running_var) and every module's training flag."""
    grads = [(p, None if p.grad is None else p.grad.copy()) for p in net.parameters()]
    buffers = [(b, b.copy()) for _, b in net.named_buffers()]
    modes = [(m, m.training) for m in net.modules()]
    try:
        yield
    finally:
        for p, g in grads:
            p.grad = g
        for b, saved in buffers:
            b[...] = saved
        for m, training in modes:
            m.training = training


def check_gradients(net: Module, loss_fn: Loss, X: np.ndarray, y: np.ndarray,
                    eps: float = 1e-6, tol: float = 1e-6, include_input: bool = False
                    ) -> GradCheckReport:
    """Backprop vs central differences for every parameter of ``net`` under ``loss_fn``.

    Runs one forward/backward for the analytic gradients, then two forwards per parameter
    element. The parameters' gradients are left as the analytic ones; everything else the
    passes change (BatchNorm's running statistics, training flags) is restored. A Dropout
    with p > 0 in training mode is refused: every forward would draw a new mask, so the
    differences would compare different functions.
    """
    for name, m in net.named_modules():
        if isinstance(m, Dropout) and m.training and m.p > 0:
            raise ValueError(
                f"check_gradients: {name or 'net'} is {m!r} in training mode, a new random "
                f"mask on every forward pass makes finite differences meaningless; call "
                f"net.eval() first or use p=0")
    with preserved_state(net):
        for p in net.parameters():
            p.grad = np.zeros_like(p.data)
        loss_fn(net(X), y)
        dX = net.backward(loss_fn.backward())
        analytic = {name: p.grad.copy() for name, p in net.named_parameters()}

        def loss() -> float:
            return loss_fn(net(X), y)

        report = GradCheckReport(tol=tol)
        for name, p in net.named_parameters():
            report.rows.append(_row(name, analytic[name], numerical_gradient(loss, p.data, eps)))
        if include_input:
            Xc = np.array(X, dtype=np.float64, copy=True)

            def loss_x() -> float:
                return loss_fn(net(Xc), y)

            report.rows.append(_row("input X", dX, numerical_gradient(loss_x, Xc, eps)))
    for name, p in net.named_parameters():  # leave the analytic gradients in place
        p.grad = analytic[name]
    return report
