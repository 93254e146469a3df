"""Lesson 05, computational graphs (lessons/05_computational_graphs.ipynb): the naive recursive
backprop, kept WRONG on purpose, and the tools that show why.

Lesson 05 runs :func:`naive_backward` next to ``Value.backward`` on graphs where one value
feeds several others. Everything here is plain Python (no numpy), reads a graph of
:class:`~labkit.core.value.Value` and never changes a Value's ``grad``: the results come back
in dictionaries keyed by the Value objects themselves.

- :func:`naive_backward`: the recursion a first attempt writes, line by line. **Wrong** for
  any graph in which a value that has inputs of its own is used more than once.
- :func:`count_paths`: how many paths lead from the output to each value. The naive recursion
  enters a value once per path, and paths multiply: a chain of k doublings has 2^k of them.
- :func:`backward_steps`: the correct algorithm (the one ``Value.backward`` runs), recorded
  one node at a time, for the widget that walks the backward pass.
- :func:`node_name`: a short readable name of a Value, for tables and drawings.

The module holds the lesson's numbers (numpy only); its figures are in figures.py
and its widget in widget.py, next to this file.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ...core.i18n import _
from ...core.value import Value

# ---------------------------------------------------------------------------------------
# readable names
# ---------------------------------------------------------------------------------------


def node_name(v: Value) -> str:
    """``label`` if the Value has one, else its operation in brackets (``"[+]"``), else the
    number of a constant (``"2"``)."""
    if v.label:
        return v.label
    if v.op:
        return f"[{v.op}]"
    return f"{v.data:g}"


# ---------------------------------------------------------------------------------------
# the WRONG recursion (one call per path)
# ---------------------------------------------------------------------------------------


@dataclass
class NaiveBackward:
    """What :func:`naive_backward` computed: a gradient and a visit count per Value."""

    root: Value
    grads: dict[Value, float] = field(default_factory=dict)
    visits: dict[Value, int] = field(default_factory=dict)
    calls: int = 0
    log: list[str] = field(default_factory=list)

    def grad(self, v: Value) -> float:
        """The naive gradient d(root)/d(v) (0.0 for a Value the recursion never reached)."""
        return self.grads.get(v, 0.0)

    def visit_count(self, v: Value) -> int:
        return self.visits.get(v, 0)


class TooManyCalls(RuntimeError):
    """The naive recursion was stopped: the graph has too many paths to walk them all."""


def naive_backward(root: Value, max_calls: int = 1_000_000, record: bool = False
                   ) -> NaiveBackward:
    """**WRONG ON PURPOSE.** The recursive autograd a first attempt writes, for teaching::

        def backward(node):
            for parent, local_grad in node.dependencies:
                parent.grad += node.grad * local_grad
                backward(parent)              # <- recurses once per edge, i.e. once per path

    Why it is wrong: a node passes on its *current* gradient every time the recursion
    reaches it, and the recursion reaches it once per path from the output. When a node is
    used twice (``b = a + a``, or ``u`` in ``u * (u + 1)``), the first visit passes on a
    partial gradient (only one user has reported), and the second visit passes on the full
    gradient again, which repeats the part already sent. Everything below a shared node
    then receives too much: for ``b = a + a; c = b + b`` it gives dc/da = 6 instead of 4.
    On a tree (every value used once) it happens to be right, which is why it looks fine
    in small tests. The work is wrong too: a value is entered once per path, and the number
    of paths can grow exponentially with depth (2^k for a chain of k doublings).

    ``Value.backward`` fixes both: it orders the nodes topologically and lets each node pass
    its gradient on exactly once, after every user of it has added its share.

    The translation keeps the recursion's order of work exactly (each parent's whole sub-graph is
    finished before the next parent is started) but uses an explicit stack, so a deep graph
    does not hit Python's recursion limit. The root's gradient starts at 1 (the recursive code as
    first written starts it at 0, which would make every gradient 0). Results go into the returned
    :class:`NaiveBackward`; the Values' own ``grad`` fields are not touched. With ``record``,
    ``log`` lists every edge followed, in words, to read the double counting step by step.
    ``max_calls`` stops the walk with :class:`TooManyCalls` before an exponential number of
    paths makes it run for hours.
    """
    if not isinstance(root, Value):
        raise TypeError(f"naive_backward: root must be a labkit Value, got {type(root).__name__}")
    result = NaiveBackward(root)
    grads, visits = result.grads, result.visits
    grads[root] = 1.0

    def enter(node: Value) -> None:
        result.calls += 1
        if result.calls > max_calls:
            raise TooManyCalls(
                f"naive_backward: stopped after {max_calls} calls; this graph has too many "
                f"paths for a walk that visits a node once per path (count them with "
                f"count_paths)")
        visits[node] = visits.get(node, 0) + 1

    # stack of (node, index of the next parent edge to follow): the frames of the recursion
    enter(root)
    stack: list[list] = [[root, 0]]
    while stack:
        frame = stack[-1]
        node, i = frame
        if i == len(node.parents):
            stack.pop()
            continue
        frame[1] = i + 1
        parent, local = node.parents[i], node.local_grads[i]
        grads[parent] = grads.get(parent, 0.0) + grads[node] * local  # += node.grad * local
        if record:
            result.log.append("  " * (len(stack) - 1) + _(
                "{node} (visit {visit}, grad {grad:.4g}) sends {local:.4g} \u00d7 {grad:.4g} "
                "to {parent}: {parent}.grad = {parent_grad:.4g}").format(
                    node=node_name(node), visit=visits[node], grad=grads[node], local=local,
                    parent=node_name(parent), parent_grad=grads[parent]))
        enter(parent)                                                   # backward(parent)
        stack.append([parent, 0])
    return result


def count_paths(root: Value) -> dict[Value, int]:
    """Number of distinct paths from ``root`` down to each Value it depends on (root: 1).

    An edge used twice (``a + a``) counts twice. This is how often :func:`naive_backward`
    enters each node; computed here in one pass over the topological order, so it works even
    when the count is astronomically large (Python integers do not overflow).
    """
    order = root.topological_order()
    paths: dict[Value, int] = {v: 0 for v in order}
    paths[root] = 1
    for node in reversed(order):
        for parent in node.parents:
            paths[parent] += paths[node]
    return paths


# ---------------------------------------------------------------------------------------
# the correct algorithm, one node at a time
# ---------------------------------------------------------------------------------------


@dataclass
class BackwardStep:
    """One step of the backward pass in topological order.

    ``node`` passes its final gradient ``grad`` to each of its inputs: ``sends`` holds
    (input, local derivative, amount added = local * grad), one entry per edge. ``grads`` are
    the gradients of every node *after* this step; ``done`` the nodes whose gradient is
    final (this one and all before it).
    """

    index: int
    node: Value
    grad: float
    sends: list[tuple[Value, float, float]]
    grads: dict[Value, float]
    done: list[Value]

    def describe(self) -> str:
        """This step in words."""
        name = node_name(self.node)
        if not self.sends:
            return _("{name} is an input: its gradient {grad:.4g} is final and goes nowhere "
                     "further").format(name=name, grad=self.grad)
        parts = [_("{local:.4g} \u00d7 {grad:.4g} = {added:+.4g} to {to}").format(
            local=local, grad=self.grad, added=added, to=node_name(p))
            for p, local, added in self.sends]
        return _("{name} (grad {grad:.4g}, final) sends {parts}").format(
            name=name, grad=self.grad, parts=_("; ").join(parts))


def backward_steps(root: Value) -> list[BackwardStep]:
    """The steps ``Value.backward`` takes, recorded: seed ``root.grad = 1``, then each node in
    reverse topological order adds ``local * grad`` into each of its inputs.

    Works on its own copy of the gradients (the Values' ``grad`` fields are not changed) and
    starts from zero, so the last step's ``grads`` equal what ``root.backward()`` gives on a
    freshly built graph.
    """
    order = root.topological_order()
    grads: dict[Value, float] = {v: 0.0 for v in order}
    grads[root] = 1.0
    steps: list[BackwardStep] = []
    done: list[Value] = []
    for i, node in enumerate(reversed(order)):
        g = grads[node]
        sends = []
        for parent, local in zip(node.parents, node.local_grads):
            grads[parent] += local * g
            sends.append((parent, local, local * g))
        done.append(node)
        steps.append(BackwardStep(i + 1, node, g, sends, dict(grads), list(done)))
    return steps
