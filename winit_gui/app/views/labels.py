"""A text label pinned to a point of a plot, at a fixed pixel size: ridgeline notes, network labels.

Why not pyqtgraph's TextItem: it wraps a QGraphicsTextItem, a rich-text document that lays
itself out again on every new text (~0.1 ms) and repositions itself in Python whenever the view
moves. The ridgeline notes (mean, std, clipped shares) change on every frame while training runs.
``Label`` is Qt's plain QGraphicsSimpleTextItem, which ignores the plot's scaling; it keeps the
part of TextItem's interface the views use (``setText``, ``toPlainText``, ``setColor``,
``setFont``, ``setAnchor``) and draws an optional background box (``set_fill``).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

PADDING = QtCore.QMarginsF(3, 1, 3, 1)
"""Pixels between the text and the edge of its background box."""


class Label(QtWidgets.QGraphicsSimpleTextItem):
    def __init__(self, anchor: tuple[float, float] = (0.0, 0.0), parent: QtWidgets.QGraphicsItem | None = None):
        """``anchor``: the point of the text's box placed at ``pos()``, as fractions of its
        width and height ((0, 0) top left, (1, 0.5) the middle of the right edge)."""
        super().__init__(parent)
        self.setFlag(QtWidgets.QGraphicsItem.ItemIgnoresTransformations)
        self.setPen(QtGui.QPen(QtCore.Qt.NoPen))
        self.box = QtWidgets.QGraphicsRectItem(self)
        self.box.setFlag(QtWidgets.QGraphicsItem.ItemStacksBehindParent)
        self.box.setPen(QtGui.QPen(QtCore.Qt.NoPen))
        self.box.setVisible(False)
        self._anchor = anchor
        self._text = ""
        self._boxed = False
        """Whether the box is shown (set_fill): a box not shown is not kept to the text's size."""
        self._shift: tuple[float, float] | None = None
        """The translation last set to put the anchor at pos()."""
        self._place()

    def setText(self, text: str) -> None:
        if text != self._text:  # (a Python string kept: asking Qt for its text costs a call)
            self._text = text
            super().setText(text)
            self._place()

    def toPlainText(self) -> str:
        return self.text()

    def setColor(self, color) -> None:
        self.setBrush(QtGui.QColor(color))

    def setFont(self, font: QtGui.QFont) -> None:
        super().setFont(font)
        self._place()

    def setAnchor(self, anchor: tuple[float, float]) -> None:
        self._anchor = anchor
        self._place()

    def set_fill(self, brush: QtGui.QBrush | None) -> None:
        """A background box behind the text (legible over a curve), or none."""
        self._boxed = brush is not None and brush.style() != QtCore.Qt.NoBrush
        self.box.setVisible(self._boxed)
        if brush is not None:
            self.box.setBrush(brush)
        self._place()

    def _place(self) -> None:
        # (in pixels: the item ignores the plot's scaling, so its own coordinates are pixels)
        rect = super().boundingRect()
        ax, ay = self._anchor
        shift = (-ax * rect.width(), -ay * rect.height())
        if shift != self._shift:  # (a note anchored on its left edge keeps it whatever its text)
            self._shift = shift
            self.setTransform(QtGui.QTransform.fromTranslate(*shift))
        if self._boxed:  # (set_fill fits a box it shows)
            self.box.setRect(rect.marginsAdded(PADDING))
