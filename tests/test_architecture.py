"""The layering of labkit (ARCHITECTURE.md, "The layers of labkit"), read from the source with
``ast``:

    core (numpy only; nn and optim are its torch-shaped namespaces) <- diagnostics, bridge
        <- plot <- widgets <- lessons (one module per lesson) <- course tooling

arrows one way: a lower layer never imports a higher one, and ``import labkit`` needs numpy
alone (matplotlib and ipywidgets are imported by the modules that draw, when they draw)."""
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

PACKAGE = Path(labkit.__file__).resolve().parent
STDLIB = set(sys.stdlib_module_names)
# low to high; diagnostics and bridge (the PyTorch comparison) are siblings just above core
# nn and optim re-export core under torch's names, so they rank with it (numpy only too), and
# so do the data sets
RANK = {"core": 0, "nn": 0, "optim": 0, "datasets": 0, "diagnostics": 1, "bridge": 1, "plot": 2,
        "widgets": 3, "lessons": 4, "course": 5}
CORE = {name for name, rank in RANK.items() if rank == 0}
LAYERS = list(RANK)
# The only allowed upward imports: a module that moved up a layer leaves a deprecation shim at
# its old path for one release (ARCHITECTURE.md), whose one piece of code is a module
# __getattr__ importing the new home lazily and warning (labkit/core/_moved.py). Each entry is
# checked below to be such a shim and to name exactly the modules it forwards to.
SHIMS = {
    "labkit.core.forward": {"labkit.lessons.forward_pass.compute"},
    "labkit.core.loss_curves": {"labkit.lessons.loss.compute"},
    "labkit.core.surfaces": {"labkit.lessons.gradient_descent.compute"},
    "labkit.core.backprop_trace": {"labkit.lessons.backprop.compute"},
    "labkit.core.naive_autograd": {"labkit.lessons.computational_graphs.compute"},
    "labkit.core.gradcheck_study": {"labkit.lessons.gradient_checking.compute"},
    "labkit.core.deep_nets": {"labkit.lessons.vanishing_exploding.compute", "labkit.diagnostics"},
    # each lesson's figures and widget joined its package, labkit/lessons/<lesson>/
    **{old: {new} for old, new in MOVED_UP.items()},
}


