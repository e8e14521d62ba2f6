"""Figures for slides: pixel sizes, theme backgrounds, pen widths, SVG content, file names, actions."""

import xml.etree.ElementTree as ET
from types import SimpleNamespace

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtGui, QtWidgets

from winit_gui import presets
from winit_gui.app import export
from winit_gui.app.headless import Film
from winit_gui.settings import Settings


@pytest.fixture(scope="module")
def films(qapp):
    """One light and one dark window (symmetric lesson, 5 steps), fed synchronously: no thread."""
    made = {}

    def get(theme):
        if theme not in made:
            film = Film(presets.load("symmetric"), "symmetric", theme, 5)
            film.train_to(5)
            film.show()
            made[theme] = film
        return made[theme]

    yield get
    for film in made.values():
        film.close()


def read(path) -> QtGui.QImage:
    image = QtGui.QImage(str(path))
    assert not image.isNull(), path
    return image


def gray(image: QtGui.QImage, x: int, y: int) -> int:
    return QtGui.QColor(image.pixel(x, y)).lightness()


def test_scale_2_doubles_the_pixel_size_of_a_view(films, tmp_path):
    view = export.find_view(films("light").window, "activations")
    one = read(export.export_view(view, tmp_path / "one.png", scale=1))
    two = read(export.export_view(view, tmp_path / "two.png", scale=2))
    assert (one.width(), one.height()) == (view.width(), view.height())
    assert (two.width(), two.height()) == (2 * one.width(), 2 * one.height())


def test_scale_2_doubles_the_pixel_size_of_the_window(films, tmp_path):
    window = films("light").window
    one = read(export.export_window(window, tmp_path / "one.png", scale=1))
    two = read(export.export_window(window, tmp_path / "two.png", scale=2))
    assert (one.width(), one.height()) == (window.width(), window.height())
    assert (two.width(), two.height()) == (2 * one.width(), 2 * one.height())
    # Re-rendered, not upscaled: a 2x upscale has every 2x2 block equal; crisp text and lines do not.
    a = np.asarray(two.convertToFormat(QtGui.QImage.Format_Grayscale8).constBits()).reshape(
        two.height(), -1)[:, : two.width()]
    blocky = (a[0::2, 0::2] == a[1::2, 1::2]).mean()
    assert blocky < 0.995


