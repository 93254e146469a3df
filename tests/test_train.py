"""fit: the mini-batch training loop and what it records."""
from __future__ import annotations

import math

import numpy as np
import pytest

import labkit as lk


def moons_setup(seed=0, n=200, hidden=16):
    rng = np.random.default_rng(seed)
    X, y = lk.make_moons(n, noise=0.1, rng=rng)
    net = lk.Sequential(lk.Linear(2, hidden, rng=rng), lk.Tanh(), lk.Linear(hidden, 2, rng=rng))
    return net, X, y


def test_loss_decreases_on_moons():
    net, X, y = moons_setup()
    opt = lk.Adam(net.parameters(), lr=0.02)
    history = lk.fit(net, lk.CrossEntropyLoss(), opt, X, y, epochs=30, batch_size=32, rng=1)
    first, last = history.epoch_loss[0], history.epoch_loss[-1]
    assert last < 0.5 * first
    assert np.mean(history.loss[-7:]) < np.mean(history.loss[:7])
    assert lk.accuracy(net(X), y) > 0.85


@pytest.mark.parametrize("n, batch_size, epochs", [(200, 32, 3), (200, 200, 2), (10, 3, 4),
                                                   (7, 1, 2), (50, None, 3)])
def test_history_lengths(n, batch_size, epochs):
    net, X, y = moons_setup(n=n)
    opt = lk.SGD(net.parameters(), lr=0.1)
    history = lk.fit(net, lk.CrossEntropyLoss(), opt, X, y, epochs=epochs,
                     batch_size=batch_size, rng=0)
    steps = epochs * math.ceil(n / (batch_size or n))
    assert history.steps == len(history.loss) == steps
    assert len(history.epoch_loss) == epochs
    assert set(history.grad_norms) == {"0", "2"}            # the layers that have parameters
    assert all(len(v) == steps for v in history.grad_norms.values())
    assert history.val_metric == []


def test_loss_and_grad_norms_are_those_of_each_step():
    """Full batch, no shuffle, lr = 0: every step sees the same net, so every recorded loss and
    gradient norm equals one computed directly."""
    net, X, y = moons_setup(n=40)
    loss_fn = lk.CrossEntropyLoss()
    history = lk.fit(net, loss_fn, lk.SGD(net.parameters(), lr=0.0), X, y, epochs=2,
                     shuffle=False)
    expected_loss = loss_fn(net(X), y)
    for p in net.parameters():
        p.grad[...] = 0
    net.backward(loss_fn.backward())
    norm0 = math.sqrt(float(np.sum(net[0].W.grad**2) + np.sum(net[0].b.grad**2)))
    norm2 = math.sqrt(float(np.sum(net[2].W.grad**2) + np.sum(net[2].b.grad**2)))
    assert history.loss == pytest.approx([expected_loss] * 2, rel=1e-12)
    assert history.grad_norms["0"] == pytest.approx([norm0] * 2, rel=1e-12)
    assert history.grad_norms["2"] == pytest.approx([norm2] * 2, rel=1e-12)
    assert history.epoch_loss == pytest.approx([expected_loss] * 2, rel=1e-12)


def test_epoch_loss_is_the_mean_of_its_steps():
    net, X, y = moons_setup(n=100)
    h = lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=0.1), X, y, epochs=3,
               batch_size=30, rng=0)
    per_epoch = [h.loss[i * 4:(i + 1) * 4] for i in range(3)]
    assert h.epoch_loss == pytest.approx([sum(s) / 4 for s in per_epoch], rel=1e-12)


def test_same_rng_gives_the_same_history():
    runs = []
    for rng in (5, 5, 6):
        net, X, y = moons_setup(seed=2)
        opt = lk.SGD(net.parameters(), lr=0.2, momentum=0.9)
        runs.append(lk.fit(net, lk.CrossEntropyLoss(), opt, X, y, epochs=3, batch_size=16,
                           rng=rng))
    assert runs[0].loss == runs[1].loss
    assert runs[0].grad_norms == runs[1].grad_norms
    assert runs[0].loss != runs[2].loss          # another shuffle order, another path


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # overflow on the way to divergence
def test_diverging_run_raises_naming_the_step_and_keeps_the_history():
    rng = np.random.default_rng(0)
    X, y = lk.make_regression_1d(64, rng=rng)
    net = lk.Sequential(lk.Linear(1, 8, rng=rng), lk.ReLU(), lk.Linear(8, 1, rng=rng))
    opt = lk.SGD(net.parameters(), lr=1e6)
    with pytest.raises(lk.TrainingDiverged, match=r"diverged at step \d+") as info:
        lk.fit(net, lk.MSELoss(), opt, X, y, epochs=50, batch_size=16, rng=0)
    err = info.value
    assert isinstance(err, RuntimeError)
    assert f"step {err.step} " in str(err)
    assert "smaller learning rate" in str(err)
    assert 1 < err.step < 50 * 4
    assert err.history.steps == err.step            # the partial history up to that step
    assert not math.isfinite(err.history.loss[-1]) or not all(
        math.isfinite(v[-1]) for v in err.history.grad_norms.values())
    assert all(math.isfinite(v) for v in err.history.loss[:-1])
    assert all(len(v) == err.step for v in err.history.grad_norms.values())


