"""Lesson 02 (loss): the loss curves against labkit's own layers and finite differences, the
3-class losses against formulas and PyTorch, the plots and the loss widget's words."""
from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import labkit as lk  # noqa: E402
from labkit.lessons.loss.compute import (  # noqa: E402
    ClassifierLosses,
    classify_logits,
    cross_entropy_vs_p,
    mse_vs_p,
    softmax_backward,
)
from labkit.lessons.loss.figures import (  # noqa: E402
    plot_ce_and_mse_vs_p,
    plot_class_probabilities,
    plot_logit_gradients,
    update_class_probabilities,
    update_logit_gradients,
)
from labkit.lessons.loss.widget import describe_losses, loss_lab  # noqa: E402
from labkit.widgets.drive import edge_values, random_settings  # noqa: E402

REL_TOL = 1e-7
logits3 = st.lists(st.floats(-6, 6, allow_nan=False), min_size=3, max_size=3)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def edge_settings(lab):
    """Every control at each of its edge values, the others at their start values (one redraw
    each; drive.sweep redraws twice per setting)."""
    start = lab.values
    return [{**start, name: value} for name, control in lab.controls.items()
            for value in edge_values(control)]


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def layers_on_logit(loss_fn: lk.Loss, p: float) -> tuple[float, float]:
    """(L, dL/dz) of one sample with target 1 whose sigmoid output is p, by labkit's layers."""
    sig = lk.Sigmoid()
    L = loss_fn(sig(np.array([[logit(p)]])), np.array([[1.0]]))
    return L, float(sig.backward(loss_fn.backward())[0, 0])


# --- the curves as functions of p -----------------------------------------------------------
@pytest.mark.parametrize("p", [0.001, 0.01, 0.1, 0.3, 0.5, 0.9, 0.999])
def test_curves_are_what_labkits_layers_compute(p):
    ce, ce_grad = cross_entropy_vs_p(p)
    mse, mse_grad = mse_vs_p(p)
    L, g = layers_on_logit(lk.BCELoss(), p)
    assert ce == pytest.approx(L, rel=1e-9) and ce_grad == pytest.approx(g, rel=1e-9)
    L, g = layers_on_logit(lk.MSELoss(), p)
    assert mse == pytest.approx(L, rel=1e-9) and mse_grad == pytest.approx(g, rel=1e-9)


@pytest.mark.parametrize("p", [0.02, 0.4, 0.95])
def test_curve_gradients_match_finite_differences_in_the_logit(p):
    z = np.array([logit(p)])
    for curve in (cross_entropy_vs_p, mse_vs_p):
        numeric = lk.numerical_gradient(lambda c=curve: float(c(lk.sigmoid(z))[0][0]), z)
        assert numeric[0] == pytest.approx(float(curve(p)[1]), rel=1e-6, abs=1e-9)


def test_the_lesson_claims_about_the_curves():
    p = np.linspace(0.0, 1.0, 1001)
    ce, ce_grad = cross_entropy_vs_p(p)
    mse, mse_grad = mse_vs_p(p)
    assert ce[0] == np.inf and ce_grad[0] == -1.0          # no warning, a finite push
    assert np.all(np.diff(ce[1:]) < 0) and ce[-1] == 0.0
    # confidently wrong: cross-entropy pushes ~50 times harder than MSE at p = 0.01
    assert cross_entropy_vs_p(0.01)[1] == pytest.approx(-0.99)
    assert mse_vs_p(0.01)[1] == pytest.approx(-0.019602)
    assert np.all(np.abs(ce_grad) >= np.abs(mse_grad))
    # MSE's push peaks at p = 1/3 with 8/27 and vanishes at both ends
    peak = p[np.argmax(np.abs(mse_grad))]
    assert peak == pytest.approx(1 / 3, abs=1e-3)
    assert np.abs(mse_grad).max() == pytest.approx(8 / 27, rel=1e-4)
    assert mse_grad[0] == 0.0 and mse_grad[-1] == 0.0


def test_curves_refuse_non_probabilities():
    for bad in (-0.1, 1.5, np.nan, [0.5, 2.0]):
        with pytest.raises(ValueError, match="must lie in \\[0, 1\\]"):
            cross_entropy_vs_p(bad)
        with pytest.raises(ValueError, match="must lie in \\[0, 1\\]"):
            mse_vs_p(bad)


