"""Figures for slides: one view or the whole window, as PNG at any scale, as SVG, or to the clipboard.

A view is re-rendered, never upscaled: pyqtgraph's ImageExporter machinery paints the view's
scene into an image ``scale`` times the view's on-screen size, so text and curves stay sharp
(``exporters/ImageExporter.py``; see SlideImageExporter for the one change). The whole window is
painted with ``QWidget.render`` into a pixmap whose device-pixel ratio is ``scale``: Qt lays it
out at the on-screen size and draws every widget at ``scale`` device pixels per pixel, as on a
high-DPI screen.

One thing both need that neither does by itself: pyqtgraph's pens are *cosmetic* (their width is
in device pixels, whatever the painter's scale), so a 2x picture would draw the light theme's
3-pixel curves 3 pixels wide in an image twice as large: hairlines beside doubled text. For the
duration of an export :func:`slide_pens` widens every cosmetic pen of the scenes by ``scale``,
which makes a 2x export the on-screen picture with twice the pixels.

SVG (pyqtgraph's SVGExporter) is offered for the views only: the window holds Qt widgets
(buttons, sliders, labels) that have no vector form worth putting on a slide.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter, SVGExporter
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui.app.views.marks import PixelMarks
from winit_gui.app.views.paths import PathCurve
from winit_gui.app.views.steps import StepStack

VIEW_NAMES = ("network", "activations", "saturation", "gradients", "loss", "boundary", "depth", "phase", "spectrum")
"""The views by their command-line names (``winit-gui render``/``record``), in file order: the six,
then the theory page's."""
OBJECT_NAMES = {"network": "networkView", "activations": "activationView", "saturation": "saturationView",
                "gradients": "gradientView", "loss": "lossView", "boundary": "boundaryView",
                "depth": "depthView", "phase": "phaseView", "spectrum": "spectrumView"}
WINDOW = "window"
SCALES = (1, 2, 3, 4)
FORMATS = ("png", "svg")
MIN_SCALE, MAX_SCALE = 1.0, 4.0


# ---- finding things --------------------------------------------------------------------------------
def find_view(window: QtWidgets.QWidget, name: str):
    """The view of ``window`` called ``name`` (a command-line name such as ``"activations"``)."""
    if name not in OBJECT_NAMES:
        raise ValueError(f"unknown view {name!r}; valid: {', '.join(VIEW_NAMES)}")
    for view in window.views:
        if view.objectName() == OBJECT_NAMES[name]:
            window.refresh_views()  # (another page may have kept the six from drawing)
            return view
    for view in window.theory.views:
        if view.objectName() == OBJECT_NAMES[name]:
            window.theory.prepare()  # (laid out and drawn, also while its page is hidden)
            return view
    raise LookupError(f"the window has no {OBJECT_NAMES[name]}")


def target_widget(window: QtWidgets.QWidget, name: str) -> QtWidgets.QWidget:
    """``window`` itself for ``"window"``, else the named view."""
    return window if name == WINDOW else find_view(window, name)


def _check_scale(scale: float) -> float:
    scale = float(scale)
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between {MIN_SCALE:g} and {MAX_SCALE:g}, got {scale:g}")
    return scale


# ---- pens at slide resolution ----------------------------------------------------------------------
def _wider(pen, factor: float):
    """A copy of ``pen`` with its cosmetic width times ``factor`` (None and non-pens pass through)."""
    if not isinstance(pen, QtGui.QPen) or not pen.isCosmetic() or pen.style() == QtCore.Qt.NoPen:
        return pen
    wide = QtGui.QPen(pen)
    wide.setWidthF(max(pen.widthF(), 1.0) * factor)  # width 0 is a 1-pixel cosmetic line
    return wide


def _widen_opts(item, keys: Iterable[str], factor: float, undo: list[Callable[[], None]]) -> None:
    for key in keys:
        pen = item.opts.get(key)
        if not isinstance(pen, QtGui.QPen) and pen is not None and key == "pen":
            try:
                pen = pg.mkPen(pen)
            except Exception:  # noqa: BLE001 - an unusual pen spec: leave it as it is
                continue
        wide = _wider(pen, factor)
        if wide is not pen:
            old = item.opts[key]
            item.opts[key] = wide
            undo.append(lambda item=item, key=key, old=old: item.opts.__setitem__(key, old))


