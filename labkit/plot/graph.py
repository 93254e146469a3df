"""Moved: lesson 05's drawing of computational graphs (draw_graph, graph_axes, graph_layout) live
in ``labkit.lessons.computational_graphs.figures`` now.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ..core._moved import moved


def __getattr__(name: str):
    return moved(__name__, name,
                 lambda: importlib.import_module("labkit.lessons.computational_graphs.figures"))
