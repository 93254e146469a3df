"""Data sets: seeded toy generators and one small real data set that works offline.

They live apart from the core (``labkit.core``, the library a learner reads to see how a
network learns), as CS231n keeps its ``data_utils`` apart from ``layers``/``optim`` and torch
its data sets in ``torchvision.datasets``; like the core, they need numpy alone. The lessons
reach them through the shortcuts ``lk.make_moons``, ``lk.load_digits``, ...

Every generator takes ``rng`` (a Generator, an int seed, or None for labkit's default) and
returns (X, y) with X float64 of shape (N, features). Classification labels are int64 class
indices (N,); regression targets are float64 of shape (N, 1).
"""
from __future__ import annotations

import numpy as np

from ..core.module import check_int
from ..core.random import get_rng


def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.Generator):
    perm = rng.permutation(len(X))
    return X[perm], y[perm]


def _two_classes(X0: np.ndarray, X1: np.ndarray, noise: float, rng: np.random.Generator):
    """The points X0 (label 0) and X1 (label 1), with N(0, noise^2) noise, shuffled."""
    X = np.vstack([X0, X1])
    X += noise * rng.standard_normal(X.shape)
    y = np.r_[np.zeros(len(X0), dtype=np.int64), np.ones(len(X1), dtype=np.int64)]
    return _shuffled(X, y, rng)


def make_moons(n: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (as sklearn's make_moons), labels 0 and 1."""
    n = check_int("make_moons", "n", n, 2)
    rng = get_rng(rng)
    n_out, n_in = n // 2, n - n // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    return _two_classes(np.c_[np.cos(t_out), np.sin(t_out)],
                        np.c_[1 - np.cos(t_in), 0.5 - np.sin(t_in)], noise, rng)


def make_circles(n: int = 200, noise: float = 0.05, factor: float = 0.5,
                 rng=None) -> tuple[np.ndarray, np.ndarray]:
    """A small circle (label 1, radius ``factor``) inside a large one (label 0, radius 1)."""
    n = check_int("make_circles", "n", n, 2)
    if not 0 < factor < 1:
        raise ValueError(f"make_circles: factor must be in (0, 1), got {factor!r}")
    rng = get_rng(rng)
    n_out, n_in = n // 2, n - n // 2
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    return _two_classes(np.c_[np.cos(t_out), np.sin(t_out)],
                        factor * np.c_[np.cos(t_in), np.sin(t_in)], noise, rng)


def make_spirals(n: int = 300, classes: int = 3, noise: float = 0.2,
                 rng=None) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` interleaved spiral arms (the CS231n toy set), n points in all."""
    classes = check_int("make_spirals", "classes", classes)
    n = check_int("make_spirals", "n", n, classes)
    rng = get_rng(rng)
    per = [n // classes + (1 if k < n % classes else 0) for k in range(classes)]
    X, y = [], []
    for k, m in enumerate(per):
        r = np.linspace(0.0, 1.0, m)
        t = np.linspace(k * 4.0, (k + 1) * 4.0, m) + noise * rng.standard_normal(m)
        X.append(np.c_[r * np.sin(t), r * np.cos(t)])
        y.append(np.full(m, k, dtype=np.int64))
    return _shuffled(np.vstack(X), np.concatenate(y), rng)


def make_xor(n: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Points around the four corners (+-1, +-1); label 1 where the signs differ (XOR)."""
    n = check_int("make_xor", "n", n, 4)
    rng = get_rng(rng)
    corners = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=np.float64)
    which = np.arange(n) % 4
    X = corners[which] + noise * rng.standard_normal((n, 2))
    y = (corners[which, 0] != corners[which, 1]).astype(np.int64)
    return _shuffled(X, y, rng)


def make_regression_1d(n: int = 100, noise: float = 0.1, rng=None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """y = sin(2 pi x) + noise for x uniform in [0, 1]: X (n, 1), y (n, 1), sorted by x."""
    n = check_int("make_regression_1d", "n", n)
    rng = get_rng(rng)
    x = np.sort(rng.uniform(0.0, 1.0, n))
    y = np.sin(2 * np.pi * x) + noise * rng.standard_normal(n)
    return x.reshape(-1, 1), y.reshape(-1, 1)


def load_digits(scale: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The UCI handwritten digits: 1797 images of 8x8 pixels, shipped with labkit.

    X (1797, 64) float64 (pixels 0..16, divided by 16 when ``scale``), y (1797,) int64 in 0..9.
    """
    import gzip  # only here: `import labkit` does not pay for them
    from importlib import resources

    with resources.files(__name__).joinpath("digits.csv.gz").open("rb") as raw:
        with gzip.open(raw, "rt") as text:
            data = np.loadtxt(text, delimiter=",")
    X, y = data[:, :-1], data[:, -1].astype(np.int64)
    return (X / 16.0 if scale else X), y


def train_test_split(X: np.ndarray, y: np.ndarray, test_size: float = 0.25, rng=None,
                     stratify: bool = False):
    """(X_train, X_test, y_train, y_test), shuffled; ``stratify`` keeps class proportions."""
    if len(X) != len(y):
        raise ValueError(f"train_test_split: X has {len(X)} rows but y has {len(y)}")
    if not 0 < test_size < 1:
        raise ValueError(f"train_test_split: test_size must be in (0, 1), got {test_size!r}")
    rng = get_rng(rng)
    if stratify:
        test_idx = []
        for c in np.unique(y):
            idx = rng.permutation(np.flatnonzero(y == c))
            test_idx.append(idx[: int(round(test_size * len(idx)))])
        test = np.sort(np.concatenate(test_idx))
    else:
        perm = rng.permutation(len(X))
        test = np.sort(perm[: int(round(test_size * len(X)))])
    mask = np.zeros(len(X), dtype=bool)
    mask[test] = True
    if mask.all() or not mask.any():
        raise ValueError(f"train_test_split: test_size={test_size} leaves one side empty "
                         f"for {len(X)} samples")
    train_idx, test_idx = rng.permutation(np.flatnonzero(~mask)), np.flatnonzero(mask)
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]