@contextmanager
def slide_pens(scenes: Iterable[QtWidgets.QGraphicsScene], factor: float) -> Iterator[None]:
    """Widen every cosmetic pen of ``scenes`` by ``factor`` inside the ``with`` block, then restore them.

    Covers the items the views draw with pens: curves (PathCurve, PlotCurveItem, and PlotDataItem's
    pen that legends draw their samples with), step histograms (StepStack), symbol outlines
    (PixelMarks), infinite lines, axes, bar graphs and Qt's own shape and line items. (The
    device-pixel ratio scales symbol sizes.)
    """
    undo: list[Callable[[], None]] = []
    if factor != 1.0:
        for scene in scenes:
            for item in scene.items():
                _widen_item(item, factor, undo)
    try:
        yield
    finally:
        for step in reversed(undo):
            step()


def _widen_item(item, factor: float, undo: list[Callable[[], None]]) -> None:
    if isinstance(item, (pg.PlotCurveItem, pg.PlotDataItem)):
        _widen_opts(item, ("pen", "shadowPen"), factor, undo)
    elif isinstance(item, PathCurve):  # (its own pen is none while a RectOutline child draws its line)
        old = item.opts["pen"]
        if old is not None:
            item.setPen(_wider(old, factor))
            undo.append(lambda item=item, old=old: item.setPen(old))
    elif isinstance(item, StepStack):  # the ridgelines' outlines
        old_pens = item.pens
        item.set_styles([_wider(pen, factor) for pen in old_pens], item.brushes)
        undo.append(lambda item=item, old=old_pens: item.set_styles(old, item.brushes))
    elif isinstance(item, PixelMarks):  # symbol outlines
        old_styles = item.styles
        item.set_styles([(symbol, brush, _wider(pen, factor)) for symbol, brush, pen in old_styles])
        undo.append(lambda item=item, old=old_styles: item.set_styles(old))
    elif isinstance(item, pg.InfiniteLine):
        old = (item.pen, item.currentPen, item.hoverPen)
        item.pen, item.currentPen, item.hoverPen = (_wider(p, factor) for p in old)
        undo.append(lambda item=item, old=old: _setattr_many(item, ("pen", "currentPen", "hoverPen"), old))
    elif isinstance(item, pg.AxisItem) and isinstance(getattr(item, "_pen", None), QtGui.QPen):
        # Swapped under AxisItem.setPen, which would also recolour the axis label with the pen.
        def swap(item=item, pen=None):
            item._pen = pen
            item.picture = None  # the axis caches its drawing

        old = item._pen
        swap(item, _wider(old, factor))
        undo.append(lambda item=item, old=old: swap(item, old))
    elif isinstance(item, pg.BarGraphItem):
        opts = item.opts
        if opts.get("pens") is not None:
            old_pens = opts["pens"]
            item.setOpts(pens=[_wider(pg.mkPen(p), factor) for p in old_pens])
            undo.append(lambda item=item, old=old_pens: item.setOpts(pens=old))
        elif opts.get("pen") is not None:
            old_pen = opts["pen"]
            item.setOpts(pen=_wider(pg.mkPen(old_pen), factor))
            undo.append(lambda item=item, old=old_pen: item.setOpts(pen=old))
    elif isinstance(item, (QtWidgets.QAbstractGraphicsShapeItem, QtWidgets.QGraphicsLineItem)):
        old = item.pen()
        wide = _wider(old, factor)
        if wide is not old:
            item.setPen(wide)
            undo.append(lambda item=item, old=old: item.setPen(old))


def _setattr_many(obj, names: Iterable[str], values: Iterable) -> None:
    for name, value in zip(names, values):
        setattr(obj, name, value)


