"""use_mine: labkit's classes call the learner's formula, only once it passes its check, until
restore_library(); checks keep judging with labkit's own formulas; the grading kernel's view
of labkit.course has a harmless use_mine."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import labkit as lk
from labkit.core import gradcheck, layers, losses, optim, train, value
from labkit.course import CheckFailed, restore_library, use_mine
from labkit.course.checks import evaluate
from labkit.course.problems import FORMULAS

ROOT = Path(__file__).resolve().parents[1]
OWN = {name: p.formula for name, p in FORMULAS.items()}


@pytest.fixture(autouse=True)
def labkits_own_afterwards():
    yield
    restore_library(quiet=True)
    for name, fn in OWN.items():          # every test leaves labkit as it ships
        assert getattr(sys.modules[fn.__module__], name) is fn


def spied(fn, calls: list):
    def linear_backward(delta, a_prev, W):       # the learner's, named as the formula
        calls.append(delta.shape)
        return fn(delta, a_prev, W)
    return linear_backward


def test_lk_linear_backpropagates_with_the_learners_function_until_restored(capsys):
    calls: list = []
    mine = spied(layers.linear_backward, calls)
    net = lk.Sequential(lk.Linear(3, 4, rng=0), lk.Tanh(), lk.Linear(4, 2, rng=1))
    X, y = np.random.default_rng(2).standard_normal((5, 3)), np.zeros((5, 2))
    use_mine(mine)
    assert "labkit now calls your linear_backward (in labkit.core.layers)" in \
        capsys.readouterr().out
    calls.clear()                                 # its check ran it on random cases
    loss = lk.MSELoss()
    loss(net(X), y)
    net.backward(loss.backward())
    assert calls == [(5, 2), (5, 4)]              # both layers, last first
    assert lk.check_gradients(net, lk.MSELoss(), X, y).ok
    restore_library()
    assert "labkit calls its own linear_backward again" in capsys.readouterr().out
    calls.clear()
    net.backward(loss.backward())
    assert calls == []


def test_with_block_restores_at_its_end_even_on_error():
    calls: list = []
    with pytest.raises(ZeroDivisionError):
        with use_mine(spied(layers.linear_backward, calls)):
            assert layers.linear_backward.__name__ == "linear_backward"
            assert layers.linear_backward is not OWN["linear_backward"]
            raise ZeroDivisionError
    assert layers.linear_backward is OWN["linear_backward"]


def test_a_function_that_fails_its_check_is_refused_in_one_line():
    def linear_backward(delta, a_prev, W):
        return a_prev.T @ delta, delta.sum(0), delta @ W          # dW transposed

    with pytest.raises(CheckFailed) as info:
        use_mine(linear_backward)
    assert str(info.value) == ("linear_backward: dW is transposed: dW has the shape of W, "
                               "(out, in) = delta^T a_prev; labkit keeps its own "
                               "linear_backward until yours passes")
    assert layers.linear_backward is OWN["linear_backward"]


def test_none_is_swapped_when_one_of_several_fails():
    def adam_step(*args):
        raise NotImplementedError()

    with pytest.raises(CheckFailed, match="adam_step: not implemented yet"):
        use_mine(optim.momentum_step, adam_step)
    assert optim.momentum_step is OWN["momentum_step"] and optim.adam_step is OWN["adam_step"]


def test_a_numerical_gradient_of_exercise_07s_older_form_is_refused():
    """It still earns its points (problems.gradcheck: the legacy form), but check_gradients
    calls numerical_gradient(f, x, eps): the old numerical_gradient(W, X, y, eps) cannot stand
    in for it."""
    def numerical_gradient(W, X, y, eps):
        W = W.copy()
        return gradcheck.numerical_gradient(lambda: losses.mse(X @ W.T, y), W, eps)

    assert evaluate("numerical_gradient", numerical_gradient).passed
    with pytest.raises(CheckFailed, match="missing 1 required positional argument: 'eps'"):
        use_mine(numerical_gradient)
    assert gradcheck.numerical_gradient is OWN["numerical_gradient"]


def test_a_function_that_is_not_a_library_formula_is_refused():
    def my_step(p, grad, lr):
        return p - lr * grad

    with pytest.raises(CheckFailed, match="my_step is not one of the formulas"):
        use_mine(my_step)
    with pytest.raises(CheckFailed, match="needs your functions"):
        use_mine()


def test_unchecked_wrong_formula_really_runs_and_the_gradient_check_catches_it():
    def sigmoid_backward(da, a):
        return da * a                                             # sigma' forgotten

    use_mine(sigmoid_backward, check=False)
    net = lk.Sequential(lk.Linear(3, 4, rng=0), lk.Sigmoid(), lk.Linear(4, 2, rng=1))
    X, y = np.random.default_rng(2).standard_normal((5, 3)), np.zeros((5, 2))
    assert not lk.check_gradients(net, lk.MSELoss(), X, y).ok


def test_checks_judge_with_labkits_own_formulas_whatever_is_swapped_in():
    def softmax(z):                     # wrong, swapped in unchecked
        return np.exp(z) / np.exp(z).sum()

    def cross_entropy_grad(z, t):       # right, and calls no softmax of labkit's
        e = np.exp(z - z.max(axis=1, keepdims=True))
        g = e / e.sum(axis=1, keepdims=True)
        g[np.arange(len(t)), t] -= 1
        return g / len(t)

    use_mine(softmax, check=False)
    assert losses.softmax is softmax
    # labkit's cross_entropy_grad, the reference, calls softmax: the check uses labkit's own
    verdict = evaluate("cross_entropy_grad", cross_entropy_grad, seed=0)
    assert verdict.passed, verdict.feedback
    assert not evaluate("softmax", softmax, seed=0).passed
    assert losses.softmax is softmax    # and the learner's is back in place after


def test_restore_library_takes_names_or_functions():
    use_mine(layers.relu, layers.linear_forward)
    restore_library(layers.relu)
    assert layers.relu is OWN["relu"] and layers.linear_forward is OWN["linear_forward"]
    restore_library("linear_forward")
    assert layers.linear_forward is OWN["linear_forward"]


def test_the_grading_kernels_labkit_course_has_a_use_mine_that_does_nothing(capsys):
    """sandbox.py mounts sandbox_check.py as labkit.course's __init__ in the kernel."""
    import importlib.util

    path = ROOT / "labkit" / "course" / "sandbox_check.py"
    spec = importlib.util.spec_from_file_location("kernel_view_of_course", path)
    view = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(view)
    with view.use_mine(layers.relu):
        assert layers.relu is OWN["relu"]
    view.use_mine(1, 2, check=False)
    view.restore_library()
    assert capsys.readouterr().out.count("while grading, the grader tests your functions") == 2
    assert {"check", "use_mine", "restore_library"} <= set(vars(view))


