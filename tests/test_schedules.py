"""Learning-rate schedules: the formulas, torch's schedulers, and a scheduler that changes only
opt.lr (the optimizer's state survives)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import labkit as lk
from labkit.core.schedules import CosineDecay, LRScheduler, StepDecay


def test_step_decay_values():
    s = StepDecay(0.1, gamma=0.5, every=10)
    assert s(0) == 0.1 and s(9) == 0.1
    assert s(10) == pytest.approx(0.05) and s(19) == pytest.approx(0.05)
    assert s(25) == pytest.approx(0.025)
    np.testing.assert_allclose(s(np.arange(40)), [0.1 * 0.5 ** (t // 10) for t in range(40)])


def test_cosine_decay_values():
    s = CosineDecay(1.0, total=4, eta_min=0.2)
    assert s(0) == 1.0
    assert s(2) == pytest.approx(0.6)                      # halfway: the mean of the two ends
    assert s(1) == pytest.approx(0.2 + 0.8 * (1 + math.sqrt(0.5)) / 2)
    assert s(4) == pytest.approx(0.2) and s(100) == pytest.approx(0.2)   # stays at eta_min
    values = s(np.arange(8))
    assert np.all(np.diff(values) <= 1e-15)                # never rises
    np.testing.assert_allclose(values, [s(t) for t in range(8)])


@pytest.mark.parametrize("make_ours,make_torch", [
    (lambda: StepDecay(0.1, gamma=0.3, every=7),
     lambda torch, opt: torch.optim.lr_scheduler.StepLR(opt, step_size=7, gamma=0.3)),
    (lambda: CosineDecay(0.1, total=30, eta_min=0.01),
     lambda torch, opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=30, eta_min=0.01)),
])
def test_schedules_match_torch(make_ours, make_torch):
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = make_torch(torch, opt)
    ours = make_ours()
    for t in range(30):
        assert ours(t) == pytest.approx(opt.param_groups[0]["lr"], rel=1e-9, abs=1e-15), t
        opt.step()
        sched.step()


def test_scheduler_sets_lr_now_and_after_every_step():
    p = lk.Parameter(np.zeros(2))
    opt = lk.SGD([p], lr=1.0)
    sched = LRScheduler(opt, StepDecay(0.4, gamma=0.5, every=2))
    assert opt.lr == 0.4 and sched.history == [0.4]
    rates = [sched.step() for _ in range(5)]
    assert rates == pytest.approx([0.4, 0.2, 0.2, 0.1, 0.1])
    assert opt.lr == pytest.approx(0.1) and sched.t == 5 and len(sched.history) == 6


def test_momentum_buffer_survives_a_schedule():
    """theta and v by hand (v <- mu v + g; theta <- theta - eta_t v on f = 1/2 theta^2) equal
    lk.SGD driven by the scheduler: the buffer is never reset."""
    schedule = CosineDecay(0.3, total=20)
    p = lk.Parameter(np.array([2.0, -1.0]))
    opt = lk.SGD([p], lr=0.3, momentum=0.9)
    sched = LRScheduler(opt, schedule)
    theta, v = np.array([2.0, -1.0]), np.zeros(2)
    for t in range(20):
        p.grad[...] = p.data                        # grad of 1/2 theta^2
        buffer_before = opt.state[0].get("momentum_buffer")
        opt.step()
        sched.step()
        if buffer_before is not None:
            assert opt.state[0]["momentum_buffer"] is buffer_before
        v = 0.9 * v + theta
        theta = theta - schedule(t) * v
        np.testing.assert_allclose(p.data, theta, rtol=1e-12)
    np.testing.assert_allclose(opt.state[0]["momentum_buffer"], v, rtol=1e-12)


def test_adam_with_a_schedule_matches_torch():
    torch = pytest.importorskip("torch")
    start = np.array([1.5, -0.5, 0.25])
    w = torch.tensor(start, requires_grad=True)
    t_opt = torch.optim.Adam([w], lr=0.05)
    t_sched = torch.optim.lr_scheduler.CosineAnnealingLR(t_opt, T_max=15)
    p = lk.Parameter(start)
    opt = lk.Adam([p], lr=0.05)
    sched = LRScheduler(opt, CosineDecay(0.05, total=15))
    for _ in range(15):
        t_opt.zero_grad()
        (w ** 4).sum().backward()
        t_opt.step()
        t_sched.step()
        p.grad[...] = 4 * p.data ** 3
        opt.step()
        sched.step()
        np.testing.assert_allclose(p.data, w.detach().numpy(), rtol=1e-10, atol=1e-13)


def test_scheduler_as_fit_callback():
    X, y = lk.make_moons(64, rng=0)
    rng = np.random.default_rng(0)
    net = lk.Sequential(lk.Linear(2, 4, rng=rng), lk.Tanh(), lk.Linear(4, 2, rng=rng))
    opt = lk.SGD(net.parameters(), lr=1.0, momentum=0.9)
    sched = LRScheduler(opt, StepDecay(0.2, gamma=0.1, every=4))
    history = lk.fit(net, lk.CrossEntropyLoss(), opt, X, y, epochs=3, batch_size=16, rng=0,
                     callback=sched)
    assert history.steps == 12 and sched.t == 12
    assert opt.lr == pytest.approx(0.2 * 0.1 ** 3)
    assert len(sched.history) == 13


def test_a_plain_function_is_a_schedule():
    p = lk.Parameter(np.zeros(1))
    opt = lk.SGD([p], lr=1.0)
    sched = LRScheduler(opt, lambda t: 1.0 / (1 + t))
    sched.step()
    sched.step()
    assert opt.lr == pytest.approx(1 / 3)


@pytest.mark.parametrize("make,match", [
    (lambda: StepDecay(-0.1), "StepDecay: eta0"),
    (lambda: StepDecay(0.1, gamma=float("nan")), "StepDecay: gamma"),
    (lambda: StepDecay(0.1, every=0), "StepDecay: every must be an int >= 1, got 0"),
    (lambda: StepDecay(0.1, every=2.5), "StepDecay: every"),
    (lambda: CosineDecay(0.1, total=0), "CosineDecay: total"),
    (lambda: CosineDecay(0.1, total=10, eta_min=-1), "CosineDecay: eta_min"),
    (lambda: StepDecay(0.1)(-1), "the step t must be an int >= 0"),
    (lambda: CosineDecay(0.1, 10)(1.5), "the step t must be an int >= 0"),
])
def test_bad_arguments_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_scheduler_rejects_bad_partners():
    p = lk.Parameter(np.zeros(1))
    with pytest.raises(TypeError, match="optimizer must have an lr"):
        LRScheduler(object(), StepDecay(0.1))
    with pytest.raises(TypeError, match="schedule must be a function"):
        LRScheduler(lk.SGD([p], lr=0.1), 0.1)
    with pytest.raises(ValueError, match="lr must be a finite number"):
        LRScheduler(lk.SGD([p], lr=0.1), lambda t: float("nan"))
