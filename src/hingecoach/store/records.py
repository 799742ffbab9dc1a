"""Writing to the store: people, sets (from an analysis or by hand), level changes.

Every set is one transaction: its session, the set, its reps and their faults are committed
together, so a crash or Ctrl-C keeps every set logged before it and never half a set. Input is
checked completely before the transaction starts, so bad input changes nothing.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from hingecoach.errors import HingeInputError
from hingecoach.store.db import Database, Tx

PATTERNS = ("hinge", "squat", "stoop")
SEVERITIES = ("minor", "major")
LEVEL_CHANGE_KINDS = ("start", "advance", "step_back", "set")
DEFAULT_PERSON = "me"


def utc_text(when: datetime | None = None) -> str:
    """A moment as sortable UTC text; naive datetimes are taken as local time."""
    when = when or datetime.now().astimezone()
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def local_day(when: datetime | None = None) -> str:
    """The person's calendar day (local time) of a moment, as ``YYYY-MM-DD``."""
    when = when or datetime.now().astimezone()
    return when.astimezone().date().isoformat() if when.tzinfo else when.date().isoformat()


def _finite(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise HingeInputError(f"Expected a number for {what}, but got {value!r}.",
                              "Pass the analysis result unchanged.")
    return float(value) if math.isfinite(value) else None


def _check_rep(rep: Any, i: int) -> dict[str, Any]:
    if not isinstance(rep, Mapping):
        raise HingeInputError(f"Expected rep {i} to be an object, but got {type(rep).__name__}.",
                              "Pass the analysis result unchanged.")
    pattern = rep.get("pattern")
    if pattern is not None and pattern not in PATTERNS:
        raise HingeInputError(f"Expected rep {i} pattern among {PATTERNS}, but got {pattern!r}.",
                              "Pass the analysis result unchanged.")
    faults = []
    for fault in rep.get("faults") or []:
        code, severity = (fault.get("code"), fault.get("severity")) if isinstance(fault, Mapping) else (None, None)
        if not isinstance(code, str) or not code or severity not in SEVERITIES:
            raise HingeInputError(f"Expected rep {i} faults as {{code, severity minor|major}}, but got {fault!r}.",
                                  "Pass the analysis result unchanged.")
        faults.append({"code": code, "severity": severity})
    partial = bool(rep.get("partial", False))
    return {
        "idx": int(rep.get("index", i)),
        "start_s": _finite(rep.get("start_s"), f"rep {i} start_s"),
        "bottom_s": _finite(rep.get("bottom_s"), f"rep {i} bottom_s"),
        "end_s": _finite(rep.get("end_s"), f"rep {i} end_s"),
        "depth_hip_angle_deg": _finite(rep.get("depth_hip_angle_deg"), f"rep {i} depth_hip_angle_deg"),
        # a pattern the camera could not see (a hinge or stoop from the front) is not stored:
        # it would count towards the level's hinge rate and the usual depth
        "pattern": pattern if rep.get("pattern_seen", True) is not False else None,
        "score": _finite(rep.get("score"), f"rep {i} score"),
        "partial": int(partial),
        "clean": int(not any(f["severity"] == "major" for f in faults)),
        "faults": faults,
    }


def set_summary(reps: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-set figures the program reads: clean-rep rate (full reps free of major faults),
    hinge rate (full reps classed as hinge, of those whose pattern was seen) and median bottom
    hip angle. Partial reps count in ``rep_count`` but not in the rates, since they were cut
    short by the clip, not by the lifter."""
    full = [r for r in reps if not r["partial"]]
    seen = [r for r in full if r["pattern"] is not None]
    depths = [r["depth_hip_angle_deg"] for r in full if r["depth_hip_angle_deg"] is not None]
    return {
        "full_rep_count": len(full),
        "clean_rep_rate": sum(r["clean"] for r in full) / len(full) if full else None,
        "hinge_rate": sum(r["pattern"] == "hinge" for r in seen) / len(seen) if seen else None,
        "depth_hip_angle_deg": float(statistics.median(depths)) if depths else None,
    }


def _tempo_columns(result: Mapping[str, Any]) -> dict[str, float | None]:
    """The set's mean ascent speed and speed loss, from the summary's tempo (absent in results
    from before it was measured)."""
    summary = result.get("summary")
    tempo = summary.get("tempo") if isinstance(summary, Mapping) else None
    tempo = tempo if isinstance(tempo, Mapping) else {}
    return {"ascent_speed_leg_per_s": _finite(tempo.get("ascent_speed_leg_per_s"), "ascent_speed_leg_per_s"),
            "speed_loss_pct": _finite(tempo.get("speed_loss_pct"), "speed_loss_pct")}


def check_result(result: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Validate an analysis result dict; return the set's columns and its reps."""
    if not isinstance(result, Mapping):
        raise HingeInputError(f"Expected the analysis result as a dict, but got {type(result).__name__}.",
                              "Pass the JSON that `hinge analyze` prints.")
    raw_reps = result.get("reps") or []
    if not isinstance(raw_reps, list):
        raise HingeInputError("Expected 'reps' to be a list.", "Pass the JSON that `hinge analyze` prints.")
    reps = [_check_rep(rep, i) for i, rep in enumerate(raw_reps)]
    rep_count = result.get("rep_count", len(reps))
    if isinstance(rep_count, bool) or not isinstance(rep_count, int) or rep_count < 0:
        raise HingeInputError(f"Expected rep_count to be a whole number >= 0, but got {rep_count!r}.",
                              "Pass the JSON that `hinge analyze` prints.")
    columns = {
        "method": "video", "rep_count": rep_count,
        "score": _finite(result.get("score"), "score"),
        "view": result.get("view"), "fps": _finite(result.get("fps"), "fps"),
        "duration_s": _finite(result.get("duration_s"), "duration_s"),
        "source": None if result.get("source") is None else str(result.get("source")),
        "exercise": None if result.get("exercise") is None else str(result.get("exercise")),
        "exercise_confidence": _finite(result.get("exercise_confidence"), "exercise_confidence"),
        **_tempo_columns(result),
        **set_summary(reps),
    }
    return columns, reps


def ensure_person(tx: Tx, name: str, when_text: str) -> int:
    tx.run("INSERT INTO people (name, created_at) VALUES (:n, :t) ON CONFLICT (name) DO NOTHING",
           {"n": name, "t": when_text})
    return int(tx.scalar("SELECT id FROM people WHERE name = :n", {"n": name}))


def ensure_session(tx: Tx, person_id: int, day: str, when_text: str) -> int:
    tx.run("INSERT INTO sessions (person_id, day, started_at) VALUES (:p, :d, :t) "
           "ON CONFLICT (person_id, day) DO NOTHING", {"p": person_id, "d": day, "t": when_text})
    return int(tx.scalar("SELECT id FROM sessions WHERE person_id = :p AND day = :d", {"p": person_id, "d": day}))


def current_level_tx(tx: Tx, person_id: int) -> str | None:
    return tx.scalar("SELECT level FROM level_history WHERE person_id = :p "
                     "ORDER BY changed_at DESC, id DESC LIMIT 1", {"p": person_id})


def _level_for(tx: Tx, person_id: int, level: str | None, when_text: str) -> str:
    """The level a set is logged at: the one given, else the person's current one; a person's
    first set also records their starting level so the timeline has a start."""
    from hingecoach.program.levels import first_level, get_level

    current = current_level_tx(tx, person_id)
    chosen = get_level(level).id if level else (current or first_level().id)
    if current is None:
        tx.insert("level_history", {"person_id": person_id, "level": chosen, "changed_at": when_text,
                                    "kind": "start", "reason": "first set logged"})
    return chosen


def insert_set(tx: Tx, person: str, columns: dict[str, Any], reps: list[dict[str, Any]],
               level: str | None, when: datetime | None) -> int:
    """Insert one checked set (with its reps and faults) inside an open transaction."""
    when_text, day = utc_text(when), local_day(when)
    person_id = ensure_person(tx, person, when_text)
    row = {"session_id": ensure_session(tx, person_id, day, when_text), "person_id": person_id,
           "day": day, "performed_at": when_text, "level": _level_for(tx, person_id, level, when_text),
           **columns}
    set_id = tx.insert("sets", row)
    for rep in reps:
        rep_row = {k: v for k, v in rep.items() if k != "faults"}
        rep_id = tx.insert("reps", {"set_id": set_id, **rep_row})
        tx.run_many("INSERT INTO faults (rep_id, set_id, code, severity) VALUES (:r, :s, :c, :v)",
                    [{"r": rep_id, "s": set_id, "c": f["code"], "v": f["severity"]} for f in rep["faults"]])
    return set_id


def log_set(db: Database, result: Mapping[str, Any], person: str = DEFAULT_PERSON, level: str | None = None,
            when: datetime | None = None, wall_distance_cm: float | None = None,
            notes: str | None = None) -> int:
    """Store one analysed set (the dict `hinge analyze` prints) and return its id.

    Committed before returning, so it survives anything that happens next."""
    columns, reps = check_result(result)
    columns.update(quality=None, notes=notes,
                   wall_distance_cm=_finite(wall_distance_cm, "wall_distance_cm"))
    _check_person(person)
    with db.write() as tx:
        return insert_set(tx, person, columns, reps, level, when)


def log_manual_set(db: Database, level: str | None, reps: int, person: str = DEFAULT_PERSON,
                   clean_reps: int | None = None, quality: int | None = None, notes: str | None = None,
                   wall_distance_cm: float | None = None, when: datetime | None = None) -> int:
    """Record a set done without a camera: how many reps, optionally how many were clean
    (counted by the person) and a 1-5 self-rating. With no clean count the set counts towards
    attendance but not towards the mastery checks, which need measured quality."""
    _check_person(person)
    if isinstance(reps, bool) or not isinstance(reps, int) or not 0 < reps <= 1000:
        raise HingeInputError(f"Expected reps between 1 and 1000, but got {reps!r}.", "For example: --reps 12.")
    if clean_reps is not None and not 0 <= clean_reps <= reps:
        raise HingeInputError(f"Expected clean reps between 0 and {reps}, but got {clean_reps}.",
                              "Count the reps with no major fault.")
    if quality is not None and not 1 <= quality <= 5:
        raise HingeInputError(f"Expected quality 1-5, but got {quality}.", "1 = poor, 5 = perfect.")
    columns = {"method": "manual", "rep_count": reps, "full_rep_count": reps, "score": None,
               "clean_rep_rate": None if clean_reps is None else clean_reps / reps, "hinge_rate": None,
               "depth_hip_angle_deg": None, "view": None, "fps": None, "duration_s": None, "source": None,
               "quality": quality, "wall_distance_cm": _finite(wall_distance_cm, "wall_distance_cm"),
               "notes": notes}
    with db.write() as tx:
        return insert_set(tx, person, columns, [], level, when)


def record_level_change(db: Database, person: str, level: str, kind: str, reason: str | None = None,
                        when: datetime | None = None) -> int:
    """Record that ``person`` now trains at ``level`` (kind: start, advance, step_back, set)."""
    from hingecoach.program.levels import get_level

    _check_person(person)
    level_id = get_level(level).id
    if kind not in LEVEL_CHANGE_KINDS:
        raise ValueError(f"Expected kind among {LEVEL_CHANGE_KINDS}, but got {kind!r}.")
    when_text = utc_text(when)
    with db.write() as tx:
        person_id = ensure_person(tx, person, when_text)
        return tx.insert("level_history", {"person_id": person_id, "level": level_id,
                                           "changed_at": when_text, "kind": kind, "reason": reason})


def delete_set(db: Database, set_id: int, person: str = DEFAULT_PERSON) -> bool:
    """Remove one of ``person``'s sets with its reps and faults; False when they have no such set."""
    _check_person(person)
    with db.write() as tx:
        found = tx.scalar("SELECT s.id FROM sets s JOIN people p ON s.person_id = p.id "
                          "WHERE s.id = :s AND p.name = :n", {"s": set_id, "n": person})
        if found is None:
            return False
        for table, column in (("faults", "set_id"), ("reps", "set_id"), ("sets", "id")):
            tx.run(f"DELETE FROM {table} WHERE {column} = :s", {"s": set_id})
        return True


def _check_person(person: str) -> None:
    if not isinstance(person, str) or not person.strip() or len(person) > 100:
        raise HingeInputError(f"Expected a person's name (1-100 characters), but got {person!r}.",
                              "For example: --person alex.")


def today_local() -> date:
    return datetime.now().astimezone().date()
