"""Lesson 04 (chain rule and backprop): the claims its text makes, its figure helper, its
step-through widget and the stored notebook itself. nbval re-runs the notebook and compares
its outputs; these tests check what a comparison of outputs cannot."""
from __future__ import annotations

from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import labkit as lk  # noqa: E402
from labkit.lessons.backprop.compute import random_example, worked_example  # noqa: E402
from labkit.lessons.backprop.figures import backward_state, draw_backprop_step  # noqa: E402
from labkit.lessons.backprop.widget import EXAMPLES, backprop_lab, make_example, step_status  # noqa: E402
from labkit.widgets.drive import random_settings, sweep  # noqa: E402

LESSON = Path(__file__).resolve().parents[1] / "lessons" / "04_backprop.ipynb"


# --- the lesson's claims, recomputed --------------------------------------------------------
@pytest.fixture
def seed():
    ex = worked_example()
    return ex, ex.trace()


def test_the_seeds_forward_value_is_wrong_and_labkits_is_right(seed):
    ex, trace = seed
    a1 = trace.layer(1).a[0]
    assert 1 / (1 + np.exp(-2.4)) == pytest.approx(a1[1], rel=1e-15)
    assert round(a1[1], 4) == 0.9168 != 0.9084                     # the seed's value
    assert round(float(trace.layer(2).z[0, 0]), 4) == 1.1844 != 1.1835
    assert round(float(trace.y_hat[0, 0]), 4) == 0.7657 != 0.7692


def test_the_seeds_w1_gradient_is_in_labkits_layout_not_its_own(seed):
    ex, trace = seed
    d1 = trace.find("delta", 1).result                              # (1, 2)
    seed_layout = ex.X.T @ d1                                       # (in, out), as W1_seed
    labkit_layout = d1.T @ ex.X                                     # (out, in), as net[0].W
    assert np.array_equal(trace.grads["0.W"], labkit_layout)
    assert np.array_equal(seed_layout, labkit_layout.T)
    assert not np.allclose(seed_layout, labkit_layout)              # so the seed's update is off
    # the seed's printed dL/dW1 matches labkit's (out, in) layout, to the seed's 4 decimals
    seed_printed = np.array([[0.0045, 0.0090], [0.0004, 0.0008]])
    assert np.allclose(np.round(labkit_layout, 4)[:, 0], seed_printed[:, 0])
    assert round(float(labkit_layout[0, 1]), 4) == 0.0090


def test_one_sgd_step_lowers_the_loss_as_the_gradient_predicts(seed):
    ex, _ = seed
    net = ex.net
    before = ex.loss()
    net.zero_grad()
    net.backward(net(ex.X) - ex.y)
    g2 = sum(float(np.sum(p.grad ** 2)) for p in net.parameters())
    lk.SGD(net.parameters(), lr=ex.eta).step()
    after = ex.loss()
    assert round(before, 6) == 0.035308 and round(after, 6) == 0.034702
    assert after - before == pytest.approx(-ex.eta * g2, rel=2e-3)
    assert np.round(net[0].W.data.T, 6).tolist() == [[0.49955, 0.599964], [0.699099, 0.799927]]
    assert np.round(net[2].W.data, 6).tolist() == [[0.895801, 0.09563]]


def test_mse_loss_doubles_every_gradient_and_half_the_rate_gives_the_seeds_step(seed):
    ex, trace = seed
    mse = lk.MSELoss()
    mse(trace.y_hat, ex.y)
    g = mse.backward()
    assert np.allclose(g, 2 * (trace.y_hat - ex.y))
    ex.net.zero_grad()
    ex.net(ex.X)
    ex.net.backward(g)
    for p in ex.net.parameters():
        assert np.allclose(p.grad, 2 * trace.grads[p.name], rtol=1e-12)
        assert np.allclose(0.05 * p.grad, 0.1 * trace.grads[p.name], rtol=1e-12)


def test_check_yourself_answer_2_the_hidden_deltas_ratio(seed):
    _, trace = seed
    d1 = trace.find("delta", 1).result[0]
    fprime = trace.layer(1).fprime[0]
    assert d1[0] / d1[1] == pytest.approx(9.0 * fprime[0] / fprime[1], rel=1e-12)
    assert 12 < d1[0] / d1[1] < 13
    assert round(fprime[0], 4) == 0.1050 and round(fprime[1], 4) == 0.0763


def test_every_gradient_passes_the_finite_difference_check(seed):
    ex, trace = seed

    def loss():
        return ex.loss()

    for name, p in ex.net.named_parameters():
        numeric = lk.numerical_gradient(loss, p.data)
        assert lk.relative_error(trace.grads[name], numeric) < 1e-8, name


# --- the figure -----------------------------------------------------------------------------
@pytest.mark.parametrize("example", [value for _, value in EXAMPLES])
def test_every_step_of_every_example_draws(example):
    ex = make_example(example, seed=3)
    trace = ex.trace()
    fig = Figure(figsize=(10, 4.4))
    ax, ledger = fig.add_axes((0, 0, 0.5, 1)), fig.add_axes((0.5, 0, 0.5, 1))
    for k in range(len(trace) + 1):
        ax.cla()
        ledger.cla()
        assert draw_backprop_step(trace, k, ax, ledger_ax=ledger) is ax
        texts = [t.get_text() for t in ax.texts + ledger.texts]
        if k:
            step = trace[k - 1]
            assert ax.get_title() == f"step {k} of {len(trace)}: {step.quantity}"
            assert any(t.startswith(f"{k}. {step.formula} = ") for t in texts)
        else:
            assert ax.get_title().startswith("forward pass done")


