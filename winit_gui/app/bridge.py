"""The Qt face of the Engine: commands from the GUI thread, snapshots back as one queued signal."""

from __future__ import annotations

import threading

from PySide6 import QtCore

from winit_gui import engine
from winit_gui.settings import Settings
from winit_gui.snapshot import Snapshot


class EngineBridge(QtCore.QObject):
    """Owns the engine process; lives in the GUI thread.

    The snapshot reader stores its newest snapshot and emits ``snapshotReady`` only when the GUI has
    taken the previous one, so a slow paint never builds a queue of stale frames.
    """

    snapshotReady = QtCore.Signal()

    def __init__(self, settings: Settings, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self._lock = threading.Lock()
        self._latest: Snapshot | None = None
        self._engine = engine.EngineProcess(settings, self._deliver)

    def start(self) -> None:
        self._engine.start()

    def stop(self) -> None:
        self._engine.stop()

    @property
    def running(self) -> bool:
        return self._engine.alive

    def take(self) -> Snapshot | None:
        """The newest snapshot not yet taken, or None."""
        with self._lock:
            snap, self._latest = self._latest, None
        return snap

    def apply(self, settings: Settings) -> None:
        self._engine.send(engine.APPLY, settings)

    def play(self) -> None:
        self._engine.send(engine.PLAY)

    def pause(self) -> None:
        self._engine.send(engine.PAUSE)

    def step(self, steps: int = 1) -> None:
        self._engine.send(engine.STEP, steps=steps)

    def reset(self) -> None:
        self._engine.send(engine.RESET)

    def ready(self) -> None:
        """The last snapshot is taken (being drawn, or drawn): the engine may send the next one
        while training."""
        self._engine.send(engine.READY)

    def _deliver(self, snapshot: Snapshot) -> None:
        with self._lock:
            pending = self._latest is not None
            self._latest = snapshot
        if not pending:
            self.snapshotReady.emit()
