"""The worked examples of the source documents, reproduced with labkit and checked against
numbers computed here, independently, with plain Python math (no numpy, no labkit).

Where a seed is wrong (seeds/README.md lists its known mistakes), the tests also assert that
the correct numbers differ from the seed's, so a lesson can never quietly copy them.

Layouts. labkit follows torch.nn.Linear: z = x W^T + b with W of shape (out, in), one row per
output neuron.
- Seed 001 writes z1 = X . W1 + b1 with X a row vector, so W1's *rows* are the inputs:
  W1[i][j] connects input i to hidden unit j, and labkit's W is W1 transposed.
  Its W2 = [0.9, 0.1] is used as z2 = a1 . W2^T: one output row, labkit's W = [[0.9, 0.1]].
- Seed 003 writes h1 = w1 x1 + w2 x2, W_h = [[w1, w2], [w3, w4]]: one row per hidden
  neuron, which is labkit's layout as it stands.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import labkit as lk


def sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# ============================================================================================
# Seed 001: 2-2-1 sigmoid network, X = [1, 2], y = 0.5, loss 1/2 (y_hat - y)^2, eta = 0.1
# ============================================================================================
X1 = [1.0, 2.0]
Y1 = 0.5
W1 = [[0.5, 0.6], [0.7, 0.8]]     # seed layout: W1[input][hidden]
B1 = [0.1, 0.2]
W2 = [0.9, 0.1]                   # W2[hidden]
B2 = 0.3
ETA = 0.1


def seed001_by_hand() -> dict:
    """Forward, backward and one SGD step, every number from the chain rule in plain math."""
    z1 = [X1[0] * W1[0][j] + X1[1] * W1[1][j] + B1[j] for j in range(2)]
    a1 = [sig(z) for z in z1]
    z2 = a1[0] * W2[0] + a1[1] * W2[1] + B2
    y_hat = sig(z2)
    loss = 0.5 * (y_hat - Y1) ** 2
    delta2 = (y_hat - Y1) * y_hat * (1 - y_hat)                 # dL/dz2
    dW2 = [delta2 * a1[j] for j in range(2)]
    db2 = delta2
    da1 = [delta2 * W2[j] for j in range(2)]
    delta1 = [da1[j] * a1[j] * (1 - a1[j]) for j in range(2)]   # dL/dz1
    dW1 = [[X1[i] * delta1[j] for j in range(2)] for i in range(2)]  # in W1's own layout
    db1 = list(delta1)
    dX = [sum(delta1[j] * W1[i][j] for j in range(2)) for i in range(2)]
    return dict(
        z1=z1, a1=a1, z2=z2, y_hat=y_hat, loss=loss, delta2=delta2, dW2=dW2, db2=db2,
        delta1=delta1, dW1=dW1, db1=db1, dX=dX,
        W1_new=[[W1[i][j] - ETA * dW1[i][j] for j in range(2)] for i in range(2)],
        b1_new=[B1[j] - ETA * db1[j] for j in range(2)],
        W2_new=[W2[j] - ETA * dW2[j] for j in range(2)],
        b2_new=B2 - ETA * db2,
    )


def seed001_labkit():
    net = lk.Sequential(lk.Linear(2, 2, rng=0), lk.Sigmoid(), lk.Linear(2, 1, rng=0),
                        lk.Sigmoid())
    net[0].W.data[...] = np.array(W1).T          # labkit (out, in) = seed's W1 transposed
    net[0].b.data[...] = B1
    net[2].W.data[...] = [W2]                    # one output neuron: a (1, 2) row
    net[2].b.data[...] = [B2]
    return net


@pytest.fixture
def seed001():
    hand = seed001_by_hand()
    net = seed001_labkit()
    X = np.array([X1])
    y = np.array([[Y1]])
    z1 = net[0](X)
    a1 = net[1](z1)
    z2 = net[2](a1)
    y_hat = net[3](z2)
    # Seed 001's loss is 1/2 (y_hat - y)^2, whose gradient dL/dy_hat is (y_hat - y).
    # labkit's MSELoss is mean (y_hat - y)^2 (torch's, no 1/2), whose gradient is twice that,
    # so the 1/2-loss gradient is fed to backward directly.
    dX = net.backward(y_hat - y)
    return dict(hand=hand, net=net, X=X, y=y, z1=z1, a1=a1, z2=z2, y_hat=y_hat, dX=dX)


def test_seed001_forward(seed001):
    hand = seed001["hand"]
    np.testing.assert_allclose(seed001["z1"][0], hand["z1"], rtol=1e-15)
    np.testing.assert_allclose(seed001["z1"][0], [2.0, 2.4], rtol=1e-15)   # exact in the seed
    np.testing.assert_allclose(seed001["a1"][0], hand["a1"], rtol=1e-14)
    assert seed001["z2"][0, 0] == pytest.approx(hand["z2"], rel=1e-14)
    assert seed001["y_hat"][0, 0] == pytest.approx(hand["y_hat"], rel=1e-14)
    y_hat = seed001["y_hat"][0, 0]
    assert 0.5 * (y_hat - Y1) ** 2 == pytest.approx(hand["loss"], rel=1e-13)


def test_seed001_gradients(seed001):
    hand, net = seed001["hand"], seed001["net"]
    # labkit's dW of layer 0 is (out, in): the transpose of the gradient in W1's layout
    np.testing.assert_allclose(net[0].W.grad.T, hand["dW1"], rtol=1e-13)
    np.testing.assert_allclose(net[0].b.grad, hand["db1"], rtol=1e-13)
    np.testing.assert_allclose(net[2].W.grad[0], hand["dW2"], rtol=1e-13)
    assert net[2].b.grad[0] == pytest.approx(hand["db2"], rel=1e-13)
    np.testing.assert_allclose(seed001["dX"][0], hand["dX"], rtol=1e-13)


def test_seed001_one_sgd_step(seed001):
    hand, net = seed001["hand"], seed001["net"]
    lk.SGD(net.parameters(), lr=ETA).step()
    np.testing.assert_allclose(net[0].W.data.T, hand["W1_new"], rtol=1e-14)
    np.testing.assert_allclose(net[0].b.data, hand["b1_new"], rtol=1e-14)
    np.testing.assert_allclose(net[2].W.data[0], hand["W2_new"], rtol=1e-14)
    assert net[2].b.data[0] == pytest.approx(hand["b2_new"], rel=1e-14)
    # and the step helps: the 1/2 loss is smaller afterwards
    y_hat = net(seed001["X"])[0, 0]
    assert 0.5 * (y_hat - Y1) ** 2 < hand["loss"]


def test_seed001_mse_loss_gives_twice_the_half_loss_gradient(seed001):
    net = seed001_labkit()
    mse = lk.MSELoss()
    loss = mse(net(seed001["X"]), seed001["y"])
    net.backward(mse.backward())
    assert loss == pytest.approx(2 * seed001["hand"]["loss"], rel=1e-13)
    np.testing.assert_allclose(net[0].W.grad.T, 2 * np.array(seed001["hand"]["dW1"]),
                               rtol=1e-13)


def test_seed001_agrees_with_finite_differences(seed001):
    net = seed001_labkit()

    class HalfSquaredError(lk.MSELoss):   # the seed's 1/2 (y_hat - y)^2, for the check only
        def forward(self, y_hat, y):
            return 0.5 * super().forward(y_hat, y)

        def backward(self):
            return 0.5 * super().backward()

    report = lk.check_gradients(net, HalfSquaredError(), seed001["X"], seed001["y"])
    assert report.ok, str(report)


# --- where seed 001 is wrong -------------------------------------------------------------------
SEED001_PRINTED = dict(
    a1=[0.8808, 0.9084], z2=1.1835, y_hat=0.7692, delta2=0.0478,
    dW2=[0.0421, 0.0434], delta1=[0.0045, 0.0004],
    dW1=[[0.0045, 0.0090], [0.0004, 0.0008]],
    W1_new=[[0.4995, 0.5991], [0.6996, 0.7999]],
)


def test_seed001_printed_values_that_are_right_to_4_places():
    hand = seed001_by_hand()
    assert hand["a1"][0] == pytest.approx(SEED001_PRINTED["a1"][0], abs=5e-5)
    np.testing.assert_allclose(hand["delta1"], SEED001_PRINTED["delta1"], atol=5e-5)


@pytest.mark.parametrize("key, index", [("a1", 1), ("z2", None), ("y_hat", None),
                                        ("delta2", None), ("dW2", 0), ("dW2", 1)])
def test_seed001_mis_rounded_values_are_not_copied(key, index):
    """sigma(2.4) = 0.9168, not 0.9084; the error carries into z2, y_hat, delta2 and dW2."""
    hand = seed001_by_hand()
    correct = hand[key] if index is None else hand[key][index]
    printed = SEED001_PRINTED[key] if index is None else SEED001_PRINTED[key][index]
    assert abs(correct - printed) > 5e-5, (key, correct, printed)


def test_seed001_W1_gradient_layout():
    """The seed writes dL/dW1 = delta1^T X, an (hidden, input) matrix, and subtracts it from
    W1, which is (input, hidden): the off-diagonal entries land on the wrong weights."""
    hand = seed001_by_hand()
    printed = np.array(SEED001_PRINTED["dW1"])
    correct_in_W1_layout = np.array(hand["dW1"])
    # in W1's own layout the seed's matrix is wrong (e.g. dL/dW1[0][1] = x_0 delta1_1 ~ 0.0004)
    assert not np.allclose(correct_in_W1_layout, printed, atol=1e-3)
    assert correct_in_W1_layout[0, 1] == pytest.approx(hand["delta1"][1], rel=1e-15)
    assert correct_in_W1_layout[1, 0] == pytest.approx(2 * hand["delta1"][0], rel=1e-15)
    # the seed's numbers are the transpose: (hidden, input), which is labkit's (out, in) layout
    np.testing.assert_allclose(correct_in_W1_layout.T, printed, atol=1e-4)
    net = seed001_labkit()
    y_hat = net(np.array([X1]))
    net.backward(y_hat - Y1)
    np.testing.assert_allclose(net[0].W.grad, printed, atol=1e-4)
    # and so the seed's updated W1 is wrong too
    assert not np.allclose(hand["W1_new"], SEED001_PRINTED["W1_new"], atol=1e-4)


# ============================================================================================
# Seed 003: 2-2-1 ReLU network with a linear output, x = [2, 3], y = 2.5, L = (y_hat - y)^2
# ============================================================================================
X3 = [2.0, 3.0]
Y3 = 2.5
W_H = [[0.1, 0.4], [0.2, 0.5]]    # w1, w2 (into h1); w3, w4 (into h2): labkit's (out, in)
B_H = [0.1, 0.2]
W_O = [0.6, 0.3]                  # w5, w6
B_O = 0.3


def seed003_by_hand() -> dict:
    z_h = [W_H[j][0] * X3[0] + W_H[j][1] * X3[1] + B_H[j] for j in range(2)]
    a_h = [max(z, 0.0) for z in z_h]
    y_hat = W_O[0] * a_h[0] + W_O[1] * a_h[1] + B_O
    loss = (y_hat - Y3) ** 2
    dy = 2 * (y_hat - Y3)                                        # dL/dy_hat (linear output)
    dW_o = [dy * a for a in a_h]
    da_h = [dy * w for w in W_O]
    delta_h = [da_h[j] * (1.0 if z_h[j] > 0 else 0.0) for j in range(2)]
    dW_h = [[delta_h[j] * X3[i] for i in range(2)] for j in range(2)]
    return dict(z_h=z_h, a_h=a_h, y_hat=y_hat, loss=loss, dW_o=dW_o, db_o=dy,
                delta_h=delta_h, dW_h=dW_h, db_h=delta_h)


def seed003_labkit():
    net = lk.Sequential(lk.Linear(2, 2, rng=0), lk.ReLU(), lk.Linear(2, 1, rng=0))
    net[0].W.data[...] = W_H
    net[0].b.data[...] = B_H
    net[2].W.data[...] = [W_O]
    net[2].b.data[...] = [B_O]
    return net


def test_seed003_forward():
    hand = seed003_by_hand()
    net = seed003_labkit()
    x = np.array([X3])
    z_h = net[0](x)
    np.testing.assert_allclose(z_h[0], hand["z_h"], rtol=1e-15)
    np.testing.assert_allclose(z_h[0], [1.5, 2.1], rtol=1e-15)       # the seed's, correct
    y_hat = net(x)
    assert y_hat.shape == (1, 1)
    assert y_hat[0, 0] == pytest.approx(hand["y_hat"], rel=1e-15)
    assert hand["y_hat"] == pytest.approx(1.83, rel=1e-15)
    loss = lk.MSELoss()(y_hat, np.array([[Y3]]))                      # n = 1: (y_hat - y)^2
    assert loss == pytest.approx(hand["loss"], rel=1e-14)
    assert hand["loss"] == pytest.approx(0.4489, rel=1e-12)


def test_seed003_gradients_and_one_step():
    hand = seed003_by_hand()
    net = seed003_labkit()
    loss_fn = lk.MSELoss()
    loss_fn(net(np.array([X3])), np.array([[Y3]]))
    net.backward(loss_fn.backward())
    np.testing.assert_allclose(net[2].W.grad[0], hand["dW_o"], rtol=1e-14)
    assert net[2].b.grad[0] == pytest.approx(hand["db_o"], rel=1e-14)
    np.testing.assert_allclose(net[0].W.grad, hand["dW_h"], rtol=1e-14)
    np.testing.assert_allclose(net[0].b.grad, hand["db_h"], rtol=1e-14)
    lk.SGD(net.parameters(), lr=0.01).step()
    new_loss = loss_fn(net(np.array([X3])), np.array([[Y3]]))
    assert new_loss < hand["loss"]


def test_seed003_layout_aside():
    """The seed's numpy cell first computes W_h^T x = [0.8, 2.3] by mistake (its 'Oops'
    aside). With labkit's (out, in) layout the seed's W_h gives [1.5, 2.1]; [0.8, 2.3] is what
    the transposed matrix gives."""
    net = seed003_labkit()
    z_h = net[0](np.array([X3]))[0]
    assert not np.allclose(z_h, [0.8 + 0.1, 2.3 + 0.2])
    assert not np.allclose(z_h - B_H, [0.8, 2.3])
    wrong = lk.Linear(2, 2, bias=False, rng=0)
    wrong.W.data[...] = np.array(W_H).T
    np.testing.assert_allclose(wrong(np.array([X3]))[0], [0.8, 2.3], rtol=1e-15)
