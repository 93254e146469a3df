"""BatchNorm1d, as torch.nn.BatchNorm1d on (N, C) inputs.

Training (statistics of the batch, per feature j):
    mu = mean_n x,  var = mean_n (x - mu)^2,  x_hat = (x - mu) / sqrt(var + eps)
    y = gamma * x_hat + beta
    running_mean <- (1 - momentum) running_mean + momentum mu
    running_var  <- (1 - momentum) running_var  + momentum var * N / (N - 1)   (unbiased)
    momentum=None: the cumulative average over the t batches so far, momentum = 1 / t (torch)
Evaluation: the running statistics replace mu and var.
Backward (training), with delta = dL/dy, inv_std = 1 / sqrt(var + eps), means over the batch:
    dgamma = sum_n delta * x_hat,  dbeta = sum_n delta
    dx = gamma * inv_std * (delta - mean_n delta - x_hat * mean_n (delta * x_hat))
(written with x_hat, never x - mu, and gamma outside the means: no intermediate overflow for
large but finite x, gamma or delta, as torch)
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .module import Module, check_grad_out, check_input, no_forward_error
from .parameter import Parameter


class BatchNorm1d(Module):
    """Normalizes each feature over the batch, then scales by gamma and shifts by beta."""

    buffer_names = ("running_mean", "running_var", "num_batches_tracked")

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 dtype=np.float64) -> None:
        if not isinstance(num_features, int) or num_features < 1:
            raise ValueError(f"BatchNorm1d: num_features must be a positive int, "
                             f"got {num_features!r}")
        if momentum is not None and not (isinstance(momentum, (int, float))
                                         and not isinstance(momentum, bool) and 0 <= momentum <= 1):
            raise ValueError(f"BatchNorm1d: momentum must be in [0, 1] or None (cumulative "
                             f"average), got {momentum!r}")
        if not eps > 0:
            raise ValueError(f"BatchNorm1d: eps must be > 0, got {eps!r}")
        self.num_features, self.eps = num_features, float(eps)
        self.momentum = None if momentum is None else float(momentum)
        self.num_batches_tracked = np.zeros((), dtype=np.int64)   # a buffer, as in torch
        self.gamma = Parameter(np.ones(num_features, dtype=dtype), "gamma")
        self.beta = Parameter(np.zeros(num_features, dtype=dtype), "beta")
        self.running_mean = np.zeros(num_features, dtype=dtype)
        self.running_var = np.ones(num_features, dtype=dtype)
        self._cache: tuple | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        check_input(self, x, self.num_features)
        if self.training:
            n = x.shape[0]
            if n < 2:
                raise ValueError(f"{self!r}: training needs a batch of at least 2 samples to "
                                 f"estimate a variance, got {n}")
            mu = x.mean(axis=0)
            var = x.var(axis=0)
            self.num_batches_tracked += 1                  # in place: the buffer is shared
            m = 1.0 / int(self.num_batches_tracked) if self.momentum is None else self.momentum
            self.running_mean *= 1.0 - m
            self.running_mean += m * mu
            self.running_var *= 1.0 - m
            self.running_var += m * var * (n / (n - 1))
        else:
            mu, var = self.running_mean, self.running_var
        inv_std = 1.0 / np.sqrt(var + self.eps)
        x_hat = (x - mu) * inv_std
        self._cache = (x_hat, inv_std, self.training)
        return self.gamma.data * x_hat + self.beta.data

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        if self._cache is None:
            raise no_forward_error(self)
        x_hat, inv_std, training = self._cache
        check_grad_out(self, grad_out, x_hat.shape)
        delta = grad_out
        self.gamma.accumulate_grad((delta * x_hat).sum(axis=0))     # dgamma = sum_n delta x_hat
        self.beta.accumulate_grad(delta.sum(axis=0))                # dbeta = sum_n delta
        scale = self.gamma.data * inv_std       # gamma is one number per feature
        if not training:  # the statistics are constants in evaluation mode
            return scale * delta
        # dx = gamma * inv_std * (delta - mean(delta) - x_hat * mean(delta * x_hat)), gamma
        # taken out of the batch means, so large gamma and delta do not overflow inside them
        return scale * (delta - delta.mean(axis=0) - x_hat * (delta * x_hat).mean(axis=0))

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        yield "gamma", self.gamma
        yield "beta", self.beta

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps:g}, momentum={self.momentum}"
