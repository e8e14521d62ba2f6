"""Start the GUI: the QApplication, its interpreter settings, the main window."""

from __future__ import annotations

import argparse
import signal
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
    interrupted = close_on_interrupt(app)
    window = MainWindow(preset=args.preset, experiment=loaded, theme=args.theme or "dark")
    if interrupted:  # while the window was being built: it never shows
        window.close()
        return INTERRUPTED
    window.show()
    status = app.exec()
    return INTERRUPTED if interrupted else status


INTERRUPTED = 128 + signal.SIGINT
"""The exit status after Ctrl+C, as a shell reports a program the signal ended."""


def close_on_interrupt(app) -> list:
    """Ctrl+C in the terminal closes the windows as their close button does (each engine is
    stopped and joined) and quits. Returns a list that is non-empty once Ctrl+C was pressed.

    Qt's event loop runs no Python while it waits, so Python's signal handler would wait for
    the next event (a window with nothing to do: forever); a timer wakes the loop to let it run.
    The handler only takes note: the timer closes and quits from inside the running loop. Done
    in the handler, the closing could land before ``app.exec()`` (inside ``show()``, say),
    where quit() does nothing and the loop then ran for ever with no window.
    """
    from PySide6 import QtCore

    interrupted = []

    def close_if_interrupted():
        if interrupted:
            for widget in app.topLevelWidgets():
                widget.close()
            app.quit()

    signal.signal(signal.SIGINT, lambda *_: interrupted.append(True))
    timer = QtCore.QTimer(app, interval=100)
    timer.timeout.connect(close_if_interrupted)
    timer.start()
    return interrupted
