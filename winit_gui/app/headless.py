"""``winit-gui render`` and ``winit-gui record``: the app's pictures, made without a display.

The pictures are the app's own: a real MainWindow (same views, same theme, same layout, 1600 x
1000 like the app opens), not a look-alike. Only the training differs: instead of the window's
engine, a Trainer here trains synchronously and each picture is a Snapshot built from it
with ``snapshot.build``, exactly what the engine would publish at that step. So a script gets
the same figure every time, whatever the machine's speed.

The loss and saturation curves are the trainer's histories, which the app fills at every
snapshot it publishes. Here ``Trainer.measure`` records a point every ``history_every`` steps
(up to HISTORY_POINTS a run, fewer for a big network), so a rendered curve looks like the live one.

``record`` grabs a frame at every step of ``frame_steps(steps)``: step 0, then every
``ceil(steps / (MAX_FRAMES - 1))`` steps, and the last step, so ``--steps 30`` gives 31 frames
(steps 0..30) and a long run at most MAX_FRAMES frames (4 seconds at 15 fps).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from winit_gui import experiment as experiments
from winit_gui import presets
from winit_gui import snapshot as snapshots
from winit_gui.app import export, recording
from winit_gui.app.main_window import MainWindow
from winit_gui.training import Trainer

WINDOW_SIZE = (1600, 1000)
"""The size the app's window opens at."""
MAX_FRAMES = 60
HISTORY_POINTS = 200
STATS_WORK = 1.2e9


def frame_steps(steps: int, max_frames: int = MAX_FRAMES) -> list[int]:
    """The training steps at which ``record`` grabs a frame: 0, k, 2k, ... and ``steps`` itself."""
    if steps <= 0:
        return [0]
    every = max(1, math.ceil(steps / (max_frames - 1)))
    marks = list(range(0, steps + 1, every))
    if marks[-1] != steps:
        marks.append(steps)
    return marks


