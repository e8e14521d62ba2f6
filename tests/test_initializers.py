"""winit_gui.initializers: samples against closed-form moments and bounds, written out here
independently of the module's code paths, so that a wrong fan, a missing truncation correction or a
transposed torch convention fails a test.

Sampling tolerances are 5 standard errors: se(mean) = σ/√N, se(std) ≈ σ·√((κ − 1)/(4N)) with the
kurtosis κ bounded by 4 for every distribution here (normal 3, uniform 1.8, sparse 3/(1 − 0.1)).
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from dataclasses import FrozenInstanceError

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from winit_gui import initializers
from winit_gui.settings import Settings
from winit_gui.training import Trainer

KERAS = ["zeros", "ones", "constant", "random_normal", "random_uniform", "truncated_normal",
         "variance_scaling", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
         "lecun_normal", "lecun_uniform", "orthogonal", "identity"]
PYTORCH = ["xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "pytorch_default",
           "torch_normal", "torch_uniform", "torch_trunc_normal", "sparse"]
DATA = ["lsuv"]  # data-dependent: called alone, its orthogonal start
ALL = KERAS + PYTORCH + DATA
RANDOM = [n for n in ALL if n not in ("zeros", "ones", "constant", "identity")]

TRUNC = 0.87962566103423978  # std of N(0, 1) cut at ±2: Keras's constant
SHAPES = [(400, 300), (100, 1000), (1000, 100)]  # square-ish, wide, tall: swapped fans show


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def expected_moments(name: str, fan_in: int, fan_out: int) -> tuple[float, float]:
    """(mean, std) of the entries for the default parameters at gain 1, from the textbook."""
    avg = math.sqrt(2 / (fan_in + fan_out))
    p = min(fan_in, fan_out) / (fan_in * fan_out)  # share of ones in a rectangular identity
    return {
        "zeros": (0.0, 0.0),
        "ones": (1.0, 0.0),
        "constant": (0.0, 0.0),
        "random_normal": (0.0, 0.05),
        "random_uniform": (0.0, 0.1 / math.sqrt(12)),
        "truncated_normal": (0.0, 0.05 * TRUNC),
        "variance_scaling": (0.0, math.sqrt(1 / fan_in)),  # the correction restores scale / n
        "glorot_normal": (0.0, avg),
        "glorot_uniform": (0.0, avg),
        "he_normal": (0.0, math.sqrt(2 / fan_in)),
        "he_uniform": (0.0, math.sqrt(2 / fan_in)),
        "lecun_normal": (0.0, math.sqrt(1 / fan_in)),
        "lecun_uniform": (0.0, math.sqrt(1 / fan_in)),
        "orthogonal": (0.0, 1 / math.sqrt(max(fan_in, fan_out))),
        "lsuv": (0.0, 1 / math.sqrt(max(fan_in, fan_out))),
        "identity": (p, math.sqrt(p * (1 - p))),
        "xavier_uniform": (0.0, avg),
        "xavier_normal": (0.0, avg),
        "kaiming_uniform": (0.0, math.sqrt(2 / fan_in)),  # leaky_relu with a = 0: gain √2
        "kaiming_normal": (0.0, math.sqrt(2 / fan_in)),
        "pytorch_default": (0.0, 1 / math.sqrt(3 * fan_in)),
        "torch_normal": (0.0, 1.0),
        "torch_uniform": (0.5, 1 / math.sqrt(12)),
        "torch_trunc_normal": (0.0, TRUNC),  # cut at ±2 with std 1: the same bell as Keras's
        "sparse": (0.0, 0.01 * math.sqrt(1 - math.ceil(0.1 * fan_out) / fan_out)),
    }[name]


def assert_moments(w: np.ndarray, mean: float, std: float) -> None:
    n = w.size
    assert abs(w.mean() - mean) <= 5 * std / math.sqrt(n) + 1e-12, (w.mean(), mean)
    assert abs(w.std() - std) <= 5 * std * math.sqrt(3 / (4 * n)) + 1e-12, (w.std(), std)


def truncated_moments(mu, sigma, a, b):
    """Mean and std of N(mu, sigma²) conditioned on a ≤ x ≤ b, from the textbook formula."""
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    Phi = lambda z: (1 + math.erf(z / math.sqrt(2))) / 2  # noqa: E731
    al, be = (a - mu) / sigma, (b - mu) / sigma
    z = Phi(be) - Phi(al)
    m = (phi(al) - phi(be)) / z
    var = 1 + (al * phi(al) - be * phi(be)) / z - m * m
    return mu + sigma * m, sigma * math.sqrt(var)


# ---- the catalogue --------------------------------------------------------------------------


def test_available_lists_keras_then_pytorch_then_data_dependent_in_catalogue_order():
    assert initializers.available() == ALL


@pytest.mark.parametrize("name", ALL)
def test_info_describes_without_building(name):
    info = initializers.info(name)
    assert info.name == name
    assert info.family == ("keras" if name in KERAS else "pytorch" if name in PYTORCH else "data")
    assert info.formula and "\n" not in info.formula
    assert info.summary.endswith(".") and "\n" not in info.summary
    assert "gain" not in [p.name for p in info.params]
    for p in info.params:
        if p.choices is None:
            assert isinstance(p.default, float)
        else:
            assert p.default in p.choices and p.minimum is None
    # The defaults shown to the user are exactly what get() resolves to.
    assert initializers.get(name).params == {p.name: p.default for p in info.params}
    with pytest.raises(FrozenInstanceError):
        info.name = "other"


@pytest.mark.parametrize("name, fragment", [
    ("he_normal", "truncat"), ("glorot_normal", "truncat"), ("lecun_normal", "truncat"),
    ("kaiming_normal", "untruncated"), ("xavier_normal", "untruncated"),
    ("torch_trunc_normal", "absolute"), ("truncated_normal", "2 stddev"),
])
def test_summaries_say_where_the_frameworks_differ(name, fragment):
    assert fragment in initializers.info(name).summary.lower()


# ---- moments --------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", ALL)
def test_samples_match_the_closed_form_moments(name, shape):
    init = initializers.get(name)
    w = init(shape, rng(1))
    assert w.dtype == np.float64 and w.shape == shape
    mean, std = expected_moments(name, *shape)
    assert init.std(*shape) == pytest.approx(std, rel=1e-9, abs=1e-15)
    assert init.mean(*shape) == pytest.approx(mean, rel=1e-9, abs=1e-15)
    assert_moments(w, mean, std)


def test_keras_correction_gives_he_normal_variance_two_over_fan_in():
    fan_in, fan_out = 250, 1000
    w = initializers.get("he_normal")((fan_in, fan_out), rng(2))
    # Without the /0.8796 correction the variance would be 0.77 · 2/fan_in, 100 se away.
    assert abs(w.var() - 2 / fan_in) <= 5 * (2 / fan_in) * math.sqrt(2 / w.size)
    assert initializers.get("he_normal").std(fan_in, fan_out) == pytest.approx(math.sqrt(2 / fan_in), rel=1e-12)


@pytest.mark.parametrize("params, shape, std", [
    ({"mode": "fan_out", "nonlinearity": "relu"}, (100, 1000), math.sqrt(2 / 1000)),
    ({"mode": "fan_in", "nonlinearity": "relu"}, (100, 1000), math.sqrt(2 / 100)),
    ({"mode": "fan_out", "nonlinearity": "tanh"}, (1000, 100), (5 / 3) / math.sqrt(100)),
])
def test_kaiming_mode_picks_the_fan(params, shape, std):
    init = initializers.get("kaiming_normal", **params)
    assert init.std(*shape) == pytest.approx(std, rel=1e-12)
    assert_moments(init(shape, rng(3)), 0.0, std)


@pytest.mark.parametrize("mode, n", [("fan_in", 100), ("fan_out", 1000), ("fan_avg", 550)])
def test_variance_scaling_mode_picks_n(mode, n):
    init = initializers.get("variance_scaling", scale=3.0, mode=mode, distribution="untruncated_normal")
    assert_moments(init((100, 1000), rng(4)), 0.0, math.sqrt(3.0 / n))


@pytest.mark.parametrize("nonlinearity, a, gain", [
    ("linear", 0.0, 1.0), ("sigmoid", 0.0, 1.0), ("tanh", 0.0, 5 / 3), ("relu", 0.0, math.sqrt(2)),
    ("relu", 0.3, math.sqrt(2)), ("leaky_relu", 0.0, math.sqrt(2)),
    ("leaky_relu", 0.2, math.sqrt(2 / 1.04)), ("selu", 0.0, 0.75),
])
def test_pytorch_gain_table(nonlinearity, a, gain):
    assert initializers.calculate_gain(nonlinearity, a) == pytest.approx(gain, rel=1e-15)
    for name in ("kaiming_normal", "kaiming_uniform"):
        init = initializers.get(name, nonlinearity=nonlinearity, a=a)
        assert init.std(64, 16) == pytest.approx(gain / 8, rel=1e-12)
        # The slider's gain comes on top of the nonlinearity's.
        assert initializers.get(name, nonlinearity=nonlinearity, a=a, gain=2.0).std(64, 16) == \
            pytest.approx(2 * gain / 8, rel=1e-12)


# ---- bounds ---------------------------------------------------------------------------------

FAN_IN, FAN_OUT = 100, 1000


@pytest.mark.parametrize("name, params, limit", [
    ("random_uniform", {}, 0.05),
    ("glorot_uniform", {}, math.sqrt(6 / (FAN_IN + FAN_OUT))),
    ("xavier_uniform", {}, math.sqrt(6 / (FAN_IN + FAN_OUT))),
    ("he_uniform", {}, math.sqrt(6 / FAN_IN)),
    ("kaiming_uniform", {}, math.sqrt(6 / FAN_IN)),
    ("kaiming_uniform", {"mode": "fan_out", "nonlinearity": "tanh"}, math.sqrt(3) * (5 / 3) / math.sqrt(FAN_OUT)),
    ("lecun_uniform", {}, math.sqrt(3 / FAN_IN)),
    ("pytorch_default", {}, 1 / math.sqrt(FAN_IN)),
    ("variance_scaling", {"scale": 3.0, "mode": "fan_avg", "distribution": "uniform"},
     math.sqrt(9 / ((FAN_IN + FAN_OUT) / 2))),
])
def test_uniform_limits(name, params, limit):
    w = initializers.get(name, **params)((FAN_IN, FAN_OUT), rng(5))
    assert np.abs(w).max() <= limit
    # 10⁵ draws: the chance that none comes within 0.1 % of the limit is e^-100.
    assert np.abs(w).max() >= 0.999 * limit


@pytest.mark.parametrize("name, params, sigma", [
    ("truncated_normal", {"mean": 0.3, "stddev": 0.2}, 0.2),
    ("he_normal", {}, math.sqrt(2 / FAN_IN) / TRUNC),
    ("glorot_normal", {}, math.sqrt(2 / (FAN_IN + FAN_OUT)) / TRUNC),
    ("lecun_normal", {}, math.sqrt(1 / FAN_IN) / TRUNC),
    ("variance_scaling", {"mode": "fan_out"}, math.sqrt(1 / FAN_OUT) / TRUNC),
])
def test_keras_truncation_at_two_corrected_stddev(name, params, sigma):
    init = initializers.get(name, **params)
    mean = params.get("mean", 0.0)
    w = init((FAN_IN, FAN_OUT), rng(6))
    dev = np.abs(w - mean)
    assert dev.max() <= 2 * sigma
    assert dev.max() >= 0.99 * 2 * sigma  # cut at 2 σ, not earlier
    # The untruncated normals are not cut: 4.6 % of their draws lie beyond 2 σ.
    assert np.abs(initializers.get("xavier_normal")((FAN_IN, FAN_OUT), rng(6))).max() > \
        2 * math.sqrt(2 / (FAN_IN + FAN_OUT))


@pytest.mark.parametrize("params", [
    {"std": 3.0, "a": -1.0, "b": 2.0},             # narrower than the bell
    {"mean": 0.5, "std": 1.0, "a": -1.0, "b": 3.0},  # wide
    {"mean": 0.0, "std": 1.0, "a": 1.0, "b": 4.0},   # all on one side of the mean
    {"mean": 3.0, "std": 1.0, "a": -1.0, "b": 1.0},  # mean outside [a, b], within 2 std
])
def test_torch_trunc_normal_cuts_at_absolute_bounds(params):
    init = initializers.get("torch_trunc_normal", **params)
    full = {"mean": 0.0, **params}
    a, b = full["a"], full["b"]
    w = init((400, 300), rng(7))
    assert w.min() >= a and w.max() <= b
    assert w.min() <= a + 0.01 * (b - a) and w.max() >= b - 0.01 * (b - a)
    mean, std = truncated_moments(full["mean"], full["std"], a, b)
    assert init.mean(400, 300) == pytest.approx(mean, rel=1e-9)
    assert init.std(400, 300) == pytest.approx(std, rel=1e-9)
    assert_moments(w, mean, std)


def test_torch_trunc_normal_cutoffs_do_not_scale_with_std():
    # std 0.5 with the default ±2: the cut is 4 std away, so many draws exceed 2 std (Keras's rule).
    w = initializers.get("torch_trunc_normal", std=0.5)((400, 300), rng(8))
    assert np.abs(w).max() <= 2.0
    assert (np.abs(w) > 1.0).mean() > 0.04
    # A huge std with the default ±2: nearly U(−2, 2), std 4/√12.
    init = initializers.get("torch_trunc_normal", std=1e200)
    w = init((400, 300), rng(8))
    assert np.abs(w).max() <= 2.0
    assert init.std(400, 300) == pytest.approx(4 / math.sqrt(12), rel=1e-6)
    assert_moments(w, 0.0, 4 / math.sqrt(12))


@settings(max_examples=60, deadline=None)
@given(mean=st.floats(-5, 5), std=st.sampled_from([0.0, 1e-300, 0.01, 1.0, 7.0, 1e200]),
       a=st.floats(-10, 10), width=st.floats(1e-6, 20))
def test_torch_trunc_normal_stays_inside_for_any_valid_parameters(mean, std, a, width):
    b = a + width
    if not a - 2 * std <= mean <= b + 2 * std:
        with pytest.raises(ValueError, match="mean"):
            initializers.get("torch_trunc_normal", mean=mean, std=std, a=a, b=b)
        return
    init = initializers.get("torch_trunc_normal", mean=mean, std=std, a=a, b=b)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w = init((7, 5), rng(9))
        assert a <= init.mean(7, 5) <= b and 0 <= init.std(7, 5) <= width / 2
    assert np.all((a <= w) & (w <= b))


# ---- exact structures -----------------------------------------------------------------------


@pytest.mark.parametrize("name, params, gain, value", [
    ("zeros", {}, 5.0, 0.0), ("ones", {}, 1.0, 1.0), ("ones", {}, 2.0, 2.0),
    ("constant", {}, 1.0, 0.0), ("constant", {"value": 0.5}, 1.0, 0.5), ("constant", {"value": 0.5}, 2.0, 1.0),
])
def test_constants_are_exact(name, params, gain, value):
    init = initializers.get(name, gain=gain, **params)
    w = init((6, 4), rng())
    assert w.dtype == np.float64 and np.array_equal(w, np.full((6, 4), value))
    assert init.std(6, 4) == 0.0


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_identity_is_the_rectangular_eye(shape, gain):
    init = initializers.get("identity", gain=gain)
    w = init(shape, rng())
    assert np.array_equal(w, gain * np.eye(*shape))
    assert init.std(*shape) == pytest.approx(w.std(), rel=1e-12)
    assert init.mean(*shape) == pytest.approx(w.mean(), rel=1e-12)


@pytest.mark.parametrize("shape", [(60, 20), (20, 60), (30, 30)])
def test_orthogonal_follows_keras(shape):
    gain = 1.5
    w = initializers.get("orthogonal", gain=gain)(shape, rng(10))
    fan_in, fan_out = shape
    if fan_in >= fan_out:
        assert np.allclose(w.T @ w, gain**2 * np.eye(fan_out), atol=1e-12)
    else:
        assert np.allclose(w @ w.T, gain**2 * np.eye(fan_in), atol=1e-12)
    # Keras's recipe: A ~ N(0, 1) of shape (max, min) from the same stream, A = QR with diag(R) > 0
    # (the sign fix), and W = gain·Q, transposed for a wide layer.
    a = rng(10).standard_normal((max(shape), min(shape)))
    q = w / gain if fan_in >= fan_out else w.T / gain
    r = q.T @ a
    assert np.allclose(np.tril(r, -1), 0.0, atol=1e-10)
    assert np.all(np.diag(r) > 0)


def test_lsuv_alone_is_its_orthogonal_start():
    for shape in [(60, 20), (20, 60)]:
        assert np.array_equal(initializers.get("lsuv", gain=2.0)(shape, rng(11)),
                              initializers.get("orthogonal", gain=2.0)(shape, rng(11)))
    assert "rescaled" in initializers.get("lsuv").describe(8, 8)


def test_lsuv_rescale_gives_every_layer_unit_output_variance_on_its_batch():
    g = rng(12)
    X = 3.0 * g.standard_normal((256, 40))
    kernels = [initializers.get("lsuv")(shape, g) for shape in [(40, 64), (64, 64), (64, 64), (64, 1)]]
    start = [K.copy() for K in kernels]
    iterations = initializers.lsuv_rescale(kernels, 0.1, X, np.tanh)
    assert all(1 <= n <= 2 for n in iterations)
    A = X
    for K, K0 in zip(kernels, start):
        Z = A @ K + 0.1
        assert abs(Z.var() - 1.0) < initializers.LSUV_TOLERANCE
        # a multiple of the orthogonal start: only its scale changed
        scale = np.linalg.norm(K) / np.linalg.norm(K0)
        assert np.allclose(K, scale * K0, rtol=1e-12)
        A = np.tanh(Z)


def test_lsuv_leaves_a_layer_without_variance_alone():
    kernels = [initializers.get("lsuv")((5, 4), rng(13))]
    start = kernels[0].copy()
    assert initializers.lsuv_rescale(kernels, 0.0, np.zeros((16, 5)), np.tanh) == [0]
    assert np.array_equal(kernels[0], start)


def test_lsuv_leaves_a_layer_whose_outputs_vary_by_rounding_alone():
    """13 layers of width 1, sigmoid, bias 0.2: from layer 4 on, the inputs barely vary and Z's
    spread is mostly the bias's rounding, which no scale of W changes; ten rescales took such
    layers to 1e165 and the theory's σ_w was infinite (found by random use)."""
    narrow = Settings(init="lsuv", gain=0.04265795188015926, bias_init=0.2, activation="sigmoid", depth=13,
                        width=1, dataset="circle", noise=0.5, batch_size=61, seed=1113702298)
    trainer = Trainer(narrow)
    assert max(float(np.abs(W).max()) for W in trainer.network.weights) < 1e20
    picture = trainer.initial_theory()
    assert np.isfinite([picture.sigma_w, picture.chi1, picture.theory_output_var]).all()


