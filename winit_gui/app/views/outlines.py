"""Tall step outlines filled as whole-pixel rectangles instead of stroked: the same pixels, cheaper.

Why: Qt's raster engine strokes a pen wider than one pixel through its general stroker (every
segment's outline, the joins, then a scanline fill of the lot), at a cost that grows with every
scanline a segment crosses. A saturated layer's histogram (every bin filled, needles the height
of the plot) is the worst case: at large gains Qt's stroke cost the saturation view's six
overlays 6.3 M instructions a frame more than at small ones, and the activation ridgelines 4.9 M
(callgrind).

A step outline has only horizontal and vertical segments, and its stroke with square caps and
miter joins is exactly the union of one rectangle per segment, grown by half the pen's width on
every side. ``device_corners`` works out in numpy which device pixels Qt's non-antialiased
rasterizer covers for each rectangle (edges on its grid of 1/64 pixel, a pixel covered when its
centre lies in (top, bottom] and (left, right]); one ``drawRects`` of whole-pixel rectangles
fills them a row of memory at a time. tests/test_views_outlines.py compares both byte for byte.

Only an outline long or tall enough takes this way (``rects_pay``): for a short one the Python
paint costs more than Qt's stroke. ``PathCurve`` decides when its data change and shows a
``RectOutline`` child in place of its own stroke, so a curve that never gets there never runs
Python at paint time.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6 import QtCore, QtGui, QtWidgets

SUBPIXELS = 64
"""Qt's rasterizer places edges on a grid of 1/64 pixel (26.6 fixed point): a rectangle's edge
rounded onto it decides the pixels whose centres it nearly meets."""


def rects_pay(points: int, height_px: float) -> bool:
    """Whether filling a step outline of ``points`` points, ``height_px`` pixels tall, as
    rectangles costs fewer instructions than Qt's 2 px stroke of it. Fitted to callgrind's counts
    for one curve painted anew: the stroke about 4.5 k a point and 0.6 k a pixel of rise (240 k
    for 22 points and 765 px, 490 k for 82 and 790, 1350 k for 242 and 800, 13600 k for 242 and
    15700), the rectangles 330-510 k. The height stands in for the rises, which cost a fifth of a
    setData to sum: a histogram's outline climbs its height at least twice."""
    return 4.5 * points + 0.6 * (2 * height_px) >= 800


def covered_pixels(edges: np.ndarray) -> np.ndarray:
    """The first pixel inside and the first one past each rectangle (left, top, right, bottom in
    device pixels), as Qt's non-antialiased rasterizer fills it: its edges rounded onto the grid
    of 1/64 pixel, a pixel covered when its centre lies in (top, bottom] and (left, right]."""
    snapped = np.floor(edges * SUBPIXELS + 0.5) / SUBPIXELS
    return np.floor(snapped - 0.5) + 1


def as_corners(first: np.ndarray) -> np.ndarray:
    """``covered_pixels`` as QRect's left, top, right, bottom (a QRect keeps its last pixel, not
    its size), in int32: what ``drawRects`` takes."""
    corners = np.empty(first.shape, dtype=np.int32)
    corners[:, :2] = first[:, :2]
    corners[:, 2:] = first[:, 2:] - 1
    return corners


def device_corners(points: np.ndarray, t: QtGui.QTransform, dpr: float, half) -> np.ndarray:
    """Whole-pixel rectangles (``as_corners``), one per segment of the axis-aligned polyline
    ``points`` (item units) under the painter's world transform ``t`` at device-pixel ratio
    ``dpr``, that together cover the pixels Qt's non-antialiased stroke of it covers with a pen
    ``2 * half`` device pixels wide, square caps and miter joins (``half``: one number, or one
    per segment): each segment's rectangle grown by ``half`` on every side."""
    x = (points[:, 0] * t.m11() + t.dx()) * dpr
    y = (points[:, 1] * t.m22() + t.dy()) * dpr
    x0, x1, y0, y1 = x[:-1], x[1:], y[:-1], y[1:]
    return as_corners(covered_pixels(np.stack([np.minimum(x0, x1) - half, np.minimum(y0, y1) - half,
                                               np.maximum(x0, x1) + half, np.maximum(y0, y1) + half], axis=1)))


