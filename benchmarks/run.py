"""Every performance figure of the app in one run, each next to its target (issue 11).

    python benchmarks/run.py            # the full form: about 15 minutes (the memory run is 10 of them)
    python benchmarks/run.py --quick    # about three minutes: shorter runs, fewer repeats, a 30 s memory run
    python benchmarks/run.py --json     # one JSON object instead of the table
    python benchmarks/run.py --only training,slider   # some sections only

It prints one table: figure | measured | target | reference | pass. A reference is measured in
the same run (PyTorch on one thread, if it happens to be installed; the bare trainer; the bare
PySide6 + pyqtgraph window), because this machine's speed drifts from minute to minute. The
timed sections run one after another with nothing else of this run beside them; the memory run
and the instruction counts (callgrind), which no load changes, then run side by side. The
pieces are the other scripts here (bench_app, bench_training, bench_memory,
bench_frame_instructions), each of which also runs alone.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the app runs (winit_gui/app/__init__.py)

import numpy as np  # noqa: E402

SECTIONS = ("training", "gui", "slider", "launch", "memory", "instructions")

FULL = dict(train_seconds=2.0, gui_seconds=5.0, bare_seconds=3.0, slider_moves=60, drag_moves=120,
            launches=5, memory_seconds=600.0, memory_warmup=60.0, frames=40)
# The quick run's trainer share and launch ratio are ratios of two noisy times: with 2 s of GUI
# between 1 s alone before and after, the lecture net's share gave 59-84 % in three runs within
# 20 minutes while 5 s runs gave 83-87 %, and a median of 2 launches 1.39-1.87x. Their windows
# and repeats are longer than the other quick figures' (some 20 s more in all).
QUICK = dict(train_seconds=0.5, gui_seconds=4.0, bare_seconds=2.0, slider_moves=20, drag_moves=60,
             launches=5, memory_seconds=30.0, memory_warmup=10.0, frames=20)

LECTURE = "2->6x8 tanh b32"


@dataclass
class Figure:
    section: str
    name: str
    value: float | None
    unit: str
    target: str = ""
    passed: bool | None = None
    """None where there is no target, or nothing to compare (no PyTorch, no valgrind)."""
    reference: float | None = None
    reference_note: str = ""
    note: str = ""


def at_most(value, limit):
    return None if value is None else bool(value <= limit)


def at_least(value, limit):
    return None if value is None else bool(value >= limit)


def training_figures(p: dict) -> list[Figure]:
    """MLP.train_step alone on the issue's three nets, PyTorch on one thread beside them."""
    import bench_training

    cases = {LECTURE: bench_training.CASES[0], "2->10x64 tanh b128": bench_training.CASES[2],
             "784->4x512 relu->10 b256": bench_training.CASES[3]}
    out = []
    for name, (_, sizes, activation, head, batch, optimizer) in cases.items():
        ours = bench_training.bench(sizes, activation, head, batch, optimizer, p["train_seconds"])
        torch = bench_training.bench_torch(sizes, activation, head, batch, optimizer, p["train_seconds"])
        lecture = name == LECTURE
        out.append(Figure(
            "training", f"trainer steps/s, {name}, alone", ours, "steps/s",
            target=">= 3x PyTorch (1 thread)" if lecture else "",
            passed=at_least(ours / torch, 3.0) if lecture and torch else None,
            reference=torch, reference_note="torch not installed" if torch is None else
            f"PyTorch 1 thread ({ours / torch:.1f}x)"))
    return out


def gui_settings():
    from winit_gui.settings import Settings

    # The app's networks have one output unit: the large net is 784 -> 4x512 relu -> 1 here.
    return {LECTURE: Settings(),
            "2->10x64 tanh b128": Settings(depth=10, width=64, batch_size=128),
            "784->4x512 relu->1 b256": Settings(dataset="normal", input_dim=784, depth=4, width=512,
                                                activation="relu", init="he_normal", batch_size=256)}


