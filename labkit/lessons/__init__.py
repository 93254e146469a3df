"""One module per lesson, named after it: the helpers only that lesson needs (ARCHITECTURE.md).

    labkit.lessons.forward_pass           lessons/01_forward_pass.ipynb
    labkit.lessons.loss                   lessons/02_loss.ipynb
    labkit.lessons.gradient_descent       lessons/03_gradient_descent.ipynb (and 09's surfaces)
    labkit.lessons.backprop               lessons/04_backprop.ipynb
    labkit.lessons.computational_graphs   lessons/05_computational_graphs.ipynb
    labkit.lessons.gradient_checking      lessons/07_gradient_checking.ipynb
    labkit.lessons.vanishing_exploding    lessons/08_vanishing_exploding.ipynb

A lesson module reads top to bottom: the numbers the lesson prints, then its figures, then its
widget. This layer sits above the widgets and below the course tooling; nothing is imported
here, so a lesson loads only its own module.
"""
