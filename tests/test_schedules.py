"""Learning-rate schedulers: torch's names and values (also past T_max, per param group), a
scheduler that changes only the lr (the optimizer's state survives), and the old names."""
from __future__ import annotations

import math

import numpy as np
import pytest

import labkit as lk
from labkit.optim.lr_scheduler import CosineAnnealingLR, LambdaLR, LRScheduler, StepLR


def _sgd(lr=0.1, momentum=0.0, groups=None):
    if groups is None:
        return lk.SGD([lk.Parameter(np.zeros(2))], lr=lr, momentum=momentum)
    return lk.SGD([{"params": [lk.Parameter(np.zeros(2))], "lr": g} for g in groups], lr=lr,
                  momentum=momentum)


def test_step_lr_values():
    opt = _sgd(0.1)
    sched = StepLR(opt, step_size=10, gamma=0.5)
    rates = [opt.lr]
    for _ in range(39):
        opt.step()
        sched.step()
        rates.append(opt.lr)
    np.testing.assert_allclose(rates, [0.1 * 0.5 ** (t // 10) for t in range(40)], rtol=1e-15)
    assert sched.get_last_lr() == [rates[-1]] and sched.last_epoch == 39


def test_cosine_annealing_values_by_hand():
    opt = _sgd(1.0)
    sched = CosineAnnealingLR(opt, T_max=4, eta_min=0.2)
    rates = [opt.lr]
    for _ in range(8):
        sched.step()
        rates.append(opt.lr)
    assert rates[0] == 1.0 and rates[2] == pytest.approx(0.6)      # halfway: the mean
    assert rates[1] == pytest.approx(0.2 + 0.8 * (1 + math.sqrt(0.5)) / 2)
    assert rates[4] == pytest.approx(0.2)                           # the bottom at T_max
    assert rates[6] == pytest.approx(0.6) and rates[8] == pytest.approx(1.0)   # back up


SCHEDULERS = [
    ("StepLR", dict(step_size=7, gamma=0.3)),
    ("CosineAnnealingLR", dict(T_max=10, eta_min=0.01)),
    ("CosineAnnealingLR", dict(T_max=7)),
    ("LambdaLR", dict(lr_lambda=lambda t: 1.0 / (1 + t))),
    ("LambdaLR", dict(lr_lambda=lambda t: 0.95 ** t)),
]


@pytest.mark.parametrize("name, kw", SCHEDULERS, ids=[f"{n}-{i}" for i, (n, _) in
                                                      enumerate(SCHEDULERS)])
def test_schedulers_match_torch_for_every_group_and_past_t_max(name, kw):
    torch = pytest.importorskip("torch")
    lrs = (0.1, 0.03)
    t_opt = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)], "lr": lr}
                             for lr in lrs], lr=0.5)
    t_sched = getattr(torch.optim.lr_scheduler, name)(t_opt, **kw)
    opt = _sgd(0.5, groups=lrs)
    sched = getattr(lk.optim.lr_scheduler, name)(opt, **kw)
    for t in range(35):                       # five times T_max for the cosine
        ours = [g["lr"] for g in opt.param_groups]
        theirs = [g["lr"] for g in t_opt.param_groups]
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15, err_msg=f"t = {t}")
        assert sched.get_last_lr() == ours
        t_opt.step()
        t_sched.step()
        opt.step()
        sched.step()


def test_adam_with_a_cosine_schedule_matches_torch():
    torch = pytest.importorskip("torch")
    start = np.array([1.5, -0.5, 0.25])
    w = torch.tensor(start, requires_grad=True)
    t_opt = torch.optim.Adam([w], lr=0.05)
    t_sched = torch.optim.lr_scheduler.CosineAnnealingLR(t_opt, T_max=15)
    p = lk.Parameter(start)
    opt = lk.Adam([p], lr=0.05)
    sched = CosineAnnealingLR(opt, T_max=15)
    for _ in range(30):
        t_opt.zero_grad()
        (w ** 4).sum().backward()
        t_opt.step()
        t_sched.step()
        p.grad[...] = 4 * p.data ** 3
        opt.step()
        sched.step()
        np.testing.assert_allclose(p.data, w.detach().numpy(), rtol=1e-11, atol=1e-13)


