"""One package per lesson, named after it: the code only that lesson needs (ARCHITECTURE.md).

    labkit.lessons.forward_pass           lessons/01_forward_pass.ipynb
    labkit.lessons.loss                   lessons/02_loss.ipynb
    labkit.lessons.gradient_descent       lessons/03_gradient_descent.ipynb (and 09's surfaces)
    labkit.lessons.backprop               lessons/04_backprop.ipynb
    labkit.lessons.computational_graphs   lessons/05_computational_graphs.ipynb
    labkit.lessons.vectorization          lessons/06_vectorization.ipynb
    labkit.lessons.gradient_checking      lessons/07_gradient_checking.ipynb
    labkit.lessons.vanishing_exploding    lessons/08_vanishing_exploding.ipynb
    labkit.lessons.optimizers             lessons/09_optimizers.ipynb
    labkit.lessons.capstone               lessons/10_capstone.ipynb
    labkit.lessons.catalog                every lesson's widget, as its lesson shows it

Every lesson package has the same files: ``compute.py`` (the numbers the lesson prints),
``figures.py`` (its matplotlib figures) and ``widget.py`` (its ipywidgets lab), each only where
the lesson has one, and an ``__init__.py`` with the names the lesson imports, each imported on
first use (``_lazy.py``). This layer sits above the widgets and below the course tooling;
nothing is imported here, so a lesson loads only its own package.
"""

import pkgutil

from ._lazy import lazy_exports

LESSONS = tuple(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg)

# ``lk.lessons.backprop`` imports that lesson's package on first use, as a lesson package's
# own modules are (no names re-exported here: the table lists the packages alone)
_, __getattr__, __dir__ = lazy_exports(__name__, {lesson: [] for lesson in LESSONS})
