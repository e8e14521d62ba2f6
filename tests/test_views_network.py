"""The network diagram, decision-boundary and loss views draw exactly what the Snapshot holds.

Every test renders Snapshots of real Trainers and reads back the items' data: edge segments
against the weights (count, sign, bucket, endpoints), node outlines and clone labels against the
clone groups, the heat map against the probabilities, the scatter points against the dataset, the
histograms against the class histograms, the curves against the loss history. Item-count tests
hold the views to "create once, update in place".
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from winit_gui import snapshot
from winit_gui.app import theme as themes
from winit_gui.app.views.boundary import BoundaryView
from winit_gui.app.views.loss import CHANCE_LOSS, LossView
from winit_gui.app.views.network import EDGE_THRESHOLDS, SIGNS, WIDTH_BUCKETS, NetworkView, architecture
from winit_gui.settings import Settings
from winit_gui.training import Trainer

CIRCLE = Settings(dataset="circle", depth=3, width=6, activation="tanh", init="glorot_uniform")
ZEROS = Settings(dataset="circle", depth=3, width=6, activation="tanh", init="zeros")
CONSTANT = Settings(dataset="circle", depth=3, width=6, activation="tanh", init="constant",
                    init_params={"value": 0.5})
NORMAL = Settings(dataset="normal", depth=10, width=64, activation="tanh", init="glorot_uniform")


def snap(settings: Settings, steps: int = 0, serial: int = 1) -> snapshot.Snapshot:
    trainer = Trainer(settings)
    trainer.train(steps)
    return snapshot.build(trainer, serial=serial, playing=False)


def history_snaps(settings: Settings, points: int, steps_between: int = 5) -> list[snapshot.Snapshot]:
    """Snapshots of one run; each build records one loss-history row."""
    trainer = Trainer(settings)
    out = []
    for i in range(points):
        out.append(snapshot.build(trainer, serial=i, playing=True))
        trainer.train(steps_between)
    return out


@pytest.fixture(scope="module")
def circle_snap():
    return snap(CIRCLE, steps=20)


def make(qtbot, cls, theme, size=(800, 500)):
    view = cls(theme)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    return view


def segments(item) -> int:
    x, _ = item.getData()
    return 0 if x is None else len(x) // 2


def segment_set(item) -> set:
    x, y = item.getData()
    if x is None:
        return set()
    pts = np.round(np.column_stack([x, y]), 6).reshape(-1, 2, 2)
    return {tuple(map(tuple, p)) for p in pts}


def visible_texts(items) -> list[str]:
    return [t.toPlainText() for t in items if t.isVisible()]


def scene_items(view) -> set:
    return set(view.scene().items())


# ---- network diagram --------------------------------------------------------------------------------

def test_architecture_text():
    assert architecture((2, 6, 6, 6, 1)) == "2-6-6-6-1"
    assert architecture((256, *[256] * 30, 1)) == "256 → 30×256 → 1"


def test_a_title_whose_words_change_is_the_title_setText_would_show(qtbot, theme):
    """FittedLabel sets a new wording in the same colour and size on the label's document
    itself (cheaper than LabelItem.setText); the label must end up as setText would leave it."""
    view = make(qtbot, NetworkView, theme)
    fit, label = view.title_fit, view.title_label
    t = view.theme
    fit.set(["Network <span style='color:#ff0000'>max 3.42</span> &nbsp;(all zero)"], t.foreground, t.font_size)
    label.setMinimumHeight(0)  # (the new wording must set it again, as setText does)
    fit.set(["Network <span style='color:#ff0000'>max 12.7</span> &nbsp;wider"], t.foreground, t.font_size)

    def state():
        hint = label.sizeHint(QtCore.Qt.SizeHint.PreferredSize, QtCore.QSizeF())
        return label.text, label.item.toHtml(), label.item.pos(), hint, label.minimumSize()

    cheap = state()
    label.setText(fit.shown, color=t.foreground, size=f"{t.font_size}pt")
    label.setMinimumWidth(0)
    assert cheap == state()
    assert "max 12.7" in fit.text


def test_network_view_name(qtbot, theme):
    assert make(qtbot, NetworkView, theme).objectName() == "networkView"


def test_edges_hold_every_shown_weight_once(qtbot, theme, circle_snap):
    view = make(qtbot, NetworkView, theme)
    view.show_snapshot(circle_snap)
    expected = sum(W.size for W in circle_snap.diagram.weights)
    total = segments(view.zero_item) + sum(segments(i) for i in view.edge_items.values())
    assert expected == 2 * 6 + 6 * 6 * 2 + 6
    assert total == expected


def test_edge_signs_buckets_and_endpoints(qtbot, theme, circle_snap):
    view = make(qtbot, NetworkView, theme)
    view.show_snapshot(circle_snap)
    weights = circle_snap.diagram.weights
    w = np.concatenate([W.ravel() for W in weights])
    n_pos = sum(segments(view.edge_items[("positive", k)]) for k in range(WIDTH_BUCKETS))
    n_neg = sum(segments(view.edge_items[("negative", k)]) for k in range(WIDTH_BUCKETS))
    assert n_pos == np.count_nonzero(w > 0) > 0
    assert n_neg == np.count_nonzero(w < 0) > 0
    assert segments(view.zero_item) == 0

    # Each weight's segment joins its two nodes and sits in the item of its sign and bucket.
    pos = view.node_positions()
    offsets = np.concatenate([[0], np.cumsum([len(g) for g in circle_snap.diagram.groups])])
    sets = {key: segment_set(item) for key, item in view.edge_items.items()}
    for l, W in enumerate(weights):
        for (i, j), value in np.ndenumerate(W):
            a, b = pos[offsets[l] + i], pos[offsets[l + 1] + j]
            seg = (tuple(np.round(a, 6)), tuple(np.round(b, 6)))
            bucket = sum(abs(value) > t for t in EDGE_THRESHOLDS)
            sign = "positive" if value > 0 else "negative"
            assert seg in sets[(sign, bucket)], (l, i, j, value)
    # Thicker buckets are drawn wider.
    for sign in SIGNS:
        assert view.edge_items[(sign, WIDTH_BUCKETS - 1)].opts["pen"].widthF() > \
            view.edge_items[(sign, 0)].opts["pen"].widthF()


def test_edge_colours_are_the_theme_sign_colours(qtbot, theme, circle_snap):
    view = make(qtbot, NetworkView, theme)
    view.show_snapshot(circle_snap)
    widest = WIDTH_BUCKETS - 1
    for sign, colour in zip(SIGNS, (theme.positive, theme.negative)):
        pen = view.edge_items[(sign, widest)].opts["pen"]
        assert pen.color().name() == QtGui.QColor(colour).name()


def test_zero_init_draws_every_edge_in_the_zero_bucket(qtbot, theme):
    s = snap(ZEROS)
    view = make(qtbot, NetworkView, theme)
    view.show_snapshot(s)
    assert segments(view.zero_item) == sum(W.size for W in s.diagram.weights)
    assert all(segments(i) == 0 for i in view.edge_items.values())
    assert "all zero" in view.title_fit.text


def test_clone_label_and_outlines_for_constant_init(qtbot, theme):
    s = snap(CONSTANT, steps=200)
    assert s.diagram.unique[1:4] == (1, 1, 1)
    view = make(qtbot, NetworkView, theme)
    view.show_snapshot(s)
    labels = visible_texts(view.clone_items)
    assert len(labels) == 1 and "identical" in labels[0] and "6" in labels[0]
    # every hidden node is outlined as a clone; inputs and the output are not
    pens = [view.nodes.styles[k][2] for k in view.nodes.style]
    clone_pen = view._pens[1]
    hidden = slice(2, 2 + 3 * 6)
    assert all(p == clone_pen for p in pens[hidden])
    assert not any(p == clone_pen for p in pens[:2]) and pens[-1] != clone_pen
    # after training, all edges leaving a clone layer's units have one bucket: identical units
    # carry identical incoming and outgoing weights
    W = s.diagram.weights[1]
    assert np.allclose(W, W[0:1, :])


def test_no_clone_label_for_glorot(qtbot, theme, circle_snap):
    view = make(qtbot, NetworkView, theme)
    view.show_snapshot(circle_snap)
    assert visible_texts(view.clone_items) == []
    assert not any(view.nodes.styles[k][2] == view._pens[1] for k in view.nodes.style)


def test_clone_label_goes_when_the_clones_go(qtbot, theme):
    view = make(qtbot, NetworkView, theme)
    view.show_snapshot(snap(CONSTANT))
    assert any("identical" in t for t in visible_texts(view.clone_items))
    view.show_snapshot(snap(CIRCLE))
    assert visible_texts(view.clone_items) == []


def test_more_marker_for_wide_layers(qtbot, theme):
    s = snap(NORMAL)
    assert s.diagram.sizes[1] == 64
    view = make(qtbot, NetworkView, theme)
    view.show_snapshot(s)
    more = visible_texts(view.more_items)
    assert more and all("+54 more" in t for t in more)
    # three dots under each truncated column (input and 10 hidden layers)
    assert len(view.more_dots.x) == 3 * 11
    # narrow nets have no marker
    view.show_snapshot(snap(CIRCLE))
    assert visible_texts(view.more_items) == []


def test_layer_labels_name_every_layer_or_thin_out(qtbot, theme, circle_snap):
    view = make(qtbot, NetworkView, theme)
    view.show_snapshot(circle_snap)
    assert visible_texts(view.name_items) == ["in", "1", "2", "3", "out"]
    assert visible_texts(view.size_items) == ["2", "6", "6", "6", "1"]
    deep = snap(Settings(dataset="normal", depth=30, width=16, activation="relu", init="he_normal"))
    view.resize(420, 330)
    view.show_snapshot(deep)
    names = visible_texts(view.name_items)
    assert names[0] == "in" and names[-1] == "out" and 3 <= len(names) < 32
    # the shown labels do not overlap
    xs = [t.pos().x() for t in view.name_items if t.isVisible()]
    widths = [t.boundingRect().width() for t in view.name_items if t.isVisible()]
    assert all(b - a >= (wa + wb) / 2 for a, b, wa, wb in zip(xs, xs[1:], widths, widths[1:]))


def test_hover_shows_node_bias_and_edge_weight(qtbot, theme, circle_snap):
    view = make(qtbot, NetworkView, theme)
    view.show_snapshot(circle_snap)
    pos = view.node_positions()
    # node: unit 3 of hidden layer 1 (after the 2 inputs)
    k = 2 + 2
    text = view.hover_at(*pos[k])
    bias = circle_snap.diagram.biases[0][2]
    assert "layer 1" in text and "unit 3" in text and f"{bias:+.4g}" in text
    assert view.hover_text.isVisible()
    # a ring around the node, larger than the node
    assert view.hover_node.isVisible()
    np.testing.assert_array_equal(np.column_stack(view.hover_node.getData()), [pos[k]])
    assert view.hover_node.size > view.nodes.size
    # the same through the scene's mouse signal, as a real pointer gives it
    view.hover_at(-100, -100)
    assert not view.hover_text.isVisible()
    scene_pos = view.vb.mapViewToScene(QtCore.QPointF(*map(float, pos[k])))
    view.scene().sigMouseMoved.emit(scene_pos)
    assert view.hover_text.isVisible() and f"{bias:+.4g}" in view.hover_text.toPlainText()
    # edge: the middle of the segment input 1 -> layer 1 unit 1
    mid = (pos[0] + pos[2]) / 2
    text = view.hover_at(*mid)
    w = circle_snap.diagram.weights[0][0, 0]
    assert "w = " in text and f"{w:+.4g}" in text
    # far from everything: nothing
    assert view.hover_at(-200.0, -200.0) == ""
    assert not view.hover_text.isVisible()


def test_network_render_creates_no_items(qtbot, theme):
    snaps = history_snaps(CIRCLE, 3)
    view = make(qtbot, NetworkView, theme)
    view.show_snapshot(snaps[0])
    before = scene_items(view)
    for s in snaps[1:]:
        view.show_snapshot(s)
    view.hover_at(*view.node_positions()[3])
    assert scene_items(view) == before


def test_network_structure_change_rebuilds_once(qtbot, theme):
    view = make(qtbot, NetworkView, theme)
    view.show_snapshot(snap(CIRCLE))
    view.show_snapshot(snap(NORMAL))
    after_rebuild = scene_items(view)
    view.show_snapshot(snap(NORMAL, steps=3))
    assert scene_items(view) == after_rebuild
    total = segments(view.zero_item) + sum(segments(i) for i in view.edge_items.values())
    assert total == 10 * 10 * 10 + 10  # 10 shown per layer: 10 layer pairs of 10x10, then 10 -> 1


def test_network_keeps_a_fixed_range(qtbot, theme):
    snaps = history_snaps(CIRCLE, 3)
    view = make(qtbot, NetworkView, theme)
    view.show_snapshot(snaps[0])
    r = view.vb.viewRange()
    for s in snaps[1:]:
        view.show_snapshot(s)
    assert view.vb.viewRange() == r
    assert not any(view.vb.autoRangeEnabled())


def test_network_theme_switch_restyles(qtbot):
    dark, light = themes.load("dark"), themes.load("light")
    view = make(qtbot, NetworkView, dark)
    view.show_snapshot(snap(CIRCLE, steps=5))
    view.set_theme(light)
    pen = view.edge_items[("negative", WIDTH_BUCKETS - 1)].opts["pen"]
    assert pen.color().name() == QtGui.QColor(light.negative).name()
    assert view.backgroundBrush().color().name() == QtGui.QColor(light.background).name()


# ---- decision boundary ------------------------------------------------------------------------------

def test_boundary_view_name(qtbot, theme):
    assert make(qtbot, BoundaryView, theme).objectName() == "boundaryView"


def test_boundary_image_points_and_title(qtbot, theme, circle_snap):
    view = make(qtbot, BoundaryView, theme)
    view.show_snapshot(circle_snap)
    p = circle_snap.boundary.probability
    img = view.image.image
    assert view.image.isVisible() and view.mode == "2d"
    assert img.ndim == 2 and img.shape[0] >= p.shape[0] and img.shape[1] >= p.shape[1]
    assert (img.shape[0] - 1) % (p.shape[0] - 1) == 0
    # the engine's heat map, drawn as it came: the grid values at every factor-th pixel, as levels
    assert np.array_equal(img, circle_snap.boundary.heat_map)
    f = (img.shape[0] - 1) // (p.shape[0] - 1)
    assert np.array_equal(img[::f, ::f], np.minimum(p * 256, 255).astype(np.uint8))
    # each pixel in the colour map's colour of its level (looked up by Qt, not numpy)
    lut = view.image.lut
    view.image.render()  # (as its paint does)
    for row, col in ((0, 0), (img.shape[0] // 2, img.shape[1] // 3), (-1, -1)):
        r, c = row % img.shape[0], col % img.shape[1]
        assert view.image.qimage.pixelColor(c, r).getRgb()[:3] == tuple(int(v) for v in lut[img[r, c]])
    # the image covers the extent
    x0, x1, y0, y1 = circle_snap.boundary.extent
    rect = view.image.mapRectToParent(view.image.boundingRect())
    assert rect.left() <= x0 and rect.right() >= x1 and rect.top() <= y0 and rect.bottom() >= y1
    d = circle_snap.dataset
    assert len(view.test_points.x) == len(d.X_test)
    np.testing.assert_array_equal(np.column_stack(view.train_points.getData()), d.X_train)
    # points coloured by label: class 1 with the positive colour (train filled, test ringed)
    labels = d.y_train[:, 0] > 0.5
    brushes = [view.train_points.styles[k][1] for k in view.train_points.style]
    assert all(b.color().name() == QtGui.QColor(theme.positive).name() for b, c in zip(brushes, labels) if c)
    assert all(b.color().name() == QtGui.QColor(theme.negative).name() for b, c in zip(brushes, labels) if not c)
    test_labels = d.y_test[:, 0] > 0.5
    rings = [view.test_points.styles[k][2].color().name() for k in view.test_points.style]
    assert rings == [QtGui.QColor(theme.positive if c else theme.negative).name() for c in test_labels]
    assert not any(c.isVisible() for c in view.class_curves)
    title = view.title_fit.text
    assert "P(class 1)" in title and f"{100 * circle_snap.evaluation.test_accuracy:.1f}%" in title


def test_boundary_colormap_is_diverging_through_neutral(qtbot, theme):
    view = make(qtbot, BoundaryView, theme)
    lut = view.image.lut
    low, mid, high = (QtGui.QColor(*map(int, lut[i])) for i in (0, len(lut) // 2, -1))
    # class 0 end leans to the negative colour, class 1 end to the positive one, middle is grey-ish
    neg, pos = QtGui.QColor(theme.negative), QtGui.QColor(theme.positive)
    dist = lambda a, b: sum((x - y) ** 2 for x, y in zip(a.getRgb()[:3], b.getRgb()[:3]))  # noqa: E731
    assert dist(low, neg) < dist(low, pos) and dist(high, pos) < dist(high, neg)
    assert max(mid.getRgb()[:3]) - min(mid.getRgb()[:3]) < 30


def test_non_2d_data_shows_histograms_not_a_blank_panel(qtbot, theme):
    s = snap(NORMAL)
    assert s.boundary.probability is None
    view = make(qtbot, BoundaryView, theme)
    view.show_snapshot(s)
    assert view.mode == "hist"
    assert not view.image.isVisible() and not view.train_points.isVisible()
    for hist, curve in zip(s.boundary.class_hist, view.class_curves):
        assert curve.isVisible()
        x, y = curve.xData, curve.yData
        assert np.array_equal(x, s.boundary.edges) and np.array_equal(y, hist)
    tallest = max(h.max() for h in s.boundary.class_hist)
    lo, hi = view.plot.viewRange()[1]
    assert lo <= 0 and tallest <= hi <= 2.5 * 1.05 * tallest  # the next 1-2-5 count above the data
    assert "Output by class" in view.title_fit.text
    # and back to the heat map
    view.show_snapshot(snap(CIRCLE))
    assert view.mode == "2d" and view.image.isVisible() and not view.class_curves[0].isVisible()


def test_boundary_title_fits_a_narrow_view(qtbot, theme, circle_snap):
    view = make(qtbot, BoundaryView, theme, size=(260, 320))
    view.show_snapshot(circle_snap)
    qtbot.wait(10)
    assert view.plot.titleLabel.itemRect().width() <= view.width()


# ---- loss -------------------------------------------------------------------------------------------

def test_loss_view_name(qtbot, theme):
    assert make(qtbot, LossView, theme).objectName() == "lossView"


def test_loss_curves_are_the_history(qtbot, theme):
    snaps = history_snaps(CIRCLE, 12)
    s = snaps[-1]
    h = s.loss_history
    assert h.shape == (12, 5)
    view = make(qtbot, LossView, theme)
    view.show_snapshot(s)
    for curve, column in ((view.train_loss, 1), (view.test_loss, 2), (view.train_acc, 3), (view.test_acc, 4)):
        x, y = curve.getData()
        assert np.array_equal(x, h[:, 0]) and np.allclose(y, h[:, column])
        assert not curve.marks.isVisible()
    names = [label.text for _, label in view.legend.items]
    assert names == ["train", "test", "chance"]
    assert f"step {int(h[-1, 0])}" in view.title_fit.text
    # x spans the data, up to the next 1-2-5 number of steps (it grows by jumps, not every frame)
    lo, hi = view.loss_plot.viewRange()[0]
    span = h[-1, 0] - h[0, 0]
    assert lo <= h[0, 0] and hi >= h[-1, 0] and hi - lo <= 1.06 * 2.5 * span


def test_one_point_shows_markers(qtbot, theme):
    s = snap(CIRCLE)
    assert len(s.loss_history) == 1
    view = make(qtbot, LossView, theme)
    view.show_snapshot(s)
    assert view.train_loss.marks.isVisible()
    lo, hi = view.loss_plot.viewRange()[1]
    assert lo < s.loss_history[0, 1] < hi and hi - lo > 1e-3  # a visible range around the point
    view.show_snapshot(history_snaps(CIRCLE, 3)[-1])
    assert not view.train_loss.marks.isVisible()


@pytest.mark.parametrize("log", [False, True])
def test_the_lone_marker_sits_on_its_point_and_the_step_axis_starts_at_zero(qtbot, theme, log):
    """At step 0 (where the slider moves the point), switching the log axis on or off keeps the
    step axis from 0: it used to fall back to pyqtgraph's autorange, -5 to 5 steps."""
    s = snap(CIRCLE)
    view = make(qtbot, LossView, theme)
    view.show_snapshot(s)
    view.set_log_loss(log)
    view.show_snapshot(s)
    lo, hi = view.loss_plot.viewRange()[0]
    assert -0.5 < lo <= 0 and hi >= 1
    qtbot.wait(10)
    for curve, value in ((view.train_loss, s.loss_history[0, 1]), (view.train_acc, s.loss_history[0, 3])):
        centre = curve.marks.sceneBoundingRect().center()
        y = np.log10(value) if log and curve is view.train_loss else value
        expected = curve.line.mapToScene(QtCore.QPointF(0.0, y))
        assert abs(centre.x() - expected.x()) < 1 and abs(centre.y() - expected.y()) < 1



