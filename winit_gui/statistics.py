"""Per-layer statistics: computed once here for every consumer (views, ``winit-gui stats``, tests).

Histograms use bin edges that never move while the user drags the slider or trains, so an
animation compares like with like; values outside the edges land in the outermost bins (a
saturated tanh layer shows up as two tall end bins), and non-finite values are counted apart.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from winit_gui import activations
from winit_gui.network import MLP

PREACT_EDGES = np.linspace(-6.0, 6.0, 97)
"""Pre-activation bins: wide enough to show where sigmoid (|z| > 4.4) and tanh (|z| > 2.2) go flat."""

LOG_GRAD_EDGES = np.linspace(-12.0, 2.0, 57)
"""Bins of log10 |dL/dz|: vanishing gradients move left by decades, so a log axis shows them."""

DERIVATIVE_EDGES = np.linspace(0.0, 1.0, 41)
"""Bins of |f'(z)| as a fraction of its maximum: saturated units pile up in the first bins."""

ACT_BINS = 64
UNIQUE_RTOL = 1e-9
"""Two units are clones when their incoming weights and bias agree to this relative tolerance."""


@dataclass(frozen=True)
class LayerStats:
    """What one dense layer looks like over a batch of samples (arrays are read-only)."""

    index: int
    kind: str
    fan_in: int
    fan_out: int
    weight_mean: float
    weight_std: float
    preact_mean: float
    preact_std: float
    act_mean: float
    act_std: float
    saturated_fraction: float
    dead_fraction: float
    grad_std: float
    backprop_std: float
    unique_units: int
    update_ratio: float
    nonfinite: int
    preact_hist: np.ndarray
    act_hist: np.ndarray
    backprop_hist: np.ndarray
    derivative_hist: np.ndarray
    """Counts of |f'(z)| / max |f'| on DERIVATIVE_EDGES."""
    backprop_zero_fraction: float
    unit_groups: np.ndarray
    """Clone-group id of every unit: units with equal ids are identical (the symmetry figure)."""

    def as_json(self) -> dict:
        keys = ("index", "kind", "fan_in", "fan_out", "weight_std", "preact_mean", "preact_std",
                "act_mean", "act_std", "saturated_fraction", "dead_fraction", "grad_std", "unique_units")
        return {k: _json_number(getattr(self, k)) for k in keys}


@dataclass(frozen=True)
class NetworkStats:
    layers: tuple[LayerStats, ...]
    loss: float
    accuracy: float
    act_edges: np.ndarray
    samples: int

    @property
    def hidden(self) -> tuple[LayerStats, ...]:
        return self.layers[:-1]


def activation_edges(activation: activations.Activation) -> np.ndarray:
    lo, hi = activation.value_range
    return np.linspace(lo, hi, ACT_BINS + 1)


def head_activation(network: MLP) -> activations.Activation:
    """The output layer's own nonlinearity, for its derivative statistics."""
    return activations.get("sigmoid" if network.output == "sigmoid_bce" else "linear")


def compute(network: MLP, X: np.ndarray, y: np.ndarray,
            previous_weights: list[np.ndarray] | None = None, steps_since: int = 0) -> NetworkStats:
    """Forward and backward over (X, y) and summarize every layer.

    ``previous_weights`` (the kernels ``steps_since`` steps ago) gives the update-to-weight
    ratio per step; without it the ratio is 0.
    """
    with np.errstate(all="ignore"):
        fwd = network.forward(X)
        grads = network.backward(fwd, y)
        loss = float(network.loss(fwd, y))
        acc = accuracy(fwd.pre[-1], y, network.output)
    act_edges = activation_edges(network.activation)
    last = len(network.weights) - 1
    layers = []
    for i, (W, b) in enumerate(zip(network.weights, network.biases)):
        act = network.activation if i < last else head_activation(network)
        prev = previous_weights[i] if previous_weights is not None and steps_since > 0 else None
        layers.append(_layer_stats(i, i == last, W, b, fwd.pre[i], fwd.post[i], act, grads.weights[i],
                                   grads.pre[i], act_edges, prev, steps_since))
    return NetworkStats(tuple(layers), loss, acc, _readonly(act_edges), int(X.shape[0]))


