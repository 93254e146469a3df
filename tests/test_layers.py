"""Layers: forward values written out by hand, and backprop vs central differences.

The gradient checks use their own central-difference routine (not labkit's), in float64,
on random shapes including a batch of one. A layer's output is reduced to a scalar with a
random linear functional, L = sum(out * R), so that dL/dout = R is known exactly and the
check exercises every output element.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from oracles import central_diff, rel_err

import labkit as lk

REL_TOL = 1e-7





def assert_module_gradients(module: lk.Module, x: np.ndarray, seed: int) -> None:
    """Backprop's dL/dx and dL/dtheta vs central differences for L = sum(module(x) * R)."""
    out = module(x)
    R = np.random.default_rng(seed + 1).standard_normal(out.shape)
    for p in module.parameters():
        p.grad[...] = 0.0
    module(x)
    dx = module.backward(R.copy())
    assert dx.shape == x.shape

    def loss() -> float:
        return float(np.sum(module(x) * R))

    num_dx = central_diff(loss, x)
    assert rel_err(dx, num_dx) < REL_TOL, (dx, num_dx)
    for p in module.parameters():
        analytic = p.grad.copy()
        numeric = central_diff(loss, p.data)
        assert analytic.shape == p.data.shape
        assert rel_err(analytic, numeric) < REL_TOL, (p.name, analytic, numeric)


def away_from_zero(rng: np.random.Generator, shape, margin: float = 0.1) -> np.ndarray:
    """Normal-ish values with |x| >= margin, so a kink at 0 is never within eps."""
    x = rng.standard_normal(shape)
    return np.sign(x + (x == 0)) * (margin + np.abs(x))


sizes = st.integers(min_value=1, max_value=5)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


# --- gradients vs central differences ------------------------------------------------------
@given(batch=sizes, n_in=sizes, n_out=sizes, bias=st.booleans(), seed=seeds)
@example(batch=1, n_in=1, n_out=1, bias=True, seed=0)
def test_linear_gradients(batch, n_in, n_out, bias, seed):
    rng = np.random.default_rng(seed)
    layer = lk.Linear(n_in, n_out, bias=bias, rng=rng)
    assert_module_gradients(layer, rng.standard_normal((batch, n_in)), seed)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradients_batch_of_one(bias):
    rng = np.random.default_rng(7)
    layer = lk.Linear(4, 3, bias=bias, rng=rng)
    assert_module_gradients(layer, rng.standard_normal((1, 4)), 7)


ACTIVATIONS = {
    "Sigmoid": lambda: lk.Sigmoid(),
    "Tanh": lambda: lk.Tanh(),
    "ReLU": lambda: lk.ReLU(),
    "LeakyReLU": lambda: lk.LeakyReLU(0.1),
    "LeakyReLU(0.01)": lambda: lk.LeakyReLU(),
    "Identity": lambda: lk.Identity(),
}


@pytest.mark.parametrize("kind", sorted(ACTIVATIONS))
@given(batch=sizes, width=sizes, seed=seeds)
@example(batch=1, width=4, seed=0)
def test_activation_gradients(kind, batch, width, seed):
    rng = np.random.default_rng(seed)
    # ReLU and LeakyReLU have a kink at 0: keep every input at least 0.1 away from it.
    x = away_from_zero(rng, (batch, width))
    assert_module_gradients(ACTIVATIONS[kind](), x, seed)


