"""Lesson 07, gradient checking (lessons/07_gradient_checking.ipynb): its experiments (numpy
only).

- Layers with a **deliberately wrong** backward, for the gradient check to find
  (:data:`BUGS`, :func:`make_study_net`).
- :func:`epsilon_sweep`: the relative error of central differences against backprop for a
  range of step sizes eps: truncation error (about eps^2) for large eps, rounding error
  (about u / eps, u the machine epsilon of the dtype) for small ones.
- :func:`count_passes` and :func:`measure_cost`: what finite differences and backprop cost,
  counted in forward/backward passes (exact) and measured in seconds.
- :func:`format_report`: a gradient-check report whose text does not depend on the last
  digits of rounding noise (for stored notebooks).

The module holds the lesson's numbers (numpy only); its figures are in figures.py
and its widget in widget.py, next to this file.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ...core.gradcheck import GradCheckReport, numerical_gradient, relative_error, table_head
from ...core.i18n import N_, _
from ...core.layers import Linear, Sequential, Tanh
from ...core.losses import Loss, MSELoss
from ...core.module import Module, no_forward_error
from ...core.parameter import Parameter

# ---------------------------------------------------------------------------------------
# wrong on purpose
# ---------------------------------------------------------------------------------------


class LinearDbNotSummed(Linear):
    """**WRONG ON PURPOSE**: a Linear whose backward *averages* delta over the batch for db
    instead of summing it (``db = delta.mean(axis=0)``).

    The loss already averages over the batch, so its delta carries the 1/N; averaging again
    divides by N twice. The forward pass and dW are right; db is N times too small, which the
    gradient check shows as numeric / analytic = N at every element of b.
    """

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        x = self.a_prev
        if x is None:
            raise no_forward_error(self)
        self.W.grad += grad_out.T @ x
        if self.b is not None:
            self.b.grad += grad_out.mean(axis=0)          # BUG: should be .sum(axis=0)
        return grad_out @ self.W.data


class LinearTransposedDW(Linear):
    """**WRONG ON PURPOSE**: a Linear whose backward computes dW as ``x^T delta`` (shape
    (in, out)) instead of ``delta^T x`` (shape (out, in)), a common layout mistake.

    For a square layer the shapes still fit, so nothing crashes: only the gradient check
    notices. (For a non-square layer the += fails with a shape error.)
    """

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        x = self.a_prev
        if x is None:
            raise no_forward_error(self)
        self.W.grad += x.T @ grad_out                      # BUG: should be grad_out.T @ x
        if self.b is not None:
            self.b.grad += grad_out.sum(axis=0)
        return grad_out @ self.W.data


class TanhWrongDerivative(Tanh):
    """**WRONG ON PURPOSE**: tanh with the derivative 1 - a instead of 1 - a^2 (a forgotten
    square). The layer has no parameters, so the check flags the parameters *before* it."""

    def _df(self, da, a):
        return da * (1.0 - a)                              # BUG: should be 1 - a * a


# the bugs by name (the names are keys: a widget's menu shows them translated)
BUGS: dict[str, str] = {
    N_("none"): "a correct backward everywhere",
    N_("db not summed"): "layer 0 averages delta over the batch for db instead of summing it",
    N_("transposed dW"): "layer 0 computes dW = x^T delta, the transpose of delta^T x",
    N_("wrong activation derivative"): "layer 1 (Tanh) uses 1 - a instead of 1 - a^2",
}


def make_study_net(bug: str = "none", dtype=np.float64, seed: int = 0) -> Sequential:
    """Linear(3, 3) -> Tanh -> Linear(3, 2), with one of :data:`BUGS` injected. The weights
    depend on ``seed`` only, so every bug variant has exactly the same weights."""
    if bug not in BUGS:
        raise ValueError(f"make_study_net: bug must be one of {list(BUGS)}, got {bug!r}")
    rng = np.random.default_rng(seed)
    first = {"db not summed": LinearDbNotSummed,
             "transposed dW": LinearTransposedDW}.get(bug, Linear)
    act = TanhWrongDerivative if bug == "wrong activation derivative" else Tanh
    return Sequential(first(3, 3, rng=rng, dtype=dtype), act(),
                      Linear(3, 2, rng=rng, dtype=dtype))


def study_data(n: int = 6, dtype=np.float64, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A small regression batch for :func:`make_study_net`: X (n, 3), y (n, 2)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)).astype(dtype)
    y = rng.normal(size=(n, 2)).astype(dtype)
    return X, y


# ---------------------------------------------------------------------------------------
# reports that store well
# ---------------------------------------------------------------------------------------


def format_report(report: GradCheckReport, floor: float = 1e-7, show_worst: bool = True
                  ) -> str:
    """The report of ``lk.check_gradients`` as text that stores well in a notebook.

    A relative error below ``floor`` is written as ``< floor``, and its worst element is not
    shown: at that level both are rounding noise, which differs between machines and BLAS
    libraries. Rows above ``floor`` (the bugs) are shown in full. ``show_worst=False`` drops
    the worst-element columns altogether (e.g. for a transposed matrix, where the element
    (i, j) and its mirror (j, i) are off by exactly the same amount and rounding decides
    which one is "worst").
    """
    lines = [table_head(10, worst=show_worst)]
    for r in report.rows:
        noise = r.rel_error < floor
        line = f"{r.name:<12}{str(r.shape):<10}" + (
            f"{'< ' + format(floor, '.0e'):>12}" if noise else f"{r.rel_error:>12.2e}")
        if show_worst:
            line += (f"   {'-':<9}{'-':>11} {'-':>11}" if noise else
                     f"   {str(r.worst_index):<9}{r.analytic_at_worst:>+11.4e} "
                     f"{r.numeric_at_worst:>+11.4e}")
        if r.rel_error >= report.tol:
            line += _("   <-- check this gradient")
        lines.append(line)
    verdict = (_("all gradients agree") if report.ok
               else _("MISMATCH (tolerance {tol:g}) in {names}").format(
                   tol=report.tol,
                   names=", ".join(r.name for r in report.rows if r.rel_error >= report.tol)))
    return "\n".join(lines + [verdict])


# ---------------------------------------------------------------------------------------
# the eps trade-off
# ---------------------------------------------------------------------------------------


@dataclass
class EpsilonSweep:
    """Relative error of central differences against backprop, one value per eps."""

    eps: np.ndarray
    rel_error: np.ndarray
    dtype: str

    @property
    def best_eps(self) -> float:
        return float(self.eps[int(np.argmin(self.rel_error))])

    @property
    def best_error(self) -> float:
        return float(np.min(self.rel_error))


def analytic_gradients(net: Module, loss_fn: Loss, X: np.ndarray, y: np.ndarray
                       ) -> list[np.ndarray]:
    """Backprop's gradient of every parameter (one forward, one backward), as copies."""
    net.zero_grad()
    loss_fn(net(X), y)
    net.backward(loss_fn.backward())
    return [p.grad.astype(np.float64) for p in net.parameters()]


