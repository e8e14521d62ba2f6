"""The distributions a kernel's entries are drawn from, with their exact moments.

Each knows how to sample itself, its mean and standard deviation (closed forms: the tests check
them against samples) and a one-line description for the parameter panel; the initializers'
recipes (initializers.py) return one for a layer's fans. numpy and the standard library only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np


class Distribution(Protocol):
    """What a recipe returns: the distribution of one layer's entries, before the gain."""

    @property
    def mean(self) -> float: ...

    @property
    def std(self) -> float: ...

    def sample(self, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray: ...

    def describe(self, gain: float) -> str: ...


def fmt(x: float) -> str:
    """Three significant digits, as on a slide (``+ 0.0`` prints −0 as 0)."""
    return f"{x + 0.0:.3g}"


def _phi(z: float) -> float:
    """Standard normal density φ(z)."""
    return math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def _Phi(z: float) -> float:
    """Standard normal cumulative distribution Φ(z)."""
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _z_phi(z: float) -> float:
    """z·φ(z), which tends to 0 at ±∞ (where the product itself would be ∞·0 = nan)."""
    return 0.0 if math.isinf(z) else z * _phi(z)


def _uniform(low: float, high: float, size, rng: np.random.Generator) -> np.ndarray:
    """U(low, high), as centre ± half-width·U(−1, 1).

    Unlike low + (high − low)·U(0, 1), this never overflows for bounds near the float limit; the
    clip undoes round-off at the edges, so every value is inside [low, high].
    """
    centre, half = low / 2 + high / 2, high / 2 - low / 2
    return np.clip(centre + half * rng.uniform(-1.0, 1.0, size), low, high)


def _rejection_sample(propose: Callable[[int], np.ndarray], keep: Callable[[np.ndarray], np.ndarray],
                      size: int) -> np.ndarray:
    """Vectorised rejection sampling: draw a batch of proposals, keep those ``keep`` accepts, and
    draw again for the ones still missing.

    Each batch is sized from the acceptance rate seen so far (at least 2.3 % for the intervals this
    module allows), so a handful of rounds suffice; batches are capped to bound the memory.
    """
    batches, drawn, kept = [], 0, 0
    while kept < size:
        rate = (kept + 1) / (drawn + 1)  # 1 before the first batch, never 0
        n = min(math.ceil(1.1 * (size - kept) / rate), 1 << 22)
        x = propose(n)
        x = x[keep(x)]
        batches.append(x)
        drawn, kept = drawn + n, kept + x.size
    return np.concatenate(batches)[:size]


@dataclass(frozen=True)
class Constant:
    """W = value, every entry."""

    value: float

    @property
    def mean(self) -> float:
        return self.value

    @property
    def std(self) -> float:
        return 0.0

    def sample(self, shape, rng):
        return np.full(shape, self.value, dtype=np.float64)

    def describe(self, gain):
        return f"constant {fmt(gain * self.value)}"


@dataclass(frozen=True)
class Normal:
    """W ~ N(μ, σ²)."""

    mu: float
    sigma: float

    @property
    def mean(self) -> float:
        return self.mu

    @property
    def std(self) -> float:
        return self.sigma

    def sample(self, shape, rng):
        return self.mu + self.sigma * rng.standard_normal(shape)

    def describe(self, gain):
        centre = f"mean {fmt(gain * self.mu)}, " if self.mu else ""
        return f"normal, {centre}std {fmt(gain * self.sigma)}"


@dataclass(frozen=True)
class Uniform:
    """W ~ U(low, high): mean (low + high)/2, std (high − low)/√12."""

    low: float
    high: float

    @property
    def mean(self) -> float:
        return self.low / 2 + self.high / 2

    @property
    def std(self) -> float:
        return (self.high / 2 - self.low / 2) / math.sqrt(3.0)  # halves first: no overflow

    def sample(self, shape, rng):
        return _uniform(self.low, self.high, shape, rng)

    def describe(self, gain):
        low, high = gain * self.low, gain * self.high
        bounds = f"±{fmt(high)}" if low == -high else f"{fmt(low)}, {fmt(high)}"
        return f"U({bounds}), std {fmt(gain * self.std)}"


@dataclass(frozen=True)
class TruncatedNormal:
    """W ~ N(μ, σ²) conditioned on low ≤ W ≤ high: draws outside [low, high] are redrawn.

    With α = (low − μ)/σ, β = (high − μ)/σ and Z = Φ(β) − Φ(α) (Johnson, Kotz & Balakrishnan):
        mean = μ + σ·(φ(α) − φ(β))/Z
        var  = σ²·[1 + (α·φ(α) − β·φ(β))/Z − ((φ(α) − φ(β))/Z)²]
    """

    mu: float
    sigma: float
    low: float
    high: float

    def _moments(self) -> tuple[float, float]:
        if self.sigma == 0:
            return self.mu, 0.0
        alpha, beta = (self.low - self.mu) / self.sigma, (self.high - self.mu) / self.sigma
        if beta - alpha < 1e-4:
            # [low, high] is far narrower than the bell, so the density is flat on it and the
            # bracket above cancels to round-off: the uniform's moments are exact to ~1e-8.
            flat = Uniform(self.low, self.high)
            return flat.mean, flat.std
        z = _Phi(beta) - _Phi(alpha)
        shift = (_phi(alpha) - _phi(beta)) / z
        var = 1.0 + (_z_phi(alpha) - _z_phi(beta)) / z - shift * shift
        return self.mu + self.sigma * shift, self.sigma * math.sqrt(var)

    @property
    def mean(self) -> float:
        return self._moments()[0]

    @property
    def std(self) -> float:
        return self._moments()[1]

    def sample(self, shape, rng):
        if self.sigma == 0:
            return np.full(shape, self.mu, dtype=np.float64)
        mu, sigma, low, high = self.mu, self.sigma, self.low, self.high
        peak = min(max(mu, low), high)  # where the density is highest on [low, high]
        d = (peak - mu) / sigma
        # Two proposals; their acceptance rates are Z (normal) and Z·σ / ((high − low)·φ(d))
        # (uniform), so the cheaper one is chosen by comparing (high − low)·φ(d) with σ.
        if (high - low) * _phi(d) < sigma:
            # An interval narrower than the bell: propose uniformly on it and keep x with
            # probability density(x) / density(peak).
            def propose(n):
                return _uniform(low, high, n, rng)

            def keep(x):
                with np.errstate(under="ignore"):  # ((x − μ)/σ)² underflows when σ is huge: fine
                    return rng.random(x.size) < np.exp(-0.5 * (((x - mu) / sigma) ** 2 - d * d))
        else:
            def propose(n):
                return mu + sigma * rng.standard_normal(n)

            def keep(x):
                return (low <= x) & (x <= high)
        return _rejection_sample(propose, keep, math.prod(shape)).reshape(shape)

    def describe(self, gain):
        low, high = gain * self.low, gain * self.high
        mean, std = self._moments()
        cut = f"at ±{fmt(high)}" if low == -high else f"to [{fmt(low)}, {fmt(high)}]"
        centre = f"mean {fmt(gain * mean)}, " if mean else ""
        return f"normal cut {cut}, {centre}std {fmt(gain * std)}"


@dataclass(frozen=True)
class Orthogonal:
    """W = Q with orthonormal columns (fan_in ≥ fan_out) or rows (fan_in < fan_out).

    Keras's recipe (Saxe et al. 2014): A ~ N(0, 1) of shape (max, min), A = QR, multiply each
    column of Q by sign(Rᵢᵢ) so that Q is uniformly distributed rather than biased by the QR sign
    convention, and transpose for a wide layer. Mean square of the entries: 1 / max(fan_in, fan_out).
    """

    fan_in: int
    fan_out: int

    @property
    def mean(self) -> float:
        return 0.0

    @property
    def std(self) -> float:
        return 1.0 / math.sqrt(max(self.fan_in, self.fan_out))

    def sample(self, shape, rng):
        q, r = np.linalg.qr(rng.standard_normal((max(shape), min(shape))))
        q *= np.sign(np.diag(r))
        return q if shape[0] >= shape[1] else q.T

    def describe(self, gain):
        return f"orthogonal, std {fmt(gain * self.std)}"


@dataclass(frozen=True)
class Identity:
    """W = I, the rectangular identity: ones on the main diagonal, zeros elsewhere.

    A share p = min(fan_in, fan_out) / (fan_in·fan_out) of the entries is 1: mean p, std √(p(1 − p)).
    """

    fan_in: int
    fan_out: int

    @property
    def _ones_share(self) -> float:
        return min(self.fan_in, self.fan_out) / (self.fan_in * self.fan_out)

    @property
    def mean(self) -> float:
        return self._ones_share

    @property
    def std(self) -> float:
        p = self._ones_share
        return math.sqrt(p * (1.0 - p))

    def sample(self, shape, rng):
        return np.eye(*shape)

    def describe(self, gain):
        return f"identity × {fmt(gain)}, std {fmt(gain * self.std)}"


@dataclass(frozen=True)
class SparseNormal:
    """N(0, σ²) with k = ⌈sparsity·fan_out⌉ entries of every row set to 0.

    torch.nn.init.sparse_ zeros ⌈sparsity·rows⌉ random entries in every column of its (out, in)
    weight, i.e. for every input unit; an input unit is a row of our (fan_in, fan_out) kernel, and
    rows = out = fan_out. Std of the entries: σ·√(1 − k / fan_out).
    """

    fan_in: int
    fan_out: int
    sparsity: float
    sigma: float

    @property
    def zeros_per_input(self) -> int:
        return math.ceil(self.sparsity * self.fan_out)  # as torch computes it, float round-off included

    @property
    def mean(self) -> float:
        return 0.0

    @property
    def std(self) -> float:
        return self.sigma * math.sqrt(1.0 - self.zeros_per_input / self.fan_out)

    def sample(self, shape, rng):
        w = self.sigma * rng.standard_normal(shape)
        # Sorting random keys gives a random permutation of each row; its first k columns are zeroed.
        dropped = np.argsort(rng.random(shape), axis=1)[:, : self.zeros_per_input]
        np.put_along_axis(w, dropped, 0.0, axis=1)
        return w

    def describe(self, gain):
        return (f"sparse, {self.zeros_per_input} of {self.fan_out} zero per input, "
                f"std {fmt(gain * self.std)}")
