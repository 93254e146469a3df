"""Gradient checking: numerical_gradient against derivatives known in closed form, and
check_gradients on a correct network (passes) and on deliberately broken layers (fails, and
the report points at the broken parameter)."""
from __future__ import annotations

import numpy as np
import pytest

import labkit as lk


# --- numerical_gradient ----------------------------------------------------------------------
def test_numerical_gradient_of_a_cubic():
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    g = lk.numerical_gradient(lambda: float(np.sum(x**3)), x)
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-8)


def test_numerical_gradient_central_difference_is_second_order():
    # For f = sin(x) the central difference is sin'(x) * (1 - eps^2/6 + ...): with eps = 1e-2
    # the error is about cos(x) * 1.7e-5, a one-sided difference would be ~ 5e-3.
    x = np.array([0.3])
    g = lk.numerical_gradient(lambda: float(np.sin(x[0])), x, eps=1e-2)
    assert abs(g[0] - np.cos(0.3)) == pytest.approx(np.cos(0.3) * 1e-4 / 6, rel=1e-3)


def test_numerical_gradient_restores_x_exactly():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    before = x.copy()
    seen = []

    def f():
        seen.append(x.copy())
        return float(np.sum(np.tanh(x)))

    lk.numerical_gradient(f, x)
    np.testing.assert_array_equal(x, before)              # bit for bit
    assert len(seen) == 2 * x.size                        # two evaluations per element
    # every evaluation perturbed exactly one element
    for s in seen:
        assert np.count_nonzero(s != before) == 1


def test_numerical_gradient_restores_x_when_f_fails():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f():
        calls.append(1)
        if len(calls) == 3:
            raise ArithmeticError("learner's loss broke")
        return float(x.sum())

    with pytest.raises(ArithmeticError):
        lk.numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_relative_error_by_hand():
    a, n = np.array([3.0, 4.0]), np.array([3.0, 4.0 + 1e-6])
    assert lk.relative_error(a, n) == pytest.approx(1e-6 / (8.0 + 1e-6))   # worst element
    assert lk.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert lk.relative_error(np.array([1.0]), np.array([-1.0])) == 1.0


def test_relative_error_floor_for_gradients_that_are_zero():
    """5e-19 analytic against 6e-11 numeric (a bias before BatchNorm): compared with the floor,
    not with itself; a real difference on a small gradient is still large."""
    floor = lk.core.gradcheck.REL_ERROR_FLOOR
    assert lk.relative_error(np.array([5e-19]), np.array([6e-11])) == pytest.approx(6e-11 / floor)
    assert lk.relative_error(np.array([5e-19]), np.array([6e-11])) < 1e-6
    assert lk.relative_error(np.array([0.0]), np.array([1e-5])) > 1e-3
    assert lk.relative_error(np.array([1.0]), np.array([1.0 + 1e-9]), floor=0.0) < 1e-9


def _bn_net(rng, bn=None):
    return lk.Sequential(lk.Linear(3, 5, rng=rng), bn or lk.BatchNorm1d(5), lk.Tanh(),
                         lk.Linear(5, 2, rng=rng))


class BatchNormForgetsStatistics(lk.BatchNorm1d):
    """A learner's BatchNorm1d whose backward treats mu and var as constants."""

    def backward(self, grad_out):
        x_hat, inv_std, _ = self._cache
        self.gamma.grad += (grad_out * x_hat).sum(axis=0)
        self.beta.grad += grad_out.sum(axis=0)
        return grad_out * self.gamma.data * inv_std


@pytest.mark.parametrize("seed", range(6))
def test_check_gradients_passes_linear_batchnorm_tanh_linear(seed):
    rng = np.random.default_rng(seed)
    net = _bn_net(rng)
    X, y = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    report = lk.check_gradients(net, lk.MSELoss(), X, y)
    assert report.ok, str(report)
    assert np.max(np.abs(net[0].b.grad)) < 1e-15        # the bias before BatchNorm: 0


