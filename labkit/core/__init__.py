"""labkit's core, the library a learner reads: numpy and the standard library only.

One module per idea: ``parameter``, ``module`` (Module, and the argument checks), ``layers``
(Linear, the activations, Sequential and their formulas), ``normalization``, ``dropout``,
``residual``, ``losses``, ``optim`` (optimizers, their step formulas, gradient clipping),
``schedules``, ``init``, ``value`` (scalar autograd), ``gradcheck``, ``metrics``,
``random``, ``train`` (``fit``). ``labkit.nn`` and ``labkit.optim`` give their classes torch's
names; ``import labkit as lk`` has the shortcuts the lessons use (``lk.Linear``, ``lk.SGD``).
The data sets the lessons train on are apart, in ``labkit.datasets``.
"""
from . import (  # noqa: F401  (the modules, as attributes: lk.core.layers, ...)
    custom_optim, dropout, gradcheck, init, layers, losses, metrics, module, normalization,
    optim, parameter, random, residual, schedules, train, value)