def test_the_legend_fits_its_text_after_theme_switches(qtbot):
    """Light (12 pt) and back to dark (10 pt): the legend shrinks back to its first size."""
    view = make(qtbot, LossView, themes.load("dark"))
    view.show_snapshot(history_snaps(CIRCLE, 3)[-1])
    qtbot.wait(10)
    first = view.legend.boundingRect().height()
    view.set_theme(themes.load("light"))
    qtbot.wait(10)
    assert view.legend.boundingRect().height() > first  # larger text, a taller legend
    view.set_theme(themes.load("dark"))
    qtbot.wait(10)
    assert view.legend.boundingRect().height() == first

@pytest.mark.parametrize("size, legend", [((900, 700), True), ((330, 260), False)])
def test_the_legend_gives_way_in_a_small_tile_and_the_title_keys_the_curves(qtbot, theme, size, legend):
    """At 1280 x 720 and in compare mode the legend covered a third of the loss curves: there it
    goes, and the title's "train" and "test", in their curves' colours, say which is which."""
    view = make(qtbot, LossView, theme)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    view.show_snapshot(history_snaps(CIRCLE, 3)[-1])
    qtbot.wait(10)
    assert view.legend.isVisible() == legend
    shown = view.title_fit.shown
    assert f"color:{theme.train}'>train<" in shown and f"color:{theme.test}'>test<" in shown
    assert "train" in view.title_fit.text


