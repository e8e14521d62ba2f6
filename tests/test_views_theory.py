"""The Theory page (depthView, phaseView, spectrumView), driven through the window's widgets."""

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui.app import export
from winit_gui.app import theme as themes
from winit_gui.app.views.depth import DepthView
from winit_gui.app.views.phase import PhaseView
from winit_gui.app.views.spectrum import SpectrumView
from winit_gui.app.views.decades import log10_or_nan

THEORY_VIEWS = ("depthView", "phaseView", "spectrumView")


@pytest.fixture
def window(open_window):
    return open_window(preset="edge-of-chaos")


def view(window, name):
    found = window.findChild(QtWidgets.QWidget, name)
    assert found is not None, name
    return found


def switch(window, qtbot, on: bool):
    action = window.findChild(QtGui.QAction, "theoryAction")
    if action.isChecked() != on:
        action.trigger()
    qtbot.waitUntil(lambda: all(view(window, n).isVisible() == on for n in THEORY_VIEWS))


def shown(qtbot, window, condition):
    qtbot.waitUntil(lambda: condition(window.snapshot), timeout=10_000)
    return window.snapshot


def test_the_page_switches_by_action_and_view_menu_and_covers_the_six(window, qtbot):
    # (its views are made when the page first shows: start-up does not pay for them)
    assert all(window.findChild(QtWidgets.QWidget, n) is None for n in THEORY_VIEWS)
    switch(window, qtbot, True)
    assert not view(window, "networkView").isVisible()
    menu = window.findChild(QtWidgets.QMenu, "viewMenu")
    theory = next(a for a in menu.actions() if a.text() == "Theory")
    assert theory.isChecked() and theory.shortcut() == QtGui.QKeySequence("Ctrl+T")
    theory.trigger()
    qtbot.waitUntil(lambda: view(window, "networkView").isVisible())
    assert not view(window, "depthView").isVisible()


def test_the_views_draw_the_engines_theory_and_follow_the_slider(window, qtbot):
    switch(window, qtbot, True)
    depth, phase, spectrum = (view(window, n) for n in THEORY_VIEWS)
    slider = window.findChild(QtWidgets.QSlider, "gainSlider")
    for position in (-30, 0, 40):
        slider.setValue(position)
        gain = window.controls.settings.gain
        snap = shown(qtbot, window, lambda s: s.settings.gain == gain)
        qtbot.waitUntil(lambda: all(v.snapshot is snap for v in (depth, phase, spectrum)))
        theory = snap.theory
        x, y = depth.theory_curve.getData()
        np.testing.assert_array_equal(y, log10_or_nan(theory.theory_preact_var))
        np.testing.assert_array_equal(depth.measured.getData()[1], log10_or_nan(theory.measured_preact_var))
        assert phase.marker.getData() == ([theory.sigma_w], [theory.sigma_b])
        assert theory.phase in phase.point_label.text()
        np.testing.assert_array_equal(spectrum.current.getData()[1], log10_or_nan(theory.jacobian_sv))
        np.testing.assert_array_equal(spectrum.reference.getData()[1], log10_or_nan(theory.reference_sv))
    # the lesson's sweep: sigma_w through 1, the point crosses the critical line
    assert window.snapshot.theory.phase == "chaotic" and window.snapshot.theory.sigma_w > 1


def test_the_phase_plane_is_made_again_only_for_a_new_activation(window, qtbot):
    switch(window, qtbot, True)
    phase = view(window, "phaseView")
    image_of = {}
    calls = []
    original = phase.image.setImage
    phase.image.setImage = lambda *a, **k: (calls.append(1), original(*a, **k))
    combo = window.findChild(QtWidgets.QComboBox, "activationCombo")
    slider = window.findChild(QtWidgets.QSlider, "gainSlider")
    for name in ("tanh", "relu"):
        combo.setCurrentIndex(combo.findData(name))
        shown(qtbot, window, lambda s: s.settings.activation == name)
        qtbot.waitUntil(lambda: phase.snapshot is window.snapshot)
        image_of[name] = np.array(phase.image.image, copy=True)
        made = len(calls)
        slider.setValue(slider.value() + 10)
        gain = window.controls.settings.gain
        shown(qtbot, window, lambda s: s.settings.gain == gain)
        qtbot.waitUntil(lambda: phase.snapshot is window.snapshot)
        assert len(calls) == made  # a slider move moves the point only
    assert not np.array_equal(image_of["tanh"], image_of["relu"])
    critical = window.snapshot.theory.critical_sigma_w
    np.testing.assert_array_equal(phase.critical.getData()[0], critical)


