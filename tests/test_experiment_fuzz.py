"""Random and mutated experiment files thrown at the loader (hypothesis).

Whatever the bytes, ``experiment.load`` either returns a whole, valid Experiment or raises
ExperimentFileError, and for a value made wrong on purpose the error names that value's key.
Nothing in a file is ever run. A save killed half-way leaves the previous file whole.
"""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
import textwrap

import pytest
import tomli_w
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from winit_gui import experiment, presets
from winit_gui.experiment import Experiment, ExperimentFileError
from winit_gui.settings import Settings

FUZZ = hyp_settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# A string that would do something if anything evaluated it: the marker file must never appear.
PAYLOAD = "__import__('pathlib').Path({marker!r}).touch()"


def valid_documents() -> list[dict]:
    """Plain data of every preset: the files a user starts from and edits."""
    return [json.loads(experiment.dumps(presets.load(name), "json")) for name in presets.names()]


DOCUMENTS = valid_documents()
STR_FIELDS = sorted(experiment._STR_FIELDS)
FLOAT_FIELDS = sorted(experiment._FLOAT_FIELDS)
INT_FIELDS = sorted(experiment._INT_FIELDS)
BOUNDED_FLOATS = ("gain", "noise", "l2")
"""Float fields with an upper bound (bias_init and lr may be any finite number)."""


def nested(depth: int, leaf=1):
    value = leaf
    for i in range(depth):
        value = {"k": value} if i % 2 else [value]
    return value


def huge_ints():
    return st.sampled_from([10**30, 2**64, 10**400, -(10**400)])


def not_a_string():
    return st.one_of(st.integers(), st.floats(allow_nan=True), st.booleans(), st.lists(st.integers(), max_size=3),
                     st.just(nested(50)), st.just({"x": 1}))


def not_a_number():
    return st.one_of(st.text(max_size=5), st.booleans(), st.lists(st.floats(), max_size=3), st.just({"x": 1.0}),
                     st.just(nested(50)), st.sampled_from([math.nan, math.inf, -math.inf]))


def not_an_integer():
    return st.one_of(not_a_number(), st.floats(0.5, 1e300).filter(lambda x: not x.is_integer()), huge_ints(),
                     st.just(-1))


@st.composite
def broken_documents(draw):
    """(document, dotted key) where the value at that key is wrong for certain."""
    doc = copy.deepcopy(draw(st.sampled_from(DOCUMENTS)))
    table = draw(st.sampled_from(["settings", "compare", ""]))
    if table == "compare":
        doc.setdefault("compare", {})
    kind = draw(st.sampled_from(["str", "float", "int", "huge", "unknown", "param", "top"]))
    if kind == "top" or table == "":
        name, value = draw(st.sampled_from([
            ("schema", draw(st.one_of(st.text(max_size=3), st.floats(), st.just(0), st.just(-5), st.just(10**30)))),
            ("title", draw(not_a_string())), ("explanation", draw(not_a_string())),
            ("alternative", draw(st.one_of(not_a_string(), st.just("no_such_init")))),
            ("settings", draw(st.one_of(not_a_string().filter(lambda v: not isinstance(v, dict)), st.just([])))),
            (draw(st.text(min_size=1, max_size=8).filter(lambda k: k not in experiment.TOP_LEVEL_KEYS)), 1),
        ]))
        doc[name] = value
        return doc, name
    target = doc[table]
    if kind == "str":
        name, value = draw(st.sampled_from(STR_FIELDS)), draw(not_a_string())
    elif kind == "float":
        name, value = draw(st.sampled_from(FLOAT_FIELDS)), draw(not_a_number())
    elif kind == "int":
        name, value = draw(st.sampled_from(INT_FIELDS)), draw(not_an_integer())
    elif kind == "huge":
        name = draw(st.sampled_from(INT_FIELDS + list(BOUNDED_FLOATS)))
        value = draw(st.one_of(huge_ints().filter(lambda v: v > 0), st.just(1e300)))
    elif kind == "unknown":
        name = draw(st.text(min_size=1, max_size=8).filter(lambda k: k not in experiment.SETTINGS_KEYS))
        value = draw(st.one_of(st.integers(), st.text(max_size=4), st.just(nested(30))))
    else:
        # A parameter of the table's own initializer made non-numeric, non-finite or nested.
        init = target.get("init", doc["settings"]["init"])
        params = target.setdefault("init_params", dict(doc["settings"].get("init_params", {})) if "init" not in target
                                   else {})
        target["init"] = init
        pname = draw(st.sampled_from(sorted(params) or ["value"]))
        value = draw(st.one_of(st.sampled_from([math.nan, math.inf]), st.just([1, 2]), st.just(nested(20))))
        params[pname] = value
        return doc, f"{table}.init_params.{pname}"
    target[name] = value
    return doc, f"{table}.{name}"


def write(doc, fmt: str) -> str:
    """The document as file text; huge integers and NaN as the format writes them."""
    if fmt == "json":
        return json.dumps(doc)
    return tomli_w.dumps(doc)


def tomlable(doc) -> bool:
    try:
        tomli_w.dumps(doc)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


@FUZZ
@given(case=broken_documents(), fmt=st.sampled_from(["toml", "json"]))
def test_a_wrong_value_is_refused_and_named(case, fmt):
    doc, key = case
    if fmt == "toml" and not tomlable(doc):
        fmt = "json"  # TOML has no null and no top-level list: the same fault goes in a JSON file
    with pytest.raises(ExperimentFileError) as caught:
        experiment.loads(write(doc, fmt), fmt)
    assert caught.value.key == key, str(caught.value)
    assert key in str(caught.value)


