"""Optimizers: exact update rules, L2 on kernels only, state handling, and that training works."""

import math

import numpy as np
import pytest

from winit_gui import datasets, optimizers
from winit_gui.network import MLP


def test_names_and_unknown_name():
    assert optimizers.NAMES == ("sgd", "momentum", "adam")
    with pytest.raises(ValueError) as err:
        optimizers.make("rmsprop", 0.1)
    for name in optimizers.NAMES:
        assert name in str(err.value)


@pytest.mark.parametrize("kwargs", [
    dict(lr=0.0), dict(lr=-1.0), dict(lr=float("nan")), dict(lr=float("inf")), dict(lr=True),
    dict(lr=0.1, momentum=1.0), dict(lr=0.1, momentum=-0.1), dict(lr=0.1, beta1=1.0),
    dict(lr=0.1, beta2=1.5), dict(lr=0.1, eps=0.0), dict(lr=0.1, l2=-1e-3),
])
@pytest.mark.parametrize("name", optimizers.NAMES)
def test_invalid_hyperparameters(name, kwargs):
    kwargs = dict(kwargs)                       # parametrize shares the dict between cases
    lr = kwargs.pop("lr")
    with pytest.raises(ValueError):
        optimizers.make(name, lr, **kwargs)


def test_one_sgd_step_is_w_minus_lr_g_exactly():
    rng = np.random.default_rng(0)
    W, b = rng.standard_normal((3, 4)), rng.standard_normal(4)
    gW, gb = rng.standard_normal((3, 4)), rng.standard_normal(4)
    expected_W, expected_b = W - 0.3 * gW, b - 0.3 * gb
    optimizers.make("sgd", 0.3).step([W], [gW], [b], [gb])
    np.testing.assert_array_equal(W, expected_W)
    np.testing.assert_array_equal(b, expected_b)


def test_momentum_two_steps_by_hand():
    w = np.array([1.0, -2.0])
    opt = optimizers.make("momentum", 0.1, momentum=0.9)
    opt.step([w], [np.array([0.5, 1.0])])
    # v1 = −0.1·g1 = [−0.05, −0.1];  w1 = w0 + v1
    np.testing.assert_allclose(w, [0.95, -2.1], rtol=1e-15)
    opt.step([w], [np.array([-0.25, 1.0])])
    # v2 = 0.9·v1 − 0.1·g2 = [−0.045 + 0.025, −0.09 − 0.1] = [−0.02, −0.19]
    np.testing.assert_allclose(w, [0.93, -2.29], rtol=1e-14)


def test_adam_two_steps_by_hand():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    w0, g1, g2 = 0.5, 0.2, -0.4
    w = np.array([w0])
    opt = optimizers.make("adam", lr, beta1=b1, beta2=b2, eps=eps)
    # step 1: m = 0.1·0.2 = 0.02, v = 0.001·0.04 = 4e-5; m̂ = 0.2, v̂ = 0.04 -> w −= lr·0.2/(0.2 + ε)
    opt.step([w], [np.array([g1])])
    w1 = w0 - lr * 0.2 / (math.sqrt(0.04) + eps)
    np.testing.assert_allclose(w, [w1], rtol=1e-13)
    # step 2: m = 0.9·0.02 + 0.1·(−0.4) = −0.022; v = 0.999·4e-5 + 0.001·0.16 = 1.9996e-4
    opt.step([w], [np.array([g2])])
    m_hat = -0.022 / (1 - 0.9**2)
    v_hat = 1.9996e-4 / (1 - 0.999**2)
    np.testing.assert_allclose(w, [w1 - lr * m_hat / (math.sqrt(v_hat) + eps)], rtol=1e-13)
    assert opt.t == 2


@pytest.mark.parametrize("name", optimizers.NAMES)
def test_l2_decays_kernels_only(name):
    W, b = np.full((2, 3), 2.0), np.full(3, 2.0)
    opt = optimizers.make(name, 0.1, l2=0.5)
    opt.step([W], [np.zeros_like(W)], [b], [np.zeros_like(b)])
    assert np.all(W < 2.0)                      # pulled towards 0 by the l2·W gradient term
    np.testing.assert_array_equal(b, 2.0)       # biases untouched
    if name == "sgd":
        np.testing.assert_allclose(W, 2.0 - 0.1 * 0.5 * 2.0, rtol=1e-15)


def test_l2_zero_leaves_the_gradient_alone():
    W1, W2 = np.ones(3), np.ones(3)
    g = np.array([0.1, -0.2, 0.3])
    optimizers.make("sgd", 0.1).step([W1], [g])
    optimizers.make("sgd", 0.1, l2=1e-300).step([W2], [g])
    np.testing.assert_allclose(W1, W2, rtol=1e-15)


def test_gradients_are_not_modified():
    W, g = np.ones(3), np.array([0.1, -0.2, 0.3])
    for name in optimizers.NAMES:
        optimizers.make(name, 0.1, l2=0.1).step([W], [g])
    np.testing.assert_array_equal(g, [0.1, -0.2, 0.3])


def test_reset_and_shape_changes():
    opt = optimizers.make("momentum", 0.1)
    w = np.zeros(2)
    opt.step([w], [np.ones(2)])
    opt.step([w], [np.ones(2)])                 # velocity carried: second step is larger
    np.testing.assert_allclose(w, [-0.1 - 0.19] * 2)
    with pytest.raises(ValueError, match="reset"):
        opt.step([np.zeros(3)], [np.ones(3)])
    opt.reset()
    w = np.zeros(3)
    opt.step([w], [np.ones(3)])                 # fresh velocity again
    np.testing.assert_allclose(w, [-0.1] * 3)
    with pytest.raises(ValueError):
        optimizers.make("sgd", 0.1).step([np.zeros(2)], [np.zeros(3)])


@pytest.mark.parametrize("dataset", ["xor", "circle"])
def test_adam_trains_a_small_net(dataset):
    data = datasets.make(dataset, samples=400, noise=0.0, seed=1)
    net = MLP([2, 8, 8, 1], "tanh")
    net.initialize(lambda shape, rng: rng.standard_normal(shape) / math.sqrt(shape[0]), np.random.default_rng(0))
    opt = optimizers.make("adam", 0.03)
    start = net.evaluate(data.X_train, data.y_train)
    for _ in range(400):
        net.train_step(data.X_train, data.y_train, opt)
    end = net.evaluate(data.X_train, data.y_train)
    test_accuracy = np.mean((net.predict(data.X_test) > 0.5) == (data.y_test > 0.5))
    assert start > 0.5 and end < 0.25 * start
    assert test_accuracy > 0.9
