"""Lesson 01 (forward pass): forward_trace, set_linear, draw_forward and the forward widget.

The numbers are seed 003's worked example, recomputed by hand here: x = [2, 3],
h1 = ReLU(0.1*2 + 0.4*3 + 0.1) = 1.5, h2 = ReLU(0.2*2 + 0.5*3 + 0.2) = 2.1,
y_hat = 0.6*1.5 + 0.3*2.1 + 0.3 = 1.83, and (y_hat - 2.5)^2 = 0.4489.
"""
from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import labkit as lk  # noqa: E402
from labkit.lessons.forward_pass.compute import (  # noqa: E402
    LayerTrace,
    forward_2layer,
    forward_trace,
    set_linear,
)
from labkit.lessons.forward_pass.figures import draw_forward  # noqa: E402
from labkit.lessons.forward_pass.widget import START_WEIGHTS, forward_lab, network_221  # noqa: E402
from labkit.widgets.drive import random_settings  # noqa: E402

X = np.array([2.0, 3.0])


def seed_net() -> lk.Sequential:
    net = lk.Sequential(lk.Linear(2, 2), lk.ReLU(), lk.Linear(2, 1))
    set_linear(net[0], [[0.1, 0.4], [0.2, 0.5]], [0.1, 0.2])
    set_linear(net[2], [[0.6, 0.3]], [0.3])
    return net


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- forward_trace --------------------------------------------------------------------------
def test_trace_reproduces_seed_003_by_hand():
    hidden, out = forward_trace(seed_net(), X)
    assert isinstance(hidden, LayerTrace)
    assert (hidden.index, hidden.activation, out.index, out.activation) == (
        0, "relu", 2, "identity")
    np.testing.assert_allclose(hidden.a_prev, [[2.0, 3.0]])
    np.testing.assert_allclose(hidden.z, [[0.1 * 2 + 0.4 * 3 + 0.1, 0.2 * 2 + 0.5 * 3 + 0.2]])
    np.testing.assert_allclose(hidden.z, [[1.5, 2.1]])
    np.testing.assert_allclose(hidden.a, hidden.z)
    np.testing.assert_allclose(out.a_prev, hidden.a)
    np.testing.assert_allclose(out.z, [[0.6 * 1.5 + 0.3 * 2.1 + 0.3]])
    np.testing.assert_allclose(out.a, [[1.83]])
    assert not hidden.dead.any() and not out.dead.any()


def test_trace_equals_the_network_on_a_batch_and_keeps_copies_of_the_weights():
    rng = np.random.default_rng(0)
    net = lk.Sequential(lk.Linear(3, 4, rng=rng), lk.Tanh(), lk.Linear(4, 2, rng=rng),
                        lk.Sigmoid(), lk.Linear(2, 1, rng=rng))
    Xb = rng.normal(size=(5, 3))
    traces = forward_trace(net, Xb)
    assert [t.activation for t in traces] == ["tanh", "sigmoid", "identity"]
    np.testing.assert_array_equal(traces[-1].a, net(Xb))
    for t, nxt in zip(traces, traces[1:]):
        np.testing.assert_array_equal(t.a, nxt.a_prev)
    W0 = traces[0].W.copy()
    net[0].W.data += 1.0
    np.testing.assert_array_equal(traces[0].W, W0)


def test_trace_marks_dead_relu_units():
    net = seed_net()
    set_linear(net[0], [[0.1, -0.4], [0.2, 0.5]], [0.1, 0.2])
    hidden, _ = forward_trace(net, X)
    np.testing.assert_allclose(hidden.z, [[-0.9, 2.1]])
    np.testing.assert_array_equal(hidden.a, [[0.0, 2.1]])
    np.testing.assert_array_equal(hidden.dead, [True, False])
    # z = 0 exactly counts as dead (ReLU'(0) = 0 in labkit, as in torch)
    set_linear(net[0], [[0.0, 0.0], [0.2, 0.5]], [0.0, 0.2])
    assert forward_trace(net, X)[0].dead.tolist() == [True, False]
    # in a batch, a unit is dead only if it is dead for every sample
    batch = np.array([[2.0, 3.0], [-1.0, -1.0]])
    set_linear(net[0], [[0.1, -0.4], [0.2, 0.5]], [0.1, 0.2])
    assert forward_trace(net, batch)[0].dead.tolist() == [False, False]


def test_trace_rejects_what_it_cannot_read():
    with pytest.raises(TypeError, match="expected a labkit Sequential"):
        forward_trace(lk.Linear(2, 2), X)
    with pytest.raises(ValueError, match="must start with a Linear layer, got ReLU"):
        forward_trace(lk.Sequential(lk.ReLU(), lk.Linear(2, 1)), X)
    with pytest.raises(ValueError, match="layer 2 .*ReLU"):
        forward_trace(lk.Sequential(lk.Linear(2, 2), lk.ReLU(), lk.ReLU()), X)
    with pytest.raises(ValueError, match="expects inputs of width 2, got an input of shape"):
        forward_trace(seed_net(), np.ones(3))


