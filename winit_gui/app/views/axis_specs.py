"""pyqtgraph's AxisItem.generateDrawSpecs, the same specs at a fraction of the cost.

Why: an axis works out its ticks and labels anew whenever its range or size changes, in Python:
2.0-3.4 M instructions for one of the loss view's axes (callgrind), several times the cost of
drawing them. The loss and step axes change range every few training frames, and the loss axis
every few slider moves. pyqtgraph's code builds two ``Point`` objects per tick (Python classes
with type checks), asks the painter to lay out every label of every tick level (minor levels
too, to decide whether they fit) and compares tick values with ``np.isclose``. Here the points
are plain QPointF, a label's size is measured once per font and text, and the comparison is
the one isclose makes with ``rtol=0`` for finite values. Everything else follows pyqtgraph
0.13-0.14's order of operations, so the specs are equal (tests/test_views_axes.py compares them
over random ranges, sizes, fonts, orientations and fixed ticks).
"""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui

ORIENTATIONS = {  # corner pair of the axis line, offset of its ends, tick side, tick direction, axis
    "left": ("topRight", "bottomRight", (-1.0, -1.0), (-1.0, 1.0), "right", -1, 0),
    "right": ("topLeft", "bottomLeft", (1.0, -1.0), (1.0, 1.0), "left", 1, 0),
    "top": ("bottomLeft", "bottomRight", (-1.0, -1.0), (1.0, -1.0), "bottom", -1, 1),
    "bottom": ("topLeft", "topRight", (-1.0, 1.0), (1.0, 1.0), "top", 1, 1),
}
_MEASURE_RECT = QtCore.QRectF(0, 0, 100, 100)


def tick_values(axis, minVal: float, maxVal: float, size: float) -> list:
    """AxisItem.tickValues, with ``np.isclose(a, b, rtol=0, atol)`` written as the comparison it
    makes for finite values, ``|a - b| <= atol``."""
    minVal, maxVal = sorted((minVal, maxVal))
    minVal *= axis.scale
    maxVal *= axis.scale
    ticks = []
    all_values = np.array([])
    for spacing, offset in axis.tickSpacing(minVal, maxVal, size):
        start = (math.ceil((minVal - offset) / spacing) * spacing) + offset
        num = int((maxVal - start) / spacing) + 1
        values = (np.arange(num) * spacing + start) / axis.scale
        if all_values.size and values.size:
            close = (np.abs(all_values - values[:, np.newaxis]) <= spacing / axis.scale * 0.01).any(axis=-1)
            values = values[~close]
        all_values = np.concatenate([all_values, values])
        ticks.append((spacing / axis.scale, values.tolist()))
    if axis.logMode:
        return axis.logTickValues(minVal, maxVal, size, ticks)
    return ticks


