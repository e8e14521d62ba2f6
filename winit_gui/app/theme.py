"""Colour themes (resources/themes/*.toml) and the font scale for the back of a lecture hall."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace

from PySide6 import QtGui, QtWidgets

from winit_gui import presets

THEMES = ("dark", "light")


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    foreground: str
    muted: str
    grid: str
    positive: str
    negative: str
    train: str
    test: str
    curve: str
    layers: tuple[str, ...]
    line_width: float
    font_size: int

    def layer_color(self, index: int) -> str:
        return self.layers[index % len(self.layers)]

    def scaled(self, font_size: int) -> Theme:
        return replace(self, font_size=font_size)


def load(name: str) -> Theme:
    if name not in THEMES:
        raise ValueError(f"unknown theme {name!r}; valid: {', '.join(THEMES)}")
    data = tomllib.loads((presets.resource_root() / "themes" / f"{name}.toml").read_text(encoding="utf-8"))
    data["layers"] = tuple(data["layers"])
    return Theme(**data)


def apply_to_application(app: QtWidgets.QApplication, theme: Theme) -> None:
    """Palette and font for the Qt widgets around the plots (the plots theme themselves)."""
    app.setStyle("Fusion")
    bg, fg = QtGui.QColor(theme.background), QtGui.QColor(theme.foreground)
    base = bg.lighter(115) if theme.name == "dark" else QtGui.QColor("#f4f4f4")
    palette = QtGui.QPalette()
    for role, color in (
        (QtGui.QPalette.Window, bg), (QtGui.QPalette.WindowText, fg), (QtGui.QPalette.Base, base),
        (QtGui.QPalette.AlternateBase, bg), (QtGui.QPalette.Text, fg), (QtGui.QPalette.Button, base),
        (QtGui.QPalette.ButtonText, fg), (QtGui.QPalette.ToolTipBase, base), (QtGui.QPalette.ToolTipText, fg),
        (QtGui.QPalette.Highlight, QtGui.QColor(theme.positive)),
        (QtGui.QPalette.HighlightedText, QtGui.QColor(theme.background)),
        (QtGui.QPalette.PlaceholderText, QtGui.QColor(theme.muted)),
    ):
        palette.setColor(role, color)
    palette.setColor(QtGui.QPalette.Disabled, QtGui.QPalette.Text, QtGui.QColor(theme.muted))
    palette.setColor(QtGui.QPalette.Disabled, QtGui.QPalette.ButtonText, QtGui.QColor(theme.muted))
    app.setPalette(palette)
    font = app.font()
    font.setPointSize(theme.font_size)
    app.setFont(font)
