"""labkit against PyTorch, in float64: forward values, input and parameter gradients of random
networks under every loss, optimizer trajectories for every option, gradient clipping and the
initializations. Lesson 10 promises "identical gradients" when moving on to PyTorch.

Skipped with a clear reason where torch is not installed (it is in the [dev] extra)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import labkit as lk

torch = pytest.importorskip(
    "torch", reason="torch is not installed: the labkit-vs-PyTorch comparisons need it "
    "(pip install -e '.[dev]')")
nn = torch.nn
torch.set_num_threads(1)     # tiny tensors; the machine is shared

TOL = dict(rtol=1e-10, atol=1e-12)

ACTS = {
    "sigmoid": (lk.Sigmoid, nn.Sigmoid),
    "tanh": (lk.Tanh, nn.Tanh),
    "relu": (lk.ReLU, nn.ReLU),
    "leaky_relu": (lambda: lk.LeakyReLU(0.1), lambda: nn.LeakyReLU(0.1)),
    "identity": (lk.Identity, nn.Identity),
}


def t64(a) -> torch.Tensor:
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def to_torch(net: lk.Sequential, torch_acts: dict) -> nn.Sequential:
    """The same network in torch, with labkit's parameter values copied in."""
    mods = []
    for layer in net:
        if isinstance(layer, lk.Linear):
            m = nn.Linear(layer.in_features, layer.out_features, bias=layer.b is not None,
                          dtype=torch.float64)
            with torch.no_grad():
                m.weight.copy_(t64(layer.W.data))     # both (out, in)
                if layer.b is not None:
                    m.bias.copy_(t64(layer.b.data))
            mods.append(m)
        else:
            mods.append(torch_acts[type(layer)]())
    return nn.Sequential(*mods)


def random_net(rng, widths, act, last=None):
    lk_act, torch_act = ACTS[act]
    layers = []
    for i in range(len(widths) - 1):
        layers.append(lk.Linear(widths[i], widths[i + 1], bias=bool(rng.integers(0, 4)), rng=rng))
        if i < len(widths) - 2:
            layers.append(lk_act())
    mapping = {type(lk_act()): torch_act, lk.Sigmoid: nn.Sigmoid}
    if last == "sigmoid":
        layers.append(lk.Sigmoid())
    return lk.Sequential(*layers), mapping


CASES = [(act, loss, seed) for act in ACTS for loss in ("mse", "bce", "ce")
         for seed in (0, 1)]


@pytest.mark.parametrize("act, loss, seed", CASES)
def test_forward_and_gradients_match_torch(act, loss, seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(1, 6)) if seed else 1               # batch of one included
    widths = [int(w) for w in rng.integers(1, 6, size=int(rng.integers(2, 5)))]
    n_out = widths[-1] if loss != "ce" else max(widths[-1], 2)
    widths[-1] = n_out
    net, mapping = random_net(rng, widths, act, last="sigmoid" if loss == "bce" else None)
    tnet = to_torch(net, mapping)
    X = rng.standard_normal((n, widths[0]))
    if loss == "mse":
        y = rng.standard_normal((n, n_out))
        lk_loss, t_loss, ty = lk.MSELoss(), nn.MSELoss(), t64(y)
    elif loss == "bce":
        y = rng.uniform(0, 1, (n, n_out))
        lk_loss, t_loss, ty = lk.BCELoss(), nn.BCELoss(), t64(y)
    else:
        y = rng.integers(0, n_out, n)
        lk_loss, t_loss, ty = lk.CrossEntropyLoss(), nn.CrossEntropyLoss(), torch.tensor(y)

    y_hat = net(X)
    L = lk_loss(y_hat, y)
    dX = net.backward(lk_loss.backward())

    tX = t64(X).requires_grad_(True)
    t_y_hat = tnet(tX)
    tL = t_loss(t_y_hat, ty)
    tL.backward()

    np.testing.assert_allclose(y_hat, t_y_hat.detach().numpy(), **TOL)
    assert L == pytest.approx(tL.item(), rel=1e-10, abs=1e-12)
    np.testing.assert_allclose(dX, tX.grad.numpy(), **TOL)
    t_params = list(tnet.parameters())
    lk_params = net.parameters()
    assert len(t_params) == len(lk_params)
    for p, tp in zip(lk_params, t_params):
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), **TOL, err_msg=p.name)


