"""Module: the base of every layer (the CS231n pattern with PyTorch's names).

A module's ``forward(x)`` computes its output and caches what ``backward`` needs;
``backward(grad_out)`` takes dL/d(output), adds dL/d(parameter) into each ``Parameter.grad``
and returns dL/d(input).

As in torch, a module's parameters are its Parameter attributes (``self.W``) and its children
are its Module attributes (``self.block``; a Sequential's layers). ``modules()`` walks the
module and everything below it, once; ``parameters()``, ``train()`` and ``eval()`` use that walk.

The argument checks every part of the core shares (``check_int``, ``check_number``,
``check_bool``) live here too: each error names who complains, the argument and what it got;
so does ``deprecated``, the one warning of an old name kept for one release.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator

import numpy as np

from .parameter import Parameter


class Module:
    """Base class: subclasses implement ``forward`` and ``backward``."""

    training: bool = True
    buffer_names: tuple[str, ...] = ()    # array attributes that are state but not parameters

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__}.backward is not implemented")

    # --- the walk: children, modules, parameters ------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(attribute name, module) for every Module attribute, in the order they were set."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def named_modules(self, prefix: str = "", seen: set | None = None
                      ) -> Iterator[tuple[str, Module]]:
        """("", self), then every module below, depth first, as ("0", ...), ("2.block", ...);
        a module reached twice is given once (torch.nn.Module.named_modules)."""
        seen = set() if seen is None else seen
        if id(self) not in seen:
            seen.add(id(self))
            yield prefix, self
            for name, child in self.named_children():
                yield from child.named_modules(f"{prefix}.{name}" if prefix else name, seen)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """("0.W", W), ("0.b", b), ...: every module's Parameter attributes, each once."""
        seen: set[int] = set()
        for prefix, module in self.named_modules():
            for name, value in vars(module).items():
                if isinstance(value, Parameter) and id(value) not in seen:
                    seen.add(id(value))
                    yield (f"{prefix}.{name}" if prefix else name), value

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def zero_grad(self, set_to_none: bool = False) -> None:
        """grad <- 0 for every parameter (``set_to_none=True``: grad <- None, as torch; the
        next backward starts it again from zeros)."""
        for p in self.parameters():
            p.zero_grad(set_to_none)

    # --- modes (used by BatchNorm and Dropout) ---------------------------------------------
    def train(self, mode: bool = True) -> Module:
        mode = check_bool(type(self).__name__ + ".train", "mode", mode)
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    # --- saving and loading ----------------------------------------------------------------
    def named_buffers(self) -> Iterator[tuple[str, np.ndarray]]:
        """("1.running_mean", array), ...: the arrays named by every module's
        ``buffer_names`` (BatchNorm's running statistics), as torch's named_buffers."""
        for prefix, module in self.named_modules():
            for name in module.buffer_names:
                yield (f"{prefix}.{name}" if prefix else name), getattr(module, name)

    def _arrays(self) -> dict[str, np.ndarray]:
        """name -> the array itself, for every parameter and buffer ("0.W", ...)."""
        return {**{name: p.data for name, p in self.named_parameters()},
                **dict(self.named_buffers())}

    def state_dict(self) -> dict[str, np.ndarray]:
        """{"0.W": a copy of W, ...}: every parameter and buffer, as torch's state_dict."""
        return {name: array.copy() for name, array in self._arrays().items()}

    def load_state_dict(self, state_dict: dict[str, np.ndarray]) -> None:
        """Copies the arrays of ``state_dict`` into the parameters and buffers of the same
        names; every name must be there, with its shape, and no other."""
        own, owner = self._arrays(), f"{type(self).__name__}.load_state_dict"
        if set(own) != set(state_dict):
            raise KeyError(f"{owner}: missing {sorted(set(own) - set(state_dict))}, "
                           f"unexpected {sorted(set(state_dict) - set(own))}")
        for name, target in own.items():
            value = np.asarray(state_dict[name])
            if value.shape != target.shape:
                raise ValueError(f"{owner}: {name!r} has shape {value.shape}, expected "
                                 f"{target.shape}")
            target[...] = value

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


# --- checks of a layer's input -------------------------------------------------------------
def check_input(layer: Module, x: np.ndarray, width: int | None = None) -> None:
    """Raises a clear error unless x is a non-empty (N, width) array (width None: any)."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{layer!r}: input must be a numpy array, got {type(x).__name__}")
    if x.ndim != 2:
        hint = " (one sample? use x.reshape(1, -1))" if x.ndim == 1 else ""
        raise ValueError(f"{layer!r}: input must be 2-D (N, features), got shape {x.shape}{hint}")
    if x.shape[0] == 0:
        raise ValueError(f"{layer!r}: empty batch (input shape {x.shape})")
    if width is not None and x.shape[1] != width:
        raise ValueError(
            f"{layer!r}: expected input of width {width}, got shape {x.shape} "
            f"(width {x.shape[1]})"
        )


def check_grad_out(layer: Module, grad_out: np.ndarray, expected_shape: tuple[int, ...]) -> None:
    """Raises a clear error unless grad_out has the shape of the layer's last output."""
    if not isinstance(grad_out, np.ndarray):
        raise TypeError(
            f"{layer!r}.backward: grad_out must be a numpy array, got {type(grad_out).__name__}"
        )
    if grad_out.shape != expected_shape:
        raise ValueError(
            f"{layer!r}.backward: grad_out has shape {grad_out.shape}, expected the shape of "
            f"the last output {expected_shape}"
        )


def no_forward_error(layer: Module) -> RuntimeError:
    return RuntimeError(f"{layer!r}.backward called before forward: nothing is cached")


# --- checks of arguments, shared by the whole core -----------------------------------------
def check_int(owner: str, name: str, value, minimum: int = 1, none_ok: bool = False):
    """value as an int (numpy integers too, bool not), or a ValueError naming it."""
    if none_ok and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{owner}: {name} must be an int >= {minimum}"
                         f"{' or None' if none_ok else ''}, got {value!r}")
    return int(value)


def check_number(owner: str, name: str, value, low: float = 0.0, high: float = math.inf,
                 low_open: bool = False, high_open: bool = False) -> float:
    """value as a float in [low, high] (an end open if asked), or a ValueError naming it."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if ok:
        v = float(value)
        ok = math.isfinite(v) and (v > low if low_open else v >= low) and (
            v < high if high_open else v <= high)
    if not ok:
        lo = f"{'(' if low_open else '['}{float(low)}"
        hi = f"{float(high)}{')' if high_open else ']'}"
        raise ValueError(f"{owner}: {name} must be a finite number in {lo}, {hi}, got {value!r}")
    return v


def check_bool(owner: str, name: str, value) -> bool:
    """value if it is True or False (numpy's too), else a TypeError: "no" is not False."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return bool(value)


# --- the old names: the one mechanism that keeps them working for one release ----------
def deprecated(old: str, new: str, stacklevel: int = 3) -> None:
    """Warns that ``old`` goes in the next release and ``new`` replaces it."""
    warnings.warn(f"{old} is deprecated and goes in the next release: use {new}",
                  DeprecationWarning, stacklevel=stacklevel)


def renamed(module: str, name: str, table: dict[str, tuple[str, Callable[[], object]]]):
    """A module's ``__getattr__`` for its old names: ``table`` maps an old name to (what to
    use now, a function returning the object); the object comes with the warning."""
    if name not in table:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    new, get = table[name]
    deprecated(f"{module}.{name}", new, stacklevel=4)
    return get()
