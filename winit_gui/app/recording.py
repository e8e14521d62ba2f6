"""Films of training for slides: the window or one view, one frame every N training steps.

**One frame every N steps, whatever the machine's speed.** While a recording plays, the recorder
does not let the engine run free (it publishes by time, so a fast machine would skip more steps
between frames than a slow one). It drives the engine in lock step instead: Play sends
``step(k)`` with k = N - step % N, the engine trains exactly to the next multiple of N and
publishes one snapshot, the window draws it and says so (``MainWindow.snapshotShown``), the
recorder grabs the frame and only then sends the next ``step``. A STEP command publishes exactly
one snapshot and the recorder keeps one in flight, so the bridge's latest-wins hand-over never
drops a frame, and every frame shows a step that is a multiple of N: a slow machine makes the
same film, only later. (Grabbing whichever snapshot crossed the next multiple would have been
simpler, but a slow machine crosses several multiples per snapshot and makes a shorter film.)

While the recording is paused, every new picture is a frame: a Step, a Reset, a slider drag.
So a lecture can pause, change the initializer and resume, and the film shows it.

**Files.** ``.gif`` and ``.mp4`` need the optional ``record`` extra (imageio and imageio-ffmpeg;
the GIF is written by Pillow, imageio's GIF backend, see GifWriter); a folder gets numbered PNG
frames (``frame_00000.png``, ...), which need nothing but Qt. Asked for a GIF or MP4 without the
extra, the frames go to a folder next to it and the message says how to get the extra. Pillow
merges consecutive frames that are identical pixel for pixel, adding up their display time; the
window always changes (its step label), so its GIF has one frame per recorded frame.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui.app import export

RECORD_EXTRA_MESSAGE = 'GIF/MP4 need the record extra: pip install "winit-gui[record]"'
FRAME_PATTERN = re.compile(r"frame_\d{5}\.png")
DEFAULT_STEPS_PER_FRAME = 5
DEFAULT_FPS = 15.0
STALL_MS = 3000
"""Lock step: ask again when a requested frame has not come back after this long (see _stalled)."""


# ---- writing frames --------------------------------------------------------------------------------
def kind_of(path) -> str:
    """``"gif"``, ``"mp4"`` or ``"frames"`` (a folder: an existing one, or a path without a suffix)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".gif":
        return "gif"
    if suffix == ".mp4":
        return "mp4"
    if path.is_dir() or not suffix:
        return "frames"
    raise ValueError(f"cannot record to {path.name!r}: give a .gif or an .mp4 file, or a folder for PNG frames")


def to_array(image: QtGui.QImage) -> np.ndarray:
    """(height, width, 3) uint8 RGB copy of ``image``."""
    image = image.convertToFormat(QtGui.QImage.Format_RGB888)
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    buffer = np.frombuffer(image.constBits(), np.uint8, count=stride * h)
    return buffer.reshape(h, stride)[:, : w * 3].reshape(h, w, 3).copy()


