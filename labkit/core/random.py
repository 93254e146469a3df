"""Seeded randomness: every draw in labkit goes through a ``numpy.random.Generator``.

A function that draws takes ``rng``: a Generator, an int seed, or None for labkit's own
default generator. The default generator starts from seed 0 in every new process, so a
notebook re-run from the top draws the same numbers; ``manual_seed`` restarts it.
"""
from __future__ import annotations

import numpy as np

RngLike = "np.random.Generator | int | None"

_default_rng = np.random.default_rng(0)


def manual_seed(seed: int) -> None:
    """Restarts labkit's default generator from ``seed`` (like ``torch.manual_seed``).

    The generator is restarted in place, not replaced: a layer made before (a Dropout holding
    the default generator) draws the same numbers after ``manual_seed(seed)`` as a new one."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__} {seed!r}")
    _default_rng.bit_generator.state = np.random.default_rng(int(seed)).bit_generator.state


def get_rng(rng: np.random.Generator | int | None = None) -> np.random.Generator:
    """The generator to draw from: ``rng`` itself, a new one seeded with it, or the default."""
    if rng is None:
        return _default_rng
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"rng must be a numpy.random.Generator, an int seed or None, got {type(rng).__name__}"
    )
