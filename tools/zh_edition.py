"""Keep the 中文 edition (lessons/zh/) in step with the English lessons (lessons/).

    .venv/bin/python tools/zh_edition.py sync [NAME ...]     # code cells from English, zh text kept
    .venv/bin/python tools/zh_edition.py stamp lessons/zh/NN_x.ipynb [--cell ID ...]
    .venv/bin/python tools/zh_edition.py --check            # exit 1 and say what has drifted

A Chinese lesson has the English lesson's cells, in the same order and with the same cell ids.
Its code cells are the English ones, the first one with one more line, ``lk.set_language("zh")``,
after ``import labkit as lk``; ``sync`` copies them (it never touches a Chinese text cell).
Its text cells are translations: ``stamp`` records in each one's metadata
(``labkit.translated_from``) a digest of the English text it translates, so that ``--check``
names every English cell changed since it was translated. Outputs are the Chinese lesson's own:
re-run it with ``labkit execute lessons/zh/NN_x.ipynb`` after ``sync``.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = ROOT / "lessons"
CHINESE = ENGLISH / "zh"
IMPORT_LINE = "import labkit as lk"
LANGUAGE_LINE = 'lk.set_language("zh")'
CJK = re.compile(r"[\u3400-\u9fff]")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def digest(text: str) -> str:
    """A short fingerprint of an English text cell: what a translation was made from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def add_language_line(source: str) -> str:
    """The first code cell of a Chinese lesson: the English one with the language line added
    right after ``import labkit as lk``."""
    lines = source.split("\n")
    if IMPORT_LINE not in lines:
        raise ValueError(f"the first code cell has no line {IMPORT_LINE!r}:\n{source}")
    at = lines.index(IMPORT_LINE) + 1
    return "\n".join(lines[:at] + [LANGUAGE_LINE] + lines[at:])


def english_code(cells: list) -> list[str]:
    """The code cells' sources as the Chinese lesson must have them."""
    sources = [cell.source for cell in cells if cell.cell_type == "code"]
    if sources:
        sources[0] = add_language_line(sources[0])
    return sources


def chinese_path(english: Path) -> Path:
    return CHINESE / english.name


def english_lessons() -> list[Path]:
    return sorted(ENGLISH.glob("[0-9][0-9]_*.ipynb"))


def sync(english: Path) -> nbformat.NotebookNode:
    """The Chinese lesson rebuilt on the English one: English cells in English order, code from
    English (outputs kept where the code did not change), each text cell the Chinese one of the
    same id, or the English text (unstamped, so --check reports it) where there is none yet."""
    en = nbformat.read(english, as_version=4)
    target = chinese_path(english)
    zh = nbformat.read(target, as_version=4) if target.exists() else None
    old = {cell.get("id"): cell for cell in zh.cells} if zh else {}
    code = iter(english_code(en.cells))
    cells = []
    for cell in en.cells:
        previous = old.get(cell.get("id"))
        if cell.cell_type == "code":
            new = copy.deepcopy(cell)
            new.source = next(code)
            if previous is not None and previous.source == new.source:
                new.outputs, new.execution_count = previous.outputs, previous.execution_count
            else:
                new.outputs, new.execution_count = [], None
        elif previous is not None and previous.cell_type == cell.cell_type:
            new = previous
        else:
            new = copy.deepcopy(cell)
            new.metadata.get("labkit", {}).pop("translated_from", None)
        cells.append(new)
    result = copy.deepcopy(en)
    result.cells = cells
    if zh is not None:
        result.metadata = zh.metadata
    if "language_info" in en.metadata:
        result.metadata["language_info"] = en.metadata["language_info"]
    return result


def stamp(path: Path, cell_ids: list[str] | None = None) -> int:
    """Record, in each (or each named) text cell of a Chinese lesson, the digest of the English
    text it now translates. Returns how many cells were stamped."""
    en = nbformat.read(ENGLISH / path.name, as_version=4)
    english = {cell.get("id"): cell for cell in en.cells}
    zh = nbformat.read(path, as_version=4)
    count = 0
    for cell in zh.cells:
        if cell.cell_type != "markdown" or (cell_ids and cell.get("id") not in cell_ids):
            continue
        source = english[cell.get("id")].source
        cell.metadata.setdefault("labkit", {})["translated_from"] = digest(source)
        count += 1
    nbformat.write(zh, path)
    return count


def problems(english: Path) -> list[str]:
    """Everything by which the Chinese lesson has drifted from the English one."""
    target = chinese_path(english)
    name = f"{target.parent.name}/{target.name}"
    if not target.exists():
        return [f"{name}: missing (run tools/zh_edition.py sync)"]
    en = nbformat.read(english, as_version=4)
    zh = nbformat.read(target, as_version=4)
    shape_en = [(cell.get("id"), cell.cell_type) for cell in en.cells]
    shape_zh = [(cell.get("id"), cell.cell_type) for cell in zh.cells]
    if shape_en != shape_zh:
        return [f"{name}: its cells (ids, types, order) are not the English lesson's: run sync"]
    found = []
    code = iter(english_code(en.cells))
    for number, (cell_en, cell_zh) in enumerate(zip(en.cells, zh.cells), start=1):
        where = f"{name}, cell {number} ({cell_zh.get('id')})"
        if cell_en.cell_type == "code":
            if cell_zh.source != next(code):
                found.append(f"{where}: its code differs from the English lesson's: run sync")
            continue
        made_from = cell_zh.metadata.get("labkit", {}).get("translated_from")
        if made_from != digest(cell_en.source):
            found.append(f"{where}: not translated from the current English text "
                         "(translate it, then stamp it)")
        if re.search(r"[A-Za-z]{3}", strip_code(cell_en.source)) and not CJK.search(cell_zh.source):
            found.append(f"{where}: no Chinese in it")
        for link in LINK.findall(cell_zh.source):
            if "://" not in link and not (target.parent / link).exists():
                found.append(f"{where}: the link {link!r} leads nowhere from lessons/zh/")
    return found


def strip_code(markdown: str) -> str:
    """Markdown without code, math and links' targets: the words a translation must change."""
    markdown = re.sub(r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$", "", markdown, flags=re.S)
    return re.sub(r"\]\([^)]*\)", "]", markdown)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="report drift, change nothing")
    sub = parser.add_subparsers(dest="command")
    sync_parser = sub.add_parser("sync", help="rebuild lessons/zh/ on the English lessons")
    sync_parser.add_argument("names", nargs="*", help="lesson file names (default: all)")
    stamp_parser = sub.add_parser("stamp", help="mark text cells as translated")
    stamp_parser.add_argument("path", type=Path)
    stamp_parser.add_argument("--cell", action="append", dest="cells", metavar="ID")
    args = parser.parse_args(argv)
    if args.check:
        found = [line for english in english_lessons() for line in problems(english)]
        print("\n".join(found) if found else "lessons/zh/ is in step with lessons/")
        return 1 if found else 0
    if args.command == "sync":
        chosen = [ENGLISH / name for name in args.names] or english_lessons()
        CHINESE.mkdir(exist_ok=True)
        for english in chosen:
            nbformat.write(sync(english), chinese_path(english))
            print(f"synced {chinese_path(english)}")
        return 0
    if args.command == "stamp":
        print(f"stamped {stamp(args.path, args.cells)} text cells of {args.path}")
        return 0
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
