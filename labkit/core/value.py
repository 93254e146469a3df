"""Value: a scalar autograd engine in the spirit of micrograd (Karpathy's ``engine.py``).

Every operation makes a new Value that remembers its inputs (``parents``) and the local
derivatives d(out)/d(input) (``local_grads``). ``backward()`` applies the chain rule in
reverse topological order:

    parent.grad += local_grad * out.grad

The ``+=`` matters: a Value used twice (``b = a + a``) receives a contribution along every
path. The topological order is built with an explicit stack, so a chain of 100,000 Values
needs no recursion.

Two of its pieces are plain functions, the formulas exercise 05 asks for, which the class
calls: ``mul_backward`` (what a product sends back to its two inputs) and ``topological_sort``
(inputs before the nodes that use them, on any graph given as ``parents[node]``).

Where a value or a derivative is infinite or undefined, it is what torch gives (float64), not
a Python error: ``Value(0.0) ** 0.5`` has gradient inf, ``Value(-8.0) ** (1 / 3)`` is nan.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

# --- the formulas ------------------------------------------------------------------------


def mul_backward(a: float, b: float, grad_out: float) -> tuple[float, float]:
    """out = a * b: the gradients passed back to a and b, (grad_a, grad_b) = (b grad_out,
    a grad_out): the local derivatives d(out)/da = b and d(out)/db = a, times the gradient
    arriving at out (the chain rule)."""
    return b * grad_out, a * grad_out


def topological_sort(parents, root) -> list:
    """Every node root depends on, and root, each once, every node after all of its inputs
    (root last). ``parents[node]`` lists node's inputs; a shared input may be listed twice."""
    # A depth-first search with an explicit stack instead of recursion: a node is pushed as
    # (node, False) to visit it; visiting pushes (node, True) and then its inputs, so
    # (node, True) comes off the stack after all of them are in the order (an input already
    # visited is skipped when it comes off).
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            for parent in parents[node]:
                stack.append((parent, False))
    return order


class _Inputs:
    """A graph of Values as topological_sort reads it: inputs[v] is v.parents."""

    def __getitem__(self, node: Value) -> tuple[Value, ...]:
        return node.parents


