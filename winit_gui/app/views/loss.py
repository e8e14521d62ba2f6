"""Loss and accuracy against training step: the whole run, as the trainer's decimated history keeps it.

Two x-linked plots: the loss (train and test, optionally on a log axis) above, accuracy below
on a fixed 0..1 axis. Dashed lines mark chance: ln 2 for binary cross-entropy (where the
``zeros`` lesson flattens), 0.5 for accuracy.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from winit_gui.app.theme import Theme
from winit_gui.app.views.base import SnapshotView, style_plot
from winit_gui.app.views.network import FittedLabel
from winit_gui.snapshot import Snapshot

CHANCE_LOSS = math.log(2.0)
"""Binary cross-entropy of always answering 0.5."""


class LossView(SnapshotView):
    """Train and test loss (top) and accuracy (bottom) against step."""

    object_name = "lossView"
    title = "Loss"

    def __init__(self, theme: Theme, parent=None):
        super().__init__(theme, parent)
        self.ci.setSpacing(2)
        self.loss_plot = self.ci.addPlot(row=0, col=0)
        self.acc_plot = self.ci.addPlot(row=1, col=0)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 1)
        self.acc_plot.setXLink(self.loss_plot)
        for plot in (self.loss_plot, self.acc_plot):
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            plot.getAxis("left").setWidth(56)  # equal widths keep the two x axes aligned
        self.loss_plot.setTitle(" ")  # shows the title row; FittedLabel sets its text
        self.title_fit = FittedLabel(self.loss_plot.titleLabel)
        self.legend = self.loss_plot.addLegend(offset=(-8, 8), verSpacing=-4)
        self.train_loss = self.loss_plot.plot(name="train", connect="finite")
        self.test_loss = self.loss_plot.plot(name="test", connect="finite")
        self.train_acc = self.acc_plot.plot(connect="finite")
        self.test_acc = self.acc_plot.plot(connect="finite")
        self.chance_loss = pg.InfiniteLine(pos=CHANCE_LOSS, angle=0, movable=False, label="chance",
                                           labelOpts={"position": 0.97, "anchors": [(1, 1), (1, 1)]})
        self.chance_acc = pg.InfiniteLine(pos=0.5, angle=0, movable=False)
        self.loss_plot.addItem(self.chance_loss, ignoreBounds=True)
        self.acc_plot.addItem(self.chance_acc, ignoreBounds=True)
        # x follows the data, set in render (autorange gives a +-0.5 range around a single point)
        self.loss_plot.enableAutoRange(x=False, y=True)
        self.acc_plot.setYRange(0.0, 1.0, padding=0.04)
        self.acc_plot.enableAutoRange(x=False, y=False)
        self.acc_plot.getAxis("left").setTicks([[(0.0, "0"), (0.5, "0.5"), (1.0, "1")]])
        self.loss_plot.getAxis("bottom").setStyle(showValues=False)
        for plot in (self.loss_plot, self.acc_plot):
            for name in ("left", "bottom"):
                plot.getAxis(name).enableAutoSIPrefix(False)
        self._x_range: tuple[float, float] | None = None

        self.log_loss = False
        self._markers: bool | None = None
        self.apply_theme(theme)
        self.setBackground(theme.background)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        style_plot(self.loss_plot, theme, left="loss (cross-entropy)")
        style_plot(self.acc_plot, theme, left="accuracy", bottom="step")
        width = theme.line_width
        self._curve_pens = {
            "train": pg.mkPen(theme.train, width=width),
            "test": pg.mkPen(theme.test, width=width),
        }
        self.train_loss.setPen(self._curve_pens["train"])
        self.test_loss.setPen(self._curve_pens["test"])
        self.train_acc.setPen(self._curve_pens["train"])
        self.test_acc.setPen(self._curve_pens["test"])
        for curve, colour in ((self.train_loss, theme.train), (self.test_loss, theme.test),
                              (self.train_acc, theme.train), (self.test_acc, theme.test)):
            curve.setSymbolBrush(pg.mkBrush(colour))
            curve.setSymbolPen(pg.mkPen(colour))
        chance = pg.mkPen(theme.muted, width=1.5, style=QtCore.Qt.PenStyle.DashLine)
        self.chance_loss.setPen(chance)
        self.chance_acc.setPen(chance)
        self.legend.setLabelTextColor(theme.foreground)
        legend_size = f"{max(7, theme.font_size - 2)}pt"
        self.legend.setLabelTextSize(legend_size)
        for _sample, label in self.legend.items:  # existing labels keep their old style otherwise
            label.setText(label.text, color=theme.foreground, size=legend_size)
        self.chance_loss.label.setColor(theme.muted)
        bg = pg.mkColor(theme.background)
        bg.setAlphaF(0.8)
        self.legend.setBrush(pg.mkBrush(bg))
        self.legend.setPen(pg.mkPen(theme.muted))

    def set_log_loss(self, on: bool) -> None:
        """Loss on a log axis (the accuracy plot stays linear)."""
        self.log_loss = bool(on)
        self.loss_plot.setLogMode(y=self.log_loss)
        self.chance_loss.setPos(math.log10(CHANCE_LOSS) if self.log_loss else CHANCE_LOSS)
        self.loss_plot.enableAutoRange(y=True)
        if self.snapshot is not None:
            self.render(self.snapshot)

    def render(self, snapshot: Snapshot) -> None:
        h = snapshot.loss_history
        if h.ndim != 2 or h.shape[0] == 0:
            h = np.zeros((0, 5))
        with np.errstate(all="ignore"):
            data = np.where(np.isfinite(h), h, np.nan)
        step = data[:, 0]
        markers = len(step) == 1
        if markers != self._markers:
            self._markers = markers
            for curve in (self.train_loss, self.test_loss, self.train_acc, self.test_acc):
                curve.setSymbol("o" if markers else None)
                curve.setSymbolSize(max(8, 3 * self.theme.line_width))
        self.train_loss.setData(step, data[:, 1])
        self.test_loss.setData(step, data[:, 2])
        self.train_acc.setData(step, data[:, 3])
        self.test_acc.setData(step, data[:, 4])
        if len(step):
            x_range = (float(step[0]), float(max(step[-1], step[0] + 10)))
            if x_range != self._x_range:
                self._x_range = x_range
                self.loss_plot.setXRange(*x_range, padding=0.02)
            last = h[-1]
            values = f"train {last[1]:.3g}, test {last[2]:.3g}"
            titles = [f"Loss at step {int(last[0])}: {values}", f"Step {int(last[0])}: {values}", values]
            if snapshot.diverged or not np.all(np.isfinite(last[1:3])):
                titles = [t + " (diverged)" for t in titles]
        else:
            titles = ["Loss"]
        if self.log_loss:
            titles = [t + " · log scale" for t in titles] + titles[-1:]
        self.title_fit.set(titles, self.theme.foreground, self.theme.font_size)
        self.title_fit.fit(self.width())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if hasattr(self, "title_fit"):  # GraphicsView resizes once while constructing
            self.title_fit.fit(self.width())
