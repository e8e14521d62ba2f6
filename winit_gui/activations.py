"""Activation functions f(z) and their derivatives f'(z), written so they never overflow.

Every ``f`` and ``df`` takes a float array ``z`` and an optional ``out=`` array of the same shape
(which may be ``z`` itself), and returns the result. They raise no floating-point warnings for any
finite input, |z| = 1e300 included, and return the right limits there: the textbook formulas are
rearranged where needed so that nothing large is ever exponentiated or squared (comments say how).

``max_derivative`` is sup |f'(z)|, the largest factor by which one layer can amplify a gradient;
``saturation_threshold`` (5 % of it) is where a unit counts as saturated (or dead, for ReLU).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

ndarray = np.ndarray


@dataclass(frozen=True)
class Activation:
    """One nonlinearity, its derivative and what the views need to draw it."""

    name: str
    f: Callable[..., ndarray]
    """f(z, out=None): the activation."""
    df: Callable[..., ndarray]
    """df(z, out=None): the derivative with respect to the pre-activation z."""
    max_derivative: float
    """sup |f'(z)|: sigmoid 0.25, tanh 1, ReLU 1, SELU λα ≈ 1.758."""
    value_range: tuple[float, float]
    """Fixed, finite axis range for histograms of the activations f(z)."""
    formula: str
    derivative_formula: str

    @property
    def saturation_threshold(self) -> float:
        """|f'(z)| below this (5 % of the steepest slope) counts as saturated."""
        return 0.05 * self.max_derivative

    def __call__(self, z: ndarray, out: ndarray | None = None) -> ndarray:
        return self.f(z, out=out)


def _elementwise(fn):
    """Let ``fn`` (written for float arrays, with ``out=``) also take scalars, lists and ints."""
    def wrapper(z, out: ndarray | None = None) -> ndarray:
        if out is None:
            z = np.asarray(z, dtype=np.float64)
            if z.ndim == 0:
                return fn(z.reshape(1))[0]
        return fn(z, out)
    wrapper.__name__ = wrapper.__qualname__ = fn.__name__.lstrip("_")
    wrapper.__doc__ = fn.__doc__
    return wrapper


def _ones(z: ndarray, out: ndarray | None) -> ndarray:
    if out is None:
        return np.ones_like(z, dtype=np.float64)
    out.fill(1.0)
    return out


# --- sigmoid -------------------------------------------------------------------------------
# σ(z) = 1/(1+e^−z). Written as exp(−softplus(−z)), softplus(x) = log(1+e^x) = logaddexp(0, x):
# the same function, but e^−z is never formed, so σ(−1e300) is 0 and σ(−710) is the exact tiny
# 4.5e-309 rather than an overflow warning.

@_elementwise
def _sigmoid(z: ndarray, out: ndarray | None = None) -> ndarray:
    out = np.negative(z, out=out)
    np.logaddexp(0.0, out, out=out)        # softplus(−z)
    np.negative(out, out=out)
    return np.exp(out, out=out)


@_elementwise
def _sigmoid_df(z: ndarray, out: ndarray | None = None) -> ndarray:
    # σ'(z) = σ(z)(1 − σ(z)) = e^−|z| / (1 + e^−|z|)²: symmetric in z, and e^−|z| ≤ 1 never
    # overflows; unlike σ(1 − σ) it keeps full relative precision in the tails.
    e = np.abs(z, out=out)
    np.negative(e, out=e)
    np.exp(e, out=e)
    d = e + 1.0
    np.square(d, out=d)
    return np.divide(e, d, out=e)


# --- tanh ----------------------------------------------------------------------------------

@_elementwise
def _tanh(z: ndarray, out: ndarray | None = None) -> ndarray:
    return np.tanh(z, out=out)


@_elementwise
def _tanh_df(z: ndarray, out: ndarray | None = None) -> ndarray:
    # 1 − tanh²(z). For |z| > 19, tanh(z) rounds to ±1 and this to 0 (true value < 1e-16).
    out = np.tanh(z, out=out)
    np.square(out, out=out)
    return np.subtract(1.0, out, out=out)