def module_name(path: Path, package_dir: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, package_dir: Path = PACKAGE) -> set[str]:
    """Absolute names of every module imported anywhere in the file (also inside functions),
    relative imports resolved against the file's package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    mod = module_name(path, package_dir)
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                if node.level > 1:
                    base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base)
                target = f"{prefix}.{node.module}" if node.module else prefix
                names.add(target)
                # from . import x / from .m import x: x may itself be a module
                names.update(f"{target}.{alias.name}" for alias in node.names)
            else:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and _is_dynamic_import(node):
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names.add(arg.value)
    return names


def _is_dynamic_import(node: ast.Call) -> bool:
    f = node.func
    return (isinstance(f, ast.Attribute) and f.attr == "import_module") or (
        isinstance(f, ast.Name) and f.id in {"import_module", "__import__"})


def layer_of(name: str) -> str | None:
    """'core', 'plot', ... for a labkit module name; None outside the layered sub-packages."""
    parts = name.split(".")
    if parts[0] != "labkit" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else None


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_the_package_has_sources():
    names = {module_name(p) for p in SOURCES}
    assert {"labkit", "labkit.core", "labkit.core.layers", "labkit.core.value"} <= names


@pytest.mark.parametrize("path", [p for p in SOURCES if layer_of(module_name(p)) in CORE],
                         ids=lambda p: module_name(p))
def test_core_imports_only_numpy_stdlib_and_core(path):
    bad = []
    for name in imports_of(path) - SHIMS.get(module_name(path), set()):
        top = name.split(".")[0]
        if top == "labkit":
            if layer_of(name) not in CORE:
                bad.append(name)
        elif top not in STDLIB and top != "numpy" and top != "__future__":
            bad.append(name)
    assert not bad, f"{module_name(path)} imports {sorted(bad)}: core is numpy + stdlib only"


@pytest.mark.parametrize("path", [p for p in SOURCES if layer_of(module_name(p)) not in
                                  (None, *CORE)], ids=lambda p: module_name(p))
def test_layers_never_import_a_higher_layer(path):
    own = layer_of(module_name(path))
    higher = {name for name in imports_of(path) - SHIMS.get(module_name(path), set())
              if layer_of(name) not in (None, own) and RANK[layer_of(name)] >= RANK[own]}
    assert not higher, f"{module_name(path)} imports the higher layer(s) {sorted(higher)}"


@pytest.mark.parametrize("shim", sorted(SHIMS))
def test_the_allowed_upward_imports_are_deprecation_shims_that_warn(shim):
    """A shim is a docstring, its two imports, constant names and a __getattr__ forwarding to
    exactly its listed modules, each name with a DeprecationWarning."""
    path = PACKAGE.parent.joinpath(*shim.split(".")).with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    body = [node for node in tree.body if not (isinstance(node, ast.Expr) and isinstance(
        node.value, ast.Constant))]
    kinds = sorted(type(node).__name__ for node in body if not isinstance(node, ast.Assign))
    assert kinds == ["FunctionDef", "Import", "ImportFrom"], kinds
    assert [node.name for node in body if isinstance(node, ast.FunctionDef)] == ["__getattr__"]
    assert all(isinstance(node.value, (ast.Constant, ast.Tuple)) for node in body
               if isinstance(node, ast.Assign))
    assert {n for n in imports_of(path) if n.startswith("labkit.")
            and layer_of(n) not in CORE} == SHIMS[shim]
    module = importlib.import_module(shim)
    for target in SHIMS[shim]:   # each target is reached, and every name through it warns
        new = importlib.import_module(target)
        names = [n for n in sorted(vars(new)) if not n.startswith("_")
                 and _forwarded(module, n) is getattr(new, n)]
        assert names, f"{shim} forwards nothing to {target}"
        with pytest.warns(DeprecationWarning, match=f"from {target} import {names[0]}"):
            assert getattr(module, names[0]) is getattr(new, names[0])


def _forwarded(shim, name: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return getattr(shim, name, None)


def test_core_never_imports_drawing_libraries():
    for path in SOURCES:
        if layer_of(module_name(path)) not in CORE:
            continue
        tops = {name.split(".")[0] for name in imports_of(path)}
        assert not tops & {"matplotlib", "ipywidgets", "IPython", "tqdm", "torch"}, \
            module_name(path)


def test_import_checker_sees_relative_and_lazy_imports(tmp_path):
    """The checker itself: a relative import of a higher layer, and one inside a function,
    are both found."""
    pkg = tmp_path / "labkit"
    (pkg / "core").mkdir(parents=True)
    src = pkg / "core" / "bad.py"
    src.write_text("from ..plot import figures\n"
                   "def f():\n    import matplotlib.pyplot as plt\n"
                   "    import importlib; importlib.import_module('labkit.widgets')\n")
    found = imports_of(src, package_dir=pkg)
    assert {"labkit.plot", "labkit.plot.figures", "matplotlib.pyplot",
            "labkit.widgets"} <= found


def test_top_level_labkit_imports_only_core_eagerly():
    """labkit/__init__.py may name the higher layers, but only through its lazy __getattr__."""
    init = PACKAGE / "__init__.py"
    tree = ast.parse(init.read_text(encoding="utf-8"))
    eager = set()
    for node in tree.body:                      # module-level statements only
        if isinstance(node, ast.ImportFrom) and node.level:
            eager.add(node.module or "")
        elif isinstance(node, ast.Import):
            eager.update(a.name for a in node.names)
    assert {m.split(".")[0] for m in eager if m} <= CORE | STDLIB


def heavy_modules_after(code: str, heavy: tuple[str, ...]) -> str:
    """The modules of ``heavy`` loaded once ``code`` has run in a fresh interpreter."""
    report = f"import sys\nprint(','.join(m for m in {heavy!r} if m in sys.modules))\n"
    out = subprocess.run([sys.executable, "-c", code + "\n" + report], capture_output=True,
                         text=True, timeout=60, check=True)
    return out.stdout.strip()


def test_import_labkit_does_not_import_matplotlib_or_ipywidgets():
    code = ("import labkit\n"
            "net = labkit.Sequential(labkit.Linear(2, 2, rng=0), labkit.Tanh())")
    heavy = heavy_modules_after(code, ("matplotlib", "ipywidgets", "IPython", "torch", "tqdm"))
    assert heavy == "", f"import labkit pulled in {heavy}"


# an exercise notebook's first import: the course's problems import some lessons' compute.py,
# which must not run the drawing half of the lesson (labkit/lessons/_lazy.py)
COURSE_IMPORTS = ["import labkit.course", "from labkit.course import check",
                  *(f"import labkit.lessons.{p.parent.name}.compute"
                    for p in sorted(PACKAGE.glob("lessons/*/compute.py")))]


@pytest.mark.parametrize("code", COURSE_IMPORTS)
def test_the_course_and_a_lessons_numbers_import_no_matplotlib_or_ipywidgets(code):
    heavy = heavy_modules_after(code, ("matplotlib", "ipywidgets"))
    assert heavy == "", f"{code} pulled in {heavy}"


def test_the_learners_check_imports_no_ipython_outside_jupyter():
    """check() installs its one-line NameError in a running IPython only (tested in
    test_problems.py); plain Python, as the grader's probes, never pays for importing it."""
    heavy = heavy_modules_after("from labkit.course import check", ("IPython",))
    assert heavy == "", f"from labkit.course import check pulled in {heavy}"


