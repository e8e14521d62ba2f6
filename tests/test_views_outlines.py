"""Tall step outlines filled as rectangles (views/outlines.py) must cover exactly the pixels Qt's
stroke covers, and be used only where that holds."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui.app.views.outlines import device_corners, draw_corners
from drawing import RecordingPainter, StrokedCurve
from winit_gui.app.views.paths import PathCurve


def pixels(image: QtGui.QImage) -> np.ndarray:
    return np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.width(), 4).copy()


def blank(size: int, dpr: float = 1.0) -> QtGui.QImage:
    image = QtGui.QImage(int(size * dpr), int(size * dpr), QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(dpr)
    image.fill(0)
    return image


def step_outline(rng, bins: int = 30):
    edges = np.linspace(10, 190, bins + 1) + rng.random()
    heights = np.concatenate([[0.0], np.repeat(rng.random(bins) * 150, 2), [0.0]])
    return np.repeat(edges, 2), 180 - heights + rng.random()


@pytest.mark.parametrize("dpr", [1.0, 2.0])
@pytest.mark.parametrize("width", [1.5, 2.0, 2.5, 3.0])
def test_rectangles_cover_the_pixels_of_qts_stroke(qapp, width, dpr):
    """Random step outlines under random scalings: Qt's own non-antialiased stroke (square caps,
    miter joins) and the rectangles of device_corners give the same image, byte for byte. Edges
    that nearly meet a pixel's centre decide on Qt's 1/64-pixel grid (without it, some 2500
    pixels in 40 outlines differed)."""
    rng = np.random.default_rng(int(width * 10 + dpr))
    for _ in range(8):
        x, y = step_outline(rng)
        sx, sy = 1 + rng.random(), 0.5 + rng.random()
        stroked = blank(420, dpr)
        painter = QtGui.QPainter(stroked)
        painter.scale(sx, sy)
        pen = pg.mkPen("#e69f00", width=width)
        pen.setJoinStyle(QtCore.Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        painter.drawPath(pg.arrayToQPath(x, y))
        painter.end()

        filled = blank(420, dpr)
        painter = QtGui.QPainter(filled)
        corners = device_corners(np.column_stack([x, y]), QtGui.QTransform.fromScale(sx, sy), dpr, width / 2)
        painter.scale(1 / dpr, 1 / dpr)
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.setBrush(QtGui.QColor("#e69f00"))
        draw_corners(painter, corners)
        painter.end()
        assert pixels(stroked).any(axis=-1).sum() > 1000
        np.testing.assert_array_equal(pixels(filled), pixels(stroked))


def saturated(rng, bins: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """A saturated layer's histogram: every bin filled, needles at both ends."""
    heights = rng.random(bins) * 0.2
    heights[0] = heights[-1] = 1.0
    return np.linspace(0.0, 1.0, bins + 1), heights


def in_plot(curves, size=(420, 300)) -> pg.PlotWidget:
    """``curves`` drawn in a plot as the views draw theirs (widget, view box, item transform)."""
    widget = pg.PlotWidget()
    widget.setBackground("#16181d")
    widget.resize(*size)
    widget.setRange(xRange=(-0.1, 1.1), yRange=(-0.1, 1.2), padding=0)
    for curve in curves:
        curve.setPos(0.0, 0.05)
        curve.setTransform(QtGui.QTransform.fromScale(1.0, 0.9))
        widget.addItem(curve)
    widget.grab()  # (laid out: the curves' scale is the plot's)
    return widget


def picture(widget) -> np.ndarray:
    return pixels(widget.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_ARGB32_Premultiplied))


def make(kind, data, pen=None, brush="#2c4a5f"):
    curve = kind(fill_level=0.0, step_mode="center")
    curve.setPen(pen if pen is not None else pg.mkPen("#56b4e9", width=2))
    curve.setBrush(brush)
    curve.setData(*data)
    return curve


def drawn_alone(curve) -> np.ndarray:
    widget = in_plot([curve])
    try:
        return picture(widget)
    finally:
        widget.close()


