"""The engine that owns the Trainer: commands in, immutable snapshots out.

``Engine`` is the loop: it takes commands from a queue, trains, and hands each new Snapshot to
``on_snapshot`` at most at display rate (never one per training step). Tests drive it directly
with ``run_once`` (superqt's worker tests do the same).

``EngineProcess`` runs that loop in a child process. Why not a thread: small numpy calls hold
the GIL, and on this project's 2-core machines a training thread and the six pyqtgraph views
fought for it: measured, the trainer kept 55 % of its speed and the GUI drew under 50 frames a
second. In its own process the trainer has its own interpreter and core; the GUI only unpickles
one small snapshot a frame.
"""

from __future__ import annotations

import math
import multiprocessing
import queue
import signal
import threading
import time
from dataclasses import dataclass, replace
from typing import Callable

from winit_gui import snapshot as snapshots
from winit_gui.settings import Settings
from winit_gui.snapshot import Snapshot
from winit_gui.training import Trainer

FRAME_INTERVAL = 1 / 60
"""Snapshots while playing: at most one a display frame."""
STATS_SHARE = 0.25
"""Largest share of the worker's time that display statistics may take while training (a slow
statistics pass on a big network lowers the snapshot rate instead of the training rate)."""
TRAIN_SLICE = 0.004
"""Seconds of training between looks at the command queue: keeps pause and quit within a frame."""


@dataclass(frozen=True)
class Command:
    kind: str
    settings: Settings | None = None
    steps: int = 0


PLAY, PAUSE, STEP, RESET, APPLY, SNAPSHOT, READY, QUIT = (
    "play", "pause", "step", "reset", "apply", "snapshot", "ready", "quit")
"""Commands. READY is the viewer's "send the next one": while training runs, the engine sends a
new snapshot only after the viewer has taken the previous one, so it never spends time on frames
that a busy screen would drop, and at most one snapshot waits for the viewer."""


class Engine:
    def __init__(self, settings: Settings, on_snapshot: Callable[[Snapshot], None],
                 commands: queue.Queue | None = None):
        self._trainer = Trainer(settings)
        self._on_snapshot = on_snapshot
        self._commands = commands if commands is not None else queue.Queue()
        self._playing = False
        self._serial = 0
        self._last_publish = 0.0
        self._stats_cost = 0.0
        self._last_finite: Snapshot | None = None
        self._viewer_ready = True
        self.quit = False

    def send(self, kind: str, settings: Settings | None = None, steps: int = 0) -> None:
        self._commands.put(Command(kind, settings, steps))

    # ---- worker side ---------------------------------------------------------------------------
    def run_once(self, block: bool = False) -> None:
        """Handle pending commands, train one slice if playing, publish a snapshot if due."""
        publish = self._handle(self._take_commands(block and not self._playing))
        if self.quit:
            return
        # A command's result is shown before any further training: a slider move while playing
        # shows the new initialization itself, then training resumes from it.
        if publish or (self._playing and self._train_slice()):
            self._publish()
        if self._playing:
            # Hand the GIL to the GUI thread between slices; with the app's 1 ms switch interval
            # this keeps the event loop's lag to a few ms while training runs flat out.
            time.sleep(0)

    def _take_commands(self, block: bool) -> list[Command]:
        commands = []
        try:
            commands.append(self._commands.get(block=block, timeout=0.5 if block else None))
            while True:
                commands.append(self._commands.get_nowait())
        except queue.Empty:
            pass
        return commands

    def _handle(self, commands: list[Command]) -> bool:
        # Settings arrive as a whole, latest wins: a drag of the slider that queued twenty moves
        # re-initializes once, for the newest value.
        last_apply = max((i for i, c in enumerate(commands) if c.kind == APPLY), default=-1)
        publish = False
        for i, command in enumerate(commands):
            if command.kind == QUIT:
                self.quit = True
                return False
            if command.kind == APPLY and i == last_apply:
                self._trainer.apply(command.settings)
                self._last_finite = None
                publish = True
            elif command.kind == RESET:
                self._trainer.reset()
                self._last_finite = None
                publish = True
            elif command.kind == PLAY:
                publish |= not self._playing
                self._playing = True
            elif command.kind == PAUSE:
                publish |= self._playing
                self._playing = False
            elif command.kind == STEP:
                self._playing = False
                self._trainer.train(max(1, command.steps))
                publish = True
            elif command.kind == SNAPSHOT:
                publish = True
            elif command.kind == READY:
                self._viewer_ready = True
        return publish

    def _train_slice(self) -> bool:
        """Train for about TRAIN_SLICE seconds; True when a snapshot is due."""
        trainer = self._trainer
        end = time.perf_counter() + TRAIN_SLICE
        while time.perf_counter() < end:
            trainer.train(1)
        interval = max(FRAME_INTERVAL, self._stats_cost / STATS_SHARE)
        return self._viewer_ready and time.perf_counter() - self._last_publish >= interval

    def _publish(self) -> None:
        start = time.perf_counter()
        self._serial += 1
        snap = snapshots.build(self._trainer, self._serial, self._playing)
        self._stats_cost = time.perf_counter() - start
        self._last_publish = time.perf_counter()
        self._viewer_ready = False
        if math.isfinite(snap.evaluation.train_loss):
            self._last_finite = snap
        else:
            # Diverged: stop, and keep showing the last finite state with a plain explanation.
            self._playing = False
            shown = self._last_finite or snap
            message = (f"Training diverged at step {snap.step}: the loss is no longer a finite number. "
                       f"Showing step {shown.step}. Lower the learning rate or the weight scale, then Reset.")
            snap = replace(shown, serial=self._serial, playing=False, message=message, diverged=True)
        self._on_snapshot(snap)


