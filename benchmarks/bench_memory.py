"""Memory over a long training run (issue 12): the real window and its engine, training flat out
with snapshots drawn at display rate, offscreen at 1600 x 1000.

    python benchmarks/bench_memory.py [--minutes 10] [--warmup 60] [--tracemalloc]

The run is a fresh interpreter of its own (nothing another benchmark allocated counts). It reads
the resident set size (RSS, /proc) of the GUI process and of the engine child after the warm-up
and every few seconds until the end, and reports each one's growth since the warm-up; also how
many rows the loss and saturation histories hold at the end (bounded: decimated curves) and that
they still start at step 0 and reach the latest steps. ``--tracemalloc`` also lists the GUI
process's Python allocations that grew most (it slows the GUI: the frame rate is lower then).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

SAMPLE_EVERY = 5.0
"""Seconds between RSS readings."""


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size in MB, from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def run(seconds: float, warmup: float, tracemalloc: bool = False) -> dict:
    """Train the app for ``warmup`` + ``seconds`` in a child interpreter; its figures as a dict."""
    command = [sys.executable, os.path.abspath(__file__), "--worker", str(seconds), str(warmup)]
    if tracemalloc:
        command.append("--tracemalloc")
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    result = subprocess.run(command, capture_output=True, text=True, env=env,
                            timeout=seconds + warmup + 120)
    if result.returncode != 0:
        raise RuntimeError(f"the memory run failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.splitlines()[-1])


def worker(seconds: float, warmup: float, trace: bool) -> dict:
    import tracemalloc

    from PySide6 import QtCore, QtWidgets

    from winit_gui.app.launch import SWITCH_INTERVAL
    from winit_gui.app.main_window import MainWindow
    from winit_gui.experiment import Experiment
    from winit_gui.settings import Settings
    from winit_gui.training import HISTORY_POINTS

    sys.setswitchinterval(SWITCH_INTERVAL)
    app = QtWidgets.QApplication([])
    window = MainWindow(experiment=Experiment(Settings()))
    window.resize(1600, 1000)
    window.show()
    frames = [0]
    window.snapshotShown.connect(lambda _: frames.__setitem__(0, frames[0] + 1))

    def run_loop(duration: float) -> None:
        loop = QtCore.QEventLoop()
        QtCore.QTimer.singleShot(round(duration * 1000), loop.quit)
        loop.exec()

    window.play_button.setChecked(True)
    run_loop(warmup)
    engine = window.bridge.pid
    if trace:
        tracemalloc.start(10)
        traced = tracemalloc.take_snapshot()
    start = time.perf_counter()
    samples = [(0.0, rss_mb(), rss_mb(engine), window.snapshot.step, frames[0])]
    while (elapsed := time.perf_counter() - start) < seconds:
        run_loop(min(SAMPLE_EVERY, seconds - elapsed))
        if window.bridge.pid != engine:
            raise RuntimeError("the engine process was replaced during the run (it died)")
        samples.append((time.perf_counter() - start, rss_mb(), rss_mb(engine), window.snapshot.step, frames[0]))
    top = []
    if trace:
        grown = tracemalloc.take_snapshot().compare_to(traced, "lineno")
        top = [f"{stat.size_diff / 1024:+.0f} kB {stat.traceback}" for stat in grown[:10]]
    snap = window.snapshot
    window.play_button.setChecked(False)
    window.close()
    app.processEvents()
    (_, gui0, engine0, step0, frames0), (t1, gui1, engine1, step1, frames1) = samples[0], samples[-1]
    return {
        "seconds": t1, "warmup_seconds": warmup,
        "gui_rss_mb": [gui0, gui1], "engine_rss_mb": [engine0, engine1],
        "gui_growth_mb": gui1 - gui0, "engine_growth_mb": engine1 - engine0,
        "gui_peak_growth_mb": max(s[1] for s in samples) - gui0,
        "engine_peak_growth_mb": max(s[2] for s in samples) - engine0,
        "steps": step1 - step0, "frames": frames1 - frames0, "last_step": snap.step,
        "loss_history_rows": len(snap.loss_history), "saturation_history_rows": len(snap.saturation_history),
        "history_capacity": HISTORY_POINTS,
        "loss_history_first_step": int(snap.loss_history[0, 0]),
        "loss_history_last_step": int(snap.loss_history[-1, 0]),
        "samples": samples, "tracemalloc_top": top,
    }


def report(figures: dict) -> str:
    f = figures
    lines = [
        f"training flat out for {f['seconds']:.0f} s after a {f['warmup_seconds']:.0f} s warm-up "
        f"({f['steps']} steps, {f['frames']} frames drawn):",
        f"  GUI process RSS {f['gui_rss_mb'][0]:.1f} -> {f['gui_rss_mb'][1]:.1f} MB "
        f"(growth {f['gui_growth_mb']:+.1f} MB, peak {f['gui_peak_growth_mb']:+.1f})",
        f"  engine child RSS {f['engine_rss_mb'][0]:.1f} -> {f['engine_rss_mb'][1]:.1f} MB "
        f"(growth {f['engine_growth_mb']:+.1f} MB, peak {f['engine_peak_growth_mb']:+.1f})",
        f"  histories at step {f['last_step']}: loss {f['loss_history_rows']} rows, saturation "
        f"{f['saturation_history_rows']} rows (capacity {f['history_capacity']}); loss curve from step "
        f"{f['loss_history_first_step']} to {f['loss_history_last_step']}",
    ]
    lines += [f"  {line}" for line in f["tracemalloc_top"]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="measured time after the warm-up (default 10)")
    parser.add_argument("--warmup", type=float, default=60.0, help="warm-up seconds (default 60)")
    parser.add_argument("--tracemalloc", action="store_true", help="list the Python allocations that grew most")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    figures = run(60 * args.minutes, args.warmup, args.tracemalloc)
    print(json.dumps(figures) if args.json else report(figures))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        print(json.dumps(worker(float(sys.argv[2]), float(sys.argv[3]), "--tracemalloc" in sys.argv)))
    else:
        main()
