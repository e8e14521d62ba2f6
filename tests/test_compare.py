"""Compare mode (A/B): two initializations trained side by side on the same data, seed and batches."""

import math

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui import presets
from winit_gui.app import theme as themes
from winit_gui.app.compare import ComparePanel
from winit_gui.app.compare_weights import first_layer_weights
from winit_gui.app.main_window import MainWindow
from winit_gui.app.views.base import SnapshotView
from winit_gui.training import Trainer

KERAS_TRUNCATION = 0.87962566103423978
VIEW_NAMES = ("activationView", "gradientView", "lossView", "networkView")


@pytest.fixture
def open_window(qtbot):
    windows = []

    def make(preset=None):
        window = MainWindow(preset=preset)
        qtbot.addWidget(window)
        panel = window.compare
        window.resize(1600, 1000)
        window.show()
        qtbot.waitUntil(lambda: window.snapshot is not None, timeout=15_000)
        windows.append((window, panel))
        return window, panel

    yield make
    for window, panel in windows:
        bridge = panel.bridge_b
        window.close()
        assert not window.bridge.running
        assert panel.bridge_b is None and (bridge is None or not bridge.running)


def both(qtbot, panel, condition=lambda a, b: True, timeout=15_000):
    """Wait until both columns show a snapshot and ``condition(a, b)`` holds; the two snapshots."""
    def ready():
        return (panel.snapshot_a is not None and panel.snapshot_b is not None
                and condition(panel.snapshot_a, panel.snapshot_b))

    try:
        qtbot.waitUntil(ready, timeout=timeout)
    except qtbot.TimeoutError:
        a, b = panel.snapshot_a, panel.snapshot_b
        shown = [(s.step, s.playing, s.settings.init) if s is not None else None for s in (a, b)]
        raise AssertionError(f"columns show (step, playing, init) A={shown[0]} B={shown[1]}") from None
    return panel.snapshot_a, panel.snapshot_b


def click(qtbot, window, name):
    qtbot.mouseClick(window.findChild(QtWidgets.QPushButton, name), QtCore.Qt.LeftButton)


def test_turning_compare_on_starts_b_and_both_columns_show_step_0(open_window, qtbot):
    window, panel = open_window()
    action = window.findChild(QtGui.QAction, "compareAction")
    assert action is not None and action.isCheckable() and not action.isChecked()
    assert action.shortcut() == QtGui.QKeySequence("Ctrl+B")
    assert not panel.active and panel.bridge_b is None
    assert window.views_stack.currentIndex() == 0 and window.views_stack.indexOf(panel) == 1
    assert isinstance(panel, ComparePanel) and panel.objectName() == "comparePanel"

    action.trigger()
    assert panel.active and action.isChecked() and window.views_stack.currentWidget() is panel
    assert panel.bridge_b is not None and panel.bridge_b.running
    a, b = both(qtbot, panel, lambda a, b: a.step == 0 and b.step == 0)
    b_init = panel.init_combo.currentData(QtCore.Qt.UserRole)
    assert a.settings == window.controls.settings
    assert b.settings == window.controls.settings.replace(init=b_init) and b_init != a.settings.init
    for side, snap in (("A", a), ("B", b)):
        for name in VIEW_NAMES:
            view = panel.findChild(SnapshotView, f"{name}{side}")
            assert view is not None, f"{name}{side}"
            qtbot.waitUntil(lambda: view.snapshot is not None and view.snapshot.settings == snap.settings)
    assert panel.headers["A"].plain.startswith(f"A: {a.settings.init}")
    assert panel.headers["B"].plain.startswith(f"B: {b_init}")


def test_ctrl_b_switches_compare_mode(open_window, qtbot):
    window, panel = open_window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is window)
    qtbot.keyClick(window, QtCore.Qt.Key_B, QtCore.Qt.ControlModifier)
    qtbot.waitUntil(lambda: panel.active)
    both(qtbot, panel)
    qtbot.keyClick(window, QtCore.Qt.Key_B, QtCore.Qt.ControlModifier)
    qtbot.waitUntil(lambda: not panel.active)
    assert window.views_stack.currentIndex() == 0


