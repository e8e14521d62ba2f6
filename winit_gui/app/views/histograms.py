"""One step histogram per layer, stacked as a ridgeline: shared by the activation and gradient views.

Why a ridgeline and not a grid of small PlotItems (small multiples): on a projector the lesson is
how a distribution changes *with depth* (narrows to a spike, spreads into the end bins, slides left
by decades). In a ridgeline every layer sits on one shared, full-width x axis, one above the other,
so the eye compares positions straight down a column: the most accurate comparison there is
(position on a common scale). A grid wraps rows, so layer 4 and layer 5 are not aligned; each small
panel gets a quarter of the width (a 12-panel grid leaves 2-3 px per bin) and its own tiny tick
labels that the back row cannot read. One plot is also cheaper to draw than twelve: one ViewBox, two
axes, no per-panel layout.

Every ridge has the same fixed vertical scale, so heights compare across layers, slider positions
and training steps. Counts are turned into fractions of the values (so a layer of 512 samples x 256
units compares with one of 64 x 8); a bin above ``LINEAR_FULL`` is clipped at the ridge's ceiling
and labelled with its true percentage (a collapsed layer is a needle marked "98%"; a saturated tanh
layer two needles at the ends).

The histograms are one item (steps.StepStack), drawn anew from one array a frame; the notes and
peak labels are pooled: ``MAX_RIDGES`` of them are created once and shown or hidden, a change in the
number of layers only moves them (once, cached by the layer count), and each frame only calls
setText.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

from winit_gui.app.theme import Theme
from winit_gui.app.views.labels import Label
from winit_gui.app.views.outlines import step_pen
from winit_gui.app.views.steps import StepStack

MAX_RIDGES = 12
"""At most this many layers are drawn; deeper networks show every k-th layer (first and last always)."""
MIN_RIDGES = 4
"""However short the plot, at least this many layers are drawn (first, last and two between)."""
RIDGE_HEIGHT = 1.5
"""A ridge's full height, in units of the spacing between ridges (taller ridges overlap the one above)."""
PEAK_ROOM = 1.5
"""Peak labels are shown only where the rows are at least this many lines of their text apart: in a
shorter plot they would cover the labels and notes of the rows next to them."""
LINEAR_FULL = 0.5
"""Default fraction of values in one bin that reaches a ridge's full height (taller bins are clipped
there); a view may choose another, fixed one per kind of histogram (``Ridgeline.full``)."""
MARK_AT = 1.0
"""A needle taller than this share of the ridge's full height is labelled with its percentage."""
LOG_FLOOR = -5.0
"""Log mode: log10(fraction) from LOG_FLOOR (1 value in 100 000) up to 0 (all values in one bin)."""
FILL_ALPHA = 0.35
PEAK_MARKERS = 2
"""Clipped bins labelled with their percentage, per ridge (a saturated layer has two end needles)."""


def sample_layers(n: int, cap: int = MAX_RIDGES) -> tuple[list[int], int]:
    """Indices of the layers to show out of ``n`` and the stride k: every k-th, the last one always."""
    if n <= cap:
        return list(range(n)), 1
    k = math.ceil((n - 1) / (cap - 1))
    return [*range(0, n - 1, k), n - 1], k


def fractions(counts: np.ndarray, total=None) -> np.ndarray:
    """Counts as fractions of ``total`` (default: their sum), along the last axis: one histogram,
    or a row each of several (``total`` then one per row). All zero where the total is not above 0."""
    counts = np.asarray(counts, dtype=np.float64)
    if total is None:
        total = counts.sum(axis=-1, keepdims=True)
    else:
        total = np.reshape(np.asarray(total, dtype=np.float64), counts.shape[:-1] + (1,))
    some = total > 0
    return counts / np.where(some, total, 1.0) * some


def fmt(value: float) -> str:
    """A number short enough for an annotation: 3 significant digits, exponent when tiny or huge."""
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    if 0.01 <= abs(value) < 1000:
        return f"{value:.3g}"
    return f"{value:.1e}"


def ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def layer_label(layer) -> str:
    return "out" if layer.kind == "output" else str(layer.index)


def shown_note(n: int, k: int) -> str:
    return "" if k == 1 else f"  ·  {n} layers: every {ordinal(k)} layer shown"


