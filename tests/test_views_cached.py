"""Items cached as pixmaps (axes, fixed curves and lines) never show a stale picture.

A view that drew snapshot A and then B must look exactly like a fresh view that drew only B: the
axes change range and labels, the data points move, the derivative curve belongs to another
activation. (A theme switch is not compared this way: the layout of a switched view
may differ from a fresh one's by a few pixels, cached items or not.)
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui import snapshot
from winit_gui.app.views.activations import ActivationView
from winit_gui.app.views.base import CONTAINERS, Axis, ViewBox
from winit_gui.app.views.boundary import BoundaryView
from winit_gui.app.views.gradients import GradientView
from winit_gui.app.views.loss import LossView
from winit_gui.app.views.network import NetworkView
from winit_gui.app.views.saturation import SaturationView
from winit_gui.settings import Settings
from winit_gui.training import Trainer

CIRCLE = Settings(dataset="circle", depth=3, width=6, activation="tanh", init="glorot_uniform")
XOR_DEEP = Settings(dataset="xor", depth=6, width=8, activation="sigmoid", init="random_normal", gain=3.0,
                    seed=7)
CHANGES = {  # a second experiment that changes what the view caches, but not its layout
    BoundaryView: CIRCLE.replace(seed=5),  # other data points (kept drawn in PixelMarks' own pixmap)
    GradientView: XOR_DEEP,  # other layers and axis ranges
    LossView: XOR_DEEP,  # another loss range, a run instead of one point
    SaturationView: CIRCLE.replace(activation="relu", init="he_normal"),  # another derivative curve
}


def build(settings: Settings, steps: int) -> snapshot.Snapshot:
    trainer = Trainer(settings)
    for _ in range(steps):
        trainer.train(1)
        snapshot.build(trainer, serial=1, playing=True)  # records the loss and saturation history
    return snapshot.build(trainer, serial=1, playing=False)


def picture(qtbot, cls, theme, snaps) -> np.ndarray:
    view = cls(theme)
    qtbot.addWidget(view)
    view.resize(640, 420)
    view.show()
    qtbot.waitExposed(view)
    axes = [item for item in view.scene().items() if isinstance(item, pg.AxisItem) and item.isVisible()]
    assert axes or cls is NetworkView  # (the diagram has no axes: its edge buckets are cached)
    assert all(a.cacheMode() == QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache for a in axes)
    assert any(item.cacheMode() == QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache
               for item in view.scene().items() if item.isVisible())
    for snap in snaps:
        view.show_snapshot(snap)
        # painted as the app paints (MainWindow.paint_now): the cached items are drawn into their
        # pixmaps here. (Waiting for Qt's own paint instead made the test depend on the machine's
        # load: a busy machine skipped or delayed paints, and text came out a subpixel apart.)
        QtCore.QCoreApplication.sendPostedEvents(view.scene(), QtCore.QEvent.MetaCall)
        view.viewport().repaint()
        qtbot.wait(20)
    QtCore.QCoreApplication.sendPostedEvents()
    image = view.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    view.close()
    return np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1).copy()


@pytest.mark.parametrize("cls", list(CHANGES))
def test_a_redrawn_view_shows_no_stale_cached_item(qtbot, theme, cls):
    first, second = build(CIRCLE, 0), build(CHANGES[cls], 30)
    redrawn = picture(qtbot, cls, theme, [first, second])
    fresh = picture(qtbot, cls, theme, [second])
    assert not np.array_equal(picture(qtbot, cls, theme, [first]), fresh)  # the two pictures differ
    np.testing.assert_array_equal(redrawn, fresh)


def test_network_buckets_kept_in_pixmaps_follow_new_weights(qtbot, theme):
    """Snapshots in quick succession (a drag, training) draw moving pictures, in which every edge
    bucket is kept drawn in a pixmap: after other weights the diagram is that of a view that only
    ever had them."""
    first, second = build(CIRCLE, 0), build(CIRCLE.replace(seed=5), 30)
    redrawn = picture(qtbot, NetworkView, theme, [first, second, second])
    fresh = picture(qtbot, NetworkView, theme, [second, second])
    assert not np.array_equal(picture(qtbot, NetworkView, theme, [first, first]), fresh)
    np.testing.assert_array_equal(redrawn, fresh)


def test_an_axis_bounding_rectangle_follows_its_size_and_style(qtbot, theme):
    """Axis keeps its bounding rectangle between frames: a new size or style must replace it."""
    view = SaturationView(theme)
    qtbot.addWidget(view)
    view.resize(640, 420)
    view.show()
    qtbot.waitExposed(view)
    axes = [item for item in view.scene().items() if isinstance(item, Axis)]
    assert len(axes) >= 6

    def as_pyqtgraph_has_it():
        return all(axis.boundingRect() == pg.AxisItem.boundingRect(axis) for axis in axes)

    assert as_pyqtgraph_has_it()
    before = [QtCore.QRectF(axis.boundingRect()) for axis in axes]
    view.resize(900, 300)
    QtCore.QCoreApplication.sendPostedEvents()
    QtWidgets.QApplication.processEvents()
    assert [axis.boundingRect() for axis in axes] != before
    assert as_pyqtgraph_has_it()
    for axis in axes:
        axis.setStyle(tickLength=-12, hideOverlappingLabels=False)
    assert as_pyqtgraph_has_it()


def test_a_view_box_bounding_rectangle_is_pyqtgraphs_at_every_moment_of_a_resize(qtbot):
    """ViewBox keeps its bounding rectangle between changes of its geometry. Qt asks for it (and
    caches the clip of its children) while it resizes the box, before geometryChanged: the one
    kept must be the new one then, or a child at the edge is clipped at the old size."""
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    boxes = [ViewBox(), pg.ViewBox()]
    seen = []
    for col, box in enumerate(boxes):
        widget.ci.addItem(box, row=0, col=col)
        box.setRange(xRange=(0, 10), yRange=(0, 10), padding=0)
        dot = QtWidgets.QGraphicsEllipseItem(4, -1, 2, 2)  # half of it below the box's bottom edge
        dot.setBrush(QtGui.QColor("#e69f00"))
        box.addItem(dot)
        box.sigResized.connect(lambda box=box: seen.append(box.boundingRect() == pg.ViewBox.boundingRect(box)))
    for size in ((300, 200), (420, 330), (260, 410)):
        widget.resize(*size)
        widget.show()
        QtWidgets.QApplication.processEvents()
        assert boxes[0].boundingRect() == pg.ViewBox.boundingRect(boxes[0])
        image = widget.grab().toImage()
        halves = [image.copy(box.sceneBoundingRect().toAlignedRect()) for box in boxes]
        assert halves[0] == halves[1]  # the same clip as pyqtgraph's own view box
    assert seen and all(seen)


@pytest.mark.parametrize("cls", [*CHANGES, NetworkView, ActivationView])
def test_layout_items_that_draw_nothing_are_flagged_so_and_the_picture_is_the_same(qtbot, theme, cls):
    """Plots, layouts and labels are told they have no contents of their own (Qt then skips their
    bounding rectangles and paint): every one of them, and the view looks exactly as without."""
    view = cls(theme)
    qtbot.addWidget(view)
    view.resize(640, 420)
    view.show()
    qtbot.waitExposed(view)
    view.show_snapshot(build(CIRCLE, 5))
    containers = [item for item in view.scene().items() if type(item) in CONTAINERS]
    assert len(containers) >= 2  # (the layout and a title at least)
    flag = QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
    assert all(item.flags() & flag for item in containers)

    def grab() -> np.ndarray:
        QtCore.QCoreApplication.sendPostedEvents(view.scene(), QtCore.QEvent.MetaCall)
        view.viewport().repaint()
        image = view.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
        return np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1).copy()

    flagged = grab()
    for item in containers:
        item.setFlag(flag, False)
    np.testing.assert_array_equal(grab(), flagged)
