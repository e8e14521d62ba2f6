"""Recording: the writers (GIF, MP4, PNG frames, no-extra fallback) and the app's Recorder."""

import sys

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui.app import export, recording
from winit_gui.app.main_window import MainWindow


def frame(i: int, size=(64, 48)) -> QtGui.QImage:
    """A distinct picture per i: a white image with a dark bar at a position that depends on i."""
    image = QtGui.QImage(*size, QtGui.QImage.Format_RGB32)
    image.fill(QtGui.QColor("#ffffff"))
    painter = QtGui.QPainter(image)
    painter.fillRect(2 + 3 * i, 4, 3, size[1] - 8, QtGui.QColor("#0072b2"))
    painter.end()
    return image


def test_kind_of_reads_the_target():
    assert recording.kind_of("talk.gif") == "gif"
    assert recording.kind_of("talk.MP4") == "mp4"
    assert recording.kind_of("frames") == "frames"
    with pytest.raises(ValueError, match=".gif or an .mp4"):
        recording.kind_of("talk.avi")


def test_gif_has_one_frame_per_added_frame(tmp_path):
    iio = pytest.importorskip("imageio.v3")
    writer, message = recording.open_writer(tmp_path / "film.gif", fps=10)
    assert message == "" and writer.kind == "gif"
    for i in range(7):
        writer.add(frame(i))
    writer.close()
    props = iio.improps(tmp_path / "film.gif", index=None)
    assert props.shape[:3] == (7, 48, 64)
    frames = list(iio.imiter(tmp_path / "film.gif"))
    # The pictures are the ones given: the bar moves 3 pixels a frame.
    bars = [int(np.argmax(f[24, :, 2].astype(int) - f[24, :, 0].astype(int) > 100)) for f in frames]
    assert bars == [2 + 3 * i for i in range(7)]


def test_mp4_is_written_with_frames(tmp_path):
    pytest.importorskip("imageio")
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    writer, message = recording.open_writer(tmp_path / "film.mp4", fps=10)
    assert message == "" and writer.kind == "mp4"
    for i in range(6):
        writer.add(frame(i, size=(65, 47)))  # odd sizes: padded to even for yuv420p
    writer.close()
    frames, _seconds = imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "film.mp4"))
    assert frames > 0


def test_a_folder_gets_numbered_png_frames(tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    (folder / "frame_00009.png").write_bytes(b"old")  # an earlier recording's frame is replaced
    (folder / "notes.txt").write_text("kept")
    writer, message = recording.open_writer(folder, fps=10)
    assert message == ""
    for i in range(3):
        writer.add(frame(i))
    writer.close()
    assert sorted(p.name for p in folder.iterdir()) == ["frame_00000.png", "frame_00001.png",
                                                       "frame_00002.png", "notes.txt"]
    assert QtGui.QImage(str(folder / "frame_00002.png")).size() == QtCore.QSize(64, 48)


@pytest.mark.parametrize("name", ["talk.gif", "talk.mp4"])
def test_without_the_record_extra_frames_are_png_and_the_message_says_how(tmp_path, monkeypatch, name):
    for module in ("imageio", "imageio.v2", "imageio.v3", "imageio_ffmpeg"):
        monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    writer, message = recording.open_writer(tmp_path / name, fps=10)
    assert writer.kind == "frames"
    assert writer.path == tmp_path / "talk_frames"
    assert 'pip install "winit-gui[record]"' in message
    assert "GIF/MP4 need the record extra" in message
    for i in range(2):
        writer.add(frame(i))
    writer.close()
    assert sorted(p.name for p in writer.path.iterdir()) == ["frame_00000.png", "frame_00001.png"]
    assert not (tmp_path / name).exists()


def test_frames_of_another_size_are_fitted_to_the_first(tmp_path):
    writer, _ = recording.open_writer(tmp_path / "frames", fps=10)
    writer.add(frame(0, size=(64, 48)))
    writer.add(frame(1, size=(128, 48)))  # the window was resized mid-recording
    writer.close()
    assert QtGui.QImage(str(tmp_path / "frames" / "frame_00001.png")).size() == QtCore.QSize(64, 48)


# ---- the Recorder in the app ----------------------------------------------------------------------
@pytest.fixture
def window(qtbot):
    window = MainWindow(preset="start", theme="light")
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitUntil(lambda: window.snapshot is not None and window.snapshot.serial >= 1, timeout=10_000)
    yield window
    window.close()
    assert not window.bridge.running


def test_record_action_indicator_and_lock_step_frames(window, qtbot, tmp_path):
    controls = window.record_controls
    assert controls.action.isCheckable()
    assert controls.action in export.lecture_toolbar(window).actions()
    assert controls.action in export.file_menu(window).actions()
    assert controls.indicator.isHidden()

    target = tmp_path / "frames"
    recorder = controls.start(target, view="loss", steps_per_frame=7)
    assert controls.action.isChecked()
    assert controls.indicator.isVisible() and controls.indicator.text() == "● REC 1 frame"
    window.play_button.setChecked(True)
    qtbot.waitUntil(lambda: recorder.frames >= 6, timeout=20_000)
    # Lock step must leave the event loop free: timers (and input) still run while it records.
    ticks = []
    timer = QtCore.QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(recorder.frames))
    timer.start()
    qtbot.waitUntil(lambda: len(ticks) >= 20, timeout=5_000)
    timer.stop()
    assert ticks[-1] > ticks[0]  # and frames kept coming meanwhile
    window.play_button.setChecked(False)
    assert controls.indicator.text().startswith("● REC ")
    frames_while_playing = list(recorder.frame_steps)
    # One frame every 7 training steps, whatever the machine's speed: step 0, 7, 14, ...
    assert frames_while_playing[0] == 0
    assert all(step % 7 == 0 for step in frames_while_playing)
    assert sorted(set(frames_while_playing)) == frames_while_playing
    assert frames_while_playing[:6] == [0, 7, 14, 21, 28, 35]

    # Paused, every new picture is a frame: one Step gives one more.
    qtbot.waitUntil(lambda: not window.snapshot.playing, timeout=5_000)
    qtbot.wait(100)
    count = recorder.frames
    window.step_button.click()
    qtbot.waitUntil(lambda: recorder.frames == count + 1, timeout=5_000)
    assert recorder.frame_steps[-1] == window.snapshot.step

    written, message = controls.stop()
    assert written == target and f"Recorded {recorder.frames} frames" in message
    assert controls.indicator.isHidden() and not controls.action.isChecked()
    pngs = sorted(target.glob("frame_*.png"))
    assert len(pngs) == recorder.frames
    view = export.find_view(window, "loss")
    assert QtGui.QImage(str(pngs[0])).size() == view.size()


