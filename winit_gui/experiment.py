"""Experiment files: one lesson or saved run as a small TOML (or JSON) text file.

An :class:`Experiment` is a :class:`~winit_gui.settings.Settings` plus the words shown with it
(title, explanation), an optional B side for A/B compare mode and an optional one-click
alternative initializer. The presets in ``resources/presets/`` are experiment files too, so any
preset is a valid ``winit-gui --load FILE``.

File format (JSON files hold the same structure)::

    schema = 1
    title = "Symmetric initialization"
    explanation = "..."
    alternative = ""            # optional
    [settings]                  # every field of Settings; missing fields take Settings defaults
    init = "constant"
    gain = 1.0
    [settings.init_params]
    value = 0.5
    [compare]                   # optional: the fields of the B side that differ from [settings]
    init = "he_normal"

Files are read with :mod:`tomllib` / :mod:`json` only (never pickle or eval) and checked key by
key: anything wrong raises :class:`ExperimentFileError` naming the file, the dotted key
(``settings.gain``) and what was expected, and nothing else changes. Writes are atomic.

Pure stdlib + numpy: no Qt.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import secrets
import tomllib
import zipfile
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import tomli_w

from winit_gui import initializers
from winit_gui.settings import Settings

SCHEMA_VERSION = 1
"""The newest file schema this version reads and the one it writes."""

FORMATS = ("toml", "json")
SUFFIXES = {".toml": "toml", ".json": "json"}

TOP_LEVEL_KEYS = ("schema", "title", "explanation", "alternative", "settings", "compare")
SETTINGS_KEYS = tuple(f.name for f in fields(Settings))

# The expected type of every Settings field, for the file checks (Settings itself checks ranges).
_STR_FIELDS = frozenset({"init", "activation", "dataset", "optimizer"})
_FLOAT_FIELDS = frozenset({"gain", "bias_init", "noise", "lr", "l2"})
_INT_FIELDS = frozenset({"depth", "width", "samples", "input_dim", "batch_size", "seed"})
_MAPPING_FIELDS = frozenset({"init_params"})
assert _STR_FIELDS | _FLOAT_FIELDS | _INT_FIELDS | _MAPPING_FIELDS == set(SETTINGS_KEYS), \
    "experiment.py: a Settings field has no file type"

_TOML_HEADER = f"# winit_gui experiment (schema {SCHEMA_VERSION}): every setting of one run, seed included.\n"


class ExperimentFileError(ValueError):
    """An experiment file that cannot be used. The message names the file, the key and what was expected.

    ``source`` is the file (or ``"<string>"``), ``key`` the dotted key at fault (``"settings.gain"``;
    empty for whole-file problems) and ``line`` the line number of a syntax error, when known.
    """

    def __init__(self, source: str, key: str, problem: str, line: int | None = None):
        self.source = source
        self.key = key
        self.problem = problem
        self.line = line
        where = source
        if line is not None:
            where += f", line {line}"
        super().__init__(f"{where}: {key}: {problem}" if key else f"{where}: {problem}")


@dataclass(frozen=True)
class Experiment:
    """One lesson or saved run: its settings and the words shown with it."""

    settings: Settings
    title: str = ""
    """Lesson title shown in the app."""
    explanation: str = ""
    """Two or three sentences shown beside the views."""
    compare: Settings | None = None
    """The B side of A/B compare mode, or None."""
    alternative: str = ""
    """An optional one-click alternative initializer name (e.g. ``"he_normal"``), or ``""``."""

    def replace(self, **changes: Any) -> Experiment:
        return replace(self, **changes)


# ---------------------------------------------------------------------------------------------
# Reading


def loads(text: str, fmt: str = "toml", source: str = "<string>") -> Experiment:
    """Parse and validate an experiment from ``text`` (``fmt`` is ``"toml"`` or ``"json"``)."""
    data = _parse(text, fmt, source)
    return _from_data(data, source)


def load(path) -> Experiment:
    """Read the experiment file at ``path``; its suffix (``.toml`` or ``.json``) gives the format."""
    path = Path(path)
    source = str(path)
    fmt = _format_of(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ExperimentFileError(source, "", "no such file") from None
    except OSError as e:
        raise ExperimentFileError(source, "", f"cannot read the file ({e.strerror or e})") from None
    try:
        # utf-8-sig: a byte-order mark (as some Windows editors write) is skipped. Decoding the
        # bytes ourselves (not text mode) keeps "\r" inside strings exactly as written.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ExperimentFileError(source, "", f"not a UTF-8 text file (bad byte at offset {e.start})") from None
    return loads(text, fmt, source)


def _format_of(path: Path) -> str:
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ExperimentFileError(
            str(path), "", f"unknown file type {path.suffix or '(no suffix)'!r}; expected one of: "
            + ", ".join(SUFFIXES))
    return fmt


def _parse(text: str, fmt: str, source: str) -> Any:
    if not isinstance(text, str):
        raise TypeError(f"loads() needs a str, got {type(text).__name__}")
    if fmt == "toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            # tomllib's message ends "(at line L, column C)" when it knows where.
            msg = str(e)
            line = None
            marker = "(at line "
            if marker in msg:
                try:
                    line = int(msg.split(marker, 1)[1].split(",", 1)[0].split(")", 1)[0])
                except ValueError:
                    line = None
            raise ExperimentFileError(source, "", f"TOML syntax error: {msg}", line) from None
        except RecursionError:
            raise ExperimentFileError(source, "", "TOML syntax error: nested too deeply") from None
        except ValueError as e:  # an integer of thousands of digits (Python's int_max_str_digits)
            raise ExperimentFileError(source, "", f"a number too long to read: {e}") from None
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise ExperimentFileError(source, "", f"JSON syntax error: {e.msg} (line {e.lineno}, column {e.colno})",
                                      e.lineno) from None
        except RecursionError:
            raise ExperimentFileError(source, "", "JSON syntax error: nested too deeply") from None
        except ValueError as e:
            raise ExperimentFileError(source, "", f"a number too long to read: {e}") from None
    raise ValueError(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")


def _from_data(data: Any, source: str) -> Experiment:
    if not isinstance(data, dict):
        raise ExperimentFileError(source, "", f"expected a table of keys at the top, got {_kind(data)}")
    _check_keys(data, TOP_LEVEL_KEYS, "", source)

    schema = data.get("schema", SCHEMA_VERSION)
    if isinstance(schema, bool) or not isinstance(schema, int):
        raise ExperimentFileError(source, "schema", f"expected an integer, got {schema!r}")
    if schema > SCHEMA_VERSION:
        raise ExperimentFileError(
            source, "schema", f"this file uses schema {schema}, but this version of winit_gui reads schema "
            f"{SCHEMA_VERSION} at most; it was written by a newer winit_gui (update winit_gui to open it)")
    if schema < 1:
        raise ExperimentFileError(source, "schema", f"expected an integer from 1 to {SCHEMA_VERSION}, got {schema}")

    texts = {}
    for key in ("title", "explanation", "alternative"):
        value = data.get(key, "")
        if not isinstance(value, str):
            raise ExperimentFileError(source, key, f"expected a string, got {_describe(value)}")
        texts[key] = value
    if texts["alternative"] and texts["alternative"] not in initializers.available():
        raise ExperimentFileError(
            source, "alternative", f"unknown initializer {texts['alternative']!r}; valid: "
            + ", ".join(initializers.available()))

    table = data.get("settings", {})
    values = _settings_values(table, "settings", source)
    settings = _make_settings(lambda: Settings(**values), values, None, "settings", source)

    compare = None
    if "compare" in data:
        changes = _settings_values(data["compare"], "compare", source)
        compare = _make_settings(lambda: settings.replace(**changes), changes, settings, "compare", source)

    return Experiment(settings=settings, compare=compare, **texts)


def _settings_values(table: Any, prefix: str, source: str) -> dict[str, Any]:
    """Type-check one settings table; the values, ready for Settings(**values)."""
    if not isinstance(table, dict):
        raise ExperimentFileError(source, prefix, f"expected a table of settings, got {_describe(table)}")
    _check_keys(table, SETTINGS_KEYS, prefix, source)
    out: dict[str, Any] = {}
    for name, value in table.items():
        key = f"{prefix}.{name}"
        if name in _STR_FIELDS:
            if not isinstance(value, str):
                raise ExperimentFileError(source, key, f"expected a string, got {_describe(value)}")
        elif name in _FLOAT_FIELDS:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ExperimentFileError(source, key, f"expected a number, got {_describe(value)}")
            try:
                value = float(value)
            except OverflowError:  # an integer beyond any float
                value = math.inf
            if not math.isfinite(value):
                raise ExperimentFileError(source, key, f"expected a finite number, got {_short(table[name])}")
        elif name in _INT_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ExperimentFileError(source, key, f"expected an integer, got {_describe(value)}")
        else:  # init_params
            if not isinstance(value, dict):
                raise ExperimentFileError(source, key, f"expected a table of initializer parameters, "
                                                       f"got {_describe(value)}")
            for pname, pvalue in value.items():
                pkey = f"{key}.{pname}"
                if pname == "gain":  # the initializer takes it, but Settings keeps it in its own field
                    raise ExperimentFileError(source, pkey, f"the weight scale is not an initializer parameter "
                                                            f"here; write it as {prefix}.gain")
                if not isinstance(pvalue, (str, int, float)):  # bool is an int
                    raise ExperimentFileError(source, pkey, f"expected a number or a string, got {_describe(pvalue)}")
                if isinstance(pvalue, float) and not math.isfinite(pvalue):
                    raise ExperimentFileError(source, pkey, f"expected a finite number, got {pvalue!r}")
            value = dict(value)
        out[name] = value
    return out


def _make_settings(build, values: Mapping[str, Any], base: Settings | None, prefix: str,
                   source: str) -> Settings:
    """Check the initializer, then run ``build()``; a ValueError becomes an ExperimentFileError.

    ``base`` is the Settings a [compare] table changes (None for [settings] itself).
    """
    # The initializer first, so that its error names init or the parameter at fault.
    if "init" in values:
        init = values["init"]
        params = values.get("init_params", {})
    else:
        init = base.init if base is not None else Settings.init
        params = values.get("init_params", base.init_params if base is not None else {})
    if init not in initializers.available():
        raise ExperimentFileError(source, f"{prefix}.init", f"unknown initializer {init!r}; valid: "
                                  + ", ".join(initializers.available()))
    try:
        initializers.get(init, **dict(params))
    except (ValueError, TypeError) as e:
        raise ExperimentFileError(source, _blame_param(str(e), params, prefix), str(e)) from None
    try:
        return build()
    except ValueError as e:
        raise ExperimentFileError(source, _blame(str(e), prefix), str(e)) from None


def _blame_param(message: str, params: Mapping[str, Any], prefix: str) -> str:
    """The dotted key an initializer's error is about: the first parameter it names."""
    hits = [(m.start(), name) for name in params
            for m in [re.search(rf"(?<![\w.]){re.escape(str(name))}(?!\w)", message)] if m]
    return f"{prefix}.init_params.{min(hits)[1]}" if hits else f"{prefix}.init_params"