class FrameWriter:
    """Frames of one size in, one file (or folder) out. The first frame fixes the size; a later
    frame of another size (the window was resized) is fitted into it, aspect kept."""

    kind = ""

    def __init__(self, path: Path, fps: float):
        self.path = Path(path)
        self.fps = float(fps)
        self.frames = 0
        self._size: QtCore.QSize | None = None
        self._background = QtGui.QColor("#ffffff")

    def add(self, image: QtGui.QImage, background: str | QtGui.QColor | None = None) -> None:
        if background is not None:
            self._background = QtGui.QColor(background)
        image = self._fit(image)
        self._write(image)
        self.frames += 1

    def _fit(self, image: QtGui.QImage) -> QtGui.QImage:
        if self._size is None:
            self._size = self._frame_size(image.size())
        if image.size() == self._size:
            return image
        canvas = QtGui.QImage(self._size, QtGui.QImage.Format_RGB32)
        canvas.fill(self._background)
        scaled = image.scaled(self._size, QtCore.Qt.KeepAspectRatio, QtCore.Qt.SmoothTransformation)
        painter = QtGui.QPainter(canvas)
        painter.drawImage((self._size.width() - scaled.width()) // 2,
                          (self._size.height() - scaled.height()) // 2, scaled)
        painter.end()
        return canvas

    def _frame_size(self, size: QtCore.QSize) -> QtCore.QSize:
        return size

    def _write(self, image: QtGui.QImage) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class FolderWriter(FrameWriter):
    """Numbered PNG frames in a folder: frame_00000.png, frame_00001.png, ... (no extra needed)."""

    kind = "frames"

    def __init__(self, path: Path, fps: float):
        super().__init__(path, fps)
        self.path.mkdir(parents=True, exist_ok=True)
        # A new recording replaces an old one in the same folder (only files named like frames).
        for old in self.path.iterdir():
            if FRAME_PATTERN.fullmatch(old.name):
                old.unlink()

    def _write(self, image: QtGui.QImage) -> None:
        target = self.path / f"frame_{self.frames:05d}.png"
        if not image.save(str(target), "PNG"):
            raise OSError(f"could not write {target}")


class GifWriter(FrameWriter):
    """An animated GIF, looping for ever.

    Needs the record extra like MP4, but writes with Pillow (imageio's own GIF backend, installed
    with it) directly: imageio hands Pillow RGB frames, whose default median-cut quantization
    took 0.4 s a 1600 x 1000 frame here; the fast octree quantizer takes 0.03 s and keeps the
    frames in memory as 1 byte a pixel instead of 3 until ``close`` writes the file.
    """

    kind = "gif"

    def __init__(self, path: Path, fps: float):
        import imageio  # noqa: F401 - the record extra; ImportError means "not installed"
        from PIL import Image

        super().__init__(path, fps)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._image = Image
        self._frames: list = []
        # GIF times frames in hundredths of a second.
        self._duration = 10 * max(1, round(100 / self.fps))

    def _write(self, image: QtGui.QImage) -> None:
        frame = self._image.fromarray(to_array(image))
        self._frames.append(frame.quantize(256, method=self._image.Quantize.FASTOCTREE))

    def close(self) -> None:
        if not self._frames:
            return
        first, *rest = self._frames
        first.save(self.path, format="GIF", save_all=True, append_images=rest, duration=self._duration,
                   loop=0)
        self._frames = []


class Mp4Writer(FrameWriter):
    """An H.264 MP4 through imageio's ffmpeg plugin (imageio-ffmpeg), streamed frame by frame."""

    kind = "mp4"

    def __init__(self, path: Path, fps: float):
        import imageio.v2 as imageio  # the record extra
        import imageio_ffmpeg  # noqa: F401 - the ffmpeg binary; ImportError means "not installed"

        super().__init__(path, fps)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Frames are padded to even sizes (yuv420p needs them); macro_block_size=2 then keeps
        # imageio from resizing them.
        self._file = imageio.get_writer(self.path, format="FFMPEG", mode="I", fps=self.fps, codec="libx264",
                                        pixelformat="yuv420p", quality=8, macro_block_size=2)

    def _frame_size(self, size: QtCore.QSize) -> QtCore.QSize:
        return QtCore.QSize(size.width() + size.width() % 2, size.height() + size.height() % 2)

    def _write(self, image: QtGui.QImage) -> None:
        self._file.append_data(to_array(image))

    def close(self) -> None:
        self._file.close()


def open_writer(path, fps: float = DEFAULT_FPS) -> tuple[FrameWriter, str]:
    """A writer for ``path`` and a message for the user ("" when all is as asked).

    Without the record extra, a ``.gif``/``.mp4`` becomes a folder of PNG frames next to it
    (``talk.gif`` -> ``talk_frames/``) and the message says so and how to get GIF/MP4.
    """
    path = Path(path)
    kind = kind_of(path)
    if kind == "frames":
        return FolderWriter(path, fps), ""
    try:
        return (GifWriter if kind == "gif" else Mp4Writer)(path, fps), ""
    except ImportError:
        folder = path.with_name(f"{path.stem}_frames")
        return FolderWriter(folder, fps), f"{RECORD_EXTRA_MESSAGE}. Wrote numbered PNG frames to {folder} instead."


def record_extra_installed() -> bool:
    try:
        import imageio  # noqa: F401
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        return False
    return True


# ---- recording in the app --------------------------------------------------------------------------
class Recorder(QtCore.QObject):
    """Records ``window`` (or one of its views) while it trains; see the module docstring."""

    framesChanged = QtCore.Signal(int)

    def __init__(self, window, path, view: str = export.WINDOW, steps_per_frame: int = DEFAULT_STEPS_PER_FRAME,
                 fps: float = DEFAULT_FPS, scale: float = 1.0, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        if steps_per_frame < 1:
            raise ValueError(f"steps_per_frame must be 1 or more, got {steps_per_frame}")
        export.target_widget(window, view)  # an unknown view fails here, before anything starts
        self.window = window
        self.path = Path(path)
        self.view = view
        self.steps_per_frame = int(steps_per_frame)
        self.fps = fps
        self.scale = float(scale)
        self.writer: FrameWriter | None = None
        self.message = ""
        self.frame_steps: list[int] = []
        self._last_serial: int | None = None
        self._seen_step = 0
        self._target: int | None = None
        """The step the STEP in flight trains to, or None when none is."""
        self._watchdog = QtCore.QTimer(self, singleShot=True, interval=STALL_MS)
        self._watchdog.timeout.connect(self._stalled)
        self._send = QtCore.QTimer(self, singleShot=True, interval=0)
        self._send.timeout.connect(self._send_step)
        self._steps_to_send = 0

    @property
    def recording(self) -> bool:
        return self.writer is not None

    @property
    def frames(self) -> int:
        """Frames recorded so far (after stop: in the file)."""
        return self.writer.frames if self.writer is not None else len(self.frame_steps)

    @property
    def output(self) -> Path | None:
        """Where the film goes (the PNG folder when the extra is missing)."""
        return self.writer.path if self.writer is not None else None

    def start(self) -> str:
        """Open the file, grab the picture shown now as the first frame; the message for the user."""
        if self.writer is not None:
            return self.message
        self.writer, self.message = open_writer(self.path, self.fps)
        # Pending layout and polish (a menu bar or toolbar just added): the first frame has the
        # size of all the others.
        QtCore.QCoreApplication.sendPostedEvents()
        self.window.snapshotShown.connect(self._snapshot_shown)
        # While recording, Play (the button, Space) means lock step, not the engine's free run.
        self.window.play_override = self._play_in_lock_step
        snap = self.window.snapshot
        self._last_serial = snap.serial if snap is not None else None
        self._seen_step = snap.step if snap is not None else 0
        self.capture()
        if self._playing():
            self._play_in_lock_step()
        return self.message

    def stop(self) -> tuple[Path | None, str]:
        """Finish the file; (what was written, a message saying so)."""
        if self.writer is None:
            return None, self.message
        writer, self.writer = self.writer, None
        self._watchdog.stop()
        self._send.stop()
        bridge = self.window.bridge
        try:
            self.window.snapshotShown.disconnect(self._snapshot_shown)
        except (RuntimeError, TypeError):
            pass
        self.window.play_override = None  # the engine's own free-running play again
        writer.close()
        if self._playing() and bridge.running:
            bridge.play()  # still playing: from lock step back to free running
        done = f"Recorded {writer.frames} frames to {writer.path}"
        self.message = f"{done}. {self.message}" if self.message else done
        return writer.path, self.message

    def capture(self) -> None:
        """Add the picture shown now as a frame."""
        if self.writer is None:
            return
        image = export.render(self.window, self.view, self.scale)
        self.writer.add(image, self.window.theme.background)
        snap = self.window.snapshot
        self.frame_steps.append(snap.step if snap is not None else 0)
        self.framesChanged.emit(self.writer.frames)

    def _playing(self) -> bool:
        return self.window.play_button.isChecked()

    def _play_in_lock_step(self) -> None:
        if self._target is not None:
            return  # a step is in flight; its snapshot continues the chain
        snap = self.window.snapshot
        self._request_frame(snap.step if snap is not None else 0)

    def _request_frame(self, step: int) -> None:
        """Train to the next multiple of steps_per_frame; one snapshot comes back.

        The STEP is sent from a zero-time timer, not from here: sent at once, its snapshot is
        posted back while this frame is still being grabbed, and a chain of posted events that
        never runs dry kept Qt from firing timers (and so from handling some input) for seconds.
        """
        self._steps_to_send = self.steps_per_frame - step % self.steps_per_frame
        self._target = step + self._steps_to_send
        self._watchdog.start()
        self._send.start()

    def _send_step(self) -> None:
        if self.writer is not None and self._target is not None:
            self.window.bridge.step(self._steps_to_send)

    def _snapshot_shown(self, snap) -> None:
        """MainWindow.snapshotShown: every view has just drawn ``snap``."""
        if self.writer is None or snap is None or snap.serial == self._last_serial:
            return
        self._last_serial = snap.serial
        # Our STEP always moves the step on: a new snapshot that does not was made by a Reset, a
        # new setting or a divergence.
        restarted = snap.step <= self._seen_step
        self._seen_step = snap.step
        if not self._playing():
            self._target = None  # paused: nothing is asked for, nothing is awaited
            self.capture()  # every new picture (Step, Reset, a slider move) is a frame
            return
        if self._target is not None:
            if snap.step >= self._target:
                self._target = None  # our step has come back
            elif restarted:
                # A STEP still queued runs from the restarted state and comes back with a step
                # past this one: wait for it rather than send a second (two in flight would let
                # the bridge's latest-wins hand-over drop a frame).
                self._target = snap.step + 1
        if snap.step % self.steps_per_frame == 0:
            self.capture()
        if self._target is None and not snap.playing:
            self._request_frame(snap.step)

    def _stalled(self) -> None:
        """No snapshot for STALL_MS while waiting for one: the STEP went into the same batch as a
        Reset or new setting and never came back. Ask again."""
        if self.writer is not None and self._playing() and self._target is not None:
            self._target = None
            self._play_in_lock_step()


class RecordDialog(QtWidgets.QDialog):
    """Where to record, what, and how often."""

    def __init__(self, window, path: str = "", view: str = export.WINDOW,
                 steps_per_frame: int = DEFAULT_STEPS_PER_FRAME, fps: float = DEFAULT_FPS, scale: int = 1):
        super().__init__(window)
        self.setObjectName("recordDialog")
        self.setWindowTitle("Record training")
        form = QtWidgets.QFormLayout(self)
        self.view_combo = QtWidgets.QComboBox(objectName="recordViewCombo")
        for name in (export.WINDOW, *export.VIEW_NAMES):
            self.view_combo.addItem(export.TARGET_TITLES[name], name)
        self.view_combo.setCurrentIndex(max(0, self.view_combo.findData(view)))
        form.addRow("Record", self.view_combo)
        self.steps_spin = QtWidgets.QSpinBox(objectName="recordStepsSpin")
        self.steps_spin.setRange(1, 100_000)
        self.steps_spin.setValue(steps_per_frame)
        self.steps_spin.setSuffix(" steps per frame")
        self.steps_spin.setToolTip("While playing, one frame every this many training steps, whatever the "
                                   "machine's speed (a slow machine makes the same film, only later)")
        form.addRow("Every", self.steps_spin)
        self.fps_spin = QtWidgets.QDoubleSpinBox(objectName="recordFpsSpin")
        self.fps_spin.setRange(1, 60)
        self.fps_spin.setValue(fps)
        self.fps_spin.setSuffix(" frames per second")
        form.addRow("Play at", self.fps_spin)
        self.scale_combo = QtWidgets.QComboBox(objectName="recordScaleCombo")
        for s in export.SCALES:
            self.scale_combo.addItem(f"{s}x", s)
        self.scale_combo.setCurrentIndex(max(0, self.scale_combo.findData(int(scale))))
        form.addRow("Scale", self.scale_combo)
        self.path_edit = QtWidgets.QLineEdit(path, objectName="recordPathEdit")
        self.path_edit.setToolTip("A .gif, an .mp4, or a folder for numbered PNG frames")
        browse = QtWidgets.QPushButton("Browse…")
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form.addRow("File", row)
        note = "GIF keeps every frame in memory until Stop: for long films choose MP4 or a folder."
        if not record_extra_installed():
            note = RECORD_EXTRA_MESSAGE + ". Without it, frames are saved as numbered PNG files."
        label = QtWidgets.QLabel(note, wordWrap=True)
        form.addRow(label)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Ok | QtWidgets.QDialogButtonBox.Cancel)
        buttons.button(QtWidgets.QDialogButtonBox.Ok).setText("Start recording")
        form.addRow(buttons)
        browse.clicked.connect(self._browse)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)

    def _browse(self) -> None:
        path, selected = QtWidgets.QFileDialog.getSaveFileName(
            self, "Record to", self.path_edit.text(), "GIF (*.gif);;MP4 video (*.mp4);;Folder of PNG frames (*)")
        if path:
            if selected.startswith("GIF") and not path.lower().endswith(".gif"):
                path += ".gif"
            elif selected.startswith("MP4") and not path.lower().endswith(".mp4"):
                path += ".mp4"
            self.path_edit.setText(path)

    def _accept(self) -> None:
        try:
            kind_of(self.path_edit.text())
        except ValueError as err:
            QtWidgets.QMessageBox.warning(self, "Record training", str(err))
            return
        if not self.path_edit.text().strip():
            QtWidgets.QMessageBox.warning(self, "Record training", "Choose a file or folder to record to.")
            return
        self.accept()

    def choice(self) -> dict:
        return {"path": self.path_edit.text().strip(), "view": self.view_combo.currentData(),
                "steps_per_frame": self.steps_spin.value(), "fps": self.fps_spin.value(),
                "scale": self.scale_combo.currentData()}


