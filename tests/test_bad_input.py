"""Bad input: every mistake a learner is likely to make raises ValueError or TypeError
(RuntimeError for backward before forward) with a message that names the layer or argument,
and the expected and the actual shape or value (ARCHITECTURE.md, "Bad input": no bare asserts,
no numpy broadcasting errors, no silent garbage)."""
from __future__ import annotations

import numpy as np
import pytest

import labkit as lk

NAN, INF = float("nan"), float("inf")


def _linear():
    return lk.Linear(3, 2, rng=0)


def _params():
    return lk.Sequential(lk.Linear(3, 2, rng=0), lk.Tanh(), lk.Linear(2, 1, rng=0)).parameters()


def _after_forward(layer, x):
    layer(x)
    return layer


def _small_fit(**kwargs):
    rng = np.random.default_rng(0)
    net = lk.Sequential(lk.Linear(2, 3, rng=rng), lk.Tanh(), lk.Linear(3, 2, rng=rng))
    X, y = rng.standard_normal((10, 2)), rng.integers(0, 2, 10)
    args = dict(net=net, loss_fn=lk.CrossEntropyLoss(), optimizer=lk.SGD(net.parameters(),
                lr=0.1), X=X, y=y)
    args.update(kwargs)
    return lk.fit(args.pop("net"), args.pop("loss_fn"), args.pop("optimizer"), args.pop("X"),
                  args.pop("y"), **args)


def _duplicated():
    params = _params()
    return params + params[:1]


def _assign_transposed_grad():
    params = _params()
    params[0].grad = np.zeros((3, 2))   # a learner's transposed dW replacing the array


X3 = np.ones((4, 3))

