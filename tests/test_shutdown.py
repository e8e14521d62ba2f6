"""Closing the window at the worst moments: while training, while recording (GIF, MP4, PNG
frames), with an export under way, in compare mode. Each leaves no thread, no engine or ffmpeg
process, no half-written file, and nothing on stderr (warnings are errors in this suite; Qt's
warnings fail it too; the engine children write their tracebacks to the stderr captured here)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import imageio.v3 as iio
import imageio_ffmpeg
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui.app.main_window import MainWindow

HARMLESS = ("This plugin does not support propagateSizeHints()",)
"""What the offscreen platform says on stderr whatever the app does."""


def child_pids() -> set[int]:
    """Processes whose parent is this one (engines, ffmpeg), from /proc."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # (ended meanwhile)
            if int(fields[1]) == os.getpid():
                pids.add(int(entry.name))
    return pids


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")


@pytest.fixture
def window(qtbot):
    window = MainWindow(preset="start")
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitUntil(lambda: window.snapshot.serial >= 1, timeout=10_000)
    return window


def play_until(qtbot, window, step: int) -> None:
    window.play_button.setChecked(True)
    qtbot.waitUntil(lambda: window.snapshot.playing and window.snapshot.step >= step, timeout=20_000)


def assert_left_nothing(capfd, threads_before, pids) -> None:
    left = [t.name for t in threading.enumerate() if t not in threads_before and t.is_alive()]
    assert not left, f"threads left running: {left}"
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # (stop() waited for it: no zombie either)
    assert not child_pids()
    err = [line for line in capfd.readouterr().err.splitlines() if line.strip() and line not in HARMLESS]
    assert not err, err


@needs_proc
def test_closing_while_training(window, qtbot, capfd):
    threads = set(threading.enumerate()) - {t for t in threading.enumerate() if t.name == "winit-snapshots"}
    play_until(qtbot, window, 50)
    pids = [window.bridge.pid]
    window.close()
    assert not window.bridge.running
    assert_left_nothing(capfd, threads, pids)


@needs_proc
def test_closing_in_compare_mode_while_both_sides_train(window, qtbot, capfd):
    threads = {t for t in threading.enumerate() if t.name != "winit-snapshots"}
    window.compare.action.trigger()
    qtbot.waitUntil(lambda: window.compare.snapshot_b is not None, timeout=10_000)
    bridge_b = window.compare.bridge_b
    play_until(qtbot, window, 50)
    qtbot.waitUntil(lambda: window.compare.snapshot_b.playing, timeout=10_000)
    pids = [window.bridge.pid, bridge_b.pid]
    assert None not in pids and len(child_pids()) == 2
    window.close()
    assert not window.bridge.running and not bridge_b.running and window.compare.bridge_b is None
    assert_left_nothing(capfd, threads, pids)


@needs_proc
@pytest.mark.parametrize("name", ["film.gif", "film.mp4", "frames"])
def test_closing_while_recording_leaves_a_whole_film(window, qtbot, capfd, tmp_path, name):
    threads = {t for t in threading.enumerate() if t.name != "winit-snapshots"}
    target = tmp_path / name
    recorder = window.record_controls.start(target, view="loss", steps_per_frame=3)
    window.play_button.setChecked(True)  # (in lock step: its snapshots come from STEPs, not playing)
    qtbot.waitUntil(lambda: recorder.frames >= 4, timeout=20_000)
    pids = [window.bridge.pid]
    window.close()  # mid-recording: the recorder writes the file as Stop would
    assert not window.record_controls.recording
    frames = recorder.frames
    assert frames >= 4
    if name == "frames":
        files = sorted(target.iterdir())
        assert [f.name for f in files] == [f"frame_{i:05d}.png" for i in range(frames)]
        assert all(not QtGui.QImage(str(f)).isNull() for f in files)
    else:
        assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file beside it
        if name.endswith(".gif"):
            count = len(iio.imread(target, index=None))
        else:  # (ffmpeg counts them: imageio's reader left its pipes to the garbage collector)
            count = imageio_ffmpeg.count_frames_and_secs(str(target))[0]
        assert count == frames  # every frame recorded is in the file: none half-written
    assert_left_nothing(capfd, threads, pids)


@needs_proc
def test_closing_with_the_export_dialog_open_then_saving(window, qtbot, capfd, tmp_path):
    """Ctrl+C, or a script, closes the window while File > Export figure asks where to save;
    Save is clicked after it: the figure is written whole, and the engine is gone all the same."""
    threads = {t for t in threading.enumerate() if t.name != "winit-snapshots"}
    play_until(qtbot, window, 20)
    pids = [window.bridge.pid]
    target = tmp_path / "figure.png"
    done = []

    def in_the_dialog():
        dialog = QtWidgets.QApplication.activeModalWidget()
        assert dialog is not None and dialog.objectName() == "exportDialog"
        dialog.path_edit.setText(str(target))
        window.close()
        done.append(not window.bridge.running)
        save = dialog.findChild(QtWidgets.QDialogButtonBox).button(QtWidgets.QDialogButtonBox.Save)
        qtbot.mouseClick(save, QtCore.Qt.LeftButton)

    QtCore.QTimer.singleShot(0, in_the_dialog)
    window.findChild(QtGui.QAction, "exportAction").trigger()  # (runs the dialog's own event loop)
    assert done == [True]
    assert [p.name for p in tmp_path.iterdir()] == ["figure.png"]
    image = QtGui.QImage(str(target))
    assert image.width() == 2 * window.width() and image.height() == 2 * window.height()
    assert_left_nothing(capfd, threads, pids)
