"""Lesson 03, gradient descent (lessons/03_gradient_descent.ipynb; lesson 09 walks the same
surfaces): loss surfaces to walk down, small functions f(p) of a point p, their gradients, and
a runner that lets any labkit optimizer descend them.

    s = get_surface("ravine")                      # f(x, y) = 1/2 (x^2 + 10 y^2)
    s.f(np.array([1.0, 1.0])), s.grad(np.array([1.0, 1.0]))     # 5.5, [1, 10]
    Z = s.values(X, Y)                              # vectorized, for contour plots
    run = descend(s, start=(-2.5, 1.0), steps=50, optimizer=lk.SGD, lr=0.1)
    run.points, run.losses, run.diverged, describe_run(s, run).text

The optimizer really is ``lk.SGD`` (or ``lk.Adam``, ...) from ``labkit.core.optim``: the point p
is a ``Parameter``, each step writes grad f(p) into ``p.grad`` and calls ``optimizer.step()``,
exactly as training a network does. ``run_gd`` is the same walk on a bowl 1/2 p^T A p written
out with ``gd_step`` alone (the run exercise 03 asks for; ``descend`` with ``lk.SGD`` takes the
same steps). A run that leaves the finite world (p or f NaN, infinite or
huge) stops there with ``diverged`` set: the points and losses it returns are always finite.

A surface works in ``dim`` = 1 or 2 dimensions: p has shape (dim,). 1-D curves (the parabola
and the quartic of the 1-D slope section) share the whole interface, so the same runner and
the same words describe them.

The module holds the lesson's numbers (numpy only); its figures are in figures.py
and its widget in widget.py, next to this file.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...core.i18n import N_, _, ngettext
from ...core.module import check_int
from ...core.optim import SGD, Optimizer, gd_step
from ...core.parameter import Parameter

__all__ = [
    "SURFACES", "Descent", "Polynomial1D", "Quadratic", "Rosenbrock", "RunVerdict", "Surface",
    "Trajectory", "describe_run", "descend", "get_surface", "run_gd",
]


# --- surfaces ------------------------------------------------------------------------------

class Surface:
    """A smooth loss f: R^dim -> R with its gradient and Hessian.

    ``f(p)``, ``grad(p)``, ``hessian(p)`` take one point p of shape (dim,) (a float is
    accepted when dim is 1). ``values(*coords)`` and ``grads(*coords)`` are vectorized: they
    take one coordinate array per dimension (e.g. the X, Y of ``np.meshgrid``), of any
    broadcastable shape, and return arrays of that shape.

    Attributes used by plots and lessons: ``name``, ``formula`` (text), ``xlim`` (and ``ylim``
    when dim is 2) the window worth drawing, ``start`` a start point that shows something,
    ``minima`` the local minima (a list of points, empty when there is none) and ``f_min`` the
    lowest value of f (None when f has no lower bound).
    """

    dim: int = 2
    name: str = "surface"
    formula: str = ""

    def __init__(self, *, xlim: tuple[float, float], ylim: tuple[float, float] | None = None,
                 start=None, minima=(), f_min: float | None = None) -> None:
        self.xlim = (float(xlim[0]), float(xlim[1]))
        self.ylim = None if ylim is None else (float(ylim[0]), float(ylim[1]))
        if self.dim == 2 and self.ylim is None:
            raise ValueError(f"{type(self).__name__}: a 2-D surface needs ylim")
        self.start = None if start is None else self._point(start, "start")
        self.minima = [self._point(m, "minimum") for m in minima]
        self.f_min = None if f_min is None else float(f_min)

    # subclasses implement these on coordinate arrays (broadcasting), one array per dimension
    def _f(self, *c: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _grad(self, *c: np.ndarray) -> tuple[np.ndarray, ...]:
        raise NotImplementedError

    def _hess(self, *c: float) -> np.ndarray:
        raise NotImplementedError

    # --- one point ---------------------------------------------------------------------------
    def _point(self, p, what: str = "p") -> np.ndarray:
        arr = np.asarray(p, dtype=np.float64)
        if self.dim == 1 and arr.ndim == 0:
            arr = arr.reshape(1)
        if arr.shape != (self.dim,):
            raise ValueError(f"{self.name}: {what} must have shape ({self.dim},), "
                             f"got shape {arr.shape}")
        return arr

    def f(self, p) -> float:
        """f(p) for one point p of shape (dim,)."""
        return float(self._f(*self._point(p)))

    def grad(self, p) -> np.ndarray:
        """The gradient (df/dp_1, ..., df/dp_dim) at p, shape (dim,)."""
        return np.array([float(g) for g in self._grad(*self._point(p))])

    def hessian(self, p) -> np.ndarray:
        """The matrix of second derivatives at p, shape (dim, dim)."""
        return np.asarray(self._hess(*self._point(p)), dtype=np.float64).reshape(
            self.dim, self.dim)

    def max_stable_lr(self, p) -> float:
        """2 / lambda_max of the Hessian at p: the largest learning rate for which plain
        gradient descent does not overshoot along the steepest curvature there (math.inf
        where f curves nowhere upwards)."""
        lam = float(np.linalg.eigvalsh(self.hessian(p)).max())
        return 2.0 / lam if lam > 0 else math.inf

    # --- many points ---------------------------------------------------------------------
    def _coords(self, coords) -> list[np.ndarray]:
        if len(coords) != self.dim:
            raise ValueError(f"{self.name}: expected {self.dim} coordinate array(s), "
                             f"got {len(coords)}")
        return [np.asarray(c, dtype=np.float64) for c in coords]

    def values(self, *coords) -> np.ndarray:
        """f on many points at once: ``values(X, Y)`` (2-D) or ``values(x)`` (1-D)."""
        c = self._coords(coords)
        return np.broadcast_to(self._f(*c), np.broadcast_shapes(*(a.shape for a in c))).copy()

    def grads(self, *coords) -> tuple[np.ndarray, ...]:
        """The gradient's components on many points at once: (dX, dY) or (dx,)."""
        c = self._coords(coords)
        shape = np.broadcast_shapes(*(a.shape for a in c))
        return tuple(np.broadcast_to(g, shape).copy() for g in self._grad(*c))

    def grid(self, n: int = 200):
        """The drawing window sampled on n points per axis: (X, Y, Z) for 2-D, (x, f(x)) for
        1-D."""
        x = np.linspace(*self.xlim, n)
        if self.dim == 1:
            return x, self.values(x)
        X, Y = np.meshgrid(x, np.linspace(*self.ylim, n))
        return X, Y, self.values(X, Y)

    def nearest_minimum(self, p) -> np.ndarray | None:
        if not self.minima:
            return None
        p = self._point(p)
        return min(self.minima, key=lambda m: float(np.linalg.norm(m - p)))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: {self.formula}>"