def test_validation_metric_per_epoch():
    net, X, y = moons_setup()
    Xtr, Xva, ytr, yva = lk.train_test_split(X, y, test_size=0.25, rng=0)
    opt = lk.Adam(net.parameters(), lr=0.02)
    h = lk.fit(net, lk.CrossEntropyLoss(), opt, Xtr, ytr, epochs=5, batch_size=25, rng=0,
               validation=(Xva, yva))
    assert len(h.val_metric) == 5
    # the last one is the accuracy of the final net, computed here by hand
    pred = net(Xva).argmax(axis=1)
    assert h.val_metric[-1] == pytest.approx(float(np.mean(pred == yva)))
    assert all(0.0 <= m <= 1.0 for m in h.val_metric)


def test_custom_metric_is_used():
    net, X, y = moons_setup(n=40)
    h = lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=0.1), X, y, epochs=2,
               validation=(X, y), metric=lambda y_hat, t: float(len(t)) + 0.5)
    assert h.val_metric == [40.5, 40.5]


def test_clip_norm_bounds_every_update():
    """lr = 1 with plain SGD: each update equals the (clipped) gradient, so no step may move
    the parameters by more than clip_norm, while unclipped gradients are larger."""
    net, X, y = moons_setup(n=64)
    net[2].W.data *= 50                                # large gradients
    clip = 0.01
    before = [p.data.copy() for p in net.parameters()]
    recorded = []

    def snapshot(step, loss):
        recorded.append([p.data.copy() for p in net.parameters()])

    h = lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=1.0), X, y, epochs=2,
               batch_size=16, rng=0, clip_norm=clip, callback=snapshot)
    assert max(math.hypot(*[h.grad_norms[k][i] for k in h.grad_norms])
               for i in range(h.steps)) > 10 * clip     # the recorded norms are before clipping
    prev = before
    for params in recorded:
        moved = math.sqrt(sum(float(np.sum((a - b) ** 2)) for a, b in zip(params, prev)))
        assert moved == pytest.approx(clip, rel=1e-4)
        prev = params


def test_callback_gets_every_step():
    net, X, y = moons_setup(n=30)
    calls = []
    h = lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=0.1), X, y, epochs=2,
               batch_size=10, rng=0, callback=lambda step, loss: calls.append((step, loss)))
    assert calls == list(zip(range(1, 7), h.loss))


def test_fit_without_shuffle_walks_the_batches_in_order():
    """shuffle=False, lr = 0: the loss of step k is the loss of the k-th slice of the data."""
    net, X, y = moons_setup(n=25)
    loss_fn = lk.CrossEntropyLoss()
    h = lk.fit(net, loss_fn, lk.SGD(net.parameters(), lr=0.0), X, y, batch_size=10,
               shuffle=False)
    expected = [loss_fn(net(X[s:s + 10]), y[s:s + 10]) for s in (0, 10, 20)]
    assert h.loss == pytest.approx(expected, rel=1e-13)


def test_progress_true_writes_a_progress_line(capsys):
    net, X, y = moons_setup(n=40)
    lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=0.1), X, y, epochs=2,
           batch_size=10, rng=0, progress=True)
    err = capsys.readouterr().err
    assert "training: 8/8 steps" in err
    assert "loss=" in err


def test_progress_accepts_a_tqdm_like_factory():
    made = []

    class Bar:
        def __init__(self, total, desc, unit):
            self.total, self.updates, self.closed = total, 0, False
            made.append(self)

        def update(self, k=1):
            self.updates += k

        def set_postfix(self, refresh=True, **kw):
            self.last = kw

        def close(self):
            self.closed = True

    net, X, y = moons_setup(n=40)
    h = lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=0.1), X, y, epochs=3,
               batch_size=16, rng=0, progress=Bar)
    (bar,) = made
    assert bar.total == bar.updates == h.steps == 9
    assert bar.closed


def test_a_learners_own_optimizer_class_works_with_fit():
    """fit needs only zero_grad() and step(): an exercise's hand-written optimizer works."""

    class MySGD:
        def __init__(self, params, lr):
            self.params, self.lr = params, lr

        def zero_grad(self):
            for p in self.params:
                p.grad[...] = 0

        def step(self):
            for p in self.params:
                p.data -= self.lr * p.grad

    runs = []
    for make in (lambda ps: MySGD(ps, 0.1), lambda ps: lk.SGD(ps, lr=0.1)):
        net, X, y = moons_setup(seed=3, n=40)
        runs.append(lk.fit(net, lk.CrossEntropyLoss(), make(net.parameters()), X, y, epochs=2,
                           batch_size=8, rng=0).loss)
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-13)


def test_minibatch_indices_splits_an_order_into_consecutive_batches():
    from labkit.core.train import minibatch_indices

    batches = minibatch_indices(np.array([4, 0, 3, 1, 2]), 2)
    assert [b.tolist() for b in batches] == [[4, 0], [3, 1], [2]]
    assert [b.tolist() for b in minibatch_indices(np.arange(3), 5)] == [[0, 1, 2]]


def test_fit_trains_on_the_minibatches_of_each_epochs_permutation():
    """fit's batches are minibatch_indices of rng.permutation(n), epoch after epoch."""
    from labkit.core.train import minibatch_indices

    X, y = lk.make_moons(30, rng=0)
    seen = []

    class Spy:
        def before_update(self, step, net, X_batch):
            seen.append(X_batch.copy())

        def after_update(self, step, net):
            pass

    net = lk.Sequential(lk.Linear(2, 3, rng=1), lk.Tanh(), lk.Linear(3, 2, rng=2))
    lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=0.1), X, y, epochs=2,
           batch_size=8, rng=5, monitor=Spy())
    rng = np.random.default_rng(5)
    expected = [X[idx] for _ in range(2) for idx in minibatch_indices(rng.permutation(30), 8)]
    assert len(seen) == len(expected) == 8
    assert all(np.array_equal(a, b) for a, b in zip(seen, expected))
