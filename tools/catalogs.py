"""Make labkit's message catalogs from its source (Babel), or check that they are up to date.

    .venv/bin/python tools/catalogs.py            # extract, merge into each .po, compile the .mo
    .venv/bin/python tools/catalogs.py --check    # exit 1 and say what is stale or untranslated

The message ids are the English sentences passed to ``_()`` / ``ngettext()`` / ``N_()`` in
labkit's source (labkit/core/i18n.py), and the figure titles the lessons pass to labkit
(``title="..."`` in a code cell of lessons/NN_*.ipynb): labkit draws a given title through
``_()``, so the Chinese lesson, whose code is the English one, shows it in Chinese. Each
language has ``labkit/locale/<lang>/LC_MESSAGES/labkit.po`` (edited by translators) and the
compiled ``labkit.mo`` next to it (generated, committed so that a plain ``pip install`` needs no
build step). Merging keeps every existing translation; an id
that left the source is dropped from the .po (Babel keeps it as obsolete only in memory).
"""
from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "labkit"
LOCALE = PACKAGE / "locale"
DOMAIN = "labkit"
LANGUAGES = ("zh",)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def source_catalog() -> Catalog:
    """Every message id in labkit's Python source, with the files that use it."""
    catalog = Catalog(project="labkit", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
            PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
        catalog.add(message, locations=[(f"labkit/{filename}", lineno)],
                    auto_comments=comments, context=context)
    for title, lesson in lesson_titles():
        catalog.add(title, locations=[(lesson, 0)],
                    auto_comments=["a figure title the lesson passes to labkit"])
    return catalog


def lesson_titles() -> list[tuple[str, str]]:
    """(title, lesson file) for every ``title="..."`` string a lesson's code cell passes."""
    import ast

    import nbformat
    from IPython.core.inputtransformer2 import TransformerManager

    as_python = TransformerManager().transform_cell   # %magic and !shell lines as IPython runs them
    found = []
    for path in sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            for node in ast.walk(ast.parse(as_python(cell.source))):
                if (isinstance(node, ast.keyword) and node.arg == "title"
                        and isinstance(node.value, ast.Constant)
                        and isinstance(node.value.value, str) and node.value.value):
                    found.append((node.value.value, f"lessons/{path.name}"))
    return found


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_language(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, project="labkit", fuzzy=False)
    with path.open("rb") as f:
        return read_po(f, locale=language)


def merged(language: str, template: Catalog) -> Catalog:
    catalog = read_language(language)
    created = catalog.creation_date           # update() would stamp the extraction's time
    catalog.update(template, no_fuzzy_matching=True)
    catalog.creation_date = created
    catalog.obsolete.clear()
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    # files without line numbers: an edit elsewhere in a file leaves the catalog up to date
    write_po(out, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def untranslated(catalog: Catalog) -> list[str]:
    """Ids with no translation, a fuzzy one, or one that drops or adds a {field}."""
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}

    problems = []
    for message in catalog:
        if not message.id:
            continue                                   # the header
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"no translation: {ids[0]!r}")
        elif any(fields(s) != fields(ids[0]) for s in strings):
            problems.append(f"fields differ: {ids[0]!r} -> {strings[0]!r}")
    return problems


def stale(language: str, template: Catalog) -> list[str]:
    """What differs between the committed .po/.mo and what this tool would write."""
    catalog = merged(language, template)
    problems = []
    path = po_path(language)
    if not path.exists() or path.read_bytes() != po_bytes(catalog):
        problems.append(f"{path.relative_to(ROOT)} is not up to date with labkit's source")
    mo = path.with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != mo_bytes(read_language(language)):
        problems.append(f"{mo.relative_to(ROOT)} is not compiled from its .po")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a catalog is stale or untranslated")
    args = parser.parse_args(argv)
    template = source_catalog()
    problems: list[str] = []
    for language in LANGUAGES:
        if args.check:
            problems += stale(language, template)
            problems += [f"{language}: {p}" for p in untranslated(merged(language, template))]
            continue
        catalog = merged(language, template)
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(po_bytes(catalog))
        path.with_suffix(".mo").write_bytes(mo_bytes(read_language(language)))
        missing = untranslated(catalog)
        print(f"{path.relative_to(ROOT)}: {len(template)} messages, "
              f"{len(missing)} to translate")
        problems += [f"{language}: {p}" for p in missing]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if args.check and problems else 0


if __name__ == "__main__":
    sys.exit(main())
