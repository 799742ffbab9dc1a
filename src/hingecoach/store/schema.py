"""The tables of the store, as data: column names and their kinds, in foreign-key order.

Export, import and the round-trip test read this table list, so a column added by a migration
must be added here too (a test checks that this list matches the live schema).

Conventions: times are UTC text ``YYYY-MM-DD HH:MM:SS.ffffff`` (sorts as time, round-trips
exactly on every engine); ``day`` is the person's local calendar date ``YYYY-MM-DD``; flags are
integers 0/1; angles are degrees, durations seconds, distances centimetres.
"""

from __future__ import annotations

#: table -> ((column, kind), ...); kind is one of "int", "float", "text".
TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "people": (("id", "int"), ("name", "text"), ("created_at", "text")),
    "sessions": (("id", "int"), ("person_id", "int"), ("day", "text"), ("started_at", "text")),
    "sets": (
        ("id", "int"), ("session_id", "int"), ("person_id", "int"), ("day", "text"),
        ("performed_at", "text"), ("level", "text"), ("method", "text"), ("rep_count", "int"),
        ("full_rep_count", "int"), ("score", "float"), ("clean_rep_rate", "float"),
        ("hinge_rate", "float"), ("depth_hip_angle_deg", "float"), ("view", "text"),
        ("fps", "float"), ("duration_s", "float"), ("source", "text"), ("quality", "int"),
        ("wall_distance_cm", "float"), ("notes", "text"), ("exercise", "text"),
        ("exercise_confidence", "float"), ("ascent_speed_leg_per_s", "float"), ("speed_loss_pct", "float"),
    ),
    "reps": (
        ("id", "int"), ("set_id", "int"), ("idx", "int"), ("start_s", "float"),
        ("bottom_s", "float"), ("end_s", "float"), ("depth_hip_angle_deg", "float"),
        ("pattern", "text"), ("score", "float"), ("partial", "int"), ("clean", "int"),
    ),
    "faults": (
        ("id", "int"), ("rep_id", "int"), ("set_id", "int"), ("code", "text"), ("severity", "text"),
    ),
    "level_history": (
        ("id", "int"), ("person_id", "int"), ("level", "text"), ("changed_at", "text"),
        ("kind", "text"), ("reason", "text"),
    ),
}


def column_names(table: str) -> list[str]:
    return [name for name, _ in TABLES[table]]
