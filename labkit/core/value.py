"""Value: a scalar autograd engine in the spirit of micrograd.

Every operation makes a new Value that remembers its inputs (``parents``) and the local
derivatives d(out)/d(input) computed during the forward pass (``local_grads``). ``backward()``
then applies the chain rule in reverse topological order:

    parent.grad += local_grad * out.grad

The ``+=`` matters: a Value used twice (``b = a + a``) receives a contribution along every
path. The topological order is built with an explicit stack, so a chain of 100,000 Values
needs no recursion.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

Number = (int, float)


class Value:
    """A scalar ``data`` and the gradient ``grad`` = dL/d(this value) after ``L.backward()``."""

    __slots__ = ("data", "grad", "parents", "local_grads", "op", "label")

    def __init__(self, data: float, parents: tuple[Value, ...] = (),
                 local_grads: tuple[float, ...] = (), op: str = "", label: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents
        self.local_grads = local_grads
        self.op = op
        self.label = label

    # --- arithmetic: out = f(self, other), local derivatives stored with the parents ---
    def __add__(self, other) -> Value:
        other = other if isinstance(other, Value) else Value(_number(other))
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other) -> Value:
        other = other if isinstance(other, Value) else Value(_number(other))
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __pow__(self, exponent) -> Value:
        """x**k for a constant k: d/dx = k x^(k-1).  x**y for a Value y: d/dy = x^y ln x."""
        if isinstance(exponent, Value):
            out = self.data ** exponent.data
            dlog = out * math.log(self.data) if self.data > 0 else 0.0
            return Value(out, (self, exponent),
                         (exponent.data * self.data ** (exponent.data - 1), dlog), "**")
        k = _number(exponent)
        return Value(self.data ** k, (self,), (k * self.data ** (k - 1),), f"**{k:g}")

    def __neg__(self) -> Value:
        return Value(-self.data, (self,), (-1.0,), "neg")

    def __sub__(self, other) -> Value:
        other = other if isinstance(other, Value) else Value(_number(other))
        return Value(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __truediv__(self, other) -> Value:
        """a / b: d/da = 1/b, d/db = -a/b^2."""
        other = other if isinstance(other, Value) else Value(_number(other))
        if other.data == 0:
            raise ZeroDivisionError(f"Value division by zero: {self.data} / 0")
        inv = 1.0 / other.data
        return Value(self.data * inv, (self, other), (inv, -self.data * inv * inv), "/")

    def __radd__(self, other) -> Value:
        return self + other

    def __rmul__(self, other) -> Value:
        return self * other

    def __rsub__(self, other) -> Value:
        return Value(_number(other)) - self

    def __rtruediv__(self, other) -> Value:
        return Value(_number(other)) / self

    def __rpow__(self, base) -> Value:
        """k**x for a constant k: d/dx = k^x ln k."""
        return Value(_number(base)) ** self

    # --- functions ----------------------------------------------------------------------
    def exp(self) -> Value:
        """e^x; derivative e^x."""
        out = math.exp(self.data)
        return Value(out, (self,), (out,), "exp")

    def log(self) -> Value:
        """ln x; derivative 1/x."""
        if self.data <= 0:
            raise ValueError(f"Value.log needs a positive number, got {self.data}")
        return Value(math.log(self.data), (self,), (1.0 / self.data,), "log")

    def tanh(self) -> Value:
        """tanh x; derivative 1 - tanh^2 x."""
        t = math.tanh(self.data)
        return Value(t, (self,), (1.0 - t * t,), "tanh")

    def relu(self) -> Value:
        """max(x, 0); derivative 1 where x > 0, else 0."""
        x = self.data
        return Value(x if x > 0 else 0.0, (self,), (1.0 if x > 0 else 0.0,), "relu")

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
        """Every Value this one depends on, each once, inputs before the Values using them."""
        order: list[Value] = []
        visited: set[Value] = set()  # Values hash by identity (no __eq__): faster than id()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                order.append(node)
                continue
            if node in visited:
                continue
            visited.add(node)
            stack.append((node, True))
            for parent in node.parents:
                if parent not in visited:
                    stack.append((parent, False))
        return order

    def backward(self) -> None:
        """dself/dv for every v in the graph, added into v.grad (seed: dself/dself = 1).

        This pass's gradients are summed apart (``grads``) and each node passes on only its
        own share, never what earlier passes left in ``.grad``: so a second backward() adds
        the same amounts again and every gradient doubles, inner nodes included."""
        order = self.topological_order()
        grads = {self: 1.0}
        for node in reversed(order):
            g = grads.pop(node, 0.0)
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


def _number(x) -> float:
    if type(x) is float:  # the common case, checked first for speed
        return x
    if isinstance(x, bool) or not isinstance(x, Number):
        try:
            import numpy as np
            if isinstance(x, np.number) and not isinstance(x, np.bool_):
                return float(x)
        except ImportError:  # pragma: no cover
            pass
        raise TypeError(f"Value: cannot combine a Value with a {type(x).__name__} ({x!r})")
    return float(x)


def values(xs: Iterable[float], prefix: str = "x") -> list[Value]:
    """Labelled Values from numbers: values([1, 2]) -> [Value(x0: 1), Value(x1: 2)]."""
    return [Value(x, label=f"{prefix}{i}") for i, x in enumerate(xs)]