@pytest.mark.parametrize("steps, width", [(16_000, 260), (1_600, 190)])
def test_step_labels_stay_short_and_apart_in_a_narrow_tile(qtbot, theme, steps, width):
    """At 1280 x 720 the step axis read "1000015000", in compare mode's tiles "10001500": labels
    touching. They are now short, and only as many as have room."""
    view = make(qtbot, LossView, theme)
    view.resize(width, 300)
    view.show()
    qtbot.waitExposed(view)
    view.show_snapshot(snap(CIRCLE))
    view.loss_plot.setXRange(0, steps, padding=0)
    qtbot.wait(10)
    image = QtGui.QImage(8, 8, QtGui.QImage.Format.Format_ARGB32)
    painter = QtGui.QPainter(image)
    try:
        _, _, texts = view.acc_plot.getAxis("bottom").generateDrawSpecs(painter)
    finally:
        painter.end()
    shown = [text for *_, text in texts]
    assert shown and all(len(text) <= 4 for text in shown), shown
    rects = sorted((rect for rect, *_ in texts), key=lambda rect: rect.left())
    assert all(right.left() - left.right() >= 4 for left, right in zip(rects, rects[1:])), shown


def test_log_loss(qtbot, theme):
    s = history_snaps(CIRCLE, 5)[-1]
    view = make(qtbot, LossView, theme)
    view.show_snapshot(s)
    view.set_log_loss(True)
    assert view.loss_plot.getAxis("left").logMode
    assert math.isclose(view.chance_loss.value(), math.log10(CHANCE_LOSS))
    lo, hi = view.loss_plot.viewRange()[1]
    assert lo <= np.log10(s.loss_history[:, 1:3].min()) and hi >= np.log10(s.loss_history[:, 1:3].max())
    view.set_log_loss(False)
    assert not view.loss_plot.getAxis("left").logMode
    assert math.isclose(view.chance_loss.value(), CHANCE_LOSS)


