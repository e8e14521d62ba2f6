"""Plot titles that show the longest of their wordings that fits the width they are given.

pyqtgraph gives a LabelItem the minimum width of its text, so one long title on a narrow panel
pushes the whole layout out of its widget (the plot clipped on both sides). Both classes release
that minimum and choose a shorter wording instead:

- ``FittedLabel``: wordings whose numbers change at every frame (the network's largest |w|, the
  loss, the test accuracy), set for a fraction of what LabelItem.setText costs;
- ``FittedTitle``: a view's fixed title, chosen when the text or the width changes, whose
  wordings may take two lines (the plot's title row follows).
"""

from __future__ import annotations

import html
import re
from typing import Callable

import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from winit_gui.app.theme import Theme
from winit_gui.app.views.histograms import font


class FittedLabel:
    """A LabelItem showing the longest of its rich-text ``candidates`` that fits ``fit``'s width;
    the shortest, when plain text, is elided if even it does not fit."""

    def __init__(self, label: pg.LabelItem):
        self.label = label
        self.candidates: tuple[str, ...] = ()
        self.color = ""
        self.size = 10
        self.width = 0.0
        self.shown: str | None = None
        self._metrics: QtGui.QFontMetricsF | None = None
        """Of the font at ``size`` (the candidates are measured every frame)."""
        self._styled: tuple[str, int] | None = None
        """The colour and size the label's text was last set with by LabelItem.setText."""

    def set(self, candidates, color: str, size: int) -> None:
        candidates = tuple(candidates)
        if (candidates, color, size) == (self.candidates, self.color, self.size):
            return
        if size != self.size or self._metrics is None:
            font = QtGui.QFont()
            font.setPointSize(size)
            self._metrics = QtGui.QFontMetricsF(font)
        self.candidates, self.color, self.size = candidates, color, size
        self.shown = None
        self.fit(self.width)

    def fit(self, width: float) -> None:
        self.width = width
        if not self.candidates:
            return
        metrics = self._metrics
        chosen = None
        for text in self.candidates:
            if width <= 0 or metrics.horizontalAdvance(_plain(text)) + 16 <= width:
                chosen = text
                break
        if chosen is None:  # not even the shortest fits: elide it if it is plain text
            chosen = self.candidates[-1]
            if chosen == _plain(chosen):
                chosen = html.escape(metrics.elidedText(chosen, QtCore.Qt.TextElideMode.ElideRight,
                                                        max(10, int(width - 16))))
        if chosen != self.shown:
            self.shown = chosen
            # (other style options, which no view sets, would be left out of _set_words' HTML)
            if self._styled == (self.color, self.size) and self.label.opts.keys() <= {"color", "size", "justify"}:
                self._set_words(chosen)
            else:
                self._styled = (self.color, self.size)
                self.label.setText(chosen, color=self.color, size=f"{self.size}pt")
            self.label.setMinimumWidth(0)

    def _set_words(self, text: str) -> None:
        """``LabelItem.setText(text)`` in the colour and size it already has, for less.

        Why: a title whose numbers change every frame (the largest |w|, the loss, the accuracy)
        was set this way some four times a frame. LabelItem.setText goes through
        QGraphicsTextItem.setHtml, whose text control then lays out the line once more to keep
        a cursor nobody sees in view, and it measures the label twice; this sets the item's
        document, then centres it and updates the size hints as setText does (measured: 0.79 M
        -> 0.62 M instructions per new network title; centring it here rather than through
        LabelItem.resizeEvent, 0.1 M less again). The HTML, the text's place and the size hints
        are those setText leaves (a test compares them).
        """
        label = self.label
        label.text = text
        style = f"color: {pg.mkColor(self.color).name(QtGui.QColor.NameFormat.HexArgb)}; font-size: {self.size}pt"
        label.item.document().setHtml(f"<span style='{style}'>{text}</span>")
        if label.opts.get("justify", "center") != "center" or label.angle != 0:
            label.resizeEvent(None)  # (places the text and sets the minimum and preferred size)
            return
        # What LabelItem.resizeEvent leaves for a centred, upright label (it moves the text to 0,
        # measures it twice, maps two points and sets the minimum size through updateMin), in a
        # third of its calls into Qt. (_sizeHint is LabelItem's own; the test catches a rename.)
        size = label.item.boundingRect().size()
        width, height = size.width(), size.height()
        centre = label.rect().center()
        label.item.setPos(centre.x() - width / 2, centre.y() - height / 2)
        label.setMinimumHeight(height)
        label._sizeHint = {QtCore.Qt.SizeHint.MinimumSize: (width, height),
                           QtCore.Qt.SizeHint.PreferredSize: (width, height),
                           QtCore.Qt.SizeHint.MaximumSize: (-1, -1), QtCore.Qt.SizeHint.MinimumDescent: (0, 0)}
        label.updateGeometry()

    @property
    def text(self) -> str:
        return _plain(self.shown or "")


def _plain(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


class FittedTitle:
    """A plot's title: the longest of its versions that fits the width the view gives it.
    Versions go from the fullest to the shortest; a version may hold a line break ("\\n"); the
    last is elided if even it does not fit. Chosen when the text or the width changes."""

    def __init__(self, label: pg.LabelItem, width: Callable[[], float], plot: pg.PlotItem | None = None,
                 rich: Callable[[str], str] | None = None):
        """``width``: the pixels the title may use; ``plot``: the PlotItem whose title this is (its
        title row has a fixed height, which a two-line version must change); ``rich``: turns the
        chosen (escaped) line into HTML, e.g. to colour a legend's symbols."""
        self.label = label
        self.width = width
        self.plot = plot
        self.rich = rich
        self.versions: tuple[str, ...] = ()
        self.theme: Theme | None = None
        self._shown: tuple | None = None

    def set(self, theme: Theme, *versions: str) -> None:
        self.theme, self.versions = theme, versions
        self.fit()

    def fit(self) -> None:
        theme = self.theme
        if theme is None or not self.versions:
            return
        fm = QtGui.QFontMetrics(font(theme))
        room = max(self.width() - 20, 40)  # (the label's text document adds a margin of 4 px a side)
        choice = next((v for v in self.versions
                       if max(fm.horizontalAdvance(line) for line in v.split("\n")) <= room), None)
        if choice is None:
            choice = fm.elidedText(self.versions[-1].split("\n")[0], QtCore.Qt.ElideRight, int(room))
        key = (choice, theme)
        if key != self._shown:
            self._shown = key
            lines = choice.split("\n")
            if self.plot is not None:
                height = len(lines) * fm.lineSpacing() + 10
                self.plot.layout.setRowFixedHeight(0, height)
                self.label.setMaximumHeight(height)
                self.label.setVisible(True)
            # (HTML collapses runs of spaces: keep the gaps the versions were written with)
            text = "<br>".join((self.rich or str)(html.escape(line)).replace("  ", " &nbsp;") for line in lines)
            self.label.setText(text, color=theme.foreground, size=f"{theme.font_size}pt")

    @property
    def text(self) -> str:
        """The version shown, as plain text."""
        return "" if self._shown is None else self._shown[0]
