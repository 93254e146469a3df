"""Backprop Lab's teaching library.

    import labkit as lk
    net = lk.Sequential(lk.Linear(2, 16), lk.Tanh(), lk.Linear(16, 1))

The names the lessons use are here; every name also lives where PyTorch puts it
(``lk.nn.Linear``, ``lk.nn.init``, ``lk.nn.utils.clip_grad_norm_``, ``lk.optim.Adam``,
``lk.optim.lr_scheduler.StepLR``) and the whole library in ``labkit.core`` (numpy only). The
drawing layers ``lk.plot`` (matplotlib), ``lk.widgets`` (ipywidgets) and ``lk.course``
(exercises, grading) are imported on first use, so ``import labkit`` needs numpy alone.
"""
from __future__ import annotations

import importlib

from . import nn, optim
from .core.custom_optim import FunctionOptimizer
from .core.gradcheck import check_gradients, numerical_gradient, relative_error
from .core.i18n import set_language
from .core.layers import sigmoid
from .core.losses import softmax
from .core.metrics import accuracy, confusion_matrix, predict_classes
from .core.module import renamed
from .core.optim import SGD, Adam, RMSprop
from .core.random import manual_seed
from .core.train import History, TrainingDiverged, fit
from .core.value import Value
from .datasets import (load_digits, make_circles, make_moons, make_regression_1d, make_spirals,
                       make_xor, train_test_split)
from .nn import (BatchNorm1d, BCELoss, CrossEntropyLoss, Dropout, Identity, LeakyReLU, Linear,
                 Module, MSELoss, Parameter, ReLU, Residual, Sequential, Sigmoid, Tanh)

__version__ = "0.1.0"
_LAZY = ("diagnostics", "bridge", "plot", "widgets", "lessons", "course")
__all__ = [
    "Adam", "BCELoss", "BatchNorm1d", "CrossEntropyLoss", "Dropout", "FunctionOptimizer",
    "History", "Identity", "LeakyReLU", "Linear", "MSELoss", "Module", "Parameter", "RMSprop",
    "ReLU", "Residual", "SGD", "Sequential", "Sigmoid", "Tanh", "TrainingDiverged", "Value",
    "accuracy", "check_gradients", "confusion_matrix", "fit", "load_digits", "make_circles",
    "make_moons", "make_regression_1d", "make_spirals", "make_xor", "manual_seed", "nn",
    "numerical_gradient", "optim", "predict_classes", "relative_error", "set_language", "sigmoid",
    "softmax",
    "train_test_split", *_LAZY,
]


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    return renamed(__name__, name, _RENAMED)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


# --- the old names (one release): what to use now, and where the object is ----------------
def _core(module: str, name: str):
    return lambda: getattr(importlib.import_module(f"labkit.core.{module}"), name)


_RENAMED = {
    "Activation": ("labkit.core.layers.Activation", _core("layers", "Activation")),
    "Loss": ("labkit.core.losses.Loss", _core("losses", "Loss")),
    "log_softmax": ("labkit.core.losses.log_softmax", _core("losses", "log_softmax")),
    "tanh": ("numpy.tanh", lambda: importlib.import_module("numpy").tanh),
    "Optimizer": ("labkit.optim.Optimizer", _core("optim", "Optimizer")),
    "grad_norm": ("labkit.core.optim.grad_norm", _core("optim", "grad_norm")),
    "clip_grad_norm": ("labkit.nn.utils.clip_grad_norm_ (in place, as torch)",
                       _core("optim", "clip_grad_norm_")),
    "init": ("labkit.nn.init", lambda: nn.init),
    "get_rng": ("labkit.core.random.get_rng", _core("random", "get_rng")),
    "layer_groups": ("labkit.core.train.layer_groups", _core("train", "layer_groups")),
    "GradCheckReport": ("labkit.core.gradcheck.GradCheckReport",
                        _core("gradcheck", "GradCheckReport")),
    "GradCheckRow": ("labkit.core.gradcheck.GradCheckRow", _core("gradcheck", "GradCheckRow")),
    "StepDecay": ("labkit.optim.lr_scheduler.StepLR", _core("schedules", "_StepDecay")),
    "CosineDecay": ("labkit.optim.lr_scheduler.CosineAnnealingLR",
                    _core("schedules", "_CosineDecay")),
    "LRScheduler": ("labkit.optim.lr_scheduler.LambdaLR", _core("schedules", "_LRScheduler")),
}