def test_loss_axes_hold_still_while_training_and_always_show_the_data(qtbot, theme):
    snaps = history_snaps(CIRCLE, 40, steps_between=10)
    view = make(qtbot, LossView, theme)
    x_ranges, y_ranges = [], []
    for s in snaps:
        view.show_snapshot(s)
        (x0, x1), (y0, y1) = view.loss_plot.viewRange()
        losses = s.loss_history[:, 1:3]
        assert x0 <= s.loss_history[0, 0] and s.loss_history[-1, 0] <= x1
        assert y0 <= losses.min() and losses.max() <= y1
        if len(s.loss_history) == 1:  # one point: an axis from 0 to the next 1-2-5 number above it
            assert y0 == 0 and y1 <= 2.5 * 1.2 * losses.max()
        else:  # the data fill at least half the axis (or span less than the least span shown)
            assert losses.max() - losses.min() >= 0.5 * (y1 - y0) - 1e-12 or y1 - y0 <= 0.13 * losses.max()
        x_ranges.append((x0, x1))
        y_ranges.append((y0, y1))
    changes = lambda ranges: sum(a != b for a, b in zip(ranges, ranges[1:]))  # noqa: E731
    assert changes(x_ranges) <= 6  # 10, 20, 50, 100, 200, 500 steps
    assert changes(y_ranges) < len(snaps) / 2


