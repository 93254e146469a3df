"""Lesson 02, the loss (lessons/02_loss.ipynb): cross-entropy against MSE, and one sample's softmax.

Read compute.py, then figures.py, then widget.py:

    compute.py   the numbers the lesson prints: losses and gradients against the probability p
    figures.py   its figures: the loss curves, the softmax bars and the logit gradients
    widget.py    its widget: loss_lab, three logits and a true class

Here are the names the lesson imports (``from labkit.lessons.loss import ...``).
"""
from .._lazy import lazy_exports

# what the lesson imports from each module, imported on first use (labkit/lessons/_lazy.py)
__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "compute": ["cross_entropy_vs_p", "mse_vs_p"],
    "figures": ["plot_ce_and_mse_vs_p"],
    "widget": ["loss_lab"],
})