def test_sparse_zeros_per_torch_column():
    # torch zeros ⌈sparsity·rows⌉ entries in each column of its (out, in) weight, i.e. for every
    # input unit: a row of our (fan_in, fan_out) kernel, ⌈0.25·40⌉ = 10 of its 40 entries.
    w = initializers.get("sparse", sparsity=0.25, std=0.5)((50, 40), rng(11))
    assert np.all((w == 0).sum(axis=1) == 10)
    assert len(set((w == 0).sum(axis=0))) > 1  # columns are not what is counted
    assert np.count_nonzero(initializers.get("sparse", sparsity=0.26)((50, 40), rng(11)) == 0) == 50 * 11
    assert np.count_nonzero(initializers.get("sparse", sparsity=0.0)((50, 40), rng(11))) == 50 * 40
    assert not initializers.get("sparse", sparsity=1.0)((50, 40), rng(11)).any()
    # torch's int(math.ceil(0.07 * 100)) is 8, as 0.07 * 100 is 7.000000000000001 in floating point.
    assert np.all((initializers.get("sparse", sparsity=0.07)((5, 100), rng(11)) == 0).sum(axis=1) == 8)


def test_sparse_nonzeros_are_normal_with_std():
    w = initializers.get("sparse", sparsity=0.5, std=0.2)((500, 400), rng(12))
    nonzero = w[w != 0]
    assert nonzero.size == 500 * 200
    assert_moments(nonzero, 0.0, 0.2)


