"""winit_gui.theory against closed forms, an independent numeric integration, finite differences and
networks measured at width 512.

The independent integrals are np.trapezoid on z in ±12 at spacing 1e-4 (fine enough for the spike
tanh'(√q z)² at q = 1e4), with the activations written out here and their derivatives taken by
central differences: nothing of winit_gui's quadrature or derivatives is reused.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from winit_gui import snapshot, theory
from winit_gui.network import MLP
from winit_gui.settings import Settings
from winit_gui.training import Trainer

Z = np.linspace(-12.0, 12.0, 240_001)
PDF = np.exp(-0.5 * Z * Z) / math.sqrt(2 * math.pi)
SELU_L, SELU_A = 1.0507009873554805, 1.6732632423543772

PHI = {
    "tanh": np.tanh,
    "sigmoid": lambda h: 0.5 * (1 + np.tanh(h / 2)),
    "relu": lambda h: np.maximum(h, 0.0),
    "leaky_relu": lambda h: np.where(h > 0, h, 0.01 * h),
    "linear": lambda h: h,
    "elu": lambda h: np.where(h > 0, h, np.expm1(np.minimum(h, 0.0))),
    "selu": lambda h: SELU_L * np.where(h > 0, h, SELU_A * np.expm1(np.minimum(h, 0.0))),
    "gelu": lambda h: 0.5 * h * (1 + np.tanh(math.sqrt(2 / math.pi) * (h + 0.044715 * h**3))),
    "softsign": lambda h: h / (1 + np.abs(h)),
}


def slope(name, h, eps=1e-6):
    return (PHI[name](h + eps) - PHI[name](h - eps)) / (2 * eps)


def expect(g, mean, q):
    return np.trapezoid(g(mean + math.sqrt(q) * Z) * PDF, Z)


def fixed_point_by_iteration(name, sigma_w, sigma_b, mean=0.0, q=1.0):
    for _ in range(5000):
        new = sigma_w**2 * expect(lambda h: PHI[name](h) ** 2, mean, q) + sigma_b**2
        if abs(new - q) <= 1e-14 * q:
            break
        q = new
    return new


def picture(**changes) -> theory.TheoryPicture:
    values = dict(dataset="normal", samples=400, lr=0.01)
    values.update(changes)
    return Trainer(Settings(**values)).initial_theory()


# ---- expectations and the length map ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PHI))
@pytest.mark.parametrize("q, mean", [(0.3, 0.0), (2.0, 0.4), (1e4, 0.0), (50.0, -3.0)])
def test_expectations_match_numeric_integration(name, q, mean):
    second, slope2 = theory.expectations(name, q, mean)
    assert second == pytest.approx(expect(lambda h: PHI[name](h) ** 2, mean, q), rel=1e-6)
    # the derivative's jump (relu, selu, leaky relu) costs the trapezoid rule a few 1e-5 there
    assert slope2 == pytest.approx(expect(lambda h: slope(name, h) ** 2, mean, q), rel=1e-4)


def test_the_relu_length_map_keeps_he_and_halves_glorot():
    # He: σ_w² = fan_in · 2 / fan_in = 2 and ReLU halves the second moment: q stays; the Keras
    # truncation is undone by its correction, torch's and the uniform one are not truncated.
    for init, params in [("he_normal", {}), ("he_uniform", {}), ("kaiming_normal", {"nonlinearity": "relu"})]:
        q = picture(init=init, init_params=params, activation="relu", depth=6, width=64).theory_preact_var
        np.testing.assert_allclose(q[1:] / q[:-1], 1.0, rtol=1e-9)
    q = picture(init="glorot_normal", activation="relu", depth=6, width=64).theory_preact_var
    np.testing.assert_allclose(q[1:] / q[:-1], 0.5, rtol=1e-9)
    # leaky ReLU keeps (1 + a²)/2 of it, which torch's gain √(2 / (1 + a²)) makes up for
    q = picture(init="kaiming_normal", init_params={"a": 0.01}, activation="leaky_relu", depth=4,
                width=32).theory_preact_var
    np.testing.assert_allclose(q[1:] / q[:-1], 1.0, rtol=1e-9)


def test_a_linear_network_multiplies_q_by_sigma_w_squared_and_the_first_layer_reads_the_inputs():
    settings = Settings(init="lecun_normal", activation="linear", depth=5, width=32, dataset="normal", gain=1.3)
    trainer = Trainer(settings)
    q = trainer.initial_theory().theory_preact_var
    q0 = np.mean(np.square(trainer.dataset.X_train[:theory.LENGTH_MAP_SAMPLES]))
    np.testing.assert_allclose(q, q0 * 1.69 ** np.arange(1, 6), rtol=1e-9)


def test_a_truncated_normal_enters_with_its_truncated_variance():
    # truncated_normal(stddev 0.05) has std 0.05 · 0.8796 (cut at 2 stddev, no correction)
    q = picture(init="truncated_normal", activation="linear", depth=2, width=100, input_dim=100).theory_preact_var
    assert q[1] / q[0] == pytest.approx(100 * (0.05 * 0.87962566103423978) ** 2, rel=1e-9)


# ---- fixed point, χ₁ and the critical line ---------------------------------------------------


@pytest.mark.parametrize("name, sigma_w, sigma_b, mean", [
    ("tanh", 1.5, 0.05, 0.0), ("tanh", 0.8, 0.3, 0.0), ("tanh", 4.0, 0.1, 0.0), ("tanh", 1.5, 0.0, 0.2),
    ("sigmoid", 4.0, 0.2, 0.0), ("selu", 1.0, 0.1, 0.0), ("elu", 1.2, 0.2, 0.0), ("gelu", 1.5, 0.1, 0.0),
    ("softsign", 2.5, 0.2, 0.0), ("relu", 1.2, 0.3, 0.0), ("leaky_relu", 1.3, 0.2, 0.0),
    ("linear", 0.8, 0.3, 0.0),
])
def test_fixed_point_and_chi1_match_an_iterated_numeric_map(name, sigma_w, sigma_b, mean):
    q = fixed_point_by_iteration(name, sigma_w, sigma_b, mean)
    assert theory.fixed_point(name, sigma_w, sigma_b, mean) == pytest.approx(q, rel=1e-6)
    chi = sigma_w**2 * expect(lambda h: slope(name, h) ** 2, mean, q)
    assert theory.chi1(name, sigma_w, sigma_b, mean) == pytest.approx(chi, rel=1e-4)


def test_closed_form_fixed_points():
    # linear: q* = σ_b² / (1 − σ_w²); ReLU: σ_b² / (1 − σ_w²/2), χ₁ = σ_w²/2 whatever q*
    assert theory.fixed_point("linear", 0.6, 0.4) == pytest.approx(0.16 / 0.64, rel=1e-9)
    assert theory.fixed_point("relu", 1.2, 0.3) == pytest.approx(0.09 / 0.28, rel=1e-9)
    assert theory.chi1("relu", [1.0, 2.0**0.5, 2.0], 0.3) == pytest.approx([0.5, 1.0, 2.0], rel=1e-12)
    assert theory.fixed_point("relu", 2.0, 0.1) == np.inf  # grows without bound
    assert theory.fixed_point("tanh", 0.9, 0.0) == 0.0      # every signal fades
    assert theory.chi1("tanh", 0.9, 0.0) == pytest.approx(0.81, rel=1e-9)  # tanh'(0)² = 1


def critical_by_parametric_equations(sigma_b):
    """On χ₁ = 1, q* fixes the rest: σ_w² = 1 / E[tanh'²], σ_b² = q* − σ_w² E[tanh²] (grows with q*)."""
    def sigma_b2(q):
        return q - expect(lambda h: np.tanh(h) ** 2, 0.0, q) / expect(lambda h: slope("tanh", h) ** 2, 0.0, q)

    lo, hi = 1e-4, 5.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if sigma_b2(mid) < sigma_b**2 else (lo, mid)
    return 1 / math.sqrt(expect(lambda h: slope("tanh", h) ** 2, 0.0, lo))


def test_tanh_is_critical_at_sigma_w_one_without_biases_and_near_1_12_with_sigma_b_0_05():
    at_zero, at_005 = theory.critical_sigma_w("tanh", [0.0, 0.05])
    assert at_zero == pytest.approx(1.0, abs=1e-3)
    assert at_005 == pytest.approx(1.12, abs=0.01)
    assert at_005 == pytest.approx(critical_by_parametric_equations(0.05), rel=1e-4)
    assert theory.critical_sigma_w("relu", [0.0, 0.3]) == pytest.approx([2**0.5, 2**0.5], rel=1e-6)


def test_phase_plane_is_computed_once_per_activation_and_agrees_with_direct_chi1():
    plane = theory.phase_plane("tanh")
    assert theory.phase_plane("tanh") is plane
    assert plane.chi1.shape == (plane.sigma_b.size, plane.sigma_w.size)
    assert plane.sigma_w[0] == 0 and plane.sigma_w[-1] == pytest.approx(3.0)
    assert not plane.chi1.flags.writeable
    for i, j in [(0, 10), (0, 40), (5, 30), (25, 60), (50, 80)]:
        assert plane.chi1[i, j] == pytest.approx(theory.chi1("tanh", plane.sigma_w[j], plane.sigma_b[i]), rel=1e-5)
    on_line = theory.chi1("tanh", plane.critical_sigma_w, plane.sigma_b)
    np.testing.assert_allclose(on_line, 1.0, rtol=1e-4)
    assert np.all(np.diff(plane.critical_sigma_w) > 0)  # biases push the line to larger σ_w
    relu = theory.phase_plane("relu")
    np.testing.assert_allclose(relu.critical_sigma_w, 2**0.5, rtol=1e-6)


@pytest.mark.parametrize("chi, label", [(0.5, "ordered"), (0.979, "ordered"), (0.99, "critical"),
                                        (1.02, "critical"), (1.03, "chaotic"), (math.nan, "chaotic")])
def test_phase_labels(chi, label):
    assert theory.phase(chi) == label


def test_the_current_initialization_sits_where_the_closed_forms_put_it():
    he = picture(init="he_normal", activation="relu", depth=4, width=64)
    assert (he.sigma_w, he.sigma_b, he.phase) == (pytest.approx(2**0.5, rel=1e-12), 0.0, "critical")
    glorot = picture(init="glorot_normal", activation="relu", depth=4, width=64)
    assert glorot.chi1 == pytest.approx(0.5, rel=1e-9) and glorot.phase == "ordered"
    edge = dict(init="variance_scaling", init_params={"distribution": "untruncated_normal"}, activation="tanh",
                depth=4, width=64)
    assert [picture(gain=g, **edge).phase for g in (0.8, 1.0, 2.0)] == ["ordered", "critical", "chaotic"]
    assert picture(gain=2.0, **edge).sigma_w == pytest.approx(2.0, rel=1e-12)


# ---- measured against predicted --------------------------------------------------------------


@pytest.mark.parametrize("init, params, activation, gain", [
    ("variance_scaling", {"distribution": "untruncated_normal"}, "tanh", 0.8),
    ("variance_scaling", {"distribution": "untruncated_normal"}, "tanh", 1.5),
    ("glorot_normal", {}, "tanh", 3.0),
    ("he_normal", {}, "relu", 1.0),
    ("lecun_uniform", {}, "selu", 1.0),
])
def test_measured_variances_follow_the_length_map_at_width_512(init, params, activation, gain):
    # The theory is the mean over draws; one draw's layer variance is off by its luck, which
    # ReLU accumulates with depth (its samples' representations align, so a layer's finite-width
    # error no longer averages out over them: ±20 % by layer 8 here). So: four draws, and the
    # mean log ratio within 4 standard errors of their own spread (plus 1 % for the floor).
    # A missing truncation correction (−26 % in log) or a map without the nonlinearity fails.
    logs = []
    for seed in range(4):
        trainer = Trainer(Settings(init=init, init_params=params, activation=activation, gain=gain, depth=8,
                                   width=512, dataset="normal", samples=400, seed=seed))
        measured = [Z.var() for Z in trainer.network.forward(trainer.dataset.X_train).pre[:-1]]
        logs.append(np.log(measured / trainer.initial_theory().theory_preact_var))
    logs = np.array(logs)
    error = logs.std(axis=0, ddof=1) / 2
    assert np.all(np.abs(logs.mean(axis=0)) <= 4 * error + 0.01), (logs.mean(axis=0), error)


# ---- the Jacobian ----------------------------------------------------------------------------


def finite_difference_jacobian(network: MLP, x: np.ndarray, depth: int, eps: float = 1e-6) -> np.ndarray:
    rows = []
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = eps
        up = network.forward((x + step)[None, :]).post[depth - 1][0]
        down = network.forward((x - step)[None, :]).post[depth - 1][0]
        rows.append((up - down) / (2 * eps))
    return np.array(rows)  # [i, j] = ∂a_j / ∂x_i


@pytest.mark.parametrize("activation", ["tanh", "selu", "sigmoid"])
def test_the_jacobian_matches_finite_differences(activation):
    settings = Settings(init="glorot_normal", activation=activation, gain=1.7, bias_init=0.1, depth=3, width=7,
                        dataset="normal", input_dim=5)
    trainer = Trainer(settings)
    x = trainer.dataset.X_train[0]
    numeric = finite_difference_jacobian(trainer.network, x, settings.depth)
    analytic = theory.jacobian(trainer.network.weights[:3], 1.0, 0.1, activation, x)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)
    sv = trainer.initial_theory().jacobian_sv
    np.testing.assert_allclose(sv, np.linalg.svd(numeric, compute_uv=False), rtol=1e-6)
    assert np.all(np.diff(sv) <= 0) and sv.size == 5