def nice_ticks(lo: float, hi: float, count: int = 7) -> list[float]:
    """Round tick values in [lo, hi], at most about ``count`` of them, always with both ends
    (inner ticks too close to an end are dropped so that the end labels stay readable)."""
    raw = (hi - lo) / max(count - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw * 0.999)
    first = math.ceil(lo / step - 1e-9) * step
    inner = [round(t, 10) for t in np.arange(first, hi - step * 1e-6, step)
             if t - lo > 0.6 * step and hi - t > 0.6 * step]
    return [lo, *inner, hi]


MIN_STEPS = 10
"""The shortest step axis (a run's first steps)."""


def nice_ceiling(x: float, least: float = MIN_STEPS) -> float:
    """The smallest 1, 2 or 5 times a power of ten that is at least ``x`` (and ``least``): an axis
    grows by jumps, not every frame (each change of an axis's range redraws its ticks and moves
    every item on it)."""
    if not x > least:
        return float(least)
    mag = 10 ** math.floor(math.log10(x))
    return next(float(m * mag) for m in (1, 2, 5, 10) if m * mag >= x)


def tick_label(value: float) -> str:
    return f"{value:g}".replace("-", "\u2212")


def fixed_axes(plot: pg.PlotItem) -> None:
    """No autorange, no mouse: the axes never move by themselves (autorange costs ~25 ms)."""
    plot.disableAutoRange()
    plot.setMouseEnabled(False, False)
    plot.hideButtons()
    plot.getViewBox().setDefaultPadding(0.0)


def blend(color: str, background: str, alpha: float) -> QtGui.QColor:
    """``color`` over ``background`` at ``alpha``, as an opaque colour (ridges in front hide those behind)."""
    c, b = QtGui.QColor(color), QtGui.QColor(background)
    mix = lambda x, y: round(alpha * x + (1 - alpha) * y)  # noqa: E731
    return QtGui.QColor(mix(c.red(), b.red()), mix(c.green(), b.green()), mix(c.blue(), b.blue()))


def layer_colors(theme: Theme) -> list[str]:
    """The theme's layer colours without the derivative curve's own (dark: yellow; light: black), so
    that a layer has the same colour in the ridgelines and over the saturation view's curve."""
    return [c for c in theme.layers if c.lower() != theme.curve.lower()] or list(theme.layers)


def font(theme: Theme, delta: int = 0, bold: bool = False) -> QtGui.QFont:
    f = QtGui.QFont()
    f.setPointSize(max(6, theme.font_size + delta))
    f.setBold(bold)
    return f


