"""``labkit.course`` as a graded submission's kernel sees it (sandbox.py mounts this file as
its ``__init__.py``, beside ``probe.py`` and ``plain.py``): no problem, reference or grader.

While grading, the check cells are replaced by the grader's probes; a ``check`` the learner
calls anyway only says so. ``use_mine`` (labkit on the learner's formula: mine.py) does
nothing here: the cells that use it are not graded, and labkit's classes are not in this view.
"""


def check(name, fn=None, *args, **kwargs):
    print(f"check({name!r}) gives feedback in your own notebook; while grading, the grader "
          "tests your function itself")


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


def use_mine(*functions, **kwargs):
    print("use_mine runs labkit on your functions in your own notebook; while grading, the "
          "grader tests your functions themselves")
    return _Nothing()


def restore_library(*names, **kwargs):
    return None