def test_momentum_buffer_survives_a_schedule():
    """theta and v by hand (v <- mu v + g; theta <- theta - eta_t v on f = 1/2 theta^2) equal
    lk.SGD driven by the scheduler: the buffer is never reset, nor replaced."""
    p = lk.Parameter(np.array([2.0, -1.0]))
    opt = lk.SGD([p], lr=0.3, momentum=0.9)
    sched = CosineAnnealingLR(opt, T_max=20)
    theta, v = np.array([2.0, -1.0]), np.zeros(2)
    buffer = None
    for _ in range(20):
        eta = opt.lr
        p.grad[...] = p.data                        # grad of 1/2 theta^2
        opt.step()
        sched.step()
        buffer = buffer if buffer is not None else opt.state[0]["momentum_buffer"]
        assert opt.state[0]["momentum_buffer"] is buffer
        v = 0.9 * v + theta
        theta = theta - eta * v
        np.testing.assert_allclose(p.data, theta, rtol=1e-12)
    np.testing.assert_allclose(buffer, v, rtol=1e-12)


def test_scheduler_as_fit_callback():
    X, y = lk.make_moons(64, rng=0)
    rng = np.random.default_rng(0)
    net = lk.Sequential(lk.Linear(2, 4, rng=rng), lk.Tanh(), lk.Linear(4, 2, rng=rng))
    opt = lk.SGD(net.parameters(), lr=0.2, momentum=0.9)
    sched = StepLR(opt, step_size=4, gamma=0.1)
    history = lk.fit(net, lk.CrossEntropyLoss(), opt, X, y, epochs=3, batch_size=16, rng=0,
                     callback=lambda step, loss: sched.step())
    assert history.steps == 12 and sched.last_epoch == 12
    assert opt.lr == pytest.approx(0.2 * 0.1 ** 3)


def test_a_subclass_of_the_base_is_a_scheduler():
    class Halving(LRScheduler):
        def get_lr(self):
            return [eta0 / 2 ** self.last_epoch for eta0 in self.base_lrs]

    opt = _sgd(1.0)
    sched = Halving(opt)
    sched.step()
    sched.step()
    assert opt.lr == 0.25


@pytest.mark.parametrize("make, exc, match", [
    (lambda opt: StepLR(opt, step_size=0), ValueError, "StepLR: step_size must be an int >= 1"),
    (lambda opt: StepLR(opt, step_size=2.5), ValueError, "StepLR: step_size"),
    (lambda opt: StepLR(opt, 3, gamma=float("nan")), ValueError, "StepLR: gamma"),
    (lambda opt: CosineAnnealingLR(opt, T_max=0), ValueError, "CosineAnnealingLR: T_max"),
    (lambda opt: CosineAnnealingLR(opt, 10, eta_min=-1), ValueError,
     "CosineAnnealingLR: eta_min"),
    (lambda opt: LambdaLR(opt, 0.5), TypeError, "LambdaLR: lr_lambda must be a function"),
    (lambda opt: StepLR(object(), 3), TypeError, "StepLR: optimizer must be a labkit optimizer"),
])
def test_bad_arguments_are_named(make, exc, match):
    with pytest.raises(exc, match=match):
        make(_sgd())


# --- the old names: kept one release, with a DeprecationWarning -----------------------------
@pytest.fixture
def old():
    from labkit.core import schedules
    with pytest.warns(DeprecationWarning, match="labkit.core.schedules.StepDecay is deprecated"):
        step_decay = schedules.StepDecay
    with pytest.warns(DeprecationWarning, match="CosineDecay is deprecated.*CosineAnnealingLR"):
        cosine_decay = schedules.CosineDecay
    with pytest.warns(DeprecationWarning, match="LRScheduler is deprecated.*LambdaLR"):
        lr_scheduler = schedules.LRScheduler
    with pytest.warns(DeprecationWarning, match="labkit.StepDecay is deprecated"):
        assert lk.StepDecay is step_decay
    return step_decay, cosine_decay, lr_scheduler


