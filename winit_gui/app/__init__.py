"""The Qt side of winit_gui: main window, engine bridge, views, export.

``main`` parses the command line before importing Qt, so ``winit-gui stats`` and every bad
flag answer without paying for (or needing) a Qt import.
"""

from __future__ import annotations

import os
import sys
from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
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
