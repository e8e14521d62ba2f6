"""Every initializer at both ends of the weight-scale slider, and gains typed or loaded beyond
them (issue 12: numerical faults), through the real widgets: no crash, no numpy warning from the
engine on the terminal, every picture finite or explicitly diverged with a message, and Reset at
1x recovers."""

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets

from winit_gui import experiment, initializers
from winit_gui.settings import Settings


@pytest.fixture
def window(open_window):
    window = open_window(experiment=experiment.Experiment(Settings(activation="relu", lr=10.0)))
    window.wait_for_theory()  # the snapshots carry the theory (the six views do not draw it): its numbers are checked too
    return window


def shown(qtbot, window, condition):
    qtbot.waitUntil(lambda: condition(window.snapshot), timeout=10_000)
    return window.snapshot


def finite_or_diverged(window, snap) -> bool:
    if snap.diverged:
        return "diverged" in window.statusBar().currentMessage()
    numbers = [snap.evaluation.train_loss, snap.theory.chi1]
    for layer in snap.stats.layers:
        numbers += [layer.preact_std, layer.act_std]
    return bool(np.all(np.isfinite(numbers)))


def test_every_initializer_at_both_ends_of_the_slider_trains_or_says_it_diverged(qtbot, window, capfd):
    combo = window.findChild(QtWidgets.QComboBox, "initializerCombo")
    slider = window.findChild(QtWidgets.QSlider, "gainSlider")
    step = window.findChild(QtWidgets.QPushButton, "stepButton")
    names = initializers.available()
    for name in names:
        combo.setCurrentIndex(combo.findData(name, QtCore.Qt.UserRole))
        for end in (slider.minimum(), slider.maximum()):
            slider.setValue(end)
            gain = window.controls.settings.gain
            shown(qtbot, window, lambda s: s.settings.init == name and s.settings.gain == gain)
            for _ in range(3):
                serial = window.snapshot.serial
                step.click()
                snap = shown(qtbot, window, lambda s: s.serial > serial and (s.step > 0 or s.diverged))
            assert finite_or_diverged(window, snap), (name, gain)
        slider.setValue(0)
        window.findChild(QtWidgets.QPushButton, "resetButton").click()
        snap = shown(qtbot, window, lambda s: s.settings.gain == 1.0 and s.step == 0 and not s.diverged)
        assert finite_or_diverged(window, snap), name
        assert "diverged" not in window.statusBar().currentMessage()
    err = capfd.readouterr().err
    assert "Warning" not in err and "Traceback" not in err, err[-2000:]


def test_a_gain_typed_beyond_the_slider_is_kept_and_shown(qtbot, window):
    spin = window.findChild(QtWidgets.QDoubleSpinBox, "gainSpin")
    slider = window.findChild(QtWidgets.QSlider, "gainSlider")
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "1000000")
    qtbot.keyClick(spin.lineEdit(), QtCore.Qt.Key_Return)
    snap = shown(qtbot, window, lambda s: s.settings.gain == 1e6)
    assert spin.text() == "1000000 x" and slider.value() == slider.maximum()
    assert finite_or_diverged(window, snap)
    spin.setValue(1e-6)
    shown(qtbot, window, lambda s: s.settings.gain == 1e-6)
    assert spin.text() == "0.000001 x" and slider.value() == slider.minimum()
    spin.setValue(1.0)
    assert spin.text() == "1 x" and slider.value() == 0


def test_a_file_with_a_gain_beyond_the_slider_opens_with_that_gain(qtbot, window, tmp_path):
    path = tmp_path / "huge.toml"
    experiment.save(experiment.Experiment(Settings(gain=1e6, activation="tanh")), path)
    window.open_experiment(experiment.load(path))
    shown(qtbot, window, lambda s: s.settings.gain == 1e6)
    assert window.findChild(QtWidgets.QDoubleSpinBox, "gainSpin").text() == "1000000 x"
    assert window.controls.settings.gain == 1e6
