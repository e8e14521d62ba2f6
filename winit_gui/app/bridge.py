"""The Qt face of the Engine: commands from the GUI thread, snapshots back as one queued signal."""

from __future__ import annotations

import threading
import time

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
    engineLost = QtCore.Signal(str)
    """The engine process ended by itself (killed, out of memory, an error): what happened, in a
    sentence for the status bar. The bridge has started a new one with the last settings."""

    RESTARTS = 3
    RESTART_WINDOW = 30.0
    """At most RESTARTS new engines within RESTART_WINDOW seconds: an engine that dies on its
    settings (a network too large for memory) is not restarted for ever; new settings try again."""

    _engineExited = QtCore.Signal(int)

    def __init__(self, settings: Settings, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self._lock = threading.Lock()
        self._latest: Snapshot | None = None
        self._settings = settings
        self._restarts: list[float] = []
        self._last_serial = 0
        self._stopped = False
        self._theory = False
        self.divergence = ""
        """The message of a run that diverged and paused itself since the last ``play()``, shown
        or not: a newer snapshot (a slider move's) may replace it before the window takes it."""
        self._engine = self._new_engine()
        # The reader thread reports the exit; the restart happens in the GUI thread.
        self._engineExited.connect(self._restart, QtCore.Qt.QueuedConnection)

    def _new_engine(self) -> engine.EngineProcess:
        process = engine.EngineProcess(self._settings, self._deliver, self._engineExited.emit, self._last_serial)
        process.set_theory(self._theory)
        return process

    def start(self) -> None:
        self._engine.start()

    @property
    def pid(self) -> int | None:
        """The engine process's id (None when it is not running)."""
        return self._engine.pid

    def stop(self) -> None:
        self._stopped = True
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
        self._settings = settings
        if not self.running and self._restarts:
            self._restarts.clear()  # given up on the old settings: new ones get a new engine
            self._replace_engine()
        self._engine.send(engine.APPLY, settings)

    def play(self) -> None:
        with self._lock:
            self.divergence = ""
        self._engine.send(engine.PLAY)

    def pause(self) -> None:
        self._engine.send(engine.PAUSE)

    def step(self, steps: int = 1) -> None:
        self._engine.send(engine.STEP, steps=steps)

    def reset(self) -> None:
        self._engine.send(engine.RESET)

    def set_theory(self, on: bool) -> None:
        """Whether snapshots carry the theory (only the theory page draws it): off at first."""
        self._theory = on
        self._engine.set_theory(on)

    def ready(self) -> None:
        """The last snapshot is taken (being drawn, or drawn): the engine may send the next one
        while training."""
        self._engine.send(engine.READY)

    def _deliver(self, snapshot: Snapshot) -> None:
        with self._lock:
            pending = self._latest is not None
            self._latest = snapshot
            self._last_serial = snapshot.serial
            if snapshot.diverged:
                self.divergence = snapshot.message
        if not pending:
            self.snapshotReady.emit()

    def _restart(self, code: int) -> None:
        if self._stopped:
            return  # the window closed after the engine died, before this was delivered
        self._engine.stop()  # joins what is left of the old one (its reader has ended)
        cause = f"was stopped by signal {-code}" if code < 0 else f"exited with status {code}"
        now = time.monotonic()
        self._restarts = [t for t in self._restarts if now - t < self.RESTART_WINDOW] + [now]
        if len(self._restarts) > self.RESTARTS:
            self.engineLost.emit(f"The training engine {cause} again; it was not restarted. "
                                 "Change a setting (a smaller network, say) to start a new one.")
            return
        self._replace_engine()
        self.engineLost.emit(f"The training engine {cause}; a new one has started with your settings "
                             "(back to step 0, same seed).")

    def _replace_engine(self) -> None:
        self._engine = self._new_engine()
        self._engine.start()
