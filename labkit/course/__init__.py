"""Course tooling: notebook execution, exercises, checks and grading (the top layer).

``from labkit.course import check`` is what an exercise notebook imports.
"""
from .checks import CheckFailed, check

__all__ = ["CheckFailed", "check"]
