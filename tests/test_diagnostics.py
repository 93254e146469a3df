"""Gradient diagnostics: probe statistics and the per-step monitor, checked independently."""
from __future__ import annotations

import numpy as np
import pytest

import labkit as lk
from labkit.diagnostics import GradientMonitor, probe


def deep_net(activation, depth=6, std=1.0, seed=0):
    rng = np.random.default_rng(seed)
    layers = [lk.Linear(2, 8, rng=rng), activation()]
    for _ in range(depth):
        layers += [lk.Linear(8, 8, rng=rng, init=std), activation()]
    return lk.Sequential(*layers, lk.Linear(8, 2, rng=rng))


def test_probe_statistics_match_a_hand_written_pass():
    net = deep_net(lk.Tanh, depth=2)
    X, y = lk.make_moons(32, rng=0)
    stats = probe(net, X, y, lk.CrossEntropyLoss())
    a = X
    outs = []
    for layer in net.layers:  # forward by hand
        a = layer(a)
        outs.append(a)
    for s, out in zip(stats, outs, strict=True):
        assert s.mean == pytest.approx(out.mean()) and s.std == pytest.approx(out.std())
    tanh_out = outs[1]
    assert stats[1].saturated == pytest.approx(np.mean(1 - tanh_out ** 2 < 0.05))
    # the gradient arriving at the last layer is dL/dlogits = (softmax - onehot) / N
    p = np.exp(outs[-1] - outs[-1].max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    p[np.arange(32), y] -= 1
    assert stats[-1].grad_norm == pytest.approx(np.linalg.norm(p / 32))
    assert stats[-1].param_grad_norm > 0 and stats[1].param_grad_norm == 0


def test_probe_leaves_gradients_and_running_statistics_untouched():
    net = lk.Sequential(lk.Linear(2, 4, rng=0), lk.BatchNorm1d(4), lk.ReLU(), lk.Linear(4, 2))
    X, y = lk.make_moons(16, rng=1)
    for p in net.parameters():
        p.grad[...] = 7.0
    rm = net[1].running_mean.copy()
    probe(net, X, y, lk.CrossEntropyLoss())
    assert all(np.all(p.grad == 7.0) for p in net.parameters())
    assert np.array_equal(net[1].running_mean, rm)


def test_sigmoid_saturates_and_vanishes_where_relu_with_he_does_not():
    X, y = lk.make_moons(64, rng=0)
    sig = probe(deep_net(lk.Sigmoid, std=4.0), X, y, lk.CrossEntropyLoss())
    relu = probe(deep_net(lk.ReLU, std=np.sqrt(2 / 8)), X, y, lk.CrossEntropyLoss())
    first_linear = 0
    assert max(s.saturated for s in sig) > 0.5
    # gradient reaching the first layer relative to the last layer's
    ratio_sig = sig[first_linear].param_grad_norm / sig[-1].param_grad_norm
    ratio_relu = relu[first_linear].param_grad_norm / relu[-1].param_grad_norm
    assert ratio_sig < 1e-2 < ratio_relu


def test_monitor_records_every_kth_step_with_update_ratios():
    net = deep_net(lk.Tanh, depth=1)
    X, y = lk.make_moons(40, rng=0)
    mon = GradientMonitor(every=3)
    lr = 0.1
    h = lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=lr), X, y, epochs=10,
               monitor=mon)
    assert mon.steps == [1, 4, 7, 10]
    assert set(mon.grad_norm) == {"0", "2", "4"} == set(mon.update_ratio)
    assert mon.grad_norm["4"] == pytest.approx([h.grad_norms["4"][s - 1] for s in mon.steps])
    # plain SGD: ||delta theta|| = lr ||g||, so ratio = lr * ||g|| / ||theta_before||
    assert all(0 < r < 1 for r in mon.update_ratio["0"])
    assert len(mon.act_std["1 Tanh"]) == 4 and len(mon.saturated["3 Tanh"]) == 4


def test_monitor_update_ratio_equals_lr_times_grad_over_weights():
    net = lk.Sequential(lk.Linear(3, 2, rng=0))
    X = np.random.default_rng(0).standard_normal((10, 3))
    y = np.random.default_rng(1).standard_normal((10, 2))
    mon = GradientMonitor(activations=False)
    before = [p.data.copy() for p in net.parameters()]
    lk.fit(net, lk.MSELoss(), lk.SGD(net.parameters(), lr=0.05), X, y, shuffle=False,
           monitor=mon)
    grads = [p.grad for p in net.parameters()]
    expected = 0.05 * np.sqrt(sum((g ** 2).sum() for g in grads)) / np.sqrt(
        sum((b ** 2).sum() for b in before))
    assert mon.update_ratio["0"] == [pytest.approx(expected)]


def test_diagnostics_refuse_a_non_sequential():
    with pytest.raises(TypeError, match="Sequential"):
        probe(lk.Linear(2, 2), np.ones((2, 2)))
    with pytest.raises(ValueError, match="every must be"):
        GradientMonitor(every=0)
