"""The numbers of LESSONS.md, through the public API (``winit-gui stats --json`` and the presets).

Tolerances are wide enough for sampling noise and narrow enough that the wrong initializer, a
swapped fan or a missing correction fails.
"""

import json

import numpy as np
import pytest

from winit_gui import presets
from winit_gui.app import main
from winit_gui.training import Trainer


def stats(capsys, *args):
    assert main(["stats", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)["layers"]


def preact_std_ratio(layers, last=30):
    return layers[last - 1]["preact_std"] / layers[0]["preact_std"]


def test_he_keeps_the_variance_of_a_deep_relu_net_and_glorot_halves_it(capsys):
    # One draw of a 30-layer net wanders (seed 0 of He ends at 0.46, seed 1 at 1.4): average
    # the log ratio over a few seeds, as the lesson's "about" does.
    common = ["--activation", "relu", "--depth", "30", "--width", "256", "--samples", "1000"]

    def ratio(init):
        logs = [np.log(preact_std_ratio(stats(capsys, "--init", init, "--seed", str(seed), *common)))
                for seed in range(4)]
        return float(np.exp(np.mean(logs)))

    assert 0.5 <= ratio("he_normal") <= 3.0
    assert 2**-16.5 <= ratio("glorot_normal") <= 2**-12.5
    layers = stats(capsys, "--init", "glorot_normal", *common)
    ratios = [layers[i + 1]["preact_std"] / layers[i]["preact_std"] for i in range(29)]
    assert np.exp(np.mean(np.log(ratios))) == pytest.approx(2**-0.5, rel=0.06)


def test_too_small_tanh_collapses_tenfold_per_layer(capsys):
    layers = stats(capsys, "--init", "random_normal", "--param", "stddev=0.01", "--depth", "10", "--width", "64")
    stds = [layer["act_std"] for layer in layers[:10]]
    assert stds[9] < 1e-6 * stds[0]
    per_layer = [b / a for a, b in zip(stds, stds[1:])]
    assert all(0.05 < r < 0.12 for r in per_layer)


def test_too_large_tanh_saturates_layers_two_to_six(capsys):
    layers = stats(capsys, "--init", "random_normal", "--param", "stddev=1", "--gain", "4", "--dataset", "circle",
                   "--depth", "6", "--width", "16")
    assert all(layers[i]["saturated_fraction"] > 0.8 for i in range(1, 6))


def test_xavier_tanh_keeps_the_scale_within_an_order_of_magnitude(capsys):
    layers = stats(capsys, "--init", "glorot_uniform", "--dataset", "spiral", "--depth", "8", "--width", "32")
    stds = [layer["preact_std"] for layer in layers[:8]]
    assert 0.1 < stds[-1] / stds[0] <= 1.0
    assert max(layer["saturated_fraction"] for layer in layers[:8]) < 0.1


def test_constant_init_keeps_one_distinct_unit_per_layer_after_training_and_random_init_keeps_all(capsys):
    common = ["--dataset", "circle", "--depth", "3", "--width", "6", "--steps", "400", "--lr", "0.1"]
    symmetric = stats(capsys, "--init", "constant", "--param", "value=0.5", *common)
    assert [layer["unique_units"] for layer in symmetric[:3]] == [1, 1, 1]
    random = stats(capsys, "--init", "glorot_uniform", *common)
    assert [layer["unique_units"] for layer in random[:3]] == [6, 6, 6]


def test_zeros_only_the_output_bias_moves_and_the_loss_stays_at_chance():
    trainer = Trainer(presets.load("zeros").settings)
    trainer.train(300)
    assert all(not W.any() for W in trainer.network.weights)
    assert all(not b.any() for b in trainer.network.biases[:-1])
    stats = trainer.measure().stats
    assert all(layer.act_std == 0 and layer.unique_units == 1 for layer in stats.hidden)
    assert stats.loss == pytest.approx(np.log(2), abs=0.02)


def test_sigmoid_standard_starts_near_one_half_with_shrinking_spread():
    trainer = Trainer(presets.load("sigmoid-standard").settings)
    hidden = trainer.measure().stats.hidden
    assert all(abs(layer.act_mean - 0.5) < 0.1 for layer in hidden)
    assert hidden[-1].act_std < hidden[0].act_std


def test_kaiming_normal_and_he_normal_have_the_same_variance_and_different_tails():
    lesson = presets.load("kaiming-vs-he")
    a, b = Trainer(lesson.settings), Trainer(lesson.compare)
    Wa, Wb = a.network.weights[3].ravel(), b.network.weights[3].ravel()
    assert np.std(Wa) == pytest.approx(np.std(Wb), rel=0.03)
    limit = 2 * np.sqrt(2 / 128) / 0.87962566103423978
    assert np.abs(Wb).max() <= limit
    assert np.abs(Wa).max() > limit


def test_edge_of_chaos_crosses_from_collapse_to_flat_to_saturation_as_sigma_w_passes_one():
    lesson = presets.load("edge-of-chaos").settings
    trainer = Trainer(lesson)
    seen = {}
    for gain in (0.5, 1.0, 1.5, 3.0):
        trainer.apply(lesson.replace(gain=gain))
        theory = trainer.initial_theory()
        hidden = trainer.measure().stats.hidden
        std = np.array([layer.preact_std for layer in hidden])
        seen[gain] = theory.phase, theory.sigma_w, std, hidden[-1].saturated_fraction
        # the measured profile follows the theory's curve at width 256: within a few per cent a
        # layer, which 30 layers of a collapsing signal add up to about 12 %
        assert np.abs(np.log(std**2 / theory.theory_preact_var)).max() < 0.2
    assert [seen[g][0] for g in (0.5, 1.0, 3.0)] == ["ordered", "critical", "chaotic"]
    assert all(seen[g][1] == pytest.approx(g, rel=1e-12) for g in seen)  # the slider is σ_w
    assert seen[0.5][2][-1] < 1e-6 * seen[0.5][2][0]                      # collapses
    assert 0.95 < seen[1.5][2][-1] / seen[1.5][2][9] < 1.05                # flat past the first layers
    assert seen[3.0][3] > 0.3 and seen[1.0][3] < 0.01                      # saturates


def test_lsuv_holds_unit_variance_through_thirty_relu_layers():
    trainer = Trainer(presets.load("lsuv").settings)
    hidden = trainer.measure().stats.hidden
    assert all(abs(layer.preact_std**2 - 1) < 0.1 for layer in hidden)
    theory = trainer.initial_theory()
    assert theory.sigma_w == pytest.approx(2**0.5, rel=0.02) and theory.phase == "critical"
