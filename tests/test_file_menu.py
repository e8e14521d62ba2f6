"""File menu: save and open round-trip every setting; a bad file changes nothing; recent files."""

import pytest
from PySide6 import QtCore, QtWidgets

from winit_gui import experiment, presets
from winit_gui.app import file_menu
from winit_gui.app.main_window import MainWindow


@pytest.fixture
def messages(monkeypatch):
    """QMessageBox calls, captured instead of shown (a modal dialog would block the test)."""
    shown = []

    def capture(kind):
        def box(parent, title, text, *args, **kwargs):
            shown.append((kind, title, text))
            return QtWidgets.QMessageBox.Ok
        return box

    for kind in ("warning", "critical", "information"):
        monkeypatch.setattr(QtWidgets.QMessageBox, kind, capture(kind))
    return shown


@pytest.fixture
def store(tmp_path, monkeypatch):
    """Recent files in a throwaway INI file, not the user's settings."""
    path = str(tmp_path / "settings.ini")
    monkeypatch.setattr(file_menu, "settings_store", lambda: QtCore.QSettings(path, QtCore.QSettings.IniFormat))
    return path


@pytest.fixture
def window(qtbot, store, messages):
    window = MainWindow(preset="start", theme="light")
    qtbot.addWidget(window)
    yield window
    window.close()
    assert not window.bridge.running


def every_setting_changed():
    base = presets.load("start").settings
    return base.replace(
        init="variance_scaling", init_params={"scale": 2.0, "mode": "fan_avg", "distribution": "uniform"},
        gain=2.5, bias_init=0.1, activation="relu", depth=3, width=5, dataset="xor", noise=0.2,
        samples=200, lr=0.05, batch_size=16, optimizer="adam", l2=0.001, seed=7)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_save_then_open_round_trips_every_setting(window, tmp_path, suffix, messages):
    settings = every_setting_changed()
    assert all(getattr(settings, f) != getattr(presets.load("start").settings, f)
               for f in experiment.SETTINGS_KEYS if f != "input_dim")
    window.controls.show_settings(settings)
    path = tmp_path / f"mine{suffix}"
    assert file_menu.save_path(window, path)
    assert experiment.load(path).settings == settings

    window.open_experiment(presets.load("zeros"), "zeros")
    assert window.controls.settings != settings
    assert file_menu.open_path(window, path)
    assert window.controls.settings == settings
    assert window.experiment.settings == settings
    assert window.experiment.title == presets.load("start").title  # the lesson's words go along
    assert not messages
    assert list(tmp_path.glob(".*.tmp")) == []  # atomic save leaves no temporary file


@pytest.mark.parametrize("text, expected", [
    ("[settings\ninit = 'he_normal'\n", ["TOML syntax error", "line 1"]),
    ('[settings]\ngain = "large"\n', ["settings.gain", "expected a number"]),
    ("[settings]\ndepth = 2.5\n", ["settings.depth", "expected an integer"]),
    ("[settings]\nactivation = 'swish-ish'\n", ["settings.activation"]),
])
def test_a_bad_file_changes_nothing_and_says_what_is_wrong(window, tmp_path, messages, text, expected):
    before = window.controls.settings
    experiment_before = window.experiment
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    assert not file_menu.open_path(window, bad)
    assert window.controls.settings is before
    assert window.experiment is experiment_before
    assert len(messages) == 1
    kind, title, message = messages[0]
    assert kind == "warning" and "Cannot open" in title
    for part in expected:
        assert part in message
    assert "bad.toml" in message and "Nothing was changed" in message
    assert file_menu.recent_files() == []  # a file that did not open is not "recent"


def test_a_failed_save_says_so_and_writes_nothing(window, tmp_path, messages):
    assert not file_menu.save_path(window, tmp_path / "no-such-folder" / "x.toml")
    assert messages and "Cannot save" in messages[0][1]
    assert not (tmp_path / "no-such-folder").exists()


def test_recent_files_newest_first_at_most_eight(window, tmp_path):
    paths = [tmp_path / f"run{i}.toml" for i in range(10)]
    for path in paths:
        assert file_menu.save_path(window, path)
    recent = file_menu.recent_files()
    assert recent == [str(p.resolve()) for p in reversed(paths)][: file_menu.MAX_RECENT]
    assert file_menu.open_path(window, paths[5])
    assert file_menu.recent_files()[0] == str(paths[5].resolve())
    assert len(file_menu.recent_files()) == 8
    menu = window.findChild(QtWidgets.QMenu, "recentMenu")
    entries = [a.data() for a in menu.actions() if a.data()]
    assert entries == file_menu.recent_files()


def test_a_recent_file_that_is_gone_is_dropped(window, tmp_path, messages):
    path = tmp_path / "gone.toml"
    assert file_menu.save_path(window, path)
    path.unlink()
    menu = window.findChild(QtWidgets.QMenu, "recentMenu")
    next(a for a in menu.actions() if a.data() == str(path.resolve())).trigger()
    assert messages and "no longer there" in messages[0][2]
    assert str(path.resolve()) not in file_menu.recent_files()


def test_menu_actions_and_shortcuts(window, tmp_path, monkeypatch):
    menu = window.findChild(QtWidgets.QMenu, "fileMenu")
    names = {a.objectName(): a for a in menu.actions()}
    assert names["openAction"].shortcut().toString() == "Ctrl+O"
    assert names["saveAction"].shortcut().toString() == "Ctrl+S"
    assert names["save_asAction"].shortcut().toString() == "Ctrl+Shift+S"
    # Save As: the dialog is a thin shell around save_path; a name without a suffix gets .toml.
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "lecture"), "TOML (*.toml)"))
    names["save_asAction"].trigger()
    assert (tmp_path / "lecture.toml").exists()
    # Save then writes to the same file without asking.
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", lambda *a, **k: pytest.fail("asked again"))
    window.controls.show_settings(window.controls.settings.replace(seed=99))
    names["saveAction"].trigger()
    assert experiment.load(tmp_path / "lecture.toml").settings.seed == 99
