"""Compare mode's sides: what a side's initializer is (header, differences from A) and B trained
in this process for windows without an engine."""

from __future__ import annotations

import html
from dataclasses import fields
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui import initializers
from winit_gui import snapshot as snapshots
from winit_gui.settings import Settings
from winit_gui.snapshot import Snapshot
from winit_gui.training import Trainer


def describe_init(settings: Settings) -> tuple[str, str]:
    """(initializer name, its parameters that differ from their defaults), e.g.
    ("kaiming_normal", "nonlinearity=relu")."""
    defaults = {p.name: p.default for p in initializers.info(settings.init).params}
    changed = [f"{name}={plain(value)}" for name, value in settings.init_params.items()
               if name in defaults and not _same(value, defaults[name])]
    return settings.init, ", ".join(changed)


def differences(a: Settings, b: Settings) -> dict[str, Any]:
    """The fields of ``b`` that differ from ``a`` (init and init_params always), for ``a.replace(**...)``."""
    out = {"init": b.init, "init_params": dict(b.init_params)}
    for f in fields(Settings):
        if f.name not in out and getattr(a, f.name) != getattr(b, f.name):
            out[f.name] = getattr(b, f.name)
    return out


def _same(value, default) -> bool:
    try:
        return float(value) == float(default)
    except (TypeError, ValueError):
        return str(value) == str(default)


def plain(value) -> str:
    """A setting as a header shows it: floats in %g (0.05, not 0.05000000000000000277)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


class LocalSide:
    """B without an engine: a Trainer in this process, brought to each A snapshot's step.

    For windows without an engine process (``winit-gui render`` and ``record`` feed the window
    snapshots from a Trainer of their own): B is trained synchronously when A is shown, measuring
    at the steps where A's loss history has a point, so both loss curves have the same points.
    """

    def __init__(self):
        self.trainer: Trainer | None = None
        self.serial = 0
        self._last: Snapshot | None = None
        self._measured: int | None = None

    def follow(self, settings: Settings, a: Snapshot) -> Snapshot:
        trainer = self.trainer
        if trainer is None:
            trainer = self.trainer = Trainer(settings)
        elif trainer.settings != settings or a.step < trainer.step:
            trainer.apply(settings)  # (also a reset: step 0, the same initial weights)
            self._measured, self._last = None, None
        elif self._last is not None and trainer.step == a.step:
            return self._last
        history = a.loss_history[:, 0] if a.loss_history.ndim == 2 else ()
        for step in (int(s) for s in history if trainer.step <= s < a.step and s != self._measured):
            trainer.train(step - trainer.step)
            trainer.measure(snapshots.display_samples(trainer.network.sizes))
            self._measured = step
        trainer.train(a.step - trainer.step)
        self.serial += 1
        self._last = snapshots.build(trainer, self.serial, playing=False)
        self._measured = a.step
        return self._last


class SideHeader(QtWidgets.QWidget):
    """"A: kaiming_normal (nonlinearity=relu) · relu", the side's training step, and a bar in the
    side's colour underneath (the colour of the side in the weights overlay).

    B's initializer name is the "B initializer" combo itself (``chooser``), so the header says
    "B: [he_normal ▾] · relu": one name, where the eye looks for it, and room left at 12 pt.
    """

    def __init__(self, side: str, chooser: QtWidgets.QComboBox | None = None, parent=None):
        super().__init__(parent)
        self.side = side
        self.chooser = chooser
        self.setObjectName(f"compareHeader{side}")
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        layout = QtWidgets.QHBoxLayout()
        layout.setContentsMargins(6, 2, 6, 0)
        layout.setSpacing(6)
        outer.addLayout(layout)
        self.bar = QtWidgets.QFrame(objectName=f"compareBar{side}")
        self.bar.setFixedHeight(3)
        self.bar.setAutoFillBackground(True)
        outer.addWidget(self.bar)
        self.name = QtWidgets.QLabel(objectName=f"compareName{side}")
        self.name.setTextFormat(QtCore.Qt.RichText)
        self.label = QtWidgets.QLabel(objectName=f"compareTitle{side}")
        self.label.setTextFormat(QtCore.Qt.RichText)
        # the details give way (cut at the right) before the name, the chooser or the step
        self.label.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        self.step = QtWidgets.QLabel(objectName=f"compareStep{side}")
        layout.addWidget(self.name)
        if chooser is not None:
            layout.addWidget(chooser)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.step)
        self._color = "#888888"
        self._name = ""
        self.plain = ""

    def show_settings(self, settings: Settings, extra: str = "") -> None:
        name, params = describe_init(settings)
        self._name = name
        bits = [f"({html.escape(params)})" if params else "", html.escape(settings.activation)]
        if settings.gain != 1.0:
            bits.append(f"gain {settings.gain:g}")
        if extra:
            bits.append(html.escape(extra))
        details = bits[0] + " · " + " · ".join(bits[1:]) if bits[0] else "· " + " · ".join(bits[1:])
        self.label.setText(details)
        self.plain = f"{self.side}: {name}" + (f" ({params})" if params else "") + f" · {settings.activation}"
        self.setToolTip(self.plain)
        self._render()

    def set_color(self, color: str) -> None:
        self._color = color
        palette = self.bar.palette()
        palette.setColor(QtGui.QPalette.Window, QtGui.QColor(color))
        self.bar.setPalette(palette)
        self._render()

    def _render(self) -> None:
        name = "" if self.chooser is not None else f" {html.escape(self._name)}"
        self.name.setText(f'<span style="color:{self._color}">■</span> <b>{self.side}:{name}</b>')

    def show_step(self, snap: Snapshot | None) -> None:
        if snap is None:
            self.step.setText("starting…")
            return
        text = f"step {snap.step}"
        if snap.diverged:
            text += " (diverged)"
        self.step.setText(text)
