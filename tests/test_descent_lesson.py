"""Lesson 03's drawing and widget: the descent plots draw what they say, and the descent widget
reports converged / too slow / oscillating / diverged in words, with steps and final loss."""
from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import labkit as lk  # noqa: E402
from labkit.lessons.gradient_descent.compute import (  # noqa: E402
    SURFACES,
    Quadratic,
    descend,
    describe_run,
    get_surface,
    run_gd,
)
from labkit.lessons.gradient_descent.figures import (  # noqa: E402
    loss_gap,
    plot_gradient_arrows,
    plot_losses,
    plot_runs,
    plot_slope,
    plot_surface,
    plot_trajectory,
)
from labkit.lessons.gradient_descent.widget import descent_lab  # noqa: E402
from labkit.widgets.drive import random_settings, sweep  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def lab():
    return descent_lab(surface="ravine", lr=0.1, steps=50)


def visible_path_axes(lab):
    return [ax for ax in lab.view.fig.axes[:-1] if ax.get_visible()]


@pytest.mark.parametrize("lr,kind,level", [(0.02, "too slow", "info"),
                                           (0.18, "converged", "info"),
                                           (0.2, "oscillating", "warning"),
                                           (0.25, "diverged", "warning")])
def test_widget_says_what_the_learning_rate_did(lab, lr, kind, level):
    lab.set(surface="ravine", lr=lr, steps=50, x0=-2.5, y0=1.0)
    s = get_surface("ravine")
    verdict = describe_run(s, descend(s, (-2.5, 1.0), 50, lr=lr))
    status = lab.last_status
    assert verdict.kind == kind
    assert status.text == verdict.text and status.level == level
    assert status.text.startswith(kind)
    assert f"{verdict.steps} step" in status.text
    assert f"{verdict.final_loss:.3g}"[:4] in status.text


def test_widget_draws_the_path_and_a_finite_loss_curve(lab):
    lab.set(surface="ravine", lr=0.25, steps=80, x0=-2.5, y0=1.0)
    (ax,) = visible_path_axes(lab)
    path = ax.lines[-3]
    xs, ys = path.get_data()
    run = descend(get_surface("ravine"), (-2.5, 1.0), 80, lr=0.25)
    assert len(xs) == run.steps + 1 < 81
    np.testing.assert_allclose(np.c_[xs, ys], run.points)
    t, gap = lab.view.fig.axes[-1].lines[0].get_data()
    assert np.all(np.isfinite(gap)) and len(gap) == run.steps + 1
    assert "diverged after" in lab.last_status.text


def test_switching_surface_shows_that_surface_only(lab):
    for name in SURFACES:
        lab.set(surface=name)
        (ax,) = visible_path_axes(lab)
        assert ax.get_label() == name
        assert ax.get_title() == get_surface(name).formula
        assert lab.last_status.level != "error"
    lab.set(surface="quartic", x0=1.8, lr=0.03, steps=60)
    assert "local minimum (1.13)" in lab.last_status.text
    assert "start y is not used" in lab.last_status.text
    lab.set(surface="saddle", x0=-1.8, y0=0.0, lr=0.1, steps=150)
    assert "not a minimum (a saddle point)" in lab.last_status.text


def test_every_setting_is_drawn_without_an_error(lab):
    images = set()
    for setting, status in sweep(lab):
        assert status.level != "error", (setting, status)
        assert status.text
        images.add(lab.view.image.value)
    assert len(images) > 10
    for setting, status in random_settings(lab, 8, np.random.default_rng(3)):
        assert status.level != "error", (setting, status)
        for line in lab.view.fig.axes[-1].lines:
            assert np.all(np.isfinite(np.asarray(line.get_ydata(), dtype=float)))


def test_widget_rejects_an_unknown_surface():
    with pytest.raises(ValueError, match="unknown surface 'k2'"):
        descent_lab(surface="k2")


def test_plot_surface_draws_contours_with_equal_scales_and_marks_the_minimum():
    s = get_surface("ravine")
    ax = plot_surface(s)
    assert ax.collections, "no contour lines"
    assert ax.get_aspect() == 1.0
    assert ax.get_xlim() == s.xlim and ax.get_ylim() == s.ylim
    star = [line for line in ax.lines if line.get_marker() == "*"]
    assert len(star) == 1 and tuple(star[0].get_xydata()[0]) == (0.0, 0.0)
    assert ax.get_title() == s.formula
    assert ax.figure.get_size_inches().tolist() == [5.0, 3.5]
    curve_ax = plot_surface(get_surface("quartic"))
    x, fx = curve_ax.lines[0].get_data()
    np.testing.assert_allclose(fx, x ** 4 - 3 * x ** 2 + x)


