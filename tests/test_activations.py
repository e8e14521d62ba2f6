"""Activations: derivatives against finite differences, stability at huge inputs, textbook values."""

import math
import warnings

import numpy as np
import pytest

from winit_gui import activations

NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "elu", "selu", "gelu", "softsign"]
LAMBDA, ALPHA = 1.0507009873554804934193349852946, 1.6732632423543772848170429916717


def test_available_names():
    assert activations.available() == NAMES


def test_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError) as err:
        activations.get("swish")
    for name in NAMES:
        assert name in str(err.value)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_central_differences(name):
    act = activations.get(name)
    z = np.linspace(-7.0, 7.0, 561)
    z = z[np.abs(z) > 1e-3]                  # the ReLU family and SELU have a kink at 0
    h = 1e-6
    numeric = (act.f(z + h) - act.f(z - h)) / (2 * h)
    np.testing.assert_allclose(act.df(z), numeric, rtol=1e-6, atol=1e-8)


# f(−1e300), f(1e300), f'(−1e300), f'(1e300)
LIMITS = {
    "sigmoid": (0.0, 1.0, 0.0, 0.0),
    "tanh": (-1.0, 1.0, 0.0, 0.0),
    "relu": (0.0, 1e300, 0.0, 1.0),
    "leaky_relu": (-1e298, 1e300, 0.01, 1.0),
    "linear": (-1e300, 1e300, 1.0, 1.0),
    "elu": (-1.0, 1e300, 0.0, 1.0),
    "selu": (-LAMBDA * ALPHA, LAMBDA * 1e300, 0.0, LAMBDA),
    "gelu": (0.0, 1e300, 0.0, 1.0),
    "softsign": (-1.0, 1.0, 0.0, 0.0),
}


@pytest.mark.parametrize("name", NAMES)
def test_stable_and_correct_at_huge_inputs(name):
    act = activations.get(name)
    z = np.array([-1e300, -710.0, -709.0, -40.0, 0.0, 40.0, 709.0, 710.0, 1e300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f, df = act.f(z), act.df(z)
    assert np.all(np.isfinite(f)) and np.all(np.isfinite(df))
    f_lo, f_hi, df_lo, df_hi = LIMITS[name]
    np.testing.assert_allclose([f[0], f[-1], df[0], df[-1]], [f_lo, f_hi, df_lo, df_hi], rtol=1e-12, atol=0)
    # the derivative never exceeds its advertised supremum, even out here
    assert np.all(np.abs(df) <= act.max_derivative * (1 + 1e-12))


def test_sigmoid_keeps_relative_precision_in_the_tails():
    sig = activations.get("sigmoid")
    z = np.array([-710.0, -40.0, 40.0])
    np.testing.assert_allclose(sig.f(z)[:2], [math.exp(-710.0), 1 / (1 + math.exp(40.0))], rtol=1e-9)
    # σ'(±40) = e^−40/(1+e^−40)²: the naive σ(1−σ) would give exactly 0 at +40
    expected = math.exp(-40.0) / (1 + math.exp(-40.0)) ** 2
    np.testing.assert_allclose(sig.df(z)[1:], [expected, expected], rtol=1e-12)


def test_textbook_values():
    get = activations.get
    assert get("sigmoid").f(0.0) == 0.5
    assert get("sigmoid").df(0.0) == 0.25
    assert get("tanh").df(0.0) == 1.0
    np.testing.assert_array_equal(get("relu").f([-2.0, 0.0, 3.0]), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(get("relu").df([-2.0, 0.0, 3.0]), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(get("leaky_relu").f([-2.0, 3.0]), [-0.02, 3.0])
    np.testing.assert_array_equal(get("leaky_relu").df([-2.0, 0.0, 3.0]), [0.01, 0.01, 1.0])
    np.testing.assert_array_equal(get("linear").df([-2.0, 3.0]), [1.0, 1.0])
    np.testing.assert_allclose(get("elu").f([-1.0, 2.0]), [math.exp(-1) - 1, 2.0], rtol=1e-15)
    np.testing.assert_allclose(get("selu").f([-1.0, 2.0]), [LAMBDA * ALPHA * (math.exp(-1) - 1), 2 * LAMBDA],
                               rtol=1e-15)
    np.testing.assert_allclose(get("selu").df([-1.0, 2.0]), [LAMBDA * ALPHA * math.exp(-1), LAMBDA], rtol=1e-15)
    np.testing.assert_allclose(get("softsign").f([-3.0, 1.0]), [-0.75, 0.5], rtol=1e-15)
    np.testing.assert_allclose(get("softsign").df([-3.0, 1.0]), [1 / 16, 0.25], rtol=1e-15)


def test_gelu_is_the_tanh_approximation():
    z = np.linspace(-5, 5, 101)
    textbook = 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)))
    np.testing.assert_allclose(activations.get("gelu").f(z), textbook, rtol=1e-14, atol=1e-16)
    # and close to the exact erf form, 0.5·z·(1 + erf(z/√2)), within the approximation's known error
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in z])
    np.testing.assert_allclose(activations.get("gelu").f(z), exact, atol=1e-3)


@pytest.mark.parametrize("name", NAMES)
def test_max_derivative_is_the_supremum(name):
    act = activations.get(name)
    z = np.linspace(-10, 10, 400_001)
    sup = np.abs(act.df(z)).max()
    assert sup <= act.max_derivative * (1 + 1e-6)
    assert sup >= act.max_derivative * (1 - 1e-6)
    assert act.saturation_threshold == pytest.approx(0.05 * act.max_derivative)


@pytest.mark.parametrize("name", NAMES)
def test_value_range_is_finite_and_holds_typical_activations(name):
    act = activations.get(name)
    lo, hi = act.value_range
    assert math.isfinite(lo) and math.isfinite(hi) and lo < hi
    a = act.f(np.linspace(-3, 3, 61))
    assert a.min() >= lo - 1e-12
    assert isinstance(act.formula, str) and act.formula
    assert isinstance(act.derivative_formula, str) and act.derivative_formula


@pytest.mark.parametrize("name", NAMES)
def test_out_argument_and_aliasing(name):
    act = activations.get(name)
    z = np.random.default_rng(1).normal(0, 3, (7, 5))
    z_before = z.copy()
    expected_f, expected_df = act.f(z), act.df(z)
    np.testing.assert_array_equal(z, z_before)                 # inputs are not modified
    for fn, expected in ((act.f, expected_f), (act.df, expected_df)):
        out = np.empty_like(z)
        assert fn(z, out=out) is out
        np.testing.assert_array_equal(out, expected)
        inplace = z.copy()
        assert fn(inplace, out=inplace) is inplace               # out may be the input itself
        np.testing.assert_array_equal(inplace, expected)
    assert act.f(z) is not z                                   # even linear returns a new array


def test_scalars_lists_and_ints_are_accepted():
    relu = activations.get("relu")
    assert relu.f(3) == 3.0
    np.testing.assert_array_equal(activations.get("sigmoid").f([0, 0]), [0.5, 0.5])
    assert activations.get("tanh").f(np.array([1, 2])).dtype == np.float64