LESSON_PACKAGES = sorted(f"labkit.lessons.{p.parent.name}"
                         for p in PACKAGE.glob("lessons/*/__init__.py"))


def test_every_lesson_package_is_an_attribute_of_lk_lessons_loaded_on_first_use():
    import labkit as lk

    assert sorted(f"labkit.lessons.{name}" for name in lk.lessons.LESSONS) == LESSON_PACKAGES
    for package in LESSON_PACKAGES:
        name = package.rsplit(".", 1)[1]
        assert getattr(lk.lessons, name) is importlib.import_module(package)
        assert name in dir(lk.lessons)
    with pytest.raises(AttributeError, match="no attribute 'backprob'"):
        _ = lk.lessons.backprob
    heavy = heavy_modules_after("import labkit\nlabkit.lessons.backprop", ("matplotlib",))
    assert heavy == "", f"lk.lessons.backprop pulled in {heavy}"


@pytest.mark.parametrize("package", LESSON_PACKAGES)
def test_a_lesson_packages_names_are_its_modules_objects(package):
    """Every name of a lesson package's __all__ (imported on first use) is the very object of
    the lesson module that holds it, and dir() lists it."""
    pkg = importlib.import_module(package)
    modules = [importlib.import_module(f"{package}.{p.stem}") for p in
               sorted(Path(pkg.__file__).parent.glob("*.py")) if p.stem != "__init__"]
    assert len(pkg.__all__) >= 2
    for name in pkg.__all__:
        homes = [m for m in modules if name in vars(m)]
        assert homes, f"{package}.{name} is in no module of the lesson"
        assert getattr(pkg, name) is getattr(homes[0], name), f"{package}.{name}"
    assert set(pkg.__all__) <= set(dir(pkg))


def test_code_docs_and_tests_point_to_pages_the_repository_has():
    # the design card lives outside the repository: readers are sent to ARCHITECTURE.md
    repo = PACKAGE.parent
    files = [p for pattern in ("*.py", "*.md", "*.sh", "*.yaml", "*.toml")
             for p in repo.rglob(pattern)
             if not {".venv", "my-work", ".git"} & set(p.relative_to(repo).parts)]
    assert len(files) > 100
    citing = sorted(str(p.relative_to(repo)) for p in files if "DESIGN.md" in p.read_text(
        encoding="utf-8", errors="replace") and p.name != "test_architecture.py")
    assert citing == [], f"these files cite DESIGN.md, which is not in the repository: {citing}"
    assert (repo / "ARCHITECTURE.md").is_file()
