"""The language machinery (labkit/core/i18n.py), its catalogs (tools/catalogs.py) and the fonts
that draw Chinese (labkit/plot/fonts.py)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import matplotlib
import pytest
from babel.messages.catalog import Catalog
from matplotlib.figure import Figure

from labkit.core import i18n
from labkit.plot import fonts

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("catalogs", ROOT / "tools" / "catalogs.py")
catalogs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(catalogs)


@pytest.fixture
def restore_language():
    yield
    i18n.set_language("en")


def test_an_unknown_language_is_refused_with_the_choices(restore_language):
    with pytest.raises(ValueError, match=r"unknown language 'fr'.*'en' \(English\).*'zh'"):
        i18n.set_language("fr")
    assert i18n.get_language() == "en"


def test_english_is_the_default_and_needs_no_catalog(restore_language):
    assert i18n.get_language() == "en"
    assert i18n._("any sentence {n}") == "any sentence {n}"
    assert i18n.ngettext("one step", "{n} steps", 2) == "{n} steps"


def test_listeners_hear_the_current_language_then_every_change(restore_language):
    heard = []
    i18n.on_language_change(heard.append)
    try:
        i18n.set_language("zh")
        i18n.set_language("en")
    finally:
        i18n._listeners.remove(heard.append)
    assert heard == ["en", "zh", "en"]


def test_the_committed_catalogs_are_up_to_date_and_fully_translated():
    assert catalogs.main(["--check"]) == 0


def test_the_catalog_check_finds_missing_and_mistranslated_sentences():
    catalog = Catalog(locale="zh")
    catalog.add("step {step}", string="")                       # untranslated
    catalog.add("loss {loss}", string="损失 {los}")              # a field renamed
    catalog.add("fine {x}", string="好 {x}")
    catalog.add("shaky", string="不稳", flags=["fuzzy"])
    problems = catalogs.untranslated(catalog)
    assert problems == ["no translation: 'step {step}'",
                        "fields differ: 'loss {loss}' -> '损失 {los}'",
                        "no translation: 'shaky'"]


def test_chinese_labels_draw_without_missing_glyphs_once_the_language_is_chinese(
        restore_language):
    def titled_figure():
        fig = Figure(figsize=(3, 2), dpi=100)
        ax = fig.add_subplot()
        ax.set_title("反向传播：梯度 δ 与学习率 η")
        ax.set_xlabel("层 (layer)")
        return fig

    default = matplotlib.rcParams["font.family"]
    try:
        assert fonts.missing_glyphs(titled_figure()), "the check must see tofu in English fonts"
        i18n.set_language("zh")
        assert fonts.cjk_family() is not None, fonts.HOW_TO_GET_ONE
        assert fonts.missing_glyphs(titled_figure()) == []
        i18n.set_language("en")
        assert matplotlib.rcParams["font.family"] == default
    finally:
        matplotlib.rcParams["font.family"] = default
