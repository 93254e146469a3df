"""Lesson 06 (vectorization and batches): column form vs rows, and mini-batch indices.

The references are the library's: ``forward_columns`` (labkit.lessons.vectorization.compute),
the textbook column form the lesson compares with labkit's rows, and ``minibatch_indices``
(labkit.core.train), the batches lk.fit trains on; each misconception is a wrong answer built
from them.
"""
from __future__ import annotations

import numpy as np

from ...core.i18n import N_
from ...core.train import minibatch_indices
from ...lessons.vectorization.compute import forward_columns
from .base import Misconception, Problem


def _columns_case(rng):
    n, fan_in, fan_out = (int(rng.integers(1, 6)), int(rng.integers(1, 5)),
                          int(rng.integers(1, 5)))
    return (rng.standard_normal((fan_in, n)), rng.standard_normal((fan_out, fan_in)),
            rng.standard_normal(fan_out))


FORWARD_COLUMNS = Problem(
    name="forward_columns", function="forward_columns",
    signature="forward_columns(A, W, b) -> Z = W A + b, samples as COLUMNS: A (in, N), "
              "Z (out, N)",
    make_case=_columns_case,
    reference=forward_columns,
    misconceptions=(
        Misconception(lambda A, W, b: forward_columns(A, W, b).T,
                      N_("you returned rows (N, out): this exercise keeps the column form, "
                         "one sample per column")),
        Misconception(lambda A, W, b: forward_columns(A, W, np.zeros_like(b)),
                      N_("the bias is missing: add b to every column (b[:, None])")),
    ),
)


def _indices_case(rng):
    n = int(rng.integers(1, 30))
    return rng.permutation(n), int(rng.integers(1, 12))


MINIBATCH_INDICES = Problem(
    name="minibatch_indices", function="minibatch_indices",
    signature="minibatch_indices(perm, batch_size) -> list of index arrays, in order; the "
              "last batch may be smaller",
    make_case=_indices_case,
    reference=minibatch_indices,
    misconceptions=(
        Misconception(lambda perm, size: [batch for batch in minibatch_indices(perm, size)
                                          if len(batch) == size],
                      N_("the last, smaller batch is dropped: every sample is used once per "
                         "epoch")),
        Misconception(lambda perm, size: [np.sort(batch)
                                          for batch in minibatch_indices(perm, size)],
                      N_("keep the shuffled order of perm inside each batch")),
    ),
)

PROBLEMS = (FORWARD_COLUMNS, MINIBATCH_INDICES)
