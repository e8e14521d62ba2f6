"""The main window: controls wired to engine commands, snapshots wired to views."""

from __future__ import annotations

import atexit
import time
import weakref
from typing import Callable

import shiboken6
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui import presets
from winit_gui import snapshot as snapshots
from winit_gui.app import theme as themes
from winit_gui.app.bridge import EngineBridge
from winit_gui.app.compare import install_compare
from winit_gui.app.controls import ControlPanel
from winit_gui.app.export import install_export_actions
from winit_gui.app.file_menu import install_file_menu
from winit_gui.app.recording import install_record_actions
from winit_gui.app.theory_page import install_theory
from winit_gui.app.views.activations import ActivationView
from winit_gui.app.views.boundary import BoundaryView
from winit_gui.app.views.gradients import GradientView
from winit_gui.app.views.loss import LossView
from winit_gui.app.views.network import NetworkView
from winit_gui.app.views.saturation import SaturationView
from winit_gui.engine import FRAME_INTERVAL
from winit_gui.experiment import Experiment
from winit_gui.snapshot import Snapshot
from winit_gui.training import Trainer


DRAW_TURN = 0.004
"""Seconds of drawing after which a frame hands the event loop a turn (input, timers) before
drawing its next view: while training runs, input waits at most about one view's drawing."""
DRAW_BREATHER = 0.002
"""Seconds the event loop gets between the end of a frame and the start of the next."""


class Frame:
    """One frame's drawing: the views still to draw, and the snapshots it has drawn them with.

    While paused, a snapshot that comes in mid-frame (the slider dragged on: a new
    initialization) is drawn in the views still to draw and then in those that drew the older
    one, so each view answers a move within about one view's drawing instead of waiting for the
    frame to end. ``oldest_shown`` says when every view shows a picture at least as new as one of
    them (what snapshotShown means).
    """

    def __init__(self, snap: Snapshot, views: list):
        self.snapshot = snap
        """The picture the views still to draw get."""
        self.views = list(views)
        """The views this frame draws (those on screen when it began)."""
        self.todo = list(views)
        self._followed = 0
        """Pictures followed since the frame began: the newer picture has the higher number."""
        self._drawn_with: dict = {}
        """Each view drawn in this frame: (number, snapshot) of the picture it shows. Only these
        are kept: a long drag is one frame that follows hundreds of pictures."""
        self._shown = -1

    def follow(self, snap: Snapshot) -> None:
        """Draw ``snap`` from now on: in the views still to draw, then in those drawn before."""
        self.snapshot = snap
        self._followed += 1
        self.todo += [view for view in self.views if view not in self.todo]

    def drawn(self, view) -> None:
        self._drawn_with[view] = (self._followed, self.snapshot)

    def oldest_shown(self) -> Snapshot | None:
        """The oldest of this frame's pictures that every view now shows or has passed, if not
        said before (None before every view has been drawn once)."""
        number, snap = min((self._drawn_with.get(view, (-1, None)) for view in self.views),
                           key=lambda drawn: drawn[0])
        if number <= self._shown:
            return None
        self._shown = number
        return snap


class LessonPanel(QtWidgets.QFrame):
    """The lesson's title, its explanation, and its one-click alternative initializer."""

    alternativeRequested = QtCore.Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("lessonPanel")
        layout = QtWidgets.QVBoxLayout(self)
        self.title = QtWidgets.QLabel(objectName="lessonTitle", wordWrap=True)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.title.setFont(font)
        self.text = QtWidgets.QLabel(objectName="lessonText", wordWrap=True)
        self.text.setAlignment(QtCore.Qt.AlignTop | QtCore.Qt.AlignLeft)
        self.alternative = QtWidgets.QPushButton(objectName="alternativeButton")
        self.alternative.clicked.connect(lambda: self.alternativeRequested.emit(self._alternative))
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addWidget(self.alternative)
        self._alternative = ""

    def show_lesson(self, experiment: Experiment) -> None:
        self.title.setText(experiment.title or "Your experiment")
        self.text.setText(experiment.explanation)
        self._alternative = experiment.alternative
        self.alternative.setText(f"Try {experiment.alternative}")
        self.alternative.setToolTip(f"Switch the initializer to {experiment.alternative}, same seed")
        self.alternative.setVisible(bool(experiment.alternative))


