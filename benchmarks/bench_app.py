"""The app's speed targets (issue 3), measured and printed; nothing is asserted.

    python benchmarks/bench_app.py            # offscreen
    QT_QPA_PLATFORM=xcb python benchmarks/bench_app.py   # under a real X server (e.g. Xvfb)

1. Slider move to every view repainted (median, p95), paused, on the default lesson and at 20 x 256;
   and a continuous drag, a move every 16 ms, each move until it or a later one is on screen.
2. Training flat out in the worker: GUI event-loop lag (p99), repaints per second, and the
   trainer's steps per second against the same Trainer with no GUI.
   The same while the slider is dragged during training.
3. Launch to first painted window (a fresh interpreter, imports included), next to the bare
   floor: PySide6 and pyqtgraph imported and one empty PlotWidget painted.
Also: what one frame costs, view by view (CPU time of render and paint).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from PySide6 import QtCore, QtWidgets  # noqa: E402

from winit_gui.app.launch import SWITCH_INTERVAL  # noqa: E402
from winit_gui.app.main_window import MainWindow  # noqa: E402
from winit_gui.experiment import Experiment  # noqa: E402
from winit_gui.settings import Settings  # noqa: E402
from winit_gui.training import Trainer  # noqa: E402


def run_loop(seconds: float) -> None:
    """Let the event loop run (sleeping when idle, as app.exec() does) for ``seconds``."""
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()


def wait_shown(window, condition, timeout: float = 10.0) -> None:
    """Run the event loop until the window has drawn a snapshot that meets ``condition``."""
    if window.snapshot is not None and condition(window.snapshot):
        return
    loop = QtCore.QEventLoop()

    def check(snap):
        if condition(snap):
            loop.quit()

    window.snapshotShown.connect(check)
    QtCore.QTimer.singleShot(round(timeout * 1000), loop.quit)
    loop.exec()
    window.snapshotShown.disconnect(check)


def slider_latency(app, settings: Settings, moves: int = 60) -> np.ndarray:
    window = MainWindow(experiment=Experiment(settings))
    window.resize(1600, 1000)
    window.show()
    wait_shown(window, lambda snap: snap.serial > 0)  # the engine is up (its start is launch time)
    slider = window.controls.gain_slider
    times = []
    for i in range(moves):
        position = (i % 40) * 5 - 100
        if position == slider.value():
            position += 1
        start = time.perf_counter()
        slider.setValue(position)
        target = window.controls.settings.gain
        wait_shown(window, lambda snap: snap.settings.gain == target)  # drawn and painted
        times.append(time.perf_counter() - start)
        run_loop(0.03)
    window.close()
    return np.array(times) * 1000


def slider_drag(app, settings: Settings, moves: int = 120, interval_ms: int = 16) -> np.ndarray:
    """A continuous drag: a new slider position every ``interval_ms`` (a mouse's event rate). For
    each move, the time until the screen shows it or a later move (a frame may skip moves that
    a newer one overtook, as a drag does)."""
    window = MainWindow(experiment=Experiment(settings))
    window.resize(1600, 1000)
    window.show()
    wait_shown(window, lambda snap: snap.serial > 0)  # the engine is up (its start is launch time)
    slider = window.controls.gain_slider
    gains, moved, shown = [], [], []  # gain and time of each move; time and move index of each frame

    def on_shown(snap):
        if snap.settings.gain in gains:  # the newest move to that value (a drag passes it again)
            shown.append((time.perf_counter(), len(gains) - 1 - gains[::-1].index(snap.settings.gain)))

    window.snapshotShown.connect(on_shown)

    def move():
        if len(moved) == moves:
            timer.stop()
            return
        # back and forth between 0.1x and 10x, as a lecturer's drag goes
        slider.setValue(round(slider.maximum() / 2 * math.sin(len(moved) / 8)))
        gains.append(window.controls.settings.gain)
        moved.append(time.perf_counter())

    timer = QtCore.QTimer(interval=interval_ms, timerType=QtCore.Qt.PreciseTimer, timeout=move)
    timer.start()
    wait_shown(window, lambda snap: len(moved) == moves and snap.settings.gain == gains[-1], timeout=30)
    window.close()
    latencies = []
    for i, t in enumerate(moved):
        first = next((when for when, index in shown if index >= i and when >= t), None)
        if first is not None:
            latencies.append(first - t)
    return np.array(latencies) * 1000


def training_under_gui(app, settings: Settings, seconds: float = 5.0, drag: bool = False) -> dict:
    """Training flat out in the engine while the window draws: the event loop's lag (a 5 ms timer's
    lateness), repaints per second and the trainer's steps per second. With ``drag``, the slider
    also moves every 16 ms meanwhile (each move re-initializes the network, so no steps/s then)."""
    window = MainWindow(experiment=Experiment(settings))
    window.resize(1600, 1000)
    window.show()
    wait_shown(window, lambda snap: snap.serial > 0)  # the engine is up (its start is launch time)
    shown = []
    window.snapshotShown.connect(lambda _: shown.append(time.perf_counter()))
    lags, last = [], [time.perf_counter()]
    interval_ms = 5

    def tick():
        now = time.perf_counter()
        lags.append((now - last[0]) * 1000 - interval_ms)
        last[0] = now

    slider, moves = window.controls.gain_slider, [0]

    def move():
        moves[0] += 1
        slider.setValue(round(slider.maximum() / 2 * math.sin(moves[0] / 8)))

    timer = QtCore.QTimer(interval=interval_ms, timerType=QtCore.Qt.PreciseTimer, timeout=tick)
    mover = QtCore.QTimer(interval=16, timerType=QtCore.Qt.PreciseTimer, timeout=move)
    window.play_button.setChecked(True)
    wait_shown(window, lambda snap: snap.step > 0)
    step0, t0 = window.snapshot.step, time.perf_counter()
    last[0] = t0
    timer.start()
    if drag:
        mover.start()
    shown.clear()
    run_loop(seconds)
    timer.stop()
    mover.stop()
    steps = window.snapshot.step - step0
    elapsed = time.perf_counter() - t0
    window.close()
    return {"lag_p99_ms": float(np.percentile(lags, 99)), "lag_median_ms": float(np.median(lags)),
            "repaints_per_s": len(shown) / elapsed, "steps_per_s": None if drag else steps / elapsed}


def trainer_share(app, settings: Settings, seconds: float = 5.0, bare_seconds: float = 3.0) -> dict:
    """The trainer's steps per second with the window attached, against the same Trainer with no
    GUI measured just before and just after: this machine's speed drifts by half within minutes,
    so a baseline taken at another time would make the share meaningless."""
    before = bare_trainer(settings, bare_seconds)
    gui = training_under_gui(app, settings, seconds)
    after = bare_trainer(settings, bare_seconds)
    alone = (before + after) / 2
    return {**gui, "alone_before": before, "alone_after": after, "alone_steps_per_s": alone,
            "share": gui["steps_per_s"] / alone}


def frame_costs(app, settings: Settings, frames: int = 40) -> dict[str, tuple[float, float]]:
    """CPU milliseconds (median) of each view's render and paint in the 1600x1000 window, over
    snapshots of a training run (every frame changes every view)."""
    from winit_gui import snapshot as snapshots

    window = MainWindow(experiment=Experiment(settings), start_engine=False)
    window.resize(1600, 1000)
    window.show()
    run_loop(0.3)
    trainer = Trainer(settings)
    snaps = []
    for _ in range(20):
        trainer.train(100)
        snaps.append(snapshots.build(trainer, 1, True))
    costs = {view.objectName(): ([], []) for view in window.views}
    for i in range(frames):
        for view in window.views:
            start = time.thread_time()
            view.show_snapshot(snaps[i % len(snaps)])
            rendered = time.thread_time()
            window.paint_now([view])
            costs[view.objectName()][0].append(rendered - start)
            costs[view.objectName()][1].append(time.thread_time() - rendered)
    window.close()
    return {name: (1000 * float(np.median(r)), 1000 * float(np.median(p))) for name, (r, p) in costs.items()}


def bare_trainer(settings: Settings, seconds: float = 3.0) -> float:
    trainer = Trainer(settings)
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.train(50)
    return trainer.step / (time.perf_counter() - start)


LAUNCH_CODE = {
    "app": (
        "from PySide6 import QtCore, QtWidgets; app = QtWidgets.QApplication([])\n"
        "from winit_gui.app.main_window import MainWindow\n"
        "w = MainWindow(); w.show()\n"
        "while w.snapshot is None: app.processEvents()\n"
        "[v.repaint() for v in w.views]\n"
    ),
    # The floor: what any PySide6 + pyqtgraph window costs before it shows anything of its own.
    "floor": (
        "from PySide6 import QtCore, QtWidgets; app = QtWidgets.QApplication([])\n"
        "import pyqtgraph as pg\n"
        "w = pg.PlotWidget(); w.resize(1600, 1000); w.show()\n"
        "w.repaint()\n"
    ),
}


def launch_time(kind: str = "app") -> float:
    """Seconds from starting a fresh interpreter (``kind`` "app": the main window; "floor": one
    empty pyqtgraph PlotWidget) to its first painted window: interpreter start-up and imports
    included, as a user waits for them.

    Both launch with their modules' bytecode at hand, as every launch after a user's first
    does: pip compiles an installed package, and Python writes the bytecode of an editable one
    at its first import. (A PYTHONDONTWRITEBYTECODE in the environment, as on this project's
    machines, had the app compile the 49 modules it imports at every launch, some 0.2 s, against a floor
    whose pyqtgraph pip had compiled.) So the first launch of each kind writes what bytecode is
    missing, unmeasured."""
    code = (f"{LAUNCH_CODE[kind]}import time; print(time.time())\n"
            "QtCore.QTimer.singleShot(0, w.close); app.exec()\n")
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    if kind not in _compiled:
        subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, env=env)
        _compiled.add(kind)
    start = time.time()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    return float(out.split()[-1]) - start


_compiled: set[str] = set()
"""Kinds whose bytecode-writing first launch has run in this process."""


def main() -> None:
    sys.setswitchinterval(SWITCH_INTERVAL)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    print(f"platform: {app.platformName()}")
    for label, settings in (("default lesson", Settings()),
                            ("20 x 256 tanh", Settings(depth=20, width=256, dataset="normal"))):
        ms = slider_latency(app, settings)
        print(f"slider -> all views repainted, {label}: median {np.median(ms):.1f} ms, "
              f"p95 {np.percentile(ms, 95):.1f} ms")
    ms = slider_drag(app, Settings())
    print(f"continuous drag (a move every 16 ms) -> that move or a later one on screen, default lesson: "
          f"median {np.median(ms):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms")
    settings = Settings()
    costs = frame_costs(app, settings)
    print("one frame while training, CPU ms (render + paint): " +
          ", ".join(f"{name} {r:.1f} + {p:.1f}" for name, (r, p) in costs.items()) +
          f"; total {sum(r + p for r, p in costs.values()):.1f}")
    share = trainer_share(app, settings)
    print(f"training flat out, default lesson: event-loop lag p99 {share['lag_p99_ms']:.1f} ms "
          f"(median {share['lag_median_ms']:.1f}), {share['repaints_per_s']:.0f} repaints/s, "
          f"{share['steps_per_s']:.0f} steps/s vs {share['alone_before']:.0f} before and "
          f"{share['alone_after']:.0f} after with no GUI ({100 * share['share']:.0f} %)")
    drag = training_under_gui(app, settings, drag=True)
    print(f"dragging the slider while training: event-loop lag p99 {drag['lag_p99_ms']:.1f} ms "
          f"(median {drag['lag_median_ms']:.1f}), {drag['repaints_per_s']:.0f} repaints/s")
    print(f"launch to first painted window: {launch_time('app'):.2f} s from interpreter start "
          f"(bare floor, PySide6 + pyqtgraph and one empty PlotWidget: {launch_time('floor'):.2f} s)")


if __name__ == "__main__":
    main()