@contextmanager
def _export_mode(scenes: Iterable[QtWidgets.QGraphicsScene], background) -> Iterator[None]:
    """pyqtgraph's export mode on every item, as ImageExporter sets it for its scene, for the
    window, which Qt paints: scatter symbols drawn as vectors (not from the 1x pixmap atlas,
    which a 2x pixmap would show blurred), no hover buttons. ``resolutionScale`` stays 1: the
    pixmap's device-pixel ratio already scales the symbols (ImageExporter needs it because it
    scales with the painter's world transform, which pyqtgraph resets for pixel-sized symbols)."""
    items = [item for scene in scenes for item in scene.items() if hasattr(item, "setExportMode")]
    opts = {"antialias": True, "background": background, "painter": None, "resolutionScale": 1.0}
    for item in items:
        item.setExportMode(True, dict(opts))
    try:
        yield
    finally:
        for item in items:
            item.setExportMode(False)


# ---- rendering -------------------------------------------------------------------------------------
def _background(view) -> QtGui.QColor:
    theme = getattr(view, "theme", None)
    return QtGui.QColor(theme.background if theme is not None else "#ffffff")


def _flush_layouts() -> None:
    """Apply pending layout changes (a toolbar just added, a resize) before taking a picture."""
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.LayoutRequest)


class SlideImageExporter(ImageExporter):
    """pyqtgraph's ImageExporter, drawing through the image's device-pixel ratio.

    ImageExporter reaches a larger size by scaling the painter. Items that ignore transformations
    do not follow that scale: a plot's legend (LegendItem) came out at its on-screen size in a 2x
    image, half as large as everything around it. Here the image has ``scale`` device pixels per
    pixel and the scene is painted at its on-screen size, so every item grows alike, as on a
    high-DPI screen; the rest (export mode on the paint items, background, antialiasing) is
    ImageExporter's. ``resolutionScale`` is 1: the device-pixel ratio already sizes pixel-mode
    scatter symbols.
    """

    def __init__(self, item, scale: float):
        super().__init__(item)
        self.scale = scale

    def export(self, fileName=None, toBytes=False, copy=False):
        source = self.getSourceRect()
        target = self.getTargetRect()
        image = QtGui.QImage(round(target.width() * self.scale), round(target.height() * self.scale),
                             QtGui.QImage.Format_ARGB32)
        image.setDevicePixelRatio(self.scale)
        image.fill(self.params["background"])
        painter = QtGui.QPainter(image)
        try:
            self.setExportMode(True, {"antialias": self.params["antialias"], "background": self.params["background"],
                                      "painter": painter, "resolutionScale": 1.0})
            painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, self.params["antialias"])
            self.getScene().render(painter, QtCore.QRectF(0, 0, target.width(), target.height()),
                                   QtCore.QRectF(source))
        finally:
            self.setExportMode(False)
            painter.end()
        image.setDevicePixelRatio(1.0)  # a file's pixels are pixels
        if copy:
            QtWidgets.QApplication.clipboard().setImage(image)
        elif toBytes:
            return image
        else:
            return image.save(fileName)


def render_view(view, scale: float = 2.0) -> QtGui.QImage:
    """``view`` re-rendered at ``scale`` times its on-screen size, on its theme's background."""
    scale = _check_scale(scale)
    _flush_layouts()
    exporter = SlideImageExporter(view.scene(), scale)
    exporter.parameters()["background"] = _background(view)
    exporter.parameters()["antialias"] = True
    with slide_pens([view.scene()], scale):
        image = exporter.export(toBytes=True)
    return image.convertToFormat(QtGui.QImage.Format_RGB32)


def render_window(window: QtWidgets.QWidget, scale: float = 2.0) -> QtGui.QImage:
    """The whole window painted at device-pixel ratio ``scale`` (crisp text, not an upscaled grab)."""
    scale = _check_scale(scale)
    _flush_layouts()
    size = window.size()
    pixmap = QtGui.QPixmap(round(size.width() * scale), round(size.height() * scale))
    pixmap.setDevicePixelRatio(scale)
    background = QtGui.QColor(window.theme.background) if hasattr(window, "theme") else QtGui.QColor("#ffffff")
    pixmap.fill(background)
    scenes = [view.scene() for view in getattr(window, "views", [])]
    with slide_pens(scenes, scale), _export_mode(scenes, background):
        window.render(pixmap)
    image = pixmap.toImage().convertToFormat(QtGui.QImage.Format_RGB32)
    image.setDevicePixelRatio(1.0)  # a file's pixels are pixels
    return image