def test_bce_clamping_matches_torch_at_0_and_1():
    p = np.array([[0.0], [1.0], [1e-300], [0.5]])
    y = np.array([[1.0], [0.0], [1.0], [0.0]])
    loss = lk.BCELoss()
    L = loss(p, y)
    tp = t64(p).requires_grad_(True)
    tL = nn.BCELoss()(tp, t64(y))
    tL.backward()
    assert L == pytest.approx(tL.item(), rel=1e-12)
    np.testing.assert_allclose(loss.backward(), tp.grad.numpy(), rtol=1e-12)


def test_cross_entropy_matches_torch_for_extreme_logits():
    z = np.array([[1000.0, -1000.0, 0.0], [-50.0, 60.0, 700.0]])
    t = np.array([1, 0])
    loss = lk.CrossEntropyLoss()
    L = loss(z, t)
    tz = t64(z).requires_grad_(True)
    tL = nn.CrossEntropyLoss()(tz, torch.tensor(t))
    tL.backward()
    assert L == pytest.approx(tL.item(), rel=1e-12)
    np.testing.assert_allclose(loss.backward(), tz.grad.numpy(), rtol=1e-12, atol=1e-300)


# --- optimizers: 20-step trajectories --------------------------------------------------------
OPTIMIZERS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.7, weight_decay=0.01, nesterov=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9)),
    ("RMSprop", dict(lr=0.01, eps=1e-4)),
    ("RMSprop", dict(lr=0.01, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.8)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.005, alpha=0.95, momentum=0.5, centered=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99))),
    ("Adam", dict(lr=0.01, eps=1e-3)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.02, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.01, amsgrad=True)),
]


def _trajectories(name, kw, steps=20, change=None):
    """Parameters after every step in labkit and torch, from the same start, each library
    computing its own gradients of a real loss (MSE of a 3-5-2 tanh net on fixed data)."""
    rng = np.random.default_rng(7)
    net = lk.Sequential(lk.Linear(3, 5, rng=rng), lk.Tanh(), lk.Linear(5, 2, rng=rng))
    tnet = to_torch(net, {lk.Tanh: nn.Tanh})
    X, y = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    tX, ty = t64(X), t64(y)
    opt = getattr(lk, name)(net.parameters(), **kw)
    topt = getattr(torch.optim, name)(tnet.parameters(), **kw)
    loss_fn, t_loss_fn = lk.MSELoss(), nn.MSELoss()
    ours, theirs = [], []
    for step in range(1, steps + 1):
        if change is not None and step == change[0]:
            setattr(opt, change[1], change[2])
            topt.param_groups[0][change[1]] = change[2]
        opt.zero_grad()
        loss_fn(net(X), y)
        net.backward(loss_fn.backward())
        opt.step()
        topt.zero_grad()
        t_loss_fn(tnet(tX), ty).backward()
        topt.step()
        ours.append([p.data.copy() for p in net.parameters()])
        theirs.append([p.detach().numpy().copy() for p in tnet.parameters()])
    return ours, theirs


@pytest.mark.parametrize("name, kw", OPTIMIZERS, ids=[f"{n}-{kw}" for n, kw in OPTIMIZERS])
def test_optimizer_trajectory_matches_torch(name, kw):
    ours, theirs = _trajectories(name, kw)
    start = _trajectories(name, dict(kw, lr=0.0), steps=1)[0][0]
    assert any(not np.allclose(a, b) for a, b in zip(ours[-1], start))   # it did move
    for step, (a, b) in enumerate(zip(ours, theirs), start=1):
        for pa, pb in zip(a, b):
            np.testing.assert_allclose(pa, pb, rtol=1e-10, atol=1e-10, err_msg=f"step {step}")


@pytest.mark.parametrize("name, kw, change", [
    ("SGD", dict(lr=0.1, momentum=0.9), (11, "lr", 0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.5), (11, "lr", 0.001)),
    ("Adam", dict(lr=0.01), (11, "lr", 0.05)),
], ids=["SGD", "RMSprop", "Adam"])
def test_changing_lr_mid_run_matches_torch(name, kw, change):
    """Lesson 09 changes hyper-parameters mid-run, without a reset of the optimizer's state."""
    ours, theirs = _trajectories(name, kw, change=change)
    for a, b in zip(ours, theirs):
        for pa, pb in zip(a, b):
            np.testing.assert_allclose(pa, pb, rtol=1e-10, atol=1e-10)


