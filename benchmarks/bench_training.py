"""Training steps per second of MLP.train_step, for a small, a medium and a large network, and the
time of the display pass (snapshot.build) for the default lesson, a medium and a wide, deep net.

    python benchmarks/bench_training.py [--seconds 2] [--blas-threads N]

Not a test: it prints numbers. The small net is the app's default (Python-overhead bound: what
counts there is the number of numpy calls per step); the large one is BLAS bound. With
threadpoolctl installed, the BLAS thread pools are listed and the large case is also run on one
thread; without it, ``--blas-threads N`` sets the usual environment variables before numpy is
imported (a multi-threaded BLAS competing with a busy core, e.g. the GUI thread, can be many
times slower than one BLAS thread on these small matrices: compare the two).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per case (default 2)")
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="BLAS threads (sets OPENBLAS/OMP/MKL_NUM_THREADS before importing numpy)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    ARGS = parse_args()
    if ARGS.blas_threads is not None:  # before numpy is imported, or it would not count
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(ARGS.blas_threads)

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from winit_gui import optimizers, snapshot, statistics  # noqa: E402
from winit_gui.network import MLP  # noqa: E402
from winit_gui.settings import Settings  # noqa: E402
from winit_gui.training import Trainer  # noqa: E402

CASES = [
    # label, sizes, activation, head, batch, optimizer
    ("2 -> 6x8 tanh -> 1, batch 32, sgd", [2] + [8] * 6 + [1], "tanh", "sigmoid_bce", 32, "sgd"),
    ("2 -> 6x8 tanh -> 1, batch 32, adam", [2] + [8] * 6 + [1], "tanh", "sigmoid_bce", 32, "adam"),
    ("2 -> 10x64 tanh -> 1, batch 128, sgd", [2] + [64] * 10 + [1], "tanh", "sigmoid_bce", 128, "sgd"),
    ("784 -> 4x512 relu -> 10 softmax, batch 256, sgd", [784] + [512] * 4 + [10], "relu", "softmax_ce", 256, "sgd"),
]


BUILD_CASES = [
    ("default lesson: 2 -> 6x8 tanh -> 1", Settings()),
    ("2 -> 10x64 tanh -> 1", Settings(depth=10, width=64)),
    ("256 -> 20x256 tanh -> 1, normal data", Settings(depth=20, width=256, dataset="normal")),
]


def glorot_uniform(shape, rng):
    limit = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-limit, limit, shape)


def bench(sizes, activation, head, batch, optimizer, seconds):
    rng = np.random.default_rng(0)
    net = MLP(sizes, activation, head)
    net.initialize(glorot_uniform, rng)
    X = rng.standard_normal((batch, sizes[0]))
    if head == "softmax_ce":
        y = rng.integers(0, sizes[-1], batch)
    else:
        y = (X[:, :1] * X[:, 1:2] > 0).astype(float)
    opt = optimizers.make(optimizer, 0.01)
    for _ in range(3):                              # warm up: buffers, optimizer state
        net.train_step(X, y, opt)
    steps, start = 0, time.perf_counter()
    chunk = 1
    while True:
        for _ in range(chunk):
            net.train_step(X, y, opt)
        steps += chunk
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return steps / elapsed
        chunk = min(chunk * 2, 1000)


def bench_torch(sizes, activation, head, batch, optimizer, seconds):
    """The same network, data shapes and optimizer step in PyTorch on one CPU thread (float64,
    as the app's network): the reference for ``bench``. None when PyTorch is not installed: it is
    never a dependency of this project."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    torch.manual_seed(0)
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(fan_in, fan_out, dtype=torch.float64))
        if i < len(sizes) - 2:
            layers.append(torch.nn.Tanh() if activation == "tanh" else torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    X = torch.randn(batch, sizes[0], dtype=torch.float64)
    if head == "softmax_ce":
        y, loss_fn = torch.randint(0, sizes[-1], (batch,)), torch.nn.CrossEntropyLoss()
    else:
        y, loss_fn = (X[:, :1] * X[:, 1:2] > 0).double(), torch.nn.BCEWithLogitsLoss()
    opt = (torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam)(net.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        loss_fn(net(X), y).backward()
        opt.step()

    for _ in range(3):
        step()
    steps, start, chunk = 0, time.perf_counter(), 1
    while True:
        for _ in range(chunk):
            step()
        steps += chunk
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return steps / elapsed
        chunk = min(chunk * 2, 1000)


def bench_statistics(sizes, activation, head, samples=512, repeats=20):
    """Milliseconds of one full statistics pass (forward, backward, every layer's summary)."""
    rng = np.random.default_rng(0)
    net = MLP(sizes, activation, head)
    net.initialize(glorot_uniform, rng)
    X = rng.standard_normal((samples, sizes[0]))
    y = rng.integers(0, sizes[-1], samples) if head == "softmax_ce" else (X[:, :1] > 0).astype(float)
    statistics.compute(net, X, y)
    start = time.perf_counter()
    for _ in range(repeats):
        statistics.compute(net, X, y)
    return (time.perf_counter() - start) / repeats * 1e3


def bench_snapshot(settings, playing, repeats=40):
    """Median and best milliseconds of snapshot.build, after a slider move (a new gain) or, while
    playing, after a training step (the update ratio is then computed too); neither is timed.
    Also the samples the statistics used."""
    trainer = Trainer(settings)
    times = []
    for i in range(repeats + 1):
        if playing:
            trainer.train(1)
        else:
            trainer.apply(settings.replace(gain=1.0 + 0.01 * (i % 2)))
        start = time.perf_counter()
        snap = snapshot.build(trainer, i, playing)
        times.append(time.perf_counter() - start)
    times = np.array(times[1:]) * 1e3                    # the first build allocates the caches
    return float(np.median(times)), float(times.min()), snap.stats.samples


def main():
    args = ARGS
    print(f"numpy {np.__version__}, Python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, BLAS threads: "
          f"{args.blas_threads if args.blas_threads is not None else 'default'}")
    try:
        import threadpoolctl
    except ImportError:
        threadpoolctl = None
        print("threadpoolctl not installed")
    else:
        for pool in threadpoolctl.threadpool_info():
            print(f"  {pool.get('internal_api')}: {pool.get('num_threads')} threads")
    print()
    for label, sizes, activation, head, batch, optimizer in CASES:
        rate = bench(sizes, activation, head, batch, optimizer, args.seconds)
        print(f"{label:52s} {rate:10.1f} steps/s  ({1e3 / rate:8.3f} ms/step)")
        reference = bench_torch(sizes, activation, head, batch, optimizer, args.seconds)
        if reference is not None:
            print(f"{'  PyTorch, 1 thread':52s} {reference:10.1f} steps/s  ({rate / reference:.1f}x)")
    print()
    for label, sizes, activation, head, _, _ in CASES:
        if "adam" not in label:
            ms = bench_statistics(sizes, activation, head)
            print(f"{'statistics pass, 512 samples: ' + label.split(',')[0]:52s} {ms:10.2f} ms")
    print()
    for label, settings in BUILD_CASES:
        for what, playing in (("slider move", False), ("playing", True)):
            median, best, samples = bench_snapshot(settings, playing)
            print(f"{'snapshot.build, ' + what + ': ' + label:68s} {median:8.2f} ms median"
                  f" {best:8.2f} best  ({samples} samples)")
    if threadpoolctl is not None:
        label, sizes, activation, head, batch, optimizer = CASES[-1]
        with threadpoolctl.threadpool_limits(1):
            rate = bench(sizes, activation, head, batch, optimizer, args.seconds)
        print(f"{label + ', 1 thread':52s} {rate:10.1f} steps/s  ({1e3 / rate:8.3f} ms/step)")


if __name__ == "__main__":
    main()