def render(window: QtWidgets.QWidget, name: str, scale: float = 2.0) -> QtGui.QImage:
    """The window (``name == "window"``) or one of its views, as an image at ``scale``."""
    if name == WINDOW:
        return render_window(window, scale)
    return render_view(find_view(window, name), scale)


def _save(image: QtGui.QImage, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    return path


_CLOSE_MARK = "data-winit-close"


@contextmanager
def _svg_closed_paths() -> Iterator[None]:
    """Let pyqtgraph's SVGExporter read Qt 6's closed paths.

    Qt (6.x) ends closed SVG paths with a ``Z`` token, which pyqtgraph's ``correctCoordinates``
    (0.14 and earlier) cannot parse: every view's ViewBox background is such a path, so every SVG
    export failed with "not enough values to unpack" (pyqtgraph issue #3495). While exporting,
    the ``Z`` tokens are taken out before pyqtgraph rewrites a path's coordinates and put back in
    the same places afterwards.
    """
    import sys

    module = sys.modules[SVGExporter.__module__]
    original = module.correctCoordinates

    def correct(node, defs, item, options):
        for element in node.getElementsByTagName("path"):
            tokens = element.getAttribute("d").split()
            closes = [i for i, token in enumerate(tokens) if token in ("Z", "z")]
            if closes:
                element.setAttribute("d", " ".join(t for t in tokens if t not in ("Z", "z")))
                element.setAttribute(_CLOSE_MARK, ",".join(map(str, closes)))
        original(node, defs, item, options)
        for element in node.getElementsByTagName("path"):
            if element.hasAttribute(_CLOSE_MARK):
                tokens = element.getAttribute("d").split()
                for i in map(int, element.getAttribute(_CLOSE_MARK).split(",")):
                    tokens.insert(i, "Z")
                element.setAttribute("d", " ".join(tokens))
                element.removeAttribute(_CLOSE_MARK)

    module.correctCoordinates = correct
    try:
        yield
    finally:
        module.correctCoordinates = original


def export_view(view, path, scale: float = 2.0) -> Path:
    """Write ``view`` to ``path``: ``.svg`` as vectors, anything else as a PNG at ``scale``."""
    path = Path(path)
    if path.suffix.lower() == ".svg":
        path.parent.mkdir(parents=True, exist_ok=True)
        exporter = SVGExporter(view.scene())
        exporter.parameters()["background"] = _background(view)
        with _svg_closed_paths():
            exporter.export(str(path))
        return path
    return _save(render_view(view, scale), path)


def export_window(window: QtWidgets.QWidget, path, scale: float = 2.0) -> Path:
    """Write the whole window to ``path`` as a PNG at ``scale``."""
    path = Path(path)
    if path.suffix.lower() == ".svg":
        raise ValueError("the whole window is exported as PNG only; SVG is for a single view")
    return _save(render_window(window, scale), path)


def export(window: QtWidgets.QWidget, name: str, path, scale: float = 2.0) -> Path:
    """Write the window (``name == "window"``) or one named view to ``path``."""
    if name == WINDOW:
        return export_window(window, path, scale)
    return export_view(find_view(window, name), path, scale)


def copy_to_clipboard(window: QtWidgets.QWidget, name: str, scale: float = 2.0) -> QtGui.QImage:
    """Put the window or one view on the clipboard as an image at ``scale`` (for pasting into slides)."""
    image = render(window, name, scale)
    QtWidgets.QApplication.clipboard().setImage(image)
    return image


def default_file_name(window: QtWidgets.QWidget, view: str, fmt: str = "png") -> str:
    """A file name that says what is shown: lesson, initializer, gain, step and view.

    ``he-relu_he_normal_gain1.00_step0_activations.png``; "experiment" when no lesson is open.
    """
    combo = getattr(window, "preset_combo", None)
    preset = (combo.currentData() if combo is not None else "") or "experiment"
    settings = window.controls.settings
    snapshot = getattr(window, "snapshot", None)
    step = snapshot.step if snapshot is not None else 0
    stem = f"{preset}_{settings.init}_gain{settings.gain:.2f}_step{step}_{view}"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem) + f".{fmt}"