def mutate(data: bytes, ops) -> bytes:
    for op, at, byte in ops:
        at = at % (len(data) + 1)
        if op == "truncate":
            data = data[:at]
        elif op == "insert":
            data = data[:at] + bytes([byte]) + data[at:]
        elif op == "replace" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([byte]) + data[at + 1:]
        else:
            data = data[:at] + data[at + 1:]
    return data


BYTE_OPS = st.lists(st.tuples(st.sampled_from(["truncate", "insert", "replace", "delete"]),
                              st.integers(0, 10**6), st.sampled_from([0x00, 0x22, 0x5b, 0x5d, 0x7b, 0x7d, 0x3d,
                                                                      0x2c, 0x0a, 0x80, 0xc3, 0xff, 0x31, 0x65])),
                    min_size=1, max_size=6)


@FUZZ
@given(name=st.sampled_from(presets.names()), fmt=st.sampled_from(["toml", "json"]), ops=BYTE_OPS)
@example(name="start", fmt="toml", ops=[("truncate", 57, 0)])
@example(name="start", fmt="json", ops=[("replace", 3, 0xff)])
def test_mutated_bytes_load_whole_or_not_at_all(tmp_path_factory, name, fmt, ops):
    folder = tmp_path_factory.mktemp("mutated")
    path = folder / f"run.{fmt}"
    experiment.save(presets.load(name), path)
    path.write_bytes(mutate(path.read_bytes(), ops))
    try:
        loaded = experiment.load(path)
    except ExperimentFileError as err:
        assert str(err).startswith(str(path)) and "Traceback" not in str(err)
        return
    # Accepted: then it is a whole experiment, every setting valid (Settings validates on construction).
    assert isinstance(loaded, Experiment) and isinstance(loaded.settings, Settings)
    assert loaded.settings == Settings(**loaded.settings.as_dict())


@pytest.mark.parametrize("fmt, text", [
    ("json", "[" * 100_000 + "]" * 100_000),
    ("json", '{"settings": ' * 5_000 + "1" + "}" * 5_000),
    ("toml", "a = " + "[" * 100_000 + "]" * 100_000),
    ("toml", "a = " + "{b = " * 5_000 + "1" + "}" * 5_000),
    ("toml", "settings = 1\n" * 3),
    ("json", '{"settings": {"depth": 1e999}}'),
    ("json", '{"settings": {"gain": ' + "9" * 5000 + "}}"),
    ("toml", "[settings]\ngain = " + "9" * 5000),
    ("toml", "[settings]\nseed = " + "9" * 5000),
    ("toml", f"[settings]\ngain = {10**400}"),
    ("json", f'{{"settings": {{"lr": {10**400}}}}}'),
    ("toml", f"[compare]\nbias_init = {-10**400}"),
])
def test_pathological_files_are_refused(fmt, text):
    with pytest.raises(ExperimentFileError):
        experiment.loads(text, fmt)


@hyp_settings(max_examples=30, deadline=None)
@given(field=st.sampled_from(STR_FIELDS + ["title", "explanation", "alternative", "init_params"]),
       fmt=st.sampled_from(["toml", "json"]))
def test_nothing_in_a_file_is_run(tmp_path_factory, field, fmt):
    marker = tmp_path_factory.mktemp("payload") / "ran"
    doc = copy.deepcopy(DOCUMENTS[0])
    code = PAYLOAD.format(marker=str(marker))
    if field == "init_params":
        doc["settings"]["init_params"] = {code: code}
    elif field in STR_FIELDS:
        doc["settings"][field] = code
    else:
        doc[field] = code
    try:
        experiment.loads(write(doc, fmt), fmt)
    except ExperimentFileError:
        pass
    assert not marker.exists()


def test_a_save_killed_midway_leaves_the_old_file_whole(tmp_path):
    """A real interruption: the saving process dies (SIGKILL, as at a power cut) half-way through
    writing. The previous file is untouched; only a hidden temporary file may remain."""
    path = tmp_path / "run.toml"
    old = Experiment(Settings(depth=2), title="old")
    experiment.save(old, path)
    before = path.read_bytes()
    code = textwrap.dedent(f"""
        import os, signal
        from winit_gui import experiment
        from winit_gui.experiment import Experiment
        from winit_gui.settings import Settings

        real_fdopen = os.fdopen

        class DiesMidway:
            def __init__(self, fh):
                self._fh = fh
            def __enter__(self):
                return self
            def __exit__(self, *exc):
                return False
            def write(self, data):
                self._fh.write(data[: len(data) // 2])
                self._fh.flush()
                os.kill(os.getpid(), signal.SIGKILL)

        os.fdopen = lambda *a, **k: DiesMidway(real_fdopen(*a, **k))
        experiment.save(Experiment(Settings(depth=5), title="new " * 1000), {str(path)!r})
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert result.returncode != 0
    assert path.read_bytes() == before
    assert experiment.load(path) == old
    leftovers = [p for p in tmp_path.iterdir() if p != path]
    assert all(p.name.startswith(".run.toml.") and p.name.endswith(".tmp") for p in leftovers)
    assert leftovers, "the kill came after the temporary file was written to"
