"""A plot legend styled for the theme: what the loss view does to its own, for the theory views."""

from __future__ import annotations

import pyqtgraph as pg

from winit_gui.app.theme import Theme


def style_legend(legend: pg.LegendItem, theme: Theme) -> None:
    """Text colour and size, a translucent background and an outline, for ``theme``."""
    legend.setLabelTextColor(theme.foreground)
    size = f"{max(7, theme.font_size - 1)}pt"
    legend.setLabelTextSize(size)
    for _sample, label in legend.items:  # existing labels keep their old style otherwise
        label.setText(label.text, color=theme.foreground, size=size)
        label.resize(label.preferredSize())  # (a smaller font would otherwise keep the old height)
    legend.updateSize()
    background = pg.mkColor(theme.background)
    background.setAlphaF(0.8)
    legend.setBrush(pg.mkBrush(background))
    legend.setPen(pg.mkPen(theme.muted))
