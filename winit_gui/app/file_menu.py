"""File ▸ Open…, Save, Save As…, Open Recent: experiment files in the app.

The work is done by functions that take a path (:func:`open_path`, :func:`save_path`), so that
tests drive them without a dialog; the QFileDialog calls around them are one line each.

A file that is not valid (syntax error, unknown key, wrong type, value out of range) is refused
as a whole: a message names the file, the key and what was expected, and the window keeps every
setting it had (``winit_gui.experiment.load`` validates everything before anything changes).
Save goes through ``winit_gui.experiment.save``, which writes atomically.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui import experiment as experiments
from winit_gui.app.export import file_menu
from winit_gui.experiment import Experiment, ExperimentFileError

RECENT_KEY = "recentFiles"
MAX_RECENT = 8
FILE_FILTER = "Experiments (*.toml *.json);;TOML (*.toml);;JSON (*.json)"


def settings_store() -> QtCore.QSettings:
    """Where the app remembers things between runs (recent files)."""
    return QtCore.QSettings("winit_gui", "winit_gui")


# ---- recent files ----------------------------------------------------------------------------------
def recent_files() -> list[str]:
    """The last opened or saved experiment files, newest first (at most MAX_RECENT)."""
    value = settings_store().value(RECENT_KEY, [])
    if isinstance(value, str):  # QSettings gives a one-item list back as a plain string
        value = [value] if value else []
    return [str(v) for v in (value or [])][:MAX_RECENT]


def add_recent_file(path) -> list[str]:
    path = str(Path(path).resolve())
    files = [path] + [f for f in recent_files() if f != path]
    files = files[:MAX_RECENT]
    store = settings_store()
    store.setValue(RECENT_KEY, files)
    store.sync()
    return files


def remove_recent_file(path) -> list[str]:
    files = [f for f in recent_files() if f != str(path)]
    store = settings_store()
    store.setValue(RECENT_KEY, files)
    store.sync()
    return files


# ---- the work, testable without dialogs ------------------------------------------------------------
def current_experiment(window) -> Experiment:
    """What Save writes: the settings on screen with the open lesson's words and compare side."""
    shown = getattr(window, "experiment", None)
    return Experiment(
        settings=window.controls.settings,
        title=shown.title if shown is not None else "",
        explanation=shown.explanation if shown is not None else "",
        compare=shown.compare if shown is not None else None,
        alternative=shown.alternative if shown is not None else "",
    )


def open_path(window, path) -> bool:
    """Open the experiment file at ``path`` in ``window``; False (and a message) when it is not valid.

    Nothing changes unless the whole file is valid.
    """
    path = Path(path)
    try:
        loaded = experiments.load(path)
    except ExperimentFileError as err:
        _refuse(window, "Cannot open experiment", err)
        return False
    window.open_experiment(loaded)
    window.setProperty("winitExperimentPath", str(path))
    add_recent_file(path)
    _refresh_recent(window)
    _set_title(window, path)
    window.statusBar().showMessage(f"Opened {path}", 8000)
    return True


def save_path(window, path) -> bool:
    """Save the window's experiment to ``path`` (``.toml`` or ``.json``), atomically; False on failure."""
    path = Path(path)
    try:
        experiments.save(current_experiment(window), path)
    except (ExperimentFileError, OSError) as err:
        _refuse(window, "Cannot save experiment", err)
        return False
    window.setProperty("winitExperimentPath", str(path))
    add_recent_file(path)
    _refresh_recent(window)
    _set_title(window, path)
    window.statusBar().showMessage(f"Saved {path}", 8000)
    return True


def current_path(window) -> Path | None:
    """The file the window's experiment was last opened from or saved to, if any."""
    value = window.property("winitExperimentPath")
    return Path(value) if value else None


def _refuse(window, title: str, err: Exception) -> None:
    if isinstance(err, ExperimentFileError):
        where = f"Key: {err.key}\n" if err.key else ""
        text = f"{err.source}\n\n{where}Problem: {err.problem}\n\nNothing was changed."
    else:
        text = f"{err}\n\nNothing was changed."
    QtWidgets.QMessageBox.warning(window, title, text)


def _set_title(window, path: Path) -> None:
    base = window.windowTitle().split(" — ")[0]
    window.setWindowTitle(f"{base} — {path.name}")


# ---- thin dialog wrappers --------------------------------------------------------------------------
def _start_folder(window) -> str:
    path = current_path(window)
    if path is not None:
        return str(path.parent)
    recent = recent_files()
    return str(Path(recent[0]).parent) if recent else str(Path.home())


def open_dialog(window) -> bool:
    path, _ = QtWidgets.QFileDialog.getOpenFileName(window, "Open experiment", _start_folder(window), FILE_FILTER)
    return open_path(window, path) if path else False


def save(window) -> bool:
    path = current_path(window)
    return save_path(window, path) if path is not None else save_as_dialog(window)


def save_as_dialog(window) -> bool:
    path = current_path(window) or Path(_start_folder(window)) / "experiment.toml"
    chosen, selected = QtWidgets.QFileDialog.getSaveFileName(window, "Save experiment as", str(path), FILE_FILTER)
    if not chosen:
        return False
    if Path(chosen).suffix.lower() not in experiments.SUFFIXES:
        chosen += ".json" if selected.startswith("JSON") else ".toml"
    return save_path(window, chosen)


def _refresh_recent(window) -> None:
    menu = window.findChild(QtWidgets.QMenu, "recentMenu")
    if menu is None:
        return
    menu.clear()
    files = recent_files()
    for i, name in enumerate(files, start=1):
        action = menu.addAction(f"&{i} {Path(name).name}")
        action.setToolTip(name)
        action.setData(name)
        action.triggered.connect(lambda _=False, n=name: _open_recent(window, n))
    if not files:
        empty = menu.addAction("(none yet)")
        empty.setEnabled(False)
    else:
        menu.addSeparator()
        menu.addAction("Clear list", lambda: (settings_store().setValue(RECENT_KEY, []), _refresh_recent(window)))


def _open_recent(window, name: str) -> None:
    if not Path(name).exists():
        QtWidgets.QMessageBox.warning(window, "Cannot open experiment",
                                      f"{name}\n\nThe file is no longer there; it was removed from the list.")
        remove_recent_file(name)
        _refresh_recent(window)
        return
    open_path(window, name)


def install_file_menu(window) -> dict[str, QtGui.QAction]:
    """File ▸ Open… (Ctrl+O), Save (Ctrl+S), Save As… (Ctrl+Shift+S), Open Recent ▸."""
    menu = file_menu(window)
    actions = {}
    for key, text, shortcut, slot in (
        ("open", "&Open…", QtGui.QKeySequence.Open, lambda: open_dialog(window)),
        ("save", "&Save", QtGui.QKeySequence.Save, lambda: save(window)),
        ("save_as", "Save &As…", QtGui.QKeySequence("Ctrl+Shift+S"), lambda: save_as_dialog(window)),
    ):
        action = QtGui.QAction(text, window, objectName=f"{key}Action")
        action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        window.addAction(action)
        actions[key] = action
    actions["open"].setToolTip("Open an experiment file (.toml or .json); any preset file works too")
    actions["save"].setToolTip("Save every setting and the seed to a small text file")
    recent = menu.addMenu("Open &Recent")
    recent.setObjectName("recentMenu")
    _refresh_recent(window)
    return actions
