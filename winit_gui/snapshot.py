"""Immutable pictures of a Trainer, made for the views: everything a view draws, computed once.

A Snapshot owns copies (read-only arrays), never the trainer's live buffers, so the worker
thread can keep training while the GUI draws the last one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np

from winit_gui import theory
from winit_gui.datasets import Dataset
from winit_gui.settings import Settings
from winit_gui.statistics import NetworkStats, head_activation, histogram
from winit_gui.theory import TheoryPicture
from winit_gui.training import Evaluation, Trainer

DIAGRAM_UNITS = 10
"""Units drawn per layer in the network diagram; wider layers show a '+N more' marker."""

BOUNDARY_RESOLUTION = 64
OUTPUT_EDGES = np.linspace(0.0, 1.0, 41)
WORK_BUDGET = 2e7
"""Multiply-adds one display pass may spend per forward pass: a snapshot of a wide, deep network
uses fewer samples (never under MIN_SAMPLES) rather than miss the frame."""
MIN_SAMPLES = 32
"""The floor binds only past WORK_BUDGET / MIN_SAMPLES multiply-adds a sample, where every layer
has at least 73 units (depth <= 64, inputs <= 4096): each layer's histograms still get over 2000
values. At 64 samples a 20 x 256 network spent about 15 ms a frame on matrix products alone."""
MAX_SAMPLES = 512
HEAT_MAP_PX = 256
"""The decision boundary's heat map is interpolated up to about this many pixels a side: a 16..64
grid drawn as blocks shows a staircase where the boundary is a smooth curve."""
HEAT_MAP_LEVELS = 256
"""Colours of the heat map's colour map: P(class 1) is sent as one of these levels."""


