"""labkit.lessons.backprop: the backward pass recorded step by step must be net.backward's
backward pass, number for number, with the formulas and cached values it claims."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import labkit as lk
from labkit.core.random import get_rng
from labkit.lessons.backprop.compute import (
    KINDS,
    BackpropTrace,
    fmt,
    random_example,
    trace_backward,
    worked_example,
)

ACTS = [None, lk.Sigmoid, lk.Tanh, lk.ReLU, lambda: lk.LeakyReLU(0.1), lk.Identity]


def build(widths, acts, rng, bias=True, dtype=np.float64):
    layers = []
    for i, act in enumerate(acts):
        layers.append(lk.Linear(widths[i], widths[i + 1], bias=bias, rng=rng, dtype=dtype))
        if act is not None:
            layers.append(act())
    return lk.Sequential(*layers)


def backprop_grads(net, X, g):
    net.zero_grad()
    net(X)
    dX = net.backward(g)
    return {name: p.grad.copy() for name, p in net.named_parameters()}, dX


def assert_same_gradients(traced: dict, grads: dict) -> None:
    """dW and dL/da match bit for bit. db is the trace's sum of delta over the batch; Linear
    today sums as the product 1^T delta (parameter.batch_sum), so db agrees to rounding in the
    order of summation (bit for bit again once Linear writes b.grad += delta.sum(0), issue 13)."""
    assert list(traced) == list(grads)                   # same names, same order
    for name, expected in grads.items():
        assert traced[name].dtype == expected.dtype, name
        if name.endswith(".b"):
            tol = 10 * np.finfo(expected.dtype).eps
            np.testing.assert_allclose(traced[name], expected, rtol=tol, atol=tol, err_msg=name)
        else:
            assert np.array_equal(traced[name], expected), name


@given(depth=st.integers(1, 4), data=st.data())
def test_trace_equals_net_backward(depth, data):
    widths = data.draw(st.lists(st.integers(1, 4), min_size=depth + 1, max_size=depth + 1))
    acts = data.draw(st.lists(st.sampled_from(range(len(ACTS))), min_size=depth,
                              max_size=depth))
    n = data.draw(st.integers(1, 5))
    bias = data.draw(st.booleans())
    seed = data.draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    net = build(widths, [ACTS[a] for a in acts], rng, bias=bias)
    X = rng.normal(size=(n, widths[0]))
    g = rng.normal(size=(n, widths[-1]))

    trace = trace_backward(net, X, g)
    grads, dX = backprop_grads(net, X, g)
    assert_same_gradients(trace.grads, grads)
    assert np.array_equal(trace.dX, dX)
    assert np.array_equal(trace.y_hat, net(X))
    assert trace.sizes == widths


def test_float32_is_kept_and_still_equal(rng):
    net = build([3, 4, 2], [lk.Tanh, lk.Sigmoid], rng, dtype=np.float32)
    X = rng.normal(size=(5, 3)).astype(np.float32)
    g = rng.normal(size=(5, 2)).astype(np.float32)
    trace = trace_backward(net, X, g)
    grads, dX = backprop_grads(net, X, g)
    assert all(trace.grads[name].dtype == np.float32 for name in grads)
    assert_same_gradients(trace.grads, grads)
    assert np.array_equal(trace.dX, dX)


@pytest.mark.parametrize("loss_fn, target", [
    (lk.MSELoss(), lambda rng: rng.normal(size=(4, 3))),
    (lk.CrossEntropyLoss(), lambda rng: rng.integers(0, 3, size=4)),
])
def test_a_labkit_loss_starts_the_pass_as_its_backward_does(rng, loss_fn, target):
    net = build([2, 5, 3], [lk.ReLU, None], rng)
    X, y = rng.normal(size=(4, 2)), target(rng)
    trace = trace_backward(net, X, loss_fn=loss_fn, y=y)
    loss_fn(net(X), y)
    g = loss_fn.backward()
    assert np.array_equal(trace.dL_dyhat, g)
    grads, dX = backprop_grads(net, X, g)
    assert_same_gradients(trace.grads, grads)
    assert trace.start == f"{type(loss_fn).__name__}.backward()"


def test_a_function_of_y_hat_and_an_array_give_the_same_trace(rng):
    net = build([2, 3, 1], [lk.Sigmoid, lk.Sigmoid], rng)
    X, y = rng.normal(size=(3, 2)), rng.uniform(size=(3, 1))
    t1 = trace_backward(net, X, lambda y_hat: y_hat - y, describe="ŷ − y")
    t2 = trace_backward(net, X, net(X) - y)
    assert t1.start == "ŷ − y" and t2.start == "given"
    for s1, s2 in zip(t1, t2):
        assert s1.quantity == s2.quantity and np.array_equal(s1.result, s2.result)


def test_parameter_gradients_are_not_touched(rng):
    net = build([2, 3, 1], [lk.Tanh, None], rng)
    for p in net.parameters():
        p.grad[...] = 7.0
    trace_backward(net, rng.normal(size=(2, 2)), np.ones((2, 1)))
    assert all(np.all(p.grad == 7.0) for p in net.parameters())


def test_steps_come_in_backprop_order_with_their_formulas():
    trace = worked_example().trace()
    assert len(trace) == 8
    assert [s.number for s in trace] == list(range(1, 9))
    assert [(s.layer, s.kind) for s in trace] == [(2, k) for k in KINDS] + [(1, k) for k in KINDS]
    assert [s.formula for s in trace] == [
        "δ[2] = dL/da[2] ⊙ σ'(z[2])", "dW[2] = δ[2]ᵀ a[1]", "db[2] = Σ_batch δ[2]",
        "dL/da[1] = δ[2] W[2]", "δ[1] = dL/da[1] ⊙ σ'(z[1])", "dW[1] = δ[1]ᵀ a[0]",
        "db[1] = Σ_batch δ[1]", "dL/da[0] = δ[1] W[1]"]
    assert [s.param for s in trace] == [None, "2.W", "2.b", None, None, "0.W", "0.b", None]
    without = worked_example().trace(include_input=False)
    assert len(without) == 7 and without[-1].quantity == "db[1]"
    with pytest.raises(KeyError, match="no step"):
        _ = without.dX


def test_each_step_uses_the_cached_values_and_the_previous_results():
    trace = worked_example().trace()
    hidden, output = trace.layer(1), trace.layer(2)
    d2, dW2, db2, da1, d1, dW1, db1, da0 = trace.steps
    assert np.array_equal(d2.uses["dL/da[2]"], trace.dL_dyhat)
    assert np.array_equal(d2.uses["z[2]"], output.z) and "z[2]" in d2.cached
    assert np.array_equal(d2.uses["σ'(z[2])"], output.a * (1 - output.a))
    assert np.array_equal(dW2.uses["δ[2]"], d2.result)
    assert np.array_equal(dW2.uses["a[1]"], hidden.a) and dW2.cached == ("a[1]",)
    assert np.array_equal(da1.uses["W[2]"], output.W) and da1.cached == ("W[2]",)
    assert np.array_equal(d1.uses["dL/da[1]"], da1.result)            # the blame passed back
    assert "dL/da[1]" not in d1.cached
    assert np.array_equal(dW1.uses["a[0]"], trace.X)
    assert np.array_equal(db1.result, d1.result.sum(axis=0))
    assert np.array_equal(da0.result, trace.dX)
    # the forward records are the layer's own numbers
    assert np.allclose(hidden.z, trace.X @ hidden.W.T + hidden.b)
    assert np.allclose(output.a, lk.sigmoid(output.z))
    assert (hidden.W_name, hidden.b_name) == ("0.W", "0.b")


def test_seed001_numbers_against_seed_000s_column_formulas():
    """The same network by hand, one sample as a column (seed 000's form): z = W a + b,
    dW = δ aᵀ, dJ/da_prev = Wᵀ δ. The rows of the trace are these columns transposed."""
    trace = worked_example().trace()
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    x = np.array([[1.0], [2.0]])
    W1 = np.array([[0.5, 0.6], [0.7, 0.8]]).T            # (out, in) from the seed's (in, out)
    b1, W2, b2 = np.array([[0.1], [0.2]]), np.array([[0.9, 0.1]]), np.array([[0.3]])
    a1 = sig(W1 @ x + b1)
    a2 = sig(W2 @ a1 + b2)
    d2 = (a2 - 0.5) * a2 * (1 - a2)
    d1 = (W2.T @ d2) * a1 * (1 - a1)
    assert np.allclose(trace.layer(1).a, a1.T, rtol=1e-14)
    assert np.allclose(trace.y_hat, a2.T, rtol=1e-14)
    assert np.allclose(trace.find("delta", 2).result, d2.T, rtol=1e-12)
    assert np.allclose(trace.find("delta", 1).result, d1.T, rtol=1e-12)
    assert np.allclose(trace.grads["2.W"], d2 @ a1.T, rtol=1e-12)
    assert np.allclose(trace.grads["0.W"], d1 @ x.T, rtol=1e-12)
    assert np.allclose(trace.find("da_prev", 2).result, (W2.T @ d2).T, rtol=1e-12)
    # and the rounded values the lesson prints
    assert np.round(trace.layer(1).a, 4).tolist() == [[0.8808, 0.9168]]
    assert round(float(trace.y_hat[0, 0]), 6) == 0.765738
    assert np.round(trace.grads["0.W"], 6).tolist() == [[0.004504, 0.009009],
                                                        [0.000363, 0.000727]]
    assert np.round(trace.grads["2.W"], 6).tolist() == [[0.041987, 0.043704]]
    assert round(float(trace.grads["2.b"][0]), 6) == 0.047669


def test_with_numbers_and_the_tables_read_as_the_lesson_prints_them():
    trace = worked_example().trace()
    assert trace[0].with_numbers() == ("δ[2] = dL/da[2] ⊙ σ'(z[2]) = [0.2657] ⊙ [0.1794] = "
                                       "[0.04767]")
    assert trace[1].with_numbers() == ("dW[2] = δ[2]ᵀ a[1] = [0.04767]ᵀ [0.8808, 0.9168] = "
                                       "[0.04199, 0.0437]")
    assert trace[5].with_numbers().endswith("= [[0.004504, 0.009009], [0.0003635, 0.000727]]")
    assert str(trace[3]) == "step 4: " + trace[3].with_numbers()
    table = trace.table()
    assert table.splitlines()[0] == "start: dL/da[2] = dL/dŷ = ŷ − y = [0.2657]"
    assert len(table.splitlines()) == 9 and "\n 8. dL/da[0] = δ[1] W[1]" in table
    assert "a[1] = σ(z[1]) = [0.880797, 0.916827]" in trace.forward_table(6)
    assert repr(trace) == table


def test_fmt():
    assert fmt(np.array([[-0.0, 1.23456]])) == "[0, 1.235]"
    assert fmt(np.array([[1.0, 2.0], [3.0, 4.0]])) == "[[1, 2], [3, 4]]"
    assert fmt(0.5) == "0.5" and fmt(np.float64(-0.0)) == "0"


def test_known_after_find_and_layer():
    trace = worked_example().trace()
    assert trace.known_after(0) == [] and len(trace.known_after(8)) == 8
    assert trace.find("db", 1) is trace[6]
    with pytest.raises(ValueError, match="0..8"):
        trace.known_after(9)
    with pytest.raises(KeyError, match="no step 'dz'"):
        trace.find("dz", 1)
    with pytest.raises(KeyError, match="no layer 3"):
        trace.layer(3)


def test_activations_are_named_with_their_derivative_rules(rng):
    net = lk.Sequential(lk.Linear(2, 3, rng=rng), lk.LeakyReLU(0.1), lk.Linear(3, 2, rng=rng),
                        lk.Tanh(), lk.Linear(2, 1, rng=rng))
    trace = trace_backward(net, rng.normal(size=(2, 2)), np.ones((2, 1)))
    assert [r.activation for r in trace.layers] == ["leaky_relu", "tanh", "identity"]
    assert trace.layer(1).derivative_rule == "LeakyReLU'(z) = 1 where z > 0, else 0.1"
    assert trace.layer(3).derivative_rule == "no activation: f'(z) = 1"
    assert np.array_equal(trace.find("delta", 3).result, np.ones((2, 1)))
    assert trace.find("delta", 2).formula == "δ[2] = dL/da[2] ⊙ tanh'(z[2])"


def test_errors_are_clear(rng):
    net = build([2, 2, 1], [lk.Sigmoid, None], rng)
    X = rng.normal(size=(1, 2))
    with pytest.raises(TypeError, match="must be a labkit Sequential"):
        trace_backward(net[0], X, np.ones((1, 2)))
    with pytest.raises(ValueError, match="layer 0 is Sigmoid.*expected a Linear"):
        trace_backward(lk.Sequential(lk.Sigmoid(), lk.Linear(2, 1)), X, np.ones((1, 1)))
    with pytest.raises(ValueError, match="layer 2 is Tanh"):
        trace_backward(lk.Sequential(lk.Linear(2, 2), lk.Sigmoid(), lk.Tanh()), X,
                       np.ones((1, 2)))
    with pytest.raises(ValueError, match="empty"):
        trace_backward(lk.Sequential(), X, np.ones((1, 2)))
    with pytest.raises(ValueError, match="either dL_dyhat"):
        trace_backward(net, X)
    with pytest.raises(ValueError, match="either dL_dyhat"):
        trace_backward(net, X, np.ones((1, 1)), loss_fn=lk.MSELoss(), y=np.ones((1, 1)))
    with pytest.raises(ValueError, match="needs the target y"):
        trace_backward(net, X, loss_fn=lk.MSELoss())
    with pytest.raises(ValueError, match=r"dL/dŷ has shape \(1, 2\).*\(1, 1\)"):
        trace_backward(net, X, np.ones((1, 2)))
    with pytest.raises(ValueError, match="expected input of width 2"):
        trace_backward(net, np.ones((1, 3)), np.ones((1, 1)))


def test_the_examples():
    ex = worked_example()
    assert np.array_equal(ex.net[0].W.data, np.array([[0.5, 0.6], [0.7, 0.8]]).T)
    assert ex.eta == 0.1 and ex.X.tolist() == [[1.0, 2.0]] and ex.y.tolist() == [[0.5]]
    assert ex.loss() == pytest.approx(0.5 * (0.765738 - 0.5) ** 2, abs=1e-7)
    assert isinstance(ex.trace(), BackpropTrace)
    r1, r2 = random_example(4, activation="tanh"), random_example(4, activation="tanh")
    assert np.array_equal(r1.net[0].W.data, r2.net[0].W.data) and np.array_equal(r1.X, r2.X)
    assert r1.trace().sizes == [2, 3, 1]
    assert not np.array_equal(random_example(5).X, r1.X)
    with pytest.raises(ValueError, match="activation must be one of"):
        random_example(0, activation="softplus")


def test_worked_example_leaves_the_default_generator_alone():
    before = get_rng().bit_generator.state
    worked_example()
    assert get_rng().bit_generator.state == before
