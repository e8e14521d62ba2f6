"""Instructions one frame of the six views costs (render + paint), counted by valgrind's callgrind.

On this project's shared 2-core machines a wall-clock time swings by half from one minute to the
next; an instruction count repeats to the last few digits for the same code. So this is the number
that tells whether a change to the views made a frame cheaper. It runs the window under callgrind
for FRAMES frames, with callgrind dumping its counters between them (``--dump-before`` a function
nothing else here calls), and prints the mean per frame, for snapshots of slider moves and of a
training run on the default lesson (1600 x 1000, offscreen).

The window is built as the app builds it: with its first picture drawn before it opens
(``MainWindow.show_first_picture``), so the frames counted draw the layout the app shows. The
frames run no event loop, so a layout request one of them made would never be handled: until
2026-12-07 the window opened empty, its first snapshot came in the first counted frame, and every
frame drew the layouts of an empty window (the diagram 210 px tall instead of 383, the ridgeline
plots without their title rows): 0.9 M a slider frame too few (tests/test_benchmarks.py checks the
layout now).

    python benchmarks/bench_frame_instructions.py             # needs valgrind (Debian: apt install valgrind)
    python benchmarks/bench_frame_instructions.py --per-view  # each view's render and paint apart
    python benchmarks/bench_frame_instructions.py --per-frame # each of the 40 frames apart

Takes about a minute and a half (callgrind runs Python some 50 times slower; one run per kind of
snapshot, the two in parallel). ``--per-view`` has callgrind dump its counters between every
view's render and paint, after 5 frames of warm-up. ``--per-frame`` prints the frames the mean is
taken of: the first costs more than most (a new picture's glyphs and pixmaps made once), slider
frames cost more at large gains (wide edges, saturated histograms spread over every bin) and
training frames when an axis jumps to a new range.
"""

from __future__ import annotations

import os
import math
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

KINDS = ("slider", "training")
"""The snapshots counted: slider moves (gains 0.1 to 10) and a training run, on the default lesson."""
FRAMES = 40
PER_VIEW_FRAMES = 20
WARM_UP = 5
MARK = "math_gamma"
"""The C function of ``math.gamma``: --per-view calls it between phases, and callgrind dumps its
counters each time it is entered."""


def window_and_snapshots(kind: str) -> tuple:
    """The main window at 1600 x 1000, shown, with its first picture drawn as the app draws it,
    and the 20 snapshots the frames cycle through (``kind``: "slider" or "training"). Needs a
    QApplication."""
    import numpy as np
    from PySide6 import QtWidgets

    from winit_gui import snapshot
    from winit_gui.app.main_window import MainWindow
    from winit_gui.experiment import Experiment
    from winit_gui.settings import Settings
    from winit_gui.training import Trainer

    settings = Settings()
    window = MainWindow(experiment=Experiment(settings), start_engine=False)
    window.show_first_picture()  # (as the app's window does before it opens; see the docstring)
    window.resize(1600, 1000)
    window.show()
    for _ in range(20):
        QtWidgets.QApplication.processEvents()
    trainer = Trainer(settings)
    snaps = []
    for gain in np.logspace(-1, 1, 20):
        if kind == "training":
            trainer.train(100)
        else:
            trainer.apply(settings.replace(gain=float(gain)))
        snaps.append(snapshot.build(trainer, 1, kind == "training"))
    return window, snaps


