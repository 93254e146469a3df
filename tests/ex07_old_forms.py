"""Exercise 07 as it was before it asked for labkit's numerical_gradient(f, x, eps): a learner's
copy made then asks for numerical_gradient(W, X, y, eps), dL/dW of L = mean((X W^T - y)^2).
One source of those old answers, as a learner wrote them: the grader's tests put the text in a
notebook, the problems' tests define it as a function (``define``)."""
from __future__ import annotations

import numpy as np

OLD_SOLUTION = """def numerical_gradient(W, X, y, eps):
    def loss(W):
        return np.mean((X @ W.T - y) ** 2)
    grad = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        Wp, Wm = W.copy(), W.copy()
        Wp[i] += eps
        Wm[i] -= eps
        grad[i] = (loss(Wp) - loss(Wm)) / (2 * eps)
    return grad
"""
OLD_FORWARD_DIFFERENCE = """def numerical_gradient(W, X, y, eps):
    grad = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        Wp = W.copy()
        Wp[i] += eps
        grad[i] = (np.mean((X @ Wp.T - y) ** 2) - np.mean((X @ W.T - y) ** 2)) / eps
    return grad
"""
OLD_STUB = ("def numerical_gradient(W, X, y, eps):\n    # YOUR CODE HERE\n"
            "    raise NotImplementedError()\n")
# what the feedback adds for a function of the older form
OLDER = ("numerical_gradient(W, X, y, eps) is the older form of this exercise, and still "
         "counts for the same points")


def define(source: str):
    """The function ``source`` defines, with numpy as np (as in the exercise notebook)."""
    namespace = {"np": np}
    exec(source, namespace)
    return namespace["numerical_gradient"]