def test_check_gradients_still_fails_a_wrong_batchnorm_backward():
    rng = np.random.default_rng(0)
    net = _bn_net(rng, BatchNormForgetsStatistics(5))
    X, y = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    report = lk.check_gradients(net, lk.MSELoss(), X, y)
    assert not report.ok
    assert report["0.W"].rel_error > 1e-3, str(report)


# --- check_gradients -------------------------------------------------------------------------
def _net(rng, last=None):
    layers = [lk.Linear(3, 4, rng=rng), lk.Tanh(), lk.Linear(4, 2, rng=rng)]
    if last is not None:
        layers.append(last)
    return lk.Sequential(*layers)


@pytest.mark.parametrize("loss", ["mse", "ce", "bce"])
def test_check_gradients_passes_on_a_correct_net(loss):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((5, 3))
    if loss == "mse":
        net, loss_fn, y = _net(rng), lk.MSELoss(), rng.standard_normal((5, 2))
    elif loss == "ce":
        net, loss_fn, y = _net(rng), lk.CrossEntropyLoss(), rng.integers(0, 2, 5)
    else:
        net, loss_fn, y = _net(rng, lk.Sigmoid()), lk.BCELoss(), rng.integers(0, 2, (5, 2))
    report = lk.check_gradients(net, loss_fn, X, y, include_input=True)
    assert report.ok, str(report)
    assert [r.name for r in report.rows] == ["0.W", "0.b", "2.W", "2.b", "input X"]
    assert all(r.rel_error < 1e-7 for r in report.rows)
    assert report["0.W"].shape == (4, 3)
    assert "all gradients agree" in str(report)


def test_check_gradients_leaves_the_analytic_gradients_in_place():
    rng = np.random.default_rng(2)
    net = _net(rng)
    X, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    W_before = net[0].W.data.copy()
    lk.check_gradients(net, lk.MSELoss(), X, y)
    np.testing.assert_array_equal(net[0].W.data, W_before)
    # the gradient of the mean squared error, written out: dL/dy_hat = 2 (y_hat - y) / n
    h = np.tanh(X @ net[0].W.data.T + net[0].b.data)
    y_hat = h @ net[2].W.data.T + net[2].b.data
    delta = 2 * (y_hat - y) / y.size
    np.testing.assert_allclose(net[2].W.grad, delta.T @ h, rtol=1e-12)
    np.testing.assert_allclose(net[2].b.grad, delta.sum(axis=0), rtol=1e-12)


class ForgetsBias(lk.Linear):
    """A learner's Linear whose backward never fills db."""

    def backward(self, grad_out):
        self.W.grad += grad_out.T @ self.a_prev
        return grad_out @ self.W.data


class TransposedDW(lk.Linear):
    """A learner's Linear that writes dW in the (in, out) layout: a_prev^T delta."""

    def backward(self, grad_out):
        self.W.grad += (self.a_prev.T @ grad_out).reshape(self.W.grad.shape)
        self.b.grad += grad_out.sum(axis=0)
        return grad_out @ self.W.data


class SigmoidDerivativeInTanh(lk.Tanh):
    """A Tanh whose backward uses the sigmoid's a (1 - a) instead of 1 - a^2."""

    def _df(self, da, a):
        return da * a * (1 - a)


@pytest.mark.parametrize("broken, bad_names, worst", [
    (lambda rng: lk.Sequential(lk.Linear(3, 4, rng=rng), lk.Tanh(), ForgetsBias(4, 4, rng=rng)),
     {"2.b"}, "2.b"),
    (lambda rng: lk.Sequential(TransposedDW(3, 3, rng=rng), lk.Tanh(), lk.Linear(3, 4, rng=rng)),
     {"0.W"}, "0.W"),
    (lambda rng: lk.Sequential(lk.Linear(3, 4, rng=rng), SigmoidDerivativeInTanh(),
                               lk.Linear(4, 4, rng=rng)),
     {"0.W", "0.b"}, None),
], ids=["forgets-bias", "transposed-dW", "wrong-activation-derivative"])
def test_check_gradients_points_at_the_broken_parameter(broken, bad_names, worst):
    rng = np.random.default_rng(3)
    net = broken(rng)
    X, y = rng.standard_normal((6, 3)), rng.standard_normal((6, 4))
    report = lk.check_gradients(net, lk.MSELoss(), X, y)
    assert not report.ok
    failing = {r.name for r in report.rows if r.rel_error >= report.tol}
    assert failing == bad_names, str(report)
    assert report.worst.name in bad_names
    if worst is not None:
        assert report.worst.name == worst
    assert report.worst.rel_error > 1e-3
    text = str(report)
    assert "MISMATCH" in text and "<-- check this gradient" in text
    row = report.worst
    assert row.analytic_at_worst != pytest.approx(row.numeric_at_worst, rel=1e-3)


