"""torch.nn.utils's names: gradient clipping and the gradient norm (``labkit.core.optim``)."""
from ..core.optim import clip_grad_norm_, get_total_norm

__all__ = ["clip_grad_norm_", "get_total_norm"]