@given(
    widths=st.lists(sizes, min_size=2, max_size=4),
    acts=st.lists(st.sampled_from(sorted(ACTIVATIONS)), min_size=3, max_size=3),
    batch=sizes,
    seed=seeds,
)
@example(widths=[3, 4, 2], acts=["Tanh", "Sigmoid", "Identity"], batch=1, seed=0)
def test_sequential_gradients(widths, acts, batch, seed):
    rng = np.random.default_rng(seed)
    layers = []
    for i in range(len(widths) - 1):
        layers += [lk.Linear(widths[i], widths[i + 1], rng=rng), ACTIVATIONS[acts[i]]()]
    net = lk.Sequential(*layers)
    x = rng.standard_normal((batch, widths[0]))
    # Finite differences are only valid away from ReLU's kink: skip the rare draws where a
    # pre-activation lies within 1e-4 of 0 (a perturbation of 1e-6 cannot cross it then).
    z = x
    for layer in net:
        if isinstance(layer, (lk.ReLU, lk.LeakyReLU)):
            assume(np.min(np.abs(z)) > 1e-4)
        z = layer(z)
    assert_module_gradients(net, x, seed)


# --- forward values, computed independently ------------------------------------------------
def test_linear_forward_is_x_W_transposed_plus_b():
    layer = lk.Linear(3, 2, rng=0)
    W = np.array([[1.0, -2.0, 0.5], [0.25, 3.0, -1.0]])  # (out, in), as torch.nn.Linear
    b = np.array([0.1, -0.2])
    layer.W.data[...] = W
    layer.b.data[...] = b
    x = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 4.0]])
    expected = [[sum(x[n, i] * W[o, i] for i in range(3)) + b[o] for o in range(2)]
                for n in range(2)]
    np.testing.assert_allclose(layer(x), expected, rtol=0, atol=1e-15)


def test_linear_without_bias_has_only_W():
    layer = lk.Linear(3, 2, bias=False, rng=0)
    assert layer.b is None
    assert [name for name, _ in layer.named_parameters()] == ["W"]
    x = np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(layer(x), x @ layer.W.data.T, rtol=0, atol=0)


def test_linear_parameter_shapes_follow_torch_layout():
    layer = lk.Linear(5, 3, rng=0)
    assert layer.W.data.shape == (3, 5)
    assert layer.b.data.shape == (3,)
    assert layer.W.grad.shape == layer.W.data.shape
    assert layer.W.data.dtype == np.float64


@pytest.mark.parametrize(
    "make, f",
    [
        (lk.Sigmoid, lambda z: 1.0 / (1.0 + math.exp(-z))),
        (lk.Tanh, math.tanh),
        (lk.ReLU, lambda z: max(z, 0.0)),
        (lambda: lk.LeakyReLU(0.2), lambda z: z if z > 0 else 0.2 * z),
        (lk.Identity, lambda z: z),
    ],
    ids=["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Identity"],
)
def test_activation_forward_values(make, f):
    z = np.array([[-3.0, -0.5, 0.0], [0.25, 1.0, 4.0]])
    expected = [[f(v) for v in row] for row in z]
    np.testing.assert_allclose(make()(z), expected, rtol=1e-14, atol=1e-15)


def test_sigmoid_is_accurate_in_both_tails():
    """sigma(z) to full relative precision, also where it is tiny (vanishing gradients are
    plotted on a log scale in lesson 08, and torch.sigmoid is accurate there)."""
    z = np.linspace(-40.0, 40.0, 161)
    expected = np.array([1.0 / (1.0 + math.exp(-v)) for v in z])
    np.testing.assert_allclose(lk.sigmoid(z), expected, rtol=1e-12, atol=0)
    layer = lk.Sigmoid()
    layer(z.reshape(1, -1))
    d = layer.backward(np.ones((1, z.size)))[0]
    expected_d = np.array([math.exp(-abs(v)) / (1.0 + math.exp(-abs(v))) ** 2 for v in z])
    # sigma' = a (1 - a), from the cached a as torch does: relative precision where a is
    # small (z <= 0); where a is close to 1, 1 - a is only accurate to ~1e-16 absolutely.
    neg = z <= 0
    np.testing.assert_allclose(d[neg], expected_d[neg], rtol=1e-10, atol=0)
    np.testing.assert_allclose(d[~neg], expected_d[~neg], rtol=1e-10, atol=3e-16)
    assert d[z == 0][0] == 0.25


