"""Experiment files: round trips, strict validation with clear messages, atomic saves, weights sidecar."""

from __future__ import annotations

import json
import os
import pickle
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from winit_gui import activations, datasets, experiment, initializers, optimizers, presets
from winit_gui.experiment import SCHEMA_VERSION, Experiment, ExperimentFileError
from winit_gui.settings import Settings

# ---------------------------------------------------------------------------------------------
# Round trips


def test_defaults_round_trip_both_formats():
    exp = Experiment(Settings())
    for fmt in ("toml", "json"):
        text = experiment.dumps(exp, fmt)
        assert experiment.loads(text, fmt) == exp


def test_toml_output_shape():
    exp = presets.load("kaiming-vs-he")
    text = experiment.dumps(exp)
    assert text.startswith("#")
    assert f"schema = {SCHEMA_VERSION}" in text
    assert "[settings]" in text and "[settings.init_params]" in text and "[compare]" in text
    assert 'alternative = "he_normal"' in text
    data = json.loads(experiment.dumps(exp, "json"))
    assert data["schema"] == SCHEMA_VERSION
    assert set(data["settings"]) == {f for f in Settings.__dataclass_fields__}
    # [compare] holds only what differs from [settings].
    assert data["compare"]["init"] == "he_normal"
    assert set(data["compare"]) <= {"init", "init_params"}


def test_compare_with_only_changed_params_round_trips():
    a = Settings(init="random_normal", init_params={"stddev": 0.5})
    b = a.replace(init_params={"stddev": 2.0}, lr=0.5)
    exp = Experiment(a, title="t", compare=b)
    for fmt in ("toml", "json"):
        back = experiment.loads(experiment.dumps(exp, fmt), fmt)
        assert back == exp
        assert back.compare.init_params["stddev"] == 2.0 and back.compare.lr == 0.5


def test_missing_fields_take_settings_defaults():
    exp = experiment.loads('[settings]\ninit = "he_normal"\ndepth = 3\n')
    assert exp.settings == Settings(init="he_normal", depth=3)
    assert exp.title == exp.explanation == exp.alternative == ""
    assert exp.compare is None
    assert experiment.loads("").settings == Settings()
    assert experiment.loads("{}", "json") == Experiment(Settings())


def test_integer_accepted_for_float_field():
    exp = experiment.loads("[settings]\ngain = 4\nlr = 1\n")
    assert exp.settings.gain == 4.0 and isinstance(exp.settings.gain, float)


def test_save_and_load_files(tmp_path):
    exp = presets.load("too-large").replace(title="Mine", explanation="Line one.\nLine two, with \"quotes\".")
    for suffix in (".toml", ".json", ".TOML"):
        path = tmp_path / f"run{suffix}"
        experiment.save(exp, path)
        assert experiment.load(path) == exp
        assert experiment.load(str(path)) == exp
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["run.toml", "run.json", "run.TOML"]) or \
        len(list(tmp_path.iterdir())) == 2  # case-insensitive file systems


def test_byte_order_mark_and_crlf_accepted(tmp_path):
    path = tmp_path / "windows.toml"
    path.write_bytes(b'\xef\xbb\xbftitle = "Notepad"\r\n[settings]\r\ndepth = 2\r\n')
    exp = experiment.load(path)
    assert exp.title == "Notepad" and exp.settings.depth == 2


def _initializer_and_params():
    names = initializers.available()
    plain = st.sampled_from(names).map(lambda n: (n, {}))
    options = [plain]
    if "constant" in names:
        options.append(st.floats(-10, 10).map(lambda v: ("constant", {"value": v})))
    if "random_normal" in names:
        options.append(st.tuples(st.floats(-1, 1), st.floats(1e-4, 10)).map(
            lambda t: ("random_normal", {"mean": t[0], "stddev": t[1]})))
    if "random_uniform" in names:
        options.append(st.tuples(st.floats(-5, -0.01), st.floats(0.01, 5)).map(
            lambda t: ("random_uniform", {"minval": t[0], "maxval": t[1]})))
    if "kaiming_normal" in names:
        options.append(st.tuples(st.sampled_from(["fan_in", "fan_out"]),
                                 st.sampled_from(["relu", "tanh", "leaky_relu", "linear", "sigmoid", "selu"])).map(
            lambda t: ("kaiming_normal", {"mode": t[0], "nonlinearity": t[1]})))
    if "variance_scaling" in names:
        options.append(st.tuples(st.floats(0.01, 10), st.sampled_from(["fan_in", "fan_out", "fan_avg"]),
                                 st.sampled_from(["truncated_normal", "untruncated_normal", "uniform"])).map(
            lambda t: ("variance_scaling", {"scale": t[0], "mode": t[1], "distribution": t[2]})))
    return st.one_of(options)


