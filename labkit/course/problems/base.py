"""A graded problem: the function a learner writes, random cases, a reference, misconceptions.

The same Problem serves the learner's ``check`` in the notebook (feedback, fresh random cases
every time) and the grader (cases drawn from the grader's own seed, results compared in the
grader's process). Feedback names the misconception, never the expected numbers.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...core.i18n import _
from ..plain import Unsupported, from_plain, same, shape_problem, to_plain
from ..probe import Outcome, call, run_cases  # noqa: F401  (kernel side; re-exported)


@dataclass(frozen=True)
class Misconception:
    """A wrong way to compute the answer, and what to tell a learner whose results match it
    (``feedback`` marked with ``N_``: it is translated when the check speaks)."""

    wrong: Callable[..., Any]
    feedback: str


@dataclass(frozen=True)
class Problem:
    """One function the learner must write.

    make_case(rng) -> the arguments of one call (a tuple);
    reference(*args) -> the right answer (floats, arrays, tuples of them);
    validate(args, result) -> None when right, else words (for problems with many right
    answers, e.g. a topological order); used instead of reference when given.
    forbid: the libraries whose implementation of this very formula the grader refuses
    (grading runs the part in a sandbox where they cannot be imported: see sandbox.py).
    call: None to call the function as fn(*case), or the name of the kernel-side caller in
    probe.CALLS that turns a case into its arguments (a function argument, which cannot
    travel as plain data); the reference and the misconceptions are called the same way.
    older: the problem's legacy form, as the exercise asked for it before it changed (a
    learner's copy in my-work/ is never updated): a function written to it is judged by it,
    for the same points (``judge_forms``). It runs in this problem's kernel, under its forbid.
    """

    name: str
    function: str
    signature: str
    make_case: Callable[[np.random.Generator], tuple]
    reference: Callable[..., Any] | None = None
    misconceptions: Sequence[Misconception] = field(default_factory=tuple)
    validate: Callable[[tuple, Any], str | None] | None = None
    rtol: float = 1e-6
    atol: float = 1e-9
    forbid: tuple[str, ...] = ("labkit", "torch", "micrograd")
    call: str | None = None
    older: Problem | None = None

    @property
    def forms(self) -> tuple[Problem, ...]:
        """This problem, then its legacy form (if any): each is run and judged on its own."""
        return (self,) if self.older is None else (self, self.older)

    def cases(self, rng: np.random.Generator, n: int) -> list[tuple]:
        return [self.make_case(rng) for _ in range(n)]

    @property
    def formula(self) -> Callable[..., Any] | None:
        """The library function this problem asks for: its reference when that is a function
        of labkit of the same name, in the core (``linear_backward`` of labkit/core/layers.py,
        which ``lk.Linear`` calls) or in a lesson's package (``run_gd`` of
        labkit/lessons/gradient_descent/compute.py); None otherwise."""
        module = getattr(self.reference, "__module__", None) or ""
        named = getattr(self.reference, "__name__", None) == self.function
        return self.reference if module.startswith(LIBRARY) and named else None


LIBRARY = ("labkit.core.", "labkit.lessons.")   # where the formulas the exercises ask for live


@dataclass(frozen=True)
class Verdict:
    passed: bool
    feedback: str
    cases: int
    older: bool = False     # judged as the problem's legacy form (the feedback says so)


def judge(problem: Problem, cases: Sequence[tuple], outcomes: Sequence[Outcome]) -> Verdict:
    """Compares the learner's outcomes with the reference and explains a failure in words."""
    n = len(cases)
    fn = problem.function
    if outcomes and outcomes[0].missing:
        return Verdict(False, _("{function} is not defined: define a function named "
                                "{signature}").format(function=fn,
                                                      signature=problem.signature), n)
    if len(outcomes) < n:
        return Verdict(False, _("{function}: only {ran} of {n} cases ran (a timeout, or the "
                                "kernel stopped)").format(function=fn, ran=len(outcomes), n=n),
                       n)
    if any(o.error == "NotImplementedError" for o in outcomes):
        return Verdict(False, _("{function}: not implemented yet (replace "
                                "`raise NotImplementedError()` with your code)").format(
                                    function=fn), n)
    ran = [(args, o.result) for args, o in zip(cases, outcomes)
           if o.error is None and not isinstance(o.result, Unsupported)]
    if problem.validate is not None:
        words = next((w for args, r in ran if (w := problem.validate(args, r))), None)
        if words:
            return Verdict(False, _("{function}: {words}").format(function=fn, words=words), n)
    else:
        right = [same(r, expected(problem, args), problem.rtol, problem.atol)
                 for args, r in ran]
        if len(ran) == n and all(right):
            return Verdict(True, _("{function}: {n} random cases passed").format(function=fn,
                                                                                 n=n), n)
        # a misconception explains every case that ran (others may have crashed on shapes)
        for m in problem.misconceptions:
            if ran and not all(right) and all(_matches(m, args, r, problem) for args, r in ran):
                return Verdict(False, _("{function}: {words}").format(
                    function=fn, words=_(m.feedback)), n)
    for args, o in zip(cases, outcomes):
        if o.error:
            return Verdict(False, _("{function} raised {error} on {inputs}").format(
                function=fn, error=o.error, inputs=_describe_args(problem, args)), n)
        if isinstance(o.result, Unsupported):
            return Verdict(False, _("{function} returned {result}; return numpy arrays and "
                                    "floats").format(function=fn, result=repr(o.result)), n)
    if problem.validate is not None:
        return Verdict(True, _("{function}: {n} random cases passed").format(function=fn, n=n),
                       n)
    for args, r in ran:
        words = shape_problem(r, expected(problem, args))
        if words:
            return Verdict(False, _("{function}: {words} for {inputs}").format(
                function=fn, words=words, inputs=_describe_args(problem, args)), n)
    wrong = sum(not ok for ok in right)
    items = _wrong_items(problem, ran)
    if items:
        return Verdict(False, _("{function}: {items} wrong on {wrong} of {n} cases (the other "
                                "returned values are right); compare your formula with the "
                                "lesson's").format(function=fn, items=items, wrong=wrong, n=n),
                       n)
    return Verdict(False, _("{function}: wrong values on {wrong} of {n} cases (the shapes are "
                            "right); compare your formula with the lesson's").format(
                                function=fn, wrong=wrong, n=n), n)


