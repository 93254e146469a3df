"""deep_mlp, MLPSettings and gradient_profile: layout, settings, measurements, bad input."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import labkit as lk
from labkit.core.layers import Activation
from labkit.diagnostics import (
    GradientProfile,
    gradient_profile,
    linear_layers,
    probe,
    vanishing_ratio,
)
from labkit.lessons.vanishing_exploding.compute import MLPSettings, deep_mlp, make_activation


def types(net):
    return [type(layer).__name__ for layer in net.layers]


@pytest.fixture(scope="module")
def moons():
    return lk.make_moons(64, noise=0.1, rng=0)


def test_plain_layout_with_and_without_batch_norm():
    net = deep_mlp(3, 8, activation="tanh", rng=0)
    assert types(net) == ["Linear", "Tanh"] * 3 + ["Linear"]
    assert [(m.in_features, m.out_features) for m in linear_layers(net)] == [
        (2, 8), (8, 8), (8, 8), (8, 2)]
    net = deep_mlp(2, 4, in_features=5, out_features=3, activation="relu", batch_norm=True,
                   rng=0)
    assert types(net) == ["Linear", "BatchNorm1d", "ReLU"] * 2 + ["Linear"]
    assert net(np.ones((6, 5))).shape == (6, 3)


def test_residual_layout_is_pre_activation_with_depth_activations():
    net = deep_mlp(4, 8, activation="sigmoid", residual=True, batch_norm=True, rng=0)
    assert types(net) == ["Linear", "Residual", "Residual", "Residual", "BatchNorm1d",
                          "Sigmoid", "Linear"]
    assert types(net[1].block) == ["BatchNorm1d", "Sigmoid", "Linear"]
    assert len(linear_layers(net)) == 5  # depth + 1, also inside the blocks
    n_act = sum(isinstance(m, Activation) for m in net.layers) + sum(
        isinstance(m, Activation) for r in net.layers[1:4] for m in r.block.layers)
    assert n_act == 4
    # x + F(x): a block whose Linear is zero is the identity
    block = net[2]
    block.block[-1].W.data[:] = 0
    block.block[-1].b.data[:] = 0
    x = np.random.default_rng(0).standard_normal((5, 8))
    assert np.array_equal(block(x), x)


def test_depth_one_has_one_hidden_layer():
    assert types(deep_mlp(1, 4, rng=0)) == ["Linear", "Tanh", "Linear"]
    assert types(deep_mlp(1, 4, residual=True, rng=0)) == ["Linear", "Tanh", "Linear"]


def test_scale_multiplies_the_weights_of_every_linear_layer_only():
    a = deep_mlp(3, 8, init="xavier", rng=7)
    b = deep_mlp(3, 8, init="xavier", scale=3.0, rng=7)
    for la, lb in zip(linear_layers(a), linear_layers(b), strict=True):
        assert np.allclose(lb.W.data, 3.0 * la.W.data)
        assert np.array_equal(lb.b.data, la.b.data)


@pytest.mark.parametrize("init, std", [("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(1 / 400)),
                                       (0.3, 0.3)])
def test_init_schemes_reach_linear(init, std):
    net = deep_mlp(2, 400, init=init, rng=0)
    W = linear_layers(net)[1].W.data  # 400 x 400
    assert W.std() == pytest.approx(std, rel=0.02)
    assert np.all(linear_layers(net)[1].b.data == 0)


def test_default_init_is_torch_uniform_and_same_rng_gives_same_net():
    net = deep_mlp(2, 16, rng=3)
    W = linear_layers(net)[1].W.data
    assert np.abs(W).max() <= 1 / 4 and W.min() < 0 < W.max()
    again = deep_mlp(2, 16, rng=3)
    assert all(np.array_equal(p.data, q.data)
               for p, q in zip(net.parameters(), again.parameters(), strict=True))


def test_leaky_relu_alpha_and_activation_names():
    net = deep_mlp(2, 4, activation="leaky_relu", alpha=0.2, rng=0)
    assert net[1].negative_slope == 0.2
    for name, cls in [("sigmoid", lk.Sigmoid), ("tanh", lk.Tanh), ("relu", lk.ReLU),
                      ("identity", lk.Identity)]:
        assert isinstance(make_activation(name), cls)


def test_settings_build_the_same_net_as_deep_mlp_and_name_it():
    s = MLPSettings(depth=5, width=8, activation="relu", init="he", scale=1.5, residual=True)
    a, b = s.build(rng=1), deep_mlp(5, 8, activation="relu", init="he", scale=1.5,
                                    residual=True, rng=1)
    assert repr(a) == repr(b)
    assert all(np.array_equal(p.data, q.data)
               for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert s.label() == "relu, He init ×1.5, depth 5, residual"
    assert MLPSettings(depth=20, activation="sigmoid").label() == "sigmoid, default init, depth 20"
    assert MLPSettings(init=0.5, batch_norm=True).label() == \
        "tanh, N(0, 0.5²) init, depth 10, batch norm"
    t = s.replace(activation="tanh", residual=False)
    assert (t.activation, t.residual, t.init, s.activation) == ("tanh", False, "he", "relu")
    with pytest.raises(TypeError, match="no setting"):
        s.replace(colour="red")


@pytest.mark.parametrize("kwargs, message", [
    ({"depth": 0}, "depth must be an int >= 1"),
    ({"depth": 2.5}, "depth must be an int"),
    ({"width": True}, "width must be an int"),
    ({"activation": "softsign"}, "activation must be one of"),
    ({"init": "glorot"}, "init must be one of"),
    ({"init": -1.0}, "init must be one of"),
    ({"scale": -2.0}, r"scale must be a finite number in \[0.0, inf\], got -2.0"),
    ({"scale": float("nan")}, "scale must be a finite number"),
])
def test_bad_settings_are_refused_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        deep_mlp(**{"depth": 3, **kwargs})


def manual_pass(net, X, y, loss_fn):
    """Forward and backward by hand: ||dL/da|| at every hidden output, ||dW|| per Linear."""
    net.zero_grad()
    outs = []
    a = X
    for layer in net.layers:
        a = layer(a)
        outs.append(a)
    loss = loss_fn(a, y)
    g = loss_fn.backward()
    signal = []
    for layer in reversed(net.layers):
        if isinstance(layer, (Activation, lk.Residual)):
            signal.append(np.linalg.norm(g))
        g = layer.backward(g)
    return loss, np.array(signal[::-1]), np.array(
        [np.linalg.norm(m.W.grad) for m in linear_layers(net)])


@pytest.mark.parametrize("settings", [
    MLPSettings(depth=4, width=8, activation="tanh"),
    MLPSettings(depth=4, width=8, activation="relu", init="he", batch_norm=True),
    MLPSettings(depth=4, width=8, activation="sigmoid", residual=True, batch_norm=True),
])
def test_gradient_profile_matches_a_pass_by_hand(settings, moons):
    X, y = moons
    loss_fn = lk.CrossEntropyLoss()
    profile = gradient_profile(settings.build(rng=0), X, y, loss_fn)
    loss, signal, weight = manual_pass(settings.build(rng=0), X, y, loss_fn)
    assert profile.loss == pytest.approx(loss)
    assert profile.signal.shape == (4,) and profile.weight.shape == (5,)
    assert np.allclose(profile.signal, signal, rtol=1e-12)
    assert np.allclose(profile.weight, weight, rtol=1e-12)
    assert profile.ratio() == pytest.approx(signal[0] / signal[-1])
    assert profile.ratio("weight") == pytest.approx(weight[0] / weight[-1])


def test_gradient_profile_signal_agrees_with_the_diagnostics_probe(moons):
    X, y = moons
    net = deep_mlp(5, 8, activation="sigmoid", rng=0)
    stats = probe(net, X, y, lk.CrossEntropyLoss())
    expected = [s.grad_norm for s in stats if s.name.endswith("Sigmoid")]
    assert np.allclose(gradient_profile(net, X, y, lk.CrossEntropyLoss()).signal, expected)


def test_gradient_profile_leaves_the_net_as_it_was(moons):
    X, y = moons
    net = deep_mlp(3, 8, activation="relu", batch_norm=True, residual=True, rng=0)
    for p in net.parameters():
        p.grad[...] = 5.0
    bns = [m for m in [net[1].block[0], net[2].block[0], net[3]]]
    assert all(isinstance(m, lk.BatchNorm1d) for m in bns)
    before = [(m.running_mean.copy(), m.running_var.copy()) for m in bns]
    weights = [p.data.copy() for p in net.parameters()]
    gradient_profile(net, X, y, lk.CrossEntropyLoss())
    assert all(np.all(p.grad == 5.0) for p in net.parameters())
    assert all(np.array_equal(p.data, w) for p, w in zip(net.parameters(), weights))
    for m, (mean, var) in zip(bns, before):
        assert np.array_equal(m.running_mean, mean) and np.array_equal(m.running_var, var)


def test_the_product_effect_vanishing_healthy_exploding(moons):
    """The lesson's claims, measured: depth 20, width 32."""
    X, y = moons
    loss_fn = lk.CrossEntropyLoss()

    def ratio(**kw):
        return gradient_profile(deep_mlp(20, 32, rng=0, **kw), X, y, loss_fn).ratio()

    assert ratio(activation="sigmoid") < 1e-12                  # vanishing
    assert ratio(activation="relu") < 1e-5                      # ReLU alone is not enough
    assert 0.1 < ratio(activation="relu", init="he") < 10       # healthy
    assert 0.1 < ratio(activation="tanh", init="xavier") < 10
    assert 0.1 < ratio(activation="sigmoid", residual=True) < 10
    assert ratio(activation="relu", init="he", scale=3.0) > 1e6  # exploding


