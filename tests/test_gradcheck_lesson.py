"""Lesson 07's study helpers, figures and widget (labkit.lessons.gradient_checking: compute,
figures, widget) and the stored lesson."""
from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

import labkit as lk  # noqa: E402
from labkit.lessons.gradient_checking.compute import (  # noqa: E402
    BUGS,
    CountingNet,
    LinearTransposedDW,
    analytic_gradients,
    cost_net,
    count_passes,
    epsilon_sweep,
    format_report,
    make_study_net,
    measure_cost,
    study_data,
)
from labkit.lessons.gradient_checking.figures import (  # noqa: E402
    BAD_COLOR,
    OK_COLOR,
    plot_cost,
    plot_epsilon_sweep,
    plot_relative_errors,
)
from labkit.lessons.gradient_checking.widget import gradcheck_lab  # noqa: E402
from labkit.widgets.drive import random_settings, sweep  # noqa: E402

LESSON = Path(__file__).resolve().parents[1] / "lessons" / "07_gradient_checking.ipynb"
EPS = 10.0 ** np.arange(-12.0, 0.01, 0.5)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def flagged(report):
    return {r.name for r in report.rows if r.rel_error >= report.tol}


# --- the bugs are found where they are ---------------------------------------------------
@pytest.mark.parametrize("bug, expected", [
    ("none", set()),
    ("db not summed", {"0.b"}),
    ("transposed dW", {"0.W"}),
    ("wrong activation derivative", {"0.W", "0.b"}),
])
def test_the_check_locates_each_bug(bug, expected):
    X, y = study_data()
    report = lk.check_gradients(make_study_net(bug), lk.MSELoss(), X, y)
    assert flagged(report) == expected
    assert report.ok == (bug == "none")
    if expected:
        assert report.worst.name in expected and report.worst.rel_error > 0.05


def test_db_not_summed_is_off_by_exactly_the_batch_size():
    X, y = study_data(n=6)
    net = make_study_net("db not summed")
    lk.check_gradients(net, lk.MSELoss(), X, y)
    b = net.parameters()[1]
    right = analytic_gradients(make_study_net(), lk.MSELoss(), X, y)[1]
    np.testing.assert_allclose(b.grad * 6, right, rtol=1e-12)


def test_transposed_dw_is_the_transpose_and_fails_loudly_when_not_square():
    X, y = study_data()
    bad = analytic_gradients(make_study_net("transposed dW"), lk.MSELoss(), X, y)[0]
    right = analytic_gradients(make_study_net(), lk.MSELoss(), X, y)[0]
    np.testing.assert_allclose(bad, right.T, rtol=1e-12)
    layer = LinearTransposedDW(3, 4, rng=0)
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError):
        layer.backward(np.ones((2, 4)))
    with pytest.raises(RuntimeError, match="before forward"):
        LinearTransposedDW(3, 3, rng=0).backward(np.ones((2, 3)))


def test_study_nets_share_their_weights_and_reject_unknown_bugs():
    ref = [p.data for p in make_study_net().parameters()]
    for bug in BUGS:
        for p, q in zip(make_study_net(bug).parameters(), ref):
            np.testing.assert_array_equal(p.data, q)
    assert make_study_net(dtype=np.float32).parameters()[0].data.dtype == np.float32
    with pytest.raises(ValueError, match="bug must be one of"):
        make_study_net("typo")


def test_format_report_hides_rounding_noise():
    X, y = study_data()
    good = lk.check_gradients(make_study_net(), lk.MSELoss(), X, y)
    text = format_report(good)
    assert text.count("< 1e-07") == 4 and text.endswith("all gradients agree")
    bad = lk.check_gradients(make_study_net("db not summed"), lk.MSELoss(), X, y)
    text = format_report(bad)
    # backprop gives numeric / 6, so the relative error is (5/6) / (7/6) = 5/7; the worst
    # element is the largest |db| of the correct network
    right_db = analytic_gradients(make_study_net(), lk.MSELoss(), X, y)[1]
    i = int(np.argmax(np.abs(right_db)))
    row = (f"{5 / 7:.2e}   {str((i,)):<9}{right_db[i] / 6:>+11.4e} {right_db[i]:>+11.4e}"
           "   <-- check this gradient")
    assert row in text
    assert text.endswith("MISMATCH (tolerance 1e-06) in 0.b")
    assert "worst at" not in format_report(bad, show_worst=False)


