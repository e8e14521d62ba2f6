"""The worker thread that owns the Trainer: commands in, immutable snapshots out.

Only the worker touches the model. The GUI (or a test) sends commands through a queue and gets
each new Snapshot through ``on_snapshot``, called in the worker thread at most at display rate
(the Qt side turns it into one queued signal per snapshot, never one per training step).

The loop is written as ``Engine.run_once`` so that tests can drive it without a thread
(superqt's worker tests do the same); ``start`` runs it in a daemon-free thread that ``stop``
joins.
"""

from __future__ import annotations

import math
import queue
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


PLAY, PAUSE, STEP, RESET, APPLY, SNAPSHOT, QUIT = "play", "pause", "step", "reset", "apply", "snapshot", "quit"


class Engine:
    def __init__(self, settings: Settings, on_snapshot: Callable[[Snapshot], None],
                 steps_per_frame: int | None = None):
        """``steps_per_frame``: when set, publish exactly every that many steps while playing
        (recording a film that does not depend on the machine's speed); otherwise by time."""
        self._trainer = Trainer(settings)
        self._on_snapshot = on_snapshot
        self._steps_per_frame = steps_per_frame
        self._commands: queue.Queue[Command] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._playing = False
        self._serial = 0
        self._last_publish = 0.0
        self._stats_cost = 0.0
        self._last_finite: Snapshot | None = None
        self._quit = False

    # ---- GUI side: thread-safe, non-blocking -------------------------------------------------
    def send(self, kind: str, settings: Settings | None = None, steps: int = 0) -> None:
        self._commands.put(Command(kind, settings, steps))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="winit-engine")
        self._thread.start()
        self.send(SNAPSHOT)

    def stop(self, timeout: float = 2.0) -> None:
        """Ask the worker to quit and join it."""
        self.send(QUIT)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ---- worker side ---------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._quit:
            self.run_once(block=True)

    def run_once(self, block: bool = False) -> None:
        """Handle pending commands, train one slice if playing, publish a snapshot if due."""
        publish = self._handle(self._take_commands(block and not self._playing))
        if self._quit:
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
                self._quit = True
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
        return publish

    def _train_slice(self) -> bool:
        """Train for about TRAIN_SLICE seconds; True when a snapshot is due."""
        trainer = self._trainer
        if self._steps_per_frame:
            trainer.train(self._steps_per_frame - trainer.step % self._steps_per_frame)
            return True
        end = time.perf_counter() + TRAIN_SLICE
        while time.perf_counter() < end:
            trainer.train(1)
        interval = max(FRAME_INTERVAL, self._stats_cost / STATS_SHARE)
        return time.perf_counter() - self._last_publish >= interval

    def _publish(self) -> None:
        start = time.perf_counter()
        self._serial += 1
        snap = snapshots.build(self._trainer, self._serial, self._playing)
        self._stats_cost = time.perf_counter() - start
        self._last_publish = time.perf_counter()
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
