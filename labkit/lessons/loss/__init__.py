"""Lesson 02, the loss (lessons/02_loss.ipynb): cross-entropy against MSE, and one sample's softmax.

Read compute.py, then figures.py, then widget.py:

    compute.py   the numbers the lesson prints: losses and gradients against the probability p
    figures.py   its figures: the loss curves, the softmax bars and the logit gradients
    widget.py    its widget: loss_lab, three logits and a true class

Here are the names the lesson imports (``from labkit.lessons.loss import ...``).
"""
from .compute import cross_entropy_vs_p, mse_vs_p
from .figures import plot_ce_and_mse_vs_p
from .widget import loss_lab

__all__ = ["cross_entropy_vs_p", "loss_lab", "mse_vs_p", "plot_ce_and_mse_vs_p"]
