"""Statistics against direct numpy computations and hand-built cases."""

import numpy as np
import pytest

from winit_gui import activations, statistics
from winit_gui.network import MLP
from winit_gui.settings import Settings
from winit_gui.training import Trainer


def net_and_data(activation="tanh", sizes=(5, 7, 6, 1), seed=0):
    rng = np.random.default_rng(seed)
    net = MLP(sizes, activation)
    net.initialize(lambda shape, r: r.standard_normal(shape) * 0.8, rng, bias_init=0.1)
    X = rng.standard_normal((200, sizes[0]))
    y = (rng.random((200, 1)) > 0.5).astype(float)
    return net, X, y


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "linear"])
def test_layer_moments_and_fractions_match_direct_numpy(activation):
    net, X, y = net_and_data(activation)
    stats = statistics.compute(net, X, y)
    fwd, grads = net.forward(X), net.backward(net.forward(X), y)
    act = activations.get(activation)
    for i, layer in enumerate(stats.hidden):
        Z = fwd.pre[i]
        assert layer.preact_mean == pytest.approx(Z.mean())
        assert layer.preact_std == pytest.approx(Z.std())
        assert layer.act_std == pytest.approx(fwd.post[i].std())
        assert layer.weight_std == pytest.approx(net.weights[i].std())
        assert layer.grad_std == pytest.approx(grads.weights[i].std())
        assert layer.backprop_std == pytest.approx(grads.pre[i].std())
        flat = np.abs(act.df(Z)) < 0.05 * act.max_derivative
        assert layer.saturated_fraction == pytest.approx(flat.mean())
        expected, _ = np.histogram(np.abs(act.df(Z)) / act.max_derivative, statistics.DERIVATIVE_EDGES)
        np.testing.assert_array_equal(layer.derivative_hist, expected)
        assert layer.dead_fraction == pytest.approx(flat.all(axis=0).mean())
    assert stats.layers[-1].kind == "output" and all(layer.kind == "hidden" for layer in stats.hidden)


def direct_histogram(values, edges):
    finite = values[np.isfinite(values)]
    return np.histogram(np.clip(finite, edges[0], edges[-1]), bins=edges)[0]


def direct_groups(W, b):
    """Exact clones numbered by first appearance (enough for exact copies among random units)."""
    units = np.hstack([W.T, b[:, None]])
    if not np.isfinite(units).all():
        return np.arange(len(units))
    _, first, inverse = np.unique(units, axis=0, return_index=True, return_inverse=True)
    return np.argsort(np.argsort(first))[inverse.ravel()]