# --- softmax and the 3-class losses ---------------------------------------------------------
def test_softmax_backward_matches_finite_differences(rng):
    z = rng.normal(size=(2, 4))
    g = rng.normal(size=(2, 4))
    analytic = softmax_backward(lk.softmax(z), g)
    numeric = lk.numerical_gradient(lambda: float(np.sum(g * lk.softmax(z))), z)
    assert lk.relative_error(analytic, numeric) < REL_TOL
    with pytest.raises(ValueError, match=r"p has shape \(2, 4\) but dL/dp has shape \(4,\)"):
        softmax_backward(lk.softmax(z), g[0])


def test_classify_logits_on_the_seed_example():
    r = classify_logits(np.log([0.1, 0.8, 0.1]), 1)
    assert isinstance(r, ClassifierLosses)
    np.testing.assert_allclose(r.p, [0.1, 0.8, 0.1])
    assert r.ce == pytest.approx(-math.log(0.8)) and r.p_true == pytest.approx(0.8)
    np.testing.assert_allclose(r.ce_grad, [0.1, -0.2, 0.1], atol=1e-12)
    assert r.mse == pytest.approx((0.01 + 0.04 + 0.01) / 3)
    assert r.predicted == 1


@given(logits3, st.integers(0, 2))
def test_classify_logits_gradients_match_finite_differences(values, target):
    z = np.array(values)
    r = classify_logits(z, target)
    onehot = np.eye(3)[target]
    np.testing.assert_allclose(r.ce_grad, r.p - onehot, atol=1e-12)
    assert r.ce == pytest.approx(-math.log(r.p_true), rel=1e-9, abs=1e-12)
    num_ce = lk.numerical_gradient(lambda: classify_logits(z, target).ce, z)
    num_mse = lk.numerical_gradient(lambda: classify_logits(z, target).mse, z)
    assert np.abs(r.ce_grad - num_ce).max() < 1e-7
    assert np.abs(r.mse_grad - num_mse).max() < 1e-7
    # MSE pushes the true logit up too (never down), but never harder than cross-entropy
    assert r.mse_grad[target] <= 1e-15
    assert abs(r.mse_grad[target]) <= abs(r.ce_grad[target]) + 1e-12


def test_classify_logits_matches_torch():
    torch = pytest.importorskip("torch", reason="torch is needed to compare with PyTorch")
    z = np.array([1.5, -0.5, 3.0])
    r = classify_logits(z, 0)
    zt = torch.tensor(z.reshape(1, 3), requires_grad=True)
    torch.nn.functional.cross_entropy(zt, torch.tensor([0])).backward()
    np.testing.assert_allclose(r.ce_grad, zt.grad.numpy()[0], rtol=1e-10, atol=1e-12)
    zt.grad = None
    onehot = torch.tensor([[1.0, 0.0, 0.0]], dtype=torch.float64)
    loss = torch.nn.functional.mse_loss(torch.softmax(zt, dim=1), onehot)
    loss.backward()
    assert r.mse == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(r.mse_grad, zt.grad.numpy()[0], rtol=1e-10, atol=1e-12)


def test_classify_logits_refuses_bad_input():
    with pytest.raises(ValueError, match=r"1-D array of C >= 2 class scores, got shape \(1, 3\)"):
        classify_logits(np.zeros((1, 3)), 0)
    with pytest.raises(ValueError, match=r"target must be a class index in 0..2, got 3"):
        classify_logits([0.0, 1.0, 2.0], 3)
    with pytest.raises(ValueError, match="got True"):
        classify_logits([0.0, 1.0, 2.0], True)
    with pytest.raises(ValueError, match="got 1.0"):
        classify_logits([0.0, 1.0, 2.0], 1.0)


# --- plots ----------------------------------------------------------------------------------
def test_plot_ce_and_mse_vs_p_draws_the_formulas():
    ax_loss, ax_grad = plot_ce_and_mse_vs_p()
    assert ax_loss.figure.get_size_inches().tolist() == [9.0, 3.4]
    p, ce = ax_loss.lines[0].get_data()
    _, mse = ax_loss.lines[1].get_data()
    np.testing.assert_allclose(ce, -np.log(p))
    np.testing.assert_allclose(mse, (1 - p) ** 2)
    _, ce_g = ax_grad.lines[0].get_data()
    _, mse_g = ax_grad.lines[1].get_data()
    np.testing.assert_allclose(ce_g, 1 - p)
    np.testing.assert_allclose(mse_g, 2 * p * (1 - p) ** 2)
    for ax in (ax_loss, ax_grad):
        assert ax.get_title() and "probability of the true class" in ax.get_xlabel()
        assert ax.get_legend() is not None


