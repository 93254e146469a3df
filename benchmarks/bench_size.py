#!/usr/bin/env python3
"""Count the lines of labkit's reusable core: the library a learner reads (issue 13: <= 1,500).

What counts: every module of ``labkit/core``, of its torch-shaped namespaces ``labkit/nn`` and
``labkit/optim``, and ``labkit/__init__.py`` (the shortcuts ``lk.Linear``, ...), except
  - the shims that moved modules leave at their old path for one release (a module whose only
    code is a ``__getattr__`` forwarding to ``labkit.lessons``/``labkit.diagnostics``) and
    ``core/_moved.py``, which they call: they go in the next release;
  - ``core/i18n.py``, the language switch of the course's translations (no part of the
    library's mathematics; it lives in core only so that every layer can reach it);
  - the data sets, ``labkit/datasets`` (make_moons, load_digits, ...): the issue measures the
    core against micrograd plus CS231n's layers/optim/gradient_check, and CS231n keeps its data
    sets apart too (data_utils). They are counted and reported beside the core (``apart``,
    and the total with them), not judged.
How: **code lines** are the lines that hold code, i.e. not blank, not only a comment and not
inside a docstring (a module's, class's or function's first string). The code that keeps the
old names working for one release (a file's ``# --- the old names`` section, to its end) goes
with them, like the shims: the target is judged on the code lines without it, and the count
with it, the physical lines (as ``wc -l``) and the docstring lines are reported too.

    .venv/bin/python benchmarks/bench_size.py [--out benchmarks/results/size.json]
"""
from __future__ import annotations

import argparse
import ast
import io
import os
import sys
import tokenize
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RESULTS_DIR, machine_info, verdict, write_json  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent / "labkit"
LIMIT = 1500
EXCLUDED = {"core/_moved.py": "the moved modules' shim helper (goes next release)",
            "core/i18n.py": "the course's language switch, not library code"}
OLD_NAMES_MARK = "# --- the old names"


def is_moved_shim(tree: ast.Module) -> bool:
    """A module whose only function is __getattr__ calling _moved.moved."""
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    calls_moved = any(isinstance(n, ast.Call) and getattr(n.func, "id", "") == "moved"
                      for n in ast.walk(tree))
    return [f.name for f in funcs] == ["__getattr__"] and not classes and calls_moved


def docstring_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def count(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    docs = docstring_lines(tree)
    code: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                        tokenize.DEDENT, tokenize.ENDMARKER):
            continue
        code.update(range(tok.start[0], tok.end[0] + 1))
    code -= docs
    lines = text.splitlines()
    old_start = next((i + 1 for i, ln in enumerate(lines) if ln.startswith(OLD_NAMES_MARK)),
                     None)
    old = {n for n in code if old_start is not None and n >= old_start}
    return {"physical": len(lines), "code": len(code), "docstring": len(docs),
            "old_names_code": len(old), "shim": is_moved_shim(tree)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=os.path.join(RESULTS_DIR, "size.json"))
    args = p.parse_args(argv)
    files, left_out = {}, {}
    for path in sorted([ROOT / "__init__.py", *ROOT.glob("core/*.py"), *ROOT.glob("nn/*.py"),
                        *ROOT.glob("optim/*.py")]):
        rel = path.relative_to(ROOT).as_posix()
        c = count(path)
        if rel in EXCLUDED or c["shim"]:
            left_out[rel] = EXCLUDED.get(rel, "a moved module's shim (goes next release)")
            continue
        files[rel] = c
    keys = ("physical", "code", "docstring", "old_names_code")
    total = {k: sum(c[k] for c in files.values()) for k in keys}
    apart = {p.relative_to(ROOT).as_posix(): count(p) for p in sorted(ROOT.glob("datasets/*.py"))}
    print(f"{'file':28s} {'code':>6s} {'physical':>9s} {'docstring':>10s} {'old names':>10s}")
    for rel, c in sorted(files.items(), key=lambda kv: -kv[1]["code"]):
        print(f"{rel:28s} {c['code']:6d} {c['physical']:9d} {c['docstring']:10d} "
              f"{c['old_names_code']:10d}")
    print(f"{'total':28s} {total['code']:6d} {total['physical']:9d} {total['docstring']:10d} "
          f"{total['old_names_code']:10d}")
    print("left out: " + "; ".join(f"{k} ({v})" for k, v in left_out.items()))
    apart_code = sum(c["code"] - c["old_names_code"] for c in apart.values())
    print(f"apart (the data sets): {apart_code} code lines in {', '.join(apart)}")
    judged = total["code"] - total["old_names_code"]
    target = {"target": f"labkit reusable core <= {LIMIT} code lines (old names left out)",
              "value": judged, "limit": LIMIT, "pass": judged <= LIMIT}
    print(f"target {target['target']}: {judged} {verdict(target['pass'])} "
          f"({total['code']} with the old names kept one release; {total['physical']} "
          f"physical lines; {judged + apart_code} with the data sets)")
    write_json(args.out, {"meta": machine_info(), "files": files, "left_out": left_out,
                          "total": total, "apart": apart,
                          "with_datasets": judged + apart_code, "target": target})
    print(f"wrote {args.out}")
    return 0 if target["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
