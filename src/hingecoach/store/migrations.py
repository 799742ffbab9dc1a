"""Named schema migrations, recorded in ``schema_migrations`` and each run in its own transaction.

A migration is applied at most once per store: its name is written in the same transaction as
its changes, so a crash leaves it either fully applied and recorded, or not at all. Two processes
opening a new store at once are serialised by the write lock (SQLite ``BEGIN IMMEDIATE``) or an
advisory lock (PostgreSQL), and the second one finds the work done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from hingecoach.store.db import Database, Tx

_PG_LOCK_KEY = 7_404_263  # any constant; identifies HingeCoach's migration lock


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[Tx], None]


def _initial(tx: Tx) -> None:
    statements = [
        """CREATE TABLE people (
            id {pk}, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)""",
        """CREATE TABLE sessions (
            id {pk}, person_id {ref} NOT NULL REFERENCES people(id),
            day TEXT NOT NULL, started_at TEXT NOT NULL, UNIQUE (person_id, day))""",
        """CREATE TABLE sets (
            id {pk}, session_id {ref} NOT NULL REFERENCES sessions(id),
            person_id {ref} NOT NULL REFERENCES people(id), day TEXT NOT NULL,
            performed_at TEXT NOT NULL, level TEXT NOT NULL, method TEXT NOT NULL,
            rep_count INTEGER NOT NULL, full_rep_count INTEGER NOT NULL, score {float},
            clean_rep_rate {float}, hinge_rate {float}, depth_hip_angle_deg {float},
            view TEXT, fps {float}, duration_s {float}, source TEXT, quality INTEGER,
            wall_distance_cm {float}, notes TEXT)""",
        """CREATE TABLE reps (
            id {pk}, set_id {ref} NOT NULL REFERENCES sets(id), idx INTEGER NOT NULL,
            start_s {float}, bottom_s {float}, end_s {float}, depth_hip_angle_deg {float},
            pattern TEXT, score {float}, partial INTEGER NOT NULL, clean INTEGER NOT NULL)""",
        """CREATE TABLE faults (
            id {pk}, rep_id {ref} NOT NULL REFERENCES reps(id),
            set_id {ref} NOT NULL REFERENCES sets(id), code TEXT NOT NULL, severity TEXT NOT NULL)""",
        """CREATE TABLE level_history (
            id {pk}, person_id {ref} NOT NULL REFERENCES people(id), level TEXT NOT NULL,
            changed_at TEXT NOT NULL, kind TEXT NOT NULL, reason TEXT)""",
        # Every per-person read filters on person and orders by time: these make them index walks.
        "CREATE INDEX ix_sets_person_time ON sets (person_id, performed_at)",
        "CREATE INDEX ix_sets_person_day ON sets (person_id, day)",
        "CREATE INDEX ix_sets_session ON sets (session_id)",
        "CREATE INDEX ix_reps_set ON reps (set_id)",
        "CREATE INDEX ix_faults_set ON faults (set_id)",
        "CREATE INDEX ix_faults_rep ON faults (rep_id)",
        "CREATE INDEX ix_level_history_person ON level_history (person_id, changed_at)",
    ]
    for sql in statements:
        tx.ddl(sql)


def _set_exercise(tx: Tx) -> None:
    """Each set's exercise (given, implied by its level, or recognised) and how sure the call was,
    and its speed: the reps' mean ascent speed of the hips and the set's speed loss."""
    tx.ddl("ALTER TABLE sets ADD COLUMN exercise TEXT")
    tx.ddl("ALTER TABLE sets ADD COLUMN exercise_confidence {float}")
    tx.ddl("ALTER TABLE sets ADD COLUMN ascent_speed_leg_per_s {float}")
    tx.ddl("ALTER TABLE sets ADD COLUMN speed_loss_pct {float}")


#: In order. Never rename or edit one that has shipped; add a new one.
MIGRATIONS: tuple[Migration, ...] = (Migration("0001_initial", _initial),
                                     Migration("0002_set_exercise", _set_exercise))

_CREATE_LEDGER = "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"


def applied(db: Database) -> list[str]:
    """Names of the migrations this store has recorded (empty for a new store)."""
    with db.read() as tx:
        if not _ledger_exists(tx):
            return []
        return [r[0] for r in tx.rows("SELECT name FROM schema_migrations ORDER BY name")]


def _ledger_exists(tx: Tx) -> bool:
    if tx.dialect == "sqlite":
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        return tx.one(sql) is not None
    return tx.scalar("SELECT to_regclass('schema_migrations') IS NOT NULL") is True


def _lock(tx: Tx) -> None:
    if tx.dialect == "postgresql":
        tx.run(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")


def migrate(db: Database) -> list[str]:
    """Apply every pending migration; return the names applied now."""
    done = set(applied(db))
    pending = [m for m in MIGRATIONS if m.name not in done]
    if not pending:
        return []
    with db.write() as tx:
        _lock(tx)
        tx.run(_CREATE_LEDGER)
    ran = []
    for migration in pending:
        with db.write() as tx:
            _lock(tx)
            if tx.one("SELECT 1 FROM schema_migrations WHERE name = :n", {"n": migration.name}):
                continue  # another process applied it while we waited for the lock
            migration.apply(tx)
            now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
            tx.run("INSERT INTO schema_migrations (name, applied_at) VALUES (:n, :t)",
                   {"n": migration.name, "t": now})
            ran.append(migration.name)
    return ran
