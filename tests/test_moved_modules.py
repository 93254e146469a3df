"""The one-lesson modules that left labkit.core, labkit.plot and labkit.widgets (issue 13): every
name the old module had still imports from the old path for one release, is the very object of
its new home, and warns with a DeprecationWarning that names that home. The layering side of the
shims (that they are all a shim does) is in test_architecture.py."""
from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from moves import MOVED_UP

import labkit

# old module -> {name it had: the module it lives in now}; the names are those of the modules
# as they were in labkit.core (read from their source before the move)
LESSON = "labkit.lessons."
MOVED = {
    "labkit.core.forward": dict.fromkeys(
        ["ACTIVATION_NAMES", "LayerTrace", "activation_name", "forward_trace", "set_linear"],
        LESSON + "forward_pass.compute"),
    "labkit.core.loss_curves": dict.fromkeys(
        ["cross_entropy_vs_p", "mse_vs_p", "softmax_backward", "ClassifierLosses",
         "classify_logits"], LESSON + "loss.compute"),
    "labkit.core.surfaces": dict.fromkeys(
        ["Surface", "Quadratic", "Rosenbrock", "Polynomial1D", "SURFACES", "get_surface",
         "Trajectory", "OptimizerFactory", "Descent", "descend", "RunVerdict", "describe_run"],
        LESSON + "gradient_descent.compute"),
    "labkit.core.backprop_trace": dict.fromkeys(
        ["KINDS", "fmt", "LayerRecord", "BackpropStep", "BackpropTrace", "trace_backward",
         "Example", "WORKED_W1", "worked_example", "random_example"],
        LESSON + "backprop.compute"),
    "labkit.core.naive_autograd": dict.fromkeys(
        ["node_name", "NaiveBackward", "TooManyCalls", "naive_backward", "count_paths",
         "BackwardStep", "backward_steps"], LESSON + "computational_graphs.compute"),
    "labkit.core.gradcheck_study": dict.fromkeys(
        ["LinearDbNotSummed", "LinearTransposedDW", "TanhWrongDerivative", "BUGS",
         "make_study_net", "study_data", "format_report", "EpsilonSweep", "analytic_gradients",
         "epsilon_sweep", "CountingNet", "PassCount", "count_passes", "cost_net", "CostPoint",
         "measure_cost"], LESSON + "gradient_checking.compute"),
    "labkit.core.deep_nets": {
        **dict.fromkeys(["ACTIVATION_NAMES", "make_activation", "deep_mlp", "MLPSettings"],
                        LESSON + "vanishing_exploding.compute"),
        **dict.fromkeys(["linear_layers", "GradientProfile", "gradient_profile",
                         "vanishing_ratio"], "labkit.diagnostics")},
    "labkit.core.data": dict.fromkeys(
        ["make_moons", "make_circles", "make_spirals", "make_xor", "make_regression_1d",
         "load_digits", "train_test_split"], "labkit.datasets"),
}


def defined_names(module: str) -> list[str]:
    """The public names a module's source defines at its top level (the moves changed only the
    import lines of these modules, so these are the names the old module defined)."""
    path = Path(labkit.__file__).parent.parent.joinpath(*module.split(".")).with_suffix(".py")
    names = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return [name for name in names if not name.startswith("_")]


MOVED.update({old: dict.fromkeys(defined_names(new), new) for old, new in MOVED_UP.items()})
CASES = [(old, name, new) for old, names in MOVED.items() for name, new in names.items()]


def test_every_moved_module_has_names_to_forward():
    assert all(MOVED[old] for old in MOVED_UP)
    assert {"draw_backprop_step", "BackpropDiagram"} <= set(MOVED["labkit.plot.backprop"])
    assert set(MOVED["labkit.widgets.catalog"]) == {"CATALOG", "lesson10_classifier"}


# the shortcuts lk.plot.* and lk.widgets.* of moved helpers go through their old module's shim
SHORTCUTS = [("labkit.plot", name, "labkit.plot.gradcheck") for name in
             ("plot_cost", "plot_epsilon_sweep", "plot_relative_errors")] + [
    ("labkit.plot", name, "labkit.plot.graph") for name in ("draw_graph", "graph_axes")] + [
    ("labkit.plot", name, "labkit.plot.optimizers") for name in
    ("plot_paths", "plot_race", "plot_schedules")] + [
    ("labkit.widgets", "graph_lab", "labkit.widgets.graph"),
    ("labkit.widgets", "gradcheck_lab", "labkit.widgets.gradcheck"),
    ("labkit.widgets", "optimizers_lab", "labkit.widgets.optimizers")]