def test_overflow_gives_inf_or_nan_not_an_error(moons):
    X, y = moons
    net = deep_mlp(20, 16, activation="relu", init="he", scale=1e16, rng=0)
    with warnings.catch_warnings():  # the profile silences numpy's overflow warnings itself
        warnings.simplefilter("error", RuntimeWarning)
        profile = gradient_profile(net, X, y, lk.CrossEntropyLoss())
    assert not np.all(np.isfinite(profile.signal)) or not np.isfinite(profile.loss)


def test_bad_input_to_the_measurements():
    with pytest.raises(TypeError, match="Sequential"):
        gradient_profile(lk.Linear(2, 2), np.ones((2, 2)), np.zeros(2, dtype=int),
                         lk.CrossEntropyLoss())
    with pytest.raises(ValueError, match="no Linear layer"):
        gradient_profile(lk.Sequential(lk.Tanh()), np.ones((2, 2)), np.zeros(2, dtype=int),
                         lk.CrossEntropyLoss())
    profile = GradientProfile(0.5, np.array([1e-3, 1.0]), np.array([1.0, 2.0, 4.0]))
    with pytest.raises(ValueError, match="'signal' or 'weight'"):
        profile.ratio("delta")
    assert profile.ratio() == pytest.approx(1e-3) and profile.ratio("weight") == 0.25
    with pytest.raises(ValueError, match="at least two layers"):
        vanishing_ratio([1.0])
    assert vanishing_ratio([1.0, 0.0]) == np.inf
    assert np.isnan(vanishing_ratio([0.0, 0.0]))
