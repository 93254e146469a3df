"""The library's shape: torch's namespaces (lk.nn, lk.nn.init, lk.nn.utils, lk.optim,
lk.optim.lr_scheduler), the formula functions the classes call, one activation registry, one
module walk, and the old names kept one release with a DeprecationWarning."""
from __future__ import annotations

import importlib
import math
import warnings

import numpy as np
import pytest

import labkit as lk
from labkit.core import layers
from labkit.core.init import calculate_gain, init_std


def test_torch_namespaces_hold_the_core_objects():
    from labkit.core import custom_optim, losses, module, normalization, optim, schedules
    assert lk.nn.Linear is layers.Linear and lk.nn.Module is module.Module
    assert lk.nn.CrossEntropyLoss is losses.CrossEntropyLoss
    assert lk.nn.BatchNorm1d is normalization.BatchNorm1d
    assert lk.nn.utils.clip_grad_norm_ is optim.clip_grad_norm_
    assert lk.nn.init.kaiming_normal_ is lk.core.init.kaiming_normal_
    assert lk.optim.Adam is optim.Adam
    assert lk.optim.FunctionOptimizer is custom_optim.FunctionOptimizer
    assert lk.optim.lr_scheduler.StepLR is schedules.StepLR
    assert lk.optim.lr_scheduler.LRScheduler is schedules.Scheduler
    for namespace in (lk, lk.nn, lk.nn.init, lk.nn.utils, lk.optim, lk.optim.lr_scheduler):
        for name in namespace.__all__:
            if name not in ("diagnostics", "bridge", "plot", "widgets", "course"):
                assert getattr(namespace, name) is not None, (namespace.__name__, name)


def test_top_level_names_are_a_short_list_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in lk.__all__:
            if name not in ("diagnostics", "bridge", "plot", "widgets", "course"):
                getattr(lk, name)
    assert len(lk.__all__) < 50


OLD_NAMES = {   # old top-level name -> (the object it still gives, what the warning names)
    "StepDecay": ("labkit.core.schedules", "_StepDecay", "lr_scheduler.StepLR"),
    "CosineDecay": ("labkit.core.schedules", "_CosineDecay", "CosineAnnealingLR"),
    "LRScheduler": ("labkit.core.schedules", "_LRScheduler", "LambdaLR"),
    "clip_grad_norm": ("labkit.core.optim", "clip_grad_norm_", "clip_grad_norm_"),
    "grad_norm": ("labkit.core.optim", "grad_norm", "labkit.core.optim.grad_norm"),
    "Activation": ("labkit.core.layers", "Activation", "labkit.core.layers.Activation"),
    "Loss": ("labkit.core.losses", "Loss", "labkit.core.losses.Loss"),
    "Optimizer": ("labkit.core.optim", "Optimizer", "labkit.optim.Optimizer"),
    "log_softmax": ("labkit.core.losses", "log_softmax", "log_softmax"),
    "get_rng": ("labkit.core.random", "get_rng", "get_rng"),
    "layer_groups": ("labkit.core.train", "layer_groups", "layer_groups"),
    "GradCheckReport": ("labkit.core.gradcheck", "GradCheckReport", "GradCheckReport"),
    "GradCheckRow": ("labkit.core.gradcheck", "GradCheckRow", "GradCheckRow"),
    "init": ("labkit.nn", "init", "labkit.nn.init"),
    "tanh": ("numpy", "tanh", "numpy.tanh"),
}


@pytest.mark.parametrize("name", sorted(OLD_NAMES))
def test_old_top_level_names_still_work_with_a_deprecation_warning(name):
    module, attr, new = OLD_NAMES[name]
    with pytest.warns(DeprecationWarning, match=rf"labkit\.{name} is deprecated.*{new}"):
        value = getattr(lk, name)
    assert value is getattr(importlib.import_module(module), attr)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'Linearr'"):
        _ = lk.Linearr
    with pytest.raises(AttributeError):
        _ = importlib.import_module("labkit.core.schedules").NoSuchScheduler


