"""Order and chaos: the (σw, σb) plane of the current activation, coloured by χ₁.

χ₁ = σw² E[φ′(√q* z)²] at the fixed point q* of the length map (Poole et al. 2016; Schoenholz
et al. 2017) is the factor by which a small perturbation, and the gradient, grows per layer in a
deep network at that initialization: below 1 (ordered) they shrink with depth, above 1
(chaotic) they grow, and on the line χ₁ = 1 (critical: the edge of chaos) they neither vanish
nor explode. The marker is the current initialization (σw from the initializer's variance and
the gain slider, σb from the bias); it moves as the slider moves, and its label names the phase.

The coloured plane depends on the activation alone, so its image is made when the activation
changes; per frame only the marker and its label move.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from winit_gui.app.theme import Theme
from winit_gui.app.views.base import add_plot, cache_as_pixmap, style_plot
from winit_gui.app.views.theory_view import TheoryView
from winit_gui.app.views.histograms import blend, fixed_axes, font
from winit_gui.app.views.images import RgbImageItem
from winit_gui.app.views.labels import Label
from winit_gui.app.views.marks import PixelMarks
from winit_gui.app.views.paths import SmoothPathCurve
from winit_gui.app.views.titles import FittedTitle
from winit_gui.snapshot import Snapshot

LOG2_LEVELS = 2.0
"""Colours from χ₁ = 1/4 (fully ordered colour) through 1 to 4 (fully chaotic colour)."""
TINT = 0.7
"""Strength of the ordered and chaotic colours over the background (the marker and the line stay legible)."""
MARKER = ("o", "arrow_right", "arrow_left", "arrow_up", "arrow_down")
"""The marker inside the plane, and pointing where the initialization lies beyond its edge."""


def chi1_image(chi1: np.ndarray) -> np.ndarray:
    """log2 χ₁, clipped to the colour levels; undefined cells (NaN: no finite fixed point) as chaotic."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log2(np.asarray(chi1, dtype=np.float64))
    logs = np.nan_to_num(logs, nan=LOG2_LEVELS, posinf=LOG2_LEVELS, neginf=-LOG2_LEVELS)
    return np.clip(logs, -LOG2_LEVELS, LOG2_LEVELS)


def cell_rect(axis: np.ndarray) -> tuple[float, float]:
    """(start, length) of an evenly spaced axis of cell centres, half a cell beyond each end."""
    axis = np.asarray(axis, dtype=np.float64)
    step = (axis[-1] - axis[0]) / (len(axis) - 1) if len(axis) > 1 else 1.0
    return float(axis[0] - step / 2), float(axis[-1] - axis[0] + step)