@st.composite
def random_settings(draw):
    init, params = draw(_initializer_and_params())
    finite = dict(allow_nan=False, allow_infinity=False)
    return Settings(
        init=init,
        init_params=params,
        gain=draw(st.floats(1e-6, 1e6)),
        bias_init=draw(st.floats(**finite)),
        activation=draw(st.sampled_from(list(activations.available()))),
        depth=draw(st.integers(1, 64)),
        width=draw(st.integers(1, 1024)),
        dataset=draw(st.sampled_from(list(datasets.NAMES))),
        noise=draw(st.floats(0.0, 1.0)),
        samples=draw(st.integers(8, 100_000)),
        input_dim=draw(st.integers(0, 4096)),
        lr=draw(st.floats(min_value=0.0, exclude_min=True, **finite)),
        batch_size=draw(st.integers(1, 100_000)),
        optimizer=draw(st.sampled_from(list(optimizers.NAMES))),
        l2=draw(st.floats(0.0, 10.0)),
        seed=draw(st.integers(0, 2**63 - 1)),
    )


@st.composite
def random_experiments(draw):
    settings = draw(random_settings())
    compare = draw(st.one_of(st.none(), random_settings(),
                             st.builds(lambda g: settings.replace(gain=g), st.floats(1e-6, 1e6))))
    return Experiment(
        settings=settings,
        title=draw(st.text(max_size=40)),
        explanation=draw(st.text(max_size=200)),
        compare=compare,
        alternative=draw(st.one_of(st.just(""), st.sampled_from(initializers.available()))),
    )


@hyp_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exp=random_experiments(), fmt=st.sampled_from(["toml", "json"]))
def test_random_round_trip(exp, fmt):
    text = experiment.dumps(exp, fmt)
    back = experiment.loads(text, fmt)
    assert back == exp
    assert experiment.dumps(back, fmt) == text


# ---------------------------------------------------------------------------------------------
# Bad files: every one raises ExperimentFileError naming the key