class Quadratic(Surface):
    """f(p) = 1/2 (p - c)^T A (p - c) + f0, with A symmetric: the exact local picture of any
    smooth loss near a point. grad f = A (p - c), Hessian A.

    A's eigenvalues are the curvatures along its eigenvectors. All positive: a bowl with its
    minimum at c, round when they are equal, a long narrow ravine when they differ a lot (the
    ratio is the *condition number*). One negative: a saddle, with no minimum.
    Plain gradient descent multiplies the distance to c along eigenvector i by (1 - eta
    lambda_i) at every step, so it converges only when eta < 2 / lambda_max.
    """

    def __init__(self, A, center=None, f0: float = 0.0, *, name: str = "quadratic",
                 formula: str = "", xlim=(-2.0, 2.0), ylim=(-2.0, 2.0), start=None) -> None:
        A = np.atleast_2d(np.asarray(A, dtype=np.float64))
        if A.shape[0] != A.shape[1] or A.shape[0] not in (1, 2):
            raise ValueError(f"Quadratic: A must be 1x1 or 2x2, got shape {A.shape}")
        if not np.allclose(A, A.T):
            raise ValueError("Quadratic: A must be symmetric")
        self.dim = A.shape[0]
        self.A = A
        self.center = np.zeros(self.dim) if center is None else np.asarray(
            center, dtype=np.float64).reshape(self.dim)
        self.f0 = float(f0)
        self.eigenvalues = np.linalg.eigvalsh(A)
        self.name = name
        self.formula = formula or f"1/2 (p - c)^T A (p - c), A = {A.tolist()}"
        bowl = bool(self.eigenvalues.min() > 0)
        super().__init__(xlim=xlim, ylim=ylim if self.dim == 2 else None, start=start,
                         minima=[self.center] if bowl else [],
                         f_min=self.f0 if bowl else None)

    @property
    def condition_number(self) -> float:
        """lambda_max / lambda_min (inf when some curvature is zero or negative)."""
        lo, hi = self.eigenvalues.min(), self.eigenvalues.max()
        return float(hi / lo) if lo > 0 else math.inf

    def _f(self, *c):
        d = [ci - mi for ci, mi in zip(c, self.center)]
        total = 0.0
        for i in range(self.dim):
            for j in range(self.dim):
                total = total + 0.5 * self.A[i, j] * d[i] * d[j]
        return total + self.f0

    def _grad(self, *c):
        d = [ci - mi for ci, mi in zip(c, self.center)]
        return tuple(sum(self.A[i, j] * d[j] for j in range(self.dim)) for i in range(self.dim))

    def _hess(self, *c):
        return self.A


