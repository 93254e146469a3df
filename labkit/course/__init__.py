"""Course tooling: notebook execution, exercises, checks and grading (the top layer).

``from labkit.course import check, use_mine`` is what an exercise notebook imports: ``check``
gives one line of feedback on the learner's function, ``use_mine`` makes labkit's classes
call it (``restore_library`` undoes that).
"""
from .checks import CheckFailed, check
from .mine import restore_library, use_mine

__all__ = ["CheckFailed", "check", "restore_library", "use_mine"]
