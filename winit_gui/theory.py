"""Mean-field theory of a random network, drawn over what the network measures.

A wide network whose kernels have independent zero-mean entries of variance σ_w² / fan_in, and
whose biases have variance σ_b², sends every pre-activation through the length map of Poole et al.
(2016): with h ~ N(b, q) (b the constant bias, 0 in their paper),

    q(l) = σ_w² E[φ(h(l−1))²] + σ_b²,          q(1) = σ_w² q(0) + σ_b²,  q(0) = |x|² / fan_in

Its fixed point q* and the slope there decide the phase:

    χ₁ = σ_w² E[φ'(h)²] at q = q*         < 1 ordered (inputs converge), > 1 chaotic (they diverge)

The expectations over z ~ N(0, 1) are closed forms for linear, ReLU and leaky ReLU (piecewise
linear φ), and Gaussian quadrature for the others: Gauss-Legendre panels split where φ changes
character, rather than Gauss-Hermite, which misses tanh'² once q is large (see ``_panels``) and
converges slowly at a kink (SELU's). He's and Glorot's rules are the special cases: ReLU's map
is q(l) = σ_w² q(l−1) / 2, so σ_w² = 2 (He) keeps q; a linear layer's is q(l) = σ_w² q(l−1).
Constant biases (all the app has: Settings.bias_init) give σ_b = 0 and enter as the mean b.

Dynamical isometry (Saxe et al. 2014; Pennington et al. 2017) is read off the singular values of
the input-output Jacobian at initialization: orthogonal kernels in a linear network give all of
them equal to gain^depth, Gaussian ones spread them out with depth.

This module is numpy only: no Qt.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from winit_gui import activations, distributions
from winit_gui.settings import Settings

ndarray = np.ndarray

CRITICAL_BAND = 0.02
"""|χ₁ − 1| within this counts as critical."""

GRID_SIGMA_W_POINTS = 81
GRID_SIGMA_B = np.linspace(0.0, 0.5, 51)
"""The phase plane's σ_b axis: tanh's critical line runs from σ_w = 1 to about 2 over it."""

JACOBIAN_BUDGET = 3.2e7
"""Multiply-adds one Jacobian may take. Both (the initialization's and the reference's) are made
again at every re-initialization, a slider move included, so they must cost a fraction of a
frame: a network of 10 x 128 gets all its input directions, 30 x 128 the first 67, 20 x 256 the
first 25 and 30 x 256 the first 16 (its singular values are then those of the Jacobian's first
columns: ``jacobian_inputs``). Measured on a quiet machine, one Jacobian and its singular
values of 30 x 256 took 2.4 ms with 16 directions, 3.5 ms with 33, 18 ms with all 256, beside a
19 ms display pass (benchmarks/bench_theory.py: the whole theory adds 6 ms to a slider move)."""

LENGTH_MAP_SAMPLES = 256
"""Training inputs whose own q(0) the length map follows (a 2-D data set's |x|² varies a lot)."""

_Q_LOW, _Q_HIGH = 1e-12, 1e12
"""The fixed point is searched on this range: below it counts as q* = 0, above it as no fixed point."""
_BISECTIONS = 50
_SCAN_POINTS = 97


@functools.cache
def _legendre() -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on [-1, 1], made at first use: importing numpy.polynomial
    for them cost the window's launch some 4 ms, and the first window draws no theory."""
    return np.polynomial.legendre.leggauss(48)


_Z_RANGE = 10.0
"""The quadrature covers z in ±10 (the normal mass beyond is 1.5e-23)."""
_H_FEATURE = 20.0
"""Where the activations here change character: beyond |h| = 20 each is flat or linear to 1e-16."""

_PIECEWISE_LINEAR = {"linear": (1.0, 1.0), "relu": (1.0, 0.0), "leaky_relu": (1.0, activations.LEAKY_SLOPE)}
"""Slopes (right of 0, left of 0) of the activations whose expectations are closed forms."""

_ORTHOGONAL_LIKE = frozenset({"orthogonal", "identity", "lsuv"})


@dataclass(frozen=True)
class TheoryPicture:
    """What mean-field theory predicts for the current initialization (arrays read-only).

    Everything but ``measured_preact_var`` is computed once per initialization (a slider move, new
    settings, Reset), from the initial weights: during training it keeps describing the start.
    """

    activation: str
    sigma_w: float
    """√(fan_in · Var(W)) of the hidden-to-hidden kernels at the current gain. They all have the
    same fans, so one value, from the initializer's own variance (truncation included); for lsuv,
    whose scale comes from the data, the root mean square over those layers of the kernels drawn
    (see ``kernel_variances``). A network of one hidden layer has none: its input kernel's."""
    sigma_b: float
    """√Var(b): 0, since every bias starts at the same constant (Settings.bias_init). A nonzero
    constant enters the theory as the pre-activations' mean b instead: h ~ N(b, q)."""
    theory_preact_var: ndarray
    """(depth,) predicted pre-activation variance of hidden layers 1..depth: the length map
    followed from each of the first LENGTH_MAP_SAMPLES training inputs' q(0), then averaged."""
    measured_preact_var: ndarray
    """(depth,) the same measured on the snapshot's samples (stats.hidden[i].preact_std²)."""
    chi1: float
    phase: str
    """"ordered", "critical" (|χ₁ − 1| ≤ CRITICAL_BAND) or "chaotic"."""
    grid_sigma_w: ndarray
    """(nw,) σ_w axis of the phase plane, 0 to about 3 times the critical σ_w at σ_b = 0."""
    grid_sigma_b: ndarray
    """(nb,) σ_b axis of the phase plane (GRID_SIGMA_B)."""
    grid_chi1: ndarray
    """(nb, nw) χ₁ over the plane, for zero-mean biases; depends on the activation alone."""
    critical_sigma_w: ndarray
    """(nb,) σ_w where χ₁ = 1 for each grid_sigma_b (nan where it is off the axis)."""
    jacobian_sv: ndarray
    """Singular values, descending, of d(last hidden activation)/d(input) at the first training
    sample, for the initial weights."""
    reference_label: str
    """The contrasting kernel: "orthogonal, same variance", or "Gaussian, same variance" when the
    initialization is orthogonal already (orthogonal, identity, lsuv)."""
    reference_sv: ndarray
    """The same singular values with the contrasting kernels (same shapes, variances, activation)."""
    jacobian_inputs: int
    """Input directions the Jacobians cover: all of them unless JACOBIAN_BUDGET cut them short."""
    theory_output_var: float
    """The length map one layer further: the predicted variance of the output layer's logits."""


# ---------------------------------------------------------------------------------------------
# Expectations over h ~ N(mean, q)
# ---------------------------------------------------------------------------------------------


def expectations(activation: str, q, mean=0.0) -> tuple[ndarray, ndarray]:
    """(E[φ(h)²], E[φ'(h)²]) for h ~ N(mean, q), elementwise over q and mean (q ≥ 0; at q = 0 the
    limit q → 0⁺, so that ReLU's E[φ'²] there is ½, not φ'(0)² = 0)."""
    q, mean = np.broadcast_arrays(np.asarray(q, dtype=float), np.asarray(mean, dtype=float))
    s = np.sqrt(np.maximum(q, _Q_LOW * _Q_LOW))
    with np.errstate(all="ignore"):
        if activation in _PIECEWISE_LINEAR:
            return _piecewise_linear(*_PIECEWISE_LINEAR[activation], mean, s)
        act = activations.get(activation)
        z, w = _panels(mean, s)
        h = mean[..., None] + s[..., None] * z
        return ((np.square(act.f(h)) * w).sum(axis=-1),
                (np.square(act.df(h)) * w).sum(axis=-1))


def _piecewise_linear(right: float, left: float, mean: ndarray, s: ndarray) -> tuple[ndarray, ndarray]:
    """φ(h) = right·h for h > 0, left·h below: with t = mean/s, the textbook truncated moments
    E[h² 1{h>0}] = (mean² + s²)Φ(t) + mean·s·ϕ(t), and E[h² 1{h<0}] the rest of mean² + s²."""
    t = mean / s
    cdf = 0.5 * (1.0 + _erf(t / math.sqrt(2.0)))
    second = np.square(mean) + np.square(s)
    upper = second * cdf + mean * s * np.exp(-0.5 * t * t) / math.sqrt(2 * math.pi)
    return (right**2 * upper + left**2 * (second - upper),
            right**2 * cdf + left**2 * (1.0 - cdf))


_erf = np.vectorize(math.erf, otypes=[float])


def _panels(mean: ndarray, s: ndarray) -> tuple[ndarray, ndarray]:
    """Nodes z and N(0, 1) weights of Gauss-Legendre rules on z in ±10, split where h = mean + s·z
    crosses −20, 0 and 20: each panel's integrand is smooth (a kink, as SELU's, sits at h = 0) and
    lives on one scale.

    Gauss-Hermite's nodes lie at the scale of z: once s ≫ 1, tanh'(s·z)² is a spike narrower
    than their spacing, and 96 of them gave E[tanh'(h)²] = 7e-28 at q = 1e4 (truly 0.0053).
    Here the middle panels hold the spike whatever s is."""
    cuts = (np.array([-_H_FEATURE, 0.0, _H_FEATURE]) - mean[..., None]) / s[..., None]
    edges = np.concatenate([np.full(mean.shape + (1,), -_Z_RANGE), np.clip(cuts, -_Z_RANGE, _Z_RANGE),
                            np.full(mean.shape + (1,), _Z_RANGE)], axis=-1)
    lo, hi = edges[..., :-1, None], edges[..., 1:, None]
    half = (hi - lo) / 2
    nodes, weights = _legendre()
    z = (lo + half) + half * nodes
    w = half * weights * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    return z.reshape(mean.shape + (-1,)), w.reshape(mean.shape + (-1,))


# ---------------------------------------------------------------------------------------------
# The length map, its fixed point and χ₁
# ---------------------------------------------------------------------------------------------


def length_map(activation: str, sigma_w2: Sequence[float], q0, sigma_b2: float = 0.0,
               mean: float = 0.0) -> ndarray:
    """q(1), ..., q(L): pre-activation variances of layers whose kernels have σ_w² = sigma_w2[l]
    (fan_in · Var(W_l)), from inputs of second moment q0 (a number, or one per sample: then the
    result has a row per layer and a column per sample). Zero-mean layers read E[φ²] from the
    activation's table (``_Table``): a slider move recomputes the map for 256 samples."""
    second_moment = _table(activation).second if mean == 0 else (lambda q: expectations(activation, q, mean)[0])
    q = np.asarray(q0, dtype=float)
    out = []
    with np.errstate(all="ignore"):
        for l, s2 in enumerate(sigma_w2):
            q = s2 * (q if l == 0 else second_moment(q)) + sigma_b2
            out.append(q)
    return np.array(out)


def _stable_fixed_point(second_moment, sw2: ndarray, sb2: ndarray) -> ndarray:
    """The smallest stable q* of q = sw2·second_moment(q) + sb2 (where the map turns from raising q
    to lowering it: the fixed point a signal reaches from small q), elementwise. A scan at four
    points a decade brackets it, bisection on log q refines it: a map may fall below the identity
    and rise above it again (GELU, whose large-q growth hides a fixed point at small q from a
    plain bisection). 0 when the map lowers every q > 0, inf when it raises every q below 1e12."""
    log_q = np.linspace(math.log(_Q_LOW), math.log(_Q_HIGH), _SCAN_POINTS)
    with np.errstate(all="ignore"):
        q = np.exp(log_q).reshape((-1,) + (1,) * sw2.ndim)
        raises = sw2 * second_moment(np.broadcast_to(q, log_q.shape + sw2.shape)) + sb2 - q > 0
        first_fall = np.argmin(raises, axis=0)  # the first scan point where the map does not raise q
        shrinks = ~raises[0]
        grows = raises.all(axis=0)
        lo = log_q[np.maximum(first_fall - 1, 0)]
        hi = log_q[first_fall]
        for _ in range(_BISECTIONS):
            mid = (lo + hi) / 2
            q_mid = np.exp(mid)
            up = sw2 * second_moment(q_mid) + sb2 - q_mid > 0
            lo, hi = np.where(up, mid, lo), np.where(up, hi, mid)
    return np.where(shrinks, 0.0, np.where(grows, np.inf, np.exp((lo + hi) / 2)))


def _squares(sigma_w, sigma_b, mean=0.0) -> tuple[ndarray, ndarray, ndarray]:
    with np.errstate(over="ignore"):
        return np.broadcast_arrays(np.square(np.asarray(sigma_w, dtype=float)),
                                   np.square(np.asarray(sigma_b, dtype=float)), np.asarray(mean, dtype=float))


def fixed_point(activation: str, sigma_w, sigma_b, mean=0.0) -> ndarray:
    """q*, the stable fixed point of the length map (elementwise; see ``_stable_fixed_point``)."""
    sw2, sb2, mean = _squares(sigma_w, sigma_b, mean)
    return _stable_fixed_point(lambda q: expectations(activation, q, mean)[0], sw2, sb2)


def chi1(activation: str, sigma_w, sigma_b, mean=0.0) -> ndarray:
    """χ₁ = σ_w² E[φ'(h)²] at the fixed point (with no finite one, at q = 1e12: the large-q limit)."""
    sw2, _, mean = _squares(sigma_w, sigma_b, mean)
    q = np.minimum(fixed_point(activation, sigma_w, sigma_b, mean), _Q_HIGH)
    with np.errstate(all="ignore"):
        return sw2 * expectations(activation, q, mean)[1]


def phase(chi: float) -> str:
    """"ordered", "critical" (|χ₁ − 1| ≤ CRITICAL_BAND) or "chaotic" (nan, an overflowed scale, too)."""
    if chi < 1 - CRITICAL_BAND:
        return "ordered"
    return "critical" if chi <= 1 + CRITICAL_BAND else "chaotic"


class _Table:
    """E[φ²] and E[φ'²] for zero-mean h on 200 points a decade of q from 1e-12 to 1e12,
    interpolated in log-log (the error is about 1e-8 relative; q outside the range is integrated
    directly): the phase plane needs thousands of fixed points, each some 150 evaluations, and a
    slider move a length map and a fixed point, which direct quadrature would make a matter of
    seconds and of ten milliseconds."""

    def __init__(self, activation: str):
        self.activation = activation
        self.log_q = np.linspace(math.log(_Q_LOW), math.log(_Q_HIGH), 4801)
        second, slope = expectations(activation, np.exp(self.log_q))
        self.log_second, self.log_slope = (np.log(np.maximum(v, 1e-300)) for v in (second, slope))

    def second(self, q) -> ndarray:
        q = np.asarray(q, dtype=float)
        with np.errstate(all="ignore"):
            out = np.exp(np.interp(np.log(q), self.log_q, self.log_second))
            outside = ~((q >= _Q_LOW) & (q <= _Q_HIGH))  # nan and inf too
            if outside.any():
                out[outside] = expectations(self.activation, q[outside])[0]
        return out

    def chi1(self, sigma_w, sigma_b) -> ndarray:
        sw2, sb2, _ = _squares(sigma_w, sigma_b)
        q = np.clip(_stable_fixed_point(self.second, sw2, sb2), _Q_LOW, _Q_HIGH)
        with np.errstate(all="ignore"):
            return sw2 * np.exp(np.interp(np.log(q), self.log_q, self.log_slope))


@functools.lru_cache(maxsize=None)
def _table(activation: str) -> _Table:
    return _Table(activation)


def critical_sigma_w(activation: str, sigma_b, top: float = 64.0) -> ndarray:
    """σ_w on the critical line χ₁ = 1 for each σ_b (zero-mean biases; nan where χ₁ stays below 1
    up to ``top``): bisection, χ₁ growing with σ_w."""
    table = _table(activation)
    sigma_b = np.asarray(sigma_b, dtype=float)
    lo, hi = np.zeros(sigma_b.shape), np.full(sigma_b.shape, top)
    found = table.chi1(hi, sigma_b) > 1
    for _ in range(_BISECTIONS):
        mid = (lo + hi) / 2
        above = table.chi1(mid, sigma_b) > 1
        lo, hi = np.where(above, lo, mid), np.where(above, mid, hi)
    return np.where(found, (lo + hi) / 2, np.nan)


@dataclass(frozen=True)
class PhasePlane:
    sigma_w: ndarray
    sigma_b: ndarray
    chi1: ndarray
    critical_sigma_w: ndarray


@functools.lru_cache(maxsize=None)
def phase_plane(activation: str) -> PhasePlane:
    """χ₁ over (σ_w, σ_b) for zero-mean biases, and the critical line: once per activation."""
    critical = critical_sigma_w(activation, GRID_SIGMA_B)
    at_zero = critical[0] if np.isfinite(critical[0]) else 4 / 3
    top = math.ceil(round(6 * at_zero, 3)) / 2  # about 3 times the critical σ_w, to a half
    sigma_w = np.linspace(0.0, top, GRID_SIGMA_W_POINTS)
    grid = _table(activation).chi1(sigma_w[None, :], GRID_SIGMA_B[:, None])
    critical = np.where(critical <= top, critical, np.nan)
    return PhasePlane(*(_frozen(a) for a in (sigma_w, GRID_SIGMA_B, grid, critical)))


# ---------------------------------------------------------------------------------------------
# The Jacobian
# ---------------------------------------------------------------------------------------------


def jacobian(kernels: Sequence[ndarray], gain: float, bias: float, activation: str, x: ndarray,
             inputs: int | None = None) -> ndarray:
    """d a_L / d x at the sample x, transposed: entry [i, j] = ∂(a_L)_j / ∂x_i, for the hidden
    layers a_l = φ(a_{l−1} · gain·K_l + bias) (K_l = ``kernels[l]``, the draw at gain 1). Only the
    first ``inputs`` input directions are followed (all by default).

    Chain rule from the input up, M_l = M_{l−1} W_l diag φ'(z_l): never forming gain·K_l."""
    act = activations.get(activation)
    a = np.asarray(x, dtype=float)[None, :]
    m = None
    with np.errstate(all="ignore"):
        for K in kernels:
            z = (a @ K) * gain + bias
            slope = act.df(z) * gain
            m = K[:inputs] * slope if m is None else (m @ K) * slope
            a = act.f(z)
    return m


def singular_values(m: ndarray) -> ndarray:
    """Descending; nan where the matrix is not finite (an overflowed scale)."""
    if not np.isfinite(m).all():
        return np.full(min(m.shape), np.nan)
    return np.linalg.svd(m, compute_uv=False)


def jacobian_inputs(sizes: Sequence[int]) -> int:
    """Input directions whose Jacobian columns fit JACOBIAN_BUDGET, for a network of these sizes
    (input, hidden..., output): each costs a multiply-add per hidden-to-hidden weight."""
    hidden = sizes[1:-1]
    per_direction = sum(a * b for a, b in zip(hidden[:-1], hidden[1:]))
    return int(min(sizes[0], max(1, JACOBIAN_BUDGET // max(per_direction, 1))))


# ---------------------------------------------------------------------------------------------
# The picture of one initialization
# ---------------------------------------------------------------------------------------------


def kernel_variances(settings: Settings, kernels: Sequence[ndarray]) -> ndarray:
    """Var(W_l) of every layer at gain 1: the initializer's own (truncation included).

    lsuv's scale comes from the data: there, the mean square of the kernels drawn, the hidden-to-
    hidden layers sharing their mean. Each layer's own scale also carries its draw's finite-width
    luck (about ±10 % a layer on 30 x 256 ReLU, whose samples' representations align with depth),
    which LSUV cancels on the batch; the length map followed through those scales would wander
    off the unit variance LSUV measures (to 0.55 by layer 20)."""
    if settings.init != "lsuv":
        init = settings.base_initializer()
        with np.errstate(over="ignore"):
            return np.square([init.std(*K.shape) for K in kernels])
    out = np.array([np.mean(np.square(K)) for K in kernels])
    inner = slice(1, settings.depth)
    if settings.depth > 1:
        out[inner] = out[inner].mean()
    return out


def reference_label(settings: Settings) -> str:
    return "Gaussian, same variance" if settings.init in _ORTHOGONAL_LIKE else "orthogonal, same variance"


def reference_kernels(settings: Settings, kernels: Sequence[ndarray]) -> list[ndarray]:
    """The contrasting kernels at gain 1 (see ``reference_label``), with the variances of
    ``kernels``, drawn from the settings' seed (its own stream)."""
    rng = np.random.default_rng([settings.seed, 2])
    gaussian = settings.init in _ORTHOGONAL_LIKE
    out = []
    with np.errstate(all="ignore"):
        for K, var in zip(kernels, kernel_variances(settings, kernels)):
            if gaussian:
                out.append(np.sqrt(var) * rng.standard_normal(K.shape))
            else:
                q = distributions.Orthogonal(*K.shape).sample(K.shape, rng)
                out.append(q * np.sqrt(var * max(K.shape)))
    return out


def predict(settings: Settings, kernels: Sequence[ndarray], reference: Sequence[ndarray],
            inputs: ndarray) -> TheoryPicture:
    """The picture of the network whose initial kernels are ``gain · kernels`` (the draw at gain 1,
    hidden and output layers) and biases ``settings.bias_init``, on training ``inputs``;
    ``measured_preact_var`` is left nan, for ``with_measurement``."""
    depth, gain, bias, name = settings.depth, settings.gain, settings.bias_init, settings.activation
    with np.errstate(all="ignore"):
        sigma_w2 = kernel_variances(settings, kernels) * np.array([K.shape[0] for K in kernels]) * gain * gain
    inner = sigma_w2[1:depth] if depth > 1 else sigma_w2[:1]
    sigma_w = float(np.sqrt(np.mean(inner)))
    q0 = np.mean(np.square(inputs[:LENGTH_MAP_SAMPLES]), axis=1)
    theory_var = length_map(name, sigma_w2, q0, 0.0, bias).mean(axis=1)
    # with zero biases from the table, so that the point has the colour of the plane under it
    chi = float(_table(name).chi1(sigma_w, 0.0) if bias == 0 else chi1(name, sigma_w, 0.0, bias))
    plane = phase_plane(name)
    k = jacobian_inputs(settings.sizes)
    x = inputs[0]
    current = singular_values(jacobian(kernels[:depth], gain, bias, name, x, k))
    contrast = singular_values(jacobian(reference[:depth], gain, bias, name, x, k))
    return TheoryPicture(
        activation=name, sigma_w=sigma_w, sigma_b=0.0,
        theory_preact_var=_frozen(theory_var[:depth]), measured_preact_var=_frozen(np.full(depth, np.nan)),
        chi1=chi, phase=phase(chi),
        grid_sigma_w=plane.sigma_w, grid_sigma_b=plane.sigma_b, grid_chi1=plane.chi1,
        critical_sigma_w=plane.critical_sigma_w,
        jacobian_sv=_frozen(current), reference_label=reference_label(settings),
        reference_sv=_frozen(contrast), jacobian_inputs=k, theory_output_var=float(theory_var[depth]),
    )


def with_measurement(picture: TheoryPicture, hidden_preact_std: Sequence[float]) -> TheoryPicture:
    """``picture`` with the measured variances of this frame."""
    return replace(picture, measured_preact_var=_frozen(np.square(hidden_preact_std)))


def predicted_preact_stds(picture: TheoryPicture) -> list[float]:
    """The predicted pre-activation std of every dense layer, the output layer last."""
    return np.sqrt([*picture.theory_preact_var, picture.theory_output_var]).tolist()


def as_json(picture: TheoryPicture) -> dict:
    """The top-level fields ``winit-gui stats --json`` adds (non-finite numbers as None)."""
    def number(v: float):
        return v if math.isfinite(v) else None

    return {"sigma_w": number(picture.sigma_w), "chi1": number(picture.chi1), "phase": picture.phase,
            "jacobian_singular_values": [number(v) for v in picture.jacobian_sv.tolist()],
            "jacobian_inputs": picture.jacobian_inputs}


def _frozen(a) -> ndarray:
    a = np.array(a, dtype=np.float64)
    a.flags.writeable = False
    return a