def test_orthogonal_linear_layers_are_isometric_up_to_gain_to_the_depth_and_gaussian_ones_are_not():
    ortho = picture(init="orthogonal", activation="linear", depth=6, width=16, gain=1.3)
    np.testing.assert_allclose(ortho.jacobian_sv, 1.3**6, rtol=1e-10)
    assert ortho.jacobian_sv.size == 16 and ortho.reference_label == "Gaussian, same variance"
    assert ortho.reference_sv[0] / ortho.reference_sv[-1] > 10
    # the other way round: a Gaussian init against orthogonal kernels of its variance (1 / fan_in · 1.3²)
    gauss = picture(init="lecun_normal", activation="linear", depth=6, width=16, gain=1.3)
    assert gauss.reference_label == "orthogonal, same variance"
    np.testing.assert_allclose(gauss.reference_sv, 1.3**6, rtol=1e-10)
    assert gauss.jacobian_sv[0] / gauss.jacobian_sv[-1] > 10


def test_a_wide_network_follows_the_first_input_directions_within_the_budget(monkeypatch):
    monkeypatch.setattr(theory, "JACOBIAN_BUDGET", 5 * 24 * 24 * 3)
    settings = Settings(init="he_normal", activation="relu", depth=4, width=24, dataset="normal")
    trainer = Trainer(settings)
    pic = trainer.initial_theory()
    assert pic.jacobian_inputs == 5 == theory.jacobian_inputs(settings.sizes)
    full = theory.jacobian(trainer.network.weights[:4], 1.0, 0.0, "relu", trainer.dataset.X_train[0])
    np.testing.assert_allclose(pic.jacobian_sv, np.linalg.svd(full[:5], compute_uv=False), rtol=1e-10)


