"""Back-propagated gradients per layer: vanishing and exploding in one look.

Left: one ridge per layer, the histogram of log10 |dL/dz| (Glorot & Bengio 2010, Fig. 7): on a log
axis a vanishing gradient moves left by decades with depth. Right: the standard deviation of dL/dz
and of the kernel gradient dL/dW per layer on a log axis, a line against the layer index: falling
to the left (towards layer 1) is vanishing, rising is exploding.

Exact zeros (a dead ReLU, the zeros initialization) have no logarithm: they are left out of the
histograms (whose fractions are of *all* values, so a half-dead layer is a half-height ridge) and
reported in words next to each ridge; a zero std is drawn as a cross on the bottom edge.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from winit_gui.app.theme import Theme
from winit_gui.app.views.base import SnapshotView, style_plot
from winit_gui.app.views.histograms import (Ridgeline, fixed_axes, font, fractions, fmt, layer_label, sample_layers,
                                            shown_note)
from winit_gui.snapshot import Snapshot
from winit_gui.statistics import LOG_GRAD_EDGES

FULL = 0.4
"""Fraction per bin (a quarter of a decade wide) at a ridge's full height."""
ZERO_NOTE = 0.005
"""Mention exact zeros when more than this fraction of a layer's gradients are exactly 0."""
ALL_ZERO = "all gradients exactly 0"
STD_RANGE = (float(LOG_GRAD_EDGES[0]), float(LOG_GRAD_EDGES[-1]))
"""log10 range of the std plot: the same decades as the histograms."""


def decade(exponent: float) -> str:
    """10 to the power ``exponent`` with a superscript, e.g. 10⁻⁶."""
    sup = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
    return "10" + str(int(exponent)).translate(sup)


def zero_note(std: float, zero: float) -> str:
    if zero >= 1.0:
        return ALL_ZERO
    note = f"σ {fmt(std)}"
    if zero > ZERO_NOTE:
        note += f" · {zero:.0%} = 0"
    return note


