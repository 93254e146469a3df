"""The one widget pattern every lesson uses: controls on top, a figure, a status line.

    lab = Lab("learning rate", controls={"lr": FloatLogSlider(...)}, draw=draw, figsize=(8, 3))

``draw(fig, values)`` redraws the matplotlib Figure for the current control values and
returns what to say in words (a str, a Status, or None). The figure is a plain
``matplotlib.figure.Figure`` (not pyplot), rendered to PNG into an ``ipywidgets.Image``: the
picture is replaced in place (no flicker, no stacking figures), nothing is printed into the
notebook, so a re-run notebook shows the same outputs and nbval compares them.

A setting that diverges or makes no sense is the draw function's to explain in words
(``Status(..., level="warning")``). An unexpected exception in a slider callback is shown as a
one-line message, never a traceback; the *first* draw, made while the notebook cell runs,
lets exceptions through, so a broken widget fails its notebook's test.
"""
from __future__ import annotations

import html
import json
import logging
import math
import struct
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as W
import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.figure import Figure

log = logging.getLogger(__name__)

LEVEL_COLORS = {"info": "#1b5e20", "warning": "#b45309", "error": "#b91c1c"}


@dataclass(frozen=True)
class Status:
    """A message in words under the figure; ``level`` is "info", "warning" or "error"."""

    text: str
    level: str = "info"


def png_bytes(pixels: np.ndarray) -> bytes:
    """A PNG file of an (H, W, 3) RGB or (H, W, 4) RGBA uint8 image, lossless.

    Written by hand because it is the fastest lossless choice for a widget's figure: no PNG row
    filter and zlib level 1 encode in about half the time of PIL's fastest setting, and the
    flat colours of a plot compress about as well without a filter."""
    height, width, channels = pixels.shape
    rows = np.empty((height, width * channels + 1), dtype=np.uint8)
    rows[:, 0] = 0                                   # filter type 0 ("None") on every row
    rows[:, 1:] = pixels.reshape(height, -1)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, {3: 2, 4: 6}[channels], 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)) + chunk(b"IEND", b""))


class LineTextRenderer(RendererAgg):
    """Agg, drawing each line of plain text as one bitmap that FreeType lays out and renders in
    C (how matplotlib drew text before 3.11), and keeping the bitmaps of recent texts: a
    widget draws the same tick labels, titles and legends again and again, and measuring a
    text (for layout) renders it too. Text is most of a widget's drawing time, and matplotlib
    3.11 lays it out twice and draws it glyph by glyph in Python; this is several times
    faster, for the same picture (glyphs may sit a fraction of a pixel apart). Math text, and
    text with font features or a language set, is left to matplotlib's own methods."""

    KEEP = 2000   # text bitmaps kept (a few kB each)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._bitmaps: OrderedDict = OrderedDict()

    def _line(self, s: str, prop, antialiased: bool) -> tuple:
        """(bitmap, descent, x offset, y offset, width, height) of one line of text, in
        pixels; laid out and rendered once, then kept."""
        # prop copied: a Text's font properties can change after it is drawn
        key = (s, prop.copy(), self.dpi, get_hinting_flag(), antialiased)
        if key in self._bitmaps:
            self._bitmaps.move_to_end(key)
            return self._bitmaps[key]
        font = self._prepare_font(prop)
        font.set_text(s, 0, flags=key[3])
        font.draw_glyphs_to_bitmap(antialiased=antialiased)
        self._bitmaps[key] = line = (np.array(font.get_image()), font.get_descent() / 64.0,
                                     *(v / 64.0 for v in font.get_bitmap_offset()),
                                     *(v / 64.0 for v in font.get_width_height()))
        if len(self._bitmaps) > self.KEEP:
            self._bitmaps.popitem(last=False)
        return line

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        _, descent, _, _, width, height = self._line(s, prop, bool(
            mpl.rcParams["text.antialiased"]))
        return width, height, descent

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if (ismath or getattr(mtext, "get_fontfeatures", lambda: None)()
                or getattr(mtext, "get_language", lambda: None)()):
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        bitmap, descent, xo, yo, _, _ = self._line(s, prop, gc.get_antialiased())
        x = round(x + xo + descent * math.sin(math.radians(angle)))
        y = round(y + yo + descent * math.cos(math.radians(angle)))
        self._renderer.draw_text_image(bitmap, x, y + 1, angle, gc)


