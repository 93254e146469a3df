"""Data sets: seeded generators (deterministic, documented shapes, dtypes and labels), the
offline digits set and train_test_split."""
from __future__ import annotations

import numpy as np
import pytest

import labkit as lk

CLASSIFIERS = {
    "moons": (lambda n, rng: lk.make_moons(n, rng=rng), 2),
    "circles": (lambda n, rng: lk.make_circles(n, rng=rng), 2),
    "spirals": (lambda n, rng: lk.make_spirals(n, rng=rng), 3),
    "spirals-5": (lambda n, rng: lk.make_spirals(n, classes=5, rng=rng), 5),
    "xor": (lambda n, rng: lk.make_xor(n, rng=rng), 2),
}
ALL = {**{k: v[0] for k, v in CLASSIFIERS.items()},
       "regression_1d": lambda n, rng: lk.make_regression_1d(n, rng=rng)}


@pytest.mark.parametrize("name", sorted(ALL))
def test_generators_are_deterministic_for_a_seed(name):
    make = ALL[name]
    X1, y1 = make(101, 7)
    X2, y2 = make(101, np.random.default_rng(7))
    X3, y3 = make(101, 8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", sorted(CLASSIFIERS))
@pytest.mark.parametrize("n", [20, 101])
def test_classification_shapes_dtypes_and_labels(name, n):
    make, classes = CLASSIFIERS[name]
    X, y = make(n, 0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(classes))
    counts = np.bincount(y, minlength=classes)
    assert counts.max() - counts.min() <= 1          # balanced classes
    assert np.all(np.isfinite(X))


def test_generators_shuffle_the_samples():
    _, y = lk.make_moons(200, rng=0)
    # not all of class 0 first: some label change happens within the first half
    assert len(np.unique(y[:100])) == 2


def test_regression_1d_shapes_and_order():
    X, y = lk.make_regression_1d(50, rng=0)
    assert X.shape == (50, 1) and y.shape == (50, 1)
    assert X.dtype == y.dtype == np.float64
    assert np.all(np.diff(X[:, 0]) >= 0)                # sorted by x
    assert 0 <= X.min() and X.max() <= 1


def test_noise_free_generators_follow_their_geometry():
    X, y = lk.make_circles(40, noise=0.0, factor=0.3, rng=0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0, rtol=1e-12)
    np.testing.assert_allclose(r[y == 1], 0.3, rtol=1e-12)
    X, y = lk.make_xor(40, noise=0.0, rng=0)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))
    X, y = lk.make_regression_1d(30, noise=0.0, rng=0)
    np.testing.assert_allclose(y[:, 0], np.sin(2 * np.pi * X[:, 0]), atol=1e-12)
    X, y = lk.make_moons(50, noise=0.0, rng=0)
    upper = X[y == 0]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, rtol=1e-12)


@pytest.fixture(scope="module")
def digits():
    return lk.load_digits()


def test_load_digits(digits):
    X, y = digits
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(10))
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.all(np.bincount(y) >= 170)               # about 180 images of every digit


def test_load_digits_unscaled_is_sixteen_times_the_scaled(digits):
    X_raw, y_raw = lk.load_digits(scale=False)
    np.testing.assert_array_equal(X_raw, digits[0] * 16)
    np.testing.assert_array_equal(y_raw, digits[1])
    assert np.array_equal(X_raw, np.round(X_raw)) and X_raw.max() == 16


def _rows(A):
    return {tuple(r) for r in A}


@pytest.mark.parametrize("test_size, n_test", [(0.25, 25), (0.1, 10), (0.5, 50)])
def test_train_test_split_sizes_and_disjointness(test_size, n_test):
    X = np.arange(200.0).reshape(100, 2)          # every row unique
    y = np.arange(100)
    Xtr, Xte, ytr, yte = lk.train_test_split(X, y, test_size=test_size, rng=0)
    assert len(Xte) == len(yte) == n_test and len(Xtr) == len(ytr) == 100 - n_test
    assert not _rows(Xtr) & _rows(Xte)
    assert _rows(Xtr) | _rows(Xte) == _rows(X)
    # rows and labels stay paired
    np.testing.assert_array_equal(Xtr[:, 0], 2 * ytr)
    np.testing.assert_array_equal(Xte[:, 0], 2 * yte)


def test_train_test_split_is_deterministic_for_a_seed():
    X, y = lk.make_moons(60, rng=0)
    a = lk.train_test_split(X, y, rng=3)
    b = lk.train_test_split(X, y, rng=3)
    c = lk.train_test_split(X, y, rng=4)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[3], c[3]) or not np.array_equal(a[1], c[1])


def test_train_test_split_stratify_keeps_class_proportions():
    y = np.r_[np.zeros(80, dtype=int), np.ones(20, dtype=int)]
    X = np.arange(100.0).reshape(-1, 1)
    _, Xte, _, yte = lk.train_test_split(X, y, test_size=0.25, rng=0, stratify=True)
    assert np.bincount(yte).tolist() == [20, 5]
    np.testing.assert_array_equal(y[Xte[:, 0].astype(int)], yte)


def test_train_test_split_stratify_on_digits(digits):
    X, y = digits
    Xtr, Xte, ytr, yte = lk.train_test_split(X, y, test_size=0.2, rng=0, stratify=True)
    assert len(Xtr) + len(Xte) == 1797
    expected = np.round(0.2 * np.bincount(y)).astype(int)
    np.testing.assert_array_equal(np.bincount(yte, minlength=10), expected)
