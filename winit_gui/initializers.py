"""Weight initializers: the Keras and torch.nn.init catalogue, written like the lecture slides.

Every initializer answers one question: for a dense kernel W of shape (fan_in, fan_out), used as
``x @ W``, what distribution do its entries come from? Each one below is a small function of the
layer's fans that returns that distribution (``Normal``, ``Uniform``, ``TruncatedNormal``, ...,
in distributions.py),
with the slide's formula next to it. A distribution knows how to sample itself, its mean and
standard deviation and a one-line description; an ``Initializer`` (made by ``get``) multiplies all of
them by the weight-scale slider's ``gain``, so every initializer is linear in its gain.

PyTorch stores a Linear layer's weight as (out, in), the transpose of our kernel; the torch
recipes here are written for the (fan_in, fan_out) kernel, so fan_in is always ``shape[0]``.

    >>> init = get("he_normal")
    >>> W = init((256, 128), np.random.default_rng(0))
    >>> round(init.std(256, 128), 4)  # √(2 / fan_in), after Keras's truncation
    0.0884

This module is numpy and the standard library only: no Qt.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from winit_gui.distributions import (Constant, Distribution, Identity, Normal, Orthogonal, SparseNormal,
                                      TruncatedNormal, Uniform, fmt)

# ---------------------------------------------------------------------------------------------
# What the GUI shows about an initializer before building one
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One parameter of an initializer: its default, and either its choices or its minimum."""

    name: str
    default: float | str
    choices: tuple[str, ...] | None = None
    minimum: float | None = None


@dataclass(frozen=True)
class InitializerInfo:
    """Static description of an initializer, for the GUI's combo box, tooltip and parameter editor."""

    name: str
    family: str  # "keras", "pytorch" or "data" (data-dependent: needs a batch of inputs)
    formula: str
    params: tuple[Param, ...]
    summary: str


# ---------------------------------------------------------------------------------------------
# The catalogue: one recipe per name, (fan_in, fan_out, **params) -> distribution
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    info: InitializerInfo
    recipe: Callable[..., Distribution]
    check: Callable[[dict], None] | None  # rules that involve several parameters


_CATALOGUE: dict[str, _Entry] = {}


def _register(family: str, formula: str, summary: str, *params: Param,
              check: Callable[[dict], None] | None = None):
    """Add the decorated recipe to the catalogue under its own name: the name the GUI shows is the
    function a student finds here."""
    def add(recipe):
        info = InitializerInfo(recipe.__name__, family, formula, params, summary)
        _CATALOGUE[info.name] = _Entry(info, recipe, check)
        return recipe
    return add


def _number(name: str, default: float, minimum: float | None = None) -> Param:
    return Param(name, default, None, minimum)


def _choice(name: str, default: str, choices: tuple[str, ...]) -> Param:
    return Param(name, default, choices, None)


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


_KERAS_TRUNCATION = 0.87962566103423978
"""Std of N(0, 1) cut at ±2 (Keras's constant): dividing by it restores the variance the cut removes."""

# ---- Keras (keras.initializers, Keras 3 defaults) --------------------------------------------


@_register("keras", "W = 0",
           "All weights zero: every unit computes the same thing and gets the same update, so "
           "symmetry is never broken (fine for biases, fatal for kernels; the gain cannot help).")
def zeros(fan_in, fan_out):
    """W = 0."""
    return Constant(0.0)


@_register("keras", "W = 1",
           "All weights one: like zeros, identical units stay identical forever, and large layers "
           "saturate at once.")
def ones(fan_in, fan_out):
    """W = 1."""
    return Constant(1.0)


@_register("keras", "W = value",
           "Every weight equals value (Keras constant, torch constant_): symmetric, so all units "
           "learn the same function.",
           _number("value", 0.0))
def constant(fan_in, fan_out, *, value):
    """W = value."""
    return Constant(value)


@_register("keras", "W ~ N(mean, stddev²)",
           "Plain normal with a fixed stddev (Keras default 0.05, not truncated) that ignores the "
           "layer's size, so signals shrink or grow with depth; torch's normal_ (torch_normal here) "
           "defaults to std 1.",
           _number("mean", 0.0), _number("stddev", 0.05, minimum=0.0))
