"""Thresholds: one documented data file (``data/thresholds.toml``), per-level overrides.

``thresholds(level)`` returns the merged table: the base sections, then the overrides of every
``[level_groups.<group>]`` whose ``levels`` list the level (e.g. the bodyweight levels share
one set), then ``[levels.<level>]``, each laid over the last (same nesting). Values are
read-only by convention; copy to change.
"""

from __future__ import annotations

import copy
import functools
import tomllib
from importlib import resources
from typing import Any


@functools.lru_cache(maxsize=1)
def _base() -> dict[str, Any]:
    text = resources.files("hingecoach").joinpath("data/thresholds.toml").read_text()
    return tomllib.loads(text)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@functools.lru_cache(maxsize=32)
def _merged(level: str | None) -> dict[str, Any]:
    base = _base()
    levels = base.get("levels", {})
    merged = {k: v for k, v in base.items() if k not in ("levels", "level_groups")}
    if level is None:
        return merged
    if level not in levels:
        raise KeyError(f"Expected a level among {sorted(levels)}, but got {level!r}.")
    for group in base.get("level_groups", {}).values():
        if level in group["levels"]:
            merged = _merge(merged, {k: v for k, v in group.items() if k != "levels"})
    return _merge(merged, levels[level])


def thresholds(level: str | None = None) -> dict[str, Any]:
    """The threshold table, with the overrides of ``level`` (e.g. ``"wall_tap"``) applied."""
    return _merged(level)


def section(name: str, level: str | None = None) -> dict[str, Any]:
    """One section of the table, e.g. ``section("reps")``."""
    return thresholds(level)[name]
