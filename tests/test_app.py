"""The main window, driven through its widgets by objectName (CONTRACT.md), offscreen."""

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui import presets
from winit_gui.app.main_window import MainWindow
from winit_gui.app.views.labels import Label

VIEWS = ("networkView", "activationView", "saturationView", "gradientView", "lossView", "boundaryView")


def child(window, cls, name):
    widget = window.findChild(cls, name)
    assert widget is not None, name
    return widget


def wait_for(qtbot, window, condition, timeout=10_000):
    qtbot.waitUntil(lambda: window.snapshot is not None and condition(window.snapshot), timeout=timeout)
    return window.snapshot


def pixels(widget) -> bytes:
    image = widget.grab().toImage().convertToFormat(QtGui.QImage.Format_RGB32)
    return bytes(image.constBits())


def step_of(window) -> int:
    return int("".join(c for c in child(window, QtWidgets.QLabel, "stepLabel").text() if c.isdigit()))


def test_the_slider_redraws_every_view_while_paused_and_the_step_stays_zero(open_window, qtbot):
    window = open_window()
    slider = child(window, QtWidgets.QSlider, "gainSlider")
    assert slider.minimum() < slider.value() < slider.maximum()
    before = {name: pixels(child(window, QtWidgets.QWidget, name)) for name in VIEWS}
    std_before = window.snapshot.stats.layers[0].weight_std
    slider.setValue(slider.value() + 80)  # gain 1 -> 10**0.8
    snap = wait_for(qtbot, window, lambda s: s.settings.gain == pytest.approx(10**0.8))
    qtbot.wait(50)
    for name in VIEWS:
        assert pixels(child(window, QtWidgets.QWidget, name)) != before[name], f"{name} did not change"
    assert snap.step == 0 and step_of(window) == 0
    assert snap.stats.layers[0].weight_std == pytest.approx(10**0.8 * std_before)


def test_a_slider_move_goes_to_the_engine_before_the_panel_follows_it(open_window, qtbot, monkeypatch):
    # the engine makes the new picture while the panel's widgets update (a slider move's latency)
    window = open_window()
    slider = child(window, QtWidgets.QSlider, "gainSlider")
    spin = child(window, QtWidgets.QDoubleSpinBox, "gainSpin")
    sent = []
    apply = window.bridge.apply
    monkeypatch.setattr(window.bridge, "apply",
                        lambda settings: (sent.append((settings.gain, window.controls.settings.gain, spin.value())),
                                          apply(settings)))
    slider.setValue(slider.value() + 40)
    gain, panel_gain, spin_then = sent[-1]
    assert gain == pytest.approx(10**0.4) and panel_gain == gain  # the panel's settings are already the new ones
    assert spin_then == 1.0 and spin.value() == pytest.approx(gain, rel=1e-3)  # its widgets followed after
    wait_for(qtbot, window, lambda s: s.settings.gain == gain)


def test_play_advances_pause_holds_step_adds_one(open_window, qtbot):
    window = open_window()
    play = child(window, QtWidgets.QPushButton, "playButton")
    assert play.isCheckable()
    qtbot.mouseClick(play, QtCore.Qt.LeftButton)
    assert play.isChecked()
    wait_for(qtbot, window, lambda s: s.step > 50)
    qtbot.mouseClick(play, QtCore.Qt.LeftButton)
    assert not play.isChecked()
    held = wait_for(qtbot, window, lambda s: not s.playing).step
    qtbot.wait(200)
    assert window.snapshot.step == held and step_of(window) == held
    qtbot.mouseClick(child(window, QtWidgets.QPushButton, "stepButton"), QtCore.Qt.LeftButton)
    wait_for(qtbot, window, lambda s: s.step == held + 1)
    assert step_of(window) == held + 1


def test_reset_replays_the_initial_weights_and_new_seed_changes_them(open_window, qtbot):
    window = open_window()
    initial = window.snapshot.diagram.weights
    qtbot.mouseClick(child(window, QtWidgets.QPushButton, "stepButton"), QtCore.Qt.LeftButton)
    wait_for(qtbot, window, lambda s: s.step == 1)
    qtbot.mouseClick(child(window, QtWidgets.QPushButton, "resetButton"), QtCore.Qt.LeftButton)
    snap = wait_for(qtbot, window, lambda s: s.step == 0 and s.serial > 2)
    for a, b in zip(initial, snap.diagram.weights):
        np.testing.assert_array_equal(a, b)
    seed = window.controls.settings.seed
    qtbot.mouseClick(child(window, QtWidgets.QPushButton, "newSeedButton"), QtCore.Qt.LeftButton)
    snap = wait_for(qtbot, window, lambda s: s.settings.seed != seed)
    assert not np.array_equal(initial[1], snap.diagram.weights[1])