BAD_TOML = [
    # (id, text, key the message must contain, another fragment it must contain)
    ("unknown-top-key", 'titel = "x"\n', "titel", "valid keys: schema, title"),
    ("unknown-settings-key", "[settings]\ngian = 2.0\n", "settings.gian", "did you mean 'gain'"),
    ("unknown-compare-key", "[compare]\nlearning_rate = 0.1\n", "compare.learning_rate", "valid keys"),
    ("string-for-float", '[settings]\ngain = "big"\n', "settings.gain", "expected a number"),
    ("bool-for-float", "[settings]\nlr = true\n", "settings.lr", "expected a number"),
    ("string-for-int", '[settings]\ndepth = "6"\n', "settings.depth", "expected an integer"),
    ("float-for-int", "[settings]\nwidth = 8.5\n", "settings.width", "expected an integer"),
    ("whole-float-for-int", "[settings]\nseed = 3.0\n", "settings.seed", "expected an integer"),
    ("bool-for-int", "[settings]\nbatch_size = false\n", "settings.batch_size", "expected an integer"),
    ("number-for-string", "[settings]\nactivation = 3\n", "settings.activation", "expected a string"),
    ("list-for-string", '[settings]\ninit = ["he_normal"]\n', "settings.init", "expected a string"),
    ("scalar-for-params", "[settings]\ninit_params = 0.5\n", "settings.init_params", "expected a table"),
    ("table-in-params", '[settings]\ninit = "constant"\n[settings.init_params.value]\nx = 1\n',
     "settings.init_params.value", "expected a number or a string"),
    ("gain-in-params", '[settings]\ninit = "constant"\n[settings.init_params]\ngain = 2.0\n',
     "settings.init_params.gain", "settings.gain"),
    ("nan", "[settings]\nnoise = nan\n", "settings.noise", "finite"),
    ("inf", "[settings]\ngain = inf\n", "settings.gain", "finite"),
    ("gain-zero", "[settings]\ngain = 0.0\n", "settings.gain", "between"),
    ("gain-negative", "[settings]\ngain = -1\n", "settings.gain", "between"),
    ("gain-huge", "[settings]\ngain = 1e7\n", "settings.gain", "between"),
    ("depth-zero", "[settings]\ndepth = 0\n", "settings.depth", "between"),
    ("lr-zero", "[settings]\nlr = 0.0\n", "settings.lr", "positive"),
    ("unknown-initializer", '[settings]\ninit = "xavier_gaussian"\n', "settings.init", "glorot_uniform"),
    ("unknown-init-param", '[settings]\ninit = "constant"\n[settings.init_params]\nstdev = 1.0\n',
     "settings.init_params.stdev", "stdev"),
    ("unknown-activation", '[settings]\nactivation = "relux"\n', "settings.activation", "tanh"),
    ("unknown-dataset", '[settings]\ndataset = "moons2"\n', "settings.dataset", "circle"),
    ("unknown-optimizer", '[settings]\noptimizer = "rmsprop2"\n', "settings.optimizer", "sgd"),
    ("compare-unknown-initializer", '[compare]\ninit = "he_nromal"\n', "compare.init", "he_normal"),
    ("compare-gain-out-of-range", "[compare]\ngain = 1e9\n", "compare.gain", "between"),
    ("compare-wrong-type", 'compare = "he_normal"\n', "compare", "expected a table"),
    ("settings-wrong-type", "settings = 3\n", "settings", "expected a table"),
    ("title-wrong-type", "title = 3\n", "title", "expected a string"),
    ("explanation-wrong-type", "explanation = [1, 2]\n", "explanation", "expected a string"),
    ("unknown-alternative", 'alternative = "he_nrmal"\n', "alternative", "he_normal"),
    ("schema-too-new", f"schema = {SCHEMA_VERSION + 1}\n", "schema", "newer"),
    ("schema-zero", "schema = 0\n", "schema", "expected"),
    ("schema-string", 'schema = "1"\n', "schema", "expected an integer"),
]


@pytest.mark.parametrize("text,key,fragment", [case[1:] for case in BAD_TOML], ids=[case[0] for case in BAD_TOML])
def test_bad_toml_names_the_key(text, key, fragment):
    with pytest.raises(ExperimentFileError) as info:
        experiment.loads(text, "toml", source="lesson.toml")
    message = str(info.value)
    assert message.startswith("lesson.toml")
    assert f"{key}:" in message, message
    assert fragment in message, message
    assert info.value.key == key
    assert isinstance(info.value, ValueError)


BAD_JSON = [case for case in BAD_TOML if case[0] not in ("nan", "inf")]  # TOML-only literals


@pytest.mark.parametrize("text,key,fragment", [case[1:] for case in BAD_JSON], ids=[case[0] for case in BAD_JSON])
def test_bad_json_names_the_key(text, key, fragment):
    # The same mistakes in JSON.
    data = json.dumps(tomllib.loads(text))
    with pytest.raises(ExperimentFileError) as info:
        experiment.loads(data, "json", source="lesson.json")
    assert f"{key}:" in str(info.value)
    assert fragment in str(info.value)


def test_json_nan_refused():
    with pytest.raises(ExperimentFileError, match="settings.gain"):
        experiment.loads('{"settings": {"gain": NaN}}', "json")


def test_toml_syntax_error_gives_the_line():
    text = 'title = "ok"\n[settings]\ngain = = 2\n'
    with pytest.raises(ExperimentFileError) as info:
        experiment.loads(text, "toml", source="lesson.toml")
    assert info.value.line == 3
    assert "lesson.toml, line 3" in str(info.value)
    assert "TOML" in str(info.value)


