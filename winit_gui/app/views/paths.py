"""Curves that cost Qt one path a frame: the views' replacement for pyqtgraph's PlotCurveItem.

Why: after every setData, a PlotCurveItem works out in Python its data bounds, its pixel size,
its bounding rectangle and its path, again and again while it paints (measured: 0.3-0.5 ms per
curve per frame, twice the cost of drawing it). The views redraw 40-odd curves at display rate
on fixed axes, where none of that is needed. ``PathCurve`` turns the arrays into a QPainterPath
once per setData (vectorised, as ``pg.arrayToQPath`` does; not at all when the points are
those already drawn) and leaves the rest to Qt's own C++ item: a ridgeline of ten filled step
histograms draws in a third of the time.

It keeps the small part of PlotCurveItem's interface the views and tests use: ``setData``,
``getData``, ``xData``/``yData``, ``opts["pen"]``, ``opts["stepMode"]``, ``setPen``,
``setBrush`` and ``setFillLevel``. ``MarkedCurve`` adds a symbol on every point, in place of a
PlotDataItem with a symbol.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui.app.views.base import same_values
from winit_gui.app.views.marks import PixelMarks
from winit_gui.app.views.outlines import RectOutline, fits_rects, rects_pay, step_pen


class PathCurve(QtWidgets.QGraphicsPathItem):
    """A polyline (or step histogram) with an optional fill down to ``fill_level``.

    The line is this item; the fill is a child drawn behind it, so both follow the item's
    position, transform, z value and visibility.
    """

    RECT_OUTLINES = True
    """Whether a tall step outline may be drawn as rectangles (``_place_outline``)."""

    def __init__(self, pen=None, brush=None, fill_level: float | None = None, step_mode: str | None = None,
                 connect: str | np.ndarray = "all", parent: QtWidgets.QGraphicsItem | None = None):
        super().__init__(parent)
        self._rect = QtCore.QRectF()
        self._grow = 0.0
        """How far the pen reaches past the path, in the item's units (see ``_fit_rect``)."""
        self._drawn = np.zeros((0, 2))
        """The points of the path shown, and the connect mode they were joined with: a setData
        that yields the same ones leaves the path alone."""
        self._drawn_connect: str | np.ndarray | None = None
        self._outline: RectOutline | None = None
        """Draws the line in this item's place while it is a tall step outline (outlines.py)."""
        self._tall = False
        self._pen_fits = False
        self.fill = QtWidgets.QGraphicsPathItem(self)
        self.fill.setFlag(QtWidgets.QGraphicsItem.ItemStacksBehindParent)
        self.fill.setPen(QtGui.QPen(QtCore.Qt.NoPen))
        self.opts: dict = {"pen": None, "brush": None, "fillLevel": fill_level, "stepMode": step_mode,
                           "connect": connect}
        self.xData = self.yData = np.zeros(0)
        self.setPen(pen)
        self.setBrush(brush)

    # ---- style -----------------------------------------------------------------------------------
    def setPen(self, *args, **kwargs) -> None:
        pen = step_pen(*args, **kwargs) if args and args[0] is not None or kwargs else QtGui.QPen(QtCore.Qt.NoPen)
        self.opts["pen"] = None if pen.style() == QtCore.Qt.NoPen else pen
        self._grow = 0.0 if pen.style() == QtCore.Qt.NoPen else pen.widthF() * (pen.miterLimit() + 0.5)
        self._pen_fits = self.RECT_OUTLINES and self.opts["stepMode"] == "center" and fits_rects(self.opts["pen"])
        super().setPen(pen)
        if self._tall:  # (decided anew for the new pen)
            self._tall = False
            self._outline.setVisible(False)
        self._fit_rect()
        self._place_outline()

    def setPath(self, path: QtGui.QPainterPath) -> None:
        super().setPath(path)  # (first: Qt marks the old rectangle dirty with the old boundingRect)
        self._fit_rect(path)

    def boundingRect(self) -> QtCore.QRectF:
        return self._rect

    def _fit_rect(self, path: QtGui.QPainterPath | None = None) -> None:
        """The bounding rectangle: the path's extent, grown on every side as far as the pen reaches.

        Why not QGraphicsPathItem's own: for a pen of any width it strokes the whole path (a
        QPainterPathStroker outline) to measure it, on every new path: measured, a tenth of a
        frame's instructions for the views' curves. Qt's stroke reaches half the width past the
        path, and a miter join up to its miter limit (in widths) past the joint, a little more
        at sharp angles (measured: 2.06 widths at the default limit of 2), so growing by the
        limit plus half a width holds everything Qt's rectangle holds, in the same units (Qt,
        too, takes a cosmetic pen's width in the item's units: generous on fine axes)."""
        path = self.path() if path is None else path
        if path.isEmpty():
            self._rect = QtCore.QRectF()
            return
        grow = self._grow
        self._rect = path.controlPointRect().adjusted(-grow, -grow, grow, grow)

    def setBrush(self, *args, **kwargs) -> None:
        brush = pg.mkBrush(*args, **kwargs) if args and args[0] is not None or kwargs else None
        self.opts["brush"] = brush
        self.fill.setBrush(brush if brush is not None else QtGui.QBrush())
        self._update_fill()

    def setFillLevel(self, level: float | None) -> None:
        if level != self.opts["fillLevel"]:
            self.opts["fillLevel"] = level
            self._update_fill()

    # ---- data ------------------------------------------------------------------------------------
    def setData(self, x: np.ndarray, y: np.ndarray, connect: str | np.ndarray | None = None) -> None:
        """``x`` and ``y`` as PlotCurveItem takes them: with stepMode "center", ``x`` holds the
        len(y) + 1 bin edges."""
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        expected = len(y) + 1 if self.opts["stepMode"] == "center" else len(y)
        if len(x) != expected:
            raise ValueError(f"{len(x)} x values for {len(y)} y values (expected {expected})")
        if connect is not None:
            self.opts["connect"] = connect
        self.xData, self.yData = x, y
        if self._update_line():
            self._update_fill()

    def getData(self) -> tuple[np.ndarray, np.ndarray]:
        return self.xData, self.yData

    def _points(self) -> np.ndarray:
        """The path's points, one (x, y) row each, in a new array."""
        x, y = self.xData, self.yData
        if not len(y):  # (a step histogram's one edge without a bin draws nothing either)
            return np.zeros((0, 2))
        if self.opts["stepMode"] != "center":
            points = np.empty((len(x), 2))
            points[:, 0], points[:, 1] = x, y
            return points
        base = self.opts["fillLevel"] or 0.0
        heights = np.empty(len(y) + 2)
        heights[0] = heights[-1] = base
        heights[1:-1] = y
        # Each edge is a rise from the bin before to the bin after it. Where the two are equal
        # (runs of empty bins, above all) its two points lie on the flat line: they are left
        # out, and Qt strokes a path of a fraction of the points (the line looks the same; the
        # outermost edges stay, so the line still spans the axis).
        rises = heights[:-1] != heights[1:]
        rises[0] = rises[-1] = True
        # (count_nonzero, here and below, not sum or all: on arrays this small a ufunc reduction's
        # set-up costs some ten thousand instructions, several times the counting)
        rise = np.empty((np.count_nonzero(rises), 4))  # per edge: x, height before, x, height after
        rise[:, 0] = rise[:, 2] = x[rises]
        rise[:, 1] = heights[:-1][rises]
        rise[:, 3] = heights[1:][rises]
        return rise.reshape(-1, 2)

    def _update_line(self) -> bool:
        """Draw the line anew unless its points are those drawn; return whether it was drawn."""
        points, connect = self._points(), self.opts["connect"]
        if isinstance(connect, str) and connect == self._drawn_connect and same_values(points, self._drawn):
            return False  # (a NaN never equals itself: such data are always drawn anew)
        self._drawn, self._drawn_connect = points, connect
        self.setPath(points_path(points, connect))
        self._place_outline()
        return True

    def drawn_points(self) -> np.ndarray:
        """The points of the path drawn (read-only: the item keeps them)."""
        return self._drawn

    def _place_outline(self) -> None:
        """A tall step outline's stroke goes to the RectOutline child, any other line is Qt's to
        stroke. Decided when the points or the pen change, at the scale of the moment: either way
        draws the same pixels, so a later change of scale only costs or saves time."""
        tall = False
        if self._pen_fits and isinstance(self._drawn_connect, str) and self._drawn_connect != "pairs":
            height = (self._rect.height() - 2 * self._grow) * abs(self.sceneTransform().m22())
            tall = rects_pay(len(self._drawn), height)
        if tall != self._tall:
            self._tall = tall
            if self._outline is None:
                self._outline = RectOutline(self)
            self._outline.setVisible(tall)
            super().setPen(QtGui.QPen(QtCore.Qt.NoPen) if tall else self.opts["pen"])
        if tall:
            self._outline.changed()

    def _update_fill(self) -> None:
        level = self.opts["fillLevel"]
        if level is None or self.opts["brush"] is None or not len(self.yData):
            self.fill.setPath(QtGui.QPainterPath())
            return
        if self.opts["stepMode"] == "center":
            self.fill.setPath(self.path())  # the steps already start and end on the fill level
            return
        points = self._drawn  # (a line's points, unlike steps', do not depend on the fill level)
        outline = np.empty((len(points) + 2, 2))
        outline[1:-1] = points
        outline[0], outline[-1] = (points[0, 0], level), (points[-1, 0], level)
        self.fill.setPath(points_path(outline, "all"))