def _layer_stats(i, is_output, W, b, Z, A, act, dW, dZ, act_edges, prev_W, steps_since) -> LayerStats:
    with np.errstate(all="ignore"):
        deriv = np.abs(act.df(Z))
        # NaN compares False: a non-finite pre-activation counts as saturated.
        flat = ~(deriv >= act.saturation_threshold)
        dead = flat.all(axis=0)
        nonfinite = int(Z.size - np.count_nonzero(np.isfinite(Z))) + int(W.size - np.count_nonzero(np.isfinite(W)))
        z_mean, z_std = _mean_std(Z)
        a_mean, a_std = _mean_std(A)
        w_mean, w_std = _mean_std(W)
        ratio = 0.0
        if prev_W is not None:
            ratio = float(np.linalg.norm(W - prev_W) / (np.linalg.norm(W) + 1e-300) / steps_since)
        abs_dz = np.abs(dZ[np.isfinite(dZ)])
        zero = abs_dz == 0
        log_dz = np.log10(abs_dz[~zero])
    groups = unit_groups(W, b)
    return LayerStats(
        index=i + 1,
        kind="output" if is_output else "hidden",
        fan_in=W.shape[0],
        fan_out=W.shape[1],
        weight_mean=w_mean,
        weight_std=w_std,
        preact_mean=z_mean,
        preact_std=z_std,
        act_mean=a_mean,
        act_std=a_std,
        saturated_fraction=float(flat.mean()) if flat.size else 0.0,
        dead_fraction=float(dead.mean()) if dead.size else 0.0,
        grad_std=_mean_std(dW)[1],
        backprop_std=_mean_std(dZ)[1],
        unique_units=int(groups.max()) + 1 if groups.size else 0,
        update_ratio=ratio,
        nonfinite=nonfinite,
        preact_hist=histogram(Z, PREACT_EDGES),
        act_hist=histogram(A, act_edges),
        backprop_hist=histogram(log_dz, LOG_GRAD_EDGES),
        derivative_hist=histogram(deriv / act.max_derivative, DERIVATIVE_EDGES),
        backprop_zero_fraction=float(zero.mean()) if zero.size else 0.0,
        unit_groups=_readonly(groups),
    )


def histogram(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts on uniform ``edges``, out-of-range values clipped into the end bins, non-finite dropped.

    Uniform bins make this an index computation plus ``bincount``: several times faster than
    ``np.histogram``, which matters at display rate.
    """
    bins = len(edges) - 1
    v = values[np.isfinite(values)].ravel()
    idx = np.clip((v - edges[0]) * (bins / (edges[-1] - edges[0])), 0, bins - 1).astype(np.intp)
    return _readonly(np.bincount(idx, minlength=bins).astype(np.float64))


def unit_groups(W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Label each unit (column of W, with its bias) by clone group, groups numbered 0, 1, ... in unit order.

    Units are sorted by a fixed random projection, so that clones sit next to each other, and
    each is compared within the tolerance with its neighbour in that order: O(n log n), no loop.
    """
    units = np.hstack([W.T, b[:, None]])
    n = units.shape[0]
    with np.errstate(all="ignore"):
        scale = np.max(np.abs(units), axis=1)
        if n < 2 or not np.all(np.isfinite(scale)):
            return np.arange(n)
        key = units @ _projection(units.shape[1])
        order = np.argsort(key, kind="stable")
        ordered_scale = scale[order]
        tol = UNIQUE_RTOL * np.maximum(ordered_scale[:-1], ordered_scale[1:])
        # clones have (nearly) equal keys: compare whole units only for those neighbours
        key_scale = np.abs(_projection(units.shape[1])).sum()
        same = np.abs(np.diff(key[order])) <= tol * key_scale
        candidates = np.flatnonzero(same)
        if candidates.size:
            a, b = units[order[candidates]], units[order[candidates + 1]]
            same[candidates] = np.all(np.abs(a - b) <= tol[candidates, None], axis=1)
    labels = np.empty(n, dtype=np.intp)
    labels[order] = np.concatenate([[0], np.cumsum(~same)])
    # renumber by first appearance, so that unit 0 is always group 0
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    return np.argsort(np.argsort(first))[inverse]


@functools.lru_cache(maxsize=8)
def _projection(d: int) -> np.ndarray:
    """A fixed random direction: clones project to the same value, distinct units almost never do."""
    return np.random.default_rng(12345).standard_normal(d)


def _mean_std(x: np.ndarray) -> tuple[float, float]:
    with np.errstate(all="ignore"):
        return float(np.mean(x)), float(np.std(x))


def accuracy(logits: np.ndarray, y: np.ndarray, head: str) -> float:
    """Share of samples classified right, from the output layer's pre-activations (NaN for regression)."""
    if head == "sigmoid_bce":
        return float(np.mean((logits > 0) == (y > 0.5)))
    if head == "softmax_ce":
        labels = y.argmax(axis=1) if y.ndim == 2 else y
        return float(np.mean(logits.argmax(axis=1) == labels))
    return float("nan")


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _json_number(v):
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v