class Rosenbrock(Surface):
    """f(x, y) = (a - x)^2 + b (y - x^2)^2: a curved, flat-bottomed valley whose minimum
    (a, a^2) is easy to find and slow to reach, the classic test of optimizers."""

    def __init__(self, a: float = 1.0, b: float = 100.0, *, xlim=(-2.0, 2.0), ylim=(-1.0, 3.0),
                 start=(-1.5, 2.0)) -> None:
        self.a, self.b = float(a), float(b)
        self.name = "rosenbrock"
        self.formula = f"f(x, y) = ({self.a:g} - x)² + {self.b:g} (y - x²)²"
        super().__init__(xlim=xlim, ylim=ylim, start=start, minima=[(self.a, self.a ** 2)],
                         f_min=0.0)

    def _f(self, x, y):
        return (self.a - x) ** 2 + self.b * (y - x * x) ** 2

    def _grad(self, x, y):
        r = y - x * x
        return -2.0 * (self.a - x) - 4.0 * self.b * x * r, 2.0 * self.b * r

    def _hess(self, x, y):
        return [[2.0 - 4.0 * self.b * (y - x * x) + 8.0 * self.b * x * x, -4.0 * self.b * x],
                [-4.0 * self.b * x, 2.0 * self.b]]


class Polynomial1D(Surface):
    """f(x) = c_0 x^n + c_1 x^(n-1) + ... + c_n (numpy's coefficient order), a 1-D curve.
    Its local minima are computed from the roots of f'."""

    dim = 1

    def __init__(self, coeffs, *, name: str = "polynomial", formula: str = "",
                 xlim=(-2.0, 2.0), start=None) -> None:
        self.poly = np.poly1d(np.asarray(coeffs, dtype=np.float64))
        self.d1, self.d2 = self.poly.deriv(1), self.poly.deriv(2)
        self.name = name
        self.formula = formula or f"f(x) = {self.poly}".replace("\n", " ")
        crit = [r.real for r in self.d1.roots if abs(r.imag) < 1e-9]
        minima = sorted(r for r in crit if self.d2(r) > 0)
        leading = self.poly.coeffs[0]
        bounded = self.poly.order % 2 == 0 and leading > 0
        f_min = min(float(self.poly(m)) for m in minima) if bounded and minima else None
        super().__init__(xlim=xlim, start=start, minima=[(m,) for m in minima], f_min=f_min)

    def _f(self, x):
        return self.poly(x)

    def _grad(self, x):
        return (self.d1(x),)

    def _hess(self, x):
        return [[self.d2(x)]]


def _bowl() -> Quadratic:
    return Quadratic([[1.0, 0.0], [0.0, 1.0]], name="bowl", formula="f(x, y) = ½ (x² + y²)",
                     start=(-1.6, 1.2))


def _ravine() -> Quadratic:
    return Quadratic([[1.0, 0.0], [0.0, 10.0]], name="ravine",
                     formula="f(x, y) = ½ (x² + 10 y²)", xlim=(-3.0, 3.0), ylim=(-1.5, 1.5),
                     start=(-2.5, 1.0))


def _saddle() -> Quadratic:
    return Quadratic([[1.0, 0.0], [0.0, -1.0]], name="saddle", formula="f(x, y) = ½ (x² - y²)",
                     start=(-1.8, 0.05))


def _parabola() -> Polynomial1D:
    return Polynomial1D([1.0, -4.0, 4.0], name="parabola", formula="f(p) = (p - 2)²",
                        xlim=(-1.5, 5.5), start=(-1.0,))


