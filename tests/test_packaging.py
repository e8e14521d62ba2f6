"""A normal (non-editable) install carries its resources and its console script."""

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
                   check=True, capture_output=True, timeout=600)
    (path,) = out.glob("winit_gui-*.whl")
    return path


def test_wheel_carries_every_resource(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for source in (REPO / "resources").rglob("*"):
        if source.is_file() and source.suffix in (".toml", ".svg"):
            assert f"winit_gui/resources/{source.relative_to(REPO / 'resources').as_posix()}" in names


def test_wheel_declares_the_console_script(wheel):
    archive = zipfile.ZipFile(wheel)
    (entry_points,) = [n for n in archive.namelist() if n.endswith("entry_points.txt")]
    assert "winit-gui = winit_gui.app:main" in archive.read(entry_points).decode()


def test_installed_package_finds_presets_and_themes_away_from_the_source_tree(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("from winit_gui import presets\n"
            "from winit_gui.app.theme import load\n"
            "print(presets.resource_root())\n"
            "print(','.join(presets.names()))\n"
            "print(load('light').background)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                            env={"PYTHONPATH": str(site), "PATH": ""}, timeout=120)
    assert result.returncode == 0, result.stderr
    root, names, background = result.stdout.split()
    assert Path(root).is_relative_to(site)
    assert "symmetric" in names.split(",") and "he-relu" in names.split(",")
    assert background == "#ffffff"


def test_pyside6_6_12_0_is_excluded_on_python_before_3_12():
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    pyside = [d for d in deps if d.startswith("PySide6-Essentials")]
    old = [d for d in pyside if "python_version < '3.12'" in d]
    assert old and all("!=6.12.0" in d for d in old)
