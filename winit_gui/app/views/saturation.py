"""Where the pre-activations sit on the activation's derivative, and how saturated each layer is.

Top: f'(z) over the pre-activation axis, the flat tails (f' below 5 % of its maximum) shaded, and
each hidden layer's pre-activation histogram drawn over it, scaled to the curve's peak: a layer
whose mass sits in the shaded tails passes almost no gradient back. Bottom left: the saturated
fraction of every layer now (bar colours match the overlaid histograms; grey bars are layers not
overlaid). Bottom right: the same fraction over training as a layers x steps heat map, the picture
of Glorot & Bengio 2010, Figs. 2-3 (the top hidden layer of a sigmoid net saturating early on).
A short tile (``SHORT``) shows the top alone.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from winit_gui import activations
from winit_gui.app.theme import Theme
from winit_gui.app.views.base import SnapshotView, add_plot, cache_as_pixmap, same_values, step_label, style_plot
from winit_gui.app.views.histograms import (blend, fixed_axes, font, fractions, layer_colors, layer_label,
                                            nice_ceiling, nice_ticks, ordinal, sample_layers, tick_label)
from winit_gui.app.views.images import RgbImageItem
from winit_gui.app.views.outlines import step_pen
from winit_gui.app.views.paths import PathCurve
from winit_gui.app.views.steps import StepStack
from winit_gui.app.views.titles import FittedTitle
from winit_gui.snapshot import Snapshot
from winit_gui.statistics import PREACT_EDGES

MAX_OVERLAY = 6
"""Hidden layers whose histograms are drawn over the derivative curve (more would be a tangle)."""
CURVE_POINTS = 601
"""Samples of f'(z) over the pre-activation axis (z = 0 is one of them: the exact peak)."""
SHADE_ALPHA = 0.22
NARROW = 450
"""Below this width (pixels) the bottom plots drop their y-axis labels to leave room for the data."""
SHORT = 24
"""Lines of text of height under which the tile shows f'(z) and the histograms alone: at 1280 x 720
with 12 pt text the two bottom plots were some 60 pixels tall ("by s..." for a title) and squeezed the
curve to a strip. The curve's shaded tails still show which layers saturate."""