class PhaseView(TheoryView):
    object_name = "phaseView"
    title = "Order and chaos"

    def __init__(self, theme: Theme, parent=None):
        super().__init__(theme, parent)
        self.plot = add_plot(self.ci, row=0, col=0)
        fixed_axes(self.plot)
        self.plot.getViewBox().setToolTip(
            "The (σw, σb) plane of this activation, coloured by χ₁ = σw² E[φ′(√q* z)²], the factor by which\n"
            "gradients grow per layer at that initialization (mean field: Poole et al. 2016, Schoenholz et al. "
            "2017).\nOrdered (χ₁ < 1): they vanish with depth. Chaotic (χ₁ > 1): they explode. The line: "
            "χ₁ = 1, the edge of chaos.\nThe marker: this network's initialization (σw² = fan_in · Var(W), "
            "σb² = Var(b)); drag the weight-scale slider to move it.")
        self.image = RgbImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.critical = SmoothPathCurve(connect="finite")
        self.critical.setZValue(10)
        self.plot.addItem(self.critical)
        self.marker = PixelMarks()
        self.marker.setZValue(30)
        self.plot.addItem(self.marker)
        self.point_label = Label()
        self.critical_label = Label(anchor=(0.5, 1.2))
        self.region_labels = {"ordered": Label(anchor=(0.5, 0.5)), "chaotic": Label(anchor=(0.5, 0.5))}
        for z, label in ((40, self.point_label), (20, self.critical_label), *((15, r) for r in self.region_labels.values())):
            label.setZValue(z)
            self.plot.addItem(label, ignoreBounds=True)
        self.colorbar = pg.ColorBarItem(values=(-LOG2_LEVELS, LOG2_LEVELS), interactive=False, width=14,
                                        colorMapMenu=False)
        self.colorbar.setImageItem(self.image)
        self.colorbar.axis.setTicks([[(p, label) for p, label in
                                      ((-2, "¼"), (-1, "½"), (0, "1"), (1, "2"), (2, "4"))], []])
        cache_as_pixmap(self.colorbar.bar, self.image, self.critical, self.critical_label,
                        *self.region_labels.values())
        self.addItem(self.colorbar, row=0, col=1)
        self.plot.setTitle(" ")
        self.title_fit = FittedTitle(self.plot.titleLabel, lambda: self.width() - 150, self.plot)  # (less the axis and colour bar)
        self._plane: tuple | None = None
        self._activation = ""
        self._bounds = (0.0, 1.0, 0.0, 1.0)
        self.apply_theme(theme)

    # ---- the plane: once per activation ----------------------------------------------------------
    def _set_plane(self, theory) -> None:
        key = (theory.activation, theory.grid_sigma_w.tobytes(), theory.grid_sigma_b.tobytes())
        if key == self._plane:
            return
        self._plane = key
        self._activation = theory.activation
        sw, sb = theory.grid_sigma_w, theory.grid_sigma_b
        logs = chi1_image(theory.grid_chi1)
        self.image.setImage(logs, autoLevels=False, levels=(-LOG2_LEVELS, LOG2_LEVELS))
        (x0, width), (y0, height) = cell_rect(sw), cell_rect(sb)
        self.image.setRect(QtCore.QRectF(x0, y0, width, height))
        self._bounds = (x0, x0 + width, y0, y0 + height)
        self.plot.setXRange(x0, x0 + width, padding=0.0)
        self.plot.setYRange(y0, y0 + height, padding=0.0)
        line = np.asarray(theory.critical_sigma_w, dtype=np.float64)
        self.critical.setData(line, np.asarray(sb, dtype=np.float64))
        finite = np.flatnonzero(np.isfinite(line))
        self.critical_label.setVisible(bool(finite.size))
        if finite.size:
            top = finite[-1]
            self.critical_label.setPos(line[top], sb[top])
            # below the line's top end when that is the plot's top edge, else above it
            self.critical_label.setAnchor((0.5, -0.1) if top >= len(sb) * 0.8 else (0.5, 1.1))
        self._place_regions(logs, sw, sb)
        self._set_title()

    def _place_regions(self, logs: np.ndarray, sw: np.ndarray, sb: np.ndarray) -> None:
        """Name each phase in the middle of its stretch of one row, two thirds of the way up
        (the marker mostly sits near σb = 0, at the bottom)."""
        row = int(round((len(sb) - 1) * 2 / 3))
        for name, cells in (("ordered", logs[row] < 0), ("chaotic", logs[row] > 0)):
            label = self.region_labels[name]
            label.setVisible(bool(cells.any()))
            if cells.any():
                columns = np.flatnonzero(cells)
                label.setPos(float(sw[columns].mean()), float(sb[row]))

    # ---- per frame -------------------------------------------------------------------------------
    def render(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        theory = snapshot.theory
        self._set_plane(theory)
        x0, x1, y0, y1 = self._bounds
        sw, sb = float(theory.sigma_w), float(theory.sigma_b)
        x, y = float(np.clip(sw, x0, x1)) if np.isfinite(sw) else x1, float(np.clip(sb, y0, y1))
        outside = 1 if sw > x1 or not np.isfinite(sw) else 2 if sw < x0 else 3 if sb > y1 else 4 if sb < y0 else 0
        self.marker.setData([x], [y], [outside])
        self.point_label.setText(f"σw = {sw:.3g}, σb = {sb:.3g}\nχ₁ = {theory.chi1:.3g}: {theory.phase}")
        right = x > (x0 + x1) / 2
        high = y > y0 + 0.75 * (y1 - y0)
        self.point_label.setAnchor((1.08 if right else -0.08, -0.15 if high else 1.15))
        self.point_label.setPos(x, y)

    def _set_title(self) -> None:
        name = self._activation or "the activation"
        self.title_fit.set(self.theme, f"Order and chaos ({name}): χ₁, gradient growth per layer",
                           f"Order and chaos ({name})", "Order and chaos")

    # ---- theme -----------------------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        style_plot(self.plot, theme, left="σb  (bias scale)", bottom="σw  (weight scale, √(fan_in · Var W))")
        ordered = blend(theme.positive, theme.background, TINT)
        chaotic = blend(theme.negative, theme.background, TINT)
        middle = blend(theme.foreground, theme.background, 0.08)
        self.colorbar.setColorMap(pg.ColorMap(pos=[0.0, 0.5, 1.0], color=[ordered, middle, chaotic]))
        axis = self.colorbar.axis
        axis.setPen(pg.mkPen(theme.muted))
        axis.setTextPen(pg.mkPen(theme.foreground))
        axis.setStyle(tickFont=font(theme, -1))
        axis.setLabel("χ₁", color=theme.foreground, size=f"{theme.font_size}pt")
        self.critical.setPen(pg.mkPen(theme.foreground, width=1.5 * theme.line_width))
        size = max(16.0, 5 * theme.line_width)
        self.marker.set_styles([(symbol, pg.mkBrush(theme.foreground), pg.mkPen(theme.background, width=2.5))
                                for symbol in MARKER], size)
        box = pg.mkBrush(blend(theme.background, theme.foreground, 0.85))
        self.point_label.setFont(font(theme, 0, bold=True))
        self.critical_label.setFont(font(theme, -1))
        for label in self.region_labels.values():
            label.setFont(font(theme, 3, bold=True))
        for name, label in self.region_labels.items():
            label.setText(name.upper())
        self.critical_label.setText("χ₁ = 1: critical")
        for label in (self.point_label, self.critical_label, *self.region_labels.values()):
            label.setColor(theme.foreground)
        self.point_label.set_fill(box)
        self.critical_label.set_fill(box)
        self._set_title()
