"""Drawing helpers shared by the tests of the views' rectangle shortcuts (outlines, step stacks)."""

from PySide6 import QtGui

from winit_gui.app.views.paths import PathCurve


class StrokedCurve(PathCurve):
    """The reference: the same curve, always stroked by Qt."""

    RECT_OUTLINES = False


class RecordingPainter(QtGui.QPainter):
    """Notes whether a Python paint filled rectangles or drew a path."""

    def __init__(self, device):
        super().__init__(device)
        self.calls = []

    def drawRects(self, *args):
        self.calls.append("rects")
        super().drawRects(*args)

    def drawPath(self, *args):
        self.calls.append("path")
        super().drawPath(*args)
