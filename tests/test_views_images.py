"""RgbImageItem: the same picture as pyqtgraph's ImageItem, as a 32-bit RGB image."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtGui

from winit_gui.app.views.images import RgbImageItem


def pixels(qimage: QtGui.QImage) -> np.ndarray:
    """(height, width, 3) RGB of any QImage."""
    rgb = qimage.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    row = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    return row[:, : 3 * rgb.width()].reshape(rgb.height(), rgb.width(), 3).copy()


@pytest.fixture
def lut():
    return pg.ColorMap([0.0, 0.5, 1.0], ["#0072b2", "#808080", "#e69f00"]).getLookupTable(0.0, 1.0, 256, alpha=False)


@pytest.mark.parametrize("axis_order", ["row-major", "col-major"])
def test_colours_are_the_lookup_tables_entries_and_match_image_item(qapp, lut, axis_order):
    rng = np.random.default_rng(3)
    data = rng.uniform(-0.2, 1.2, size=(37, 53))  # values beyond the levels clip to the ends
    fast, plain = RgbImageItem(axisOrder=axis_order), pg.ImageItem(axisOrder=axis_order)
    for item in (fast, plain):
        item.setLookupTable(lut)
        item.setImage(data, autoLevels=False, levels=(0.0, 1.0))
        item.render()
    assert fast.qimage.format() == QtGui.QImage.Format.Format_RGB32
    # ImageItem's mapping: 256 equal steps between the levels
    index = np.clip(np.floor(data * 256), 0, 255).astype(int)
    expected = lut[index if axis_order == "row-major" else index.T]
    got = pixels(fast.qimage)
    np.testing.assert_array_equal(got, expected)
    # pyqtgraph's own picture differs at most by one step of the table, at a step's edge
    step = np.abs(np.diff(lut.astype(int), axis=0)).max()
    assert np.abs(got.astype(int) - pixels(plain.qimage).astype(int)).max() <= step


def test_a_new_image_and_a_new_table_are_drawn(qapp, lut):
    item = RgbImageItem(axisOrder="row-major")
    item.setLookupTable(lut)
    item.setImage(np.zeros((4, 4)), autoLevels=False, levels=(0.0, 1.0))
    item.render()
    assert (pixels(item.qimage) == lut[0]).all()
    item.setImage(np.ones((4, 4)), autoLevels=False, levels=(0.0, 1.0))
    item.render()
    assert (pixels(item.qimage) == lut[-1]).all()
    item.setLookupTable(lut[::-1].copy())
    item.render()
    assert (pixels(item.qimage) == lut[0]).all()


def test_nans_render_as_image_item_does_transparent(qapp, lut):
    item = RgbImageItem(axisOrder="row-major")
    item.setLookupTable(lut)
    data = np.full((3, 3), 0.5)
    data[1, 1] = np.nan
    item.setImage(data, autoLevels=False, levels=(0.0, 1.0))
    item.render()
    assert item.qimage.hasAlphaChannel()
    assert item.qimage.pixelColor(1, 1).alpha() == 0
    assert item.qimage.pixelColor(0, 0).alpha() == 255
