"""The distribution of every layer's pre-activations z or activations f(z), one ridge per layer.

Glorot & Bengio 2010, Fig. 6: with a good initialization the histograms keep their spread through
the depth; too small and they collapse to a spike at 0; too large and a tanh layer piles up in its
two end bins (the statistics clip everything beyond the axis into the end bins, and the ends of the
axis are labelled "<=" / ">=" wherever that can happen).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from winit_gui import activations
from winit_gui.app.theme import Theme
from winit_gui.app.views.base import SnapshotView, add_plot, style_plot
from winit_gui.app.views.histograms import (MAX_RIDGES, Ridgeline, fractions, fmt, layer_colors,
                                            layer_label, nice_ticks, ordinal, sample_layers, shown_note, tick_label)
from winit_gui.app.views.marks import PixelMarks
from winit_gui.app.views.titles import FittedTitle
from winit_gui.snapshot import Snapshot
from winit_gui.statistics import PREACT_EDGES

MODES = ("pre", "post")
FULL_PRE = 0.3
"""Fraction per bin at a ridge's full height, pre-activations. Bins are 0.125 wide: a layer of std 1
peaks near 0.05 (a sixth of the height), one of std 0.25 near 0.2; a collapsed layer (50 % in each
bin next to 0) and a saturated one (a third of the values in each end bin) are clipped and labelled."""
FULL_POST = 0.15
"""The same for activations: their bins are narrower (tanh: 1/32), so the fractions per bin are smaller."""
CLIPPED_NOTE = 0.01
"""Pre-activations: say how many values lie beyond the axis when it is more than this fraction."""
MEAN_MARK_PX = 11
"""Side of the triangle that marks each layer's mean on its baseline."""


