"""exercises/ generated from solutions/: the single source is the instructor's notebook.

Solution regions become ``raise NotImplementedError()`` stubs, hidden tests disappear, outputs
and execution counts are cleared; cell ids and nbgrader metadata stay, so a submission's cells
can be matched with the instructor's by grade_id. Cells are locked as nbgrader's own
``generate_assignment`` locks them (its ``LockCells``): no nbgrader cell can be deleted, and
check cells and read-only cells cannot be edited.

The builder never overwrites a notebook that holds a learner's work (answers typed into a
solution cell, outputs, execution counts, cells of their own): it refuses, names the file and
says what to do, unless ``force`` is given.

One formula, once. The formulas learners write (``linear_backward``, ``adam_step``, ...) are
functions of labkit's core that its classes call, and the grader's reference for each is that
function itself (Problem.formula). The instructor's solution of such a part must not become a
second version: the builder checks that every function a solution cell defines under a
formula's name (or a helper the formula calls, like ``log_softmax``) IS the library's
function: the same signature, the same docstring (so the learner's stub states the library's
formula in the lessons' notation) and the same code, compared as Python syntax trees
(comments, such as the solution markers, and layout aside). A solution that differs stops
the build and ``--check`` with a diff (``SolutionDrift``); the builder never edits solutions/,
the instructor changes one side deliberately. Why checked rather than generated: in
nbgrader's model the source notebook holds the solution text itself (nbgrader, its
autograder and a teaching assistant read it there), and a generator writing into solutions/
would overwrite the instructor's single source; the check keeps that file the instructor's
and still makes a divergent copy impossible to ship.
"""
from __future__ import annotations

import ast
import copy
import difflib
import inspect
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import nbformat

from .markers import (
    grade_id,
    is_graded,
    is_solution,
    nbgrader,
    problems_of,
    strip_hidden_tests,
    strip_solution,
)
from .problems import FORMULAS, get_problem
from .workspace import WORKSPACE


class LearnerWorkError(RuntimeError):
    """Raised instead of overwriting exercise notebooks that hold a learner's work."""

    def __init__(self, work: dict[Path, list[str]]):
        self.work = work
        super().__init__("not overwriting exercise notebook(s) that hold a learner's work; "
                         "nothing was written.\n" + describe_work(work))


def describe_work(work: dict[Path, list[str]], force_hint: bool = True) -> str:
    """Which notebooks hold a learner's work, what work, and how to keep it (commands that
    lose nothing; with ``force_hint``, also how to throw the work away)."""
    lines = [f"{path} holds a learner's work: {', '.join(reasons)}"
             for path, reasons in work.items()]
    lines.append(f"Keep it in your own folder, {WORKSPACE}/, before regenerating:")
    lines += [f"  mv -n {path} {WORKSPACE}/{path.stem}-saved{path.suffix}" for path in work]
    lines.append("then run: labkit exercises build" + (
        " (or, to throw that work away instead, labkit exercises build --force)"
        if force_hint else ""))
    return "\n".join(lines)


def lock_cell(cell: nbformat.NotebookNode) -> None:
    """The cell metadata nbgrader's LockCells writes (its defaults): solution cells cannot be
    deleted; grade cells and other locked cells can be neither deleted nor edited."""
    meta = nbgrader(cell)
    solution, grade, locked = (bool(meta.get(k)) for k in ("solution", "grade", "locked"))
    if solution:
        cell.metadata["deletable"] = False
    elif grade or locked:
        cell.metadata["deletable"] = False
        cell.metadata["editable"] = False


