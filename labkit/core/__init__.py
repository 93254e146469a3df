"""labkit's core: numpy only. Layers, losses, optimizers, scalar autograd, gradient
checking, data and the training loop. Nothing here imports matplotlib or ipywidgets."""
from . import init
from .custom_optim import FunctionOptimizer
from .data import (
                   load_digits,
                   make_circles,
                   make_moons,
                   make_regression_1d,
                   make_spirals,
                   make_xor,
                   train_test_split,
)
from .dropout import Dropout
from .gradcheck import (
                   GradCheckReport,
                   GradCheckRow,
                   check_gradients,
                   numerical_gradient,
                   relative_error,
)
from .layers import (
                   Activation,
                   Identity,
                   LeakyReLU,
                   Linear,
                   ReLU,
                   Sequential,
                   Sigmoid,
                   Tanh,
                   sigmoid,
                   tanh,
)
from .losses import BCELoss, CrossEntropyLoss, Loss, MSELoss, log_softmax, softmax
from .metrics import accuracy, confusion_matrix, predict_classes
from .module import Module
from .normalization import BatchNorm1d
from .optim import SGD, Adam, Optimizer, RMSprop, clip_grad_norm, grad_norm
from .parameter import Parameter
from .random import get_rng, manual_seed
from .residual import Residual
from .train import History, TrainingDiverged, fit, layer_groups
from .value import Value

__all__ = [
    "Activation", "Adam", "BCELoss", "BatchNorm1d", "CrossEntropyLoss", "Dropout",
    "FunctionOptimizer", "GradCheckReport", "GradCheckRow", "History", "Identity", "LeakyReLU",
    "Linear", "Loss", "MSELoss", "Module", "Optimizer", "Parameter", "RMSprop", "ReLU",
    "Residual", "SGD", "Sequential", "Sigmoid", "Tanh", "TrainingDiverged", "Value",
    "accuracy", "check_gradients", "clip_grad_norm", "confusion_matrix", "fit", "get_rng",
    "grad_norm", "init",
    "layer_groups", "load_digits", "log_softmax", "make_circles", "make_moons",
    "make_regression_1d", "make_spirals", "make_xor", "manual_seed", "numerical_gradient",
    "predict_classes", "relative_error", "sigmoid", "softmax", "tanh", "train_test_split",
]
from .schedules import CosineDecay, LRScheduler, StepDecay  # noqa: E402

__all__ += ["CosineDecay", "LRScheduler", "StepDecay"]
