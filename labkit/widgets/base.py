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
import io
import json
import logging
import math
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as W
import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..core.i18n import _, text_width
from ..plot.base import SCREEN_DPI

log = logging.getLogger(__name__)

LEVEL_COLORS = {"info": "#1b5e20", "warning": "#b45309", "error": "#b91c1c"}


@dataclass(frozen=True)
class Status:
    """A message in words under the figure; ``level`` is "info", "warning" or "error"."""

    text: str
    level: str = "info"


# How widget figures are made and drawn. Text without the font's hinting instructions: since
# matplotlib 3.11 draws text glyph by glyph, text is most of a redraw, and unhinted glyphs take
# half the time; at 100 dpi they look the same (widths differ by a fraction of a pixel).
# Titles at the top of their Axes (where matplotlib puts them anyway when no tick labels are
# above the Axes), instead of measuring every tick label on every draw to place them.
RENDER_RC = {"text.hinting": "no_hinting", "axes.titley": 1.0}


@contextmanager
def rendering() -> Iterator[None]:
    """The matplotlib settings widget figures are made, drawn and measured with (a context
    manager): ``with rendering(): fig.canvas.draw()``. Only these settings are set and put
    back (``matplotlib.rc_context`` copies all of them, a few milliseconds in a kernel)."""
    rc = matplotlib.rcParams
    before = {key: rc[key] for key in RENDER_RC}
    rc.update(RENDER_RC)
    try:
        yield
    finally:
        rc.update(before)


def png_bytes(pixels: np.ndarray, opaque: bool = False) -> bytes:
    """A PNG file of an (H, W, 3) RGB or (H, W, 4) RGBA uint8 image, lossless, written by
    Pillow (matplotlib's own image library) at zlib level 1: a widget's flat-coloured figure
    compresses almost as well as at the default level, in a fraction of the time.
    ``opaque``: an RGBA image is written as RGB (its alpha dropped by Pillow, without a copy
    in numpy): a quarter less to encode and to send."""
    from PIL import Image

    image = Image.fromarray(np.ascontiguousarray(pixels))
    if opaque and image.mode == "RGBA":
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


class FigureView:
    """A Figure shown as an ipywidgets.Image; ``refresh()`` re-renders it in place.

    Blitting: drawing text (tick labels, titles, legends) is most of matplotlib's time, and
    most of a widget's figure does not change from one slider move to the next. Artists a
    widget marks as moving (``animate(...)``, i.e. ``set_animated(True)``: lines, bars, texts,
    or whole Axes whose limits change) are drawn on every refresh, on top of a kept picture of
    everything else. That picture is drawn again only when something in it changed
    (matplotlib then marks the figure "stale"; a change to a moving artist does not). A figure
    without moving artists is drawn in full on every refresh. Artists marked ``on_top`` (a
    legend that never changes, over moving lines) are part of the kept picture, and their
    pixels are pasted back over the moving artists: they are not drawn again either.
    """

    def __init__(self, figsize: tuple[float, float], dpi: float = SCREEN_DPI) -> None:
        self.fig = Figure(figsize=figsize, dpi=dpi)
        FigureCanvasAgg(self.fig)
        width = round(figsize[0] * dpi)
        # shown at its own size (one figure pixel on one screen pixel), so the text has the
        # size on screen that its points say at this dpi (see labkit.plot.base)
        self.image = W.Image(format="png", layout=W.Layout(width=f"{width}px"))
        self._background = None   # the picture of everything that is not moving
        self._on_top = []         # ... and of the parts of it that stay above what moves

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
        with rendering():
            self._render()

    def _render(self) -> None:
        canvas = self.fig.canvas
        moving = self.moving_artists()
        if not moving:
            canvas.draw()
            self._background = None
        else:
            renderer = canvas.get_renderer()
            if self._background is None or self.fig.stale:
                canvas.draw()                 # draws every artist that is not animated
                self._background = canvas.copy_from_bbox(self.fig.bbox)
                # (2 pixels around the box: its antialiased edges)
                self._on_top = [canvas.copy_from_bbox(a.get_window_extent(renderer).padded(2))
                                for a in list(_ON_TOP) if a.figure is self.fig
                                and a.get_visible() and (a.axes is None
                                                         or a.axes.get_visible())]
            else:
                canvas.restore_region(self._background)
            for artist in moving:
                artist.draw(renderer)
            for region in self._on_top:
                canvas.restore_region(region)
            # drawing lays things out (tick labels, a legend's boxes) and so marks them
            # stale; like the end of Figure.draw, that is no change to draw again for
            self.fig.stale = False
        self.image.value = png_bytes(np.asarray(canvas.buffer_rgba()), opaque=True)


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


