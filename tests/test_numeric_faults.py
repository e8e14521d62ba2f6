"""Numerical faults: extreme gains, a huge learning rate, a deep wide ReLU net. No numpy warning
escapes (pytest turns warnings into errors), a diverged run says so, and Reset recovers."""

import math

import pytest
from PySide6 import QtCore

from winit_gui import engine, initializers
from winit_gui import snapshot as snapshots
from winit_gui.engine import Engine
from winit_gui.settings import Settings


def run(settings, steps):
    got = []
    eng = Engine(settings, lambda snap: (got.append(snap), eng.send(engine.READY)))
    eng.send(engine.SNAPSHOT)
    eng.run_once()
    eng.send(engine.STEP, steps=steps)
    eng.run_once()
    eng.send(engine.RESET)
    eng.run_once()
    return got


@pytest.mark.parametrize("init", initializers.available())
@pytest.mark.parametrize("gain", [1e-6, 1e6])
def test_every_initializer_at_both_extremes_with_lr_10(init, gain):
    first, trained, reset = run(Settings(init=init, gain=gain, activation="relu", lr=10.0, depth=4, width=8), 20)
    assert trained.step == 20 or (trained.diverged and "diverged" in trained.message and "Reset" in trained.message)
    assert reset.step == 0 and not reset.diverged and reset.message == ""
    assert reset.evaluation.train_loss == first.evaluation.train_loss or not math.isfinite(first.evaluation.train_loss)


def test_fifty_relu_layers_of_512_at_a_large_gain_diverge_and_reset_recovers():
    settings = Settings(init="he_normal", gain=100.0, activation="relu", depth=50, width=512, lr=10.0,
                        samples=64, batch_size=16)
    first, trained, reset = run(settings, 3)
    assert trained.diverged and "diverged" in trained.message
    assert not reset.diverged and reset.step == 0
    assert [layer.weight_std for layer in reset.stats.layers] == [layer.weight_std for layer in first.stats.layers]


def test_the_window_says_it_diverged_and_reset_clears_the_message(qtbot):
    from winit_gui.app.main_window import MainWindow
    from winit_gui.experiment import Experiment

    settings = Settings(init="he_normal", gain=100.0, activation="relu", depth=50, width=512, lr=10.0,
                        samples=64, batch_size=16)
    first, trained, reset = run(settings, 3)
    window = MainWindow(experiment=Experiment(settings), start_engine=False)
    qtbot.addWidget(window)
    window.show()
    for snap in (first, trained):
        window.show_snapshot(snap)
    assert trained.diverged and "diverged" in window.statusBar().currentMessage()
    assert window.findChild(type(window.step_label), "stepLabel").text() == f"Step {trained.step}"
    window.show_snapshot(reset)
    assert window.statusBar().currentMessage() == ""
    assert window.step_label.text() == "Step 0"


def test_layers_that_overflow_while_the_loss_stays_finite_count_as_diverged():
    # lr 10 at gain 100 grows the kernels to ~1e225 in three steps: the layers' spreads overflow,
    # while dead ReLUs leave the loss a finite number
    first, trained, reset = run(Settings(init="variance_scaling", gain=100.0, activation="relu", lr=10.0), 3)
    assert not snapshots.overflowed(first) and not first.diverged
    assert trained.diverged and "diverged" in trained.message and "Reset" in trained.message
    assert not snapshots.overflowed(trained) and trained.step < 3  # the last finite state, shown with the message
    assert not snapshots.overflowed(reset) and not reset.diverged and reset.message == ""


def test_initial_weights_that_overflow_say_so_at_step_zero():
    first, _, reset = run(Settings(init="he_normal", gain=1e6, activation="relu", depth=60, width=8), 1)
    assert first.step == 0 and first.diverged and snapshots.overflowed(first)
    assert "too large for floating point" in first.message and "weight scale" in first.message
    assert reset.diverged  # the same weights again: still the same message, not a silent picture


def test_a_divergence_replaced_before_it_was_shown_still_stops_play(qtbot):
    # While playing, a run diverges (the engine pauses itself) and a slider move's snapshot
    # replaces the diverged one before the window takes it: Play must not stay pressed over an
    # engine that no longer trains (found by random use: Pause then got no answer).
    from dataclasses import replace

    from PySide6 import QtWidgets

    from winit_gui.app.main_window import MainWindow
    from winit_gui.experiment import Experiment

    settings = Settings(init="he_normal", gain=100.0, activation="relu", lr=10.0)
    first, trained, _ = run(settings, 3)
    assert trained.diverged
    window = MainWindow(experiment=Experiment(settings), start_engine=False)
    qtbot.addWidget(window)
    window.show()
    play = window.findChild(QtWidgets.QPushButton, "playButton")
    with QtCore.QSignalBlocker(play):
        play.setChecked(True)
    moved = replace(first, serial=trained.serial + 1, playing=False)
    window.bridge._deliver(trained)  # (what the engine's reader thread does)
    window.bridge._deliver(moved)
    qtbot.waitUntil(lambda: window.snapshot is moved)
    assert not play.isChecked() and "diverged" in window.statusBar().currentMessage()
    window.bridge.play()  # a new Play forgets the old divergence
    assert window.bridge.divergence == ""
