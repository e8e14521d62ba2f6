"""Instructions one frame of the six views costs (render + paint), counted by valgrind's callgrind.

On this project's shared 2-core machines a wall-clock time swings by half from one minute to the
next; an instruction count repeats to the last few digits for the same code. So this is the number
that tells whether a change to the views made a frame cheaper. It runs the same window under
callgrind with no frames and with FRAMES frames, and prints the difference per frame, for
snapshots of slider moves and of a training run on the default lesson (1600 x 1000, offscreen).

    python benchmarks/bench_frame_instructions.py     # needs valgrind (Debian: apt install valgrind)

Takes about four minutes (callgrind runs Python some 50 times slower).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

FRAMES = 40


def workload(kind: str, frames: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import numpy as np
    from PySide6 import QtWidgets

    from winit_gui import snapshot
    from winit_gui.app.main_window import MainWindow
    from winit_gui.app.views import network
    from winit_gui.experiment import Experiment
    from winit_gui.settings import Settings
    from winit_gui.training import Trainer

    app = QtWidgets.QApplication([])
    # Under callgrind time runs some 50 times slower: frames that follow each other as in a drag
    # would look far apart to the network view, which antialiases a picture that has settled.
    network.SETTLE_MS *= 100
    settings = Settings()
    window = MainWindow(experiment=Experiment(settings), start_engine=False)
    window.resize(1600, 1000)
    window.show()
    for _ in range(20):
        app.processEvents()
    trainer = Trainer(settings)
    snaps = []
    for gain in np.logspace(-1, 1, 20):
        if kind == "training":
            trainer.train(100)
        else:
            trainer.apply(settings.replace(gain=float(gain)))
        snaps.append(snapshot.build(trainer, 1, kind == "training"))
    for i in range(frames):
        for view in window.views:
            view.show_snapshot(snaps[i % len(snaps)])
            window.paint_now([view])
    os._exit(0)  # the count is taken; Qt's and Python's teardown would only add to it


def count(kind: str, frames: int) -> int:
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, __file__, "--workload", kind, str(frames)],
        capture_output=True, text=True, check=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    return int(re.search(r"Collected : (\d+)", result.stderr).group(1))


def frame_instructions(frames: int = FRAMES) -> dict[str, float] | None:
    """Instructions per frame of the six views, for slider and for training snapshots; None
    without valgrind. The four callgrind runs go in parallel, one per core."""
    if shutil.which("valgrind") is None:
        return None
    runs = [("slider", 0), ("slider", frames), ("training", 0), ("training", frames)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = dict(zip(runs, pool.map(lambda run: count(*run), runs)))
    return {kind: (counts[kind, frames] - counts[kind, 0]) / frames for kind in ("slider", "training")}


def main() -> None:
    per_frame = frame_instructions()
    if per_frame is None:
        sys.exit("valgrind is not installed (Debian: apt install valgrind)")
    for kind, instructions in per_frame.items():
        print(f"one frame, six views, {kind} snapshots: {instructions / 1e6:.1f} M instructions")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--workload"]:
        workload(sys.argv[2], int(sys.argv[3]))
    else:
        main()
