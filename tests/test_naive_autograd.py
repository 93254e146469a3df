"""labkit.lessons.computational_graphs: seed 002's recursion stays WRONG in exactly the
documented way, and the tools lesson 05 uses to show why (path counts, the step-by-step
backward pass)."""
from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import labkit as lk
from labkit.lessons.computational_graphs import compute as computational_graphs
from labkit.lessons.computational_graphs.compute import (
    TooManyCalls,
    backward_steps,
    count_paths,
    naive_backward,
    node_name,
)


def named(v: lk.Value, label: str) -> lk.Value:
    v.label = label
    return v


def doubling():
    a = lk.Value(3.0, label="a")
    b = named(a + a, "b")
    return a, b, named(b + b, "c")


def shared_product():
    x, y = lk.Value(2.0, label="x"), lk.Value(3.0, label="y")
    u = named(x * y, "u")
    v = named(u + 1.0, "v")
    return x, y, u, v, named(u * v, "L")


def doublings(k: int):
    a = lk.Value(1.0, label="a")
    b = a
    for _ in range(k):
        b = b + b
    return a, b


# --- the recursion is wrong where the docstring says -----------------------------------
def test_b_equals_a_plus_a_gives_6_instead_of_4():
    a, b, c = doubling()
    naive = naive_backward(c)
    c.backward()
    assert (a.grad, b.grad, c.grad) == (4.0, 2.0, 1.0)
    assert (naive.grad(a), naive.grad(b), naive.grad(c)) == (6.0, 2.0, 1.0)
    assert (naive.visit_count(c), naive.visit_count(b), naive.visit_count(a)) == (1, 2, 4)
    assert naive.calls == 7


def test_a_value_feeding_two_others_overcounts_what_lies_below_it():
    x, y, u, v, L = shared_product()
    naive = naive_backward(L)
    L.backward()
    assert (x.grad, y.grad, u.grad, v.grad) == (39.0, 26.0, 13.0, 6.0)
    # u itself ends right; its inputs received the first partial gradient twice
    assert naive.grad(u) == 13.0 and naive.grad(v) == 6.0
    assert (naive.grad(x), naive.grad(y)) == (3 * 7 + 3 * 13, 2 * 7 + 2 * 13) == (60.0, 40.0)
    assert naive.visit_count(u) == 2


def test_right_on_trees_and_on_shared_inputs():
    # a tree: every value used once (the neuron of lesson 05)
    x1, x2, w1, w2 = (lk.Value(v, label=n) for v, n in [(2, "x1"), (0, "x2"), (-3, "w1"),
                                                        (1, "w2")])
    b = lk.Value(6.8813735870195432, label="b")
    o = ((x1 * w1 + x2 * w2) + b).tanh()
    naive = naive_backward(o)
    o.backward()
    for leaf in (x1, x2, w1, w2, b):
        assert naive.grad(leaf) == leaf.grad
    # a shared *input* (a leaf used twice) is right too: nothing lies below it
    a, bb = lk.Value(2.0), lk.Value(1.0)
    e = (a + bb) * (bb + 1.0)
    naive = naive_backward(e)
    e.backward()
    assert naive.grad(bb) == bb.grad == 5.0 and naive.grad(a) == a.grad == 2.0


# naive da for k doublings, traced by hand: k = 1: 1 + 1; k = 2: 1 + 1 + 2 + 2 (lesson 05);
# k = 3: b2 first holds 1 (a gets 1 + 1 + 2 + 2 = 6), then 2 (b1 holds 4 then 6: 8 + 12)
NAIVE_BY_HAND = {1: 2.0, 2: 6.0, 3: 26.0}


@pytest.mark.parametrize("k", [1, 2, 3, 5, 10])
def test_paths_and_calls_grow_as_2_to_the_k(k):
    a, top = doublings(k)
    naive = naive_backward(top)
    top.backward()
    assert naive.visit_count(a) == count_paths(top)[a] == 2**k
    assert naive.calls == 2 ** (k + 1) - 1       # one call per path to each of the k + 1 nodes
    assert a.grad == 2.0**k
    if k in NAIVE_BY_HAND:
        assert naive.grad(a) == NAIVE_BY_HAND[k]
    else:
        assert naive.grad(a) > 2.0 ** (2 * k)     # runs away faster than the work


def test_visits_equal_paths_on_every_node():
    x, y, u, v, L = shared_product()
    naive = naive_backward(L)
    paths = count_paths(L)
    for node in L.topological_order():
        assert naive.visit_count(node) == paths[node]


def test_count_paths_handles_astronomical_counts():
    a, top = doublings(200)
    assert count_paths(top)[a] == 2**200


