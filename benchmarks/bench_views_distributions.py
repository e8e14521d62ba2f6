"""Milliseconds per frame of the activation, saturation and gradient views (not a test).

    PYTHONPATH=. QT_QPA_PLATFORM=offscreen python benchmarks/bench_views_distributions.py [--frames N]

For each network it alternates two snapshots (so every frame really changes the data) and prints
the median ``render`` (the view's update: setData/setText/setOpts) and ``render+paint`` (the update plus
drawing the whole 800x500 view into a pixmap, as the screen would).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from PySide6 import QtWidgets  # noqa: E402

from winit_gui import snapshot  # noqa: E402
from winit_gui.app import theme as themes  # noqa: E402
from winit_gui.app.views.activations import ActivationView  # noqa: E402
from winit_gui.app.views.gradients import GradientView  # noqa: E402
from winit_gui.app.views.saturation import SaturationView  # noqa: E402
from winit_gui.settings import Settings  # noqa: E402
from winit_gui.training import Trainer  # noqa: E402

NETWORKS = {
    "default (6 x 8, tanh)": Settings(),
    "30 x 256 relu (he-relu)": Settings(dataset="normal", depth=30, width=256, activation="relu", init="he_normal"),
    "50 layers (49 x 32, tanh)": Settings(dataset="normal", depth=49, width=32, activation="tanh"),
}


def two_snapshots(settings: Settings) -> list[snapshot.Snapshot]:
    trainer = Trainer(settings)
    first = snapshot.build(trainer, serial=1, playing=True)
    for _ in range(20):  # some saturation history for the heat map
        trainer.train(5)
        snapshot.build(trainer, serial=2, playing=True)
    return [first, snapshot.build(trainer, serial=3, playing=True)]


def timed(fn, frames: int) -> float:
    """Median milliseconds per frame (the median shrugs off other processes' bursts)."""
    fn(0)  # warm up (first layout, fonts)
    fn(1)
    times = []
    for i in range(frames):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--theme", default="dark", choices=themes.THEMES)
    args = parser.parse_args()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    theme = themes.load(args.theme)
    print(f"{'network':28s} {'view':16s} {'render':>9s} {'render+paint':>13s}")
    for label, settings in NETWORKS.items():
        snaps = two_snapshots(settings)
        for cls in (ActivationView, SaturationView, GradientView):
            view = cls(theme)
            view.resize(800, 500)
            view.show()
            app.processEvents()

            def render(i, view=view):
                view.render(snaps[i % 2])

            def render_and_paint(i, view=view):
                view.render(snaps[i % 2])
                view.grab()

            update_ms = timed(render, args.frames)
            paint_ms = timed(render_and_paint, max(10, args.frames // 4))
            print(f"{label:28s} {cls.__name__:16s} {update_ms:7.2f}ms {paint_ms:11.2f}ms")
            view.close()
            view.deleteLater()
            app.processEvents()


if __name__ == "__main__":
    main()