def epsilon_sweep(net: Module, loss_fn: Loss, X: np.ndarray, y: np.ndarray,
                  eps_values: Sequence[float]) -> EpsilonSweep:
    """For each eps: central differences of every parameter, compared with backprop as one
    relative error over all parameters together. Works in the parameters' own dtype."""
    eps_values = np.asarray(eps_values, dtype=np.float64)
    if eps_values.ndim != 1 or eps_values.size == 0 or not np.all(eps_values > 0):
        raise ValueError(f"epsilon_sweep: eps_values must be positive numbers, got {eps_values}")
    analytic = np.concatenate([g.ravel() for g in analytic_gradients(net, loss_fn, X, y)])

    def loss() -> float:
        return loss_fn(net(X), y)

    errors = []
    for eps in eps_values:
        numeric = np.concatenate([numerical_gradient(loss, p.data, float(eps)).ravel()
                                  for p in net.parameters()])
        errors.append(relative_error(analytic, numeric))
    dtype = str(net.parameters()[0].data.dtype) if net.parameters() else "float64"
    return EpsilonSweep(eps_values, np.array(errors), dtype)


# ---------------------------------------------------------------------------------------
# the cost: passes counted, time measured
# ---------------------------------------------------------------------------------------


class CountingNet(Module):
    """Wraps a network and counts its forward and backward passes (nothing else changes)."""

    def __init__(self, net: Module) -> None:
        self.net = net
        self.forwards = 0
        self.backwards = 0

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.forwards += 1
        return self.net.forward(x)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self.backwards += 1
        return self.net.backward(grad_out)

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        return self.net.named_parameters()

    def reset(self) -> None:
        self.forwards = self.backwards = 0