def test_a_tall_outline_is_filled_as_rectangles_and_looks_as_its_stroke_does(qapp):
    data = saturated(np.random.default_rng(1))
    fast = make(PathCurve, data)
    widget = in_plot([fast])
    assert fast._outline is not None and fast._outline.isVisible()
    assert fast.pen().style() == QtCore.Qt.PenStyle.NoPen  # Qt no longer strokes it
    image = QtGui.QImage(420, 300, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    painter = RecordingPainter(image)
    painter.setTransform(fast.sceneTransform())
    fast._outline.paint(painter, QtWidgets.QStyleOptionGraphicsItem())
    painter.end()
    assert painter.calls == ["rects"]
    fast_picture = picture(widget)
    widget.close()
    np.testing.assert_array_equal(fast_picture, drawn_alone(make(StrokedCurve, data)))


def test_a_short_outline_stays_qts_and_a_tall_one_that_shrinks_goes_back(qapp):
    rng = np.random.default_rng(2)
    edges = np.linspace(0.0, 1.0, 9)
    low = (edges, rng.random(8) * 0.1)
    curve = make(PathCurve, saturated(rng))
    widget = in_plot([curve])
    assert curve._outline.isVisible()
    curve.setData(*low)
    assert not curve._outline.isVisible() and curve.pen() == curve.opts["pen"]
    shrunk = picture(widget)
    widget.close()
    np.testing.assert_array_equal(shrunk, drawn_alone(make(StrokedCurve, low)))


@pytest.mark.parametrize("pen", [{"color": (86, 180, 233, 128), "width": 2},  # translucent: overlaps would show
                                 {"color": "#56b4e9", "width": 2, "style": QtCore.Qt.PenStyle.DashLine},
                                 {"color": "#56b4e9", "width": 1}])
def test_pens_the_rectangles_cannot_copy_are_stroked(qapp, pen):
    data = saturated(np.random.default_rng(3))
    fast = make(PathCurve, data, pg.mkPen(**pen))
    np.testing.assert_array_equal(drawn_alone(fast), drawn_alone(make(StrokedCurve, data, pg.mkPen(**pen))))
    assert fast._outline is None


def test_new_data_a_new_pen_and_points_that_are_not_finite_are_drawn_as_qt_would(qapp):
    """The rectangles are kept from one paint to the next: new data, a new pen and a point that
    is not finite (Qt leaves its segments out) must each be drawn anew."""
    rng = np.random.default_rng(4)
    fast, reference = make(PathCurve, saturated(rng)), make(StrokedCurve, saturated(rng))
    widget = in_plot([fast])
    other = in_plot([reference])
    for change in (lambda c: c.setData(*saturated(np.random.default_rng(5))),
                   lambda c: c.setPen(pg.mkPen("#e69f00", width=3)),
                   lambda c: c.setData(c.getData()[0], np.where(np.arange(96) == 40, np.nan, c.getData()[1]))):
        change(fast)
        change(reference)
        assert fast._outline.isVisible()
        np.testing.assert_array_equal(picture(widget), picture(other))
    widget.close()
    other.close()


@pytest.mark.parametrize("how", ["antialiased", "export"])
def test_an_antialiased_painter_and_an_export_get_the_stroke(qapp, how):
    """Exports (an SVG gets the path) and smooth pictures: the rectangles only copy the aliased
    stroke on screen."""
    fast = make(PathCurve, saturated(np.random.default_rng(6)))
    widget = in_plot([fast])
    outline = fast._outline
    assert outline.isVisible()
    images, calls = [], []
    for item in (outline, None):
        image = blank(420)
        painter = RecordingPainter(image)
        painter.setTransform(fast.sceneTransform())
        if how == "antialiased":
            painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        if item is None:  # the reference: Qt's stroke of the path, with the same pen
            painter.setPen(fast.opts["pen"])
            painter.drawPath(fast.path())
        else:
            item.setExportMode(how == "export")
            item.paint(painter, QtWidgets.QStyleOptionGraphicsItem())
        painter.end()
        images.append(pixels(image))
        calls.append(painter.calls)
    widget.close()
    assert calls[0] == ["path"]
    np.testing.assert_array_equal(*images)


def test_the_outline_is_drawn_in_its_curves_place_among_others(qapp):
    """Overlapping curves keep their order: each outline is drawn right after its own curve,
    before the next curve up (the saturation view's six overlays overlap)."""
    rng = np.random.default_rng(7)
    colors = ["#e69f00", "#56b4e9", "#009e73"]

    def curves(kind):
        made = []
        for i, color in enumerate(colors):
            curve = make(kind, saturated(rng), pg.mkPen(color, width=2), brush=None)
            curve.setZValue(i)
            made.append(curve)
        return made

    fast = curves(PathCurve)
    rng = np.random.default_rng(7)
    reference = curves(StrokedCurve)
    pictures = []
    for made in (fast, reference):
        widget = in_plot(made)
        pictures.append(picture(widget))
        if made is fast:
            assert all(curve._outline is not None and curve._outline.isVisible() for curve in made)
        widget.close()
    np.testing.assert_array_equal(*pictures)


def test_a_slide_export_widens_a_tall_outline_drawn_as_rectangles(qapp):
    """The curve's own pen is none while its RectOutline draws the line: a 2x export must still
    draw that line twice as wide (it was left at 2 px beside 4 px ones)."""
    from winit_gui.app import export

    curve = make(PathCurve, saturated(np.random.default_rng(3)))
    widget = in_plot([curve])
    try:
        assert curve._outline.isVisible()
        with export.slide_pens([widget.scene()], 2.0):
            assert curve.opts["pen"].widthF() == 4
            wide = pixels(export.render_view(widget, 2).convertToFormat(QtGui.QImage.Format.Format_ARGB32_Premultiplied))
        assert curve.opts["pen"].widthF() == 2 and curve._outline.isVisible()
        narrow = pixels(export.render_view(widget, 2).convertToFormat(QtGui.QImage.Format.Format_ARGB32_Premultiplied))
    finally:
        widget.close()
    blue = lambda image: np.count_nonzero(np.all(image[..., :3] == (233, 180, 86), axis=-1))  # noqa: E731 (BGRA)
    assert blue(wide) > 1.6 * blue(narrow)