# ---- the window's menu and toolbar -----------------------------------------------------------------
def file_menu(window: QtWidgets.QMainWindow) -> QtWidgets.QMenu:
    """The window's File menu (objectName ``fileMenu``), created on first use."""
    menu = window.menuBar().findChild(QtWidgets.QMenu, "fileMenu")
    if menu is None:
        menu = window.menuBar().addMenu("&File")
        menu.setObjectName("fileMenu")
    return menu


def lecture_toolbar(window: QtWidgets.QMainWindow) -> QtWidgets.QToolBar:
    """The toolbar for figures and films (objectName ``lectureToolbar``), created on first use."""
    bar = window.findChild(QtWidgets.QToolBar, "lectureToolbar")
    if bar is None:
        bar = window.addToolBar("Figures")
        bar.setObjectName("lectureToolbar")
        bar.setMovable(False)
    return bar


TARGET_TITLES = {WINDOW: "Whole window", "network": "Network", "activations": "Activations",
                 "saturation": "Saturation", "gradients": "Gradients", "loss": "Loss",
                 "boundary": "Decision boundary", "depth": "Theory: variance by depth",
                 "phase": "Theory: order and chaos", "spectrum": "Theory: Jacobian spectrum"}


class ExportDialog(QtWidgets.QDialog):
    """What to export (window or one view), at what scale, in which format, to which file."""

    def __init__(self, window: QtWidgets.QMainWindow, view: str = WINDOW, scale: int = 2, fmt: str = "png",
                 folder: str | None = None):
        super().__init__(window)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export figure")
        self._window = window
        form = QtWidgets.QFormLayout(self)
        self.view_combo = QtWidgets.QComboBox(objectName="exportViewCombo")
        for name in (WINDOW, *VIEW_NAMES):
            self.view_combo.addItem(TARGET_TITLES[name], name)
        self.view_combo.setCurrentIndex(max(0, self.view_combo.findData(view)))
        form.addRow("Show", self.view_combo)
        self.scale_combo = QtWidgets.QComboBox(objectName="exportScaleCombo")
        for s in SCALES:
            self.scale_combo.addItem(f"{s}x", s)
        self.scale_combo.setCurrentIndex(max(0, self.scale_combo.findData(int(scale))))
        self.scale_combo.setToolTip("Pixels per on-screen pixel: 2x for a slide, 3x-4x for print")
        form.addRow("Scale", self.scale_combo)
        self.format_combo = QtWidgets.QComboBox(objectName="exportFormatCombo")
        self.format_combo.addItem("PNG (image)", "png")
        self.format_combo.addItem("SVG (vectors, one view only)", "svg")
        self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(fmt)))
        form.addRow("Format", self.format_combo)
        self.size_label = QtWidgets.QLabel(objectName="exportSizeLabel")
        form.addRow("Size", self.size_label)
        self.path_edit = QtWidgets.QLineEdit(objectName="exportPathEdit")
        browse = QtWidgets.QPushButton("Browse…", objectName="exportBrowseButton")
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form.addRow("File", row)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Save | QtWidgets.QDialogButtonBox.Cancel)
        self.copy_button = buttons.addButton("Copy to clipboard", QtWidgets.QDialogButtonBox.ActionRole)
        form.addRow(buttons)

        self._folder = folder or str(Path.home())
        self.view_combo.currentIndexChanged.connect(self._changed)
        self.scale_combo.currentIndexChanged.connect(self._changed)
        self.format_combo.currentIndexChanged.connect(self._changed)
        browse.clicked.connect(self._browse)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self._copy)
        self._changed()

    @property
    def view(self) -> str:
        return self.view_combo.currentData()

    @property
    def scale(self) -> int:
        return self.scale_combo.currentData()

    @property
    def fmt(self) -> str:
        return self.format_combo.currentData()

    @property
    def path(self) -> Path:
        return Path(self.path_edit.text())

    def _changed(self, *_args) -> None:
        # SVG only for a view: the window's widgets have no vector form.
        svg_item = self.format_combo.model().item(1)
        svg_item.setEnabled(self.view != WINDOW)
        if self.view == WINDOW and self.fmt == "svg":
            self.format_combo.setCurrentIndex(0)
        widget = target_widget(self._window, self.view)
        if self.fmt == "svg":
            self.size_label.setText("vectors (any size)")
        else:
            self.size_label.setText(f"{round(widget.width() * self.scale)} × {round(widget.height() * self.scale)} px")
        folder = str(self.path.parent) if self.path_edit.text() else self._folder
        self.path_edit.setText(str(Path(folder) / default_file_name(self._window, self.view, self.fmt)))

    def _browse(self) -> None:
        pattern = "SVG (*.svg)" if self.fmt == "svg" else "PNG (*.png)"
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Export figure", self.path_edit.text(), pattern)
        if path:
            if Path(path).suffix.lower() != f".{self.fmt}":
                path += f".{self.fmt}"
            self.path_edit.setText(path)

    def _copy(self) -> None:
        copy_to_clipboard(self._window, self.view, self.scale)
        self._window.statusBar().showMessage(f"Copied {TARGET_TITLES[self.view].lower()} ({self.scale}x) "
                                             "to the clipboard", 5000)

    def export(self) -> Path:
        """Write the chosen figure (what Save does)."""
        return export(self._window, self.view, self.path, self.scale)


