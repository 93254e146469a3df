"""Lesson 08 (vanishing and exploding gradients): the widget's words and drawing, its runs,
and the stored notebook. nbval re-runs the notebook and compares its text outputs; these
tests check what nbval cannot: that the widget says the right thing for each kind of setting.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pytest

matplotlib.use("Agg")

import labkit as lk  # noqa: E402
from labkit.core.train import History  # noqa: E402
from labkit.diagnostics import GradientProfile  # noqa: E402
from labkit.lessons.vanishing_exploding.compute import MLPSettings  # noqa: E402
from labkit.lessons.vanishing_exploding.widget import (  # noqa: E402
    CHANCE,
    RunResult,
    describe,
    run_setting,
    vanishing_lab,
)
from labkit.widgets.drive import random_settings, sweep  # noqa: E402

LESSON = Path(__file__).resolve().parents[1] / "lessons" / "08_vanishing_exploding.ipynb"


@pytest.fixture(scope="module")
def lab():
    return vanishing_lab()


@pytest.fixture(scope="module")
def moons():
    return lk.make_moons(64, noise=0.1, rng=0)


def result(signal, losses=(0.7, 0.5, 0.4, 0.3), diverged_at=None, clip=0.0, clipped=0):
    profile = GradientProfile(0.7, np.asarray(signal, dtype=float), np.ones(len(signal) + 1))
    return RunResult(profile, History(loss=list(losses)), diverged_at, clipped, clip)


# --- the words ------------------------------------------------------------------------------
@pytest.mark.parametrize("first, word, level", [
    (1e-12, "Vanishing", "warning"), (1e-2, "Shrinking", "info"), (0.5, "Healthy", "info"),
    (1e2, "Growing", "info"), (1e6, "Exploding", "warning")])
def test_describe_names_the_kind_from_the_first_over_last_ratio(first, word, level):
    status = describe(result([first, 1.0]))
    assert status.text.startswith(word) and status.level == level
    assert "the loss goes from 0.7 to 0.4 in 4 steps" in status.text


def test_describe_gives_the_ratio_as_a_power_of_ten_and_the_factor_per_layer():
    signal = 0.1 ** np.arange(12, -1, -1)          # 13 layers, ×0.1 per layer: 1e-12 overall
    text = describe(result(signal)).text
    assert "receives 1e-12 times the gradient of the last" in text
    assert "×0.10 per layer" in text
    assert "receives 0.5 times" in describe(result([0.5, 1.0])).text
    assert "receives 132 times" in describe(result([132.0, 1.0])).text


def test_describe_says_where_a_run_diverged_and_what_to_try():
    status = describe(result([0.5, 1.0], losses=(0.7, 3.0, float("nan")), diverged_at=3))
    assert status.text.startswith("Diverged at step 3") and status.level == "warning"
    assert "TrainingDiverged" in status.text and "gradient clipping" in status.text


def test_describe_reports_clipping_overflow_and_a_loss_that_does_not_fall():
    text = describe(result([0.5, 1.0], clip=1.0, clipped=7)).text
    assert "Clipping at 1 shortened 7 of 4 steps." in text
    assert describe(result([np.inf, 1.0])).text.startswith("Exploding: the gradient overflows")
    flat = describe(result([0.5, 1.0], losses=(0.69, 0.69, 0.69, 0.69))).text
    assert flat.endswith("The loss hardly moves.")
    rising = describe(result([0.5, 1.0], losses=(0.7, 0.9, 1.0, 1.2))).text
    assert "try a smaller learning rate" in rising


# --- the runs -------------------------------------------------------------------------------
def test_run_setting_profiles_then_trains(moons):
    X, y = moons
    settings = MLPSettings(depth=4, width=8, activation="relu", init="he")
    r = run_setting(settings, X, y, lr=0.05, steps=12)
    assert r.diverged_at is None and len(r.history.loss) == 12
    assert r.profile.signal.shape == (4,) and r.profile.loss == pytest.approx(r.history.loss[0])


def test_run_setting_counts_the_clipped_steps(moons):
    X, y = moons
    settings = MLPSettings(depth=6, width=8, activation="relu", init="he", scale=2.0)
    r = run_setting(settings, X, y, lr=0.01, clip=1.0, steps=10)
    totals = np.sqrt(sum(np.square(v) for v in r.history.grad_norms.values()))
    assert r.clipped_steps == int(np.sum(totals > 1.0)) > 0


def test_run_setting_catches_a_divergence(moons):
    X, y = moons
    settings = MLPSettings(depth=20, width=16, activation="relu", init="he", scale=4.0)
    r = run_setting(settings, X, y, lr=0.05, steps=30)
    assert r.diverged_at is not None and len(r.history.loss) == r.diverged_at
    assert not np.isfinite(r.history.loss[-1]) or not all(
        np.isfinite(v[-1]) for v in r.history.grad_norms.values())


# --- the widget -----------------------------------------------------------------------------
def test_widget_starts_vanishing_and_draws_the_profile(lab):
    assert lab.last_status.text.startswith("Vanishing") and lab.last_status.level == "warning"
    now = lab.view.fig.axes[0].lines[1]
    assert np.allclose(now.get_ydata(), lab.result.profile.signal)
    loss_line = lab.view.fig.axes[1].lines[0]
    assert np.allclose(loss_line.get_ydata(), lab.result.history.loss)
    assert lab.view.image.value[:4] == b"\x89PNG"
    assert repr(lab) == "<labkit widget: vanishing and exploding gradients>"


@pytest.mark.parametrize("setting, word", [
    ({"activation": "relu", "init": "he"}, "Healthy"),
    ({"activation": "sigmoid", "residual": True}, "Healthy"),
    ({"activation": "relu", "init": "he", "scale": 4.0}, "Diverged at step"),
    ({"activation": "relu", "init": "he", "scale": 4.0, "clip": 1.0}, "Exploding"),
    ({"activation": "relu", "init": "he", "scale": 0.25}, "Vanishing"),
])
def test_widget_says_what_happens(setting, word):
    lab = vanishing_lab(**{"depth": 12, **setting})
    assert lab.last_status.text.startswith(word), lab.last_status.text


def test_the_previous_setting_stays_in_grey_for_comparison(lab):
    before = lab.result.profile.signal.copy()
    limits = [(ax.get_xlim(), ax.get_ylim()) for ax in lab.view.fig.axes]
    lab.set(activation="relu", init="he", depth=20)
    previous = lab.view.fig.axes[0].lines[0]
    assert np.allclose(previous.get_ydata(), before)
    # fixed axes: settings compare at a glance, and a redraw only moves the lines
    assert [(ax.get_xlim(), ax.get_ylim()) for ax in lab.view.fig.axes] == limits
    lab.set(activation="sigmoid", init="default", depth=12)


def test_values_beyond_the_axes_are_drawn_on_its_edge():
    lab = vanishing_lab(depth=20, activation="sigmoid", scale=0.25)
    assert lab.result.profile.signal[0] < 1e-24
    y = lab.view.fig.axes[0].lines[1].get_ydata()
    assert y[0] == lab.view.fig.axes[0].get_ylim()[0] and y[-1] > y[0]


def test_batch_norm_rescues_the_vanishing_sigmoid_net():
    plain = vanishing_lab(depth=20)
    bn = vanishing_lab(depth=20, batch_norm=True)
    assert plain.result.profile.ratio() < 1e-12 < 1e-1 < bn.result.profile.ratio()
    assert bn.result.history.loss[-1] < 0.8 * CHANCE < plain.result.history.loss[-1]


def test_every_setting_is_drawn_without_an_error(lab):
    images = set()
    for values, status in sweep(lab):
        assert status.level != "error", (values, status)
        assert status.text
        images.add(lab.view.image.value)
    assert len(images) > 10
    for values, status in random_settings(lab, 3, np.random.default_rng(8)):
        assert status.level != "error", (values, status)


def test_presets_round_trip(lab, tmp_path):
    lab.set(activation="leaky_relu", init="he", lr=0.3)
    path = lab.save_preset(tmp_path / "diverges.json")
    other = vanishing_lab()
    other.load_preset(path)
    assert other.values == lab.values
    assert other.last_status.text == lab.last_status.text
    lab.set(activation="sigmoid", init="default", lr=0.05)


def test_the_live_budget_stays_small(lab):
    # redraw times are measured outside the tests; these bounds keep every setting small
    assert lab.controls["depth"].max <= 20 and lab.width <= 32 and lab.steps <= 40
    assert len(lab.X) <= 128


@pytest.mark.parametrize("kwargs, message", [
    ({"depth": 30}, "depth must be an int in"), ({"activation": "softsign"}, "activation"),
    ({"init": "glorot"}, "init must be one of"), ({"scale": 10.0}, "scale must be"),
    ({"clip": 5.0}, "clip must be one of"), ({"lr": 3.0}, "lr must be"),
    ({"width": 0}, "width must be")])
def test_bad_arguments_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        vanishing_lab(**kwargs)


# --- the stored notebook --------------------------------------------------------------------
@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(LESSON, as_version=4)


def test_the_lesson_is_stored_executed_without_errors_or_warnings(notebook):
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(c.execution_count is not None for c in code)
    for c in code:
        kinds = {o.output_type for o in c.outputs}
        assert "error" not in kinds, c.source[:60]
        assert not any(o.output_type == "stream" and o.name == "stderr" for o in c.outputs), \
            c.source[:60]
    figures = [o.data["text/plain"] for c in code for o in c.outputs
               if "data" in o and "image/png" in o.data]
    assert len(figures) >= 8
    assert all(f.startswith("<Figure size ") for f in figures)


def test_the_lesson_has_its_parts(notebook):
    text = "\n".join(c.source for c in notebook.cells)
    for part in ("**You will learn**", "## 1. The product effect", "Check yourself",
                 "gradient_profile", "plot_gradient_norms", "plot_activation_histograms",
                 "plot_monitor", "lk.TrainingDiverged", "clip=", "residual=True",
                 "batch_norm=True", 'init="xavier"', 'init="he"', "LSTM", "GRU",
                 "vanishing_lab("):
        assert part in text, part


def test_the_lesson_prints_each_remedys_measurements(notebook):
    out = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code"
                  for o in c.outputs)
    assert "first/last 2.6e-17, ×0.13 per layer" in out        # the vanishing sigmoid net
    for label in ("ReLU, He init", "sigmoid, residual", "sigmoid, batch norm",
                  "tanh, Xavier init, lr 0.01", "leaky ReLU, He, lr 0.1, clip 0.25"):
        assert label in out, label
    assert "diverged at step" in out


# --- the lesson's training runs and rounding ------------------------------------------------
def lesson_run(settings, lr=0.05, clip=None):
    """The lesson's ``train``: SGD + momentum 0.9, 40 epochs of 4 batches of 50 moons."""
    X, y = lk.make_moons(200, noise=0.1, rng=0)
    net = settings.build(rng=0)
    optimizer = lk.SGD(net.parameters(), lr=lr, momentum=0.9)
    return lk.fit(net, lk.CrossEntropyLoss(), optimizer, X, y, epochs=40, batch_size=50, rng=0,
                  clip_norm=clip)


