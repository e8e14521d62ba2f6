"""Test setup: Qt draws offscreen, and no test may leave a worker thread running."""

import os
import threading

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pytest  # noqa: E402


def pytest_addoption(parser):
    parser.addoption("--long", action="store_true", default=False,
                     help="the long forms of the slow tests (random use: 5000 actions)")


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
