"""Reading from the store: a person's sets, level history, baselines and fault trends.

Every reader filters by person and walks the (person, time) indexes, so it costs the same with
five years of history as with one week.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from hingecoach.store.db import Database, Tx


@dataclass(frozen=True)
class SetRow:
    """One logged set as the program reads it."""

    id: int
    day: str
    performed_at: str
    level: str
    method: str
    rep_count: int
    full_rep_count: int
    score: float | None
    clean_rep_rate: float | None
    hinge_rate: float | None
    depth_hip_angle_deg: float | None
    wall_distance_cm: float | None
    quality: int | None
    ascent_speed_leg_per_s: float | None = None


@dataclass(frozen=True)
class LevelChange:
    changed_at: str
    level: str
    kind: str
    reason: str | None


@dataclass(frozen=True)
class FaultTrend:
    """How often a fault showed, then (a window ``ago_days`` back) and now (the latest window)."""

    code: str
    then_frac: float | None
    now_frac: float | None
    then_reps: int
    now_reps: int


_SET_COLUMNS = ("id, day, performed_at, level, method, rep_count, full_rep_count, score, clean_rep_rate, "
                "hinge_rate, depth_hip_angle_deg, wall_distance_cm, quality, ascent_speed_leg_per_s")


def person_id(tx: Tx, person: str) -> int | None:
    return tx.scalar("SELECT id FROM people WHERE name = :n", {"n": person})


def sets_for(tx: Tx, pid: int, since_day: str | None = None, level: str | None = None) -> list[SetRow]:
    """The person's sets in time order, optionally from ``since_day`` and at one level."""
    sql = f"SELECT {_SET_COLUMNS} FROM sets WHERE person_id = :p"
    params: dict[str, object] = {"p": pid}
    if since_day:
        sql += " AND day >= :d"
        params["d"] = since_day
    if level:
        sql += " AND level = :l"
        params["l"] = level
    return [SetRow(*row) for row in tx.rows(sql + " ORDER BY performed_at, id", params)]


def recent_sets(tx: Tx, pid: int, limit: int, level: str | None = None) -> list[SetRow]:
    """The person's latest ``limit`` sets (optionally at one level), oldest first."""
    sql = f"SELECT {_SET_COLUMNS} FROM sets WHERE person_id = :p"
    params: dict[str, object] = {"p": pid, "n": limit}
    if level:
        sql += " AND level = :l"
        params["l"] = level
    rows = tx.rows(sql + " ORDER BY performed_at DESC, id DESC LIMIT :n", params)
    return [SetRow(*row) for row in reversed(rows)]


def level_days(tx: Tx, pid: int, level: str) -> list[str]:
    """Distinct days the person trained at ``level``, oldest first."""
    rows = tx.rows("SELECT DISTINCT day FROM sets WHERE person_id = :p AND level = :l ORDER BY day",
                   {"p": pid, "l": level})
    return [r[0] for r in rows]


def level_changes(tx: Tx, pid: int) -> list[LevelChange]:
    rows = tx.rows("SELECT changed_at, level, kind, reason FROM level_history WHERE person_id = :p "
                   "ORDER BY changed_at, id", {"p": pid})
    return [LevelChange(*row) for row in rows]


def last_training_day(tx: Tx, pid: int, loaded_levels: tuple[str, ...]) -> tuple[str | None, str | None]:
    """(last day with any set, last day with a set at a loaded level)."""
    any_day = tx.scalar("SELECT MAX(day) FROM sets WHERE person_id = :p", {"p": pid})
    loaded_day = None
    if loaded_levels:
        names = ", ".join(f":l{i}" for i in range(len(loaded_levels)))
        params = {"p": pid, **{f"l{i}": lv for i, lv in enumerate(loaded_levels)}}
        loaded_day = tx.scalar(f"SELECT MAX(day) FROM sets WHERE person_id = :p AND level IN ({names})", params)
    return any_day, loaded_day


