"""A log10 y axis for the theory views: values that may be 0 or overflow, on whole decades.

The depth and spectrum views plot log10 of variances and singular values that span from 1e-40
(a collapsing network) to 1e30 (a diverged one), and are exactly 0 for the ``zeros`` lesson.
``log10_or_nan`` turns what a log axis cannot show into gaps; ``DecadeAxis`` keeps the plot's
range on whole decades, so that it changes by jumps while the slider is dragged (each change
redraws the ticks and moves every item), and labels as many decades as the plot's height has
room for.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
LEAST_DECADES = 2
"""The shortest axis, in decades (a flat profile still shows where it sits)."""
LABEL_ROOM = 1.8
"""Labelled ticks are at least this many lines of their text apart."""
PADDING = 0.08
"""Room above and below the outermost decades, as a share of the range (markers on a decade stay whole)."""


def log10_or_nan(values) -> np.ndarray:
    """log10 of the positive, finite values; NaN (a gap, no marker) for 0, negatives, inf and NaN."""
    values = np.asarray(values, dtype=np.float64)
    shown = np.isfinite(values) & (values > 0)
    logs = np.full(values.shape, np.nan)
    logs[shown] = np.log10(values[shown])
    return logs


def decade_label(power: int) -> str:
    """10^power as a reader writes it: 0.01, 0.1, 1, 10, 100, then 10⁻³, 10³ and beyond."""
    if -2 <= power <= 2:
        return f"{10.0 ** power:g}"
    return "10" + str(power).translate(SUPERSCRIPTS)


def decade_span(*logs: np.ndarray) -> tuple[int, int] | None:
    """The whole decades around every finite value of ``logs`` (at least LEAST_DECADES), or None."""
    finite = np.concatenate([np.ravel(a)[np.isfinite(np.ravel(a))] for a in logs] or [np.zeros(0)])
    if not finite.size:
        return None
    lo, hi = math.floor(float(finite.min())), math.ceil(float(finite.max()))
    while hi - lo < LEAST_DECADES:
        lo, hi = (lo - 1, hi) if (hi - lo) % 2 else (lo, hi + 1)
    return lo, hi


class DecadeAxis:
    """The y axis of ``plot`` in log10 units, on whole decades, labelled to fit its height."""

    def __init__(self, plot: pg.PlotItem, default: tuple[int, int] = (-2, 1)):
        self.plot = plot
        self.axis = plot.getAxis("left")
        self.default = default
        self.span: tuple[int, int] | None = None
        self._ticks_for: tuple | None = None
        self.font = QtGui.QFont()
        plot.getViewBox().sigResized.connect(self._fit_ticks)

    def fit(self, *logs: np.ndarray) -> None:
        """Span the finite values of ``logs`` (the last span when none is finite, else ``default``)."""
        span = decade_span(*logs) or self.span or self.default
        if span != self.span:
            self.span = span
            lo, hi = span
            pad = PADDING * (hi - lo)
            self.plot.setYRange(lo - pad, hi + pad, padding=0.0)
            self._fit_ticks()

    def set_font(self, font: QtGui.QFont) -> None:
        self.font = font
        self._ticks_for = None
        self._fit_ticks()

    def _fit_ticks(self, *_args) -> None:
        if self.span is None:
            return
        lo, hi = self.span
        height = self.plot.getViewBox().height()
        key = (lo, hi, round(height))
        if key == self._ticks_for:
            return
        self._ticks_for = key
        per_decade = height / max(hi - lo, 1) if height > 0 else 100.0
        room = LABEL_ROOM * QtGui.QFontMetricsF(self.font).height()
        every = next(step for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if step * per_decade >= room
                     or step >= hi - lo)
        first = math.ceil(lo / every) * every
        major = [(p, decade_label(p)) for p in range(first, hi + 1, every)]
        minor = [(p, "") for p in range(lo, hi + 1) if p % every] if every <= 5 else []
        self.axis.setTicks([major, minor])
