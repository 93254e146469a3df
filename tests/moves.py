"""Where each lesson's figures and widget went when it joined its package,
labkit/lessons/<lesson>/ (ARCHITECTURE.md): one table for the layering test's shims and the
moved-modules test."""
from __future__ import annotations

# labkit.plot.<old> -> labkit.lessons.<new>.figures
FIGURES = [("forward", "forward_pass"), ("loss", "loss"), ("descent", "gradient_descent"),
           ("backprop", "backprop"), ("graph", "computational_graphs"),
           ("gradcheck", "gradient_checking"), ("optimizers", "optimizers"),
           ("classification", "capstone")]
# labkit.widgets.<old> -> labkit.lessons.<new>.widget
WIDGETS = [("forward", "forward_pass"), ("loss", "loss"), ("descent", "gradient_descent"),
           ("backprop", "backprop"), ("graph", "computational_graphs"),
           ("batches", "vectorization"), ("gradcheck", "gradient_checking"),
           ("vanishing", "vanishing_exploding"), ("optimizers", "optimizers"),
           ("capstone", "capstone")]

# old module -> its new module (and the catalog of all the widgets, now in the lessons layer)
MOVED_UP = {
    **{f"labkit.plot.{old}": f"labkit.lessons.{new}.figures" for old, new in FIGURES},
    **{f"labkit.widgets.{old}": f"labkit.lessons.{new}.widget" for old, new in WIDGETS},
    "labkit.widgets.catalog": "labkit.lessons.catalog",
}
