"""Moved: lesson 08's deep MLPs (deep_mlp, MLPSettings) live in
``labkit.lessons.vanishing_exploding`` now, and the gradient measurements (gradient_profile,
GradientProfile, vanishing_ratio, linear_layers) in ``labkit.diagnostics``.

This old path works for one release and warns (DeprecationWarning); ARCHITECTURE.md lists
where every module went.
"""
import importlib

from ._moved import moved

TO_DIAGNOSTICS = ("GradientProfile", "gradient_profile", "linear_layers", "vanishing_ratio")


def __getattr__(name: str):
    if name in TO_DIAGNOSTICS:
        return moved(__name__, name, lambda: importlib.import_module("labkit.diagnostics"))
    return moved(__name__, name,
                 lambda: importlib.import_module("labkit.lessons.vanishing_exploding.compute"))