def exercise_from_solution(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = copy.deepcopy(solution)
    for cell in nb.cells:
        lock_cell(cell)
        if cell.cell_type != "code":
            continue
        if is_solution(cell):
            cell.source = strip_solution(cell.source)
        if is_graded(cell):
            cell.source = strip_hidden_tests(cell.source)
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def learner_work(current: nbformat.NotebookNode, generated: nbformat.NotebookNode) -> list[str]:
    """What in ``current`` (an exercise notebook on disk) the builder would destroy by writing
    ``generated`` over it: solution cells that differ from the generated stub, outputs,
    execution counts, and cells the generated notebook does not have. [] when none."""
    expected = {cell.get("id"): cell for cell in generated.cells}
    edited, ran, added = [], 0, 0
    for cell in current.cells:
        if cell.get("outputs") or cell.get("execution_count") is not None:
            ran += 1
        twin = expected.get(cell.get("id"))
        if twin is None:
            added += 1
        elif is_solution(twin) and cell.get("source") != twin.source:
            edited.append(nbgrader(twin).get("grade_id") or twin.get("id"))
    reasons = [f"solution cell '{name}' differs from the stub" for name in edited]
    if ran:
        reasons.append(f"{ran} cell(s) with outputs or execution counts")
    if added:
        reasons.append(f"{added} cell(s) not in the exercise")
    return reasons


def _read(path: Path) -> nbformat.NotebookNode | None:
    try:
        return nbformat.read(path, as_version=4)
    except Exception:  # not a notebook nbformat can read: nothing of it can be compared
        return None


class SolutionDrift(ValueError):
    """Raised instead of building when a solution is not the library function it names."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("nothing was written: a solution must be labkit's own function, "
                         "signature, docstring and code (the grader compares with the library; "
                         "the builder never edits solutions/):\n" + "\n".join(problems))


def library_function(name: str) -> Callable | None:
    """labkit's function of that name among the exercises' formulas and the helpers they call
    from their own module (``cross_entropy`` calls ``log_softmax``); None otherwise."""
    if name in FORMULAS:
        return FORMULAS[name].formula
    for problem in FORMULAS.values():
        module = sys.modules[problem.formula.__module__]
        helper = getattr(module, name, None)
        if (name in problem.formula.__code__.co_names and inspect.isfunction(helper)
                and helper.__module__ == module.__name__):
            return helper
    return None


def _function_tree(fn: Callable) -> ast.FunctionDef:
    return ast.parse(textwrap.dedent(inspect.getsource(fn))).body[0]


def _parts(node: ast.FunctionDef) -> dict[str, str]:
    """What must agree: the signature, the docstring and the code (syntax trees: comments and
    layout do not count)."""
    doc = ast.get_docstring(node)
    body = node.body[1:] if doc is not None else node.body
    return {"signature": ast.dump(ast.Tuple([ast.Constant(node.name), node.args,
                                             node.returns or ast.Constant(None),
                                             *node.decorator_list])),
            "docstring": doc or "",
            "code": ast.dump(ast.Module(body, []))}


def _top_level(source: str) -> list[ast.stmt]:
    try:
        return ast.parse(source).body
    except SyntaxError:  # reported where the cell is checked
        return []


def _without_docstring(node: ast.FunctionDef) -> ast.FunctionDef:
    node = copy.deepcopy(node)
    if ast.get_docstring(node) is not None:
        node.body = node.body[1:] or [ast.Pass()]
    return node


def _top_names(nb: nbformat.NotebookNode) -> tuple[set[str], dict[str, object]]:
    """The names the notebook's code cells import (``np`` from ``import numpy as np``) and the
    constants they assign (``REL_ERROR_FLOOR = 1e-08``: name -> value)."""
    imported: set[str] = set()
    constants: dict[str, object] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in _top_level(cell.source):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imported |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif (isinstance(node, ast.Assign) and len(node.targets) == 1
                  and isinstance(node.targets[0], ast.Name)):
                try:
                    constants[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    continue
    return imported, constants


def _free_names(node: ast.FunctionDef) -> set[str]:
    """The names a function reads but neither takes nor assigns (its globals and builtins)."""
    local = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
    local |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
              and isinstance(n.ctx, (ast.Store, ast.Del))}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load)} - local


def _out_of_reach(library: Callable, nb: nbformat.NotebookNode, defined: set[str]) -> list[str]:
    """The globals the library function uses that the exercise does not have as labkit has
    them: labkit's own objects (out of reach while a part is graded) other than the formulas
    the exercise also asks for, constants the notebook does not set to labkit's value, and
    anything else it does not import."""
    imported, constants = _top_names(nb)
    problems = []
    for name in sorted(_free_names(_function_tree(library))):
        if name in defined or name not in library.__globals__:
            continue                   # a formula the exercise asks for too, or a builtin
        value = library.__globals__[name]
        if isinstance(value, (int, float, str, tuple)) and not isinstance(value, bool):
            if constants.get(name, object()) != value:
                problems.append(f"{name}, which the notebook must set to labkit's value "
                                f"({name} = {value!r})")
            continue
        origin = getattr(value, "__module__", None) or getattr(value, "__name__", "")
        if inspect.isfunction(value) and origin == library.__module__:
            problems.append(f"{name}, labkit's own helper of it, which a solution cell must "
                            "define too (as labkit's, like the formula)")
        elif str(origin).startswith("labkit"):
            problems.append(f"{name} ({origin}): labkit is out of reach while the exercise "
                            "is graded; a formula should need only numpy, math and formulas "
                            "the exercise also asks for")
        elif name not in imported:
            problems.append(f"{name}, which the notebook does not import")
    return problems


def drift(nb: nbformat.NotebookNode, label: str = "notebook") -> list[str]:
    """Where the notebook's solutions differ from the library functions they name, in words
    and diffs, what those functions use that the exercise cannot have, and the formulas its
    check cells ask for that no solution cell defines; [] when every solution is the
    library's function."""
    found: list[str] = []
    defined = {node.name for cell in nb.cells if is_solution(cell) and cell.cell_type == "code"
               for node in _top_level(cell.source) if isinstance(node, ast.FunctionDef)}
    for cell in nb.cells:
        if not (is_solution(cell) and cell.cell_type == "code"):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError as exc:
            found.append(f"{label}: solution cell '{grade_id(cell)}' is not valid Python "
                         f"({exc.msg}, line {exc.lineno})")
            continue
        for node in tree.body:
            library = library_function(node.name) if isinstance(node, ast.FunctionDef) else None
            if library is None:
                continue
            where = f"{library.__module__}.{library.__name__}"
            found += [f"{label}: {where} uses {words}"
                      for words in _out_of_reach(library, nb, defined)]
            theirs = _function_tree(library)
            ours, lib = _parts(node), _parts(theirs)
            differ = [k for k in ours if ours[k] != lib[k]]
            if not differ:
                continue
            found.append(f"{label}: {node.name} (solution cell '{grade_id(cell)}') is not "
                         f"{where}: its {' and '.join(differ)} "
                         f"{'differs' if len(differ) == 1 else 'differ'}")
            show = ((ast.unparse(node), ast.unparse(theirs)) if "docstring" in differ else
                    (ast.unparse(_without_docstring(node)),
                     ast.unparse(_without_docstring(theirs))))
            found += ["    " + line.rstrip("\n") for line in difflib.unified_diff(
                show[0].splitlines(), show[1].splitlines(), f"{label} ({node.name})", where,
                lineterm="")]
    asked = {get_problem(p).function for c in nb.cells if is_graded(c) for p in problems_of(c)}
    for name in sorted(asked & set(FORMULAS) - defined):
        found.append(f"{label}: no solution cell defines {name}, the library formula its "
                     "check cell asks for")
    return found


def verify(solutions: Path) -> None:
    """Raises SolutionDrift when a solution in ``solutions`` is not the library's function."""
    problems = []
    for path in sorted(Path(solutions).glob("*.ipynb")):
        problems += drift(nbformat.read(path, as_version=4), str(path))
    if problems:
        raise SolutionDrift(problems)


def plan(solutions: Path, exercises: Path) -> tuple[dict[Path, str], dict[Path, list[str]]]:
    """What a build would write (target -> text, for every exercise that is missing or
    differs) and which of those targets hold a learner's work (target -> reasons)."""
    if not solutions.is_dir():
        raise FileNotFoundError(f"no solutions folder at {solutions}")
    pending: dict[Path, str] = {}
    work: dict[Path, list[str]] = {}
    for path in sorted(solutions.glob("*.ipynb")):
        generated = exercise_from_solution(nbformat.read(path, as_version=4))
        text = render(generated)
        target = exercises / path.name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        pending[target] = text
        if current is None:
            continue
        on_disk = _read(target)
        reasons = (learner_work(on_disk, generated) if on_disk is not None
                   else ["not a notebook that can be read (it may hold work)"])
        if reasons:
            work[target] = reasons
    return pending, work


def build(solutions: Path, exercises: Path, check: bool = False,
          force: bool = False) -> list[str]:
    """Writes exercises/NAME.ipynb for every solutions/NAME.ipynb and returns the names it
    wrote; with ``check``, writes nothing and returns the names that are missing or differ.
    Raises LearnerWorkError (writing nothing) if a notebook to overwrite holds a learner's
    work, unless ``force``, and SolutionDrift (writing nothing, in both modes) if a solution
    is not the library function it names."""
    pending, work = plan(solutions, exercises)
    verify(solutions)
    differing = [target.name for target in pending]
    if check:
        if exercises.is_dir():
            names = {p.name for p in solutions.glob("*.ipynb")}
            differing += [f"{p.name} (no solution)" for p in sorted(exercises.glob("*.ipynb"))
                          if p.name not in names]
        return differing
    if work and not force:
        raise LearnerWorkError(work)
    exercises.mkdir(parents=True, exist_ok=True)
    for target, text in pending.items():
        target.write_text(text, encoding="utf-8")
    return differing