def test_a_reset_while_recording_restarts_the_film_without_stalling(window, qtbot, tmp_path):
    controls = window.record_controls
    recorder = controls.start(tmp_path / "frames", view="loss", steps_per_frame=4)
    window.play_button.setChecked(True)
    qtbot.waitUntil(lambda: recorder.frames >= 4, timeout=20_000)
    window.reset_button.click()

    def restart():
        steps = recorder.frame_steps
        return next((i for i in range(1, len(steps)) if steps[i] < steps[i - 1]), None)

    qtbot.waitUntil(lambda: restart() is not None, timeout=20_000)
    first = restart()
    qtbot.waitUntil(lambda: recorder.frames >= first + 4, timeout=20_000)  # still playing in lock step
    window.play_button.setChecked(False)
    qtbot.waitUntil(lambda: not window.snapshot.playing, timeout=5_000)
    controls.stop()
    after = recorder.frame_steps[first: first + 4]
    # From the reset on: one frame every 4 steps again. (The reset's own step-0 picture can be
    # replaced by the next one when the GUI is slow: the bridge hands over the newest only.)
    assert after[0] in (0, 4)
    assert after == list(range(after[0], after[0] + 16, 4))


def test_recording_the_window_as_gif_keeps_every_frame(window, qtbot, tmp_path):
    iio = pytest.importorskip("imageio.v3")
    controls = window.record_controls
    recorder = controls.start(tmp_path / "film.gif", view="window", steps_per_frame=3)
    window.play_button.setChecked(True)
    qtbot.waitUntil(lambda: recorder.frames >= 4, timeout=20_000)
    window.play_button.setChecked(False)
    qtbot.waitUntil(lambda: not window.snapshot.playing, timeout=5_000)
    qtbot.wait(100)
    written, _ = controls.stop()
    props = iio.improps(written, index=None)
    assert props.shape[0] == recorder.frames
    assert props.shape[1:3] == (window.height(), window.width())


def test_record_dialog_cancel_leaves_the_action_unchecked(window, monkeypatch):
    controls = window.record_controls
    monkeypatch.setattr(recording.RecordDialog, "exec", lambda self: QtWidgets.QDialog.Rejected)
    controls.action.setChecked(True)
    assert not controls.action.isChecked() and not controls.recording


def test_the_window_has_one_file_menu_and_one_figures_toolbar(window, monkeypatch, tmp_path):
    menus = window.menuBar().findChildren(QtWidgets.QMenu, "fileMenu")
    assert len(menus) == 1
    texts = [a.text() for a in menus[0].actions() if not a.isSeparator()]
    assert texts == ["&Open…", "&Save", "Save &As…", "Open &Recent", "Export figure…",
                     "Copy view to clipboard", "Record"]
    bar = window.findChild(QtWidgets.QToolBar, "lectureToolbar")
    assert [a.objectName() for a in bar.actions()] == ["exportAction", "recordAction"]
    # Ctrl+E opens the dialog; accepting it writes the figure it shows.
    written = []

    def accept(dialog):
        dialog.view_combo.setCurrentIndex(dialog.view_combo.findData("network"))
        dialog.path_edit.setText(str(tmp_path / "net.png"))
        return QtWidgets.QDialog.Accepted

    monkeypatch.setattr(export.ExportDialog, "exec", accept)
    monkeypatch.setattr(export, "export", lambda *args: written.append(args) or args[2])
    window.findChild(QtGui.QAction, "exportAction").trigger()
    assert written and written[0][1] == "network" and written[0][3] == 2