def assert_same_float(actual, expected):
    if np.isnan(expected):
        assert np.isnan(actual)
    else:
        assert actual == pytest.approx(expected, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("chunk", [statistics.CHUNK, 7])
@pytest.mark.parametrize("trouble", ["none", "nan_input", "inf_weight"])
def test_all_layers_at_once_equal_direct_numpy_per_layer(trouble, chunk, monkeypatch):
    # mixed widths with runs of equal shapes, so that layers are summarized both alone and in
    # blocks; a tiny chunk splits layers into pieces
    monkeypatch.setattr(statistics, "CHUNK", chunk)
    net, X, y = net_and_data("tanh", sizes=(3, 6, 6, 6, 4, 1))
    net.weights[1][:, 4] = net.weights[1][:, 0]
    net.biases[1][4] = net.biases[1][0]
    if trouble == "nan_input":
        X[5, 0] = np.nan
    if trouble == "inf_weight":
        net.weights[2][1, 3] = np.inf
    previous = net.flat_weights().copy()
    previous[::3] *= 0.99
    stats = statistics.compute(net, X, y, previous, steps_since=4)

    fwd = net.forward(X)
    grads = net.backward(fwd, y)
    edges = statistics.activation_edges(net.activation)
    start = 0
    for i, layer in enumerate(stats.layers):
        act = net.activation if layer.kind == "hidden" else statistics.head_activation(net)
        W_then = previous[start:start + net.weights[i].size].reshape(net.weights[i].shape)
        start += W_then.size
        check_layer_directly(i, layer, net, fwd, grads, act, edges, W_then)
    assert stats.layers[1].unique_units == 5  # the clone
    if trouble != "none":
        assert sum(layer.nonfinite for layer in stats.layers) > 0


@np.errstate(all="ignore")  # the direct computations warn about the non-finite values
def check_layer_directly(i, layer, net, fwd, grads, act, edges, W_then):
    Z, A, dZ, W, b = fwd.pre[i], fwd.post[i], grads.pre[i], net.weights[i], net.biases[i]
    assert_same_float(layer.weight_mean, W.mean())
    assert_same_float(layer.weight_std, W.std())
    assert_same_float(layer.preact_mean, Z.mean())
    assert_same_float(layer.preact_std, Z.std())
    assert_same_float(layer.act_mean, A.mean())
    assert_same_float(layer.act_std, A.std())
    assert_same_float(layer.grad_std, grads.weights[i].std())
    assert_same_float(layer.backprop_std, dZ.std())
    assert_same_float(layer.update_ratio, np.linalg.norm(W - W_then) / np.linalg.norm(W) / 4)
    assert layer.nonfinite == np.count_nonzero(~np.isfinite(Z)) + np.count_nonzero(~np.isfinite(W))
    deriv = np.abs(act.df(Z))
    flat = ~(deriv >= act.saturation_threshold)
    assert layer.saturated_fraction == pytest.approx(flat.mean())
    assert layer.dead_fraction == pytest.approx(flat.all(axis=0).mean())
    np.testing.assert_array_equal(layer.preact_hist, direct_histogram(Z, statistics.PREACT_EDGES))
    np.testing.assert_array_equal(layer.act_hist, direct_histogram(A, edges))
    np.testing.assert_array_equal(layer.derivative_hist,
                                  direct_histogram(deriv / act.max_derivative, statistics.DERIVATIVE_EDGES))
    abs_dz = np.abs(dZ[np.isfinite(dZ)])
    np.testing.assert_array_equal(layer.backprop_hist,
                                  direct_histogram(np.log10(abs_dz[abs_dz > 0]), statistics.LOG_GRAD_EDGES))
    assert layer.backprop_zero_fraction == pytest.approx((abs_dz == 0).mean() if abs_dz.size else 0.0)
    np.testing.assert_array_equal(layer.unit_groups, direct_groups(W, b))
    assert layer.unique_units == len(set(layer.unit_groups))


def test_values_equal_to_rounding_have_zero_spread_and_real_spread_is_kept():
    """Zero weights and a bias of 0.3: every unit's pre-activation is exactly 0.3 for every
    sample, where np.std says 5.6e-17 (the mean's rounding). A tiny real spread stays."""
    net, X, y = net_and_data()
    for W in net.weights:
        W.fill(0.0)
    for b in net.biases:
        b.fill(0.3)
    Z = net.forward(X).pre[0]
    assert (Z == 0.3).all() and Z.std() > 0  # numpy's two passes do not give 0 here
    stats = statistics.compute(net, X, y)
    for layer in stats.layers:
        assert layer.preact_std == 0.0 and layer.preact_mean == pytest.approx(0.3)
        assert layer.weight_std == 0.0
    for b in net.biases:
        b[:] = 0.3 + 1e-9 * np.arange(len(b))  # a spread of parts in 10^8: data, not rounding
    stats = statistics.compute(net, X, y)
    assert stats.layers[0].preact_std == pytest.approx(net.forward(X).pre[0].std(), rel=1e-6)
    assert stats.layers[0].preact_std > 0


def test_wide_layers_on_few_samples_take_gradient_variances_from_gram_matrices(monkeypatch):
    """20 x 256 on 32 samples is the app's case: dW's variance without forming dW, equal to
    np.std of dW to rounding."""
    net, X, y = net_and_data("tanh", sizes=(40, 64, 64, 64, 1))
    X, y = X[:6], y[:6]
    answered = []
    gram_variance = statistics._gram_variance
    monkeypatch.setattr(statistics, "_gram_variance",
                        lambda A, dZ: answered.append(gram_variance(A, dZ)) or answered[-1])
    stats = statistics.compute(net, X, y)
    grads = net.backward(net.forward(X), y)
    assert len(answered) == 3 and None not in answered  # the three wide kernels, not the 64 -> 1
    for layer, dW in zip(stats.layers, grads.weights):
        assert layer.grad_std == pytest.approx(dW.std(), rel=1e-10)


def test_gram_matrices_give_way_where_they_would_cancel():
    rng = np.random.default_rng(3)
    a, d = rng.standard_normal((1, 50)), rng.standard_normal((1, 60))
    # two samples whose gradients cancel: dW is exactly 0, its Gram sum only rounding
    assert statistics._gram_variance(np.vstack([a, a]), np.vstack([d, -d])) is None
    # a mean far above the spread
    A, dZ = 100 + 1e-3 * rng.standard_normal((4, 50)), 1 + 1e-3 * rng.standard_normal((4, 60))
    assert statistics._gram_variance(A, dZ) is None
    A[0, 0] = np.nan
    assert statistics._gram_variance(A, rng.standard_normal((4, 60))) is None
    A = rng.standard_normal((4, 50))
    assert statistics._gram_variance(A, dZ - 1) == pytest.approx((A.T @ (dZ - 1)).var(), rel=1e-10)


def test_a_mean_far_above_the_spread_does_not_cancel_the_variance():
    """Weights of 3 +- 1e-7: Σw²/n − mean² would keep no correct digit; the two-pass route does."""
    net, X, y = net_and_data()
    rng = np.random.default_rng(4)
    for W in net.weights:
        W[:] = 3.0 + 1e-7 * rng.standard_normal(W.shape)
    stats = statistics.compute(net, X, y)
    for layer, W in zip(stats.layers, net.weights):
        assert_same_float(layer.weight_std, W.std())
        assert layer.weight_std == pytest.approx(1e-7, rel=0.6)


def test_saturation_thresholds_are_five_percent_of_the_peak_derivative():
    assert activations.get("sigmoid").saturation_threshold == pytest.approx(0.0125)
    assert activations.get("tanh").saturation_threshold == pytest.approx(0.05)


def test_histogram_equals_numpy_with_out_of_range_values_clipped_into_end_bins():
    rng = np.random.default_rng(1)
    values = rng.normal(0, 4, 5000)
    values[:3] = [np.nan, np.inf, -np.inf]
    edges = statistics.PREACT_EDGES
    finite = values[np.isfinite(values)]
    expected, _ = np.histogram(np.clip(finite, edges[0], edges[-1]), bins=edges)
    counts = statistics.histogram(values, edges)
    # bins agree except for values that sit exactly on an inner edge (none here: continuous data)
    np.testing.assert_array_equal(counts, expected)
    assert counts.sum() == len(finite)
    assert not counts.flags.writeable


def test_unit_groups_find_clones_within_tolerance_only():
    rng = np.random.default_rng(2)
    W = rng.standard_normal((4, 6))
    W[:, 3] = W[:, 0] * (1 + 1e-12)
    W[:, 5] = W[:, 0]
    b = rng.standard_normal(6)
    b[3] = b[0]
    b[5] = b[0]
    groups = statistics.unit_groups(W, b)
    assert groups[0] == groups[3] == groups[5]
    assert len(set(groups)) == 4
    b[5] = b[0] + 1e-6  # a bias that differs beyond 1e-9 makes it a different unit
    assert len(set(statistics.unit_groups(W, b))) == 5


def test_unit_groups_of_a_constant_layer_are_one_group():
    assert set(statistics.unit_groups(np.full((3, 8), 0.5), np.zeros(8))) == {0}


def test_huge_weights_give_nonfinite_counts_not_errors(recwarn):
    settings = Settings(init="random_normal", init_params={"stddev": 1e200}, gain=1e6, depth=3, width=8,
                        activation="linear")
    stats = Trainer(settings).measure().stats
    assert not recwarn.list
    assert any(layer.nonfinite > 0 for layer in stats.layers) and not np.isfinite(stats.loss)
    assert all(0.0 <= layer.saturated_fraction <= 1.0 for layer in stats.layers)


def test_json_turns_nonfinite_into_null():
    settings = Settings(init="random_normal", init_params={"stddev": 1e200}, gain=1e6, depth=3, width=8,
                        activation="linear")
    rows = [layer.as_json() for layer in Trainer(settings).measure().stats.layers]
    values = [v for row in rows for v in row.values() if isinstance(v, float)]
    assert all(np.isfinite(values))
    assert any(v is None for row in rows for v in row.values())
