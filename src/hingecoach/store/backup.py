"""A consistent copy of the store while it may be in use.

SQLite: the online backup API copies pages under a read snapshot, so writers can keep going
and the copy is a valid database as of one moment; the copy is written beside the target and
renamed into place, so a failed backup never leaves a half file under the requested name.
PostgreSQL: a JSON export read in one REPEATABLE READ snapshot (use ``pg_dump`` for server-side
backups).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hingecoach import atomic
from hingecoach.errors import HingeInputError
from hingecoach.store.db import Database
from hingecoach.store.exchange import export


def backup(db: Database, out: Path, overwrite: bool = False) -> Path:
    """Copy the store to ``out``; return the path written. Checks the copy's integrity."""
    out = Path(out)
    if out.exists() and not overwrite:
        raise HingeInputError(f"{out} already exists.", "Choose a new file name, or pass --force.")
    if out.resolve() == Path(db.target.where).resolve():
        raise HingeInputError("The backup target is the store itself.", "Choose another file.")
    out.parent.mkdir(parents=True, exist_ok=True)
    if db.dialect != "sqlite":
        return export(db, out if out.suffix == ".json" else out.with_suffix(".json"))
    return atomic.write_atomic(out, lambda tmp: _copy_sqlite(db, tmp))


def _copy_sqlite(db: Database, tmp: Path) -> None:
    dest = sqlite3.connect(tmp)
    try:
        db.connection.backup(dest)
        status = dest.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dest.close()
    if status != "ok":
        raise HingeInputError(f"The backup copy failed its integrity check ({status}).",
                              "Run `hinge backup` again; the store itself was not changed.")
