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
two sides' first-layer weights (compare_weights.py); the headers and the engine-less B are in
compare_sides.py.

What the window does for it (every panel method is a no-op while compare mode is off):
``play(playing)``, ``step()``, ``reset()`` from its play/step/reset commands, ``apply_a(settings)``
when its settings change, ``open_experiment(experiment)`` when a lesson or file opens,
``shutdown()`` from its own shutdown and ``set_theme(theme)`` from its own. A's snapshots come
from ``MainWindow.snapshotShown``. Settings changed in any other way are picked up when A's next
snapshot shows them (``_follow_a``).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui import initializers
from winit_gui.app.bridge import EngineBridge
from winit_gui.app.compare_sides import LocalSide, SideHeader, differences, plain
from winit_gui.app.compare_weights import SIDES, WeightsOverlay, side_color
from winit_gui.app.controls import fill_initializer_combo
from winit_gui.app.theme import Theme
from winit_gui.app.views.activations import ActivationView
from winit_gui.app.views.base import SnapshotView
from winit_gui.app.views.gradients import GradientView
from winit_gui.app.views.histograms import blend
from winit_gui.app.views.loss import LossView
from winit_gui.app.views.network import NetworkView
from winit_gui.engine import FRAME_INTERVAL
from winit_gui.experiment import Experiment
from winit_gui.settings import Settings
from winit_gui.snapshot import Snapshot

# The four views of each side, in a 2 x 2 grid per column (row by row). Why these four:
# activations (the forward signal through the depth: He vs Glorot on deep ReLU collapses on one
# side only) and gradients (the backward signal) are the two pictures an initialization changes
# first; the loss is what the audience asks about ("so which one trains better?"); the network
# diagram shows the weights themselves and the symmetry lessons. The saturation view repeats the
# activation ridges for ReLU (half the units are flat for any symmetric init) and the boundary
# view is empty for the non-2-D data of the deep lessons, so they stay on the single-run page.
VIEW_CLASSES: tuple[type[SnapshotView], ...] = (ActivationView, GradientView, LossView, NetworkView)


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
        other = [f"{name} {plain(getattr(b, name))}" for name in self._b_changes
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