def _blame(message: str, prefix: str) -> str:
    """The dotted key a Settings ValueError is about: Settings names the field first
    ("gain must be ...", "unknown activation 'x'; valid: ...")."""
    head = message.split(";", 1)[0]
    hits = [(m.start(), name) for name in SETTINGS_KEYS
            for m in [re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", head)] if m]
    return f"{prefix}.{min(hits)[1]}" if hits else prefix


def _check_keys(table: Mapping[str, Any], valid: tuple[str, ...], prefix: str, source: str) -> None:
    for name in table:
        if name not in valid:
            key = f"{prefix}.{name}" if prefix else name
            close = difflib.get_close_matches(str(name), valid, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ExperimentFileError(source, key, f"unknown key{hint}; valid keys: {', '.join(valid)}")


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a table", type(None): "null"}.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    """``repr(value)``, with an integer of hundreds of digits cut to its size."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:12]}... ({len(text)} digits)"


def _describe(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return _kind(value)
    return f"{_kind(value)} ({value!r})"


# ---------------------------------------------------------------------------------------------
# Writing


def _to_data(experiment: Experiment) -> dict[str, Any]:
    data: dict[str, Any] = {"schema": SCHEMA_VERSION, "title": experiment.title,
                            "explanation": experiment.explanation}
    if experiment.alternative:
        data["alternative"] = experiment.alternative
    data["settings"] = _settings_data(experiment.settings)
    if experiment.compare is not None:
        a, b = experiment.settings, experiment.compare
        diff = {}
        for name in SETTINGS_KEYS:
            if name == "init_params":
                continue
            if getattr(a, name) != getattr(b, name):
                diff[name] = getattr(b, name)
        # Settings.replace(init=...) resets init_params; write them whenever init or they differ.
        if "init" in diff or dict(a.init_params) != dict(b.init_params):
            diff["init_params"] = _params_data(b.init_params)
        data["compare"] = diff
    return data


def _settings_data(settings: Settings) -> dict[str, Any]:
    out = settings.as_dict()
    params = _params_data(out.pop("init_params"))
    out["init_params"] = params  # last, so TOML writes it as the [settings.init_params] sub-table
    return out


def _params_data(params: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in params.items():
        if value is None:  # TOML has no null; a None parameter is its default
            continue
        if isinstance(value, np.generic):
            value = value.item()
        out[str(name)] = value
    return out


def dumps(experiment: Experiment, fmt: str = "toml") -> str:
    """The text of ``experiment`` as an experiment file (``fmt``: ``"toml"`` or ``"json"``)."""
    data = _to_data(experiment)
    if fmt == "toml":
        return _TOML_HEADER + tomli_w.dumps(data)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    raise ValueError(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")


def save(experiment: Experiment, path) -> None:
    """Write ``experiment`` to ``path`` (format from the suffix), atomically.

    The text goes to a temporary file in the same folder, is flushed to disk, then replaces
    ``path`` in one step: a failure at any point leaves the previous file as it was and no
    temporary file behind. An unknown suffix raises ExperimentFileError; OS errors propagate.
    """
    path = Path(path)
    fmt = _format_of(path)
    text = dumps(experiment, fmt)
    _atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))


def _atomic_write(path: Path, write) -> None:
    folder = path.parent
    tmp = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
    # os.open with mode 0o666 lets the umask decide the permissions, as for any new file.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); best effort, not possible on Windows."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------------
# Weights sidecar


def save_weights(path, weights: list[np.ndarray], biases: list[np.ndarray]) -> None:
    """Write kernels and biases to an ``.npz`` file at exactly ``path`` (arrays W0.., b0..), atomically."""
    if len(weights) != len(biases):
        raise ValueError(f"{len(weights)} weight matrices but {len(biases)} bias vectors")
    arrays = {}
    for i, (W, b) in enumerate(zip(weights, biases)):
        arrays[f"W{i}"] = _numeric(W, f"W{i}")
        arrays[f"b{i}"] = _numeric(b, f"b{i}")
    _atomic_write(Path(path), lambda fh: np.savez(fh, **arrays))


def _numeric(a, name: str) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype.kind not in "fiu":
        raise ValueError(f"{name}: expected a numeric array, got dtype {a.dtype}")
    return a


def load_weights(path) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Read an ``.npz`` written by :func:`save_weights`: (weights, biases) as float64 arrays.

    Never unpickles: a file holding pickled objects, a damaged file or one with the wrong arrays
    raises ExperimentFileError.
    """
    source = str(path)
    try:
        # Our own handle (not a path) so that it is closed even when numpy fails half-way.
        fh = open(path, "rb")
    except FileNotFoundError:
        raise ExperimentFileError(source, "", "no such file") from None
    except OSError as e:
        raise ExperimentFileError(source, "", f"cannot read the file ({e.strerror or e})") from None
    with fh:
        try:
            loaded = np.load(fh, allow_pickle=False)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
            raise ExperimentFileError(source, "", f"not a weights file (.npz of W0.., b0..): {e}") from None
        if isinstance(loaded, np.ndarray):
            raise ExperimentFileError(source, "", "not a weights file: expected an .npz archive of W0.., b0.., "
                                                  "got a single array")
        with loaded:
            weights, biases = _read_arrays(loaded, source)
    for i, (W, b) in enumerate(zip(weights, biases)):
        if b.shape[0] != W.shape[1]:
            raise ExperimentFileError(source, f"b{i}", f"expected {W.shape[1]} biases (W{i} has shape "
                                                       f"{W.shape}), got {b.shape[0]}")
        if i and W.shape[0] != weights[i - 1].shape[1]:
            raise ExperimentFileError(source, f"W{i}", f"expected {weights[i - 1].shape[1]} rows to follow "
                                                       f"W{i - 1} {weights[i - 1].shape}, got shape {W.shape}")
    return weights, biases


def _read_arrays(loaded, source: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    names = set(loaded.files)
    n = sum(1 for name in names if name.startswith("W"))
    expected = {f"W{i}" for i in range(n)} | {f"b{i}" for i in range(n)}
    if n == 0 or names != expected:
        extra = sorted(names - expected)
        missing = sorted(expected - names)
        detail = "; ".join(part for part in (
            f"unexpected {', '.join(extra)}" if extra else "",
            f"missing {', '.join(missing)}" if missing else "",
            "no arrays" if not names else "") if part)
        raise ExperimentFileError(source, "", f"expected arrays W0..W{{n-1}} and b0..b{{n-1}}: {detail}")
    weights, biases = [], []
    for i in range(n):
        for name, out, ndim in ((f"W{i}", weights, 2), (f"b{i}", biases, 1)):
            try:
                a = loaded[name]
            except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as e:
                raise ExperimentFileError(source, name, f"cannot read the array: {e}") from None
            if a.dtype.kind not in "fiu" or a.ndim != ndim:
                raise ExperimentFileError(
                    source, name, f"expected a {ndim}-D numeric array, got {a.ndim}-D of dtype {a.dtype}")
            out.append(np.asarray(a, dtype=np.float64))
    return weights, biases