# (id, call, exception, regex the message must match)
CASES = [
    # --- layers: input -------------------------------------------------------------------
    ("linear-wrong-width", lambda: _linear()(np.ones((4, 2))), ValueError,
     r"Linear\(in_features=3.*width 3.*\(4, 2\)"),
    ("linear-1d-input", lambda: _linear()(np.ones(3)), ValueError,
     r"Linear.*2-D \(N, features\).*\(3,\)"),
    ("linear-list-input", lambda: _linear()([[1.0, 2.0, 3.0]]), TypeError,
     r"Linear.*numpy array.*list"),
    ("linear-empty-batch", lambda: _linear()(np.ones((0, 3))), ValueError,
     r"Linear.*empty batch.*\(0, 3\)"),
    ("activation-list-input", lambda: lk.Tanh()([1.0, 2.0]), TypeError,
     r"Tanh.*numpy array.*list"),
    ("sequential-non-module", lambda: lk.Sequential(lk.Linear(2, 2, rng=0), np.tanh), TypeError,
     r"Sequential: layer 1 .*Module.*ufunc"),
    ("linear-zero-width", lambda: lk.Linear(0, 2), ValueError, r"Linear: in_features.*got 0"),
    ("linear-float-width", lambda: lk.Linear(3, 2.0), ValueError,
     r"Linear: out_features.*int.*got 2\.0"),
    ("linear-bad-init", lambda: lk.Linear(3, 2, init="glorot"), ValueError,
     r"Linear: init must be one of .*xavier.*got 'glorot'"),
    ("leaky-relu-bad-slope", lambda: lk.LeakyReLU(NAN), ValueError,
     r"LeakyReLU: negative_slope.*nan"),
    # --- layers: backward ----------------------------------------------------------------
    ("linear-backward-before-forward", lambda: _linear().backward(np.ones((4, 2))),
     RuntimeError, r"Linear\(in_features=3, out_features=2\)\.backward .*before forward"),
    ("activation-backward-before-forward", lambda: lk.Sigmoid().backward(np.ones((1, 2))),
     RuntimeError, r"Sigmoid.*backward .*before forward"),
    ("sequential-backward-before-forward",
     lambda: lk.Sequential(lk.Linear(3, 2, rng=0), lk.ReLU()).backward(np.ones((4, 2))),
     RuntimeError, r"ReLU.*before forward"),
    ("linear-wrong-grad-out", lambda: _after_forward(_linear(), X3).backward(np.ones((4, 3))),
     ValueError, r"Linear.*backward: grad_out has shape \(4, 3\), expected .*\(4, 2\)"),
    ("activation-wrong-grad-out",
     lambda: _after_forward(lk.Tanh(), X3).backward(np.ones((3, 4))), ValueError,
     r"Tanh.*backward: grad_out has shape \(3, 4\), expected .*\(4, 3\)"),
    ("linear-grad-out-list", lambda: _after_forward(_linear(), X3).backward([[1.0, 1.0]] * 4),
     TypeError, r"Linear.*grad_out must be a numpy array, got list"),
    # --- rng ------------------------------------------------------------------------------
    ("linear-rng-str", lambda: lk.Linear(3, 2, rng="0"), TypeError,
     r"rng must be a numpy\.random\.Generator.*got str"),
    ("linear-rng-float", lambda: lk.Linear(3, 2, rng=0.5), TypeError, r"rng must be.*got float"),
    ("moons-rng-legacy", lambda: lk.make_moons(rng=np.random.RandomState(0)), TypeError,
     r"rng must be.*got RandomState"),
    # --- losses ---------------------------------------------------------------------------
    ("mse-target-shape", lambda: lk.MSELoss()(np.ones((3, 1)), np.ones(3)), ValueError,
     r"MSELoss: target shape \(3,\) .*prediction shape \(3, 1\).*reshape"),
    ("mse-target-dtype", lambda: lk.MSELoss()(np.ones((2, 1)), np.array([["a"], ["b"]])),
     TypeError, r"MSELoss: target must be numeric.*<U1"),
    ("mse-target-list", lambda: lk.MSELoss()(np.ones((2, 1)), [[1.0], [2.0]]), TypeError,
     r"MSELoss: target must be a numpy array, got list"),
    ("mse-empty", lambda: lk.MSELoss()(np.ones((0, 1)), np.ones((0, 1))), ValueError,
     r"MSELoss: empty batch.*\(0, 1\)"),
    ("mse-backward-first", lambda: lk.MSELoss().backward(), RuntimeError,
     r"MSELoss\.backward .*before"),
    ("bce-target-shape", lambda: lk.BCELoss()(np.full((4, 1), 0.5), np.ones((4, 2))),
     ValueError, r"BCELoss: target shape \(4, 2\).*prediction shape \(4, 1\)"),
    ("bce-target-dtype", lambda: lk.BCELoss()(np.full((1, 1), 0.5), np.array([[None]])),
     TypeError, r"BCELoss: target must be numeric.*object"),
    ("bce-prediction-above-1", lambda: lk.BCELoss()(np.array([[0.5], [1.5]]), np.ones((2, 1))),
     ValueError, r"BCELoss: predictions must be probabilities in \[0, 1\].*1\.5"),
    ("bce-prediction-negative", lambda: lk.BCELoss()(np.array([[-0.2]]), np.ones((1, 1))),
     ValueError, r"BCELoss: predictions must be probabilities.*-0\.2"),
    ("bce-prediction-nan", lambda: lk.BCELoss()(np.array([[NAN]]), np.ones((1, 1))),
     ValueError, r"BCELoss: predictions must be probabilities.*nan"),
    ("bce-target-outside", lambda: lk.BCELoss()(np.array([[0.5]]), np.array([[2.0]])),
     ValueError, r"BCELoss: targets must lie in \[0, 1\].*2\.0"),
    ("bce-backward-first", lambda: lk.BCELoss().backward(), RuntimeError, r"BCELoss\.backward"),
    ("ce-index-too-large", lambda: lk.CrossEntropyLoss()(np.ones((2, 3)), np.array([0, 3])),
     ValueError, r"CrossEntropyLoss: class index 3 out of range for 3 classes \(0\.\.2\)"),
    ("ce-index-negative", lambda: lk.CrossEntropyLoss()(np.ones((2, 3)), np.array([-1, 0])),
     ValueError, r"CrossEntropyLoss: class index -1 out of range for 3 classes"),
    ("ce-float-targets", lambda: lk.CrossEntropyLoss()(np.ones((2, 3)), np.array([0.0, 1.0])),
     TypeError, r"CrossEntropyLoss: targets must be integer.*float64"),
    ("ce-bool-targets", lambda: lk.CrossEntropyLoss()(np.ones((2, 3)), np.array([True, False])),
     TypeError, r"CrossEntropyLoss: targets must be integer.*bool"),
    ("ce-column-targets", lambda: lk.CrossEntropyLoss()(np.ones((2, 3)), np.array([[0], [1]])),
     ValueError, r"CrossEntropyLoss: targets must have shape \(N,\) = \(2,\).*\(2, 1\)"),
    ("ce-1d-logits", lambda: lk.CrossEntropyLoss()(np.ones(3), np.array([0])), ValueError,
     r"CrossEntropyLoss: logits must be 2-D \(N, C\), got \(3,\)"),
    ("ce-empty", lambda: lk.CrossEntropyLoss()(np.ones((0, 3)), np.zeros(0, dtype=int)),
     ValueError, r"CrossEntropyLoss: empty batch"),
    ("ce-backward-first", lambda: lk.CrossEntropyLoss().backward(), RuntimeError,
     r"CrossEntropyLoss\.backward"),
    # --- optimizers: hyper-parameters --------------------------------------------------------
    *[
        (f"{opt.__name__}-lr-{lr}", (lambda opt=opt, lr=lr: opt(_params(), lr=lr)),
         (ValueError, TypeError), rf"{opt.__name__}: lr must be a finite number.*got {lr}")
        for opt in (lk.SGD, lk.RMSprop, lk.Adam) for lr in (-0.1, NAN, INF, -INF, None)
    ],
    ("sgd-lr-set-later", lambda: setattr(lk.SGD(_params(), lr=0.1), "lr", -1.0), ValueError,
     r"SGD: lr must be .*got -1\.0"),
    ("sgd-momentum-negative", lambda: lk.SGD(_params(), lr=0.1, momentum=-0.9), ValueError,
     r"SGD: momentum must be .*\[0\.0, inf\].*got -0\.9"),
    ("sgd-momentum-nan", lambda: lk.SGD(_params(), lr=0.1, momentum=NAN), ValueError,
     r"SGD: momentum .*got nan"),
    ("sgd-weight-decay-negative", lambda: lk.SGD(_params(), lr=0.1, weight_decay=-1e-4),
     ValueError, r"SGD: weight_decay .*got -0\.0001"),
    ("sgd-nesterov-without-momentum", lambda: lk.SGD(_params(), lr=0.1, nesterov=True),
     ValueError, r"SGD: nesterov=True needs momentum > 0 .*got momentum=0\.0"),
    ("sgd-nesterov-with-dampening",
     lambda: lk.SGD(_params(), lr=0.1, momentum=0.9, dampening=0.5, nesterov=True), ValueError,
     r"SGD: nesterov=True needs .*dampening = 0.*got .*dampening=0\.5"),
    ("rmsprop-alpha-above-1", lambda: lk.RMSprop(_params(), alpha=1.5), ValueError,
     r"RMSprop: alpha must be .*\[0\.0, 1\.0\].*got 1\.5"),
    ("rmsprop-eps-zero", lambda: lk.RMSprop(_params(), eps=0.0), ValueError,
     r"RMSprop: eps must be .*\(0\.0, inf\].*got 0\.0"),
    ("rmsprop-eps-negative", lambda: lk.RMSprop(_params(), eps=-1e-8), ValueError,
     r"RMSprop: eps .*got -1e-08"),
    ("rmsprop-momentum-negative", lambda: lk.RMSprop(_params(), momentum=-0.1), ValueError,
     r"RMSprop: momentum .*got -0\.1"),
    ("rmsprop-momentum-inf", lambda: lk.RMSprop(_params(), momentum=INF), ValueError,
     r"RMSprop: momentum .*got inf"),
    ("adam-beta1-one", lambda: lk.Adam(_params(), betas=(1.0, 0.999)), ValueError,
     r"Adam: betas\[0\] must be .*\[0\.0, 1\.0\).*got 1\.0"),
    ("adam-beta2-negative", lambda: lk.Adam(_params(), betas=(0.9, -0.1)), ValueError,
     r"Adam: betas\[1\] .*got -0\.1"),
    ("adam-beta-nan", lambda: lk.Adam(_params(), betas=(NAN, 0.999)), ValueError,
     r"Adam: betas\[0\] .*got nan"),
    ("adam-betas-scalar", lambda: lk.Adam(_params(), betas=0.9), ValueError,
     r"Adam: betas must be a pair.*got 0\.9"),
    ("adam-betas-triple", lambda: lk.Adam(_params(), betas=(0.9, 0.99, 0.999)), ValueError,
     r"Adam: betas must be a pair.*\(0\.9, 0\.99, 0\.999\)"),
    ("adam-eps-zero", lambda: lk.Adam(_params(), eps=0), ValueError,
     r"Adam: eps must be .*\(0\.0, inf\].*got 0"),
    ("adam-eps-inf", lambda: lk.Adam(_params(), eps=INF), ValueError, r"Adam: eps .*got inf"),
    ("adam-weight-decay-nan", lambda: lk.Adam(_params(), weight_decay=NAN), ValueError,
     r"Adam: weight_decay .*got nan"),
    # --- optimizers and clipping: parameter lists ---------------------------------------------
    *[
        (f"{opt.__name__}-empty-params", (lambda opt=opt: opt([], lr=0.1)), ValueError,
         rf"{opt.__name__}: got an empty parameter list")
        for opt in (lk.SGD, lk.RMSprop, lk.Adam)
    ],
    ("sgd-duplicated-params", lambda: lk.SGD(_duplicated(), lr=0.1), ValueError,
     r"SGD: parameter '0\.W' appears twice"),
    ("adam-non-parameter", lambda: lk.Adam([*_params(), np.ones(3)], lr=0.1), TypeError,
     r"Adam: params\[4\] is a ndarray, not a Parameter"),
    ("sgd-single-parameter", lambda: lk.SGD(_params()[0], lr=0.1), TypeError,
     r"SGD: params must be a list of Parameters; wrap one as \[param\]"),
    ("sgd-params-not-iterable", lambda: lk.SGD(3, lr=0.1), TypeError,
     r"SGD: params must be an iterable of Parameters.*got int"),
    ("sgd-net-instead-of-params", lambda: lk.SGD(lk.Linear(2, 2, rng=0), lr=0.1), TypeError,
     r"SGD: params must be an iterable of Parameters \(e\.g\. net\.parameters\(\)\), got Linear"),
    ("parameter-grad-wrong-shape", _assign_transposed_grad, ValueError,
     r"Parameter '0\.W': cannot set a gradient of shape \(3, 2\), expected \(2, 3\)"),
    ("clip-empty", lambda: lk.nn.utils.clip_grad_norm_([], 1.0), ValueError,
     r"clip_grad_norm_: got an empty parameter list"),
    ("clip-negative", lambda: lk.nn.utils.clip_grad_norm_(_params(), -1.0), ValueError,
     r"clip_grad_norm_: max_norm must be .*got -1\.0"),
    ("clip-nan", lambda: lk.nn.utils.clip_grad_norm_(_params(), NAN), ValueError,
     r"clip_grad_norm_: max_norm .*got nan"),
    ("clip-non-parameter", lambda: lk.nn.utils.clip_grad_norm_([np.ones(2)], 1.0), TypeError,
     r"clip_grad_norm_: params\[0\] is a ndarray"),
    ("adam-amsgrad-string", lambda: lk.Adam(_params(), amsgrad="no"), TypeError,
     r"Adam: amsgrad must be True or False, got 'no'"),
    ("sgd-nesterov-string", lambda: lk.SGD(_params(), lr=0.1, momentum=0.9, nesterov="no"),
     TypeError, r"SGD: nesterov must be True or False, got 'no'"),
    ("train-mode-string", lambda: _linear().train("no"), TypeError,
     r"Linear.train: mode must be True or False, got 'no'"),
    ("sgd-group-without-params", lambda: lk.SGD([{"lr": 0.1}], lr=0.1), KeyError, "params"),
    # --- fit ---------------------------------------------------------------------------------
    ("fit-epochs-zero", lambda: _small_fit(epochs=0), ValueError,
     r"fit: epochs must be an int >= 1, got 0"),
    ("fit-epochs-float", lambda: _small_fit(epochs=2.5), ValueError,
     r"fit: epochs must be an int >= 1, got 2\.5"),
    ("fit-epochs-bool", lambda: _small_fit(epochs=True), ValueError,
     r"fit: epochs must be an int >= 1, got True"),
    ("fit-batch-zero", lambda: _small_fit(batch_size=0), ValueError,
     r"fit: batch_size must be an int >= 1 or None, got 0"),
    ("fit-batch-negative", lambda: _small_fit(batch_size=-8), ValueError,
     r"fit: batch_size .*got -8"),
    ("fit-batch-float", lambda: _small_fit(batch_size=4.0), ValueError,
     r"fit: batch_size .*got 4\.0"),
    ("fit-clip-negative", lambda: _small_fit(clip_norm=-1.0), ValueError,
     r"fit: clip_norm must be .*got -1\.0"),
    ("fit-X-list", lambda: _small_fit(X=[[0.0, 1.0]] * 10), TypeError,
     r"fit: training X and y must be numpy arrays, got list and ndarray"),
    ("fit-rows-mismatch", lambda: _small_fit(y=np.zeros(7, dtype=int)), ValueError,
     r"fit: training X has 10 rows but y has 7"),
    ("fit-empty", lambda: _small_fit(X=np.ones((0, 2)), y=np.zeros(0, dtype=int)), ValueError,
     r"fit: training data is empty"),
    ("fit-validation-mismatch",
     lambda: _small_fit(validation=(np.ones((5, 2)), np.zeros(4, dtype=int))), ValueError,
     r"fit: validation X has 5 rows but y has 4"),
    ("fit-validation-not-a-pair", lambda: _small_fit(validation=np.ones((5, 2))), TypeError,
     r"fit: validation must be a pair \(X_val, y_val\), got ndarray"),
    ("fit-rng-str", lambda: _small_fit(rng="0"), TypeError, r"rng must be .*got str"),
    ("fit-callback-not-callable", lambda: _small_fit(callback=3), TypeError,
     r"fit: callback must be callable.*got int"),
    ("fit-optimizer-str", lambda: _small_fit(optimizer="sgd"), TypeError,
     r"fit: optimizer must be .*got str"),
    ("fit-loss-class-not-instance", lambda: _small_fit(loss_fn=lk.CrossEntropyLoss), TypeError,
     r"fit: loss_fn must be .*got the class CrossEntropyLoss"),
    ("fit-net-str", lambda: _small_fit(net="mlp"), TypeError, r"fit: net must be .*got str"),
    ("fit-float-class-targets", lambda: _small_fit(y=np.zeros(10)), TypeError,
     r"CrossEntropyLoss: targets must be integer.*float64"),
    # --- data --------------------------------------------------------------------------------
    ("moons-n-too-small", lambda: lk.make_moons(1), ValueError,
     r"make_moons: n must be an int >= 2, got 1"),
    ("spirals-zero-classes", lambda: lk.make_spirals(10, classes=0), ValueError,
     r"make_spirals: classes must be an int >= 1, got 0"),
    ("circles-bad-factor", lambda: lk.make_circles(factor=1.5), ValueError,
     r"make_circles: factor must be in \(0, 1\), got 1\.5"),
    ("split-mismatch", lambda: lk.train_test_split(np.ones((5, 2)), np.ones(4)), ValueError,
     r"train_test_split: X has 5 rows but y has 4"),
    ("split-bad-size", lambda: lk.train_test_split(np.ones((5, 2)), np.ones(5), test_size=1.5),
     ValueError, r"train_test_split: test_size must be in \(0, 1\), got 1\.5"),
    ("split-one-side-empty",
     lambda: lk.train_test_split(np.ones((3, 2)), np.ones(3), test_size=0.1), ValueError,
     r"train_test_split: test_size=0\.1 leaves one side empty for 3 samples"),
    # --- gradient checking -------------------------------------------------------------------
    ("numgrad-int-array", lambda: lk.numerical_gradient(lambda: 0.0, np.arange(3)), TypeError,
     r"numerical_gradient: x must be a float numpy array"),
    ("numgrad-eps-zero", lambda: lk.numerical_gradient(lambda: 0.0, np.ones(3), eps=0.0),
     ValueError, r"numerical_gradient: eps must be > 0, got 0\.0"),
]


@pytest.mark.parametrize("call, exc, pattern", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_error(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_case_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))


def test_refused_gradient_keeps_the_old_one_and_the_step_uses_it():
    """Assigning a gradient of the wrong shape is refused at once, naming the parameter; the
    parameter keeps its gradient, so the next step is the one it would have been."""
    params = _params()
    opt = lk.SGD(params, lr=0.1)
    for p in params:
        p.grad[...] = 1.0
    before = [p.data.copy() for p in params]
    with pytest.raises(ValueError, match=r"'2\.W'"):
        params[2].grad = np.ones((2, 1))   # layer 2's W is (1, 2)
    np.testing.assert_array_equal(params[2].grad, np.ones((1, 2)))
    opt.step()
    for p, b in zip(params, before):
        np.testing.assert_allclose(p.data, b - 0.1)


@pytest.mark.parametrize("kwargs", [dict(epochs=np.int64(2)), dict(batch_size=np.int64(5))])
def test_fit_accepts_numpy_integers(kwargs):
    history = _small_fit(**kwargs)
    assert history.steps == int(kwargs.get("epochs", 1)) * 10 // int(kwargs.get("batch_size", 10))