_ON_TOP: weakref.WeakSet[Artist] = weakref.WeakSet()


def on_top(*artists: Artist) -> None:
    """Marks artists that never change but must stay above a widget's moving parts (a legend
    over moving lines): kept with the picture of the rest and pasted back over the moving
    parts on every refresh, instead of being drawn again. Each must hide what lies under its
    box (a legend: ``framealpha=1``), and must not be inside a moving (animated) Axes: a
    legend of such an Axes is placed with ``fig.legend(..., bbox_transform=ax.transAxes)``."""
    for artist in artists:
        if artist.get_animated():
            raise ValueError(f"on_top: {artist!r} is a moving part (animated); an artist on "
                             "top is drawn once, with the picture of the rest")
        _ON_TOP.add(artist)


def clear_drawing(ax) -> None:
    """Removes everything drawn on ``ax`` (lines, patches, collections, texts, images), keeping
    the Axes with its ticks and settings: for a widget that draws a diagram anew on every
    redraw, several times faster than ``ax.cla()``, which also rebuilds the axis ticks."""
    for artist in [*ax.lines, *ax.patches, *ax.collections, *ax.texts, *ax.images,
                   *ax.artists]:
        artist.remove()


def fit_labels(controls: Iterable[W.Widget]) -> None:
    """Gives every control's description room for its whole text (ipywidgets cuts it at
    about 80 px, "learning r…"): one width, that of the longest description, for all the
    sliders and menus of a widget, so their rows line up; a checkbox puts its text after the
    box. A width a control already sets is kept. Widths are counted in ``ch`` (the width of
    a digit), a Chinese character as two (``text_width``), so Chinese labels are not cut."""
    labelled = [c for c in controls if getattr(c, "description", "")
                and not isinstance(c, (W.Checkbox, W.Button))]
    widest = max((text_width(c.description) for c in labelled), default=0)
    for control in labelled:
        if not control.style.description_width:
            control.style.description_width = f"{widest + 2}ch"
    for control in controls:
        if isinstance(control, W.Checkbox):
            control.indent = False
            control.layout.width = "auto"


def translated_options(names: Iterable[str]) -> list[str] | list[tuple[str, str]]:
    """A menu's options for values that are names (keys such as "ravine" or "momentum", the
    values the widget passes on): the names themselves, or (translated name, name) pairs
    when the language translates them. The values never change with the language."""
    names = list(names)
    shown = [(_(name), name) for name in names]
    return names if all(label == name for label, name in shown) else shown


def show_if(control: W.Widget, applies: bool) -> None:
    """Shows a control only where it applies to the current setting (a greyed one would
    still take room and attention); hidden, it is disabled too."""
    control.disabled = not applies
    control.layout.display = None if applies else "none"


def round_values(low: float, high: float,
                 mantissas: tuple[float, ...] = (1, 1.2, 1.5, 1.8, 2, 2.5, 3, 4, 5, 6, 8)
                 ) -> list[float]:
    """Round numbers from low to high, spread about evenly on a log scale (by default eleven per
    decade: 0.01, 0.012, 0.015, 0.02, 0.025, ...): the stops of a log slider."""
    values = []
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for m in mantissas:
            v = float(f"{m * 10.0 ** exponent:.6g}")
            if low * (1 - 1e-9) <= v <= high * (1 + 1e-9):
                values.append(v)
    return values


