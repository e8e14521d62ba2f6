"""`winit-gui stats`: the JSON schema of CONTRACT.md, the table, and exit 2 on bad input."""

import json
import subprocess
import sys

import pytest

from winit_gui.app import main

LAYER_KEYS = {"index", "kind", "fan_in", "fan_out", "weight_std", "preact_mean", "preact_std", "act_mean",
              "act_std", "saturated_fraction", "dead_fraction", "grad_std", "unique_units", "theory_preact_std"}


def stats(capsys, *args):
    assert main(["stats", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_schema(capsys):
    report = stats(capsys, "--init", "he_normal", "--activation", "relu", "--depth", "3", "--width", "16",
                   "--samples", "64", "--steps", "5")
    assert set(report) == {"init", "gain", "activation", "depth", "width", "dataset", "steps", "seed", "loss",
                           "layers", "sigma_w", "chi1", "phase", "jacobian_singular_values", "jacobian_inputs"}
    assert (report["init"], report["activation"], report["depth"], report["width"]) == ("he_normal", "relu", 3, 16)
    assert report["dataset"] == "normal" and report["steps"] == 5
    layers = report["layers"]
    assert [layer["index"] for layer in layers] == [1, 2, 3, 4]
    assert [layer["kind"] for layer in layers] == ["hidden"] * 3 + ["output"]
    assert [(layer["fan_in"], layer["fan_out"]) for layer in layers] == [(16, 16), (16, 16), (16, 16), (16, 1)]
    for layer in layers:
        assert set(layer) == LAYER_KEYS
        assert isinstance(layer["unique_units"], int)


def test_json_theory_fields(capsys):
    # He on ReLU is critical (χ₁ = σ_w²/2 = 1) and its length map keeps the variance: every
    # layer's theory_preact_std is the first one's, √(2 · mean x²), near the measured one.
    report = stats(capsys, "--init", "he_normal", "--activation", "relu", "--depth", "4", "--width", "128",
                   "--samples", "400")
    assert report["phase"] == "critical" and report["chi1"] == pytest.approx(1.0, rel=1e-9)
    assert report["sigma_w"] == pytest.approx(2**0.5, rel=1e-12)
    layers = report["layers"]
    predicted = [layer["theory_preact_std"] for layer in layers]
    assert predicted == pytest.approx([predicted[0]] * 5, rel=1e-9)
    assert predicted[0] == pytest.approx(2**0.5, rel=0.02)  # standard normal inputs
    for layer in layers[:4]:
        assert layer["preact_std"] == pytest.approx(layer["theory_preact_std"], rel=0.15)
    sv = report["jacobian_singular_values"]
    assert len(sv) == report["jacobian_inputs"] == 128  # within the budget: every input direction
    assert sv == sorted(sv, reverse=True) and sv[0] > 0
    tanh = stats(capsys, "--init", "random_normal", "--param", "stddev=0.01", "--depth", "3", "--width", "16")
    assert tanh["phase"] == "ordered" and tanh["chi1"] == pytest.approx(16 * 0.01**2, rel=1e-6)


def test_param_and_input_dim_reach_the_model(capsys):
    report = stats(capsys, "--init", "constant", "--param", "value=0.25", "--depth", "1", "--width", "4",
                   "--input-dim", "3", "--samples", "16")
    first = report["layers"][0]
    assert first["fan_in"] == 3 and first["weight_std"] == 0.0 and first["unique_units"] == 1
    assert first["preact_std"] > 0


def test_overflow_is_null_not_nan():
    result = subprocess.run([sys.executable, "-m", "winit_gui", "stats", "--init", "random_normal", "--param",
                             "stddev=1e200", "--gain", "1e6", "--activation", "linear", "--depth", "3",
                             "--width", "8", "--json"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert report["loss"] is None


def test_table_is_readable(capsys):
    assert main(["stats", "--init", "glorot_uniform", "--depth", "2", "--width", "8", "--samples", "32"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("glorot_uniform (gain 1)")
    assert out[1].split()[:3] == ["layer", "kind", "fan_in"]
    assert len(out) == 2 + 3


@pytest.mark.parametrize("args, names", [
    (["--init", "bogus"], "he_normal"),
    (["--init", "constant", "--param", "valu=1"], "value"),
    (["--init", "constant", "--param", "value"], "KEY=VALUE"),
    (["--init", "zeros", "--activation", "swish"], "tanh"),
    (["--init", "zeros", "--dataset", "mnist"], "spiral"),
    (["--init", "zeros", "--optimizer", "lbfgs"], "adam"),
    (["--init", "zeros", "--depth", "0"], "depth"),
    (["--init", "zeros", "--gain", "abc"], "gain"),
    (["--init", "variance_scaling", "--param", "mode=sideways"], "fan_avg"),
])
def test_bad_input_exits_2_with_the_valid_choices_and_no_traceback(args, names):
    result = subprocess.run([sys.executable, "-m", "winit_gui", "stats", *args], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert names in result.stderr.splitlines()[-1]


def test_bad_preset_exits_2_naming_the_lessons():
    result = subprocess.run([sys.executable, "-m", "winit_gui", "--preset", "nope"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "he-relu" in result.stderr and "Traceback" not in result.stderr


def test_list_presets(capsys):
    assert main(["--list-presets"]) == 0
    names = capsys.readouterr().out.split()
    assert names[0] == "start" and "kaiming-vs-he" in names
