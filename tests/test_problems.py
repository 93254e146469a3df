"""Every graded problem: its reference passes, each misconception is named, bad answers fail
cleanly; feedback never contains the expected numbers."""
from __future__ import annotations

import numpy as np
import pytest
from ex07_old_forms import OLD_FORWARD_DIFFERENCE, OLD_SOLUTION, OLD_STUB, OLDER, define

from labkit.course import CheckFailed, check
from labkit.course.checks import evaluate, through_plain
from labkit.course.problems import OLDER_FORMS, PROBLEMS, Outcome, judge, run_cases

NAMES = sorted(PROBLEMS) + sorted(OLDER_FORMS)   # a legacy form is a problem like the others


def problem_named(name):
    return PROBLEMS.get(name) or OLDER_FORMS[name]


@pytest.mark.parametrize("name", NAMES)
def test_the_reference_passes(name):
    verdict = evaluate(name, problem_named(name).reference, cases=30, seed=1)
    assert verdict.passed, verdict.feedback
    assert verdict.feedback == f"{problem_named(name).function}: 30 random cases passed"


@pytest.mark.parametrize("name", NAMES)
def test_each_misconception_is_named(name):
    problem = problem_named(name)
    for m in problem.misconceptions:
        verdict = evaluate(name, m.wrong, cases=30, seed=2)
        assert not verdict.passed
        assert verdict.feedback == f"{problem.function}: {m.feedback}"


@pytest.mark.parametrize("name", NAMES)
def test_unimplemented_missing_and_crashing_functions_fail_in_words(name):
    problem = problem_named(name)

    def stub(*args):
        raise NotImplementedError()

    assert "not implemented yet" in evaluate(name, stub, seed=0).feedback
    assert "is not defined" in evaluate(name, None, seed=0).feedback

    def crash(*args):
        raise ZeroDivisionError("oops")

    feedback = evaluate(name, crash, seed=0).feedback
    assert feedback.startswith(f"{problem.function} raised ZeroDivisionError: oops on inputs")


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __array__(self, *args, **kwargs):
        return np.zeros(1)


@pytest.mark.parametrize("name", NAMES)
def test_an_object_that_equals_everything_does_not_pass(name):
    verdict = evaluate(name, lambda *args: AlwaysEqual(), seed=0)
    assert not verdict.passed


def test_feedback_never_shows_expected_numbers():
    rng = np.random.default_rng(5)
    problem = PROBLEMS["linear_backward"]
    cases = problem.cases(rng, 5)
    wrong = [Outcome(result=(d.T @ a + 0.5, d.sum(0), d @ W)) for d, a, W in cases]
    verdict = judge(problem, cases, through_plain(wrong))
    assert verdict.feedback == ("linear_backward: dW is wrong on 5 of 5 cases (the other "
                                "returned values are right); compare your formula with the "
                                "lesson's")
    expected_numbers = {f"{x:.3f}" for d, a, W in cases for x in (d.T @ a).ravel()}
    assert not any(num in verdict.feedback for num in expected_numbers)


def test_shape_mismatch_is_described_with_shapes_only():
    def wrong_shape(delta, a_prev, W):
        return delta.T @ a_prev, delta.sum(0)[:, None], delta @ W

    feedback = evaluate("linear_backward", wrong_shape, seed=3).feedback
    assert "item 2 of 3: expected shape" in feedback and "got shape" in feedback


def test_partial_outcomes_mean_the_run_stopped():
    problem = PROBLEMS["relu"]
    cases = problem.cases(np.random.default_rng(0), 4)
    outcomes = run_cases(lambda z: np.maximum(z, 0), cases[:2])
    assert "only 2 of 4 cases ran" in judge(problem, cases, outcomes).feedback


def test_check_prints_a_tick_or_raises_one_line(capsys):
    check("relu", lambda z: np.maximum(z, 0.0), seed=0)
    assert capsys.readouterr().out == "\u2713 relu: 8 random cases passed\n"
    with pytest.raises(CheckFailed) as info:
        check("relu", lambda z: np.abs(z), seed=0)
    assert info.value._render_traceback_() == ["\u2717 relu: negative inputs must become 0, "
                                               "not |z|"]