def test_hidden_views_are_not_drawn_and_catch_up_when_shown(window, qtbot):
    switch(window, qtbot, True)
    switch(window, qtbot, False)
    depth = view(window, "depthView")
    slider = window.findChild(QtWidgets.QSlider, "gainSlider")
    slider.setValue(25)
    snap = shown(qtbot, window, lambda s: s.settings.gain == window.controls.settings.gain)
    qtbot.waitUntil(lambda: view(window, "networkView").snapshot is snap)
    assert depth.snapshot is not snap
    assert snap.theory is None  # the engine leaves out what no view on screen draws
    switch(window, qtbot, True)
    qtbot.waitUntil(lambda: depth.snapshot is window.snapshot)
    assert window.snapshot.settings.gain == snap.settings.gain and window.snapshot.theory is not None
    # and while the page shows, the six wait
    network = view(window, "networkView")
    slider.setValue(-25)
    snap = shown(qtbot, window, lambda s: s.settings.gain == window.controls.settings.gain)
    qtbot.waitUntil(lambda: depth.snapshot is snap)
    assert network.snapshot is not snap


@pytest.mark.parametrize("name", ["depth", "phase", "spectrum"])
def test_a_hidden_theory_view_exports_with_the_current_picture(window, qtbot, tmp_path, name):
    path = export.export_view(export.find_view(window, name), tmp_path / f"{name}.png", scale=1)
    image = QtGui.QImage(str(path))
    target = view(window, export.OBJECT_NAMES[name])
    assert target.snapshot is window.snapshot
    assert (image.width(), image.height()) == (target.width(), target.height())
    colors = {image.pixel(x, y) for x in range(0, image.width(), 5) for y in range(0, image.height(), 5)}
    assert len(colors) > 8


@pytest.mark.parametrize("cls", [DepthView, PhaseView, SpectrumView])
def test_a_view_resized_while_hidden_fills_its_width_when_shown(qtbot, cls):
    # A page built wide and shown narrower (the theory page, first shown at 1280 x 720): the
    # resize fits a shorter title but clamped the scene to the longer title's minimum width,
    # and the plot's right side was cut off
    v = cls(themes.load("light"))
    qtbot.addWidget(v)
    v.resize(900, 300)
    v.show()
    qtbot.waitExposed(v)
    v.hide()
    v.resize(300, 300)
    v.show()
    QtCore.QCoreApplication.processEvents()
    assert v.centralWidget.geometry().width() == v.width() == 300


def test_the_windows_first_picture_leaves_the_theory_to_the_engine(qtbot):
    # The window draws its own first picture while the engine starts, without the theory (a
    # tenth of a second at start-up, which the engine computes anyway); the theory views wait
    # for the engine's
    from winit_gui.app.main_window import MainWindow

    window = MainWindow(preset="edge-of-chaos")
    qtbot.addWidget(window)
    first = window.snapshot
    assert first.serial == 0 and first.theory is None
    assert view(window, "networkView").snapshot is first
    window.show()
    switch(window, qtbot, True)
    depth = view(window, "depthView")
    qtbot.waitUntil(lambda: depth.snapshot is not None and depth.snapshot.serial >= 1, timeout=10_000)
    assert depth.snapshot.theory is not None and len(depth.theory_curve.getData()[1]) == 30
    window.close()


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_switching_pages_keeps_the_side_panels_width_at_projector_size(qtbot, theme):
    from winit_gui.app.main_window import MainWindow

    window = MainWindow(preset="edge-of-chaos", theme=theme)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    QtCore.QCoreApplication.processEvents()
    sizes = window.splitter.sizes()
    for on in (True, False, True):
        switch(window, qtbot, on)
        qtbot.waitUntil(lambda: window.snapshot.serial >= 1)
        for _ in range(3):
            QtCore.QCoreApplication.processEvents()
        assert window.splitter.sizes() == sizes
    window.close()