def test_keyboard_space_plays_and_r_resets(open_window, qtbot):
    window = open_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, QtCore.Qt.Key_Space)
    assert child(window, QtWidgets.QPushButton, "playButton").isChecked()
    wait_for(qtbot, window, lambda s: s.step > 10)
    qtbot.keyClick(window, QtCore.Qt.Key_Space)
    qtbot.keyClick(window, QtCore.Qt.Key_R)
    wait_for(qtbot, window, lambda s: s.step == 0 and not s.playing)
    qtbot.keyClick(window, QtCore.Qt.Key_Right)
    wait_for(qtbot, window, lambda s: s.step == 1)


def test_initializer_and_activation_combos_reinitialize(open_window, qtbot):
    window = open_window()
    combo = child(window, QtWidgets.QComboBox, "initializerCombo")
    combo.setCurrentIndex(combo.findData("he_uniform", QtCore.Qt.UserRole))
    wait_for(qtbot, window, lambda s: s.settings.init == "he_uniform" and s.step == 0)
    activation = child(window, QtWidgets.QComboBox, "activationCombo")
    activation.setCurrentIndex(activation.findData("relu"))
    snap = wait_for(qtbot, window, lambda s: s.settings.activation == "relu")
    assert snap.settings.init == "he_uniform"


def test_lsuv_is_offered_under_its_own_header_and_rescales_the_network(open_window, qtbot):
    window = open_window()
    combo = child(window, QtWidgets.QComboBox, "initializerCombo")
    index = combo.findData("lsuv", QtCore.Qt.UserRole)
    assert combo.itemText(index - 1) == "— Data-dependent —"
    combo.setCurrentIndex(index)
    snap = wait_for(qtbot, window, lambda s: s.settings.init == "lsuv" and s.step == 0)
    # the start lesson's tanh layers, rescaled on the training data: unit variance, a little
    # less on the display pass's own samples
    assert all(abs(layer.preact_std**2 - 1) < 0.2 for layer in snap.stats.hidden)


def test_zeros_draws_all_zero_edges(open_window, qtbot):
    window = open_window(preset="zeros")
    snap = window.snapshot
    assert snap.settings.init == "zeros"
    assert all(not W.any() for W in snap.diagram.weights)
    assert window.network_view.snapshot is snap


def test_symmetric_preset_marks_clones_after_training(open_window, qtbot):
    window = open_window(preset="symmetric")
    window.bridge.step(300)
    snap = wait_for(qtbot, window, lambda s: s.step == 300)
    assert snap.diagram.unique[1:-1] == (1, 1, 1)
    labels = [item.toPlainText() for item in window.network_view.scene().items()
              if isinstance(item, (QtWidgets.QGraphicsTextItem, Label)) and item.isVisible()]
    assert any("identical" in text for text in labels), labels


def test_a_diverging_run_pauses_with_a_message(open_window, qtbot):
    window = open_window()
    settings = window.controls.settings.replace(activation="linear", init="random_normal",
                                                init_params={"stddev": 3.0}, lr=10.0)
    window.controls.show_settings(settings)
    window.bridge.apply(settings)
    wait_for(qtbot, window, lambda s: s.settings == settings)
    qtbot.mouseClick(child(window, QtWidgets.QPushButton, "playButton"), QtCore.Qt.LeftButton)
    snap = wait_for(qtbot, window, lambda s: s.diverged)
    qtbot.waitUntil(lambda: not child(window, QtWidgets.QPushButton, "playButton").isChecked())
    assert "diverged" in window.statusBar().currentMessage()
    assert np.isfinite(snap.evaluation.train_loss)


def test_closing_while_training_stops_the_thread(open_window, qtbot):
    window = open_window()
    qtbot.mouseClick(child(window, QtWidgets.QPushButton, "playButton"), QtCore.Qt.LeftButton)
    wait_for(qtbot, window, lambda s: s.step > 10)
    window.close()
    assert not window.bridge.running


def test_a_refused_edit_keeps_the_settings_and_says_why(open_window, qtbot):
    window = open_window()
    before = window.controls.settings
    window.controls._edit(width=5000)
    assert window.controls.settings == before
    assert "width" in window.statusBar().currentMessage()


