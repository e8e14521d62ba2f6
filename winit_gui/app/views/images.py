"""Heat maps that Qt blits without converting them on every paint.

Why: pyqtgraph's ImageItem turns a one-channel image with a 256-entry lookup table into an
8-bit indexed QImage. Qt converts an indexed image to 32-bit colour on every paint it is
scaled in, again and again while the data stay the same (measured: about 1 ms a frame for the
decision boundary's 253 x 253 heat map, and 1 ms for the saturation history). ``RgbImageItem``
looks the colours up once per setImage, into a 32-bit RGB image that Qt scales directly.
Levels that are already lookup-table indices (uint8, as the engine sends the decision boundary)
are looked up by Qt itself, in C++: in numpy that gather was most of the heat map's cost.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui


class RgbImageItem(pg.ImageItem):
    """An ImageItem for one-channel float data with fixed ``levels`` and an opaque lookup table,
    or for uint8 data that index a table of 256 colours directly (``levels`` unused): its QImage
    is 32-bit RGB. Anything else (NaNs, colour data, no table) renders as ImageItem does."""

    def __init__(self, *args, **kwargs):
        self._table: tuple[object, np.ndarray, list[int]] | None = None
        """(the lut it was made from, its colours as 0xffRRGGBB words, the same as a list for
        QImage.setColorTable)"""
        self._pixels: np.ndarray | None = None
        """The QImage's buffer: QImage does not own it, so it lives here."""
        super().__init__(*args, **kwargs)

    def render(self) -> None:
        image, lut, levels = self.image, self.lut, self.levels
        if image is not None and image.ndim == 2 and image.dtype == np.uint8 and isinstance(lut, np.ndarray) \
                and len(lut) == 256:  # (an Indexed8 QImage's colour table)
            self._render_indices(image if self.axisOrder == "row-major" else image.T, lut)
            return
        if (image is None or image.ndim != 2 or image.size == 0 or not isinstance(lut, np.ndarray)
                or levels is None or np.ndim(levels) != 1 or image.dtype.kind != "f" or np.isnan(image.min())):
            self._pixels = None
            super().render()
            return
        if self.axisOrder == "col-major":
            image = image.T
        table = self._colours(lut)[0]
        low, high = float(levels[0]), float(levels[1])
        # ImageItem's own mapping: len(lut) equal steps between the levels, ends clipped
        scale = len(table) / (high - low) if high != low else 0.0
        index = np.clip((image - low) * scale, 0, len(table) - 1).astype(np.intp)
        self._pixels = np.ascontiguousarray(table[index])
        height, width = self._pixels.shape
        self.qimage = QtGui.QImage(self._pixels.data, width, height, 4 * width, QtGui.QImage.Format.Format_RGB32)
        self._renderRequired = False
        self._unrenderable = False

    def _render_indices(self, image: np.ndarray, lut: np.ndarray) -> None:
        image = np.ascontiguousarray(image)
        height, width = image.shape
        indexed = QtGui.QImage(image.data, width, height, width, QtGui.QImage.Format.Format_Indexed8)
        indexed.setColorTable(self._colours(lut)[1])
        self.qimage = indexed.convertToFormat(QtGui.QImage.Format.Format_RGB32)  # (a copy: owns its pixels)
        self._pixels = None
        self._renderRequired = False
        self._unrenderable = False

    def _colours(self, lut: np.ndarray) -> tuple[np.ndarray, list[int]]:
        """The lut's colours as 0xffRRGGBB words, as an array and as a list (made once per lut)."""
        if self._table is None or self._table[0] is not lut:
            rgb = np.asarray(lut[:, :3], dtype=np.uint32)
            words = (0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]).astype(np.uint32)
            self._table = (lut, words, words.tolist())
        return self._table[1], self._table[2]
