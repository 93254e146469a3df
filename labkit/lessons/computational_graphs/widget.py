"""Lesson 05's widget: a small expression, its computational graph, and the backward pass
walked one node at a time in topological order."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ipywidgets as W

from ...core.i18n import _
from ...core.value import Value
from ...widgets.base import Lab, show_if
from .compute import backward_steps, naive_backward, node_name
from .figures import draw_graph


def _leaf(x: float, name: str) -> Value:
    return Value(x, label=name)


def _name(v: Value, label: str) -> Value:
    v.label = label
    return v


def _doubling(ins: Sequence[float]) -> Value:
    a = _leaf(ins[0], "a")
    b = _name(a + a, "b")
    return _name(b + b, "c")


def _shared_product(ins: Sequence[float]) -> Value:
    x, y = _leaf(ins[0], "x"), _leaf(ins[1], "y")
    u = _name(x * y, "u")
    v = _name(u + 1.0, "v")
    return _name(u * v, "L")


def _neuron(ins: Sequence[float]) -> Value:
    x1, x2 = _leaf(2.0, "x1"), _leaf(-1.0, "x2")
    w1, w2, b = _leaf(ins[0], "w1"), _leaf(ins[1], "w2"), _leaf(ins[2], "b")
    s = _name(_name(x1 * w1, "x1w1") + _name(x2 * w2, "x2w2"), "s")
    z = _name(s + b, "z")
    return _name(z.tanh(), "o")


def _shared_input(ins: Sequence[float]) -> Value:
    a, b = _leaf(ins[0], "a"), _leaf(ins[1], "b")
    c = _name(a + b, "c")
    d = _name(b + 1.0, "d")
    return _name(c * d, "e")


@dataclass(frozen=True)
class GraphExpression:
    """An expression for the widget: the names of its inputs (the sliders) and a builder."""

    name: str
    inputs: tuple[str, ...]
    build: Callable[[Sequence[float]], Value]
    defaults: tuple[float, ...]


EXPRESSIONS: dict[str, GraphExpression] = {e.name: e for e in [
    GraphExpression("b = a + a; c = b + b", ("a",), _doubling, (1.0,)),
    GraphExpression("u = x*y; L = u*(u + 1)", ("x", "y"), _shared_product, (2.0, 3.0)),
    GraphExpression("o = tanh(w1*x1 + w2*x2 + b), x1 = 2, x2 = -1", ("w1", "w2", "b"),
                    _neuron, (-0.5, 1.0, 0.5)),
    GraphExpression("e = (a + b)*(b + 1)", ("a", "b"), _shared_input, (2.0, 1.0)),
]}
N_INPUTS = max(len(e.inputs) for e in EXPRESSIONS.values())
# the most nodes of any expression: one backward step per node
MAX_STEPS = max(len(e.build(e.defaults).topological_order()) for e in EXPRESSIONS.values())


def build_expression(name: str, inputs: Sequence[float]) -> Value:
    """The output Value of expression ``name`` (a key of EXPRESSIONS) at these inputs."""
    if name not in EXPRESSIONS:
        raise KeyError(f"no expression {name!r}; choose one of {list(EXPRESSIONS)}")
    return EXPRESSIONS[name].build(list(inputs))


def _naive_verdict(root: Value, right: dict[Value, float]) -> str:
    naive = naive_backward(root)
    wrong = [v for v in right if abs(naive.grad(v) - right[v]) > 1e-9 * max(1.0, abs(right[v]))]
    if not wrong:
        return _("The naive recursion (naive_backward: pass each gradient on as soon as it "
                 "arrives) happens to be right on this graph: no computed value is used twice.")
    parts = [_("{name} {naive:.4g} (not {right:.4g})").format(
        name=node_name(v), naive=naive.grad(v), right=right[v])
        for v in sorted(wrong, key=node_name)]
    return _("The naive recursion (naive_backward) would get {values}: a shared value passes "
             "its gradient on once per path.").format(values=", ".join(parts))


def _setup(fig) -> None:
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.9))
    # no ticks at all (the axis is off anyway): a titled Axes measures its tick labels on
    # every draw, to place the title above them
    ax.set_xticks([])
    ax.set_yticks([])


def _emptied(ax):
    """The Axes without the last drawing (the graph's shape changes with the expression, so
    its boxes and arrows are drawn anew; emptying is faster than a new Axes)."""
    for artist in [*ax.texts, *ax.patches, *ax.lines]:
        artist.remove()
    return ax


def graph_lab(expression: str = "u = x*y; L = u*(u + 1)", inputs: Sequence[float] | None = None,
              step: int = 0) -> Lab:
    """Pick an expression and its inputs; the graph shows data and gradients. The ``step``
    slider walks the backward pass: step 0 is the graph before ``backward()`` (every grad 0);
    step k is the k-th node in reverse topological order passing its final gradient to its
    inputs (orange: that node; yellow: the inputs receiving; green: gradients that are
    final); past the last node the backward pass is complete."""
    if expression not in EXPRESSIONS:
        raise KeyError(f"graph_lab: no expression {expression!r}; choose one of "
                       f"{list(EXPRESSIONS)}")
    start = list(inputs) if inputs is not None else list(EXPRESSIONS[expression].defaults)
    start += [1.0] * (N_INPUTS - len(start))
    controls = {
        "expression": W.Dropdown(options=list(EXPRESSIONS), value=expression,
                                 description=_("expression"),
                                 layout=W.Layout(width="420px"),
                                 style={"description_width": "initial"}),
        "step": W.IntSlider(value=0, min=0, max=MAX_STEPS + 1,
                            description=_("backward step")),
    }
    for i in range(N_INPUTS):
        controls[f"in{i + 1}"] = W.FloatSlider(value=start[i], min=-3.0, max=3.0, step=0.1,
                                               description=_("input {i}").format(i=i + 1))

    def fit_controls(name: str) -> None:
        """The controls of expression ``name``: one step per node and one past the last
        (the backward pass complete), and its inputs' names on the sliders it uses."""
        expr = EXPRESSIONS[name]
        controls["step"].max = len(expr.build(expr.defaults).topological_order()) + 1
        for i in range(N_INPUTS):
            control = controls[f"in{i + 1}"]
            used = i < len(expr.inputs)
            control.description = expr.inputs[i] if used else _("(unused)")
            show_if(control, used)

    def follow(lab: Lab, control) -> None:
        if control is controls["expression"]:
            fit_controls(control.value)

    fit_controls(expression)
    controls["step"].value = min(step, controls["step"].max)

    def draw(fig, v):
        expr = EXPRESSIONS[v["expression"]]
        root = expr.build([v[f"in{i + 1}"] for i in range(len(expr.inputs))])
        steps = backward_steps(root)
        n, k = len(steps), v["step"]
        ax = _emptied(fig.axes[0])
        if k == 0:
            draw_graph(root, ax, grads={}, show_order=True,
                       title=_("{expression}: before backward()").format(expression=expr.name))
            return _("Step 0 of {n}: before backward() every grad is 0. Move 'backward step' to "
                     "let the nodes pass their gradients on, #{last} first.").format(
                         n=n, last=n - 1)
        if k <= n:
            s = steps[k - 1]
            draw_graph(root, ax, grads=s.grads, highlight=s.node, done=s.done[:-1],
                       show_order=True, title=_("{expression}: backward step {k} of {n}").format(
                           expression=expr.name, k=k, n=n))
            ax.text(0.5, 0.0, _("orange: passes its gradient on now    yellow: its inputs, "
                                "receiving    green: has passed its gradient on"),
                    transform=ax.transAxes, ha="center", va="bottom", fontsize=8, color="0.35")
            if k == 1:
                return _("Step {k} of {n}: root.grad = 1 (the seed). {step}.").format(
                    k=k, n=n, step=s.describe())
            return _("Step {k} of {n}: {step}.").format(k=k, n=n, step=s.describe())
        final = steps[-1].grads
        draw_graph(root, ax, grads=final, done=steps[-1].done, show_order=True,
                   title=_("{expression}: after backward()").format(expression=expr.name))
        leaves = {x.label: x for x in root.topological_order() if not x.parents}
        grads = ", ".join(f"d{node_name(root)}/d{name} = {final[leaves[name]]:.4g}"
                          for name in expr.inputs)
        return _("Backward complete after {n} steps: {grads}. {verdict}").format(
            n=n, grads=grads, verdict=_naive_verdict(root, final))

    return Lab(_("computational graph: the backward pass step by step"), controls, draw,
               figsize=(9.6, 4.6), setup=_setup, columns=2, follow=follow)