class Ridgeline:
    """Step histograms of up to MAX_RIDGES layers in one PlotItem, first layer at the top.

    Ridge ``slot`` (0 = top) has its baseline at y = n - 1 - slot. ``values[slot]`` are the
    statistics drawn (fractions, or log10 fractions in log mode, clipped to the ridge, on the
    fixed bin edges ``edges``); ``steps`` scales them into the ridges. The notes (mean, std,
    ...) sit in a margin to the right of the data, kept at a fixed pixel width whatever the
    widget's size; when the plot is too narrow for that margin (the view as one tile of the main
    window) their short versions lie over the right end of their ridge instead, on a background of their own, and the x tick labels are thinned until they do
    not overlap.
    """

    def __init__(self, plot: pg.PlotItem, theme: Theme, note_sample: str):
        self.plot = plot
        self.vb = plot.getViewBox()
        self.theme = theme
        self.note_sample = note_sample
        self.log = False
        self.full = LINEAR_FULL
        self.count = 0
        self.labels: tuple[str, ...] = ()
        self.lo, self.hi = 0.0, 1.0
        self._note_px = 120
        self.compact: bool | None = None
        self._ticks: list | None = None
        self._shown_ticks: list | None = None
        fixed_axes(plot)
        plot.getAxis("bottom").setStyle(hideOverlappingLabels=40)  # px: the "≤" end labels may overhang
        self.label_axis = plot.getAxis("left")
        self.steps = StepStack()
        plot.addItem(self.steps)
        self.edges = np.zeros(1)
        self.values = np.zeros((0, 0))
        self.notes: list[Label] = []
        self.texts: list[tuple[str, str]] = [("", "")] * MAX_RIDGES
        """(note, short note) of every ridge; the notes show one or the other by the plot's width."""
        self._peak_spans: list[list[tuple[Label, float, float, float, float]]] = [[] for _ in range(MAX_RIDGES)]
        """Per ridge, its shown peak labels and where they lie: (label, left x, pixels left of it,
        right x, pixels right of it)."""
        self.peaks: list[list[Label]] = []
        for slot in range(MAX_RIDGES):
            note = Label(anchor=(0, 0.5))
            note.setZValue(100)
            peaks = [Label(anchor=(0, 0)) for _ in range(PEAK_MARKERS)]
            for item in (note, *peaks):
                item.setVisible(False)
                plot.addItem(item)
            for p in peaks:
                p.setZValue(101)
            self.notes.append(note)
            self.peaks.append(peaks)
        self.peak_room = True
        """Whether the rows are tall enough for peak labels (PEAK_ROOM)."""
        self.capacity = MAX_RIDGES
        """Ridges that fit the plot's height (MAX_RIDGES at most): a short tile shows fewer layers."""
        self.on_layout: Callable[[], None] | None = None
        """Called when a new size of the plot changes what the ridges show: the capacity, the room
        for peak labels, or (a new width) the side of its needle each peak label takes. The view
        redraws its snapshot."""
        self._width_px = 0.0
        self.vb.sigResized.connect(self._fit_x)
        self.vb.sigResized.connect(self._fit_capacity)
        self.apply_theme(theme)

    # ---- layout: once per change of the layer count -----------------------------------------
    def set_layers(self, labels: Sequence[str]) -> None:
        labels = tuple(labels)
        if labels == self.labels:
            return
        n = len(labels)
        if n != self.count:
            self.count = n
            for slot in range(MAX_RIDGES):
                on = slot < n
                self.notes[slot].setVisible(on)
                if not on:
                    for p in self.peaks[slot]:
                        p.setVisible(False)
                self._place_note(slot)
            self.vb.setYRange(-0.12, max(n - 1, 0) + RIDGE_HEIGHT + 0.08, padding=0)
            self._fit_peak_room()
        self.labels = labels
        self.label_axis.setTicks([[(self.baseline(s) + 0.3, lab) for s, lab in enumerate(labels)], []])

    def baseline(self, slot: int) -> float:
        return float(self.count - 1 - slot)

    def _note_x(self) -> float:
        """Where a note is pinned: its left end right of the ridges, or (compact) its right end."""
        return self.hi + (0.01 if self.compact else 0.02) * (self.hi - self.lo)

    def _place_note(self, slot: int) -> None:
        x = self._note_x()
        if self.compact and self._peak_spans[slot]:
            # A compact note sits over the ridge's right end, in the row of its peak labels: it
            # ends left of any label that would lie under it. Where it would then leave the
            # plot, it stays, and those labels go: the layer's σ matters more than a share.
            per_px = self._x_per_px()
            width = self.notes[slot].boundingRect().width() * per_px
            under = [(marker, left - left_px * per_px) for marker, left, left_px, right, right_px
                     in self._peak_spans[slot] if right + right_px * per_px > x - width]
            if under:
                moved = min(x, min(left for _, left in under) - 6 * per_px)
                if moved - width >= self.vb.viewRange()[0][0]:
                    x = moved
                else:
                    for marker, _ in under:
                        marker.setVisible(False)
        self.notes[slot].setPos(x, self.baseline(slot) + 0.3)

    def set_scale(self, log: bool, full: float = LINEAR_FULL) -> None:
        """Log10 fractions, or fractions with ``full`` at a ridge's full height (from the next
        ``set_ridges`` on)."""
        self.log, self.full = log, full

    def set_x(self, edges: np.ndarray, ticks: Sequence[tuple[float, str]]) -> None:
        lo, hi = float(edges[0]), float(edges[-1])
        if (lo, hi) != (self.lo, self.hi):
            self.lo, self.hi = lo, hi
            self._fit_x()
        ticks = list(ticks)
        if ticks != self._ticks:
            self._ticks = ticks
            self._fit_x()

    def _fit_x(self, *_) -> None:
        """Data from lo to hi, then a margin of fixed pixel width for the notes (or, in a narrow
        plot, no margin and the notes over the ridges). Runs on resize, never per frame."""
        width_px = max(self.vb.width(), 1.0)
        # (a view never shown has no width yet: lay it out as a wide one)
        compact = 10 < width_px < 2.2 * self._note_px
        if compact != self.compact:
            self.compact = compact
            fill = blend(self.theme.background, self.theme.foreground, 0.85) if compact else None
            note_font = font(self.theme, -2 if compact else -1)
            for slot, note in enumerate(self.notes):
                note.setAnchor((1, 0.5) if compact else (0, 0.5))
                note.set_fill(pg.mkBrush(fill))
                note.setFont(note_font)
                note.setText(self.texts[slot][1 if compact else 0])
        span = self.hi - self.lo
        pad = span * 0.01
        if compact:  # room for half the last tick label, which is centred on the plot's right end
            label = self._ticks[-1][1] if self._ticks else ""
            fm = QtGui.QFontMetrics(self.plot.getAxis("bottom").style["tickFont"] or QtGui.QFont())
            margin_px = fm.horizontalAdvance(label) / 2 + 2
        else:
            margin_px = self._note_px
        margin = span * margin_px / max(width_px - margin_px, 1.0)
        self.vb.setXRange(self.lo - pad, self.hi + pad + margin, padding=0)
        for slot in range(self.count):
            self._place_note(slot)
        self._fit_ticks()

    def _fit_capacity(self, *_) -> None:
        height = self.vb.height()
        row = 1.7 * QtGui.QFontMetrics(font(self.theme, -2)).lineSpacing()
        capacity = MAX_RIDGES if height < 10 else int(np.clip(height // row, MIN_RIDGES, MAX_RIDGES))
        if height >= 10 and capacity > self.capacity:
            # More ridges only once the plot has grown by more than a title line beyond their
            # need: the stride they give can wrap the view's title or unwrap it, which moves the
            # plot's height by a line. Without this margin 31 layers in a compare tile at 18 pt
            # flipped between 5 ridges (a two-line title) and 4 (one line) for ever.
            slack = 1.25 * QtGui.QFontMetrics(font(self.theme)).lineSpacing()
            capacity = max(self.capacity, int(np.clip((height - slack) // row, MIN_RIDGES, MAX_RIDGES)))
        room_changed = self._fit_peak_room()
        # (peak labels chose their side with the old width, from the x range set just before)
        relabel = self.vb.width() != self._width_px and any(self._peak_spans)
        self._width_px = self.vb.width()
        if capacity != self.capacity or room_changed or relabel:
            self.capacity = capacity
            if self.on_layout is not None:
                self.on_layout()

    def _fit_peak_room(self) -> bool:
        """Decide whether the rows are tall enough for peak labels; True if that changed."""
        height = self.vb.height()
        span = max(self.count - 1, 0) + RIDGE_HEIGHT + 0.2  # the y range, in rows
        room = height < 10 or height / span >= PEAK_ROOM * self._peak_line_px  # (never shown: no height yet)
        changed = room != self.peak_room
        self.peak_room = room
        return changed

    def _x_per_px(self) -> float:
        """Data units of x per pixel, at the plot's present width and range."""
        x0, x1 = self.vb.viewRange()[0]
        return max(x1 - x0, 1e-12) / max(self.vb.width(), 1.0)

    def _fit_ticks(self) -> None:
        """The x tick labels that fit side by side at this width: both ends, then inner ones greedily."""
        if not self._ticks:
            return
        axis = self.plot.getAxis("bottom")
        fm = QtGui.QFontMetrics(axis.style["tickFont"] or QtGui.QFont())
        px = 1.0 / self._x_per_px()

        def extent(tick):
            half = fm.horizontalAdvance(tick[1]) / 2 + 6
            return tick[0] * px - half, tick[0] * px + half

        first, last = self._ticks[0], self._ticks[-1]
        kept, right = [first], extent(first)[1]
        end = extent(last)[0]
        for tick in self._ticks[1:-1]:
            a, b = extent(tick)
            if a >= right and b <= end:
                kept.append(tick)
                right = b
        kept.append(last)
        if kept != self._shown_ticks:
            self._shown_ticks = kept
            axis.setTicks([kept, []])

    # ---- per frame ---------------------------------------------------------------------------
    def set_ridges(self, edges: np.ndarray, fracs: np.ndarray, notes: Sequence[str],
                   shorts: Sequence[str] | None = None) -> None:
        """Draw the fractions ``fracs[slot]`` (per bin of ``edges``) in every ridge shown and
        annotate each with ``notes[slot]`` (or, in a plot too narrow for it, ``shorts[slot]``)."""
        fracs = np.asarray(fracs, dtype=np.float64).reshape(self.count, len(edges) - 1)
        if self.log:
            with np.errstate(divide="ignore"):
                y = np.clip(np.log10(fracs), LOG_FLOOR, 0.0)
            scale, level = RIDGE_HEIGHT / -LOG_FLOOR, LOG_FLOOR
        else:
            y = np.minimum(fracs, self.full)
            scale, level = RIDGE_HEIGHT / self.full, 0.0
        self.edges, self.values = edges, y
        bases = np.arange(self.count - 1, -1, -1, dtype=np.float64)  # (the baselines, top ridge first)
        self.steps.set_steps(edges, bases[:, None] + scale * (y - level), bases)
        shorts = notes if shorts is None else shorts
        # (one reduction for all ridges: on rows this short its set-up is the cost)
        tallest = fracs.max(axis=1, initial=0.0).tolist()
        for slot, frac in enumerate(fracs):
            self.texts[slot] = (notes[slot], shorts[slot])
            self.notes[slot].setText(self.texts[slot][1 if self.compact else 0])
            self._mark_peaks(slot, edges, frac, tallest[slot])

    def _mark_peaks(self, slot: int, edges: np.ndarray, frac: np.ndarray, tallest: float) -> None:
        """Label the tallest clipped needles with the share of values they hold (adjacent tall bins
        together: a collapsed layer split over the two bins around 0 reads "100%"); ``tallest``:
        ``frac``'s largest value."""
        markers = self.peaks[slot]
        # (most ridges have no clipped needle: they skip the search and its placing)
        tall = not self.log and self.peak_room and tallest > MARK_AT * self.full
        spans = self._label_needles(slot, markers, edges, frac) if tall else []
        for m in markers[len(spans):]:
            m.setVisible(False)
        self._peak_spans[slot] = spans
        if self.compact:
            self._place_note(slot)

    def _label_needles(self, slot: int, markers: list[Label], edges: np.ndarray,
                       frac: np.ndarray) -> list[tuple[Label, float, float, float, float]]:
        """Show the first markers at the tallest needles; return the shown ones' spans."""
        full, n = self.full, len(frac)
        rest = frac.copy()
        # in the ridge's own row, beside the needle: near its top the label would sit in the row above
        y = self.baseline(slot) + 0.08
        spans = []
        per_px = self._x_per_px()
        # (compact: the note sits over the ridge's right end, from note_left on)
        note_left = self._note_x() - self.notes[slot].boundingRect().width() * per_px if self.compact else np.inf
        for m in markers:
            i = int(np.argmax(rest))
            if not rest[i] > MARK_AT * full:
                break
            a = b = i
            while a > 0 and rest[a - 1] > full / 2:
                a -= 1
            while b < n - 1 and rest[b + 1] > full / 2:
                b += 1
            m.setText(f"{frac[a:b + 1].sum():.0%}")
            width = m.boundingRect().width()
            # beside the needle, inside the plot and clear of the note where it can be
            right = b < 0.75 * n and (edges[b + 1] + width * per_px < note_left
                                      or edges[a] - width * per_px < self.lo)
            m.setAnchor((0, 1) if right else (1, 1))
            m.setPos(edges[b + 1] if right else edges[a], y)
            m.setVisible(True)
            spans.append((m, float(edges[b + 1]), 0.0, float(edges[b + 1]), width) if right
                         else (m, float(edges[a]), width, float(edges[a]), 0.0))
            gap = max(2, n // 12)
            rest[max(0, a - gap): b + gap + 1] = 0.0
        return spans

    # ---- theme ---------------------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        note_font = font(theme, -1)
        peak_font = font(theme, -2, bold=True)
        self._peak_line_px = QtGui.QFontMetrics(peak_font).height()
        self._note_px = QtGui.QFontMetrics(note_font).horizontalAdvance(self.note_sample) + 12
        palette = layer_colors(theme)
        colors = [palette[slot % len(palette)] for slot in range(MAX_RIDGES)]
        self.steps.set_styles([step_pen(color, width=theme.line_width) for color in colors],
                              [pg.mkBrush(blend(color, theme.background, FILL_ALPHA)) for color in colors])
        for note, peaks in zip(self.notes, self.peaks):
            note.setColor(theme.foreground)
            note.setFont(note_font)
            for p in peaks:
                p.setColor(theme.foreground)
                p.setFont(peak_font)
                p.set_fill(pg.mkBrush(blend(theme.background, theme.foreground, 0.85)))  # legible over a ridge
        self.compact = None  # re-chooses the notes' place and background for this theme and font
        self._shown_ticks = None
        self._fit_x()
        self._fit_capacity()