def test_overflowed_weights_give_nan_singular_values_and_no_warning():
    pic = picture(init="random_normal", init_params={"stddev": 1e200}, gain=1e6, activation="linear", depth=3,
                  width=8)
    assert np.isnan(pic.jacobian_sv).all() and pic.phase == "chaotic"


# ---- LSUV --------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_lsuv_gives_every_layer_unit_variance(activation):
    settings = Settings(init="lsuv", activation=activation, depth=10, width=64, dataset="normal", samples=400)
    trainer = Trainer(settings)
    batch = trainer.dataset.X_train[:256]
    for Z in trainer.network.forward(batch).pre:  # the batch it was rescaled on: within the tolerance
        assert abs(Z.var() - 1.0) < 0.1
    for Z in trainer.network.forward(trainer.dataset.X_test).pre[:-1]:  # other samples: sampling error
        assert Z.var() == pytest.approx(1.0, abs=0.15)
    pic = trainer.initial_theory()
    assert pic.reference_label == "Gaussian, same variance"
    if activation == "relu":
        assert pic.sigma_w == pytest.approx(2**0.5, rel=0.05) and pic.phase in ("critical", "ordered")


def test_lsuv_draw_is_cached_and_the_slider_multiplies_it():
    settings = Settings(init="lsuv", activation="relu", depth=5, width=32, dataset="normal")
    trainer = Trainer(settings)
    base = [W.copy() for W in trainer.network.weights]
    trainer.apply(settings.replace(gain=2.5, batch_size=7))  # neither redraws nor rescales again
    for a, b in zip(base, trainer.network.weights):
        np.testing.assert_allclose(b, 2.5 * a, rtol=1e-15)
    trainer.apply(settings)
    for a, b in zip(base, trainer.network.weights):
        np.testing.assert_array_equal(a, b)


