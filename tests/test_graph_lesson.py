"""Lesson 05's drawing of computational graphs and its widget
(labkit.lessons.computational_graphs: figures, widget), and the stored lesson itself."""
from __future__ import annotations

import json
import logging
import re
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

import labkit as lk  # noqa: E402
from labkit.lessons.computational_graphs import figures as graph_plot  # noqa: E402
from labkit.lessons.computational_graphs.compute import backward_steps, naive_backward  # noqa: E402
from labkit.lessons.computational_graphs.figures import (  # noqa: E402
    draw_graph,
    graph_axes,
    graph_depths,
    graph_figsize,
    graph_layout,
)
from labkit.lessons.computational_graphs.widget import (  # noqa: E402
    EXPRESSIONS,
    MAX_STEPS,
    build_expression,
    graph_lab,
)
from labkit.widgets.drive import random_settings, sweep  # noqa: E402

LESSON = Path(__file__).resolve().parents[1] / "lessons" / "05_computational_graphs.ipynb"


def named(v, label):
    v.label = label
    return v


def neuron():
    x1, x2 = lk.Value(2.0, label="x1"), lk.Value(0.0, label="x2")
    w1, w2 = lk.Value(-3.0, label="w1"), lk.Value(1.0, label="w2")
    b = lk.Value(6.8813735870195432, label="b")
    s = named(named(x1 * w1, "x1w1") + named(x2 * w2, "x2w2"), "s")
    z = named(s + b, "z")
    return named(z.tanh(), "o"), dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, s=s, z=z)


def texts(ax):
    """Every line of text in the drawing (arrows excluded)."""
    return [line for t in ax.texts if not isinstance(t, Annotation)
            for line in t.get_text().split("\n")]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --- layout ------------------------------------------------------------------------------
def test_depths_and_columns_follow_the_topological_order():
    o, n = neuron()
    depth = graph_depths(o)
    assert depth[n["x1"]] == depth[n["b"]] == 0
    assert depth[n["s"]] == 2 and depth[n["z"]] == 3 and depth[o] == 4
    pos = graph_layout(o)
    assert len(set(pos.values())) == len(pos)                     # no two nodes overlap
    for v in o.topological_order():
        for p in v.parents:
            assert pos[p][0] < pos[v][0]                          # inputs to the left
    assert pos[n["b"]][0] == pos[n["z"]][0] - 1                   # an input next to its user
    assert pos[n["x1"]][1] > pos[n["w1"]][1] > pos[n["x2"]][1]    # read top to bottom


def test_figsize_fits_the_graph_and_is_deterministic():
    o, _ = neuron()
    assert graph_figsize(o) == (9.4, 4.5)
    a = lk.Value(1.0)
    assert graph_figsize(a + a) == (4.0, 1.6)


# --- drawing -----------------------------------------------------------------------------
def test_before_backward_every_grad_is_0_after_it_the_real_ones(caplog):
    o, n = neuron()
    with caplog.at_level(logging.WARNING):
        before = texts(draw_graph(o))
        o.backward()
        after = texts(draw_graph(o))
    assert not caplog.records                                     # no matplotlib warnings
    assert sum(t.startswith("grad ") for t in before) == 10
    assert all(t == "grad 0" for t in before if t.startswith("grad "))
    for expected in ("grad -1.5", "grad 1", "grad 0.5", "grad 0", "data 0.7071", "o [tanh]"):
        assert expected in after


def test_every_edge_is_an_arrow_and_a_doubled_edge_gets_two():
    a = lk.Value(3.0, label="a")
    b = named(a + a, "b")
    c = named(b + b, "c")
    ax = draw_graph(c)
    arrows = [t for t in ax.texts if isinstance(t, Annotation)]
    assert len(arrows) == 4
    starts = sorted(round(t.xyann[1], 3) for t in arrows)          # the two a->b arrows are
    assert len(set(starts)) == 2                                   # parallel, not on top


def test_reference_marks_wrong_gradients_in_red():
    a = lk.Value(3.0, label="a")
    b = named(a + a, "b")
    c = named(b + b, "c")
    c.backward()
    naive = naive_backward(c)
    ax = draw_graph(c, grads=naive.grads, reference={v: v.grad for v in c.topological_order()})
    red = [t.get_text() for t in ax.texts
           if to_rgba(t.get_color()) == to_rgba(graph_plot.WRONG_COLOR)]
    assert red == ["grad 6, not 4"]


