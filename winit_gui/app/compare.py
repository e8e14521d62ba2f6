"""A/B compare mode: two initializations trained side by side on the same data, seed and batches.

Side A is the window's own experiment, trained by the window's engine; side B is the same
Settings with another initializer (``settings.replace(init=...)``; a lesson's [compare] table may
change more), trained by a second EngineBridge that this panel owns. Two Trainers built from
Settings that agree in seed and data draw the same data and the same minibatch order (the batch
generator depends on the seed only), so whatever differs between the columns is the
initialization's doing. A window without an engine (``winit-gui render``/``record``) gets its B
trained in this process instead, in step with the A snapshots it shows (``LocalSide``).

The panel takes the place of the six views (page 1 of ``window.views_stack``) and shows, per
side, a header (initializer, its non-default parameters, activation) and four views in the same
places, so the eye compares A and B by moving straight across. Below them, one plot overlays the
two sides' first-layer weights.

What the window does for it (every panel method is a no-op while compare mode is off):
``play(playing)``, ``step()``, ``reset()`` from its play/step/reset commands, ``apply_a(settings)``
when its settings change, ``open_experiment(experiment)`` when a lesson or file opens,
``shutdown()`` from its own shutdown and ``set_theme(theme)`` from its own. A's snapshots come
from ``MainWindow.snapshotShown``. Settings changed in any other way are picked up when A's next
snapshot shows them (``_follow_a``).
"""

from __future__ import annotations

import html
import time
from dataclasses import fields
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui import initializers
from winit_gui import snapshot as snapshots
from winit_gui.app.bridge import EngineBridge
from winit_gui.app.controls import fill_initializer_combo
from winit_gui.app.theme import Theme
from winit_gui.app.views.activations import ActivationView
from winit_gui.app.views.base import SnapshotView, add_plot, style_plot
from winit_gui.app.views.gradients import GradientView
from winit_gui.app.views.histograms import blend, fixed_axes, fmt
from winit_gui.app.views.loss import LossView
from winit_gui.app.views.network import NetworkView
from winit_gui.engine import FRAME_INTERVAL
from winit_gui.experiment import Experiment
from winit_gui.settings import Settings
from winit_gui.snapshot import Snapshot
from winit_gui.training import Trainer

SIDES = ("A", "B")

# The four views of each side, in a 2 x 2 grid per column (row by row). Why these four:
# activations (the forward signal through the depth: He vs Glorot on deep ReLU collapses on one
# side only) and gradients (the backward signal) are the two pictures an initialization changes
# first; the loss is what the audience asks about ("so which one trains better?"); the network
# diagram shows the weights themselves and the symmetry lessons. The saturation view repeats the
# activation ridges for ReLU (half the units are flat for any symmetric init) and the boundary
# view is empty for the non-2-D data of the deep lessons, so they stay on the single-run page.
VIEW_CLASSES: tuple[type[SnapshotView], ...] = (ActivationView, GradientView, LossView, NetworkView)

WEIGHT_BINS = 80
"""Bins of the weights overlay, over a range that holds every weight of both sides."""
LOG_FLOOR = -4.5
"""Weights overlay in log mode: log10 of the fraction per bin from here (1 weight in ~30 000) up."""


# ---------------------------------------------------------------------------------------------------
# The weights of layer 1, as the engine draws them
# ---------------------------------------------------------------------------------------------------

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


def describe_init(settings: Settings) -> tuple[str, str]:
    """(initializer name, its parameters that differ from their defaults), e.g.
    ("kaiming_normal", "nonlinearity=relu")."""
    defaults = {p.name: p.default for p in initializers.info(settings.init).params}
    changed = [f"{name}={_plain(value)}" for name, value in settings.init_params.items()
               if name in defaults and not _same(value, defaults[name])]
    return settings.init, ", ".join(changed)


def differences(a: Settings, b: Settings) -> dict[str, Any]:
    """The fields of ``b`` that differ from ``a`` (init and init_params always), for ``a.replace(**...)``."""
    out = {"init": b.init, "init_params": dict(b.init_params)}
    for f in fields(Settings):
        if f.name not in out and getattr(a, f.name) != getattr(b, f.name):
            out[f.name] = getattr(b, f.name)
    return out