# --- ReLU family ---------------------------------------------------------------------------
# At the kink z = 0 the derivative is taken as the left one (0 for ReLU, the slope for leaky).

@_elementwise
def _relu(z: ndarray, out: ndarray | None = None) -> ndarray:
    return np.maximum(z, 0.0, out=out)


@_elementwise
def _relu_df(z: ndarray, out: ndarray | None = None) -> ndarray:
    if out is None:
        out = np.empty_like(z, dtype=np.float64)
    return np.greater(z, 0.0, out=out)     # 1.0 where z > 0, else 0.0


LEAKY_SLOPE = 0.01


@_elementwise
def _leaky_relu(z: ndarray, out: ndarray | None = None) -> ndarray:
    # max(z, 0.01 z): the same as "z if z > 0 else 0.01 z" because the slope is below 1.
    if out is None or out is z:
        return np.maximum(z, LEAKY_SLOPE * z, out=out)
    np.multiply(z, LEAKY_SLOPE, out=out)
    return np.maximum(z, out, out=out)


@_elementwise
def _leaky_relu_df(z: ndarray, out: ndarray | None = None) -> ndarray:
    if out is None:
        out = np.empty_like(z, dtype=np.float64)
    positive = z > 0.0
    out.fill(LEAKY_SLOPE)
    np.copyto(out, 1.0, where=positive)
    return out


# --- linear --------------------------------------------------------------------------------

@_elementwise
def _linear(z: ndarray, out: ndarray | None = None) -> ndarray:
    return np.positive(z, out=out)         # a copy, never z itself (callers may write into it)


@_elementwise
def _linear_df(z: ndarray, out: ndarray | None = None) -> ndarray:
    return _ones(z, out)


# --- ELU and SELU --------------------------------------------------------------------------
# ELU(z) = z for z > 0, α(e^z − 1) for z ≤ 0; written branch-free as max(z,0) + α(e^min(z,0) − 1)
# so that e^z is only ever taken of non-positive numbers (expm1 keeps it exact near 0).

ELU_ALPHA = 1.0
# Klambauer et al. 2017, "Self-Normalizing Neural Networks", eq. (14).
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA = 1.0507009873554804934193349852946


def _elu_with(alpha: float, scale: float):
    def f(z: ndarray, out: ndarray | None = None) -> ndarray:
        negative_part = np.minimum(z, 0.0)
        np.expm1(negative_part, out=negative_part)
        negative_part *= alpha
        out = np.maximum(z, 0.0, out=out)
        out += negative_part
        if scale != 1.0:
            out *= scale
        return out

    def df(z: ndarray, out: ndarray | None = None) -> ndarray:
        # 1 for z > 0, α e^z for z ≤ 0 (times λ for SELU)
        positive = z > 0.0
        out = np.minimum(z, 0.0, out=out)
        np.exp(out, out=out)
        out *= alpha
        np.copyto(out, 1.0, where=positive)
        if scale != 1.0:
            out *= scale
        return out

    return _elementwise(f), _elementwise(df)


_elu, _elu_df = _elu_with(ELU_ALPHA, 1.0)
_selu, _selu_df = _elu_with(SELU_ALPHA, SELU_LAMBDA)


# --- GELU (tanh approximation) -------------------------------------------------------------
# Hendrycks & Gimpel 2016: GELU(z) ≈ ½ z (1 + tanh(u)), u = √(2/π)(z + 0.044715 z³). This is the
# tanh approximation (as in BERT / GPT-2 and PyTorch's approximate="tanh"), not the erf form, and
# df is the exact derivative of this approximation. z³ would overflow for |z| > 1e102, so the
# cubic is evaluated on z clipped to ±20: tanh(u) is already exactly ±1 in double precision for
# |z| > 4 or so, so the clip changes no value.

_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_A = 0.044715
_GELU_CLIP = 20.0


def _gelu_tanh_u(z: ndarray) -> tuple[ndarray, ndarray]:
    zc = np.clip(z, -_GELU_CLIP, _GELU_CLIP)
    t = zc * zc
    t *= _GELU_A
    t += 1.0
    t *= zc
    t *= _GELU_C                           # u = √(2/π)(z + 0.044715 z³)
    return zc, np.tanh(t, out=t)