def log_slider(value: float, values: Iterable[float], description: str, fmt: str = "g",
               **kwargs: Any) -> W.SelectionSlider:
    """A slider over round values (e.g. ``round_values(1e-3, 1)``) whose readout is the value
    the widget uses, exactly ("0.3", not a rounded 0.316), written with ``fmt`` (the format
    the widget's title and status use too). ``value`` must be one of them."""
    values = list(values)
    if not any(math.isclose(value, v, rel_tol=1e-9) for v in values):
        raise ValueError(f"log_slider {description!r}: {value!r} is not one of its stops "
                         f"{values}")
    value = next(v for v in values if math.isclose(value, v, rel_tol=1e-9))
    return W.SelectionSlider(options=[(format(v, fmt), v) for v in values], value=value,
                             description=description, **kwargs)


DrawFn = Callable[[Figure, dict[str, Any]], "str | Status | None"]


class Lab:
    """Controls + figure + status line, redrawn on every change of a control.

    ``values`` are the controls' current values; ``set(**values)`` changes several at once
    with a single redraw; ``last_ms`` is how long the last redraw took (callback to PNG).
    ``beside``: a widget shown to the right of the figure (below it in a narrow notebook),
    e.g. text the draw function writes as HTML, which the browser draws much faster than
    matplotlib would. ``follow(lab, control)``: called when a control changes, before the
    redraw, to fit other controls to it (another surface, other start ranges): all of it is
    drawn once.
    """

    def __init__(self, title: str, controls: Mapping[str, W.ValueWidget], draw: DrawFn,
                 figsize: tuple[float, float] = (8.0, 3.2), dpi: float = SCREEN_DPI,
                 setup: Callable[[Figure], None] | None = None, columns: int = 3,
                 beside: W.Widget | None = None,
                 follow: Callable[[Lab, W.Widget], None] | None = None) -> None:
        self.title = title
        self.controls = dict(controls)
        self._draw = draw
        self.view = FigureView(figsize, dpi)
        self.status = W.HTML()
        self.last_ms = 0.0
        self.last_status = Status("")
        self._held = False
        self._follow, self._following = follow, False
        if setup is not None:
            with rendering():
                setup(self.view.fig)
        fit_labels(self.controls.values())
        # rows wrap rather than run off the right edge of a narrow notebook
        rows = [W.HBox(list(self.controls.values())[i:i + columns],
                       layout=W.Layout(flex_flow="row wrap"))
                for i in range(0, len(self.controls), columns)]
        header = W.HTML(f"<b>{html.escape(title)}</b>")
        picture = self.view.image if beside is None else W.HBox(
            [self.view.image, beside], layout=W.Layout(flex_flow="row wrap"))
        self.widget = W.VBox([header, *rows, picture, self.status])
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
        outer = not self._held          # nested holds: one redraw, at the end of the outer
        self._held = True
        try:
            yield
        finally:
            if outer:
                self._held = False
        if outer:
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
        if self._follow is not None and not self._following:
            failed = None
            with self.hold():            # the controls follow, then one redraw (or, inside
                self._following = True   # an outer hold, at its end)
                try:
                    self._follow(self, change["owner"])
                except Exception as exc:  # never a traceback: said in words, as in update
                    log.exception("%s: controls could not follow %s", self.title, self.values)
                    failed = exc
                finally:
                    self._following = False
            if failed is not None:
                self._show(Status(_("The controls could not follow this setting "
                                    "({error}: {message}). Please report it.").format(
                                        error=type(failed).__name__, message=failed),
                                  "error"))
        elif not self._held:
            self.update()

    def update(self, raise_errors: bool = False) -> Status:
        start = time.perf_counter()
        with rendering():   # a draw function that measures text measures it as drawn
            try:
                result = self._draw(self.view.fig, self.values)
                status = result if isinstance(result, Status) else Status(result or "")
            except Exception as exc:  # a slider callback must never show a traceback
                if raise_errors:
                    raise
                log.exception("%s: redraw failed for %s", self.title, self.values)
                status = Status(_("This setting could not be drawn ({error}: {message}). "
                                  "Please report it; the other settings still work.").format(
                                      error=type(exc).__name__, message=exc),
                                "error")
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
