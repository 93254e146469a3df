"""lk.Value where Python's float arithmetic would raise or lose a NaN: each case against torch
float64 (values and gradients, inf/nan where torch gives them); inputs that are not numbers
raise a TypeError naming what was given; micrograd's own test_engine.py run on lk.Value."""
from __future__ import annotations

import math

import numpy as np
import pytest

from labkit import Value


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch", reason="the comparison with torch needs torch")


def same(a: float, b: float) -> bool:
    """Equal as torch would print them: both nan, the same inf, or equal to 1e-12."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return a == pytest.approx(b, rel=1e-12, abs=1e-300)


POWERS = [(0.0, 0.0), (0.0, 0.5), (0.0, -1.0), (0.0, 2.0), (0.0, 1.0), (-0.0, -1.0),
          (1e-300, -2.0), (1e-200, 3.0), (1e300, 2.0), (-1e300, 3.0), (-8.0, 1 / 3),
          (-8.0, 2.0), (-2.0, -3.0), (float("nan"), 0.0), (4.0, 0.5)]


@pytest.mark.parametrize("x, k", POWERS)
def test_power_by_a_constant_matches_torch(torch, x, k):
    v = Value(x)
    out = v ** k                              # no ZeroDivisionError, OverflowError, complex
    out.backward()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    t_out = t ** k
    t_out.backward()
    assert same(out.data, t_out.item()), (out.data, t_out.item())
    assert same(v.grad, t.grad.item()), (v.grad, t.grad.item())


@pytest.mark.parametrize("x, y", [(0.0, 2.0), (0.0, 0.0), (0.0, 0.5), (-2.0, 0.5),
                                  (-2.0, 2.0), (1e-300, -2.0), (3.0, 1.5)])
def test_power_by_a_value_matches_torch(torch, x, y):
    a, b = Value(x), Value(y)
    out = a ** b
    out.backward()
    ta = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(y, dtype=torch.float64, requires_grad=True)
    t_out = ta ** tb
    t_out.backward()
    assert same(out.data, t_out.item())
    assert same(a.grad, ta.grad.item()), (a.grad, ta.grad.item())
    assert same(b.grad, tb.grad.item()), (b.grad, tb.grad.item())


def test_norm_of_zero_weights_matches_torch(torch):
    """sum(w*w)**0.5 on zero weights: the forward pass works; the gradient is torch's nan."""
    ws = [Value(0.0) for _ in range(3)]
    norm = sum(w * w for w in ws) ** 0.5
    norm.backward()
    t = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    t_norm = (t * t).sum() ** 0.5
    t_norm.backward()
    assert norm.data == t_norm.item() == 0.0
    for w, g in zip(ws, t.grad.tolist()):
        assert same(w.grad, g)


@pytest.mark.parametrize("x", [float("nan"), -0.0, 0.0, -1.0, 2.0])
def test_relu_keeps_nan_as_torch(torch, x):
    v = Value(x)
    out = v.relu()
    out.backward()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    t_out = torch.relu(t)
    t_out.backward()
    assert same(out.data, t_out.item())
    assert same(v.grad, t.grad.item())


@pytest.mark.parametrize("bad, shown", [("1.5", "str '1.5'"), (True, "bool True"),
                                        (None, "NoneType None"), ([1.0], "list [1.0]"),
                                        (np.bool_(False), "False"), (1 + 2j, "complex")])
def test_value_of_a_non_number_names_it(bad, shown):
    with pytest.raises(TypeError, match="Value\\(data\\) must be a real number") as info:
        Value(bad)
    assert shown in str(info.value)


def test_numpy_numbers_are_accepted():
    assert Value(np.float32(1.5)).data == 1.5
    assert Value(np.int64(3)).data == 3.0
    assert (Value(2.0) ** np.int64(3)).data == 8.0


def test_exponent_that_is_not_a_number_names_it():
    with pytest.raises(TypeError, match="Value \\*\\* exponent must be a real number.*str"):
        Value(2.0) ** "2"


def test_infinite_local_derivative_is_recorded_not_raised():
    v = Value(0.0) ** 0.5                    # d/dx = 0.5 * 0**-0.5 = inf
    assert v.data == 0.0
    assert v.local_grads == (math.inf,)


# --- micrograd's test/test_engine.py (0.1.0), run on lk.Value instead of micrograd's ---------
def _sanity(x):
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    return h + q + q * x


def _more_ops(a, b, relu):
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + relu(b + a)
    d += 3 * d + relu(b - a)
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g


def test_micrograd_sanity_check(torch):
    x = Value(-4.0)
    y = _sanity(x)
    y.backward()
    xt = torch.tensor([-4.0], dtype=torch.float64, requires_grad=True)
    yt = _sanity(xt)
    yt.backward()
    assert y.data == yt.data.item()
    assert x.grad == xt.grad.item()


def test_micrograd_more_ops(torch):
    a, b = Value(-4.0), Value(2.0)
    g = _more_ops(a, b, Value.relu)
    g.backward()
    at = torch.tensor([-4.0], dtype=torch.float64, requires_grad=True)
    bt = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
    gt = _more_ops(at, bt, torch.relu)
    gt.backward()
    tol = 1e-6
    assert abs(g.data - gt.data.item()) < tol
    assert abs(a.grad - at.grad.item()) < tol
    assert abs(b.grad - bt.grad.item()) < tol


@pytest.mark.parametrize("x", [709.0, 710.0, 1000.0, float("inf"), float("nan"), -1000.0])
def test_exp_beyond_the_largest_float_is_inf_as_torch(torch, x):
    v = Value(x)
    out = v.exp()                              # no OverflowError
    out.backward()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    t_out = t.exp()
    t_out.backward()
    assert same(out.data, t_out.item()), (out.data, t_out.item())
    assert same(v.grad, t.grad.item()), (v.grad, t.grad.item())
