"""Metrics on predictions: accuracy for class scores, probabilities or labels."""
from __future__ import annotations

import numpy as np


def predict_classes(y_hat: np.ndarray) -> np.ndarray:
    """Class indices from scores: argmax over C > 1 columns, or p >= 0.5 for one column."""
    if y_hat.ndim == 2 and y_hat.shape[1] > 1:
        return y_hat.argmax(axis=1)
    return (y_hat.reshape(-1) >= 0.5).astype(np.int64)


def accuracy(y_hat: np.ndarray, y: np.ndarray) -> float:
    """Fraction of samples whose predicted class equals the label."""
    return float(np.mean(predict_classes(y_hat) == np.asarray(y).reshape(-1)))
