"""Results as plain data: what leaves a learner's kernel, and how the grader compares it.

A learner's function may return anything, including an object whose ``__eq__`` is always
true. Only plain data crosses from the kernel to the grader: floats, ints, bools, strings,
None, lists and numpy arrays, each recognised by its exact type (``type(x) is float``, never
``isinstance``), encoded as JSON. Anything else becomes ``{"unsupported": "<type name>"}``.
The comparison then runs in the grader's own process, on data the kernel cannot redefine.
"""
from __future__ import annotations

from typing import Any

import numpy as np

# In the grading sandbox this file and probe.py are all of labkit (sandbox.py): no catalogs
# there, and no feedback is written there either.
try:
    from ..core.i18n import _
except ImportError:  # pragma: no cover (only inside the sandbox)
    def _(message: str) -> str:
        return message

Plain = Any  # JSON-ready: None, bool, int, float, str, list, dict


def to_plain(x: Any, depth: int = 0) -> Plain:
    """Encodes x as JSON-ready data, by exact type."""
    if depth > 4:
        return {"unsupported": "nesting deeper than 4"}
    t = type(x)
    if x is None or t is bool or t is str:
        return x
    if t is int or t in (np.int64, np.int32):
        return {"integer": int(x)}
    if t is float or t in (np.float64, np.float32, np.float16):
        return {"number": float(x)}
    if t is np.ndarray:
        if x.dtype.kind not in "fiub" or x.size > 1_000_000:
            return {"unsupported": f"array of dtype {x.dtype} and size {x.size}"}
        return {"array": x.astype(np.float64).ravel().tolist(), "shape": list(x.shape),
                "dtype": x.dtype.kind}
    if t is tuple or t is list:
        return {"sequence": [to_plain(item, depth + 1) for item in x[:64]], "length": len(x)}
    if t is dict and all(type(k) is str for k in x):
        return {"mapping": {k: to_plain(v, depth + 1) for k, v in list(x.items())[:64]}}
    return {"unsupported": t.__name__}


def from_plain(p: Plain) -> Any:
    """Decodes to_plain's output into floats, numpy arrays and tuples (grader side)."""
    if isinstance(p, dict):
        if "number" in p:
            return float(p["number"])
        if "integer" in p:
            return int(p["integer"])
        if "array" in p:
            dtype = {"i": np.int64, "u": np.int64, "b": np.bool_}.get(p["dtype"], np.float64)
            return np.asarray(p["array"], dtype=np.float64).astype(dtype).reshape(p["shape"])
        if "sequence" in p:
            return tuple(from_plain(item) for item in p["sequence"])
        if "mapping" in p:
            return {k: from_plain(v) for k, v in p["mapping"].items()}
        return Unsupported(str(p.get("unsupported", "?")))
    return p


class Unsupported:
    """A value that could not cross as plain data (its type name is kept for feedback)."""

    def __init__(self, type_name: str) -> None:
        # the learner names their own classes: keep a short, printable excerpt
        self.type_name = "".join(ch for ch in str(type_name) if ch.isprintable())[:60]

    def __repr__(self) -> str:
        return f"<a {self.type_name}>"


def describe(x: Any) -> str:
    """A short description of a value's kind and shape, never its numbers."""
    if isinstance(x, np.ndarray):
        return _("an array of shape {shape}").format(shape=x.shape)
    if isinstance(x, (int, float)):
        return _("a number")
    if isinstance(x, tuple):
        return _("a sequence of {n} items").format(n=len(x))
    if isinstance(x, Unsupported):
        return repr(x)
    return _("a {type}").format(type=type(x).__name__)


def same(result: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """True when result matches expected: same structure, same shapes, close values."""
    if isinstance(expected, tuple):
        return (isinstance(result, tuple) and len(result) == len(expected)
                and all(same(r, e, rtol, atol) for r, e in zip(result, expected)))
    if isinstance(expected, np.ndarray):
        return (isinstance(result, np.ndarray) and result.shape == expected.shape
                and bool(np.allclose(result, expected, rtol=rtol, atol=atol)))
    if isinstance(expected, float):
        if isinstance(result, np.ndarray) and result.shape == ():
            result = float(result)
        return isinstance(result, float) and bool(np.isclose(result, expected, rtol=rtol,
                                                             atol=atol))
    return type(result) is type(expected) and result == expected


def shape_problem(result: Any, expected: Any) -> str | None:
    """Words for a structural mismatch (kind or shape), or None when the structure agrees."""
    if isinstance(expected, tuple):
        if not isinstance(result, tuple) or len(result) != len(expected):
            return _("expected a sequence of {n} items, got {got}").format(
                n=len(expected), got=describe(result))
        for i, (r, e) in enumerate(zip(result, expected)):
            problem = shape_problem(r, e)
            if problem:
                return _("item {i} of {n}: {problem}").format(i=i + 1, n=len(expected),
                                                              problem=problem)
        return None
    if isinstance(expected, np.ndarray):
        if not isinstance(result, np.ndarray):
            return _("expected an array of shape {shape}, got {got}").format(
                shape=expected.shape, got=describe(result))
        if result.shape != expected.shape:
            return _("expected shape {expected}, got shape {got}").format(
                expected=expected.shape, got=result.shape)
        return None
    if isinstance(expected, float) and not (
            isinstance(result, float) or (isinstance(result, np.ndarray) and result.shape == ())):
        return _("expected a number, got {got}").format(got=describe(result))
    return None
