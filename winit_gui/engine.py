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

import atexit
import os
import queue
import subprocess
import sys
import threading
import time
import weakref
from dataclasses import dataclass, replace
from typing import Callable

from winit_gui import channel
from winit_gui import snapshot as snapshots
from winit_gui.settings import Settings
from winit_gui.snapshot import Snapshot
from winit_gui.training import Trainer

FRAME_INTERVAL = 1 / 60
"""Snapshots while playing: at most one a display frame."""
STATS_SHARE = 0.12
"""Largest share of the worker's time that display statistics may take while training (a slow
statistics pass on a big network lowers the snapshot rate instead of the training rate). Each
snapshot also costs the GUI a frame, on a core that on this project's machines shares a physical
core with the trainer's: at 0.25 the trainer kept 65-71 % of its speed (benchmarks/run.py, three
nets), at 0.12 82-102 % (issue 11's target is 80 %), while training showed 20-25 frames a second
instead of 37-44 on the default lesson. A command's snapshot (a slider move) is never held back."""
TRAIN_SLICE = 0.004
"""Seconds of training between looks at the command queue: keeps pause and quit within a frame."""


@dataclass(frozen=True)
class Command:
    kind: str
    settings: Settings | None = None
    steps: int = 0


PLAY, PAUSE, STEP, RESET, APPLY, SNAPSHOT, READY, THEORY_ON, THEORY_OFF, QUIT = (
    "play", "pause", "step", "reset", "apply", "snapshot", "ready", "theory on", "theory off", "quit")
"""Commands. READY is the viewer's "send the next one": while training runs, the engine sends a
new snapshot only after the viewer has taken the previous one, so it never spends time on frames
that a busy screen would drop, and at most one snapshot waits for the viewer.
THEORY_ON and THEORY_OFF: whether snapshots carry the theory (``Snapshot.theory``), which only
the theory page draws. A new initialization's theory is a quarter of a slider move's snapshot on
the default lesson and nearly half at 20 x 256 (its Jacobians; 36 -> 27 M and 298 -> 159 M
instructions without it): paid only while a viewer asks. Turned on, it comes in a snapshot at once."""


class Engine:
    def __init__(self, settings: Settings, on_snapshot: Callable[[Snapshot], None],
                 commands: queue.Queue | None = None, last_serial: int = 0):
        """``last_serial``: snapshots are numbered from the one after it (an engine that takes
        over from one that died goes on counting, so viewers can still tell newer from older).
        Snapshots leave the theory out until THEORY_ON."""
        self._trainer = Trainer(settings)
        self._on_snapshot = on_snapshot
        self._commands = commands if commands is not None else queue.Queue()
        self._playing = False
        self._serial = last_serial
        self._last_publish = 0.0
        self._stats_cost = 0.0
        self._last_finite: Snapshot | None = None
        self._viewer_ready = True
        self._theory = False
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
        # shows the new initialization itself, then training resumes from it. (Slices follow one
        # another with no time.sleep(0), the thread engine's hand-over of the GIL to the GUI: the
        # child's command thread gets it within the switch interval, and a zero sleep waits out
        # Linux's 50 µs timer slack, 2-3 % of the trainer's speed.)
        if publish or (self._playing and self._train_slice()):
            self._publish()

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
            elif command.kind in (THEORY_ON, THEORY_OFF):
                on = command.kind == THEORY_ON
                publish |= on and not self._theory
                self._theory = on
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
        snap = snapshots.build(self._trainer, self._serial, self._playing, with_theory=self._theory)
        self._stats_cost = time.perf_counter() - start
        self._last_publish = time.perf_counter()
        self._viewer_ready = False
        what = snapshots.overflowed(snap)
        if not what:
            self._last_finite = snap
        else:
            # Diverged: stop, and keep showing the last finite state with a plain explanation.
            self._playing = False
            shown = self._last_finite or snap
            if shown is snap:
                message = (f"Diverged at step {snap.step}: the weights are too large for floating point, {what} "
                           "is not a finite number. Lower the weight scale.")
            else:
                message = (f"Training diverged at step {snap.step}: {what} is no longer a finite number. "
                           f"Showing step {shown.step}. Lower the learning rate or the weight scale, then Reset.")
            snap = replace(shown, serial=self._serial, playing=False, message=message, diverged=True)
        self._on_snapshot(snap)



def serve(settings: Settings, commands: queue.Queue, send: Callable[[Snapshot], None],
          last_serial: int = 0) -> None:
    """Run an Engine on ``commands`` until it is told to quit (the child process's loop)."""
    engine = Engine(settings, send, commands, last_serial)
    while not engine.quit:
        engine.run_once(block=True)


