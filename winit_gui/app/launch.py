"""Start the GUI: the QApplication, its interpreter settings, the main window."""

from __future__ import annotations

import argparse
import sys

from winit_gui import experiment as experiments

SWITCH_INTERVAL = 0.001
"""The interpreter hands the GIL between threads this often (default 5 ms). Measured here: with
a trainer running flat out, 1 ms took the GUI's event-loop lag from 43 ms to 1 ms (33 to 62
frames per second) while the trainer kept 89 % of its speed."""


def run_gui(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    loaded = None
    if args.load:
        try:
            loaded = experiments.load(args.load)
        except experiments.ExperimentFileError as err:
            parser.error(str(err))
    sys.setswitchinterval(SWITCH_INTERVAL)
    from PySide6 import QtWidgets

    from winit_gui.app.main_window import MainWindow

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("winit_gui")
    window = MainWindow(preset=args.preset, experiment=loaded, theme=args.theme or "dark")
    window.show()
    return app.exec()