def test_the_diagram_shows_the_values_known_so_far(seed):
    _, trace = seed
    state = backward_state(trace, 5)
    assert sorted(state["delta"]) == [1, 2] and sorted(state["dL/da"]) == [1, 2]
    assert sorted(state["dW"]) == [2]
    fig = Figure(figsize=(6, 4))
    ax = draw_backprop_step(trace, 6, fig.add_subplot())
    texts = [t.get_text() for t in ax.texts]
    assert "0.0045" in texts and "0.000363" in texts           # the current step's dW (red)
    assert "dL/da 0.0429\nδ 0.0045" in texts                   # hidden unit 1, from step 4, 5
    assert "0.881" in texts and "0.766" in texts               # the cached forward values


def test_a_new_figure_has_an_explicit_size_and_bad_steps_are_refused(seed):
    _, trace = seed
    ax = draw_backprop_step(trace, 0)
    assert tuple(ax.figure.get_size_inches()) == (10.0, 4.4) and len(ax.figure.axes) == 2
    plt.close(ax.figure)
    for bad in (-1, 9, 2.0, True):
        with pytest.raises(ValueError, match=r"step must be an int in 0..8"):
            draw_backprop_step(trace, bad, Figure().add_subplot())


# --- the widget -----------------------------------------------------------------------------
def test_the_widget_starts_at_the_forward_pass():
    lab = backprop_lab()
    step = lab.controls["step"]
    assert (step.min, step.max, step.value) == (0, 8, 0) and step.max == len(lab.trace)
    assert lab.last_status.level == "info"
    assert "Backprop starts at dL/dŷ = ŷ − y = [0.2657]" in lab.last_status.text
    assert lab.view.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert lab.controls["seed"].disabled and lab.back_button.disabled
    assert repr(lab) == "<labkit widget: step-through backprop>"
    assert lab.back_button in lab.widget.children[2].children   # the buttons are shown


def test_next_and_back_move_the_slider_and_redraw():
    lab = backprop_lab()
    before = lab.view.image.value
    lab.next_button.click()
    assert lab.values["step"] == 1 and lab.view.image.value != before
    assert lab.last_status.text.startswith("Step 1 of 8: " + lab.trace[0].with_numbers(4))
    lab.back_button.click()
    assert lab.values["step"] == 0 and lab.back_button.disabled
    lab.set(step=8)
    assert lab.next_button.disabled
    lab.next()                                              # clamped at the end
    assert lab.values["step"] == 8 and "Done" in lab.last_status.text


def test_the_status_line_states_each_steps_formula_with_numbers(seed):
    ex, trace = seed
    for k in range(1, 9):
        status = step_status(ex, trace, k)
        assert status.text.startswith(f"Step {k} of 8: {trace[k - 1].with_numbers(4)}.")
        assert status.level == "info"
    assert "passes the blame back to layer 1" in step_status(ex, trace, 4).text
    assert "(σ'(z) = a (1 − a))" in step_status(ex, trace, 5).text
    lab = backprop_lab(step=6)                  # and the widget shows that line
    assert lab.last_status == step_status(ex, trace, 6)


def test_relu_units_that_pass_no_gradient_are_pointed_out():
    ex = random_example(3, activation="relu")
    dead = ex.trace().layer(1).z[0] <= 0
    assert dead.any()                                        # the example has a dead unit
    lab = backprop_lab(example="relu", seed=3, step=5)
    assert lab.last_status.level == "warning"
    assert f"Unit {int(np.flatnonzero(dead)[0]) + 1} of layer 1" in lab.last_status.text
    assert not lab.controls["seed"].disabled
    assert np.all(lab.trace.grads["0.W"][dead] == 0)


def test_sweeping_and_random_settings_never_show_an_error():
    lab = backprop_lab(step=3)
    for values, status in sweep(lab):
        assert status.level != "error", values
    assert lab.values == {"step": 3, "example": "worked", "seed": 0}
    for values, status in random_settings(lab, 5, np.random.default_rng(0)):
        assert status.level != "error", values
        assert lab.trace is lab._get(values["example"], values["seed"])[1]


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="step must be in 0..8"):
        backprop_lab(step=9)
    with pytest.raises(ValueError, match="example must be one of"):
        make_example("softplus")


# --- the stored notebook --------------------------------------------------------------------
@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(LESSON, as_version=4)


def test_the_lesson_is_stored_executed_without_errors(notebook):
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(c.execution_count is not None for c in code)
    for c in code:
        assert not any(o.output_type == "error" for o in c.outputs), c.source[:60]
    figures = [o.data["text/plain"] for c in code for o in c.outputs
               if "data" in o and "image/png" in o.data]
    assert figures == ["<Figure size 1000x440 with 2 Axes>"]


def test_the_lesson_has_its_parts(notebook):
    text = "\n".join(c.source for c in notebook.cells)
    for part in ("**You will learn**", "## 1. The chain rule on one neuron", "Check yourself",
                 "lk.numerical_gradient", "lk.check_gradients", "lk.SGD(", "backprop_lab()",
                 "BY_HAND", "W1_in_out.T", "departments"):
        assert part in text, part


def test_the_seed_comparison_marks_the_wrong_numbers(notebook):
    cell = next(c for c in notebook.cells if c.cell_type == "code" and "BY_HAND = {" in c.source)
    out = "".join(o.get("text", "") for o in cell.outputs)
    lines = {tuple(line.split()[-3:]) for line in out.splitlines()[1:]}
    assert ("0.9084", "0.916827", "WRONG") in lines
    assert ("0.0090", "0.000363", "WRONG") in lines            # the layout mistake
    assert ("0.0045", "0.004504", "agrees") in lines