def _quartic() -> Polynomial1D:
    return Polynomial1D([1.0, 0.0, -3.0, 1.0, 0.0], name="quartic",
                        formula="f(p) = p⁴ - 3p² + p", xlim=(-2.2, 2.2), start=(1.8,))


# by name (the names are keys; a widget's menu shows them translated)
SURFACES: dict[str, Callable[[], Surface]] = {
    N_("bowl"): _bowl,            # well conditioned: round contours, the gradient points home
    N_("ravine"): _ravine,        # ill conditioned (condition number 10): steep across, flat along
    N_("rosenbrock"): Rosenbrock,  # a curved valley with a flat floor
    N_("saddle"): _saddle,        # zero gradient at the origin, but no minimum
    N_("parabola"): _parabola,    # 1-D, one minimum
    N_("quartic"): _quartic,      # 1-D, two valleys of different depth
}


def get_surface(name: str) -> Surface:
    """A new surface by name: one of ``SURFACES`` (bowl, ravine, rosenbrock, saddle, parabola,
    quartic)."""
    if name not in SURFACES:
        raise ValueError(f"unknown surface {name!r}; choose one of {sorted(SURFACES)}")
    return SURFACES[name]()


# --- descending ----------------------------------------------------------------------------

@dataclass
class Trajectory:
    """One run of an optimizer on a surface.

    points:      (k + 1, dim) p_0 (the start), p_1, ..., p_k: every point is finite
    losses:      (k + 1,) f(p_t)
    grads:       (k + 1, dim) grad f(p_t)
    diverged:    True when the run stopped because step k + 1 left the finite world
    reason:      why it stopped early, in words ("" when it did not)
    optimizer:   the optimizer as text, e.g. "SGD(lr=0.1, momentum=0.0, ...)"
    """

    points: np.ndarray
    losses: np.ndarray
    grads: np.ndarray
    diverged: bool = False
    reason: str = ""
    optimizer: str = ""

    @property
    def steps(self) -> int:
        """The number of steps taken (and kept): len(points) - 1."""
        return len(self.points) - 1

    @property
    def diverged_at(self) -> int | None:
        """The step that left the finite world (steps + 1), or None."""
        return self.steps + 1 if self.diverged else None

    @property
    def final_point(self) -> np.ndarray:
        return self.points[-1]

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])


OptimizerFactory = Callable[..., Optimizer]


class Descent:
    """An optimizer walking down a surface, resumable: ``run(n)`` takes n more steps.

        walk = Descent(surface, start=(-1.5, 2.0), optimizer=lk.Adam, lr=0.05)
        walk.run(100); walk.optimizer.lr = 0.01; walk.run(100)   # same state, smaller steps
        walk.trajectory                                          # all 200 steps

    ``optimizer`` is an optimizer class (``lk.SGD``, ``lk.Adam``, ...) or any function
    ``params -> Optimizer``; ``hyper`` goes to it (``lr=0.1, momentum=0.9``). The point is
    ``self.param`` (a Parameter named "p"). A step stops the run (``diverged``) when p, f(p)
    or the gradient becomes NaN or infinite, or |p_i| > ``max_abs``, or |f(p)| > ``max_loss``.
    """

    def __init__(self, surface: Surface, start=None, optimizer: OptimizerFactory = SGD, *,
                 max_abs: float = 1e6, max_loss: float = 1e12, **hyper) -> None:
        if not isinstance(surface, Surface):
            raise TypeError(f"Descent: surface must be a labkit Surface (get_surface(name)), "
                            f"got {type(surface).__name__}")
        if isinstance(optimizer, Optimizer):
            raise TypeError("Descent: pass the optimizer class (e.g. lk.SGD) or a function "
                            "params -> optimizer, not an optimizer already built on other "
                            "parameters")
        if start is None:
            start = surface.start
            if start is None:
                raise ValueError(f"Descent: {surface.name} has no default start; pass start=")
        self.surface = surface
        self.param = Parameter(surface._point(start, "start"), name="p")
        self.optimizer = optimizer([self.param], **hyper)
        self.max_abs, self.max_loss = float(max_abs), float(max_loss)
        with np.errstate(all="ignore"):
            f0, g0 = surface.f(self.param.data), surface.grad(self.param.data)
        self._points = [self.param.data.copy()]
        self._losses = [f0]
        self._grads = [g0]
        self.reason = self._check(self.param.data, f0, g0)
        if self.reason:
            raise ValueError(f"Descent: the start {tuple(self.param.data)} is already outside "
                             f"the finite world: {self.reason}")
        self.diverged = False

    def _check(self, p: np.ndarray, f: float, g: np.ndarray) -> str:
        if not np.all(np.isfinite(p)):
            return _("p became NaN or infinite")
        if np.abs(p).max() > self.max_abs:
            return _("p went beyond ±{limit:g}").format(limit=self.max_abs)
        if not math.isfinite(f):
            return _("the loss became {f}").format(f=f)
        if abs(f) > self.max_loss:
            return _("the loss went beyond ±{limit:g}").format(limit=self.max_loss)
        if not np.all(np.isfinite(g)):
            return _("the gradient became NaN or infinite")
        return ""

    def run(self, steps: int) -> Trajectory:
        """Takes up to ``steps`` more steps (fewer when it diverges) and returns the whole
        trajectory so far."""
        steps = check_int("Descent.run", "steps", steps, minimum=0)
        s, p = self.surface, self.param
        with np.errstate(all="ignore"):  # overflow is detected below and reported in words
            for _step in range(steps):
                if self.diverged:
                    break
                p.grad[...] = self._grads[-1]
                self.optimizer.step()
                f = float(s._f(*p.data)) if np.all(np.isfinite(p.data)) else math.nan
                g = s.grad(p.data) if math.isfinite(f) else np.full(s.dim, math.nan)
                reason = self._check(p.data, f, g)
                if reason:
                    self.diverged = True
                    self.reason = _("diverged at step {step}: {reason}").format(
                        step=len(self._points), reason=reason)
                    break
                self._points.append(p.data.copy())
                self._losses.append(f)
                self._grads.append(g)
        return self.trajectory

    @property
    def trajectory(self) -> Trajectory:
        return Trajectory(np.array(self._points), np.array(self._losses),
                          np.array(self._grads), self.diverged, self.reason,
                          repr(self.optimizer))