def random_normal(fan_in, fan_out, *, mean, stddev):
    """W ~ N(mean, stddev²), whatever the fans."""
    return Normal(mean, stddev)


def _check_random_uniform(p):
    _require(p["minval"] <= p["maxval"],
             f"minval must be <= maxval, got minval={p['minval']:g}, maxval={p['maxval']:g}")


@_register("keras", "W ~ U(minval, maxval)",
           "Plain uniform with fixed bounds (Keras default ±0.05) that ignore the layer's size; "
           "torch's uniform_ (torch_uniform here) defaults to U(0, 1).",
           _number("minval", -0.05), _number("maxval", 0.05), check=_check_random_uniform)
def random_uniform(fan_in, fan_out, *, minval, maxval):
    """W ~ U(minval, maxval), whatever the fans."""
    return Uniform(minval, maxval)


@_register("keras", "W ~ N(mean, stddev²), redrawn where |W − mean| > 2·stddev",
           "Keras's truncated normal: values more than 2 stddev from the mean are redrawn, so the "
           "actual std is only 0.88·stddev; torch's trunc_normal_ (torch_trunc_normal) cuts at "
           "absolute bounds instead.",
           _number("mean", 0.0), _number("stddev", 0.05, minimum=0.0))
def truncated_normal(fan_in, fan_out, *, mean, stddev):
    """W ~ N(mean, stddev²) cut at mean ± 2·stddev."""
    return TruncatedNormal(mean, stddev, mean - 2 * stddev, mean + 2 * stddev)


def _check_variance_scaling(p):
    _require(p["scale"] > 0, f"scale must be > 0, got {p['scale']:g}")


@_register("keras",
           "Var(W) = scale / n, n = fan_in | fan_out | (fan_in + fan_out)/2; "
           "truncated normal (σ = √(scale/n) / 0.8796, cut at 2σ), normal or U(±√(3·scale/n))",
           "Keras's general rule behind glorot, he and lecun: variance scale/n, with the truncated "
           "normal's stddev divided by 0.8796 so that the variance after the cut is still scale/n "
           "(torch has no truncated variant).",
           _number("scale", 1.0, minimum=0.0),
           _choice("mode", "fan_in", ("fan_in", "fan_out", "fan_avg")),
           _choice("distribution", "truncated_normal", ("truncated_normal", "untruncated_normal", "uniform")),
           check=_check_variance_scaling)
def variance_scaling(fan_in, fan_out, *, scale, mode, distribution):
    """Var(W) = scale / n, where n is fan_in, fan_out or their average (mode)."""
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    if distribution == "truncated_normal":
        stddev = math.sqrt(scale / n) / _KERAS_TRUNCATION
        return TruncatedNormal(0.0, stddev, -2 * stddev, 2 * stddev)
    if distribution == "untruncated_normal":
        return Normal(0.0, math.sqrt(scale / n))
    limit = math.sqrt(3 * scale / n)  # U(−limit, limit) has variance limit²/3 = scale/n
    return Uniform(-limit, limit)


@_register("keras", "W ~ N(0, σ²) cut at ±2σ, σ = √(2 / (fan_in + fan_out)) / 0.8796",
           "Glorot (Xavier) normal for tanh, sigmoid and linear layers, Var = 2/(fan_in + fan_out); "
           "Keras truncates it at 2 stddev, while torch's xavier_normal is an untruncated normal.")
def glorot_normal(fan_in, fan_out):
    """Glorot & Bengio (2010): Var(W) = 2 / (fan_in + fan_out) keeps both the forward signal and
    the backward gradient at about the same variance."""
    return variance_scaling(fan_in, fan_out, scale=1.0, mode="fan_avg", distribution="truncated_normal")


@_register("keras", "W ~ U(−limit, limit), limit = √(6 / (fan_in + fan_out))",
           "Glorot (Xavier) uniform, Keras's default for Dense kernels, Var = 2/(fan_in + fan_out) "
           "for tanh and sigmoid layers; the same as torch's xavier_uniform.")
def glorot_uniform(fan_in, fan_out):
    """Glorot & Bengio (2010) with a uniform distribution: limit² / 3 = 2 / (fan_in + fan_out)."""
    return variance_scaling(fan_in, fan_out, scale=1.0, mode="fan_avg", distribution="uniform")


