"""What the theory picture adds to snapshot.build: per frame while training (the cached picture
plus this frame's measured variances) and per re-initialization (a slider move: the length map,
χ₁ and both Jacobians with their singular values), beside the whole build of the same frame.

    python benchmarks/bench_theory.py [--repeats 20]

Not a test: it prints numbers, wall-clock medians over the repeats (CPU time would count the
BLAS threads' spinning twice), with the cases interleaved so that a busy machine slows all of
them alike; run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import statistics as stats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from winit_gui import presets, snapshot, theory  # noqa: E402
from winit_gui.settings import Settings  # noqa: E402
from winit_gui.training import Trainer  # noqa: E402

CASES = {
    "start (6 x 8 tanh)": presets.load("start").settings,
    "20 x 256 tanh, normal": Settings(activation="tanh", depth=20, width=256, dataset="normal"),
    "edge-of-chaos (30 x 256)": presets.load("edge-of-chaos").settings,
}


def cpu(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    for name, settings in CASES.items():
        plane = cpu(lambda: theory.phase_plane(settings.activation))
        print(f"{name}: phase plane, once per activation: {plane * 1e3:.0f} ms")
    trainers = {name: Trainer(settings) for name, settings in CASES.items()}
    for trainer in trainers.values():
        trainer.initial_theory()
    times = {name: {"frame": [], "frame, theory part": [], "re-init": [], "re-init, theory part": []}
             for name in CASES}
    for i in range(args.repeats):
        for name, trainer in trainers.items():
            row = times[name]
            row["frame"].append(cpu(lambda: snapshot.build(trainer, i, True)))
            row["frame, theory part"].append(cpu(lambda: theory.with_measurement(
                trainer.initial_theory(), [1.0] * trainer.settings.depth)))
            gain = 1.0 + 0.01 * (i + 1)
            trainer.apply(trainer.settings.replace(gain=gain))
            row["re-init"].append(cpu(lambda: snapshot.build(trainer, i, False)))
            trainer.apply(trainer.settings.replace(gain=gain + 0.005))
            row["re-init, theory part"].append(cpu(trainer.initial_theory))
    for name, row in times.items():
        print(name + ": " + ", ".join(f"{key} {stats.median(v) * 1e3:.2f} ms" for key, v in row.items()))


if __name__ == "__main__":
    main()
