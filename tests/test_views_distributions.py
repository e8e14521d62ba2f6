"""The distribution views (activations, saturation, gradients) draw exactly the statistics.

Every test renders Snapshots of real Trainers and reads back the items' data: histograms
against the normalized statistics, annotations against the means and stds, the derivative curve
against the activation, bars and heat map against the saturated fractions, the std lines against
the gradient stds. Item-count tests hold the views to "create once, update in place".
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui import activations, snapshot
from winit_gui.app import theme as themes
from winit_gui.app.views import histograms
from winit_gui.app.views.activations import FULL_POST, FULL_PRE, ActivationView
from winit_gui.app.views.boundary import BoundaryView
from winit_gui.app.views.gradients import ALL_ZERO, FULL as GRAD_FULL, GradientView
from winit_gui.app.views.loss import LossView
from winit_gui.app.views.saturation import SaturationView
from winit_gui.settings import Settings
from winit_gui.statistics import LOG_GRAD_EDGES, PREACT_EDGES
from winit_gui.training import Trainer

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")

DEFAULT = Settings()
TOO_SMALL = Settings(dataset="normal", depth=10, width=64, activation="tanh", init="random_normal",
                     init_params={"stddev": 0.01})
TOO_LARGE = Settings(dataset="circle", depth=6, width=16, activation="tanh", init="random_normal",
                     init_params={"stddev": 1.0}, gain=4.0)
ZEROS = Settings(dataset="circle", depth=3, width=6, activation="tanh", init="zeros")


def snap(settings: Settings, steps: int = 0, serial: int = 1) -> snapshot.Snapshot:
    trainer = Trainer(settings)
    trainer.train(steps)
    return snapshot.build(trainer, serial=serial, playing=False)


@pytest.fixture(scope="module")
def default_snap():
    return snap(DEFAULT)


def make(qtbot, cls, theme, size=(800, 500)):
    view = cls(theme)
    qtbot.addWidget(view)
    view.resize(*size)
    return view


def visible_slots(view) -> list[int]:
    return list(range(view.ridges.steps.count))


def bin_tops(stack, r: int, edges: np.ndarray, base: float) -> np.ndarray:
    """The height of every bin of histogram ``r`` of a StepStack, read back from its outline
    (each rise is a pair of points at a bin edge: the height before it and the one after)."""
    tops = np.full(len(edges) - 1, base)
    for (x, _), (_, after) in stack.histogram(r).reshape(-1, 2, 2)[:-1]:  # (the last rise: down to the base)
        tops[np.searchsorted(edges, x):] = after
    return tops


def drawn(view, slot: int) -> np.ndarray:
    """The values ridge ``slot`` draws, read back from its outline in the StepStack and its
    ridge's scale: the height of every bin, as the ridgeline's own ``values`` give it."""
    ridges = view.ridges
    base = ridges.baseline(slot)
    tops = bin_tops(ridges.steps, slot, ridges.edges, base)
    if ridges.log:
        return (tops - base) / (histograms.RIDGE_HEIGHT / -histograms.LOG_FLOOR) + histograms.LOG_FLOOR
    return (tops - base) / (histograms.RIDGE_HEIGHT / ridges.full)


def note(view, slot: int, short: bool = False) -> str:
    """The note of ridge ``slot`` (full, or the short one a narrow plot shows), checked to be the
    one on screen."""
    full_text, short_text = view.ridges.texts[slot]
    assert view.ridges.notes[slot].toPlainText() == (short_text if view.ridges.compact else full_text)
    return short_text if short else full_text


def numbers(text: str) -> list[float]:
    return [float(m) for m in NUMBER.findall(text.replace("−", "-"))]


def scene_items(view) -> set:
    return set(view.scene().items())


# ---- helpers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("n, cap", [(1, 12), (7, 12), (12, 12), (13, 12), (31, 12), (50, 12), (64, 12), (9, 6)])
def test_sample_layers_keeps_first_and_last_under_the_cap(n, cap):
    shown, k = histograms.sample_layers(n, cap)
    assert shown[0] == 0 and shown[-1] == n - 1
    assert len(shown) <= cap
    assert len(shown) == n if n <= cap else k > 1
    assert all(b - a == k for a, b in zip(shown[:-2], shown[1:-1]))  # every k-th (the last may be closer)


# ---- activation view ----------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["pre", "post"])
def test_activation_histograms_are_the_normalized_statistics(qtbot, theme, default_snap, mode):
    view = make(qtbot, ActivationView, theme)
    view.set_mode(mode)
    view.render(default_snap)
    stats = default_snap.stats
    assert visible_slots(view) == list(range(len(stats.layers)))
    full = FULL_PRE if mode == "pre" else FULL_POST
    edges = PREACT_EDGES if mode == "pre" else stats.act_edges
    for slot, layer in enumerate(stats.layers):
        counts = layer.preact_hist if mode == "pre" else layer.act_hist
        expected = np.minimum(counts / counts.sum(), full)
        np.testing.assert_array_equal(view.ridges.edges, edges)
        np.testing.assert_allclose(view.ridges.values[slot], expected, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(drawn(view, slot), expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("mode", ["pre", "post"])
def test_a_triangle_on_each_ridge_marks_its_mean(qtbot, theme, mode):
    """At the mean, in the ridge's colour, on its baseline; a mean beyond the axis at its end (a
    bias of 9 puts the pre-activations past 6)."""
    s = snap(DEFAULT.replace(bias_init=9.0))
    view = make(qtbot, ActivationView, theme)
    view.set_mode(mode)
    view.render(s)
    layers = s.stats.layers
    edges = PREACT_EDGES if mode == "pre" else s.stats.act_edges
    means = [layer.preact_mean if mode == "pre" else layer.act_mean for layer in layers]
    x, y = view.means.getData()
    np.testing.assert_allclose(x, np.clip(means, edges[0], edges[-1]))
    np.testing.assert_allclose(y, [view.ridges.baseline(slot) for slot in range(len(layers))])
    assert mode == "post" or x.max() == edges[-1]
    for slot, style in enumerate(view.means.style):
        symbol, brush, _ = view.means.styles[style]
        assert symbol == "t1" and brush.color() == view.ridges.steps.pens[slot].color()
    assert "▲ mean" in view.title_text.versions[0]


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # the tooltip's window, offscreen
@pytest.mark.parametrize("cls, plot, words", [
    (ActivationView, "plot", "▲ the layer's mean"),
    (GradientView, "plot", "vanishing"),
    (GradientView, "std_plot", "dL/dW"),
    (SaturationView, "curve_plot", "saturated"),
    (SaturationView, "bar_plot", "now"),
    (SaturationView, "heat_plot", "Figs. 2-3"),
    (LossView, "loss_plot", "chance, ln 2"),
    (LossView, "acc_plot", "accuracy"),
    (BoundaryView, "plot", "input plane"),
])
def test_hovering_a_plot_says_how_to_read_it(qtbot, default_snap, cls, plot, words):
    """Tooltips everywhere: a plot's own says what its marks mean (a narrow title has no room)."""
    view = make(qtbot, cls, themes.load("dark"), size=(800, 500))
    view.show()
    qtbot.waitExposed(view)
    view.show_snapshot(default_snap)
    at = view.mapFromScene(getattr(view, plot).getViewBox().sceneBoundingRect().center())
    QtWidgets.QApplication.sendEvent(view.viewport(), QtGui.QHelpEvent(
        QtCore.QEvent.ToolTip, at, view.viewport().mapToGlobal(at)))
    try:
        assert QtWidgets.QToolTip.isVisible() and words in QtWidgets.QToolTip.text()
    finally:
        QtWidgets.QToolTip.hideText()


