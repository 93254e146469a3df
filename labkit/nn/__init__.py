"""torch.nn's names for labkit's layers and losses (the code is in ``labkit.core``).

    from labkit import nn
    net = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
    nn.init.kaiming_normal_(net[0].W, nonlinearity="relu")
    nn.utils.clip_grad_norm_(net.parameters(), max_norm=1.0)
    nn.functional.cross_entropy(logits, targets)
"""
from ..core.dropout import Dropout
from ..core.layers import Identity, LeakyReLU, Linear, ReLU, Sequential, Sigmoid, Tanh
from ..core.losses import BCELoss, CrossEntropyLoss, MSELoss
from ..core.module import Module
from ..core.normalization import BatchNorm1d
from ..core.parameter import Parameter
from ..core.residual import Residual
from . import functional, init, utils

__all__ = ["BCELoss", "BatchNorm1d", "CrossEntropyLoss", "Dropout", "Identity", "LeakyReLU",
           "Linear", "MSELoss", "Module", "Parameter", "ReLU", "Residual", "Sequential",
           "Sigmoid", "Tanh", "functional", "init", "utils"]