def test_sigmoid_takes_numbers_lists_and_integers():
    """A number in gives a number out (the lessons' tables call it on scalars)."""
    for v in (0.5, np.float64(-3.0), np.float32(0.25), 2, np.array(1.5)):
        out = lk.sigmoid(v)
        assert np.ndim(out) == 0 and not isinstance(out, np.ndarray)
        assert float(out) == pytest.approx(1 / (1 + math.exp(-float(v))), rel=1e-6)
    np.testing.assert_allclose(lk.sigmoid([1, -2]), [1 / (1 + math.exp(-1)), 1 / (1 + math.exp(2))],
                               rtol=1e-15)


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow is fine
        a = lk.sigmoid(np.array([-1000.0, 1000.0]))
    assert a[0] == 0.0 or a[0] < 1e-300
    assert a[1] == 1.0


def test_relu_follows_changing_batch_shapes_and_dtypes():
    """A new batch size or dtype gives max(z, 0) in that dtype, NaN passed through as torch."""
    relu, rng = lk.ReLU(), np.random.default_rng(5)
    for shape, dtype in [((3, 4), np.float64), ((5, 4), np.float32), ((3, 4), np.float64)]:
        z = rng.standard_normal(shape).astype(dtype)
        z[0, 0] = np.nan
        a = relu(z)
        assert a.dtype == dtype
        np.testing.assert_array_equal(a, np.maximum(z, 0))


def test_relu_derivative_is_zero_at_zero_as_torch():
    layer = lk.ReLU()
    layer(np.array([[-1.0, 0.0, 2.0]]))
    np.testing.assert_array_equal(layer.backward(np.array([[5.0, 5.0, 5.0]])), [[0.0, 0.0, 5.0]])


def test_leaky_relu_backward_uses_negative_slope_on_the_negative_side():
    layer = lk.LeakyReLU(negative_slope=0.3)
    layer(np.array([[-2.0, 3.0]]))
    np.testing.assert_allclose(layer.backward(np.array([[1.0, 1.0]])), [[0.3, 1.0]])


def test_leaky_relu_alpha_is_the_deprecated_name_of_negative_slope():
    with pytest.warns(DeprecationWarning, match=r"LeakyReLU\(alpha=...\).*negative_slope"):
        layer = lk.LeakyReLU(alpha=0.2)
    assert layer.negative_slope == 0.2
    with pytest.warns(DeprecationWarning, match="LeakyReLU.alpha"):
        assert layer.alpha == 0.2


def test_sequential_composes_in_order_and_names_parameters():
    rng = np.random.default_rng(0)
    l0, l2 = lk.Linear(2, 3, rng=rng), lk.Linear(3, 1, bias=False, rng=rng)
    net = lk.Sequential(l0, lk.Tanh(), l2)
    x = rng.standard_normal((4, 2))
    expected = np.tanh(x @ l0.W.data.T + l0.b.data) @ l2.W.data.T
    np.testing.assert_allclose(net(x), expected, rtol=1e-14)
    assert [p.name for p in net.parameters()] == ["0.W", "0.b", "2.W"]
    assert net.parameters() == [l0.W, l0.b, l2.W]
    assert len(net) == 3 and net[1].__class__ is lk.Tanh


def test_backward_accumulates_into_grad_until_zeroed():
    rng = np.random.default_rng(1)
    layer = lk.Linear(3, 2, rng=rng)
    x, g = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    layer(x)
    layer.backward(g)
    once = layer.W.grad.copy()
    np.testing.assert_allclose(once, g.T @ x, rtol=1e-14)
    layer(x)
    layer.backward(g)
    np.testing.assert_allclose(layer.W.grad, 2 * once, rtol=1e-14)
    layer.zero_grad()
    assert not layer.W.grad.any() and not layer.b.grad.any()