@_register("keras", "W ~ N(0, σ²) cut at ±2σ, σ = √(2 / fan_in) / 0.8796",
           "He normal for ReLU layers, Var = 2/fan_in; Keras truncates it at 2 stddev, while torch's "
           "kaiming_normal is an untruncated normal.")
def he_normal(fan_in, fan_out):
    """He et al. (2015): ReLU zeroes half the signal, so Var(W) = 2 / fan_in keeps its second
    moment constant through depth."""
    return variance_scaling(fan_in, fan_out, scale=2.0, mode="fan_in", distribution="truncated_normal")


@_register("keras", "W ~ U(−limit, limit), limit = √(6 / fan_in)",
           "He uniform for ReLU layers, Var = 2/fan_in; the same as torch's kaiming_uniform with "
           "nonlinearity='relu'.")
def he_uniform(fan_in, fan_out):
    """He et al. (2015) with a uniform distribution: limit² / 3 = 2 / fan_in."""
    return variance_scaling(fan_in, fan_out, scale=2.0, mode="fan_in", distribution="uniform")


@_register("keras", "W ~ N(0, σ²) cut at ±2σ, σ = √(1 / fan_in) / 0.8796",
           "LeCun normal, Var = 1/fan_in, the initializer SELU networks need; Keras truncates it, "
           "torch's closest is the untruncated kaiming_normal with nonlinearity='linear'.")
def lecun_normal(fan_in, fan_out):
    """LeCun et al. (1998): Var(W) = 1 / fan_in keeps a linear layer's output variance equal to its
    input's."""
    return variance_scaling(fan_in, fan_out, scale=1.0, mode="fan_in", distribution="truncated_normal")


@_register("keras", "W ~ U(−limit, limit), limit = √(3 / fan_in)",
           "LeCun uniform, Var = 1/fan_in, for linear and SELU layers; the same as torch's "
           "kaiming_uniform with nonlinearity='linear'.")
def lecun_uniform(fan_in, fan_out):
    """LeCun et al. (1998) with a uniform distribution: limit² / 3 = 1 / fan_in."""
    return variance_scaling(fan_in, fan_out, scale=1.0, mode="fan_in", distribution="uniform")


@_register("keras", "W = gain·Q, Q from the QR of a normal matrix: WᵀW = gain²·I (fan_in ≥ fan_out), "
           "WWᵀ = gain²·I otherwise",
           "Random orthogonal matrix (Saxe et al.) that preserves the length of vectors, for deep "
           "linear and recurrent nets; the slider is Keras's gain, and torch's orthogonal_ builds "
           "the same kind of matrix.")
def orthogonal(fan_in, fan_out):
    """W = Q with orthonormal columns or rows (see ``Orthogonal``)."""
    return Orthogonal(fan_in, fan_out)


@_register("keras", "W = gain·I (ones on the main diagonal of the fan_in × fan_out matrix)",
           "Identity matrix (Keras identity, torch eye_): each output unit copies one input, a clean "
           "start for deep linear or recurrent nets; in a wide layer the extra units get no input.")
def identity(fan_in, fan_out):
    """W = I, rectangular."""
    return Identity(fan_in, fan_out)


# ---- PyTorch (torch.nn.init) -----------------------------------------------------------------

_NONLINEARITIES = ("leaky_relu", "relu", "tanh", "sigmoid", "linear", "selu")


def calculate_gain(nonlinearity: str, a: float) -> float:
    """torch.nn.init.calculate_gain: the factor that makes up for how much the nonlinearity
    shrinks the variance. ``a`` is leaky_relu's negative slope (torch's default there is 0.01 when
    called without one; kaiming_* pass their a, 0 by default)."""
    return {
        "linear": 1.0,
        "sigmoid": 1.0,
        "tanh": 5.0 / 3.0,
        "relu": math.sqrt(2.0),
        "leaky_relu": math.sqrt(2.0 / (1.0 + a * a)),
        "selu": 3.0 / 4.0,
    }[nonlinearity]


_KAIMING_PARAMS = (
    _number("a", 0.0),
    _choice("mode", "fan_in", ("fan_in", "fan_out")),
    _choice("nonlinearity", "leaky_relu", _NONLINEARITIES),
)


