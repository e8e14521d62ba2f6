"""The display pass's sample budget."""

from winit_gui import snapshot
from winit_gui.settings import MAX_DEPTH


def test_the_sample_floor_binds_only_for_layers_wide_enough_to_fill_the_histograms():
    narrow = range(1, 2000 // snapshot.MIN_SAMPLES + 1)  # wider layers get over 2000 values anyway
    for depth in range(1, MAX_DEPTH + 1):
        for width in narrow:
            for inputs in (2, width, 4096):
                sizes = (inputs, *[width] * depth, 1)
                assert snapshot.display_samples(sizes) > snapshot.MIN_SAMPLES, sizes