def test_zero_grad_then_backward_equals_a_fresh_backward_and_keeps_the_array():
    """zero_grad() fills the gradient arrays with zeros; the next backward adds into them:
    the numbers of a fresh layer, in the same array objects."""
    rng = np.random.default_rng(3)
    layer = lk.Linear(3, 2, rng=rng)
    x, g, g2 = (rng.standard_normal(s) for s in ((4, 3), (4, 2), (4, 2)))
    arrays = (layer.W.grad, layer.b.grad)
    layer(x)
    layer.backward(g)
    layer.zero_grad()
    np.testing.assert_array_equal(layer.W.grad, 0)
    layer(x)
    layer.backward(g2)
    np.testing.assert_allclose(layer.W.grad, g2.T @ x, rtol=1e-14)
    np.testing.assert_allclose(layer.b.grad, g2.sum(axis=0), rtol=1e-14)
    layer(x)
    layer.backward(g)                        # a second backward adds its term
    np.testing.assert_allclose(layer.W.grad, g2.T @ x + g.T @ x, rtol=1e-14)
    assert layer.W.grad is arrays[0] and layer.b.grad is arrays[1]


def test_reading_grad_changes_nothing_and_zero_grad_writes_into_the_same_array():
    """g = p.grad is the gradient array itself: reading it (a plot, grad_norm) changes no
    state, and zero_grad() zeroes that array, so g reads zeros too; a copy keeps the numbers."""
    rng = np.random.default_rng(8)
    layer = lk.Linear(3, 2, rng=rng)
    x, delta = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    layer(x)
    layer.backward(delta)
    g, kept = layer.W.grad, layer.W.grad.copy()
    for _ in range(3):                       # reads change nothing
        np.testing.assert_array_equal(layer.W.grad, kept)
    layer.zero_grad()
    assert layer.W.grad is g and not g.any()
    np.testing.assert_allclose(kept, delta.T @ x, rtol=1e-14)


def test_zero_grad_set_to_none_as_torch():
    """set_to_none=True: grad is None until the next backward, which starts it from zeros;
    the optimizer skips a parameter whose grad is None."""
    rng = np.random.default_rng(9)
    net = lk.Sequential(lk.Linear(3, 2, rng=rng), lk.Tanh(), lk.Linear(2, 1, rng=rng))
    x = rng.standard_normal((5, 3))
    opt = lk.SGD(net.parameters(), lr=0.1)
    net(x)
    net.backward(np.ones((5, 1)))
    expected = [p.grad.copy() for p in net.parameters()]
    opt.zero_grad(set_to_none=True)
    assert all(p.grad is None for p in net.parameters())
    before = [p.data.copy() for p in net.parameters()]
    opt.step()                               # nothing to do
    for p, b in zip(net.parameters(), before):
        np.testing.assert_array_equal(p.data, b)
    net(x)
    net.backward(np.ones((5, 1)))
    for p, e in zip(net.parameters(), expected):
        np.testing.assert_allclose(p.grad, e, rtol=1e-14)
    net.zero_grad(set_to_none=True)
    net.zero_grad()                          # back from None: zeros
    assert all(p.grad is not None and not p.grad.any() for p in net.parameters())


@pytest.mark.parametrize("make", [
    lambda rng: lk.Sequential(lk.Linear(3, 4, rng=rng), lk.Tanh(), lk.Linear(4, 1, rng=rng)),
    lambda rng: lk.Sequential(lk.Linear(3, 4, rng=rng), lk.BatchNorm1d(4), lk.ReLU(),
                              lk.Linear(4, 1, rng=rng)),
    lambda rng: lk.Sequential(lk.Linear(3, 3, rng=rng),
                              lk.Residual(lk.Sequential(lk.Linear(3, 3, rng=rng), lk.Tanh())),
                              lk.Linear(3, 1, bias=False, rng=rng)),
], ids=["linear", "batchnorm", "residual"])
def test_every_layer_backpropagates_after_set_to_none_as_after_zeros(make):
    """After zero_grad(set_to_none=True), a backward gives every parameter (BatchNorm's gamma
    and beta too) the same gradient as after zero_grad(), in an array of its own."""
    rng = np.random.default_rng(4)
    net, x = make(rng), rng.standard_normal((6, 3))
    grads = []
    for set_to_none in (False, True):
        net.zero_grad(set_to_none=set_to_none)
        out = net(x)
        net.backward(np.ones_like(out))
        grads.append({name: p.grad for name, p in net.named_parameters()})
    assert grads[0].keys() == grads[1].keys() and len(grads[0]) >= 3
    for name, g in grads[1].items():
        np.testing.assert_allclose(g, grads[0][name], rtol=1e-14, err_msg=name)
        assert g is not grads[0][name]