def test_json_syntax_error_gives_the_line():
    text = '{\n  "title": "ok",\n  "settings": {"gain": 2,}\n}\n'
    with pytest.raises(ExperimentFileError) as info:
        experiment.loads(text, "json", source="lesson.json")
    assert info.value.line == 3
    assert "line 3" in str(info.value) and "JSON" in str(info.value)


def test_json_top_level_must_be_an_object():
    with pytest.raises(ExperimentFileError, match="expected a table"):
        experiment.loads("[1, 2]", "json")


def test_load_names_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[settings]\ndepth = 6.5\n')
    with pytest.raises(ExperimentFileError) as info:
        experiment.load(path)
    assert str(path) in str(info.value) and "settings.depth" in str(info.value) and "6.5" in str(info.value)


def test_wrong_suffix(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("title: x\n")
    with pytest.raises(ExperimentFileError, match=r"\.toml.*\.json"):
        experiment.load(path)
    with pytest.raises(ExperimentFileError, match="yaml"):
        experiment.save(Experiment(Settings()), path)
    assert path.read_text() == "title: x\n"
    with pytest.raises(ExperimentFileError):
        experiment.load(tmp_path / "noext")


def test_missing_file(tmp_path):
    with pytest.raises(ExperimentFileError, match="no such file") as info:
        experiment.load(tmp_path / "nowhere.toml")
    assert "nowhere.toml" in str(info.value)
    with pytest.raises(ExperimentFileError):
        experiment.load(tmp_path)  # a folder named like nothing in particular: wrong suffix
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    with pytest.raises(ExperimentFileError, match="folder.toml"):
        experiment.load(folder)


def test_not_utf8(tmp_path):
    path = tmp_path / "binary.toml"
    path.write_bytes(b"title = \"\xff\xfe\"\n")
    with pytest.raises(ExperimentFileError, match="UTF-8"):
        experiment.load(path)


def test_unknown_format_argument():
    with pytest.raises(ValueError, match="toml"):
        experiment.loads("", "yaml")
    with pytest.raises(ValueError, match="json"):
        experiment.dumps(Experiment(Settings()), "yaml")


def test_nothing_is_executed_from_a_file():
    # TOML and JSON are data only: a string that looks like code stays a string (and is then refused).
    with pytest.raises(ExperimentFileError, match="settings.init"):
        experiment.loads('[settings]\ninit = "__import__(\'os\').system(\'false\')"\n')


# ---------------------------------------------------------------------------------------------
# Atomic save


def _temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "run.toml")