# ---- gain, determinism ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_gain_multiplies_every_initializer_exactly(name):
    base, tripled = initializers.get(name), initializers.get(name, gain=3.0)
    assert np.array_equal(tripled((30, 20), rng(13)), 3.0 * base((30, 20), rng(13)))
    assert tripled.std(30, 20) == pytest.approx(3.0 * base.std(30, 20), rel=1e-15)
    assert tripled.gain == 3.0 and base.gain == 1.0


@pytest.mark.parametrize("name", ALL)
def test_same_seed_same_weights(name):
    init = initializers.get(name)
    first = init((30, 20), rng(14))
    assert np.array_equal(first, init((30, 20), rng(14)))
    if name in RANDOM:
        assert not np.array_equal(first, init((30, 20), rng(15)))


# ---- parameters and errors ------------------------------------------------------------------


def test_unknown_name_lists_the_valid_ones():
    for call in (initializers.get, initializers.info):
        with pytest.raises(ValueError, match="he_normal") as err:
            call("he_nromal")
        assert "'he_nromal'" in str(err.value) and "sparse" in str(err.value)


def test_unknown_parameter_lists_the_valid_ones():
    with pytest.raises(ValueError) as err:
        initializers.get("random_normal", sd=1)
    assert "'sd'" in str(err.value) and "valid parameters: gain, mean, stddev" in str(err.value)
    with pytest.raises(ValueError, match="valid parameters: gain$"):
        initializers.get("he_normal", scale=2)


