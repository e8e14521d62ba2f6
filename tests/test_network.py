"""The MLP: backprop against finite differences, the fast path against the recording one, numerics."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

from winit_gui import activations, optimizers
from winit_gui.network import OUTPUTS, MLP, Forward

ACTIVATIONS = activations.available()
KINKED = {"relu", "leaky_relu", "selu"}        # derivative jumps at z = 0
HEADS = {"sigmoid_bce": 2, "softmax_ce": 3, "linear_mse": 2}   # head -> output units in the test nets


def normal_init(scale=1.0):
    def init(shape, rng):
        return rng.standard_normal(shape) * scale / np.sqrt(shape[0])
    return init


def targets(head, n, k, rng):
    if head == "sigmoid_bce":
        return rng.integers(0, 2, (n, k)).astype(float)
    if head == "softmax_ce":
        return rng.integers(0, k, n)
    return rng.standard_normal((n, k))


def smooth_point(activation, head, seed=0):
    """A 3-4-5-k net and batch whose hidden pre-activations stay clear of any kink."""
    k = HEADS[head]
    for attempt in range(100):
        rng = np.random.default_rng([seed, attempt])
        net = MLP([3, 4, 5, k], activation, head)
        net.initialize(normal_init(1.5), rng, bias_init=lambda shape, r: r.normal(0, 0.3, shape))
        X = rng.standard_normal((6, 3))
        fwd = net.forward(X)
        if activation not in KINKED or all(np.abs(Z).min() > 1e-3 for Z in fwd.pre[:-1]):
            return net, X, targets(head, 6, k, rng)
    raise AssertionError("no kink-free point found")


def rel_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-30)


def numeric_gradient(loss, param, h=1e-6):
    grad = np.zeros_like(param)
    for i in np.ndindex(param.shape):
        old = param[i]
        param[i] = old + h
        up = loss()
        param[i] = old - h
        down = loss()
        param[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


@pytest.mark.parametrize("head", list(HEADS))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backprop_matches_finite_differences(activation, head):
    net, X, y = smooth_point(activation, head)
    grads = net.backward(net.forward(X), y)

    def loss():
        return net.loss(net.forward(X), y)

    for l in range(net.n_layers):
        assert rel_error(grads.weights[l], numeric_gradient(loss, net.weights[l])) < 1e-6, f"dW[{l}]"
        assert rel_error(grads.biases[l], numeric_gradient(loss, net.biases[l])) < 1e-6, f"db[{l}]"
    # dL/dX, the gradient that has come down through every layer
    X_var = X.copy()
    numeric_dX = numeric_gradient(lambda: net.loss(net.forward(X_var), y), X_var)
    assert rel_error(grads.post[0], numeric_dX) < 1e-6


@pytest.mark.parametrize("head", list(HEADS))
def test_backpropagated_dZ_is_consistent(head):
    net, X, y = smooth_point("tanh", head)
    fwd = net.forward(X)
    grads = net.backward(fwd, y)
    for l in range(net.n_layers):
        A_prev = X if l == 0 else fwd.post[l - 1]
        np.testing.assert_allclose(grads.weights[l], A_prev.T @ grads.pre[l], rtol=1e-12)
        np.testing.assert_allclose(grads.biases[l], grads.pre[l].sum(0), rtol=1e-12)
        np.testing.assert_allclose(grads.post[l], grads.pre[l] @ net.weights[l].T, rtol=1e-12)
    # the fused head: dL/dZ_L = (ŷ − y)/n
    Y = y if head != "softmax_ce" else np.eye(3)[y]
    np.testing.assert_allclose(grads.pre[-1], (fwd.post[-1] - Y) / len(X), rtol=1e-12)


def test_forward_record_shapes_and_head_outputs():
    rng = np.random.default_rng(0)
    for head, k in HEADS.items():
        net = MLP([3, 4, 5, k], "tanh", head)
        net.initialize(normal_init(), rng)
        X = rng.standard_normal((9, 3))
        fwd = net.forward(X)
        assert isinstance(fwd, Forward) and fwd.inputs is X
        assert [Z.shape for Z in fwd.pre] == [(9, 4), (9, 5), (9, k)]
        assert [A.shape for A in fwd.post] == [(9, 4), (9, 5), (9, k)]
        np.testing.assert_allclose(fwd.post[0], np.tanh(fwd.pre[0]))
        np.testing.assert_array_equal(net.predict(X), fwd.post[-1])
        if head == "softmax_ce":
            np.testing.assert_allclose(fwd.post[-1].sum(axis=1), 1.0)
        if head == "sigmoid_bce":
            np.testing.assert_allclose(fwd.post[-1], 1 / (1 + np.exp(-fwd.pre[-1])))
        if head == "linear_mse":
            np.testing.assert_array_equal(fwd.post[-1], fwd.pre[-1])


def test_loss_values_at_zero_weights():
    X = np.ones((4, 3))
    bce = MLP([3, 5, 1], "tanh", "sigmoid_bce")
    assert bce.loss(bce.forward(X), np.array([[0.0], [1.0], [1.0], [0.0]])) == pytest.approx(np.log(2))
    ce = MLP([3, 5, 4], "tanh", "softmax_ce")
    assert ce.loss(ce.forward(X), np.array([0, 1, 2, 3])) == pytest.approx(np.log(4))
    mse = MLP([3, 5, 2], "tanh", "linear_mse")
    y = np.array([[1.0, 2.0]] * 4)
    assert mse.loss(mse.forward(X), y) == pytest.approx(0.5 * (1 + 4))       # ½ · mean over samples of Σ_k


def test_loss_is_exact_at_extreme_logits():
    X = np.zeros((2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bce = MLP([3, 4, 1], "tanh", "sigmoid_bce")
        bce.biases[-1][:] = 1000.0                     # z = 1000: σ(z) rounds to 1, the loss must not
        assert bce.loss(bce.forward(X), [[0.0], [0.0]]) == pytest.approx(1000.0)
        assert bce.evaluate(X, [[0.0], [0.0]]) == pytest.approx(1000.0)
        assert bce.loss(bce.forward(X), [[1.0], [1.0]]) == 0.0
        ce = MLP([3, 4, 3], "tanh", "softmax_ce")
        ce.biases[-1][:] = [1000.0, 0.0, -1000.0]
        assert ce.loss(ce.forward(X), [1, 1]) == pytest.approx(1000.0)
        assert ce.loss(ce.forward(X), [2, 2]) == pytest.approx(2000.0)
        # from probabilities the loss is clipped, but finite
        assert np.isfinite(bce.loss(bce.predict(X), [[0.0], [0.0]]))


@pytest.mark.parametrize("head", list(HEADS))
def test_loss_from_outputs_matches_loss_from_logits(head):
    net, X, y = smooth_point("tanh", head)
    fwd = net.forward(X)
    assert net.loss(net.predict(X), y) == pytest.approx(net.loss(fwd, y), rel=1e-12)
    assert net.evaluate(X, y) == pytest.approx(net.loss(fwd, y), rel=1e-12)


def test_one_hot_and_label_targets_agree():
    net, X, labels = smooth_point("tanh", "softmax_ce")
    fwd = net.forward(X)
    one_hot = np.eye(3)[labels]
    assert net.loss(fwd, labels) == net.loss(fwd, one_hot)
    for a, b in zip(net.backward(fwd, labels).weights, net.backward(fwd, one_hot).weights):
        np.testing.assert_array_equal(a, b)


def test_initialize_is_deterministic_and_calls_in_layer_order():
    calls = []

    def kernel_init(shape, rng):
        calls.append(("W", shape))
        return rng.standard_normal(shape)

    def bias_init(shape, rng):
        calls.append(("b", shape))
        return rng.standard_normal(shape)

    a, b = MLP([3, 4, 5, 2], "tanh"), MLP([3, 4, 5, 2], "tanh")
    a.initialize(kernel_init, np.random.default_rng(7), bias_init)
    assert calls == [("W", (3, 4)), ("W", (4, 5)), ("W", (5, 2)), ("b", (4,)), ("b", (5,)), ("b", (2,))]
    b.initialize(kernel_init, np.random.default_rng(7), bias_init)
    for x, y in zip(a.weights + a.biases, b.weights + b.biases):
        np.testing.assert_array_equal(x, y)
    b.initialize(kernel_init, np.random.default_rng(8), bias_init)
    assert not np.array_equal(a.weights[0], b.weights[0])
    assert [W.shape for W in a.weights] == [(3, 4), (4, 5), (5, 2)]
    assert [v.shape for v in a.biases] == [(4,), (5,), (2,)]
    a.initialize(kernel_init, np.random.default_rng(7), 0.25)
    assert all(np.all(v == 0.25) for v in a.biases)


def test_initialize_rejects_wrong_shapes():
    net = MLP([3, 4, 1], "tanh")
    with pytest.raises(ValueError):
        net.initialize(lambda shape, rng: np.zeros(shape[::-1]), np.random.default_rng(0))


@pytest.mark.parametrize("head", list(HEADS))
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "gelu"])
def test_train_step_equals_forward_backward_and_sgd(activation, head):
    net, X, y = smooth_point(activation, head, seed=3)
    reference = MLP(net.sizes, activation, head)
    reference.set_params(*net.copy_params())
    fwd = reference.forward(X)
    grads = reference.backward(fwd, y)
    lr = 0.1
    loss = net.train_step(X, y, optimizers.make("sgd", lr))
    assert loss == pytest.approx(reference.loss(fwd, y), rel=1e-12)
    for W, W0, g in zip(net.weights + net.biases, reference.weights + reference.biases, grads.weights + grads.biases):
        np.testing.assert_allclose(W, W0 - lr * g, rtol=1e-12, atol=1e-15)


def test_train_step_with_adam_and_l2_matches_the_per_layer_optimizer():
    net, X, y = smooth_point("tanh", "sigmoid_bce", seed=4)
    reference = MLP(net.sizes, "tanh", "sigmoid_bce")
    reference.set_params(*net.copy_params())
    opt_fast = optimizers.make("adam", 0.01, l2=0.1)
    opt_ref = optimizers.make("adam", 0.01, l2=0.1)
    for batch in (X, X[:4], X, X[:4]):                 # two batch sizes: two sets of buffers
        net.train_step(batch, y[: len(batch)], opt_fast)
        g = reference.backward(reference.forward(batch), y[: len(batch)])
        opt_ref.step(reference.weights, g.weights, reference.biases, g.biases)
    for a, b in zip(net.weights + net.biases, reference.weights + reference.biases):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_assigned_arrays_are_used_by_train_step():
    net, X, y = smooth_point("tanh", "sigmoid_bce")
    new = [np.full(W.shape, 0.1) for W in net.weights]
    net.weights[1] = new[1]                          # replace one list element
    net.biases = [np.zeros_like(b) for b in net.biases]   # and the whole bias list
    expected = MLP(net.sizes, "tanh")
    expected.set_params(net.weights, net.biases)
    g = expected.backward(expected.forward(X), y)
    net.train_step(X, y, optimizers.make("sgd", 1.0))
    np.testing.assert_allclose(net.weights[1], new[1] - g.weights[1], rtol=1e-12)
    np.testing.assert_allclose(net.biases[0], -g.biases[0], rtol=1e-12)
    assert net.weights[1].base is not None           # the list holds the network's views again


@pytest.mark.parametrize("head", list(HEADS))
def test_no_hidden_layer_is_a_linear_model(head):
    k = HEADS[head]
    rng = np.random.default_rng(0)
    net = MLP([3, k], "tanh", head)
    net.initialize(normal_init(), rng)
    X, y = rng.standard_normal((5, 3)), targets(head, 5, k, rng)
    grads = net.backward(net.forward(X), y)
    numeric = numeric_gradient(lambda: net.loss(net.forward(X), y), net.weights[0])
    assert rel_error(grads.weights[0], numeric) < 1e-6
    W0 = net.weights[0].copy()
    net.train_step(X, y, optimizers.make("sgd", 0.5))
    np.testing.assert_allclose(net.weights[0], W0 - 0.5 * grads.weights[0], rtol=1e-12)
    with pytest.raises(ValueError):
        net.train_step(X[:0], y[:0], optimizers.make("sgd", 0.5))


def test_copy_params_are_copies():
    net, _, _ = smooth_point("tanh", "sigmoid_bce")
    weights, biases = net.copy_params()
    weights[0][...] = 99.0
    biases[0][...] = 99.0
    assert not np.any(net.weights[0] == 99.0) and not np.any(net.biases[0] == 99.0)


@pytest.mark.parametrize("head", list(HEADS))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_huge_weights_neither_raise_nor_warn(activation, head):
    k = HEADS[head]
    net = MLP([3, 4, 5, k], activation, head)
    net.initialize(lambda shape, rng: np.full(shape, 1e200) * rng.choice([-1, 1], shape), np.random.default_rng(0))
    X = np.random.default_rng(1).standard_normal((8, 3))
    y = targets(head, 8, k, np.random.default_rng(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fwd = net.forward(X)
        grads = net.backward(fwd, y)
        net.loss(fwd, y)
        net.loss(net.predict(X), y)
        net.evaluate(X, y)
        net.train_step(X, y, optimizers.make("adam", 0.1, l2=0.1))
        net.train_step(X, y, optimizers.make("momentum", 0.1))
    assert len(grads.weights) == 3


def test_huge_gain_through_a_deep_relu_net():
    net = MLP([10] + [32] * 60 + [1], "relu")            # 1e6 per layer: 1e360 overflows
    net.initialize(normal_init(1e6), np.random.default_rng(0))
    X = np.random.default_rng(1).standard_normal((16, 10))
    y = np.ones((16, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fwd = net.forward(X)
        net.backward(fwd, y)
        loss = net.train_step(X, y, optimizers.make("sgd", 0.1))
    assert not np.all(np.isfinite(fwd.pre[-1]))      # it really did blow up ...
    assert isinstance(loss, float)                   # ... and was reported, not raised


def test_validation():
    with pytest.raises(ValueError):
        MLP([3], "tanh")
    with pytest.raises(ValueError):
        MLP([3, 0, 1], "tanh")
    with pytest.raises(ValueError, match="tanh"):
        MLP([3, 4, 1], "tahn")
    with pytest.raises(ValueError, match="softmax_ce"):
        MLP([3, 4, 1], "tanh", "hinge")
    with pytest.raises(ValueError):
        MLP([3, 4, 1], "tanh", "softmax_ce")         # one class
    net = MLP([3, 4, 3], "tanh", "softmax_ce")
    with pytest.raises(ValueError):
        net.forward(np.zeros((5, 2)))
    with pytest.raises(ValueError):
        net.backward(net.forward(np.zeros((2, 3))), np.array([0, 3]))
    with pytest.raises(ValueError):
        net.loss(net.forward(np.zeros((2, 3))), np.array([0.5, 1.0]))
    assert OUTPUTS == ("sigmoid_bce", "softmax_ce", "linear_mse")


def test_model_modules_do_not_import_qt():
    code = ("import sys; import winit_gui.activations, winit_gui.network, winit_gui.optimizers, "
            "winit_gui.datasets; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'shiboken6', 'pyqtgraph', 'qtpy', 'superqt')); "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_forward_and_backprop_with_reuse_write_over_the_same_arrays_with_the_same_values():
    rng = np.random.default_rng(4)
    net = MLP([3, 5, 5, 1], "tanh")
    net.initialize(normal_init(), rng)
    X, y = rng.standard_normal((7, 3)), (rng.random((7, 1)) > 0.5).astype(float)
    fresh = net.forward(X)
    grads = net.backward(fresh, y)
    first = net.forward(X, reuse=True)
    dZ, derivatives = net.backprop(first, y, reuse=True)
    for a, b in zip(first.pre + first.post + dZ + derivatives, fresh.pre + fresh.post + grads.pre + grads.derivatives):
        np.testing.assert_array_equal(a, b)
    again = net.forward(2 * X, reuse=True)
    assert again.pre.flat is first.pre.flat and net.backprop(again, y, reuse=True)[0].flat is dZ.flat
    assert net.forward(X).pre.flat is not first.pre.flat


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", activations.available())
def test_single_precision_predictions_match_double_precision(activation, output):
    """predict_single draws the decision boundary: it must give predict's outputs to within
    single precision, for every activation and head, and compute in float32 throughout."""
    rng = np.random.default_rng(4)
    net = MLP((2, 16, 16, 3 if output == "softmax_ce" else 1), activation, output)
    net.initialize(lambda shape, r: r.standard_normal(shape) * 1.2, rng, bias_init=0.1)
    X = rng.uniform(-3.0, 3.0, (500, 2))
    single, double = net.predict_single(X), net.predict(X)
    assert single.dtype == np.float32 and single.shape == double.shape
    # single precision relative to the outputs' scale (a linear head's outputs reach about 20)
    np.testing.assert_allclose(single, double, rtol=1e-4, atol=5e-6 * max(1.0, np.abs(double).max()))


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", ["relu", "selu", "linear"])
def test_single_precision_predictions_that_overflow_are_made_in_double(activation, output):
    """Hidden values past float32's 3.4e38 but well inside float64 (a 6-layer selu net at gain 60
    after a few steps of training: the decision boundary was NaN everywhere, drawn grey, while
    the loss was finite): those rows come from predict, the others stay as they were."""
    rng = np.random.default_rng(5)
    net = MLP((2, 8, 8, 8, 3 if output == "softmax_ce" else 1), activation, output)
    net.initialize(lambda shape, r: r.standard_normal(shape) * 1e14, rng)
    X = np.concatenate([rng.uniform(-1.0, 1.0, (20, 2)), np.zeros((5, 2))])
    double = net.predict(X)
    assert np.isfinite(double).all() and np.abs(net.logits(X[:20])).max() > 1e39
    single = net.predict_single(X)
    np.testing.assert_array_equal(single[:20], double[:20])
    np.testing.assert_allclose(single[20:], double[20:], rtol=1e-4, atol=5e-6)
