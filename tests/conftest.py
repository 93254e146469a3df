"""Shared settings of labkit's unit tests.

Hypothesis runs a fixed, modest number of examples and derives them from the test's name
(``derandomize``), so ``make test`` is reproducible and fast; it keeps no example database in
the repository. ``HYPOTHESIS_PROFILE=explore pytest tests/`` draws fresh random examples, more
of them, for a deeper search.
"""
from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "labkit",
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "labkit"))


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator with a fixed seed for every test that asks for one."""
    return np.random.default_rng(12345)
