"""Lesson 06's drawing and widget: decision boundaries of any labkit net, and the batch-size
widget (training cached and resumable, divergence said in words)."""
from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import labkit as lk  # noqa: E402
from labkit.lessons.vectorization import forward_columns  # noqa: E402
from labkit.lessons.vectorization import widget as batches  # noqa: E402
from labkit.lessons.vectorization.widget import BatchRun, batches_lab, small_net  # noqa: E402
from labkit.plot.boundary import BoundaryGrid, DecisionBoundary, class_map, plot_decision_boundary  # noqa: E402
from labkit.widgets.drive import random_settings, sweep  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def lab():
    return batches_lab(batch_size=4, lr=0.3, epochs=8)


def xor():
    return lk.make_xor(32, noise=0.3, rng=0)


# --- decision boundaries ------------------------------------------------------------------

def test_grid_covers_the_data_with_a_margin():
    X, _ = lk.make_moons(50, rng=0)
    g = BoundaryGrid(X, resolution=20, margin=0.5)
    assert g.points.shape == (400, 2) and g.shape == (20, 20)
    assert g.extent[0] == pytest.approx(X[:, 0].min() - 0.5)
    assert g.extent[3] == pytest.approx(X[:, 1].max() + 0.5)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\)"):
        BoundaryGrid(np.zeros((5, 3)))


def test_class_map_is_predict_classes_for_scores_and_probabilities():
    X, _ = lk.make_moons(40, rng=0)
    g = BoundaryGrid(X, resolution=15)
    rng = np.random.default_rng(0)
    scores_net = lk.Sequential(lk.Linear(2, 6, rng=rng), lk.Tanh(), lk.Linear(6, 3, rng=rng))
    cls, conf = class_map(scores_net, g)
    np.testing.assert_array_equal(cls.ravel(), lk.predict_classes(scores_net(g.points)))
    assert conf.min() >= 0 and conf.max() <= 1
    prob_net = lk.Sequential(lk.Linear(2, 1, rng=rng), lk.Sigmoid())
    cls, conf = class_map(prob_net, g)
    np.testing.assert_array_equal(cls.ravel(), lk.predict_classes(prob_net(g.points)))
    p = prob_net(g.points)[:, 0]
    np.testing.assert_allclose(conf.ravel(), np.abs(2 * p - 1))
    assert scores_net.training and prob_net.training          # mode restored


def test_decision_boundary_panel_recolours_in_place():
    X, y = xor()
    fig, ax = plt.subplots(figsize=(4, 3))
    view = DecisionBoundary(ax, X, y, resolution=30)
    image = view.image
    assert np.all(image.get_array() == 1.0)                   # blank until a net is given
    net = small_net(0)
    cls = view.update(net)
    assert view.image is image and cls.shape == (30, 30)
    assert not np.all(image.get_array() == 1.0)
    assert view.update(None) is None and np.all(image.get_array() == 1.0)


def test_plot_decision_boundary_draws_classes_data_and_the_boundary_line():
    X, y = lk.make_moons(100, noise=0.1, rng=0)
    net = lk.Sequential(lk.Linear(2, 8, rng=0), lk.Tanh(), lk.Linear(8, 2, rng=1))
    lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=0.5), X, y, epochs=30,
           batch_size=10, rng=0)
    ax = plot_decision_boundary(net, X, y, title="moons")
    assert ax.get_title() == "moons" and ax.figure.get_size_inches().tolist() == [4.0, 3.5]
    assert len(ax.images) == 1
    assert len(ax.collections) >= 2                           # the data and the boundary line
    scatter = ax.collections[0]
    np.testing.assert_allclose(scatter.get_offsets(), X)


# --- the widget's training ------------------------------------------------------------------

