"""Binary classification data sets, deterministic from a seed.

The four 2-D sets are TensorFlow Playground's (``src/dataset.ts``), generated the same way:

    circle     label 1 inside radius 2.5 (points drawn at r ∈ [0, 2.5]), label 0 on the ring r ∈ [3.5, 5]
    xor        x, y uniform on ±[0.3, 5.3] (a 0.3 gap at the axes); label 1 where x·y ≥ 0
    gaussians  two blobs at (2, 2) (label 1) and (−2, −2) (label 0), variance 0.5 .. 4 growing with noise
    spiral     two interleaved spirals, 1.75 turns, radius 0 .. 5, the second rotated by π

and noise acts as in Playground: for circle and xor the *label* is decided at the point plus a
uniform jitter (so points near the boundary get the wrong class), for spiral the point itself is
jittered, for gaussians the blobs widen. Playground's noise slider runs from 0 to 50 %; here
``noise`` runs from 0 to 1 and is Playground's slider fraction times 2 (noise=1 is the slider's
maximum of 50 %, the default 0.1 is 5 %).

The samples are shuffled and split into train and test; then each input feature is standardized
to zero mean and unit variance with the train split's mean and standard deviation (applied to
both splits). Standardized inputs are what the initialization theory assumes (Var(x) = 1), so the
lessons' numbers hold: e.g. glorot_uniform on 2 → 32 tanh gives a first-layer pre-activation
std of √(2·2/34) ≈ 0.34.

``normal``: inputs x ~ N(0, I_D), D = ``input_dim``, label 1 where w·x > 0 for a fixed unit vector
w drawn from the seed (kept as ``Dataset.projection``). Already standard; not rescaled.

Labels are 0./1. in arrays of shape (n, 1); every array is float64 and read-only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from winit_gui import checks

NAMES = ("circle", "xor", "gaussians", "spiral", "normal")
TWO_D = ("circle", "xor", "gaussians", "spiral")

PLAYGROUND_DOMAIN = 6.0
"""Playground draws its heat map over [−6, 6]² in the raw coordinates; ``bounds`` maps that box."""


@dataclass(frozen=True, eq=False)
class Dataset:
    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    input_dim: int
    is_2d: bool
    """True for the four 2-D sets (the boundary view draws them)."""
    bounds: tuple[float, float, float, float] | None
    """(xmin, xmax, ymin, ymax) of the boundary heat map in standardized coordinates; 2-D sets only.
    Playground's [−6, 6]² box, widened where needed to hold every point."""
    projection: np.ndarray | None = None
    """``normal`` only: the unit vector w whose sign of w·x gives the labels."""


def make(name: str, *, samples: int = 400, noise: float = 0.1, seed: int = 0, input_dim: int = 2,
         test_fraction: float = 0.5) -> Dataset:
    """``samples`` points of data set ``name``, split into train and test (``test_fraction`` of them)."""
    if name not in NAMES:
        raise ValueError(f"unknown dataset {name!r}; valid: {', '.join(NAMES)}")
    samples = checks.integer("samples", samples, 4)
    seed = checks.integer("seed", seed, 0)
    input_dim = checks.integer("input_dim", input_dim, 1)
    noise = checks.number("noise", noise)
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise must be between 0 and 1, got {noise!r}")
    test_fraction = checks.number("test_fraction", test_fraction)
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be strictly between 0 and 1, got {test_fraction!r}")
    if name in TWO_D and input_dim != 2:
        raise ValueError(f"{name!r} is a 2-D dataset: input_dim must be 2 (only 'normal' takes other values)")
    n_test = min(max(round(samples * test_fraction), 1), samples - 1)

    rng = np.random.default_rng(seed)
    projection = None
    if name == "normal":
        projection = rng.standard_normal(input_dim)
        projection /= np.linalg.norm(projection)
        X = rng.standard_normal((samples, input_dim))
        y = (X @ projection > 0).astype(np.float64)
    else:
        X, y = _PLAYGROUND[name](rng, samples, noise / 2.0)

    order = rng.permutation(samples)
    X, y = X[order], y[order].reshape(-1, 1)
    X_train, y_train, X_test, y_test = X[n_test:], y[n_test:], X[:n_test], y[:n_test]

    bounds = None
    if name in TWO_D:
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        std[std == 0] = 1.0
        X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
        box = (np.array([-PLAYGROUND_DOMAIN, PLAYGROUND_DOMAIN])[:, None] - mean) / std   # rows: lo, hi
        everything = np.vstack([X_train, X_test, box])
        lo, hi = everything.min(axis=0), everything.max(axis=0)
        bounds = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))

    return Dataset(name, _readonly(X_train), _readonly(y_train), _readonly(X_test), _readonly(y_test),
                   input_dim, name in TWO_D, bounds, None if projection is None else _readonly(projection))


# --- TensorFlow Playground's generators, vectorized (p = Playground's noise fraction, 0 .. 0.5) ---

def _circle(rng: np.random.Generator, samples: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    radius = 5.0
    n_in = samples // 2
    r = np.concatenate([rng.uniform(0.0, radius * 0.5, n_in), rng.uniform(radius * 0.7, radius, samples - n_in)])
    angle = rng.uniform(0.0, 2 * math.pi, samples)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    jitter = rng.uniform(-radius, radius, (samples, 2)) * p
    y = np.hypot(*(X + jitter).T) < radius * 0.5          # label decided at the jittered point
    return X, y.astype(np.float64)


def _xor(rng: np.random.Generator, samples: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-5.0, 5.0, (samples, 2))
    X += np.where(X > 0, 0.3, -0.3)                        # padding away from the axes
    jitter = rng.uniform(-5.0, 5.0, (samples, 2)) * p
    noisy = X + jitter
    y = noisy[:, 0] * noisy[:, 1] >= 0
    return X, y.astype(np.float64)


def _gaussians(rng: np.random.Generator, samples: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    variance = 0.5 + (4.0 - 0.5) * p / 0.5                 # Playground: noise 0 .. 0.5 -> variance 0.5 .. 4
    n_pos = samples // 2
    centers = np.repeat([[2.0, 2.0], [-2.0, -2.0]], [n_pos, samples - n_pos], axis=0)
    X = centers + math.sqrt(variance) * rng.standard_normal((samples, 2))
    y = np.repeat([1.0, 0.0], [n_pos, samples - n_pos])
    return X, y


def _spiral(rng: np.random.Generator, samples: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    n_pos = samples // 2
    parts = []
    for count, delta_t in ((n_pos, 0.0), (samples - n_pos, math.pi)):
        i = np.arange(count) / count
        r = i * 5.0
        t = 1.75 * i * 2 * math.pi + delta_t
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
    X = np.vstack(parts) + rng.uniform(-1.0, 1.0, (samples, 2)) * p
    y = np.repeat([1.0, 0.0], [n_pos, samples - n_pos])
    return X, y


_PLAYGROUND = {"circle": _circle, "xor": _xor, "gaussians": _gaussians, "spiral": _spiral}


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64)                      # an own copy, never a view of another split
    a.flags.writeable = False
    return a