class SaturationView(SnapshotView):
    object_name = "saturationView"
    title = "Saturation"

    def __init__(self, theme: Theme, parent=None):
        super().__init__(theme, parent)
        self.curve_plot = add_plot(self.ci, row=0, col=0, colspan=3)
        self.bar_plot = add_plot(self.ci, row=1, col=0)
        self.heat_plot = add_plot(self.ci, row=1, col=1)
        for plot in (self.curve_plot, self.bar_plot, self.heat_plot):
            fixed_axes(plot)
        self.curve_plot.getViewBox().setToolTip(
            "f′(z), the activation's derivative, with each layer's pre-activations over it (histograms "
            "scaled to its peak).\nUnits in the shaded tails, where f′ is under 5 % of its peak (the "
            "dashed line), are saturated: they pass almost no gradient back.")
        self.bar_plot.getViewBox().setToolTip("Each layer's saturated fraction, now.")
        self.heat_plot.getViewBox().setToolTip(
            "Each layer's saturated fraction (rows) over the training steps (columns): Glorot & "
            "Bengio 2010, Figs. 2-3.")
        layout = self.ci.layout
        layout.setRowStretchFactor(0, 3)
        layout.setRowStretchFactor(1, 2)
        layout.setColumnStretchFactor(0, 2)
        layout.setColumnStretchFactor(1, 3)
        layout.setColumnSpacing(1, 14)  # room for the heat map's last step label, centred on its end

        # top: derivative, saturated tails, threshold, overlaid pre-activation histograms
        self.z = np.linspace(PREACT_EDGES[0], PREACT_EDGES[-1], CURVE_POINTS)
        # the shaded tails: one step curve over cells centred on the curve's samples (vertical edges)
        half = (self.z[1] - self.z[0]) / 2
        self.cells = np.r_[self.z - half, self.z[-1] + half]
        self.shade = PathCurve(step_mode="center", fill_level=0.0)
        self.threshold = pg.InfiniteLine(angle=0, movable=False)
        self.derivative = PathCurve()
        # outlines only: six translucent fills on top of each other were mud, and cost most of the paint
        self.overlays = StepStack()
        self.shade_label = pg.TextItem(anchor=(0, 0))
        self.overlay_note = pg.TextItem(anchor=(1, 0))
        self.curve_plot.addItem(self.shade)
        self.overlays.setZValue(1)
        self.curve_plot.addItem(self.overlays)
        self.threshold.setZValue(20)
        self.derivative.setZValue(30)
        for item in (self.threshold, self.derivative, self.shade_label, self.overlay_note):
            self.curve_plot.addItem(item)
        # fixed for an activation function, while the overlays change every frame
        cache_as_pixmap(self.shade, self.threshold, self.derivative, self.shade_label, self.overlay_note)
        # padded: the end bins (everything beyond +-6, where a saturated layer lives) stand clear of the axis
        self.curve_plot.setXRange(PREACT_EDGES[0], PREACT_EDGES[-1], padding=0.03)
        ticks = [(t, tick_label(t)) for t in nice_ticks(PREACT_EDGES[0], PREACT_EDGES[-1])]
        ticks[0] = (ticks[0][0], "≤" + ticks[0][1])
        ticks[-1] = (ticks[-1][0], "≥" + ticks[-1][1])
        self.curve_plot.getAxis("bottom").setTicks([ticks, []])
        self.curve_plot.getAxis("bottom").setStyle(hideOverlappingLabels=40)

        # bottom left: saturated fraction per layer now
        self.bars = pg.BarGraphItem(x=[1.0], height=[0.0], width=0.7)
        self.bar_plot.addItem(self.bars)
        self.bar_plot.setYRange(0.0, 1.0, padding=0.02)
        self.bar_plot.getAxis("left").setTicks([[(v, f"{v:g}") for v in (0, 0.5, 1)], []])

        # bottom right: saturated fraction over training (rows of the image: steps; columns: layers)
        self.image = RgbImageItem(axisOrder="col-major")
        self.heat_plot.addItem(self.image)
        self.heat_plot.invertY(True)  # layer 1 at the top, as in the activation and gradient views
        self.heat_plot.getAxis("bottom").setStyle(hideOverlappingLabels=30)  # px: the end labels overhang
        self.colorbar = pg.ColorBarItem(values=(0.0, 1.0), interactive=False, width=14, colorMapMenu=False)
        self.colorbar.setImageItem(self.image)
        cache_as_pixmap(self.colorbar.bar)
        self.addItem(self.colorbar, row=1, col=2)

        # titles fitted to the width each plot gets (column stretch 2 : 3, the colour bar ~60 px)
        self.titles = {
            "curve": FittedTitle(self.curve_plot.titleLabel, lambda: self.width() - 60, self.curve_plot),
            "bars": FittedTitle(self.bar_plot.titleLabel, lambda: self.width() * 0.4 - 45, self.bar_plot),
            "heat": FittedTitle(self.heat_plot.titleLabel, lambda: self.width() * 0.6 - 100, self.heat_plot),
        }
        self._narrow: bool | None = None
        self._labels: list[str] = []
        self._shade_text = ""
        self._n = 0
        self._overlay: list[int] = []
        self._activation = ""
        self._x_max = -1.0
        self._history_rect: QtCore.QRectF | None = None
        """The heat map's rectangle as last set (its image is the image item's own)."""
        self.short = False
        """The bottom plots are out of the layout (a short tile, ``SHORT``)."""
        self.apply_theme(theme)

    # ---- layout: once per change of the layer count ----------------------------------------------
    def _relayout(self, layers) -> None:
        n = len(layers)
        if n == self._n:
            return
        self._n = n
        hidden = n - 1
        self._overlay, _ = sample_layers(hidden, MAX_OVERLAY) if hidden > 0 else ([], 1)
        self._labels = [layer_label(layer) for layer in layers]
        self.bars.setOpts(x=np.arange(1, n + 1, dtype=float), height=np.zeros(n), width=0.7)
        self._color_bars()
        self.bar_plot.setXRange(0.4, n + 0.6, padding=0)
        self.heat_plot.setYRange(0.5, n + 0.5, padding=0)
        self._layer_ticks()
        stride = self._overlay[1] - self._overlay[0] if len(self._overlay) < hidden else 1
        self.overlay_note.setText("" if stride == 1 else f"every {ordinal(stride)} hidden layer")

    def _layer_ticks(self) -> None:
        """Layer labels under the bars and beside the heat map: fewer in a narrow tile."""
        if not self._labels:
            return
        shown, _ = sample_layers(len(self._labels), 4 if self._narrow else 8)
        ticks = [(i + 1, self._labels[i]) for i in shown]
        self.bar_plot.getAxis("bottom").setTicks([ticks, []])
        self.heat_plot.getAxis("left").setTicks([ticks, []])

    def _color_bars(self) -> None:
        theme = self.theme
        if self._n == 0:
            return
        colors = [theme.muted] * self._n
        for slot, i in enumerate(self._overlay):
            colors[i] = self._palette[slot % len(self._palette)]
        self.bars.setOpts(brushes=[pg.mkBrush(c) for c in colors], pen=pg.mkPen(theme.background, width=1))

    def _set_activation(self, name: str) -> None:
        if name == self._activation:
            return
        self._activation = name
        act = activations.get(name)
        with np.errstate(all="ignore"):
            d = np.abs(act.df(self.z))
        top = act.max_derivative * 1.15
        self.derivative.setData(self.z, d)
        self.threshold.setPos(act.saturation_threshold)
        flat = d < act.saturation_threshold
        self.shade.setData(x=self.cells, y=np.where(flat, top, 0.0))
        self.shade_label.setVisible(bool(flat.any()))
        self._shade_text = f"saturated: f′ < 5 % of its max ({act.saturation_threshold:g})"
        self.shade_label.setText("saturated" if self._narrow else self._shade_text)
        self.shade_label.setPos(self.z[int(np.argmax(flat))] + 0.1, top)
        self.overlay_note.setPos(PREACT_EDGES[-1] - 0.1, top)
        self.curve_plot.setYRange(0.0, top, padding=0)
        formula = act.derivative_formula
        self.titles["curve"].set(self.theme, f"{name}:  f′(z) = {formula}   ·   pre-activations per layer, peak-scaled",
                                 f"f′(z) = {formula}  ·  pre-activations, peak-scaled", f"f′(z) = {formula}")

    def resizeEvent(self, event) -> None:
        # titles and axis labels first: the layout must not be held wide by those meant for the old width
        if hasattr(self, "titles") and not self.closed:  # (see SnapshotView.close)
            self._set_short(self.height() < SHORT * QtGui.QFontMetrics(font(self.theme)).lineSpacing())
            self._fit_width()
        super().resizeEvent(event)

    def _set_short(self, short: bool) -> None:
        """Take the bottom row (bars, heat map, colour bar) out of the layout, or put it back.

        Out of the layout, not only hidden: a hidden item keeps its cell. Hidden plots are not drawn;
        the row shows the newest snapshot when it comes back."""
        if short == self.short:
            return
        self.short = short
        grid = self.ci.layout
        bottom = ((self.bar_plot, 1, 0), (self.heat_plot, 1, 1), (self.colorbar, 1, 2))
        for item, row, col in bottom:
            if short:
                grid.removeItem(item)
            else:
                grid.addItem(item, row, col)
            item.setVisible(not short)
        grid.setRowStretchFactor(1, 0 if short else 2)
        if not short and self.snapshot is not None:
            self._draw_bottom(self.snapshot)

    def _fit_width(self) -> None:
        narrow = self.width() < NARROW
        if narrow != self._narrow:  # a narrow tile drops the bottom plots' y labels (the titles say it),
            self._narrow = narrow  # half the layer labels, the overlay note and most of the shade label
            self.bar_plot.showLabel("left", not narrow)
            self.heat_plot.showLabel("left", not narrow)
            self.overlay_note.setVisible(not narrow)
            self.shade_label.setText("saturated" if narrow else self._shade_text)
            self._layer_ticks()
        for title in self.titles.values():
            title.fit()

    # ---- per frame -----------------------------------------------------------------------------------
    def render(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        layers = snapshot.stats.layers
        self._relayout(layers)
        self._set_activation(snapshot.settings.activation)
        peak = activations.get(self._activation).max_derivative
        fracs = fractions(np.array([layers[i].preact_hist for i in self._overlay]).reshape(len(self._overlay), -1))
        tops = fracs.max(axis=1, initial=0.0)
        scale = peak / np.where(tops > 0, tops, peak)  # (an empty histogram stays flat)
        self.overlays.set_steps(PREACT_EDGES, fracs * scale[:, None], np.zeros(len(self._overlay)))
        if not self.short:
            self._draw_bottom(snapshot)

    def _draw_bottom(self, snapshot: Snapshot) -> None:
        heights = np.array([layer.saturated_fraction for layer in snapshot.stats.layers])
        # (at small gains nothing saturates, slider move after slider move: the bars stay as drawn)
        if not same_values(heights, self.bars.opts["height"]):
            self.bars.setOpts(height=heights)
        self._draw_history(snapshot.saturation_history)

    def _draw_history(self, history: np.ndarray) -> None:
        n = self._n
        if history.ndim != 2 or history.shape[0] == 0 or history.shape[1] != n + 1:
            rows = np.zeros((1, n + 1))
        else:
            # one row per step (a paused app may record the same step more than once: keep the last)
            steps = history[:, 0]
            rows = history[np.r_[steps[1:] != steps[:-1], True]]
        steps = rows[:, 0]
        first, last = float(steps[0]), float(steps[-1])
        m = len(rows)
        dx = (last - first) / (m - 1) if m > 1 else 1.0
        image, rect = rows[:, 1:], QtCore.QRectF(first, 0.5, (last - first) + dx, n)
        if not (same_values(image, self.image.image) and rect == self._history_rect):
            self._history_rect = rect  # (a new image is coloured anew at the next paint)
            self.image.setImage(image, autoLevels=False, levels=(0.0, 1.0))
            self.image.setRect(rect)
        x_max = nice_ceiling(last + dx)
        if x_max != self._x_max:
            self._x_max = x_max
            self.heat_plot.setXRange(0.0, x_max, padding=0)
            # three short labels: in a narrow tile pyqtgraph's own ("4000 6000 ...") ran together
            self.heat_plot.getAxis("bottom").setTicks([[(v, step_label(v)) for v in (0.0, x_max / 2, x_max)], []])

    # ---- theme -------------------------------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        w = theme.line_width
        style_plot(self.curve_plot, theme, left="f′(z)", bottom="pre-activation z")
        style_plot(self.bar_plot, theme, left="fraction", bottom="layer")
        style_plot(self.heat_plot, theme, left="layer", bottom="step")
        self.titles["bars"].set(theme, "saturated now", "now")
        self.titles["heat"].set(theme, "saturated fraction over training", "saturated, by step", "by step")
        self._narrow = None  # style_plot showed the axis labels again
        self._fit_width()
        self.derivative.setPen(pg.mkPen(theme.curve, width=w * 1.5))
        self.threshold.setPen(pg.mkPen(theme.foreground, width=max(1.0, w / 2), style=QtCore.Qt.DashLine))
        self.shade.setPen(pg.mkPen(None))
        self.shade.setBrush(pg.mkBrush(blend(theme.muted, theme.background, SHADE_ALPHA)))
        self._palette = layer_colors(theme)  # as in the ridgelines, minus the curve's own colour
        self.overlays.set_styles([step_pen(self._palette[slot % len(self._palette)], width=w) for slot in range(MAX_OVERLAY)],
                                 [None] * MAX_OVERLAY)
        for label in (self.shade_label, self.overlay_note):
            label.setColor(theme.foreground)
            label.setFont(font(theme, -1))
        self.colorbar.setColorMap(pg.ColorMap(pos=[0.0, 1.0], color=[theme.grid, theme.negative]))
        axis = self.colorbar.axis
        axis.setPen(pg.mkPen(theme.muted))
        axis.setTextPen(pg.mkPen(theme.foreground))
        self._color_bars()
        if self._activation:  # the title's colour and size
            name, self._activation = self._activation, ""
            self._set_activation(name)