def test_accumulate_grad_adds_in_place_and_names_a_wrong_shape():
    p = lk.Parameter(np.zeros((2, 3)), "0.W")
    g = p.grad
    p.accumulate_grad(np.ones((2, 3)))
    p.accumulate_grad(np.ones((2, 3)))
    assert p.grad is g and (g == 2).all()
    with pytest.raises(ValueError, match=r"Parameter '0\.W': a gradient of shape \(3,\) cannot "
                                         r"be added to one of shape \(2, 3\)"):
        p.accumulate_grad(np.ones(3))         # would broadcast silently
    assert (p.grad == 2).all()
    p.zero_grad(set_to_none=True)
    dW = np.full((2, 3), 5.0)
    p.accumulate_grad(dW)
    dW[0, 0] = -1.0                           # the caller's array is not the gradient
    assert p.grad[0, 0] == 5.0


def test_parameter_grad_assignment_casts_to_the_data_dtype():
    p = lk.Parameter(np.zeros((2, 2), dtype=np.float32))
    p.grad = np.ones((2, 2))                 # float64 in
    assert p.grad.dtype == np.float32 and p.grad.sum() == 4
    p.grad += np.ones((2, 2))
    assert p.grad.sum() == 8 and p.grad.dtype == np.float32


def test_float32_network_stays_float32():
    rng = np.random.default_rng(2)
    net = lk.Sequential(lk.Linear(3, 4, rng=rng, dtype=np.float32), lk.Tanh(),
                        lk.Linear(4, 2, rng=rng, dtype=np.float32))
    x = rng.standard_normal((5, 3)).astype(np.float32)
    out = net(x)
    assert out.dtype == np.float32
    dx = net.backward(np.ones_like(out))
    assert dx.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in net.parameters())


@pytest.mark.parametrize("init, std", [("xavier", math.sqrt(2 / (400 + 300))),
                                       ("he", math.sqrt(2 / 400)), (0.05, 0.05)])
def test_named_initializations_draw_with_the_documented_std(init, std):
    layer = lk.Linear(400, 300, rng=3, init=init)
    # 120,000 draws: the sample std is within 1% of the true one with overwhelming probability.
    assert abs(layer.W.data.std() / std - 1) < 0.01
    assert abs(layer.W.data.mean()) < 0.02 * std
    assert not layer.b.data.any()


def test_default_initialization_is_uniform_within_one_over_sqrt_in():
    n_in = 50
    layer = lk.Linear(n_in, 400, rng=4)
    bound = 1 / math.sqrt(n_in)
    W = layer.W.data
    assert np.abs(W).max() <= bound
    assert np.abs(W).max() > 0.99 * bound  # it spans the whole interval
    # U(-a, a) has std a / sqrt(3)
    assert abs(W.std() / (bound / math.sqrt(3)) - 1) < 0.02
    assert np.abs(layer.b.data).max() <= bound and layer.b.data.any()


def test_same_rng_seed_gives_same_weights():
    a, b = lk.Linear(3, 4, rng=11), lk.Linear(3, 4, rng=11)
    np.testing.assert_array_equal(a.W.data, b.W.data)
    c = lk.Linear(3, 4, rng=12)
    assert not np.array_equal(a.W.data, c.W.data)
