"""Every widget the lessons show, built with the arguments its lesson uses.

    from labkit.lessons.catalog import CATALOG
    lab = CATALOG["descent_lab"]()          # the widget of lesson 03, as the lesson shows it

``CATALOG`` maps a name to a factory that takes no arguments and returns the ``Lab``. The widget
benchmark (benchmarks/bench_widgets.py) and the widget fuzz test (tests/test_widget_fuzz.py)
go through all of it; tests/test_widget_catalog.py checks that every widget a lesson displays
(its stored ``<labkit widget: TITLE>`` output) has an entry here. A new lesson widget gets one
line below, with the arguments of the lesson's cell.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

from ..core.layers import Linear, ReLU, Sequential
from ..core.losses import CrossEntropyLoss
from ..core.optim import Adam
from ..core.train import fit
from ..datasets import load_digits, train_test_split
from ..widgets.base import Lab
from ..widgets.neuron import neuron_lab
from .backprop import backprop_lab
from .capstone import digit_explorer
from .computational_graphs import graph_lab
from .forward_pass import forward_lab
from .gradient_checking import gradcheck_lab
from .gradient_descent import descent_lab
from .loss import loss_lab
from .optimizers import optimizers_lab
from .vanishing_exploding import vanishing_lab
from .vectorization import batches_lab


@cache
def lesson10_classifier() -> tuple[Sequential, np.ndarray, np.ndarray]:
    """(net, X_test, y_test) as lesson 10 makes them: the digits split 75/25 (rng 0), the
    rest split 80/20 (rng 1), a 64-128-10 ReLU network trained 20 epochs with Adam (lr 3e-3,
    batches of 32). Trained once per process (about a second)."""
    X, y = load_digits()
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.25, rng=0,
                                                      stratify=True)
    X_train, _, y_train, _ = train_test_split(X_rest, y_rest, test_size=0.2, rng=1,
                                              stratify=True)
    rng = np.random.default_rng(0)
    net = Sequential(Linear(64, 128, rng=rng), ReLU(), Linear(128, 10, rng=rng))
    fit(net, CrossEntropyLoss(), Adam(net.parameters(), lr=3e-3), X_train, y_train,
        epochs=20, batch_size=32, rng=0)
    return net, X_test, y_test


CATALOG: dict[str, Callable[[], Lab]] = {
    # lesson 00
    "neuron_lab": lambda: neuron_lab(w=1.0, b=0.0, activation="sigmoid"),
    # lesson 01
    "forward_lab": lambda: forward_lab(),
    # lesson 02
    "loss_lab": lambda: loss_lab(logits=(2.0, 0.5, -1.0), target=0),
    # lesson 03
    "descent_lab": lambda: descent_lab(surface="ravine", lr=0.1, steps=50),
    # lesson 04
    "backprop_lab": lambda: backprop_lab(),
    # lesson 05
    "graph_lab": lambda: graph_lab(expression="u = x*y; L = u*(u + 1)", inputs=[2.0, 3.0],
                                   step=0),
    # lesson 06
    "batches_lab": lambda: batches_lab(batch_size=4, lr=0.3, epochs=8),
    # lesson 07
    "gradcheck_lab": lambda: gradcheck_lab(eps=1e-6, dtype="float64", bug="none"),
    # lesson 08
    "vanishing_lab": lambda: vanishing_lab(depth=20, activation="sigmoid", init="default"),
    # lesson 09
    "optimizers_lab": lambda: optimizers_lab(optimizer="momentum", surface="ravine", lr=0.02,
                                             steps=100),
    # lesson 10
    "digit_explorer": lambda: digit_explorer(*lesson10_classifier(), show="wrong"),
}