@_register("pytorch", "W ~ U(−b, b), b = gain·√(6 / (fan_in + fan_out))",
           "torch's xavier_uniform_ (Glorot uniform) for tanh and sigmoid layers; identical to Keras's "
           "glorot_uniform, the slider being torch's gain argument.")
def xavier_uniform(fan_in, fan_out):
    """Glorot & Bengio (2010): b² / 3 = 2 / (fan_in + fan_out)."""
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return Uniform(-bound, bound)


@_register("pytorch", "W ~ N(0, σ²), σ = gain·√(2 / (fan_in + fan_out))",
           "torch's xavier_normal_ (Glorot normal): an untruncated normal, while Keras's glorot_normal "
           "truncates at 2 stddev; same variance, different tails.")
def xavier_normal(fan_in, fan_out):
    """Glorot & Bengio (2010): σ² = 2 / (fan_in + fan_out), not truncated."""
    return Normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)))


@_register("pytorch", "W ~ U(−b, b), b = √3·gain(nonlinearity, a) / √fan",
           "torch's kaiming_uniform_ (He uniform) with torch's gain table; its default, leaky_relu with "
           "a = 0, has gain √2 and equals Keras's he_uniform.",
           *_KAIMING_PARAMS)
def kaiming_uniform(fan_in, fan_out, *, a, mode, nonlinearity):
    """He et al. (2015): std = gain / √fan, and U(−b, b) has std b / √3."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)
    bound = math.sqrt(3.0) * std
    return Uniform(-bound, bound)


@_register("pytorch", "W ~ N(0, σ²), σ = gain(nonlinearity, a) / √fan",
           "torch's kaiming_normal_ (He normal) with torch's gain table: untruncated, whereas Keras's "
           "he_normal is truncated at 2 stddev.",
           *_KAIMING_PARAMS)
def kaiming_normal(fan_in, fan_out, *, a, mode, nonlinearity):
    """He et al. (2015): σ = gain / √fan, not truncated."""
    return Normal(0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out))


@_register("pytorch", "W ~ U(−1/√fan_in, 1/√fan_in)   (kaiming_uniform, a = √5)",
           "What torch's nn.Linear does by default: kaiming_uniform_ with a = √5, i.e. "
           "Var = 1/(3·fan_in), a third of LeCun's, so deep stacks shrink the signal.")
def pytorch_default(fan_in, fan_out):
    """nn.Linear.reset_parameters: gain √(2 / (1 + 5)) = 1/√3,
    so b = √3 · (1/√3) / √fan_in = 1/√fan_in."""
    return kaiming_uniform(fan_in, fan_out, a=math.sqrt(5.0), mode="fan_in", nonlinearity="leaky_relu")


@_register("pytorch", "W ~ N(mean, std²)",
           "torch's normal_, default std 1 (not 0.05 as Keras's random_normal): a fixed scale that "
           "ignores the layer's size, the classic way to explode a deep net.",
           _number("mean", 0.0), _number("std", 1.0, minimum=0.0))
def torch_normal(fan_in, fan_out, *, mean, std):
    """W ~ N(mean, std²), whatever the fans."""
    return Normal(mean, std)


def _check_torch_uniform(p):
    _require(p["a"] <= p["b"], f"a must be <= b, got a={p['a']:g}, b={p['b']:g}")


@_register("pytorch", "W ~ U(a, b)",
           "torch's uniform_, default U(0, 1), not centred on 0 (Keras's random_uniform defaults to "
           "±0.05): fixed bounds that ignore the layer's size.",
           _number("a", 0.0), _number("b", 1.0), check=_check_torch_uniform)
def torch_uniform(fan_in, fan_out, *, a, b):
    """W ~ U(a, b), whatever the fans."""
    return Uniform(a, b)


def _check_torch_trunc_normal(p):
    mean, std, a, b = p["mean"], p["std"], p["a"], p["b"]
    _require(a < b, f"a must be < b, got a={a:g}, b={b:g}")
    # torch warns that its values "may be incorrect" there; here the interval would hold almost none
    # of the normal's mass, and rejection sampling would never finish.
    _require(a - 2 * std <= mean <= b + 2 * std,
             f"mean must lie within 2 std of [a, b], got mean={mean:g}, std={std:g}, a={a:g}, b={b:g}")


@_register("pytorch", "W ~ N(mean, std²) conditioned on a ≤ W ≤ b",
           "torch's trunc_normal_: a and b are ABSOLUTE cut-offs (default ±2 whatever std is), unlike "
           "Keras's truncated_normal, which cuts 2 stddev from the mean; with std ≫ 2 it is nearly U(a, b).",
           _number("mean", 0.0), _number("std", 1.0, minimum=0.0), _number("a", -2.0), _number("b", 2.0),
           check=_check_torch_trunc_normal)
def torch_trunc_normal(fan_in, fan_out, *, mean, std, a, b):
    """W ~ N(mean, std²), redrawn outside [a, b]."""
    return TruncatedNormal(mean, std, a, b)


def _check_sparse(p):
    _require(p["sparsity"] <= 1, f"sparsity must be between 0 and 1, got {p['sparsity']:g}")


@_register("pytorch", "each input unit: ⌈sparsity·fan_out⌉ of its weights 0, the others ~ N(0, std²)",
           "torch's sparse_ (Martens 2010): every input unit keeps only some nonzero outgoing weights, "
           "so units start out different yet small; Keras has no equivalent.",
           _number("sparsity", 0.1, minimum=0.0), _number("std", 0.01, minimum=0.0), check=_check_sparse)
def sparse(fan_in, fan_out, *, sparsity, std):
    """See ``SparseNormal`` for how torch's columns map to our rows."""
    return SparseNormal(fan_in, fan_out, sparsity, std)


