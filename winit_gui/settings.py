"""Every setting of an experiment, in one frozen, validated value.

A ``Settings`` is checked on construction and never mutated: a change is a new object made with
``settings.replace(gain=2.0)``, so the GUI, the worker thread and the experiment files can share
one without locks.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any, Mapping

from winit_gui import activations, checks, datasets, initializers, optimizers

GAIN_RANGE = (0.01, 100.0)
"""The weight-scale slider's range; files, the CLI and the typed value may go further (GAIN_LIMITS)."""
GAIN_LIMITS = (1e-6, 1e6)

MAX_DEPTH = 64
MAX_WIDTH = 1024


def _freeze(params: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(params))


@dataclass(frozen=True)
class Settings:
    """The whole experiment: network, initialization, data, training, seed."""

    init: str = "glorot_uniform"
    init_params: Mapping[str, Any] = field(default_factory=dict)
    gain: float = 1.0
    bias_init: float = 0.0
    activation: str = "tanh"
    depth: int = 6
    width: int = 8
    dataset: str = "circle"
    noise: float = 0.1
    samples: int = 400
    input_dim: int = 0
    """Input dimension of the ``normal`` dataset; 0 means "the width". The 2-D sets ignore it."""
    lr: float = 0.03
    batch_size: int = 32
    optimizer: str = "sgd"
    l2: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        # Resolve the initializer's parameters (defaults filled in, strings converted) so that two
        # settings that build the same network compare equal.
        init = initializers.get(self.init, **dict(self.init_params))
        object.__setattr__(self, "init_params", _freeze(init.params))
        for name in ("gain", "bias_init", "noise", "lr", "l2"):
            object.__setattr__(self, name, checks.number(name, getattr(self, name)))
        for name in ("depth", "width", "samples", "input_dim", "batch_size", "seed"):
            object.__setattr__(self, name, checks.integer(name, getattr(self, name)))
        _check_range("gain", self.gain, *GAIN_LIMITS)
        _check_range("depth", self.depth, 1, MAX_DEPTH)
        _check_range("width", self.width, 1, MAX_WIDTH)
        _check_range("samples", self.samples, 8, 100_000)
        _check_range("input_dim", self.input_dim, 0, 4096)
        _check_range("batch_size", self.batch_size, 1, 100_000)
        _check_range("noise", self.noise, 0.0, 1.0)
        _check_range("seed", self.seed, 0, 2**63 - 1)
        _check_range("l2", self.l2, 0.0, 10.0)
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr!r}")
        _check_choice("activation", self.activation, activations.available())
        _check_choice("dataset", self.dataset, datasets.NAMES)
        _check_choice("optimizer", self.optimizer, optimizers.NAMES)

    def __reduce__(self):
        # The read-only init_params view cannot be pickled: rebuild (and re-validate) from plain
        # values when a Settings crosses to the engine process.
        return (_from_dict, (self.as_dict(),))

    def replace(self, **changes: Any) -> Settings:
        """A new Settings with ``changes`` applied (and validated)."""
        if "init" in changes and "init_params" not in changes:
            changes["init_params"] = {}
        return replace(self, **changes)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Layer sizes: input, ``depth`` hidden layers of ``width`` units, one output unit."""
        return (self.dataset_input_dim, *([self.width] * self.depth), 1)

    @property
    def dataset_input_dim(self) -> int:
        if self.dataset == "normal":
            return self.input_dim or self.width
        return 2

    def initializer(self) -> initializers.Initializer:
        return initializers.get(self.init, gain=self.gain, **dict(self.init_params))

    def base_initializer(self) -> initializers.Initializer:
        """The initializer at gain 1: every initializer is linear in its gain."""
        return initializers.get(self.init, **dict(self.init_params))

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for files): every field, init_params as a dict."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["init_params"] = dict(self.init_params)
        return out


def _from_dict(values: dict[str, Any]) -> Settings:
    return Settings(**values)


def _check_range(name: str, value: float, lo: float, hi: float) -> None:
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be between {lo:g} and {hi:g}, got {value!r}")


def _check_choice(name: str, value: str, choices) -> None:
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; valid: {', '.join(choices)}")
