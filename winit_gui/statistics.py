"""Per-layer statistics: computed once here for every consumer (views, ``winit-gui stats``, tests).

Histograms use bin edges that never move while the user drags the slider or trains, so an
animation compares like with like; values outside the edges land in the outermost bins (a
saturated tanh layer shows up as two tall end bins), and non-finite values are counted apart.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from winit_gui import activations
from winit_gui.network import MLP, Forward, Layers

PREACT_EDGES = np.linspace(-6.0, 6.0, 97)
"""Pre-activation bins: wide enough to show where sigmoid (|z| > 4.4) and tanh (|z| > 2.2) go flat."""

LOG_GRAD_EDGES = np.linspace(-12.0, 2.0, 57)
"""Bins of log10 |dL/dz|: vanishing gradients move left by decades, so a log axis shows them."""

DERIVATIVE_EDGES = np.linspace(0.0, 1.0, 41)
"""Bins of |f'(z)| as a fraction of its maximum: saturated units pile up in the first bins."""

ACT_BINS = 64
UNIQUE_RTOL = 1e-9
"""Two units are clones when their incoming weights and bias agree to this relative tolerance."""
MIN_NORM = 1e-100
"""Layer norms (square roots of sums of squares) above this have lost no square to underflow."""


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
            previous_weights: np.ndarray | None = None, steps_since: int = 0) -> NetworkStats:
    """Forward and backward over (X, y) and summarize every layer.

    ``previous_weights`` (``network.flat_weights()`` as it was ``steps_since`` steps ago) gives the
    update-to-weight ratio per step; without it the ratio is 0.
    """
    with np.errstate(all="ignore"):
        fwd = network.forward(X, reuse=True)
        dZ, derivatives = network.backprop(fwd, y, reuse=True)
        loss = float(network.loss(fwd, y))
        acc = accuracy(fwd.pre[-1], y, network.output)
        act_edges = activation_edges(network.activation)
        layers = _summarize(network, fwd, dZ, derivatives, act_edges,
                            previous_weights if steps_since > 0 else None, steps_since)
    return NetworkStats(layers, loss, acc, _readonly(act_edges), int(X.shape[0]))