# ---- data-dependent --------------------------------------------------------------------------

LSUV_TOLERANCE = 0.1
LSUV_MAX_ITERATIONS = 10
"""Mishkin & Matas's Tol_var and T_max."""


@dataclass(frozen=True)
class LSUVStart(Orthogonal):
    """The orthogonal draw LSUV starts from; ``lsuv_rescale`` then scales it on data."""

    def describe(self, gain):
        return f"orthogonal × {fmt(gain)}, rescaled on data to unit variance"


@_register("data", "W = Q (orthogonal), then layer by layer W ← W / √Var(x W + b) on a batch, "
           "until |Var − 1| < 0.1",
           "Mishkin & Matas (2015), layer-sequential unit variance: an orthogonal start, then each "
           "layer in turn rescaled so that its outputs have variance 1 on a batch of the training "
           "data; called alone it gives only the orthogonal start (the trainer does the rescaling).")
def lsuv(fan_in, fan_out):
    """The orthogonal start; the rescaling needs data, so it is ``lsuv_rescale``'s."""
    return LSUVStart(fan_in, fan_out)


def lsuv_rescale(kernels: list[np.ndarray], bias: float, X: np.ndarray,
                 f: Callable[[np.ndarray], np.ndarray]) -> list[int]:
    """Mishkin & Matas (2015), Algorithm 1, on the batch X: for each layer in order, while
    |Var(Z) − 1| ≥ LSUV_TOLERANCE (at most LSUV_MAX_ITERATIONS times), W ← W / √Var(Z), where
    Z = A W + bias and A = f(Z) of the layer below (X for the first). ``kernels`` are rescaled in
    place; returns the iterations each layer took.

    A constant bias leaves Var(Z) ∝ the kernel's square, so on one batch one iteration is exact;
    a layer whose outputs do not vary (zero inputs), vary by rounding only, or overflow is left
    as it is.
    """
    iterations = []
    A = X
    with np.errstate(all="ignore"):
        for W in kernels:
            Z = A @ W + bias
            var, steps = Z.var(), 0
            while abs(var - 1.0) >= LSUV_TOLERANCE and steps < LSUV_MAX_ITERATIONS \
                    and 0 < var < math.inf:
                scale = math.sqrt(var)
                W /= scale
                Z = A @ W + bias
                if not abs(Z.var() - 1.0) < abs(var - 1.0):
                    # The spread was rounding (of the bias onto inputs that do not vary), which
                    # no scale of W changes: ten such steps took W to 1e165 (width 1, sigmoid).
                    W *= scale
                    Z = A @ W + bias
                    break
                var, steps = Z.var(), steps + 1
            iterations.append(steps)
            A = f(Z)
    return iterations


# ---------------------------------------------------------------------------------------------
# The public API
# ---------------------------------------------------------------------------------------------