def workload(kind: str, frames: int, per_view: bool = False, per_frame: bool = False) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtWidgets

    from winit_gui.app.views import network

    app = QtWidgets.QApplication([])  # noqa: F841 (referenced: it lives as long as the window)
    # Under callgrind time runs some 50 times slower: frames that follow each other as in a drag
    # would look far apart to the network view, which antialiases a picture that has settled. An
    # hour, not a multiple of the real interval: the window's set-up under callgrind (its first
    # picture, the snapshots) took 10-20 s, and whether the first frame came later than 100 times
    # SETTLE_MS after the first picture depended on the machine's load (the first two slider
    # frames antialiased or not: 56.4 or 51.3 M, 0.13 M on the 40 frames' mean).
    network.SETTLE_MS = 3_600_000
    window, snaps = window_and_snapshots(kind)
    # Fewer frames than snapshots step through all of them, small gains to large, as the 40
    # frames do: the first 10 alone would be the cheap small gains.
    stride = max(1, len(snaps) // max(frames, 1))
    if not per_view:
        for i in range(frames):
            if per_frame:
                math.gamma(1.5)
            for view in window.views:
                view.show_snapshot(snaps[i * stride % len(snaps)])
                window.paint_now([view])
        if per_frame:
            math.gamma(1.5)
        os._exit(0)
    print(" ".join(view.objectName() for view in window.views), flush=True)  # the phases' order
    for i in range(WARM_UP + frames):
        for view in window.views:
            if i >= WARM_UP:
                math.gamma(1.5)
            view.show_snapshot(snaps[i % len(snaps)])
            if i >= WARM_UP:
                math.gamma(1.5)
            window.paint_now([view])
    math.gamma(1.5)
    os._exit(0)  # the count is taken; Qt's and Python's teardown would only add to it


def marked_totals(kind: str, frames: int, mode: str) -> tuple[list[int], str]:
    """Instructions between the workload's marks (``mode``: "--per-view" or "--per-frame"), in
    order, and what the workload printed."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "c.out"
        result = subprocess.run(["valgrind", "--tool=callgrind", f"--dump-before={MARK}",
                                 f"--callgrind-out-file={out}", sys.executable, __file__, "--workload", kind,
                                 str(frames), mode],
                                capture_output=True, text=True, check=True,
                                env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
        dumps = sorted(Path(folder).glob("c.out.*"), key=lambda f: int(f.suffix[1:]))
        totals = [int(re.search(r"^totals: (\d+)", f.read_text(), re.M).group(1)) for f in dumps]
    # the first dump is everything up to the first mark; the dump after the last mark is written
    # at exit, without a suffix, and is not read
    return totals[1:], result.stdout


def per_view(kind: str, frames: int = PER_VIEW_FRAMES) -> dict[str, tuple[float, float]]:
    """Instructions per frame of each view's render and of its paint, by objectName."""
    totals, printed = marked_totals(kind, frames, "--per-view")
    names = printed.split()
    phases = totals[:2 * len(names) * frames]  # render, paint, render, ...
    return {name: (sum(phases[2 * k::2 * len(names)]) / frames, sum(phases[2 * k + 1::2 * len(names)]) / frames)
            for k, name in enumerate(names)}


def frames_apart(kind: str, frames: int = FRAMES) -> list[int]:
    """Instructions of each frame (six views), in order."""
    return marked_totals(kind, frames, "--per-frame")[0][:frames]


def frame_instructions(frames: int = FRAMES) -> dict[str, float] | None:
    """Instructions per frame of the six views, for slider and for training snapshots: the mean of
    ``frames_apart``, one callgrind run per kind, the two in parallel (one per core); None without
    valgrind. (Until 2026-12-07 this took the difference of a run with the frames and one without,
    four runs: the same count to a few tenths of a million, in twice the time.)"""
    if shutil.which("valgrind") is None:
        return None
    with ThreadPoolExecutor(max_workers=2) as pool:
        each_frame = dict(zip(KINDS, pool.map(lambda kind: frames_apart(kind, frames), KINDS)))
    return {kind: sum(counts) / len(counts) for kind, counts in each_frame.items()}


def main() -> None:
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt install valgrind)")
    if "--per-view" in sys.argv[1:]:
        for kind in KINDS:
            print(f"{kind} snapshots, M instructions per frame:  view  render  paint")
            rows = per_view(kind)
            for name, (render, paint) in rows.items():
                print(f"  {name:16s} {render / 1e6:6.2f} {paint / 1e6:6.2f}")
            total = sum(r + p for r, p in rows.values())
            print(f"  {'all six':16s} {sum(r for r, _ in rows.values()) / 1e6:6.2f} "
                  f"{sum(p for _, p in rows.values()) / 1e6:6.2f}  = {total / 1e6:.1f}")
        return
    if "--per-frame" in sys.argv[1:]:
        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = dict(zip(KINDS, pool.map(frames_apart, KINDS)))
        for kind, counts in runs.items():
            print(f"{kind} snapshots, M instructions of each frame:")
            print("  " + " ".join(f"{c / 1e6:.1f}" for c in counts))
            later = sorted(counts[1:])
            print(f"  first {counts[0] / 1e6:.1f}, later ones: median {later[len(later) // 2] / 1e6:.1f}, "
                  f"mean {sum(later) / len(later) / 1e6:.1f}, largest {later[-1] / 1e6:.1f}")
        return
    per_frame = frame_instructions()
    for kind, instructions in per_frame.items():
        print(f"one frame, six views, {kind} snapshots: {instructions / 1e6:.1f} M instructions")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--workload"]:
        workload(sys.argv[2], int(sys.argv[3]), "--per-view" in sys.argv[4:], "--per-frame" in sys.argv[4:])
    else:
        main()
