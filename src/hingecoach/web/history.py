"""Today's plan and the training history for the pages, from :mod:`hingecoach.store` and
:mod:`hingecoach.program` when they are installed; ``{"available": false, ...}`` otherwise, so
the pages keep working while those parts are missing or the store cannot be opened."""

from __future__ import annotations

import dataclasses
import math
from datetime import date, datetime
from typing import Any

from hingecoach.errors import HingeInputError

#: Sets shown on the history page (a year of daily training at 2-3 sets).
HISTORY_LIMIT = 1000


def jsonable(value: Any) -> Any:
    """Dataclasses, dates, tuples and non-finite floats -> JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in ("mastered", "loaded"):
            if hasattr(type(value), name):
                out[name] = jsonable(getattr(value, name))
        return out
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def unavailable(reason: str) -> dict[str, Any]:
    return {"available": False, "reason": reason}


def _open_db(db_url: str | None):
    from hingecoach.store import open_db

    return open_db(db_url)


def today(person: str, db_url: str | None) -> dict[str, Any]:
    try:
        from hingecoach.program.plan import plan_today
    except ImportError:
        return unavailable("The training program is not installed in this version.")
    db = _open_db(db_url)
    try:
        plan = plan_today(db, person)
    finally:
        db.close()
    data = jsonable(plan)
    try:
        from hingecoach.program import timeline

        data["timeline_text"] = list(timeline.describe(plan.timeline))
    except (ImportError, AttributeError):
        pass
    return {"available": True, "plan": data}


def history(person: str, db_url: str | None) -> dict[str, Any]:
    try:
        from hingecoach.store import queries
    except ImportError:
        return unavailable("The training log is not installed in this version.")
    db = _open_db(db_url)
    try:
        with db.read() as tx:
            pid = queries.person_id(tx, person)
            sets = [] if pid is None else queries.recent_sets(tx, pid, HISTORY_LIMIT)
            changes = [] if pid is None else queries.level_changes(tx, pid)
        trends = queries.fault_trends(db, person) if pid is not None else []
    finally:
        db.close()
    return {"available": True, "sets": jsonable(list(sets)), "level_changes": jsonable(list(changes)),
            "fault_trends": jsonable(list(trends))}


def known_level(level: Any) -> str | None:
    """The level id for ``level`` (id or number) when the program knows it; None otherwise."""
    if not isinstance(level, (str, int)) or isinstance(level, bool) or len(str(level)) > 40 or level == "":
        return None
    try:
        from hingecoach.program.levels import get_level
    except ImportError:
        return None
    try:
        return get_level(level).id
    except HingeInputError:
        return None


def config(max_upload_bytes: int) -> dict[str, Any]:
    """What the pages need to know up front: the upload limit, the levels, fault titles."""
    levels: list[dict[str, Any]] = []
    try:
        from hingecoach.program.levels import all_levels

        levels = [{"id": lv.id, "number": lv.number, "name": lv.name, "sets": list(lv.sets),
                   "reps": list(lv.reps)} for lv in all_levels()]
    except ImportError:
        pass
    titles: dict[str, str] = {}
    praise = None
    try:
        from hingecoach import coaching

        titles = {code: entry.get("title", code) for code, entry in coaching.advice_table().items()}
        praise = coaching.praise_cue()
    except (ImportError, KeyError):
        pass
    return {"max_upload_bytes": max_upload_bytes, "levels": levels, "fault_titles": titles,
            "praise_cue": praise}


def delete_set(set_id: int, person: str, db_url: str | None) -> bool:
    from hingecoach.store.records import delete_set as delete

    db = _open_db(db_url)
    try:
        return delete(db, set_id, person)
    finally:
        db.close()


def log_live_set(result: dict[str, Any], person: str, level: str | None, db_url: str | None) -> int | None:
    """Store a set (the analysis-result shape, live or uploaded); None when the store is not
    installed."""
    try:
        from hingecoach.store import log_set
    except ImportError:
        return None
    db = _open_db(db_url)
    try:
        return int(log_set(db, result, person=person, level=level))
    finally:
        db.close()
