"""Trainer: determinism, reset replay, the gain cache, decimating history."""

import numpy as np
import pytest

from winit_gui.settings import Settings
from winit_gui.training import History, Trainer


def weights(trainer):
    return [W.copy() for W in trainer.network.weights]


def test_reset_replays_the_same_initial_weights_and_batches():
    trainer = Trainer(Settings(seed=3))
    first = weights(trainer)
    trainer.train(25)
    after = weights(trainer)
    trainer.reset()
    assert trainer.step == 0
    for a, b in zip(first, weights(trainer)):
        np.testing.assert_array_equal(a, b)
    trainer.train(25)
    for a, b in zip(after, weights(trainer)):
        np.testing.assert_array_equal(a, b)


def test_a_new_seed_draws_new_weights():
    a, b = Trainer(Settings(seed=1)), Trainer(Settings(seed=2))
    assert not np.array_equal(a.network.weights[1], b.network.weights[1])


def test_gain_rescales_the_same_draw():
    trainer = Trainer(Settings(init="he_normal"))
    base = weights(trainer)
    trainer.apply(trainer.settings.replace(gain=7.5))
    for a, b in zip(base, weights(trainer)):
        np.testing.assert_allclose(b, 7.5 * a, rtol=1e-15)


def test_gain_matches_the_initializer_called_with_that_gain():
    settings = Settings(init="glorot_uniform", gain=3.0, seed=5)
    rng = np.random.default_rng(5)
    init = settings.initializer()
    expected = [init(shape, rng) for shape in zip(settings.sizes[:-1], settings.sizes[1:])]
    for a, b in zip(expected, Trainer(settings).network.weights):
        np.testing.assert_allclose(b, a, rtol=1e-14)


def test_apply_starts_over_at_step_zero_and_rebuilds_the_network_when_the_shape_changes():
    trainer = Trainer(Settings())
    trainer.train(5)
    trainer.apply(trainer.settings.replace(depth=3, width=5))
    assert trainer.step == 0
    assert trainer.network.sizes == (2, 5, 5, 5, 1)


def test_training_reduces_the_loss_on_the_default_lesson():
    trainer = Trainer(Settings(optimizer="adam", lr=0.01))
    start = trainer.measure().evaluation.train_loss
    trainer.train(600)
    assert trainer.measure().evaluation.train_loss < 0.6 * start


def test_update_ratio_compares_with_the_kernels_of_the_last_measure():
    trainer = Trainer(Settings())
    trainer.train(3)
    assert all(layer.update_ratio == 0 for layer in trainer.measure().stats.layers)  # nothing measured before
    before = weights(trainer)
    trainer.train(4)
    for layer, W0, W in zip(trainer.measure().stats.layers, before, weights(trainer)):
        assert layer.update_ratio == pytest.approx(np.linalg.norm(W - W0) / np.linalg.norm(W) / 4, rel=1e-12)
    assert all(layer.update_ratio == 0 for layer in trainer.measure().stats.layers)  # no step since
    trainer.apply(trainer.settings.replace(gain=2.0))
    trainer.train(2)
    assert all(layer.update_ratio == 0 for layer in trainer.measure().stats.layers)  # measured before apply


def test_history_decimates_but_keeps_the_start_and_the_newest():
    history = History(1, capacity=8)
    for step in range(100):
        history.append(step, [float(step)])
    rows = history.array()
    assert len(rows) <= 8
    assert rows[0, 0] == 0
    assert rows[-1, 0] >= 100 - 16
    assert np.all(np.diff(rows[:, 0]) > 0)
    assert not rows.flags.writeable


def test_history_at_display_rate_stays_bounded_and_ends_at_the_newest_step():
    # Snapshots come at display rate: a few hundred steps apart, never on a chosen stride.
    history = History(1, capacity=64)
    steps = np.cumsum(np.random.default_rng(0).integers(100, 200, 20_000))
    steps[0] = 0
    for step in steps:
        history.append(int(step), [float(step)])
        rows = history.array()
        assert len(rows) <= 64
        assert rows[-1, 0] == step and rows[-1, 1] == step
    assert rows[0, 0] == 0
    assert np.all(np.diff(rows[:, 0]) > 0)
    assert len(rows) >= 32  # decimation halves, never empties
    assert np.isin(rows[:, 0], steps).all()


def test_measure_records_the_loss_and_saturation_histories():
    trainer = Trainer(Settings())
    for _ in range(3):
        trainer.train(2)
        trainer.measure()
    np.testing.assert_array_equal(trainer.loss_history.array()[:, 0], [2, 4, 6])
    saturation = trainer.saturation_history.array()
    np.testing.assert_array_equal(saturation[:, 0], [2, 4, 6])
    assert saturation.shape[1] == 1 + trainer.settings.depth + 1
    assert saturation[-1, 1] == trainer.measure().stats.layers[0].saturated_fraction


@pytest.mark.parametrize("bad", [dict(gain=0.0), dict(depth=0), dict(width=2000), dict(lr=-1.0),
                                 dict(activation="swish"), dict(dataset="mnist"), dict(init="nope"),
                                 dict(init="constant", init_params={"valu": 1}), dict(batch_size=True)])
def test_settings_refuse_bad_values_with_a_message_naming_the_field(bad):
    with pytest.raises(ValueError) as err:
        Settings(**bad)
    key = next(iter(bad))
    assert key.split("_")[0] in str(err.value) or "valu" in str(err.value)
