"""Curves that cost Qt one path a frame: the views' replacement for pyqtgraph's PlotCurveItem.

Why: after every setData, a PlotCurveItem works out in Python its data bounds, its pixel size,
its bounding rectangle and its path, again and again while it paints (measured: 0.3-0.5 ms per
curve per frame, twice the cost of drawing it). The views redraw 40-odd curves at display rate
on fixed axes, where none of that is needed. ``PathCurve`` turns the arrays into a QPainterPath
once per setData (``pg.arrayToQPath``, vectorised) and leaves the rest to Qt's own C++ item:
a ridgeline of ten filled step histograms draws in a third of the time.

It keeps the small part of PlotCurveItem's interface the views and tests use: ``setData``,
``getData``, ``xData``/``yData``, ``opts["pen"]``, ``opts["stepMode"]``, ``setPen``,
``setBrush`` and ``setFillLevel``. ``MarkedCurve`` adds a symbol on every point, in place of a
PlotDataItem with a symbol.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui.app.views.marks import PixelMarks


class PathCurve(QtWidgets.QGraphicsPathItem):
    """A polyline (or step histogram) with an optional fill down to ``fill_level``.

    The line is this item; the fill is a child drawn behind it, so both follow the item's
    position, transform, z value and visibility.
    """

    def __init__(self, pen=None, brush=None, fill_level: float | None = None, step_mode: str | None = None,
                 connect: str | np.ndarray = "all", parent: QtWidgets.QGraphicsItem | None = None):
        super().__init__(parent)
        self._rect = QtCore.QRectF()
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
        pen = pg.mkPen(*args, **kwargs) if args and args[0] is not None or kwargs else QtGui.QPen(QtCore.Qt.NoPen)
        pen.setJoinStyle(QtCore.Qt.MiterJoin)  # square corners on steps (a bevel looks blobby on slides)
        self.opts["pen"] = None if pen.style() == QtCore.Qt.NoPen else pen
        super().setPen(pen)
        self._fit_rect()

    def setPath(self, path: QtGui.QPainterPath) -> None:
        super().setPath(path)
        self._fit_rect()

    def boundingRect(self) -> QtCore.QRectF:
        return self._rect

    def _fit_rect(self) -> None:
        """The bounding rectangle: the path's extent, grown on every side as far as the pen reaches.

        Why not QGraphicsPathItem's own: for a pen of any width it strokes the whole path (a
        QPainterPathStroker outline) to measure it, on every new path: measured, a tenth of a
        frame's instructions for the views' curves. Qt's stroke reaches half the width past the
        path, and a miter join up to its miter limit (in widths) past the joint, a little more
        at sharp angles (measured: 2.06 widths at the default limit of 2), so growing by the
        limit plus half a width holds everything Qt's rectangle holds, in the same units (Qt,
        too, takes a cosmetic pen's width in the item's units: generous on fine axes)."""
        path, pen = self.path(), self.pen()
        if path.isEmpty():
            self._rect = QtCore.QRectF()
            return
        grow = 0.0 if pen.style() == QtCore.Qt.NoPen else pen.widthF() * (pen.miterLimit() + 0.5)
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
        self._update_line()
        self._update_fill()

    def getData(self) -> tuple[np.ndarray, np.ndarray]:
        return self.xData, self.yData

    def _points(self) -> tuple[np.ndarray, np.ndarray]:
        x, y = self.xData, self.yData
        if self.opts["stepMode"] != "center" or not len(y):
            return x, y
        base = self.opts["fillLevel"] or 0.0
        heights = np.concatenate([[base], y, [base]])
        # Each edge is a rise from the bin before to the bin after it. Where the two are equal
        # (runs of empty bins, above all) its two points lie on the flat line: they are left
        # out, and Qt strokes a path of a fraction of the points (the line looks the same; the
        # outermost edges stay, so the line still spans the axis).
        rises = heights[:-1] != heights[1:]
        rises[[0, -1]] = True
        x, before, after = x[rises], heights[:-1][rises], heights[1:][rises]
        return np.repeat(x, 2), np.column_stack([before, after]).ravel()

    def _update_line(self) -> None:
        x, y = self._points()
        self.setPath(pg.arrayToQPath(x, y, self.opts["connect"]) if len(x) else QtGui.QPainterPath())

    def _update_fill(self) -> None:
        level = self.opts["fillLevel"]
        if level is None or self.opts["brush"] is None or not len(self.yData):
            self.fill.setPath(QtGui.QPainterPath())
            return
        if self.opts["stepMode"] == "center":
            self.fill.setPath(self.path())  # the steps already start and end on the fill level
            return
        x, y = self._points()
        x, y = np.concatenate([[x[0]], x, [x[-1]]]), np.concatenate([[level], y, [level]])
        self.fill.setPath(pg.arrayToQPath(x, y, "all"))


class SmoothPathCurve(PathCurve):
    """A PathCurve that antialiases its line or not (``antialias``), whatever its view does;
    always in an export.

    A subclass, not an option of PathCurve: the Python ``paint`` this needs would otherwise run
    for every curve of every frame, where plain PathCurves paint in C++ alone.
    """

    def __init__(self, *args, antialias: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.antialias = antialias
        self._exporting = False

    def setExportMode(self, export: bool, opts: dict | None = None) -> None:
        """pyqtgraph's hook for exports: an exported picture is a still one, antialiased."""
        self._exporting = export

    def paint(self, painter: QtGui.QPainter, option, widget=None) -> None:
        painter.save()
        painter.setRenderHint(QtGui.QPainter.Antialiasing, self.antialias or self._exporting)
        super().paint(painter, option, widget)
        painter.restore()


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

