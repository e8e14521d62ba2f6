"""The network diagram: units as nodes by layer, weights as edges, biases as node fills.

Drawing stays cheap however deep the network is. Edges are grouped by sign and by a width bucket
of |w| (relative to the largest |w| shown) into a handful of curves drawn with ``connect='pairs'``
(GraphItem would draw them edge by edge in Python); nodes are one ScatterPlotItem whose brushes
and pens come from small prebuilt tables, so the symbol atlas is hit, never grown. Positions,
edge endpoints and label items depend only on the layer sizes: they are built once per
architecture, and ``render`` only hands new arrays to the same items.

Layout (one column of the GraphicsLayout):

- row 0: a title (architecture, colour key, the largest |w|);
- row 1: the diagram ViewBox, range fixed per architecture (never autoranged per frame);
- row 2: a label band x-linked to the diagram whose y axis counts pixels, so the rows of labels
  under the columns ("+N more", layer names, sizes, clone labels) never overlap whatever the
  window size; labels thin out when columns get narrow.
"""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from winit_gui.app.theme import Theme
from winit_gui.app.views.base import SnapshotView
from winit_gui.snapshot import Diagram, Snapshot

SIGNS = ("positive", "negative")
WIDTH_BUCKETS = 4
"""Edges with |w| / max|w| in [0, 1/4), [1/4, 1/2), [1/2, 3/4), [3/4, 1]: 4 widths x 2 signs."""
BUCKET_WIDTH = (0.35, 0.7, 1.15, 1.75)
"""Pen width of each bucket, times the theme's line width."""
BUCKET_ALPHA = (0.45, 0.65, 0.85, 1.0)
ZERO_ABS = 1e-12
"""|w| at or below this is a zero weight: drawn faint and thin, so an all-zero net looks all zero."""
BIAS_LEVELS = (0.3, 0.55, 0.8, 1.0)
"""Node fill: the bias's sign colour mixed into the background at these strengths."""
HOVER_EDGE_PX = 5.0
"""How near (in pixels) the pointer must come to an edge to show its weight."""


def layer_name(index: int, n_layers: int) -> str:
    if index == 0:
        return "in"
    return "out" if index == n_layers - 1 else str(index)


def architecture(sizes: tuple[int, ...]) -> str:
    """'2-6-6-6-1', or for deep nets a run-length form such as '256 → 30×256 → 1'."""
    if len(sizes) <= 6:
        return "-".join(str(s) for s in sizes)
    runs: list[list[int]] = []
    for s in sizes[1:-1]:
        if runs and runs[-1][1] == s:
            runs[-1][0] += 1
        else:
            runs.append([1, s])
    hidden = " → ".join(f"{n}×{s}" if n > 1 else str(s) for n, s in runs)
    return f"{sizes[0]} → {hidden} → {sizes[-1]}"


class FittedLabel:
    """A LabelItem that shows the longest of several wordings that fits its width.

    LabelItem makes its text width the layout's minimum width, so a long title on a narrow panel
    pushes the whole layout out of the widget (clipping the plot on both sides). Here the minimum
    is released and a shorter wording is chosen instead. (Shared by the views of this package.)
    """

    def __init__(self, label: pg.LabelItem):
        self.label = label
        self.candidates: tuple[str, ...] = ()
        self.color = ""
        self.size = 10
        self.width = 0.0
        self.shown: str | None = None

    def set(self, candidates, color: str, size: int) -> None:
        candidates = tuple(candidates)
        if (candidates, color, size) == (self.candidates, self.color, self.size):
            return
        self.candidates, self.color, self.size = candidates, color, size
        self.shown = None
        self.fit(self.width)

    def fit(self, width: float) -> None:
        self.width = width
        if not self.candidates:
            return
        font = QtGui.QFont()
        font.setPointSize(self.size)
        metrics = QtGui.QFontMetricsF(font)
        chosen = self.candidates[-1]
        for text in self.candidates:
            if width <= 0 or metrics.horizontalAdvance(_plain(text)) + 16 <= width:
                chosen = text
                break
        if chosen != self.shown:
            self.shown = chosen
            self.label.setText(chosen, color=self.color, size=f"{self.size}pt")
            self.label.setMinimumWidth(0)

    @property
    def text(self) -> str:
        return _plain(self.shown or "")


