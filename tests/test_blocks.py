"""BatchNorm1d, Residual and Dropout: finite differences, torch, modes, errors."""
from __future__ import annotations

import numpy as np
import pytest

import labkit as lk


def weighted_sum_check(layer, x, rng, tol=1e-7):
    """Backward of L = sum(layer(x) * G) against central differences, for x and every param."""
    G = rng.standard_normal(layer(x).shape)
    for p in layer.parameters():
        p.grad.fill(0)
    layer(x)
    dx = layer.backward(G)

    def loss():
        return float(np.sum(layer(x) * G))

    assert lk.relative_error(dx, lk.numerical_gradient(loss, x)) < tol
    for p in layer.parameters():
        assert lk.relative_error(p.grad, lk.numerical_gradient(loss, p.data)) < tol, p.name


@pytest.mark.parametrize("n", [3, 5, 17])  # n = 2 gives x_hat = +-1: a near-zero gradient
def test_batchnorm_gradients_in_training_mode(n):
    rng = np.random.default_rng(n)
    bn = lk.BatchNorm1d(4)
    bn.gamma.data[:] = rng.standard_normal(4)
    bn.beta.data[:] = rng.standard_normal(4)
    weighted_sum_check(bn, rng.standard_normal((n, 4)) * 3 + 1, rng)


def test_batchnorm_gradients_in_eval_mode():
    rng = np.random.default_rng(0)
    bn = lk.BatchNorm1d(3)
    bn(rng.standard_normal((8, 3)))  # move the running statistics off their start
    bn.eval()
    weighted_sum_check(bn, rng.standard_normal((1, 3)), rng)  # batch 1 is fine in eval


def test_batchnorm_normalizes_and_tracks_running_statistics():
    rng = np.random.default_rng(1)
    x = rng.normal(5.0, 3.0, size=(100, 2))
    bn = lk.BatchNorm1d(2, momentum=0.5)
    out = bn(x)
    assert np.allclose(out.mean(axis=0), 0, atol=1e-12)
    assert np.allclose(out.var(axis=0), 1 / (1 + 1e-5 / x.var(axis=0)), atol=1e-9)
    assert np.allclose(bn.running_mean, 0.5 * x.mean(axis=0))
    assert np.allclose(bn.running_var, 0.5 + 0.5 * x.var(axis=0, ddof=1))


def test_batchnorm_matches_torch():
    torch = pytest.importorskip("torch", reason="torch is needed to compare with PyTorch")
    rng = np.random.default_rng(2)
    x, G = rng.standard_normal((6, 3)), rng.standard_normal((6, 3))
    bn, tb = lk.BatchNorm1d(3), torch.nn.BatchNorm1d(3).double()
    bn.gamma.data[:] = rng.standard_normal(3)
    with torch.no_grad():
        tb.weight.copy_(torch.from_numpy(bn.gamma.data))
    for _ in range(3):  # running statistics over several batches
        xt = torch.tensor(x, requires_grad=True)
        yt = tb(xt)
        (yt * torch.from_numpy(G)).sum().backward()
        bn.zero_grad()
        y = bn(x)
        dx = bn.backward(G)
        assert np.allclose(y, yt.detach().numpy(), atol=1e-12)
        assert np.allclose(dx, xt.grad.numpy(), atol=1e-12)
        tb.weight.grad = None
        x = x * 1.5 + 0.3
    assert np.allclose(bn.running_mean, tb.running_mean.numpy(), atol=1e-12)
    assert np.allclose(bn.running_var, tb.running_var.numpy(), atol=1e-12)
    bn.eval()
    tb.eval()
    assert np.allclose(bn(x), tb(torch.from_numpy(x)).detach().numpy(), atol=1e-12)


def test_batchnorm_errors_name_the_problem():
    with pytest.raises(ValueError, match="num_features must be a positive int"):
        lk.BatchNorm1d(0)
    with pytest.raises(ValueError, match="at least 2 samples"):
        lk.BatchNorm1d(3)(np.ones((1, 3)))
    with pytest.raises(ValueError, match="expected input of width 3"):
        lk.BatchNorm1d(3)(np.ones((4, 2)))


