"""What every view shares: it renders Snapshots, follows the theme, and says what it shows."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui.app.theme import Theme
from winit_gui.app.views import axis_specs
from winit_gui.snapshot import Snapshot


class SnapshotView(pg.GraphicsLayoutWidget):
    """A pyqtgraph layout that draws Snapshots.

    Subclasses create their plot items once in ``__init__`` and update them in place in
    ``render`` (setData/setOpts/setImage): nothing per frame allocates items.

    A closed view touches no item. pyqtgraph's ``close()`` deletes every item of the scene, sets
    ``closed`` and then resizes the view (a new viewport): resizeEvent overrides that fitted
    titles then reached LabelItems whose text items were gone (the crash tests/conftest.py once
    worked around by deleting closed widgets at once), and a theme change or a snapshot still on
    its way would draw into them. Resize overrides check ``closed``; the methods below do here.
    """

    object_name = ""
    title = ""

    def __init__(self, theme: Theme, parent=None):
        super().__init__(parent)
        self.setObjectName(self.object_name)
        self.theme = theme
        self.snapshot: Snapshot | None = None
        self.paints = 0
        """Paint events so far (the main window paints a view at once only if Qt has not)."""
        self.ci.setContentsMargins(4, 4, 4, 4)
        self.setBackground(theme.background)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self.paints += 1

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        scene = self.centralWidget  # (None while pyqtgraph builds the view)
        if scene is not None and scene.geometry().width() > self.width() + 0.5:
            QtCore.QTimer.singleShot(0, self, self._fit_scene)

    def _fit_scene(self) -> None:
        """Lay the scene out at the view's width again. A title that a resize shortened lowers
        the layout's minimum width only once Qt has handled the layout request it posted, so the
        resize clamped the scene to the old, wider minimum: the plot's right side was cut off
        (the theory page, shown for the first time at 1280 x 720)."""
        self.setRange(self.range, padding=0, disableAutoPixel=False)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        items = self.scene().items()
        # Axes change far less often than the data (their pixmaps save about 5 % of a frame).
        cache_as_pixmap(*(item for item in items if isinstance(item, pg.AxisItem)))
        draws_nothing(*(item for item in items if type(item) in CONTAINERS))

    def show_snapshot(self, snapshot: Snapshot) -> None:
        if self.closed:
            return
        self.snapshot = snapshot
        self.render(snapshot)

    def redraw(self) -> None:
        """Render the current snapshot again (after a resize or a change of display mode)."""
        if self.snapshot is not None and not self.closed:
            self.render(self.snapshot)

    def render(self, snapshot: Snapshot) -> None:
        raise NotImplementedError

    def set_theme(self, theme: Theme) -> None:
        """Restyle every item for ``theme`` and redraw the current snapshot. A view is built
        styled for the theme it is given (each subclass ends its ``__init__`` with
        ``apply_theme``): the same theme again changes nothing, and the window's start, which
        hands every view the theme it was built with, no longer restyles them all (12 ms)."""
        if theme == self.theme:
            return
        self.theme = theme
        if self.closed:
            return
        self.setBackground(theme.background)
        self.apply_theme(theme)
        self.redraw()

    def apply_theme(self, theme: Theme) -> None:
        raise NotImplementedError


def cache_as_pixmap(*items: QtWidgets.QGraphicsItem) -> None:
    """Draw ``items`` once into pixmaps that every frame then blits: for what changes far less
    often than the frames (axes, fixed curves and lines, data points). Qt draws an item again
    whenever its update() or a change of its geometry or of the view's scale says so."""
    for item in items:
        item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)


CONTAINERS = (pg.PlotItem, pg.GraphicsLayout, pg.LabelItem)
"""pyqtgraph's layout items that paint nothing themselves (their children do: the text of a label,
the axes and the view box of a plot, a layout's cells and borders)."""


def draws_nothing(*items: QtWidgets.QGraphicsItem) -> None:
    """Tell Qt that ``items`` have no contents of their own: it then neither asks for their
    bounding rectangles (pyqtgraph's, in Python, several times a frame) nor calls their paint, and
    still draws their children. (0.7 M instructions of a slider frame; the picture is the same, to
    the pixel.)"""
    for item in items:
        item.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)