def _summarize(network: MLP, fwd: Forward, dZs: Layers, derivatives: Layers, act_edges: np.ndarray,
               prev_W: np.ndarray | None, steps_since: int) -> tuple[LayerStats, ...]:
    """Every layer's statistics at once: each quantity is one flat buffer holding all layers (see
    ``network.Layers``), summarized by a few numpy calls per run of equally shaped layers; one
    call per layer and statistic would cost more than the arithmetic on a deep network."""
    n, last = fwd.inputs.shape[0], network.n_layers - 1
    shapes = [(n, k) for k in network.sizes[1:]]
    kernels = network.shapes
    W, Z, A, dZ = network.flat_weights(), fwd.pre.flat, fwd.post.flat, dZs.flat

    w_mean, w_var = _moments(W, kernels)
    z_mean, z_var = _moments(Z, shapes)
    a_mean, a_var = _moments(A, shapes)
    dz_mean, dz_var = _moments(dZ, shapes)
    dw_var = _kernel_gradient_variances(fwd, dZs, kernels)
    z_nonfinite = _nonfinite(Z, shapes, z_mean)
    dz_nonfinite = _nonfinite(dZ, shapes, dz_mean)

    # |f'(Z)|: the hidden layers' from backprop, the output layer's from the head's nonlinearity
    hidden = Z.size - fwd.pre[-1].size
    deriv = np.empty_like(Z)
    np.abs(derivatives.flat, out=deriv[:hidden])
    head = head_activation(network)
    head_deriv = head.df(fwd.pre[-1], out=deriv[hidden:].reshape(fwd.pre[-1].shape))
    np.abs(head_deriv, out=head_deriv)
    flat = np.empty(deriv.shape, dtype=bool)
    for part, act in ((slice(None, hidden), network.activation), (slice(hidden, None), head)):
        np.greater_equal(deriv[part], act.saturation_threshold, out=flat[part])
        deriv[part] /= act.max_derivative  # from here on |f'| relative to its maximum
    np.logical_not(flat, out=flat)  # so a NaN derivative (non-finite Z) counts as saturated
    saturated = _count(flat, shapes)
    dead = np.empty(len(shapes))
    for layers, block in _blocks(flat, shapes):
        dead[layers] = block.all(axis=1).mean(axis=1)

    any_nonfinite_z = bool(z_nonfinite.any())
    preact_hist, act_hist, derivative_hist = _histograms(shapes, [
        (Z, PREACT_EDGES, any_nonfinite_z),
        (A, act_edges, not np.isfinite(a_mean).all()),
        (deriv, DERIVATIVE_EDGES, any_nonfinite_z),  # finite Z give finite f'(Z): see activations
    ])
    # In the derivatives' buffer, done with. |dZ| = 0 becomes −inf here and is dropped by the
    # histogram, like non-finite dZ: it is counted apart, as a share of the finite dZ.
    log_dz = np.abs(dZ, out=deriv)
    np.log10(log_dz, out=log_dz)
    dz_zero = _count(dZ == 0, shapes)
    maybe_nonfinite = bool(dz_zero.any() or dz_nonfinite.any())  # else every log10 |dZ| is finite
    (backprop_hist,) = _histograms(shapes, [(log_dz, LOG_GRAD_EDGES, maybe_nonfinite)])
    dz_finite = np.array([Zl.size for Zl in fwd.pre]) - dz_nonfinite

    # ||W||² = m (var + mean²): no cancellation (both terms ≥ 0), so no other pass over W
    w_norm2 = np.array([i * o for i, o in kernels]) * (w_var + np.square(w_mean))
    ratio = np.zeros(len(kernels))
    if prev_W is not None:
        distances = np.empty(len(kernels))
        for (layers, block), (_, prev_block) in zip(_blocks(W, kernels), _blocks(prev_W, kernels)):
            rows = len(block)
            distances[layers] = _sum_sq_diff(block.reshape(rows, -1), prev_block.reshape(rows, -1))
        ratio = np.sqrt(distances) / (np.sqrt(w_norm2) + 1e-300) / steps_since

    groups = [None] * len(kernels)
    for layers, block in _blocks(W, kernels):
        biases = np.stack(network.biases[layers])
        bounds = np.sqrt(w_norm2[layers] + np.einsum("ij,ij->i", biases, biases))
        groups[layers] = list(_unit_groups(block, biases, bounds))

    nonfinite = (z_nonfinite + _nonfinite(W, kernels, w_mean)).tolist()
    # Python numbers, one list per statistic: one conversion per array, not per layer and field
    w_std, z_std, a_std, dw_std, dz_std = (np.sqrt(v).tolist() for v in (w_var, z_var, a_var, dw_var, dz_var))
    w_mean, z_mean, a_mean, ratio, dead = (v.tolist() for v in (w_mean, z_mean, a_mean, ratio, dead))
    saturated, dz_zero, dz_finite = saturated.tolist(), dz_zero.tolist(), dz_finite.tolist()
    return tuple(LayerStats(
        index=l + 1,
        kind="output" if l == last else "hidden",
        fan_in=fan_in,
        fan_out=fan_out,
        weight_mean=w_mean[l],
        weight_std=w_std[l],
        preact_mean=z_mean[l],
        preact_std=z_std[l],
        act_mean=a_mean[l],
        act_std=a_std[l],
        saturated_fraction=saturated[l] / (n * fan_out) if n else 0.0,
        dead_fraction=dead[l],
        grad_std=dw_std[l],
        backprop_std=dz_std[l],
        unique_units=int(groups[l].max()) + 1,
        update_ratio=ratio[l],
        nonfinite=nonfinite[l],
        preact_hist=preact_hist[l],
        act_hist=act_hist[l],
        backprop_hist=backprop_hist[l],
        derivative_hist=derivative_hist[l],
        backprop_zero_fraction=dz_zero[l] / dz_finite[l] if dz_finite[l] else 0.0,
        unit_groups=_readonly(groups[l]),
    ) for l, (fan_in, fan_out) in enumerate(kernels))


def _kernel_gradient_variances(fwd: Forward, dZs: Layers, kernels) -> np.ndarray:
    """Variance of each layer's dL/dW = A_prev.T @ dZ.

    Where n samples are few beside a wide layer (n (fan_in + fan_out) < fan_in fan_out, as in
    20 layers of 256 shown on 32 samples), dW itself is not formed: its sum is (A_prev 1)·(dZ 1)
    and its sum of squares Σ (A_prev A_prev^T) ∘ (dZ dZ^T), two n x n Gram matrices, a quarter
    of the arithmetic and no pass over fan_in x fan_out values. That route is taken only where
    it cannot lose digits (see ``_gram_variance``); elsewhere dW is formed a layer at a time
    into one buffer (all of them at once would be as large as the network, new memory on every
    frame) and its variance computed as np.var does."""
    out = np.empty(len(kernels))
    buffer = None
    for l, ((fan_in, fan_out), dZ) in enumerate(zip(kernels, dZs)):
        A_prev = fwd.inputs if l == 0 else fwd.post[l - 1]
        if len(dZ) * (fan_in + fan_out) < fan_in * fan_out:
            var = _gram_variance(A_prev, dZ)
            if var is not None:
                out[l] = var
                continue
        if buffer is None:
            buffer = np.empty(max(fan_in * fan_out for fan_in, fan_out in kernels))
        dW = np.matmul(A_prev.T, dZ, out=buffer[:fan_in * fan_out].reshape(fan_in, fan_out))
        out[l] = _variance(dW.reshape(1, -1))[0]
    return out


