"""Fonts that draw every character a lesson writes: Chinese labels fall back to a CJK font.

labkit's figures use matplotlib's default sans-serif font (DejaVu Sans), which has no Chinese
glyphs. When the language is Chinese, a CJK font installed on the system (Debian's
``fonts-noto-cjk``, which ``make lab`` and ``make test`` name) is added behind it as a fallback:
Latin letters, Greek symbols and digits keep their look, Chinese characters come from the CJK
font. Nothing is downloaded.
"""
from __future__ import annotations

import warnings

from matplotlib import font_manager, rcParams
from matplotlib.figure import Figure

# Sans-serif CJK families, first found wins: Debian/Ubuntu (Noto, WenQuanYi), macOS, Windows
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC",
                "WenQuanYi Zen Hei", "PingFang SC", "Heiti SC", "Microsoft YaHei")
HOW_TO_GET_ONE = ("install a CJK font: sudo apt-get install fonts-noto-cjk (Debian/Ubuntu); "
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
            warnings.warn(f"labkit: Chinese text would be drawn as empty boxes; {HOW_TO_GET_ONE}",
                          stacklevel=2)
        else:
            families.append(family)
    rcParams["font.family"] = families     # matplotlib falls back along this list per glyph


def missing_glyphs(fig: Figure) -> list[str]:
    """Matplotlib's "Glyph ... missing from font" messages for a draw of ``fig`` (empty when
    every character has a glyph)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        canvas.draw()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]
