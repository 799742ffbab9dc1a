"""A person's progress by week: the numbers behind ``hinge history`` and its chart."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from hingecoach.store import queries
from hingecoach.store.db import Database


@dataclass(frozen=True)
class Week:
    """One ISO week (Monday start). Rates weight each set by its full reps."""

    start: date
    levels: tuple[str, ...]
    sessions: int
    sets: int
    reps: int
    score: float | None
    clean_rep_rate: float | None
    depth_hip_angle_deg: float | None
    #: the sets' median ascent speed of the hips (leg lengths/s): speed over the weeks
    ascent_speed_leg_per_s: float | None = None


@dataclass(frozen=True)
class History:
    person: str
    weeks: tuple[Week, ...]
    level_changes: tuple[queries.LevelChange, ...]


def _monday(day: str) -> date:
    d = date.fromisoformat(day)
    return d - timedelta(days=d.weekday())


def _week(start: date, sets: Sequence[queries.SetRow]) -> Week:
    scores = [s.score for s in sets if s.score is not None]
    rated = [(s.clean_rep_rate, s.full_rep_count) for s in sets if s.clean_rep_rate is not None and s.full_rep_count]
    n_rated = sum(n for _, n in rated)
    depths = [s.depth_hip_angle_deg for s in sets if s.depth_hip_angle_deg is not None]
    speeds = [s.ascent_speed_leg_per_s for s in sets if s.ascent_speed_leg_per_s is not None]
    levels = tuple(dict.fromkeys(s.level for s in sets))
    return Week(start, levels, len({s.day for s in sets}), len(sets), sum(s.rep_count for s in sets),
                statistics.fmean(scores) if scores else None,
                sum(rate * n for rate, n in rated) / n_rated if n_rated else None,
                statistics.median(depths) if depths else None,
                statistics.median(speeds) if speeds else None)


def weekly(sets: Sequence[queries.SetRow]) -> list[Week]:
    """Group sets (any order) into weeks, oldest first."""
    groups: dict[date, list[queries.SetRow]] = {}
    for s in sets:
        groups.setdefault(_monday(s.day), []).append(s)
    return [_week(start, groups[start]) for start in sorted(groups)]


def load_history(db: Database, person: str = "me", since: date | None = None) -> History:
    """Weeks and level changes for ``person`` (all of them, or from ``since``)."""
    with db.read() as tx:
        pid = queries.person_id(tx, person)
        if pid is None:
            return History(person, (), ())
        sets = queries.sets_for(tx, pid, since_day=since.isoformat() if since else None)
        changes = queries.level_changes(tx, pid)
    return History(person, tuple(weekly(sets)), tuple(changes))
