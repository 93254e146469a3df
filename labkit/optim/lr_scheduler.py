"""torch.optim.lr_scheduler's names for labkit's schedulers (``labkit.core.schedules``);
``LRScheduler`` is their base class, as in torch."""
from ..core.schedules import CosineAnnealingLR, LambdaLR, StepLR
from ..core.schedules import Scheduler as LRScheduler

__all__ = ["CosineAnnealingLR", "LRScheduler", "LambdaLR", "StepLR"]