@pytest.mark.parametrize("cls", [BoundaryView, LossView])
def test_render_creates_no_items(qtbot, theme, cls):
    snaps = history_snaps(CIRCLE, 4)
    view = make(qtbot, cls, theme)
    view.show_snapshot(snaps[1])  # (the loss view's first snapshot, a single point, has markers)
    before = scene_items(view)
    for s in snaps[2:]:
        view.show_snapshot(s)
    assert scene_items(view) == before


def test_loss_theme_switch(qtbot):
    dark, light = themes.load("dark"), themes.load("light")
    view = make(qtbot, LossView, dark)
    view.show_snapshot(history_snaps(CIRCLE, 3)[-1])
    view.set_theme(light)
    assert view.train_loss.line.opts["pen"].color().name() == QtGui.QColor(light.train).name()
    assert view.train_loss.line.opts["pen"].widthF() == light.line_width
    for _, label in view.legend.items:
        assert label.opts["color"] == light.foreground


def test_the_weight_scale_moves_edges_between_width_buckets(qtbot):
    # Widths follow |w| on a fixed scale: a larger gain must put edges in thicker buckets.
    view = NetworkView(themes.load("dark"))
    qtbot.addWidget(view)
    view.resize(600, 400)

    def thick_share(gain):
        trainer = Trainer(Settings(gain=gain))
        view.show_snapshot(snapshot.build(trainer, serial=1, playing=False))
        thick = sum(segments(view.edge_items[(s, WIDTH_BUCKETS - 1)]) for s in SIGNS)
        total = sum(segments(view.edge_items[(s, k)]) for s in SIGNS for k in range(WIDTH_BUCKETS))
        return thick / total

    assert thick_share(0.3) < 0.05 < 0.75 < thick_share(10.0)


