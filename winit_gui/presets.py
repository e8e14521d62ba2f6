"""The lessons that ship with winit_gui: one experiment file each in ``resources/presets/``.

``names()`` lists them in lesson order (the order of LESSONS.md, ``start`` first); ``load(name)``
reads one as an :class:`~winit_gui.experiment.Experiment`. Pure stdlib: no Qt.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import TYPE_CHECKING

from winit_gui import experiment
from winit_gui.experiment import Experiment

if TYPE_CHECKING:  # importlib.resources.abc is new in Python 3.11
    from importlib.resources.abc import Traversable

DEFAULT = "start"
"""The lesson the app opens on."""

ORDER = (
    "start",
    "symmetric",
    "zeros",
    "too-large",
    "too-small",
    "xavier-tanh",
    "xavier-relu",
    "he-relu",
    "lsuv",
    "sigmoid-standard",
    "kaiming-vs-he",
    "edge-of-chaos",
)
"""The known lessons in teaching order; any other preset file is listed after them, alphabetically."""

SUFFIX = ".toml"


def resource_root() -> Traversable:
    """The folder of package data, installed or in a source checkout.

    Installed (wheel, sdist, editable), resources/ is the package ``winit_gui.resources`` (mapped
    in pyproject.toml), found by importlib.resources even inside a zip. In a source checkout run
    with PYTHONPATH pointing at the repository, resources/ is a top-level folder next to the
    winit_gui package, not inside it, so ``winit_gui.resources`` is not importable: fall back to
    that folder. This is the one place that knows about the difference.
    """
    try:
        return importlib.resources.files("winit_gui.resources")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "resources"


def _folder() -> Traversable:
    return resource_root() / "presets"


def names() -> list[str]:
    """Every preset name (file stem), in lesson order."""
    folder = _folder()
    found = set()
    if folder.is_dir():
        found = {entry.name[: -len(SUFFIX)] for entry in folder.iterdir()
                 if entry.name.endswith(SUFFIX) and entry.is_file() and not entry.name.startswith(".")}
    known = [name for name in ORDER if name in found]
    return known + sorted(found - set(ORDER))


def _check(name: str) -> list[str]:
    valid = names()
    if name not in valid:
        raise ValueError(f"unknown preset {name!r}; valid: {', '.join(valid)}")
    return valid


def path(name: str) -> Traversable:
    """The preset file of ``name``; an unknown name raises ValueError naming the valid ones."""
    _check(name)
    return _folder() / f"{name}{SUFFIX}"


def load(name: str) -> Experiment:
    """The preset ``name`` as an Experiment; an unknown name raises ValueError naming the valid ones."""
    file = path(name)
    text = file.read_bytes().decode("utf-8-sig")
    return experiment.loads(text, "toml", source=f"preset {name!r} ({file})")