@pytest.mark.parametrize("where", ["dumps", "write", "fsync", "replace"])
def test_failed_save_leaves_the_previous_file(tmp_path, monkeypatch, where):
    path = tmp_path / "run.toml"
    old = Experiment(Settings(depth=2), title="old")
    experiment.save(old, path)
    before = path.read_bytes()

    class Boom(RuntimeError):
        pass

    def boom(*args, **kwargs):
        raise Boom(where)

    if where == "dumps":
        monkeypatch.setattr(experiment.tomli_w, "dumps", boom)
    elif where == "write":
        # Fail in the middle of the write, after part of the text went to the temp file.
        real_fdopen = os.fdopen

        class HalfFile:
            def __init__(self, fh):
                self._fh = fh

            def write(self, data):
                self._fh.write(data[: len(data) // 2])
                self._fh.flush()
                raise Boom("disk full")

            def __getattr__(self, name):
                return getattr(self._fh, name)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self._fh.close()

        monkeypatch.setattr(experiment.os, "fdopen", lambda *a, **k: HalfFile(real_fdopen(*a, **k)))
    elif where == "fsync":
        monkeypatch.setattr(experiment.os, "fsync", boom)
    else:
        monkeypatch.setattr(experiment.os, "replace", boom)

    new = Experiment(Settings(depth=5), title="new " * 1000)
    with pytest.raises(Boom):
        experiment.save(new, path)
    assert path.read_bytes() == before
    assert experiment.load(path) == old
    assert _temp_files(tmp_path) == []


def test_save_replaces_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "run.toml"
    experiment.save(Experiment(Settings(depth=2)), path)
    experiment.save(Experiment(Settings(depth=3)), path)
    assert experiment.load(path).settings.depth == 3
    assert _temp_files(tmp_path) == []


def test_saved_file_has_normal_permissions(tmp_path):
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    path = tmp_path / "run.toml"
    experiment.save(Experiment(Settings()), path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


# ---------------------------------------------------------------------------------------------
# Weights sidecar


def _weights():
    rng = np.random.default_rng(0)
    sizes = [2, 5, 5, 1]
    Ws = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(size=b) for b in sizes[1:]]
    return Ws, bs


def test_weights_round_trip(tmp_path):
    Ws, bs = _weights()
    path = tmp_path / "run.npz"
    experiment.save_weights(path, Ws, bs)
    Ws2, bs2 = experiment.load_weights(path)
    assert len(Ws2) == len(Ws) and len(bs2) == len(bs)
    for a, b in zip(Ws + bs, Ws2 + bs2):
        assert b.dtype == np.float64
        np.testing.assert_array_equal(a, b)
    with np.load(path) as f:
        assert sorted(f.files) == ["W0", "W1", "W2", "b0", "b1", "b2"]
    assert [p.name for p in tmp_path.iterdir()] == ["run.npz"]


def test_weights_count_mismatch_refused_on_save(tmp_path):
    Ws, bs = _weights()
    with pytest.raises(ValueError):
        experiment.save_weights(tmp_path / "x.npz", Ws, bs[:-1])
    with pytest.raises(ValueError):
        experiment.save_weights(tmp_path / "x.npz", [np.array([["a"]], dtype=object)], [np.zeros(1)])
    assert not (tmp_path / "x.npz").exists()


MARKER = Path(os.environ.get("TMPDIR", "/tmp")) / "winit_gui_test_pickle_ran"


class _Evil:
    def __reduce__(self):
        return (Path.touch, (MARKER,))


def test_pickle_in_npz_refused_and_not_run(tmp_path):
    MARKER.unlink(missing_ok=True)
    path = tmp_path / "evil.npz"
    np.savez(path, W0=np.array([[_Evil()]], dtype=object), b0=np.zeros(1))
    assert not MARKER.exists()
    with pytest.raises(ExperimentFileError, match="W0") as info:
        experiment.load_weights(path)
    assert str(path) in str(info.value)
    assert not MARKER.exists()


def test_plain_pickle_refused_and_not_run(tmp_path):
    MARKER.unlink(missing_ok=True)
    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps({"W0": _Evil()}))
    with pytest.raises(ExperimentFileError):
        experiment.load_weights(path)
    assert not MARKER.exists()


@pytest.mark.parametrize("content", [b"", b"garbage" * 100, b"PK\x03\x04truncated zip"])
def test_garbage_npz_refused(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(ExperimentFileError, match="bad.npz"):
        experiment.load_weights(path)


def test_wrong_arrays_refused(tmp_path):
    Ws, bs = _weights()
    cases = {
        "missing-b": dict(W0=Ws[0]),
        "extra": dict(W0=Ws[0], b0=bs[0], notes=np.zeros(2)),
        "empty": {},
        "1d-kernel": dict(W0=np.zeros(3), b0=np.zeros(3)),
        "bias-length": dict(W0=Ws[0], b0=np.zeros(7)),
        "chain": dict(W0=Ws[0], b0=bs[0], W1=np.zeros((3, 2)), b1=np.zeros(2)),
        "strings": dict(W0=np.array([["a"]]), b0=np.zeros(1)),
    }
    for name, arrays in cases.items():
        path = tmp_path / f"{name}.npz"
        np.savez(path, **arrays)
        with pytest.raises(ExperimentFileError, match=name):
            experiment.load_weights(path)
    npy = tmp_path / "single.npy"
    np.save(npy, Ws[0])
    with pytest.raises(ExperimentFileError, match="single array"):
        experiment.load_weights(npy)
    with pytest.raises(ExperimentFileError, match="no such file"):
        experiment.load_weights(tmp_path / "nowhere.npz")


def test_zip_without_arrays_refused(tmp_path):
    path = tmp_path / "other.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(ExperimentFileError, match="other.npz"):
        experiment.load_weights(path)
