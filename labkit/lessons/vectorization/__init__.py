"""Lesson 06, vectorization (lessons/06_vectorization.ipynb): full-batch, mini-batch and
stochastic descent. The numbers it prints come from the core (lk.fit, lk.Linear) and its decision
boundary from labkit.plot.boundary, so this lesson has only a widget.

Read widget.py:

    widget.py    its widget: batches_lab, the batch size, learning rate and epochs

Here are the names the lesson imports (``from labkit.lessons.vectorization import ...``).
"""
from .widget import batches_lab

__all__ = ["batches_lab"]