class ViewBox(pg.ViewBox):
    """pyqtgraph's view box, whose bounding rectangle is kept from one size to the next.

    Qt asks a view box for it several times a frame whenever an item inside changed (the box
    clips its children): some 70 times a frame over the six views. pyqtgraph's compares the
    geometry with the one it last saw, copies its rectangle and adjusts it, a handful of calls
    into Qt each time (measured: 0.5 M instructions a frame). This one is made again after each
    resize, from the resize event on: Qt sends it before geometryChanged, and lays out the box's
    children and caches their clip in between (a rectangle of the old size kept until the
    signal clipped the network's bottom row of nodes)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._rect: QtCore.QRectF | None = None

    def resizeEvent(self, event) -> None:
        self._rect = None
        super().resizeEvent(event)

    def boundingRect(self) -> QtCore.QRectF:
        if self._rect is None:
            self._rect = super().boundingRect()
        return self._rect


def add_plot(layout: pg.GraphicsLayout, **kwargs) -> pg.PlotItem:
    """``layout.addPlot(**kwargs)`` as the views want their plots: without context menus (their
    widgets were a tenth of the window's construction, and the views turn them off), with
    ``Axis`` for the two axes it shows and ``ViewBox`` for its view box. The hidden top and right
    axes lose their automatic SI prefix too (see Axis): they follow every range change as well."""
    axes = {name: Axis(name) for name in ("left", "bottom")}
    plot = layout.addPlot(enableMenu=False, viewBox=ViewBox(enableMenu=False),
                          **{**kwargs, "axisItems": {**axes, **kwargs.get("axisItems", {})}})
    for name in ("top", "right"):
        plot.getAxis(name).enableAutoSIPrefix(False)
    return plot


def style_plot(plot: pg.PlotItem, theme: Theme, title: str = "", left: str = "", bottom: str = "") -> None:
    """Axis pens, tick font and labels of ``plot`` for ``theme``."""
    font = QtGui.QFont()
    font.setPointSize(max(6, theme.font_size - 2))
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(theme.muted, width=1))
        axis.setTextPen(pg.mkPen(theme.foreground))
        axis.setStyle(tickFont=font)
    label_style = {"color": theme.foreground, "font-size": f"{theme.font_size}pt"}
    if left:
        plot.setLabel("left", left, **label_style)
    if bottom:
        plot.setLabel("bottom", bottom, **label_style)
    if title:
        plot.setTitle(title, color=theme.foreground, size=f"{theme.font_size}pt")


def same_values(a: np.ndarray, b: np.ndarray | None) -> bool:
    """Whether ``a`` holds the values ``b`` holds (a NaN is never the same as anything): the views
    skip handing Qt data that are those already drawn. (count_nonzero, not all: on arrays this
    small a ufunc reduction's set-up costs several times the comparing.)"""
    return b is not None and a.shape == np.shape(b) and not np.count_nonzero(a != b)


def step_label(steps: float) -> str:
    """A step count in at most four characters or so: 500, 5000, 50k, 5M."""
    if steps >= 1e6:
        return f"{steps / 1e6:g}M"
    if steps >= 1e4:
        return f"{steps / 1e3:g}k"
    return f"{steps:g}"


class Axis(pg.AxisItem):
    """pyqtgraph's axis, drawn straight into the pixmap that caches it (``cache_as_pixmap``).

    pyqtgraph records an axis into a QPicture and replays it at every paint: with the pixmap as
    the cache, Qt paints an axis only when it changed, so the recording was played once and
    thrown away (recording and replaying cost 0.6 M instructions a training frame by
    benchmarks/bench_frame_instructions.py: the step axes change at every frame).

    Its bounding rectangle is worked out once per size and style, not at each of the several
    times Qt asks for it in a frame (pyqtgraph's, in Python, maps the geometry and reads the
    style every time). A new size is followed from the resize event, which Qt sends from the
    C++ side of every resize (as for ``ViewBox``): not through setGeometry, which Qt's layouts do
    not always call through the Python override (a view box kept that way was clipped at its old
    size), and not by comparing the geometry at every call (measured: 0.25 M instructions a
    frame, for ~55 calls).

    Its ticks and labels are worked out by axis_specs.py (pyqtgraph's specs for a fraction of
    the instructions) and each tick level's lines drawn in one call."""

    _rect: QtCore.QRectF | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No automatic SI prefix ("f′(z) (x0.001)" for sigmoid). Set here rather than through
        # enableAutoSIPrefix(False) after the fact: with it on, every range change (a dozen while
        # a plot is built, and one a frame for a growing step axis, hidden axes included) sets
        # the label's HTML again.
        self.autoSIPrefix = False
        self._text_sizes: dict = {}
        """Each label's measured size, by font and text (axis_specs.draw_specs)."""

    def boundingRect(self) -> QtCore.QRectF:
        if self._rect is None or self.grid is not False:  # (a grid reaches over the view)
            self._rect = super().boundingRect()
        return self._rect

    def resizeEvent(self, event=None) -> None:
        self._rect = None
        super().resizeEvent(event)

    def setStyle(self, **kwargs) -> None:
        self._rect = None
        super().setStyle(**kwargs)

    def setGrid(self, grid) -> None:
        self._rect = None
        super().setGrid(grid)

    def generateDrawSpecs(self, p):
        """pyqtgraph's specs, worked out for a fraction of the instructions (axis_specs.py)."""
        if len(self._text_sizes) > 1000:  # (a long run's step labels: keep the measuring bounded)
            self._text_sizes.clear()
        return axis_specs.draw_specs(self, p, self._text_sizes)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        return axis_specs.tick_values(self, minVal, maxVal, size)

    def paint(self, p, opt, widget) -> None:
        specs = self.generateDrawSpecs(p)  # (which sets the tick font, to measure the labels)
        if specs is not None:
            self.drawPicture(p, *specs)

    def drawPicture(self, p, axisSpec, tickSpecs, textSpecs) -> None:
        """pyqtgraph's, with the ticks of a level (one pen) drawn in one call: the same lines."""
        p.setRenderHint(p.RenderHint.Antialiasing, False)
        p.setRenderHint(p.RenderHint.TextAntialiasing, True)
        pen, start, end = axisSpec
        p.setPen(pen)
        p.drawLine(start, end)
        for pen, ticks in itertools.groupby(tickSpecs, key=lambda spec: spec[0]):
            p.setPen(pen)
            p.drawLines([point for _, start, end in ticks for point in (start, end)])
        if self.style["tickFont"] is not None:
            p.setFont(self.style["tickFont"])
        p.setPen(self.textPen())
        p.setClipRect(self.boundingRect().toAlignedRect())
        for rect, flags, text in textSpecs:
            p.drawText(rect, int(flags), text)


class StepAxis(Axis):
    """An axis of training steps: labels by ``step_label``, and only as many ticks as leave room
    between their labels. pyqtgraph spaces ticks by the axis's length alone: in narrow plots the
    numbers touched ("1000015000" at 1280 x 720, "10001500" in compare mode's tiles)."""

    GAP_PX = 6
    """Room between neighbouring labels (more left compare mode's narrow tiles no label between
    the axis's ends, where pyqtgraph hides the labels that overhang)."""

    def tickStrings(self, values, scale, spacing) -> list[str]:
        return [step_label(value * scale) for value in values]

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        span = maxVal - minVal
        if not (span > 0 and size > 0):
            return []
        metrics = QtGui.QFontMetricsF(self.style["tickFont"] or self.font())
        # from the spacing that leaves a one-digit label its room (steps: whole numbers), up
        closest = max(1.0, span * (metrics.horizontalAdvance("0") + self.GAP_PX) / size)
        spacing = 10.0 ** math.floor(math.log10(closest))
        while True:
            for factor in (1, 2, 5):
                step = factor * spacing
                if step < closest:
                    continue
                values = np.arange(math.ceil(minVal / step), math.floor(maxVal / step) + 1) * step
                widest = max((metrics.horizontalAdvance(step_label(v)) for v in values), default=0.0)
                if step / span * size >= widest + self.GAP_PX or len(values) <= 1:
                    return [(step, values.tolist())]
            spacing *= 10
