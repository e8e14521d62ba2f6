"""PixelMarks: fixed-size symbols at data points, checked on the pixels they paint."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui

from winit_gui.app.export import slide_pens
from winit_gui.app.views.marks import PixelMarks

RED, BLUE, BACKGROUND = "#ff0000", "#0000ff", "#000000"


@pytest.fixture
def plot(qtbot):
    widget = pg.PlotWidget(background=BACKGROUND)
    widget.resize(300, 300)
    widget.hideAxis("left")
    widget.hideAxis("bottom")
    widget.setRange(xRange=(0, 10), yRange=(0, 10), padding=0)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def marks(plot, size=12.0):
    item = PixelMarks([("o", pg.mkBrush(RED), pg.mkPen(None)), ("s", pg.mkBrush(BLUE), pg.mkPen(None))], size)
    plot.addItem(item)
    return item


def colour_at(plot, x: float, y: float) -> str:
    """The colour painted at data point (x, y)."""
    plot.repaint()
    image = plot.grab().toImage()
    pos = plot.mapFromScene(plot.getPlotItem().vb.mapViewToScene(QtCore.QPointF(x, y)))
    return image.pixelColor(pos).name()


def test_each_point_is_drawn_in_its_style_where_it_lies(plot):
    item = marks(plot)
    item.setData([2.0, 5.0, 8.0], [2.0, 5.0, 8.0], style=[0, 1, 0])
    assert [colour_at(plot, v, v) for v in (2.0, 5.0, 8.0)] == [RED, BLUE, RED]
    assert colour_at(plot, 2.0, 8.0) == BACKGROUND
    # a symbol is `size` pixels across: 4 px from the centre is inside, 8 px is not
    vb = plot.getPlotItem().vb
    per_px = vb.viewPixelSize()[0]
    assert colour_at(plot, 2.0 + 4 * per_px, 2.0) == RED
    assert colour_at(plot, 2.0 + 8 * per_px, 2.0) == BACKGROUND


def test_new_data_styles_and_ranges_are_drawn_not_the_last_picture(plot):
    item = marks(plot)
    item.setData([2.0], [2.0])
    assert colour_at(plot, 2.0, 2.0) == RED
    item.setData([6.0], [6.0], style=[1])  # moved and restyled
    assert colour_at(plot, 6.0, 6.0) == BLUE and colour_at(plot, 2.0, 2.0) == BACKGROUND
    item.set_styles([("o", pg.mkBrush("#00ff00"), pg.mkPen(None)), ("s", pg.mkBrush(BLUE), pg.mkPen(None))])
    assert colour_at(plot, 6.0, 6.0) == BLUE
    item.setData([6.0], [6.0])
    assert colour_at(plot, 6.0, 6.0) == "#00ff00"
    plot.setRange(xRange=(5, 7), yRange=(5, 7), padding=0)  # the axes move: so does the blit list
    assert colour_at(plot, 6.0, 6.0) == "#00ff00"
    plot.setRange(xRange=(0, 4), yRange=(0, 4), padding=0)
    assert QtGui.QColor(colour_at(plot, 2.0, 2.0)).name() == BACKGROUND


def test_non_finite_points_are_skipped_and_bad_input_refused(plot):
    item = marks(plot)
    item.setData([2.0, np.nan, 8.0], [2.0, 5.0, np.inf])
    assert colour_at(plot, 2.0, 2.0) == RED
    with pytest.raises(ValueError):
        item.setData([1.0, 2.0], [1.0])
    with pytest.raises(ValueError):
        item.setData([1.0], [1.0], style=[2])  # only two styles
    item.setData([], [])
    assert item.boundingRect().isEmpty()


def test_the_bounding_rect_holds_the_symbols(plot):
    item = marks(plot, size=20.0)
    item.setData([2.0, 8.0], [3.0, 7.0])
    rect = item.boundingRect()
    per_px = plot.getPlotItem().vb.viewPixelSize()[0]
    assert rect.left() <= 2.0 - 10 * per_px and rect.right() >= 8.0 + 10 * per_px
    assert rect.top() <= 3.0 - 10 * per_px and rect.bottom() >= 7.0 + 10 * per_px
    # the margin is in pixels: after a zoom out (and new data) it is as many pixels, more data units
    plot.setRange(xRange=(0, 40), yRange=(0, 40), padding=0)
    plot.grab()  # (a paint: the view takes its new range)
    item.setData([2.0, 8.0], [3.0, 6.0])
    rect = item.boundingRect()
    per_px = plot.getPlotItem().vb.viewPixelSize()[0]
    assert per_px > 0.1
    assert rect.left() <= 2.0 - 10 * per_px and rect.right() >= 8.0 + 10 * per_px
    assert rect.top() <= 3.0 - 10 * per_px and rect.bottom() >= 6.0 + 10 * per_px
    assert rect.bottom() < 6.0 + 14 * per_px  # the new data's extent, not the old one's


def test_slide_export_widens_the_outlines_and_restores_them(plot):
    item = PixelMarks([("o", pg.mkBrush(None), pg.mkPen(RED, width=1.5))])
    plot.addItem(item)
    with slide_pens([plot.scene()], 2.0):
        assert item.styles[0][2].widthF() == 3.0
    assert item.styles[0][2].widthF() == 1.5


def picture(plot) -> np.ndarray:
    plot.repaint()
    image = plot.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, :4 * image.width()].reshape(image.height(), image.width(), 4)[..., :3].copy()


def test_cached_points_paint_the_picture_direct_blits_paint(plot):
    """``cached`` draws the same blits into a pixmap: the same picture (to a rounding step, source-
    over being associative), points overlapping and at sub-pixel places included; new data is drawn
    on a cleared pixmap (Qt's item cache left the old points showing)."""
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0.5, 9.5, 300), rng.uniform(0.5, 9.5, 300)
    styles = [("o", pg.mkBrush(RED), pg.mkPen("#ffffff", width=1.2)), ("s", pg.mkBrush(None), pg.mkPen(BLUE, width=1.5))]
    item = PixelMarks(styles, 9.0)
    plot.addItem(item)
    item.setData(x, y, style=rng.integers(0, 2, 300))
    direct = picture(plot)
    item.cached = True
    item.setData(x, y, style=item.style)
    cached = picture(plot)
    assert item._picture is not None  # (the cached path drew it)
    assert np.abs(direct.astype(int) - cached.astype(int)).max() <= 2
    assert direct.any(axis=-1).sum() > 5000  # (300 symbols of 9 px: the pictures compared are not blank)
    item.setData([5.0], [5.0])  # a new data set, within the old one's extent
    assert colour_at(plot, 5.0, 5.0) == RED
    assert picture(plot).any(axis=-1).sum() < 200  # one symbol of 9 px, not the 300 before
    plot.setRange(xRange=(4, 6), yRange=(4, 6), padding=0)  # a new transform redraws the pixmap
    assert colour_at(plot, 5.0, 5.0) == RED