@pytest.mark.parametrize("name, params, fragment", [
    ("random_normal", {"stddev": -1}, "stddev must be >= 0"),
    ("torch_normal", {"std": -0.1}, "std must be >= 0"),
    ("random_uniform", {"minval": 1, "maxval": 0}, "minval must be <= maxval"),
    ("variance_scaling", {"mode": "fan_sum"}, "mode must be one of 'fan_in', 'fan_out', 'fan_avg'"),
    ("variance_scaling", {"distribution": "normal"}, "distribution must be one of"),
    ("variance_scaling", {"scale": 0}, "scale must be > 0"),
    ("kaiming_normal", {"mode": "fan_avg"}, "mode must be one of 'fan_in', 'fan_out'"),
    ("kaiming_uniform", {"nonlinearity": "gelu"}, "nonlinearity must be one of"),
    ("constant", {"value": "abc"}, "value must be a number"),
    ("constant", {"value": None}, "value must be a number"),
    ("constant", {"value": True}, "value must be a number"),
    ("constant", {"value": "nan"}, "value must be finite"),
    ("constant", {"value": 10**400}, "value must be a number"),
    ("sparse", {"sparsity": 1.5}, "sparsity must be between 0 and 1"),
    ("sparse", {"sparsity": -0.1}, "sparsity must be >= 0"),
    ("he_normal", {"gain": -1}, "gain must be >= 0"),
    ("he_normal", {"gain": float("inf")}, "gain must be finite"),
    ("torch_uniform", {"a": 1, "b": 0}, "a must be <= b"),
    ("torch_trunc_normal", {"a": 2, "b": -2}, "a must be < b"),
    ("torch_trunc_normal", {"mean": 10}, "mean must lie within 2 std of [a, b]"),
])
def test_invalid_values_name_the_parameter(name, params, fragment):
    with pytest.raises(ValueError) as err:
        initializers.get(name, **params)
    assert fragment in str(err.value)


