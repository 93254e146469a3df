"""manual_seed reaches every draw: layers made before it draw the same numbers after it as
layers made after it; a layer given its own rng/seed is not affected."""
from __future__ import annotations

import numpy as np
import pytest

import labkit as lk
from labkit.core.random import get_rng, manual_seed


def _masks(layer, n=3):
    layer.train()
    return [layer(np.ones((4, 5))).copy() for _ in range(n)]


def test_dropout_made_before_manual_seed_reproduces_its_masks():
    early = lk.Dropout(0.5)               # holds the default generator before the seed
    get_rng().random(7)                   # some other draws move the generator on
    manual_seed(0)
    first = _masks(early)
    manual_seed(0)
    again = _masks(early)
    manual_seed(0)
    late = _masks(lk.Dropout(0.5))
    for a, b, c in zip(first, again, late):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    assert not np.array_equal(first[0], first[1])      # masks differ from draw to draw


def test_manual_seed_restarts_the_default_stream():
    manual_seed(3)
    a = get_rng().random(5)
    manual_seed(3)
    np.testing.assert_array_equal(get_rng().random(5), a)
    np.testing.assert_array_equal(np.random.default_rng(3).random(5), a)


def test_a_layer_with_its_own_seed_ignores_manual_seed():
    own = lk.Dropout(0.5, rng=7)
    manual_seed(0)
    first = _masks(own, 1)[0]
    manual_seed(0)
    second = _masks(own, 1)[0]
    reference = lk.Dropout(0.5, rng=7)
    np.testing.assert_array_equal(first, _masks(reference, 1)[0])
    assert not np.array_equal(first, second)           # its own stream went on


@pytest.mark.parametrize("bad", [1.5, "0", True, None])
def test_manual_seed_needs_an_int(bad):
    with pytest.raises(TypeError, match="manual_seed: seed must be an int"):
        manual_seed(bad)
