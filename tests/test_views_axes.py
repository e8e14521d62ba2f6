"""The views' axes work out their ticks and labels with axis_specs.py and draw each tick level in
one call: the same specs and pictures as pyqtgraph's AxisItem, over random ranges, sizes, fonts,
orientations and styles."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtGui

from winit_gui.app.views.base import Axis, StepAxis

SIDES = ("left", "bottom", "right", "top")


def spec_values(specs):
    """Specs as plain values (pens by colour and width, points and rectangles by coordinates)."""
    if specs is None:
        return None
    (pen, a, b), ticks, texts = specs
    line = (pen.color().rgba(), pen.widthF(), a.x(), a.y(), b.x(), b.y())
    ticks = [(pen.color().rgba(), pen.widthF(), p1.x(), p1.y(), p2.x(), p2.y()) for pen, p1, p2 in ticks]
    texts = [(rect.getRect(), int(flags.value if hasattr(flags, "value") else flags), text) for rect, flags, text in texts]
    return line, ticks, texts


def outcome(image, specs):
    """The specs as values, or the type of the error they raised (pyqtgraph's stopAxisAtTick
    fails on a tick level with a tick out of range or none: so must these)."""
    painter = QtGui.QPainter(image)
    try:
        return spec_values(specs(painter))
    except (ValueError, TypeError) as error:
        return type(error)
    finally:
        painter.end()


def drawn(axis, draw_picture) -> bytes:
    """The axis's picture drawn from its specs by ``draw_picture``."""
    image = QtGui.QImage(900, 700, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QtGui.QPainter(image)
    painter.translate(100, 100)
    draw_picture(painter, *axis.generateDrawSpecs(painter))
    painter.end()
    return bytes(image.constBits())


def plot_with_axes(kind=Axis):
    widget = pg.PlotWidget(axisItems={side: kind(side) for side in SIDES})
    for side in SIDES:
        widget.getPlotItem().showAxis(side)
    return widget


@pytest.mark.parametrize("kind", [Axis, StepAxis])
def test_specs_equal_pyqtgraphs_over_random_axes(qapp, kind):
    rng = np.random.default_rng(11 if kind is Axis else 12)
    widget = plot_with_axes(kind)
    image = QtGui.QImage(900, 700, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    compared = texts = 0
    for trial in range(60):
        widget.resize(int(rng.integers(120, 900)), int(rng.integers(100, 700)))
        lo = float(rng.normal(0, 10 ** rng.uniform(-3, 4)))
        hi = lo + float(10 ** rng.uniform(-4, 5))
        widget.setRange(xRange=(lo, hi), yRange=(lo * 0.5, hi * 2), padding=float(rng.uniform(0, 0.1)))
        for side in SIDES:
            axis = widget.getPlotItem().getAxis(side)
            font = QtGui.QFont()
            font.setPointSize(int(rng.integers(6, 20)))
            style = {"tickFont": font, "showValues": bool(rng.random() < 0.85),
                     "tickAlpha": [None, 0.5, 200][trial % 3], "stopAxisAtTick": (trial % 7 == 0, trial % 5 == 0),
                     "maxTextLevel": int(rng.integers(0, 3))}
            axis.setStyle(**style)
            axis.setGrid(False if trial % 4 else int(rng.integers(50, 255)))
            axis.setTicks(None if trial % 6 else [[(v, f"{v:.3g}") for v in np.linspace(lo, hi, 5)],
                                                  [(v, "") for v in np.linspace(lo, hi, 17)]])
            if kind is Axis and side == "left":
                axis.setLogMode(trial % 9 == 0)
        qapp.processEvents()
        for side in SIDES:
            axis = widget.getPlotItem().getAxis(side)
            lo_, hi_ = axis.range
            if kind is Axis:  # (StepAxis spaces its own ticks)
                assert axis.tickValues(lo_, hi_, 500.0) == pg.AxisItem.tickValues(axis, lo_, hi_, 500.0)
            ours = outcome(image, axis.generateDrawSpecs)
            reference = outcome(image, lambda painter: pg.AxisItem.generateDrawSpecs(axis, painter))
            assert ours == reference
            if isinstance(reference, tuple):
                assert drawn(axis, axis.drawPicture) == drawn(axis, lambda *a: pg.AxisItem.drawPicture(axis, *a))
                texts += len(reference[2])
            compared += 1
    widget.close()
    assert compared == 240 and texts > 200  # (labels were drawn, not only ticks)


def test_a_new_font_measures_labels_anew(qapp):
    """Label sizes are kept by font and text: the same text in a larger font is measured again."""
    widget = plot_with_axes()
    widget.resize(500, 400)
    widget.setRange(xRange=(0, 10), yRange=(0, 10))
    axis = widget.getPlotItem().getAxis("bottom")
    image = QtGui.QImage(500, 400, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    widths = []
    for size in (8, 16):
        font = QtGui.QFont()
        font.setPointSize(size)
        axis.setStyle(tickFont=font)
        for _ in range(2):  # (the first measuring makes room for larger labels)
            qapp.processEvents()
            painter = QtGui.QPainter(image)
            _, _, texts = axis.generateDrawSpecs(painter)
            painter.end()
        widths.append(max(rect.width() for rect, _, _ in texts))
    widget.close()
    assert widths[1] > 1.5 * widths[0]
