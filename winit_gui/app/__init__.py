"""The Qt side of winit_gui: main window, engine bridge, views, export.

``main`` parses the command line before importing Qt, so ``winit-gui stats`` and every bad
flag answer without paying for (or needing) a Qt import.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(argv)
    except KeyboardInterrupt:
        # Ctrl+C in stats, render or record, or before the window is up: what was being done
        # is dropped (files are written atomically, or frame by frame), without a traceback.
        return 128 + signal.SIGINT
    except BrokenPipeError:
        # stdout closed early (`winit-gui stats | head`): Python's documented way to exit quietly,
        # so that the interpreter's own flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _run(argv: Sequence[str] | None) -> int:
    # One BLAS thread: the worker shares two cores with the GUI, and a second OpenBLAS thread
    # collapsed training 4x whenever the other core was busy (measured on this project's machine).
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    from winit_gui import cli

    parser, args = cli.parse(sys.argv[1:] if argv is None else list(argv))
    if args.command == "stats":
        return cli.run_stats(parser, args)
    if getattr(args, "list_presets", False):
        from winit_gui import presets

        print("\n".join(presets.names()))
        return 0
    if args.command in ("render", "record"):
        from winit_gui.app import headless

        return headless.run(parser, args)
    from winit_gui.app.launch import run_gui

    return run_gui(parser, args)


def __getattr__(name: str):
    if name == "MainWindow":
        from winit_gui.app.main_window import MainWindow

        return MainWindow
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
