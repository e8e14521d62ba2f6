"""What the network computes: the decision boundary over the plane, or the output's spread per class.

Two layouts share one PlotItem and are switched by item visibility, never by creating items:

- 2-D data (``snapshot.boundary.heat_map`` is not None): a heat map of P(class 1) on a diverging
  map from the theme's negative colour (class 0) through a neutral middle at 0.5 to its positive
  colour (class 1), both Okabe-Ito, so colour-blind safe; train points filled, test points as rings,
  coloured by label as in TensorFlow Playground. Points only change with the dataset.
- other data: the test set's network outputs per class as two step histograms over
  ``boundary.edges``, with the 0.5 decision threshold marked.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from winit_gui.app.theme import Theme
from winit_gui.app.views.base import SnapshotView, add_plot, cache_as_pixmap, style_plot
from winit_gui.app.views.histograms import nice_ceiling
from winit_gui.app.views.images import RgbImageItem
from winit_gui.app.views.marks import PixelMarks
from winit_gui.app.views.network import mix
from winit_gui.app.views.paths import PathCurve
from winit_gui.app.views.titles import FittedLabel
from winit_gui.snapshot import HEAT_MAP_LEVELS, Snapshot

HEAT_STRENGTH = (0.6, 0.45)
"""How far the heat map's ends go from the neutral middle to the class colours (on a dark, on a
light background): short of the full colour, so that the points (drawn in full colour) stand out."""


def diverging_lut(theme: Theme, n: int = HEAT_MAP_LEVELS) -> np.ndarray:
    """(n, 3) uint8 lookup table: 0 -> class 0 (negative colour), 0.5 -> neutral, 1 -> class 1."""
    neutral = mix(theme.background, theme.muted, 0.12)
    strength = HEAT_STRENGTH[0] if QtGui.QColor(theme.background).lightness() < 128 else HEAT_STRENGTH[1]
    low = mix(neutral.name(), theme.negative, strength)
    high = mix(neutral.name(), theme.positive, strength)
    cmap = pg.ColorMap([0.0, 0.5, 1.0], [low, neutral, high])
    return cmap.getLookupTable(0.0, 1.0, n, alpha=False)


class BoundaryView(SnapshotView):
    """Decision boundary (2-D data) or output distribution by class (any other data)."""

    object_name = "boundaryView"
    title = "Decision boundary"

    def __init__(self, theme: Theme, parent=None):
        super().__init__(theme, parent)
        self.plot = add_plot(self.ci, row=0, col=0)
        self.key_label = self.ci.addLabel("", row=1, col=0)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setTitle(" ")  # shows the title row; FittedLabel sets its text
        self.title_fit = FittedLabel(self.plot.titleLabel)
        self.key_fit = FittedLabel(self.key_label)
        self.plot.getViewBox().sigResized.connect(self._refit)

        self.image = RgbImageItem(axisOrder="row-major")
        # cached: the points change with the data set, the heat map under them with every frame
        self.train_points = PixelMarks(cached=True)
        self.test_points = PixelMarks(cached=True)
        self.image.setZValue(-10)
        self.train_points.setZValue(10)
        self.test_points.setZValue(5)
        self.class_curves = (PathCurve(step_mode="center", fill_level=0.0),
                             PathCurve(step_mode="center", fill_level=0.0))
        self.threshold = pg.InfiniteLine(pos=0.5, angle=90, movable=False)
        cache_as_pixmap(self.threshold)
        for item in (self.image, self.train_points, self.test_points, *self.class_curves, self.threshold):
            self.plot.addItem(item)

        self.mode: str | None = None
        self._data_key = None
        self._placed = None
        """(extent, shape) of the heat map the image rectangle was set for"""
        self.apply_theme(theme)
        self.setBackground(theme.background)
        self._set_mode("2d")

    # ------------------------------------------------------------------ theme

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        style_plot(self.plot, theme)
        self.image.setLookupTable(diverging_lut(theme))
        # by class (0, 1): train points filled and outlined in the background colour, test points as rings
        size = 5.0 + theme.line_width
        outline = pg.mkPen(theme.background, width=1.2)
        self.train_points.set_styles([("o", pg.mkBrush(colour), outline) for colour in (theme.negative, theme.positive)],
                                     size)
        self.test_points.set_styles([("o", pg.mkBrush(None), pg.mkPen(colour, width=1.5))
                                     for colour in (theme.negative, theme.positive)], size - 1)
        for colour, curve in zip((theme.negative, theme.positive), self.class_curves):
            fill = QtGui.QColor(colour)
            fill.setAlphaF(0.25)
            curve.setPen(pg.mkPen(colour, width=theme.line_width))
            curve.setBrush(pg.mkBrush(fill))
        self.threshold.setPen(pg.mkPen(theme.muted, width=1.5, style=QtCore.Qt.PenStyle.DashLine))
        if self.mode is not None:
            self._style_axes()

    def _style_axes(self) -> None:
        if self.mode == "2d":
            style_plot(self.plot, self.theme, left="x₂", bottom="x₁")
        else:
            style_plot(self.plot, self.theme, left="test samples", bottom="network output P(class 1)")

    # ------------------------------------------------------------------ layouts

    def _set_mode(self, mode: str) -> None:
        if mode == self.mode:
            return
        self.mode = mode
        two_d = mode == "2d"
        self.plot.getViewBox().setToolTip(
            "The network's P(class 1) over the input plane (colour), with the training points "
            "(filled) and the test points (rings)." if two_d else
            "The network's output P(class 1) on the test samples, one histogram per true class; "
            "dashed: the 0.5 threshold.")
        for item in (self.image, self.train_points, self.test_points):
            item.setVisible(two_d)
        for item in (*self.class_curves, self.threshold):
            item.setVisible(not two_d)
        self.plot.setAspectLocked(two_d)
        if two_d:
            self.plot.disableAutoRange()
        else:
            self.plot.disableAutoRange()
            self.plot.setXRange(0.0, 1.0, padding=0.02)
        self._placed = None
        self._count_top = 0.0
        self._data_key = None
        self._style_axes()

    def render(self, snapshot: Snapshot) -> None:
        boundary, theme = snapshot.boundary, self.theme
        acc = snapshot.evaluation.test_accuracy
        acc_text = f"test accuracy {100 * acc:.1f}%" if np.isfinite(acc) else "test accuracy n/a"
        if boundary.heat_map is not None:
            self._set_mode("2d")
            levels = boundary.heat_map  # P(class 1), interpolated and quantized by the engine
            self.image.setImage(levels, autoLevels=False)
            if (boundary.extent, levels.shape) != self._placed:
                self._placed = boundary.extent, levels.shape
                x0, x1, y0, y1 = boundary.extent
                ny, nx = levels.shape
                # grid values sit on pixel centres: widen the rectangle by half a pixel each side
                dx, dy = (x1 - x0) / max(1, nx - 1), (y1 - y0) / max(1, ny - 1)
                self.image.setRect(QtCore.QRectF(x0 - dx / 2, y0 - dy / 2, nx * dx, ny * dy))
                self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.02)
            # the points change only with the data: compare what makes it, not the object, which
            # is a fresh copy in every snapshot from the engine process
            data_key = tuple(getattr(snapshot.settings, k) for k in ("dataset", "noise", "samples", "seed"))
            if data_key != self._data_key:
                self._data_key = data_key
                self._set_points(snapshot)
            titles = (f"Decision boundary: P(class 1) &nbsp;·&nbsp; {acc_text}",
                      f"P(class 1) &nbsp;·&nbsp; {acc_text}",
                      f"P(class 1) · {100 * acc:.0f}%" if np.isfinite(acc) else "P(class 1)",
                      "P(class 1)")
            classes = (f"<span style='color:{theme.positive}'>●</span> class 1 &nbsp; "
                       f"<span style='color:{theme.negative}'>●</span> class 0")
            keys = (f"{classes} &nbsp; <span style='color:{theme.muted}'>filled: train "
                    f"({len(snapshot.dataset.X_train)}) &nbsp; ring: test ({len(snapshot.dataset.X_test)})</span>",
                    f"{classes} &nbsp; <span style='color:{theme.muted}'>filled: train, ring: test</span>",
                    classes,
                    f"<span style='color:{theme.positive}'>●</span> 1 &nbsp; "
                    f"<span style='color:{theme.negative}'>●</span> 0")
        else:
            self._set_mode("hist")
            centres_edges = boundary.edges
            for hist, curve in zip(boundary.class_hist, self.class_curves):
                curve.setData(centres_edges, hist)
            # the count axis moves by 1-2-5 jumps, not every frame (autorange cost ~25 ms a frame)
            top = nice_ceiling(max(float(h.max(initial=0.0)) for h in boundary.class_hist))
            if top != self._count_top:
                self._count_top = top
                self.plot.setYRange(0.0, top, padding=0.02)
            titles = (f"Output by class (test set) &nbsp;·&nbsp; {acc_text}",
                      f"Output by class &nbsp;·&nbsp; {acc_text}",
                      "Output by class")
            n0, n1 = (int(h.sum()) for h in boundary.class_hist)
            classes = (f"<span style='color:{theme.negative}'>━</span> class 0 ({n0}) &nbsp; "
                       f"<span style='color:{theme.positive}'>━</span> class 1 ({n1})")
            keys = (f"{classes} &nbsp; <span style='color:{theme.muted}'>dashed: threshold 0.5</span>", classes,
                    f"<span style='color:{theme.negative}'>━</span> 0 &nbsp; "
                    f"<span style='color:{theme.positive}'>━</span> 1")
        self.title_fit.set(titles, theme.foreground, theme.font_size)  # refitted on resize
        self.key_fit.set(keys, theme.foreground, max(7, theme.font_size - 1))

    def _refit(self, *_args) -> None:
        if self.closed:  # GraphicsView.close() has deleted the items
            return
        # the title spans the plot's data column only (the ViewBox), not its left axis
        self.title_fit.fit(self.plot.getViewBox().width())
        self.key_fit.fit(self.width())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # GraphicsView resizes once while constructing, and again in close() after it has
        # deleted the scene's items (touching the plot then is a segfault)
        if hasattr(self, "key_fit") and not self.closed:
            self._refit()

    def _set_points(self, snapshot: Snapshot) -> None:
        d = snapshot.dataset
        for item, X, y in ((self.train_points, d.X_train, d.y_train), (self.test_points, d.X_test, d.y_test)):
            labels = (np.asarray(y).reshape(len(X), -1)[:, 0] > 0.5).astype(int)
            item.setData(X[:, 0], X[:, 1], style=labels)
