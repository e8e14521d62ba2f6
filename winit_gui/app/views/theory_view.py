"""What the theory page's views share: pictures with the theory only, a title fitted to the
view's width, and a note box."""

from __future__ import annotations

import pyqtgraph as pg

from winit_gui.app.theme import Theme
from winit_gui.app.views.base import SnapshotView
from winit_gui.app.views.histograms import blend, font
from winit_gui.app.views.labels import Label
from winit_gui.app.views.titles import FittedTitle


class TheoryView(SnapshotView):
    """A view of ``snapshot.theory``, whose one plot's title is a FittedTitle (``self.title_fit``),
    fitted on resize. A picture without the theory (the window's first, made before the engine's)
    leaves the view as it is."""

    title_fit: FittedTitle

    def show_snapshot(self, snapshot) -> None:
        if snapshot.theory is not None:
            super().show_snapshot(snapshot)

    def resizeEvent(self, event) -> None:
        # titles first: the layout must not be held wide by a title meant for the old width
        if hasattr(self, "title_fit"):  # (Qt resizes the view once while it is being built)
            self.title_fit.fit()
        super().resizeEvent(event)


def style_note(label: Label, theme: Theme) -> None:
    """A note over the data: the theme's text on a box that the data shows through a little."""
    label.setColor(theme.foreground)
    label.setFont(font(theme, -1))
    label.set_fill(pg.mkBrush(blend(theme.background, theme.foreground, 0.85)))
