"""Test setup: Qt draws offscreen, and no test may leave a worker thread running."""

import gc
import os
import threading

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pytest  # noqa: E402


@pytest.fixture(params=["dark", "light"])
def theme(request):
    """Each view test runs in both themes."""
    from winit_gui.app import theme as themes

    return themes.load(request.param)


@pytest.fixture
def open_window(qtbot):
    """Make a MainWindow (its arguments), shown at 1600 x 1000 with its engine's first snapshot;
    closed at the end, engine stopped."""
    from winit_gui.app.main_window import MainWindow

    windows = []

    def make(**kwargs):
        window = MainWindow(**kwargs)
        qtbot.addWidget(window)
        window.resize(1600, 1000)
        window.show()
        qtbot.waitExposed(window)
        # serial 0 is the picture the window makes itself; wait for the engine's first
        qtbot.waitUntil(lambda: window.snapshot.serial >= 1, timeout=10_000)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        assert not window.bridge.running


@pytest.fixture(autouse=True)
def no_thread_left_running():
    before = set(threading.enumerate())
    yield
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for t in left:
        t.join(timeout=2)
    alive = [t.name for t in left if t.is_alive()]
    assert not alive, f"threads left running: {alive}"


@pytest.fixture(autouse=True)
def collect_closed_widgets(request):
    """After a test with widgets, delete what it closed now, while Qt is still consistent.

    Left to a later garbage collection, a pyqtgraph item of a closed view was deleted in the
    middle of another test, with a resize event still queued for it: a crash far from its cause.
    """
    yield
    if "qtbot" not in request.fixturenames:
        return
    from PySide6 import QtCore, QtWidgets

    app = QtWidgets.QApplication.instance()
    app.processEvents()
    gc.collect()
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.DeferredDelete)
    app.processEvents()
