"""StepStack (views/steps.py) draws a stack of filled, outlined step histograms as Qt draws them:
the same pixels as one QGraphicsPathItem fill and one stroked path per histogram, in order."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui.app import export
from drawing import RecordingPainter, StrokedCurve
from winit_gui.app.views.paths import PathCurve
from winit_gui.app.views.steps import StepStack

COLORS = ["#56b4e9", "#e69f00", "#009e73", "#cc79a7", "#f0e442"]


def styles(n: int, width: float = 2.0) -> tuple[list[QtGui.QPen], list[QtGui.QBrush]]:
    pens = [pg.mkPen(COLORS[r % len(COLORS)], width=width) for r in range(n)]
    for pen in pens:
        pen.setJoinStyle(QtCore.Qt.PenJoinStyle.MiterJoin)
    brushes = [pg.mkBrush(QtGui.QColor(COLORS[r % len(COLORS)]).darker(250)) for r in range(n)]
    return pens, brushes


def ridges(rng, n: int = 4, bins: int = 40) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges, tops and bases of ``n`` overlapping ridges: runs of empty bins, needles that reach
    into the ridge above, a bin below its base line."""
    edges = np.linspace(-1.0, 1.0, bins + 1)
    bases = np.arange(n - 1, -1, -1, dtype=float)
    heights = np.where(rng.random((n, bins)) < 0.4, 0.0, rng.random((n, bins)) * 1.4)
    heights[:, :3] = 0.0
    heights[1, bins // 2] = 1.45
    heights[2, 5] = -0.3
    return edges, bases[:, None] + heights, bases


def plot(items, size=(430, 310), down: bool = False) -> pg.PlotWidget:
    widget = pg.PlotWidget()
    widget.invertY(down)
    widget.setBackground("#16181d")
    widget.resize(*size)
    widget.setRange(xRange=(-1.13, 1.09), yRange=(-0.6, 4.7), padding=0)
    for item in items:
        widget.addItem(item)
    widget.grab()
    return widget


def pixels(image: QtGui.QImage) -> np.ndarray:
    image = image.convertToFormat(QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    return np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.width(), 4).copy()


def stack(data, pens, brushes) -> StepStack:
    item = StepStack()
    item.set_styles(pens, brushes)
    item.set_steps(*data)
    return item


def reference(data, pens, brushes) -> list[PathCurve]:
    """One PathCurve a histogram, later ones in front, as the ridgelines drew them before."""
    edges, tops, bases = data
    curves = []
    for r, (row, base) in enumerate(zip(tops, bases)):
        curve = StrokedCurve(fill_level=base, step_mode="center")
        curve.setPen(pens[r])
        curve.setBrush(brushes[r])
        curve.setData(edges, row)
        curve.setZValue(r)
        curves.append(curve)
    return curves


def pictures(data, pens, brushes, grab=lambda widget: widget.grab(), down: bool = False):
    out = []
    for items in ([stack(data, pens, brushes)], reference(data, pens, brushes)):
        widget = plot(items, down=down)
        out.append(pixels(_image(grab(widget))))
        widget.close()
    return out[0], out[1]


def _image(picture) -> QtGui.QImage:
    return picture.toImage() if isinstance(picture, QtGui.QPixmap) else picture


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("width", [2.0, 3.0])
@pytest.mark.parametrize("down", [False, True])  # (the y axis pointing up, as plots have it, or down)
@pytest.mark.parametrize("filled", [True, False])  # (the ridgelines, the saturation view's outlines)
def test_the_stack_draws_the_pixels_of_a_filled_and_stroked_path_per_histogram(qapp, seed, width, down, filled):
    data = ridges(np.random.default_rng(seed))
    pens, brushes = styles(4, width)
    fast, slow = pictures(data, pens, brushes if filled else [None] * 4, down=down)
    for pen in pens:  # (every outline is on screen: BGRA pixels of its colour)
        color = pen.color()
        assert np.count_nonzero(np.all(fast[..., :3] == (color.blue(), color.green(), color.red()), axis=-1)) > 100
    np.testing.assert_array_equal(fast, slow)


def test_the_screen_gets_rectangles_and_an_antialiased_painter_qts_paths(qapp):
    data = ridges(np.random.default_rng(4))
    item = stack(data, *styles(4))
    widget = plot([item])
    try:
        for antialias, calls in ((False, ["rects"] * 8), (True, ["path"] * 8)):
            image = QtGui.QImage(430, 310, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
            painter = RecordingPainter(image)
            painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, antialias)
            painter.setTransform(item.sceneTransform() * widget.viewportTransform())
            item.paint(painter, QtWidgets.QStyleOptionGraphicsItem())
            painter.end()
            assert painter.calls == calls
    finally:
        widget.close()


def test_an_export_is_qts_drawing_and_widens_the_outlines(qapp):
    """An export (pyqtgraph's setExportMode) paints paths, antialiased, as the PathCurves did; a
    2x slide export draws the outlines twice as wide and restores the pens."""
    data = ridges(np.random.default_rng(5))
    pens, brushes = styles(4)
    fast, slow = pictures(data, pens, brushes, grab=lambda widget: export.render_view(widget, 2))
    np.testing.assert_array_equal(fast, slow)
    item = stack(data, pens, brushes)
    widget = plot([item])
    try:
        with export.slide_pens([widget.scene()], 2.0):
            assert [pen.widthF() for pen in item.pens] == [4.0] * 4
        assert [pen.widthF() for pen in item.pens] == [2.0] * 4
    finally:
        widget.close()


def test_the_stack_draws_again_only_for_new_data(qapp):
    data = ridges(np.random.default_rng(6))
    item = stack(data, *styles(4))
    widget = plot([item])
    try:
        points = item.points
        item.set_steps(data[0].copy(), data[1].copy(), data[2].copy())
        assert item.points is points  # the same values: nothing made again
        tops = data[1].copy()
        tops[3, 10] += 0.25
        item.set_steps(data[0], tops, data[2])
        assert item.points is not points
        np.testing.assert_array_equal(pixels(widget.grab().toImage()), _alone(reference((data[0], tops, data[2]),
                                                                                        *styles(4))))
    finally:
        widget.close()


def _alone(items) -> np.ndarray:
    widget = plot(items)
    try:
        return pixels(widget.grab().toImage())
    finally:
        widget.close()


def test_outline_points_skip_flat_runs_and_span_the_axis(qapp):
    item = stack((np.array([0.0, 1.0, 2.0, 3.0, 4.0]), np.array([[1.0, 1.0, 1.0, 3.0]]), np.array([1.0])),
                 *styles(1))
    np.testing.assert_array_equal(item.histogram(0), [[0, 1], [0, 1], [3, 1], [3, 3], [4, 3], [4, 1]])
    rect = item.boundingRect()
    assert rect.left() < 0 and rect.right() > 4 and rect.top() < 1 and rect.bottom() > 3


def test_bad_input_is_refused_and_a_top_that_is_not_finite_is_an_empty_bin(qapp):
    item = stack((np.linspace(0, 1, 5), np.ones((2, 4)), np.zeros(2)), *styles(2))
    with pytest.raises(ValueError, match="bin edges"):
        item.set_steps(np.linspace(0, 1, 4), np.ones((2, 4)), np.zeros(2))
    with pytest.raises(ValueError, match="styles"):
        item.set_steps(np.linspace(0, 1, 5), np.ones((3, 4)), np.zeros(3))
    item.set_steps(np.linspace(0, 1, 5), np.array([[1.0, np.nan, np.inf, 1.0]]), np.zeros(1))
    assert np.isfinite(item.points).all()
    np.testing.assert_array_equal(item.histogram(0)[:, 1], [0, 1, 1, 0, 0, 1, 1, 0])


def test_the_rectangles_are_device_pixels_at_a_device_pixel_ratio_of_two(qapp):
    """A HiDPI screen (ratio 2): the rectangles are worked out in the device's pixels, the same
    ones Qt's fill and stroke cover."""
    data = ridges(np.random.default_rng(8))
    pens, brushes = styles(4)
    out = []
    for items in ([stack(data, pens, brushes)], reference(data, pens, brushes)):
        widget = plot(items)
        image = QtGui.QImage(860, 620, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(2.0)
        image.fill(0)
        painter = QtGui.QPainter(image)
        view = widget.getViewBox()
        widget.scene().render(painter, QtCore.QRectF(0, 0, 430, 310), view.sceneBoundingRect())
        painter.end()
        out.append(pixels(image))
        widget.close()
    assert np.count_nonzero(out[0]) > 10000
    np.testing.assert_array_equal(*out)