def points_path(points: np.ndarray, connect: str | np.ndarray) -> QtGui.QPainterPath:
    """The QPainterPath of ``pg.arrayToQPath(points[:, 0], points[:, 1], connect)``: the same
    elements, built without its generic checks where every point is finite.

    Why: the views' curves take this way some 35 times a frame, where arrayToQPath's checks and
    helper calls cost as much as building the path (measured, with PathCurve's skipping of
    points already drawn: the six views' render from 13.94 to 12.15 M instructions per slider
    frame)."""
    n = len(points)
    if not n:
        return QtGui.QPainterPath()
    if not isinstance(connect, str) or np.count_nonzero(np.isfinite(points)) < points.size:
        return pg.arrayToQPath(points[:, 0], points[:, 1], connect)
    if connect == "pairs":
        return _pairs_path(points)
    if connect not in ("all", "finite"):
        raise ValueError(f"connect must be 'all', 'pairs', 'finite' or an array, not {connect!r}")
    if n < 2:
        return QtGui.QPainterPath()
    polygon = QtGui.QPolygonF()
    polygon.resize(n)
    np.frombuffer(shiboken6.VoidPtr(polygon.data(), n * 16, True), np.float64).reshape(n, 2)[:] = points
    path = QtGui.QPainterPath()
    path.addPolygon(polygon)
    return path