def test_numeric_strings_are_converted():
    init = initializers.get("constant", value="0.5", gain="2")
    assert init.params == {"value": 0.5} and init.gain == 2.0
    assert np.array_equal(init((2, 2), rng()), np.ones((2, 2)))
    assert initializers.get("variance_scaling", scale="2", mode="fan_out").params == \
        {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"}
    assert initializers.get("random_normal", stddev=np.float32(0.25)).params["stddev"] == 0.25


def test_initializer_is_immutable():
    init = initializers.get("constant", value=0.5)
    init.params["value"] = 9.0
    assert init.params == {"value": 0.5}
    with pytest.raises(FrozenInstanceError):
        init.gain = 2.0
    same = initializers.get("constant", value="0.5")
    assert init == same and hash(init) == hash(same)


def test_bad_shape_or_rng():
    init = initializers.get("he_normal")
    for shape in [(0, 5), (3, 4, 5), (3,), (2.5, 3)]:
        with pytest.raises(ValueError, match="fan_in"):
            init(shape, rng())
    with pytest.raises(ValueError):
        init.std(3, 0)
    with pytest.raises(TypeError, match="Generator"):
        init((3, 4), np.random)


def test_describe_reads_like_the_slide():
    assert initializers.get("he_uniform").describe(16, 8) == "U(±0.612), std 0.354"
    assert initializers.get("he_normal").describe(16, 8) == "normal cut at ±0.804, std 0.354"
    assert initializers.get("pytorch_default").describe(100, 10) == "U(±0.1), std 0.0577"
    assert initializers.get("torch_uniform").describe(3, 3) == "U(0, 1), std 0.289"
    assert initializers.get("xavier_normal", gain=2).describe(4, 4) == "normal, std 1"
    assert initializers.get("constant", value=0.5).describe(3, 3) == "constant 0.5"
    assert initializers.get("constant", value=0.5, gain=2).describe(3, 3) == "constant 1"
    assert initializers.get("sparse").describe(8, 20) == "sparse, 2 of 20 zero per input, std 0.00949"


# ---- robustness -----------------------------------------------------------------------------

EXTREMES = [(name, {}) for name in ALL] + [
    ("random_normal", {"stddev": 1e200}), ("truncated_normal", {"stddev": 1e200}),
    ("torch_normal", {"std": 1e200}), ("torch_trunc_normal", {"std": 1e200}),
    ("torch_trunc_normal", {"std": 1e200, "a": -1e200, "b": 1e200}),
    ("sparse", {"std": 1e200}), ("random_uniform", {"minval": -1e200, "maxval": 1e200}),
    ("constant", {"value": 1e200}), ("variance_scaling", {"scale": 1e200}),
    ("kaiming_normal", {"a": 1e200}),
]


@pytest.mark.parametrize("gain", [1e-6, 1.0, 1e6])
@pytest.mark.parametrize("name, params", EXTREMES)
def test_extreme_scales_neither_raise_nor_warn(name, params, gain):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        init = initializers.get(name, gain=gain, **params)
        w = init((40, 30), rng(16))
        assert np.all(np.isfinite(w))
        assert math.isfinite(init.std(40, 30)) and math.isfinite(init.mean(40, 30))
        assert isinstance(init.describe(40, 30), str)


def test_module_imports_no_qt():
    code = ("import sys, winit_gui.initializers; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'PyQt5', 'PyQt6', 'pyqtgraph', 'qtpy', 'shiboken6')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
