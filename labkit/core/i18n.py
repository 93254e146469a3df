"""The language labkit speaks: English by default, Chinese (中文) when a lesson asks for it.

    import labkit as lk
    lk.set_language("zh")      # the one line a lesson of lessons/zh/ adds at its top

Every sentence labkit draws or prints (figure titles and labels, widget controls and status
lines, ``check()`` feedback, ``fit``'s messages) is looked up with ``_()`` at the moment it is
drawn, through Python's standard ``gettext`` and the message catalog
``labkit/locale/<language>/LC_MESSAGES/labkit.mo``. English needs no catalog: an English
sentence is its own message id. ``tools/catalogs.py`` extracts the ids from labkit's source and
compiles the catalogs (with Babel); ``tests/test_i18n.py`` fails when a catalog is stale or a
sentence has no translation.

A sentence with numbers keeps them as named fields, so a translation can move them:
``_("step {step}: the loss is {loss}").format(step=12, loss=0.5)``.

A table of labels made at import time marks its sentences with ``N_`` (which returns them
unchanged, and tells the extractor they are messages) and translates them with ``_()`` where
they are drawn: ``OPTIONS = [(N_("off"), 0.0)]`` ... ``[(_(label), v) for label, v in OPTIONS]``.
"""
from __future__ import annotations

import gettext
import unicodedata
from collections.abc import Callable
from pathlib import Path

DOMAIN = "labkit"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = {"en": "English", "zh": "中文"}

_language = "en"
_catalog: gettext.NullTranslations = gettext.NullTranslations()
_listeners: list[Callable[[str], None]] = []


def set_language(language: str) -> None:
    """Choose the language of everything labkit draws or prints from now on: "en" or "zh"."""
    global _language, _catalog
    if language not in LANGUAGES:
        choices = ", ".join(f"{code!r} ({name})" for code, name in LANGUAGES.items())
        raise ValueError(f"set_language: unknown language {language!r}; choose {choices}")
    if language == "en":
        _catalog = gettext.NullTranslations()
    else:
        _catalog = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])
    _language = language
    for listener in _listeners:
        listener(language)


def on_language_change(listener: Callable[[str], None]) -> None:
    """Call ``listener(language)`` now and at every set_language: how a higher layer (the
    figures' fonts, in labkit.plot) follows the language without core importing it."""
    _listeners.append(listener)
    listener(_language)


def get_language() -> str:
    """The code of the language labkit speaks now ("en" unless set_language changed it)."""
    return _language


def _(message: str) -> str:
    """``message`` in the current language (the English text when no translation exists)."""
    if not message:             # gettext("") is the catalog's header, never a message
        return message
    return _catalog.gettext(message)


def N_(message: str) -> str:
    """Marks ``message`` for the catalog without translating it (for tables made at import
    time: they are translated with ``_()`` where they are drawn)."""
    return message


def text_width(text: str) -> int:
    """How many columns ``text`` takes in a monospace font (and about how many ``ch`` in a
    proportional one): a Chinese character (East Asian wide or full-width) takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def ljust(text: str, width: int) -> str:
    """``text.ljust(width)`` by display width (text_width), for tables in any language."""
    return text + " " * max(0, width - text_width(text))


def rjust(text: str, width: int) -> str:
    """``text.rjust(width)`` by display width (text_width)."""
    return " " * max(0, width - text_width(text)) + text


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the current language (Chinese has one form)."""
    return _catalog.ngettext(singular, plural, n)