_STREAMED_ELEMENT = np.dtype([("line", "<i4"), ("x", "<f8"), ("y", "<f8")])
"""A QPainterPath element as a QDataStream holds it: its type (1 a line to the point, 0 a move
to it) and the point; little-endian here, as the stream is told."""


def _pairs_path(points: np.ndarray) -> QtGui.QPainterPath:
    """A separate line from every even point to the next one, read from QPainterPath's stream
    form as arrayToQPath does (Qt has no call that adds many subpaths at once), but in the
    machine's byte order and without its checks for non-finite points (measured: 144 k instead
    of 176 k instructions for one of the network diagram's buckets, 86 points)."""
    n = len(points)
    stream = bytearray(4 + n * _STREAMED_ELEMENT.itemsize + 8)  # count, elements, subpath start, fill rule
    stream[:4] = n.to_bytes(4, "little")
    elements = np.frombuffer(stream, dtype=_STREAMED_ELEMENT, count=n, offset=4)
    elements["x"], elements["y"] = points[:, 0], points[:, 1]
    elements["line"][1::2] = 1
    data = QtCore.QDataStream(QtCore.QByteArray(stream))
    data.setByteOrder(QtCore.QDataStream.LittleEndian)
    path = QtGui.QPainterPath()
    data >> path
    return path


