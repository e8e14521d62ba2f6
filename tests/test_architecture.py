"""The model layer (every module outside winit_gui.app) imports no Qt: usable in a notebook and
testable without a screen (napari keeps the same rule with import-linter)."""

import pkgutil
import subprocess
import sys

import winit_gui


def model_modules():
    return sorted(f"winit_gui.{m.name}" for m in pkgutil.iter_modules(winit_gui.__path__)
                  if m.name not in ("app", "__main__", "resources"))


def test_the_model_layer_is_listed():
    assert {"winit_gui.initializers", "winit_gui.network", "winit_gui.statistics",
            "winit_gui.training", "winit_gui.engine"} <= set(model_modules())


def test_model_modules_import_no_qt():
    code = ("import sys\n"
            f"for name in {model_modules()!r}: __import__(name)\n"
            "print(' '.join(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"model layer imported: {result.stdout}"


def test_stats_command_imports_no_qt():
    code = ("import sys\nfrom winit_gui.app import main\n"
            "main(['stats', '--init', 'zeros', '--depth', '1', '--width', '2', '--samples', '8', '--json'])\n"
            "print('QT' if any(m.startswith('PySide6') for m in sys.modules) else 'NOQT')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("NOQT")
