"""torch.optim's names for labkit's optimizers (the code is in ``labkit.core.optim``).

    from labkit import optim
    opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    sched = optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
"""
from ..core.custom_optim import FunctionOptimizer
from ..core.optim import SGD, Adam, Optimizer, RMSprop
from . import lr_scheduler

__all__ = ["SGD", "Adam", "FunctionOptimizer", "Optimizer", "RMSprop", "lr_scheduler"]