def _same(value, default) -> bool:
    try:
        return float(value) == float(default)
    except (TypeError, ValueError):
        return str(value) == str(default)


def _plain(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


# ---------------------------------------------------------------------------------------------------
# The overlay of the two sides' weights
# ---------------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------------
# The panel
# ---------------------------------------------------------------------------------------------------

class LocalSide:
    """B without an engine: a Trainer in this process, brought to each A snapshot's step.

    For windows without an engine process (``winit-gui render`` and ``record`` feed the window
    snapshots from a Trainer of their own): B is trained synchronously when A is shown, measuring
    at the steps where A's loss history has a point, so both loss curves have the same points.
    """

    def __init__(self):
        self.trainer: Trainer | None = None
        self.serial = 0
        self._last: Snapshot | None = None
        self._measured: int | None = None

    def follow(self, settings: Settings, a: Snapshot) -> Snapshot:
        trainer = self.trainer
        if trainer is None:
            trainer = self.trainer = Trainer(settings)
        elif trainer.settings != settings or a.step < trainer.step:
            trainer.apply(settings)  # (also a reset: step 0, the same initial weights)
            self._measured, self._last = None, None
        elif self._last is not None and trainer.step == a.step:
            return self._last
        history = a.loss_history[:, 0] if a.loss_history.ndim == 2 else ()
        for step in (int(s) for s in history if trainer.step <= s < a.step and s != self._measured):
            trainer.train(step - trainer.step)
            trainer.measure(snapshots.display_samples(trainer.network.sizes))
            self._measured = step
        trainer.train(a.step - trainer.step)
        self.serial += 1
        self._last = snapshots.build(trainer, self.serial, playing=False)
        self._measured = a.step
        return self._last


class SideHeader(QtWidgets.QWidget):
    """"A: kaiming_normal (nonlinearity=relu) · relu", the side's training step, and a bar in the
    side's colour underneath (the colour of the side in the weights overlay).

    B's initializer name is the "B initializer" combo itself (``chooser``), so the header says
    "B: [he_normal ▾] · relu": one name, where the eye looks for it, and room left at 12 pt.
    """

    def __init__(self, side: str, chooser: QtWidgets.QComboBox | None = None, parent=None):
        super().__init__(parent)
        self.side = side
        self.chooser = chooser
        self.setObjectName(f"compareHeader{side}")
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        layout = QtWidgets.QHBoxLayout()
        layout.setContentsMargins(6, 2, 6, 0)
        layout.setSpacing(6)
        outer.addLayout(layout)
        self.bar = QtWidgets.QFrame(objectName=f"compareBar{side}")
        self.bar.setFixedHeight(3)
        self.bar.setAutoFillBackground(True)
        outer.addWidget(self.bar)
        self.name = QtWidgets.QLabel(objectName=f"compareName{side}")
        self.name.setTextFormat(QtCore.Qt.RichText)
        self.label = QtWidgets.QLabel(objectName=f"compareTitle{side}")
        self.label.setTextFormat(QtCore.Qt.RichText)
        # the details give way (cut at the right) before the name, the chooser or the step
        self.label.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        self.step = QtWidgets.QLabel(objectName=f"compareStep{side}")
        layout.addWidget(self.name)
        if chooser is not None:
            layout.addWidget(chooser)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.step)
        self._color = "#888888"
        self._name = ""
        self.plain = ""

    def show_settings(self, settings: Settings, extra: str = "") -> None:
        name, params = describe_init(settings)
        self._name = name
        bits = [f"({html.escape(params)})" if params else "", html.escape(settings.activation)]
        if settings.gain != 1.0:
            bits.append(f"gain {settings.gain:g}")
        if extra:
            bits.append(html.escape(extra))
        details = bits[0] + " · " + " · ".join(bits[1:]) if bits[0] else "· " + " · ".join(bits[1:])
        self.label.setText(details)
        self.plain = f"{self.side}: {name}" + (f" ({params})" if params else "") + f" · {settings.activation}"
        self.setToolTip(self.plain)
        self._render()

    def set_color(self, color: str) -> None:
        self._color = color
        palette = self.bar.palette()
        palette.setColor(QtGui.QPalette.Window, QtGui.QColor(color))
        self.bar.setPalette(palette)
        self._render()

    def _render(self) -> None:
        name = "" if self.chooser is not None else f" {html.escape(self._name)}"
        self.name.setText(f'<span style="color:{self._color}">■</span> <b>{self.side}:{name}</b>')

    def show_step(self, snap: Snapshot | None) -> None:
        if snap is None:
            self.step.setText("starting…")
            return
        text = f"step {snap.step}"
        if snap.diverged:
            text += " (diverged)"
        self.step.setText(text)