class WidgetCanvas(FigureCanvasAgg):
    """The Agg canvas of a widget's figure, drawing text with LineTextRenderer where that is
    faster (matplotlib 3.11 and later; earlier versions already draw text that way)."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = LineTextRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer


# before matplotlib 3.11, Agg's own draw_text is the fast one (and takes other arguments)
_CANVAS = (WidgetCanvas if hasattr(RendererAgg, "_draw_text_glyphs_and_boxes")
           else FigureCanvasAgg)


class FigureView:
    """A Figure shown as an ipywidgets.Image; ``refresh()`` re-renders it in place.

    Blitting: drawing text (tick labels, titles, legends) is most of matplotlib's time, and
    most of a widget's figure does not change from one slider move to the next. Artists a
    widget marks as moving (``animate(...)``, i.e. ``set_animated(True)``: lines, bars, texts,
    or whole Axes whose limits change) are drawn on every refresh, on top of a kept picture of
    everything else. That picture is drawn again only when something in it changed
    (matplotlib then marks the figure "stale"; a change to a moving artist does not). A figure
    without moving artists is drawn in full on every refresh.
    """

    def __init__(self, figsize: tuple[float, float], dpi: int = 80) -> None:
        self.fig = Figure(figsize=figsize, dpi=dpi)
        _CANVAS(self.fig)
        width = int(figsize[0] * dpi)
        self.image = W.Image(format="png", layout=W.Layout(width=f"{width}px"))
        self._background = None   # the picture of everything that is not moving

    def moving_artists(self) -> list[Artist]:
        """The animated artists in drawing order: whole Axes, then the moving parts of the
        other Axes (Axes by Axes, by zorder), then the figure's own; hidden ones and those in
        a hidden Axes left out."""
        top = sorted((a for a in self.fig.get_children() if a.get_animated()),
                     key=Artist.get_zorder)
        groups = [[a for a in top if a in self.fig.axes]]
        groups += [sorted((a for a in ax.get_children() if a.get_animated()),
                          key=Artist.get_zorder)
                   for ax in self.fig.axes if ax.get_visible() and not ax.get_animated()]
        groups.append([a for a in top if a not in self.fig.axes])
        return [a for group in groups for a in group if a.get_visible()]

    def refresh(self) -> None:
        canvas = self.fig.canvas
        moving = self.moving_artists()
        if not moving:
            canvas.draw()
            self._background = None
        else:
            if self._background is None or self.fig.stale:
                canvas.draw()                 # draws every artist that is not animated
                self._background = canvas.copy_from_bbox(self.fig.bbox)
            else:
                canvas.restore_region(self._background)
            renderer = canvas.get_renderer()
            for artist in moving:
                artist.draw(renderer)
            # drawing lays things out (tick labels, a legend's boxes) and so marks them
            # stale; like the end of Figure.draw, that is no change to draw again for
            self.fig.stale = False
        self.image.value = png_bytes(np.asarray(canvas.buffer_rgba()))


def animate(*artists: Artist | Iterable[Artist]) -> None:
    """Marks artists (or lists of them) as a widget's moving parts, redrawn on every refresh
    over a kept picture of the rest of the figure (see FigureView).

    Change them with their own setters (set_data, set_text, set_height, ...): an Axes method
    such as ``ax.set_title`` also touches the Axes, and the whole figure is then drawn again
    (correct, only slower). An Axes whose limits change is animated whole (with all it holds).
    """
    for item in artists:
        for artist in ([item] if isinstance(item, Artist) else item):
            artist.set_animated(True)


def clear_drawing(ax) -> None:
    """Removes everything drawn on ``ax`` (lines, patches, collections, texts, images), keeping
    the Axes with its ticks and settings: for a widget that draws a diagram anew on every
    redraw, several times faster than ``ax.cla()``, which also rebuilds the axis ticks."""
    for artist in [*ax.lines, *ax.patches, *ax.collections, *ax.texts, *ax.images,
                   *ax.artists]:
        artist.remove()


DrawFn = Callable[[Figure, dict[str, Any]], "str | Status | None"]


class Lab:
    """Controls + figure + status line, redrawn on every change of a control.

    ``values`` are the controls' current values; ``set(**values)`` changes several at once
    with a single redraw; ``last_ms`` is how long the last redraw took (callback to PNG).
    """

    def __init__(self, title: str, controls: Mapping[str, W.ValueWidget], draw: DrawFn,
                 figsize: tuple[float, float] = (8.0, 3.2), dpi: int = 80,
                 setup: Callable[[Figure], None] | None = None, columns: int = 3) -> None:
        self.title = title
        self.controls = dict(controls)
        self._draw = draw
        self.view = FigureView(figsize, dpi)
        self.status = W.HTML()
        self.last_ms = 0.0
        self.last_status = Status("")
        self._held = False
        if setup is not None:
            setup(self.view.fig)
        rows = [W.HBox(list(self.controls.values())[i:i + columns])
                for i in range(0, len(self.controls), columns)]
        header = W.HTML(f"<b>{html.escape(title)}</b>")
        self.widget = W.VBox([header, *rows, self.view.image, self.status])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.update(raise_errors=True)

    # --- state ---------------------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        return {name: c.value for name, c in self.controls.items()}

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Change several controls with one redraw at the end."""
        self._held = True
        try:
            yield
        finally:
            self._held = False
        self.update()

    def set(self, **values: Any) -> None:
        unknown = set(values) - set(self.controls)
        if unknown:
            raise KeyError(f"{self.title}: no control named {sorted(unknown)}; "
                           f"controls are {sorted(self.controls)}")
        with self.hold():
            for name, value in values.items():
                self.controls[name].value = value

    # --- presets: share "the setting where it explodes" as a small JSON file --------------
    def preset(self) -> dict[str, Any]:
        """The widget's title and control values, as JSON-ready data."""
        values = {k: list(v) if isinstance(v, tuple) else v for k, v in self.values.items()}
        return {"widget": self.title, "values": values}

    def save_preset(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.preset(), indent=2) + "\n", encoding="utf-8")
        return path

    def load_preset(self, preset: str | Path | Mapping[str, Any]) -> None:
        """Sets the controls from a preset (a dict, or a JSON file written by save_preset)."""
        if not isinstance(preset, Mapping):
            try:
                preset = json.loads(Path(preset).read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{self.title}: preset file {preset} is not valid JSON "
                                 f"({exc})") from None
        if not isinstance(preset, Mapping) or not isinstance(preset.get("values"), Mapping):
            raise ValueError(f"{self.title}: a preset is {{'widget': ..., 'values': {{...}}}}")
        if preset.get("widget", self.title) != self.title:
            raise ValueError(f"this preset is for the widget {preset['widget']!r}, "
                             f"not {self.title!r}")
        values = dict(preset["values"])
        for name, value in values.items():
            control = self.controls.get(name)
            if control is None:
                raise ValueError(f"{self.title}: preset names an unknown control {name!r}; "
                                 f"controls are {sorted(self.controls)}")
            options = getattr(control, "options", None)
            if options is not None:
                allowed = [o[1] if isinstance(o, tuple) else o for o in options]
                if value not in allowed:
                    raise ValueError(f"{self.title}: preset value {value!r} for {name!r} is "
                                     f"not one of {allowed}")
            elif isinstance(value, list):
                values[name] = tuple(value)
        self.set(**values)

    # --- drawing -------------------------------------------------------------------------
    def _on_change(self, change: dict) -> None:
        if not self._held:
            self.update()

    def update(self, raise_errors: bool = False) -> Status:
        start = time.perf_counter()
        try:
            result = self._draw(self.view.fig, self.values)
            status = result if isinstance(result, Status) else Status(result or "")
        except Exception as exc:  # a slider callback must never show a traceback
            if raise_errors:
                raise
            log.exception("%s: redraw failed for %s", self.title, self.values)
            status = Status(f"This setting could not be drawn ({type(exc).__name__}: {exc}). "
                            "Please report it; the other settings still work.", "error")
        self.view.refresh()
        self._show(status)
        self.last_ms = (time.perf_counter() - start) * 1000.0
        return status

    def _show(self, status: Status) -> None:
        self.last_status = status
        color = LEVEL_COLORS.get(status.level, LEVEL_COLORS["info"])
        self.status.value = (f'<span style="color:{color}">{html.escape(status.text)}</span>'
                             if status.text else "")

    # --- display -------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        # a stable text form, so a stored notebook does not depend on ipywidgets' repr
        bundle["text/plain"] = f"<labkit widget: {self.title}>"
        return bundle

    def __repr__(self) -> str:
        return f"<labkit widget: {self.title}>"
