"""Plotting helpers (matplotlib). Each helper draws on ``ax`` when given (widgets pass their
own axes) or on a new pyplot figure of an explicit size, and returns the Axes."""
from .activations import activation_and_derivative, plot_activation
from .base import new_axes
from .network import draw_network, node_positions

__all__ = ["activation_and_derivative", "draw_network", "new_axes", "node_positions",
           "plot_activation"]

# Figures follow the language labkit speaks: Chinese text gets a CJK fallback font
from ..core.i18n import on_language_change  # noqa: E402
from .fonts import follow_language  # noqa: E402

on_language_change(follow_language)