class ComparePanel(QtWidgets.QWidget):
    """A and B in two columns with the same four views each, and layer 1's weights overlaid."""

    activeChanged = QtCore.Signal(bool)

    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.setObjectName("comparePanel")
        self._window = window
        self.theme: Theme = window.theme
        self.active = False
        self.bridge_b: EngineBridge | None = None
        self.settings_a: Settings = window.controls.settings
        self._b_changes: dict[str, Any] = {"init": _default_b_init(window.experiment),
                                           "init_params": {}}
        self.settings_b: Settings = self._derive_b(self.settings_a)
        self.snapshot_a: Snapshot | None = None
        self.snapshot_b: Snapshot | None = None
        self._experiment: Experiment | None = window.experiment
        self._auto = False  # switched on by a lesson with a B side (and off again when one without opens)
        self._sync: tuple[int, int] | None = None
        self._followed: int | None = None  # lock step: the A step B was last asked to reach
        self._local_b: LocalSide | None = None
        self._closed = False

        self.views: dict[str, list[SnapshotView]] = {}
        self.headers: dict[str, SideHeader] = {}
        grid = QtWidgets.QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        # a thin rule between the columns (grid column 1): A at the left, B at the right
        self.divider = QtWidgets.QFrame(objectName="compareDivider")
        self.divider.setFixedWidth(2)
        self.divider.setAutoFillBackground(True)
        grid.addWidget(self.divider, 0, 1, 2, 1)
        self.init_combo = QtWidgets.QComboBox(objectName="compareInitCombo")
        self.init_combo.setToolTip("B initializer: B trains A's network on A's data, seed and batches, "
                                   "initialized with this")
        self.init_combo.setAccessibleName("B initializer")
        fill_initializer_combo(self.init_combo)
        # as wide as the longest name (not as the "— PyTorch (torch.nn.init) —" group titles)
        self.init_combo.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.init_combo.setMinimumContentsLength(max(len(n) for n in initializers.available()))
        self.init_combo.setSizePolicy(QtWidgets.QSizePolicy.Fixed, QtWidgets.QSizePolicy.Fixed)
        for col, side in zip((0, 2), SIDES):
            self.headers[side] = SideHeader(side, self.init_combo if side == "B" else None)
            grid.addWidget(self.headers[side], 0, col)
            grid.setColumnStretch(col, 1)
        self._grid = grid
        self.weights_view: WeightsOverlay | None = None
        """Built with the views on first use (_build_views): ten pyqtgraph views cost about 0.3 s
        of the app's launch, and most lectures never open compare mode."""

        self.init_combo.currentIndexChanged.connect(self._combo_chosen)
        # A's snapshots: the window takes them from its bridge (take() empties it), draws them and
        # then emits snapshotShown, so A's column shows exactly what the window just drew. (Not a
        # second slot on window.bridge.snapshotReady: both would be queued from the bridge's reader
        # thread, and PySide6 ran a slot connected later first, before the window had taken the
        # snapshot.)
        window.snapshotShown.connect(self._a_shown)
        # B's snapshots are drawn on a timer that leaves the GUI thread free for input at least a
        # third of the time, and acknowledged with bridge_b.ready() once painted (while training,
        # B's engine sends the next one only then).
        self._b_timer = QtCore.QTimer(self, singleShot=True, timeout=self._b_draw)
        self._b_next_draw = self._b_frame_start = 0.0
        QtWidgets.QApplication.instance().aboutToQuit.connect(self.shutdown)
        self._show_headers()
        self._show_combo()
        self.set_theme(self.theme)

    def _build_views(self) -> None:
        if self.weights_view is not None:
            return
        window, grid = self._window, self._grid
        for col, side in zip((0, 2), SIDES):
            box = QtWidgets.QWidget(objectName=f"compareSide{side}")
            views_grid = QtWidgets.QGridLayout(box)
            views_grid.setContentsMargins(0, 0, 0, 0)
            views_grid.setSpacing(6)
            views = []
            for i, cls in enumerate(VIEW_CLASSES):
                view = cls(self.theme)
                view.setObjectName(f"{cls.object_name}{side}")
                if isinstance(view, LossView):
                    view.fits_own_range = False  # _share_loss_axis fits both
                views_grid.addWidget(view, i // 2, i % 2)
                views.append(view)
            for r in range(2):
                views_grid.setRowStretch(r, 1)
                views_grid.setColumnStretch(r, 1)
            self.views[side] = views
            grid.addWidget(box, 1, col)
        self.weights_view = WeightsOverlay(self.theme)
        grid.addWidget(self.weights_view, 2, 0, 1, 3)
        grid.setRowStretch(1, 3)
        grid.setRowStretch(2, 1)
        self.weights_view.setMinimumHeight(160)
        # The toolbar's display options apply to both columns, as they do to the single run's views.
        for view in (v for side in SIDES for v in self.views[side] if isinstance(v, ActivationView)):
            window.preactivation_box.toggled.connect(lambda pre, v=view: v.set_mode("pre" if pre else "post"))
            window.log_counts_box.toggled.connect(view.set_log_counts)
            view.set_mode("pre" if window.preactivation_box.isChecked() else "post")
            view.set_log_counts(window.log_counts_box.isChecked())
        window.log_counts_box.toggled.connect(self.weights_view.set_log_counts)
        self.weights_view.set_log_counts(window.log_counts_box.isChecked())
        self.set_theme(self.theme)
        self.set_log_loss(window.log_loss_box.isChecked())

    # ---- the window's hooks --------------------------------------------------------------------
    def play(self, playing: bool) -> None:
        """The window's play button: B plays or pauses with A."""
        if self.bridge_b is None:
            return
        self._followed = None
        if playing:
            self._sync = None
            if getattr(self._window, "play_override", None) is not None:
                # A is driven in lock step (a recording): B follows A's steps instead of running free
                self._followed = self.snapshot_a.step if self.snapshot_a is not None else 0
                self._follow_steps(self.snapshot_a)
            else:
                self.bridge_b.play()
        else:
            self.bridge_b.pause()
            # Two processes train at their own pace: once both have stopped, the side behind catches
            # up, so a paused comparison always shows both sides at the same step.
            self._sync = (self._serial(self._window.snapshot), self._serial(self.snapshot_b))

    def step(self, steps: int = 1) -> None:
        """The window's Step: B trains as many steps as A."""
        if self.bridge_b is not None:
            self._sync = None
            self.bridge_b.step(steps)

    def reset(self) -> None:
        """The window's Reset: B goes back to step 0 with its initial weights too."""
        if self.bridge_b is not None:
            self._sync = None
            self._followed = 0 if self._followed is not None else None
            self.bridge_b.reset()

    def apply_a(self, settings: Settings) -> None:
        """A's settings changed: B becomes the same settings with B's initializer."""
        self.settings_a = settings
        self._apply_b()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        for views in self.views.values():
            for view in views:
                view.set_theme(theme)
        if self.weights_view is not None:
            self.weights_view.apply_theme(theme)
        for side, header in self.headers.items():
            header.set_color(side_color(theme, side))
        palette = self.divider.palette()
        palette.setColor(QtGui.QPalette.Window, blend(theme.muted, theme.background, 0.6))
        self.divider.setPalette(palette)
        self._share_loss_axis()

    def set_log_loss(self, on: bool) -> None:
        """The toolbar's "Log loss": both loss views, on one shared axis."""
        for views in self.views.values():
            for view in views:
                if isinstance(view, LossView):
                    view.set_log_loss(on)
        self._share_loss_axis()

    def shutdown(self) -> None:
        """Stop and join B's engine (idempotent); the window calls it from its own shutdown."""
        self._closed = True
        self._stop_b()

    # ---- switching on and off ------------------------------------------------------------------
    def set_active(self, on: bool) -> None:
        """Compare mode on (B's engine starts, the panel replaces the six views) or off (B's engine
        is stopped and joined, the six views come back)."""
        on = bool(on) and not self._closed
        if on == self.active:
            return
        window = self._window
        if on:
            self._build_views()
        self.active = on
        if on:
            # Both sides start together from step 0, paused: press Play to train them side by side.
            window.play_button.setChecked(False)
            self.settings_a = window.controls.settings
            try:
                self.settings_b = self._derive_b(self.settings_a)
            except ValueError:  # a lesson's other B changes do not fit these settings: the init alone
                self._b_changes = {k: self._b_changes[k] for k in ("init", "init_params")}
                self.settings_b = self._derive_b(self.settings_a)
            self.snapshot_a = self.snapshot_b = None
            window.bridge.reset()
            if window.bridge.running:
                self._start_b()
            else:
                # Built before its engine starts (MainWindow.__init__) or without one (winit-gui
                # render/record): decide once the event loop runs.
                QtCore.QTimer.singleShot(0, self, self._start_b)
            self._show_headers()
            self._show_combo()
            self.weights_view.set_sides(self.settings_a, self.settings_b)
            window.views_stack.setCurrentWidget(self)
            if window.snapshot is not None:
                self._a_shown(window.snapshot)
        else:
            self._auto = False
            self._stop_b()
            window.views_stack.setCurrentIndex(0)
        self.activeChanged.emit(on)

    def open_experiment(self, experiment: Experiment) -> None:
        """A lesson or file opened in the window: one with a B side opens in compare mode with it;
        one without leaves compare mode if the previous lesson had switched it on."""
        self._experiment = experiment
        if experiment.compare is not None:
            self._b_changes = differences(experiment.settings, experiment.compare)
            self._show_combo()
            if self.active:
                self.apply_a(experiment.settings)
            else:
                self.set_active(True)
                self._auto = self.active
        elif self._auto:
            self.set_active(False)
        else:
            # keep B's initializer (and its parameters) on the new lesson, nothing else of the old B
            self._b_changes = {k: v for k, v in self._b_changes.items() if k in ("init", "init_params")}
            self.apply_a(experiment.settings)

    def set_b_init(self, name: str) -> None:
        """B's initializer: its default parameters, or A's when it is A's initializer (B = A)."""
        params = dict(self.settings_a.init_params) if name == self.settings_a.init else {}
        self._b_changes = {**self._b_changes, "init": name, "init_params": params}
        self._show_combo()
        self._apply_b()

    # ---- internals -----------------------------------------------------------------------------
    def _derive_b(self, a: Settings) -> Settings:
        return a.replace(**self._b_changes)

    def _apply_b(self) -> None:
        try:
            settings_b = self._derive_b(self.settings_a)
        except ValueError as err:
            self._window.statusBar().showMessage(f"B side: {err}", 8000)
            return
        self._sync = None
        changed = settings_b != self.settings_b
        self.settings_b = settings_b
        self._show_headers()
        if self.active:
            self.weights_view.set_sides(self.settings_a, self.settings_b)
            if changed and self.bridge_b is not None:
                self.bridge_b.apply(settings_b)

    def _start_b(self) -> None:
        """B's engine when A has one; else B is trained here, in step with the A snapshots shown."""
        if not self.active or self.bridge_b is not None or self._local_b is not None:
            return
        if self._window.bridge.running:
            self.bridge_b = EngineBridge(self.settings_b, self)
            self.bridge_b.snapshotReady.connect(self._b_ready)
            self.bridge_b.engineLost.connect(self._window.engine_lost)
            self.bridge_b.start()
            self._b_next_draw = 0.0
        else:
            self._local_b = LocalSide()
            if self.snapshot_a is not None:
                self._show_local_b(self.snapshot_a)

    def _stop_b(self) -> None:
        self._local_b = None
        self._followed = None
        self._b_timer.stop()
        bridge, self.bridge_b = self.bridge_b, None
        if bridge is not None:
            bridge.snapshotReady.disconnect(self._b_ready)
            bridge.engineLost.disconnect(self._window.engine_lost)
            bridge.stop()
            bridge.deleteLater()

    def _follow_a(self, snap: Snapshot) -> None:
        """Keep B on A's settings, whatever changed them.

        The window reports settings edits through apply_a; a lesson, a file or a new seed may
        change them without it. When A shows the settings the controls hold (a newer snapshot than
        any edit, so never a stale one that would bounce B back) and B was not made from them, B
        follows; a new experiment object is a new lesson or file.
        """
        window = self._window
        if window.experiment is not self._experiment:
            self.open_experiment(window.experiment)
        current = window.controls.settings
        if snap.settings == current and current != self.settings_a:
            self.apply_a(current)

    def _a_shown(self, snap: Snapshot) -> None:
        """MainWindow.snapshotShown: the window has just drawn A's ``snap``."""
        self._follow_a(snap)
        if not self.active or snap is self.snapshot_a:
            return
        self.snapshot_a = snap
        self._show("A", snap)
        if self._local_b is not None:
            self._show_local_b(snap)
            return
        self._follow_steps(snap)
        # The window's play button unchecked by itself (A diverged): B stops with it.
        if not self._window.play_button.isChecked() and self.snapshot_b is not None and self.snapshot_b.playing:
            self.bridge_b.pause()
        self._sync_steps()

    def _follow_steps(self, a: Snapshot | None) -> None:
        """Lock step (a recording drives A step by step): ask B for the steps A has made since."""
        if self._followed is None or a is None or self.bridge_b is None or not a.step > self._followed:
            return
        self.bridge_b.step(a.step - self._followed)
        self._followed = a.step

    def _show_local_b(self, a: Snapshot) -> None:
        try:
            snap = self._local_b.follow(self.settings_b, a)
        except ValueError as err:
            self._window.statusBar().showMessage(f"B side: {err}", 8000)
            return
        self.snapshot_b = snap
        self._show("B", snap)

    def _b_ready(self) -> None:
        if not self._b_timer.isActive():
            self._b_timer.start(max(0, round(1000 * (self._b_next_draw - time.perf_counter()))))

    def _b_draw(self) -> None:
        bridge = self.bridge_b
        snap = bridge.take() if bridge is not None else None
        if snap is None or not self.active:
            return
        if snap.settings != self.settings_b:
            bridge.ready()  # an older B, replaced since: not drawn, but the engine may send the next
            return
        self._b_frame_start = time.perf_counter()
        self.snapshot_b = snap
        self._show("B", snap)
        if snap.message:
            self._window.statusBar().showMessage(f"B: {snap.message}")
        self._sync_steps()
        # Qt paints the views after this returns; a zero timer fires once that is done
        QtCore.QTimer.singleShot(0, self, self._b_painted)

    def _b_painted(self) -> None:
        now = time.perf_counter()
        self._b_next_draw = max(self._b_frame_start + FRAME_INTERVAL, now + (now - self._b_frame_start) / 2)
        if self.bridge_b is not None:
            self.bridge_b.ready()

    def _show(self, side: str, snap: Snapshot) -> None:
        for view in self.views[side]:
            view.show_snapshot(snap)
        self.headers[side].show_step(snap)
        self._share_loss_axis()

    def _share_loss_axis(self) -> None:
        """One loss axis for both columns: side by side, two scales fitted to each run made B's
        curve look like A's whatever the numbers. The two LossViews do not fit their own axes
        (``fits_own_range``); both are given both runs' losses, so their ranges stay equal."""
        histories = [snap.loss_history[:, 1:3] for snap in (self.snapshot_a, self.snapshot_b)
                     if snap is not None and snap.loss_history.ndim == 2 and snap.loss_history.shape[0]]
        losses = np.concatenate(histories) if histories else np.zeros((0, 2))
        if losses.size:
            for views in self.views.values():
                for view in views:
                    if isinstance(view, LossView):
                        view.fit_loss_range(losses)

    def _sync_steps(self) -> None:
        a, b = self.snapshot_a, self.snapshot_b
        if self._sync is None or a is None or b is None:
            return
        if a.serial <= self._sync[0] or b.serial <= self._sync[1] or a.playing or b.playing:
            return
        self._sync = None
        if a.diverged or b.diverged or a.settings != self.settings_a:
            return
        if a.step > b.step:
            self.bridge_b.step(a.step - b.step)
        elif b.step > a.step:
            self._window.bridge.step(b.step - a.step)

    @staticmethod
    def _serial(snap: Snapshot | None) -> int:
        return snap.serial if snap is not None else 0

    def _show_headers(self) -> None:
        a, b = self.settings_a, self.settings_b
        # B's header names what else a lesson's B side changes (the activation and gain it shows anyway)
        other = [f"{name} {_plain(getattr(b, name))}" for name in self._b_changes
                 if name not in ("init", "init_params", "activation", "gain") and getattr(a, name) != getattr(b, name)]
        self.headers["A"].show_settings(a)
        self.headers["B"].show_settings(b, ", ".join(other))
        for side in SIDES:
            self.headers[side].show_step(self.snapshot_a if side == "A" else self.snapshot_b)

    def _show_combo(self) -> None:
        with QtCore.QSignalBlocker(self.init_combo):
            self.init_combo.setCurrentIndex(self.init_combo.findData(self._b_changes["init"], QtCore.Qt.UserRole))

    def _combo_chosen(self, _index: int) -> None:
        name = self.init_combo.currentData(QtCore.Qt.UserRole)
        if name:
            self.set_b_init(name)


def _default_b_init(experiment: Experiment) -> str:
    """B's initializer before anyone chooses: the lesson's B side, its one-click alternative, or He."""
    if experiment.compare is not None:
        return experiment.compare.init
    if experiment.alternative and experiment.alternative != experiment.settings.init:
        return experiment.alternative
    return "he_normal" if experiment.settings.init != "he_normal" else "glorot_normal"


def install_compare(window) -> ComparePanel:
    """Add compare mode to ``window``: the panel as page 1 of ``window.views_stack`` and a checkable
    "Compare A/B" toolbar action (Ctrl+B). A lesson with a B side (kaiming-vs-he) opens in it."""
    panel = ComparePanel(window)
    window.views_stack.addWidget(panel)
    action = QtGui.QAction("Compare A/B", window, objectName="compareAction", checkable=True)
    action.setShortcut(QtGui.QKeySequence("Ctrl+B"))
    action.setToolTip("Compare A/B (Ctrl+B): a second initializer trained side by side on the same data, "
                      "seed and batches")
    # next to Play/Step/Reset, which drive both sides in compare mode
    bar = window.findChild(QtWidgets.QToolBar, "trainingToolbar") or window.addToolBar("Compare")
    after = next((i for i, a in enumerate(bar.actions()) if bar.widgetForAction(a) is window.reset_button), None)
    following = bar.actions()[after + 1] if after is not None and after + 1 < len(bar.actions()) else None
    if following is not None:
        bar.insertAction(following, action)
        bar.insertSeparator(following)
    else:
        bar.addSeparator()
        bar.addAction(action)
    action.toggled.connect(panel.set_active)

    def follow(on: bool) -> None:
        with QtCore.QSignalBlocker(action):
            action.setChecked(on)

    panel.activeChanged.connect(follow)
    panel.action = action

    window.log_loss_box.toggled.connect(panel.set_log_loss)

    if window.experiment.compare is not None:
        panel.open_experiment(window.experiment)
    return panel
