"""``labkit.course`` as a graded submission's kernel sees it (sandbox.py mounts this file as
its ``__init__.py``, beside ``probe.py`` and ``plain.py``): no problem, reference or grader.

While grading, the check cells are replaced by the grader's probes; a ``check`` the learner
calls anyway only says so.
"""


def check(name, fn=None, *args, **kwargs):
    print(f"check({name!r}) gives feedback in your own notebook; while grading, the grader "
          "tests your function itself")
