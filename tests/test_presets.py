"""The lesson presets: every one loads, validates and has the settings LESSONS.md gives it."""

from __future__ import annotations

import importlib.resources
import os
import subprocess
import sys
import re
from pathlib import Path

import pytest

from winit_gui import experiment, presets
from winit_gui.experiment import Experiment
from winit_gui.settings import Settings

REPO = Path(__file__).resolve().parent.parent
PRESET_DIR = REPO / "resources" / "presets"

# LESSONS.md, row by row: data, network (depth x width), activation, init and its key parameters.
LESSONS = {
    "start": dict(dataset="circle", depth=6, width=8, activation="tanh", init="glorot_uniform", params={}),
    "symmetric": dict(dataset="circle", depth=3, width=6, activation="tanh", init="constant",
                      params={"value": 0.5}),
    "zeros": dict(dataset="circle", depth=3, width=6, activation="tanh", init="zeros", params={}),
    "too-large": dict(dataset="circle", depth=6, width=16, activation="tanh", init="random_normal",
                      params={"stddev": 1.0}, gain=4.0),
    "too-small": dict(dataset="normal", depth=10, width=64, activation="tanh", init="random_normal",
                      params={"stddev": 0.01}),
    "xavier-tanh": dict(dataset="spiral", depth=8, width=32, activation="tanh", init="glorot_uniform", params={}),
    "xavier-relu": dict(dataset="normal", depth=30, width=256, activation="relu", init="glorot_normal", params={}),
    "he-relu": dict(dataset="normal", depth=30, width=256, activation="relu", init="he_normal", params={}),
    "sigmoid-standard": dict(dataset="circle", depth=4, width=32, activation="sigmoid", init="pytorch_default",
                             params={}),
    "kaiming-vs-he": dict(dataset="normal", depth=10, width=128, activation="relu", init="kaiming_normal",
                          params={"nonlinearity": "relu"}),
    "lsuv": dict(dataset="normal", depth=30, width=256, activation="relu", init="lsuv", params={}),
    "edge-of-chaos": dict(dataset="normal", depth=30, width=256, activation="tanh", init="variance_scaling",
                          params={"scale": 1.0, "mode": "fan_in", "distribution": "untruncated_normal"}),
}
ORDER = ["start", "symmetric", "zeros", "too-large", "too-small", "xavier-tanh", "xavier-relu", "he-relu", "lsuv",
         "sigmoid-standard", "kaiming-vs-he", "edge-of-chaos"]


def test_names_are_the_lessons_in_lesson_order():
    assert presets.names() == ORDER
    assert presets.DEFAULT == "start" == presets.names()[0]
    assert list(presets.ORDER) == ORDER


def test_every_file_is_listed():
    on_disk = {p.stem for p in PRESET_DIR.glob("*.toml")}
    assert on_disk == set(presets.names())


@pytest.mark.parametrize("name", ORDER)
def test_preset_matches_lessons_md(name):
    exp = presets.load(name)
    want = LESSONS[name]
    s = exp.settings
    assert isinstance(exp, Experiment) and isinstance(s, Settings)
    assert (s.dataset, s.depth, s.width, s.activation, s.init) == (
        want["dataset"], want["depth"], want["width"], want["activation"], want["init"])
    for key, value in want["params"].items():
        assert s.init_params[key] == value, key
    assert s.gain == want.get("gain", 1.0)
    assert s.bias_init == 0.0
    if s.dataset == "normal":
        assert s.input_dim == 0 and s.dataset_input_dim == s.width
        assert s.sizes == (s.width, *[s.width] * s.depth, 1)
    else:
        assert s.sizes == (2, *[s.width] * s.depth, 1)


@pytest.mark.parametrize("name", ORDER)
def test_preset_has_title_and_a_few_sentences(name):
    exp = presets.load(name)
    assert exp.title.strip() and "\n" not in exp.title
    text = exp.explanation
    assert text == text.strip() and "\n" not in text
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text)
    assert 2 <= len(sentences) <= 3, sentences
    assert 100 < len(text) < 700


def test_start_is_the_built_in_default():
    exp = presets.load("start")
    s = exp.settings
    assert exp.title == "Start here: Glorot init on a small tanh network"
    assert (s.lr, s.batch_size, s.optimizer) == (0.03, 32, "sgd")
    assert exp.compare is None and exp.alternative == ""
    assert "slider" in exp.explanation and "Play" in exp.explanation