# --- the formula functions are what the classes compute ------------------------------------
def test_linear_is_linear_forward_and_linear_backward():
    rng = np.random.default_rng(1)
    layer = lk.Linear(3, 2, rng=rng)
    X, delta = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    W, b = layer.W.data, layer.b.data
    np.testing.assert_array_equal(layer(X), layers.linear_forward(X, W, b))
    np.testing.assert_allclose(layers.linear_forward(X, W, b), X @ W.T + b, rtol=0)
    da_prev = layer.backward(delta)
    dW, db, da = layers.linear_backward(delta, X, W)
    np.testing.assert_array_equal(layer.W.grad, dW)
    np.testing.assert_array_equal(layer.b.grad, db)
    np.testing.assert_array_equal(da_prev, da)
    np.testing.assert_allclose(dW, delta.T @ X, rtol=0)
    np.testing.assert_allclose(db, delta.sum(axis=0), rtol=0)


@pytest.mark.parametrize("name, f, f_backward", [
    ("sigmoid", layers.sigmoid, layers.sigmoid_backward),
    ("tanh", np.tanh, layers.tanh_backward),
    ("relu", layers.relu, layers.relu_backward),
])
def test_activations_are_their_formula_functions(name, f, f_backward):
    rng = np.random.default_rng(2)
    z, da = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    act = layers.ACTIVATIONS[name]()
    a = act(z)
    np.testing.assert_array_equal(a, f(z))
    np.testing.assert_array_equal(act.backward(da), f_backward(da, a))


def test_the_activation_formulas_by_hand():
    z = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(layers.relu(z), [[0.0, 0.0, 3.0]])
    a = layers.sigmoid(z)
    np.testing.assert_allclose(layers.sigmoid_backward(np.ones_like(z), a), a * (1 - a))
    np.testing.assert_allclose(layers.tanh_backward(2.0 * np.ones_like(z), np.tanh(z)),
                               2.0 * (1 - np.tanh(z) ** 2))
    np.testing.assert_array_equal(layers.relu_backward(np.ones_like(z), layers.relu(z)),
                                  [[0.0, 0.0, 1.0]])


def test_one_activation_registry():
    assert layers.ACTIVATIONS == {"identity": lk.Identity, "relu": lk.ReLU,
                                  "sigmoid": lk.Sigmoid, "tanh": lk.Tanh,
                                  "leaky_relu": lk.LeakyReLU}
    assert [layers.activation_name(cls()) for cls in layers.ACTIVATIONS.values()] == list(
        layers.ACTIVATIONS)


@pytest.mark.parametrize("scheme, fan_in, fan_out, std", [
    ("xavier", 400, 300, math.sqrt(2 / 700)), ("he", 400, 300, math.sqrt(2 / 400))])
def test_init_std_and_linear_use_it(scheme, fan_in, fan_out, std):
    assert init_std(scheme, fan_in, fan_out) == std
    layer = lk.Linear(fan_in, fan_out, rng=5, init=scheme)
    expected = std * np.random.default_rng(5).standard_normal((fan_out, fan_in))
    np.testing.assert_array_equal(layer.W.data, expected)
    with pytest.raises(ValueError, match="scheme must be 'xavier' or 'he'"):
        init_std("glorot", 3, 2)


def test_init_functions_have_torchs_signatures_and_gains():
    torch = pytest.importorskip("torch")
    for name, param in [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                        ("leaky_relu", None), ("leaky_relu", 0.2)]:
        assert calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param), rel=1e-15)
    p = lk.Parameter(np.zeros((200, 300)))
    lk.nn.init.kaiming_uniform_(p, a=0.0, mode="fan_in", nonlinearity="relu", rng=0)
    assert np.abs(p.data).max() <= math.sqrt(6 / 300)
    assert p.data.std() == pytest.approx(math.sqrt(2 / 300), rel=0.02)
    lk.nn.init.normal_(p, mean=1.0, std=0.5, rng=0)
    assert p.data.mean() == pytest.approx(1.0, abs=0.01)
    lk.nn.init.xavier_uniform_(p, rng=0)
    assert np.abs(p.data).max() <= math.sqrt(6 / 500)
    lk.nn.init.ones_(p)
    assert (p.data == 1).all()


