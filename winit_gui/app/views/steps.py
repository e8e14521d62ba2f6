"""Step histograms on shared bin edges, drawn by one item: the ridgeline views' layers.

Why one item, not a PathCurve per histogram (a QGraphicsPathItem and its fill child): a curve's
setData makes its points and its path with a dozen numpy and Qt calls, Qt strokes its 2 px
outline with its general stroker, and the scene asks each of the fourteen items for its bounding
rectangle and state at every frame. On arrays this small the calls' set-up is the cost, not their
work. Here one numpy pass makes every histogram's points; on screen (aliased, axis-aligned) both
the fills and the outlines are whole-pixel rectangles worked out in one numpy pass (the pixels Qt's
rasterizer fills for the path and strokes with the pen: ``outlines.covered_pixels``), and each
histogram paints with two ``drawRects``. Exports and antialiased painters get Qt's own paths.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QRect
from shiboken6 import wrapInstance

from winit_gui.app.views.base import same_values
from winit_gui.app.views.outlines import (as_corners, covered_pixels, device_corners, fits_rects, rects_copy_stroke,
                                          to_device_pixels)
from winit_gui.app.views.paths import points_path


class StepStack(QtWidgets.QGraphicsItem):
    """Step histograms on the same bin edges, each filled down to its base line (or not: a brush
    of None) and outlined, drawn in order: a later one in front of those before it (a
    ridgeline's deeper layers overlap the ridge above them). ``set_steps`` takes the bins' tops in
    the item's coordinates."""

    def __init__(self, parent: QtWidgets.QGraphicsItem | None = None):
        super().__init__(parent)
        self.pens: list[QtGui.QPen] = []
        self.brushes: list[QtGui.QBrush | None] = []
        self._colors: list[QtGui.QColor] = []
        """The pens' colours: an outline's rectangles are filled with its pen's colour."""
        self._rects_fit = False
        """Whether rectangles copy every pen's stroke and brush's fill (``outlines.fits_rects``)."""
        self.points = np.zeros((0, 2))
        """Every histogram's outline, one after another: histogram r's are
        ``points[starts[r]:starts[r + 1]]``, from its base line on the left edge to it on the right."""
        self.starts = np.zeros(1, dtype=np.intp)
        self._bars = np.zeros((0, 4))
        """Each bin that is not empty, as (left, top, right, base), histogram by histogram:
        histogram r's are ``_bars[bar_starts[r]:bar_starts[r + 1]]``."""
        self._bar_starts = np.zeros(1, dtype=np.intp)
        self._paths: list[QtGui.QPainterPath] | None = None
        """Qt's paths of the outlines, made when something draws them (an export, an antialiased
        painter)."""
        self._rects: tuple[tuple, np.ndarray, np.ndarray] | None = None
        """(the transform they were made for, the outlines' and the bars' ``as_corners``)"""
        self._rect = QtCore.QRectF()
        self._exporting = False

    @property
    def count(self) -> int:
        """Histograms drawn."""
        return len(self.starts) - 1

    def set_styles(self, pens: list[QtGui.QPen], brushes: list[QtGui.QBrush | None]) -> None:
        """The outline and fill (None: none) of each histogram, by its place in ``set_steps``."""
        self.pens, self.brushes = list(pens), list(brushes)
        self._colors = [pen.color() for pen in self.pens]
        self._rects_fit = all(fits_rects(pen) for pen in self.pens) and all(
            brush is None or brush.style() == QtCore.Qt.BrushStyle.SolidPattern for brush in self.brushes)
        self._rects = None
        if self.count:
            self._fit_rect(self.points[0, 0], self.points[-1, 0], self.points[:, 1].min(), self.points[:, 1].max())
        self.update()

    def set_steps(self, edges: np.ndarray, tops: np.ndarray, bases: np.ndarray) -> None:
        """Histogram r: bins from ``edges[i]`` to ``edges[i + 1]`` of height ``tops[r, i]``, filled
        down to ``bases[r]`` (item coordinates; a top that is not finite is drawn as an empty bin)."""
        edges = np.asarray(edges, dtype=np.float64)
        bases = np.asarray(bases, dtype=np.float64)
        tops = np.asarray(tops, dtype=np.float64).reshape(len(bases), -1)
        if tops.shape[1] + 1 != len(edges):
            raise ValueError(f"{len(edges)} bin edges for {tops.shape[1]} bins")
        if len(bases) > len(self.pens):
            raise ValueError(f"{len(bases)} histograms for {len(self.pens)} styles")
        heights = np.empty((len(bases), tops.shape[1] + 2))
        heights[:, 0] = heights[:, -1] = bases
        heights[:, 1:-1] = tops
        if np.count_nonzero(np.isfinite(tops)) < tops.size:
            heights[:, 1:-1] = np.where(np.isfinite(tops), tops, bases[:, None])
        # Each edge is a rise from the bin before to the bin after it. Where the two are equal
        # (runs of empty bins, above all) its two points lie on the flat line: they are left
        # out, and Qt draws a fraction of the points (the outermost edges stay, so the line still
        # spans the axis).
        rises = heights[:, :-1] != heights[:, 1:]
        rises[:, 0] = rises[:, -1] = True
        rows, cols = np.nonzero(rises)
        points = np.empty((len(rows), 2, 2))
        points[:, :, 0] = edges[cols, None]
        points[:, 0, 1] = heights[rows, cols]
        points[:, 1, 1] = heights[rows, cols + 1]
        points = points.reshape(-1, 2)
        starts = np.zeros(len(bases) + 1, dtype=np.intp)
        np.cumsum(np.count_nonzero(rises, axis=1) * 2, out=starts[1:])
        if same_values(points, self.points) and same_values(starts, self.starts):
            return
        self.points, self.starts = points, starts
        # (histograms without a fill have their bars made all the same: one numpy pass for all)
        full = heights[:, 1:-1] != bases[:, None]
        # (top and floor in either order: see paint)
        self._bars = np.stack([np.broadcast_to(edges[:-1], full.shape)[full], heights[:, 1:-1][full],
                               np.broadcast_to(edges[1:], full.shape)[full],
                               np.broadcast_to(bases[:, None], full.shape)[full]], axis=1)
        self._bar_starts = np.zeros(len(bases) + 1, dtype=np.intp)
        np.cumsum(np.count_nonzero(full, axis=1), out=self._bar_starts[1:])
        self._paths = None
        self._rects = None
        self._fit_rect(edges[0], edges[-1], heights.min(), heights.max())
        self.update()

    def histogram(self, r: int) -> np.ndarray:
        """The outline points of histogram ``r`` (read-only: the item keeps them)."""
        return self.points[self.starts[r]:self.starts[r + 1]]

    def _fit_rect(self, x0: float, x1: float, y0: float, y1: float) -> None:
        """The rectangle from (x0, y0) to (x1, y1), grown as far as a pen reaches: half its width
        and a miter join up to its limit, taken in the item's units as Qt takes a cosmetic pen's
        (generous)."""
        if not self.count:
            rect = QtCore.QRectF()
        else:
            grow = max(pen.widthF() * (pen.miterLimit() + 0.5) for pen in self.pens[:self.count])
            rect = QtCore.QRectF(x0 - grow, y0 - grow, x1 - x0 + 2 * grow, y1 - y0 + 2 * grow)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect

    def boundingRect(self) -> QtCore.QRectF:
        return self._rect

    def setExportMode(self, export: bool, opts: dict | None = None) -> None:
        """pyqtgraph's hook for exports: an SVG gets paths, not rectangles."""
        self._exporting = export

    def paint(self, painter: QtGui.QPainter, option, widget=None) -> None:
        if not self._rects_fit or not rects_copy_stroke(painter, self._exporting):
            self._paint_paths(painter)
            return
        # (the world transform, to the widget's logical pixels: the device transform would add the
        # widget's offset in its window, which the painter adds again after resetTransform)
        world = painter.transform()
        dpr = painter.device().devicePixelRatioF()
        key = (world.m11(), world.m22(), world.dx(), world.dy(), dpr)
        if self._rects is None or self._rects[0] != key:
            halves = np.repeat([pen.widthF() / 2 for pen in self.pens[:self.count]], np.diff(self.starts))[:-1]
            bars = self._bars * (world.m11(), world.m22(), world.m11(), world.m22())
            bars += (world.dx(), world.dy(), world.dx(), world.dy())
            bars *= dpr
            self._rects = key, device_corners(self.points, world, dpr, halves), as_corners(covered_pixels(bars))
        outlines, bars = self._rects[1:]
        # A bar below its base line, or any bar on an axis pointing down, is a QRect upside down
        # (bottom above top): Qt's raster engine fills a QRect normalized, which turns it the
        # right way with the same pixels (QRect keeps its last pixel: normalized() moves each end
        # by one), so the bars are not sorted here.
        to_device_pixels(painter, dpr)
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        # (plain ints and one pointer a frame: each numpy scalar handed to Qt costs a conversion)
        outline_at, bar_at = outlines.ctypes.data, bars.ctypes.data
        starts, bar_starts = self.starts.tolist(), self._bar_starts.tolist()
        for r in range(self.count):
            if self.brushes[r] is not None:
                painter.setBrush(self.brushes[r])
                painter.drawRects(wrapInstance(bar_at + 16 * bar_starts[r], QRect), bar_starts[r + 1] - bar_starts[r])
            painter.setBrush(self._colors[r])
            # (the rectangle after a histogram's last point, to the next one's first, is not drawn)
            painter.drawRects(wrapInstance(outline_at + 16 * starts[r], QRect), starts[r + 1] - starts[r] - 1)
        painter.setTransform(world)

    def _paint_paths(self, painter: QtGui.QPainter) -> None:
        """Qt's fill and stroke of each histogram's path, as a QGraphicsPathItem draws them."""
        if self._paths is None:
            self._paths = [points_path(self.histogram(r), "all") for r in range(self.count)]
        for r, path in enumerate(self._paths):
            if self.brushes[r] is not None:
                painter.setPen(QtCore.Qt.PenStyle.NoPen)
                painter.setBrush(self.brushes[r])
                painter.drawPath(path)
            painter.setPen(self.pens[r])
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