def test_kaiming_vs_he_opens_in_compare_mode():
    exp = presets.load("kaiming-vs-he")
    assert exp.alternative == "he_normal"
    assert exp.compare is not None
    assert exp.compare.init == "he_normal"
    # Only the initializer differs on the B side.
    assert exp.compare == exp.settings.replace(init="he_normal")
    assert exp.compare.init_params != exp.settings.init_params or exp.compare.init != exp.settings.init
    assert "Keras" in exp.explanation and "PyTorch" in exp.explanation and "He et al" in exp.explanation
    for name in ORDER:
        if name != "kaiming-vs-he":
            assert presets.load(name).compare is None, name


def test_citations():
    for name in ("xavier-tanh", "sigmoid-standard"):
        assert "Glorot & Bengio (2010)" in presets.load(name).explanation
    for name in ("he-relu", "kaiming-vs-he"):
        assert "He et al." in presets.load(name).explanation
    assert "Mishkin & Matas (2015)" in presets.load("lsuv").explanation
    assert "Poole et al. (2016)" in presets.load("edge-of-chaos").explanation


def test_xavier_relu_he_relu_and_lsuv_differ_only_in_the_initializer():
    a, b = presets.load("xavier-relu").settings, presets.load("he-relu").settings
    assert a != b
    assert a.replace(init=b.init) == b
    assert presets.load("lsuv").settings == b.replace(init="lsuv")


def test_deep_relu_lessons_use_a_small_learning_rate():
    for name in ("xavier-relu", "he-relu", "lsuv"):
        assert presets.load(name).settings.lr <= 0.01


@pytest.mark.parametrize("name", ORDER)
def test_preset_file_is_a_valid_experiment_file(name):
    # Any preset file is a valid --load FILE.
    file = presets.path(name)
    assert file.name == f"{name}.toml"
    assert experiment.load(PRESET_DIR / f"{name}.toml") == presets.load(name)


@pytest.mark.parametrize("name", ORDER)
@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_preset_round_trip(name, fmt):
    exp = presets.load(name)
    assert experiment.loads(experiment.dumps(exp, fmt), fmt) == exp


def test_unknown_preset_names_the_valid_ones():
    with pytest.raises(ValueError) as info:
        presets.load("too-big")
    message = str(info.value)
    assert "too-big" in message
    for name in ORDER:
        assert name in message
    with pytest.raises(ValueError, match="kaiming-vs-he"):
        presets.path("../settings")


def test_extra_files_are_appended_alphabetically(tmp_path, monkeypatch):
    folder = tmp_path / "presets"
    folder.mkdir()
    for name in ("he-relu", "start", "zeros"):
        (folder / f"{name}.toml").write_bytes((PRESET_DIR / f"{name}.toml").read_bytes())
    (folder / "my-lesson.toml").write_text('title = "Mine"\n[settings]\ninit = "he_uniform"\n')
    (folder / "another.toml").write_text('title = "Another"\n')
    (folder / "notes.txt").write_text("not a preset")
    monkeypatch.setattr(presets, "resource_root", lambda: tmp_path)
    assert presets.names() == ["start", "zeros", "he-relu", "another", "my-lesson"]
    assert presets.load("my-lesson").settings.init == "he_uniform"
    assert presets.load("another").settings == Settings()
    with pytest.raises(ValueError, match="notes"):
        presets.load("notes")


def test_broken_preset_names_its_file(tmp_path, monkeypatch):
    folder = tmp_path / "presets"
    folder.mkdir()
    (folder / "broken.toml").write_text('[settings]\ngain = "loud"\n')
    monkeypatch.setattr(presets, "resource_root", lambda: tmp_path)
    with pytest.raises(experiment.ExperimentFileError) as info:
        presets.load("broken")
    assert "broken" in str(info.value) and "settings.gain" in str(info.value)


def test_source_checkout_falls_back_to_the_resources_folder():
    # Run from the source tree, winit_gui.resources is not a package: resources/ is found next to it.
    code = "from winit_gui import presets; print(presets.resource_root()); print(','.join(presets.names()))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60)
    assert result.returncode == 0, result.stderr
    root, names = result.stdout.split()
    assert Path(root).resolve() == (REPO / "resources").resolve()
    assert names.split(",") == list(ORDER)


def test_installed_package_is_used_when_importable(tmp_path, monkeypatch):
    # Installed, importlib.resources.files("winit_gui.resources") is where the presets are.
    (tmp_path / "presets").mkdir()
    (tmp_path / "presets" / "start.toml").write_text('title = "installed"\n')
    seen = []

    def installed(package):
        seen.append(package)
        return tmp_path

    monkeypatch.setattr(importlib.resources, "files", installed)
    assert presets.names() == ["start"]
    assert presets.load("start").title == "installed"
    assert seen and set(seen) == {"winit_gui.resources"}


def test_resources_package_has_a_docstring():
    text = (REPO / "resources" / "__init__.py").read_text()
    assert text.startswith('"""') and "winit_gui.resources" in text
