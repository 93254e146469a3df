"""Lesson 06, vectorization (lessons/06_vectorization.ipynb): the textbook column form of a layer.

The seeds write a layer with one sample per COLUMN, Z = W A + b; labkit (and torch) with one
sample per row, Z = X W^T + b (``labkit.core.layers.linear_forward``). ``forward_columns`` is
the column form, which the lesson compares with the rows and uses in its loop over samples
(the function exercise 06 asks for). The batches of the lesson's descent are the core's
(``labkit.core.train.minibatch_indices``, which ``lk.fit`` calls).

The module holds the lesson's numbers (numpy only); its widget is in widget.py, next to this
file.
"""
from __future__ import annotations

import numpy as np


def forward_columns(A: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Z = W A + b with the samples as COLUMNS: A (in, N), W (out, in), b (out,) added to
    every column, Z (out, N); the transpose of the rows' X W^T + b for X = A^T."""
    return W @ A + b[:, None]