# --- set_linear -----------------------------------------------------------------------------
def test_set_linear_copies_exact_values():
    layer = lk.Linear(2, 3)
    W = np.arange(6.0).reshape(3, 2)
    set_linear(layer, W, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(layer.W.data, W)
    np.testing.assert_array_equal(layer.b.data, [1.0, 2.0, 3.0])
    W[0, 0] = 99.0                      # a copy, not a view of the caller's array
    assert layer.W.data[0, 0] == 0.0
    set_linear(layer, np.zeros((3, 2)))  # b left as it was
    np.testing.assert_array_equal(layer.b.data, [1.0, 2.0, 3.0])


def test_set_linear_refuses_the_wrong_layout_with_a_hint():
    with pytest.raises(ValueError, match=r"needs W of shape \(out, in\) = \(3, 2\), got "
                                         r"\(2, 3\) \(this is the transposed layout"):
        set_linear(lk.Linear(2, 3), np.zeros((2, 3)))
    # seed 003 stores the output weights as a 1-D vector: no silent broadcasting
    with pytest.raises(ValueError, match=r"got \(2,\) \(one neuron's weights: use "
                                         r"W.reshape\(1, 2\)\)"):
        set_linear(lk.Linear(2, 1), [0.6, 0.3])
    with pytest.raises(ValueError, match=r"needs b of shape \(1,\), got \(2,\)"):
        set_linear(lk.Linear(2, 1), [[0.6, 0.3]], [0.3, 0.3])
    with pytest.raises(ValueError, match="has no bias"):
        set_linear(lk.Linear(2, 1, bias=False), [[0.6, 0.3]], [0.3])
    with pytest.raises(TypeError, match="expected a labkit Linear"):
        set_linear(lk.ReLU(), [[1.0]])


def test_seed_003_layout_aside_is_corrected():
    """The seed's aside says W_h.dot(x) = [0.8, 2.3]; that is x @ W_h (= W_h^T x), the wrong
    layout. With one row per neuron, W_h x = x W_h^T = [1.4, 1.9], + b_h = [1.5, 2.1]."""
    W_h = np.array([[0.1, 0.4], [0.2, 0.5]])
    np.testing.assert_allclose(W_h @ X, [1.4, 1.9])
    np.testing.assert_allclose(X @ W_h.T, W_h @ X)
    np.testing.assert_allclose(X @ W_h, [0.8, 2.3])
    np.testing.assert_allclose(seed_net()[0](X.reshape(1, 2)), [[1.5, 2.1]])


# --- draw_forward ---------------------------------------------------------------------------
def test_draw_forward_shows_weights_biases_and_forward_values():
    ax = draw_forward(seed_net(), X, edge_names=[[["w1", "w2"], ["w3", "w4"]], [["w5", "w6"]]],
                      bias_names=[["b_h1", "b_h2"], ["b_o"]], title="seed 003")
    texts = {t.get_text() for t in ax.texts}
    assert {"x1\n2.00", "x2\n3.00", "z 1.50\na 1.50", "z 2.10\na 2.10", "ŷ\n1.83"} <= texts
    assert {"w1 = 0.10", "w2 = 0.40", "w3 = 0.20", "w4 = 0.50", "w5 = 0.60",
            "w6 = 0.30"} <= texts
    assert {"b_h1 = 0.10", "b_h2 = 0.20", "b_o = 0.30"} <= texts
    assert {"input", "hidden 1 (ReLU)", "output (linear)"} <= texts
    assert not any("dead" in t for t in texts)
    assert ax.get_title() == "seed 003"
    assert ax.figure.get_size_inches().tolist() == [7.0, 4.0]


def test_draw_forward_marks_a_dead_unit_and_accepts_a_one_row_batch():
    net = seed_net()
    set_linear(net[0], [[0.1, -0.4], [0.2, 0.5]], [0.1, 0.2])
    ax = draw_forward(net, X.reshape(1, 2))
    texts = [t.get_text() for t in ax.texts]
    assert "z -0.90\na 0.00" in texts and texts.count("dead\n(z ≤ 0)") == 1
    assert "b = 0.10" in texts and "-0.40" in texts


def test_draw_forward_on_a_deeper_net_and_bad_input():
    rng = np.random.default_rng(1)
    net = lk.Sequential(lk.Linear(3, 2, rng=rng), lk.Tanh(), lk.Linear(2, 2, rng=rng),
                        lk.Sigmoid())
    ax = draw_forward(net, [0.5, -1.0, 2.0], input_names=["a", "b", "c"])
    texts = {t.get_text() for t in ax.texts}
    assert {"hidden 1 (tanh)", "output (sigmoid)", "a\n0.50"} <= texts
    y = net(np.array([[0.5, -1.0, 2.0]]))[0]
    assert f"z {forward_trace(net, [0.5, -1.0, 2.0])[-1].z[0, 0]:.2f}\nŷ {y[0]:.2f}" in texts
    with pytest.raises(ValueError, match="draws one input, got a batch of shape"):
        draw_forward(net, np.ones((2, 3)))
    with pytest.raises(ValueError, match="2 input names for 3 inputs"):
        draw_forward(net, [0.5, -1.0, 2.0], input_names=["a", "b"])


# --- the widget -----------------------------------------------------------------------------
def test_network_221_is_seed_003():
    net = network_221()
    np.testing.assert_array_equal(net[0].W.data, [[0.1, 0.4], [0.2, 0.5]])
    np.testing.assert_array_equal(net[2].W.data, [[0.6, 0.3]])
    np.testing.assert_allclose(net(X.reshape(1, 2)), [[1.83]])
    np.testing.assert_allclose(network_221({**START_WEIGHTS, "w5": 1.0})(X.reshape(1, 2)),
                               [[1.0 * 1.5 + 0.3 * 2.1 + 0.3]])


def test_forward_lab_says_y_hat_and_the_loss_in_words():
    lab = forward_lab()
    assert lab.view.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(lab.controls) == list(START_WEIGHTS)
    assert lab.last_status.level == "info"
    assert lab.last_status.text == ("ŷ = 1.83 is 0.67 below the target y = 2.5; "
                                    "the loss (ŷ − y)² is 0.449.")
    lab.set(w5=1.0)      # y_hat = 2.43
    assert "ŷ = 2.43 is 0.07 below" in lab.last_status.text
    lab.set(w5=1.5)      # y_hat = 3.18
    assert "ŷ = 3.18 is 0.68 above" in lab.last_status.text
    assert "0.462" in lab.last_status.text
    lab.set(w5=1.05)     # y_hat = 2.505
    assert "on target" in lab.last_status.text and lab.last_status.level == "info"


def test_forward_lab_reports_dead_units():
    lab = forward_lab(w2=-0.4)
    status = lab.last_status
    assert status.level == "warning"
    assert "Hidden unit h1 is dead: z = -0.90 ≤ 0" in status.text and "w5" in status.text
    before = status.text
    lab.set(w5=1.5)                         # w5 multiplies a dead unit: y_hat does not move
    assert lab.last_status.text.split(";")[0] == before.split(";")[0]
    lab.set(w2=0.4, w4=-0.5)                # z_h2 = 0.4 - 1.5 + 0.2 = -0.9
    assert "Hidden unit h2 is dead" in lab.last_status.text and "w6" in lab.last_status.text
    lab.set(w2=-0.4)
    assert "Both hidden ReLU units are dead" in lab.last_status.text
    assert "ŷ is just b_o = 0.30" in lab.last_status.text


def test_forward_lab_never_fails_on_any_setting():
    lab = forward_lab()
    start = lab.values
    images = set()
    for name, control in lab.controls.items():     # each slider at both ends, one redraw each
        for value in (control.min, control.max):
            lab.set(**{**start, name: value})
            assert lab.last_status.level != "error", lab.last_status
            images.add(lab.view.image.value)
    assert len(images) == 2 * len(start)
    for _, status in random_settings(lab, 8, np.random.default_rng(3)):
        assert status.level != "error", status
    assert repr(lab).startswith("<labkit widget: forward pass")


def test_forward_lab_rejects_bad_start_values():
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['w7'\]"):
        forward_lab(w7=1.0)
    with pytest.raises(ValueError, match=r"w1 = 3.0 is outside its slider's range"):
        forward_lab(w1=3.0)


def test_forward_2layer_is_the_2_2_1_network():
    """Exercise 01's forward_2layer computes what Sequential(Linear, ReLU, Linear) does: the
    lesson's example gives 1.83, and random weights the same numbers."""
    W_h, b_h, W_o, b_o = (np.array([[0.1, 0.4], [0.2, 0.5]]), np.array([0.1, 0.2]),
                          np.array([[0.6, 0.3]]), np.array([0.3]))
    assert forward_2layer(np.array([[2.0, 3.0]]), W_h, b_h, W_o, b_o)[0, 0] == pytest.approx(
        0.6 * 1.5 + 0.3 * 2.1 + 0.3)
    rng = np.random.default_rng(0)
    net = lk.Sequential(lk.Linear(3, 4, rng=rng), lk.ReLU(), lk.Linear(4, 2, rng=rng))
    X = rng.standard_normal((5, 3))
    params = [p.data for p in net.parameters()]
    np.testing.assert_array_equal(forward_2layer(X, *params), net(X))
