"""The network diagram: units as nodes by layer, weights as edges, biases as node fills.

Drawing stays cheap however deep the network is:

- Edges are grouped by sign and by a width bucket of |w| (on a fixed scale, EDGE_THRESHOLDS) into
  nine ``SmoothPathCurve`` items drawn with ``connect='pairs'`` (GraphItem would draw them edge
  by edge in Python), each one Qt path.
- The diagram's ViewBox works in pixels (its range is its own size, so its transform is a pure
  translation). Qt's raster engine strokes wide antialiased cosmetic pens under a scaling
  transform some 50x slower than the same lines in device pixels (measured: 136 edges of width 2
  took 80 ms scaled, 2 ms unscaled), so node and edge positions are computed in pixels here,
  again on resize. Colours are opaque (pre-mixed with the background): translucent pens were
  another 10x. Above AA_MAX_EDGES edges antialiasing is off (dense diagrams of thin lines).
- Nodes are one ``PixelMarks`` item whose styles (symbol x fill x outline) come from small
  prebuilt tables: each style is drawn into a pixmap once, and a frame blits them.
- Everything that depends only on the layer sizes (node order, edge endpoints, label items) is
  built once per architecture; ``render`` only hands new arrays to the same items, and skips even
  that when no edge changed bucket and no node changed fill.

Layout (one column of the GraphicsLayout): row 0 a title (architecture, colour key, the
largest |w|); row 1 the diagram; row 2 a label band x-linked to the diagram, also in pixels, with
rows of labels under the columns ("+N more", layer names, sizes, clone labels) that never
overlap whatever the window size; they thin out when columns get narrow.
"""


from __future__ import annotations

import math
import time
from typing import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from winit_gui.app.theme import Theme
from winit_gui.app.views.base import SnapshotView, ViewBox, cache_as_pixmap
from winit_gui.app.views.labels import Label
from winit_gui.app.views.marks import PixelMarks
from winit_gui.app.views.paths import SmoothPathCurve
from winit_gui.app.views.titles import FittedLabel
from winit_gui.snapshot import Diagram, Snapshot

SIGNS = ("positive", "negative")
WIDTH_BUCKETS = 4
"""Edges are drawn in 4 widths x 2 signs."""
EDGE_THRESHOLDS = (0.1, 0.3, 1.0)
"""Bounds of the width buckets in |w| ([0, 0.1], (0.1, 0.3], (0.3, 1], above 1): absolute, not
relative to the largest weight shown, so dragging the weight-scale slider visibly thins or
thickens every edge."""
BUCKET_WIDTH = (0.35, 0.7, 1.15, 1.75)
"""Pen width of each bucket, times the theme's line width."""
BUCKET_ALPHA = (0.45, 0.65, 0.85, 1.0)
"""Strength of the sign colour over the background per bucket (pre-mixed: the pens are opaque)."""
AA_MAX_EDGES = 1000
"""Antialias the edges only up to this many (a 30-layer diagram has about 3000)."""
ZERO_ABS = 1e-12
"""|w| at or below this is a zero weight: drawn faint and thin, so an all-zero net looks all zero."""
BIAS_LEVELS = (0.3, 0.55, 0.8, 1.0)
"""Node fill: the bias's sign colour mixed into the background at these strengths."""
NODE_PX = (4.0, 24.0)
"""Smallest and largest node diameter in pixels."""
NODE_SYMBOLS = ("s", "o")
"""Input units square, the others round (pyqtgraph's symbol names)."""
SETTLE_MS = 150
"""A picture that no new snapshot replaced for this long is still: its edges are antialiased."""
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


def mix(a: str, b: str, t: float, alpha: float = 1.0) -> QtGui.QColor:
    """Colour ``t`` of the way from ``a`` to ``b`` (opaque unless ``alpha`` says otherwise)."""
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


