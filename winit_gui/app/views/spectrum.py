"""Dynamical isometry: the singular values of the network's input-output Jacobian at initialization.

The Jacobian of the last hidden layer's activations with respect to the input (at one sample)
says how every direction of the input is stretched on its way through the network (Saxe et al.
2013; Pennington et al. 2017). Learning is fastest when all of them are near 1: *dynamical
isometry*, which orthogonal weights give a linear or near-linear network at any depth, and
Gaussian weights of the same variance do not (their spread grows with depth). The singular
values are drawn largest first, on a log axis, for the current initialization (dots) and for a
contrasting one (squares, dashed: orthogonal against Gaussian of the same variance), with the
line where every singular value would be 1.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from winit_gui.app.theme import Theme
from winit_gui.app.views.base import add_plot, cache_as_pixmap, style_plot
from winit_gui.app.views.decades import DecadeAxis, log10_or_nan
from winit_gui.app.views.theory_view import TheoryView, style_note
from winit_gui.app.views.histograms import fixed_axes, fmt, font, sample_layers
from winit_gui.app.views.labels import Label
from winit_gui.app.views.legends import style_legend
from winit_gui.app.views.paths import MarkedCurve
from winit_gui.app.views.titles import FittedTitle
from winit_gui.snapshot import Snapshot


def spread(values: np.ndarray) -> str:
    """σmax / σmin as text: 1 is an isometry; "∞" when the smallest is 0."""
    values = np.asarray(values, dtype=np.float64)
    if not len(values) or not np.isfinite(values).all():
        return "n/a"
    top, bottom = float(values.max()), float(values.min())
    if top == 0:
        return "n/a"
    return "∞" if bottom == 0 else fmt(top / bottom)


def off_axis(what: str, values: np.ndarray) -> str:
    """What a log axis cannot show of ``values`` ("" when it shows all)."""
    values = np.asarray(values, dtype=np.float64)
    if not len(values):
        return f"{what}: none"
    overflow = ~np.isfinite(values)
    if overflow.any():
        return f"{what}: not finite (overflowed)"
    zero = values == 0
    if zero.all():
        return f"{what}: all 0 (the input does not reach the last layer)"
    if zero.any():
        return f"{what}: {int(zero.sum())} of {len(values)} are 0"
    return ""


class SpectrumView(TheoryView):
    object_name = "spectrumView"
    title = "Dynamical isometry"

    def __init__(self, theme: Theme, parent=None):
        super().__init__(theme, parent)
        self.plot = add_plot(self.ci)
        fixed_axes(self.plot)
        self.plot.setLogMode(y=True)  # the curves hold log10 of the singular values
        self.plot.getViewBox().setToolTip(
            "Singular values of the input-output Jacobian at initialization (the last hidden layer's "
            "activations with respect to the input,\nat one sample), largest first, on a log axis: how much "
            "the network stretches each input direction.\nAll near the dashed line (1): dynamical isometry "
            "(Saxe et al. 2013; Pennington et al. 2017), which orthogonal\nweights give a linear network at "
            "any depth. Dots: this initialization. Squares: the contrasting one, same variance.\n"
            "σmax/σmin: the spread (1 for an isometry).")
        self.axis = DecadeAxis(self.plot, default=(-1, 1))
        self.isometry = pg.InfiniteLine(pos=0.0, angle=0, movable=False)
        self.plot.addItem(self.isometry, ignoreBounds=True)
        self.reference = MarkedCurve(self.plot, "s")
        self.current = MarkedCurve(self.plot, "o")
        self.legend = self.plot.addLegend(offset=(-8, 8), verSpacing=-4)
        self.legend.addItem(self.current.line, "now")
        self.legend.addItem(self.reference.line, "reference")
        self.isometry_sample = pg.PlotDataItem()  # the legend's sample of the dashed line; never plotted
        self.legend.addItem(self.isometry_sample, "isometry: all 1")
        cache_as_pixmap(self.isometry, self.legend)
        # bottom left, below the largest singular values (drawn first, at the left); the legend
        # has the top right
        self.note = Label(anchor=(0, 1))
        self.note.setZValue(50)
        self.plot.addItem(self.note, ignoreBounds=True)
        self.plot.setTitle(" ")
        self.title_fit = FittedTitle(self.plot.titleLabel, lambda: self.width() - 80, self.plot)  # (less the left axis)
        self._names: tuple[str, str] = ("", "")
        self._count = -1
        self.apply_theme(theme)

    # ---- per frame -------------------------------------------------------------------------------
    def render(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        theory = snapshot.theory
        now, reference = np.asarray(theory.jacobian_sv, dtype=np.float64), np.asarray(theory.reference_sv,
                                                                                       dtype=np.float64)
        self._set_count(max(len(now), len(reference)))
        self._set_names(snapshot.settings.init, theory.reference_label)
        now_log, reference_log = log10_or_nan(now), log10_or_nan(reference)
        self.current.setData(np.arange(1, len(now) + 1, dtype=np.float64), now_log)
        self.reference.setData(np.arange(1, len(reference) + 1, dtype=np.float64), reference_log)
        self.axis.fit(now_log, reference_log, np.zeros(1))  # (1 always on the axis: the isometry line)
        (x0, _), (lo, _) = self.plot.getViewBox().viewRange()
        notes = [n for n in (off_axis("now", now), off_axis(theory.reference_label, reference)) if n]
        contrast = theory.reference_label.split(",")[0]  # "orthogonal", "Gaussian"
        notes.append(f"σmax/σmin:  {spread(now)}  ({contrast} {spread(reference)})")
        self.note.setText("\n".join(notes))
        self.note.setPos(x0, lo)

    def _set_count(self, count: int) -> None:
        if count == self._count:
            return
        self._count = count
        self.plot.setXRange(0.5, max(count, 1) + 0.5, padding=0.0)
        shown, _ = sample_layers(count, 8)
        self.plot.getAxis("bottom").setTicks([[(i + 1, str(i + 1)) for i in shown], []])

    def _set_names(self, init: str, reference: str) -> None:
        if (init, reference) == self._names:
            return
        self._names = (init, reference)
        for (_sample, label), text in zip(self.legend.items, (f"now: {init}", reference)):
            label.setText(text)
        self.legend.updateSize()

    def _set_title(self) -> None:
        self.title_fit.set(self.theme, "Dynamical isometry: singular values of the input-output Jacobian",
                           "Jacobian singular values", "Isometry")

    # ---- theme -----------------------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        style_plot(self.plot, theme, left="singular value (log)", bottom="rank (largest first)")
        self.axis.set_font(font(theme, -2))
        w = theme.line_width
        self.current.setPen(pg.mkPen(theme.positive, width=w))
        self.current.set_symbol_style(theme.positive, theme.background, max(9, 3.5 * w))
        self.reference.setPen(pg.mkPen(theme.negative, width=w, style=QtCore.Qt.DashLine))
        self.reference.set_symbol_style(theme.negative, theme.background, max(8, 3 * w))
        line = pg.mkPen(theme.muted, width=1.5, style=QtCore.Qt.DashLine)
        self.isometry.setPen(line)
        self.isometry_sample.setPen(line)
        style_note(self.note, theme)
        style_legend(self.legend, theme)
        self._set_title()
