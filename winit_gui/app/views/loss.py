"""Loss and accuracy against training step: the whole run, as the trainer's decimated history keeps it.

Two x-linked plots: the loss (train and test, optionally on a log axis) above, accuracy below
on a fixed 0..1 axis. Dashed lines mark chance: ln 2 for binary cross-entropy (where the
``zeros`` lesson flattens), 0.5 for accuracy.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from winit_gui.app.theme import Theme
from winit_gui.app.views.base import SnapshotView, StepAxis, add_plot, cache_as_pixmap, style_plot
from winit_gui.app.views.histograms import nice_ceiling
from winit_gui.app.views.paths import MarkedCurve
from winit_gui.app.views.titles import FittedLabel
from winit_gui.snapshot import Snapshot

CHANCE_LOSS = math.log(2.0)
"""Binary cross-entropy of always answering 0.5."""
KEEP_FILL = 0.5
"""The loss axis keeps its range while the data span at least this share of it."""
RANGE_MARGIN = 0.1
"""A new loss range reaches this share of the data's span beyond them, on each side."""
LEGEND_SHARE = 0.3
"""The legend is shown while it takes at most this share of the loss plot's height."""


class LossView(SnapshotView):
    """Train and test loss (top) and accuracy (bottom) against step."""

    object_name = "lossView"
    title = "Loss"

    def __init__(self, theme: Theme, parent=None):
        super().__init__(theme, parent)
        self.ci.setSpacing(2)
        self.loss_plot = add_plot(self.ci, row=0, col=0)
        self.acc_plot = add_plot(self.ci, row=1, col=0, axisItems={"bottom": StepAxis("bottom")})
        self.ci.layout.setRowStretchFactor(0, 2)
        self.ci.layout.setRowStretchFactor(1, 1)
        self.acc_plot.setXLink(self.loss_plot)
        for plot in (self.loss_plot, self.acc_plot):
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
        self.loss_plot.getViewBox().setToolTip(
            "Train and test loss (cross-entropy) against the training step: the whole run (a long "
            "one is thinned evenly, step 0 kept).\nDashed: chance, ln 2, the loss of always "
            "answering 0.5.")
        self.acc_plot.getViewBox().setToolTip("Train and test accuracy against the step. Dashed: chance, 0.5.")
        self.loss_plot.setTitle(" ")  # shows the title row; FittedLabel sets its text
        self.title_fit = FittedLabel(self.loss_plot.titleLabel)
        self._axis_labels: tuple[str, str] | None = None
        self.loss_plot.getViewBox().sigResized.connect(self._loss_resized)
        self.acc_plot.getViewBox().sigResized.connect(self._fit_axis_labels)
        self.legend = self.loss_plot.addLegend(offset=(-8, 8), verSpacing=-4)
        # (on the log axis the loss curves hold log10 of the loss, as PlotDataItem would)
        self.train_loss = MarkedCurve(self.loss_plot, "o", lone_only=True)
        self.test_loss = MarkedCurve(self.loss_plot, "o", lone_only=True)
        self.train_acc = MarkedCurve(self.acc_plot, "o", lone_only=True)
        self.test_acc = MarkedCurve(self.acc_plot, "o", lone_only=True)
        self.legend.addItem(self.train_loss.line, "train")
        self.legend.addItem(self.test_loss.line, "test")
        self.chance_loss = pg.InfiniteLine(pos=CHANCE_LOSS, angle=0, movable=False)
        # The dashed chance lines are named in the legend (a label on the line itself collides
        # with the curves or the legend wherever it is put). The sample item is never plotted.
        self.chance_sample = pg.PlotDataItem()
        self.legend.addItem(self.chance_sample, "chance")
        self.chance_acc = pg.InfiniteLine(pos=0.5, angle=0, movable=False)
        self.loss_plot.addItem(self.chance_loss, ignoreBounds=True)
        self.acc_plot.addItem(self.chance_acc, ignoreBounds=True)
        cache_as_pixmap(self.chance_loss, self.chance_acc, self.legend)  # they move only with the axes
        # Ranges follow the data, set in render: autorange collapses on a single point or a flat
        # loss (the zeros lesson), showing an empty axis.
        self.loss_plot.disableAutoRange()  # both ranges are set from the data in render
        self.acc_plot.setYRange(0.0, 1.0, padding=0.04)
        self.acc_plot.enableAutoRange(x=False, y=False)
        self.acc_plot.getAxis("left").setTicks([[(0.0, "0"), (0.5, "0.5"), (1.0, "1")]])
        self.loss_plot.getAxis("bottom").setStyle(showValues=False)
        self._x_range: tuple[float, float] | None = None
        self._y_range: tuple[float, float] | None = None
        self.fits_own_range = True
        """False when another object fits the loss axis (compare mode: one axis for two runs)."""

        self.log_loss = False
        self.apply_theme(theme)
        self.setBackground(theme.background)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        style_plot(self.loss_plot, theme)
        style_plot(self.acc_plot, theme, bottom="step")
        # Equal, fixed left-axis widths keep the two x axes aligned; room for "0.55" and a label.
        tick_font, label_font = QtGui.QFont(), QtGui.QFont()
        tick_font.setPointSize(max(6, theme.font_size - 2))
        label_font.setPointSize(theme.font_size)
        width = QtGui.QFontMetricsF(tick_font).horizontalAdvance("0.55") + \
            QtGui.QFontMetricsF(label_font).height() + 16
        for plot in (self.loss_plot, self.acc_plot):
            plot.getAxis("left").setWidth(int(width))
        self._axis_labels = None
        self._fit_axis_labels()
        width = theme.line_width
        self._curve_pens = {
            "train": pg.mkPen(theme.train, width=width),
            "test": pg.mkPen(theme.test, width=width),
        }
        for curve, kind in ((self.train_loss, "train"), (self.test_loss, "test"),
                            (self.train_acc, "train"), (self.test_acc, "test")):
            pen = self._curve_pens[kind]
            curve.setPen(pen)
            curve.set_symbol_style(pen.color(), pen.color(), max(8, 3 * width))
        chance = pg.mkPen(theme.muted, width=1.5, style=QtCore.Qt.PenStyle.DashLine)
        self.chance_loss.setPen(chance)
        self.chance_acc.setPen(chance)
        self.chance_sample.setPen(chance)
        self.legend.setLabelTextColor(theme.foreground)
        legend_size = f"{max(7, theme.font_size - 2)}pt"
        self.legend.setLabelTextSize(legend_size)
        for _sample, label in self.legend.items:  # existing labels keep their old style otherwise
            label.setText(label.text, color=theme.foreground, size=legend_size)
            label.resize(label.preferredSize())  # (a smaller font would otherwise keep the old height)
        self.legend.updateSize()
        bg = pg.mkColor(theme.background)
        bg.setAlphaF(0.8)
        self.legend.setBrush(pg.mkBrush(bg))
        self.legend.setPen(pg.mkPen(theme.muted))
        self._fit_legend()

    def set_log_loss(self, on: bool) -> None:
        """Loss on a log axis (the accuracy plot stays linear)."""
        self.log_loss = bool(on)
        self.loss_plot.setLogMode(y=self.log_loss)
        # setLogMode turns pyqtgraph's autorange back on: at one point that spans -5..5 steps
        self.loss_plot.disableAutoRange()
        self.chance_loss.setPos(math.log10(CHANCE_LOSS) if self.log_loss else CHANCE_LOSS)
        self._x_range = self._y_range = None
        self._update_log_ticks()
        if self.snapshot is not None:
            self.render(self.snapshot)

    def render(self, snapshot: Snapshot) -> None:
        h = snapshot.loss_history
        if h.ndim != 2 or h.shape[0] == 0:
            h = np.zeros((0, 5))
        with np.errstate(all="ignore"):
            data = np.where(np.isfinite(h), h, np.nan)
        step = data[:, 0]
        losses = data[:, 1:3]
        if self.log_loss:
            with np.errstate(divide="ignore", invalid="ignore"):
                losses = np.log10(np.where(losses > 0, losses, np.nan))
        self.train_loss.setData(step, losses[:, 0])
        self.test_loss.setData(step, losses[:, 1])
        self.train_acc.setData(step, data[:, 3])
        self.test_acc.setData(step, data[:, 4])
        if len(step):
            first = float(step[0])
            x_range = (first, first + nice_ceiling(float(step[-1]) - first))
            if x_range != self._x_range:
                self._x_range = x_range
                self.loss_plot.setXRange(*x_range, padding=0.03)
            if self.fits_own_range:
                self.fit_loss_range(data[:, 1:3])
            last = h[-1]
            # the words in their curves' colours: the title keys the curves where the legend has no
            # room; the last, plain wording can be elided
            theme = self.theme

            def values(digits: int) -> str:
                return (f"<span style='color:{theme.train}'>train</span> {last[1]:.{digits}g}, "
                        f"<span style='color:{theme.test}'>test</span> {last[2]:.{digits}g}")

            titles = [f"Loss at step {int(last[0])}: {values(3)}", f"Step {int(last[0])}: {values(3)}",
                      values(3), values(2), f"train {last[1]:.2g}, test {last[2]:.2g}"]
            if snapshot.diverged or not np.all(np.isfinite(last[1:3])):
                titles = [t + " (diverged)" for t in titles]
        else:
            titles = ["Loss"]
        if self.log_loss:
            titles = [t + " · log scale" for t in titles] + titles[-1:]
        self.title_fit.set(titles, self.theme.foreground, self.theme.font_size)  # refitted on resize

    def fit_loss_range(self, losses: np.ndarray) -> None:
        """The loss axis spans the data (autorange would collapse on one point or a flat run).

        It keeps its range while the data stay inside and fill at least half of it, and a new
        range leaves a margin: while training, the axis changes now and then, not every frame
        (each change redraws its ticks and moves every item on the plot).
        """
        with np.errstate(all="ignore"):
            values = losses[np.isfinite(losses)]
            if self.log_loss:
                values = np.log10(values[values > 0])
        if not values.size:
            return
        lo, hi = float(values.min()), float(values.max())
        if len(losses) == 1 and not self.log_loss:
            # one point (step 0, where the slider moves it): an axis from 0, by 1-2-5 jumps
            shown = (0.0, nice_ceiling(1.2 * hi, least=1e-3))
            if shown != self._y_range:
                self._y_range = shown
                self.loss_plot.setYRange(*shown, padding=0.0)
            return
        least = 0.1 if self.log_loss else 0.1 * max(abs(hi), 1e-3)
        if hi - lo < least:
            mid = (lo + hi) / 2
            lo, hi = mid - least / 2, mid + least / 2
        if self._y_range is not None:
            shown_lo, shown_hi = self._y_range
            if shown_lo <= lo and hi <= shown_hi and hi - lo >= KEEP_FILL * (shown_hi - shown_lo):
                return
        margin = RANGE_MARGIN * (hi - lo)
        self._y_range = (lo - margin, hi + margin)
        self.loss_plot.setYRange(*self._y_range, padding=0.0)
        self._update_log_ticks()

    def _loss_resized(self, *_args) -> None:
        if self.closed:  # GraphicsView.close() has deleted the items
            return
        self._fit_title()
        self._fit_legend()
        self._update_log_ticks()

    def _fit_legend(self) -> None:
        """The legend only where it leaves the curves room: at most LEGEND_SHARE of the plot's
        height (at 1280 x 720, and in compare mode, it covered a third of the loss curve; the
        title's coloured "train" and "test" then say which curve is which)."""
        height = self.loss_plot.getViewBox().height()
        self.legend.setVisible(self.legend.boundingRect().height() <= LEGEND_SHARE * height)

    def _update_log_ticks(self) -> None:
        """On the log axis, label 1-2-5 (or sparser) values spaced for the plot's height.

        pyqtgraph's log axis labels every minor tick (2, 3, ... 9) once the range is under a few
        decades, and on a short plot those labels pile up.
        """
        axis = self.loss_plot.getAxis("left")
        if not self.log_loss or self._y_range is None:
            axis.setTicks(None)
            return
        lo, hi = self.loss_plot.getViewBox().viewRange()[1]
        height = self.loss_plot.getViewBox().height()
        font = QtGui.QFont()
        font.setPointSize(max(6, self.theme.font_size - 2))
        room = 1.8 * QtGui.QFontMetricsF(font).height()
        decades = range(math.floor(lo) - 1, math.ceil(hi) + 1)

        def inside(mantissas):
            values = [m * 10.0 ** e for e in decades for m in mantissas]
            return [v for v in values if lo <= math.log10(v) <= hi]

        minor = inside(range(1, 10))
        major = []
        for mantissas in ((1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 5), (1, 3), (1,)):
            values = inside(mantissas)
            logs = np.log10(values)
            if len(values) >= 2 and np.min(np.diff(logs)) * height / max(hi - lo, 1e-12) >= room:
                major = values
                break
        if len(major) < 2:
            axis.setTicks(None)  # within one short span: pyqtgraph's own choice
            return
        axis.setTicks([[(math.log10(v), f"{v:g}") for v in major],
                       [(math.log10(v), "") for v in minor if v not in major]])

    def _fit_title(self, *_args) -> None:
        if self.closed:  # GraphicsView.close() has deleted the items
            return
        # the title spans the plot's data column only (the ViewBox), not its left axis
        self.title_fit.fit(self.loss_plot.getViewBox().width())

    def _fit_axis_labels(self, *_args) -> None:
        """Rotated axis labels no longer than their plots: a longer one runs into the other plot."""
        if self.closed:
            return
        font = QtGui.QFont()
        font.setPointSize(self.theme.font_size)
        metrics = QtGui.QFontMetricsF(font)

        def fitting(height: float, *versions: str) -> str:
            return next((v for v in versions if metrics.horizontalAdvance(v) + 8 <= height), "")

        labels = (fitting(self.loss_plot.getViewBox().height(), "loss (cross-entropy)", "loss"),
                  fitting(self.acc_plot.getViewBox().height(), "accuracy", "acc."))
        if labels != self._axis_labels:
            self._axis_labels = labels
            style = {"color": self.theme.foreground, "font-size": f"{self.theme.font_size}pt"}
            self.loss_plot.setLabel("left", labels[0], **style)
            self.acc_plot.setLabel("left", labels[1], **style)