# --- the eps trade-off --------------------------------------------------------------------
def test_float64_sweep_has_the_v_shape():
    X, y = study_data()
    s = epsilon_sweep(make_study_net(), lk.MSELoss(), X, y, EPS)
    assert s.dtype == "float64"
    assert 1e-7 <= s.best_eps <= 1e-4 and s.best_error < 1e-9
    err = dict(zip(np.round(np.log10(s.eps), 1), s.rel_error))
    assert np.log10(err[-2.0] / err[-3.0]) == pytest.approx(2.0, abs=0.02)   # truncation: eps^2
    assert err[-12.0] > 100 * s.best_error                                   # rounding: 1/eps
    assert err[-12.0] > err[-10.0] > err[-8.0]


def test_float32_needs_a_much_larger_eps():
    X, y = study_data(dtype=np.float32)
    s = epsilon_sweep(make_study_net(dtype=np.float32), lk.MSELoss(), X, y, EPS)
    assert s.dtype == "float32"
    assert s.best_eps >= 1e-4 and 1e-6 < s.best_error < 1e-3
    err = dict(zip(np.round(np.log10(s.eps), 1), s.rel_error))
    assert err[-10.0] == 1.0            # theta + eps rounds back to theta: numeric gradient 0
    assert err[-6.0] > 1e-2


def test_epsilon_sweep_rejects_bad_steps():
    X, y = study_data()
    with pytest.raises(ValueError, match="positive"):
        epsilon_sweep(make_study_net(), lk.MSELoss(), X, y, [1e-3, 0.0])


# --- the cost -----------------------------------------------------------------------------
@pytest.mark.parametrize("width", [1, 3, 8])
def test_finite_differences_take_2p_plus_1_forwards_backprop_one_of_each(width):
    rng = np.random.default_rng(0)
    net = cost_net(width)
    c = count_passes(net, lk.MSELoss(), rng.normal(size=(5, 4)), rng.normal(size=(5, 1)))
    assert c.n_params == width**2 + 7 * width + 1 == sum(p.size for p in net.parameters())
    assert (c.fd_forwards, c.bp_forwards, c.bp_backwards) == (2 * c.n_params + 1, 1, 1)


def test_counting_net_only_counts():
    net = make_study_net()
    counter = CountingNet(net)
    X, y = study_data()
    np.testing.assert_array_equal(counter(X), net(X))
    assert counter.parameters() == net.parameters()
    counter.backward(np.ones((6, 2)))
    assert (counter.forwards, counter.backwards) == (1, 1)
    counter.reset()
    assert (counter.forwards, counter.backwards) == (0, 0)


def test_measure_cost_returns_sizes_and_positive_times():
    points = measure_cost(widths=(2, 4), min_total=0.001)
    assert [p.n_params for p in points] == [19, 45]
    for p in points:
        assert p.fd_seconds > 0 and p.bp_seconds > 0 and p.forward_seconds > 0
        assert p.ratio == p.fd_seconds / p.bp_seconds