class Value:
    """A scalar ``data`` and the gradient ``grad`` = dL/d(this value) after ``L.backward()``.

    ``local_grads`` holds one d(this)/d(parent) per parent."""

    __slots__ = ("data", "grad", "parents", "local_grads", "op", "label")  # no other attributes

    def __init__(self, data: float, parents: tuple[Value, ...] = (),
                 local_grads: tuple[float, ...] = (),
                 op: str = "", label: str = "") -> None:
        self.data = _as_float(data, "Value(data)")
        self.grad = 0.0
        self.parents = parents
        self.local_grads = local_grads
        self.op = op
        self.label = label

    # --- arithmetic: out = f(self, other), local derivatives d(out)/d(self), d(out)/d(other) ---
    def __add__(self, other) -> Value:
        other = _as_value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other) -> Value:
        """a * b: its local derivatives (b, a) are what mul_backward sends back for a gradient
        of 1 arriving."""
        other = _as_value(other)
        return Value(self.data * other.data, (self, other),
                     mul_backward(self.data, other.data, 1.0), "*")

    def __pow__(self, exponent) -> Value:
        """x**k for a constant k: d/dx = k x^(k-1) (0 when k = 0, as torch).
        x**y for a Value y: also d/dy = x^y ln x (0 where x = 0 and y >= 0, as torch)."""
        x = self.data
        if isinstance(exponent, Value):
            y = exponent.data
            out = _pow(x, y)
            d_y = 0.0 if x == 0 and y >= 0 else out * _log(x)
            return Value(out, (self, exponent), (_d_pow(x, y), d_y), "**")
        k = _as_float(exponent, "Value ** exponent")
        return Value(_pow(x, k), (self,), (_d_pow(x, k),), f"**{k:g}")

    def __neg__(self) -> Value:
        return Value(-self.data, (self,), (-1.0,), "neg")

    def __sub__(self, other) -> Value:
        other = _as_value(other)
        return Value(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __truediv__(self, other) -> Value:
        """a / b: d/da = 1/b, d/db = -a/b^2."""
        other = _as_value(other)
        a, b = self.data, other.data
        if b == 0:
            raise ZeroDivisionError(f"Value division by zero: {a} / 0")
        return Value(a / b, (self, other), (1.0 / b, -a / (b * b)), "/")

    def __radd__(self, other) -> Value:
        return self + other

    def __rmul__(self, other) -> Value:
        return self * other

    def __rsub__(self, other) -> Value:
        return _as_value(other) - self

    def __rtruediv__(self, other) -> Value:
        return _as_value(other) / self

    def __rpow__(self, base) -> Value:
        """k**x for a constant k: d/dx = k^x ln k."""
        return _as_value(base) ** self

    # --- functions ----------------------------------------------------------------------
    def exp(self) -> Value:
        """e^x; derivative e^x (inf where e^x is beyond the largest float, as torch)."""
        try:
            out = math.exp(self.data)
        except OverflowError:    # e^x beyond the largest float (x > 709.78)
            out = math.inf
        return Value(out, (self,), (out,), "exp")

    def log(self) -> Value:
        """ln x; derivative 1/x."""
        x = self.data
        if x <= 0:
            raise ValueError(f"Value.log needs a positive number, got {x}")
        return Value(math.log(x), (self,), (1.0 / x,), "log")

    def tanh(self) -> Value:
        """tanh x; derivative 1 - tanh^2 x."""
        t = math.tanh(self.data)
        return Value(t, (self,), (1.0 - t * t,), "tanh")

    def relu(self) -> Value:
        """max(x, 0); derivative 0 where x <= 0, else 1. NaN stays NaN, derivative 1 (as torch)."""
        out = 0.0 if self.data < 0 else self.data
        return Value(out, (self,), (0.0 if out <= 0 else 1.0,), "relu")

    def sigmoid(self) -> Value:
        """sigma(x) = 1 / (1 + e^-x); derivative sigma (1 - sigma). From e^-|x|: no overflow,
        full precision in the tail."""
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return Value(s, (self,), (s * (1.0 - s),), "sigmoid")

    # --- backward -----------------------------------------------------------------------
    def topological_order(self) -> list[Value]:
        """Every Value this one depends on, each once, inputs before the Values using them
        (``topological_sort`` of the graph, this Value last)."""
        return topological_sort(_Inputs(), self)

    def backward(self) -> None:
        """dself/dv for every v in the graph, added into v.grad (seed: dself/dself = 1).

        In reverse topological order each Value's gradient is complete (every Value using it
        came earlier), and it adds ``local_grad * its gradient`` into each input's. This pass's
        gradients are summed in ``grads`` and then added to ``.grad``: a second backward() adds
        the same amounts again (every gradient doubles), as in torch."""
        grads = {self: 1.0}
        for node in reversed(self.topological_order()):
            g = grads[node]
            node.grad += g
            for parent, local in zip(node.parents, node.local_grads):
                grads[parent] = grads.get(parent, 0.0) + local * g

    def zero_grad(self) -> None:
        """grad <- 0 for this Value and everything it depends on."""
        for node in self.topological_order():
            node.grad = 0.0

    def __repr__(self) -> str:
        label = f"{self.label}: " if self.label else ""
        return f"Value({label}data={self.data:.6g}, grad={self.grad:.6g})"


def _as_float(x, what: str) -> float:
    """x as a float; a TypeError naming ``what`` for anything but a real number."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what} must be a real number (int or float), got "
                        f"{type(x).__name__} {x!r:.60}")
    return float(x)


def _as_value(x) -> Value:
    """x itself if it is a Value, else a constant Value holding the number x."""
    return x if isinstance(x, Value) else Value(_as_float(x, "a number combined with a Value"))


def _pow(x: float, k: float) -> float:
    """x**k as torch (IEEE 754) computes it, where Python raises an error or makes a complex:
    nan for a negative x to a non-integer k, +-inf for a result too large for a float
    (0 to a negative power included; -inf only for a negative x to an odd k)."""
    if x < 0 and math.isfinite(k) and not k.is_integer():
        return math.nan
    try:
        return x ** k
    except (OverflowError, ZeroDivisionError):
        return math.copysign(math.inf, x) if k % 2 == 1 else math.inf


def _d_pow(x: float, k: float) -> float:
    """d/dx x**k = k x^(k-1); 0 for k = 0 (as torch, also at x = 0)."""
    return 0.0 if k == 0 else k * _pow(x, k - 1)


def _log(x: float) -> float:
    """ln x, -inf at 0 and nan below (as torch)."""
    return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)


def values(xs: Iterable[float], prefix: str = "x") -> list[Value]:
    """Labelled Values from numbers: values([1, 2]) -> [Value(x0: 1), Value(x1: 2)]."""
    return [Value(x, label=f"{prefix}{i}") for i, x in enumerate(xs)]