def test_highlight_colours_the_step_being_propagated():
    o, n = neuron()
    step = backward_steps(o)[2]                                   # s passes its gradient on
    ax = draw_graph(o, grads=step.grads, highlight=step.node, done=step.done[:-1],
                    show_order=True)
    faces = {p.get_facecolor() for p in ax.patches}
    for key in ("active", "receiving", "done"):
        assert to_rgba(graph_plot.FACE[key]) in faces
    labels = texts(ax)
    assert labels.count("\u00d71") == 2                          # the local derivatives
    assert "#9 o [tanh]" in labels


def test_graph_axes_side_by_side_at_natural_size():
    a = lk.Value(3.0, label="a")
    c = named(named(a + a, "b") + named(a + a, "b2"), "c")
    axes = graph_axes(c, c)
    assert len(axes) == 2 and axes[0].figure is axes[1].figure
    with pytest.raises(ValueError, match="at least one"):
        graph_axes()


def test_no_system_graph_tools():
    source = Path(graph_plot.__file__).read_text()
    for banned in ("graphviz", "subprocess", "pydot", "networkx"):
        assert banned not in source.replace("No graphviz", "")
    o, _ = neuron()
    draw_graph(o)
    assert "graphviz" not in sys.modules


# --- widget ------------------------------------------------------------------------------
def test_widget_walks_the_backward_pass():
    lab = graph_lab(expression="u = x*y; L = u*(u + 1)", inputs=[2.0, 3.0], step=0)
    assert "before backward() every grad is 0" in lab.last_status.text
    assert lab.controls["in1"].description == "x" and lab.controls["in3"].disabled
    lab.set(step=1)
    assert "root.grad = 1" in lab.last_status.text
    assert "L (grad 1, final) sends 7 \u00d7 1 = +7 to u" in lab.last_status.text
    lab.set(step=3)
    assert "u (grad 13, final)" in lab.last_status.text
    lab.set(step=MAX_STEPS + 1)
    text = lab.last_status.text
    assert "dL/dx = 39, dL/dy = 26" in text and "x 60 (not 39), y 40 (not 26)" in text
    assert lab.view.image.value[:4] == b"\x89PNG"


def test_widget_expressions_and_their_inputs():
    lab = graph_lab()
    lab.set(expression="o = tanh(w1*x1 + w2*x2 + b), x1 = 2, x2 = -1")
    assert [lab.controls[f"in{i}"].description for i in (1, 2, 3)] == ["w1", "w2", "b"]
    lab.set(expression="e = (a + b)*(b + 1)", step=MAX_STEPS + 1, in1=2.0, in2=1.0)
    assert "de/da = 2, de/db = 5" in lab.last_status.text
    assert "happens to be right" in lab.last_status.text
    lab.set(expression="b = a + a; c = b + b", in1=1.5)
    assert "dc/da = 4" in lab.last_status.text and "a 6 (not 4)" in lab.last_status.text
    assert lab.controls["in2"].description == "(unused)"
    with pytest.raises(KeyError, match="no expression"):
        graph_lab(expression="nope")


@pytest.mark.parametrize("name", list(EXPRESSIONS))
def test_expressions_match_finite_differences(name):
    spec = EXPRESSIONS[name]
    root = build_expression(name, spec.defaults)
    root.backward()
    leaves = {v.label: v for v in root.topological_order() if v.label in spec.inputs}
    for i, input_name in enumerate(spec.inputs):
        up, down = list(spec.defaults), list(spec.defaults)
        up[i] += 1e-6
        down[i] -= 1e-6
        numeric = (build_expression(name, up).data - build_expression(name, down).data) / 2e-6
        assert leaves[input_name].grad == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_widget_never_errors_and_redraws_on_every_setting():
    lab = graph_lab()
    images = {lab.view.image.value}
    for _, status in sweep(lab):
        assert status.level != "error", status
        images.add(lab.view.image.value)
    assert len(images) >= 10                      # the picture follows the controls
    for _, status in random_settings(lab, 6, np.random.default_rng(0)):
        assert status.level != "error", status


# --- the stored lesson -------------------------------------------------------------------
def test_lesson_05_is_stored_executed_without_errors_or_torch():
    nb = json.loads(LESSON.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(c["execution_count"] is not None for c in code)
    outputs = [o for c in code for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"]
    source = "\n".join("".join(c["source"]) for c in code)
    assert "import torch" not in source
    text = "\n".join("".join(o.get("text", "")) for o in outputs)
    assert re.search(r"^a\s+4\s+6\s+4\s+4$", text, re.M)       # b = a + a; c = b + b
    assert re.search(r"^x\s+39\s+60\s+2$", text, re.M)          # u = x y; L = u (u + 1)
    assert "after a second backward():  dc/da = 8.0" in text
    for figure in [o for o in outputs if "image/png" in o.get("data", {})]:
        assert "".join(figure["data"]["text/plain"]).startswith("<Figure size ")