def test_a_run_trained_epoch_by_epoch_equals_one_fit_call():
    X, y = xor()
    run = BatchRun(X, y, batch_size=4, lr=0.3, seed=0)
    run.train_to(5)
    net = small_net(0)
    history = lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=0.3), X, y,
                     epochs=5, batch_size=4, rng=np.random.default_rng(1))
    assert run.step_loss == history.loss and run.epochs_done == 5
    for p, q in zip(run.net.parameters(), net.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_a_run_extends_and_rewinds():
    X, y = xor()
    long = BatchRun(X, y, 1, 0.3)
    long.train_to(6)
    short = BatchRun(X, y, 1, 0.3)
    short.train_to(2)
    assert long.epoch_loss[:3] == short.epoch_loss
    assert long.step_loss[:2 * 32] == short.step_loss
    view = long.net_at(2, small_net(5))
    for p, q in zip(view.parameters(), short.net.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    assert len(long.step_loss) == 6 * long.steps_per_epoch == 192


def test_a_diverging_run_is_caught_not_raised():
    X, y = xor()
    X = X.copy()
    X[5] = np.nan                                             # poisons the loss of a batch
    run = BatchRun(X, y, 4, 0.3)
    run.train_to(3)
    assert isinstance(run.diverged, lk.TrainingDiverged)
    assert run.epochs_done == 0 and 1 <= run.diverged.step <= run.steps_per_epoch
    run.train_to(5)                                           # stays stopped
    assert run.epochs_done == 0


# --- the widget -------------------------------------------------------------------------------

def test_widget_states_updates_epochs_loss_and_accuracy(lab):
    lab.set(batch_size=4, lr=0.3, epochs=8)
    text = lab.last_status.text
    assert text.startswith("batch size 4: 64 updates in 8 epochs (8 per epoch over the 32 "
                           "points). Loss on all points ")
    assert "accuracy" in text and "batch losses ranged from" in text
    lab.set(batch_size=32)
    assert lab.last_status.text.startswith("batch size 32: 8 updates in 8 epochs (1 per epoch")
    assert "ranged" not in lab.last_status.text                  # a full batch has no noise


def test_same_epochs_stochastic_beats_full_batch_at_a_small_learning_rate():
    X, y = xor()
    losses = {}
    for b in (1, 32):
        run = BatchRun(X, y, b, 0.3)
        run.train_to(8)
        losses[b] = run.epoch_loss[-1]
    assert losses[1] < 0.5 * losses[32]


def test_moving_epochs_reuses_the_cached_run(lab, monkeypatch):
    lab.set(batch_size=1, lr=0.2, epochs=12)
    calls = []
    real_fit = batches.fit
    monkeypatch.setattr(batches, "fit", lambda *a, **k: calls.append(1) or real_fit(*a, **k))
    lab.set(epochs=3)
    lab.set(epochs=12)
    assert calls == []                                       # nothing retrained
    assert lab.last_status.text.startswith("batch size 1: 384 updates in 12 epochs")
    steps_line = lab.view.fig.axes[0].lines[0]
    assert len(steps_line.get_xdata()) == 384


def test_training_diverged_is_said_in_words(monkeypatch):
    real_fit = batches.fit
    count = {"n": 0}

    def failing_fit(*args, **kwargs):
        count["n"] += 1
        if count["n"] == 3:
            history = lk.History(loss=[0.5, float("nan")])
            raise lk.TrainingDiverged("boom", step=2, history=history)
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(batches, "fit", failing_fit)
    lab = batches_lab(batch_size=8, lr=0.3, epochs=5)
    status = lab.last_status
    assert status.level == "warning"
    assert status.text.startswith("diverged at update 2 (epoch 1): the loss or a gradient became "
                                  "NaN or infinite, and lk.fit stopped.")
    assert "lower the learning rate" in status.text
    assert lab.view.fig.axes[1].get_title() == "no boundary: the weights blew up"
    lab.set(epochs=2)                                        # the healthy part is still shown
    assert lab.last_status.level == "info" and "in 2 epochs" in lab.last_status.text


def test_a_too_large_learning_rate_is_flagged(lab):
    lab.set(batch_size=32, lr=30.0, epochs=2)
    assert lab.last_status.level == "warning"
    assert "did not go down" in lab.last_status.text
    lab.set(epochs=12)                    # settles in the end, after jumping far up
    assert lab.last_status.level == "warning"
    assert "Unstable: on the way the loss on all points jumped to" in lab.last_status.text
    lab.set(lr=0.3)
    assert lab.last_status.level == "info"


def test_every_setting_is_drawn_without_an_error(lab):
    for setting, status in sweep(lab):
        assert status.level != "error", (setting, status)
    for setting, status in random_settings(lab, 8, np.random.default_rng(4)):
        assert status.level != "error", (setting, status)


def test_the_live_budget_stays_small():
    # batch size 1 at the most epochs is the slowest redraw: keep its updates few (the
    # redraw times themselves are measured outside the tests)
    lab = batches_lab()
    n = lab.controls["batch_size"].options[-1][1]
    assert n * lab.controls["epochs"].max <= 400
    assert [b for _, b in lab.controls["batch_size"].options] == [1, 4, 8, 32]


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="batch_size must be one of"):
        batches_lab(batch_size=3)
    with pytest.raises(ValueError, match="unknown data 'iris'"):
        batches_lab(data="iris")
    for data in ("moons", "circles"):
        assert batches_lab(data=data, epochs=2).last_status.level in ("info", "warning")


def test_forward_columns_is_the_row_form_transposed():
    from labkit.core.layers import linear_forward

    rng = np.random.default_rng(0)
    A, W, b = rng.standard_normal((3, 5)), rng.standard_normal((4, 3)), rng.standard_normal(4)
    Z = forward_columns(A, W, b)
    assert Z.shape == (4, 5)
    np.testing.assert_allclose(Z.T, linear_forward(A.T, W, b), rtol=1e-14, atol=1e-15)
