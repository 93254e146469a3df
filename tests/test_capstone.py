"""Lesson 10, the capstone: the confusion matrix, the classification plots, the PyTorch bridge,
a short training on the digits, the digit explorer widget and the lesson's torch-free outputs."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

import labkit as lk  # noqa: E402
from labkit.bridge import compare_with_torch, to_torch, torch_available  # noqa: E402
from labkit.diagnostics import GradientMonitor  # noqa: E402
from labkit.lessons.capstone.figures import (  # noqa: E402
    HEALTHY_RATIO,
    RIGHT_COLOR,
    WRONG_COLOR,
    plot_confusion_matrix,
    plot_digits,
    plot_gradient_monitor,
    plot_history,
    plot_probabilities,
)
from labkit.plot.base import trailing_mean  # noqa: E402

LESSON = Path(__file__).resolve().parent.parent / "lessons" / "10_capstone.ipynb"


@pytest.fixture(scope="module")
def digits():
    X, y = lk.load_digits()
    return lk.train_test_split(X, y, test_size=0.25, rng=0, stratify=True)


@pytest.fixture(scope="module")
def trained(digits):
    """A small digit classifier, trained briefly (the lesson's recipe, fewer epochs)."""
    X_train, X_test, y_train, y_test = digits
    rng = np.random.default_rng(0)
    net = lk.Sequential(lk.Linear(64, 32, rng=rng), lk.ReLU(), lk.Linear(32, 10, rng=rng))
    lk.fit(net, lk.CrossEntropyLoss(), lk.Adam(net.parameters(), lr=3e-3), X_train, y_train,
           epochs=4, batch_size=32, rng=0)
    return net, X_test, y_test


# --- confusion_matrix ------------------------------------------------------------------------
def counted(y_true, y_pred, c):
    """The confusion matrix by counting pairs one by one (independent of the bincount)."""
    pairs = Counter(zip(map(int, y_true), map(int, y_pred)))
    return np.array([[pairs[(i, j)] for j in range(c)] for i in range(c)])


@pytest.mark.parametrize("seed", range(5))
def test_confusion_matrix_matches_an_independent_count(seed):
    rng = np.random.default_rng(seed)
    c = int(rng.integers(2, 12))
    n = int(rng.integers(1, 300))
    y_true, y_pred = rng.integers(0, c, n), rng.integers(0, c, n)
    cm = lk.confusion_matrix(y_true, y_pred, n_classes=c)
    assert cm.dtype == np.int64 and cm.shape == (c, c)
    np.testing.assert_array_equal(cm, counted(y_true, y_pred, c))
    assert cm.sum() == n
    assert np.trace(cm) / n == pytest.approx(np.mean(y_true == y_pred))
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(y_true, minlength=c))


def test_confusion_matrix_rows_are_the_truth_and_scores_are_accepted():
    cm = lk.confusion_matrix([0, 0, 1, 2], [1, 0, 1, 1])
    np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 1, 0], [0, 1, 0]])
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    np.testing.assert_array_equal(lk.confusion_matrix([1, 0, 0], scores), [[1, 1], [0, 1]])
    # n_classes larger than the classes seen: empty rows and columns
    assert lk.confusion_matrix([0], [0], n_classes=4).shape == (4, 4)


@pytest.mark.parametrize("args, error, message", [
    (([0, 1], [0]), ValueError, "2 labels but y_pred has 1"),
    (([0.0, 1.0], [0, 1]), TypeError, "integer class indices"),
    (([0, 3], [0, 1], 3), ValueError, "class index 3 out of range for 3 classes"),
    (([0, -1], [0, 1]), ValueError, "class index -1"),
    ((np.zeros((2, 2), dtype=int), [0, 1]), ValueError, "y_true must be 1-D"),
    (([0, 1], [0, 1], 0), ValueError, "n_classes must be an int >= 1"),
    ((np.array([], dtype=int), np.array([], dtype=int)), ValueError, "give n_classes"),
])
def test_confusion_matrix_bad_input_names_the_problem(args, error, message):
    with pytest.raises(error, match=re.escape(message)):
        lk.confusion_matrix(*args)


