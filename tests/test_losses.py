"""Losses: values from the formulas written out with plain math, and backward() vs central
differences of the loss itself (float64, random shapes including a batch of one)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from oracles import central_diff, rel_err

import labkit as lk
from labkit.core.losses import (cross_entropy, cross_entropy_grad, log_softmax, mse, mse_grad,
                                softmax)

REL_TOL = 1e-7
sizes = st.integers(min_value=1, max_value=6)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


def assert_loss_gradient(loss_fn, y_hat: np.ndarray, y: np.ndarray) -> None:
    value = loss_fn(y_hat, y)
    assert type(value) is float
    g = loss_fn.backward()
    assert g.shape == y_hat.shape
    numeric = central_diff(lambda: loss_fn(y_hat, y), y_hat)
    assert rel_err(g, numeric) < REL_TOL, (g, numeric)


# --- gradients vs central differences --------------------------------------------------------
@given(n=sizes, k=sizes, seed=seeds)
@example(n=1, k=1, seed=0)
def test_mse_gradient(n, k, seed):
    rng = np.random.default_rng(seed)
    assert_loss_gradient(lk.MSELoss(), rng.standard_normal((n, k)), rng.standard_normal((n, k)))


@given(n=sizes, k=sizes, soft=st.booleans(), seed=seeds)
@example(n=1, k=3, soft=True, seed=0)
def test_bce_gradient(n, k, soft, seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.95, (n, k))
    y = rng.uniform(0, 1, (n, k)) if soft else rng.integers(0, 2, (n, k)).astype(float)
    assert_loss_gradient(lk.BCELoss(), p, y)


@given(n=sizes, c=st.integers(min_value=2, max_value=6), seed=seeds)
@example(n=1, c=4, seed=0)
def test_cross_entropy_gradient(n, c, seed):
    rng = np.random.default_rng(seed)
    logits = 2 * rng.standard_normal((n, c))
    assert_loss_gradient(lk.CrossEntropyLoss(), logits, rng.integers(0, c, n))


@pytest.mark.parametrize("make", [lk.MSELoss, lk.BCELoss])
def test_elementwise_losses_batch_of_one(make):
    assert_loss_gradient(make(), np.array([[0.3]]), np.array([[1.0]]))


def test_cross_entropy_batch_of_one():
    assert_loss_gradient(lk.CrossEntropyLoss(), np.array([[0.5, -1.0, 2.0]]), np.array([1]))


# --- values from the formulas ---------------------------------------------------------------
def test_mse_is_the_mean_of_squares_without_a_half():
    y_hat = np.array([[1.0, 2.0], [3.0, -1.0]])
    y = np.array([[0.0, 2.5], [1.0, 1.0]])
    diffs = [1.0, -0.5, 2.0, -2.0]
    assert lk.MSELoss()(y_hat, y) == pytest.approx(sum(d * d for d in diffs) / 4, rel=1e-15)
    loss = lk.MSELoss()
    loss(np.array([[3.0]]), np.array([[1.0]]))
    assert loss.backward()[0, 0] == pytest.approx(2 * (3.0 - 1.0))  # d/dy_hat (y_hat - y)^2


def test_mse_accepts_integer_targets():
    assert lk.MSELoss()(np.array([[0.5], [2.0]]), np.array([[1], [2]])) == pytest.approx(0.125)


def test_bce_value():
    p = np.array([[0.9], [0.2], [0.6]])
    y = np.array([[1.0], [0.0], [0.3]])
    expected = -sum(t * math.log(q) + (1 - t) * math.log(1 - q)
                    for q, t in zip(p[:, 0], y[:, 0])) / 3
    assert lk.BCELoss()(p, y) == pytest.approx(expected, rel=1e-14)


def test_bce_clamps_the_log_at_minus_100_as_torch():
    loss = lk.BCELoss()
    # p = 0 for a positive example: -log(0) is infinite, torch clamps log at -100
    assert loss(np.array([[0.0], [1.0]]), np.array([[1.0], [1.0]])) == pytest.approx(50.0)
    assert np.all(np.isfinite(loss.backward()))


def test_cross_entropy_value():
    z = np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])
    t = np.array([2, 0])
    expected = sum(math.log(sum(math.exp(v) for v in row)) - row[k]
                   for row, k in zip(z, t)) / 2
    assert lk.CrossEntropyLoss()(z, t) == pytest.approx(expected, rel=1e-14)


def test_cross_entropy_backward_is_softmax_minus_onehot_over_n():
    z = np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])
    t = np.array([2, 0])
    loss = lk.CrossEntropyLoss()
    loss(z, t)
    g = loss.backward()
    for i, row in enumerate(z):
        s = sum(math.exp(v) for v in row)
        for j, v in enumerate(row):
            expected = (math.exp(v) / s - (1.0 if j == t[i] else 0.0)) / 2
            assert g[i, j] == pytest.approx(expected, rel=1e-13, abs=1e-16)


def test_cross_entropy_is_stable_for_huge_logits():
    loss = lk.CrossEntropyLoss()
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow is fine
        value = loss(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0]))
    # sample 0 is right with certainty (loss ~ e^-1000 = 0), sample 1 wrong by 1000
    assert value == pytest.approx(500.0, rel=1e-12)
    np.testing.assert_allclose(loss.backward(), [[0.0, 0.0], [-0.5, 0.5]], atol=1e-15)


def test_cross_entropy_accepts_unsigned_targets():
    z = np.array([[0.0, 1.0]])
    assert lk.CrossEntropyLoss()(z, np.array([1], dtype=np.uint8)) == pytest.approx(
        math.log(1 + math.e) - 1.0)


def test_softmax_and_log_softmax_by_hand():
    z = np.array([[1.0, 2.0, 3.0]])
    s = sum(math.exp(v) for v in z[0])
    np.testing.assert_allclose(lk.softmax(z)[0], [math.exp(v) / s for v in z[0]], rtol=1e-15)
    np.testing.assert_allclose(log_softmax(z)[0], [v - math.log(s) for v in z[0]],
                               rtol=1e-14)
    assert softmax is lk.softmax


def test_the_loss_formulas_by_hand_and_in_the_classes():
    """mse, mse_grad, cross_entropy, cross_entropy_grad: the exercises' functions, written out
    element by element here; the loss classes return exactly their numbers."""
    rng = np.random.default_rng(11)
    y_hat, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    n = y.size
    assert mse(y_hat, y) == pytest.approx(sum((a - b) ** 2 for a, b in
                                              zip(y_hat.ravel(), y.ravel())) / n, rel=1e-14)
    np.testing.assert_allclose(mse_grad(y_hat, y), 2 * (y_hat - y) / n, rtol=1e-15)
    loss = lk.MSELoss()
    assert loss(y_hat, y) == mse(y_hat, y)
    np.testing.assert_array_equal(loss.backward(), mse_grad(y_hat, y))
    z, t = rng.standard_normal((5, 3)), rng.integers(0, 3, 5)
    by_hand = [math.log(sum(math.exp(v) for v in row)) - row[k] for row, k in zip(z, t)]
    assert cross_entropy(z, t) == pytest.approx(sum(by_hand) / 5, rel=1e-14)
    onehot = np.eye(3)[t]
    np.testing.assert_allclose(cross_entropy_grad(z, t), (softmax(z) - onehot) / 5, rtol=1e-14)
    ce = lk.CrossEntropyLoss()
    assert ce(z, t) == cross_entropy(z, t)
    np.testing.assert_array_equal(ce.backward(), cross_entropy_grad(z, t))


@pytest.mark.parametrize("make, y_hat1, y1, y_hat2, y2", [
    (lk.MSELoss, np.array([[1.0]]), np.array([[0.0]]), np.array([[5.0]]), np.array([[0.0]])),
    (lk.BCELoss, np.array([[0.5]]), np.array([[1.0]]), np.array([[0.8]]), np.array([[1.0]])),
    (lk.CrossEntropyLoss, np.array([[0.0, 0.0]]), np.array([0]), np.array([[5.0, 0.0]]),
     np.array([1])),
])
def test_backward_is_for_the_last_call(make, y_hat1, y1, y_hat2, y2):
    loss = make()
    loss(y_hat2, y2)
    expected = loss.backward()
    loss(y_hat1, y1)
    first = loss.backward()
    loss(y_hat2, y2)
    np.testing.assert_array_equal(loss.backward(), expected)
    assert not np.array_equal(first, expected)