@pytest.mark.parametrize("theme, light", [("light", True), ("dark", False)])
def test_the_exported_background_is_the_theme_background(films, tmp_path, theme, light):
    window = films(theme).window
    for name in ("loss", "network"):
        image = read(export.export_view(export.find_view(window, name), tmp_path / f"{name}.png", scale=2))
        corner = gray(image, 1, 1)
        assert corner > 240 if light else corner < 40, (name, corner)
    whole = read(export.export_window(window, tmp_path / "window.png", scale=1))
    assert gray(whole, whole.width() - 3, whole.height() // 2) > 240 if light else \
        gray(whole, whole.width() - 3, whole.height() // 2) < 40


@pytest.fixture
def line_plot(qapp):
    """A plot with a 3-px red line and a pure green legend box (top left), and that line."""
    widget = pg.GraphicsLayoutWidget()
    widget.setBackground("#ffffff")
    widget.theme = SimpleNamespace(background="#ffffff")
    plot = widget.addPlot()
    curve = plot.plot([0, 1], [0.5, 0.5], pen=pg.mkPen("#ff0000", width=3))
    plot.setYRange(0, 1)
    legend = plot.addLegend(offset=(5, 5), brush=pg.mkBrush("#00ff00"))
    legend.addItem(pg.PlotDataItem(pen=None), "")
    widget.resize(400, 300)
    widget.show()
    QtWidgets.QApplication.processEvents()
    yield widget, curve
    widget.close()


def _ink(image: QtGui.QImage) -> float:
    """How many pixels of red line a column on the right crosses (antialiased edges count in part)."""
    x = image.width() * 7 // 8
    return sum((255 - QtGui.QColor(image.pixel(x, y)).green()) / 255 for y in range(image.height()))


def test_lines_are_as_thick_relative_to_the_picture_at_every_scale(line_plot):
    # pyqtgraph's pens are cosmetic (device pixels): without slide_pens a 2x export would draw
    # the same 3-pixel line in a picture twice as large.
    widget, curve = line_plot
    one = _ink(export.render_view(widget, 1))
    two = _ink(export.render_view(widget, 2))
    assert one == pytest.approx(3, abs=0.5)
    assert two == pytest.approx(2 * one, rel=0.15), (one, two)
    # The pens are the view's again afterwards.
    assert curve.curve.opts["pen"].widthF() == 3
    assert curve.opts["pen"].widthF() == 3


def _green(image: QtGui.QImage) -> int:
    return sum(1 for x in range(image.width()) for y in range(image.height())
               if QtGui.QColor(image.pixel(x, y)).getRgb()[:3] == (0, 255, 0))


def test_a_legend_grows_with_the_picture(line_plot):
    # LegendItem ignores transformations: scaled with the painter (as ImageExporter does) it kept
    # its on-screen size in a 2x picture.
    widget, _ = line_plot
    one = _green(export.render_view(widget, 1))
    two = _green(export.render_view(widget, 2))
    assert one > 20
    assert two == pytest.approx(4 * one, rel=0.2), (one, two)


def test_an_export_leaves_the_view_as_it_was(films, tmp_path):
    view = export.find_view(films("light").window, "loss")
    axes = [item for item in view.scene().items() if isinstance(item, pg.AxisItem)]
    curves = [item for item in view.scene().items() if isinstance(item, pg.PlotCurveItem)]
    before = [(dict(a.labelStyle), a.pen().widthF(), a.pen().color().name()) for a in axes]
    widths = [c.opts["pen"].widthF() for c in curves if c.opts["pen"] is not None]
    pixels_before = view.grab().toImage()
    export.export_view(view, tmp_path / "loss.png", scale=3)
    export.export_window(films("light").window, tmp_path / "window.png", scale=2)
    assert [(dict(a.labelStyle), a.pen().widthF(), a.pen().color().name()) for a in axes] == before
    assert [c.opts["pen"].widthF() for c in curves if c.opts["pen"] is not None] == widths
    assert view.grab().toImage() == pixels_before


def test_svg_of_every_view_parses_and_holds_vectors(films, tmp_path):
    window = films("light").window
    for name in export.VIEW_NAMES:
        path = export.export_view(export.find_view(window, name), tmp_path / f"{name}.svg")
        root = ET.parse(path).getroot()
        tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
        assert tags & {"path", "polyline"}, (name, tags)
        assert "data-winit-close" not in path.read_text()


def test_the_window_is_png_only(films, tmp_path):
    with pytest.raises(ValueError, match="PNG"):
        export.export_window(films("light").window, tmp_path / "window.svg")


def test_scale_out_of_range_is_refused(films, tmp_path):
    with pytest.raises(ValueError, match="between 1 and 4"):
        export.export_view(export.find_view(films("light").window, "loss"), tmp_path / "x.png", scale=5)


def test_copy_puts_the_view_on_the_clipboard(films):
    window = films("light").window
    view = export.find_view(window, "loss")
    export.copy_to_clipboard(window, "loss", 1)
    image = QtWidgets.QApplication.clipboard().image()
    assert (image.width(), image.height()) == (view.width(), view.height())


def _fake_window(preset, settings, step):
    return SimpleNamespace(preset_combo=SimpleNamespace(currentData=lambda: preset),
                           controls=SimpleNamespace(settings=settings),
                           snapshot=None if step is None else SimpleNamespace(step=step))


def test_default_file_name_says_what_is_shown():
    he = presets.load("he-relu").settings
    assert export.default_file_name(_fake_window("he-relu", he, 0), "activations") == \
        "he-relu_he_normal_gain1.00_step0_activations.png"
    own = Settings(init="orthogonal", gain=2.5)
    assert export.default_file_name(_fake_window("", own, 120), "window", "svg") == \
        "experiment_orthogonal_gain2.50_step120_window.svg"
    assert export.default_file_name(_fake_window(None, own, None), "loss").startswith("experiment_orthogonal_gain2.50_step0")


def test_export_actions_menu_toolbar_and_dialog(films, tmp_path):
    window = films("light").window
    action = window.findChild(QtGui.QAction, "exportAction")
    assert action.shortcut().toString() == "Ctrl+E"
    assert action in export.file_menu(window).actions()
    assert action in export.lecture_toolbar(window).actions()
    copy_menu = window.findChild(QtWidgets.QMenu, "copyMenu")
    assert {a.objectName() for a in copy_menu.actions()} == {f"copy_{n}" for n in ("window", *export.VIEW_NAMES)}

    dialog = export.ExportDialog(window, view="window")
    svg = dialog.format_combo.model().item(1)
    assert not svg.isEnabled()  # the window has no vector form
    dialog.view_combo.setCurrentIndex(dialog.view_combo.findData("loss"))
    assert svg.isEnabled()
    dialog.scale_combo.setCurrentIndex(dialog.scale_combo.findData(3))
    assert dialog.path.name == export.default_file_name(window, "loss")
    dialog.path_edit.setText(str(tmp_path / "loss3.png"))
    image = read(dialog.export())
    view = export.find_view(window, "loss")
    assert (image.width(), image.height()) == (3 * view.width(), 3 * view.height())
    dialog.deleteLater()
