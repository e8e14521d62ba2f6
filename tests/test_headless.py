"""``winit-gui render`` and ``winit-gui record`` without a display."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6 import QtGui

from winit_gui.app import headless, main

REPO = Path(__file__).resolve().parent.parent
VIEW_FILES = ("window", "network", "activations", "saturation", "gradients", "loss", "boundary", "depth", "phase",
              "spectrum")


def test_render_without_a_display_writes_a_png_per_view(tmp_path):
    out = tmp_path / "figures"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(REPO)
    code = "import sys; from winit_gui.app import main; sys.exit(main(sys.argv[1:]))"
    result = subprocess.run(
        [sys.executable, "-c", code, "render", "--preset", "symmetric", "--steps", "20", "--out", str(out),
         "--scale", "1"], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    printed = result.stdout.split()
    assert printed == [str(out / f"{name}.png") for name in VIEW_FILES]
    window = QtGui.QImage(str(out / "window.png"))
    assert (window.width(), window.height()) == headless.WINDOW_SIZE
    for name in VIEW_FILES[1:]:
        image = QtGui.QImage(str(out / f"{name}.png"))
        assert not image.isNull() and 100 < image.width() < 1600 and 100 < image.height() < 1000, name
        # Light theme by default: the picture's corner is the white background...
        assert QtGui.QColor(image.pixel(1, 1)).lightness() > 240, name
        # ...and something is drawn on it.
        colors = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
        assert len(colors) > 8, name
    assert "propagateSizeHints" not in result.stderr


def test_bad_preset_exits_2_naming_the_valid_ones(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["render", "--preset", "no-such-lesson", "--out", str(tmp_path)])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "no-such-lesson" in err and "symmetric" in err


@pytest.mark.parametrize("text, key", [
    ('[settings]\ngain = "large"\n', "settings.gain"),
    ("[settings\ngain = 1\n", "TOML syntax error"),
])
def test_bad_load_file_exits_2_with_the_problem(tmp_path, capsys, text, key):
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    for command in (["render", "--out", str(tmp_path / "out")], ["record", "--steps", "3", "--out",
                                                                 str(tmp_path / "x.gif")]):
        with pytest.raises(SystemExit) as stop:
            main([*command, "--load", str(bad)])
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert key in err and "bad.toml" in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "x.gif").exists()


def test_record_to_an_unknown_type_exits_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["record", "--steps", "3", "--out", str(tmp_path / "x.avi")])
    assert stop.value.code == 2
    assert ".gif or an .mp4" in capsys.readouterr().err


def test_frame_steps_are_predictable_from_the_step_count():
    assert headless.frame_steps(0) == [0]
    assert headless.frame_steps(30) == list(range(31))
    long = headless.frame_steps(1000)
    assert len(long) == headless.MAX_FRAMES and long[0] == 0 and long[-1] == 1000
    assert all(b > a for a, b in zip(long, long[1:]))


def test_record_gif_has_the_expected_frame_count(qapp, tmp_path, capsys):
    iio = pytest.importorskip("imageio.v3")
    gif = tmp_path / "x.gif"
    assert main(["record", "--steps", "30", "--out", str(gif)]) == 0
    assert capsys.readouterr().out.split() == [str(gif)]
    props = iio.improps(gif, index=None)
    assert props.shape[0] == len(headless.frame_steps(30)) == 31
    assert props.shape[1:3] == (headless.WINDOW_SIZE[1], headless.WINDOW_SIZE[0])


def test_record_one_view_to_png_frames_at_scale_2(qapp, tmp_path, capsys):
    folder = tmp_path / "frames"
    assert main(["record", "--steps", "4", "--out", str(folder), "--view", "loss", "--scale", "2",
                 "--theme", "dark"]) == 0
    frames = sorted(folder.glob("frame_*.png"))
    assert len(frames) == 5
    first = QtGui.QImage(str(frames[0]))
    assert 200 < first.width() < 1600 and 200 < first.height() < 1000
    assert QtGui.QColor(first.pixel(2, 2)).lightness() < 40  # dark theme


def test_offscreen_is_chosen_only_without_a_display(monkeypatch):
    if sys.platform in ("win32", "darwin"):
        pytest.skip("X11/Wayland only")
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    headless.use_offscreen_if_no_display()
    assert os.environ["QT_QPA_PLATFORM"] == "offscreen"
    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.setenv("DISPLAY", ":0")
    headless.use_offscreen_if_no_display()
    assert "QT_QPA_PLATFORM" not in os.environ
    monkeypatch.delenv("DISPLAY")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    headless.use_offscreen_if_no_display()
    assert os.environ["QT_QPA_PLATFORM"] == "xcb"
