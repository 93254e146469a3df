"""A plain vectorized numpy MLP, CS231n-style: the yardstick labkit's training step is timed against.

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
    loss = -np.mean(y * log_p + (1 - y) * log_1mp)
    dp = (p - y) / np.maximum(p * (1 - p), 1e-12) / p.size
    return float(loss), dp


def softmax_loss(logits, y):
    """torch.nn.CrossEntropyLoss: logits (N, C), integer targets (N,), mean over the batch."""
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(s[:, 0]) - shifted[np.arange(n), y])
    dlogits = e / s
    dlogits[np.arange(n), y] -= 1
    dlogits /= n
    return float(loss), dlogits


LOSSES = {"bce": bce_loss, "ce": softmax_loss}

# --- the network --------------------------------------------------------------------------------


class MLP:
    """Linear layers with `hidden` activations between them and an optional `output` one.

    ``params`` holds W0, b0, W1, b1, ... (the arrays given, not copies); ``step`` does one
    forward + loss + backward + SGD update and returns the loss.
    """

    def __init__(self, weights, hidden: str, output: str | None, loss: str, lr: float) -> None:
        self.params = {}
        for i, (W, b) in enumerate(weights):
            self.params[f"W{i}"], self.params[f"b{i}"] = W, b
        self.n_layers = len(weights)
        self.hidden, self.output = ACTIVATIONS[hidden], ACTIVATIONS.get(output)
        self.loss, self.lr = LOSSES[loss], lr

    def forward(self, X):
        caches, a = [], X
        for i in range(self.n_layers):
            a, cache = affine_forward(a, self.params[f"W{i}"], self.params[f"b{i}"])
            caches.append(cache)
            act = self.hidden if i < self.n_layers - 1 else self.output
            if act is not None:
                a, cache = act[0](a)
                caches.append(cache)
        return a, caches

    def backward(self, dout, caches):
        grads = {}
        for i in reversed(range(self.n_layers)):
            act = self.hidden if i < self.n_layers - 1 else self.output
            if act is not None:
                dout = act[1](dout, caches.pop())
            dout, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dout, caches.pop())
        return dout, grads                                   # dL/dX and the parameter gradients

    def step(self, X, y) -> float:
        out, caches = self.forward(X)
        loss, dout = self.loss(out, y)
        _, grads = self.backward(dout, caches)
        for name, g in grads.items():                        # SGD: theta <- theta - lr * g
            self.params[name] -= self.lr * g
        return loss