GRAM_MIN_SHARE = 1e-3
"""``_gram_variance`` answers only when Σ dW² is at least this share of (Σ_i |a_i| |dz_i|)², the
scale of its rounding error (a_i, dz_i: sample i's rows). Its relative error is then at most
about 1e3 (fan_in + fan_out + n²) eps, 2e-10 for 32 samples of 512 units: the worst case; in
practice far less."""


def _gram_variance(A: np.ndarray, dZ: np.ndarray) -> float | None:
    """Variance of A.T @ dZ's entries from Gram matrices, or None where that would cancel: a sum of
    squares that is small beside its terms (gradients of the samples that cancel out), a mean
    that is not small beside the spread, or non-finite values (np.var's own passes answer then)."""
    count = A.shape[1] * dZ.shape[1]
    gram_A, gram_dZ = A @ A.T, dZ @ dZ.T
    total = float(A.sum(axis=1) @ dZ.sum(axis=1))
    sum_sq = float(np.einsum("ij,ij->", gram_A, gram_dZ))
    scale = float(np.sqrt(np.diagonal(gram_A) * np.diagonal(gram_dZ)).sum()) ** 2
    mean = total / count
    var = sum_sq / count - mean * mean
    if not (sum_sq >= GRAM_MIN_SHARE * scale and var >= mean * mean):
        return None
    return var


@functools.lru_cache(maxsize=32)
def _runs(shapes: tuple[tuple[int, ...], ...]) -> tuple[tuple[slice, int, int, tuple[int, ...]], ...]:
    """(layers, start, size, shape) of each run of consecutive layers of one shape in a flat buffer
    that holds layers of these shapes back to back."""
    runs, start, first = [], 0, 0
    for shape, run in itertools.groupby(shapes):
        count = len(list(run))
        size = count * math.prod(shape)
        runs.append((slice(first, first + count), start, size, (count, *shape)))
        start, first = start + size, first + count
    return tuple(runs)


def _blocks(flat: np.ndarray, shapes: Sequence[tuple[int, ...]]) -> Iterator[tuple[slice, np.ndarray]]:
    """For each run of consecutive layers of one shape: their layer indices, and ``flat``'s part that
    holds them (layers back to back, as ``network.Layers`` stores them) as an array (layers, *shape)."""
    for layers, start, size, shape in _runs(tuple(shapes)):
        yield layers, flat[start:start + size].reshape(shape)


EQUAL_TO_ROUNDING = 64 * np.finfo(np.float64).eps
"""A spread under this fraction of the mean is the mean's rounding, not data: n equal values
give a computed mean a few ulps off, and a std of about 1e-17 (np.std(np.full(512, 0.1)) is
1.4e-17). Such a layer's variance is 0: the zeros lesson's output shows "σ 0", not "σ 4e-17"."""


def _moments(flat: np.ndarray, shapes) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of each layer, as np.mean and np.var give them, but 0 for values equal to
    within rounding (EQUAL_TO_ROUNDING).

    One pass for Σx and one dot product for Σx², where the mean is no larger than the spread
    (most layers: weights, gradients, pre-activations near 0): var = Σx²/n − mean² then loses
    at most a few ulps. Layers whose mean dominates, or holding non-finite values, are done
    again in np.var's two passes, which do not cancel."""
    mean, var = np.empty(len(shapes)), np.empty(len(shapes))
    for layers, block in _blocks(flat, shapes):
        rows = block.reshape(len(block), -1)
        n = rows.shape[1]
        mean[layers] = rows.sum(axis=1) / n
        var[layers] = _dot_rows(rows) / n - np.square(mean[layers])
        redo = ~(var[layers] >= np.square(mean[layers]))  # NaN too
        if redo.any():
            index = np.arange(layers.start, layers.stop)[redo]
            var[index] = _sum_sq_diff(rows[redo], mean[index, None]) / n
    var[var <= np.square(EQUAL_TO_ROUNDING * mean)] = 0.0
    return mean, var