class _PipeCommands:
    """The child's command channel: a pipe read like a queue (what Engine expects).

    Pipes, not multiprocessing queues: a queue hands every message to a feeder thread, which in
    this child competes for the GIL with the training loop and added about 2 ms to each slider
    move's round trip. The pipe also tells the child when the GUI process is gone: its write
    end closes and reading raises EOFError.
    """

    def __init__(self, connection):
        self._connection = connection
        self._closed = False

    def get(self, block: bool = True, timeout: float | None = None) -> Command:
        if self._closed or not self._connection.poll(timeout if block else 0):
            raise queue.Empty
        try:
            return self._connection.recv()
        except EOFError:
            self._closed = True
            return Command(QUIT)

    def get_nowait(self) -> Command:
        return self.get(block=False)


def serve(settings: Settings, commands, snapshots_out) -> None:
    """The child process: run an Engine until it is told to quit or the GUI process is gone
    (killed or crashed, it closes its end of both pipes)."""
    # Ctrl+C in a terminal signals the whole process group: the GUI process alone answers it,
    # and stops this one (QUIT, or its end of the pipe closing) instead of a traceback here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def send(snap: Snapshot) -> None:
        try:
            snapshots_out.send(snap)
        except (BrokenPipeError, ConnectionResetError):
            engine.quit = True

    engine = Engine(settings, send, _PipeCommands(commands))
    while not engine.quit:
        engine.run_once(block=True)


class EngineProcess:
    """An Engine in a child process, steered from the GUI process.

    ``on_snapshot`` is called in a reader thread of this process for every snapshot the child
    sends. ``stop`` ends the child and joins it and the reader; commands sent before ``start``
    or after ``stop`` are dropped.
    """

    def __init__(self, settings: Settings, on_snapshot: Callable[[Snapshot], None]):
        self._settings = settings
        self._on_snapshot = on_snapshot
        self._process = self._reader = self._commands = self._snapshots = None
        self._left_running = False

    def start(self) -> None:
        # spawn, not fork: forking a process that runs Qt copies its threads' locks mid-state
        context = multiprocessing.get_context("spawn")
        commands_in, self._commands = context.Pipe(duplex=False)
        self._snapshots, snapshots_out = context.Pipe(duplex=False)
        self._process = context.Process(target=serve, args=(self._settings, commands_in, snapshots_out),
                                        name="winit-engine", daemon=True)
        self._reader = threading.Thread(target=self._read, args=(self._snapshots,), name="winit-snapshots")
        self._process.start()
        # Only the child holds these ends now: its exit closes the snapshot pipe (ending the
        # reader), and this process's exit closes the command pipe (ending the child).
        commands_in.close()
        snapshots_out.close()
        self._reader.start()
        self.send(SNAPSHOT)  # the first picture, as soon as the child is up

    def send(self, kind: str, settings: Settings | None = None, steps: int = 0) -> None:
        if self._commands is not None:
            try:
                self._commands.send(Command(kind, settings, steps))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the child is gone; stop() reports whether it ended cleanly

    def stop(self, timeout: float = 2.0) -> None:
        if self._process is None:
            return
        process, reader = self._process, self._reader
        if process.is_alive():
            self.send(QUIT)
            process.join(timeout)
            if process.is_alive():
                process.terminate()
                process.join(timeout)
        reader.join(timeout)
        self._left_running = process.is_alive() or reader.is_alive()
        self._commands.close()
        if not reader.is_alive():
            self._snapshots.close()
        if not process.is_alive():
            process.close()
        self._process = self._reader = self._commands = self._snapshots = None

    @property
    def alive(self) -> bool:
        if self._process is None:
            return self._left_running
        return self._process.is_alive() or self._reader.is_alive()

    def _read(self, snapshots) -> None:
        try:
            while True:
                self._on_snapshot(snapshots.recv())
        except (EOFError, OSError):
            pass  # the child has exited
