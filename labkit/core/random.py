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
    """Restarts labkit's default generator from ``seed`` (like ``torch.manual_seed``)."""
    global _default_rng
    _default_rng = np.random.default_rng(seed)


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
