"""Lesson 05, computational graphs (lessons/05_computational_graphs.ipynb): a naive
recursive backward pass against Value.backward.

Read compute.py, then figures.py, then widget.py:

    compute.py   the numbers the lesson prints: the naive recursion, its paths, the steps in order
    figures.py   its figures: a graph of Value nodes with data and grad
    widget.py    its widget: graph_lab, an expression walked back one node at a time

Here are the names the lesson imports (``from labkit.lessons.computational_graphs import ...``).
"""
from .._lazy import lazy_exports

# what the lesson imports from each module, imported on first use (labkit/lessons/_lazy.py)
__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "compute": ["backward_steps", "count_paths", "naive_backward", "node_name"],
    "figures": ["draw_graph", "graph_axes"],
    "widget": ["graph_lab"],
})