def descend(surface: Surface, start=None, steps: int = 50, optimizer: OptimizerFactory = SGD,
            **hyper) -> Trajectory:
    """Runs ``optimizer(params, **hyper)`` from ``start`` (default: the surface's) for
    ``steps`` steps and returns the Trajectory (see ``Descent``)."""
    return Descent(surface, start, optimizer, **hyper).run(steps)


def run_gd(A: np.ndarray, p0: np.ndarray, lr: float, steps: int) -> np.ndarray:
    """Gradient descent on the bowl f(p) = 1/2 p^T A p, whose gradient is A p: the trajectory,
    p0 and then the point after each step (gd_step), an array of shape (steps + 1, 2)."""
    points = [p0.copy()]
    p = p0.copy()
    for _step in range(steps):
        p = gd_step(p, A @ p, lr)
        points.append(p)
    return np.array(points)


# --- in words ------------------------------------------------------------------------------

@dataclass(frozen=True)
class RunVerdict:
    """What a run did, in words.

    kind:  "converged", "too slow", "oscillating", "diverged" or "escaped" (left downhill on
           a surface without a minimum)
    steps: the steps it counts (to converge, or until it diverged, else all)
    final_loss, text: the last loss and one or two sentences for a status line
    """

    kind: str
    steps: int
    final_loss: float
    text: str


