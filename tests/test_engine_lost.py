"""An engine process that dies (killed, out of memory, an error) is replaced with the user's
settings, and the window says so; one that keeps dying is not restarted for ever."""

import os
import signal
import sys
from pathlib import Path

import pytest
from PySide6 import QtGui, QtWidgets

from winit_gui import engine
from winit_gui.app.bridge import EngineBridge


@pytest.fixture
def window(open_window):
    return open_window()


def kill_engine(qtbot, window) -> int:
    pid = window.bridge.pid
    with qtbot.waitSignal(window.bridge.engineLost, timeout=10_000) as lost:
        os.kill(pid, signal.SIGKILL)
    return lost.args[0]


def test_a_killed_engine_is_replaced_with_the_current_settings(qtbot, window):
    slider = window.findChild(QtWidgets.QSlider, "gainSlider")
    slider.setValue(slider.maximum())
    gain = window.controls.settings.gain
    qtbot.waitUntil(lambda: window.snapshot.settings.gain == gain, timeout=10_000)
    window.findChild(QtWidgets.QPushButton, "playButton").click()
    qtbot.waitUntil(lambda: window.snapshot.step > 0, timeout=10_000)
    old_pid, last_serial = window.bridge.pid, window.snapshot.serial

    message = kill_engine(qtbot, window)

    assert "signal 9" in message and "new one" in message
    assert window.statusBar().currentMessage() == message
    assert not window.findChild(QtWidgets.QPushButton, "playButton").isChecked()
    qtbot.waitUntil(lambda: window.snapshot.serial > last_serial and window.snapshot.step == 0, timeout=10_000)
    assert window.bridge.pid != old_pid and window.bridge.running
    if sys.platform.startswith("linux"):
        assert not Path(f"/proc/{old_pid}").exists(), "the killed engine was left a zombie"
    assert window.snapshot.settings == window.controls.settings and window.snapshot.settings.gain == gain
    # and the new engine trains
    window.findChild(QtWidgets.QPushButton, "stepButton").click()
    qtbot.waitUntil(lambda: window.snapshot.step == 1, timeout=10_000)


def test_an_engine_that_replaces_one_killed_on_the_theory_page_sends_the_theory(qtbot, window):
    window.findChild(QtGui.QAction, "theoryAction").trigger()
    qtbot.waitUntil(lambda: window.snapshot.theory is not None, timeout=10_000)
    last_serial = window.snapshot.serial
    kill_engine(qtbot, window)
    qtbot.waitUntil(lambda: window.snapshot.serial > last_serial, timeout=10_000)
    assert window.snapshot.theory is not None
    depth = window.findChild(QtWidgets.QWidget, "depthView")
    qtbot.waitUntil(lambda: depth.snapshot is window.snapshot)


def test_an_engine_that_keeps_dying_is_given_up_until_the_settings_change(qtbot, window):
    for _ in range(EngineBridge.RESTARTS):
        assert "new one" in kill_engine(qtbot, window)
        qtbot.waitUntil(lambda: window.bridge.pid is not None, timeout=10_000)
    assert "not restarted" in kill_engine(qtbot, window)
    assert not window.bridge.running and window.bridge.pid is None

    serial = window.snapshot.serial
    slider = window.findChild(QtWidgets.QSlider, "gainSlider")
    slider.setValue(slider.minimum())
    qtbot.waitUntil(lambda: window.snapshot.serial > serial and window.snapshot.settings.gain == window.controls.settings.gain,
                    timeout=10_000)
    assert window.bridge.running


def test_an_engine_that_fails_with_an_exception_is_replaced(qtbot, window):
    # A command the engine cannot carry out stands for any bug in it: it raises in the child
    # process, which prints the traceback and exits 1.
    old_pid = window.bridge.pid
    with qtbot.waitSignal(window.bridge.engineLost, timeout=10_000) as lost:
        window.bridge._engine.send(engine.STEP, steps="three")
    assert "exited with status 1" in lost.args[0] and "new one" in lost.args[0]
    qtbot.waitUntil(lambda: window.bridge.pid not in (None, old_pid), timeout=10_000)
    window.findChild(QtWidgets.QPushButton, "stepButton").click()
    qtbot.waitUntil(lambda: window.snapshot.step == 1, timeout=10_000)