def gui_figures(p: dict, app) -> list[Figure]:
    """The trainer's share with the window attached; the event loop while training and dragging."""
    import bench_app

    out = []
    lecture = None
    for name, settings in gui_settings().items():
        share = bench_app.trainer_share(app, settings, p["gui_seconds"], p["bare_seconds"])
        lecture = lecture or share
        out.append(Figure(
            "gui", f"trainer steps/s, {name}, GUI attached", share["steps_per_s"], "steps/s",
            target=">= 80 % of alone", passed=at_least(share["share"], 0.8),
            reference=share["alone_steps_per_s"],
            reference_note=f"alone, before and after ({100 * share['share']:.0f} %)"))
    drag = bench_app.training_under_gui(app, gui_settings()[LECTURE], p["gui_seconds"], drag=True)
    for label, run in (("training", lecture), ("dragging during training", drag)):
        out += [
            Figure("gui", f"event-loop lag p50, {label}", run["lag_median_ms"], "ms"),
            Figure("gui", f"event-loop lag p99, {label}", run["lag_p99_ms"], "ms", target="<= 20 ms",
                   passed=at_most(run["lag_p99_ms"], 20.0)),
            Figure("gui", f"repaints/s, {label}", run["repaints_per_s"], "/s"),
        ]
    return out


def slider_figures(p: dict, app) -> list[Figure]:
    import bench_app
    from winit_gui.settings import Settings

    out = []
    default = bench_app.slider_latency(app, Settings(), p["slider_moves"])
    big = bench_app.slider_latency(app, Settings(depth=20, width=256, dataset="normal"), p["slider_moves"])
    drag = bench_app.slider_drag(app, Settings(), p["drag_moves"])
    for label, ms, median_limit, p95_limit in (("default lesson", default, 20.0, 35.0),
                                               ("20 x 256", big, None, 60.0),
                                               ("continuous drag, default lesson", drag, None, None)):
        median, p95 = float(np.median(ms)), float(np.percentile(ms, 95))
        out += [
            Figure("slider", f"slider to all views repainted, median, {label}", median, "ms",
                   target=f"<= {median_limit:g} ms" if median_limit else "",
                   passed=at_most(median, median_limit) if median_limit else None),
            Figure("slider", f"slider to all views repainted, p95, {label}", p95, "ms",
                   target=f"<= {p95_limit:g} ms" if p95_limit else "",
                   passed=at_most(p95, p95_limit) if p95_limit else None),
        ]
    return out


def launch_figures(p: dict) -> list[Figure]:
    import bench_app

    app_times, floor_times = [], []
    for _ in range(p["launches"]):  # alternated: a drift in the machine's speed hits both alike
        app_times.append(bench_app.launch_time("app"))
        floor_times.append(bench_app.launch_time("floor"))
    launch, floor = float(np.median(app_times)), float(np.median(floor_times))
    return [Figure("launch", "launch to first painted window", launch, "s", target="<= 1.6x the floor",
                   passed=at_most(launch / floor, 1.6), reference=floor,
                   reference_note=f"floor: PySide6 + pyqtgraph, one empty PlotWidget ({launch / floor:.2f}x)")]


def memory_figures(p: dict) -> list[Figure]:
    import bench_memory

    m = bench_memory.run(p["memory_seconds"], p["memory_warmup"])
    short = p["memory_seconds"] < 600
    note = (f"{m['seconds']:.0f} s after a {m['warmup_seconds']:.0f} s warm-up"
            + (" (quick: the target is for 10 minutes)" if short else ""))
    out = [Figure("memory", f"memory growth, {process} process", m[f"{key}_growth_mb"], "MB",
                  target="< 20 MB in 10 min", passed=bool(m[f"{key}_growth_mb"] < 20),
                  reference=m[f"{key}_rss_mb"][0], reference_note="RSS after warm-up", note=note)
           for process, key in (("GUI", "gui"), ("engine", "engine"))]
    bounded = (m["loss_history_rows"] <= m["history_capacity"] and m["saturation_history_rows"] <= m["history_capacity"]
               and m["loss_history_first_step"] == 0)
    out.append(Figure("memory", "loss history rows at the end", m["loss_history_rows"], "rows",
                      target=f"<= {m['history_capacity']}, from step 0", passed=bounded,
                      note=f"steps 0 to {m['loss_history_last_step']} of {m['last_step']}"))
    return out


