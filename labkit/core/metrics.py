"""Metrics on predictions: accuracy for class scores, probabilities or labels."""
from __future__ import annotations

import numpy as np

from .module import check_int


def predict_classes(y_hat: np.ndarray) -> np.ndarray:
    """Class indices from scores: argmax over C > 1 columns, or p >= 0.5 for one column."""
    if y_hat.ndim == 2 and y_hat.shape[1] > 1:
        return y_hat.argmax(axis=1)
    return (y_hat.reshape(-1) >= 0.5).astype(np.int64)


def accuracy(y_hat: np.ndarray, y: np.ndarray) -> float:
    """Fraction of samples whose predicted class equals the label."""
    return float(np.mean(predict_classes(y_hat) == np.asarray(y).reshape(-1)))


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """Counts of (true class, predicted class) pairs: an int64 array (C, C) whose entry
    [i, j] is the number of samples of class i predicted as class j (rows: the truth, as in
    scikit-learn). The diagonal holds the correct predictions, everything else a mistake.

    ``y_pred`` may be class indices (N,) or scores (N, C) (turned into classes by
    ``predict_classes``). ``n_classes`` defaults to 1 + the largest class seen.
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_pred.ndim == 2:
        y_pred = predict_classes(y_pred)
    for what, v in (("y_true", y_true), ("y_pred", y_pred)):
        if v.ndim != 1:
            raise ValueError(f"confusion_matrix: {what} must be 1-D class indices (N,), "
                             f"got shape {v.shape}")
        if v.size and v.dtype.kind not in "iu":
            raise TypeError(f"confusion_matrix: {what} must hold integer class indices, got "
                            f"dtype {v.dtype} (use .astype(int))")
    if len(y_true) != len(y_pred):
        raise ValueError(f"confusion_matrix: y_true has {len(y_true)} labels but y_pred has "
                         f"{len(y_pred)}")
    seen = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    if n_classes is None:
        if seen == 0:
            raise ValueError("confusion_matrix: no labels to count; give n_classes")
        n_classes = seen
    n_classes = check_int("confusion_matrix", "n_classes", n_classes)
    lowest = int(min(y_true.min(initial=0), y_pred.min(initial=0)))
    if lowest < 0 or seen > n_classes:
        bad = lowest if lowest < 0 else seen - 1
        raise ValueError(f"confusion_matrix: class index {bad} out of range for {n_classes} "
                         f"classes (0..{n_classes - 1})")
    pairs = y_true.astype(np.int64) * n_classes + y_pred.astype(np.int64)
    return np.bincount(pairs, minlength=n_classes * n_classes).reshape(n_classes, n_classes)