def test_one_play_button_trains_both_and_pausing_lines_them_up(open_window, qtbot):
    window, panel = open_window("kaiming-vs-he")
    both(qtbot, panel)
    click(qtbot, window, "playButton")
    both(qtbot, panel, lambda a, b: a.playing and b.playing and a.step > 20 and b.step > 20)
    click(qtbot, window, "playButton")
    # each engine stops where it is; then the side behind catches up to the other's step
    a, b = both(qtbot, panel, lambda a, b: not a.playing and not b.playing and a.step == b.step)
    qtbot.wait(300)
    assert panel.snapshot_a.step == panel.snapshot_b.step == a.step > 20


def test_step_adds_exactly_one_to_both_and_reset_returns_both_to_zero(open_window, qtbot):
    window, panel = open_window("kaiming-vs-he")
    both(qtbot, panel, lambda a, b: a.step == 0 and b.step == 0)
    for expected in (1, 2, 3):
        click(qtbot, window, "stepButton")
        both(qtbot, panel, lambda a, b: a.step == expected and b.step == expected)
    qtbot.wait(300)
    assert (panel.snapshot_a.step, panel.snapshot_b.step) == (3, 3)
    first_b = panel.snapshot_b
    click(qtbot, window, "resetButton")
    a, b = both(qtbot, panel, lambda a, b: a.step == 0 and b.step == 0)
    assert b.serial > first_b.serial
    assert len(a.loss_history) == len(b.loss_history) == 1


def test_same_initializer_on_both_sides_gives_identical_runs(open_window, qtbot):
    """Same seed, same data, same batches: with B's initializer equal to A's, B is A exactly."""
    window, panel = open_window("kaiming-vs-he")
    both(qtbot, panel)
    combo = panel.init_combo
    combo.setCurrentIndex(combo.findData("kaiming_normal", QtCore.Qt.UserRole))
    assert panel.settings_b == panel.settings_a == window.controls.settings
    both(qtbot, panel, lambda a, b: b.settings == a.settings and b.step == 0)
    window.bridge.step(20)
    panel.step(20)
    a, b = both(qtbot, panel, lambda a, b: a.step == 20 and b.step == 20)
    assert a.evaluation.train_loss == b.evaluation.train_loss
    assert a.evaluation.test_loss == b.evaluation.test_loss
    np.testing.assert_array_equal(a.loss_history, b.loss_history)
    for wa, wb in zip(a.diagram.weights, b.diagram.weights):
        np.testing.assert_array_equal(wa, wb)


def test_kaiming_normal_and_he_normal_same_spread_different_tails(open_window, qtbot):
    window, panel = open_window("kaiming-vs-he")
    a, b = both(qtbot, panel, lambda a, b: a.step == 0 and b.step == 0)
    assert (a.settings.init, b.settings.init) == ("kaiming_normal", "he_normal")
    wa, wb = panel.weights_view.weights["A"], panel.weights_view.weights["B"]
    fan_in = a.settings.sizes[0]
    sigma = math.sqrt(2.0 / fan_in)
    cut = 2 * sigma / KERAS_TRUNCATION
    assert wa.shape == wb.shape == (fan_in, a.settings.sizes[1])
    assert np.std(wb) == pytest.approx(np.std(wa), rel=0.05)
    assert np.std(wa) == pytest.approx(sigma, rel=0.05)
    assert np.abs(wb).max() <= cut * (1 + 1e-12) < np.abs(wa).max()
    # the overlay shows the weights each engine trains: the same draw, the same std
    for side, snap, w in (("A", a, wa), ("B", b, wb)):
        np.testing.assert_array_equal(w, Trainer(snap.settings).network.weights[0])
        assert snap.stats.layers[0].weight_std == pytest.approx(np.std(w), rel=1e-9)
    # and draws it: B has nothing beyond its cut, A has
    beyond = {}
    for side in ("A", "B"):
        curve = panel.weights_view.curves[side]
        x, y = curve.xData, curve.yData
        centres = (x[:-1] + x[1:]) / 2
        beyond[side] = y[np.abs(centres) > cut * 1.05].sum()
    assert beyond["B"] == 0 < beyond["A"]
    assert panel.weights_view.cuts["B"][1].isVisible() and not panel.weights_view.cuts["A"][1].isVisible()


