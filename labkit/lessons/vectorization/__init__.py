"""Lesson 06, vectorization (lessons/06_vectorization.ipynb): the textbook column form against
labkit's rows, and full-batch, mini-batch and stochastic descent. Most numbers it prints come
from the core (lk.fit, lk.Linear) and its decision boundary from labkit.plot.boundary.

Read compute.py, then widget.py:

    compute.py   the column form of a layer, Z = W A + b (forward_columns)
    widget.py    its widget: batches_lab, the batch size, learning rate and epochs

Here are the names the lesson imports (``from labkit.lessons.vectorization import ...``).
"""
from .._lazy import lazy_exports

# what the lesson imports from each module, imported on first use (labkit/lessons/_lazy.py)
__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "compute": ["forward_columns"],
    "widget": ["batches_lab"],
})