def nudge_linear_outputs(monkeypatch, direction=np.inf):
    """Every Linear output one ulp larger (or smaller, direction -inf): what another CPU or
    BLAS summation order may do."""
    forward = lk.Linear.forward
    monkeypatch.setattr(lk.Linear, "forward",
                        lambda self, x: np.nextafter(forward(self, x), direction))


def test_the_printed_last_epoch_losses_do_not_depend_on_the_last_bit(monkeypatch):
    # The lesson prints the last epoch's loss of these runs to 2 decimals; nbval compares it on
    # every machine. At lr 0.05 the tanh run is chaotic (a 1-ulp change decides whether it
    # learns), at lr 0.01 it is not; clipping at 0.25 (not 0.5) keeps the lr 0.1 run steady.
    base = MLPSettings(depth=20, width=32, activation="sigmoid")
    cases = [(base.replace(activation="tanh", init="xavier"), 0.01, None),
             (base.replace(activation="leaky_relu", init="he"), 0.1, 0.25)]
    exact = [lesson_run(s, lr, clip).epoch_loss for s, lr, clip in cases]
    nudge_linear_outputs(monkeypatch)
    nudged = [lesson_run(s, lr, clip).epoch_loss for s, lr, clip in cases]
    for a, b in zip(exact, nudged):
        assert np.allclose(a, b, rtol=0, atol=1e-6), np.abs(np.subtract(a, b)).max()
    assert exact[0][-1] < 0.5 * CHANCE and exact[1][-1] < 0.01       # both learn