def test_turning_compare_off_stops_and_joins_b(open_window, qtbot):
    window, panel = open_window()
    action = window.findChild(QtGui.QAction, "compareAction")
    action.setChecked(True)
    both(qtbot, panel)
    bridge = panel.bridge_b
    action.setChecked(False)
    assert not bridge.running
    assert not panel.active and panel.bridge_b is None and window.views_stack.currentIndex() == 0
    click(qtbot, window, "stepButton")  # A alone again; the panel's hooks do nothing
    qtbot.waitUntil(lambda: window.snapshot.step == 1)
    action.setChecked(True)  # and on again: a new B from step 0
    a, b = both(qtbot, panel, lambda a, b: a.step == 0 and b.step == 0 and b.serial >= 1)
    assert panel.bridge_b is not bridge and panel.bridge_b.running


def test_closing_the_window_stops_b(open_window, qtbot):
    window, panel = open_window("kaiming-vs-he")
    both(qtbot, panel)
    bridge = panel.bridge_b
    window.close()
    assert not bridge.running and not window.bridge.running


def test_the_kaiming_vs_he_lesson_opens_in_compare_mode(open_window, qtbot):
    window, panel = open_window("kaiming-vs-he")
    assert panel.active
    assert window.findChild(QtGui.QAction, "compareAction").isChecked()
    assert window.views_stack.currentWidget() is panel
    a, b = both(qtbot, panel)
    assert a.settings.init == "kaiming_normal" and dict(a.settings.init_params)["nonlinearity"] == "relu"
    assert b.settings == presets.load("kaiming-vs-he").compare
    assert panel.init_combo.currentData(QtCore.Qt.UserRole) == "he_normal"
    assert panel.headers["A"].plain == "A: kaiming_normal (nonlinearity=relu) · relu"
    assert panel.headers["B"].plain == "B: he_normal · relu"


def test_b_follows_a_settings_and_lessons(open_window, qtbot):
    window, panel = open_window()
    window.findChild(QtGui.QAction, "compareAction").setChecked(True)
    both(qtbot, panel)
    panel.init_combo.setCurrentIndex(panel.init_combo.findData("orthogonal", QtCore.Qt.UserRole))
    both(qtbot, panel, lambda a, b: b.settings.init == "orthogonal")
    slider = window.findChild(QtWidgets.QSlider, "gainSlider")
    slider.setValue(slider.value() + 30)
    gain = window.controls.settings.gain
    a, b = both(qtbot, panel, lambda a, b: a.settings.gain == b.settings.gain == gain)
    assert b.settings == a.settings.replace(init="orthogonal")
    # a lesson from the menu: B keeps its initializer on the new lesson's settings
    presets_combo = window.findChild(QtWidgets.QComboBox, "presetCombo")
    presets_combo.setCurrentIndex(presets_combo.findData("xavier-relu"))
    lesson = presets.load("xavier-relu").settings
    both(qtbot, panel, lambda a, b: a.settings == lesson and b.settings == lesson.replace(init="orthogonal"))
    assert panel.active
    # the kaiming-vs-he lesson brings its own B side
    presets_combo.setCurrentIndex(presets_combo.findData("kaiming-vs-he"))
    b_side = presets.load("kaiming-vs-he").compare
    both(qtbot, panel, lambda a, b: b.settings == b_side)
    assert panel.init_combo.currentData(QtCore.Qt.UserRole) == "he_normal"


def test_a_lesson_with_a_b_side_switches_compare_on_and_off_again(open_window, qtbot):
    window, panel = open_window()
    assert not panel.active
    presets_combo = window.findChild(QtWidgets.QComboBox, "presetCombo")
    presets_combo.setCurrentIndex(presets_combo.findData("kaiming-vs-he"))
    qtbot.waitUntil(lambda: panel.active, timeout=10_000)
    both(qtbot, panel, lambda a, b: b.settings.init == "he_normal")
    presets_combo.setCurrentIndex(presets_combo.findData("he-relu"))
    qtbot.waitUntil(lambda: not panel.active, timeout=10_000)
    assert panel.bridge_b is None and window.views_stack.currentIndex() == 0