# --- one walk: modules() ---------------------------------------------------------------------
def _nested():
    inner = lk.Sequential(lk.Linear(3, 3, rng=1), lk.Dropout(0.5))
    return lk.Sequential(lk.Linear(2, 3, rng=0), lk.Tanh(), lk.Residual(inner),
                         lk.Linear(3, 1, rng=2)), inner


def test_modules_walks_depth_first_once_as_torch():
    net, inner = _nested()
    names = [name for name, _ in net.named_modules()]
    assert names == ["", "0", "1", "2", "2.block", "2.block.0", "2.block.1", "3"]
    assert list(net.modules())[4] is inner
    assert [type(m).__name__ for m in net.children()] == ["Linear", "Tanh", "Residual", "Linear"]
    shared = lk.Linear(2, 2, rng=0)
    twice = lk.Sequential(shared, lk.Tanh(), shared)
    assert sum(m is shared for m in twice.modules()) == 1
    assert len(twice.parameters()) == 2


def test_parameters_train_and_eval_use_the_walk():
    net, inner = _nested()
    assert [n for n, _ in net.named_parameters()] == [
        "0.W", "0.b", "2.block.0.W", "2.block.0.b", "3.W", "3.b"]
    assert [p.name for p in net.parameters()] == [n for n, _ in net.named_parameters()]
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules()) and inner[1].training


def test_module_state_dict_round_trip():
    net, _ = _nested()
    state = net.state_dict()
    other, _ = _nested()
    for p in other.parameters():
        p.data[...] = 0.0
    other.load_state_dict(state)
    for a, b in zip(other.parameters(), net.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    state["3.W"][...] = 7.0                  # a copy: the net is not changed through it
    assert not (net[3].W.data == 7.0).any()


def test_buffers_are_walked_and_saved_with_the_parameters():
    class Counter(lk.Module):
        buffer_names = ("seen",)

        def __init__(self):
            self.seen = np.zeros(2)

    net = lk.Sequential(lk.Linear(2, 2, rng=0), lk.Residual(Counter()))
    assert [name for name, _ in net.named_buffers()] == ["1.block.seen"]
    net[1].block.seen[...] = [3.0, 4.0]
    state = net.state_dict()
    np.testing.assert_array_equal(state["1.block.seen"], [3.0, 4.0])
    other = lk.Sequential(lk.Linear(2, 2, rng=1), lk.Residual(Counter()))
    other.load_state_dict(state)
    np.testing.assert_array_equal(other[1].block.seen, [3.0, 4.0])


def test_nn_functional_matches_torch_nn_functional():
    torch = pytest.importorskip("torch")
    F = lk.nn.functional
    TF = torch.nn.functional
    rng = np.random.default_rng(3)
    X, W, b = rng.standard_normal((5, 4)), rng.standard_normal((3, 4)), rng.standard_normal(3)
    z, y = rng.standard_normal((5, 3)) * 4, rng.standard_normal((5, 3))
    t = rng.integers(0, 3, size=5)
    T = torch.tensor
    pairs = [
        (F.linear(X, W, b), TF.linear(T(X), T(W), T(b))),
        (F.relu(z), TF.relu(T(z))),
        (F.sigmoid(z), torch.sigmoid(T(z))),
        (F.tanh(z), torch.tanh(T(z))),
        (F.softmax(z), TF.softmax(T(z), dim=-1)),
        (F.log_softmax(z), TF.log_softmax(T(z), dim=-1)),
        (F.mse_loss(z, y), TF.mse_loss(T(z), T(y))),
        (F.cross_entropy(z, t), TF.cross_entropy(T(z), T(t))),
    ]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12, atol=1e-15)
    assert set(F.__all__) <= set(dir(TF))        # every name is torch's own