def history_every(steps: int, sizes: tuple[int, ...]) -> int:
    """Record a history point (``Trainer.measure``: statistics, loss, accuracy) every that many steps.

    About HISTORY_POINTS points a run, but at most STATS_WORK multiply-adds of measuring in all:
    a 30 x 256 network renders in seconds, as the app, which gives measuring at most a quarter
    of its time, also records fewer points for a big network.
    """
    macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) * snapshots.display_samples(sizes)
    points = int(min(HISTORY_POINTS, max(2, STATS_WORK // max(macs, 1))))
    return max(1, math.ceil(steps / points))


def use_offscreen_if_no_display() -> None:
    """Qt's offscreen platform when there is no display (a server, CI, ssh), unless chosen already.

    Only where a display means X11 or Wayland: macOS and Windows always have their own.
    """
    if sys.platform in ("win32", "darwin") or "QT_QPA_PLATFORM" in os.environ:
        return
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def load_experiment(parser: argparse.ArgumentParser, args: argparse.Namespace):
    """(experiment, preset name or None) from --preset / --load; a bad one exits 2 via parser.error."""
    if getattr(args, "load", None):
        try:
            return experiments.load(args.load), None
        except experiments.ExperimentFileError as err:
            parser.error(str(err))
    name = getattr(args, "preset", None) or presets.DEFAULT
    try:
        return presets.load(name), name
    except ValueError as err:
        parser.error(str(err))


class _NoBackingStore(QtCore.QObject):
    """Drops the window's requests to repaint its (invisible) backing store: a third of the time
    of a recording went into painting pictures nobody sees."""

    def eventFilter(self, watched, event) -> bool:
        return event.type() == QtCore.QEvent.UpdateRequest


class Film:
    """A MainWindow fed by a synchronous Trainer instead of its engine."""

    def __init__(self, experiment, preset: str | None, theme: str, total_steps: int):
        self._app = QtWidgets.QApplication.instance()
        self.window = MainWindow(preset=preset, experiment=experiment, theme=theme, start_engine=False)
        # Laid out like a shown window, but never on a screen; and never painted to a backing
        # store either (nobody sees it): pictures come from QWidget.render / the exporters.
        self.window.setAttribute(QtCore.Qt.WA_DontShowOnScreen, True)
        self._no_flush = _NoBackingStore(self.window)
        self.window.installEventFilter(self._no_flush)
        self.window.resize(*WINDOW_SIZE)
        self.window.show()
        self.trainer = Trainer(experiment.settings)
        self._serial = 0
        self._every = history_every(total_steps, experiment.settings.sizes)
        self._last_history: int | None = None
        self._settle()

    def _settle(self) -> None:
        for _ in range(3):
            QtCore.QCoreApplication.sendPostedEvents()
            self._app.processEvents()

    def train_to(self, step: int) -> None:
        """Train up to ``step``, recording the loss and saturation histories on the way (the
        point at ``step`` itself comes from the snapshot that ``show`` builds)."""
        trainer, every = self.trainer, self._every
        if trainer.step < step:
            self._history_point()  # the starting point, like the app's first snapshot
        while trainer.step < step:
            trainer.train(min(every - trainer.step % every, step - trainer.step))
            if trainer.step < step:
                self._history_point()

    def _history_point(self) -> None:
        if self._last_history == self.trainer.step:
            return
        self.trainer.measure(snapshots.display_samples(self.trainer.network.sizes))
        self._last_history = self.trainer.step

    def show(self) -> None:
        """Build the snapshot of the trainer's current step and show it as the window would."""
        self._serial += 1
        snap = snapshots.build(self.trainer, self._serial, playing=False)
        self._last_history = snap.step
        self.window.show_snapshot(snap)
        self._settle()

    def close(self) -> None:
        self.window.close()
        self.window.deleteLater()
        self._settle()


QUIET_MESSAGES = ("This plugin does not support propagateSizeHints()",)
"""Qt's offscreen platform says this for every window shown: noise, not news, for a script."""


def _app():
    app = QtWidgets.QApplication.instance()
    if app is None:
        previous = None

        def handler(mode, context, message):
            if message in QUIET_MESSAGES:
                return
            if previous is not None:
                previous(mode, context, message)
            else:
                print(message, file=sys.stderr)

        previous = QtCore.qInstallMessageHandler(handler)
        app = QtWidgets.QApplication(["winit-gui"])
        app.setApplicationName("winit_gui")
    return app


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    use_offscreen_if_no_display()
    experiment, preset = load_experiment(parser, args)
    if args.command == "render":
        return _render(parser, args, experiment, preset)
    return _record(parser, args, experiment, preset)


def _render(parser, args, experiment, preset) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        parser.error(f"--out {out} is a file; give a folder for the images")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        parser.error(f"cannot create --out {out}: {err.strerror or err}")
    _app()
    film = Film(experiment, preset, args.theme, args.steps)
    try:
        film.train_to(args.steps)
        film.show()
        formats = ("png", "svg") if args.format == "both" else (args.format,)
        written = [export.export_window(film.window, out / "window.png", args.scale)]
        for name in export.VIEW_NAMES:
            view = export.find_view(film.window, name)
            for fmt in formats:
                written.append(export.export_view(view, out / f"{name}.{fmt}", args.scale))
    finally:
        film.close()
    for path in written:
        print(path)
    return 0


def _record(parser, args, experiment, preset) -> int:
    out = Path(args.out)
    try:
        recording.kind_of(out)
    except ValueError as err:
        parser.error(f"--out: {err}")
    _app()
    film = Film(experiment, preset, args.theme, args.steps)
    try:
        writer, message = recording.open_writer(out, args.fps)
    except OSError as err:
        film.close()
        parser.error(f"cannot write --out {out}: {err.strerror or err}")
    try:
        for step in frame_steps(args.steps):
            film.train_to(step)
            film.show()
            writer.add(export.render(film.window, args.view, args.scale), film.window.theme.background)
    finally:
        writer.close()
        film.close()
    print(writer.path)
    if message:
        # The film is there, but not in the form asked for: say so, and let scripts notice.
        print(message, file=sys.stderr)
        return 1
    return 0
