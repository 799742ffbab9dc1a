"""What to do today: level, exercise, sets x reps, the one cue to focus on, rest days.

``plan_today`` reads the store once (one snapshot) and the rest is pure functions of what it
read, so the decisions are testable without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from hingecoach.program import mastery, timeline
from hingecoach.program.levels import (
    Level,
    all_levels,
    fault_cue,
    first_level,
    get_level,
    mastery_rule,
    previous_level,
    program_data,
)
from hingecoach.store import queries
from hingecoach.store.db import Database, Tx
from hingecoach.store.records import current_level_tx

#: Sets read to judge mastery and step-back (covers the last few sessions at 2-3 sets a day).
_RECENT_SETS = 30
#: Days of faults the cue is chosen from: the last week is what the person is doing now.
_CUE_WINDOW_DAYS = 7


@dataclass(frozen=True)
class TodayPlan:
    person: str
    day: date
    level: Level
    sets: int
    reps: int
    sets_done_today: int
    rest_day: bool
    rest_reason: str | None
    focus_fault: str | None
    focus_cue: str
    wall_distance_cm: float | None
    status: mastery.MasteryStatus
    timeline: timeline.Timeline
    fault_shares: dict[str, float] = field(default_factory=dict)


def clean_streak(sets: Sequence[queries.SetRow], min_clean: float) -> int:
    """Consecutive latest training days whose measured sets were all clean."""
    by_day: dict[str, list[float]] = {}
    for s in sets:
        if s.clean_rep_rate is not None:
            by_day.setdefault(s.day, []).append(s.clean_rep_rate)
    streak = 0
    for day in sorted(by_day, reverse=True):
        if min(by_day[day]) < min_clean:
            break
        streak += 1
    return streak


def volume(level: Level, streak: int) -> tuple[int, int]:
    """Sets x reps in the guide's 2-3 x 10-15: start at the low end, add a set after a clean
    day, then reps over the next two clean days."""
    sets = level.sets[0] if streak == 0 else level.sets[1]
    step = min(1.0, max(0, streak - 1) / 2)
    return sets, round(level.reps[0] + step * (level.reps[1] - level.reps[0]))


def wall_distance(level: Level, sets: Sequence[queries.SetRow], streak: int) -> float | None:
    """Wall-tap distance: start close, step back after a clean day, up to the guide's one foot."""
    if level.wall_start_cm is None or level.wall_step_cm is None or level.wall_max_cm is None:
        return None  # not a wall-tap level (levels.toml gives the three together)
    last = next((s.wall_distance_cm for s in reversed(sets) if s.wall_distance_cm is not None), None)
    if last is None:
        return level.wall_start_cm
    return min(level.wall_max_cm, last + level.wall_step_cm) if streak > 0 else last


def focus(level: Level, counts: dict[str, dict[str, int]], total: int) -> tuple[str | None, str, dict[str, float]]:
    """The one fault to work on: most reps with it as a major fault, then the level's key checks,
    then most reps overall. No faults: the level's first cue."""
    shares = {code: sum(c.values()) / total for code, c in counts.items()} if total else {}
    if not counts:
        return None, level.cues[0], shares

    def rank(code: str) -> tuple[int, int, int]:
        c = counts[code]
        return (c["major"], int(code in level.key_checks), c["major"] + c["minor"])

    code = max(sorted(counts), key=rank)
    return code, fault_cue(code) or level.cues[0], shares


def rest_reason(level: Level, today: date, last_loaded_day: str | None, done_today: int) -> str | None:
    """Loaded levels train every other day: the day after a loaded session is a rest day."""
    if level.frequency_days <= 1 or done_today or last_loaded_day is None:
        return None
    gap_days = (today - date.fromisoformat(last_loaded_day)).days
    if gap_days < level.frequency_days:
        return (f"Loaded hinges train every other day; you trained on {last_loaded_day}. "
                "Rest today (an easy bodyweight set is fine).")
    return None


def _timeline(tx: Tx, pid: int, today: date) -> timeline.Timeline:
    firsts = dict(tx.rows("SELECT level, MIN(day) FROM sets WHERE person_id = :p GROUP BY level", {"p": pid}))
    start = min(firsts.values()) if firsts else None
    first_week = last_week = None
    if start:
        week_end = (date.fromisoformat(start) + timedelta(days=7)).isoformat()
        sql = ("SELECT SUM(clean_rep_rate * full_rep_count), SUM(full_rep_count) FROM sets WHERE person_id = :p "
               "AND day >= :a AND day < :b AND clean_rep_rate IS NOT NULL")
        first_week = _ratio(tx.one(sql, {"p": pid, "a": start, "b": week_end}))
        last_week = _ratio(tx.one(sql, {"p": pid, "a": (today - timedelta(days=6)).isoformat(),
                                        "b": (today + timedelta(days=1)).isoformat()}))
    order = [(lv.id, lv.loaded) for lv in all_levels()]
    return timeline.build(firsts, order, today, first_week, last_week, program_data()["timeline"])


def _ratio(row: tuple | None) -> float | None:
    return None if not row or not row[1] else float(row[0]) / float(row[1])


def plan_today(db: Database, person: str = "me", today: date | None = None) -> TodayPlan:
    """Today's plan for ``person`` from their log (a new person starts at level 1)."""
    today = today or date.today()
    rule = mastery_rule()
    with db.read() as tx:
        pid = queries.person_id(tx, person)
        level = get_level(current_level_tx(tx, pid) or first_level().id) if pid else first_level()
        sets = queries.recent_sets(tx, pid, _RECENT_SETS, level.id) if pid else []
        n_days = len(queries.level_days(tx, pid, level.id)) if pid else 0
        _, loaded_day = queries.last_training_day(tx, pid, tuple(lv.id for lv in all_levels() if lv.loaded)) \
            if pid else (None, None)
        counts, total = queries.fault_counts(tx, pid, (today - timedelta(days=_CUE_WINDOW_DAYS - 1)).isoformat(),
                                             (today + timedelta(days=1)).isoformat()) if pid else ({}, 0)
        line = _timeline(tx, pid, today) if pid else timeline.build({}, [], today, None, None,
                                                                   program_data()["timeline"])
    done_today = sum(1 for s in sets if s.day == today.isoformat())
    before_today = [s for s in sets if s.day < today.isoformat()]  # today's volume is set by earlier days
    streak = clean_streak(before_today, rule["min_clean_rep_rate"])
    n_sets, n_reps = volume(level, streak)
    code, cue, shares = focus(level, counts, total)
    status = mastery.assess(level.id, sets, n_days, rule, can_step_back=previous_level(level) is not None)
    reason = rest_reason(level, today, loaded_day, done_today)
    return TodayPlan(person, today, level, n_sets, n_reps, done_today, reason is not None, reason, code, cue,
                     wall_distance(level, before_today, streak), status, line, shares)
