"""Data sets: deterministic, standardized, read-only, and shaped like TensorFlow Playground's."""

import math

import numpy as np
import pytest

from winit_gui import datasets

TWO_D = ["circle", "xor", "gaussians", "spiral"]


def make(name, **kwargs):
    if name == "normal":
        kwargs.setdefault("input_dim", 10)
    return datasets.make(name, **kwargs)


def arrays(d):
    return [d.X_train, d.y_train, d.X_test, d.y_test]


def test_names():
    assert datasets.NAMES == ("circle", "xor", "gaussians", "spiral", "normal")


@pytest.mark.parametrize("name", datasets.NAMES)
def test_deterministic_from_the_seed(name):
    a, b, c = make(name, seed=3), make(name, seed=3), make(name, seed=4)
    for x, y in zip(arrays(a), arrays(b)):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.X_train, c.X_train)
    assert a.bounds == b.bounds


@pytest.mark.parametrize("name", datasets.NAMES)
def test_shapes_split_and_labels(name):
    d = make(name, samples=400, test_fraction=0.25, seed=1)
    dim = 10 if name == "normal" else 2
    assert d.name == name and d.input_dim == dim
    assert d.X_train.shape == (300, dim) and d.X_test.shape == (100, dim)
    assert d.y_train.shape == (300, 1) and d.y_test.shape == (100, 1)
    for a in arrays(d):
        assert a.dtype == np.float64
        assert np.all(np.isfinite(a))
    for y in (d.y_train, d.y_test):
        assert set(np.unique(y)) <= {0.0, 1.0}
        assert 0.3 < y.mean() < 0.7                  # balanced-ish
    # train and test are different samples
    assert not np.any(np.all(d.X_train[:, None, :] == d.X_test[None, :, :], axis=2))


@pytest.mark.parametrize("name", datasets.NAMES)
def test_arrays_are_read_only(name):
    d = make(name)
    for a in arrays(d):
        with pytest.raises(ValueError):
            a[0, 0] = 1.0


@pytest.mark.parametrize("noise", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("name", TWO_D)
def test_2d_sets_are_standardized_with_train_statistics(name, noise):
    d = make(name, noise=noise, seed=2)
    np.testing.assert_allclose(d.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(d.X_train.std(axis=0), 1.0, rtol=1e-12)
    # the test split went through the same affine map, not its own: its stats are only close
    assert np.all(np.abs(d.X_test.mean(axis=0)) < 0.3)
    assert not np.allclose(d.X_test.std(axis=0), 1.0, rtol=1e-9)
    assert d.is_2d
    xmin, xmax, ymin, ymax = d.bounds
    both = np.vstack([d.X_train, d.X_test])
    assert xmin <= both[:, 0].min() and both[:, 0].max() <= xmax
    assert ymin <= both[:, 1].min() and both[:, 1].max() <= ymax


def test_normal_labels_are_the_sign_of_a_fixed_projection():
    d = datasets.make("normal", input_dim=12, seed=5, samples=1000)
    assert not d.is_2d and d.bounds is None
    w = d.projection
    assert w.shape == (12,) and math.isclose(np.linalg.norm(w), 1.0)
    for X, y in ((d.X_train, d.y_train), (d.X_test, d.y_test)):
        np.testing.assert_array_equal(y[:, 0], (X @ w > 0).astype(float))
    # inputs N(0, I), not rescaled: sample moments only close to 0 and 1
    assert np.all(np.abs(d.X_train.mean(axis=0)) < 0.2)
    assert np.all(np.abs(d.X_train.std(axis=0) - 1) < 0.15)
    assert datasets.make("normal", input_dim=12, seed=6).projection @ w < 0.99   # a new seed, a new w


def test_circle_is_a_disc_inside_a_ring():
    d = datasets.make("circle", noise=0.0, seed=0)
    X, y = np.vstack([d.X_train, d.X_test]), np.vstack([d.y_train, d.y_test])[:, 0]
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius[y == 1].max() < radius[y == 0].min()       # raw gap 2.5 .. 3.5 survives standardizing


def test_xor_labels_follow_the_quadrants():
    d = datasets.make("xor", noise=0.0, seed=0)
    X, y = np.vstack([d.X_train, d.X_test]), np.vstack([d.y_train, d.y_test])[:, 0]
    # standardizing shifts the axes a little; nearly every point keeps its quadrant's label
    assert np.mean((X[:, 0] * X[:, 1] >= 0) == (y == 1)) > 0.97


def test_gaussians_sit_at_plus_and_minus_two():
    d = datasets.make("gaussians", noise=0.0, seed=0, samples=1000)
    X, y = d.X_train, d.y_train[:, 0]
    assert np.all(X[y == 1].mean(axis=0) > 0.5) and np.all(X[y == 0].mean(axis=0) < -0.5)


def test_noise_makes_labels_disagree_with_the_clean_rule():
    # circle/xor decide the label at a jittered point: noise flips labels near the boundary
    clean = datasets.make("xor", noise=0.0, seed=0)
    noisy = datasets.make("xor", noise=1.0, seed=0)

    def agreement(d):
        X, y = d.X_train, d.y_train[:, 0]
        return np.mean((X[:, 0] * X[:, 1] >= 0) == (y == 1))

    assert agreement(noisy) < agreement(clean) - 0.05


def test_lesson_number_first_layer_preactivation_std():
    # xavier-tanh lesson: glorot_uniform 2 -> 32 on standardized inputs gives a pre-activation std
    # of sqrt(2 · 2/(2+32)) ≈ 0.34
    d = datasets.make("spiral", samples=2000, seed=0)
    limit = math.sqrt(6 / (2 + 32))
    W = np.random.default_rng(0).uniform(-limit, limit, (2, 32))
    assert (d.X_train @ W).std() == pytest.approx(math.sqrt(4 / 34), rel=0.2)


@pytest.mark.parametrize("kwargs", [
    dict(name="moons"), dict(name="circle", samples=3), dict(name="circle", samples=10.5),
    dict(name="circle", noise=-0.1), dict(name="circle", noise=1.5), dict(name="circle", noise=float("nan")),
    dict(name="circle", test_fraction=0.0), dict(name="circle", test_fraction=1.0),
    dict(name="circle", input_dim=3), dict(name="normal", input_dim=0), dict(name="circle", seed=-1),
    dict(name="circle", seed=True),
])
def test_bad_arguments(kwargs):
    kwargs = dict(kwargs)
    name = kwargs.pop("name")
    with pytest.raises(ValueError):
        datasets.make(name, **kwargs)


def test_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError) as err:
        datasets.make("moons")
    for name in datasets.NAMES:
        assert name in str(err.value)