@pytest.mark.parametrize("name", presets.names())
def test_every_preset_opens_from_the_combo(open_window, qtbot, name):
    window = open_window()
    combo = child(window, QtWidgets.QComboBox, "presetCombo")
    combo.setCurrentIndex(combo.findData(name))
    expected = presets.load(name).settings
    snap = wait_for(qtbot, window, lambda s: s.settings == expected)
    assert window.lesson.title.text() == presets.load(name).title
    assert len(snap.stats.layers) == expected.depth + 1


def test_a_shown_snapshot_is_painted_in_every_view_once(open_window, qtbot):
    # snapshotShown means "on screen": the window paints each view as it draws it, and Qt does
    # not paint it a second time afterwards (a scene's queued updates would, if run after).
    window = open_window()
    views = [child(window, QtWidgets.QWidget, name) for name in VIEWS]
    qtbot.wait(300)  # the start-up's layout settles
    painted_at_shown = {}

    def shown(snap):
        painted_at_shown.update({view.objectName(): view.paints for view in views})

    window.snapshotShown.connect(shown)
    before = {view.objectName(): view.paints for view in views}
    slider = child(window, QtWidgets.QSlider, "gainSlider")
    slider.setValue(slider.value() + 7)  # changes only the weights' scale: no axis moves
    gain = window.controls.settings.gain
    wait_for(qtbot, window, lambda snap: snap.settings.gain == gain)
    assert all(painted_at_shown[name] > before[name] for name in before)
    qtbot.wait(100)
    extra = {view.objectName(): view.paints - painted_at_shown[view.objectName()] for view in views}
    assert extra["networkView"] == 0 and extra["activationView"] == 0, extra


def test_input_and_timers_run_between_the_views_of_a_frame(open_window, qtbot, monkeypatch):
    # A frame draws about one view per turn of the event loop: a timer that falls due while the
    # first view draws fires before the frame is over, not after all six views.
    from winit_gui.app import main_window

    monkeypatch.setattr(main_window, "DRAW_TURN", 0.0)
    window = open_window()
    events = []
    first = window.views[0]
    draw_first = first.show_snapshot

    def drawing_first(snap):
        QtCore.QTimer.singleShot(0, lambda: events.append("timer"))
        draw_first(snap)

    monkeypatch.setattr(first, "show_snapshot", drawing_first)
    window.snapshotShown.connect(lambda snap: events.append("frame shown"))
    slider = child(window, QtWidgets.QSlider, "gainSlider")
    slider.setValue(slider.value() + 20)
    gain = window.controls.settings.gain
    wait_for(qtbot, window, lambda snap: snap.settings.gain == gain)
    assert events[:2] == ["timer", "frame shown"]


def test_a_move_that_comes_mid_frame_is_drawn_in_the_rest_of_that_frame(open_window, qtbot, monkeypatch):
    """While paused, a newer picture (the slider dragged on) does not wait for the frame to end:
    the views still to draw show it, then the one drawn before; snapshotShown says when every
    view shows a picture at least as new as the one it names."""
    import time

    window = open_window()
    slider = child(window, QtWidgets.QSlider, "gainSlider")
    draws, shown = [], []

    def arrived(gain):
        """Waits, inside a view's draw, for the engine's answer to reach the bridge (its reader
        is a thread of its own; a fixed sleep was a race on a loaded machine)."""
        deadline = time.monotonic() + 20
        while window.bridge._latest is None or window.bridge._latest.settings.gain != gain:
            assert time.monotonic() < deadline, "the engine's answer did not arrive"
            time.sleep(0.01)
    for view in window.views:
        def drawing(snap, view=view, draw=view.show_snapshot):
            draws.append((view.objectName(), snap.settings.gain))
            draw(snap)
            if len(draws) == 1:  # the first view of the first move's frame: the drag goes on
                slider.setValue(slider.value() + 10)
                arrived(window.controls.settings.gain)
        monkeypatch.setattr(view, "show_snapshot", drawing)
    window.snapshotShown.connect(lambda snap: shown.append(snap.settings.gain))
    slider.setValue(slider.value() + 10)
    first = window.controls.settings.gain
    qtbot.waitUntil(lambda: len(draws) >= 1)
    second = window.controls.settings.gain
    wait_for(qtbot, window, lambda snap: snap.settings.gain == second)
    names = [view.objectName() for view in window.views]
    assert draws == [(names[0], first)] + [(name, second) for name in names[1:] + names[:1]]
    assert shown == [first, second]