def run_export_dialog(window: QtWidgets.QMainWindow) -> Path | None:
    """Ask what to export and write it; the path written, or None when cancelled or failed."""
    state = window.property("winitExportChoice") or {}
    dialog = ExportDialog(window, view=state.get("view", WINDOW), scale=state.get("scale", 2),
                          fmt=state.get("fmt", "png"), folder=state.get("folder"))
    if dialog.exec() != QtWidgets.QDialog.Accepted:
        return None
    # The next export starts from these choices (and this folder).
    window.setProperty("winitExportChoice", {"view": dialog.view, "scale": dialog.scale, "fmt": dialog.fmt,
                                             "folder": str(dialog.path.parent)})
    try:
        path = dialog.export()
    except (OSError, ValueError) as err:
        QtWidgets.QMessageBox.warning(window, "Export failed", str(err))
        return None
    window.statusBar().showMessage(f"Exported {path}", 8000)
    return path


def install_export_actions(window: QtWidgets.QMainWindow) -> dict[str, QtGui.QAction]:
    """File ▸ Export figure… (Ctrl+E, also on the toolbar) and File ▸ Copy view to clipboard ▸ …"""
    actions: dict[str, QtGui.QAction] = {}
    export_action = QtGui.QAction("Export figure…", window, objectName="exportAction")
    export_action.setIconText("Export")  # the toolbar's text: short, the training toolbar is wide
    export_action.setShortcut(QtGui.QKeySequence("Ctrl+E"))
    export_action.setToolTip("Save the window or one view as PNG (1x-4x) or SVG, for slides (Ctrl+E)")
    export_action.triggered.connect(lambda: run_export_dialog(window))
    actions["export"] = export_action

    copy_menu = QtWidgets.QMenu("Copy view to clipboard", window)
    copy_menu.setObjectName("copyMenu")
    for name in (WINDOW, *VIEW_NAMES):
        action = copy_menu.addAction(TARGET_TITLES[name])
        action.setObjectName(f"copy_{name}")
        action.triggered.connect(lambda _=False, n=name: _copy_and_tell(window, n))
        actions[f"copy_{name}"] = action

    menu = file_menu(window)
    menu.addSeparator()
    menu.addAction(export_action)
    menu.addMenu(copy_menu)
    bar = lecture_toolbar(window)
    bar.addAction(export_action)
    window.addAction(export_action)  # the shortcut works wherever the focus is
    return actions


def _copy_and_tell(window: QtWidgets.QMainWindow, name: str, scale: float = 2.0) -> None:
    copy_to_clipboard(window, name, scale)
    window.statusBar().showMessage(f"Copied {TARGET_TITLES[name].lower()} ({scale:g}x) to the clipboard", 5000)