def display_samples(sizes: tuple[int, ...]) -> int:
    """Samples for the display statistics and loss passes of a network with these layer sizes."""
    macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return int(np.clip(WORK_BUDGET // macs, MIN_SAMPLES, MAX_SAMPLES))


def boundary_resolution(sizes: tuple[int, ...]) -> int:
    """Grid points per side of the decision-boundary heat map, within the same budget."""
    macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return int(np.clip(np.sqrt(WORK_BUDGET / macs), 16, BOUNDARY_RESOLUTION))


@dataclass(frozen=True)
class Diagram:
    """The part of the network the diagram draws: the first DIAGRAM_UNITS units of every layer."""

    sizes: tuple[int, ...]
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    groups: tuple[np.ndarray, ...]
    """Clone-group id of every shown unit per layer (inputs are never grouped)."""
    unique: tuple[int, ...]
    """Distinct units of each layer (input layer: its size)."""


@dataclass(frozen=True)
class Boundary:
    """The output over the plane (2-D data) or the output's distribution per class (other data)."""

    extent: tuple[float, float, float, float] | None
    probability: np.ndarray | None
    class_hist: tuple[np.ndarray, np.ndarray]
    edges: np.ndarray
    heat_map: np.ndarray | None
    """``probability`` as the view draws it: interpolated (bilinear, corners kept) to about
    HEAT_MAP_PX a side and quantized to HEAT_MAP_LEVELS levels (uint8, NaN as 0.5). The engine
    makes it: on the GUI's side this was a tenth of a frame's instructions, in numpy."""


@dataclass(frozen=True)
class Snapshot:
    serial: int
    step: int
    settings: Settings
    playing: bool
    stats: NetworkStats
    evaluation: Evaluation
    loss_history: np.ndarray
    """Rows (step, train loss, test loss, train accuracy, test accuracy)."""
    saturation_history: np.ndarray
    """Rows (step, saturated fraction of layer 1 .. output)."""
    diagram: Diagram
    boundary: Boundary
    dataset: Dataset | None
    """The 2-D data set, for the boundary view's points; None for other data, whose inputs would
    be heavy to send to the GUI every frame and which no view draws."""
    theory: TheoryPicture | None
    """Mean-field theory of the initial weights, with this frame's measured variances (None in
    a picture built without it: ``build(with_theory=False)``, the engine's while no viewer asks)."""
    message: str = ""
    diverged: bool = False


def build(trainer: Trainer, serial: int, playing: bool, message: str = "", with_theory: bool = True) -> Snapshot:
    """The snapshot of ``trainer`` now. ``with_theory=False`` leaves the theory out: its phase
    plane and Jacobians, which only the theory page draws, cost a new initialization more than
    its statistics on a deep net (the engine adds them while a viewer asks: THEORY_ON)."""
    measured = trainer.measure(display_samples(trainer.network.sizes))
    stats = measured.stats
    return Snapshot(
        serial=serial,
        step=trainer.step,
        settings=trainer.settings,
        playing=playing,
        stats=stats,
        evaluation=measured.evaluation,
        loss_history=trainer.loss_history.array(),
        saturation_history=trainer.saturation_history.array(),
        diagram=diagram(trainer, stats),
        boundary=boundary(trainer, measured.test_logits),
        dataset=trainer.dataset if trainer.dataset.is_2d else None,
        theory=theory.with_measurement(trainer.initial_theory(), [layer.preact_std for layer in stats.hidden])
        if with_theory else None,
        message=message,
    )


def overflowed(snap: Snapshot) -> str:
    """What in ``snap`` is no longer a finite number ("" when nothing is): the loss, or else the
    first per-layer statistic the views draw. Weights of 1e155 are finite, and so can be the loss,
    while the sum of their squares is not: the weights' spread is then infinite."""
    if not (math.isfinite(snap.evaluation.train_loss) and math.isfinite(snap.evaluation.test_loss)):
        return "the loss"
    for layer in snap.stats.layers:
        for field in fields(layer):
            value = getattr(layer, field.name)
            if isinstance(value, float) and not math.isfinite(value):
                return f"layer {layer.index}'s {field.name.replace('_', ' ')}"
    return ""


def diagram(trainer: Trainer, stats: NetworkStats) -> Diagram:
    net, k = trainer.network, DIAGRAM_UNITS
    groups = [np.arange(min(k, net.sizes[0]))] + [layer.unit_groups[:k] for layer in stats.layers]
    return Diagram(
        sizes=tuple(net.sizes),
        weights=tuple(_frozen(W[:k, :k]) for W in net.weights),
        biases=tuple(_frozen(b[:k]) for b in net.biases),
        groups=tuple(_frozen(g) for g in groups),
        unique=(net.sizes[0], *(layer.unique_units for layer in stats.layers)),
    )


def boundary(trainer: Trainer, test_logits: np.ndarray) -> Boundary:
    d, net = trainer.dataset, trainer.network
    with np.errstate(all="ignore"):
        test_out = head_activation(net).f(test_logits[:, 0])
    labels = d.y_test[: len(test_out), 0] > 0.5
    class_hist = (histogram(test_out[~labels], OUTPUT_EDGES), histogram(test_out[labels], OUTPUT_EDGES))
    if not d.is_2d:
        return Boundary(None, None, class_hist, OUTPUT_EDGES, None)
    x0, x1, y0, y1 = d.bounds
    res = boundary_resolution(net.sizes)
    xs = np.linspace(x0, x1, res)
    ys = np.linspace(y0, y1, res)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    with np.errstate(all="ignore"):
        p = net.predict_single(grid)[:, 0].reshape(res, res)
    return Boundary((x0, x1, y0, y1), _frozen(p), class_hist, OUTPUT_EDGES, heat_map(p))


def heat_map(p: np.ndarray) -> np.ndarray:
    """An (n, n) grid of probabilities as ``Boundary.heat_map``: ((n - 1) * f + 1) levels a side."""
    rows_of, columns_of = _interpolation(p.shape[0])
    # the colour map's own steps: HEAT_MAP_LEVELS equal bins over [0, 1], ends clipped
    fine = rows_of @ (np.nan_to_num(p, nan=0.5, posinf=1.0, neginf=0.0) * HEAT_MAP_LEVELS) @ columns_of
    levels = np.clip(fine, 0, HEAT_MAP_LEVELS - 1, out=fine).astype(np.uint8)
    levels.flags.writeable = False
    return levels


@lru_cache(maxsize=8)
def _interpolation(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Bilinear interpolation of an (n, n) grid onto ((n - 1) * f + 1) points a side, corners
    kept, as the matrices A and A.T of A @ grid @ A.T: each fine point mixes its two neighbours.
    (Two matrix products: a third of the time of gathering the neighbours by index.)"""
    factor = max(1, HEAT_MAP_PX // max(1, n - 1))
    m = (n - 1) * factor + 1 if n > 1 else 1
    t = np.linspace(0.0, n - 1, m)
    lower = np.minimum(np.floor(t).astype(np.intp), max(0, n - 2))
    upper = np.minimum(lower + 1, n - 1)
    weights = np.zeros((m, n))
    np.add.at(weights, (np.arange(m), lower), 1 - (t - lower))
    np.add.at(weights, (np.arange(m), upper), t - lower)
    weights.flags.writeable = False
    return weights, weights.T.copy()


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64 if a.dtype.kind == "f" else a.dtype)
    a.flags.writeable = False
    return a