class VerticalScrollArea(QtWidgets.QScrollArea):
    """Scrolls up and down only: always as wide as its widget needs, whatever the font size."""

    def minimumSizeHint(self) -> QtCore.QSize:
        hint = super().minimumSizeHint()
        if self.widget() is not None:
            hint.setWidth(self.widget().minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
                          + 2 * self.frameWidth())
        return hint

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if watched is self.widget() and event.type() == QtCore.QEvent.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)


_open_windows: weakref.WeakSet[MainWindow] = weakref.WeakSet()


@atexit.register
def _close_open_windows() -> None:
    """A script that ends with its window still open (no app.exec, no close): delete the window
    while Python can still run the views' overrides. Left to the interpreter's teardown, Qt
    delivered the views' last layout events to Python code that was already gone (a segfault at
    exit, 4 runs in 5). Runs before pyqtgraph's own atexit cleanup (atexit is last in, first out)."""
    # (a wrapper can outlive its window: Qt deleted it, a traceback still holds the Python side)
    windows = [window for window in _open_windows if shiboken6.isValid(window)]
    for window in windows:
        window.shutdown()
        window.deleteLater()
    if windows:
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.DeferredDelete)


class MainWindow(QtWidgets.QMainWindow):
    snapshotShown = QtCore.Signal(object)
    """Every view now shows this snapshot, or a newer one that came while it was drawn (a slider
    dragged on while paused): recording and compare mode follow this."""

    def __init__(self, preset: str | None = None, experiment: Experiment | None = None, theme: str = "dark",
                 start_engine: bool = True):
        """``start_engine=False`` builds the window without its engine process, for scripts that
        feed it snapshots themselves (``winit-gui render`` and ``record``)."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("winit_gui: weight initialization, seen")
        self.theme = themes.load(theme)
        if experiment is None:
            preset = preset or presets.DEFAULT
            experiment = presets.load(preset)
        self.experiment = experiment
        self.snapshot: Snapshot | None = None
        self.play_override: Callable[[], None] | None = None
        """While set (a recording in lock step), Play calls this instead of running the engine freely."""
        self._closed = False
        self._engine_message_shown = False

        self.bridge = EngineBridge(experiment.settings, self)
        self.controls = ControlPanel(experiment.settings)
        self.lesson = LessonPanel()
        self.views = [NetworkView(self.theme), BoundaryView(self.theme), LossView(self.theme),
                      ActivationView(self.theme), SaturationView(self.theme), GradientView(self.theme)]
        self.network_view, self.boundary_view, self.loss_view, self.activation_view, \
            self.saturation_view, self.gradient_view = self.views

        self._build_toolbar()
        self._build_layout()
        self._build_shortcuts()
        self.compare = install_compare(self)  # (page 1; a lesson may open in it at once)
        self.theory = install_theory(self)
        self.views_stack.currentChanged.connect(self._page_changed)
        self.step_label = QtWidgets.QLabel("Step 0", objectName="stepLabel")
        self.step_label.setToolTip("Training steps since the last initialization")
        self.statusBar().addPermanentWidget(self.step_label)

        self.controls.settingsEdited.connect(self._settings_edited)
        self.controls.invalidEdit.connect(lambda message: self.statusBar().showMessage(message, 8000))
        self.controls.newSeedRequested.connect(self.new_seed)
        self.lesson.alternativeRequested.connect(
            lambda name: self.controls.init_combo.setCurrentIndex(
                self.controls.init_combo.findData(name, QtCore.Qt.UserRole)))
        # Snapshots are drawn on a timer, about one view per turn of the event loop (DRAW_TURN): six
        # views drawn in one go kept input and timers waiting ~35 ms while training.
        self._next_draw = self._frame_start = 0.0
        self._frame: Frame | None = None
        self._held: Snapshot | None = None
        """A training snapshot taken mid-frame: the next frame starts with it."""
        self._draw_timer = QtCore.QTimer(self, singleShot=True, timeout=self._show_newest)
        self.bridge.snapshotReady.connect(self._schedule_draw)
        self.bridge.engineLost.connect(self.engine_lost)
        app = QtWidgets.QApplication.instance()
        app.aboutToQuit.connect(self.shutdown)

        self.set_theme(self.theme)
        self.lesson.show_lesson(experiment)
        self._select_preset_in_combo(preset)
        self._fit_to_screen()
        install_file_menu(self)
        install_export_actions(self)
        self.record_controls = install_record_actions(self)
        self._build_view_menu()
        _open_windows.add(self)  # (built: a window that failed half-way has nothing to close)
        if start_engine:
            self.bridge.start()
            self.show_first_picture()

    def show_first_picture(self) -> None:
        """Draw the experiment's untrained network, made here once, while the engine process
        starts up (about half a second): the window opens with its views drawn instead of empty.
        Without the theory, which only the theory page draws (the engine adds it for that page)."""
        self.show_snapshot(snapshots.build(Trainer(self.experiment.settings), serial=0, playing=False,
                                           with_theory=False))

    # ---- construction ----------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        bar = self.addToolBar("Training")
        bar.setObjectName("trainingToolbar")
        bar.setMovable(False)
        self.play_button = QtWidgets.QPushButton("Play", objectName="playButton", checkable=True)
        self.play_button.setToolTip("Train continuously / pause (Space)")
        self.step_button = QtWidgets.QPushButton("Step", objectName="stepButton")
        self.step_button.setToolTip("One training step (Right arrow)")
        self.reset_button = QtWidgets.QPushButton("Reset", objectName="resetButton")
        self.reset_button.setToolTip("Back to step 0 with the same initial weights (R)")
        self.preset_combo = QtWidgets.QComboBox(objectName="presetCombo")
        self.preset_combo.setToolTip("Open a lesson")
        self.preset_combo.addItem("(your experiment)", "")
        for name in presets.names():
            self.preset_combo.addItem(f"{name}: {presets.load(name).title}", name)
        # As wide as about 30 characters, its list as wide as the longest title: at full length
        # the combo pushed the display options into the toolbar's overflow menu at 1280 x 720.
        self.preset_combo.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.preset_combo.setMinimumContentsLength(30)
        self.preset_combo.view().setMinimumWidth(self.preset_combo.view().sizeHintForColumn(0) + 24)
        for widget in (self.play_button, self.step_button, self.reset_button):
            # Toolbar buttons take no keyboard focus: Space must reach the play shortcut, not
            # click whichever button was focused last.
            widget.setFocusPolicy(QtCore.Qt.NoFocus)
            bar.addWidget(widget)
        bar.addSeparator()
        bar.addWidget(QtWidgets.QLabel(" Lesson "))
        bar.addWidget(self.preset_combo)
        # The display switches have a toolbar of their own, which wraps to a second row when the
        # window is too narrow for one (_wrap_toolbars).
        bar = self.display_toolbar = self.addToolBar("Display")
        bar.setObjectName("displayToolbar")
        bar.setMovable(False)
        self.theme_button = QtWidgets.QPushButton("Light theme", objectName="themeButton", checkable=True)
        self.theme_button.setFocusPolicy(QtCore.Qt.NoFocus)
        self.theme_button.setToolTip("Light theme for projectors and slides")
        bar.addWidget(self.theme_button)
        self.font_spin = QtWidgets.QSpinBox(objectName="fontSizeSpin")
        self.font_spin.setRange(8, 28)
        self.font_spin.setPrefix("Text ")
        self.font_spin.setSuffix(" pt")
        self.font_spin.setToolTip("Text size, for the back of the lecture hall")
        bar.addWidget(self.font_spin)
        self.preactivation_box = QtWidgets.QCheckBox("Pre-activations", objectName="preactivationCheck")
        self.preactivation_box.setToolTip("Histograms of z = W·x + b (checked) or of the activations f(z)")
        self.preactivation_box.setChecked(True)
        self.log_counts_box = QtWidgets.QCheckBox("Log counts", objectName="logCountsCheck")
        self.log_loss_box = QtWidgets.QCheckBox("Log loss", objectName="logLossCheck")
        for box in (self.preactivation_box, self.log_counts_box, self.log_loss_box):
            bar.addWidget(box)

        self.play_button.toggled.connect(self._play_toggled)
        self.step_button.clicked.connect(self.step_once)
        self.reset_button.clicked.connect(self.reset)
        self.preset_combo.currentIndexChanged.connect(self._preset_chosen)
        self.theme_button.toggled.connect(lambda light: self.set_theme(themes.load("light" if light else "dark")))
        self.font_spin.valueChanged.connect(lambda size: self.set_theme(self.theme.scaled(size)))
        self.preactivation_box.toggled.connect(lambda pre: self.activation_view.set_mode("pre" if pre else "post"))
        self.log_counts_box.toggled.connect(self.activation_view.set_log_counts)
        self.log_loss_box.toggled.connect(self.loss_view.set_log_loss)

    def _build_view_menu(self) -> None:
        """The toolbar's display switches again as menu items: on a 1280 x 720 projector with
        large text they sit behind the toolbar's overflow button."""
        menu = self.menuBar().addMenu("&View")
        menu.setObjectName("viewMenu")
        menu.addAction(self.theory.action)
        menu.addSeparator()
        for box in (self.theme_button, self.preactivation_box, self.log_counts_box, self.log_loss_box):
            action = menu.addAction(box.text())
            action.setCheckable(True)
            action.setChecked(box.isChecked())
            action.setToolTip(box.toolTip())
            action.toggled.connect(box.setChecked)
            box.toggled.connect(action.setChecked)  # (setChecked to the same state emits nothing)

    def _build_layout(self) -> None:
        grid = QtWidgets.QGridLayout()
        grid.setSpacing(6)
        for i, view in enumerate(self.views):
            grid.addWidget(view, i // 3, i % 3)
        for column in range(3):
            grid.setColumnStretch(column, 1)
        self.views_page = QtWidgets.QWidget()
        self.views_page.setLayout(grid)
        # page 0: the six views; compare mode and the theory page add theirs as more pages
        self.views_stack = QtWidgets.QStackedWidget(objectName="viewsStack")
        self.views_stack.addWidget(self.views_page)

        side = QtWidgets.QWidget()
        side_layout = QtWidgets.QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.lesson)
        scroll = VerticalScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        side_layout.addWidget(scroll, 1)
        side.setMaximumWidth(460)

        self.splitter = QtWidgets.QSplitter(objectName="mainSplitter")
        self.splitter.addWidget(side)
        self.splitter.addWidget(self.views_stack)
        self.splitter.setStretchFactor(1, 1)
        # The views take all the width the side panel can spare. Left to itself the splitter kept
        # whichever split its first layouts reached, and that changed with the order of a set of
        # strings: the side panel came up 343 or 460 px wide at 1600 x 1000 by PYTHONHASHSEED.
        self.splitter.setCollapsible(0, False)
        self.splitter.setSizes([0, 1 << 20])
        self.setCentralWidget(self.splitter)

    def _build_shortcuts(self) -> None:
        for key, slot in ((QtCore.Qt.Key_Space, self.play_button.toggle),
                          (QtCore.Qt.Key_Right, self.step_once),
                          (QtCore.Qt.Key_R, self.reset)):
            QtGui.QShortcut(QtGui.QKeySequence(key), self, activated=slot)

    def _fit_to_screen(self) -> None:
        """1600 x 1000 where it fits, else the whole available screen (a 1280 x 720 projector)."""
        available = self.screen().availableGeometry()
        self.resize(min(1600, available.width()), min(1000, available.height()))

    # ---- commands --------------------------------------------------------------------------------
    def step_once(self) -> None:
        self.play_button.setChecked(False)
        self.bridge.step()
        self.compare.step()

    def reset(self) -> None:
        self.bridge.reset()
        self.compare.reset()

    def new_seed(self) -> None:
        seed = int.from_bytes(QtCore.QRandomGenerator.global_().generate().to_bytes(4, "little"), "little") % 2**31
        self.controls.show_settings(self.controls.settings.replace(seed=seed))
        self._settings_edited(self.controls.settings)

    def open_experiment(self, experiment: Experiment, preset: str | None = None) -> None:
        self.experiment = experiment
        self.controls.show_settings(experiment.settings)
        self.lesson.show_lesson(experiment)
        self._select_preset_in_combo(preset)
        self.bridge.apply(experiment.settings)
        self.compare.open_experiment(experiment)

    def set_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        themes.apply_to_application(QtWidgets.QApplication.instance(), theme)
        for view in self.views:
            view.set_theme(theme)
        self.compare.set_theme(theme)
        self.theory.set_theme(theme)
        with QtCore.QSignalBlocker(self.font_spin), QtCore.QSignalBlocker(self.theme_button):
            self.font_spin.setValue(theme.font_size)
            self.theme_button.setChecked(theme.name == "light")
        QtCore.QTimer.singleShot(0, self, self._wrap_toolbars)  # once the new font has resized them

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self._wrap_toolbars()

    def _wrap_toolbars(self) -> None:
        """One row of toolbars where they fit; else the display switches, Export and Record go
        to a second row. (In one row, a 1280 x 720 projector with 12 pt text hid them behind the
        toolbar's overflow button, Record included.)"""
        bars = [bar for bar in self.findChildren(QtWidgets.QToolBar)
                if self.toolBarArea(bar) == QtCore.Qt.TopToolBarArea and not bar.isHidden()]
        wrap = sum(bar.sizeHint().width() for bar in bars) > self.width()
        if wrap != self.toolBarBreak(self.display_toolbar):
            if wrap:
                self.insertToolBarBreak(self.display_toolbar)
            else:
                self.removeToolBarBreak(self.display_toolbar)

    def shutdown(self) -> None:
        """Stop and join the worker thread (idempotent)."""
        if not self._closed:
            self._closed = True
            self.compare.shutdown()
            self.bridge.stop()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    # ---- slots -----------------------------------------------------------------------------------
    def _settings_edited(self, settings) -> None:
        self.bridge.apply(settings)
        self._select_preset_in_combo(None)
        self.compare.apply_a(settings)

    def engine_lost(self, message: str) -> None:
        """An engine process died (its bridge has started a new one, or says why not): say so,
        and pause, since a new engine starts at step 0, paused (compare mode's other side too)."""
        self.play_button.setChecked(False)
        self.statusBar().showMessage(message)

    def _play_toggled(self, playing: bool) -> None:
        self.play_button.setText("Pause" if playing else "Play")
        if playing:
            (self.play_override or self.bridge.play)()
        else:
            self.bridge.pause()
        self.compare.play(playing)

    def _preset_chosen(self, _index: int) -> None:
        name = self.preset_combo.currentData()
        if name:
            self.open_experiment(presets.load(name), name)

    def _select_preset_in_combo(self, preset: str | None) -> None:
        with QtCore.QSignalBlocker(self.preset_combo):
            self.preset_combo.setCurrentIndex(max(0, self.preset_combo.findData(preset or "")))

    def _schedule_draw(self) -> None:
        if self._frame is None and not self._draw_timer.isActive():
            self._draw_timer.start(max(0, round(1000 * (self._next_draw - time.perf_counter()))))

    def _show_newest(self) -> None:
        if self._frame is not None or self._closed:
            return
        snap = self.bridge.take() or self._held
        self._held = None
        if snap is None:
            return
        self._frame_start = time.perf_counter()
        # Ready for the next snapshot now, not when this one is drawn: the engine computes it
        # while the views draw, and the next frame need not wait for it.
        self.bridge.ready()
        self._frame = Frame(snap, self.shown_views())
        self._draw_next_view()

    def _draw_next_view(self) -> None:
        if self._closed or self._frame is None:
            return
        frame = self._frame
        turn_start = time.perf_counter()
        while frame.todo:
            self._follow_new_picture(frame)
            view = frame.todo.pop(0)
            view.show_snapshot(frame.snapshot)
            self.paint_now([view])
            frame.drawn(view)
            shown = frame.oldest_shown()
            if shown is not None:
                self._shown(shown)
            if frame.todo and time.perf_counter() - turn_start >= DRAW_TURN:
                QtCore.QTimer.singleShot(0, self, self._draw_next_view)  # input and timers run in between
                return
        self._frame = None
        if self.snapshot is not frame.snapshot:
            self._shown(frame.snapshot)  # compare mode covers the views: none was drawn
        # Input is served between the turns of a frame, so the next frame may follow at once
        # (after a display interval): the frame rate is then what drawing costs allow.
        self._next_draw = max(self._frame_start + FRAME_INTERVAL, time.perf_counter() + DRAW_BREATHER)
        self._schedule_draw()  # a snapshot that arrived meanwhile

    def _follow_new_picture(self, frame: Frame) -> None:
        """While paused, a snapshot that came mid-frame is drawn at once in the rest of the frame
        (Frame.follow). While training, snapshots are paced by READY (one a frame, taken at its
        start) and a new one waits for the next frame; so does one that starts training."""
        if frame.snapshot.playing:
            return
        fresh = self.bridge.take()
        if fresh is None:
            return
        if fresh.playing or fresh.diverged:
            self._held = fresh
        else:
            self._held = None  # (older: Play, then Pause within one frame)
            frame.follow(fresh)

    def _page_changed(self, _index: int) -> None:
        """A page that comes up draws the newest picture it missed, in the room the last one had:
        the splitter gave the side panel the room a page with a smaller minimum width left it
        (at 1280 x 720 the lesson text widened by half and the views jumped)."""
        sizes = self.splitter.sizes()
        QtCore.QTimer.singleShot(0, self, lambda: self.splitter.setSizes(sizes))  # after its relayout
        self.bridge.set_theory(self.views_stack.currentWidget() is self.theory)
        self.refresh_views(self.shown_views())

    def wait_for_theory(self, timeout: float = 5.0) -> None:
        """For theory views drawn off their page (an export, a recording): have the engine send
        the theory (until the page changes), and wait at most ``timeout`` seconds for a picture
        with it to be shown, when the one shown has none."""
        self.bridge.set_theory(True)
        if self.snapshot is None or self.snapshot.theory is not None or not self.bridge.running:
            return
        loop = QtCore.QEventLoop()

        def shown(snap: Snapshot) -> None:
            if snap.theory is not None:
                loop.quit()

        self.snapshotShown.connect(shown)
        QtCore.QTimer.singleShot(round(timeout * 1000), loop.quit)
        loop.exec()
        self.snapshotShown.disconnect(shown)

    def shown_views(self) -> list:
        """The views on screen, the ones a frame draws: the six, the theory page's, or none
        (compare mode draws its own). Views off screen wait for ``refresh_views``."""
        page = self.views_stack.currentWidget()
        if page is self.views_page:
            return self.views
        return self.theory.views if page is self.theory else []

    def refresh_views(self, views: list | None = None) -> None:
        """Draw the current snapshot in ``views`` (the six by default) where they missed it, being
        off screen (another page shown)."""
        if self._frame is not None:
            return  # a frame is being drawn: its views are newer than self.snapshot, not older
        stale = [view for view in (self.views if views is None else views)
                 if self.snapshot is not None and view.snapshot is not self.snapshot]
        for view in stale:
            view.show_snapshot(self.snapshot)
        self.paint_now(stale)

    def show_snapshot(self, snap: Snapshot) -> None:
        """Draw ``snap`` in the six views and those on screen, now."""
        views = self.views + [view for view in self.shown_views() if view not in self.views]
        for view in views:
            view.show_snapshot(snap)
        self.paint_now(views)
        self._shown(snap)

    def paint_now(self, views) -> None:
        """Paint ``views`` now, not at Qt's next idle moment: the frame's cost is then known when
        the next one is scheduled, and snapshotShown means "on screen". (Compare mode's page
        draws after snapshotShown, so Qt paints it as usual.)"""
        if not self.isVisible():
            return
        for view in (view for view in views if view.isVisible()):
            # A scene gathers its items' changes in queued calls. Run those first: they repaint the
            # view (Qt 6.11), and a repaint before them would be followed by a second one.
            painted = view.paints
            QtCore.QCoreApplication.sendPostedEvents(view.scene(), QtCore.QEvent.MetaCall)
            if view.paints == painted:
                view.viewport().repaint()

    def _shown(self, snap: Snapshot) -> None:
        self.snapshot = snap
        self.step_label.setText(f"Step {snap.step}")
        message = snap.message
        # (the diverged snapshot itself may not be shown: a newer one, a slider move's, replaced it)
        if not snap.playing and self.play_button.isChecked() and (snap.diverged or self.bridge.divergence):
            with QtCore.QSignalBlocker(self.play_button):
                self.play_button.setChecked(False)
                self.play_button.setText("Play")
            message = message or self.bridge.divergence
        if message:
            self.statusBar().showMessage(message)
        elif self._engine_message_shown:
            self.statusBar().clearMessage()  # Reset or a new setting recovered: the warning is stale
        self._engine_message_shown = bool(message)
        self.snapshotShown.emit(snap)