class _Architecture:
    """What depends only on the layer sizes: which nodes there are and which pairs edges join."""

    def __init__(self, diagram: Diagram):
        self.sizes = tuple(diagram.sizes)
        self.shown = tuple(len(g) for g in diagram.groups)
        self.rows = max(self.shown)
        self.truncated = tuple(max(0, s - n) for s, n in zip(self.sizes, self.shown))
        self.offsets = np.concatenate([[0], np.cumsum(self.shown)]).astype(int)
        self.layer = np.concatenate([np.full(n, l) for l, n in enumerate(self.shown)])
        self.unit = np.concatenate([np.arange(n) for n in self.shown])
        # Edges in the order of np.concatenate([W.ravel() for W in weights]): W[i, j] joins unit i
        # of layer l to unit j of layer l + 1.
        parts = []
        for l in range(len(self.shown) - 1):
            a, b = self.shown[l], self.shown[l + 1]
            i, j = (m.ravel() for m in np.meshgrid(np.arange(a), np.arange(b), indexing="ij"))
            parts.append((self.offsets[l] + i, self.offsets[l + 1] + j, np.full(a * b, l), i, j))
        self.seg_a, self.seg_b, self.seg_layer, self.seg_i, self.seg_j = (
            np.concatenate([p[k] for p in parts]) if parts else np.zeros(0, int) for k in range(5))
        self.symbols = (self.layer > 0).astype(int)
        """Each node's index in NODE_SYMBOLS: inputs square, units round."""

    @property
    def n_layers(self) -> int:
        return len(self.shown)

    @property
    def n_edges(self) -> int:
        return len(self.seg_a)


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
        self.vb = ViewBox(enableMouse=False, enableMenu=False)
        self.band = ViewBox(enableMouse=False, enableMenu=False)
        self.ci.addItem(self.vb, row=1, col=0)
        self.ci.addItem(self.band, row=2, col=0)
        for vb in (self.vb, self.band):
            vb.disableAutoRange()
            vb.setMouseEnabled(False, False)
            vb.invertY(True)  # pixel coordinates: y grows downwards
        self.band.setXLink(self.vb)

        self.zero_item = SmoothPathCurve(connect="pairs")
        self.edge_items: dict[tuple[str, int], SmoothPathCurve] = {
            (sign, bucket): SmoothPathCurve(connect="pairs") for sign in SIGNS for bucket in range(WIDTH_BUCKETS)}
        self._bucket_items = [self.zero_item] + [self.edge_items[(s, k)] for s in SIGNS for k in range(WIDTH_BUCKETS)]
        for (sign, bucket), item in self.edge_items.items():
            item.setZValue(1 + 2 * bucket + SIGNS.index(sign))  # thick over thin, whatever the sign
        for item in self._bucket_items:
            self.vb.addItem(item)
        # Each bucket's lines are kept drawn in a pixmap: a frame in which no edge entered or left
        # a bucket (most buckets of most training frames) blits it instead of drawing its lines
        # again, which Qt does one pixel at a time for the thin ones.
        cache_as_pixmap(*self._bucket_items)
        self.nodes = PixelMarks()
        self.nodes.setZValue(100)
        self.vb.addItem(self.nodes)
        self.more_dots = PixelMarks()
        self.vb.addItem(self.more_dots)
        self.hover_edge = SmoothPathCurve(connect="pairs")
        self.hover_edge.setZValue(150)
        self.hover_node = PixelMarks()
        self.hover_node.setZValue(160)
        self.hover_text = pg.TextItem(anchor=(0, 1))
        self.hover_text.setZValue(200)
        for item in (self.hover_edge, self.hover_node, self.hover_text):
            item.setVisible(False)
            self.vb.addItem(item)

        # Label band items, one per layer (grown, never shrunk, when a deeper net arrives).
        self.name_items: list[Label] = []
        self.size_items: list[Label] = []
        self.more_items: list[Label] = []
        self.clone_items: list[Label] = []

        self._arch: _Architecture | None = None
        self._diagram: Diagram | None = None
        # pixel geometry (set by _relayout)
        self._node_x = self._node_y = np.zeros(0)
        self._edge_ends = np.zeros((0, 2, 2))
        """Per edge, (x, y) of the nodes it joins."""
        self._col_x = np.zeros(0)
        self._col_px = 100.0
        self._node_px = 12.0
        self._aa_allowed = True
        self._moving = False
        """Whether the pictures move: training runs, or new snapshots came within SETTLE_MS."""
        self._last_render = -math.inf
        self._settle = QtCore.QTimer(self, singleShot=True, interval=SETTLE_MS, timeout=self._settled)
        # what is drawn (to skip unchanged work)
        self._edge_key: np.ndarray | None = None
        self._edge_order = np.zeros(0, int)
        self._edge_bounds = np.zeros(len(self._bucket_items) + 1, int)
        self._node_fill = np.zeros(0, int)
        self._node_outline = np.zeros(0, int)
        self._node_key: np.ndarray | None = None
        self._more_runs: list[tuple[int, int, object]] = []
        self._clone_runs: list[tuple[int, int, object]] = []
        self._hover: tuple | None = None
        self.apply_theme(theme)
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
        self._bold_metrics = QtGui.QFontMetricsF(self._bold)
        self._small_metrics = QtGui.QFontMetricsF(self._small)
        bg = theme.background
        # Node styles: the nodes' style table is every (symbol, fill, outline) of these.
        self._brushes = np.empty(2 + 2 * len(BIAS_LEVELS), dtype=object)
        self._brushes[0] = pg.mkBrush(mix(bg, theme.muted, 0.45))  # inputs
        self._brushes[1] = pg.mkBrush(mix(bg, theme.muted, 0.15))  # zero bias
        for k, t in enumerate(BIAS_LEVELS):
            self._brushes[2 + k] = pg.mkBrush(mix(bg, theme.positive, t))
            self._brushes[2 + len(BIAS_LEVELS) + k] = pg.mkBrush(mix(bg, theme.negative, t))
        self._pens = np.empty(2, dtype=object)
        self._pens[0] = pg.mkPen(theme.muted, width=1)
        self._pens[1] = pg.mkPen(theme.foreground, width=max(2.0, theme.line_width))  # clone outline
        self._style_nodes()
        self.more_dots.set_styles([("o", pg.mkBrush(theme.muted), pg.mkPen(None))], 3.5)
        self.hover_text.fill = pg.mkBrush(mix(bg, bg, 0, alpha=0.92))
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
        self._relayout()

    def _style_edges(self) -> None:
        theme, bg = self.theme, self.theme.background
        # Narrow columns (deep nets): thinner, fainter edges, or the diagram becomes a solid block.
        scale = float(np.clip(self._col_px / 110.0, 0.3, 1.0))
        fade = float(np.clip(self._col_px / 70.0, 0.35, 1.0))
        self._aa_allowed = self._arch is not None and self._arch.n_edges <= AA_MAX_EDGES
        self.zero_item.setPen(pg.mkPen(mix(bg, theme.muted, 0.45),
                                       width=max(1.0, 0.35 * theme.line_width * scale)))
        for (sign, bucket), item in self.edge_items.items():
            colour = theme.positive if sign == "positive" else theme.negative
            item.setPen(pg.mkPen(mix(bg, colour, BUCKET_ALPHA[bucket] * fade),
                                 width=max(1.0, BUCKET_WIDTH[bucket] * theme.line_width * scale)))
        self._antialias_edges()
        self.hover_edge.setPen(pg.mkPen(theme.foreground, width=max(2.0, theme.line_width)))

    # ------------------------------------------------------------------ structure and geometry

    def _text_pool(self, pool: list[Label], n: int, font: QtGui.QFont, colour: str) -> None:
        while len(pool) < n:
            item = Label(anchor=(0.5, 0))
            item.setFont(font)
            item.setColor(colour)
            item.setVisible(False)
            self.band.addItem(item)
            pool.append(item)

    def _rebuild(self, diagram: Diagram) -> None:
        """A new architecture: new node and edge lists and label texts (items are reused)."""
        arch = _Architecture(diagram)
        self._arch = arch
        n = arch.n_layers
        self._text_pool(self.name_items, n, self._bold, self.theme.foreground)
        self._text_pool(self.size_items, n, self._small, self.theme.muted)
        self._text_pool(self.more_items, n, self._small, self.theme.muted)
        self._text_pool(self.clone_items, n, self._font, self.theme.foreground)
        for l in range(len(self.name_items)):
            for pool in (self.name_items, self.size_items, self.more_items, self.clone_items):
                pool[l].setVisible(False)
            if l < n:
                self.name_items[l].setText(layer_name(l, n))
                self.size_items[l].setText(str(arch.sizes[l]))
        self._more_runs = _runs([f"+{e} more" if e else None for e in arch.truncated])
        self._clone_runs = []
        self._edge_key = None
        self._edge_order = np.zeros(0, int)
        self._edge_bounds = np.zeros(len(self._bucket_items) + 1, int)
        self._node_fill = np.zeros(len(arch.layer), int)
        self._node_outline = np.zeros(len(arch.layer), int)
        self._node_key = None
        self._set_hover(None)
        self._relayout()

    def _relayout(self, *_args) -> None:
        """Pixel geometry: column and row positions, node size, edge widths, the label band."""
        arch = self._arch
        if arch is None or self.closed:  # closed: GraphicsView.close() has deleted the items
            return
        width = max(1.0, self.vb.width())
        height = max(1.0, self.vb.height())
        n, rows = arch.n_layers, arch.rows
        # Side margin wide enough for the first and last column labels ("in", "out", sizes).
        half = 4 + 0.5 * max([self._bold_metrics.horizontalAdvance(layer_name(l, n)) for l in (0, n - 1)]
                             + [self._small_metrics.horizontalAdvance(str(arch.sizes[l])) for l in (0, n - 1)])
        pad_x = min(max(half, 14.0, min(0.3 * width / n, 50.0)), width / 2)
        col_px = (width - 2 * pad_x) / (n - 1) if n > 1 else width
        dots = 16.0 if any(arch.truncated) else 0.0
        row_px = (height - dots) / rows
        node_px = float(np.clip(0.5 * min(col_px, row_px), *NODE_PX))
        top, bottom = node_px / 2 + 4, node_px / 2 + 4 + dots
        row_px = (height - top - bottom) / (rows - 1) if rows > 1 else 0.0
        self._col_px, self._node_px = col_px, node_px
        self._style_nodes()
        self._col_x = pad_x + np.arange(n) * col_px if n > 1 else np.array([width / 2])
        centre = top + (rows - 1) * row_px / 2
        self._node_x = self._col_x[arch.layer]
        self._node_y = centre + (arch.unit - (np.array(arch.shown)[arch.layer] - 1) / 2) * row_px
        self._edge_ends = np.empty((arch.n_edges, 2, 2))
        for end, nodes in enumerate((arch.seg_a, arch.seg_b)):
            self._edge_ends[:, end, 0], self._edge_ends[:, end, 1] = self._node_x[nodes], self._node_y[nodes]
        self.vb.setRange(xRange=(0, width), yRange=(0, height), padding=0)

        dots_x, dots_y = [], []
        for l, extra in enumerate(arch.truncated):
            if extra:
                y = self._node_y[arch.offsets[l + 1] - 1] + node_px / 2 + 4
                dots_x += [self._col_x[l]] * 3
                dots_y += [y, y + 5, y + 10]
        self.more_dots.setData(dots_x, dots_y)
        self.more_dots.setVisible(bool(dots_x))
        self._style_edges()
        self._draw_edges()
        self._draw_nodes()
        self._layout_band()
        self.title_fit.fit(self.width())
        if self._hover is not None:
            self._show_hover(self._hover)

    def _draw_edges(self, buckets: Iterable[int] | None = None) -> None:
        """Hand the edges of ``buckets`` (indices into ``_bucket_items``; default all) to their items."""
        if self._arch is None or self._edge_key is None:
            for item in self._bucket_items:
                item.setData([], [])
            return
        for k in range(len(self._bucket_items)) if buckets is None else buckets:
            ends = self._edge_ends[self._edge_order[self._edge_bounds[k]:self._edge_bounds[k + 1]]].reshape(-1, 2)
            self._bucket_items[k].setData(ends[:, 0], ends[:, 1])

    def _style_nodes(self) -> None:
        """The nodes' style table, indexed as in ``_draw_nodes``: (symbol, fill, outline); and
        the ring around a hovered node, a little larger than a node."""
        self.nodes.set_styles([(symbol, brush, pen) for symbol in NODE_SYMBOLS for brush in self._brushes
                               for pen in self._pens], self._node_px)
        self.hover_node.set_styles([("o", pg.mkBrush(None), pg.mkPen(self.theme.foreground, width=2))],
                                   self._node_px + 8)

    def _draw_nodes(self) -> None:
        arch = self._arch
        style = (arch.symbols * len(self._brushes) + self._node_fill) * len(self._pens) + self._node_outline
        self.nodes.setData(self._node_x, self._node_y, style=style)

    def _layout_band(self) -> None:
        arch, col_px = self._arch, self._col_px
        n = arch.n_layers
        line, small = self._metrics.height(), self._small_metrics.height()
        rows = {}
        y = 2.0
        if self._more_runs:
            rows["more"] = y
            y += small
        rows["name"] = y
        y += line
        rows["size"] = y
        y += small
        if self._clone_runs:
            rows["clone"] = y
            y += line
        height = y + 4
        self.band.setFixedHeight(height)
        self.band.setRange(yRange=(0, height), padding=0)

        # Layer names and sizes: every stride-th column (and always "in" and "out").
        widest = max(max(self._bold_metrics.horizontalAdvance(layer_name(l, n)) for l in range(n)),
                     max(self._small_metrics.horizontalAdvance(str(s)) for s in arch.sizes))
        stride = max(1, math.ceil((widest + 10) / max(col_px, 1.0)))
        for l in range(n):
            show = (l % stride == 0 and not 0 < n - 1 - l < stride) or l == n - 1
            self.name_items[l].setVisible(show)
            self.size_items[l].setVisible(show)
            self.name_items[l].setPos(self._col_x[l], rows["name"])
            self.size_items[l].setPos(self._col_x[l], rows["size"])
        self._place_runs(self.more_items, self._more_runs, rows.get("more"), self._small_metrics)
        self._place_runs(self.clone_items, self._clone_runs, rows.get("clone"), self._metrics)

    def _place_runs(self, pool, runs, y, metrics) -> None:
        """One label centred under each run of layers; shorter wordings when the long one does not fit."""
        for k, item in enumerate(pool):
            if y is None or k >= len(runs):
                item.setVisible(False)
                continue
            first, last, text = runs[k]
            long, short = (text, text) if isinstance(text, str) else text
            room = (last - first + 1) * self._col_px + (self._col_px if first == last else 0)
            candidates = [long, short] if first == last else [f"{long} in each layer", f"{long} each", short]
            chosen = next((c for c in candidates if metrics.horizontalAdvance(c) <= room), candidates[-1])
            item.setText(chosen)
            item.setPos((self._col_x[first] + self._col_x[last]) / 2, y)
            item.setVisible(True)

    # ------------------------------------------------------------------ rendering

    def _antialias_edges(self) -> None:
        """Antialiased edges in a still picture, plain ones while the pictures move.

        Why: antialiasing the diagram's edges was a fifth of a whole frame's instructions (all
        six views) on the default lesson. While the weights move, frame after frame (training,
        or a drag of the slider), the plain lines' steps do not show; the picture that stays,
        SETTLE_MS after the last new one, is drawn antialiased again (while training, only
        if the next snapshot is that late), as are exports.
        """
        aa = self._aa_allowed and not self._moving
        for item in self._bucket_items:
            if item.antialias != aa:
                item.antialias = aa
                item.update()

    def _settled(self) -> None:
        if not self.closed:  # (GraphicsView.close() deletes the items)
            self._moving = False
            self._antialias_edges()

    def render(self, snapshot: Snapshot) -> None:
        diagram = snapshot.diagram
        if self._arch is None or self._arch.sizes != tuple(diagram.sizes) or \
                self._arch.shown != tuple(len(g) for g in diagram.groups):
            self._rebuild(diagram)
        arch = self._arch
        self._diagram = diagram
        now = time.perf_counter()
        moving = snapshot.playing or now - self._last_render < SETTLE_MS / 1000
        self._last_render = now
        if moving != self._moving:
            self._moving = moving
            self._antialias_edges()
        if moving:
            self._settle.start()  # (again: the picture settles SETTLE_MS after the last new one)

        w = np.concatenate([W.ravel() for W in diagram.weights]) if diagram.weights else np.zeros(0)
        b = np.concatenate([B.ravel() for B in diagram.biases]) if diagram.biases else np.zeros(0)
        with np.errstate(all="ignore"):
            aw, ab = np.abs(w), np.abs(b)
            finite_w, finite_b = aw[np.isfinite(aw)], ab[np.isfinite(ab)]
            wmax = float(finite_w.max()) if finite_w.size else 0.0
            bmax = float(finite_b.max()) if finite_b.size else 0.0

            # Edge buckets: 0 = zero (or NaN), 1..4 positive, 5..8 negative, by |w| on a fixed scale.
            bucket = np.searchsorted(EDGE_THRESHOLDS, aw)  # (a NaN's bucket: past the last, then key 0)
            key = np.where(w > 0, 1 + bucket, 1 + WIDTH_BUCKETS + bucket)
            key[~(aw > ZERO_ABS)] = 0
        old = self._edge_key
        moved = None if old is None or len(old) != len(key) else key != old
        if moved is None or moved.any():
            self._edge_key = key
            self._edge_order = np.argsort(key, kind="stable")
            self._edge_bounds = np.searchsorted(key[self._edge_order], np.arange(len(self._bucket_items) + 1))
            # (a bucket no edge entered or left keeps its edges, in the same order: a stable sort)
            self._draw_edges(None if moved is None else sorted({*key[moved].tolist(), *old[moved].tolist()}))

        # Nodes: inputs neutral squares; fill = bias sign, strength = |b| against the largest parameter.
        ref = max(wmax, bmax)
        with np.errstate(all="ignore"):
            # (an infinite |b| gets the top level; a NaN's level is cast from NaN, and replaced below)
            rel_b = ab / ref if ref > 0 else np.zeros_like(ab)
            level = np.minimum(rel_b * len(BIAS_LEVELS), len(BIAS_LEVELS) - 1).astype(int)
            fill = np.where(b > 0, 2 + level, 2 + len(BIAS_LEVELS) + level)
            fill[~(ab > ZERO_ABS)] = 1
        node_fill = np.concatenate([np.zeros(arch.shown[0], int), fill])
        outline = np.zeros(len(node_fill), int)
        clone_labels: list = [None] * arch.n_layers
        for l in range(1, arch.n_layers):
            groups = np.asarray(diagram.groups[l], dtype=int)
            if len(groups):
                outline[arch.offsets[l]:arch.offsets[l + 1]] = np.bincount(groups)[groups] > 1
            size, unique = arch.sizes[l], diagram.unique[l]
            if size > 1 and unique < size:
                if unique == 1:
                    clone_labels[l] = (f"{size} identical units", f"{size} identical")
                else:
                    clone_labels[l] = (f"{size} units, {unique} distinct", f"{unique} distinct")
        node_key = np.concatenate([node_fill, outline])
        if self._node_key is None or not np.array_equal(node_key, self._node_key):
            self._node_key = node_key
            self._node_fill, self._node_outline = node_fill, outline
            self._draw_nodes()
        clone_runs = _runs(clone_labels)
        if clone_runs != self._clone_runs:
            self._clone_runs = clone_runs
            self._layout_band()

        t = self.theme
        key = (f"<span style='color:{t.positive}'>━ w&gt;0</span> &nbsp;"
               f"<span style='color:{t.negative}'>━ w&lt;0</span>")
        note = ""
        if not np.all(np.isfinite(w)):
            note = f" &nbsp;<span style='color:{t.muted}'>(non-finite weights)</span>"
        elif wmax == 0 and bmax == 0:
            note = f" &nbsp;<span style='color:{t.muted}'>(all zero)</span>"
        arch_text = architecture(arch.sizes)
        scale = f"<span style='color:{t.muted}'>max |w| {wmax:.3g}</span>"
        self.title_fit.set((
            f"Network {arch_text} &nbsp; {key} &nbsp;<span style='color:{t.muted}'>width ∝ |w|, "
            f"max {wmax:.3g}</span>{note}",
            f"{arch_text} &nbsp; {key} &nbsp;{scale}{note}",
            f"{key} &nbsp;{scale}{note}",
            key,
        ), t.foreground, t.font_size)  # refitted on resize, not per frame
        if self._hover is not None:
            self._show_hover(self._hover)

    # ------------------------------------------------------------------ hover

    def node_positions(self) -> np.ndarray:
        """(x, y) of every drawn node in the diagram's coordinates (pixels), layer by layer."""
        return np.column_stack([self._node_x, self._node_y])

    def _on_mouse_moved(self, scene_pos) -> None:
        if self._arch is None or not self.vb.sceneBoundingRect().contains(scene_pos):
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
        arch = self._arch
        if arch is None or self._diagram is None or not len(self._node_x):
            return None
        d2 = (self._node_x - x) ** 2 + (self._node_y - y) ** 2
        k = int(np.argmin(d2))
        if d2[k] <= (self._node_px / 2 + 3) ** 2:
            return ("node", k)
        if not arch.n_edges:
            return None
        # Distance to every edge: a few thousand segments, vectorized.
        x0, y0 = self._node_x[arch.seg_a], self._node_y[arch.seg_a]
        dx, dy = self._node_x[arch.seg_b] - x0, self._node_y[arch.seg_b] - y0
        with np.errstate(all="ignore"):
            t = np.clip(np.nan_to_num(((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)), 0.0, 1.0)
        dist2 = (x0 + t * dx - x) ** 2 + (y0 + t * dy - y) ** 2
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
        arch, diagram = self._arch, self._diagram
        kind, k = target
        n = arch.n_layers
        if kind == "node":
            l, j = int(arch.layer[k]), int(arch.unit[k])
            x, y = self._node_x[k], self._node_y[k]
            if l == 0:
                text = f"input unit {j + 1} of {arch.sizes[0]}"
            else:
                bias = diagram.biases[l - 1][j]
                name = "output" if l == n - 1 else f"layer {l}"
                text = f"{name}, unit {j + 1} of {arch.sizes[l]}\nbias b = {bias:+.4g}"
                groups = diagram.groups[l]
                same = int(np.count_nonzero(groups == groups[j]))
                if same > 1:
                    text += f"\nidentical to {same - 1} other shown unit{'s' if same > 2 else ''}"
            self.hover_node.setData([x], [y])
            self.hover_node.setVisible(True)
            self.hover_edge.setVisible(False)
        else:
            l, i, j = int(arch.seg_layer[k]), int(arch.seg_i[k]), int(arch.seg_j[k])
            w = diagram.weights[l][i, j]
            src = "input" if l == 0 else f"layer {l}"
            dst = "output" if l + 1 == n - 1 else f"layer {l + 1}"
            text = f"weight {src} unit {i + 1} → {dst} unit {j + 1}\nw = {w:+.4g}"
            a, b = arch.seg_a[k], arch.seg_b[k]
            xs, ys = self._node_x[[a, b]], self._node_y[[a, b]]
            x, y = xs.mean(), ys.mean()
            self.hover_edge.setData(xs, ys)
            self.hover_edge.setVisible(True)
            self.hover_node.setVisible(False)
        # Keep the read-out inside the view: open it towards the middle (y grows downwards).
        self.hover_text.setAnchor((0.0 if x < self.vb.width() / 2 else 1.0,
                                   0.0 if y < self.vb.height() / 2 else 1.0))
        self.hover_text.setText(text)
        self.hover_text.setPos(x, y)
        self.hover_text.setVisible(True)
