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
from PySide6 import QtCore, QtGui

from winit_gui.app.theme import Theme
from winit_gui.app.views.base import SnapshotView, add_plot, style_plot
from winit_gui.app.views.histograms import (Ridgeline, fixed_axes, fmt, font, fractions,
                                            layer_label, ordinal, sample_layers, shown_note)
from winit_gui.app.views.paths import MarkedCurve
from winit_gui.app.views.titles import FittedTitle
from winit_gui.snapshot import Snapshot
from winit_gui.statistics import LOG_GRAD_EDGES

FULL = 0.4
"""Fraction per bin (a quarter of a decade wide) at a ridge's full height."""
ZERO_NOTE = 0.005
"""Mention exact zeros when more than this fraction of a layer's gradients are exactly 0."""
ALL_ZERO = "all gradients exactly 0"
ALL_ZERO_SHORT = "all exactly 0"
WIDE = 560
"""Pixels of width from which the std plot sits beside the histograms rather than under them."""
SHORT = 24
"""Lines of text of height under which a narrow tile shows the histograms alone: stacked, both plots
were too short to read (a 1280 x 720 window, compare mode). The ridges' notes still give each
layer's std."""
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
        self.plot = add_plot(self.ci, row=1, col=0)
        self.std_plot = add_plot(self.ci, row=1, col=1)
        self.ridges = Ridgeline(self.plot, theme, note_sample=ALL_ZERO)
        self.ridges.on_layout = self.redraw  # e.g. more or fewer layers fit: sample them again
        self.ridges.set_scale(False, FULL)
        self.plot.getViewBox().setToolTip(
            "|dL/dz|, the gradient back-propagated to each layer's pre-activations, on a log axis "
            "(Glorot & Bengio 2010, Fig. 7):\nridges that move left layer by layer are vanishing "
            "gradients, right exploding ones.\nσ: the standard deviation of dL/dz; a % label: the "
            "share of values in a clipped bin.")
        self.std_plot.getViewBox().setToolTip(
            "Standard deviation per layer of dL/dz (●) and of the weight gradients dL/dW (■), on a "
            "log axis:\n▼ a value below the axis, × exactly 0.")
        lo, hi = STD_RANGE
        ticks = [(lo, "≤" + decade(lo)), *((float(e), decade(e)) for e in range(int(lo) + 3, int(hi) - 2, 3)),
                 (hi, "≥" + decade(hi))]
        self.ridges.set_x(LOG_GRAD_EDGES, ticks)

        fixed_axes(self.std_plot)
        self.std_plot.setLogMode(x=False, y=True)
        self.std_plot.setYRange(lo, hi, padding=0.02)
        self._decade_step = 0
        self._fit_decades()
        self.std_plot.getViewBox().sigResized.connect(self._fit_decades)
        self.std_plot.getAxis("bottom").setStyle(hideOverlappingLabels=40)
        # (log axis: these hold log10 of the stds, as PlotDataItem would in the plot's log mode)
        self.backprop_line = MarkedCurve(self.std_plot, "o")
        self.weight_line = MarkedCurve(self.std_plot, "s")
        self.zero_marks = self.std_plot.plot(pen=None, symbol="x")
        # stds beyond the axis, drawn on its edge as triangles pointing the way they went (per-point
        # symbols on the lines would need a symbol list rebuilt every frame)
        self.off_scale = [(self.std_plot.plot(pen=None, symbol="t"), self.std_plot.plot(pen=None, symbol="t1"))
                          for _ in range(2)]
        # the std plot's title is its key, symbols coloured like the lines: a legend box would cover
        # the lines (vanishing and exploding both fill corners) or take a row of a narrow tile
        self.wide: bool | None = None
        self.short = False
        """Narrow and short: the histograms alone (SHORT)."""
        self._arrange(True)
        self.titles = (FittedTitle(self.title_label, self.width),
                       FittedTitle(self.std_plot.titleLabel, lambda: self.width() / (3 if self.wide else 1) - 50,
                                   self.std_plot, rich=self._key))
        self._key_marks = (False, False)
        self._n = 0
        self._title: tuple[str, ...] = ()
        self._mark_keys: dict[int, tuple] = {}
        self.apply_theme(theme)

    # ---- layout: once per change of the layer count ----------------------------------------------
    def _relayout(self, layers) -> None:
        n = len(layers)
        if n == self._n:
            return
        self._n = n
        self.std_plot.setXRange(0.5, n + 0.8, padding=0)  # (room for the last label, "out")
        shown, _ = sample_layers(n, 8)
        self.std_plot.getAxis("bottom").setTicks([[(i + 1, layer_label(layers[i])) for i in shown], []])

    # ---- per frame -------------------------------------------------------------------------------------
    def render(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        layers = snapshot.stats.layers
        self._relayout(layers)
        shown, k = sample_layers(len(layers), self.ridges.capacity)
        self.ridges.set_layers([layer_label(layers[i]) for i in shown])
        # fractions of all values, the exact zeros included (they have no bin on a log axis)
        zeros = np.array([layers[i].backprop_zero_fraction for i in shown])
        hists = np.array([layers[i].backprop_hist for i in shown])
        with np.errstate(divide="ignore", invalid="ignore"):  # (all zero: a total of inf or nan, no fractions)
            fracs = fractions(hists, hists.sum(axis=1) / (1.0 - zeros))
        notes = [zero_note(layers[i].backprop_std, zero) for i, zero in zip(shown, zeros)]
        shorts = [ALL_ZERO_SHORT if zero >= 1.0 else f"σ {fmt(layers[i].backprop_std)}" for i, zero in zip(shown, zeros)]
        self.ridges.set_ridges(LOG_GRAD_EDGES, fracs, notes, shorts)

        if not self.short:  # (a short tile hides the std plot)
            self._draw_std(layers)

        note = shown_note(len(layers), k)
        title = (f"back-propagated gradients |dL/dz| per layer (fraction per bin){note}", f"|dL/dz| per layer{note}",
                 f"|dL/dz| per layer\nevery {ordinal(k)} of {len(layers)} layers" if k > 1 else "|dL/dz| per layer")
        if title != self._title:
            self._title = title
            self.titles[0].set(self.theme, *title)

    def _draw_std(self, layers) -> None:
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
            with np.errstate(divide="ignore", invalid="ignore"):
                line.setData(x, np.where(positive, np.log10(np.clip(values, low, high)), np.nan))
            self._marks(down, x[below], low)
            self._marks(up, x[above], high)
        zero = ~(backprop > 0) | ~(weight > 0)
        self._marks(self.zero_marks, x[zero], low)
        marks = (bool(zero.any()), any(len(k[0]) for i, k in self._mark_keys.items() if i != id(self.zero_marks)))
        if marks != self._key_marks:  # the key explains the crosses and triangles while there are any
            self._key_marks = marks
            self._set_std_title()

    def _marks(self, item: pg.PlotDataItem, x: np.ndarray, y: float) -> None:
        """Markers at ``x`` on the edge ``y``; setData only when they change (they rarely do)."""
        key = (tuple(x), y)
        if self._mark_keys.get(id(item)) != key:
            self._mark_keys[id(item)] = key
            item.setData(x, np.full(len(x), y))
            item.setVisible(len(x) > 0)  # an empty scatter still costs a paint (~0.3 ms)

    def _fit_decades(self, *_) -> None:
        """Label every 2nd decade on the std axis, or every 4th or 7th when the plot is short."""
        height = self.std_plot.getViewBox().height()
        lo, hi = STD_RANGE
        step = 2 if height < 10 else next((s for s in (2, 4, 7) if height / ((hi - lo) / s) >= 22), 14)
        if step != self._decade_step:
            self._decade_step = step
            ticks = [(e, decade(e)) for e in np.arange(hi, lo - 0.5, -step)]
            self.std_plot.getAxis("left").setTicks([ticks, []])

    def _set_std_title(self) -> None:
        zero, off = self._key_marks
        extra = ("  × = 0" if zero else "") + ("  ▼ off axis" if off else "")
        self.titles[1].set(self.theme, f"gradient std:  ● dL/dz  ■ dL/dW{extra}", f"● dL/dz  ■ dL/dW{extra}",
                           f"● dL/dz  ■ dL/dW\n{extra.strip()}" if extra else "● dL/dz  ■ dL/dW")

    def _key(self, line: str) -> str:
        """The key's symbols in the colours of the lines they stand for."""
        colors = {"●": self.theme.layer_color(0), "■": self.theme.layer_color(2)}
        for symbol, color in colors.items():
            line = line.replace(symbol, f"<span style='color: {color}'>{symbol}</span>")
        return line

    # ---- arrangement: side by side when wide, stacked in a narrow tile -----------------------------------
    def resizeEvent(self, event) -> None:
        # arrangement and titles first: the layout must not be held wide by a title for the old width
        if hasattr(self, "titles") and not self.closed:  # (see SnapshotView.close)
            line = QtGui.QFontMetrics(font(self.theme)).lineSpacing()
            self._arrange(self.width() >= WIDE, self.height() < SHORT * line)
            for title in self.titles:
                title.fit()
        super().resizeEvent(event)

    def _arrange(self, wide: bool, short: bool = False) -> None:
        """Move the plots (never recreate them) between the grids; runs when the width crosses WIDE
        or the height SHORT.

        Side by side: title / ridges | std plot. Stacked: title / ridges / std plot. Narrow and
        short: title / ridges, and no std plot.
        Items move within the QGraphicsGridLayout itself, so the GraphicsLayout's own bookkeeping of
        rows and columns (used only by its addItem/nextRow helpers, which this view no longer calls)
        keeps the construction-time positions.
        """
        short = short and not wide
        if (wide, short) == (self.wide, self.short):
            return
        grid = self.ci.layout
        for item in (self.title_label, self.plot) if self.short else (self.title_label, self.plot, self.std_plot):
            grid.removeItem(item)
        self.wide, self.short = wide, short
        spots = ({self.title_label: (0, 0, 1, 2), self.plot: (1, 0, 1, 1), self.std_plot: (1, 1, 1, 1)
                            } if wide else
                 {self.title_label: (0, 0, 1, 1), self.plot: (1, 0, 1, 1), self.std_plot: (2, 0, 1, 1)})
        if short:
            del spots[self.std_plot]
        self.std_plot.setVisible(not short)
        for item, (row, col, rows, cols) in spots.items():
            grid.addItem(item, row, col, rows, cols)
        for row, stretch in enumerate((0, 1, 0) if wide or short else (0, 3, 2)):
            grid.setRowStretchFactor(row, stretch)
        grid.setColumnStretchFactor(0, 2)
        grid.setColumnStretchFactor(1, 1 if wide else 0)
        if not short and self.snapshot is not None:
            self._draw_std(self.snapshot.stats.layers)  # (not drawn while it was hidden)

    # ---- theme ---------------------------------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.ridges.apply_theme(theme)
        style_plot(self.plot, theme, left="layer", bottom="|dL/dz|  (log scale)")
        style_plot(self.std_plot, theme, bottom="layer")
        w = theme.line_width
        a, b = theme.layer_color(0), theme.layer_color(2)
        self.backprop_line.setPen(pg.mkPen(a, width=w))
        self.backprop_line.set_symbol_style(a, a, 4 + 2 * w)
        self.weight_line.setPen(pg.mkPen(b, width=w, style=QtCore.Qt.DashLine))
        self.weight_line.set_symbol_style(b, b, 4 + 2 * w)
        for (down, up), color in zip(self.off_scale, (a, b)):
            for item in (down, up):
                item.setSymbolBrush(color)
                item.setSymbolPen(pg.mkPen(theme.foreground, width=1))
                item.setSymbolSize(8 + 2 * w)
        self.zero_marks.setSymbolPen(pg.mkPen(theme.foreground, width=w))
        self.zero_marks.setSymbolBrush(theme.foreground)
        self.zero_marks.setSymbolSize(6 + 2 * w)
        self._set_std_title()
        self.titles[0].set(theme, *self._title)
