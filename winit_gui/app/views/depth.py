"""Variance against depth: each hidden layer's measured pre-activation variance, and the theory's.

The dots are what this network's pre-activations do on its samples; the dashed line is the
mean-field length map of Poole et al. 2016, q(l) = σw² E[φ(√q(l−1) z)²] + σb², which the engine
computes for the same initializer and gain (``snapshot.theory``). On a log axis a constant
factor per layer is a straight line: flat is the He / Glorot condition met, falling is a signal
that vanishes with depth, rising one that explodes. Variances of 0 (the ``zeros`` lesson) and
values that overflowed (a diverged run) have no place on a log axis: they are gaps, and a note
says which layers they are.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from winit_gui.app.theme import Theme
from winit_gui.app.views.base import add_plot, style_plot
from winit_gui.app.views.decades import DecadeAxis, log10_or_nan
from winit_gui.app.views.theory_view import TheoryView, style_note
from winit_gui.app.views.histograms import fixed_axes, fmt, font, sample_layers
from winit_gui.app.views.labels import Label
from winit_gui.app.views.legends import style_legend
from winit_gui.app.views.paths import MarkedCurve, SmoothPathCurve
from winit_gui.app.views.titles import FittedTitle
from winit_gui.snapshot import Snapshot


def off_axis_note(what: str, values: np.ndarray) -> str:
    """Which layers of ``values`` a log axis cannot show, and why ("" when it shows them all)."""
    values = np.asarray(values, dtype=np.float64)
    zero, overflow = values == 0, ~np.isfinite(values)
    parts = []
    for mask, why in ((zero, "0"), (overflow, "not finite (overflowed)")):
        if mask.all():
            parts.append(f"{what}: {why} in every layer")
        elif mask.any():
            first = int(np.argmax(mask)) + 1
            parts.append(f"{what}: {why} from layer {first}" if mask[first - 1:].all()
                         else f"{what}: {why} in {int(mask.sum())} layers")
    return "; ".join(parts)


def ratio_text(values: np.ndarray) -> str:
    """How much the variance changed from the first layer to the last: "×0.42"."""
    values = np.asarray(values, dtype=np.float64)
    if len(values) < 2 or not (np.isfinite(values[[0, -1]]).all() and values[0] > 0):
        return "n/a"
    return f"×{fmt(values[-1] / values[0])}"


class DepthView(TheoryView):
    object_name = "depthView"
    title = "Variance by depth"

    def __init__(self, theme: Theme, parent=None):
        super().__init__(theme, parent)
        self.plot = add_plot(self.ci)
        fixed_axes(self.plot)
        self.plot.setLogMode(y=True)  # the curves hold log10 of the variance, as PlotDataItem would
        self.plot.getViewBox().setToolTip(
            "Each hidden layer's pre-activation variance Var(z), on a log axis.\n"
            "Dots: measured on this network's samples. Dashed: the mean-field theory (Poole et al. 2016),\n"
            "q(l) = σw² E[φ(√q(l−1) z)²] + σb², for the same initializer and gain.\n"
            "Flat: the variance is kept (He for ReLU, Glorot for tanh near 0); falling: the signal vanishes "
            "with depth; rising: it explodes.\nThe line ×k at the top: variance of the last layer over the first.")
        self.axis = DecadeAxis(self.plot)
        self.theory_curve = SmoothPathCurve(connect="finite")
        self.plot.addItem(self.theory_curve)
        self.measured = MarkedCurve(self.plot, "o")
        self.legend = self.plot.addLegend(offset=(-8, 8), verSpacing=-4)
        self.legend.addItem(self.measured.line, "measured")
        self.legend.addItem(self.theory_curve, "mean-field theory")
        # bottom left, where a profile that falls with depth (the usual lesson) leaves room; the
        # legend has the top right
        self.note = Label(anchor=(0, 1))
        self.note.setZValue(50)
        self.plot.addItem(self.note, ignoreBounds=True)
        self.plot.setTitle(" ")
        self.title_fit = FittedTitle(self.plot.titleLabel, lambda: self.width() - 80, self.plot)  # (less the left axis)
        self._depth = 0
        self._activation = ""
        self.apply_theme(theme)

    # ---- per frame -------------------------------------------------------------------------------
    def render(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        theory = snapshot.theory
        measured, predicted = theory.measured_preact_var, theory.theory_preact_var
        depth = len(measured)
        layers = np.arange(1, depth + 1, dtype=np.float64)
        self._set_depth(depth)
        self._set_activation(theory.activation)
        measured_log, predicted_log = log10_or_nan(measured), log10_or_nan(predicted)
        self.theory_curve.setData(layers[: len(predicted)], predicted_log)
        self.measured.setData(layers, measured_log)
        self.axis.fit(measured_log, predicted_log)
        lo = self.plot.getViewBox().viewRange()[1][0]
        notes = [note for note in (off_axis_note("measured", measured), off_axis_note("theory", predicted)) if note]
        if snapshot.diverged:
            notes.insert(0, "diverged")
        notes.append(f"layer {depth} / 1:  {ratio_text(measured)}  (theory {ratio_text(predicted)})")
        self.note.setText("\n".join(notes))
        self.note.setPos(0.6, lo)

    def _set_depth(self, depth: int) -> None:
        if depth == self._depth:
            return
        self._depth = depth
        self.plot.setXRange(0.5, max(depth, 1) + 0.5, padding=0.0)
        shown, _ = sample_layers(depth, 10)
        self.plot.getAxis("bottom").setTicks([[(i + 1, str(i + 1)) for i in shown], []])

    def _set_activation(self, name: str) -> None:
        if name == self._activation:
            return
        self._activation = name
        self._set_title()

    def _set_title(self) -> None:
        name = self._activation or "the activation"
        self.title_fit.set(self.theme, f"Pre-activation variance by depth ({name}): measured vs mean-field theory",
                           f"Variance by depth ({name}): measured vs theory", "Variance by depth")

    # ---- theme -----------------------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        style_plot(self.plot, theme, left="pre-activation variance (log)", bottom="hidden layer")
        self.axis.set_font(font(theme, -2))
        w = theme.line_width
        self.measured.setPen(pg.mkPen(theme.positive, width=w))
        self.measured.set_symbol_style(theme.positive, theme.background, max(9, 3.5 * w))
        self.theory_curve.setPen(pg.mkPen(theme.negative, width=1.5 * w, style=QtCore.Qt.DashLine))
        style_note(self.note, theme)
        style_legend(self.legend, theme)
        self._set_title()
