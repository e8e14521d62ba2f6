"""Argument checks shared by the model layer: each returns the value converted, or raises a
ValueError that names the argument and says what was expected."""

from __future__ import annotations

import math

import numpy as np


def number(name: str, value) -> float:
    """A finite real number (bools are refused: ``True`` is not a learning rate)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def integer(name: str, value, minimum: int | None = None) -> int:
    """An integer, at least ``minimum`` when given."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return int(value)
