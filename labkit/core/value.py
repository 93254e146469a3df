"""Value: a scalar autograd engine in the spirit of micrograd.

Every operation makes a new Value that remembers its inputs (``parents``) and the local
derivatives d(out)/d(input) computed during the forward pass (``local_grads``). ``backward()``
then applies the chain rule in reverse topological order:

    parent.grad += local_grad * out.grad

The ``+=`` matters: a Value used twice (``b = a + a``) receives a contribution along every
path. The topological order is built with an explicit stack, so a chain of 100,000 Values
needs no recursion.

Speed: this file is also benchmarked against micrograd (``benchmarks/bench_value.py``). The
few lines written for speed rather than brevity say so in a comment, and why.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

Number = (int, float)

# A marker pushed onto topological_order's stack above a Value whose inputs are still being
# visited: when it comes off the stack, all of them are in the order (see there).
_INPUTS_DONE = object()


class Value:
    """A scalar ``data`` and the gradient ``grad`` = dL/d(this value) after ``L.backward()``."""

    # _pass_grad: scratch space of backward(), this pass's d(root)/d(this Value), kept apart
    # from .grad (see backward). A slot rather than a dict keyed by Value, for speed. backward()
    # sets it to 0 on every Value it reaches before it starts, so __init__ leaves it unset.
    __slots__ = ("data", "grad", "parents", "local_grads", "op", "label", "_pass_grad")

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
        # (1.0,) and (0.0,) are constants, built once: no new tuple per relu
        if x > 0:
            return Value(x, (self,), (1.0,), "relu")
        return Value(0.0, (self,), (0.0,), "relu")

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
        """Every Value this one depends on, each once, inputs before the Values using them.

        A depth-first search with an explicit stack instead of recursion: a Value with inputs
        is pushed back under a marker, then its inputs on top; by the time the marker comes
        off again, every input is in the order, so the Value can follow them. A Value without
        inputs goes into the order at once."""
        order: list[Value] = []
        reached: set[Value] = set()  # Values hash by identity (no __eq__): faster than id()
        stack: list = [self]
        while stack:
            node = stack.pop()
            if node is _INPUTS_DONE:
                order.append(stack.pop())          # the Value under the marker
            elif node not in reached:
                reached.add(node)
                if node.parents:
                    # one marker object, not a (node, done) tuple per stack entry: no tuple
                    # to build and unpack, about 1.5x faster (inputs already reached are
                    # pushed too and skipped when popped: cheaper than testing each first)
                    stack.append(node)
                    stack.append(_INPUTS_DONE)
                    stack.extend(node.parents)
                else:
                    order.append(node)
        return order

    def backward(self) -> None:
        """dself/dv for every v in the graph, added into v.grad (seed: dself/dself = 1).

        In reverse topological order each Value, its gradient complete (every Value using it
        came earlier), adds ``local_grad * its gradient`` into each of its inputs. This
        pass's gradients are summed apart, in ``_pass_grad``, and each node passes on only
        its own share, never what earlier passes left in ``.grad``: so a second backward()
        adds the same amounts again and every gradient doubles, inner nodes included."""
        order = self.topological_order()
        for node in order:
            node._pass_grad = 0.0
        self._pass_grad = 1.0
        for node in reversed(order):
            g = node._pass_grad
            node.grad += g
            # for parent, local in zip(node.parents, node.local_grads):
            #     parent._pass_grad += local * g
            # written out for one and two inputs (every operation here has one or two):
            # building a zip per node cost about as much as the arithmetic itself
            parents = node.parents
            if len(parents) == 2:
                a, b = parents
                da, db = node.local_grads
                a._pass_grad += da * g
                b._pass_grad += db * g
            elif len(parents) == 1:
                parents[0]._pass_grad += node.local_grads[0] * g
            elif parents:                           # a Value made by hand with 3+ inputs
                for parent, local in zip(parents, node.local_grads):
                    parent._pass_grad += local * g

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
