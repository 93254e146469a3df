"""Lesson 05 (computational graphs): local gradients of a node, and a topological order.

The references are the library's (labkit.core.value): ``mul_backward``, from which a Value
product takes its local derivatives, and ``topological_sort``, the order Value.backward
walks. A topological order is not unique, so an answer is judged by what makes it one.
"""
from __future__ import annotations

from ...core.i18n import N_, _
from ...core.value import mul_backward, topological_sort
from .base import Misconception, Problem


def _mul_case(rng):
    return float(rng.standard_normal()), float(rng.standard_normal()), float(
        rng.standard_normal())


MUL_BACKWARD = Problem(
    name="mul_backward", function="mul_backward",
    signature="mul_backward(a, b, grad_out) -> (grad_a, grad_b) for out = a * b",
    make_case=_mul_case,
    reference=mul_backward,
    misconceptions=(
        Misconception(lambda a, b, g: mul_backward(b, a, g),
                      N_("swapped: d(a*b)/da is b, and d(a*b)/db is a")),
        Misconception(lambda a, b, g: mul_backward(a, b, 1.0),
                      N_("multiply the local derivative by grad_out (chain rule)")),
    ),
)


def _dag_case(rng):
    """A random DAG as {node: [parents]}: node k may use any of nodes 0..k-1."""
    n = int(rng.integers(3, 9))
    names = [f"n{k}" for k in range(n)]
    parents = {names[0]: []}
    for k in range(1, n):
        count = int(rng.integers(1, min(k, 3) + 1))
        picks = rng.choice(k, size=count, replace=False)
        parents[names[k]] = [names[int(i)] for i in sorted(picks)]
    if rng.random() < 0.5:  # a shared node used twice by the same child
        parents[names[-1]].append(parents[names[-1]][0])
    return parents, names[-1]


def _validate_order(args: tuple, result) -> str | None:
    parents, root = args
    if not isinstance(result, tuple) or not all(isinstance(x, str) for x in result):
        return _("return a list of node names")
    if len(set(result)) != len(result):
        return _("a node appears more than once: visit each node once, however many paths "
                 "lead to it")
    if set(result) != set(topological_sort(parents, root)):
        return _("the order must hold exactly the nodes the root depends on (and the root)")
    position = {name: i for i, name in enumerate(result)}
    for node in result:
        if any(position[p] > position[node] for p in parents[node]):
            return _("a node comes before one of its inputs: inputs first, root last")
    return None


TOPOLOGICAL_SORT = Problem(
    name="topological_sort", function="topological_sort",
    signature="topological_sort(parents, root) -> list of names, inputs before their users",
    make_case=_dag_case,
    reference=topological_sort,
    validate=_validate_order,
)

PROBLEMS = (MUL_BACKWARD, TOPOLOGICAL_SORT)
