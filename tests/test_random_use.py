"""Random use: seeded random actions on the real widgets, and what must hold after every one.

Every visible control is used the way a lecturer uses it: combos (by index and by arrow keys),
spin boxes (arrows and typed values), the weight-scale slider (set, and dragged with the mouse
while training), presets, architecture changes while training, Play/Pause, Step, Reset, their
keyboard shortcuts, compare mode on and off, theme, text size, the display switches, the window's
size. After each action:

- no exception was raised in any slot or virtual method (pytest-qt's capture, checked at once so
  that the failing action is known), both engine processes are alive and neither has died and
  been replaced (an exception in the engine ends its process: the bridge says so, engineLost);
- a command reached the engine and was answered: a newer snapshot is on screen within
  ANSWER_MS (stretched by the machine's load: answer_budget_ms), and after a settings edit it is one made with the edited settings;
- the window shows snapshots in the engine's order (serials never go back) and the step only goes
  back right after an action that re-initializes (Reset, a settings edit, a lesson, compare mode);
  the step label says the step shown;
- every view shows finite data, or a snapshot in the explicit diverged state (its message says so):
  the snapshot's own numbers, and the arrays and extents its plot items were given;
- once a frame is over, the six views show the same snapshot as the window.

The run is a function of its seed: WINIT_RANDOM_SEED picks it, WINIT_RANDOM_ACTIONS the number of
actions (the default is the short form CI runs; the long form is ``pytest --long`` or
WINIT_RANDOM_ACTIONS=5000). A failure names the seed, the action that broke an invariant and the
actions before it; WINIT_RANDOM_KEEP_GOING=1 goes on and lists every one at the end. An event loop that never returns (a layout that resizes itself for ever) cannot
fail a waitUntil: WINIT_RANDOM_LOG=FILE writes each action to FILE as it starts, and pytest's
faulthandler_timeout, counted per action, dumps the stacks of the one that hangs (seen with -s).
"""

from __future__ import annotations

import dataclasses
import faulthandler
import math
import os
import sys
import time

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui.app.main_window import MainWindow
from winit_gui.app.views.marks import PixelMarks
from winit_gui.app.views.paths import PathCurve
from winit_gui.snapshot import Snapshot

SEED = int(os.environ.get("WINIT_RANDOM_SEED", "20261204"))
ACTIONS = int(os.environ.get("WINIT_RANDOM_ACTIONS", "400"))
LONG_ACTIONS = 5000
KEEP_GOING = os.environ.get("WINIT_RANDOM_KEEP_GOING", "") not in ("", "0")
"""Go on after a broken invariant (the run lists them all at the end): for the long form."""
ANSWER_MS = int(os.environ.get("WINIT_ANSWER_MS", "1000"))
"""How long the engine may take to answer a command with a snapshot on screen, on a quiet machine."""


def answer_budget_ms() -> float:
    """ANSWER_MS, stretched by how many runnable processes share each core (the load average):
    on this project's shared 2-core machines other helpers' benchmarks put the load at 6, and a
    second of wall-clock time was then a third of a second of this test's."""
    try:
        load = os.getloadavg()[0] / (os.cpu_count() or 1)
    except (AttributeError, OSError):  # (no load average on Windows)
        load = 1.0
    return ANSWER_MS * max(1.0, load)

DEPTHS = (1, 2, 3, 4, 6, 8, 12, 16, 30)
WIDTHS = (1, 2, 3, 8, 16, 32, 64, 128, 256)
"""Typed architectures: up to the deepest lessons (30 x 256). Larger ones are allowed by the
controls, but a step of them takes longer than ANSWER_MS on a 2-core machine."""
BATCHES = (1, 4, 16, 32, 64)
RATES = (1e-4, 0.003, 0.03, 0.3, 1.0, 3.0, 10.0)
"""Up to rates that diverge: the diverged state is part of what is checked."""
GAINS = (0.01, 0.1, 0.5, 1.0, 2.0, 4.0, 10.0, 100.0)
PARAM_VALUES = (0.0, 0.01, 0.05, 0.5, 1.0, 2.0, 5.0, -1.0, 1e3)
SIZES = ((1600, 1000), (1280, 720), (1024, 640), (1920, 1080))


