"""torch.nn.functional's names for labkit's formula functions (the code is in ``labkit.core``):

    from labkit.nn import functional as F
    z = F.linear(X, W, b)            # z = X W^T + b
    loss = F.cross_entropy(z, t)     # mean of -log softmax(z)[n, t_n]

Each one is a plain function of arrays, as in torch, without the layer object around it.
softmax and log_softmax work along the last axis (torch's ``dim=-1``) of a batch (N, C).
"""
import numpy as np

from ..core.layers import linear_forward as linear
from ..core.layers import relu, sigmoid
from ..core.losses import cross_entropy, log_softmax, softmax
from ..core.losses import mse as mse_loss

tanh = np.tanh

__all__ = ["cross_entropy", "linear", "log_softmax", "mse_loss", "relu", "sigmoid", "softmax",
           "tanh"]