def test_the_last_snapshot_to_come_is_the_one_left_on_screen(qtbot, monkeypatch):
    """Play, then Pause, both within one frame: the training snapshot waits for the next frame,
    the paused one is drawn at once, and the older training snapshot is not drawn after it."""
    import dataclasses

    from winit_gui import snapshot as snapshots
    from winit_gui.settings import Settings
    from winit_gui.training import Trainer

    window = MainWindow(start_engine=False)  # this test plays the engine: it hands the bridge snapshots
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    base = snapshots.build(Trainer(Settings()), serial=1, playing=False)
    playing = dataclasses.replace(base, serial=2, playing=True)
    paused = dataclasses.replace(base, serial=3, playing=False)
    # mid-frame, as the engine's reader thread would: Play's snapshot after the first view, Pause's
    # after the second (the frame takes the first and holds it for the next frame)
    for view, then in zip(window.views, (playing, paused)):
        def drawing(snap, draw=view.show_snapshot, then=then):
            draw(snap)
            if snap is base:
                window.bridge._deliver(then)
        monkeypatch.setattr(view, "show_snapshot", drawing)
    window.bridge._deliver(base)
    qtbot.waitUntil(lambda: window.snapshot is paused)
    qtbot.wait(100)  # any frame still to come
    assert window.snapshot is paused and all(view.snapshot is paused for view in window.views)
    window.close()


def test_a_long_drag_keeps_only_the_pictures_on_screen():
    """A drag is one frame that follows a new picture after every view or two: the frame must
    keep only what its views show, not every picture it followed."""
    import dataclasses
    import gc
    import weakref

    from winit_gui import snapshot as snapshots
    from winit_gui.app.main_window import Frame
    from winit_gui.settings import Settings
    from winit_gui.training import Trainer

    base = snapshots.build(Trainer(Settings()), serial=0, playing=False)
    views = ["network", "loss", "boundary"]
    frame, followed, shown = Frame(base, views), [], []
    for serial in range(1, 60):
        frame.drawn(frame.todo.pop(0))
        said = frame.oldest_shown()
        shown.append(None if said is None else said.serial)
        del said
        picture = dataclasses.replace(base, serial=serial)
        followed.append(weakref.ref(picture))
        frame.follow(picture)
        del picture
    gc.collect()
    alive = [ref for ref in followed if ref() is not None]
    assert len(alive) <= len(views) + 1
    # and what it says is shown: each picture once, oldest first, once all three views have it
    said = [serial for serial in shown if serial is not None]
    assert said == sorted(set(said)) and said[0] == 0 and said[-1] >= 50


def test_the_view_menu_mirrors_the_toolbar_switches(open_window, qtbot):
    window = open_window()
    menu = child(window, QtWidgets.QMenu, "viewMenu")
    actions = {action.text(): action for action in menu.actions()}
    log_loss = child(window, QtWidgets.QCheckBox, "logLossCheck")
    actions["Log loss"].trigger()
    assert log_loss.isChecked() and window.loss_view.log_loss
    log_loss.setChecked(False)
    assert not actions["Log loss"].isChecked()
    actions["Light theme"].trigger()
    assert window.theme.name == "light" and child(window, QtWidgets.QPushButton, "themeButton").isChecked()
    assert actions["Pre-activations"].isChecked() == child(window, QtWidgets.QCheckBox, "preactivationCheck").isChecked()


def toolbar_widgets(window) -> dict[str, QtWidgets.QWidget]:
    return {(w.objectName() or action.objectName() or repr(w)): w for bar in window.findChildren(QtWidgets.QToolBar)
            for action in bar.actions() if not action.isSeparator() and (w := bar.widgetForAction(action)) is not None}


@pytest.mark.parametrize("size, font, rows", [((1600, 1000), 10, 1), ((1280, 720), 12, 2), ((1280, 720), 10, 2)])
def test_every_toolbar_control_is_on_screen_at_projector_sizes(open_window, qtbot, size, font, rows):
    """Where the toolbars do not fit in one row, the display switches, Export and Record move to a
    second row instead of hiding behind an overflow button."""
    window = open_window()
    window.resize(*size)
    child(window, QtWidgets.QSpinBox, "fontSizeSpin").setValue(font)
    qtbot.wait(20)
    widgets = toolbar_widgets(window)
    assert {"playButton", "themeButton", "fontSizeSpin", "logCountsCheck", "logLossCheck", "recordAction"} <= set(widgets)
    hidden = [name for name, widget in widgets.items() if not widget.isVisible()]
    assert not hidden
    bars = [bar for bar in window.findChildren(QtWidgets.QToolBar) if bar.isVisible()]
    assert len({bar.geometry().top() for bar in bars}) == rows
    assert all(bar.geometry().right() <= window.width() for bar in bars)

