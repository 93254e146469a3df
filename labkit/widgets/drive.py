"""Driving a Lab without a browser: the settings a control can take, sweeps and random draws.
Used by the widget tests, the widget fuzzing and the widget latency benchmark."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ipywidgets as W
import numpy as np

from .base import Lab, Status


def edge_values(control: W.ValueWidget) -> list[Any]:
    """The values worth trying on one control: its ends, its middle, every option."""
    if isinstance(control, (W.FloatLogSlider,)):
        lo, hi = control.min, control.max  # exponents
        return [control.base ** lo, control.base ** ((lo + hi) / 2), control.base ** hi]
    if isinstance(control, (W.IntSlider, W.BoundedIntText)):
        return sorted({control.min, (control.min + control.max) // 2, control.max})
    if isinstance(control, (W.FloatSlider, W.BoundedFloatText)):
        return [control.min, (control.min + control.max) / 2.0, control.max]
    if isinstance(control, (W.IntRangeSlider, W.FloatRangeSlider)):
        lo, hi = control.min, control.max
        return [(lo, hi), (lo, lo), (hi, hi)]
    if isinstance(control, W.SelectionSlider):          # a log slider's stops, say
        values = [value for _, value in _option_pairs(control)]
        return [values[0], values[len(values) // 2], values[-1]]
    if isinstance(control, W.Checkbox) or isinstance(control, W.ToggleButton):
        return [False, True]
    if hasattr(control, "options"):
        return [value for _, value in _option_pairs(control)]
    if isinstance(control, W.Button):
        return []
    raise TypeError(f"edge_values: no rule for a {type(control).__name__} control")


def random_value(control: W.ValueWidget, rng: np.random.Generator) -> Any:
    """A random setting of one control, a third of the time at one of its edges."""
    edges = edge_values(control)
    if not edges:
        return control.value
    if isinstance(control, W.SelectionSlider) and rng.random() >= 1 / 3:
        values = [value for _, value in _option_pairs(control)]
        return values[int(rng.integers(len(values)))]
    if rng.random() < 1 / 3 or not isinstance(
            control, (W.FloatSlider, W.FloatLogSlider, W.IntSlider)):
        return edges[int(rng.integers(len(edges)))]
    if isinstance(control, W.FloatLogSlider):
        return control.base ** rng.uniform(control.min, control.max)
    if isinstance(control, W.IntSlider):
        return int(rng.integers(control.min, control.max + 1))
    return float(rng.uniform(control.min, control.max))


def _option_pairs(control) -> list[tuple[str, Any]]:
    pairs = []
    for option in control.options:
        pairs.append(option if isinstance(option, tuple) else (str(option), option))
    return pairs


def sweep(lab: Lab) -> Iterator[tuple[dict[str, Any], Status]]:
    """Moves one control at a time through its edge values (the others at their start values)
    and yields (the setting, the status shown)."""
    start = lab.values
    for name, control in lab.controls.items():
        for value in edge_values(control):
            lab.set(**start)
            lab.set(**{name: value})
            yield lab.values, lab.last_status
    lab.set(**start)


def random_settings(lab: Lab, n: int, rng: np.random.Generator
                    ) -> Iterator[tuple[dict[str, Any], Status]]:
    """n random combinations of all controls at once (one redraw each)."""
    for _ in range(n):
        # one control after the other (a control may change another's options), one redraw
        with lab.hold():
            for control in lab.controls.values():
                control.value = random_value(control, rng)
        yield lab.values, lab.last_status