def _fmt(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 1e4 else f"{v:.2e}"


def _where(p: np.ndarray) -> str:
    return "(" + ", ".join(f"{round(float(v), 2) + 0.0:.2f}" for v in p) + ")"


def _n_steps(n: int) -> str:
    return ngettext("{n} step", "{n} steps", n).format(n=n)


# the kinds of RunVerdict (keys: a widget chooses its colours by them), translated where drawn
KINDS = (N_("converged"), N_("too slow"), N_("oscillating"), N_("diverged"), N_("escaped"))


def _why(reason: str) -> str:
    """What made a run stop, from its reason "diverged at step k: what" (in any language)."""
    return re.split(r": |：", reason, maxsplit=1)[-1]


def _share_reversed(dots: np.ndarray) -> float:
    """The share of successive steps that reversed direction (a negative dot product of
    one step with the next); 0 for a run too short to have a pair."""
    return float(np.mean(dots < 0)) if len(dots) else 0.0


def describe_run(surface: Surface, run: Trajectory, gtol: float = 1e-3,
                 zigzag: float = 0.5) -> RunVerdict:
    """Classifies a run: converged (the gradient norm fell below ``gtol`` and stayed there),
    diverged (left the finite world, or the loss grew), oscillating (in the second half of the
    run, at least ``zigzag`` of the successive steps reversed direction), escaped (a surface
    with no minimum, left downhill) or too slow (still on its way)."""
    k, losses = run.steps, run.losses
    final = float(losses[-1])
    gnorm = np.linalg.norm(run.grads, axis=1)
    lr_hint = ""
    try:
        lr_max = surface.max_stable_lr(run.points[0])
        if math.isfinite(lr_max):
            lr_hint = _(" Near the start plain gradient descent is stable only for a learning "
                        "rate below 2/λ_max = {lr_max:.3g} (λ_max: the steepest curvature)."
                        ).format(lr_max=lr_max)
    except (NotImplementedError, np.linalg.LinAlgError):
        pass

    if run.diverged:
        if surface.f_min is None and final < losses[0]:
            return RunVerdict("escaped", k + 1, final, _(
                "escaped after {steps}: the loss fell without end (last kept f = {f}); this "
                "surface has no lowest point.").format(steps=_n_steps(k + 1), f=_fmt(final)))
        return RunVerdict("diverged", k + 1, final, _(
            "diverged after {steps}: {why} (last finite loss {f}). The steps overshoot more and "
            "more: lower the learning rate.{hint}").format(
                steps=_n_steps(k + 1), why=_why(run.reason), f=_fmt(final), hint=lr_hint))
    if k == 0:
        return RunVerdict("too slow", 0, final,
                          _("no step taken yet: f = {f}.").format(f=_fmt(final)))

    steps_ = np.diff(run.points, axis=0)
    dots = np.einsum("ij,ij->i", steps_[1:], steps_[:-1])
    reversing = _share_reversed(dots[len(dots) // 2:])

    below = gnorm <= gtol
    if below[-1]:
        first = k - int(np.argmin(below[::-1])) + 1 if not below.all() else 0
        m = surface.nearest_minimum(run.points[-1])
        wiggle = _(" (zig-zagging on the way)") if _share_reversed(dots) >= 0.3 else ""
        if m is None or np.linalg.norm(run.points[-1] - m) > 1e-2:
            where = _("a flat point {p} where the gradient is zero but that is not a minimum "
                      "(a saddle point)").format(p=_where(run.points[-1]))
        else:
            where = _("the minimum {p}").format(p=_where(m))
            if surface.f_min is not None and surface.f(m) > surface.f_min + 1e-9:
                where = _("a local minimum {p}; another valley is lower (f = {f})").format(
                    p=_where(m), f=_fmt(surface.f_min))
        return RunVerdict("converged", first, final, _(
            "converged in {steps}{wiggle} to {where}; final loss {f}.").format(
                steps=_n_steps(first), wiggle=wiggle, where=where, f=_fmt(final)))
    grew = final > losses[0] + 1e-9 * abs(losses[0]) + 1e-12
    if grew and (surface.f_min is not None or reversing >= zigzag):
        return RunVerdict("diverged", k, final, _(
            "diverging: in {steps} the loss grew from {f0} to {f}; every step overshoots "
            "further. Lower the learning rate.{hint}").format(
                steps=_n_steps(k), f0=_fmt(float(losses[0])), f=_fmt(final), hint=lr_hint))
    if surface.f_min is None and final < losses[0] and gnorm[-1] > gnorm[len(gnorm) // 2]:
        return RunVerdict("escaped", k, final, _(
            "escaping after {steps}: the loss keeps falling (f = {f}) because this surface "
            "has no lowest point.").format(steps=_n_steps(k), f=_fmt(final)))
    if reversing >= zigzag:
        return RunVerdict("oscillating", k, final, _(
            "oscillating after {steps}: each step jumps across the valley and back (final "
            "loss {f}). A smaller learning rate would settle it.{hint}").format(
                steps=_n_steps(k), f=_fmt(final), hint=lr_hint))
    return RunVerdict("too slow", k, final, _(
        "too slow: after {steps} the loss is {f} and still falling (gradient norm {g}). A "
        "larger learning rate or more steps would get there.").format(
            steps=_n_steps(k), f=_fmt(final), g=_fmt(float(gnorm[-1]))))
