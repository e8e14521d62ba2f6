"""Every subcommand with bad arguments exits 2 with one line saying what is valid, never a
traceback; Ctrl+C closes the app, engine included."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from winit_gui.app import main

from processes import children

BAD = "schema = 1\n[settings]\ngain = \"loud\"\n"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "bad.toml").write_text(BAD)
    (tmp_path / "folder.toml").mkdir()
    (tmp_path / "afile").write_text("")
    return tmp_path


H = ["stats", "--init", "he_normal"]
CASES = [
    (["--bogus"], "unrecognized arguments"),
    # an option the window does not take, its value read as a command: say what the window takes
    (["--gain", "2"], "invalid choice: '2' (choose from 'stats', 'render', 'record'); the window itself takes "
                      "the options in the usage above, and --gain, --init and the other settings are options of "
                      "'winit-gui stats'"),
    (["statz"], "invalid choice: 'statz'"),
    (["--theme", "blue"], "invalid choice: 'blue' (choose from 'dark', 'light')"),
    (["--preset", "nope"], "valid: "),
    (["--load", "{d}/bad.toml"], "settings.gain"),
    (["--load", "{d}/folder.toml"], "cannot read"),
    (["--load", "{d}/missing.toml"], "no such file"),
    (["--load", "{d}/afile"], "expected one of: .toml, .json"),
    (["stats"], "--init"),
    (["stats", "--init", "nope"], "choose from"),
    ([*H, "--steps", "-1"], "--steps must be between 0 and"),
    ([*H, "--steps", str(10**19)], "--steps must be between 0 and"),
    ([*H, "--width", "0"], "width must be between 1 and"),
    ([*H, "--depth", "100000"], "depth must be between 1 and"),
    ([*H, "--samples", "0"], "samples must be between"),
    ([*H, "--batch-size", "0"], "batch_size must be between"),
    ([*H, "--gain", "0"], "gain must be between"),
    ([*H, "--gain", "1e7"], "gain must be between"),
    ([*H, "--gain", "nan"], "gain must be finite"),
    ([*H, "--lr", "0"], "lr must be positive"),
    ([*H, "--lr", "inf"], "lr must be finite"),
    ([*H, "--seed", "-1"], "seed must be between"),
    ([*H, "--width", "abc"], "invalid int value"),
    ([*H, "--param", "bogus=1"], "valid parameters"),
    ([*H, "--param", "gain=2"], "give it as --gain"),
    (["stats", "--init", "constant", "--param", "value=abc"], "value must be a number"),
    (["stats", "--init", "constant", "--param", "value=1e400"], "value must be finite"),
    (["stats", "--init", "constant", "--param", "value"], "KEY=VALUE"),
    (["stats", "--init", "random_normal", "--param", "stddev=-1"], "stddev must be >= 0"),
    (["render"], "--out"),
    (["render", "--out", "{d}/afile"], "is a file"),
    (["render", "--out", "/proc/no/such"], "cannot create --out"),
    (["render", "--out", "{d}/o", "--scale", "0"], "--scale must be between 1 and 4"),
    (["render", "--out", "{d}/o", "--scale", "nan"], "--scale must be between 1 and 4"),
    (["render", "--out", "{d}/o", "--steps", "-1"], "--steps must be between 0 and"),
    (["render", "--out", "{d}/o", "--load", "{d}/bad.toml"], "settings.gain"),
    (["record", "--steps", "5", "--out", "{d}/x.gif", "--fps", "0"], "--fps must be above 0"),
    (["record", "--steps", "5", "--out", "{d}/x.gif", "--fps", "nan"], "--fps must be above 0"),
    (["record", "--steps", "5", "--out", "{d}/x.gif", "--fps", "inf"], "--fps must be above 0"),
    (["record", "--steps", "5", "--out", "{d}/x.txt"], "give a .gif or an .mp4"),
    (["record", "--steps", "-1", "--out", "{d}/x.gif"], "--steps must be between 0 and"),
    (["record", "--steps", "5", "--out", "/proc/no/such.gif"], "cannot write --out"),
    (["record", "--steps", "5", "--out", "{d}/x.gif", "--scale", "0"], "--scale must be between 1 and 4"),
]


@pytest.mark.parametrize("argv, fragment", CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_arguments_exit_2_with_one_line(files, capsys, argv, fragment):
    with pytest.raises(SystemExit) as exited:
        main([a.format(d=files) for a in argv])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert len(errors) == 1 and fragment in errors[0], err


CONSOLE = Path(sys.executable).with_name("winit-gui")


@pytest.mark.skipif(not CONSOLE.exists(), reason="the console script is not installed next to this python")
@pytest.mark.parametrize("argv", [["--preset", "nope"], [*H, "--depth", "0"], ["render", "--out", "x", "--scale", "9"],
                                  ["record", "--steps", "3", "--out", "x.gif", "--fps", "0"]])
def test_the_console_script_exits_2(tmp_path, argv):
    result = subprocess.run([str(CONSOLE), *argv], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and ": error: " in result.stderr


def test_stats_into_a_closed_pipe_exits_quietly():
    process = subprocess.Popen([sys.executable, "-m", "winit_gui", *H, "--depth", "2", "--width", "4"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # before it writes: `winit-gui stats | head -0`
    _, err = process.communicate(timeout=120)
    assert b"Traceback" not in err and process.returncode == 1



def wait_for(condition, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def is_engine(pid: int) -> bool:
    """The engine child, once its loop is set up (it ignores SIGINT from then on)."""
    try:
        status = dict(line.split(":\t", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
        return b"winit_gui.engine_child" in Path(f"/proc/{pid}/cmdline").read_bytes() and int(status["SigIgn"], 16) & 2
    except (OSError, KeyError, ValueError):
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists() or sys.platform == "win32", reason="reads /proc")
def test_ctrl_c_closes_the_app_and_its_engine():
    # A terminal's Ctrl+C signals the whole process group: the app and its engine child.
    process = subprocess.Popen([sys.executable, "-m", "winit_gui"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    try:
        assert wait_for(lambda: any(is_engine(k) for k in children(process.pid)), 60), "the engine never started"
        engines = [k for k in children(process.pid) if is_engine(k)]
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 128 + signal.SIGINT
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err, err.decode()
    assert wait_for(lambda: not any(Path(f"/proc/{k}").exists() for k in engines), 10)


INTERRUPT_WHEN = {
    "while the window is built": "MainWindow.__init__",
    "as the window shows, before the event loop runs": "MainWindow.show",
}


@pytest.mark.parametrize("method", INTERRUPT_WHEN.values(), ids=INTERRUPT_WHEN.keys())
def test_ctrl_c_at_any_moment_of_start_up_ends_the_app(tmp_path, method):
    # Ctrl+C timed to the moment: an interrupt during show() once closed the window before
    # app.exec() ran, and the event loop then waited for ever with no window to close.
    cls, name = method.split(".")
    script = tmp_path / "interrupted.py"
    script.write_text(
        "import signal, sys\n"
        f"from winit_gui.app.main_window import {cls}\n"
        "from winit_gui.app import main\n"
        f"original = {cls}.{name}\n"
        "def interrupted(self, *args, **kwargs):\n"
        "    original(self, *args, **kwargs)\n"
        "    signal.raise_signal(signal.SIGINT)\n"
        f"{cls}.{name} = interrupted\n"
        "sys.exit(main([]))\n")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 128 + signal.SIGINT
    assert "Traceback" not in result.stderr, result.stderr
