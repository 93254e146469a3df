"""Fonts that draw every character a lesson writes: Chinese labels fall back to a CJK font.

labkit's figures use matplotlib's default sans-serif font (DejaVu Sans), which has no Chinese
glyphs. When the language is Chinese, a CJK font installed on the system (Debian's
``fonts-noto-cjk``, which ``make lab`` and ``make test`` name) is added behind it as a fallback:
Latin letters, Greek symbols and digits keep their look, Chinese characters come from the CJK
font. Nothing is downloaded.
"""
from __future__ import annotations

import re
import textwrap
import warnings

from matplotlib import cbook, font_manager, rcParams
from matplotlib.figure import Figure

from ..core.i18n import N_, _, text_width

# Sans-serif CJK families, first found wins: Debian/Ubuntu (Noto, WenQuanYi), macOS, Windows
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC",
                "WenQuanYi Zen Hei", "PingFang SC", "Heiti SC", "Microsoft YaHei")
HOW_TO_GET_ONE = N_("install a CJK font: sudo apt-get install fonts-noto-cjk (Debian/Ubuntu); "
                    "macOS and Windows have one already")


def cjk_family() -> str | None:
    """The first CJK font family installed on this system, or None."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)


def follow_language(language: str) -> None:
    """Put a CJK font behind the default one when the language is Chinese (and take it away
    for English). Warns, naming the fix, when no CJK font is installed."""
    families = [f for f in rcParams["font.family"] if f not in CJK_FAMILIES]
    if language == "zh":
        family = cjk_family()
        if family is None:
            warnings.warn(_("labkit: Chinese text would be drawn as empty boxes; {how}").format(
                how=_(HOW_TO_GET_ONE)), stacklevel=2)
        else:
            families.append(family)
    rcParams["font.family"] = families     # matplotlib falls back along this list per glyph


def monospace() -> list[str]:
    """The monospace family of labkit's tables drawn in figures (DejaVu Sans Mono), with the
    CJK font behind it when the language is Chinese."""
    return ["DejaVu Sans Mono", *(f for f in rcParams["font.family"] if f in CJK_FAMILIES)]


# one wide character (Chinese, full-width punctuation), a run of spaces, or a word
_PIECES = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef]|\s+|"
                     r"[^\s\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef]+")


def wrap(text: str, columns: int, subsequent_indent: str = "") -> list[str]:
    """``text`` in lines of at most ``columns`` monospace columns (a Chinese character takes
    two), continuation lines indented. Text without wide characters wraps exactly as
    ``textwrap.wrap(..., drop_whitespace=False)``; Chinese may break between any two
    characters, other words only at spaces."""
    if text_width(text) == len(text):
        return textwrap.wrap(text, columns, subsequent_indent=subsequent_indent,
                             drop_whitespace=False)
    lines, line = [], ""
    for piece in _PIECES.findall(text):
        if line.strip() and text_width(line + piece.rstrip()) > columns:
            lines.append(line.rstrip())
            line = subsequent_indent
            if piece.isspace():
                continue
        line += piece
    if line.strip():
        lines.append(line)
    return lines


def _fallback_fonts(prop: font_manager.FontProperties) -> list:
    """The fonts matplotlib falls back along for a text of these properties: the one font found
    for each family of its list (a generic family, "sans-serif", by its rcParams list)."""
    fonts = []
    for family in prop.get_family():
        one = prop.copy()
        one.set_family(family)
        try:
            fonts.append(font_manager.get_font(
                font_manager.findfont(one, fallback_to_default=False)))
        except ValueError:       # a family not installed: matplotlib skips it too
            continue
    return fonts


def missing_glyphs(fig: Figure) -> list[str]:
    """"Glyph ... missing from font" for every character of a text ``fig`` shows that none of
    the fonts drawing that text has (empty when every character has a glyph): matplotlib's own
    warnings during a draw of ``fig``, and, since matplotlib warns only the first time it lays
    a text out (a widget's figure was drawn before), a look-up of every character of every
    drawn text in the fonts its family falls back along."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from .legibility import drawn_texts

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        canvas.draw()
    found = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    for text in drawn_texts(fig):
        chars = text.get_text()
        if cbook.is_math_text(chars):      # mathtext draws with its own fonts
            continue
        fonts = _fallback_fonts(text.get_fontproperties())
        for ch in sorted(set(chars)):
            if ch.isprintable() and not ch.isspace() and not any(
                    font.get_char_index(ord(ch)) for font in fonts):
                name = ch.encode("ascii", "namereplace").decode("ascii")
                found.append(f"Glyph {ord(ch)} ({name}) missing from font(s) "
                             f"{', '.join(font.family_name for font in fonts)}.")
    return list(dict.fromkeys(found))
