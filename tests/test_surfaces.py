"""Loss surfaces and the descent runner: gradients against finite differences, trajectories
against the update rule written out by hand (and against torch), divergence stopped cleanly,
and the verdicts in words."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import labkit as lk
from labkit.lessons.gradient_descent.compute import (
    SURFACES,
    Descent,
    Polynomial1D,
    Quadratic,
    Rosenbrock,
    descend,
    describe_run,
    get_surface,
)

ALL = sorted(SURFACES)


def window_points(s, rng, n=6):
    lo = [s.xlim[0]] + ([s.ylim[0]] if s.dim == 2 else [])
    hi = [s.xlim[1]] + ([s.ylim[1]] if s.dim == 2 else [])
    return rng.uniform(lo, hi, size=(n, s.dim))


@pytest.mark.parametrize("name", ALL)
def test_gradient_matches_finite_differences(name, rng):
    s = get_surface(name)
    for p in window_points(s, rng):
        x = p.copy()
        numeric = lk.numerical_gradient(lambda x=x: s.f(x), x, eps=1e-6)
        assert lk.relative_error(s.grad(p), numeric) < 1e-7, (name, p)


@pytest.mark.parametrize("name", ALL)
def test_hessian_matches_finite_differences_of_the_gradient(name, rng):
    s = get_surface(name)
    for p in window_points(s, rng, 4):
        x = p.copy()
        numeric = np.array([lk.numerical_gradient(lambda i=i, x=x: s.grad(x)[i], x,
                                                  eps=1e-5)
                            for i in range(s.dim)])
        assert np.allclose(s.hessian(p), numeric, rtol=1e-6, atol=1e-5), (name, p)


@pytest.mark.parametrize("name", ALL)
def test_vectorized_values_and_grads_agree_with_one_point_at_a_time(name, rng):
    s = get_surface(name)
    P = window_points(s, rng, 10)
    coords = [P[:, i] for i in range(s.dim)]
    assert np.allclose(s.values(*coords), [s.f(p) for p in P], rtol=1e-12)
    assert np.allclose(np.stack(s.grads(*coords), axis=1), [s.grad(p) for p in P], rtol=1e-12)
    grid = s.grid(30)
    assert len(grid) == s.dim + 1 and all(g.shape == grid[-1].shape for g in grid)
    assert np.all(np.isfinite(grid[-1]))


@pytest.mark.parametrize("name", ALL)
def test_minima_are_flat_and_f_min_is_the_lowest(name):
    s = get_surface(name)
    for m in s.minima:
        assert np.linalg.norm(s.grad(m)) < 1e-9
        assert np.all(np.linalg.eigvalsh(s.hessian(m)) > 0)
    if s.f_min is None:
        assert name == "saddle" and s.minima == []
    else:
        assert s.f_min == pytest.approx(min(s.f(m) for m in s.minima))
        values = s.grid(200)[-1]
        assert values.min() >= s.f_min - 1e-12


def test_the_named_surfaces_are_what_the_lessons_say():
    bowl, ravine = get_surface("bowl"), get_surface("ravine")
    assert bowl.condition_number == 1.0 and ravine.condition_number == 10.0
    assert ravine.f([1.0, 1.0]) == 5.5 and list(ravine.grad([1.0, 1.0])) == [1.0, 10.0]
    assert ravine.max_stable_lr([0.3, -0.2]) == pytest.approx(0.2)
    assert get_surface("saddle").condition_number == math.inf
    rb = get_surface("rosenbrock")
    assert rb.f([1.0, 1.0]) == 0.0 and rb.f([0.0, 0.0]) == 1.0
    q = get_surface("quartic")
    assert len(q.minima) == 2 and q.f_min == pytest.approx(q.f(q.minima[0]))
    assert get_surface("parabola").f(-1.0) == 9.0 and get_surface("parabola").grad(0.0) == [-4.0]


@pytest.mark.parametrize("name,lr", [("ravine", 0.1), ("rosenbrock", 1e-3), ("parabola", 0.3),
                                     ("saddle", 0.2)])
def test_plain_sgd_is_p_minus_lr_times_gradient(name, lr):
    s = get_surface(name)
    run = descend(s, steps=6, optimizer=lk.SGD, lr=lr)
    p = s.start.copy()
    expected = [p.copy()]
    for _ in range(6):
        p = p - lr * s.grad(p)
        expected.append(p.copy())
    assert run.steps == 6 and not run.diverged and run.reason == ""
    np.testing.assert_allclose(run.points, expected, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(run.losses, [s.f(q) for q in expected], rtol=1e-13)
    np.testing.assert_allclose(run.grads, [s.grad(q) for q in expected], rtol=1e-13)
    assert run.final_loss == run.losses[-1] and np.array_equal(run.final_point, run.points[-1])


def test_the_first_steps_on_the_ravine_by_hand():
    # f = 1/2 (x^2 + 10 y^2), grad = (x, 10 y); eta = 0.1 from (-2.5, 1):
    # x <- 0.9 x, y <- 0 y  (the y-direction is solved in one step at eta = 1/lambda_y)
    run = descend(get_surface("ravine"), (-2.5, 1.0), steps=3, lr=0.1)
    np.testing.assert_allclose(run.points, [[-2.5, 1.0], [-2.25, 0.0], [-2.025, 0.0],
                                            [-1.8225, 0.0]], atol=1e-15)


def test_momentum_follows_the_heavy_ball_rule():
    s, lr, mu = get_surface("ravine"), 0.05, 0.9
    run = descend(s, steps=8, optimizer=lk.SGD, lr=lr, momentum=mu)
    p, v = s.start.copy(), None
    for t in range(8):
        g = s.grad(p)
        v = g if v is None else mu * v + g
        p = p - lr * v
        np.testing.assert_allclose(run.points[t + 1], p, rtol=1e-13)


def test_adam_on_rosenbrock_matches_torch():
    torch = pytest.importorskip("torch")
    s = get_surface("rosenbrock")
    run = descend(s, steps=40, optimizer=lk.Adam, lr=0.05)
    p = torch.tensor(s.start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.05)
    for t in range(40):
        opt.zero_grad()
        loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
        loss.backward()
        opt.step()
        np.testing.assert_allclose(run.points[t + 1], p.detach().numpy(), rtol=1e-10)


def test_a_run_resumes_and_hyperparameters_change_mid_run():
    s = get_surface("rosenbrock")
    walk = Descent(s, optimizer=lk.Adam, lr=0.05)
    walk.run(5)
    whole = walk.run(7)
    assert whole.steps == 12
    np.testing.assert_array_equal(whole.points, descend(s, steps=12, optimizer=lk.Adam,
                                                        lr=0.05).points)
    walk = Descent(get_surface("ravine"), optimizer=lk.SGD, lr=0.1)
    walk.run(2)
    walk.optimizer.lr = 0.01
    p = walk.trajectory.final_point
    after = walk.run(1).final_point
    np.testing.assert_allclose(after, p - 0.01 * get_surface("ravine").grad(p))


def test_an_optimizer_factory_works_too():
    run = descend(get_surface("bowl"), steps=3,
                  optimizer=lambda params: lk.SGD(params, lr=0.5))
    np.testing.assert_allclose(run.points[-1], get_surface("bowl").start * 0.5 ** 3)


@pytest.mark.parametrize("name,lr", [("ravine", 0.25), ("rosenbrock", 0.05), ("quartic", 0.5),
                                     ("bowl", 5.0), ("parabola", 1.5)])
def test_divergence_stops_with_a_flag_and_only_finite_numbers(name, lr):
    s = get_surface(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no overflow RuntimeWarning leaks out
        run = descend(s, steps=500, lr=lr)
    assert run.diverged and run.steps < 500 and run.diverged_at == run.steps + 1
    assert run.reason.startswith(f"diverged at step {run.steps + 1}: ")
    for arr in (run.points, run.losses, run.grads):
        assert np.all(np.isfinite(arr))
    assert np.abs(run.points).max() <= 1e6 and np.abs(run.losses).max() <= 1e12
    verdict = describe_run(s, run)
    assert verdict.kind == "diverged" and verdict.steps == run.steps + 1
    assert f"diverged after {run.steps + 1} step" in verdict.text


def test_a_diverged_walk_takes_no_more_steps():
    walk = Descent(get_surface("bowl"), lr=5.0)
    first = walk.run(100)
    again = walk.run(100)
    assert first.diverged and again.steps == first.steps


def test_divergence_limits_are_settable():
    run = Descent(get_surface("ravine"), lr=0.21, max_loss=100.0).run(200)
    assert run.diverged and "the loss went beyond ±100" in run.reason
    run = Descent(get_surface("ravine"), lr=0.21, max_abs=10.0).run(200)
    assert run.diverged and "p went beyond ±10" in run.reason


LESSON_RATES = [(0.02, "too slow"), (0.18, "converged"), (0.195, "oscillating"),
                (0.25, "diverged")]


@pytest.mark.parametrize("lr,kind", LESSON_RATES)
def test_learning_rate_regimes_on_the_ravine(lr, kind):
    s = get_surface("ravine")
    verdict = describe_run(s, descend(s, steps=50, lr=lr))
    assert verdict.kind == kind
    assert verdict.text.startswith(kind)
    assert f"{verdict.final_loss:.3g}"[:3] in verdict.text


def test_slightly_too_large_rate_is_called_diverging_before_it_blows_up():
    s = get_surface("ravine")
    run = descend(s, steps=50, lr=0.21)
    verdict = describe_run(s, run)
    assert not run.diverged and verdict.kind == "diverged"
    assert verdict.text.startswith("diverging: in 50 steps the loss grew")
    assert "2/λ_max = 0.2" in verdict.text


def test_verdicts_for_saddles_and_local_minima():
    saddle = get_surface("saddle")
    on_ridge = describe_run(saddle, descend(saddle, (-1.8, 0.0), 100, lr=0.1))
    assert on_ridge.kind == "converged" and "not a minimum (a saddle point)" in on_ridge.text
    assert "-0.00" not in on_ridge.text
    off_ridge = describe_run(saddle, descend(saddle, (-1.8, 0.05), 100, lr=0.1))
    assert off_ridge.kind == "escaped" and "no lowest point" in off_ridge.text
    far = describe_run(saddle, descend(saddle, (-1.8, 0.05), 400, lr=0.1))
    assert far.kind == "escaped" and far.text.startswith("escaped after")
    quartic = get_surface("quartic")
    right = describe_run(quartic, descend(quartic, 1.8, 60, lr=0.03))
    left = describe_run(quartic, descend(quartic, -0.5, 60, lr=0.03))
    assert right.kind == left.kind == "converged"
    assert "local minimum (1.13); another valley is lower" in right.text
    assert "to the minimum (-1.30)" in left.text
    bowl = get_surface("bowl")
    assert describe_run(bowl, descend(bowl, steps=3, lr=1.0)).text.startswith(
        "converged in 1 step ")
    assert describe_run(bowl, descend(bowl, steps=6, lr=2.0)).kind == "oscillating"


def test_a_run_of_zero_steps_is_described():
    s = get_surface("bowl")
    verdict = describe_run(s, descend(s, steps=0))
    assert verdict.steps == 0 and "no step taken" in verdict.text


def test_custom_surfaces():
    q = Quadratic([[2.0, 0.5], [0.5, 1.0]], center=[1.0, -1.0], f0=3.0)
    assert q.f([1.0, -1.0]) == 3.0 and q.f_min == 3.0
    np.testing.assert_allclose(q.grad([2.0, -1.0]), [2.0, 0.5])
    parabola = Polynomial1D([1.0, 0.0, 0.0], xlim=(-1, 1))
    assert parabola.minima[0] == pytest.approx([0.0]) and parabola.f_min == pytest.approx(0.0)
    cubic = Polynomial1D([1.0, 0.0, -1.0, 0.0])
    assert cubic.f_min is None and len(cubic.minima) == 1
    rb = Rosenbrock(a=2.0, b=10.0)
    assert rb.minima[0].tolist() == [2.0, 4.0]


def test_bad_input_is_explained():
    s = get_surface("ravine")
    with pytest.raises(ValueError, match=r"ravine: p must have shape \(2,\), got shape \(3,\)"):
        s.f([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"ravine: start must have shape \(2,\)"):
        descend(s, start=1.0)
    with pytest.raises(ValueError, match="expected 2 coordinate array"):
        s.values(np.zeros(3))
    with pytest.raises(ValueError, match="unknown surface 'everest'"):
        get_surface("everest")
    with pytest.raises(TypeError, match="surface must be a labkit Surface"):
        descend("ravine")
    opt = lk.SGD([lk.Parameter(np.zeros(2))], lr=0.1)
    with pytest.raises(TypeError, match="pass the optimizer class"):
        descend(s, optimizer=opt)
    with pytest.raises(ValueError, match="steps must be an int >= 0"):
        descend(s, steps=-1)
    with pytest.raises(ValueError, match="already outside the finite world"):
        descend(s, start=(math.nan, 0.0))
    with pytest.raises(ValueError, match="lr must be a finite number"):
        descend(s, lr=-1.0)
    with pytest.raises(ValueError, match="A must be symmetric"):
        Quadratic([[1.0, 2.0], [0.0, 1.0]])