@pytest.mark.parametrize("package,name,old", SHORTCUTS, ids=[f"{p}.{n}" for p, n, _ in SHORTCUTS])
def test_an_old_package_shortcut_is_the_new_object_and_warns_at_the_asking_line(package, name,
                                                                               old):
    new = MOVED_UP[old]
    with pytest.warns(DeprecationWarning) as caught:
        value = getattr(importlib.import_module(package), name)
    assert value is getattr(importlib.import_module(new), name)
    assert len(caught) == 1 and f"from {new} import {name}" in str(caught[0].message)
    assert caught[0].filename == __file__


def test_lesson_00s_neuron_lab_and_the_catalog_import_without_a_cycle_or_a_warning():
    """lk.widgets keeps the welcome lesson's neuron_lab (no warning); the catalog and every
    lesson package import in a fresh process, in either order, with warnings as errors."""
    code = ("import warnings\nwarnings.simplefilter('error')\nimport labkit as lk\n"
            "lk.widgets.neuron_lab\nimport labkit.lessons.optimizers\n"
            "from labkit.lessons.catalog import CATALOG\nprint(len(CATALOG))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout.strip() == "11"


@pytest.mark.parametrize("old,name,new", CASES, ids=[f"{o}.{n}" for o, n, _ in CASES])
def test_an_old_name_is_the_new_object_and_warns(old, name, new):
    shim = importlib.import_module(old)
    with pytest.warns(DeprecationWarning) as caught:
        value = getattr(shim, name)
    assert value is getattr(importlib.import_module(new), name)
    message = str(caught[0].message)
    assert f"from {new} import {name}" in message and old in message
    assert caught[0].filename == __file__      # the warning points at the line that imports


def test_from_import_of_an_old_path_warns_at_the_importing_line():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from labkit.core.surfaces import get_surface  # noqa: F401
    assert [w.category for w in caught] == [DeprecationWarning]
    assert caught[0].filename == __file__


def test_an_unknown_name_on_an_old_path_is_an_attribute_error_naming_the_new_home():
    shim = importlib.import_module("labkit.core.surfaces")
    with pytest.raises(AttributeError, match="moved to labkit.lessons.gradient_descent"):
        shim.no_such_name  # noqa: B018
    with pytest.raises(AttributeError):
        shim.__path__  # noqa: B018   the import system's probe is not forwarded (nor warned)


def test_importing_an_old_path_alone_loads_nothing_above_core():
    """The shim imports its new home on first use, not when it is imported."""
    code = ("import sys, warnings\nwarnings.simplefilter('error')\n"
            "import labkit.core.surfaces, labkit.core.deep_nets, labkit.plot.backprop\n"
            "import labkit.widgets.catalog, labkit.widgets.graph\n"
            "print(sorted(m for m in sys.modules if m.startswith(('labkit.lessons', "
            "'labkit.diagnostics'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.strip() == "[]"


def test_a_learner_does_not_see_the_warning_from_labkits_own_modules(tmp_path):
    """Python shows a DeprecationWarning by default only where __main__ triggers it: a library
    module (a widget) still importing an old path stays quiet in a notebook; a notebook cell
    that imports one warns."""
    (tmp_path / "library_module.py").write_text("from labkit.core.surfaces import descend\n")
    code = ("import library_module\nprint('quiet')\n"
            "from labkit.core.surfaces import get_surface\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True, cwd=tmp_path)
    assert out.stdout.strip() == "quiet"
    assert out.stderr.count("DeprecationWarning") == 1
    assert "from labkit.lessons.gradient_descent.compute import get_surface" in out.stderr


def test_the_worked_example_old_name_warns_and_gives_the_same_function():
    from labkit.lessons.backprop import compute
    with pytest.warns(DeprecationWarning, match="worked_example"):
        old = compute.seed001_example
    assert old is compute.worked_example