def test_old_step_and_cosine_decay_are_functions_of_t(old):
    StepDecay, CosineDecay, _ = old
    s = StepDecay(0.1, gamma=0.5, every=10)
    assert s(0) == 0.1 and s(9) == 0.1 and s(10) == pytest.approx(0.05)
    np.testing.assert_allclose(s(np.arange(40)), [0.1 * 0.5 ** (t // 10) for t in range(40)])
    c = CosineDecay(1.0, total=4, eta_min=0.2)
    assert c(0) == 1.0 and c(2) == pytest.approx(0.6)
    assert c(4) == pytest.approx(0.2) and c(100) == pytest.approx(0.2)   # stays at eta_min
    np.testing.assert_allclose(c(np.arange(8)), [c(t) for t in range(8)])
    with pytest.raises(ValueError, match="the step t must be an int >= 0"):
        s(-1)
    with pytest.raises(ValueError, match="StepDecay: every must be an int >= 1, got 0"):
        StepDecay(0.1, every=0)


def test_old_lr_scheduler_writes_the_rates_themselves(old):
    StepDecay, _, LRSchedulerOld = old
    p = lk.Parameter(np.zeros(2))
    opt = lk.SGD([p], lr=1.0)
    sched = LRSchedulerOld(opt, StepDecay(0.4, gamma=0.5, every=2))
    assert opt.lr == 0.4 and sched.history == [0.4]
    rates = [sched.step() for _ in range(5)]
    assert rates == pytest.approx([0.4, 0.2, 0.2, 0.1, 0.1])
    assert opt.lr == pytest.approx(0.1) and sched.t == 5 and len(sched.history) == 6
    X, y = lk.make_moons(32, rng=0)
    net = lk.Sequential(lk.Linear(2, 2, rng=0))
    opt = lk.SGD(net.parameters(), lr=1.0)
    sched = LRSchedulerOld(opt, lambda t: 1.0 / (1 + t))
    lk.fit(net, lk.CrossEntropyLoss(), opt, X, y, epochs=2, callback=sched)
    assert opt.lr == pytest.approx(1 / 3)
    with pytest.raises(TypeError, match="optimizer must have an lr"):
        LRSchedulerOld(object(), StepDecay(0.1))
    with pytest.raises(TypeError, match="schedule must be a function"):
        LRSchedulerOld(lk.SGD([p], lr=0.1), 0.1)
    with pytest.raises(ValueError, match="lr must be a finite number"):
        LRSchedulerOld(lk.SGD([p], lr=0.1), lambda t: float("nan"))


@pytest.mark.parametrize("name, kw", SCHEDULERS[:3], ids=[n for n, _ in SCHEDULERS[:3]])
def test_a_schedule_saved_and_loaded_goes_on_as_the_uninterrupted_one_and_torch(name, kw):
    torch = pytest.importorskip("torch")
    t_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    t_sched = getattr(torch.optim.lr_scheduler, name)(t_opt, **kw)
    opt = _sgd(0.1)
    sched = getattr(lk.optim.lr_scheduler, name)(opt, **kw)
    for _ in range(5):
        for o, s in ((opt, sched), (t_opt, t_sched)):
            o.step()
            s.step()
    saved_opt, saved = opt.state_dict(), sched.state_dict()
    assert saved["last_epoch"] == t_sched.state_dict()["last_epoch"] == 5
    assert saved["base_lrs"] == t_sched.state_dict()["base_lrs"]
    resumed_opt = _sgd(0.1)
    resumed_opt.load_state_dict(saved_opt)
    resumed = getattr(lk.optim.lr_scheduler, name)(resumed_opt, **kw)
    resumed.load_state_dict(saved)
    for t in range(6, 20):
        for o, s in ((opt, sched), (resumed_opt, resumed), (t_opt, t_sched)):
            o.step()
            s.step()
        assert resumed.get_last_lr() == sched.get_last_lr(), t
        np.testing.assert_allclose(sched.get_last_lr(), t_sched.get_last_lr(), rtol=1e-12)