def test_activation_log_counts_change_the_data(qtbot, theme, default_snap):
    view = make(qtbot, ActivationView, theme)
    view.render(default_snap)
    linear = view.ridges.values.copy()
    view.set_log_counts(True)  # redraws the current snapshot
    for slot, layer in enumerate(default_snap.stats.layers):
        frac = layer.preact_hist / layer.preact_hist.sum()
        with np.errstate(divide="ignore"):
            expected = np.clip(np.log10(frac), histograms.LOG_FLOOR, 0.0)
        y = view.ridges.values[slot]
        np.testing.assert_allclose(y, expected)
        np.testing.assert_allclose(drawn(view, slot), expected, rtol=1e-9, atol=1e-9)
        assert not np.allclose(y, linear[slot])
    view.set_log_counts(False)
    np.testing.assert_allclose(view.ridges.values[0], linear[0])
    np.testing.assert_allclose(drawn(view, 0), linear[0], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("mode", ["pre", "post"])
def test_activation_annotations_give_mean_and_std(qtbot, default_snap, mode):
    view = make(qtbot, ActivationView, themes.load("dark"))
    view.set_mode(mode)
    view.render(default_snap)
    for slot, layer in enumerate(default_snap.stats.layers):
        mean, std = (layer.preact_mean, layer.preact_std) if mode == "pre" else (layer.act_mean, layer.act_std)
        text = note(view, slot)
        assert "μ" in text and "σ" in text
        got_mean, got_std = numbers(text)[:2]
        assert got_mean == pytest.approx(mean, rel=0.05, abs=1e-12)  # 2-3 significant digits
        assert got_std == pytest.approx(std, rel=0.05)
        assert numbers(note(view, slot, short=True)) == [got_std]
    labels = [label for _, label in view.ridges.label_axis._tickLevels[0]]
    assert labels == [*map(str, range(1, len(default_snap.stats.layers))), "out"]


def test_mode_switch_changes_axis_and_rejects_unknown_modes(qtbot, default_snap):
    view = make(qtbot, ActivationView, themes.load("dark"))
    view.render(default_snap)
    assert view.ridges.lo == PREACT_EDGES[0] and view.ridges.hi == PREACT_EDGES[-1]
    view.set_mode("post")
    assert (view.ridges.lo, view.ridges.hi) == activations.get("tanh").value_range
    with pytest.raises(ValueError, match="pre"):
        view.set_mode("sideways")


def test_saturated_layers_show_clipped_end_bins(qtbot):
    s = snap(TOO_LARGE)
    view = make(qtbot, ActivationView, themes.load("light"))
    view.render(s)
    ticks = [label for _, label in view.ridges.plot.getAxis("bottom")._tickLevels[0]]
    assert ticks[0].startswith("≤") and ticks[-1].startswith("≥")  # the ends hold everything beyond
    for slot, layer in enumerate(s.stats.hidden[1:], start=1):
        frac = layer.preact_hist / layer.preact_hist.sum()
        beyond = frac[0] + frac[-1]
        assert beyond > 0.5
        assert f"{beyond:.0%} beyond ±6" in note(view, slot)
    # activations: the two end bins of tanh are the tallest, clipped and labelled with their share
    view.set_mode("post")
    markers = [m for m in view.ridges.peaks[3] if m.isVisible()]
    assert len(markers) == 2
    frac = s.stats.layers[3].act_hist / s.stats.layers[3].act_hist.sum()
    assert frac[0] > FULL_POST and frac[-1] > FULL_POST
    assert view.ridges.values[3][0] == FULL_POST


def test_collapsed_layers_are_a_labelled_spike_at_zero(qtbot):
    s = snap(TOO_SMALL)
    view = make(qtbot, ActivationView, themes.load("dark"))
    view.render(s)
    deepest = len(s.stats.layers) - 2  # the last hidden layer
    frac = s.stats.layers[deepest].preact_hist / s.stats.layers[deepest].preact_hist.sum()
    middle = len(frac) // 2
    assert frac[middle - 1] + frac[middle] == pytest.approx(1.0)  # all values in the two bins around 0
    y = view.ridges.values[deepest]
    assert y[middle - 1] == y[middle] == FULL_PRE  # reaches the ridge's ceiling
    shown = [m.toPlainText() for m in view.ridges.peaks[deepest] if m.isVisible()]
    assert shown == ["100%"]



def test_a_compact_note_makes_room_for_a_label_at_the_right_end(qtbot):
    """In a narrow tile the notes sit over the ridges' right ends, where a saturated layer's
    clipped end bin is labelled: the note moves left of such a label, never lies under one."""
    s = snap(TOO_LARGE)
    view = make(qtbot, ActivationView, themes.load("dark"), size=(320, 500))
    view.show()
    qtbot.waitExposed(view)
    view.set_mode("post")
    view.render(s)
    qtbot.wait(10)
    assert view.ridges.compact
    checked = 0

    def on_screen(label):  # (labels ignore the plot's scaling: their scene rect means nothing)
        return label.deviceTransform(view.viewportTransform()).mapRect(label.boundingRect())

    for slot in visible_slots(view):
        note_rect = on_screen(view.ridges.notes[slot])
        for m in view.ridges.peaks[slot]:
            if m.isVisible():
                checked += 1
                assert not note_rect.intersects(on_screen(m)), (slot, note(view, slot), m.toPlainText())
    assert checked >= 2



@pytest.mark.parametrize("width", [240, 255, 300])
def test_a_compact_note_stays_in_the_plot_when_a_label_leaves_it_no_room(qtbot, width):
    """The zeros lesson's gradients at 1280 x 720: the output layer's "100%" label sat where the
    note would go, and the note, moved left of it, ran off the plot over the layer names. The
    note stays at the right end then, in the plot, and the label gives way."""
    s = snap(ZEROS, steps=200)
    view = make(qtbot, GradientView, themes.load("light"), size=(width, 300))
    view.show()
    qtbot.waitExposed(view)
    view.render(s)
    qtbot.wait(10)
    ridges = view.ridges
    assert ridges.compact

    def on_screen(item):
        return item.deviceTransform(view.viewportTransform()).mapRect(item.boundingRect())

    plot_rect = ridges.vb.mapRectToScene(ridges.vb.boundingRect())
    plot_rect = view.mapFromScene(plot_rect).boundingRect()
    for slot in visible_slots(view):
        note_rect = on_screen(ridges.notes[slot])
        assert note_rect.left() >= plot_rect.left() - 1, (slot, note(view, slot))
        assert not any(note_rect.intersects(on_screen(m)) for m in ridges.peaks[slot] if m.isVisible())


@pytest.mark.parametrize("height, labelled", [(160, False), (600, True)])
def test_peak_labels_only_where_the_rows_have_room_for_them(qtbot, height, labelled):
    """In a plot too short for a line of text per row, a peak label would cover its neighbours'."""
    view = make(qtbot, ActivationView, themes.load("light"), size=(500, height))
    view.show()
    qtbot.waitExposed(view)
    view.set_mode("post")
    view.show_snapshot(snap(TOO_LARGE))
    qtbot.wait(20)  # the layout settles (a longer title takes height from the plot)
    shown = [m for peaks in view.ridges.peaks for m in peaks if m.isVisible()]
    assert bool(shown) == labelled

def count_calls(monkeypatch, obj, name: str) -> list:
    calls = []
    original = getattr(obj, name)
    monkeypatch.setattr(obj, name, lambda *a, **k: (calls.append(a), original(*a, **k))[1])
    return calls


def test_activation_view_is_fixed_and_renders_without_new_items(qtbot, monkeypatch, theme, default_snap):
    view = make(qtbot, ActivationView, theme)
    view.render(default_snap)
    items = scene_items(view)
    relayouts = count_calls(monkeypatch, view.ridges.label_axis, "setTicks")
    trainer = Trainer(DEFAULT)
    trainer.train(20)
    view.render(snapshot.build(trainer, serial=2, playing=True))
    assert relayouts == []  # same layer count: no layout work, only data
    view.set_log_counts(True)
    view.set_mode("post")
    assert scene_items(view) == items
    assert view.plot.getViewBox().state["autoRange"] == [False, False]


def test_depth_change_relayouts_the_pooled_ridges(qtbot, default_snap):
    view = make(qtbot, ActivationView, themes.load("dark"))
    view.render(default_snap)
    items = scene_items(view)
    deeper = snap(DEFAULT.replace(depth=9))
    view.render(deeper)
    assert visible_slots(view) == list(range(10))
    assert [lab for _, lab in view.ridges.label_axis._tickLevels[0]] == [*map(str, range(1, 10)), "out"]
    assert view.ridges.baseline(0) == 9 and view.ridges.baseline(9) == 0
    for slot, layer in enumerate(deeper.stats.layers):
        expected = np.minimum(layer.preact_hist / layer.preact_hist.sum(), FULL_PRE)
        np.testing.assert_allclose(view.ridges.values[slot], expected)
    view.render(default_snap)
    assert visible_slots(view) == list(range(7))
    assert scene_items(view) == items  # a pool: the depth changes, the items do not


def test_fifty_layers_show_every_kth_with_first_and_last(qtbot):
    s = snap(Settings(dataset="circle", depth=49, width=8))
    assert len(s.stats.layers) == 50
    for cls in (ActivationView, GradientView):
        view = make(qtbot, cls, themes.load("dark"))
        view.render(s)
        slots = visible_slots(view)
        assert 2 <= len(slots) <= histograms.MAX_RIDGES
        labels = [lab for _, lab in view.ridges.label_axis._tickLevels[0]]
        assert labels[0] == "1" and labels[-1] == "out" and len(labels) == len(slots)
        title = view.title_text.text if cls is ActivationView else view.titles[0].text
        assert "every 5th" in title
        # the shown layers' data, not the first few layers'
        shown, _ = histograms.sample_layers(50)
        last = s.stats.layers[shown[-2]]
        if cls is ActivationView:
            expected = np.minimum(last.preact_hist / last.preact_hist.sum(), FULL_PRE)
            np.testing.assert_allclose(view.ridges.values[len(shown) - 2], expected)


def test_activation_view_draws_in_the_theme_colours(qtbot):
    theme = themes.load("dark")
    view = make(qtbot, ActivationView, theme, size=(600, 400))
    view.show_snapshot(snap(DEFAULT))
    view.show()
    qtbot.waitExposed(view)
    image = view.grab().toImage()

    def count(color: str) -> int:
        target = QtGui.QColor(color).rgb()
        return sum(image.pixel(x, y) == target for x in range(0, image.width(), 2)
                   for y in range(0, image.height(), 2))

    assert count(theme.background) > 0.3 * image.width() * image.height() / 4
    assert count(theme.layer_color(0)) > 20  # the first layer's outline


# ---- saturation view ------------------------------------------------------------------------------

@pytest.mark.parametrize("name, peak", [("sigmoid", 0.25), ("tanh", 1.0), ("relu", 1.0)])
def test_derivative_curve_and_threshold(qtbot, name, peak):
    s = snap(DEFAULT.replace(activation=name, depth=3))
    view = make(qtbot, SaturationView, themes.load("light"))
    view.render(s)
    x, y = view.derivative.getData()
    assert x[0] == PREACT_EDGES[0] and x[-1] == PREACT_EDGES[-1]
    assert y.max() == pytest.approx(peak, rel=1e-12)
    act = activations.get(name)
    np.testing.assert_allclose(y, act.df(x))
    assert view.threshold.value() == pytest.approx(0.05 * peak)
    assert act.derivative_formula in view.titles["curve"].text
    # the shaded band covers exactly the flat tails
    shade = view.shade.yData
    np.testing.assert_array_equal(shade > 0, act.df(x) < act.saturation_threshold)
    # each overlaid pre-activation histogram is scaled to the curve's peak
    assert view.overlays.count == 3
    for slot in range(3):
        counts = s.stats.layers[slot].preact_hist
        np.testing.assert_allclose(bin_tops(view.overlays, slot, PREACT_EDGES, 0.0), counts / counts.max() * peak)
        outline = view.overlays.histogram(slot)  # (the rises of the steps: pairs of points on the bin edges)
        assert outline[:, 1].max() == pytest.approx(peak) and outline[[0, -1], 1].tolist() == [0, 0]


def test_saturation_bars_are_the_saturated_fractions(qtbot, theme):
    s = snap(TOO_LARGE)
    view = make(qtbot, SaturationView, theme)
    view.render(s)
    n = len(s.stats.layers)
    np.testing.assert_allclose(view.bars.opts["x"], np.arange(1, n + 1))
    np.testing.assert_allclose(view.bars.opts["height"], [layer.saturated_fraction for layer in s.stats.layers])
    assert min(view.bars.opts["height"][1:-1]) > 0.8  # the too-large lesson


def test_saturation_bars_and_heat_map_follow_a_change_after_unchanged_snapshots(qtbot, theme, monkeypatch):
    """Unchanged saturated fractions leave the bars and the heat map as drawn (at small gains
    nothing saturates, move after move); the next change shows, and so does a return."""
    view = make(qtbot, SaturationView, theme)
    small, large = snap(DEFAULT.replace(gain=0.2)), snap(TOO_LARGE.replace(depth=DEFAULT.depth))
    view.render(small)
    set_opts = count_calls(monkeypatch, view.bars, "setOpts")
    set_image = count_calls(monkeypatch, view.image, "setImage")
    view.render(snap(DEFAULT.replace(gain=0.3)))
    assert set_opts == [] and set_image == []
    for s in (large, small):
        view.render(s)
        np.testing.assert_array_equal(view.bars.opts["height"], [layer.saturated_fraction for layer in s.stats.layers])
        np.testing.assert_array_equal(view.image.image, s.saturation_history[:, 1:])
    assert len(set_opts) == len(set_image) == 2


def test_saturation_heat_map_is_steps_by_layers(qtbot, monkeypatch):
    trainer = Trainer(DEFAULT.replace(activation="sigmoid", depth=4, width=16, lr=0.5))
    view = make(qtbot, SaturationView, themes.load("dark"))
    items = relayouts = None
    for serial in range(6):
        s = snapshot.build(trainer, serial=serial, playing=True)
        view.render(s)
        if items is None:
            items = scene_items(view)
            relayouts = count_calls(monkeypatch, view.bar_plot.getAxis("bottom"), "setTicks")
        trainer.train(25)
    view.render(snapshot.build(trainer, serial=99, playing=False))
    again = snapshot.build(trainer, serial=100, playing=False)  # same step recorded twice
    view.render(again)
    history = again.saturation_history
    assert history.shape == (8, 6)
    image = view.image.image
    assert image.shape == (7, 5)  # distinct steps x layers (4 hidden + output)
    np.testing.assert_allclose(image, history[[0, 1, 2, 3, 4, 5, 7], 1:])
    np.testing.assert_allclose(view.image.getLevels(), [0.0, 1.0])
    rect = view.image.mapRectToParent(view.image.boundingRect())
    assert rect.left() == pytest.approx(0.0) and rect.right() >= 150
    assert view.heat_plot.getViewBox().state["autoRange"] == [False, False]
    assert view.heat_plot.viewRange()[0] == [0.0, 200.0]
    assert view.heat_plot.getAxis("bottom")._tickLevels[0] == [(0.0, "0"), (100.0, "100"), (200.0, "200")]
    assert scene_items(view) == items
    assert relayouts == []


def test_saturation_depth_change_relayouts(qtbot):
    view = make(qtbot, SaturationView, themes.load("dark"))
    view.render(snap(DEFAULT))
    items = scene_items(view)
    deep = snap(DEFAULT.replace(depth=20))
    view.render(deep)
    assert len(view.bars.opts["height"]) == 21
    assert view.image.image.shape == (1, 21)
    assert view.overlays.count == 6
    assert view.overlay_note.toPlainText() == "every 4th hidden layer"
    view.render(snap(DEFAULT.replace(depth=2)))
    assert len(view.bars.opts["height"]) == 3
    assert view.overlays.count == 2
    assert scene_items(view) == items


# ---- gradient view ----------------------------------------------------------------------------------

def test_gradient_ridges_and_std_lines_are_the_statistics(qtbot, theme, default_snap):
    view = make(qtbot, GradientView, theme)
    view.render(default_snap)
    layers = default_snap.stats.layers
    for slot, layer in enumerate(layers):
        np.testing.assert_array_equal(view.ridges.edges, LOG_GRAD_EDGES)
        frac = layer.backprop_hist * (1 - layer.backprop_zero_fraction) / layer.backprop_hist.sum()
        np.testing.assert_allclose(view.ridges.values[slot], np.minimum(frac, GRAD_FULL))
        np.testing.assert_allclose(drawn(view, slot), np.minimum(frac, GRAD_FULL), rtol=1e-9, atol=1e-12)
        assert numbers(note(view, slot))[0] == pytest.approx(layer.backprop_std, rel=0.05)
    x, y = view.backprop_line.getData()  # log axis: the item holds log10 of the data
    np.testing.assert_allclose(x, np.arange(1, len(layers) + 1))
    np.testing.assert_allclose(y, np.log10([layer.backprop_std for layer in layers]))
    _, y = view.weight_line.getData()
    np.testing.assert_allclose(y, np.log10([layer.grad_std for layer in layers]))
    x, _ = view.zero_marks.getData()
    assert x is None or x.size == 0  # no zero std, no cross


def test_zero_gradients_are_reported_in_words(qtbot):
    s = snap(ZEROS)
    view = make(qtbot, GradientView, themes.load("light"))
    view.render(s)
    hidden = len(s.stats.hidden)
    assert all(layer.backprop_zero_fraction == 1.0 for layer in s.stats.hidden)
    for slot in range(hidden):
        assert note(view, slot) == ALL_ZERO
        assert "exactly 0" in note(view, slot, short=True)
        np.testing.assert_array_equal(view.ridges.values[slot], 0.0)
    assert ALL_ZERO not in note(view, hidden)  # the output layer's error is not zero
    x, _ = view.zero_marks.getData()
    zero = [i + 1 for i, layer in enumerate(s.stats.layers) if not (layer.backprop_std > 0 and layer.grad_std > 0)]
    np.testing.assert_array_equal(x, zero)


def test_partly_zero_gradients_give_a_percentage(qtbot):
    s = snap(Settings(dataset="normal", depth=4, width=64, activation="relu", init="he_normal"))
    view = make(qtbot, GradientView, themes.load("dark"))
    view.render(s)
    layer = s.stats.layers[1]
    assert 0.2 < layer.backprop_zero_fraction < 0.8
    assert f"{layer.backprop_zero_fraction:.0%} = 0" in note(view, 1)
    # fractions are of all values: the ridge holds only the non-zero share
    assert view.ridges.values[1].sum() <= 1 - layer.backprop_zero_fraction + 1e-9


def test_gradient_view_renders_without_new_items(qtbot, default_snap):
    view = make(qtbot, GradientView, themes.load("dark"))
    view.render(default_snap)
    items = scene_items(view)
    view.render(snap(ZEROS))
    view.render(snap(DEFAULT, steps=10))
    view.set_theme(themes.load("light"))
    assert scene_items(view) == items
    assert view.ridges.plot.getViewBox().state["autoRange"] == [False, False]
    assert view.std_plot.getViewBox().state["autoRange"] == [False, False]


def test_a_view_is_built_styled_and_the_same_theme_again_restyles_nothing(qtbot, monkeypatch):
    """The window hands every view the theme it was built with: that must cost nothing, and the
    view must already look right (its background too) without it."""
    from winit_gui.app.views.network import NetworkView

    light = themes.load("light")
    for cls in (ActivationView, SaturationView, GradientView, BoundaryView, LossView, NetworkView):
        view = make(qtbot, cls, light)
        assert view.backgroundBrush().color().name() == light.background
        restyled = []
        monkeypatch.setattr(view, "apply_theme", restyled.append)
        view.set_theme(themes.load("light"))
        assert restyled == []
        view.set_theme(themes.load("light").scaled(light.font_size + 2))
        assert len(restyled) == 1


def test_theme_switch_restyles(qtbot, default_snap):
    dark, light = themes.load("dark"), themes.load("light")
    for cls in (ActivationView, SaturationView, GradientView):
        view = make(qtbot, cls, dark)
        view.show_snapshot(default_snap)
        view.set_theme(light)
        assert view.backgroundBrush().color().name() == light.background
        if hasattr(view, "ridges"):
            pen = view.ridges.steps.pens[0]
            assert pen.color().name() == light.layer_color(0) and pen.widthF() == light.line_width
            assert view.ridges.notes[0].brush().color().name() == light.foreground
        else:
            assert view.derivative.opts["pen"].color().name() == light.curve


@pytest.mark.parametrize("cls", [ActivationView, SaturationView, GradientView])
def test_a_narrow_tile_keeps_everything_inside(qtbot, cls):
    """In the main window a view is a tile of about 300 px: no title or margin may push a plot past
    its right edge, the notes move over the ridges, the gradient view stacks its plots (in a tile
    tall enough for both: see the next test)."""
    from pyqtgraph import PlotItem

    view = make(qtbot, cls, themes.load("light"), size=(300, 520))
    view.show()
    qtbot.waitExposed(view)
    view.show_snapshot(snap(Settings(dataset="circle", depth=30, width=8)))
    qtbot.wait(10)
    plots = [item for item in view.scene().items() if isinstance(item, PlotItem) and item.isVisible()]
    assert plots
    for plot in plots:
        rect = plot.sceneBoundingRect()
        assert rect.left() >= -1 and rect.right() <= view.width() + 1
    if cls is not SaturationView:
        assert view.ridges.compact
        shown = view.ridges._shown_ticks
        assert shown[0] == view.ridges._ticks[0] and shown[-1] == view.ridges._ticks[-1]
    if cls is GradientView:
        assert not view.wide
        assert view.std_plot.sceneBoundingRect().top() >= view.plot.sceneBoundingRect().bottom() - 1
        view.resize(900, 500)
        qtbot.waitUntil(lambda: view.wide and not view.ridges.compact)



def test_a_short_narrow_gradient_tile_shows_the_histograms_alone(qtbot):
    """Stacked in a tile that is short as well as narrow (1280 x 720, compare mode), both plots were
    too short to read: the std plot goes, the ridges take its height, and it comes back when the
    tile grows."""
    from winit_gui.app.views.gradients import SHORT

    view = make(qtbot, GradientView, themes.load("light"), size=(300, 500))
    view.show()
    qtbot.waitExposed(view)
    view.show_snapshot(snap(Settings(dataset="circle", depth=8, width=8)))
    qtbot.wait(10)
    assert not view.short and view.std_plot.isVisible()
    stacked_height = view.ridges.vb.height()
    line = QtGui.QFontMetrics(histograms.font(view.theme)).lineSpacing()
    view.resize(300, int(SHORT * line) - 10)
    qtbot.waitUntil(lambda: view.short)
    qtbot.wait(10)
    assert not view.std_plot.isVisible()
    assert view.ridges.vb.height() > 0.8 * stacked_height  # the ridges kept most of their height
    assert all(note.isVisible() for note in view.ridges.notes[:view.ridges.count])
    later = snap(Settings(dataset="circle", depth=8, width=8, gain=3.0))  # shown while the std plot is hidden
    view.show_snapshot(later)
    view.ridges.on_layout = None  # (a new layout of the ridges would redraw everything anyway: not always)
    view.resize(300, 500)
    qtbot.waitUntil(lambda: not view.short and view.std_plot.isVisible())
    qtbot.wait(10)
    assert view.std_plot.sceneBoundingRect().top() >= view.plot.sceneBoundingRect().bottom() - 1
    _, y = view.backprop_line.getData()  # the std plot shows the newest snapshot, not the last it drew
    np.testing.assert_allclose(y, np.log10([layer.backprop_std for layer in later.stats.layers]))


def test_step_labels_stay_short():
    from winit_gui.app.views.base import step_label

    assert [step_label(v) for v in (0, 500, 5000, 10_000, 25_000, 2_500_000)] == \
        ["0", "500", "5000", "10k", "25k", "2.5M"]


@pytest.mark.parametrize("cls", [ActivationView, GradientView])
def test_a_title_that_wraps_for_the_stride_does_not_change_the_stride(qtbot, cls):
    """The stride sets the title ("every 8th of 31 layers": two lines), the title the plot's
    height, the height how many ridges fit, and so the stride. In a compare-mode tile at 18 pt
    (358 x 325) 31 layers flipped between 5 ridges with a two-line title and 4 with an elided
    one-line title, for ever: the event loop never got to a timer again (found by random use).
    Now ridges are added back only when the plot has grown by more than a title line."""
    view = make(qtbot, cls, themes.load("dark").scaled(18), size=(358, 325))
    view.show()
    qtbot.waitExposed(view)
    view.show_snapshot(snap(Settings(dataset="normal", depth=30, width=8, activation="tanh")))
    changes = []
    view.ridges.on_layout = lambda: (changes.append(view.ridges.capacity), view.redraw())
    for _ in range(50):
        QtWidgets.QApplication.processEvents()
    assert len(changes) <= 2, changes
    shown = visible_slots(view)
    assert len(shown) == view.ridges.count <= view.ridges.capacity


@pytest.mark.parametrize("cls", [ActivationView, GradientView, SaturationView, BoundaryView, LossView])
def test_a_closed_view_touches_none_of_its_deleted_items(qtbot, cls, default_snap):
    """pyqtgraph's close() deletes the scene's items and then resizes the view. A resize of
    another width afterwards fitted the titles into deleted LabelItems ("Internal C++ object
    (QGraphicsTextItem) already deleted" in the saturation view, the grid layout in the others):
    the crash that tests/conftest.py used to avoid by deleting closed widgets at once."""
    view = make(qtbot, cls, themes.load("dark"), size=(600, 400))
    view.show()
    qtbot.waitExposed(view)
    view.show_snapshot(default_snap)
    with qtbot.captureExceptions() as exceptions:
        view.close()
        view.resizeEvent(QtGui.QResizeEvent(QtCore.QSize(250, 180), QtCore.QSize(600, 400)))
        view.set_theme(themes.load("light").scaled(16))
        view.show_snapshot(snap(TOO_LARGE))
        view.show()
        view.resize(300, 200)
        QtWidgets.QApplication.processEvents()
    assert not exceptions, [str(e[1]) for e in exceptions]


def test_a_short_saturation_tile_shows_the_curve_alone(qtbot):
    """At 1280 x 720 with 12 pt text the bottom plots were too short to read and squeezed f'(z) to a
    strip: a short tile drops them, the curve takes their height, and they come back, showing the
    newest snapshot, when the tile grows."""
    from winit_gui.app.views.saturation import SHORT

    view = make(qtbot, SaturationView, themes.load("light"), size=(400, 600))
    view.show()
    qtbot.waitExposed(view)
    view.show_snapshot(snap(Settings(dataset="circle", depth=4, width=8)))
    qtbot.wait(10)
    assert not view.short and view.bar_plot.isVisible() and view.heat_plot.isVisible()
    tall_curve = view.curve_plot.getViewBox().height()
    line = QtGui.QFontMetrics(histograms.font(view.theme)).lineSpacing()
    view.resize(400, int(SHORT * line) - 10)
    qtbot.waitUntil(lambda: view.short)
    qtbot.wait(10)
    assert not any(item.isVisible() for item in (view.bar_plot, view.heat_plot, view.colorbar))
    # the curve has the whole tile below its title: most of it, not the 3/5 it shares with the bars
    assert view.curve_plot.getViewBox().height() > 0.6 * view.height()
    later = snap(Settings(dataset="circle", depth=4, width=8, gain=4.0))  # shown while the bars are out
    view.show_snapshot(later)
    view.resize(400, 600)
    qtbot.waitUntil(lambda: not view.short and view.bar_plot.isVisible())
    qtbot.wait(10)
    assert abs(view.curve_plot.getViewBox().height() - tall_curve) < 2  # the bottom row has its height back
    assert view.bar_plot.sceneBoundingRect().top() >= view.curve_plot.sceneBoundingRect().bottom() - 1
    np.testing.assert_allclose(view.bars.opts["height"], [layer.saturated_fraction for layer in later.stats.layers])
    assert any(layer.saturated_fraction > 0 for layer in later.stats.layers)  # (so the bars did change)