def test_confusion_matrix_is_exported_from_the_core():
    from labkit.core.metrics import confusion_matrix

    assert confusion_matrix is lk.confusion_matrix and "confusion_matrix" in lk.__all__


# --- the plot helpers ------------------------------------------------------------------------
def test_confusion_matrix_plot_writes_every_count_and_frames_the_mistakes():
    cm = np.array([[5, 0, 1], [0, 7, 0], [2, 0, 3]])
    ax = Figure().subplots()
    assert plot_confusion_matrix(cm, ax, class_names=["a", "b", "c"]) is ax
    np.testing.assert_allclose(ax.images[0].get_array(), np.log1p(cm))
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
             for t in ax.texts}
    assert cells == {(i, j): str(cm[i, j]) for i in range(3) for j in range(3)}
    frames = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert sorted((round(p.get_y() + 0.5), round(p.get_x() + 0.5)) for p in frames) == \
        [(0, 2), (2, 0)]
    assert all(to_hex(p.get_edgecolor()) == WRONG_COLOR for p in frames)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert "15 of 18 right" in ax.get_title()


@pytest.mark.parametrize("cm, message", [
    (np.ones((2, 3), dtype=int), "square"),
    (np.ones((2, 2)), "counts"),
    (-np.ones((2, 2), dtype=int), "counts"),
])
def test_confusion_matrix_plot_rejects_what_is_not_a_confusion_matrix(cm, message):
    with pytest.raises(ValueError, match=message):
        plot_confusion_matrix(cm, Figure().subplots())


def test_digit_grid_shows_each_image_with_true_and_predicted_labels(digits):
    X = digits[1][:5]
    y_true, y_pred = np.array([0, 1, 2, 3, 4]), np.array([0, 7, 2, 3, 9])
    probs = np.full((5, 10), 0.1)
    fig = Figure()
    axes = plot_digits(X, y_true, y_pred, fig=fig, ncols=3, probabilities=probs, title="t")
    assert len(axes) == 5 and len(fig.axes) == 5 and fig._suptitle.get_text() == "t"
    for ax, x, t, p in zip(axes, X, y_true, y_pred):
        np.testing.assert_array_equal(ax.images[0].get_array(), x.reshape(8, 8))
        assert ax.get_title().startswith(f"true {t} → {p}") and "p = 0.10" in ax.get_title()
        assert to_hex(ax.title.get_color()) == (RIGHT_COLOR if t == p else WRONG_COLOR)
    assert axes[3].get_subplotspec().rowspan.start == 1          # 3 columns: a second row
    # drawing again on the same figure replaces the grid
    plot_digits(X[:2], fig=fig)
    assert len(fig.axes) == 2 and fig.axes[0].get_title() == ""


def test_digit_grid_without_images_says_so_and_checks_lengths(digits):
    fig = Figure()
    assert plot_digits(np.zeros((0, 64)), [], [], fig=fig) == []
    assert fig.axes[0].texts[0].get_text() == "no images to show"
    with pytest.raises(ValueError, match="3 images but 2 labels in y_pred"):
        plot_digits(digits[1][:3], [1, 2, 3], [1, 2], fig=fig)
    with pytest.raises(ValueError, match="square images"):
        plot_digits(np.zeros((2, 10)), fig=fig)


