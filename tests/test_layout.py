"""The window's layout is the same every run: figures and screenshots keep their size."""

import json
import os
import subprocess
import sys

import pytest

SPLIT = """
import json, os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6 import QtWidgets
app = QtWidgets.QApplication([])
from winit_gui import presets
from winit_gui.app.headless import Film
window = Film(presets.load("start"), "start", "dark", 300).window
window.resize({width}, {height})
for _ in range(3):
    app.processEvents()
side = window.splitter.widget(0)
print(json.dumps([window.splitter.sizes(), side.width(), side.minimumSizeHint().width()]))
"""


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 720)])
def test_the_side_panel_takes_its_minimum_width_whatever_the_hash_seed(size):
    """The split once followed the order of a set of strings: at 1600 x 1000 the side panel came
    up 343 px wide under some PYTHONHASHSEEDs and 460 under others (seed 3 of these four)."""
    script = SPLIT.format(width=size[0], height=size[1])
    runs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONHASHSEED": str(seed)})
            for seed in (1, 2, 3, 4)]
    results = []
    for run in runs:
        out, _ = run.communicate(timeout=120)
        assert run.returncode == 0
        results.append(json.loads(out.splitlines()[-1]))
    for sizes, width, minimum in results:
        assert sizes == results[0][0]
        assert width == minimum
        assert sum(sizes) > size[0] - 20  # the views have the rest
