"""labkit's core, the library a learner reads: numpy and the standard library only.

Layers, losses, optimizers and their formulas, scalar autograd, gradient checking, data and
the training loop. ``labkit.nn`` and ``labkit.optim`` give them torch's names; ``import labkit
as lk`` has the shortcuts the lessons use (``lk.Linear``, ``lk.SGD``, ...).
"""
from . import init
from .custom_optim import FunctionOptimizer
from .data import (load_digits, make_circles, make_moons, make_regression_1d, make_spirals,
                   make_xor, train_test_split)
from .dropout import Dropout
from .gradcheck import (GradCheckReport, GradCheckRow, check_gradients, numerical_gradient,
                        relative_error)
from .layers import (ACTIVATIONS, Activation, Identity, LeakyReLU, Linear, ReLU, Sequential,
                     Sigmoid, Tanh, linear_backward, linear_forward, relu, relu_backward, sigmoid,
                     sigmoid_backward, tanh_backward)
from .losses import (BCELoss, CrossEntropyLoss, Loss, MSELoss, cross_entropy,
                     cross_entropy_grad, log_softmax, mse, mse_grad, softmax)
from .metrics import accuracy, confusion_matrix, predict_classes
from .module import Module
from .normalization import BatchNorm1d
from .optim import (SGD, Adam, Optimizer, RMSprop, adam_step, clip_grad_norm, clip_grad_norm_,
                    get_total_norm, grad_norm, momentum_step)
from .parameter import Parameter
from .random import get_rng, manual_seed
from .residual import Residual
from .schedules import CosineAnnealingLR, LambdaLR, StepLR
from .train import History, TrainingDiverged, fit, layer_groups
from .value import Value

