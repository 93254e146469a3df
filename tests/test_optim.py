"""Optimizers and gradient clipping against the update rules written out by hand.

The reference implementations below follow the pseudo-code of torch.optim's documentation,
element by element in plain Python floats; they share no code with labkit. Each run uses a
changing gradient: that of the quadratic f(theta) = sum_i c_i (theta_i - m_i)^2 / 2, so that
momentum and the running averages see a different gradient at every step.
(test_vs_torch.py checks the same trajectories against torch itself.)
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import labkit as lk
from labkit.core.optim import adam_step, clip_grad_norm, grad_norm, momentum_step

C = [0.5, 2.0, -1.0, 4.0]   # one negative curvature too: the path is not a simple descent
M = [1.0, -2.0, 0.5, 3.0]
START = [0.3, 0.7, -1.2, 2.0]
STEPS = 20


def quad_grad(theta: list[float]) -> list[float]:
    return [c * (t - m) for c, t, m in zip(C, theta, M)]


# --- reference update rules, one element at a time -----------------------------------------
def ref_sgd(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    theta, buf, path = list(START), [None] * len(START), []
    for _ in range(STEPS):
        g = quad_grad(theta)
        for i in range(len(theta)):
            gi = g[i] + weight_decay * theta[i]
            if momentum != 0:
                buf[i] = gi if buf[i] is None else momentum * buf[i] + (1 - dampening) * gi
                gi = gi + momentum * buf[i] if nesterov else buf[i]
            theta[i] -= lr * gi
        path.append(list(theta))
    return path


def ref_rmsprop(lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    n = len(START)
    theta, v, gavg, buf, path = list(START), [0.0] * n, [0.0] * n, [0.0] * n, []
    for _ in range(STEPS):
        g = quad_grad(theta)
        for i in range(n):
            gi = g[i] + weight_decay * theta[i]
            v[i] = alpha * v[i] + (1 - alpha) * gi * gi
            vt = v[i]
            if centered:
                gavg[i] = alpha * gavg[i] + (1 - alpha) * gi
                vt = vt - gavg[i] ** 2
            if momentum > 0:
                buf[i] = momentum * buf[i] + gi / (math.sqrt(vt) + eps)
                theta[i] -= lr * buf[i]
            else:
                theta[i] -= lr * gi / (math.sqrt(vt) + eps)
        path.append(list(theta))
    return path


def ref_adam(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
    n = len(START)
    b1, b2 = betas
    theta, m, v, vmax, path = list(START), [0.0] * n, [0.0] * n, [0.0] * n, []
    for t in range(1, STEPS + 1):
        g = quad_grad(theta)
        for i in range(n):
            gi = g[i] + weight_decay * theta[i]
            m[i] = b1 * m[i] + (1 - b1) * gi
            v[i] = b2 * v[i] + (1 - b2) * gi * gi
            m_hat = m[i] / (1 - b1**t)
            if amsgrad:
                vmax[i] = max(vmax[i], v[i])
                v_hat = vmax[i] / (1 - b2**t)
            else:
                v_hat = v[i] / (1 - b2**t)
            theta[i] -= lr * m_hat / (math.sqrt(v_hat) + eps)
        path.append(list(theta))
    return path


def run_labkit(make_opt) -> list[np.ndarray]:
    p = lk.Parameter(np.array(START), "theta")
    opt = make_opt([p])
    path = []
    for _ in range(STEPS):
        opt.zero_grad()
        p.grad += np.array(quad_grad(list(p.data)))
        opt.step()
        path.append(p.data.copy())
    return path


SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.8, nesterov=True),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.05, momentum=0.5, weight_decay=0.2, nesterov=True),
]
RMSPROP_CASES = [
    dict(lr=0.01),
    dict(lr=0.01, alpha=0.9),
    dict(lr=0.01, eps=1e-3),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, momentum=0.9),
    dict(lr=0.01, centered=True),
    dict(lr=0.01, alpha=0.8, momentum=0.5, centered=True, weight_decay=0.05),
]
ADAM_CASES = [
    dict(lr=0.05),
    dict(lr=0.05, betas=(0.5, 0.9)),
    dict(lr=0.05, eps=1e-2),
    dict(lr=0.05, weight_decay=0.1),
    dict(lr=0.05, amsgrad=True),
    dict(lr=0.05, betas=(0.8, 0.99), amsgrad=True, weight_decay=0.01),
]


def _assert_paths(path, ref):
    assert len(path) == len(ref) == STEPS
    for step, (a, b) in enumerate(zip(path, ref), start=1):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=f"step {step}")


@pytest.mark.parametrize("kw", SGD_CASES, ids=str)
def test_sgd_matches_reference(kw):
    _assert_paths(run_labkit(lambda ps: lk.SGD(ps, **kw)), ref_sgd(**kw))


@pytest.mark.parametrize("kw", RMSPROP_CASES, ids=str)
def test_rmsprop_matches_reference(kw):
    _assert_paths(run_labkit(lambda ps: lk.RMSprop(ps, **kw)), ref_rmsprop(**kw))


@pytest.mark.parametrize("kw", ADAM_CASES, ids=str)
def test_adam_matches_reference(kw):
    _assert_paths(run_labkit(lambda ps: lk.Adam(ps, **kw)), ref_adam(**kw))


# --- single steps and properties --------------------------------------------------------------
def test_sgd_one_step_by_hand():
    p = lk.Parameter(np.array([[1.0, 2.0]]))
    p.grad[...] = [[0.5, -1.0]]
    lk.SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [[1.0 - 0.05, 2.0 + 0.1]], rtol=1e-15)


def test_adam_first_step_has_length_lr():
    # m_hat = g and v_hat = g^2 after one step, so the update is lr * g / (|g| + eps)
    p = lk.Parameter(np.array([1.0, 1.0, 1.0]))
    p.grad[...] = [3.0, -0.002, 250.0]
    lk.Adam([p], lr=0.01, eps=1e-12).step()
    np.testing.assert_allclose(p.data, [0.99, 1.01, 0.99], rtol=1e-9)


def test_zero_grad_clears_every_parameter():
    a, b = lk.Parameter(np.ones(3)), lk.Parameter(np.ones((2, 2)))
    a.grad += 1.0
    b.grad += 2.0
    lk.SGD([a, b], lr=0.1).zero_grad()
    assert not a.grad.any() and not b.grad.any()


def test_changing_lr_mid_run_keeps_the_momentum_buffer():
    p = lk.Parameter(np.array([0.0]))
    opt = lk.SGD([p], lr=1.0, momentum=0.5)
    p.grad[...] = 1.0
    opt.step()                      # v = 1, theta = -1
    opt.lr = 0.1
    opt.step()                      # v = 0.5 * 1 + 1 = 1.5, theta = -1 - 0.15
    assert p.data[0] == pytest.approx(-1.15, rel=1e-15)


def test_every_optimizer_descends_a_convex_quadratic():
    for make in (lambda ps: lk.SGD(ps, lr=0.1), lambda ps: lk.SGD(ps, lr=0.05, momentum=0.9),
                 lambda ps: lk.RMSprop(ps, lr=0.05), lambda ps: lk.Adam(ps, lr=0.1)):
        p = lk.Parameter(np.array([3.0, -2.0]))
        opt = make([p])
        for _ in range(200):
            opt.zero_grad()
            p.grad += 2 * p.data    # f = ||theta||^2
            opt.step()
        assert np.linalg.norm(p.data) < 0.1, (opt, p.data)


def test_optimizer_updates_only_its_own_parameters():
    a, b = lk.Parameter(np.ones(2)), lk.Parameter(np.ones(2))
    a.grad += 1.0
    b.grad += 1.0
    lk.SGD([a], lr=0.5).step()
    np.testing.assert_array_equal(a.data, [0.5, 0.5])
    np.testing.assert_array_equal(b.data, [1.0, 1.0])


# --- gradient clipping -------------------------------------------------------------------------
def _params_with_grads(*grads):
    ps = []
    for g in grads:
        p = lk.Parameter(np.zeros(np.shape(g)))
        p.grad[...] = g
        ps.append(p)
    return ps


def test_grad_norm_is_the_norm_of_all_gradients_together():
    ps = _params_with_grads([3.0, 0.0], [[4.0], [12.0]])
    assert grad_norm(ps) == pytest.approx(13.0, rel=1e-15)
    assert lk.nn.utils.get_total_norm([p.grad for p in ps]) == grad_norm(ps)


def test_clip_grad_norm_scales_to_max_norm_and_returns_the_old_norm():
    ps = _params_with_grads([3.0, 0.0], [[4.0], [12.0]])
    total = lk.nn.utils.clip_grad_norm_(ps, 1.3)
    assert total == pytest.approx(13.0, rel=1e-15)
    coef = 1.3 / (13.0 + 1e-6)
    np.testing.assert_allclose(ps[0].grad, [3.0 * coef, 0.0], rtol=1e-15)
    np.testing.assert_allclose(ps[1].grad, [[4.0 * coef], [12.0 * coef]], rtol=1e-15)
    assert math.sqrt(sum(float((p.grad**2).sum()) for p in ps)) == pytest.approx(1.3, rel=1e-6)


def test_clip_grad_norm_leaves_small_gradients_alone():
    ps = _params_with_grads([0.3, 0.4])
    assert lk.nn.utils.clip_grad_norm_(ps, 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(ps[0].grad, [0.3, 0.4])


def test_clip_grad_norm_formula_returns_the_scaled_arrays():
    """The exercise's formula: a list of arrays in, the list scaled by min(1, c / (||g|| +
    1e-6)) out, the inputs untouched; clip_grad_norm_ writes exactly these numbers."""
    grads = [np.array([3.0, 0.0]), np.array([[4.0], [12.0]])]
    out = clip_grad_norm(grads, 1.3)
    coef = 1.3 / (13.0 + 1e-6)
    np.testing.assert_allclose(out[0], [3.0 * coef, 0.0], rtol=1e-15)
    np.testing.assert_allclose(out[1], [[4.0 * coef], [12.0 * coef]], rtol=1e-15)
    np.testing.assert_array_equal(grads[0], [3.0, 0.0])
    assert [g.dtype for g in clip_grad_norm([np.ones(2, np.float32)], 0.1)] == [np.float32]
    ps = _params_with_grads(*grads)
    lk.nn.utils.clip_grad_norm_(ps, 1.3)
    for p, g in zip(ps, out):
        np.testing.assert_array_equal(p.grad, g)


def test_clip_grad_norm_with_a_nan_gradient_makes_every_gradient_nan_as_torch():
    ps = _params_with_grads([np.nan, 1.0], [[2.0]])
    assert math.isnan(lk.nn.utils.clip_grad_norm_(ps, 1.0))
    assert all(np.isnan(p.grad).all() for p in ps)


# --- the step formulas the exercises ask for --------------------------------------------------
def test_momentum_step_by_hand():
    p, g, v = np.array([1.0, -2.0]), np.array([0.5, 4.0]), np.array([0.2, -1.0])
    p_new, v_new = momentum_step(p, g, v, lr=0.1, mu=0.9)
    np.testing.assert_allclose(v_new, [0.9 * 0.2 + 0.5, 0.9 * -1.0 + 4.0], rtol=1e-15)
    np.testing.assert_allclose(p_new, p - 0.1 * v_new, rtol=1e-15)
    np.testing.assert_array_equal(v, [0.2, -1.0])           # the inputs are not changed


def test_adam_step_by_hand():
    p, g = np.array([1.0, -2.0]), np.array([0.5, -4.0])
    m, v = np.array([0.1, 0.0]), np.array([0.01, 0.5])
    t, lr, b1, b2, eps = 3, 0.01, 0.9, 0.999, 1e-8
    p_new, m_new, v_new = adam_step(p, g, m, v, t, lr, b1, b2, eps)
    m_ref = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g)]
    v_ref = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v, g)]
    p_ref = [pi - lr * (mi / (1 - b1 ** t)) / (math.sqrt(vi / (1 - b2 ** t)) + eps)
             for pi, mi, vi in zip(p, m_ref, v_ref)]
    np.testing.assert_allclose(m_new, m_ref, rtol=1e-15)
    np.testing.assert_allclose(v_new, v_ref, rtol=1e-15)
    np.testing.assert_allclose(p_new, p_ref, rtol=1e-14)


def test_sgd_and_adam_are_their_step_formulas():
    """One step of lk.SGD(momentum) / lk.Adam on a parameter is momentum_step / adam_step."""
    start, g = np.array([0.3, -1.2]), np.array([2.0, 0.5])
    p = lk.Parameter(start)
    p.grad[...] = g
    opt = lk.SGD([p], lr=0.1, momentum=0.9)
    opt.step()
    theta, v = momentum_step(start, g, np.zeros(2), 0.1, 0.9)
    np.testing.assert_array_equal(p.data, theta)
    np.testing.assert_array_equal(opt.state[0]["momentum_buffer"], v)
    q = lk.Parameter(start)
    q.grad[...] = g
    lk.Adam([q], lr=0.05).step()
    np.testing.assert_array_equal(q.data, adam_step(start, g, 0.0, 0.0, 1, 0.05, 0.9, 0.999,
                                                     1e-8)[0])


# --- hyper-parameters and param groups ---------------------------------------------------------
@pytest.mark.parametrize("make, name", [
    (lambda ps: lk.Adam(ps, amsgrad="no"), "amsgrad"),
    (lambda ps: lk.SGD(ps, lr=0.1, momentum=0.9, nesterov="no"), "nesterov"),
    (lambda ps: lk.RMSprop(ps, centered=1), "centered"),
])
def test_boolean_options_take_only_true_or_false(make, name):
    """"no" is truthy: taken as True it would silently switch the option on."""
    with pytest.raises(TypeError, match=rf"{name} must be True or False, got"):
        make([lk.Parameter(np.zeros(2))])


def test_param_groups_have_their_own_hyper_parameters():
    a, b = lk.Parameter(np.array([1.0])), lk.Parameter(np.array([1.0]))
    opt = lk.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.0)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    a.grad[...] = b.grad[...] = 1.0
    opt.step()
    assert a.data[0] == pytest.approx(0.9) and b.data[0] == pytest.approx(0.5)
    with pytest.raises(AttributeError, match="differs between the param groups"):
        _ = opt.lr
    opt.lr = 0.2                              # every group
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.2] and opt.lr == 0.2
    with pytest.raises(ValueError, match="SGD: lr must be"):
        lk.SGD([{"params": [a], "lr": -1.0}], lr=0.1)
    with pytest.raises(ValueError, match="appears twice"):
        lk.SGD([{"params": [a]}, {"params": [a]}], lr=0.1)


def test_state_dict_round_trip_continues_the_same_trajectory():
    def run(opt_state=None, steps=5):
        p = lk.Parameter(np.array(START))
        opt = lk.Adam([p], lr=0.05, amsgrad=True)
        if opt_state is not None:
            p.data[...], saved = opt_state
            opt.load_state_dict(saved)
        for _ in range(steps):
            opt.zero_grad()
            p.grad += np.array(quad_grad(list(p.data)))
            opt.step()
        return p, opt

    straight, _ = run(steps=10)
    half, opt = run(steps=5)
    saved = opt.state_dict()
    assert saved["param_groups"][0]["params"] == [0] and saved["state"][0]["step"] == 5
    resumed, _ = run((half.data.copy(), saved), steps=5)
    np.testing.assert_array_equal(resumed.data, straight.data)
    with pytest.raises(ValueError, match="groups of"):
        lk.Adam([lk.Parameter(np.zeros(4)), lk.Parameter(np.zeros(1))]).load_state_dict(saved)


def test_plain_sgd_and_rmsprop_end_with_a_gd_step():
    """theta <- theta - eta g is gd_step; SGD without momentum takes it on g, nesterov on
    g + mu v, RMSprop on its scaled gradient, bit for bit."""
    from labkit.core.optim import gd_step

    rng = np.random.default_rng(0)
    theta, g = rng.standard_normal(5), rng.standard_normal(5)
    assert np.array_equal(gd_step(theta, g, 0.1), theta - 0.1 * g)
    p = lk.Parameter(theta.copy())
    p.grad = g.copy()
    lk.SGD([p], lr=0.1).step()
    assert np.array_equal(p.data, gd_step(theta, g, 0.1))
    p = lk.Parameter(theta.copy())
    p.grad = g.copy()
    lk.RMSprop([p], lr=0.1, alpha=0.9).step()
    s = (1 - 0.9) * g * g
    assert np.array_equal(p.data, gd_step(theta, g / (np.sqrt(s) + 1e-8), 0.1))
