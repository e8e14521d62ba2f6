"""The engine starts from any caller and ends with it: plain scripts in a fresh interpreter.

Each script runs in a subprocess with a timeout, as a user would run it (no pytest around it),
and writes the engine's process id to a file so that the test can check nothing is left behind.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from processes import running

ENV = {"QT_QPA_PLATFORM": "offscreen", "PATH": os.environ.get("PATH", "")}

BUILD_WINDOW = textwrap.dedent("""
    from PySide6 import QtWidgets
    import pathlib
    from winit_gui.app import MainWindow
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    window = MainWindow()
    window.show()
    pathlib.Path(PID_FILE).write_text(str(window.bridge.pid))
""")


def script(tmp_path, *pieces: str) -> tuple[list[str], object]:
    """A script file of these pieces (each dedented) and the file it writes the engine's pid to."""
    pid_file = tmp_path / "engine.pid"
    path = tmp_path / "user_script.py"
    path.write_text(f"PID_FILE = {str(pid_file)!r}\n" + "".join(textwrap.dedent(piece) for piece in pieces))
    return [sys.executable, "-W", "error", str(path)], pid_file



def assert_gone(pid: int, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while running(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            raise AssertionError(f"the engine process {pid} outlived its caller")
        time.sleep(0.05)


def test_an_unguarded_script_builds_trains_and_closes_the_window(tmp_path):
    # No `if __name__ == "__main__":` guard: the engine's child must not run this file again
    # (multiprocessing's spawn did, and died in its bootstrapping check).
    argv, pid_file = script(tmp_path, BUILD_WINDOW, """
        from PySide6 import QtCore
        print("top-level code ran", flush=True)
        slider = window.findChild(QtWidgets.QSlider, "gainSlider")
        label = window.findChild(QtWidgets.QLabel, "stepLabel")
        seen = []
        window.snapshotShown.connect(seen.append)
        slider.setValue(slider.maximum())
        window.findChild(QtWidgets.QPushButton, "stepButton").click()
        window.findChild(QtWidgets.QPushButton, "stepButton").click()
        deadline = QtCore.QDeadlineTimer(30000)
        while not (seen and seen[-1].step >= 2) and not deadline.hasExpired():
            app.processEvents(QtCore.QEventLoop.AllEvents, 50)
        assert seen[-1].step == 2 and seen[-1].settings.gain == window.controls.settings.gain != 1.0, seen[-1]
        print("trained", seen[-1].step, label.text(), flush=True)
        window.close()
    """)
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("top-level code ran") == 1, result.stdout
    assert "trained 2 Step 2" in result.stdout
    assert "Traceback" not in result.stderr and "bootstrapping" not in result.stderr
    assert_gone(int(pid_file.read_text()))


def test_python_dash_c_builds_the_window(tmp_path):
    pid_file = tmp_path / "engine.pid"
    code = f"PID_FILE = {str(pid_file)!r}\n" + BUILD_WINDOW + "window.close()\n"
    result = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True,
                            timeout=120, env=ENV)
    assert result.returncode == 0, result.stderr
    assert_gone(int(pid_file.read_text()))


@pytest.mark.parametrize("ending, status", [
    ("pass", 0),
    ("sys.exit(3)", 3),
    ("raise RuntimeError('the script failed')", 1),
], ids=["returns", "sys-exit", "exception"])
def test_a_script_that_never_closes_its_window_still_exits(tmp_path, ending, status):
    # The window is shown and left open; the interpreter must not wait at exit for an engine
    # that waits for a pipe the interpreter itself holds (it hung for good before).
    main = BUILD_WINDOW + textwrap.dedent(f"""
        window.findChild(QtWidgets.QPushButton, "playButton").click()
        app.processEvents()
        {ending}
    """)
    argv, pid_file = script(tmp_path, "import sys\nif __name__ == '__main__':\n" + textwrap.indent(main, "    "))
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=ENV)
    assert result.returncode == status, result.stderr
    assert_gone(int(pid_file.read_text()), within=5)
    stderr = [line for line in result.stderr.splitlines()
              if "propagateSizeHints" not in line and line.strip()]
    if status == 1:
        assert "the script failed" in stderr[-1]
    else:
        assert stderr == []


@pytest.mark.parametrize("settle", [0.0, 0.3, 2.0], ids=["at-once", "starting-up", "running"])
def test_a_window_killed_early_leaves_no_engine(tmp_path, settle):
    # Killed by a signal, the GUI runs no cleanup at all: the engine sees its stdin close,
    # whether it is still importing numpy, building its trainer, or training.
    argv, pid_file = script(tmp_path, BUILD_WINDOW, f"""
        import time
        window.findChild(QtWidgets.QPushButton, "playButton").click()
        time.sleep({settle})
        pathlib.Path(PID_FILE + ".ready").touch()
        time.sleep(60)
    """)
    parent = subprocess.Popen(argv, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not os.path.exists(str(pid_file) + ".ready"):
            assert time.monotonic() < deadline and parent.poll() is None
            time.sleep(0.02)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        assert_gone(int(pid_file.read_text()))
    finally:
        parent.kill()