def _fans(fan_in, fan_out) -> tuple[int, int]:
    try:
        fans = operator.index(fan_in), operator.index(fan_out)
    except TypeError:
        raise ValueError(f"fan_in and fan_out must be integers, got {fan_in!r}, {fan_out!r}") from None
    _require(min(fans) >= 1, f"fan_in and fan_out must be at least 1, got {fan_in}, {fan_out}")
    return fans


@dataclass(frozen=True)
class Initializer:
    """An initializer with its parameters and gain fixed: ``init((fan_in, fan_out), rng)``."""

    name: str
    gain: float
    info: InitializerInfo = field(repr=False)
    resolved: tuple[tuple[str, float | str], ...]

    @property
    def params(self) -> dict[str, float | str]:
        """The resolved parameters, defaults included, gain excluded (a fresh dict each time, so the
        initializer stays immutable)."""
        return dict(self.resolved)

    def distribution(self, fan_in: int, fan_out: int) -> Distribution:
        """What this layer's entries are drawn from, before the gain."""
        return _CATALOGUE[self.name].recipe(*_fans(fan_in, fan_out), **self.params)

    def __call__(self, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
        """A float64 kernel of ``shape`` = (fan_in, fan_out), for ``x @ W``."""
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                            f"got {type(rng).__name__}")
        shape = tuple(shape)
        _require(len(shape) == 2, f"shape must be (fan_in, fan_out) of a dense kernel, got {shape!r}")
        shape = _fans(*shape)
        # Weights past the float limit become ±inf: an explosion for the plots to show, not a crash.
        with np.errstate(over="ignore"):
            return self.gain * self.distribution(*shape).sample(shape, rng)

    def mean(self, fan_in: int, fan_out: int) -> float:
        """Expected mean of the entries, gain included."""
        return self.gain * self.distribution(fan_in, fan_out).mean

    def std(self, fan_in: int, fan_out: int) -> float:
        """Standard deviation of the entries, gain included (after truncation where there is one)."""
        return self.gain * self.distribution(fan_in, fan_out).std

    def describe(self, fan_in: int, fan_out: int) -> str:
        """One line for this layer, e.g. "U(±0.612), std 0.354"."""
        return self.distribution(fan_in, fan_out).describe(self.gain)


def available() -> list[str]:
    """Every registered name, in catalogue order: Keras first, then PyTorch, then data-dependent."""
    return list(_CATALOGUE)


def _entry(name: str) -> _Entry:
    if name not in _CATALOGUE:
        raise ValueError(f"unknown initializer {name!r}; valid names: {', '.join(_CATALOGUE)}")
    return _CATALOGUE[name]


def info(name: str) -> InitializerInfo:
    """The static description of ``name``, without building an initializer."""
    return _entry(name).info


def _as_number(name: str, value, minimum: float | None = None) -> float:
    """``value`` as a finite float; numeric strings (from a command line or a file) are accepted."""
    try:
        if isinstance(value, bool):  # float(True) would pass silently
            raise TypeError
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    _require(math.isfinite(number), f"{name} must be finite, got {value!r}")
    if minimum is not None:
        _require(number >= minimum, f"{name} must be >= {minimum:g}, got {value!r}")
    return number


def _as_choice(param: Param, value) -> str:
    _require(value in param.choices,
             f"{param.name} must be one of {', '.join(map(repr, param.choices))}, got {value!r}")
    return value


def get(name: str, **params) -> Initializer:
    """The initializer ``name`` with ``params`` (and ``gain``, default 1), validated.

    Raises ValueError for an unknown name or parameter (naming the valid ones) and for a value
    out of range (naming the parameter and what it expects).
    """
    entry = _entry(name)
    gain = _as_number("gain", params.pop("gain", 1.0), minimum=0.0)
    known = {p.name: p for p in entry.info.params}
    for key in params:
        _require(key in known, f"unknown parameter {key!r} for {name}; valid parameters: "
                               f"{', '.join(['gain', *known])}")
    resolved = {}
    for p in entry.info.params:
        value = params.get(p.name, p.default)
        resolved[p.name] = _as_choice(p, value) if p.choices else _as_number(p.name, value, p.minimum)
    if entry.check is not None:
        entry.check(resolved)
    return Initializer(name, gain, entry.info, tuple(resolved.items()))