def draw_specs(axis, p: QtGui.QPainter, text_sizes: dict):
    """``axis.generateDrawSpecs(p)``'s result: (axis line spec, tick specs, text specs), or None.

    ``text_sizes`` keeps each label's measured (width, height) by font and text between calls."""
    style = axis.style
    if style["tickFont"] is not None:
        p.setFont(style["tickFont"])
    bounds = axis.mapRectFromParent(axis.geometry())
    linked = axis.linkedView()
    tick_bounds = bounds if linked is None or axis.grid is False else linked.mapRectToItem(axis, linked.boundingRect())
    first, last, first_offset, last_offset, tick_side, tick_dir, along = ORIENTATIONS[axis.orientation]
    span = (getattr(bounds, first)() + QtCore.QPointF(*first_offset),
            getattr(bounds, last)() + QtCore.QPointF(*last_offset))
    tick_start = getattr(tick_bounds, tick_side)()
    tick_stop = getattr(bounds, tick_side)()

    points = [axis.mapToDevice(point) for point in span]
    if None in points:
        return None
    delta = points[1] - points[0]
    length = math.hypot(delta.x(), delta.y())
    if length == 0:
        return None

    if axis._tickLevels is None:
        tick_levels = axis.tickValues(axis.range[0], axis.range[1], length)
        tick_strings = None
    else:
        tick_levels = [(None, [value for value, _ in level]) for level in axis._tickLevels]
        tick_strings = [[text for _, text in level] for level in axis._tickLevels]

    dif = axis.range[1] - axis.range[0]
    if dif == 0:
        scale, offset = 1, 0
    elif along == 0:
        scale = -bounds.height() / dif
        offset = axis.range[0] * scale - bounds.height()
    else:
        scale = bounds.width() / dif
        offset = axis.range[0] * scale
    x_range = [x * scale - offset for x in axis.range]
    x_min, x_max = min(x_range), max(x_range)

    tick_positions = []
    tick_specs = []
    for i, (_, ticks) in enumerate(tick_levels):
        positions = []
        tick_positions.append(positions)
        tick_length = style["tickLength"] / ((i * 0.5) + 1.0)
        alpha = style["tickAlpha"]
        if alpha is None:
            alpha = 255 / (i + 1)
            if axis.grid is not False:
                alpha *= axis.grid / 255. * min(max(0.05 * length / (len(ticks) + 1), 0.), 1.)
        elif isinstance(alpha, float):
            alpha = min(255, max(0, int(round(alpha * 255))))
        elif isinstance(alpha, int):
            if alpha > 255 or alpha < 0:
                raise ValueError("lineAlpha should be [0..255]")
        else:
            raise TypeError("Line Alpha should be of type None, float or int")
        pen = axis.tickPen()
        if pen.brush().style() == QtCore.Qt.BrushStyle.SolidPattern:
            pen = QtGui.QPen(pen)
            color = QtGui.QColor(pen.color())
            color.setAlpha(int(alpha))
            pen.setColor(color)
        reach = tick_stop if axis.grid is not False else tick_stop + tick_length * tick_dir
        for v in ticks:
            x = (v * scale) - offset
            if x < x_min or x > x_max:
                positions.append(None)
                continue
            positions.append(x)
            if along == 0:
                tick_specs.append((pen, QtCore.QPointF(tick_start, x), QtCore.QPointF(reach, x)))
            else:
                tick_specs.append((pen, QtCore.QPointF(x, tick_start), QtCore.QPointF(x, reach)))

    # the axis line may end at its outermost ticks: its start at the least, its end at the most
    for end, outermost, inner in ((0, min, max), (1, max, min)):
        if style["stopAxisAtTick"][end] is True:
            tick = outermost(map(outermost, tick_positions))
            if along == 0:
                span[end].setY(inner(span[end].y(), tick))
            else:
                span[end].setX(inner(span[end].x(), tick))
    axis_spec = (axis.pen(), span[0], span[1])

    text_offset = style["tickTextOffset"][along]
    text_size2 = 0
    last_text_size2 = 0
    text_rects = []
    text_specs = []
    if not style["showValues"]:
        return axis_spec, tick_specs, text_specs

    font_key = (p.font().key(), p.device().logicalDpiX(), p.device().logicalDpiY())
    bounding = axis.boundingRect()
    for i in range(min(len(tick_levels), style["maxTextLevel"] + 1)):
        if tick_strings is None:
            spacing, values = tick_levels[i]
            strings = axis.tickStrings(values, axis.autoSIPrefixScale * axis.scale, spacing)
        else:
            strings = tick_strings[i]
        if len(strings) == 0:
            continue
        strings = [None if position is None else text for text, position in zip(strings, tick_positions[i])]
        sizes = []
        for text in strings:
            if text is None:
                sizes.append(None)
                continue
            size = text_sizes.get((font_key, text))
            if size is None:
                rect = p.boundingRect(_MEASURE_RECT, QtCore.Qt.AlignmentFlag.AlignCenter, text)
                size = text_sizes[font_key, text] = (rect.width(), rect.height() * 0.8)  # (pyqtgraph's trim)
            sizes.append(size)
            text_rects.append(size)
        if text_rects:
            if along == 0:
                text_size = np.sum([h for _, h in text_rects])
                text_size2 = np.max([w for w, _ in text_rects])
            else:
                text_size = np.sum([w for w, _ in text_rects])
                text_size2 = np.max([h for _, h in text_rects])
        else:
            text_size = text_size2 = 0
        if i > 0:
            fill = float(text_size) / length
            if any(len(text_specs) >= count and fill >= limit for count, limit in style["textFillLimits"]):
                break
        last_text_size2 = text_size2
        away = max(0, style["tickLength"]) + text_offset
        for text, x, size in zip(strings, tick_positions[i], sizes):
            if text is None:
                continue
            width, height = size
            if axis.orientation == "left":
                flags = QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
                rect = QtCore.QRectF(tick_stop - away - width, x - (height / 2), width, height)
            elif axis.orientation == "right":
                flags = QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter
                rect = QtCore.QRectF(tick_stop + away, x - (height / 2), width, height)
            elif axis.orientation == "top":
                flags = QtCore.Qt.AlignmentFlag.AlignHCenter | QtCore.Qt.AlignmentFlag.AlignBottom
                rect = QtCore.QRectF(x - width / 2., tick_stop - away - height, width, height)
            else:
                flags = QtCore.Qt.AlignmentFlag.AlignHCenter | QtCore.Qt.AlignmentFlag.AlignTop
                rect = QtCore.QRectF(x - width / 2., tick_stop + away, width, height)
            if bounding & rect != rect:  # (contains() suffers from rounding)
                continue
            text_specs.append((rect, flags | QtCore.Qt.TextFlag.TextDontClip, text))
    axis._updateMaxTextSize(last_text_size2)
    return axis_spec, tick_specs, text_specs