def test_report_lookup_of_a_missing_name_lists_the_names():
    rng = np.random.default_rng(4)
    net = _net(rng)
    report = lk.check_gradients(net, lk.MSELoss(), rng.standard_normal((2, 3)),
                                rng.standard_normal((2, 2)))
    with pytest.raises(KeyError, match="'0.W', '0.b', '2.W', '2.b'"):
        report["3.W"]


# --- state: check_gradients leaves the network as it found it --------------------------------
def test_check_gradients_keeps_batchnorm_running_statistics_and_mode():
    rng = np.random.default_rng(5)
    net = _bn_net(rng)
    X, y = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    net(X)                                                   # running stats not at their start
    mean, var = net[1].running_mean.copy(), net[1].running_var.copy()
    report = lk.check_gradients(net, lk.MSELoss(), X, y)
    assert report.ok, str(report)
    np.testing.assert_array_equal(net[1].running_mean, mean)
    np.testing.assert_array_equal(net[1].running_var, var)
    assert all(m.training for m in net.modules())
    net.eval()
    lk.check_gradients(net, lk.MSELoss(), X, y)
    assert not any(m.training for m in net.modules())
    np.testing.assert_array_equal(net[1].running_mean, mean)


def test_check_gradients_refuses_dropout_in_training_mode():
    rng = np.random.default_rng(6)
    net = lk.Sequential(lk.Linear(3, 4, rng=rng), lk.Dropout(0.5, rng=1), lk.Linear(4, 2, rng=rng))
    X, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    with pytest.raises(ValueError, match=r"1 is Dropout.*training mode.*net\.eval\(\).*p=0"):
        lk.check_gradients(net, lk.MSELoss(), X, y)
    net.eval()
    assert lk.check_gradients(net, lk.MSELoss(), X, y).ok
    assert not net[1].training
    net_p0 = lk.Sequential(lk.Linear(3, 4, rng=rng), lk.Dropout(0.0), lk.Linear(4, 2, rng=rng))
    assert lk.check_gradients(net_p0, lk.MSELoss(), X, y).ok


def test_preserved_state_restores_gradients_buffers_and_modes():
    rng = np.random.default_rng(7)
    net = _bn_net(rng)
    X = rng.standard_normal((6, 3))
    grads = [p.grad.copy() for p in net.parameters()]
    with lk.core.gradcheck.preserved_state(net):
        net.eval()
        net.train()
        net(X)
        net.backward(np.ones((6, 2)))
        net[1].training = False
    for p, g in zip(net.parameters(), grads):
        np.testing.assert_array_equal(p.grad, g)
    np.testing.assert_array_equal(net[1].running_mean, np.zeros(5))
    assert net[1].training


def test_check_gradients_after_zero_grad_set_to_none_leaves_the_analytic_gradients():
    rng = np.random.default_rng(0)
    net = lk.Sequential(lk.Linear(3, 4, rng=rng), lk.Tanh(), lk.Linear(4, 1, rng=rng))
    net.zero_grad(set_to_none=True)
    report = lk.check_gradients(net, lk.MSELoss(), rng.normal(size=(5, 3)),
                                rng.normal(size=(5, 1)))
    assert report.ok
    assert all(p.grad is not None and np.any(p.grad != 0) for p in net.parameters())
