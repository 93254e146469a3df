"""Widgets change their drawings in place instead of drawing anew (for speed); what they show
must be what a new drawing shows."""
from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from labkit.lessons.backprop.figures import BackpropDiagram  # noqa: E402
from labkit.lessons.backprop.widget import backprop_lab, make_example  # noqa: E402
from labkit.widgets.base import rendering  # noqa: E402


def pixels(diagram: BackpropDiagram) -> np.ndarray:
    fig = diagram.ax.figure
    with rendering():
        fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def new_axes():
    fig = Figure(figsize=(5.6, 4.4), dpi=100)
    FigureCanvasAgg(fig)
    return fig.add_axes((0.0, 0.02, 1.0, 0.9))


@pytest.mark.parametrize("step", [0, 4, 8])
def test_a_backprop_diagram_reused_for_another_network_shows_that_network(step):
    first = make_example("tanh", seed=1).trace()
    second = make_example("relu", seed=2).trace()           # same shape, other numbers
    reused = BackpropDiagram(first, new_axes()).show(3).use(second).show(step)
    fresh = BackpropDiagram(second, new_axes()).show(step)
    assert ([t.get_text() for t in reused.ax.texts] == [t.get_text() for t in fresh.ax.texts])
    np.testing.assert_array_equal(pixels(reused), pixels(fresh))


def test_a_backprop_diagram_takes_only_a_network_of_its_shape():
    diagram = BackpropDiagram(make_example("sigmoid", seed=0).trace(), new_axes())
    with pytest.raises(ValueError, match="same|sizes"):
        diagram.use(make_example("worked").trace())       # 2-2-1, the diagram is 2-3-1


def test_the_backprop_widget_moves_between_networks_in_place_and_back():
    lab = backprop_lab(example="tanh", seed=1, step=2)
    diagram = lab._diagram
    lab.set(seed=5)
    assert lab._diagram is diagram and lab.trace is diagram.trace     # reused, new numbers
    lab.set(example="worked")                              # another shape: drawn anew
    assert lab._diagram is not diagram and list(lab.trace.sizes) == [2, 2, 1]
    assert lab.last_status.level != "error"
