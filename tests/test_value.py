"""lk.Value, the scalar autograd engine: every operation against plain math (values) and
central differences (gradients), against torch scalars, and the graph properties that lesson 05
teaches (shared nodes, accumulation, deep graphs without recursion)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import labkit as lk
from labkit import Value


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch", reason="torch is not installed: the comparison of "
                               "lk.Value with torch scalars needs it (pip install -e '.[dev]')")


def num_diff(f, x: float, eps: float = 1e-6) -> float:
    return (f(x + eps) - f(x - eps)) / (2 * eps)


# name, function on Values, the same function in plain math, points to check
UNARY = [
    ("exp", lambda v: v.exp(), math.exp, [-2.0, 0.0, 1.5]),
    ("log", lambda v: v.log(), math.log, [0.3, 1.0, 7.0]),
    ("tanh", lambda v: v.tanh(), math.tanh, [-2.0, 0.1, 1.0]),
    ("relu", lambda v: v.relu(), lambda x: max(x, 0.0), [-1.5, 0.5, 3.0]),
    ("sigmoid", lambda v: v.sigmoid(), lambda x: 1 / (1 + math.exp(-x)), [-3.0, 0.0, 2.5]),
    ("neg", lambda v: -v, lambda x: -x, [-1.0, 2.0]),
    ("pow 3", lambda v: v**3, lambda x: x**3, [-1.5, 0.5, 2.0]),
    ("pow -1", lambda v: v**-1, lambda x: x**-1, [-2.0, 0.5]),
    ("pow 0.5", lambda v: v**0.5, math.sqrt, [0.25, 4.0]),
    ("add float", lambda v: v + 2.5, lambda x: x + 2.5, [1.0]),
    ("radd float", lambda v: 2.5 + v, lambda x: 2.5 + x, [1.0]),
    ("sub float", lambda v: v - 2.5, lambda x: x - 2.5, [1.0]),
    ("rsub float", lambda v: 2.5 - v, lambda x: 2.5 - x, [1.0]),
    ("mul float", lambda v: v * -3.0, lambda x: x * -3.0, [1.5]),
    ("rmul float", lambda v: -3.0 * v, lambda x: -3.0 * x, [1.5]),
    ("div float", lambda v: v / 4.0, lambda x: x / 4.0, [1.5]),
    ("rdiv float", lambda v: 4.0 / v, lambda x: 4.0 / x, [1.5, -0.5]),
    ("rpow float", lambda v: 2.0**v, lambda x: 2.0**x, [-1.0, 0.5, 3.0]),
    ("int operands", lambda v: 3 * v + 1 - v / 2, lambda x: 3 * x + 1 - x / 2, [2.0]),
    ("numpy float", lambda v: np.float64(2.0) * v, lambda x: 2.0 * x, [1.25]),
]


@pytest.mark.parametrize("name, op, f, points", UNARY, ids=[u[0] for u in UNARY])
def test_unary_ops_values_and_gradients(name, op, f, points):
    for x in points:
        a = Value(x)
        out = op(a)
        assert isinstance(out, Value)
        assert out.data == pytest.approx(f(x), rel=1e-13, abs=1e-15)
        out.backward()
        assert a.grad == pytest.approx(num_diff(f, x), rel=1e-7, abs=1e-9), (name, x)


BINARY = [
    ("add", lambda a, b: a + b, lambda x, y: x + y),
    ("sub", lambda a, b: a - b, lambda x, y: x - y),
    ("mul", lambda a, b: a * b, lambda x, y: x * y),
    ("div", lambda a, b: a / b, lambda x, y: x / y),
    ("pow", lambda a, b: a**b, lambda x, y: x**y),
]


@pytest.mark.parametrize("name, op, f", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("x, y", [(1.5, 0.7), (0.4, -2.0), (3.0, 2.0)])
def test_binary_ops_values_and_gradients(name, op, f, x, y):
    a, b = Value(x), Value(y)
    out = op(a, b)
    assert out.data == pytest.approx(f(x, y), rel=1e-14)
    out.backward()
    assert a.grad == pytest.approx(num_diff(lambda t: f(t, y), x), rel=1e-7)
    assert b.grad == pytest.approx(num_diff(lambda t: f(x, t), y), rel=1e-7)


def _expression(a, b, c, exp, log, tanh, relu, sigmoid):
    """One expression with every operation; the same code runs on Values and torch tensors."""
    d = a * b + c ** 2 - a / c
    e = exp(d * 0.1) + log(b + 3.0) * tanh(a - c)
    f = relu(e - 1.0) + sigmoid(d) * (2.0 - a) + 1.5 / (b * b + 1.0) + (-c)
    g = 2.0 ** (a * 0.3) + (b * b + 1.0) ** (c * 0.2) + 3.0 * a + (0.5 + b)
    return f * f + d ** 3 / 7.0 + g


@pytest.mark.parametrize("xs", [(0.5, -1.2, 2.0), (1.3, 0.7, -0.4), (-2.0, 2.5, 1.1)])
def test_expression_matches_torch(torch, xs):
    vs = [Value(x) for x in xs]
    out = _expression(*vs, Value.exp, Value.log, Value.tanh, Value.relu, Value.sigmoid)
    out.backward()
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    t_out = _expression(*ts, torch.exp, torch.log, torch.tanh, torch.relu, torch.sigmoid)
    t_out.backward()
    assert out.data == pytest.approx(t_out.item(), rel=1e-12)
    for v, t in zip(vs, ts):
        assert v.grad == pytest.approx(t.grad.item(), rel=1e-10, abs=1e-12)


def test_expression_matches_finite_differences():
    xs = [0.5, -1.2, 2.0]
    vs = [Value(x) for x in xs]
    out = _expression(*vs, Value.exp, Value.log, Value.tanh, Value.relu, Value.sigmoid)
    out.backward()

    def f(*args):
        return _expression(*args, math.exp, math.log, math.tanh, lambda x: max(x, 0.0),
                           lambda x: 1 / (1 + math.exp(-x)))

    for i, v in enumerate(vs):
        def fi(t, i=i):
            args = list(xs)
            args[i] = t
            return f(*args)
        assert v.grad == pytest.approx(num_diff(fi, xs[i]), rel=1e-7)


def test_sigmoid_is_accurate_in_the_tail():
    assert Value(-30.0).sigmoid().data == pytest.approx(1 / (1 + math.exp(30.0)), rel=1e-12, abs=0)


# --- graph properties -------------------------------------------------------------------------
def test_shared_node_b_equals_a_plus_a():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert c.data == 12.0
    assert b.grad == 2.0
    assert a.grad == 4.0   # a naive recursion per path would still give 4 here; see below


def test_node_used_in_several_places():
    # L = x*y + x*z + sin-free mix: x feeds three operations, y feeds two.
    x, y, z = Value(2.0), Value(-3.0), Value(0.5)
    s = x * y           # shared: used twice below
    L = s * z + s.tanh() + x.exp() * y
    L.backward()
    t = math.tanh(2.0 * -3.0)
    dL_ds = 0.5 + (1 - t * t)
    assert x.grad == pytest.approx(dL_ds * -3.0 + math.exp(2.0) * -3.0, rel=1e-14)
    assert y.grad == pytest.approx(dL_ds * 2.0 + math.exp(2.0), rel=1e-14)
    assert z.grad == pytest.approx(2.0 * -3.0, rel=1e-14)
    assert s.grad == pytest.approx(dL_ds, rel=1e-14)


def test_diamond_graph_visits_each_node_once():
    """A node reached along two paths must pass its gradient on once, with both paths' sum
    (seed 002's recursion would push a's share down twice)."""
    a = Value(1.5)
    b = a * 2.0
    c = b * 3.0
    d = b * 5.0
    e = c + d          # two paths from b to e
    f = e * e
    f.backward()
    e_val = 2.0 * 1.5 * 8.0
    assert a.grad == pytest.approx(2 * e_val * 8.0 * 2.0, rel=1e-15)
    assert b.grad == pytest.approx(2 * e_val * 8.0, rel=1e-15)
    order = f.topological_order()
    assert len(order) == len({id(n) for n in order})
    assert order.index(a) < order.index(b) < order.index(c) < order.index(e) < order.index(f)


def test_deep_chain_of_100000_nodes():
    x = Value(1.0)
    v = x
    k = 1.00001
    for _ in range(100_000):
        v = v * k
    v.backward()                       # no RecursionError
    assert x.grad == pytest.approx(k**100_000, rel=1e-9)
    assert v.data == pytest.approx(k**100_000, rel=1e-9)
    v.zero_grad()
    assert x.grad == 0.0 and v.grad == 0.0


def test_second_backward_doubles_every_gradient():
    """Gradients accumulate (+=): a second backward() without zeroing doubles them, on every
    node of the graph, also on intermediate nodes of a deep graph."""
    a, b = Value(0.7), Value(-1.3)
    c = a * b
    d = c.tanh() * 3.0
    e = d * d + a
    e.backward()
    first = {"a": a.grad, "b": b.grad, "c": c.grad, "d": d.grad, "e": e.grad}
    e.backward()
    second = {"a": a.grad, "b": b.grad, "c": c.grad, "d": d.grad, "e": e.grad}
    for name in first:
        assert second[name] == pytest.approx(2 * first[name], rel=1e-14), name
    # first-pass values, independently: e = d^2 + a, d = 3 tanh(ab)
    t = math.tanh(0.7 * -1.3)
    d_val = 3 * t
    de_dc = 2 * d_val * 3 * (1 - t * t)
    assert first["a"] == pytest.approx(de_dc * -1.3 + 1.0, rel=1e-14)
    assert first["b"] == pytest.approx(de_dc * 0.7, rel=1e-14)


def test_zero_grad_resets_the_whole_graph():
    a, b = Value(2.0), Value(3.0)
    c = (a * b).exp() + a
    c.backward()
    assert a.grad != 0 and b.grad != 0
    c.zero_grad()
    assert a.grad == b.grad == c.grad == 0.0
    c.backward()
    assert a.grad == pytest.approx(3.0 * math.exp(6.0) + 1.0, rel=1e-14)


def test_gradients_are_zero_before_backward():
    a = Value(2.0)
    b = a * a
    assert a.grad == 0.0 and b.grad == 0.0


def test_values_helper_labels():
    xs = lk.core.value.values([1.0, 2.0], prefix="w")
    assert [x.label for x in xs] == ["w0", "w1"]
    assert [x.data for x in xs] == [1.0, 2.0]


@pytest.mark.parametrize("bad", ["2", None, [1.0], True])
def test_combining_with_a_non_number_is_a_type_error(bad):
    with pytest.raises(TypeError, match="a number combined with a Value must be a real number"):
        Value(1.0) + bad


def test_log_of_non_positive_and_division_by_zero():
    with pytest.raises(ValueError, match=r"positive number, got -1\.0"):
        Value(-1.0).log()
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        Value(1.0) / 0.0


# --- topological order and backward on random graphs ---------------------------------------------
def _random_graph(rng, n_inputs, n_ops):
    """A random DAG with shared nodes: every operation picks its operands among all Values made
    so far (inputs and earlier results, so one Value often feeds several others, or the same
    operation twice: a + a). Returns (root, every Value made)."""
    made = [Value(float(x)) for x in rng.uniform(0.5, 1.5, n_inputs)]
    for _ in range(n_ops):
        a = made[rng.integers(len(made))]
        b = made[rng.integers(len(made))]
        kind = rng.integers(5)
        if kind == 0:
            v = a + b
        elif kind == 1:
            v = a * b
        elif kind == 2:
            v = (a * 0.5).tanh()
        elif kind == 3:
            v = a - 2.0 * b
        else:              # made by hand, three inputs: v = a + b + 2 a
            v = Value(a.data + b.data + 2 * a.data, (a, b, a), (1.0, 1.0, 2.0), "a+b+2a")
        made.append(v)
    return made[-1], made


def _reachable(root):
    seen, stack = {id(root): root}, [root]
    while stack:
        for p in stack.pop().parents:
            if id(p) not in seen:
                seen[id(p)] = p
                stack.append(p)
    return seen


def _reference_grads(root):
    """d root / d v for every v, computed independently of Value: Kahn's algorithm (a node is
    processed once all of its users have been), per-pass sums in a dict keyed by id."""
    nodes = _reachable(root)
    users = {k: 0 for k in nodes}
    for v in nodes.values():
        for p in v.parents:
            users[id(p)] += 1
    grads = {k: 0.0 for k in nodes}
    grads[id(root)] = 1.0
    ready = [root]
    while ready:
        v = ready.pop()
        for p, local in zip(v.parents, v.local_grads):
            grads[id(p)] += local * grads[id(v)]
            users[id(p)] -= 1
            if users[id(p)] == 0:
                ready.append(p)
    return grads


def _reference_dfs_order(root):
    """The depth-first post-order lesson 05 prints (last input first), as the explicit-stack
    search with (node, done) pairs that value.py used before."""
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif id(node) not in visited:
            visited.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if id(p) not in visited)
    return order


@pytest.mark.parametrize("seed", range(40))
def test_topological_order_on_random_graphs(seed):
    rng = np.random.default_rng(seed)
    root, _ = _random_graph(rng, int(rng.integers(1, 6)), int(rng.integers(0, 40)))
    order = root.topological_order()
    position = {id(v): i for i, v in enumerate(order)}
    assert len(position) == len(order)                       # each Value once
    assert set(position) == set(_reachable(root))            # exactly the Values root needs
    assert order[-1] is root
    for v in order:                                          # inputs before their users
        assert all(position[id(p)] < position[id(v)] for p in v.parents)
    assert [id(v) for v in order] == [id(v) for v in _reference_dfs_order(root)]


@pytest.mark.parametrize("seed", range(40))
def test_backward_on_random_graphs_every_node_and_double_backward(seed):
    rng = np.random.default_rng(100 + seed)
    root, made = _random_graph(rng, int(rng.integers(1, 6)), int(rng.integers(1, 40)))
    reached = _reachable(root)
    ref = _reference_grads(root)
    root.backward()
    for v in made:
        expected = ref[id(v)] if id(v) in reached else 0.0   # Values root does not use: 0
        assert v.grad == pytest.approx(expected, rel=1e-12, abs=1e-12)
    root.backward()                                          # without zeroing: all doubled
    for v in made:
        expected = 2 * ref[id(v)] if id(v) in reached else 0.0
        assert v.grad == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_backward_of_a_subgraph_after_the_whole_graph():
    """Each pass starts from zero for the Values it reaches, whatever an earlier backward() on a
    larger graph left behind."""
    a = Value(2.0)
    b = a * a            # db/da = 2a = 4
    c = b * 3.0          # dc/db = 3, dc/da = 12
    c.backward()
    assert (a.grad, b.grad, c.grad) == (12.0, 3.0, 1.0)
    b.backward()         # adds db/da = 4 and db/db = 1, nothing of c's pass
    assert (a.grad, b.grad, c.grad) == (16.0, 4.0, 1.0)


def test_hand_made_value_with_three_inputs():
    a, b = Value(1.5), Value(-2.0)
    v = Value(a.data * b.data + a.data, (a, b, a), (b.data, a.data, 1.0), "ab+a")
    (v * 2.0).backward()
    assert a.grad == 2.0 * (-2.0 + 1.0)
    assert b.grad == 2.0 * 1.5


def test_topological_sort_is_the_order_of_any_graph_given_by_its_inputs():
    """Value.topological_order is topological_sort with parents[v] = v.parents; the same
    function orders a graph of names (exercise 05's)."""
    from labkit.core.value import topological_sort

    parents = {"a": [], "b": ["a", "a"], "c": ["b", "a"], "unused": ["a"], "d": ["c", "b"]}
    order = topological_sort(parents, "d")
    assert sorted(order) == ["a", "b", "c", "d"] and order[-1] == "d"
    assert all(order.index(p) < order.index(n) for n in order for p in parents[n])
    assert topological_sort({"x": []}, "x") == ["x"]


def test_a_product_takes_its_local_derivatives_from_mul_backward():
    from labkit.core.value import mul_backward

    a, b = Value(3.0), Value(-2.0)
    out = a * b
    assert out.local_grads == mul_backward(3.0, -2.0, 1.0) == (-2.0, 3.0)
    assert mul_backward(3.0, -2.0, 0.5) == (-1.0, 1.5)
