"""PathCurve: the light curve item the views draw their histograms and curves with."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui

from winit_gui.app.export import slide_pens
from winit_gui.app.views.paths import MarkedCurve, PathCurve


def points(path):
    return np.array([(path.elementAt(i).x, path.elementAt(i).y) for i in range(path.elementCount())])


def test_a_step_histogram_is_drawn_as_its_bars(qapp):
    edges, heights = np.array([0.0, 1.0, 2.0, 4.0]), np.array([3.0, 1.0, 2.0])
    curve = PathCurve(pen="w", brush="r", step_mode="center", fill_level=0.5)
    curve.setData(x=edges, y=heights)
    drawn = points(curve.path())
    expected_x = [0, 0, 1, 1, 2, 2, 4, 4]
    expected_y = [0.5, 3, 3, 1, 1, 2, 2, 0.5]  # down to the fill level at both ends
    np.testing.assert_array_equal(drawn, np.column_stack([expected_x, expected_y]))
    assert curve.fill.path().boundingRect() == QtCore.QRectF(0, 0.5, 4, 2.5)
    x, y = curve.getData()
    np.testing.assert_array_equal(x, edges)
    np.testing.assert_array_equal(y, heights)
    assert curve.opts["stepMode"] == "center"


def test_flat_runs_of_a_step_histogram_carry_no_points_but_draw_the_same(qapp):
    """Equal neighbouring bins (runs of empty ones, mostly) add points on a straight line: they
    are left out of the path, which must still draw exactly the same picture."""
    from PySide6 import QtGui, QtWidgets

    edges = np.linspace(0.0, 1.0, 11)
    heights = np.array([0.0, 0.0, 0.0, 0.5, 0.5, 1.0, 0.2, 0.0, 0.0, 0.0])
    curve = PathCurve(pen={"color": "#0072b2", "width": 3}, brush="#e69f00", step_mode="center", fill_level=0.0)
    curve.setData(edges, heights)
    # every point of the full step outline, as np.repeat builds it
    full_x = np.repeat(edges, 2)
    full_y = np.concatenate([[0.0], np.repeat(heights, 2), [0.0]])
    drawn = points(curve.path())
    np.testing.assert_allclose(drawn, [[0, 0], [0, 0], [0.3, 0], [0.3, 0.5], [0.5, 0.5], [0.5, 1],
                                       [0.6, 1], [0.6, 0.2], [0.7, 0.2], [0.7, 0], [1, 0], [1, 0]])
    reference = QtWidgets.QGraphicsPathItem(pg.arrayToQPath(full_x, full_y))
    reference.setPen(curve.pen())
    reference_fill = QtWidgets.QGraphicsPathItem(reference.path(), reference)
    reference_fill.setFlag(QtWidgets.QGraphicsItem.ItemStacksBehindParent)
    reference_fill.setPen(QtGui.QPen(QtCore.Qt.NoPen))
    reference_fill.setBrush(curve.fill.brush())
    pictures = []
    for item in (curve, reference):
        scene = QtWidgets.QGraphicsScene()
        scene.addItem(item)
        image = QtGui.QImage(220, 130, QtGui.QImage.Format_RGB32)
        image.fill(QtGui.QColor("#ffffff"))
        painter = QtGui.QPainter(image)
        scene.render(painter, QtCore.QRectF(0, 0, 220, 130), QtCore.QRectF(-0.05, -0.1, 1.1, 1.2),
                     QtCore.Qt.IgnoreAspectRatio)
        painter.end()
        scene.removeItem(item)
        pictures.append(np.frombuffer(image.constBits(), np.uint8).copy())
    assert (pictures[0] != 255).sum() > 1000
    np.testing.assert_array_equal(pictures[0], pictures[1])


def test_a_filled_line_closes_down_to_its_fill_level(qapp):
    curve = PathCurve(pen="w", brush="r", fill_level=-1.0)
    curve.setData(np.array([0.0, 1.0, 2.0]), np.array([1.0, 2.0, 1.0]))
    np.testing.assert_array_equal(points(curve.path()), [[0, 1], [1, 2], [2, 1]])
    np.testing.assert_array_equal(points(curve.fill.path()), [[0, -1], [0, 1], [1, 2], [2, 1], [2, -1]])
    curve.setFillLevel(None)
    assert curve.fill.path().isEmpty()


def test_pairs_and_gaps(qapp):
    curve = PathCurve(pen="w")
    curve.setData(np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.0, 1.0]), connect="pairs")
    path = curve.path()
    assert [path.elementAt(i).isMoveTo() for i in range(4)] == [True, False, True, False]
    curve.setData(np.array([0.0, 1.0, 2.0]), np.array([0.0, np.nan, 1.0]), connect="finite")
    path = curve.path()
    elements = [path.elementAt(i) for i in range(path.elementCount())]
    assert all(np.isfinite([e.x, e.y]).all() for e in elements)
    assert all(e.isMoveTo() for e in elements if e.x == 2.0)  # nothing joined across the gap


def test_bad_lengths_are_refused(qapp):
    with pytest.raises(ValueError, match="expected 4"):
        PathCurve(step_mode="center").setData(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="expected 3"):
        PathCurve().setData(np.zeros(2), np.zeros(3))


def test_no_pen_means_no_outline(qapp):
    curve = PathCurve(pen=None, brush="r", fill_level=0.0)
    assert curve.opts["pen"] is None and curve.pen().style() == QtCore.Qt.NoPen
    curve.setPen("y", width=3)
    assert curve.opts["pen"].widthF() == 3 and curve.pen().widthF() == 3


def test_slide_export_widens_and_restores_the_pen(qapp):
    from PySide6 import QtWidgets

    scene = QtWidgets.QGraphicsScene()
    curve = PathCurve(pen={"color": "w", "width": 2})
    scene.addItem(curve)
    with slide_pens([scene], 2.0):
        assert curve.pen().widthF() == 4
    assert curve.pen().widthF() == 2


@pytest.mark.parametrize("antialias", [True, False])
def test_a_smooth_curve_antialiases_as_told_whatever_its_view_does(qtbot, antialias):
    from PySide6 import QtGui, QtWidgets

    from winit_gui.app.views.paths import SmoothPathCurve

    view = QtWidgets.QGraphicsView()
    view.setScene(QtWidgets.QGraphicsScene(0, 0, 60, 60, view))
    view.setRenderHint(QtGui.QPainter.Antialiasing, not antialias)
    curve = SmoothPathCurve(pen={"color": "#000000", "width": 2}, connect="pairs", antialias=antialias)
    curve.setData(np.array([5.0, 55.0]), np.array([5.0, 40.0]))  # a slanted line
    view.scene().addItem(curve)
    image = QtGui.QImage(60, 60, QtGui.QImage.Format_RGB32)
    image.fill(QtGui.QColor("#ffffff"))
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.Antialiasing, not antialias)
    view.scene().render(painter)
    painter.end()
    greys = {QtGui.QColor(image.pixel(x, y)).red() for x in range(60) for y in range(60)} - {0, 255}
    assert bool(greys) == antialias  # antialiased edges blend: shades between black and white


@pytest.mark.parametrize("dpr", [1.0, 2.0])
@pytest.mark.parametrize("width", [1.0, 1.4])
@pytest.mark.parametrize("antialias", [False, True])
def test_a_smooth_curve_paints_on_an_image_the_pixels_qt_paints_without_its_clip(qapp, antialias, width, dpr):
    """SmoothPathCurve clips an unclipped image painter to the whole image (Qt then writes a thin
    line's pixels directly): exactly the pixels of the same path drawn without that clip."""
    from PySide6 import QtWidgets

    from winit_gui.app.views.paths import SmoothPathCurve

    rng = np.random.default_rng(int(width * 10 + dpr + antialias))
    ends = rng.uniform(-20, 220, size=(300, 2))  # some beyond the image's edges
    curve = SmoothPathCurve(pen={"color": "#356480", "width": width}, connect="pairs", antialias=antialias)
    curve.setData(ends[:, 0], ends[:, 1])

    def image():
        picture = QtGui.QImage(int(200 * dpr), int(200 * dpr), QtGui.QImage.Format_ARGB32_Premultiplied)
        picture.setDevicePixelRatio(dpr)
        picture.fill(QtCore.Qt.transparent)
        return picture

    drawn, expected = image(), image()
    painter = QtGui.QPainter(drawn)
    painter.translate(0.3, 0.6)
    curve.paint(painter, QtWidgets.QStyleOptionGraphicsItem(), None)
    left_clipped = painter.hasClipping()
    painter.end()
    assert not left_clipped  # (the clip is the curve's own, not left behind)
    painter = QtGui.QPainter(expected)
    painter.translate(0.3, 0.6)
    painter.setRenderHint(QtGui.QPainter.Antialiasing, antialias)
    painter.setPen(curve.pen())
    painter.drawPath(curve.path())
    painter.end()
    assert drawn == expected
    assert drawn != image()


def test_only_an_unclipped_image_or_pixmap_painter_is_clipped_to_its_device(qapp):
    from winit_gui.app.views.paths import clip_to_device

    pixmap = QtGui.QPixmap(30, 20)
    painter = QtGui.QPainter(pixmap)
    painter.scale(2.0, 3.0)
    clip_to_device(painter)
    transform = painter.worldTransform()
    painter.resetTransform()
    clipped = painter.clipBoundingRect()
    painter.setClipRect(QtCore.QRect(2, 2, 5, 5))
    clip_to_device(painter)
    kept = painter.clipBoundingRect()
    painter.end()
    assert transform == QtGui.QTransform.fromScale(2.0, 3.0)
    assert clipped == QtCore.QRectF(0, 0, 30, 20)
    assert kept == QtCore.QRectF(2, 2, 5, 5)  # a clip of its own is kept
    picture = QtGui.QPicture()  # (as an SVG: a clip would be written into the file)
    painter = QtGui.QPainter(picture)
    clip_to_device(painter)
    picture_clipped = painter.hasClipping()
    painter.end()
    assert not picture_clipped


def marked_points(curve):
    return np.column_stack(curve.marks.getData())


def test_markers_sit_on_the_finite_points_and_an_empty_set_is_not_painted(qapp):
    plot = pg.PlotItem()  # owns the curve's items
    curve = MarkedCurve(plot, "o")
    curve.setData(np.array([1.0, 2.0, 3.0]), np.array([0.5, np.nan, 2.0]))
    np.testing.assert_array_equal(marked_points(curve), [[1, 0.5], [3, 2]])
    assert curve.marks.isVisible()
    curve.setData(np.array([1.0]), np.array([np.inf]))
    assert len(marked_points(curve)) == 0 and not curve.marks.isVisible()


def test_lone_only_marks_a_single_point_but_not_a_run(qapp):
    plot = pg.PlotItem()
    curve = MarkedCurve(plot, "o", lone_only=True)
    curve.setData(np.array([0.0]), np.array([0.7]))
    np.testing.assert_array_equal(marked_points(curve), [[0, 0.7]])
    assert curve.marks.isVisible()
    curve.setData(np.array([0.0, 10.0]), np.array([0.7, 0.6]))
    assert not curve.marks.isVisible()
    np.testing.assert_array_equal(np.column_stack(curve.getData()), [[0, 0.7], [10, 0.6]])
    curve.setData(np.array([5.0]), np.array([np.nan]))
    assert not curve.marks.isVisible()


@pytest.mark.parametrize("width", [1, 2.5, 6])
@pytest.mark.parametrize("shape", ["steps", "zigzag", "pairs"])
def test_the_bounding_rect_holds_what_qt_would_have_it_hold(qapp, width, shape):
    """PathCurve measures its rectangle from the path's extent instead of stroking the path as
    QGraphicsPathItem does; it must still hold Qt's own rectangle (sharp zigzag: long miters)."""
    from PySide6 import QtWidgets

    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    y = np.array([0.0, 5.0, 0.0, 5.0, 0.2, 4.0])
    kwargs = {"steps": {"step_mode": "center"}, "zigzag": {}, "pairs": {"connect": "pairs"}}[shape]
    curve = PathCurve(pen={"color": "w", "width": width}, **kwargs)
    curve.setData(x, y[:-1] if shape == "steps" else y)
    reference = QtWidgets.QGraphicsPathItem(curve.path())
    reference.setPen(curve.pen())
    qt_rect, rect = reference.boundingRect(), curve.boundingRect()
    assert rect.contains(qt_rect), (rect, qt_rect)
    assert rect.width() <= curve.path().controlPointRect().width() + 2 * 2.5 * width + 1e-9  # not much more
    curve.setPen({"color": "w", "width": 2 * width})  # a wider pen: a larger rectangle
    assert curve.boundingRect().contains(rect) and curve.boundingRect() != rect
    curve.setData(np.zeros(1 if shape == "steps" else 0), np.zeros(0))  # (steps: one edge, no bin)
    assert curve.boundingRect().isEmpty()


def elements(path):
    return [(path.elementAt(i).type, path.elementAt(i).x, path.elementAt(i).y) for i in range(path.elementCount())]


@pytest.mark.parametrize("connect", ["all", "finite", "pairs"])
@pytest.mark.parametrize("n", [0, 1, 2, 7, 86])
@pytest.mark.parametrize("gap", [False, True])
def test_a_path_has_the_elements_pyqtgraph_would_give_it(qapp, connect, n, gap):
    """PathCurve builds its paths itself where every point is finite (faster than
    pg.arrayToQPath); the path must be the one arrayToQPath builds, element for element."""
    from winit_gui.app.views.paths import points_path

    rng = np.random.default_rng(n)
    x, y = np.cumsum(rng.random(n)), rng.normal(size=n) * 1e3
    if gap and n:
        y[n // 2] = np.nan
    expected = pg.arrayToQPath(x, y, connect)
    path = points_path(np.column_stack([x, y]), connect)
    assert elements(path) == elements(expected)
    assert path.fillRule() == expected.fillRule()


def test_new_data_equal_to_the_drawn_keep_the_path_and_any_change_draws_anew(qapp, monkeypatch):
    from winit_gui.app.views import paths

    built = []
    monkeypatch.setattr(paths, "points_path", lambda *args: built.append(args) or pg.arrayToQPath(*args[0].T, args[1]))
    curve = PathCurve(pen="w", brush="r", step_mode="center", fill_level=0.0)
    edges, heights = np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 0.0, 2.0])
    curve.setData(edges, heights)
    path = curve.path()
    curve.setData(edges.copy(), heights.copy())
    assert len(built) == 1 and curve.path() == path
    heights[1] = 3.0  # changed in place, then handed over again: drawn anew all the same
    curve.setData(edges, heights)
    np.testing.assert_array_equal(points(curve.path())[:, 1], [0, 1, 1, 3, 3, 2, 2, 0])
    assert curve.fill.path() == curve.path()
    curve.setFillLevel(-1.0)  # the steps start and end on the new fill level from the next data
    curve.setData(edges, heights)
    np.testing.assert_array_equal(points(curve.path())[[0, -1], 1], [-1, -1])
    curve.setData(edges, heights, connect="pairs")  # the same points, joined otherwise
    move, line = QtGui.QPainterPath.MoveToElement, QtGui.QPainterPath.LineToElement
    assert [e[0] for e in elements(curve.path())][:4] == [move, line, move, line]
    assert len(built) == 4
