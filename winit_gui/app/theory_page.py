"""The Theory page: what mean-field theory predicts for the current settings, and the network beside it.

Three views (variance against depth, order and chaos, dynamical isometry) on a page of the
window's ``views_stack`` of their own, switched on and off by the checkable Theory action
(display toolbar, View menu, Ctrl+T). A page, not three more tiles: the six views already fill a
1280 x 720 projector, and nine would leave each too small to read from the back of the room;
a lecturer derives Xavier and He on the board, then switches to the page and drags the slider.

While the page is hidden its views are not drawn (the window's frames draw the views on screen,
``MainWindow.shown_views``); when it comes up they draw the window's newest picture at once
(``MainWindow.refresh_views``, when the page changes). The engine adds the theory to its snapshots
only while the page shows (a slider move's snapshot is then a quarter to a half cheaper to make).
Export and record reach the views while hidden too: ``prepare`` has the engine send the theory,
lays the page out at the size it has on screen and draws the current picture into it.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui.app.theme import Theme
from winit_gui.app.views.depth import DepthView
from winit_gui.app.views.phase import PhaseView
from winit_gui.app.views.spectrum import SpectrumView


class TheoryPage(QtWidgets.QWidget):
    """Variance by depth and the Jacobian's spectrum on the left, the phase plane on the right."""

    def __init__(self, main_window, theme: Theme):
        super().__init__()
        self.setObjectName("theoryPage")
        self._main = main_window
        self._theme = theme
        self._views: list = []
        self._grid = QtWidgets.QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(6)
        for column in range(2):
            self._grid.setColumnStretch(column, 1)

    @property
    def views(self) -> list:
        return self.make_views()

    def make_views(self) -> list:
        """The three views, made when first asked for (the page shown, an export): a twentieth
        of a second that a window's start-up need not spend on a page it may never show."""
        if not self._views:
            depth, phase, spectrum = self._views = [DepthView(self._theme), PhaseView(self._theme),
                                                    SpectrumView(self._theme)]
            self._grid.addWidget(depth, 0, 0)
            self._grid.addWidget(spectrum, 1, 0)
            self._grid.addWidget(phase, 0, 1, 2, 1)
        return self._views

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        for view in self._views:
            view.set_theme(theme)

    def prepare(self) -> None:
        """Make the views ready to be exported: laid out at their on-screen size (also while the
        page is hidden) and showing the window's current picture, with the theory (which the
        engine leaves out while no theory view is on screen)."""
        self._main.wait_for_theory()
        if not self.isVisible():
            stack = self.parentWidget()
            if stack is not None and self.geometry() != stack.contentsRect():
                self.setGeometry(stack.contentsRect())
            # A hidden widget gets its resize events only when shown, or rendered: rendering one
            # pixel lays the page and its views out as if they were on screen.
            self.render(QtGui.QPixmap(1, 1), QtCore.QPoint(), QtGui.QRegion(0, 0, 1, 1))
        self._main.refresh_views(self.views)


def install_theory(window) -> TheoryPage:
    """Add the Theory page to ``window.views_stack`` and its checkable action (Ctrl+T) to the
    display toolbar; the window's View menu lists the action too (``window.theory.action``)."""
    page = TheoryPage(window, window.theme)
    window.views_stack.addWidget(page)
    action = QtGui.QAction("Theory", window, objectName="theoryAction", checkable=True)
    action.setShortcut(QtGui.QKeySequence("Ctrl+T"))
    action.setToolTip("Theory (Ctrl+T): what mean-field theory predicts for these settings, beside what the "
                      "network does: variance by depth, order and chaos, dynamical isometry")
    window.display_toolbar.insertAction(window.display_toolbar.actions()[0], action)
    window.addAction(action)  # the shortcut works wherever the focus is

    def switch(on: bool) -> None:
        if on:
            page.make_views()  # before the page shows: the stack lays them out with it
            window.views_stack.setCurrentWidget(page)
        elif window.views_stack.currentWidget() is page:
            compare = getattr(window, "compare", None)
            if compare is not None and compare.active:
                window.views_stack.setCurrentWidget(compare)
            else:
                window.views_stack.setCurrentIndex(0)

    def follow(_index: int) -> None:
        with QtCore.QSignalBlocker(action):
            action.setChecked(window.views_stack.currentWidget() is page)

    action.toggled.connect(switch)
    window.views_stack.currentChanged.connect(follow)
    page.action = action
    return page