Runs = Mapping[str, tuple[Sequence[tuple], Sequence[Outcome]]]  # form's name -> cases, outcomes


def judge_forms(problem: Problem, runs: Runs) -> Verdict:
    """The verdict on one function run as each form of ``problem`` (``runs``: the forms that
    ran). The current form's, unless the legacy form's verdict passed, or more of its calls
    fit (a function written to the older signature: each call of the other form raises
    TypeError). The form is picked from the outcomes alone, as every verdict is, never from a
    signature a kernel reports; either form earns points only by its own cases, judged here."""
    verdict = judge(problem, *runs[problem.name])
    older = problem.older
    if verdict.passed or older is None or older.name not in runs:
        return verdict
    legacy = judge(older, *runs[older.name])
    if not legacy.passed and _calls_that_fit(runs[older.name][1]) <= _calls_that_fit(
            runs[problem.name][1]):
        return verdict
    note = _("({call} is the older form of this exercise, and still counts for the same "
             "points)").format(call=older.signature.split(" ->")[0])
    return Verdict(legacy.passed, f"{legacy.feedback} {note}", legacy.cases, older=True)


def _calls_that_fit(outcomes: Sequence[Outcome]) -> tuple[int, int]:
    """How many calls returned, then how many raised no TypeError (a call with the wrong
    arguments raises one before the function's body runs)."""
    returned = sum(o.error is None and not o.missing for o in outcomes)
    return returned, sum(not o.missing and not (o.error or "").startswith("TypeError")
                         for o in outcomes)


def copies(args: tuple) -> tuple:
    """The case's arguments, arrays copied: a formula that updates its inputs in place (as an
    optimizer's may) cannot change the case for the next comparison."""
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def apply(problem: Problem, fn: Callable[..., Any], args: tuple) -> Any:
    """fn (the reference, or a misconception) on a copy of one case, called as the learner's
    function is (``problem.call``)."""
    return call(fn, copies(args), problem.call)


def as_plain(x: Any) -> Any:
    """x as a learner's result reaches the comparison (plain data and back: a list becomes a
    tuple, a numpy scalar a float), so the reference's types never decide a verdict."""
    return from_plain(to_plain(x))


def expected(problem: Problem, args: tuple) -> Any:
    """The right answer to one case: the problem's reference (the library's own formula)."""
    return as_plain(apply(problem, problem.reference, args))


def returned_names(signature: str) -> list[str]:
    """The names a signature gives its returned tuple: "f(x) -> (a, b)" gives [a, b]."""
    match = re.search(r"->\s*\(([^)]*)\)", signature)
    return [name.strip() for name in match.group(1).split(",")] if match else []


def _wrong_items(problem: Problem, ran: list[tuple[tuple, Any]]) -> str | None:
    """Which returned values are wrong ("m_new and v_new are"), when the function returns a
    tuple and only some of its items are wrong."""
    names = returned_names(problem.signature)
    wrong: set[int] = set()
    for args, result in ran:
        right = expected(problem, args)
        if not isinstance(right, tuple) or len(names) != len(right):
            return None
        wrong |= {i for i, (r, e) in enumerate(zip(result, right))
                  if not same(r, e, problem.rtol, problem.atol)}
    if not wrong or len(wrong) == len(names):
        return None
    listed = [names[i] for i in sorted(wrong)]
    if len(listed) == 1:
        return _("{name} is").format(name=listed[0])
    return _("{names} and {last} are").format(names=", ".join(listed[:-1]), last=listed[-1])


def _matches(m: Misconception, args: tuple, result: Any, problem: Problem) -> bool:
    try:
        wrong = as_plain(apply(problem, m.wrong, args))
    except Exception:  # a misconception that cannot apply to this case does not match
        return False
    return same(result, wrong, problem.rtol, problem.atol)


def _describe_args(problem: Problem, args: tuple) -> str:
    """The case's inputs as the learner's function gets them, by kind and shape."""
    parts = [] if problem.call is None else [_("a function")]
    for a in args:
        if isinstance(a, np.ndarray):
            parts.append(_("shape {shape}").format(shape=a.shape))
        elif isinstance(a, (int, float)):
            parts.append(_("a number"))
        else:
            parts.append(type(a).__name__)
    return _("inputs of {parts}").format(parts=", ".join(parts))