def test_check_uses_fresh_cases_each_time():
    seen = []

    def spy(z):
        seen.append(z.shape)
        return np.maximum(z, 0)

    check("relu", spy, cases=20)
    first = list(seen)
    seen.clear()
    check("relu", spy, cases=20)
    assert first != seen  # 20 random shapes twice in a row: equal with negligible chance


def test_adam_with_eps_inside_the_square_root_is_caught_and_named():
    def eps_inside(p, g, m, v, t, lr, b1, b2, eps):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        return p - lr * m_hat / np.sqrt(v_hat + eps), m, v

    for seed in range(5):
        verdict = evaluate("adam_step", eps_inside, seed=seed)
        assert not verdict.passed and "eps goes outside the square root" in verdict.feedback


def test_adam_returning_the_bias_corrected_moments_is_named():
    def hats(p, g, m, v, t, lr, b1, b2, eps):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        return p - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat

    assert "return m and v, not the bias-corrected" in evaluate("adam_step", hats, seed=0).feedback


def test_feedback_names_which_returned_value_is_wrong():
    def bad_v(p, g, m, v, t, lr, b1, b2, eps):
        m_new = b1 * m + (1 - b1) * g
        v_new = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m_new / (1 - b1 ** t), v_new / (1 - b2 ** t)
        return p - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new + 1.0

    feedback = evaluate("adam_step", bad_v, seed=0).feedback
    assert "v_new is wrong" in feedback and "other returned values are right" in feedback


def test_a_check_before_its_definition_says_so_in_one_line():
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("from labkit.course import check"),
                             new_code_cell('check("relu", relu)')])
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=60).execute()
    (error,) = nb.cells[1].outputs
    assert error.output_type == "error" and error.ename == "NameError"
    assert error.traceback == ["\u2717 name 'relu' is not defined: run the cell that defines it "
                               "first (or check its spelling)"]


def test_the_formula_problems_are_judged_by_the_library_functions_themselves():
    from labkit.core import gradcheck, init, layers, losses, optim, train, value
    from labkit.course.problems import FORMULAS
    from labkit.lessons.forward_pass import compute as lesson01
    from labkit.lessons.gradient_descent import compute as lesson03
    from labkit.lessons.vectorization import compute as lesson06

    library = {"linear_forward": layers.linear_forward, "relu": layers.relu,
               "forward_2layer": lesson01.forward_2layer,
               "sigmoid_backward": layers.sigmoid_backward,
               "linear_backward": layers.linear_backward, "mse": losses.mse,
               "mse_grad": losses.mse_grad, "softmax": losses.softmax,
               "cross_entropy": losses.cross_entropy,
               "cross_entropy_grad": losses.cross_entropy_grad,
               "gd_step": optim.gd_step, "run_gd": lesson03.run_gd,
               "mul_backward": value.mul_backward, "topological_sort": value.topological_sort,
               "forward_columns": lesson06.forward_columns,
               "minibatch_indices": train.minibatch_indices,
               "relative_error": gradcheck.relative_error,
               "numerical_gradient": gradcheck.numerical_gradient, "init_std": init.init_std,
               "clip_grad_norm": optim.clip_grad_norm, "momentum_step": optim.momentum_step,
               "adam_step": optim.adam_step}
    assert {name: p.reference for name, p in FORMULAS.items()} == library
    assert set(FORMULAS) == set(PROBLEMS)           # every exercise formula is labkit's


def test_another_right_topological_order_passes():
    def topo(parents, root):            # recursive, and inputs in another order than labkit's
        order, seen = [], set()

        def visit(node):
            if node in seen:
                return
            seen.add(node)
            for p in reversed(parents[node]):
                visit(p)
            order.append(node)

        visit(root)
        return order

    verdict = evaluate("topological_sort", topo, cases=30, seed=1)
    assert verdict.passed, verdict.feedback