@_elementwise
def _gelu(z: ndarray, out: ndarray | None = None) -> ndarray:
    _, t = _gelu_tanh_u(z)
    t += 1.0
    out = np.multiply(z, 0.5, out=out)     # ½ z (1 + tanh u)
    out *= t
    return out


@_elementwise
def _gelu_df(z: ndarray, out: ndarray | None = None) -> ndarray:
    # d/dz ½ z (1 + tanh u) = ½ (1 + tanh u) + ½ z (1 − tanh² u) u',  u' = √(2/π)(1 + 3·0.044715 z²).
    # For |z| > 20 the second term is exactly 0 (1 − tanh² u = 0), so using the clipped z there is exact.
    zc, t = _gelu_tanh_u(z)
    du = zc * zc
    du *= 3.0 * _GELU_A
    du += 1.0
    du *= _GELU_C
    sech2 = np.square(t)
    np.subtract(1.0, sech2, out=sech2)
    du *= sech2
    du *= zc
    out = np.add(t, 1.0, out=out)
    out += du
    out *= 0.5
    return out


# sup |GELU'(z)| of the tanh approximation: the maximum 1.128993 at z ≈ 1.4185 (the minimum, about
# −0.129 near z ≈ −1.5, is smaller in magnitude). tests/test_activations.py checks it on a grid.
_GELU_MAX_DERIVATIVE = 1.128993


# --- softsign ------------------------------------------------------------------------------
# Glorot & Bengio 2010 compare it with tanh: softsign(z) = z / (1 + |z|), polynomial tails.

@_elementwise
def _softsign(z: ndarray, out: ndarray | None = None) -> ndarray:
    d = np.abs(z)
    d += 1.0
    return np.divide(z, d, out=out)


@_elementwise
def _softsign_df(z: ndarray, out: ndarray | None = None) -> ndarray:
    # 1/(1+|z|)², squared after the division so that (1+|z|)² never overflows.
    out = np.abs(z, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return np.square(out, out=out)


_ACTIVATIONS = {
    a.name: a
    for a in (
        Activation("sigmoid", _sigmoid, _sigmoid_df, 0.25, (0.0, 1.0),
                   "σ(z) = 1/(1+e^−z)", "σ(z)(1 − σ(z))"),
        Activation("tanh", _tanh, _tanh_df, 1.0, (-1.0, 1.0),
                   "tanh(z)", "1 − tanh²(z)"),
        Activation("relu", _relu, _relu_df, 1.0, (0.0, 5.0),
                   "max(0, z)", "1 if z > 0 else 0"),
        Activation("leaky_relu", _leaky_relu, _leaky_relu_df, 1.0, (-0.5, 5.0),
                   "max(0.01z, z)", "1 if z > 0 else 0.01"),
        Activation("linear", _linear, _linear_df, 1.0, (-5.0, 5.0),
                   "z", "1"),
        Activation("elu", _elu, _elu_df, 1.0, (-1.0, 5.0),
                   "z if z > 0 else e^z − 1", "1 if z > 0 else e^z"),
        Activation("selu", _selu, _selu_df, SELU_LAMBDA * SELU_ALPHA, (-2.0, 5.0),
                   "λ(z if z > 0 else α(e^z − 1)), λ ≈ 1.0507, α ≈ 1.6733",
                   "λ if z > 0 else λα e^z"),
        Activation("gelu", _gelu, _gelu_df, _GELU_MAX_DERIVATIVE, (-0.5, 5.0),
                   "½z(1 + tanh(√(2/π)(z + 0.044715z³)))",
                   "½(1 + tanh u) + ½z(1 − tanh² u)·√(2/π)(1 + 0.134145z²)"),
        Activation("softsign", _softsign, _softsign_df, 1.0, (-1.0, 1.0),
                   "z/(1 + |z|)", "1/(1 + |z|)²"),
    )
}


def available() -> list[str]:
    """The activation names, in menu order."""
    return list(_ACTIVATIONS)


def get(name: str) -> Activation:
    """The activation called ``name``; ValueError (listing the valid names) for anything else."""
    try:
        return _ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown activation {name!r}; valid: {', '.join(_ACTIVATIONS)}") from None