# ---- in the snapshot ---------------------------------------------------------------------------


def test_snapshot_carries_the_theory_made_once_per_initialization():
    settings = Settings(activation="tanh", depth=4, width=16, dataset="normal")
    trainer = Trainer(settings)
    snap = snapshot.build(trainer, 1, False)
    pic = snap.theory
    np.testing.assert_array_equal(pic.measured_preact_var, [layer.preact_std**2 for layer in snap.stats.hidden])
    assert pic.theory_preact_var.shape == pic.measured_preact_var.shape == (4,)
    assert pic.critical_sigma_w.shape == pic.grid_sigma_b.shape
    for a in (pic.theory_preact_var, pic.measured_preact_var, pic.jacobian_sv, pic.reference_sv, pic.grid_chi1):
        assert not a.flags.writeable
    made = trainer.initial_theory()
    trainer.train(20)
    later = snapshot.build(trainer, 2, True).theory
    assert trainer.initial_theory() is made  # training leaves the initialization's theory alone
    assert later.jacobian_sv is made.jacobian_sv
    assert not np.array_equal(later.measured_preact_var, pic.measured_preact_var)
    trainer.apply(settings.replace(gain=2.0))
    moved = snapshot.build(trainer, 3, False).theory
    assert moved.sigma_w == pytest.approx(2 * pic.sigma_w) and moved.chi1 > pic.chi1
    assert not np.allclose(moved.jacobian_sv, pic.jacobian_sv)