def instruction_figures(p: dict) -> list[Figure]:
    import bench_frame_instructions

    counts = bench_frame_instructions.frame_instructions(p["frames"]) or {}
    note = f"mean of {p['frames']} frames" if counts else "valgrind not installed"
    return [Figure("instructions", f"instructions per frame, six views, 1600x1000, {kind} frame",
                   counts[kind] / 1e6 if counts else None, "M", target="<= 30 M",
                   passed=at_most(counts[kind] / 1e6, 30.0) if counts else None, note=note)
            for kind in ("slider", "training")]


def quiet_offscreen(kind, context, message: str) -> None:
    """Qt's messages to stderr, less the offscreen platform's note for every window shown."""
    if message != "This plugin does not support propagateSizeHints()":
        print(message, file=sys.stderr)


def run(p: dict, sections) -> list[Figure]:
    figures = []
    if "training" in sections:
        figures += training_figures(p)
    if {"gui", "slider"} & set(sections):
        from PySide6 import QtCore, QtWidgets

        from winit_gui.app.launch import SWITCH_INTERVAL

        QtCore.qInstallMessageHandler(quiet_offscreen)
        sys.setswitchinterval(SWITCH_INTERVAL)
        app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
        if "gui" in sections:
            figures += gui_figures(p, app)
        if "slider" in sections:
            figures += slider_figures(p, app)
    if "launch" in sections:
        figures += launch_figures(p)
    # No load changes a count of instructions or of bytes: these two share the machine.
    side_by_side = [f for name, f in (("memory", memory_figures), ("instructions", instruction_figures))
                    if name in sections]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for part in list(pool.map(lambda f: f(p), side_by_side)):
            figures += part
    return figures


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return f"{text} {unit}".strip()


def table(figures: list[Figure]) -> str:
    rows = [("figure", "measured", "target", "reference", "pass")]
    for f in figures:
        reference = " ".join(filter(None, [number(f.reference, f.unit) if f.reference is not None else "",
                                           f.reference_note]))
        measured = number(f.value, f.unit) + (f" ({f.note})" if f.note else "")
        rows.append((f.name, measured, f.target or "-", reference or "-",
                     {True: "pass", False: "FAIL", None: "-"}[f.passed]))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def context(quick: bool) -> dict:
    import shutil

    try:
        import torch  # noqa: F401
        torch_status = f"PyTorch {torch.__version__}"
    except ImportError:
        torch_status = "torch not installed"
    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "mode": "quick" if quick else "full",
            "python": platform.python_version(), "numpy": np.__version__, "machine": platform.machine(),
            "cpus": os.cpu_count(), "load_average": os.getloadavg()[0],
            "platform": os.environ["QT_QPA_PLATFORM"], "torch": torch_status,
            "valgrind": shutil.which("valgrind") is not None}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs and fewer repeats (about three minutes)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections, of: {', '.join(SECTIONS)} (default all)")
    args = parser.parse_args(argv)
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section {unknown[0]!r}; valid: {', '.join(SECTIONS)}")
    p = QUICK if args.quick else FULL
    about = context(args.quick)
    figures = run(p, sections)
    if args.json:
        print(json.dumps({**about, "figures": [asdict(f) for f in figures]}))
        return
    print(f"{about['date']}, {about['mode']} run ({'memory run %.0f s' % p['memory_seconds']}), "
          f"Python {about['python']}, numpy {about['numpy']}, {about['cpus']} CPUs, load average "
          f"{about['load_average']:.1f} at the start, QT_QPA_PLATFORM={about['platform']}, {about['torch']}")
    print(table(figures))


if __name__ == "__main__":
    main()