# --- gradient clipping ------------------------------------------------------------------------
@pytest.mark.parametrize("max_norm", [0.0, 0.1, 1.0, 3.0, 100.0])
def test_clip_grad_norm_matches_torch(max_norm):
    rng = np.random.default_rng(3)
    grads = [rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal((1, 4))]
    params = []
    tparams = []
    for g in grads:
        p = lk.Parameter(np.zeros_like(g))
        p.grad[...] = g
        params.append(p)
        tp = nn.Parameter(torch.zeros(g.shape, dtype=torch.float64))
        tp.grad = t64(g)
        tparams.append(tp)
    total = lk.nn.utils.clip_grad_norm_(params, max_norm)
    t_total = nn.utils.clip_grad_norm_(tparams, max_norm)
    assert isinstance(total, float)
    assert total == pytest.approx(t_total.item(), rel=1e-12)
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_clip_grad_norm_with_nan_or_inf_matches_torch():
    for bad in (np.nan, np.inf):
        grads = [np.array([1.0, bad]), np.array([[2.0, -3.0]])]
        params, tparams = [], []
        for g in grads:
            p = lk.Parameter(np.zeros_like(g))
            p.grad[...] = g
            params.append(p)
            tp = nn.Parameter(torch.zeros(g.shape, dtype=torch.float64))
            tp.grad = t64(g)
            tparams.append(tp)
        total = lk.nn.utils.clip_grad_norm_(params, 1.0)
        t_total = nn.utils.clip_grad_norm_(tparams, 1.0)
        assert total == t_total.item() or (math.isnan(total) and math.isnan(t_total.item()))
        for p, tp in zip(params, tparams):
            np.testing.assert_array_equal(p.grad, tp.grad.numpy())


# --- param groups, set_to_none, state_dict ------------------------------------------------------
GROUP_CASES = [
    ("SGD", dict(lr=0.05, momentum=0.9), dict(lr=0.2, nesterov=True)),
    ("RMSprop", dict(lr=0.01), dict(lr=0.002, momentum=0.5, centered=True)),
    ("Adam", dict(lr=0.01), dict(lr=0.03, betas=(0.8, 0.99), amsgrad=True)),
]


def _net_and_torch(seed=7):
    rng = np.random.default_rng(seed)
    net = lk.Sequential(lk.Linear(3, 5, rng=rng), lk.Tanh(), lk.Linear(5, 2, rng=rng))
    X, y = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    return net, to_torch(net, {lk.Tanh: nn.Tanh}), X, y


def _step_both(net, tnet, opt, topt, X, y, set_to_none=False):
    opt.zero_grad(set_to_none=set_to_none)
    loss_fn = lk.MSELoss()
    loss_fn(net(X), y)
    net.backward(loss_fn.backward())
    opt.step()
    topt.zero_grad(set_to_none=set_to_none)
    nn.MSELoss()(tnet(t64(X)), t64(y)).backward()
    topt.step()


def _assert_same(net, tnet, step):
    for p, tp in zip(net.parameters(), tnet.parameters()):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-11, atol=1e-11,
                                   err_msg=f"{p.name}, step {step}")


@pytest.mark.parametrize("name, defaults, second", GROUP_CASES, ids=[c[0] for c in GROUP_CASES])
@pytest.mark.parametrize("set_to_none", [False, True])
def test_param_groups_match_torch(name, defaults, second, set_to_none):
    """Layer 0 with the defaults, layer 2 with its own hyper-parameters; a step scheduler
    changes every group's lr from its own base rate; zero_grad(set_to_none) both ways."""
    net, tnet, X, y = _net_and_torch()
    opt = getattr(lk, name)([{"params": net[0].parameters()},
                             {"params": net[2].parameters(), **second}], **defaults)
    tl = list(tnet.children())
    topt = getattr(torch.optim, name)([{"params": tl[0].parameters()},
                                       {"params": tl[2].parameters(), **second}], **defaults)
    sched = lk.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)
    tsched = torch.optim.lr_scheduler.StepLR(topt, step_size=4, gamma=0.5)
    for step in range(1, 16):
        _step_both(net, tnet, opt, topt, X, y, set_to_none)
        sched.step()
        tsched.step()
        _assert_same(net, tnet, step)
        assert [g["lr"] for g in opt.param_groups] == pytest.approx(
            [g["lr"] for g in topt.param_groups], rel=1e-12)
    if set_to_none:
        opt.zero_grad(set_to_none=True)
        assert all(p.grad is None for p in net.parameters())