def test_max_calls_stops_an_exponential_walk():
    a, top = doublings(30)
    with pytest.raises(TooManyCalls, match="count_paths"):
        naive_backward(top, max_calls=10_000)


def test_a_deep_chain_needs_no_recursion():
    x = lk.Value(1.0, label="x")
    y = x
    for _ in range(5000):  # deeper than Python's default recursion limit
        y = y * 1.0
    naive = naive_backward(y)
    assert naive.grad(x) == 1.0


def test_naive_backward_leaves_the_values_alone():
    a, b, c = doubling()
    naive_backward(c)
    assert a.grad == b.grad == c.grad == 0.0
    c.backward()
    naive_backward(c)
    assert (a.grad, b.grad, c.grad) == (4.0, 2.0, 1.0)


def test_record_explains_the_double_count():
    a, b, c = doubling()
    log = naive_backward(c, record=True).log
    assert len(log) == 6
    assert log[-1].strip() == "b (visit 2, grad 2) sends 1 \u00d7 2 to a: a.grad = 6"
    assert naive_backward(c).log == []


def test_root_must_be_a_value():
    with pytest.raises(TypeError, match="labkit Value"):
        naive_backward(3.0)


def test_node_name():
    assert node_name(lk.Value(1.0, label="w")) == "w"
    assert node_name(lk.Value(1.0) + 2.0) == "[+]"
    assert node_name(lk.Value(2.5)) == "2.5"


def test_the_module_is_plain_python():
    tree = ast.parse(Path(computational_graphs.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    # core.i18n (its sentences in the learner's language) is the standard library's gettext
    assert imported <= {"__future__", "dataclasses", "core.value", "core.i18n"}, imported
    assert "WRONG" in computational_graphs.naive_backward.__doc__


# --- the correct algorithm, step by step ------------------------------------------------
OPS = ["add", "mul", "sub", "tanh", "sigmoid", "pow2", "shared"]


def combine(op: str, p: lk.Value, q: lk.Value) -> lk.Value:
    if op == "add":
        return p + q
    if op == "mul":
        return p * q
    if op == "sub":
        return p - q
    if op == "tanh":
        return p.tanh()
    if op == "sigmoid":
        return p.sigmoid()
    if op == "pow2":
        return p**2
    return p * p + p                       # "shared": p used three times


@st.composite
def random_graphs(draw):
    """A random expression DAG: each new node combines earlier nodes, so sharing is common."""
    leaves = [lk.Value(draw(st.floats(-2, 2)), label=f"x{i}")
              for i in range(draw(st.integers(1, 3)))]
    nodes = list(leaves)
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(OPS))
        p = nodes[draw(st.integers(0, len(nodes) - 1))]
        q = nodes[draw(st.integers(0, len(nodes) - 1))]
        nodes.append(combine(op, p, q))
    return leaves, nodes[-1]


@given(random_graphs())
def test_backward_steps_replay_value_backward_exactly(graph):
    leaves, root = graph
    steps = backward_steps(root)
    assert all(v.grad == 0.0 for v in root.topological_order())  # nothing touched
    root.backward()
    order = root.topological_order()
    assert len(steps) == len(order)
    assert [s.node for s in steps] == list(reversed(order))       # each node once, in order
    for v in order:
        assert steps[-1].grads[v] == v.grad                        # bit for bit
    for i, s in enumerate(steps):
        assert s.index == i + 1 and s.done == [t.node for t in steps[: i + 1]]
        assert [p for p, _, _ in s.sends] == list(s.node.parents)
        for _, local, added in s.sends:
            assert added == local * s.grad


@given(random_graphs())
def test_naive_equals_backward_exactly_when_no_computed_value_is_shared(graph):
    leaves, root = graph
    users = {}
    for v in root.topological_order():
        for p in v.parents:
            users[p] = users.get(p, 0) + 1
    shared_inner = any(n > 1 and p.parents for p, n in users.items())
    naive = naive_backward(root)
    root.backward()
    if not shared_inner:
        for leaf in leaves:
            assert math.isclose(naive.grad(leaf), leaf.grad, rel_tol=1e-12, abs_tol=1e-12)


def test_describe_in_words():
    x, y, u, v, L = shared_product()
    steps = backward_steps(L)
    assert steps[0].describe() == ("L (grad 1, final) sends 7 \u00d7 1 = +7 to u; "
                                   "6 \u00d7 1 = +6 to v")
    assert steps[2].node is u and "u (grad 13, final)" in steps[2].describe()
    leaf_step = next(s for s in steps if s.node is x)
    assert leaf_step.describe() == ("x is an input: its gradient 39 is final and goes "
                                    "nowhere further")