class GradientView(SnapshotView):
    object_name = "gradientView"
    title = "Gradients"

    def __init__(self, theme: Theme, parent=None):
        super().__init__(theme, parent)
        # the title spans both plots: a long one ("... every 3rd layer shown") must not squeeze the std plot
        self.title_label = self.addLabel("", row=0, col=0, colspan=2)
        self.plot = self.addPlot(row=1, col=0, rowspan=2)
        self.std_plot = self.addPlot(row=1, col=1)
        self.ci.layout.setColumnStretchFactor(0, 2)
        self.ci.layout.setColumnStretchFactor(1, 1)
        self.ridges = Ridgeline(self.plot, theme, note_sample=ALL_ZERO)
        self.ridges.set_scale(False, FULL)
        lo, hi = STD_RANGE
        ticks = [(lo, "≤" + decade(lo)), *((float(e), decade(e)) for e in range(int(lo) + 3, int(hi) - 2, 3)),
                 (hi, "≥" + decade(hi))]
        self.ridges.set_x(LOG_GRAD_EDGES, ticks)

        fixed_axes(self.std_plot)
        self.std_plot.setLogMode(x=False, y=True)
        self.std_plot.setYRange(lo, hi, padding=0.02)
        self.std_plot.getAxis("left").setTicks([[(float(e), decade(e)) for e in range(int(lo), int(hi) + 1, 2)], []])
        self.std_plot.getAxis("bottom").setStyle(hideOverlappingLabels=40)
        self.backprop_line = self.std_plot.plot(symbol="o")
        self.weight_line = self.std_plot.plot(symbol="s")
        self.zero_marks = self.std_plot.plot(pen=None, symbol="x")
        # stds beyond the axis, drawn on its edge as triangles pointing the way they went (per-point
        # symbols on the lines themselves would crash the legend, which draws the line's symbol)
        self.off_scale = [(self.std_plot.plot(pen=None, symbol="t"), self.std_plot.plot(pen=None, symbol="t1"))
                          for _ in range(2)]
        # the key sits under the plot, not over the lines (vanishing and exploding both fill corners)
        self.legend = pg.LegendItem(colCount=2, verSpacing=-6, horSpacing=12)
        self.addItem(self.legend, row=2, col=1)
        self.legend.setSizePolicy(QtWidgets.QSizePolicy.Preferred, QtWidgets.QSizePolicy.Fixed)
        self.ci.layout.setRowStretchFactor(1, 1)
        self.ci.layout.setRowStretchFactor(2, 0)
        for item, name in ((self.backprop_line, "dL/dz"), (self.weight_line, "dL/dW"),
                           (self.zero_marks, "exactly 0"), (self.off_scale[1][0], "off the axis")):
            self.legend.addItem(item, name)

        self._n = 0
        self._title = ""
        self._mark_keys: dict[int, tuple] = {}
        self.setBackground(theme.background)
        self.apply_theme(theme)

    # ---- layout: once per change of the layer count ----------------------------------------------
    def _relayout(self, layers) -> None:
        n = len(layers)
        if n == self._n:
            return
        self._n = n
        self.std_plot.setXRange(0.5, n + 0.5, padding=0)
        shown, _ = sample_layers(n, 8)
        self.std_plot.getAxis("bottom").setTicks([[(i + 1, layer_label(layers[i])) for i in shown], []])

    # ---- per frame -------------------------------------------------------------------------------------
    def render(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        layers = snapshot.stats.layers
        self._relayout(layers)
        shown, k = sample_layers(len(layers))
        self.ridges.set_layers([layer_label(layers[i]) for i in shown])
        for slot, i in enumerate(shown):
            layer = layers[i]
            hist, zero = layer.backprop_hist, layer.backprop_zero_fraction
            # fractions of all values, the exact zeros included (they have no bin on a log axis)
            nonzero = float(hist.sum())
            frac = fractions(hist, nonzero / (1.0 - zero)) if zero < 1.0 else np.zeros(len(hist))
            self.ridges.set_ridge(slot, LOG_GRAD_EDGES, frac, zero_note(layer.backprop_std, zero))

        x = np.arange(1, len(layers) + 1, dtype=float)
        backprop = np.array([layer.backprop_std for layer in layers])
        weight = np.array([layer.grad_std for layer in layers])
        # a zero (or non-finite) std has no place on a log axis: a gap in the line, a cross on the floor;
        # a std beyond the axis is drawn on its edge as a triangle pointing the way it went
        low, high = 10 ** STD_RANGE[0], 10 ** STD_RANGE[1]
        for line, (down, up), values in zip((self.backprop_line, self.weight_line), self.off_scale,
                                            (backprop, weight)):
            positive = values > 0
            below, above = positive & (values < low), values > high
            # (an all-NaN line would make pyqtgraph warn: nanmin of an all-NaN slice)
            if positive.any():
                line.setData(x, np.where(positive, np.clip(values, low, high), np.nan))
            else:
                line.setData([], [])
            self._marks(down, x[below], low)
            self._marks(up, x[above], high)
        self._marks(self.zero_marks, x[~(backprop > 0) | ~(weight > 0)], low)

        title = f"back-propagated gradients |dL/dz| per layer (fraction per bin){shown_note(len(layers), k)}"
        if title != self._title:
            self._title = title
            self._set_title()

    def _marks(self, item: pg.PlotDataItem, x: np.ndarray, y: float) -> None:
        """Markers at ``x`` on the edge ``y``; setData only when they change (they rarely do)."""
        key = (tuple(x), y)
        if self._mark_keys.get(id(item)) != key:
            self._mark_keys[id(item)] = key
            item.setData(x, np.full(len(x), y))

    def _set_title(self) -> None:
        self.title_label.setText(self._title, color=self.theme.foreground, size=f"{self.theme.font_size}pt")

    # ---- theme ---------------------------------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.ridges.apply_theme(theme)
        style_plot(self.plot, theme, left="layer", bottom="|dL/dz|  (log scale)")
        style_plot(self.std_plot, theme, title="gradient std per layer", bottom="layer")
        self.std_plot.getAxis("left").enableAutoSIPrefix(False)
        w = theme.line_width
        a, b = theme.layer_color(0), theme.layer_color(2)
        self.backprop_line.setPen(pg.mkPen(a, width=w))
        self.backprop_line.setSymbolBrush(a)
        self.backprop_line.setSymbolPen(pg.mkPen(a))
        self.backprop_line.setSymbolSize(4 + 2 * w)
        self.weight_line.setPen(pg.mkPen(b, width=w, style=QtCore.Qt.DashLine))
        self.weight_line.setSymbolBrush(b)
        self.weight_line.setSymbolPen(pg.mkPen(b))
        self.weight_line.setSymbolSize(4 + 2 * w)
        for (down, up), color in zip(self.off_scale, (a, b)):
            for item in (down, up):
                item.setSymbolBrush(color)
                item.setSymbolPen(pg.mkPen(theme.foreground, width=1))
                item.setSymbolSize(8 + 2 * w)
        self.zero_marks.setSymbolPen(pg.mkPen(theme.foreground, width=w))
        self.zero_marks.setSymbolBrush(theme.foreground)
        self.zero_marks.setSymbolSize(6 + 2 * w)
        self.legend.setLabelTextColor(theme.foreground)
        self.legend.setLabelTextSize(f"{max(6, theme.font_size - 1)}pt")
        self.legend.setBrush(pg.mkBrush(None))
        self.legend.setPen(pg.mkPen(None))
        for _, label in self.legend.items:  # setAttr alone does not redraw the existing labels
            label.setText(label.text)
        self._set_title()
