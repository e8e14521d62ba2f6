"""Speed sanity check (not a test): milliseconds per render of the network, boundary and loss views.

    PYTHONPATH=. QT_QPA_PLATFORM=offscreen python benchmarks/bench_views_network.py

For each network it builds a few real snapshots (training in between, so the weights and the
edge buckets change from frame to frame), then times ``view.render(snapshot)`` alone and
render followed by a synchronous repaint of the widget (what a frame really costs); medians
over FRAMES frames.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg

from winit_gui import snapshot
from winit_gui.app import theme as theme_mod
from winit_gui.app.views.boundary import BoundaryView
from winit_gui.app.views.loss import LossView
from winit_gui.app.views.network import NetworkView
from winit_gui.settings import Settings
from winit_gui.training import Trainer

NETWORKS = {
    "default (circle, 6x8 tanh)": Settings(),
    "normal 20x256 relu": Settings(dataset="normal", depth=20, width=256, activation="relu", init="he_normal"),
    "normal 30x256 relu": Settings(dataset="normal", depth=30, width=256, activation="relu", init="he_normal"),
}
FRAMES = 40
SNAPSHOTS = 8


def snapshots(settings: Settings) -> list:
    trainer = Trainer(settings)
    out = []
    for i in range(SNAPSHOTS):
        out.append(snapshot.build(trainer, serial=i, playing=True))
        trainer.train(5)
    return out


def time_view(app, cls, theme, snaps) -> tuple[float, float]:
    view = cls(theme)
    view.resize(800, 500)
    view.show()
    app.processEvents()
    view.show_snapshot(snaps[0])
    app.processEvents()
    render_times, frame_times = [], []
    for i in range(FRAMES):
        t0 = time.perf_counter()
        view.render(snaps[i % len(snaps)])
        t1 = time.perf_counter()
        view.viewport().repaint()
        t2 = time.perf_counter()
        render_times.append(t1 - t0)
        frame_times.append(t2 - t0)
    # medians: the machine is shared, a mean would report the neighbours' load
    render_ms, frame_ms = 1e3 * float(np.median(render_times)), 1e3 * float(np.median(frame_times))
    view.close()
    return render_ms, frame_ms


def main() -> None:
    app = pg.mkQApp()
    theme = theme_mod.load("dark")
    print(f"{'network':30s} {'view':14s} {'render ms':>10s} {'+paint ms':>10s}")
    for name, settings in NETWORKS.items():
        snaps = snapshots(settings)
        for cls in (NetworkView, BoundaryView, LossView):
            render_ms, frame_ms = time_view(app, cls, theme, snaps)
            print(f"{name:30s} {cls.__name__:14s} {render_ms:10.2f} {frame_ms:10.2f}")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
