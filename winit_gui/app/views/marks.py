"""Symbols of a fixed size in pixels at data points: the views' replacement for pyqtgraph's
pixel-mode ScatterPlotItem.

Why: a ScatterPlotItem works out, in Python, on every paint, its bounding rectangle (several
times a frame), the points' device positions and its culling mask, even when neither the data
nor the axes changed (measured: the six views' scatters were 8 % of a frame's instructions).
``PixelMarks`` keeps a small table of styles (symbol, brush, pen), draws each style once into an
atlas pixmap, and keeps the points' blit list until the data or the painter's transform change:
a repeated paint is one ``drawPixmapFragments`` call. With ``cached``, the blits themselves are
kept, drawn into one pixmap: a repeated paint is one ``drawPixmap`` (for many points that change
far less often than the frames: the decision boundary's 800 data points, redrawn under every slider
move, were 1 M instructions of a frame as 800 blits).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6 import QtCore, QtGui

Style = tuple[str, QtGui.QBrush, QtGui.QPen]
"""A symbol's name in pyqtgraph's table ("o", "s", ...), its fill and its outline."""


class PixelMarks(pg.GraphicsObject):
    """Points (x, y) in data coordinates, each drawn as one of ``styles``, ``size`` pixels across;
    ``cached``: keep the drawn points in a pixmap until the data, the styles or the transform change.

    Not Qt's own item cache (``DeviceCoordinateCache``): drawn into it, a new data set's points
    appeared in part over the old ones. This pixmap is cleared whenever it is redrawn."""

    def __init__(self, styles: Sequence[Style] = (("o", QtGui.QBrush(QtCore.Qt.gray), QtGui.QPen(QtCore.Qt.NoPen)),),
                 size: float = 8.0, parent=None, cached: bool = False):
        super().__init__(parent)
        self.cached = cached
        self._picture: tuple[QtCore.QPointF, QtGui.QPixmap] | None = None
        """(where, in device pixels, the pixmap goes; the points drawn into it)"""
        self.x = self.y = np.zeros(0)
        self.style = np.zeros(0, dtype=np.intp)
        """Index into ``styles`` of every point."""
        self.styles: list[Style] = []
        self.size = size
        self._atlas: tuple[float, QtGui.QPixmap, int] | None = None
        """(device-pixel ratio, every style's symbol side by side, the side of one)"""
        self._fragments = PrimitiveArray(QtGui.QPainter.PixmapFragment, 10)
        self._blit_key: tuple | None = None
        self._rect: QtCore.QRectF | None = None
        self._extent: tuple[float, float, float, float] | None = None
        """(left, top, right, bottom) of the finite points; () when there are none"""
        self._pixel: tuple[float, float] | None = None
        """One pixel in data units (pyqtgraph's pixelWidth/Height walk the view in Python: asked
        again only when the view's transform changes, not at every new data)"""
        self.set_styles(styles, size)

    # ---- data and style ------------------------------------------------------------------------
    def setData(self, x, y, style=None) -> None:
        """Points at (x, y); ``style``: each point's index into the styles (default: the first)."""
        x, y = np.asarray(x, dtype=np.float64).ravel(), np.asarray(y, dtype=np.float64).ravel()
        if len(x) != len(y):
            raise ValueError(f"{len(x)} x values for {len(y)} y values")
        style = np.zeros(len(x), dtype=np.intp) if style is None else np.asarray(style, dtype=np.intp).ravel()
        if len(style) != len(x) or (len(style) and not 0 <= style.min() <= style.max() < len(self.styles)):
            raise ValueError(f"styles must be {len(x)} indices below {len(self.styles)}")
        if not len(x) and not len(self.x):
            return  # none before, none now (an unmarked curve, every frame): nothing to redo
        self.x, self.y, self.style = x, y, style
        self._changed()

    def getData(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x, self.y

    def set_styles(self, styles: Sequence[Style], size: float | None = None) -> None:
        self.styles = [(symbol, QtGui.QBrush(brush), QtGui.QPen(pen)) for symbol, brush, pen in styles]
        if size is not None:
            self.size = float(size)
        self._atlas = None
        if len(self.style) and self.style.max() >= len(self.styles):
            self.style = np.zeros(len(self.x), dtype=np.intp)
        self._changed()

    def _changed(self) -> None:
        self.prepareGeometryChange()
        self._rect = self._extent = None
        self._blit_key = None
        self.update()

    def viewTransformChanged(self) -> None:
        # (pyqtgraph calls this when the axes' range or the view's size changes)
        self.prepareGeometryChange()
        self._rect = self._pixel = None

    # ---- QGraphicsItem ---------------------------------------------------------------------------
    def boundingRect(self) -> QtCore.QRectF:
        if self._rect is None:
            if self._extent is None:
                finite = np.isfinite(self.x) & np.isfinite(self.y)
                x, y = self.x[finite], self.y[finite]
                self._extent = (x.min(), y.min(), x.max(), y.max()) if len(x) else ()
            if not self._extent:
                self._rect = QtCore.QRectF()
                return self._rect
            if self._pixel is None:
                # (0 before the item is in a view: no margin then, and asked again next time)
                pixel = (self.pixelWidth() or 0.0, self.pixelHeight() or 0.0)
                self._pixel = pixel if all(pixel) else None
            px, py = self._pixel or (0.0, 0.0)
            reach = self.size / 2 + max((pen.widthF() for _, _, pen in self.styles), default=0.0) + 1
            left, top, right, bottom = self._extent
            self._rect = QtCore.QRectF(left - reach * px, top - reach * py,
                                       right - left + 2 * reach * px, bottom - top + 2 * reach * py)
        return self._rect

    def paint(self, painter: QtGui.QPainter, *args) -> None:
        if not len(self.x):
            return
        if self._exportOpts is not False:
            self._paint_vectors(painter)
            return
        t = painter.transform()
        dpr = painter.device().devicePixelRatioF()
        key = (t.m11(), t.m12(), t.m21(), t.m22(), t.dx(), t.dy(), dpr)
        if key != self._blit_key:
            self._fit_fragments(t, dpr)
            self._picture = self._draw_picture(painter.renderHints(), dpr) if self.cached else None
            self._blit_key = key
        painter.resetTransform()
        if self._picture is not None:
            painter.drawPixmap(*self._picture)
        else:
            painter.drawPixmapFragments(*self._fragments.drawargs(), self._atlas[1])

    def _draw_picture(self, hints: QtGui.QPainter.RenderHint, dpr: float) -> tuple[QtCore.QPointF, QtGui.QPixmap] | None:
        """The blits of ``_fit_fragments`` drawn into a transparent pixmap, and where it goes. Its
        corner is a whole pixel, so every symbol keeps the sub-pixel place a direct blit gives it."""
        array = self._fragments.ndarray()
        if not len(array):
            return None
        reach = self._atlas[2] / (2 * dpr) + 1
        left, top = np.floor(array[:, :2].min(axis=0) - reach)
        right, bottom = np.ceil(array[:, :2].max(axis=0) + reach)
        pixmap = QtGui.QPixmap(int((right - left) * dpr), int((bottom - top) * dpr))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(QtCore.Qt.transparent)
        painter = QtGui.QPainter(pixmap)
        painter.setRenderHints(hints)
        painter.translate(-left, -top)
        painter.drawPixmapFragments(*self._fragments.drawargs(), self._atlas[1])
        painter.end()
        return QtCore.QPointF(left, top), pixmap

    def _fit_fragments(self, t: QtGui.QTransform, dpr: float) -> None:
        """One blit per point, in data order (later points over earlier ones, as ScatterPlotItem),
        written into the same buffer each time (it grows, never shrinks)."""
        cell = self._atlas_for(dpr)[1]  # (made here when the styles or the pixel ratio changed)
        finite = np.isfinite(self.x) & np.isfinite(self.y)
        x, y, style = self.x[finite], self.y[finite], self.style[finite]
        self._fragments.resize(len(x))
        array = self._fragments.ndarray()
        array[:, 0] = x * t.m11() + y * t.m21() + t.dx()  # the centre of each symbol, in device pixels
        array[:, 1] = x * t.m12() + y * t.m22() + t.dy()
        array[:, 2] = style * cell  # its style's cell of the atlas
        array[:, 3:6] = (0.0, cell, cell)
        array[:, 6:10] = (1 / dpr, 1 / dpr, 0.0, 1.0)  # back to logical pixels, no rotation, opaque

    def _atlas_for(self, dpr: float) -> tuple[QtGui.QPixmap, int]:
        """Every style drawn once, side by side in cells of ``cell`` device pixels."""
        if self._atlas is None or self._atlas[0] != dpr:
            widest = max((pen.widthF() for _, _, pen in self.styles), default=0.0)
            cell = int(np.ceil((self.size + widest + 2) * dpr))
            pixmap = QtGui.QPixmap(cell * max(1, len(self.styles)), cell)
            pixmap.fill(QtCore.Qt.transparent)
            painter = QtGui.QPainter(pixmap)
            painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
            for k, (symbol, brush, pen) in enumerate(self.styles):
                painter.resetTransform()
                painter.translate((k + 0.5) * cell, cell / 2)
                painter.scale(dpr, dpr)
                self._draw_symbol(painter, symbol, brush, pen)
            painter.end()
            self._atlas = (dpr, pixmap, cell)
        return self._atlas[1], self._atlas[2]

    def _draw_symbol(self, painter: QtGui.QPainter, symbol: str, brush: QtGui.QBrush, pen: QtGui.QPen) -> None:
        painter.setBrush(brush)
        painter.setPen(pen)
        painter.drawPath(QtGui.QTransform.fromScale(self.size, self.size).map(Symbols[symbol]))

    def _paint_vectors(self, painter: QtGui.QPainter) -> None:
        """Export: every symbol drawn as a path, sharp at any resolution (as ScatterPlotItem does)."""
        t = painter.transform()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, self._exportOpts.get("antialias", True))
        for x, y, s in zip(self.x, self.y, self.style):
            if np.isfinite(x) and np.isfinite(y):
                painter.resetTransform()
                painter.translate(t.map(QtCore.QPointF(x, y)))
                self._draw_symbol(painter, *self.styles[s])
        painter.setTransform(t)
