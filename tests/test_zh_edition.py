"""The 中文 edition (lessons/zh/) stays in step with the English lessons: the same cells and code
(tools/zh_edition.py --check), text translated from the current English, and the same numbers
printed by every code cell."""
from __future__ import annotations

import importlib.util
import re
from collections import Counter
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("zh_edition", ROOT / "tools" / "zh_edition.py")
zh_edition = importlib.util.module_from_spec(spec)
spec.loader.exec_module(zh_edition)

LESSONS = zh_edition.english_lessons()
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:e[-+]?\d+)?", re.I)


def numbers_in(text: str) -> list[str]:
    """The numbers of a text; one that ends a sentence ("back to layer 1.") loses its period,
    which a Chinese sentence ("传回第 1 层。") does not write."""
    return [n[:-1] if n.endswith(".") else n for n in NUMBER.findall(text)]


def printed_numbers(cell) -> Counter:
    """The numbers a code cell printed (its streams and plain-text results; not its figures
    or widgets), as a multiset: a translation may move a number within its sentence."""
    tags = cell.metadata.get("tags", [])
    if "nbval-ignore-output" in tags or "NBVAL_IGNORE_OUTPUT" in cell.source:
        return Counter()
    found: Counter = Counter()
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            found.update(numbers_in(output.text))
        elif output.output_type in ("execute_result", "display_data"):
            data = output.get("data", {})
            if "text/plain" in data and not any(key.startswith("image/") or "widget" in key
                                                for key in data):
                found.update(numbers_in(data["text/plain"]))
    return found


@pytest.mark.parametrize("english", LESSONS, ids=[path.stem for path in LESSONS])
def test_the_chinese_lesson_has_the_english_cells_and_code_and_current_translations(english):
    assert zh_edition.problems(english) == []


@pytest.mark.parametrize("english", LESSONS, ids=[path.stem for path in LESSONS])
def test_every_code_cell_prints_the_same_numbers_in_both_editions(english):
    en = nbformat.read(english, as_version=4)
    zh = nbformat.read(zh_edition.chinese_path(english), as_version=4)
    differ = []
    for number, (cell_en, cell_zh) in enumerate(zip(en.cells, zh.cells), start=1):
        if cell_en.cell_type != "code":
            continue
        if printed_numbers(cell_en) != printed_numbers(cell_zh):
            only_en = printed_numbers(cell_en) - printed_numbers(cell_zh)
            only_zh = printed_numbers(cell_zh) - printed_numbers(cell_en)
            differ.append(f"cell {number}: English only {sorted(only_en)}, "
                          f"Chinese only {sorted(only_zh)}")
    assert differ == [], f"{english.name}: " + "; ".join(differ)


def _lesson(tmp_path: Path, markdown: str, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(markdown, id="text1"),
                nbformat.v4.new_code_cell(code, id="code1")]
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(nb, path)
    return path


def test_sync_keeps_the_translation_and_check_names_a_changed_english_cell(tmp_path,
                                                                           monkeypatch):
    monkeypatch.setattr(zh_edition, "ENGLISH", tmp_path)
    monkeypatch.setattr(zh_edition, "CHINESE", tmp_path / "zh")
    (tmp_path / "zh").mkdir()
    english = _lesson(tmp_path, "# A lesson about the gradient", "import labkit as lk\nx = 1")
    target = tmp_path / "zh" / english.name
    nbformat.write(zh_edition.sync(english), target)
    assert any("no Chinese" in line for line in zh_edition.problems(english))

    zh = nbformat.read(target, as_version=4)
    zh.cells[0].source = "# 关于梯度的一课"
    nbformat.write(zh, target)
    zh_edition.stamp(target)
    assert zh_edition.problems(english) == []
    code = nbformat.read(target, as_version=4).cells[1].source
    assert code == 'import labkit as lk\nlk.set_language("zh")\nx = 1'

    en = nbformat.read(english, as_version=4)
    en.cells[0].source = "# A lesson about the gradient, revised"
    en.cells[1].source = "import labkit as lk\nx = 2"
    nbformat.write(en, english)
    found = zh_edition.problems(english)
    assert any("text1" in line and "current English" in line for line in found), found
    assert any("code1" in line and "code differs" in line for line in found), found
    nbformat.write(zh_edition.sync(english), target)
    synced = nbformat.read(target, as_version=4)
    assert synced.cells[0].source == "# 关于梯度的一课"          # the translation is kept
    assert synced.cells[1].source.endswith("x = 2")
    assert [line for line in zh_edition.problems(english) if "code" in line] == []


def test_printed_numbers_see_a_changed_number_and_ignore_their_order():
    cell = nbformat.v4.new_code_cell("print()")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="step 3: loss 0.25\n")]
    moved = nbformat.v4.new_code_cell("print()")
    moved.outputs = [nbformat.v4.new_output("stream", name="stdout", text="损失 0.25（第 3 步）\n")]
    assert printed_numbers(cell) == printed_numbers(moved)
    moved.outputs[0].text = "损失 0.26（第 3 步）\n"
    assert printed_numbers(cell) != printed_numbers(moved)
    cell.outputs[0].text = "Layer 2 passes the blame back to layer 1."
    moved.outputs[0].text = "第 2 层把“责任”传回第 1 层。"
    assert printed_numbers(cell) == printed_numbers(moved)