def test_residual_adds_the_identity_path():
    rng = np.random.default_rng(3)
    block = lk.Sequential(lk.Linear(4, 4, rng=rng), lk.Tanh())
    res = lk.Residual(block)
    x = rng.standard_normal((5, 4))
    assert np.allclose(res(x), x + block(x))
    weighted_sum_check(res, x, rng)
    assert [p.name for p in lk.Sequential(lk.Linear(4, 4), res).parameters()] == [
        "0.W", "0.b", "1.block.0.W", "1.block.0.b"]
    with pytest.raises(ValueError, match=r"maps shape \(5, 4\) to \(5, 2\)"):
        lk.Residual(lk.Linear(4, 2))(x)


def test_residual_keeps_the_gradient_when_the_block_kills_it():
    res = lk.Residual(lk.Linear(3, 3, init="zeros"))
    res(np.ones((2, 3)))
    g = np.arange(6.0).reshape(2, 3)
    assert np.array_equal(res.backward(g), g)


def test_dropout_is_seeded_scaled_and_off_in_eval():
    x = np.ones((1000, 10))
    a = lk.Dropout(0.3, rng=0)(x)
    b = lk.Dropout(0.3, rng=0)(x)
    assert np.array_equal(a, b)
    assert set(np.unique(a)) == {0.0, 1 / 0.7}
    assert abs((a == 0).mean() - 0.3) < 0.02
    d = lk.Dropout(0.3, rng=1)
    out = d(x)
    g = np.random.default_rng(0).standard_normal(x.shape)
    assert np.array_equal(d.backward(g), g * (out / x))
    d.eval()
    assert d(x) is x and np.array_equal(d.backward(g), g)
    with pytest.raises(ValueError, match=r"p must be a probability in \[0, 1\)"):
        lk.Dropout(1.0)


def test_train_and_eval_reach_nested_layers():
    net = lk.Sequential(lk.Linear(2, 2), lk.Residual(lk.Sequential(lk.BatchNorm1d(2),
                                                                 lk.Dropout(0.5))))
    net.eval()
    assert not net[1].block[0].training and not net[1].block[1].training
    net.train()
    assert net[1].block[1].training


def test_function_optimizer_runs_a_learners_rule():
    def sgd_rule(param, grad, state):
        state["calls"] = state.get("calls", 0) + 1
        return param - state["lr"] * grad

    p = lk.Parameter(np.array([1.0, -2.0]))
    opt = lk.FunctionOptimizer([p], sgd_rule, lr=0.5)
    p.grad[:] = [2.0, 4.0]
    opt.step()
    assert np.allclose(p.data, [0.0, -4.0]) and opt.state[0]["calls"] == 1
    opt.lr = 0.25  # changed mid-run, read at the next step
    opt.step()
    assert np.allclose(p.data, [-0.5, -5.0]) and opt.state[0]["t"] == 2

    def in_place(param, grad, state):
        param -= grad

    opt2 = lk.FunctionOptimizer([p], in_place)
    opt2.step()
    assert np.allclose(p.data, [-2.5, -9.0])
    with pytest.raises(ValueError, match=r"returned shape \(3,\) for parameter"):
        lk.FunctionOptimizer([p], lambda a, g, s: np.zeros(3)).step()
    with pytest.raises(TypeError, match="rule must be a function"):
        lk.FunctionOptimizer([p], "sgd")


def test_fit_accepts_any_object_with_step_and_zero_grad():
    class Plain:
        def __init__(self, params):
            self.params = list(params)

        def zero_grad(self):
            for q in self.params:
                q.grad.fill(0)

        def step(self):
            for q in self.params:
                q.data -= 0.5 * q.grad

    X, y = lk.make_moons(64, rng=0)
    net = lk.Sequential(lk.Linear(2, 8, rng=0), lk.Tanh(), lk.Linear(8, 2, rng=1))
    h = lk.fit(net, lk.CrossEntropyLoss(), Plain(net.parameters()), X, y, epochs=30)
    assert h.loss[-1] < 0.6 * h.loss[0]
