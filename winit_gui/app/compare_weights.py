"""Compare mode's overlay of layer 1's initial weights, A and B on one axis, with their numbers."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from winit_gui.app.theme import Theme
from winit_gui.app.views.base import add_plot, style_plot
from winit_gui.app.views.histograms import blend, fixed_axes, fmt
from winit_gui.settings import Settings

SIDES = ("A", "B")

WEIGHT_BINS = 80
"""Bins of the weights overlay, over a range that holds every weight of both sides."""
LOG_FLOOR = -4.5
"""Weights overlay in log mode: log10 of the fraction per bin from here (1 weight in ~30 000) up."""



def first_layer_weights(settings: Settings) -> np.ndarray:
    """The first hidden layer's kernel at initialization, exactly as the engine's Trainer draws it.

    Trainer._initialize draws the kernels in layer order from ``default_rng(seed)`` with the
    initializer at gain 1 and multiplies by the gain, so layer 1 is the first draw. Recomputing
    it here (16 384 numbers for the 128-wide lesson, well under a millisecond) adds nothing to the
    snapshot that every frame sends across processes; tests check it equals the Trainer's.
    """
    fan_in, fan_out = settings.sizes[0], settings.sizes[1]
    base = settings.base_initializer()((fan_in, fan_out), np.random.default_rng(settings.seed))
    with np.errstate(all="ignore"):
        return base * settings.gain


def truncation(settings: Settings) -> float | None:
    """|w| at which the first layer's distribution is cut (Keras's truncated normals), else None."""
    init = settings.initializer()
    dist = init.distribution(settings.sizes[0], settings.sizes[1])
    high = getattr(dist, "high", None)
    low = getattr(dist, "low", None)
    if type(dist).__name__ != "TruncatedNormal" or high is None or low is None or low != -high:
        return None
    return float(init.gain * high)


class WeightsOverlay(QtWidgets.QWidget):
    """Histograms of layer 1's initial weights, A and B in one plot on one axis, with their numbers.

    Why the weights and not layer 1's pre-activations: z = x·W sums fan_in products, so by the
    central limit theorem both sides' z are the same bell whenever the variances agree; the
    kaiming-vs-he difference (plain normal vs normal cut at 2 stddev) lives in the weights alone,
    and the activation ridges above, alike on both sides, make the second half of the point.
    A dashed line marks a truncated side's cut. The numbers (std, largest |w| in stds, the share of
    the other side's weights beyond a cut) sit in a text column at the left, not in a legend: over
    the plot a legend hid the shoulders of the histograms.
    """

    def __init__(self, theme: Theme, parent=None):
        super().__init__(parent)
        self.setObjectName("compareWeightsView")
        self.theme = theme
        self.log_counts = False
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.setSpacing(8)
        # (no word wrap: a wrapping label's height-for-width set the panel's layout and the
        # views' fitted titles resizing each other for ever at the light theme's 12 pt)
        self.text = QtWidgets.QLabel(objectName="compareWeightsText")
        self.text.setTextFormat(QtCore.Qt.RichText)
        self.text.setAlignment(QtCore.Qt.AlignLeft | QtCore.Qt.AlignVCenter)
        self.graph = pg.GraphicsLayoutWidget()
        self.graph.ci.setContentsMargins(4, 4, 8, 4)
        layout.addWidget(self.text)
        layout.addWidget(self.graph, 1)
        self.plot = add_plot(self.graph.ci, row=0, col=0)
        fixed_axes(self.plot)
        self.plot.getAxis("left").setStyle(showValues=False)
        self.curves = {side: pg.PlotDataItem(stepMode="center") for side in SIDES}
        self.cuts = {side: (pg.InfiniteLine(angle=90, movable=False), pg.InfiniteLine(angle=90, movable=False))
                     for side in SIDES}
        for side in SIDES:
            self.plot.addItem(self.curves[side])
            for line in self.cuts[side]:
                self.plot.addItem(line, ignoreBounds=True)
                line.setVisible(False)
        self.weights: dict[str, np.ndarray | None] = {side: None for side in SIDES}
        self.settings: dict[str, Settings | None] = {side: None for side in SIDES}
        self.numbers: dict[str, dict[str, float | None]] = {}
        self.apply_theme(theme)

    def set_sides(self, a: Settings, b: Settings) -> None:
        """Draw the two sides' initial layer-1 weights (recomputed only when a side's draw changes)."""
        changed = False
        for side, settings in zip(SIDES, (a, b)):
            key = self._key(settings)
            if self.settings[side] is None or self._key(self.settings[side]) != key:
                self.weights[side] = first_layer_weights(settings)
                changed = True
            self.settings[side] = settings
        if changed:
            self._draw()

    @staticmethod
    def _key(s: Settings):
        return s.init, tuple(s.init_params.items()), s.gain, s.seed, s.sizes[0], s.sizes[1]

    def set_log_counts(self, log: bool) -> None:
        """Heights as log10 of the fraction per bin: the thin tails of the plain normal show."""
        if bool(log) != self.log_counts:
            self.log_counts = bool(log)
            self._draw()

    def _draw(self) -> None:
        if any(w is None for w in self.weights.values()):
            return
        with np.errstate(all="ignore"):
            finite = {side: w[np.isfinite(w)] for side, w in self.weights.items()}
            reach = max((float(np.abs(w).max()) for w in finite.values() if w.size), default=0.0)
        reach = 1.0 if not reach > 0 else 1.04 * reach
        edges = np.linspace(-reach, reach, WEIGHT_BINS + 1)
        top = 0.0
        for side, w in finite.items():
            frac = np.histogram(w, edges)[0] / max(w.size, 1)
            if self.log_counts:
                with np.errstate(divide="ignore"):
                    frac = np.maximum(np.log10(frac), LOG_FLOOR) - LOG_FLOOR
            top = max(top, float(frac.max()) if frac.size else 0.0)
            self.curves[side].setData(edges, frac)
            cut = truncation(self.settings[side])
            self.numbers[side] = {"std": float(np.std(w)) if w.size else 0.0,
                                  "max": float(np.abs(w).max()) if w.size else 0.0, "cut": cut}
            for line, sign in zip(self.cuts[side], (-1, 1)):
                line.setVisible(cut is not None)
                if cut is not None:
                    line.setPos(sign * cut)
        self.plot.setXRange(-reach, reach, padding=0.02)
        self.plot.setYRange(0.0, max(top, 1e-9) * 1.05, padding=0.0)
        self._write()

    def _write(self) -> None:
        """The text column: what the plot shows, and each side's numbers in its colour."""
        if not self.numbers:
            return
        theme = self.theme
        a = self.settings["A"]
        lines = [f"<b>Layer 1 weights at initialization</b> ({a.sizes[0]} → {a.sizes[1]})"
                 + (" · log10 share per bin" if self.log_counts else "")]
        for side in SIDES:
            n, s = self.numbers[side], self.settings[side]
            biggest = f"{fmt(n['max'])}" + (f" ({n['max'] / n['std']:.1f}σ)" if n["std"] > 0 else "")
            cut = f", cut at ±{fmt(n['cut'])} (dashed)" if n["cut"] is not None else ""
            lines.append(f'<span style="color:{side_color(theme, side)}">■</span> <b>{side}</b> '
                         f"{html.escape(s.init)}: σ {fmt(n['std'])}, max |w| {biggest}{cut}")
        for side, other in (("B", "A"), ("A", "B")):
            cut = self.numbers[side]["cut"]
            w = self.weights[other]
            if cut is not None and self.numbers[other]["cut"] is None and w is not None and w.size:
                beyond = float(np.mean(np.abs(w) > cut))
                lines.append(f"{beyond:.1%} of {other}'s weights lie beyond {side}'s cut")
        self.text.setText("<br>".join(lines))

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.graph.setBackground(theme.background)
        for side in SIDES:
            color = side_color(theme, side)
            curve = self.curves[side]
            curve.setPen(pg.mkPen(color, width=theme.line_width))
            # A filled, B an outline on top: where B's bars stand above A's fill, B is the wider one
            if side == "A":
                curve.setFillLevel(0.0)
                curve.setBrush(pg.mkBrush(blend(color, theme.background, 0.35)))
            for line in self.cuts[side]:
                line.setPen(pg.mkPen(color, width=max(1.0, theme.line_width - 0.5),
                                     style=QtCore.Qt.PenStyle.DashLine))
        style_plot(self.plot, theme, bottom="w")
        self._write()


def side_color(theme: Theme, side: str) -> str:
    """A's and B's colour in headers and overlay: the theme's first two (Okabe-Ito) layer colours."""
    return theme.layers[0] if side == "A" else theme.layers[1]