def _dot_rows(rows: np.ndarray) -> np.ndarray:
    """Σ x² along each row: one dot product per row, through BLAS (twice as fast as einsum)."""
    return np.matmul(rows[:, None, :], rows[:, :, None])[:, 0, 0]


def _variance(rows: np.ndarray) -> np.ndarray:
    """Variance of each row, as np.var computes it."""
    return _sum_sq_diff(rows, rows.sum(axis=1, keepdims=True) / rows.shape[1]) / rows.shape[1]


CHUNK = 1 << 16
"""Values per temporary array in the reductions below: small enough to stay in cache. (A fresh
array as large as all kernels costs more in page faults than the arithmetic done on it.)"""


def _sum_sq_diff(rows: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Σ (rows − other)² along each row (``other``: one value or one row per row), CHUNK values a time."""
    step = max(1, CHUNK // max(rows.shape[1], 1))
    if step >= len(rows):  # one chunk (small layers): no buffer, no loop
        return _dot_rows(rows - other)
    d = np.empty((step, rows.shape[1]))
    out = np.empty(len(rows))
    for r in range(0, len(rows), step):
        stop = min(r + step, len(rows))
        out[r:stop] = _dot_rows(np.subtract(rows[r:stop], other[r:stop], out=d[:stop - r]))
    return out


def _nonfinite(flat: np.ndarray, shapes, mean: np.ndarray) -> np.ndarray:
    """Non-finite values per layer. A finite mean proves all of a layer's values finite, so only the
    layers with a non-finite mean are counted."""
    counts = np.zeros(len(shapes), dtype=np.intp)
    for l in np.flatnonzero(~np.isfinite(mean)):
        start = sum(math.prod(shape) for shape in shapes[:l])
        values = flat[start:start + math.prod(shapes[l])]
        counts[l] = values.size - np.count_nonzero(np.isfinite(values))
    return counts


def _count(flags: np.ndarray, shapes) -> np.ndarray:
    """True values per layer."""
    counts = np.empty(len(shapes), dtype=np.intp)
    for layers, block in _blocks(flags, shapes):
        counts[layers] = np.count_nonzero(block.reshape(len(block), -1), axis=1)
    return counts


def histogram(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts on uniform ``edges``, out-of-range values clipped into the end bins, non-finite dropped.

    Uniform bins make this an index computation plus ``bincount``: several times faster than
    ``np.histogram``, which matters at display rate.
    """
    values = np.ravel(values)
    with np.errstate(all="ignore"):
        return _histograms([values.shape], [(values, edges, True)])[0][0]


def _histograms(shapes, quantities: list[tuple[np.ndarray, np.ndarray, bool]]) -> list[np.ndarray]:
    """``histogram`` of every layer, for each (flat buffer, edges, may hold non-finite values) in
    ``quantities``, as rows of one read-only array (layers, bins). False for non-finite values
    promises there are none. One ``bincount`` per piece of CHUNK values, each layer's indices
    shifted to its own row: the temporaries stay in cache."""
    t = np.empty(CHUNK)
    idx = np.empty(CHUNK, dtype=np.intp)
    out = []
    for flat, edges, maybe_nonfinite in quantities:
        bins, layers = len(edges) - 1, len(shapes)
        scale = bins / (edges[-1] - edges[0])
        counts = np.zeros(layers * bins + 1, dtype=np.intp)
        for start, size, rows in _pieces(tuple(shapes), CHUNK):
            values, ti, ii = flat[start:start + size], t[:size], idx[:size]
            np.subtract(values, edges[0], out=ti)
            ti *= scale
            np.clip(ti, 0, bins - 1, out=ti)
            np.copyto(ii, ti, casting="unsafe")  # truncates: the bin
            for offset, first, count, row_size in rows:
                layer_rows = ii[offset:offset + count * row_size].reshape(count, row_size)
                layer_rows += np.arange(first * bins, (first + count) * bins, bins)[:, None]
            if maybe_nonfinite:
                ii[~np.isfinite(values)] = layers * bins  # one bin past the last layer's, cut off below
            counts += np.bincount(ii, minlength=len(counts))
        out.append(_readonly(counts[:-1].reshape(layers, bins).astype(np.float64)))
    return out


@functools.lru_cache(maxsize=16)
def _pieces(shapes: tuple[tuple[int, ...], ...], chunk: int) -> tuple:
    """A flat buffer of layers of these shapes (back to back) in pieces of at most ``chunk``
    values: (start, size, rows) where rows are (offset in the piece, first layer, count, row
    size): ``count`` rows of one layer each, from ``first`` on. A piece holds whole layers, or
    part of a layer larger than a chunk."""
    pieces, rows, piece_start, start = [], [], 0, 0

    def close():
        if rows:
            pieces.append((piece_start, start - piece_start, tuple(map(tuple, rows))))
            rows.clear()

    for layer, shape in enumerate(shapes):
        size = math.prod(shape)
        if size > chunk:
            close()
            pieces.extend((start + part, min(chunk, size - part), ((0, layer, 1, min(chunk, size - part)),))
                          for part in range(0, size, chunk))
            start = piece_start = start + size
            continue
        if start + size - piece_start > chunk:
            close()
            piece_start = start
        if rows and rows[-1][3] == size:
            rows[-1][2] += 1
        else:
            rows.append([start - piece_start, layer, 1, size])
        start += size
    close()
    return tuple(pieces)


def unit_groups(W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Label each unit (column of W, with its bias) by clone group, groups numbered 0, 1, ... in unit order.

    Units are sorted by a fixed random projection, so that clones sit next to each other, and
    each is compared within the tolerance with its neighbour in that order: O(n log n), no loop.
    """
    with np.errstate(all="ignore"):
        bound = np.sqrt(np.sum(np.square(W)) + np.sum(np.square(b)))
    return _unit_groups(W[None], b[None], bound[None])[0]


def _unit_groups(Ws: np.ndarray, bs: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """``unit_groups`` of layers of one kernel shape at once: Ws (layers, fan_in, n), bs (layers, n).

    ``bounds`` (per layer: the norm of all its weights and biases) is at least the largest |entry|
    of any unit. Neighbours in key order are compared in full when their keys agree within the
    tolerance of that bound, which lets through every pair that agrees within its own tolerance,
    and then with their own: the same groups, without a pass over all weights for each unit's
    largest entry.
    """
    layers, fan_in, n = Ws.shape
    if n == 1:
        return np.zeros((layers, 1), dtype=np.intp)  # a lone unit is group 0, finite or not
    projection = _projection(fan_in + 1)
    with np.errstate(all="ignore"):
        bounds = np.array(bounds, dtype=np.float64)
        # a norm this small may have lost squares to underflow, a non-finite one hides whether an
        # entry is non-finite: take the largest |entry| itself (rare)
        for l in np.flatnonzero(~((bounds > MIN_NORM) & (bounds < np.inf))):
            bounds[l] = max(np.abs(Ws[l]).max(initial=0.0), np.abs(bs[l]).max(initial=0.0))
        key = projection[:-1] @ Ws + bs * projection[-1]
        order = np.argsort(key, axis=1, kind="stable")
        gaps = np.abs(np.diff(np.take_along_axis(key, order, axis=1), axis=1))
        rows, cols = np.nonzero(gaps <= (UNIQUE_RTOL * np.abs(projection).sum()) * bounds[:, None])
        if not rows.size:
            return np.tile(np.arange(n), (layers, 1))  # no two units alike: each its own group
        same = np.zeros(gaps.shape, dtype=bool)
        if rows.size:
            a, b = order[rows, cols], order[rows, cols + 1]
            unit_a = np.concatenate([Ws[rows, :, a], bs[rows, a, None]], axis=1)
            unit_b = np.concatenate([Ws[rows, :, b], bs[rows, b, None]], axis=1)
            tol = UNIQUE_RTOL * np.maximum(np.abs(unit_a).max(axis=1), np.abs(unit_b).max(axis=1))
            same[rows, cols] = np.all(np.abs(unit_a - unit_b) <= tol[:, None], axis=1)
    # groups are runs of clones in key order; number them by their first unit in unit order
    starts = np.ones((layers, n), dtype=bool)
    starts[:, 1:] = ~same
    run_starts = np.flatnonzero(starts)
    first = np.minimum.reduceat(order.ravel(), run_starts)
    row = run_starts // n
    is_first = np.zeros((layers, n), dtype=bool)
    is_first[row, first] = True
    run_label = (np.cumsum(is_first, axis=1) - 1)[row, first]
    labels = np.empty((layers, n), dtype=np.intp)
    np.put_along_axis(labels, order, run_label[np.cumsum(starts) - 1].reshape(layers, n), axis=1)
    labels[~np.isfinite(bounds)] = np.arange(n)  # a layer with a non-finite entry: no unit is compared
    return labels


@functools.lru_cache(maxsize=8)
def _projection(d: int) -> np.ndarray:
    """A fixed random direction: clones project to the same value, distinct units almost never do."""
    return np.random.default_rng(12345).standard_normal(d)


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
