"""A plain vectorized numpy MLP, CS231n-style: the yardstick for labkit's training step.

Each layer is a pair of functions: ``*_forward`` returns the output and a ``cache`` of what the
backward pass needs, ``*_backward`` takes dL/d(output) and the cache and returns dL/d(input)
(and the parameter gradients). Batch-first rows; ``W`` has shape (out, in) so z = x W^T + b as
``torch.nn.Linear``. The losses and the SGD update follow torch's formulas, so from the same
weights the loss curve is the same as labkit's and torch's.

It is what a careful person writes by hand: one new array per result, no in-place tricks
beyond the SGD update, no input validation, no gradient accumulation. Like labkit (whose
``Sequential.backward`` returns dL/dX), it also computes dL/dX of the first layer.
"""
from __future__ import annotations

import numpy as np

# --- layers: forward -> (out, cache);  backward(dout, cache) -> gradients ---------------------


def affine_forward(x, W, b):
    return x @ W.T + b, (x, W)


def affine_backward(dout, cache):
    x, W = cache
    return dout @ W, dout.T @ x, dout.sum(axis=0)       # dx, dW, db


def relu_forward(z):
    a = np.maximum(z, 0)
    return a, a


def relu_backward(da, a):
    return da * (a > 0)


def tanh_forward(z):
    a = np.tanh(z)
    return a, a


def tanh_backward(da, a):
    return da * (1 - a * a)


def sigmoid_forward(z):
    a = 0.5 * (1 + np.tanh(0.5 * z))       # = 1 / (1 + exp(-z)), without overflow
    return a, a


def sigmoid_backward(da, a):
    return da * a * (1 - a)


ACTIVATIONS = {"relu": (relu_forward, relu_backward), "tanh": (tanh_forward, tanh_backward),
               "sigmoid": (sigmoid_forward, sigmoid_backward)}

# --- losses: (loss as a float, dL/d(prediction)) ----------------------------------------------


def bce_loss(p, y):
    """torch.nn.BCELoss on probabilities: logs clamped at -100, denominator at 1e-12."""
    log_p = np.maximum(np.log(p), -100)
    log_1mp = np.maximum(np.log(1 - p), -100)
    loss = -(y * log_p + (1 - y) * log_1mp).mean()
    dp = (p - y) / np.maximum(p * (1 - p), 1e-12) / p.size
    return float(loss), dp


def softmax_loss(logits, y):
    """torch.nn.CrossEntropyLoss: logits (N, C), integer targets (N,), mean over the batch."""
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    loss = (np.log(s[:, 0]) - shifted[np.arange(n), y]).mean()
    dlogits = e / s
    dlogits[np.arange(n), y] -= 1
    dlogits /= n
    return float(loss), dlogits


LOSSES = {"bce": bce_loss, "ce": softmax_loss}

# --- the network --------------------------------------------------------------------------------


class MLP:
    """Linear layers with `hidden` activations between them and an optional `output` one.

    ``params`` holds [W, b] per layer (the arrays given, not copies); ``step`` does one
    forward + loss + backward + SGD update and returns the loss.
    """

    def __init__(self, weights, hidden: str, output: str | None, loss: str, lr: float) -> None:
        self.params = [[W, b] for W, b in weights]
        n = len(self.params)
        self.acts = [ACTIVATIONS[hidden]] * (n - 1) + [ACTIVATIONS.get(output)]
        self.loss, self.lr = LOSSES[loss], lr

    def forward(self, X):
        caches, a = [], X
        for (W, b), act in zip(self.params, self.acts):
            a, affine_cache = affine_forward(a, W, b)
            act_cache = None
            if act is not None:
                a, act_cache = act[0](a)
            caches.append((affine_cache, act_cache))
        return a, caches

    def backward(self, dout, caches):
        grads = []
        for act, (affine_cache, act_cache) in zip(reversed(self.acts), reversed(caches)):
            if act is not None:
                dout = act[1](dout, act_cache)
            dout, dW, db = affine_backward(dout, affine_cache)
            grads.append((dW, db))
        return dout, grads[::-1]                            # dL/dX and (dW, db) per layer

    def step(self, X, y) -> float:
        out, caches = self.forward(X)
        loss, dout = self.loss(out, y)
        _, grads = self.backward(dout, caches)
        for (W, b), (dW, db) in zip(self.params, grads):   # SGD: theta <- theta - lr * g
            W -= self.lr * dW
            b -= self.lr * db
        return loss
