"""Label: pixel-sized text pinned to a point of a plot, anchored by a corner or an edge."""

import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui.app.views.labels import Label


@pytest.fixture
def view(qtbot):
    view = QtWidgets.QGraphicsView()
    view.setScene(QtWidgets.QGraphicsScene(view))  # (owned by the view, not collected)
    view.scale(40.0, 10.0)  # a plot's data-to-pixel scaling, which labels must ignore
    qtbot.addWidget(view)
    return view


@pytest.mark.parametrize("anchor", [(0, 0), (1, 0.5), (0.5, 1)])
def test_the_anchor_point_of_the_text_sits_on_the_position(view, anchor):
    label = Label(anchor=anchor)
    view.scene().addItem(label)
    label.setText("σ 0.756")
    label.setPos(2.0, 3.0)
    text = label.boundingRect()  # pixels
    on_screen = label.deviceTransform(view.viewportTransform()).mapRect(text)
    pinned = view.viewportTransform().map(QtCore.QPointF(2.0, 3.0))
    expected = QtCore.QPointF(on_screen.left() + anchor[0] * on_screen.width(),
                              on_screen.top() + anchor[1] * on_screen.height())
    assert (expected - pinned).manhattanLength() < 1e-6
    assert on_screen.size() == text.size()  # not scaled with the data


def test_text_colour_and_background_box(view):
    label = Label()
    view.scene().addItem(label)
    label.setText("line one\nline two")
    assert label.toPlainText() == "line one\nline two"
    label.setColor("#ff0000")
    assert label.brush().color() == QtGui.QColor("#ff0000")
    assert not label.box.isVisible()
    label.set_fill(QtGui.QBrush(QtGui.QColor("#202020")))
    assert label.box.isVisible() and label.box.rect().contains(label.boundingRect())
    label.set_fill(QtGui.QBrush())  # a brush with no style: no box
    assert not label.box.isVisible()