def test_edges_redrawn_bucket_by_bucket_are_those_a_fresh_view_draws(qtbot, theme):
    """A new snapshot redraws only the buckets some edge entered or left: after a run of
    slider moves every bucket holds exactly what it holds in a view that drew the last one
    from scratch (the same segments, in the same order)."""
    def new_view():
        view = NetworkView(theme)
        qtbot.addWidget(view)
        view.resize(600, 400)
        return view

    moved, fresh = new_view(), new_view()
    for gain in (0.5, 0.9, 1.0, 1.6, 0.2, 1.1):
        last = snapshot.build(Trainer(Settings(gain=gain)), serial=1, playing=False)
        moved.show_snapshot(last)
    fresh.show_snapshot(last)
    for a, b in zip(moved._bucket_items, fresh._bucket_items):
        np.testing.assert_array_equal(np.column_stack(a.getData()), np.column_stack(b.getData()))
        assert a.path() == b.path()


def edge_greys(view) -> int:
    """How many pixels of the diagram's area are shades between the background and the edges'
    colours: antialiased lines blend into the background, plain ones do not."""
    view.viewport().repaint()
    image = view.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.width(), 4)[..., :3]
    return len(np.unique(pixels.reshape(-1, 3), axis=0))


def test_edges_are_antialiased_in_a_still_picture_and_plain_while_the_pictures_move(qtbot, theme):
    from dataclasses import replace

    from winit_gui.app.views.network import SETTLE_MS

    def antialiased():
        return all(item.antialias for item in view._bucket_items)

    view = make(qtbot, NetworkView, theme)
    still = snap(CIRCLE, steps=50)
    view.show_snapshot(still)  # the first picture in a while: still
    assert antialiased()
    qtbot.wait(2 * SETTLE_MS)  # (pending layout included)
    smooth = edge_greys(view)
    view.show_snapshot(replace(still, playing=True))  # training
    assert not any(item.antialias for item in view._bucket_items)
    assert edge_greys(view) < smooth  # fewer blended shades
    qtbot.waitUntil(antialiased, timeout=10 * SETTLE_MS)  # no next picture came: it is still
    assert edge_greys(view) == smooth
    view.show_snapshot(replace(still, playing=True))
    view.show_snapshot(still)  # paused: the last picture comes soon after the others ...
    view.show_snapshot(still)  # ... as the pictures of a slider drag do
    assert not antialiased()
    qtbot.waitUntil(antialiased, timeout=10 * SETTLE_MS)  # ... and settles smooth
    assert edge_greys(view) == smooth


def test_an_export_while_training_is_antialiased(qtbot, theme):
    from dataclasses import replace

    from winit_gui.app.export import render_view

    view = make(qtbot, NetworkView, theme)
    still = snap(CIRCLE, steps=50)
    view.show_snapshot(still)
    smooth = render_view(view, 1.0)
    view.show_snapshot(replace(still, playing=True))
    assert render_view(view, 1.0) == smooth