def test_a_numerical_gradient_gets_a_function_that_reads_x_and_other_right_ones_pass():
    seen = []

    def numerical_gradient(f, x, eps):  # nudged twice and back, not restored bit for bit
        seen.append((callable(f), x.shape, eps))
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            x[i] += eps
            f_plus = f()
            x[i] -= 2 * eps
            grad[i] = (f_plus - f()) / 2 / eps
            x[i] += eps
        return grad

    for seed in range(5):
        verdict = evaluate("numerical_gradient", numerical_gradient, cases=30, seed=seed)
        assert verdict.passed, verdict.feedback
    assert all(is_function and eps > 0 for is_function, _, eps in seen)
    assert {len(shape) for _, shape, _ in seen} == {1, 2}


def test_a_reference_that_updates_its_inputs_in_place_cannot_change_the_cases():
    from labkit.course.problems import Problem

    def step(p):                     # as an optimizer might: p updated in place
        p -= 1.0
        return p

    problem = Problem(name="step", function="step", signature="step(p) -> p - 1",
                      make_case=lambda rng: (rng.standard_normal(3),), reference=step)
    cases = problem.cases(np.random.default_rng(0), 4)
    kept = [c[0].copy() for c in cases]
    verdict = judge(problem, cases, run_cases(lambda p: p - 1.0, cases))
    assert verdict.passed, verdict.feedback
    assert all(np.array_equal(c[0], k) for c, k in zip(cases, kept))


# Exercise 07's older form (a learner's copy made before it asked for numerical_gradient(f, x, eps))
old_numerical_gradient = define(OLD_SOLUTION)
old_forward_difference = define(OLD_FORWARD_DIFFERENCE)
old_stub = define(OLD_STUB)
OLDER_NOTE = f"({OLDER})"


def test_a_function_of_the_older_form_is_judged_by_it_and_told_so():
    from labkit.course.problems import get_problem

    older = get_problem("numerical_gradient").older
    assert get_problem(older.name) is older
    assert older.make_case(np.random.default_rng(0))[3] == 1e-3      # the old cases' eps
    verdict = evaluate("numerical_gradient", old_numerical_gradient, cases=30, seed=3)
    assert verdict.passed and verdict.older
    assert verdict.feedback == f"numerical_gradient: 30 random cases passed {OLDER_NOTE}"
    verdict = evaluate("numerical_gradient", old_forward_difference, seed=3)
    assert not verdict.passed
    assert verdict.feedback == ("numerical_gradient: that is a forward difference "
                                "(L(W + eps) - L(W)) / eps: use (L(W + eps) - L(W - eps)) / "
                                f"(2 eps), accurate to eps^2 {OLDER_NOTE}")
    verdict = evaluate("numerical_gradient", old_stub, seed=3)
    assert not verdict.passed and "not implemented yet" in verdict.feedback
    assert verdict.feedback.endswith(OLDER_NOTE)
    with pytest.raises(CheckFailed, match="older form"):
        check("numerical_gradient", old_forward_difference)


def test_the_current_form_is_judged_as_before():
    from labkit.core.gradcheck import numerical_gradient
    from labkit.course.problems.gradcheck import _forward_difference

    verdict = evaluate("numerical_gradient", numerical_gradient, seed=4)
    assert verdict.passed and not verdict.older
    assert verdict.feedback == "numerical_gradient: 8 random cases passed"
    verdict = evaluate("numerical_gradient", _forward_difference, seed=4)
    assert not verdict.older and "older form" not in verdict.feedback
    assert verdict.feedback.startswith("numerical_gradient: that is a forward difference "
                                       "(f(x + eps) - f(x)) / eps")

    def new_stub(f, x, eps=1e-6):                  # the current exercise, unchanged
        raise NotImplementedError()

    verdict = evaluate("numerical_gradient", new_stub, seed=4)
    assert verdict.feedback == ("numerical_gradient: not implemented yet (replace "
                                "`raise NotImplementedError()` with your code)")

    def fails_in_both(*args):                      # no form fits it better: the current one
        raise ZeroDivisionError("oops")

    assert evaluate("numerical_gradient", fails_in_both, seed=4).feedback.startswith(
        "numerical_gradient raised ZeroDivisionError: oops on inputs of a function, shape")
    assert "older form" not in evaluate("numerical_gradient", fails_in_both, seed=4).feedback
    assert not evaluate("numerical_gradient", old_numerical_gradient, older=False).passed