@dataclass
class PassCount:
    """Passes needed for the gradient of every parameter, by each method."""

    n_params: int
    fd_forwards: int        # finite differences: the loss itself + 2 per parameter
    bp_forwards: int        # backprop: one forward ...
    bp_backwards: int       # ... and one backward


def count_passes(net: Module, loss_fn: Loss, X: np.ndarray, y: np.ndarray,
                 eps: float = 1e-6) -> PassCount:
    """Runs both methods once on a counting wrapper of ``net`` and counts the passes."""
    counter = CountingNet(net)

    def loss() -> float:
        return loss_fn(counter(X), y)

    loss()                                   # the loss at the current parameters
    for p in counter.parameters():
        numerical_gradient(loss, p.data, eps)
    fd = counter.forwards
    counter.reset()
    analytic_gradients(counter, loss_fn, X, y)
    n_params = sum(p.size for p in net.parameters())
    return PassCount(n_params, fd, counter.forwards, counter.backwards)


def cost_net(width: int, n_inputs: int = 4, seed: int = 0) -> Sequential:
    """The network of the cost study: Linear(n_inputs, w) -> Tanh -> Linear(w, w) -> Tanh ->
    Linear(w, 1); it has w^2 + (n_inputs + 3) w + 1 parameters."""
    rng = np.random.default_rng(seed)
    return Sequential(Linear(n_inputs, width, rng=rng), Tanh(), Linear(width, width, rng=rng),
                      Tanh(), Linear(width, 1, rng=rng))


@dataclass
class CostPoint:
    """One network size: its parameter count and the seconds each method took for the
    gradient of every parameter."""

    width: int
    n_params: int
    fd_seconds: float
    bp_seconds: float
    forward_seconds: float  # one forward pass and the loss, for scale

    @property
    def ratio(self) -> float:
        return self.fd_seconds / self.bp_seconds


def _best_time(fn: Callable[[], object], min_total: float) -> float:
    """The fastest of several runs of fn, repeated until ``min_total`` seconds have passed
    (at least 3 runs for fast functions, 1 for slow ones)."""
    times: list[float] = []
    total = 0.0
    while total < min_total or (len(times) < 3 and total < 10 * min_total):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        times.append(dt)
        total += dt
    return min(times)


def _cost_point(net: Module, width: int, X: np.ndarray, y: np.ndarray,
                min_total: float) -> CostPoint:
    loss_fn = MSELoss()

    def loss() -> float:
        return loss_fn(net(X), y)

    def finite_differences() -> None:
        loss()
        for p in net.parameters():
            numerical_gradient(loss, p.data, 1e-6)

    def backprop() -> None:
        analytic_gradients(net, loss_fn, X, y)

    n_params = sum(p.size for p in net.parameters())
    return CostPoint(width, n_params, _best_time(finite_differences, min_total),
                     _best_time(backprop, min_total), _best_time(loss, min_total))


def measure_cost(widths: Sequence[int], n_samples: int = 16, seed: int = 0,
                 min_total: float = 0.02) -> list[CostPoint]:
    """Seconds for the full gradient by central differences and by backprop (and for one
    forward pass), for :func:`cost_net` of each width, on a batch of ``n_samples``. Each
    time is the fastest of repeated runs (at least ``min_total`` seconds of them)."""
    rng = np.random.default_rng(seed)
    points = []
    for w in widths:
        X = rng.normal(size=(n_samples, 4))
        y = rng.normal(size=(n_samples, 1))
        points.append(_cost_point(cost_net(int(w), seed=seed), int(w), X, y, min_total))
    return points