class EngineProcess:
    """An Engine in a child process, steered from the GUI process.

    The child is a fresh interpreter running ``python -m winit_gui.engine_child``, not a
    multiprocessing spawn: spawn re-imports the caller's main module in the child, so a script
    without a ``__main__`` guard (or one that embeds the app) built a window again inside the
    child and died in multiprocessing's bootstrapping check. Commands go down the child's stdin
    and snapshots come back on its stdout (``channel``): plain pipes that every platform has, and
    whose end the OS closes when this process ends in any way, which ends the child.

    ``on_snapshot`` is called in a reader thread of this process for every snapshot the child
    sends; ``on_exit`` (if given) when the child ended without ``stop``, with its exit code
    (negative: the signal that ended it). ``last_serial`` as for Engine.
    ``stop`` ends the child and joins it and the reader; commands sent before ``start`` or
    after ``stop`` are dropped (``set_theory`` is kept for ``start``). An engine left running
    when the interpreter exits is stopped by an atexit hook, so a script that never closes its
    window still exits at once.
    """

    def __init__(self, settings: Settings, on_snapshot: Callable[[Snapshot], None],
                 on_exit: Callable[[int], None] | None = None, last_serial: int = 0):
        self._settings = settings
        self._last_serial = last_serial
        self._on_snapshot = on_snapshot
        self._on_exit = on_exit
        self._process: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None
        self._stopping = False
        self._left_running = False
        self._theory = False

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        self._stopping = False
        # -P: the current directory is not put first on the child's path, where a folder holding
        # another winit_gui (a second checkout) had the child run that one instead of this one.
        self._process = subprocess.Popen(
            [sys.executable, "-P", "-m", "winit_gui.engine_child"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env=_child_environment())
        # The reader is a daemon so that an interpreter exiting with the engine still running
        # (a script that never closed its window) gets to its atexit hook instead of waiting
        # here for a child that waits for this process's stdin pipe; the hook stops and joins it.
        self._reader = threading.Thread(target=self._read, args=(self._process,), name="winit-snapshots",
                                        daemon=True)
        self._reader.start()
        _running.add(self)
        self._write((self._settings, self._last_serial))
        if self._theory:
            self.send(THEORY_ON)
        self.send(SNAPSHOT)  # the first picture, as soon as the child is up

    def set_theory(self, on: bool) -> None:
        """Whether snapshots carry the theory (THEORY_ON, THEORY_OFF), now and after ``start``."""
        if on != self._theory:
            self._theory = on
            self.send(THEORY_ON if on else THEORY_OFF)

    def send(self, kind: str, settings: Settings | None = None, steps: int = 0) -> None:
        self._write(Command(kind, settings, steps))

    def _write(self, message) -> None:
        if self._process is not None:
            try:
                channel.write(self._process.stdin, message)
            except (BrokenPipeError, ConnectionResetError, ValueError, OSError):
                pass  # the child is gone: the reader reports it

    def stop(self, timeout: float = 2.0) -> None:
        if self._process is None:
            return
        process, reader = self._process, self._reader
        self._stopping = True
        self.send(QUIT)
        try:
            process.stdin.close()
        except OSError:
            pass  # (a broken pipe while flushing: the child has gone already)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
        reader.join(timeout)
        self._left_running = process.poll() is None or reader.is_alive()
        if not reader.is_alive():
            process.stdout.close()
        _running.discard(self)
        self._process = self._reader = None

    @property
    def alive(self) -> bool:
        if self._process is None:
            return self._left_running
        return self._process.poll() is None or self._reader.is_alive()

    def _read(self, process: subprocess.Popen) -> None:
        try:
            while True:
                self._on_snapshot(channel.read(process.stdout))
        except (EOFError, OSError, ValueError):
            pass  # the child has exited (or stop() closed the pipe)
        if not self._stopping and self._on_exit is not None:
            self._on_exit(process.wait())


def _child_environment() -> dict[str, str]:
    env = dict(os.environ)
    # The child imports this very winit_gui, wherever the caller found it (a checkout on
    # sys.path, an install), and one BLAS thread: it shares two cores with the GUI, and a second
    # OpenBLAS thread collapsed training 4x whenever the other core was busy (measured).
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    return env


_running: weakref.WeakSet[EngineProcess] = weakref.WeakSet()


@atexit.register
def _stop_running_engines() -> None:
    for process in list(_running):
        process.stop()