def test_gradient_arrows_are_the_gradient_and_cross_contours_at_right_angles():
    s = get_surface("ravine")
    ax = plot_surface(s)
    q = plot_gradient_arrows(s, ax, n=5)
    X, Y = q.X.reshape(5, 5), q.Y.reshape(5, 5)
    gx, gy = s.grads(X, Y)
    np.testing.assert_allclose(q.U.reshape(5, 5), gx)
    np.testing.assert_allclose(q.V.reshape(5, 5), gy)
    # a contour's tangent at (x, y) is (-10 y, x): orthogonal to the gradient (x, 10 y)
    assert np.allclose(gx * (-10 * Y) + gy * X, 0.0)
    down = plot_gradient_arrows(s, ax, n=5, downhill=True)
    np.testing.assert_allclose(down.U.reshape(5, 5), -gx)
    with pytest.raises(ValueError, match="is 1-D"):
        plot_gradient_arrows(get_surface("parabola"), ax)


def test_plot_slope_draws_the_tangent_with_the_derivative_as_slope():
    s = get_surface("parabola")
    ax = plot_slope(s, -1.0)
    tangent = [line for line in ax.lines if line.get_linestyle() == "--"][0]
    (x0, x1), (y0, y1) = tangent.get_data()
    assert (y1 - y0) / (x1 - x0) == pytest.approx(-6.0)
    assert y0 + (-6.0) * (-1.0 - x0) == pytest.approx(s.f(-1.0))
    assert "slope f'(-1) = -6" in tangent.get_label()
    with pytest.raises(ValueError, match="is 2-D"):
        plot_slope(get_surface("bowl"), 0.0)


def test_plot_trajectory_and_losses():
    s = get_surface("ravine")
    good = descend(s, (-2.5, 1.0), 30, lr=0.18)
    bad = descend(s, (-2.5, 1.0), 100, lr=0.25)
    ax = plot_surface(s)
    line = plot_trajectory(good, s, ax)
    np.testing.assert_allclose(line.get_xydata(), good.points)
    plot_trajectory(bad, s, ax)
    assert ax.lines[-1].get_marker() == "x"             # a diverged run ends with a cross
    curve = get_surface("parabola")
    run = descend(curve, -1.0, 5, lr=0.1)
    line = plot_trajectory(run, curve, plot_surface(curve))
    np.testing.assert_allclose(line.get_ydata(), run.losses)   # drawn at height f(p)

    ax = plot_losses({"good": good, "bad": bad}, f_min=s.f_min)
    assert ax.get_yscale() == "log"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.maximum(good.losses, 1e-16))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["good", "bad"]
    ax = plot_losses(descend(get_surface("saddle"), steps=5, lr=0.1))
    assert ax.get_yscale() == "linear"
    assert np.all(loss_gap(good, 0.0) > 0)


def test_plot_runs_titles_say_verdict_steps_and_loss():
    s = get_surface("ravine")
    runs = {f"η = {lr}": descend(s, (-2.5, 1.0), 50, lr=lr) for lr in (0.02, 0.18, 0.25)}
    axes = plot_runs(s, runs)
    titles = [ax.get_title() for ax in axes]
    assert titles[0] == "η = 0.02\ntoo slow, 50 steps, loss 0.414"
    assert titles[1].startswith("η = 0.18\nconverged, 43 steps, loss ")
    assert titles[2] == "η = 0.25\ndiverged, 33 steps, loss 9.31e+11"
    assert axes[0].figure.get_size_inches().tolist() == [3.4 * 3, 3.2]


def test_lesson_one_d_table_is_the_update_rule():
    # the lesson's table: p <- p - 0.1 * 2 (p - 2) from p = -1
    run = descend(get_surface("parabola"), -1.0, 6, lk.SGD, lr=0.1)
    p, expected = -1.0, [-1.0]
    for _ in range(6):
        p = p - 0.1 * 2 * (p - 2)
        expected.append(p)
    np.testing.assert_allclose(run.points[:, 0], expected, rtol=1e-15)
    np.testing.assert_allclose(run.points[:, 0] - 2, -3 * 0.8 ** np.arange(7), rtol=1e-13)


@pytest.mark.parametrize("seed", range(5))
def test_run_gd_takes_the_steps_lk_sgd_takes_on_the_bowl(seed):
    """run_gd (exercise 03's walk, gd_step after gd_step) is the lesson's descend with lk.SGD
    on the same bowl 1/2 p^T A p."""
    rng = np.random.default_rng(seed)
    Q = rng.standard_normal((2, 2))
    A, p0 = Q @ Q.T + 0.5 * np.eye(2), rng.standard_normal(2)
    points = run_gd(A, p0, 0.05, 20)
    assert points.shape == (21, 2) and np.array_equal(points[0], p0)
    run = descend(Quadratic(A), p0, 20, lk.SGD, lr=0.05)
    np.testing.assert_allclose(points, run.points, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("steps", [1, 2])
def test_a_run_too_short_for_a_pair_of_steps_is_described_without_a_warning(steps):
    # the parabola's minimum is 2.0: the run converges at once, with no pair of steps to
    # compare for zig-zagging (numpy's "Mean of empty slice" reached the widget here)
    s = get_surface("parabola")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        verdict = describe_run(s, descend(s, (2.0,), steps, lr=0.012))
    assert verdict.kind == "converged" and "zig-zagging" not in verdict.text