def counted(fn, calls: list):
    """fn under its own name, counting its calls."""
    def wrapper(*args):
        calls.append(1)
        return fn(*args)
    wrapper.__name__ = fn.__name__
    return wrapper


def test_sgd_steps_with_the_learners_gd_step():
    calls: list = []
    use_mine(counted(optim.gd_step, calls))
    calls.clear()
    W = lk.Parameter(np.array([1.0, 2.0]))
    W.grad = np.array([0.5, -1.0])
    lk.SGD([W], lr=0.1).step()
    assert calls == [1] and np.allclose(W.data, [0.95, 2.1], rtol=0, atol=1e-15)
    lk.SGD([W], lr=0.1, momentum=0.9).step()           # momentum is momentum_step's
    assert calls == [1]


def test_fit_trains_on_the_learners_minibatches():
    calls: list = []
    use_mine(counted(train.minibatch_indices, calls))
    calls.clear()
    X, y = lk.make_moons(40, rng=0)
    net = lk.Sequential(lk.Linear(2, 4, rng=1), lk.Tanh(), lk.Linear(4, 2, rng=2))
    history = lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=0.1), X, y,
                     epochs=3, batch_size=16, rng=3)
    assert calls == [1, 1, 1] and len(history.loss) == 9      # 40 samples: 16 + 16 + 8


def test_value_backward_runs_on_the_learners_product_and_order():
    products, orders = [], []
    use_mine(counted(value.mul_backward, products), counted(value.topological_sort, orders))
    products.clear()
    orders.clear()
    x = lk.Value(3.0)
    y = x * x + x
    y.backward()
    assert x.grad == 7.0 and products == [1] and orders == [1]


def test_check_gradients_differentiates_with_the_learners_numerical_gradient():
    calls: list = []
    use_mine(counted(gradcheck.numerical_gradient, calls))
    calls.clear()
    net = lk.Sequential(lk.Linear(3, 2, rng=0))
    X, y = np.random.default_rng(1).standard_normal((4, 3)), np.zeros((4, 2))
    assert lk.check_gradients(net, lk.MSELoss(), X, y).ok
    assert len(calls) == 2                                     # W and b


def test_a_lessons_own_function_is_swapped_but_said_to_be_called_by_no_class(capsys):
    from labkit.lessons.gradient_descent import compute
    own = compute.run_gd

    def run_gd(*args, **kwargs):                   # the learner's, named as the formula
        return own(*args, **kwargs)

    use_mine(run_gd)
    out = capsys.readouterr().out
    assert "no labkit class calls it" in out and "labkit now calls" not in out
    assert compute.run_gd is run_gd
    restore_library()
    assert compute.run_gd is own