class ActivationView(SnapshotView):
    object_name = "activationView"
    title = "Activations"

    def __init__(self, theme: Theme, parent=None):
        super().__init__(theme, parent)
        self.mode = "pre"
        self.log_counts = False
        self.plot = add_plot(self.ci, row=0, col=0)
        self.ridges = Ridgeline(self.plot, theme, note_sample="μ -0.000e-00  σ 0.000e-00")
        self.ridges.on_layout = self.redraw  # e.g. more or fewer layers fit: sample them again
        # (a PlotItem's title sits over its ViewBox only: the left axis takes ~60 px of the width)
        self.title_text = FittedTitle(self.plot.titleLabel, lambda: self.width() - 60, self.plot)
        # A triangle on each ridge's baseline at the layer's mean: a narrow plot's notes give only
        # σ, and some lessons are about the mean (sigmoid activations sit near 0.5, ReLU's above 0).
        self.means = PixelMarks()
        self.means.setZValue(MAX_RIDGES)  # before every ridge, behind the notes
        self.plot.addItem(self.means)
        # (a narrow plot's title has no room for "▲ mean": the plot says it on hover)
        self.plot.getViewBox().setToolTip(
            "One histogram per layer, on bins that never move: layers, slider positions and steps "
            "compare like with like.\n▲ the layer's mean, σ its standard deviation; a % label, the "
            "share of values in a clipped bin.")
        self._title: tuple[str, ...] = ()
        self._x_key = None
        self.apply_theme(theme)

    # ---- options -----------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        """"pre": pre-activations z = xW + b; "post": activations f(z)."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; valid: {', '.join(MODES)}")
        if mode != self.mode:
            self.mode = mode
            self._redraw()

    def set_log_counts(self, log: bool) -> None:
        """Heights as log10 of the fraction per bin (shows the thin tails) instead of the fraction."""
        log = bool(log)
        if log != self.log_counts:
            self.log_counts = log
            self._redraw()

    def _redraw(self) -> None:
        self._style()
        self.redraw()

    # ---- drawing -------------------------------------------------------------------------------
    def render(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        stats = snapshot.stats
        layers = stats.layers
        shown, k = sample_layers(len(layers), self.ridges.capacity)
        pre = self.mode == "pre"
        edges = PREACT_EDGES if pre else stats.act_edges
        self.ridges.set_scale(self.log_counts, FULL_PRE if pre else FULL_POST)
        self.ridges.set_layers([layer_label(layers[i]) for i in shown])
        self._set_x(edges, snapshot.settings.activation)
        marks: list[tuple[float, float, int]] = []
        notes, shorts = [], []
        for slot, i in enumerate(shown):
            layer = layers[i]
            mean, std = (layer.preact_mean, layer.preact_std) if pre else (layer.act_mean, layer.act_std)
            if math.isfinite(mean):  # (one beyond the axis sits at its end, as its values do)
                marks.append((min(max(mean, edges[0]), edges[-1]), self.ridges.baseline(slot), slot))
            notes.append(f"μ {fmt(mean)}  σ {fmt(std)}")
            shorts.append(f"σ {fmt(std)}")
        fracs = fractions(np.array([layers[i].preact_hist if pre else layers[i].act_hist for i in shown]))
        if pre:
            beyond = fracs[:, 0] + fracs[:, -1]
            for slot in np.flatnonzero(beyond > CLIPPED_NOTE):
                notes[slot] += f"\n{beyond[slot]:.0%} beyond ±{edges[-1]:g}"
        self.ridges.set_ridges(edges, fracs, notes, shorts)
        x, y, slots = np.array(marks, dtype=float).reshape(-1, 3).T
        self.means.setData(x, y, slots.astype(int))
        act = snapshot.settings.activation
        what, short = ("pre-activations z = xW + b", "pre-activations z") if pre else (f"activations {act}(z)",) * 2
        scale = "log10 fraction per bin" if self.log_counts else "fraction per bin"
        note = shown_note(len(layers), k)
        self._set_title(f"{what}  ({scale})  ▲ mean{note}", f"{short}  ▲ mean{note}", f"{short}{note}",
                        f"{short}\nevery {ordinal(k)} of {len(layers)} layers" if k > 1 else short)

    def _set_x(self, edges: np.ndarray, activation: str) -> None:
        key = (float(edges[0]), float(edges[-1]), self.mode, activation)
        if key == self._x_key:
            return
        self._x_key = key
        lo, hi = key[0], key[1]
        open_lo = open_hi = True  # pre-activations: any value can lie beyond the axis
        if self.mode == "post":
            f = activations.get(activation).f
            with np.errstate(all="ignore"):
                tails = f(np.array([-1e6, 1e6]))
            open_lo, open_hi = not tails[0] >= lo, not tails[1] <= hi
        ticks = [(t, tick_label(t)) for t in nice_ticks(lo, hi)]
        if open_lo:
            ticks[0] = (lo, "≤" + tick_label(lo))
        if open_hi:
            ticks[-1] = (hi, "≥" + tick_label(hi))
        self.ridges.set_x(edges, ticks)

    def _set_title(self, *versions: str) -> None:
        if versions != self._title:
            self._title = versions
            self.title_text.set(self.theme, *versions)

    def resizeEvent(self, event) -> None:
        # titles first: the layout below must not be held wide by a title meant for the old width
        if hasattr(self, "title_text") and not self.closed:  # (see SnapshotView.close)
            self.title_text.fit()
        super().resizeEvent(event)

    # ---- theme -----------------------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.ridges.apply_theme(theme)
        # each layer's mean in its ridge's colour, outlined in the text colour (visible on its own fill)
        colors = layer_colors(theme)
        self.means.set_styles([("t1", pg.mkBrush(colors[slot % len(colors)]), pg.mkPen(theme.foreground, width=1))
                               for slot in range(MAX_RIDGES)], MEAN_MARK_PX)
        self._style()

    def _style(self) -> None:
        bottom = "z" if self.mode == "pre" else "f(z)"
        style_plot(self.plot, self.theme, left="layer", bottom=bottom)
        self.title_text.set(self.theme, *self._title)