def fault_counts(tx: Tx, pid: int, since_day: str, until_day: str) -> tuple[dict[str, dict[str, int]], int]:
    """Per fault code, the number of full reps showing it ({'major': n, 'minor': n}), and the
    number of full reps, over days ``since_day <= day < until_day``."""
    window = {"p": pid, "a": since_day, "b": until_day}
    total = tx.scalar("SELECT COUNT(*) FROM reps r JOIN sets s ON r.set_id = s.id WHERE s.person_id = :p "
                      "AND s.day >= :a AND s.day < :b AND r.partial = 0", window) or 0
    rows = tx.rows("SELECT f.code, f.severity, COUNT(DISTINCT f.rep_id) FROM faults f "
                   "JOIN sets s ON f.set_id = s.id JOIN reps r ON f.rep_id = r.id "
                   "WHERE s.person_id = :p AND s.day >= :a AND s.day < :b AND r.partial = 0 "
                   "GROUP BY f.code, f.severity", window)
    counts: dict[str, dict[str, int]] = {}
    for code, severity, n in rows:
        counts.setdefault(code, {"major": 0, "minor": 0})[severity] = int(n)
    return counts, int(total)


def usual_depth_tx(tx: Tx, pid: int, recent_reps: int = 30, min_reps: int = 5) -> float | None:
    rows = tx.rows("SELECT r.depth_hip_angle_deg FROM sets s JOIN reps r ON r.set_id = s.id "
                   "WHERE s.person_id = :p AND r.pattern = 'hinge' AND r.partial = 0 AND r.clean = 1 "
                   "AND r.depth_hip_angle_deg IS NOT NULL ORDER BY s.performed_at DESC, r.idx DESC LIMIT :n",
                   {"p": pid, "n": recent_reps})
    return float(statistics.median(r[0] for r in rows)) if len(rows) >= min_reps else None


def usual_depth_hip_angle_deg(db: Database, person: str = "me", recent_reps: int = 30,
                              min_reps: int = 5) -> float | None:
    """The person's usual bottom hip angle: the median over their latest ``recent_reps`` clean
    hinge reps (full, hinge pattern, no major fault). This is where their hamstrings stop them,
    the baseline the ``too_deep`` check compares against. None until ``min_reps`` such reps exist."""
    with db.read() as tx:
        pid = person_id(tx, person)
        return None if pid is None else usual_depth_tx(tx, pid, recent_reps, min_reps)


def _frac(counts: dict[str, dict[str, int]], code: str, total: int) -> float | None:
    if not total:
        return None
    return sum(counts.get(code, {}).values()) / total


def fault_trends(db: Database, person: str = "me", today: date | None = None, window_days: int = 7,
                 ago_days: int = 14) -> list[FaultTrend]:
    """Per fault, the share of full reps showing it in the window ending ``ago_days`` ago versus
    the latest window ("knees too bent: 40% of reps two weeks ago, 5% now"). Most changed first."""
    today = today or date.today()
    end_now = today + timedelta(days=1)
    end_then = end_now - timedelta(days=ago_days)
    with db.read() as tx:
        pid = person_id(tx, person)
        if pid is None:
            return []
        now, n_now = fault_counts(tx, pid, (end_now - timedelta(days=window_days)).isoformat(), end_now.isoformat())
        then, n_then = fault_counts(tx, pid, (end_then - timedelta(days=window_days)).isoformat(),
                                    end_then.isoformat())
    trends = [FaultTrend(code, _frac(then, code, n_then), _frac(now, code, n_now), n_then, n_now)
              for code in sorted(set(now) | set(then))]
    return sorted(trends, key=lambda t: -abs((t.then_frac or 0.0) - (t.now_frac or 0.0)))


def current_level(db: Database, person: str = "me") -> str | None:
    """The level the person trains at now (None before their first set or level choice)."""
    from hingecoach.store.records import current_level_tx

    with db.read() as tx:
        pid = person_id(tx, person)
        return None if pid is None else current_level_tx(tx, pid)