def _plain(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def _mix(a: str, b: str, t: float, alpha: float = 1.0) -> QtGui.QColor:
    """Colour ``t`` of the way from ``a`` to ``b``."""
    ca, cb = QtGui.QColor(a), QtGui.QColor(b)
    c = QtGui.QColor.fromRgbF(ca.redF() + (cb.redF() - ca.redF()) * t,
                              ca.greenF() + (cb.greenF() - ca.greenF()) * t,
                              ca.blueF() + (cb.blueF() - ca.blueF()) * t, alpha)
    return c


def _runs(values: list) -> list[tuple[int, int, object]]:
    """(first, last, value) of each run of equal, non-None consecutive values."""
    out: list[tuple[int, int, object]] = []
    for i, v in enumerate(values):
        if v is None:
            continue
        if out and out[-1][2] == v and out[-1][1] == i - 1:
            out[-1] = (out[-1][0], i, v)
        else:
            out.append((i, i, v))
    return out


class _Layout:
    """Everything that depends only on the layer sizes: node positions and edge endpoints."""

    def __init__(self, diagram: Diagram):
        self.sizes = diagram.sizes
        self.shown = tuple(len(g) for g in diagram.groups)
        self.rows = max(self.shown)
        self.truncated = tuple(max(0, s - n) for s, n in zip(self.sizes, self.shown))
        xs, ys, layer, unit = [], [], [], []
        self.node_y: list[np.ndarray] = []
        centre = (self.rows - 1) / 2
        for l, n in enumerate(self.shown):
            y = centre + (n - 1) / 2 - np.arange(n, dtype=float)
            self.node_y.append(y)
            xs.append(np.full(n, float(l)))
            ys.append(y)
            layer.append(np.full(n, l))
            unit.append(np.arange(n))
        self.x = np.concatenate(xs)
        self.y = np.concatenate(ys)
        self.layer = np.concatenate(layer)
        self.unit = np.concatenate(unit)
        self.offsets = np.concatenate([[0], np.cumsum(self.shown)])
        # Edges in the order of np.concatenate([W.ravel() for W in weights]): W[i, j] joins unit i
        # of layer l to unit j of layer l + 1.
        seg_x, seg_y, seg_layer, seg_i, seg_j = [], [], [], [], []
        for l in range(len(self.shown) - 1):
            a, b = self.shown[l], self.shown[l + 1]
            i, j = np.meshgrid(np.arange(a), np.arange(b), indexing="ij")
            i, j = i.ravel(), j.ravel()
            seg_x.append(np.column_stack([np.full(a * b, float(l)), np.full(a * b, float(l + 1))]))
            seg_y.append(np.column_stack([self.node_y[l][i], self.node_y[l + 1][j]]))
            seg_layer.append(np.full(a * b, l))
            seg_i.append(i)
            seg_j.append(j)
        empty = np.zeros((0, 2))
        self.seg_x = np.concatenate(seg_x) if seg_x else empty
        self.seg_y = np.concatenate(seg_y) if seg_y else empty
        self.seg_layer = np.concatenate(seg_layer) if seg_layer else np.zeros(0, int)
        self.seg_i = np.concatenate(seg_i) if seg_i else np.zeros(0, int)
        self.seg_j = np.concatenate(seg_j) if seg_j else np.zeros(0, int)
        self.symbols = np.array(["s" if l == 0 else "o" for l in self.layer], dtype=object)
        self.x_range = (-0.5, len(self.shown) - 0.5)
        # Room for a vertical ellipsis under truncated columns.
        bottom = -1.05 if any(self.truncated) else -0.6
        self.y_range = (bottom, self.rows - 1 + 0.6)

    @property
    def n_layers(self) -> int:
        return len(self.shown)


class NetworkView(SnapshotView):
    """The network as a diagram: weight signs and sizes on the edges, biases in the nodes,
    clone groups (symmetry) outlined and labelled, a hover read-out of any node or edge."""

    object_name = "networkView"
    title = "Network"

    def __init__(self, theme: Theme, parent=None):
        super().__init__(theme, parent)
        self.ci.setSpacing(0)
        self.title_label = self.ci.addLabel("", row=0, col=0)
        self.title_fit = FittedLabel(self.title_label)
        self.vb = self.ci.addViewBox(row=1, col=0, enableMouse=False, enableMenu=False)
        self.band = self.ci.addViewBox(row=2, col=0, enableMouse=False, enableMenu=False)
        for vb in (self.vb, self.band):
            vb.disableAutoRange()
            vb.setMouseEnabled(False, False)
        self.band.setXLink(self.vb)
        self.band.invertY(True)

        self.zero_item = pg.PlotCurveItem(connect="pairs", skipFiniteCheck=True)
        self.edge_items: dict[tuple[str, int], pg.PlotCurveItem] = {}
        for sign in SIGNS:
            for bucket in range(WIDTH_BUCKETS):
                self.edge_items[(sign, bucket)] = pg.PlotCurveItem(connect="pairs", skipFiniteCheck=True,
                                                                   antialias=True)
        for z, item in enumerate([self.zero_item, *self.edge_items.values()]):
            # QPainter.drawLines, one line per edge: stroking the whole curve as one path (the
            # default for translucent or antialiased pens) makes Qt compute the outline of every
            # crossing, over 100x slower for a diagram.
            item.setSegmentedLineMode("on")
            item.setZValue(z)
            self.vb.addItem(item)
        self.nodes = pg.ScatterPlotItem(pxMode=True)
        self.nodes.setZValue(100)
        self.vb.addItem(self.nodes)
        self.more_dots = pg.ScatterPlotItem(pxMode=True, size=4)
        self.vb.addItem(self.more_dots)
        self.hover_edge = pg.PlotCurveItem(connect="pairs", antialias=True)
        self.hover_edge.setZValue(150)
        self.hover_node = pg.ScatterPlotItem(pxMode=True, brush=None)
        self.hover_node.setZValue(160)
        self.hover_text = pg.TextItem(anchor=(0, 1))
        self.hover_text.setZValue(200)
        for item in (self.hover_edge, self.hover_node, self.hover_text):
            item.setVisible(False)
            self.vb.addItem(item)

        # Label band items, one per layer (grown, never shrunk, when a deeper net arrives).
        self.name_items: list[pg.TextItem] = []
        self.size_items: list[pg.TextItem] = []
        self.more_items: list[pg.TextItem] = []
        self.clone_items: list[pg.TextItem] = []

        self._layout: _Layout | None = None
        self._diagram: Diagram | None = None
        self._edge_key: np.ndarray | None = None
        self._node_key: np.ndarray | None = None
        self._more_runs: list[tuple[int, int, object]] = []
        self._clone_runs: list[tuple[int, int, object]] = []
        self._hover: tuple | None = None
        self._node_px = 12.0
        self._col_px = 100.0
        self.apply_theme(theme)
        self.setBackground(theme.background)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.vb.sigResized.connect(self._relayout)

    # ------------------------------------------------------------------ theme

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._font = QtGui.QFont()
        self._font.setPointSize(theme.font_size)
        self._bold = QtGui.QFont(self._font)
        self._bold.setBold(True)
        self._small = QtGui.QFont()
        self._small.setPointSize(max(7, theme.font_size - 1))
        self._metrics = QtGui.QFontMetricsF(self._font)
        self._small_metrics = QtGui.QFontMetricsF(self._small)
        bg = theme.background
        # Node styles, prebuilt so that ScatterPlotItem's atlas keys (object ids) repeat.
        neutral = pg.mkBrush(_mix(bg, theme.muted, 0.15))
        self._brushes = np.empty(2 + 2 * len(BIAS_LEVELS), dtype=object)
        self._brushes[0] = pg.mkBrush(_mix(bg, theme.muted, 0.45))  # inputs
        self._brushes[1] = neutral  # zero bias
        for k, t in enumerate(BIAS_LEVELS):
            self._brushes[2 + k] = pg.mkBrush(_mix(bg, theme.positive, t))
            self._brushes[2 + len(BIAS_LEVELS) + k] = pg.mkBrush(_mix(bg, theme.negative, t))
        self._pens = np.empty(2, dtype=object)
        self._pens[0] = pg.mkPen(theme.muted, width=1)
        self._pens[1] = pg.mkPen(theme.foreground, width=max(2.0, theme.line_width))  # clone outline
        self.more_dots.setBrush(pg.mkBrush(theme.muted))
        self.more_dots.setPen(None)
        self.hover_node.setPen(pg.mkPen(theme.foreground, width=2))
        self.hover_node.setBrush(None)
        self.hover_text.fill = pg.mkBrush(_mix(bg, bg, 0, alpha=0.9))
        self.hover_text.border = pg.mkPen(theme.muted)
        self.hover_text.setColor(theme.foreground)
        self.hover_text.setFont(self._font)
        for item in self.name_items:
            item.setFont(self._bold)
            item.setColor(theme.foreground)
        for item in self.size_items + self.more_items:
            item.setFont(self._small)
            item.setColor(theme.muted)
        for item in self.clone_items:
            item.setFont(self._font)
            item.setColor(theme.foreground)
        self._node_key = None  # restyle nodes on the next render
        self._style_edges()
        self._relayout()

    def _style_edges(self) -> None:
        theme = self.theme
        # Narrow columns (deep nets): thinner, fainter edges, or the diagram turns into a solid block.
        scale = float(np.clip(self._col_px / 110.0, 0.3, 1.0))
        fade = float(np.clip(self._col_px / 70.0, 0.55, 1.0))
        self.zero_item.setPen(pg.mkPen(_mix(theme.background, theme.muted, 1.0, alpha=0.45),
                                       width=max(1.0, 0.35 * theme.line_width * scale)))
        for (sign, bucket), item in self.edge_items.items():
            colour = theme.positive if sign == "positive" else theme.negative
            item.setPen(pg.mkPen(_mix(theme.background, colour, 1.0, alpha=BUCKET_ALPHA[bucket] * fade),
                                 width=max(0.8, BUCKET_WIDTH[bucket] * theme.line_width * scale)))
        self.hover_edge.setPen(pg.mkPen(theme.foreground, width=max(2.0, theme.line_width)))

    # ------------------------------------------------------------------ structure

    def _text_pool(self, pool: list[pg.TextItem], n: int, font: QtGui.QFont, colour: str) -> None:
        while len(pool) < n:
            item = pg.TextItem(anchor=(0.5, 0))
            item.setFont(font)
            item.setColor(colour)
            item.setVisible(False)
            self.band.addItem(item)
            pool.append(item)

    def _rebuild(self, diagram: Diagram) -> None:
        """A new architecture: new positions and label texts (items are reused where they exist)."""
        layout = _Layout(diagram)
        self._layout = layout
        n = layout.n_layers
        self._text_pool(self.name_items, n, self._bold, self.theme.foreground)
        self._text_pool(self.size_items, n, self._small, self.theme.muted)
        self._text_pool(self.more_items, n, self._small, self.theme.muted)
        self._text_pool(self.clone_items, n, self._font, self.theme.foreground)
        for l in range(len(self.name_items)):
            for pool in (self.name_items, self.size_items, self.more_items, self.clone_items):
                pool[l].setVisible(False)
            if l < n:
                self.name_items[l].setText(layer_name(l, n))
                self.size_items[l].setText(str(layout.sizes[l]))
        dots_x, dots_y = [], []
        for l, extra in enumerate(layout.truncated):
            if extra:
                dots_x += [l] * 3
                dots_y += [-0.5, -0.7, -0.9]
        self.more_dots.setData(np.array(dots_x, float), np.array(dots_y, float))
        self.nodes.setData(layout.x, layout.y, symbol=layout.symbols,
                           brush=self._brushes[np.ones(len(layout.x), int)],
                           pen=self._pens[np.zeros(len(layout.x), int)], size=self._node_px)
        self._more_runs = _runs([f"+{e} more" if e else None for e in layout.truncated])
        self._clone_runs = []
        self._edge_key = None
        self._node_key = None
        self._hover = None
        self._set_hover(None)
        self.vb.setRange(xRange=layout.x_range, yRange=layout.y_range, padding=0)
        self._relayout()

    def _relayout(self, *_args) -> None:
        """Sizes that depend on pixels: node size, edge widths, label rows and their thinning."""
        layout = self._layout
        if layout is None:
            return
        width = max(1.0, self.vb.width())
        height = max(1.0, self.vb.height())
        # Side margin (in columns) wide enough for the first and last labels ("in", "out", sizes).
        n = layout.n_layers
        half = 4 + 0.5 * max(
            QtGui.QFontMetricsF(self._bold).horizontalAdvance(layer_name(l, n)) for l in (0, n - 1))
        half = max(half, 4 + 0.5 * max(self._small_metrics.horizontalAdvance(str(layout.sizes[l]))
                                       for l in (0, n - 1)))
        pad = 0.5 if width <= 2 * half else max(0.5, half * (n - 1) / (width - 2 * half))
        x_range = (-pad, n - 1 + pad)
        if x_range != layout.x_range:
            layout.x_range = x_range
            self.vb.setRange(xRange=x_range, padding=0)
        span_x = layout.x_range[1] - layout.x_range[0]
        span_y = layout.y_range[1] - layout.y_range[0]
        col_px = width / span_x
        row_px = height / span_y
        self._col_px = col_px
        node_px = float(np.clip(0.5 * min(col_px, row_px), 4.0, 24.0))
        if abs(node_px - self._node_px) > 0.5:
            self._node_px = node_px
            self.nodes.setSize(node_px)
        self._style_edges()
        self._layout_band(col_px)
        self.title_fit.fit(self.width())

    def _layout_band(self, col_px: float) -> None:
        layout = self._layout
        n = layout.n_layers
        line = self._metrics.height()
        small = self._small_metrics.height()
        rows = []
        y = 2.0
        if self._more_runs:
            rows.append(("more", y))
            y += small
        rows.append(("name", y))
        y += line
        rows.append(("size", y))
        y += small
        if self._clone_runs:
            rows.append(("clone", y))
            y += line
        height = y + 4
        self.band.setFixedHeight(height)
        self.band.setRange(yRange=(0, height), padding=0)
        row_y = dict(rows)

        # Layer names and sizes: every stride-th column (and always "in" and "out").
        widest = max(QtGui.QFontMetricsF(self._bold).horizontalAdvance(layer_name(l, n)) for l in range(n))
        widest = max(widest, max(self._small_metrics.horizontalAdvance(str(s)) for s in layout.sizes))
        stride = max(1, math.ceil((widest + 10) / col_px))
        for l in range(n):
            show = l % stride == 0 or l == n - 1
            if l != n - 1 and 0 < n - 1 - l < stride:
                show = False
            self.name_items[l].setVisible(show)
            self.size_items[l].setVisible(show)
            self.name_items[l].setPos(l, row_y["name"])
            self.size_items[l].setPos(l, row_y["size"])
        self._place_runs(self.more_items, self._more_runs, row_y.get("more"), self._small_metrics, col_px)
        self._place_runs(self.clone_items, self._clone_runs, row_y.get("clone"), self._metrics, col_px)

    def _place_runs(self, pool, runs, y, metrics, col_px) -> None:
        """One label centred under each run of layers; a shorter wording when the long one does not fit."""
        for k, item in enumerate(pool):
            if y is None or k >= len(runs):
                item.setVisible(False)
                continue
            first, last, text = runs[k]
            long, short = (text, text) if isinstance(text, str) else text
            room = (last - first + 1) * col_px + (col_px if first == last else 0)
            candidates = [long, short] if first == last else \
                [f"{long} in each layer", f"{long} each", f"{short} each", short]
            chosen = next((c for c in candidates if metrics.horizontalAdvance(c) <= room), candidates[-1])
            item.setText(chosen)
            item.setPos((first + last) / 2, y)
            item.setVisible(True)

    # ------------------------------------------------------------------ rendering

    def render(self, snapshot: Snapshot) -> None:
        diagram = snapshot.diagram
        if self._layout is None or self._layout.sizes != diagram.sizes or \
                self._layout.shown != tuple(len(g) for g in diagram.groups):
            self._rebuild(diagram)
        layout = self._layout
        self._diagram = diagram

        w = np.concatenate([W.ravel() for W in diagram.weights]) if diagram.weights else np.zeros(0)
        b = np.concatenate([B.ravel() for B in diagram.biases]) if diagram.biases else np.zeros(0)
        with np.errstate(all="ignore"):
            aw, ab = np.abs(w), np.abs(b)
            finite_w = aw[np.isfinite(aw)]
            finite_b = ab[np.isfinite(ab)]
        wmax = float(finite_w.max()) if finite_w.size else 0.0
        bmax = float(finite_b.max()) if finite_b.size else 0.0

        # Edge buckets: 0 = zero (or NaN), 1..4 positive, 5..8 negative.
        with np.errstate(all="ignore"):
            rel = np.nan_to_num(aw / wmax if wmax > 0 else np.zeros_like(aw), nan=0.0, posinf=1.0)
            bucket = np.minimum((rel * WIDTH_BUCKETS).astype(int), WIDTH_BUCKETS - 1)
            key = np.where(w > 0, 1 + bucket, 1 + WIDTH_BUCKETS + bucket)
            key[~(aw > ZERO_ABS)] = 0
        if self._edge_key is None or not np.array_equal(key, self._edge_key):
            self._edge_key = key
            order = np.argsort(key, kind="stable")
            bounds = np.searchsorted(key[order], np.arange(2 + 2 * WIDTH_BUCKETS))
            items = [self.zero_item] + [self.edge_items[(s, k)] for s in SIGNS for k in range(WIDTH_BUCKETS)]
            for k, item in enumerate(items):
                idx = order[bounds[k]:bounds[k + 1]]
                item.setData(layout.seg_x[idx].ravel(), layout.seg_y[idx].ravel())

        # Nodes: inputs neutral squares; fill = bias sign, strength = |b| against the largest parameter.
        ref = max(wmax, bmax)
        with np.errstate(all="ignore"):
            level = np.minimum((np.nan_to_num(ab / ref if ref > 0 else np.zeros_like(ab), nan=0.0, posinf=1.0)
                                * len(BIAS_LEVELS)).astype(int), len(BIAS_LEVELS) - 1)
        fill = np.where(b > 0, 2 + level, 2 + len(BIAS_LEVELS) + level)
        fill[~(ab > ZERO_ABS)] = 1
        node_fill = np.concatenate([np.zeros(layout.shown[0], int), fill])
        outline = np.zeros(len(node_fill), int)
        clone_labels: list = [None] * layout.n_layers
        for l in range(1, layout.n_layers):
            groups = diagram.groups[l]
            if len(groups):
                counts = np.bincount(groups)
                outline[layout.offsets[l]:layout.offsets[l + 1]] = counts[groups] > 1
            size, unique = layout.sizes[l], diagram.unique[l]
            if size > 1 and unique < size:
                if unique == 1:
                    clone_labels[l] = (f"{size} identical units", "identical")
                else:
                    clone_labels[l] = (f"{size} units, {unique} distinct", f"{unique} distinct")
        node_key = np.concatenate([node_fill, outline])
        if self._node_key is None or not np.array_equal(node_key, self._node_key):
            self._node_key = node_key
            self.nodes.setBrush(self._brushes[node_fill], update=False)
            self.nodes.setPen(self._pens[outline], update=False)
            self.nodes.updateSpots()
        clone_runs = _runs(clone_labels)
        if clone_runs != self._clone_runs:
            self._clone_runs = clone_runs
            self._layout_band(self._col_px)

        t = self.theme
        key = (f"<span style='color:{t.positive}'>━ w&gt;0</span> &nbsp;"
               f"<span style='color:{t.negative}'>━ w&lt;0</span>")
        zero = f" &nbsp;<span style='color:{t.muted}'>(all zero)</span>" if wmax == 0 and bmax == 0 else ""
        arch = architecture(layout.sizes)
        self.title_fit.set((
            f"Network {arch} &nbsp; {key} &nbsp;<span style='color:{t.muted}'>width ∝ |w|, max {wmax:.3g}</span>{zero}",
            f"{arch} &nbsp; {key} &nbsp;<span style='color:{t.muted}'>max |w| {wmax:.3g}</span>{zero}",
            f"{key} &nbsp;<span style='color:{t.muted}'>max |w| {wmax:.3g}</span>{zero}",
            key,
        ), t.foreground, t.font_size)
        if self._hover is not None:
            self._show_hover(self._hover)

    # ------------------------------------------------------------------ hover

    def node_positions(self) -> np.ndarray:
        """(x, y) of every drawn node in diagram coordinates, in layer then unit order."""
        if self._layout is None:
            return np.zeros((0, 2))
        return np.column_stack([self._layout.x, self._layout.y])

    def _on_mouse_moved(self, scene_pos) -> None:
        if self._layout is None or not self.vb.sceneBoundingRect().contains(scene_pos):
            self._set_hover(None)
            return
        p = self.vb.mapSceneToView(scene_pos)
        self.hover_at(p.x(), p.y())

    def leaveEvent(self, event) -> None:
        self._set_hover(None)
        super().leaveEvent(event)

    def hover_at(self, x: float, y: float) -> str:
        """Show the value of the node or edge nearest to (x, y) (diagram coordinates); return its text."""
        target = self._target_at(x, y)
        self._set_hover(target)
        return self.hover_text.toPlainText() if target is not None else ""

    def _target_at(self, x: float, y: float):
        layout = self._layout
        if layout is None or self._diagram is None:
            return None
        px = self.vb.viewPixelSize()  # data units per pixel
        ux, uy = (px[0] or 1.0), (px[1] or 1.0)
        d2 = ((layout.x - x) / ux) ** 2 + ((layout.y - y) / uy) ** 2
        k = int(np.argmin(d2))
        if d2[k] <= (self._node_px / 2 + 3) ** 2:
            return ("node", k)
        if not len(layout.seg_x):
            return None
        # Distance to each segment, in pixels.
        x0, x1 = layout.seg_x[:, 0] / ux, layout.seg_x[:, 1] / ux
        y0, y1 = layout.seg_y[:, 0] / uy, layout.seg_y[:, 1] / uy
        qx, qy = x / ux, y / uy
        dx, dy = x1 - x0, y1 - y0
        t = np.clip(((qx - x0) * dx + (qy - y0) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
        dist2 = (x0 + t * dx - qx) ** 2 + (y0 + t * dy - qy) ** 2
        e = int(np.argmin(dist2))
        if dist2[e] <= HOVER_EDGE_PX ** 2:
            return ("edge", e)
        return None

    def _set_hover(self, target) -> None:
        self._hover = target
        if target is None:
            for item in (self.hover_text, self.hover_node, self.hover_edge):
                item.setVisible(False)
            return
        self._show_hover(target)

    def _show_hover(self, target) -> None:
        layout, diagram = self._layout, self._diagram
        kind, k = target
        n = layout.n_layers
        if kind == "node":
            l, j = int(layout.layer[k]), int(layout.unit[k])
            x, y = layout.x[k], layout.y[k]
            if l == 0:
                text = f"input unit {j + 1} of {layout.sizes[0]}"
            else:
                bias = diagram.biases[l - 1][j]
                name = "output" if l == n - 1 else f"layer {l}"
                text = f"{name}, unit {j + 1} of {layout.sizes[l]}\nbias b = {bias:+.4g}"
                groups = diagram.groups[l]
                same = int(np.count_nonzero(groups == groups[j]))
                if same > 1:
                    text += f"\nidentical to {same - 1} other shown unit{'s' if same > 2 else ''}"
            self.hover_node.setData([x], [y], size=self._node_px + 8)
            self.hover_node.setVisible(True)
            self.hover_edge.setVisible(False)
        else:
            l, i, j = int(layout.seg_layer[k]), int(layout.seg_i[k]), int(layout.seg_j[k])
            w = diagram.weights[l][i, j]
            src = "input" if l == 0 else f"layer {l}"
            dst = "output" if l + 1 == n - 1 else f"layer {l + 1}"
            text = f"weight {src} unit {i + 1} → {dst} unit {j + 1}\nw = {w:+.4g}"
            x, y = layout.seg_x[k].mean(), layout.seg_y[k].mean()
            self.hover_edge.setData(layout.seg_x[k], layout.seg_y[k])
            self.hover_edge.setVisible(True)
            self.hover_node.setVisible(False)
        # Keep the read-out inside the view: open it towards the middle.
        x_mid = sum(layout.x_range) / 2
        y_mid = sum(layout.y_range) / 2
        self.hover_text.setAnchor((0.0 if x < x_mid else 1.0, 0.0 if y > y_mid else 1.0))
        self.hover_text.setText(text)
        self.hover_text.setPos(x, y)
        self.hover_text.setVisible(True)
