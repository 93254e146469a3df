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
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

log = logging.getLogger(__name__)

LEVEL_COLORS = {"info": "#1b5e20", "warning": "#b45309", "error": "#b91c1c"}


@dataclass(frozen=True)
class Status:
    """A message in words under the figure; ``level`` is "info", "warning" or "error"."""

    text: str
    level: str = "info"


class FigureView:
    """A Figure shown as an ipywidgets.Image; ``refresh()`` re-renders it in place."""

    def __init__(self, figsize: tuple[float, float], dpi: int = 80) -> None:
        self.fig = Figure(figsize=figsize, dpi=dpi)
        FigureCanvasAgg(self.fig)
        width = int(figsize[0] * dpi)
        self.image = W.Image(format="png", layout=W.Layout(width=f"{width}px"))

    def refresh(self) -> None:
        # draw once with Agg and encode the pixels with a fast PNG setting (no second draw)
        self.fig.canvas.draw()
        buf = io.BytesIO()
        Image.fromarray(np.asarray(self.fig.canvas.buffer_rgba())).save(
            buf, format="png", compress_level=1)
        self.image.value = buf.getvalue()


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
