"""Lesson 09's drawing and widget: the race plots draw what they say, and the optimizers widget
reports converged / too slow / oscillating / diverged / stuck at a saddle in words; the
lesson's claims about first steps, computed independently of labkit's optimizers."""
from __future__ import annotations

from functools import partial

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import labkit as lk  # noqa: E402
from labkit.core.schedules import cosine_annealing_lr, step_lr  # noqa: E402
from labkit.lessons.gradient_descent.compute import descend, describe_run, get_surface  # noqa: E402
from labkit.lessons.gradient_descent.figures import loss_gap  # noqa: E402
from labkit.lessons.optimizers.figures import (  # noqa: E402
    OPTIMIZER_COLORS,
    OTHER_COLORS,
    optimizer_colors,
    plot_paths,
    plot_race,
    plot_schedules,
)
from labkit.lessons.optimizers.widget import (  # noqa: E402
    LAB_SURFACES,
    OPTIMIZERS,
    at_saddle,
    optimizer_settings,
    optimizers_lab,
    run_verdict,
)
from labkit.widgets.drive import random_settings, sweep  # noqa: E402

START = (-2.5, 1.0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def lab():
    return optimizers_lab(optimizer="momentum", surface="ravine", lr=0.02, steps=100)


def path_axes(lab):
    (ax,) = [ax for ax in lab.view.fig.axes[:-1] if ax.get_visible()]
    return ax


def run_of(name, surface, lr, beta1=0.9, beta2=0.999, steps=100, start=START):
    make, hyper = optimizer_settings(name, lr, beta1, beta2)
    return descend(get_surface(surface), start, steps, make, **hyper)


# --- the widget ---------------------------------------------------------------------------

def test_optimizer_settings_map_the_sliders_to_each_optimizer():
    assert optimizer_settings("SGD", 0.1, 0.9, 0.99) == (lk.SGD, {"lr": 0.1})
    assert optimizer_settings("momentum", 0.1, 0.8, 0.99) == (
        lk.SGD, {"lr": 0.1, "momentum": 0.8, "nesterov": False})
    assert optimizer_settings("Nesterov", 0.1, 0.8, 0.99)[1]["nesterov"] is True
    assert optimizer_settings("Nesterov", 0.1, 0.0, 0.99) == (lk.SGD, {"lr": 0.1})
    assert optimizer_settings("RMSprop", 0.1, 0.8, 0.95) == (lk.RMSprop,
                                                             {"lr": 0.1, "alpha": 0.95})
    assert optimizer_settings("Adam", 0.1, 0.8, 0.95) == (lk.Adam,
                                                          {"lr": 0.1, "betas": (0.8, 0.95)})
    with pytest.raises(ValueError, match="unknown optimizer 'adagrad'"):
        optimizer_settings("adagrad", 0.1, 0.9, 0.9)


@pytest.mark.parametrize("name,lr,beta1,kind,level", [
    ("SGD", 0.02, 0.9, "too slow", "info"),
    ("momentum", 0.02, 0.8, "converged", "info"),
    ("momentum", 0.3, 0.9, "oscillating", "warning"),
    ("momentum", 0.4, 0.9, "diverged", "warning"),
    ("RMSprop", 0.05, 0.9, "converged", "info"),
])
def test_widget_says_what_the_optimizer_did(lab, name, lr, beta1, kind, level):
    lab.set(optimizer=name, lr=lr, beta1=beta1, beta2=0.99, surface="ravine", steps=100,
            x0=START[0], y0=START[1])
    verdict = describe_run(get_surface("ravine"), run_of(name, "ravine", lr, beta1, 0.99))
    status = lab.last_status
    assert verdict.kind == kind
    assert status.text.startswith(verdict.text) and status.level == level
    assert f"{verdict.steps} step" in status.text
    assert lab.view.fig.axes[-1].get_title() == f"{name}, η = {lr:.3g}: {kind}"


def test_widget_draws_the_path_in_the_optimizers_color(lab):
    lab.set(optimizer="Adam", lr=0.05, beta1=0.9, beta2=0.999, surface="ravine", steps=80,
            x0=START[0], y0=START[1])
    run = run_of("Adam", "ravine", 0.05, steps=80)
    path = path_axes(lab).lines[-3]
    np.testing.assert_allclose(np.c_[path.get_data()], run.points)
    assert matplotlib.colors.same_color(path.get_color(), OPTIMIZER_COLORS["Adam"])
    t, gap = lab.view.fig.axes[-1].lines[0].get_data()
    np.testing.assert_allclose(gap, loss_gap(run, 0.0))
    assert matplotlib.colors.same_color(lab.view.fig.axes[-1].lines[0].get_color(),
                                        OPTIMIZER_COLORS["Adam"])


def test_a_diverging_run_is_a_warning_with_finite_lines(lab):
    lab.set(optimizer="SGD", lr=10.0, surface="rosenbrock", steps=100, x0=-1.5, y0=2.0)
    status = lab.last_status
    assert status.level == "warning" and status.text.startswith("diverged after")
    for ax in (path_axes(lab), lab.view.fig.axes[-1]):
        for line in ax.lines:
            assert np.all(np.isfinite(np.asarray(line.get_xydata(), dtype=float)))
    end = path_axes(lab).lines[-1]
    assert len(end.get_xdata()) == 1           # the cross where it left the finite world


def test_stuck_at_a_saddle_is_said_and_escaping_is_not(lab):
    lab.set(optimizer="SGD", lr=0.1, surface="saddle", steps=150, x0=-1.8, y0=0.0)
    assert lab.last_status.level == "warning"
    assert lab.last_status.text.startswith("stuck at a saddle point: converged in")
    assert "stuck at a saddle" in lab.view.fig.axes[-1].get_title()
    lab.set(y0=0.05)
    assert lab.last_status.text.startswith("escap")
    assert lab.view.fig.axes[-1].get_yscale() == "linear"


def test_at_saddle_uses_the_curvature_where_the_run_ended():
    saddle, bowl = get_surface("saddle"), get_surface("bowl")
    assert at_saddle(saddle, descend(saddle, (-1.0, 0.0), 200, lr=0.1))
    assert not at_saddle(bowl, descend(bowl, (-1.0, 0.5), 200, lr=0.1))
    kind, status = run_verdict(bowl, descend(bowl, (-1.0, 0.5), 200, lr=0.1))
    assert kind == "converged" and status.level == "info"


def test_unused_sliders_are_named(lab):
    lab.set(optimizer="SGD", lr=0.02, surface="ravine", steps=50, x0=START[0], y0=START[1])
    assert "β₁ and β₂ are not used by plain SGD" in lab.last_status.text
    lab.set(optimizer="Adam")
    assert "not used" not in lab.last_status.text
    lab.set(optimizer="Nesterov", beta1=0.0)
    assert "with μ = 0 Nesterov is plain SGD" in lab.last_status.text
    sgd = run_of("SGD", "ravine", 0.02, steps=50)
    np.testing.assert_allclose(np.c_[path_axes(lab).lines[-3].get_data()], sgd.points)


def test_switching_surface_shows_that_surface_only(lab):
    for name in LAB_SURFACES:
        lab.set(surface=name)
        ax = path_axes(lab)
        assert ax.get_label() == name and ax.get_title() == get_surface(name).formula
        assert lab.last_status.level != "error"


def test_every_setting_is_drawn_without_an_error(lab):
    images = set()
    for setting, status in sweep(lab):
        assert status.level != "error", (setting, status)
        assert status.text
        images.add(lab.view.image.value)
    assert len(images) > 12
    for setting, status in random_settings(lab, 5, np.random.default_rng(9)):
        assert status.level != "error", (setting, status)
        for ax in (path_axes(lab), lab.view.fig.axes[-1]):
            for line in ax.lines:
                assert np.all(np.isfinite(np.asarray(line.get_xydata(), dtype=float)))


def test_widget_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown optimizer 'adagrad'"):
        optimizers_lab(optimizer="adagrad")
    with pytest.raises(ValueError, match="unknown surface 'quartic'"):
        optimizers_lab(surface="quartic")
    assert set(OPTIMIZERS) == set(OPTIMIZER_COLORS)


# --- the plots ------------------------------------------------------------------------------

def five_runs(surface="ravine", start=START, steps=30):
    makers = {"SGD": lk.SGD, "momentum": partial(lk.SGD, momentum=0.9), "Adam": lk.Adam,
              "mine": lk.SGD}
    s = get_surface(surface)
    return s, {name: descend(s, start, steps, make, lr=0.05) for name, make in makers.items()}


def test_optimizer_colors_known_names_then_others():
    colors = optimizer_colors(["Adam", "mine", "SGD", "yours"])
    assert colors["Adam"] == OPTIMIZER_COLORS["Adam"]
    assert colors["SGD"] == OPTIMIZER_COLORS["SGD"]
    assert colors["mine"] == OTHER_COLORS[0] and colors["yours"] == OTHER_COLORS[1]


def test_plot_paths_draws_every_run_from_the_start():
    s, runs = five_runs()
    ax = plot_paths(s, runs)
    assert ax.get_title() == s.formula and ax.collections           # the contours
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(runs)
    paths = [line for line in ax.lines if line.get_label() in runs]
    assert len(paths) == len(runs)
    for line in paths:
        np.testing.assert_allclose(np.c_[line.get_data()], runs[line.get_label()].points)
        assert matplotlib.colors.same_color(line.get_color(),
                                            optimizer_colors(runs)[line.get_label()])
    assert ax.figure.get_size_inches().tolist() == [6.0, 4.0]


def test_plot_paths_refuses_what_it_cannot_draw():
    s, runs = five_runs()
    with pytest.raises(ValueError, match="is 1-D"):
        plot_paths(get_surface("parabola"), runs)
    with pytest.raises(ValueError, match="no runs"):
        plot_paths(s, {})
    with pytest.raises(TypeError, match=r"runs\['x'\] must be a Trajectory"):
        plot_paths(s, {"x": runs["SGD"].points})


def test_plot_race_has_paths_and_matching_loss_curves():
    s, runs = five_runs()
    ax_path, ax_loss = plot_race(s, runs, title="race")
    assert ax_path.get_title() == "race" and ax_path.get_legend() is None
    assert ax_loss.get_yscale() == "log"
    assert [t.get_text() for t in ax_loss.get_legend().get_texts()] == list(runs)
    for line, (name, run) in zip(ax_loss.lines, runs.items()):
        np.testing.assert_allclose(line.get_ydata(), loss_gap(run, s.f_min))
        assert matplotlib.colors.same_color(line.get_color(), optimizer_colors(runs)[name])
    saddle, escaping = five_runs("saddle", (-1.8, 0.01), 40)
    _, ax_loss = plot_race(saddle, escaping)
    assert ax_loss.get_yscale() == "symlog"
    np.testing.assert_allclose(ax_loss.lines[0].get_ydata(), escaping["SGD"].losses)


def test_plot_schedules_draws_eta_t():
    schedules = {"step": lambda t: step_lr(0.2, t, step_size=5, gamma=0.5),
                 "cosine": lambda t: cosine_annealing_lr(0.2, t, T_max=20)}
    ax = plot_schedules(schedules, 20)
    for line, schedule in zip(ax.lines, schedules.values()):
        t, eta = line.get_data()
        np.testing.assert_array_equal(t, np.arange(20))
        np.testing.assert_allclose(eta, [schedule(int(k)) for k in t])
    assert ax.get_xlabel() == "step t" and "η_t" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["step", "cosine"]
    with pytest.raises(ValueError, match="steps must be an int >= 1"):
        plot_schedules(schedules, 0)


# --- the lesson's claims, from the rules written out by hand ---------------------------------

def test_first_steps_on_the_ravine():
    """Section 7: one step from (-2.5, 1) with eta = 0.05, each rule by hand."""
    eta, g = 0.05, np.array([-2.5, 10.0])
    expected = {
        "SGD": -eta * g,
        "momentum": -eta * g,                                  # v = g at the first step
        "Nesterov": -eta * (g + 0.9 * g),
        "RMSprop": -eta * g / (np.sqrt(0.01 * g ** 2) + 1e-8),  # s = (1 - 0.99) g^2
        "Adam": -eta * g / (np.abs(g) + 1e-8),                 # m_hat = g, s_hat = g^2 at t = 1
    }
    for name, step in expected.items():
        run = run_of(name, "ravine", eta, 0.9, 0.99 if name == "RMSprop" else 0.999, steps=1)
        np.testing.assert_allclose(run.points[1] - run.points[0], step, rtol=1e-9)
    np.testing.assert_allclose(np.abs(expected["RMSprop"]), 10 * eta, rtol=1e-6)
    np.testing.assert_allclose(np.abs(expected["Adam"]), eta, rtol=1e-6)


def test_adam_without_bias_correction_takes_longer_first_steps():
    """Section 9: with g = 1 constant, the uncorrected step is eta (1 - b1^t) / sqrt(1 - b2^t);
    Adam's own step stays eta."""
    t = np.arange(1, 3001)
    uncorrected = (1 - 0.9 ** t) / np.sqrt(1 - 0.999 ** t)
    assert uncorrected[0] == pytest.approx(0.1 / np.sqrt(0.001))
    assert int(np.argmax(uncorrected)) + 1 == 12 and uncorrected.max() == pytest.approx(6.57,
                                                                                          abs=0.01)
    p = lk.Parameter(np.zeros(1))
    opt = lk.Adam([p], lr=0.01)
    for _ in range(50):
        before = p.data[0]
        p.grad[...] = 1.0
        opt.step()
        assert before - p.data[0] == pytest.approx(0.01, rel=1e-6)
