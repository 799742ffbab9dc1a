"""The progression as data (``data/levels.toml``): four bodyweight levels, then loaded ones."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from hingecoach.errors import HingeInputError


@dataclass(frozen=True)
class Level:
    """One stage of the program. ``frequency_days`` 1 = daily, 2 = every other day."""

    id: str
    number: int
    name: str
    kind: str
    frequency_days: int
    sets: tuple[int, int]
    reps: tuple[int, int]
    equipment: str
    setup: tuple[str, ...]
    cues: tuple[str, ...]
    key_checks: tuple[str, ...]
    wall_start_cm: float | None = None
    wall_step_cm: float | None = None
    wall_max_cm: float | None = None

    @property
    def loaded(self) -> bool:
        return self.kind == "loaded"


@functools.lru_cache(maxsize=1)
def program_data() -> dict[str, Any]:
    """The parsed ``levels.toml`` (cached; treat as read-only)."""
    return tomllib.loads(resources.files("hingecoach").joinpath("data/levels.toml").read_text())


def _level(raw: dict[str, Any]) -> Level:
    fields = dict(raw)
    for key in ("sets", "reps", "setup", "cues", "key_checks"):
        fields[key] = tuple(fields[key])
    return Level(**fields)


@functools.lru_cache(maxsize=1)
def all_levels() -> tuple[Level, ...]:
    """Every level, in program order."""
    return tuple(sorted((_level(raw) for raw in program_data()["level"]), key=lambda lv: lv.number))


def first_level() -> Level:
    return all_levels()[0]


def get_level(key: str | int) -> Level:
    """A level by id (``"wall_tap"``) or number (``2`` or ``"2"``)."""
    for level in all_levels():
        if str(key).strip().lower() in (level.id, str(level.number)):
            return level
    names = ", ".join(f"{lv.number}={lv.id}" for lv in all_levels())
    raise HingeInputError(f"Expected a level among {names}, but got {key!r}.", "Use a level id or number.")


def next_level(level: Level) -> Level | None:
    """The level after ``level``, or None at the end of the program."""
    later = [lv for lv in all_levels() if lv.number > level.number]
    return later[0] if later else None


def previous_level(level: Level) -> Level | None:
    earlier = [lv for lv in all_levels() if lv.number < level.number]
    return earlier[-1] if earlier else None


def mastery_rule() -> dict[str, Any]:
    return program_data()["mastery"]


def fault_cue(code: str) -> str | None:
    """The guide's fix for a fault code."""
    return program_data()["fault_cues"].get(code)