def test_gradient_monitor_plot_draws_one_raw_and_one_smoothed_line_per_layer(digits):
    X_train, _, y_train, _ = digits
    net = lk.Sequential(lk.Linear(64, 16, rng=0), lk.Tanh(), lk.Linear(16, 10, rng=1))
    monitor = GradientMonitor(activations=False)
    lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=0.1), X_train[:200],
           y_train[:200], epochs=2, batch_size=20, rng=0, monitor=monitor)
    ax_g, ax_r = Figure().subplots(1, 2)
    assert plot_gradient_monitor(monitor, (ax_g, ax_r), net=net, smooth=5,
                                 steps_per_epoch=10) == (ax_g, ax_r)
    raw_g = [line for line in ax_g.lines if line.get_alpha() == 0.3]
    np.testing.assert_allclose(raw_g[0].get_ydata(), monitor.grad_norm["0"])
    np.testing.assert_allclose(raw_g[1].get_xdata(), monitor.steps)
    smooth = [line.get_label() for line in ax_g.lines if not line.get_label().startswith("_")]
    assert smooth == ["layer 0: Linear 64→16", "layer 2: Linear 16→10"]
    np.testing.assert_allclose(ax_g.lines[1].get_ydata(),
                               trailing_mean(monitor.grad_norm["0"], 5))
    ratios = [line for line in ax_r.lines if line.get_alpha() == 0.3]
    np.testing.assert_allclose(ratios[1].get_ydata(), monitor.update_ratio["2"])
    assert any(np.all(np.asarray(line.get_ydata()) == HEALTHY_RATIO) for line in ax_r.lines)
    assert ax_g.get_yscale() == ax_r.get_yscale() == "log"
    with pytest.raises(TypeError, match="expected a GradientMonitor"):
        plot_gradient_monitor(object(), (ax_g, ax_r))


def test_trailing_mean_averages_the_last_k_and_keeps_nan_out():
    np.testing.assert_allclose(trailing_mean([1, 2, 3, 4, 5], 3), [1, 1.5, 2, 3, 4])
    np.testing.assert_allclose(trailing_mean([1, 2], 5), [1, 1.5])
    out = trailing_mean([1.0, np.nan, 3.0, np.inf, 5.0], 2)
    np.testing.assert_allclose(out, [1, np.nan, 3, np.nan, 5])


def test_history_plot_shows_loss_per_step_and_the_validation_metric():
    h = lk.History(loss=[2.0, 1.0, 0.5, 0.25], epoch_loss=[1.5, 0.375], val_metric=[0.5, 0.8])
    ax_l, ax_v = plot_history(h, Figure().subplots(1, 2))
    np.testing.assert_allclose(ax_l.lines[0].get_ydata(), h.loss)
    np.testing.assert_allclose(ax_l.lines[1].get_xdata(), [2, 4])       # epoch ends
    np.testing.assert_allclose(ax_v.lines[0].get_ydata(), h.val_metric)
    ax_l, ax_v = plot_history(lk.History(loss=[1.0], epoch_loss=[1.0]),
                              Figure().subplots(1, 2))
    assert ax_v.texts[0].get_text() == "no validation data"


def test_probability_bars_colour_the_truth_green_and_a_wrong_answer_red():
    ax = plot_probabilities([0.1, 0.7, 0.2], Figure().subplots(), true=2)
    heights = [b.get_height() for b in ax.patches]
    colors = [to_hex(b.get_facecolor()) for b in ax.patches]
    assert heights == pytest.approx([0.1, 0.7, 0.2])
    assert colors[1] == WRONG_COLOR and colors[2] == RIGHT_COLOR


def test_new_figures_have_explicit_sizes():
    import matplotlib.pyplot as plt

    try:
        ax = plot_confusion_matrix(np.eye(3, dtype=int))
        assert tuple(ax.figure.get_size_inches()) == (5.0, 4.4)
        axes = plot_digits(np.zeros((16, 64)), ncols=8)
        assert tuple(axes[0].figure.get_size_inches()) == pytest.approx((9.2, 2.7))
    finally:
        plt.close("all")


