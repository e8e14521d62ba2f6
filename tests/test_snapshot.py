"""The display pass's sample budget, and the decision boundary's heat map."""

import numpy as np
import pytest

from winit_gui import snapshot
from winit_gui.settings import MAX_DEPTH


def test_the_sample_floor_binds_only_for_layers_wide_enough_to_fill_the_histograms():
    narrow = range(1, 2000 // snapshot.MIN_SAMPLES + 1)  # wider layers get over 2000 values anyway
    for depth in range(1, MAX_DEPTH + 1):
        for width in narrow:
            for inputs in (2, width, 4096):
                sizes = (inputs, *[width] * depth, 1)
                assert snapshot.display_samples(sizes) > snapshot.MIN_SAMPLES, sizes


def _bilinear(p, y, x):
    """p at the fractional grid point (y, x), straight from the definition."""
    y0, x0 = min(int(y), p.shape[0] - 2), min(int(x), p.shape[1] - 2)
    ty, tx = y - y0, x - x0
    return ((1 - ty) * ((1 - tx) * p[y0, x0] + tx * p[y0, x0 + 1])
            + ty * ((1 - tx) * p[y0 + 1, x0] + tx * p[y0 + 1, x0 + 1]))


@pytest.mark.parametrize("n", [16, 37, 64])
def test_heat_map_is_the_bilinear_interpolation_quantized_to_the_colour_levels(n):
    rng = np.random.default_rng(n)
    p = rng.random((n, n))
    levels = snapshot.heat_map(p)
    m = levels.shape[0]
    assert levels.dtype == np.uint8 and levels.shape == (m, m) and (m - 1) % (n - 1) == 0
    assert abs(m - snapshot.HEAT_MAP_PX) < n
    scale = (n - 1) / (m - 1)
    for i, j in rng.integers(0, m, size=(200, 2)):
        value = _bilinear(p, i * scale, j * scale) * 256
        if abs(value - round(value)) > 1e-9:  # (on a level's edge, rounding may pick either side)
            assert levels[i, j] == min(int(value), 255), (i, j, value)
    assert not levels.flags.writeable


def test_heat_map_of_non_finite_probabilities_is_clipped_and_neutral():
    p = np.array([[np.nan, np.inf], [-np.inf, 1.0]])
    levels = snapshot.heat_map(p)
    assert levels[0, 0] == 128 and levels[0, -1] == 255 and levels[-1, 0] == 0 and levels[-1, -1] == 255
