"""BatchNorm1d against torch.nn.BatchNorm1d (float64): backward with large but finite
activations stays finite where torch's does; momentum=None is torch's cumulative average."""
from __future__ import annotations

import numpy as np
import pytest

import labkit as lk

torch = pytest.importorskip("torch", reason="the comparison with torch needs torch")


def _both(x, delta, **kw):
    bn = lk.BatchNorm1d(x.shape[1], **kw)
    y = bn(x)
    dx = bn.backward(delta)
    tbn = torch.nn.BatchNorm1d(x.shape[1], dtype=torch.float64, **kw)
    tx = torch.tensor(x, requires_grad=True)
    ty = tbn(tx)
    ty.backward(torch.tensor(delta))
    return (bn, y, dx), (tbn, ty.detach().numpy(), tx.grad.numpy())


@pytest.mark.parametrize("scale", [1.0, 1e150, 1e170, 1e200])
def test_backward_with_large_activations_matches_torch(scale):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 3)) * scale
    delta = rng.standard_normal((6, 3))
    (bn, y, dx), (tbn, ty, tdx) = _both(x, delta)
    assert np.isfinite(tdx).all() == np.isfinite(dx).all()
    assert np.isfinite(dx).all(), dx
    np.testing.assert_allclose(y, ty, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx * scale, tdx * scale, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(bn.gamma.grad, tbn.weight.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_momentum_none_is_the_cumulative_average():
    rng = np.random.default_rng(1)
    bn = lk.BatchNorm1d(3, momentum=None)
    tbn = torch.nn.BatchNorm1d(3, momentum=None, dtype=torch.float64)
    batches = [rng.standard_normal((5, 3)) * (i + 1) + i for i in range(4)]
    for x in batches:
        bn(x)
        tbn(torch.tensor(x))
    np.testing.assert_allclose(bn.running_mean, tbn.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(bn.running_var, tbn.running_var.numpy(), rtol=1e-12)
    np.testing.assert_allclose(bn.running_mean, np.mean([b.mean(0) for b in batches], 0),
                               rtol=1e-12)
    assert "momentum=None" in repr(bn)


@pytest.mark.parametrize("bad", [-0.1, 1.5, "0.1", True])
def test_bad_momentum_is_named(bad):
    with pytest.raises(ValueError, match="momentum must be in \\[0, 1\\] or None"):
        lk.BatchNorm1d(3, momentum=bad)


def test_backward_stays_finite_with_large_gamma_and_delta_as_torch():
    """gamma is taken out of the batch means: gamma * delta ~ 1e320 would overflow inside them."""
    torch = pytest.importorskip("torch")
    x = np.array([[0.0], [1.0], [3.0]]) * 1e100
    delta = np.array([[1e160], [0.0], [-3e160]])
    bn = lk.BatchNorm1d(1)
    bn.gamma.data[...] = 1e160
    bn(x)
    dx = bn.backward(delta)
    xt = torch.tensor(x, requires_grad=True)
    tbn = torch.nn.BatchNorm1d(1, dtype=torch.float64)
    with torch.no_grad():
        tbn.weight.fill_(1e160)
    tbn(xt).backward(torch.tensor(delta))
    assert np.all(np.isfinite(dx))
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12)


def test_num_batches_tracked_is_a_buffer_saved_loaded_and_restored_by_check_gradients():
    rng = np.random.default_rng(2)
    bn = lk.BatchNorm1d(3, momentum=None)
    tbn = torch.nn.BatchNorm1d(3, momentum=None, dtype=torch.float64)
    for _ in range(3):
        x = rng.standard_normal((4, 3))
        bn(x)
        tbn(torch.tensor(x))
    state = bn.state_dict()
    assert set(state) == set(tbn.state_dict()) - {"weight", "bias"} | {"gamma", "beta"}
    assert int(state["num_batches_tracked"]) == int(tbn.num_batches_tracked) == 3

    fresh = lk.BatchNorm1d(3, momentum=None)
    fresh.load_state_dict(state)
    x = rng.standard_normal((4, 3))
    fresh(x)
    bn(x)        # the 4th batch weighs 1/4 in both: the count came with the state
    np.testing.assert_allclose(fresh.running_mean, bn.running_mean, rtol=1e-12)
    assert int(fresh.num_batches_tracked) == 4

    net = lk.Sequential(lk.Linear(3, 3, rng=rng), bn, lk.Tanh(), lk.Linear(3, 1, rng=rng))
    before = int(bn.num_batches_tracked)
    lk.check_gradients(net, lk.MSELoss(), rng.standard_normal((5, 3)),
                       rng.standard_normal((5, 1)))
    assert int(bn.num_batches_tracked) == before