@pytest.mark.parametrize("name, kw", [("SGD", dict(lr=0.05, momentum=0.9, dampening=0.2)),
                                      ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
                                      ("Adam", dict(lr=0.01, amsgrad=True))],
                         ids=["SGD", "RMSprop", "Adam"])
def test_state_dict_has_torchs_layout_and_resumes_torchs_run(name, kw):
    """10 steps in torch; its state_dict (tensors as arrays) loaded into a fresh labkit
    optimizer continues the run exactly as torch does; labkit's own state_dict has the same
    keys and numbers."""
    net, tnet, X, y = _net_and_torch(3)
    opt = getattr(lk, name)(net.parameters(), **kw)
    topt = getattr(torch.optim, name)(tnet.parameters(), **kw)
    for _ in range(10):
        _step_both(net, tnet, opt, topt, X, y)
    t_state = topt.state_dict()
    ours = opt.state_dict()
    assert ours["param_groups"][0]["params"] == t_state["param_groups"][0]["params"]
    assert set(ours["state"]) == set(t_state["state"])
    for i, s in t_state["state"].items():
        assert set(ours["state"][i]) == set(s)
        for key, value in s.items():
            np.testing.assert_allclose(ours["state"][i][key], np.asarray(value), rtol=1e-11,
                                       atol=1e-13)
    numpy_state = {"param_groups": t_state["param_groups"],
                   "state": {i: {k: (v.numpy().copy() if v.ndim else int(v.item()))
                                 for k, v in s.items()} for i, s in t_state["state"].items()}}
    fresh, _, _, _ = _net_and_torch(3)
    for p, tp in zip(fresh.parameters(), tnet.parameters()):
        p.data[...] = tp.detach().numpy()
    resumed = getattr(lk, name)(fresh.parameters(), **kw)
    resumed.load_state_dict(numpy_state)
    for step in range(11, 21):
        _step_both(fresh, tnet, resumed, topt, X, y)
        _assert_same(fresh, tnet, step)


def test_module_state_dict_loads_into_torch_names():
    net, tnet, _, _ = _net_and_torch(5)
    state = net.state_dict()
    assert list(state) == ["0.W", "0.b", "2.W", "2.b"]
    other, _, _, _ = _net_and_torch(6)
    other.load_state_dict(state)
    for a, b in zip(other.parameters(), net.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    renamed = {k.replace(".W", ".weight").replace(".b", ".bias"): torch.from_numpy(v)
               for k, v in state.items()}
    tnet.load_state_dict(renamed)                       # the same layout as torch's
    with pytest.raises(KeyError, match=r"missing \['2.b'\]"):
        other.load_state_dict({k: v for k, v in state.items() if k != "2.b"})
    with pytest.raises(ValueError, match=r"'0.W' has shape \(3, 5\), expected \(5, 3\)"):
        other.load_state_dict({**state, "0.W": state["0.W"].T})


# --- initialization ---------------------------------------------------------------------------
def test_linear_default_init_follows_torch():
    n_in, n_out = 64, 500
    layer = lk.Linear(n_in, n_out, rng=0)
    torch.manual_seed(0)
    tlayer = nn.Linear(n_in, n_out, dtype=torch.float64)
    bound = 1 / math.sqrt(n_in)
    tW = tlayer.weight.detach().numpy()
    for W, b in ((layer.W.data, layer.b.data), (tW, tlayer.bias.detach().numpy())):
        assert np.abs(W).max() <= bound and np.abs(b).max() <= bound
        assert np.abs(W).max() > 0.99 * bound
    assert layer.W.data.std() == pytest.approx(tW.std(), rel=0.03)
    assert layer.W.data.std() == pytest.approx(bound / math.sqrt(3), rel=0.03)


@pytest.mark.parametrize("init", ["xavier", "he"])
def test_xavier_and_he_std_match_torch(init):
    n_in, n_out = 300, 200
    layer = lk.Linear(n_in, n_out, rng=1, init=init)
    torch.manual_seed(1)
    tW = torch.empty(n_out, n_in, dtype=torch.float64)
    if init == "xavier":
        nn.init.xavier_normal_(tW)
        expected = math.sqrt(2 / (n_in + n_out))
    else:
        nn.init.kaiming_normal_(tW, nonlinearity="relu")
        expected = math.sqrt(2 / n_in)
    assert layer.W.data.std() == pytest.approx(tW.std().item(), rel=0.03)
    assert layer.W.data.std() == pytest.approx(expected, rel=0.03)
    assert abs(layer.W.data.mean()) < 0.05 * expected