class RecordControls(QtCore.QObject):
    """The Record action (checkable; toolbar and File menu), the REC indicator and the Recorder."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.recorder: Recorder | None = None
        self.last_choice: dict = {"path": str(Path.home() / "winit-training.gif")}
        self.action = QtGui.QAction("Record", window, objectName="recordAction", checkable=True)
        self.action.setShortcut(QtGui.QKeySequence("Ctrl+R"))
        self.action.setToolTip("Record the window or one view while it trains, as GIF, MP4 or PNG frames "
                               "(Ctrl+R starts and stops)")
        self.indicator = QtWidgets.QLabel(objectName="recordIndicator")
        self.indicator.setStyleSheet("QLabel { color: #d00000; font-weight: bold; }")
        self.indicator.setToolTip("Recording: press Record again to stop and write the file")
        self.indicator.hide()
        window.statusBar().addPermanentWidget(self.indicator)
        self.action.toggled.connect(self._toggled)
        window.installEventFilter(self)
        app = QtWidgets.QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    @property
    def recording(self) -> bool:
        return self.recorder is not None and self.recorder.recording

    def start(self, path, view: str = export.WINDOW, steps_per_frame: int = DEFAULT_STEPS_PER_FRAME,
              fps: float = DEFAULT_FPS, scale: float = 1.0) -> Recorder:
        """Start recording without a dialog (what the dialog's OK does)."""
        self.stop()
        self.recorder = Recorder(self.window, path, view, steps_per_frame, fps, scale, parent=self)
        self.recorder.framesChanged.connect(self._show_count)
        message = self.recorder.start()
        self._show_count(self.recorder.frames)
        self.indicator.show()
        with QtCore.QSignalBlocker(self.action):
            self.action.setChecked(True)
        if message:
            self.window.statusBar().showMessage(message, 15000)
        return self.recorder

    def stop(self) -> tuple[Path | None, str]:
        """Stop and write the file (nothing happens when not recording)."""
        if not self.recording:
            return None, ""
        written, message = self.recorder.stop()
        self.indicator.hide()
        with QtCore.QSignalBlocker(self.action):
            self.action.setChecked(False)
        self.window.statusBar().showMessage(message, 15000)
        return written, message

    def _show_count(self, frames: int) -> None:
        self.indicator.setText(f"● REC {frames} frame{'s' if frames != 1 else ''}")

    def _toggled(self, checked: bool) -> None:
        if not checked:
            self.stop()
            return
        dialog = RecordDialog(self.window, **self.last_choice)
        if dialog.exec() != QtWidgets.QDialog.Accepted:
            with QtCore.QSignalBlocker(self.action):
                self.action.setChecked(False)
            return
        self.last_choice = dialog.choice()
        try:
            self.start(**self.last_choice)
        except (OSError, ValueError) as err:
            with QtCore.QSignalBlocker(self.action):
                self.action.setChecked(False)
            QtWidgets.QMessageBox.warning(self.window, "Record training", str(err))

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() == QtCore.QEvent.Close:
            self.stop()  # closing the window mid-recording still leaves a playable file
        return False


def install_record_actions(window) -> RecordControls:
    """A checkable Record action on the figures toolbar and in the File menu, and the REC indicator."""
    controls = RecordControls(window)
    export.lecture_toolbar(window).addAction(controls.action)
    export.file_menu(window).addAction(controls.action)
    window.addAction(controls.action)
    window.record_controls = controls
    return controls