# --- the PyTorch bridge ----------------------------------------------------------------------
def test_importing_the_bridge_does_not_import_torch():
    code = ("import sys, labkit.bridge as b\n"
            "b.torch_available()\n"
            "print('torch' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.strip() == "False"


def test_without_torch_the_bridge_says_so(monkeypatch):
    import builtins
    import importlib.util

    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError("No module named 'torch'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a, **k: None)
    assert torch_available() is False
    net = lk.Sequential(lk.Linear(2, 2, rng=0))
    with pytest.raises(ModuleNotFoundError, match="pip install torch"):
        compare_with_torch(net, lk.MSELoss(), np.ones((1, 2)), np.ones((1, 2)))


@pytest.fixture
def torch():
    torch = pytest.importorskip("torch", reason="torch is not installed: pip install torch")
    torch.set_num_threads(1)     # tiny tensors; the machine is shared
    return torch


def small_net(seed=0, act=lk.ReLU, widths=(6, 5, 4), bias=True):
    rng = np.random.default_rng(seed)
    layers = []
    for i in range(len(widths) - 1):
        layers.append(lk.Linear(widths[i], widths[i + 1], bias=bias, rng=rng))
        if i < len(widths) - 2:
            layers.append(act())
    return lk.Sequential(*layers)


@pytest.mark.parametrize("act", [lk.ReLU, lk.Tanh, lk.Sigmoid, lk.Identity,
                                 lambda: lk.LeakyReLU(0.2)])
@pytest.mark.parametrize("bias", [True, False])
def test_gradients_agree_with_torch_autograd_computed_here(torch, act, bias):
    """labkit's backprop against gradients taken with torch directly in this test (not through
    the helper): loss, every parameter gradient and dL/dX in float64, to 1e-10."""
    rng = np.random.default_rng(3)
    net = small_net(1, act, (6, 8, 7, 4), bias=bias)
    X, y = rng.standard_normal((9, 6)), rng.integers(0, 4, 9)
    loss_fn = lk.CrossEntropyLoss()
    loss = loss_fn(net(X), y)
    net.zero_grad()
    dX = net.backward(loss_fn.backward())

    model = to_torch(net)
    tX = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    t_loss = torch.nn.functional.cross_entropy(model(tX), torch.tensor(y))
    t_loss.backward()
    assert abs(loss - t_loss.item()) < 1e-10
    t_grads = dict(model.named_parameters())
    for p in net.parameters():
        index, kind = p.name.split(".")
        t = t_grads[f"{index}.{'weight' if kind == 'W' else 'bias'}"]
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(dX, tX.grad.numpy(), rtol=0, atol=1e-10)

    report = compare_with_torch(net, loss_fn, X, y)
    assert report.agrees(1e-10) and report.max_abs_diff < 1e-10


@pytest.mark.parametrize("loss_name", ["mse", "bce", "ce"])
@pytest.mark.parametrize("optimizer", [None, "sgd", "adam"])
def test_the_helper_reports_agreement_for_every_loss_and_step(torch, loss_name, optimizer):
    rng = np.random.default_rng(7)
    X = rng.standard_normal((10, 6))
    if loss_name == "ce":
        net, loss_fn, y = small_net(2), lk.CrossEntropyLoss(), rng.integers(0, 4, 10)
    elif loss_name == "mse":
        net, loss_fn, y = small_net(2), lk.MSELoss(), rng.standard_normal((10, 4))
    else:
        net = lk.Sequential(*small_net(2).layers, lk.Sigmoid())
        loss_fn, y = lk.BCELoss(), rng.integers(0, 2, (10, 4)).astype(float)
    report = compare_with_torch(net, loss_fn, X, y, optimizer=optimizer, lr=0.05)
    assert report.max_abs_diff < 1e-10
    assert [(p.name, p.torch_name) for p in report.params] == [
        ("0.W", "0.weight"), ("0.b", "0.bias"), ("2.W", "2.weight"), ("2.b", "2.bias")]
    assert all((p.step_max_abs_diff is None) == (optimizer is None) for p in report.params)
    assert report.params[0].grad_norm_labkit == pytest.approx(report.params[0].grad_norm_torch)
    text = report.table()
    assert "labkit" in text and "PyTorch" in text and "0.W / 0.weight" in text
    assert ("after one" in text) == (optimizer is not None)


def test_the_helper_leaves_the_net_and_your_model_untouched(torch):
    net = small_net(4)
    for p in net.parameters():
        p.grad[...] = 3.0
    before = [p.data.copy() for p in net.parameters()]
    model = to_torch(net)
    model_before = [p.detach().clone() for p in model.parameters()]
    X, y = np.ones((3, 6)), np.array([0, 1, 2])
    compare_with_torch(net, lk.CrossEntropyLoss(), X, y, model=model, optimizer="adam", lr=0.1)
    assert all(np.array_equal(p.data, b) for p, b in zip(net.parameters(), before))
    assert all(np.all(p.grad == 3.0) for p in net.parameters())
    assert all(torch.equal(p, b) for p, b in zip(model.parameters(), model_before))


def test_the_helper_catches_a_wrong_translation(torch):
    net = small_net(5, widths=(4, 4, 3))
    model = to_torch(net)
    with torch.no_grad():
        model[0].weight.copy_(model[0].weight.T.clone())      # the classic mistake: a transpose
    X, y = np.random.default_rng(0).standard_normal((5, 4)), np.array([0, 1, 2, 0, 1])
    report = compare_with_torch(net, lk.CrossEntropyLoss(), X, y, model=model)
    assert not report.agrees() and report.output_max_abs_diff > 1e-3
    with pytest.raises(ValueError, match="do not match"):
        compare_with_torch(net, lk.CrossEntropyLoss(), X, y, model=to_torch(small_net(0)))


def test_float32_translation_is_close_but_not_exact(torch):
    net = small_net(6)
    X, y = np.random.default_rng(1).standard_normal((8, 6)), np.arange(8) % 4
    report = compare_with_torch(net, lk.CrossEntropyLoss(), X, y,
                                model=to_torch(net, dtype="float32"))
    assert 1e-12 < report.max_abs_diff < 1e-5


def test_layers_without_a_translation_are_named(torch):
    net = lk.Sequential(lk.Linear(2, 3, rng=0), lk.Dropout(0.5), lk.Linear(3, 1, rng=1))
    with pytest.raises(TypeError, match="layer 1 .*Dropout.* has no translation"):
        to_torch(net)
    with pytest.raises(TypeError, match="translates a labkit Sequential"):
        to_torch(lk.Linear(2, 2, rng=0))
    with pytest.raises(ValueError, match="optimizer must be None or one of"):
        compare_with_torch(small_net(), lk.CrossEntropyLoss(), np.ones((1, 6)),
                           np.array([0]), optimizer="rmsprop")


def test_the_lessons_network_agrees_with_torch_after_training(torch, trained):
    net, X_test, y_test = trained
    report = compare_with_torch(net, lk.CrossEntropyLoss(), X_test[:64], y_test[:64],
                                optimizer="adam", lr=3e-3)
    assert report.agrees(1e-10), report.table()


# --- training on the digits ------------------------------------------------------------------
def test_a_short_training_on_the_digits_is_deterministic_and_learns(digits):
    X_train, X_test, y_train, y_test = digits

    def run():
        rng = np.random.default_rng(0)
        net = lk.Sequential(lk.Linear(64, 64, rng=rng), lk.ReLU(), lk.Linear(64, 10, rng=rng))
        monitor = GradientMonitor(every=5)
        history = lk.fit(net, lk.CrossEntropyLoss(), lk.Adam(net.parameters(), lr=3e-3),
                         X_train, y_train, epochs=4, batch_size=32, rng=0,
                         validation=(X_test, y_test), monitor=monitor)
        return net, history, monitor

    net, history, monitor = run()
    _, history2, monitor2 = run()
    assert history.loss == history2.loss and monitor.update_ratio == monitor2.update_ratio
    acc = lk.accuracy(net(X_test), y_test)
    assert acc >= 0.9, acc
    assert history.val_metric[-1] == acc and history.epoch_loss[-1] < history.epoch_loss[0] / 4
    assert set(monitor.grad_norm) == {"0", "2"}
    assert all(0 < r < 0.5 for r in monitor.update_ratio["0"])
    cm = lk.confusion_matrix(y_test, net(X_test), 10)
    assert np.trace(cm) == round(acc * len(y_test))


# --- the widget ------------------------------------------------------------------------------
def test_example_gradients_match_a_hand_computed_single_example(trained):
    from labkit.lessons.capstone.widget import example_gradients

    net, X, y = trained
    for p in net.parameters():
        p.grad[...] = 0.5
    g = example_gradients(net, X[:20], y[:20])
    assert all(np.all(p.grad == 0.5) for p in net.parameters())    # left as it was
    n = 3
    loss_fn = lk.CrossEntropyLoss()
    loss = loss_fn(net(X[n:n + 1]), y[n:n + 1])
    net.zero_grad()
    net.backward(loss_fn.backward())
    assert g.loss[n] == pytest.approx(loss)
    assert g.grad_norm["0"][n] == pytest.approx(
        np.sqrt(np.sum(net[0].W.grad ** 2) + np.sum(net[0].b.grad ** 2)))
    np.testing.assert_allclose(g.probs, lk.softmax(net(X[:20])))


def test_digit_explorer_describes_right_and_wrong_answers(trained):
    from labkit.lessons.capstone.widget import digit_explorer
    from labkit.widgets.drive import sweep

    net, X, y = trained
    X, y = X[:120], y[:120]
    pred = lk.predict_classes(net(X))
    lab = digit_explorer(net, X, y)
    assert repr(lab) == "<labkit widget: a trained digit classifier, one test image at a time>"
    assert lab.view.image.value[:4] == b"\x89PNG"
    wrong = np.flatnonzero(pred != y)
    right = int(np.flatnonzero(pred == y)[0])
    lab.set(i=right)
    assert lab.last_status.level == "info" and f"is a {y[right]}" in lab.last_status.text
    lab.set(show="wrong")
    # only the mistakes are left on the slider, and its readout is the image in the title
    assert [v for _, v in lab.controls["i"].options] == list(wrong)
    lab.set(i=int(wrong[0]))
    assert lab.controls["i"].label == str(wrong[0])
    assert lab.view.fig.axes[0].get_title().startswith(f"image {wrong[0]}:")
    assert lab.last_status.level == "warning"
    assert lab.last_status.text.startswith(f"mistake 1 of {len(wrong)}: Test image {wrong[0]}")
    assert "median" in lab.last_status.text
    for _, status in sweep(lab):
        assert status.level != "error", status.text


def test_digit_explorer_with_no_mistakes_says_so(trained):
    from labkit.lessons.capstone.widget import digit_explorer

    net, X, y = trained
    right = lk.predict_classes(net(X)) == y
    lab = digit_explorer(net, X[right][:30], y[right][:30], show="wrong")
    assert "every one of these images correctly" in lab.last_status.text
    lab.set(show="all")
    assert "predicted right" in lab.last_status.text
    with pytest.raises(ValueError, match="show must be"):
        digit_explorer(net, X, y, show="some")


# --- the lesson ------------------------------------------------------------------------------
def lesson_cells():
    return json.loads(LESSON.read_text(encoding="utf-8"))["cells"]


def test_only_the_torch_comparison_cell_may_vary_and_nothing_else_needs_torch():
    """No compared output may depend on torch: the one cell that runs torch is marked
    NBVAL_IGNORE_OUTPUT; any other code cell mentions torch only inside a function body."""
    ignored = []
    for cell in lesson_cells():
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        if "NBVAL_IGNORE_OUTPUT" in src:
            ignored.append(cell["id"])
            continue
        for line in src.splitlines():
            if "torch" in line.lower() and not line.startswith((" ", "#", "def ")):
                if "import" in line and "torch" in line.split("import")[-1]:
                    pytest.fail(f"cell {cell['id']} imports torch at top level: {line}")
                if "torch_available" in line or "compare_with_torch(" in line:
                    pytest.fail(f"cell {cell['id']} runs torch: {line}")
    assert ignored == ["torch-compare"]


def test_the_stored_lesson_reaches_95_percent_on_the_test_set():
    text = "".join("".join(o.get("text", "")) for c in lesson_cells() if c["cell_type"] == "code"
                   for o in c.get("outputs", []))
    m = re.search(r"test accuracy: ([\d.]+) %", text)
    assert m is not None and float(m.group(1)) >= 95.0