def test_set_theme_restyles_every_panel_view(open_window, qtbot):
    window, panel = open_window("kaiming-vs-he")
    both(qtbot, panel)
    light = themes.load("light")
    window.set_theme(light)
    views = [v for side in ("A", "B") for v in panel.views[side]]
    assert len(views) == 8
    for view in views:
        assert view.theme.name == "light"
        assert view.backgroundBrush().color() == QtGui.QColor(light.background)
    assert panel.weights_view.theme.name == "light"
    assert panel.weights_view.curves["B"].opts["pen"].color() == QtGui.QColor(light.layers[1])


def test_first_layer_weights_are_the_trainers():
    settings = presets.load("kaiming-vs-he").settings.replace(gain=2.5, seed=7)
    np.testing.assert_array_equal(first_layer_weights(settings), Trainer(settings).network.weights[0])


def test_b_follows_a_step_by_step_when_a_is_driven_in_lock_step(open_window, qtbot):
    """A recording drives A by Step commands (window.play_override): B makes the same steps."""
    window, panel = open_window("kaiming-vs-he")
    both(qtbot, panel, lambda a, b: a.step == 0 and b.step == 0)
    window.play_override = lambda: window.bridge.step(5)
    click(qtbot, window, "playButton")
    both(qtbot, panel, lambda a, b: a.step == 5 and b.step == 5)
    qtbot.wait(300)
    assert panel.snapshot_b.step == 5 and not panel.snapshot_b.playing  # not running free
    window.play_override = None
    click(qtbot, window, "playButton")


def test_without_an_engine_b_is_trained_in_step_with_a(qtbot):
    """winit-gui render/record: the window has no engine; B is trained in this process."""
    from winit_gui.app.headless import Film

    experiment = presets.load("kaiming-vs-he")
    film = Film(experiment, "kaiming-vs-he", "dark", 30)
    try:
        panel = film.window.compare
        assert panel.active and film.window.views_stack.currentWidget() is panel
        film.train_to(30)
        film.show()
        a, b = panel.snapshot_a, panel.snapshot_b
        assert a.step == b.step == 30 and panel.bridge_b is None
        np.testing.assert_array_equal(a.loss_history[:, 0], b.loss_history[:, 0])
        reference = Trainer(experiment.compare)
        reference.train(30)
        for shown, trained in zip(b.diagram.weights, reference.network.weights):
            np.testing.assert_array_equal(shown, trained[:10, :10])
    finally:
        film.close()


def test_both_loss_views_share_one_axis(open_window, qtbot):
    window, panel = open_window("kaiming-vs-he")
    both(qtbot, panel)
    window.bridge.step(30)
    panel.step(30)
    a, b = both(qtbot, panel, lambda a, b: a.step == 30 and b.step == 30)
    ranges = [view.loss_plot.getViewBox().viewRange()[1] for side in ("A", "B")
              for view in panel.views[side] if view.objectName().startswith("lossView")]
    assert len(ranges) == 2 and ranges[0] == pytest.approx(ranges[1])
    losses = np.concatenate([a.loss_history[:, 1:3], b.loss_history[:, 1:3]])
    assert ranges[0][0] <= losses.min() and losses.max() <= ranges[0][1]


def test_the_covered_views_catch_up_when_compare_mode_ends_or_one_is_exported(open_window, qtbot):
    # While compare mode covers the window's six views they are not drawn (they would only cost
    # frames); an export, or leaving compare mode, draws them with the newest snapshot first.
    from winit_gui.app import export

    window, panel = open_window("kaiming-vs-he")
    both(qtbot, panel)
    network = window.network_view
    window.bridge.step(20)
    panel.step(20)
    both(qtbot, panel, lambda a, b: a.step == 20 and b.step == 20)
    assert network.snapshot.step < 20  # covered: not drawn
    assert export.find_view(window, "network") is network and network.snapshot.step == 20
    window.bridge.step(5)
    panel.step(5)
    both(qtbot, panel, lambda a, b: a.step == 25 and b.step == 25)
    assert window.activation_view.snapshot.step < 25
    panel.set_active(False)
    assert all(view.snapshot is window.snapshot for view in window.views)
    assert window.snapshot.step == 25