# --- figures -------------------------------------------------------------------------------
def test_figures():
    X, y = study_data()
    report = lk.check_gradients(make_study_net("transposed dW"), lk.MSELoss(), X, y)
    ax = plot_relative_errors(report)
    colors = [to_rgba(p.get_facecolor()) for p in ax.patches]
    assert colors == [to_rgba(BAD_COLOR)] + [to_rgba(OK_COLOR)] * 3
    assert ax.get_yscale() == "log" and ax.figure.get_size_inches().tolist() == [5.5, 3.2]
    s = epsilon_sweep(make_study_net(), lk.MSELoss(), X, y, EPS)
    ax = plot_epsilon_sweep([s], mark_eps=1e-6)
    assert ax.get_xscale() == ax.get_yscale() == "log"
    labels = [t.get_text() for t in ax.texts]
    assert any("truncation" in t for t in labels) and any("rounding" in t for t in labels)
    ax = plot_cost(measure_cost(widths=(2, 4), min_total=0.001))
    assert ax.get_xscale() == "log" and len(ax.lines) == 4


# --- widget ---------------------------------------------------------------------------------
def test_widget_statuses_name_the_wrong_parameter():
    lab = gradcheck_lab()
    assert lab.last_status.text.startswith("Check passes in float64 with ε = 1e-06")
    lab.set(bug="db not summed")
    text = lab.last_status.text
    assert text.startswith("MISMATCH in 0.b") and "exactly the batch size" in text
    lab.set(bug="transposed dW")
    assert lab.last_status.text.startswith("MISMATCH in 0.W:")
    assert "its bias is right" in lab.last_status.text
    lab.set(bug="wrong activation derivative")
    text = lab.last_status.text
    assert text.startswith("MISMATCH in 0.W, 0.b") and "layer 0 or 1" in text
    assert lab.view.image.value[:4] == b"\x89PNG"


def test_widget_blames_eps_when_even_a_correct_backward_fails():
    lab = gradcheck_lab(eps=1e-12)
    assert "although the backward is correct" in lab.last_status.text
    assert "too small: rounding error" in lab.last_status.text
    lab.set(eps=1e-1)
    assert "too large: truncation error" in lab.last_status.text
    lab.set(eps=1e-6, dtype="float32")
    assert "too small" in lab.last_status.text and lab.last_status.level == "warning"
    lab.set(eps=1e-2)
    assert lab.last_status.text.startswith("Check passes in float32")
    lab.set(bug="db not summed", eps=1e-12)
    assert "cannot point at the bug" in lab.last_status.text


def test_widget_rejects_unknown_settings():
    with pytest.raises(ValueError, match="dtype"):
        gradcheck_lab(dtype="float16")
    with pytest.raises(ValueError, match="bug"):
        gradcheck_lab(bug="typo")


def test_widget_never_errors_and_redraws_on_every_setting():
    lab = gradcheck_lab()
    images = {lab.view.image.value}
    for _, status in sweep(lab):
        assert status.level != "error", status
        # a failing check is said in words, as a warning
        assert (status.level == "warning") == (not status.text.startswith("Check passes"))
        images.add(lab.view.image.value)
    assert len(images) >= 5
    for _, status in random_settings(lab, 5, np.random.default_rng(1)):
        assert status.level != "error", status


# --- the stored lesson ----------------------------------------------------------------------
def test_lesson_07_is_stored_executed_and_only_the_timing_cells_are_ignored():
    nb = json.loads(LESSON.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(c["execution_count"] is not None for c in code)
    outputs = [o for c in code for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    ignored = [c for c in code if "".join(c["source"]).startswith("# NBVAL_IGNORE_OUTPUT")]
    # the two timing cells: one layer's forward vs backward, and finite differences vs backprop
    assert len(ignored) == 2 and "timeit" in "".join(ignored[0]["source"])
    assert "measure_cost" in "".join(ignored[1]["source"])
    text = "\n".join("".join(o.get("text", "")) for c in code if c not in ignored
                     for o in c["outputs"])
    assert "  16            369      739                            739   1 + 1" in text
    assert "tenfold smaller eps -> error 100 times smaller (slope 2)" in text
    # finite-difference errors to one significant digit: later digits are rounding noise
    assert "float64, eps = 1e-04: relative error 7e-09" in text
    assert "ratio 6.000" in text
