"""The store: people, sessions, sets, reps, faults and level history, on SQLite or PostgreSQL.

Public API::

    db = open_db()                      # HINGECOACH_DB or the user data dir; migrates
    set_id = log_set(db, result, person="me", level=None, when=None)
    usual_depth_hip_angle_deg(db, "me")  # baseline for the too_deep check
    fault_trends(db, "me")
"""

from hingecoach.store.connect import open_db
from hingecoach.store.db import Database
from hingecoach.store.queries import current_level, fault_trends, usual_depth_hip_angle_deg
from hingecoach.store.records import log_manual_set, log_set, record_level_change

__all__ = [
    "Database",
    "current_level",
    "fault_trends",
    "log_manual_set",
    "log_set",
    "open_db",
    "record_level_change",
    "usual_depth_hip_angle_deg",
]
