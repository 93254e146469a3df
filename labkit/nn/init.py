"""torch.nn.init's names for labkit's initializers (``labkit.core.init``), and the lessons'
``init_std(scheme, fan_in, fan_out)``."""
from ..core.init import (calculate_gain, constant_, init_std, kaiming_normal_, kaiming_uniform_,
                         normal_, ones_, uniform_, xavier_normal_, xavier_uniform_, zeros_)

__all__ = ["calculate_gain", "constant_", "init_std", "kaiming_normal_", "kaiming_uniform_",
           "normal_", "ones_", "uniform_", "xavier_normal_", "xavier_uniform_", "zeros_"]