def lesson_goal() -> float:
    """GOAL, the bound the lesson prints for its chaotic runs (section 8)."""
    source = next(c.source for c in nbformat.read(LESSON, 4).cells if "GOAL = " in c.source)
    return float(source.split("GOAL = ")[1].split()[0])


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_batch_norm_runs_reach_the_printed_bound_however_they_round(monkeypatch, activation):
    # Section 8's runs are chaotic: only "lowest epoch loss below GOAL" is printed for them.
    # On an AMD EPYC the sigmoid run nudged up reaches 0.217 at best (0.021 exact; 24 other
    # perturbations of one ulp: 0.010 to 0.069), so GOAL is 0.3, far below ln 2 = 0.69.
    settings = MLPSettings(depth=20, width=32, activation=activation, batch_norm=True)
    if activation == "relu":
        settings = settings.replace(init="he", scale=1.5)       # the exploding network of §6
    lowest = [min(lesson_run(settings).epoch_loss)]
    for direction in (np.inf, -np.inf):
        with monkeypatch.context() as patch:
            nudge_linear_outputs(patch, direction)
            lowest.append(min(lesson_run(settings).epoch_loss))
    goal = lesson_goal()
    assert 0.2 <= goal <= 0.5 * np.log(2)         # a bound that still says "it learns"
    assert max(lowest) < goal, lowest