# ---- finite data ---------------------------------------------------------------------------------
def non_finite_fields(value, path: str = "snapshot") -> list[str]:
    """Where ``value`` (a snapshot, recursively) holds a NaN or an infinity."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc" and not np.isfinite(value).all():
            return [path]
        return []
    if isinstance(value, float):
        return [] if math.isfinite(value) else [path]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [bad for f in dataclasses.fields(value) for bad in non_finite_fields(getattr(value, f.name), f"{path}.{f.name}")]
    if isinstance(value, (tuple, list)):
        return [bad for i, v in enumerate(value) for bad in non_finite_fields(v, f"{path}[{i}]")]
    return []


def _infinite(a) -> bool:
    a = np.asarray(a, dtype=np.float64) if a is not None else np.zeros(0)
    return bool(np.isinf(a).any())


def _finite_rect(rect: QtCore.QRectF) -> bool:
    return all(math.isfinite(v) for v in (rect.x(), rect.y(), rect.width(), rect.height()))


def bad_items(view) -> list[str]:
    """Plot items of ``view`` given data that Qt cannot draw: infinities (NaN is a gap in a line,
    which the views use on purpose), an unbounded extent, an image with non-finite pixels."""
    bad = []
    for item in view.scene().items():
        name = f"{view.objectName()}:{type(item).__name__}"
        if isinstance(item, (PathCurve, PixelMarks, pg.PlotCurveItem, pg.ScatterPlotItem)):
            if any(_infinite(a) for a in item.getData()):
                bad.append(f"{name} data")
            if not _finite_rect(item.boundingRect()):
                bad.append(f"{name} extent")
        elif isinstance(item, pg.ImageItem) and item.image is not None:
            if item.image.dtype.kind == "f" and not np.isfinite(item.image).all():
                bad.append(f"{name} image")
        elif isinstance(item, pg.BarGraphItem):
            if _infinite(item.opts.get("height")):
                bad.append(f"{name} heights")
    return bad


# ---- the run -------------------------------------------------------------------------------------
class Broken(AssertionError):
    pass


class RandomUse:
    """One seeded run: ``act`` does one random action; ``check`` asserts the invariants."""

    def __init__(self, window: MainWindow, qtbot, seed: int):
        self.window = window
        self.qtbot = qtbot
        self.rng = np.random.default_rng(seed)
        self.log: list[str] = []
        self.shown: list[tuple[int, int]] = []
        """(serial, step) of every snapshot the window said it shows since the last check."""
        self.last = (window.snapshot.serial, window.snapshot.step)
        self.may_go_back = 0
        self.new_start_seen = True
        """Actions that may have re-initialized and whose effect may still be arriving."""
        self.command = False
        """The last action sent the engine a command that it answers with a snapshot."""
        self.snapshots_seen = 0
        self.max_answer = 0.0
        self.late = 0
        """Answers later than ANSWER_MS, within the budget a loaded machine was given."""
        self.counts: dict[str, int] = {}
        """How often each kind of action ran, and ran while training."""
        self.lost: list[str] = []
        """engineLost messages: an engine process ended by itself (an exception in it, say)."""
        self._watched_b = None
        window.snapshotShown.connect(self._shown)
        window.bridge.engineLost.connect(self.lost.append)
        self.actions = [
            (6, self.play_pause), (5, self.step), (3, self.reset), (3, self.shortcut),
            (5, self.slider), (4, self.slider_drag), (2, self.gain_spin),
            (3, self.combo, "initializerCombo"), (2, self.combo_keys, "initializerCombo"),
            (2, self.combo, "activationCombo"), (2, self.combo, "datasetCombo"), (1, self.combo, "optimizerCombo"),
            (2, self.combo, "presetCombo"), (2, self.init_param),
            (3, self.spin, "depthSpin", DEPTHS), (3, self.spin, "widthSpin", WIDTHS),
            (1, self.spin, "batchSpin", BATCHES), (2, self.spin, "lrSpin", RATES),
            (1, self.spin, "biasSpin", (-1.0, 0.0, 0.1, 0.5)), (1, self.spin, "noiseSpin", (0.0, 0.1, 0.5)),
            (1, self.spin, "seedSpin", (0, 1, 42, 2**31 - 1)), (1, self.click, "newSeedButton"),
            (1, self.click, "alternativeButton"),
            (2, self.compare), (2, self.compare_init), (2, self.theory),
            (1, self.click, "themeButton"), (1, self.spin, "fontSizeSpin", (8, 10, 12, 16, 28)),
            (1, self.click, "preactivationCheck"), (1, self.click, "logCountsCheck"), (1, self.click, "logLossCheck"),
            (1, self.resize),
        ]
        weights = np.array([entry[0] for entry in self.actions], dtype=float)
        self.weights = weights / weights.sum()

    # ---- bookkeeping -------------------------------------------------------------------------
    def _shown(self, snap: Snapshot) -> None:
        self.snapshots_seen += 1
        self.shown.append((snap.serial, snap.step))

    def widget(self, cls, name: str):
        widget = self.window.findChild(cls, name)
        assert widget is not None, name
        return widget

    def act(self) -> str:
        self.command = False
        entry = self.actions[self.rng.choice(len(self.actions), p=self.weights)]
        kind = "/".join([entry[1].__name__, *map(str, entry[2:3])])
        if self.window.play_button.isChecked():
            kind += " while training"
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return entry[1](*entry[2:])

    # ---- actions: each does one thing and says what it did -----------------------------------
    def play_pause(self) -> str:
        button = self.widget(QtWidgets.QPushButton, "playButton")
        self.qtbot.mouseClick(button, QtCore.Qt.LeftButton)
        return f"click playButton -> {'playing' if button.isChecked() else 'paused'}"

    def step(self) -> str:
        self.command = True
        self.qtbot.mouseClick(self.widget(QtWidgets.QPushButton, "stepButton"), QtCore.Qt.LeftButton)
        return "click stepButton"

    def reset(self) -> str:
        self.may_go_back, self.new_start_seen = 2, False
        self.command = True
        self.qtbot.mouseClick(self.widget(QtWidgets.QPushButton, "resetButton"), QtCore.Qt.LeftButton)
        return "click resetButton"

    def shortcut(self) -> str:
        key, name = [(QtCore.Qt.Key_Space, "Space"), (QtCore.Qt.Key_Right, "Right"), (QtCore.Qt.Key_R, "R")][
            self.rng.integers(3)]
        if name == "R":
            self.may_go_back, self.new_start_seen = 2, False
        self.command = True
        # (to the window, as a press with nothing focused: a focused spin box takes the key itself)
        focus = QtWidgets.QApplication.focusWidget()
        if focus is not None:
            focus.clearFocus()
        self.qtbot.keyClick(self.window, key)
        return f"key {name}"

    def slider(self) -> str:
        slider = self.widget(QtWidgets.QSlider, "gainSlider")
        value = int(self.rng.integers(slider.minimum(), slider.maximum() + 1))
        self.edit()
        slider.setValue(value)
        return f"gainSlider.setValue({value})"

    def slider_drag(self) -> str:
        """Press on the handle, move in a few steps (the event loop runs between them), release."""
        slider = self.widget(QtWidgets.QSlider, "gainSlider")
        self.edit()
        moves = [int(v) for v in self.rng.integers(slider.minimum(), slider.maximum() + 1, size=int(self.rng.integers(2, 8)))]
        option = QtWidgets.QStyleOptionSlider()
        slider.initStyleOption(option)
        handle = slider.style().subControlRect(QtWidgets.QStyle.CC_Slider, option, QtWidgets.QStyle.SC_SliderHandle,
                                               slider)
        span = slider.width() - handle.width()

        def x_of(value: int) -> int:
            return handle.width() // 2 + QtWidgets.QStyle.sliderPositionFromValue(slider.minimum(), slider.maximum(),
                                                                                  value, span)

        y = slider.height() // 2
        start = QtCore.QPointF(x_of(slider.value()), y)
        self._mouse(slider, QtCore.QEvent.MouseButtonPress, start, QtCore.Qt.LeftButton)
        for value in moves:
            self._mouse(slider, QtCore.QEvent.MouseMove, QtCore.QPointF(x_of(value), y), QtCore.Qt.LeftButton)
            self.qtbot.wait(5)
        self._mouse(slider, QtCore.QEvent.MouseButtonRelease, QtCore.QPointF(x_of(moves[-1]), y), QtCore.Qt.NoButton)
        return f"gainSlider drag through {moves}"

    @staticmethod
    def _mouse(widget, kind, pos: QtCore.QPointF, buttons) -> None:
        button = QtCore.Qt.LeftButton if kind != QtCore.QEvent.MouseMove else QtCore.Qt.NoButton
        event = QtGui.QMouseEvent(kind, pos, widget.mapToGlobal(pos), button, buttons, QtCore.Qt.NoModifier)
        QtWidgets.QApplication.sendEvent(widget, event)

    def gain_spin(self) -> str:
        value = float(self.rng.choice(GAINS))
        self.edit()
        self.widget(QtWidgets.QDoubleSpinBox, "gainSpin").setValue(value)
        return f"gainSpin.setValue({value})"

    def combo(self, name: str) -> str:
        combo = self.widget(QtWidgets.QComboBox, name)
        model = combo.model()
        enabled = [i for i in range(combo.count()) if model.flags(model.index(i, 0)) & QtCore.Qt.ItemIsEnabled]
        index = int(self.rng.choice(enabled))
        self.edit()
        if name == "presetCombo" and index != combo.currentIndex() and combo.itemData(index):
            self.command = True  # (a lesson is applied even when its settings are those shown)
        combo.setCurrentIndex(index)
        return f"{name}.setCurrentIndex({index}) ({combo.itemText(index)})"

    def combo_keys(self, name: str) -> str:
        combo = self.widget(QtWidgets.QComboBox, name)
        key, label = [(QtCore.Qt.Key_Down, "Down"), (QtCore.Qt.Key_Up, "Up")][self.rng.integers(2)]
        self.edit()
        combo.setFocus()
        self.qtbot.keyClick(combo, key)
        return f"{name} key {label} -> {combo.currentText()}"

    def spin(self, name: str, values) -> str:
        spin = self.window.findChild(QtWidgets.QAbstractSpinBox, name)
        assert spin is not None, name
        self.edit()
        if self.rng.random() < 0.5:
            steps = int(self.rng.choice([-3, -1, 1, 1, 3]))
            spin.stepBy(steps)
            return f"{name}.stepBy({steps}) -> {spin.value()}"
        value = values[int(self.rng.integers(len(values)))]
        spin.setValue(value)
        return f"{name}.setValue({value})"

    def init_param(self) -> str:
        widgets = sorted((w for w in self.window.controls.findChildren(QtWidgets.QWidget)
                          if w.objectName().startswith("param_") and w.isVisibleTo(self.window.controls)),
                         key=lambda w: w.objectName())
        if not widgets:
            return "no initializer parameter to edit"
        widget = widgets[int(self.rng.integers(len(widgets)))]
        self.edit()
        if isinstance(widget, QtWidgets.QComboBox):
            index = int(self.rng.integers(widget.count()))
            widget.setCurrentIndex(index)
            return f"{widget.objectName()}.setCurrentIndex({index})"
        value = float(self.rng.choice(PARAM_VALUES))
        widget.setValue(value)
        return f"{widget.objectName()}.setValue({value})"

    def click(self, name: str) -> str:
        widget = self.widget(QtWidgets.QAbstractButton, name)
        if not widget.isVisibleTo(self.window):
            return f"{name} hidden: not clicked"
        if name in ("newSeedButton", "alternativeButton"):
            self.edit()
        self.qtbot.mouseClick(widget, QtCore.Qt.LeftButton)
        return f"click {name}"

    def compare(self) -> str:
        self.may_go_back, self.new_start_seen = 2, False  # (compare mode starts both sides from step 0)
        action = self.window.compare.action
        self.command = not action.isChecked()  # (on: both sides start again from step 0)
        action.trigger()
        return f"compareAction -> {'on' if action.isChecked() else 'off'}"

    def theory(self) -> str:
        action = self.window.findChild(QtGui.QAction, "theoryAction")
        action.trigger()
        return f"theoryAction -> {'on' if action.isChecked() else 'off'}"

    def compare_init(self) -> str:
        if not self.window.compare.active:
            return self.compare()
        return self.combo("compareInitCombo")

    def resize(self) -> str:
        size = SIZES[int(self.rng.integers(len(SIZES)))]
        self.window.resize(*size)
        return f"window.resize{size}"

    def edit(self) -> None:
        """The action may change the settings: a re-initialization, back to step 0."""
        self.may_go_back, self.new_start_seen = 2, False

    # ---- invariants ----------------------------------------------------------------------------
    def check(self, before: tuple[int, object, bool]) -> None:
        window, qtbot = self.window, self.qtbot
        serial, settings, playing = before
        self._alive()
        edited = window.controls.settings != settings
        commanded = edited or window.play_button.isChecked() != playing or self.command
        if commanded:
            start = time.perf_counter()
            try:
                budget = answer_budget_ms()
                qtbot.waitUntil(lambda: self._answered(serial, edited), timeout=round(budget))
            except qtbot.TimeoutError:
                self._alive()
                raise Broken(f"no answer within {budget:.0f} ms: shown serial {window.snapshot.serial} "
                             f"(was {serial}), settings shown == controls: "
                             f"{window.snapshot.settings == window.controls.settings}; shown: step "
                             f"{window.snapshot.step}, playing {window.snapshot.playing}, diverged "
                             f"{window.snapshot.diverged}; play button {window.play_button.isChecked()}, "
                             f"frame {window._frame is not None}, held {window._held is not None}, "
                             f"waiting in the bridge {window.bridge._latest is not None}") from None
            took = time.perf_counter() - start
            self.max_answer = max(self.max_answer, took)
            self.late += took > ANSWER_MS / 1000
        # a frame that is being drawn finishes, then every view shows the window's snapshot; on
        # the theory page, one with the theory (the page asked the engine for it when it came up)
        qtbot.waitUntil(lambda: window._frame is None and (window.views_stack.currentWidget() is not window.theory
                                                          or window.snapshot.theory is not None), timeout=5000)
        self._order()
        if window.shown_views():
            behind = [view.objectName() for view in window.shown_views() if view.snapshot is not window.snapshot]
            if behind:
                raise Broken(f"views not showing the window's snapshot {window.snapshot.serial}: {behind}")
        step_text = window.step_label.text()
        if int("".join(c for c in step_text if c.isdigit())) != window.snapshot.step:
            raise Broken(f"step label {step_text!r} for step {window.snapshot.step}")
        views = list(window.views) + list(window.theory.views)
        if window.compare.active:
            views += [v for side in window.compare.views.values() for v in side]
        for view in views:
            snap = view.snapshot
            if snap is None:
                continue  # (compare mode's B column before B's first snapshot)
            if snap.diverged:
                if "diverged" not in snap.message:
                    raise Broken(f"{view.objectName()}: diverged snapshot without saying so: {snap.message!r}")
            else:
                bad = non_finite_fields(snap)
                if bad:
                    raise Broken(f"{view.objectName()}: snapshot {snap.serial} not diverged but holds {bad[:5]}")
            bad = bad_items(view)
            if bad:
                raise Broken(f"plot items given non-finite data: {bad}")

    def _alive(self) -> None:
        if self.lost:
            raise Broken(f"an engine process ended by itself: {self.lost}")
        if not self.window.bridge.running:
            raise Broken("the engine process is gone")
        bridge_b = self.window.compare.bridge_b
        if bridge_b is not None and bridge_b is not self._watched_b:
            self._watched_b = bridge_b
            bridge_b.engineLost.connect(self.lost.append)
        if bridge_b is not None and not bridge_b.running:
            raise Broken("compare mode's B engine process is gone")

    def _answered(self, serial: int, edited: bool) -> bool:
        snap = self.window.snapshot
        return snap.serial > serial and (not edited or snap.settings == self.window.controls.settings)

    def _order(self) -> None:
        """Serials only go up; the step goes back only after an action that re-initializes.

        The allowance lasts two actions from the first picture of the new start (step 0, or a
        step lower than the last): the action's answer may be a snapshot already on its way, and
        the re-initialized one come an action later."""
        for serial, step in self.shown:
            last_serial, last_step = self.last
            if serial < last_serial:
                raise Broken(f"snapshot {serial} (step {step}) shown after the newer {last_serial}")
            if step < last_step and not self.may_go_back:
                raise Broken(f"the step went back from {last_step} to {step} (serial {serial}) without a reset")
            if step == 0 or step < last_step:
                self.new_start_seen = True
            self.last = (serial, step)
        self.shown.clear()
        if self.new_start_seen:
            self.may_go_back = max(0, self.may_go_back - 1)


@pytest.fixture
def window(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.snapshot.serial >= 1, timeout=10_000)
    yield window
    window.close()
    assert not window.bridge.running


def test_random_use_keeps_every_invariant(window, qtbot, capsys, request):
    actions = max(ACTIONS, LONG_ACTIONS) if request.config.getoption("--long") else ACTIONS
    hang = float(request.config.getini("faulthandler_timeout") or 0)
    log_path = os.environ.get("WINIT_RANDOM_LOG")
    log_file = open(log_path, "w", buffering=1, encoding="utf-8") if log_path else None
    if log_file is not None:
        request.addfinalizer(log_file.close)
    run = RandomUse(window, qtbot, SEED)
    failures: list[str] = []
    start = time.perf_counter()
    with qtbot.captureExceptions() as exceptions:
        for n in range(actions):
            snap = window.snapshot
            before = (snap.serial, window.controls.settings, window.play_button.isChecked())
            if hang > 0:
                # (to the real stderr: seen at once with -s; pytest cancels it when the test ends)
                faulthandler.dump_traceback_later(hang, file=sys.__stderr__)
            try:
                run.log.append(run.act())
                if log_file is not None:
                    log_file.write(f"{n}: {run.log[-1]}\n")
                run.check(before)
                if exceptions:
                    raise Broken("an exception in a slot or virtual method:\n"
                                 + "".join(str(e[1]) for e in exceptions))
            except Broken as broken:
                recent = "\n".join(f"  {i}: {a}" for i, a in enumerate(run.log) if i >= len(run.log) - 40)
                report = (f"random use, seed {SEED}, action {n} of {actions}: {broken}\n"
                          f"settings shown: {window.snapshot.settings}\n"
                          f"replay: WINIT_RANDOM_SEED={SEED} WINIT_RANDOM_ACTIONS={n + 1} "
                          f"pytest tests/test_random_use.py\nlast actions:\n{recent}")
                if not KEEP_GOING:
                    pytest.fail(report, pytrace=False)
                failures.append(report)
                if log_file is not None:
                    log_file.write(f"BROKEN {broken}\n")
                exceptions.clear()
                run.shown.clear()
                run.last = (window.snapshot.serial, window.snapshot.step)
    with capsys.disabled():
        print(f"\nrandom use: seed {SEED}, {actions} actions in {time.perf_counter() - start:.0f} s, "
              f"{run.snapshots_seen} snapshots shown, slowest answer {1000 * run.max_answer:.0f} ms, "
              f"{run.late} later than {ANSWER_MS} ms (budget stretched {answer_budget_ms() / ANSWER_MS:.1f}x by the load)")
        print("  " + ", ".join(f"{kind} {n}" for kind, n in sorted(run.counts.items())))
    if failures:
        pytest.fail(f"{len(failures)} broken invariants:\n\n" + "\n\n".join(failures), pytrace=False)


def test_an_exception_in_a_slot_is_seen(qtbot):
    """What the run relies on: pytest-qt captures an exception raised in a slot (it is not
    switched off here), so that the run can name the action that raised it."""
    button = QtWidgets.QPushButton()
    qtbot.addWidget(button)

    def broken_slot():
        raise RuntimeError("a broken slot")

    button.clicked.connect(broken_slot)
    with qtbot.captureExceptions() as exceptions:
        qtbot.mouseClick(button, QtCore.Qt.LeftButton)
    assert [str(e[1]) for e in exceptions] == ["a broken slot"]
