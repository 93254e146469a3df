"""One activation registry (issue 13): ``labkit.core.layers.ACTIVATIONS`` is the only table of
activation names and classes; the lessons, the figures, the widgets and the PyTorch bridge read
theirs from it."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("ipywidgets")

import labkit  # noqa: E402
from labkit.core.layers import ACTIVATIONS  # noqa: E402
from labkit.lessons.backprop import compute as backprop  # noqa: E402
from labkit.lessons.forward_pass import compute as forward_pass  # noqa: E402
from labkit.lessons.vanishing_exploding import compute as vanishing  # noqa: E402
from labkit.plot import activations as plot_activations  # noqa: E402

PACKAGE = Path(labkit.__file__).resolve().parent
CLASSES = {cls.__name__ for cls in ACTIVATIONS.values()}


def activation_tables(path: Path) -> list[int]:
    """Lines of dict literals in ``path`` that pair two or more activations with something:
    {"relu": ReLU, ...}, {ReLU: "relu", ...} or {ReLU: ("relu", ...), ...}."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Dict):
            continue
        hits = 0
        for key, value in zip(node.keys, node.values):
            by_name = isinstance(key, ast.Constant) and key.value in ACTIVATIONS and (
                isinstance(value, (ast.Name, ast.Attribute)) and
                getattr(value, "id", getattr(value, "attr", None)) in CLASSES)
            by_class = isinstance(key, (ast.Name, ast.Attribute)) and \
                getattr(key, "id", getattr(key, "attr", None)) in CLASSES
            hits += by_name or by_class
        if hits >= 2:
            lines.append(node.lineno)
    return lines


def test_the_table_finder_finds_tables():
    src = PACKAGE / "core" / "layers.py"
    assert activation_tables(src), "the registry itself is such a table"


def test_no_module_but_the_core_layers_holds_a_table_of_activations():
    found = {str(p.relative_to(PACKAGE)): activation_tables(p) for p in PACKAGE.rglob("*.py")}
    assert {p: lines for p, lines in found.items() if lines} == {"core/layers.py": found[
        "core/layers.py"]}


def test_the_helpers_know_exactly_the_registrys_activations():
    assert plot_activations.ACTIVATIONS is ACTIVATIONS
    assert set(vanishing.ACTIVATION_NAMES) == set(ACTIVATIONS)
    assert forward_pass.ACTIVATION_NAMES == {cls: name for name, cls in ACTIVATIONS.items()}
    for name, cls in ACTIVATIONS.items():
        assert type(vanishing.make_activation(name)) is cls
        assert forward_pass.activation_name(cls()) == name
        assert backprop._describe(cls())[0] == name
        assert type(backprop.random_example(activation=name).net[1]) is cls
