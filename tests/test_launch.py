"""The real entry point, in a fresh interpreter: opens, trains, closes with status 0 and nothing
on stderr (no thread left behind, no Qt or Python warning at exit)."""

import subprocess
import sys
import textwrap

import pytest


def run_app(args, actions_ms=1500):
    code = textwrap.dedent(f"""
        import sys
        from PySide6 import QtCore, QtWidgets
        from winit_gui.app import main

        app = QtWidgets.QApplication(sys.argv[:1])

        def press_play_then_close():
            (window,) = [w for w in app.topLevelWidgets() if w.objectName() == "mainWindow"]
            window.findChild(QtWidgets.QPushButton, "playButton").click()
            QtCore.QTimer.singleShot(500, window.close)

        QtCore.QTimer.singleShot({actions_ms}, press_play_then_close)
        sys.exit(main({args!r}))
    """)
    return subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True,
                          timeout=120, env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})


@pytest.mark.parametrize("args", [[], ["--preset", "he-relu", "--theme", "light"]])
def test_open_train_close_exits_cleanly(args):
    result = run_app(args)
    stderr = [line for line in result.stderr.splitlines() if "propagateSizeHints" not in line]
    assert result.returncode == 0, result.stderr
    assert stderr == []


def test_a_bad_experiment_file_exits_2_with_the_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('schema = 1\n[settings]\ngain = "loud"\n')
    result = subprocess.run([sys.executable, "-m", "winit_gui", "--load", str(bad)], capture_output=True,
                            text=True, timeout=60, env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert result.returncode == 2
    assert "settings.gain" in result.stderr and "Traceback" not in result.stderr
