"""Bridges from labkit to other libraries: the same network in PyTorch, compared number by
number. Above the core (it reads labkit networks), beside diagnostics; torch is imported
inside the functions, so ``import labkit.bridge`` needs numpy alone."""
from .torch_compare import (
    ParamComparison,
    TorchComparison,
    compare_with_torch,
    loss_to_torch,
    to_torch,
    torch_available,
)

__all__ = ["ParamComparison", "TorchComparison", "compare_with_torch", "loss_to_torch",
           "to_torch", "torch_available"]