def rects_copy_stroke(painter: QtGui.QPainter, exporting: bool) -> bool:
    """Whether ``device_corners`` copy Qt's stroke on ``painter``: an aliased painter, an
    axis-aligned transform, a whole device-pixel ratio, not an export (an SVG gets the path)."""
    return not (exporting or painter.transform().isRotating()
                or not painter.device().devicePixelRatioF().is_integer()
                or painter.testRenderHint(QtGui.QPainter.RenderHint.Antialiasing))


def to_device_pixels(painter: QtGui.QPainter, dpr: float) -> None:
    """Reset the painter's transform to the device's pixels (from its logical ones)."""
    painter.resetTransform()
    if dpr != 1:
        painter.scale(1 / dpr, 1 / dpr)


def step_pen(*args, **kwargs) -> QtGui.QPen:
    """``pg.mkPen(*args, **kwargs)`` with miter joins: square corners on steps (a bevel looks
    blobby on slides), and the joins whose stroke the rectangles copy (``fits_rects``)."""
    pen = pg.mkPen(*args, **kwargs)
    pen.setJoinStyle(QtCore.Qt.PenJoinStyle.MiterJoin)
    return pen


def draw_corners(painter: QtGui.QPainter, corners: np.ndarray) -> None:
    """``painter.drawRects`` of ``corners`` (``as_corners``: QRect's fields, a row each), handed
    to Qt as the array's own memory."""
    painter.drawRects(shiboken6.wrapInstance(corners.ctypes.data, QtCore.QRect), len(corners))


def fits_rects(pen: QtGui.QPen | None) -> bool:
    """Whether ``device_corners`` cover exactly what ``pen`` strokes: opaque (overlapping
    rectangles would show), solid, cosmetic, wider than a pixel (Qt draws thinner ones fast),
    square caps, miter joins."""
    return (pen is not None and pen.widthF() > 1 and pen.isCosmetic()
            and pen.style() == QtCore.Qt.PenStyle.SolidLine
            and pen.capStyle() == QtCore.Qt.PenCapStyle.SquareCap
            and pen.joinStyle() == QtCore.Qt.PenJoinStyle.MiterJoin and pen.miterLimit() >= 1
            and pen.brush().style() == QtCore.Qt.BrushStyle.SolidPattern and pen.color().alpha() == 255)


class RectOutline(QtWidgets.QGraphicsItem):
    """The stroke of its parent PathCurve's step outline, as rectangles where they copy it
    exactly (an aliased painter, an axis-aligned transform, a whole device-pixel ratio, not an
    export); Qt's stroke of the same path anywhere else."""

    def __init__(self, curve):
        super().__init__(curve)
        self._curve = curve
        self._rects: tuple[tuple, np.ndarray] | None = None
        """(the transform they were made for, QRect's left, top, right, bottom of each)"""
        self._exporting = False

    def changed(self) -> None:
        """The curve's points, pen or rectangle changed."""
        self.prepareGeometryChange()
        self._rects = None
        self.update()

    def boundingRect(self) -> QtCore.QRectF:
        return self._curve.boundingRect()

    def setExportMode(self, export: bool, opts: dict | None = None) -> None:
        """pyqtgraph's hook for exports: an SVG gets the path, not rectangles."""
        self._exporting = export

    def paint(self, painter: QtGui.QPainter, option, widget=None) -> None:
        pen = self._curve.opts["pen"]
        corners = None
        if rects_copy_stroke(painter, self._exporting):
            # (the world transform, to the widget's logical pixels: the device transform would add
            # the widget's offset in its window, which the painter adds again after resetTransform)
            t = painter.transform()
            dpr = painter.device().devicePixelRatioF()
            key = (t.m11(), t.m22(), t.dx(), t.dy(), dpr)
            if self._rects is None or self._rects[0] != key:
                points = self._curve.drawn_points()
                drawable = len(points) >= 2 and np.count_nonzero(np.isfinite(points)) == points.size
                self._rects = key, device_corners(points, t, dpr, pen.widthF() / 2) if drawable else None
            corners = self._rects[1]
        if corners is None:  # Qt's stroke, as the curve itself would draw it
            painter.setPen(pen)
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            painter.drawPath(self._curve.path())
            return
        painter.save()
        to_device_pixels(painter, painter.device().devicePixelRatioF())
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.setBrush(pen.color())
        draw_corners(painter, corners)
        painter.restore()