def test_class_bars_show_probabilities_and_gradients_and_update_in_place():
    names = ["cat", "dog", "bird"]
    r = classify_logits([2.0, 0.5, -1.0], 0)
    ax_p = plot_class_probabilities(r, class_names=names)
    np.testing.assert_allclose([b.get_height() for b in ax_p.containers[0]], r.p)
    assert [t.get_text() for t in ax_p.texts] == [f"{p:.2f}" for p in r.p]
    assert "true class: cat" in ax_p.get_title()
    ax_g = plot_logit_gradients(r, class_names=names)
    np.testing.assert_allclose([b.get_height() for b in ax_g.containers[0]], r.ce_grad)
    np.testing.assert_allclose([b.get_height() for b in ax_g.containers[1]], r.mse_grad)
    assert ax_g.get_legend().get_texts()[0].get_text() == f"cross-entropy (L = {r.ce:.2f})"
    r2 = classify_logits([-3.0, 3.0, 0.0], 2)
    update_class_probabilities(ax_p, r2, names)
    update_logit_gradients(ax_g, r2, names)
    np.testing.assert_allclose([b.get_height() for b in ax_p.containers[0]], r2.p)
    np.testing.assert_allclose([b.get_height() for b in ax_g.containers[1]], r2.mse_grad)
    assert "true class: bird" in ax_p.get_title() and len(ax_p.containers) == 1
    with pytest.raises(ValueError, match="2 class names for 3 classes"):
        plot_class_probabilities(r, class_names=["cat", "dog"])


# --- the widget -----------------------------------------------------------------------------
def test_loss_lab_names_the_four_situations():
    lab = loss_lab(logits=(2.0, 0.5, -1.0), target=0)
    assert lab.view.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert lab.last_status.text.startswith("Right but unsure: cat gets p = 0.79")
    lab.set(z_cat=-3.0, z_dog=3.0)
    status = lab.last_status
    assert status.level == "warning"
    assert status.text.startswith("Confidently wrong: cat gets only p = 0.002")
    assert "cross-entropy 6.02 (dL/dz_cat = -1.00)" in status.text
    assert "MSE 0.652 (dL/dz_cat = -0.003)" in status.text
    lab.set(z_cat=0.0, z_dog=0.8, z_bird=0.0)
    assert lab.last_status.text.startswith("Wrong: the network prefers dog (p = 0.53)")
    lab.set(z_cat=4.0, z_dog=0.0, z_bird=0.0)
    assert lab.last_status.text.startswith("Confidently right: cat gets p = 0.965")
    lab.set(target=1)
    assert lab.last_status.text.startswith("Confidently wrong: dog gets only p = 0.018")


def test_loss_lab_is_blind_to_a_shift_of_all_logits():
    lab = loss_lab(logits=(1.0, -0.5, 0.2), target=2)
    before = lab.last_status.text
    lab.set(z_cat=3.0, z_dog=1.5, z_bird=2.2)
    assert lab.last_status.text == before


def test_describe_losses_uses_the_given_class_names():
    r = classify_logits([0.0, 5.0], 0)
    status = describe_losses(r, ["no", "yes"])
    assert status.text.startswith("Confidently wrong: no gets only p = 0.007, yes gets 0.99")


def test_loss_lab_never_fails_on_any_setting():
    lab = loss_lab()
    images = set()
    for setting in edge_settings(lab):
        lab.set(**setting)
        assert lab.last_status.level != "error", lab.last_status
        images.add(lab.view.image.value)
    assert len(images) > 6
    for _, status in random_settings(lab, 8, np.random.default_rng(5)):
        assert status.level != "error", status
    assert repr(lab).startswith("<labkit widget: cross-entropy vs MSE")


def test_loss_lab_rejects_bad_start_values():
    with pytest.raises(ValueError, match="2 logits for 3 classes"):
        loss_lab(logits=(1.0, 2.0))
    with pytest.raises(ValueError, match="target must be a class index in 0..2, got 3"):
        loss_lab(target=3)
    with pytest.raises(ValueError, match="outside the slider's range"):
        loss_lab(logits=(9.0, 0.0, 0.0))


def test_the_old_name_of_the_ce_and_mse_figure_warns_and_is_the_same_function():
    from labkit.lessons.loss import figures
    with pytest.warns(DeprecationWarning, match="plot_ce_and_mse_vs_p"):
        assert figures.plot_loss_curves is figures.plot_ce_and_mse_vs_p