class SmoothPathCurve(PathCurve):
    """A PathCurve that antialiases its line or not (``antialias``), whatever its view does;
    always in an export.

    A subclass, not an option of PathCurve: the Python ``paint`` this needs would otherwise run
    for every curve of every frame, where plain PathCurves paint in C++ alone.
    """

    RECT_OUTLINES = False  # (its line's antialiasing is this item's paint's, which a child would not share)

    def __init__(self, *args, antialias: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.antialias = antialias
        self._exporting = False

    def setExportMode(self, export: bool, opts: dict | None = None) -> None:
        """pyqtgraph's hook for exports: an exported picture is a still one, antialiased."""
        self._exporting = export

    def paint(self, painter: QtGui.QPainter, option, widget=None) -> None:
        painter.save()
        clip_to_device(painter)
        painter.setRenderHint(QtGui.QPainter.Antialiasing, self.antialias or self._exporting)
        super().paint(painter, option, widget)
        painter.restore()


def clip_to_device(painter: QtGui.QPainter) -> None:
    """Clip a painter that has no clip, on an image or pixmap, to the whole of it: the same
    pixels, drawn faster.

    Why: Qt's raster engine writes a one-pixel line's pixels straight into the image only under
    a rectangular clip of the painter's own (``FastDraw`` in ``QCosmeticStroker::setup``); without
    one (Qt's item caches paint into their pixmaps so) every pixel goes through a span and a blend
    call, 2.5 times the instructions. Measured on the network diagram, whose edge buckets are
    cached items: 10.5 -> 8.0 M instructions a slider frame for the view. (Not on other devices:
    an SVG would get a clip path it does not need.)"""
    device = painter.device()
    if painter.hasClipping() or not isinstance(device, (QtGui.QImage, QtGui.QPixmap)):
        return
    transform = painter.worldTransform()
    painter.resetTransform()
    painter.setClipRect(QtCore.QRect(0, 0, device.width(), device.height()))
    painter.setWorldTransform(transform)


class MarkedCurve:
    """A PathCurve with a symbol on each finite point: PlotDataItem's line-and-markers, without
    its per-frame Python bookkeeping. Gaps (NaN) break the line and carry no marker.

    ``lone_only``: mark a point only when it is the only one (a single point has no line to
    show it; a run is a line, and its thousands of markers would cost every frame)."""

    def __init__(self, plot: pg.PlotItem, symbol: str, lone_only: bool = False):
        self.lone_only = lone_only
        self.line = PathCurve(connect="finite")
        self.symbol = symbol
        self.marks = PixelMarks()
        for item in (self.line, self.marks):
            plot.addItem(item)

    def setData(self, x: np.ndarray, y: np.ndarray) -> None:
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        self.line.setData(x, y)
        marked = np.isfinite(y) & (not self.lone_only or len(y) == 1)
        self.marks.setData(x[marked], y[marked])
        self.marks.setVisible(bool(marked.any()))

    def getData(self) -> tuple[np.ndarray, np.ndarray]:
        return self.line.getData()

    def setPen(self, *args, **kwargs) -> None:
        self.line.setPen(*args, **kwargs)

    def set_symbol_style(self, brush, pen, size: float) -> None:
        self.marks.set_styles([(self.symbol, pg.mkBrush(brush), pg.mkPen(pen))], size)

